"""Settings are written on a thread of their own: saves coalesce, the last one wins, one write at a time."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest

from studio_desktop.core import settings as settings_module
from studio_desktop.core.settings import SecretInSettingsError, Settings, SettingsWriter, load_settings


@pytest.fixture
def slow_writes(monkeypatch):
    """Every write takes 20 ms (a disk spinning up); records the thread and overlap of each."""
    real = settings_module.write_settings_text
    record: dict = {"threads": set(), "active": 0, "most": 0, "count": 0}
    lock = threading.Lock()

    def write(path, text):
        with lock:
            record["active"] += 1
            record["most"] = max(record["most"], record["active"])
            record["threads"].add(threading.current_thread().name)
        try:
            time.sleep(0.02)
            real(path, text)
        finally:
            with lock:
                record["active"] -= 1
                record["count"] += 1

    monkeypatch.setattr(settings_module, "write_settings_text", write)
    return record


def test_rapid_saves_coalesce_and_the_last_one_is_on_disk_after_close(app_paths, slow_writes):
    async def main() -> float:
        writer = SettingsWriter()
        started = time.perf_counter()
        for n in range(1, 21):
            writer.submit(Settings(window={"n": n}))
        submitted = time.perf_counter() - started
        await writer.close()
        return submitted

    submitted = asyncio.run(main())
    assert load_settings().window == {"n": 20}
    assert slow_writes["most"] == 1, "never two writes at once"
    assert slow_writes["count"] < 20, "saves made while one was being written coalesce"
    assert threading.current_thread().name not in slow_writes["threads"]
    assert submitted < 0.2, "submitting never waits for the disk"


def test_flush_waits_for_the_save_and_later_saves_still_land(app_paths, slow_writes):
    async def main() -> None:
        writer = SettingsWriter()
        writer.submit(Settings(upload_concurrency=7))
        assert writer.pending
        await writer.flush()
        assert not writer.pending
        assert json.loads(app_paths.settings_file.read_text())["upload_concurrency"] == 7
        writer.submit(Settings(upload_concurrency=8))
        await writer.close()
        # After closing, a save is written at once, on the caller's thread.
        writer.submit(Settings(upload_concurrency=9))
        assert load_settings().upload_concurrency == 9

    asyncio.run(main())


def test_a_failed_write_is_logged_and_the_next_save_tries_again(app_paths, monkeypatch, caplog):
    real = settings_module.write_settings_text
    failures = [OSError(28, "No space left on device")]

    def write(path, text):
        if failures:
            raise failures.pop()
        real(path, text)

    monkeypatch.setattr(settings_module, "write_settings_text", write)
    writer = SettingsWriter()
    with caplog.at_level("WARNING", logger="studio_desktop.core.settings"):
        writer.submit(Settings(upload_concurrency=3))
        writer.wait(5)
    assert "Could not save settings" in caplog.text
    writer.submit(Settings(upload_concurrency=4))
    writer.wait(5)
    assert load_settings().upload_concurrency == 4


def test_a_secret_is_refused_before_anything_is_queued(app_paths):
    writer = SettingsWriter()
    with pytest.raises(SecretInSettingsError):
        writer.submit(Settings(window={"access_token": "abc"}))
    assert not writer.pending
