"""Diagnostics: versions, settings, folders and the log tail, without a single secret; core imports no Qt."""

from __future__ import annotations

import logging
import platform
import subprocess
import sys
from importlib import metadata

import keyring
import keyring.core
import pytest
from keyring.backends import fail

from studio_desktop import __version__
from studio_desktop.core import credentials, redaction
from studio_desktop.core.credentials import PIXIESET_COOKIE, SHOOTPROOF_ACCESS_TOKEN, CredentialStore
from studio_desktop.core.diagnostics import collect_diagnostics, package_versions
from studio_desktop.core.logging_setup import setup_logging, teardown_logging
from studio_desktop.core.settings import Settings, save_settings

TOKEN = "diag-access-token-0f9e8d7c6b"
COOKIE = "laravel_session=diag-cookie-5a4b3c2d1e"


@pytest.fixture(autouse=True)
def _clean(monkeypatch, caplog):
    monkeypatch.setattr(keyring.core, "_keyring_backend", keyring.core._keyring_backend)
    monkeypatch.setattr(credentials, "_warned", set())
    root_level = logging.getLogger().level
    redaction.forget_registered_secrets()
    # A fresh once-per-process memory: the credential store says again that there is no keyring.
    with caplog.at_level(logging.WARNING, logger="studio_desktop.core.credentials"):
        yield
    teardown_logging()
    logging.getLogger().setLevel(root_level)
    logging.captureWarnings(False)
    redaction.forget_registered_secrets()


def test_diagnostics_hold_versions_settings_paths_and_log_but_no_secrets(app_paths):
    setup_logging(console=False)
    keyring.set_keyring(fail.Keyring())
    store = CredentialStore()
    store.set(SHOOTPROOF_ACCESS_TOKEN, TOKEN)
    store.set(PIXIESET_COOKIE, COOKIE)
    log = logging.getLogger("studio_desktop.api.shootproof")
    log.info("HTTP Request: GET http://127.0.0.1:8123/v2?method=sp.event.get_list&access_token=%s", TOKEN)
    log.info("pixieset replied with cookie %s", COOKIE.split("=", 1)[1])

    settings = Settings().replace(
        upload_concurrency=7,
        api_url="http://127.0.0.1:8123/v2",
        recent_folders=["/shoots/smith-wedding"],
        window={"main_geometry": "A" * 400, "splitter": [1, 2]},
    )
    save_settings(settings)

    report = collect_diagnostics(settings, credential_backend=store.backend_name)

    assert f"Studio Desktop {__version__}" in report
    assert platform.python_version() in report
    assert f"keyring: {metadata.version('keyring')}" in report
    assert f"httpx: {metadata.version('httpx')}" in report
    assert "upload_concurrency: 7" in report
    assert "/shoots/smith-wedding" in report
    assert "<400 characters>" in report and "A" * 400 not in report
    assert str(app_paths.settings_file) in report
    assert str(app_paths.log_file) in report
    assert f"secrets kept in: file {app_paths.secrets_file}" in report
    assert "method=sp.event.get_list&access_token=***" in report
    assert TOKEN not in report
    assert COOKIE not in report and COOKIE.split("=", 1)[1] not in report


def test_diagnostics_without_settings_or_log_still_work(app_paths):
    report = collect_diagnostics(None)
    assert "(not loaded)" in report
    assert "(empty)" in report


def test_package_versions_report_missing_packages_plainly(monkeypatch):
    monkeypatch.setattr("studio_desktop.core.diagnostics.PACKAGES", ("keyring", "no-such-package-here"))
    versions = package_versions()
    assert versions == {"keyring": metadata.version("keyring"), "no-such-package-here": "not installed"}


def test_core_services_do_not_import_qt(tmp_path):
    code = (
        "import sys\n"
        "from studio_desktop.core import paths\n"
        f"paths.configure({str(tmp_path / 'app')!r}).ensure()\n"
        "from studio_desktop.core import settings, credentials, logging_setup, diagnostics\n"
        "diagnostics.collect_diagnostics(settings.load_settings())\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'qasync')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"
