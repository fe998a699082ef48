"""The services save settings off the UI thread, and closing them leaves the last save on disk."""

from __future__ import annotations

import threading

import httpx

from studio_desktop.core import settings as settings_module
from studio_desktop.core.config import Endpoints
from studio_desktop.core.settings import Settings, load_settings
from studio_desktop.ui.services import Services


def test_rapid_setting_changes_are_written_off_the_ui_thread_and_the_last_is_on_disk_after_aclose(
    app_paths, run_async, monkeypatch
):
    real = settings_module.write_settings_text
    writers: list[str] = []

    def write(path, text):
        writers.append(threading.current_thread().name)
        real(path, text)

    monkeypatch.setattr(settings_module, "write_settings_text", write)
    services = Services(Endpoints(api_url="http://127.0.0.1:9"), Settings(), httpx.AsyncClient())
    for n in range(10):
        services.update_window_settings({"width": 800 + n})
    assert services.settings.window == {"width": 809}
    run_async(services.aclose())
    assert load_settings().window == {"width": 809}
    assert writers and threading.main_thread().name not in writers
