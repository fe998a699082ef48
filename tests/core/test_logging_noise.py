"""httpx's line per request stays out of the log at INFO, comes back at DEBUG, and never shows a token."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from studio_desktop.api.shootproof import ShootProofClient
from studio_desktop.core.logging_setup import setup_logging, teardown_logging

CHATTY_LOGGERS = ("httpx", "httpcore")


@pytest.fixture(autouse=True)
def _clean_logging_state():
    root = logging.getLogger()
    level = root.level
    yield
    teardown_logging()
    root.setLevel(level)
    logging.captureWarnings(False)


def _studio_info(sandbox) -> None:
    async def call():
        async with httpx.AsyncClient() as http:
            client = ShootProofClient(sandbox.shootproof_api_url, sandbox.access_token, http=http)
            await client.studio_info()

    asyncio.run(call())


def _log_text(app_paths) -> str:
    teardown_logging()  # flushes and closes the file
    return app_paths.log_file.read_text(encoding="utf-8")


def test_at_info_requests_are_not_logged_but_httpx_warnings_are(app_paths, sandbox, caplog):
    setup_logging("INFO", console=False)
    assert all(logging.getLogger(name).getEffectiveLevel() == logging.WARNING for name in CHATTY_LOGGERS)
    logging.getLogger("studio_desktop.test").info("an app line at INFO")
    _studio_info(sandbox)
    with caplog.at_level(logging.WARNING, logger="httpx"):
        logging.getLogger("httpx").warning("httpx has something to say")

    text = _log_text(app_paths)
    assert "an app line at INFO" in text
    assert "httpx has something to say" in text
    assert "HTTP Request" not in text
    assert sandbox.access_token not in text


class _Lines(logging.Handler):
    """Keeps each message as it is at the moment it is handled (no redaction of its own)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_at_debug_requests_are_logged_with_the_token_redacted_by_httpx_own_filter(app_paths, sandbox):
    setup_logging("DEBUG", console=False)
    assert all(logging.getLogger(name).getEffectiveLevel() == logging.DEBUG for name in CHATTY_LOGGERS)
    # On httpx's logger itself, this handler runs before the app's handlers (and their redaction) at the root:
    # what it sees was scrubbed by the filter the API client put on httpx's logger.
    seen = _Lines()
    logging.getLogger("httpx").addHandler(seen)
    try:
        _studio_info(sandbox)
    finally:
        logging.getLogger("httpx").removeHandler(seen)

    requests = [line for line in seen.lines if "HTTP Request" in line]
    assert requests, "httpx logged the request at DEBUG"
    assert all("access_token=***" in line and sandbox.access_token not in line for line in requests)
    text = _log_text(app_paths)
    assert "HTTP Request: GET" in text and "access_token=***" in text
    assert sandbox.access_token not in text


def test_teardown_gives_the_libraries_their_levels_back(app_paths):
    logging.getLogger("httpx").setLevel(logging.ERROR)
    try:
        setup_logging("INFO", console=False)
        setup_logging("DEBUG", console=False)  # called again, e.g. after --data-dir changed the folders
        assert logging.getLogger("httpx").level == logging.DEBUG
        teardown_logging()
        assert logging.getLogger("httpx").level == logging.ERROR
        assert logging.getLogger("httpcore").level == logging.NOTSET
    finally:
        logging.getLogger("httpx").setLevel(logging.NOTSET)
