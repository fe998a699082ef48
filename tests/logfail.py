"""Fail a test on a WARNING or worse log record it did not declare (the rule qutebrowser's suite keeps).

A test declares a record it expects with ``caplog.at_level(level, logger=name)`` (or ``caplog.set_level``)
at the record's own level, on the record's logger or an ancestor of it. Anything else at WARNING or above is
a surprise, and the test fails at teardown with the records listed. Records are collected rather than
raised from the handler: raising inside ``logger.warning`` would unwind the code under test (or die
silently in a worker thread) instead of failing the test.
"""

from __future__ import annotations

import logging
import threading


def _level_source(name: str) -> logging.Logger:
    """The logger whose own level decides ``name``'s effective level (the nearest one with a level set)."""
    logger: logging.Logger | None = logging.getLogger(name)
    while logger is not None and logger.level == logging.NOTSET and logger.parent is not None:
        logger = logger.parent
    return logger or logging.getLogger()


def declared(record: logging.LogRecord) -> bool:
    """Whether this record's level was set, exactly, on its logger or the nearest ancestor with a level.

    That is what ``caplog.at_level(level, logger=name)`` leaves behind for the whole block, whether it is
    entered in the test or in a fixture (caplog's own handler is replaced between setup, call and teardown,
    so its level cannot tell). The root logger counts only when a test set it: pytest runs every test with
    the root at ``log_level`` (NOTSET).
    """
    return _level_source(record.name).level == record.levelno


class LogFailHandler(logging.Handler):
    """Collects the WARNING-or-worse records no test declared."""

    def __init__(self, min_level: int = logging.WARNING) -> None:
        super().__init__(logging.NOTSET)
        self.min_level = min_level
        self.unexpected: list[logging.LogRecord] = []
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno < self.min_level or declared(record):
            return
        with self._guard:
            self.unexpected.append(record)

    def take(self) -> list[logging.LogRecord]:
        with self._guard:
            taken, self.unexpected = self.unexpected, []
        return taken


def describe(records: list[logging.LogRecord]) -> str:
    lines = [f"{len(records)} unexpected log record(s) (declare an expected one with caplog.at_level):"]
    lines += [f"  {r.levelname} {r.name}: {r.getMessage()}" for r in records]
    return "\n".join(lines)
