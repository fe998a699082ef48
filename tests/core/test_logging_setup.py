"""Logging: a session full of secrets leaves none of them in the log; uncaught errors are logged and reported."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import warnings
from urllib.parse import quote

import pytest

from studio_desktop.core import logging_setup, redaction
from studio_desktop.core.logging_setup import (
    install_excepthooks,
    log_tail,
    loop_exception_handler,
    register_secret,
    setup_logging,
    teardown_logging,
)

ACCESS = "AT-5f1d2c3b4a596877"
REFRESH = "RT-0e1f2a3b4c5d6e7f"
OAUTH_CODE = "CODE-9a8b7c6d5e4f"
BEARER = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
HEADER_BEARER = "BEARER-in-a-dict-31337"
COOKIE = "laravelsess-7c6b5a4f3e2d1c0b"
XSRF = "xsrf-token-value-1a2b3c4d"
SET_COOKIE = "setcookie-value-99887766"
JSON_ACCESS = "json-access-4242424242"
JSON_REFRESH = "json-refresh-5353535353"
REGISTERED = "stray/value+no=pattern-knows-6a7b"
LOADED_TOKEN = "loaded-token-8c9d0e1f2a3b"
IN_EXCEPTION_URL = "exc-url-token-4d5e6f7a8b"
IN_STACK = "stack-secret-abcdef012345"

ALL_SECRETS = [
    ACCESS,
    REFRESH,
    OAUTH_CODE,
    BEARER,
    HEADER_BEARER,
    COOKIE,
    XSRF,
    SET_COOKIE,
    JSON_ACCESS,
    JSON_REFRESH,
    REGISTERED,
    LOADED_TOKEN,
    IN_EXCEPTION_URL,
    IN_STACK,
]


@pytest.fixture(autouse=True)
def _clean_logging_state(fail_on_unexpected_logs):
    root = logging.getLogger()
    level = root.level
    redaction.forget_registered_secrets()
    yield
    # These tests log warnings and errors on purpose, at several levels and loggers, to see where they end up.
    fail_on_unexpected_logs.take()
    teardown_logging()
    root.setLevel(level)
    logging.captureWarnings(False)
    redaction.forget_registered_secrets()


@pytest.fixture
def hooks():
    """Install the excepthooks with a reporter that records calls; put the old hooks back afterwards."""
    reported: list[tuple[str, BaseException]] = []
    uninstall = install_excepthooks(lambda summary, exc: reported.append((summary, exc)))
    yield reported
    uninstall()


def _log_a_session_full_of_secrets() -> None:
    log = logging.getLogger("studio_desktop.api.test_session")
    register_secret(REGISTERED)
    register_secret(LOADED_TOKEN)  # as the credential store does for every token it loads
    log.info("HTTP Request: GET https://api.shootproof.com/v2?method=sp.studio.info&access_token=%s", ACCESS)
    log.info("POST token body: grant_type=refresh_token&refresh_token=%s&client_id=desktop", REFRESH)
    log.info("redirect: https://localhost/callback?code=%s&state=xyz", OAUTH_CODE)
    log.debug("this debug line is below the level and never written %s", ACCESS)
    log.warning("request headers:\nAuthorization: Bearer %s\nAccept: application/json", BEARER)
    log.info("headers=%r", {"Authorization": f"Bearer {HEADER_BEARER}", "X-Requested-With": "XMLHttpRequest"})
    log.info("Cookie: laravel_session=%s; XSRF-TOKEN=%s", COOKIE, XSRF)
    log.info("Set-Cookie: pixieset_session=%s; Path=/; HttpOnly", SET_COOKIE)
    log.info(
        'token response: {"access_token": "%s", "refresh_token": "%s", "expires_in": 1209600}',
        JSON_ACCESS,
        JSON_REFRESH,
    )
    log.info("something odd came back: %s (url-encoded: %s)", REGISTERED, quote(REGISTERED, safe=""))
    try:
        raise ValueError(f"server rejected token {LOADED_TOKEN} at https://x.test/v2?access_token={IN_EXCEPTION_URL}")
    except ValueError:
        log.exception("upload failed")
    log.info("arguments that do not fit %s %s", REGISTERED)
    register_secret(IN_STACK)
    log.warning("stack for %s", IN_STACK, stack_info=True)


def test_a_session_logging_secrets_leaves_none_in_the_log_file_or_console(app_paths, capsys):
    path = setup_logging("INFO", console=True)
    assert path == app_paths.log_file
    _log_a_session_full_of_secrets()
    teardown_logging()

    text = app_paths.log_file.read_text(encoding="utf-8")
    console = capsys.readouterr().err
    assert quote(REGISTERED, safe="") not in text
    for secret in ALL_SECRETS:
        assert secret not in text, secret
        assert secret not in console, secret
    # The lines are there, only the secrets are gone.
    assert "method=sp.studio.info&access_token=***" in text
    assert "grant_type=refresh_token&refresh_token=***&client_id=desktop" in text
    assert "Authorization: ***" in text
    assert "X-Requested-With" in text
    assert '"expires_in": 1209600' in text
    assert "something odd came back: *** (url-encoded: ***)" in text
    assert "ValueError: server rejected token ***" in text
    assert "Traceback (most recent call last)" in text
    assert "upload failed" in text
    assert "arguments that do not fit" in text
    assert "Stack (most recent call last)" in text
    assert "below the level" not in text
    assert "upload failed" in console


def test_setting_up_twice_replaces_the_handlers(app_paths):
    setup_logging(console=False)
    setup_logging("DEBUG", console=False)
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_studio_desktop_handler", False)]
    assert len(ours) == 1
    logging.getLogger("studio_desktop.x").debug("debug line now written")
    assert "debug line now written" in log_tail()


def test_an_unknown_level_falls_back_to_info_with_a_warning(app_paths):
    setup_logging("CHATTY", console=False)
    assert logging.getLogger().level == logging.INFO
    assert "Unknown log level 'CHATTY'" in log_tail()


def test_other_root_handlers_get_the_filter_too(app_paths):
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    collector = Collect()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        setup_logging(console=False)
        logging.getLogger("studio_desktop.y").warning("url ?access_token=%s", ACCESS)
    finally:
        root.removeHandler(collector)
    assert records and all(ACCESS not in line for line in records)


def test_captured_warnings_are_redacted(app_paths):
    setup_logging(console=False)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn(f"deprecated call with access_token={ACCESS}", UserWarning, stacklevel=1)
    tail = log_tail()
    assert "deprecated call" in tail and ACCESS not in tail


def test_log_tail_returns_the_last_lines_across_rotated_files(app_paths, monkeypatch):
    monkeypatch.setattr(logging_setup, "LOG_MAX_BYTES", 4000)
    setup_logging(console=False)
    log = logging.getLogger("studio_desktop.tail")
    for index in range(300):
        log.info("line %04d", index)
    assert app_paths.log_file.with_name(app_paths.log_file.name + ".1").exists()

    tail = log_tail(120).splitlines()
    assert len(tail) == 120
    assert tail[-1].endswith("line 0299")
    assert tail[0].endswith("line 0180")
    assert log_tail(5).splitlines()[-1].endswith("line 0299")


def test_the_log_keeps_the_newest_rotated_files_and_drops_the_oldest(app_paths, monkeypatch):
    monkeypatch.setattr(logging_setup, "LOG_MAX_BYTES", 1000)
    setup_logging(console=False)
    log = logging.getLogger("studio_desktop.rotate")
    for index in range(400):
        log.info("line %04d", index)
    teardown_logging()
    log_file = app_paths.log_file
    kept = sorted(p.name for p in log_file.parent.iterdir() if p.name.startswith(log_file.name))
    assert kept == [log_file.name, *(f"{log_file.name}.{n}" for n in range(1, logging_setup.LOG_BACKUP_COUNT + 1))]
    assert all(p.stat().st_size < 1000 for p in log_file.parent.iterdir() if p.name.startswith(log_file.name))
    assert log_file.read_text().rstrip().endswith("line 0399")
    newest_rotated = log_file.with_name(f"{log_file.name}.1").read_text().splitlines()
    first_kept = log_file.read_text().splitlines()[0]
    assert int(newest_rotated[-1][-4:]) + 1 == int(first_kept[-4:])  # nothing lost between the two


def test_log_tail_redacts_secrets_registered_after_they_were_written(app_paths):
    setup_logging(console=False)
    logging.getLogger("studio_desktop.z").info("late value %s", "late-registered-secret-1")
    assert "late-registered-secret-1" in app_paths.log_file.read_text()
    register_secret("late-registered-secret-1")
    assert "late-registered-secret-1" not in log_tail()


def test_log_tail_without_a_log_file_is_empty(app_paths):
    assert log_tail() == ""


# --- uncaught exceptions ----------------------------------------------------------------


def test_sys_excepthook_logs_redacted_and_forwards(app_paths, hooks):
    setup_logging(console=False)
    register_secret(REGISTERED)
    try:
        raise RuntimeError(f"crash with {REGISTERED} and Bearer {BEARER}")
    except RuntimeError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)

    tail = log_tail()
    assert "Unexpected error in the app" in tail
    assert "test_sys_excepthook_logs_redacted_and_forwards" in tail
    assert REGISTERED not in tail and BEARER not in tail
    assert len(hooks) == 1
    summary, exc = hooks[0]
    assert isinstance(exc, RuntimeError)
    assert "RuntimeError" in summary and REGISTERED not in summary and BEARER not in summary


def test_keyboard_interrupt_goes_to_the_default_hook(app_paths, hooks, monkeypatch):
    seen = []
    monkeypatch.setattr(sys, "__excepthook__", lambda *args: seen.append(args[0]))
    sys.excepthook(KeyboardInterrupt, KeyboardInterrupt(), None)
    assert seen == [KeyboardInterrupt]
    assert hooks == []


def test_thread_exceptions_are_logged_and_forwarded(app_paths, hooks):
    setup_logging(console=False)

    def work():
        raise OSError(f"disk gone, access_token={ACCESS}")

    thread = threading.Thread(target=work, name="uploader-3")
    thread.start()
    thread.join()

    tail = log_tail()
    assert "background thread 'uploader-3'" in tail
    assert "OSError: disk gone" in tail and ACCESS not in tail
    assert len(hooks) == 1 and isinstance(hooks[0][1], OSError)
    assert ACCESS not in hooks[0][0]


def test_a_failing_reporter_is_logged_and_does_not_propagate(app_paths):
    setup_logging(console=False)

    def broken_reporter(summary, exc):
        raise LookupError("dialog could not open")

    uninstall = install_excepthooks(broken_reporter)
    try:
        try:
            raise ValueError("first problem")
        except ValueError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        uninstall()
    tail = log_tail()
    assert "first problem" in tail
    assert "The error reporter failed too" in tail and "dialog could not open" in tail


def test_asyncio_loop_errors_are_logged_and_forwarded(app_paths):
    setup_logging(console=False)
    reported: list[tuple[str, BaseException]] = []
    loop = asyncio.new_event_loop()
    uninstall = install_excepthooks(lambda summary, exc: reported.append((summary, exc)), loop=loop)
    try:
        assert loop.get_exception_handler() is loop_exception_handler

        def callback():
            raise KeyError(f"refresh_token={REFRESH}")

        loop.call_soon(callback)
        loop.run_until_complete(asyncio.sleep(0))
        loop.call_exception_handler({"message": f"Task was destroyed but it is pending! {REGISTERED}"})
    finally:
        uninstall()
        assert loop.get_exception_handler() is None
        loop.close()
    register_secret(REGISTERED)

    tail = log_tail()
    assert "Unexpected error in a background task" in tail
    assert "KeyError" in tail and REFRESH not in tail
    assert "Task was destroyed but it is pending!" in tail and REGISTERED not in tail
    assert len(reported) == 1 and isinstance(reported[0][1], KeyError)
    assert REFRESH not in reported[0][0]


def test_uninstall_restores_the_previous_hooks():
    before = (sys.excepthook, threading.excepthook)
    uninstall = install_excepthooks(None)
    assert sys.excepthook is not before[0] and threading.excepthook is not before[1]
    uninstall()
    assert (sys.excepthook, threading.excepthook) == before
