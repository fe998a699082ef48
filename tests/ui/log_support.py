"""The app's log file for tests of the help tools: set up as the app sets it up, and put back afterwards."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from studio_desktop.core import redaction
from studio_desktop.core.logging_setup import setup_logging, teardown_logging


@contextmanager
def app_log_file(level: str, secret: str) -> Iterator[Path]:
    """The app's rotating log file (in the test's folder), with ``secret`` registered as the app registers tokens."""
    root = logging.getLogger()
    saved_level = root.level
    path = setup_logging(level, console=False)
    redaction.register_secret(secret)
    try:
        yield path
    finally:
        teardown_logging()
        root.setLevel(saved_level)
        logging.captureWarnings(False)
        redaction.forget_registered_secrets()
