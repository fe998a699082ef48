"""Logging for the whole app: a rotating file plus the console, with secrets scrubbed.

Every handler :func:`setup_logging` installs carries a :class:`RedactingFilter` (the
message, the exception text and the stack are redacted before any formatter sees
them) and a :class:`RedactingFormatter` (the final line is redacted once more, so a
secret that a format string or a subclass brings in is caught too).

:func:`install_excepthooks` routes uncaught exceptions from the main thread, other
threads and the asyncio loop into the log, and to one reporter the GUI provides,
instead of ending the process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import traceback
from collections.abc import Callable
from io import TextIOWrapper
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio_desktop.core import paths
from studio_desktop.core.redaction import forget_registered_secrets, redact, register_secret

if TYPE_CHECKING:
    import asyncio  # loaded when a loop is given or running: the terminal commands may need none

__all__ = [
    "CHATTY_LOGGERS",
    "LOG_BACKUP_COUNT",
    "LOG_MAX_BYTES",
    "RedactingFilter",
    "RedactingFormatter",
    "forget_registered_secrets",
    "install_excepthooks",
    "log_tail",
    "loop_exception_handler",
    "redact",
    "register_secret",
    "setup_logging",
    "teardown_logging",
]

LOG_MAX_BYTES = 2 * 1024 * 1024
LOG_BACKUP_COUNT = 5
FILE_FORMAT = "%(asctime)s %(levelname)-8s %(name)s [%(threadName)s] %(message)s"
CONSOLE_FORMAT = "%(levelname)-8s %(name)s: %(message)s"

Reporter = Callable[[str, BaseException], None]

#: Libraries that log a line per HTTP request at INFO (every thumbnail, every upload): below
#: DEBUG only their warnings are kept, so those lines do not bury what matters.
CHATTY_LOGGERS = ("httpx", "httpcore")

log = logging.getLogger(__name__)

_OURS = "_studio_desktop_handler"
_plain_formatter = logging.Formatter()
# The chatty loggers' own levels before setup_logging changed them; teardown_logging puts them back.
_library_levels: dict[str, int] = {}


class RedactingFilter(logging.Filter):
    """Replace a record's message, exception text and stack with their redacted text.

    It never drops a record and never raises: a record it cannot handle is replaced by
    a notice, because a log call must not break the code that made it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            try:
                message = record.getMessage()
            except Exception:
                message = f"{record.msg!r} (the log call's arguments did not fit: {record.args!r})"
            record.msg = redact(message)
            record.args = None
            if record.exc_info and not record.exc_text:
                record.exc_text = _plain_formatter.formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = redact(record.exc_text)
            if record.stack_info:
                record.stack_info = redact(record.stack_info)
        except Exception:
            record.msg = "[a log message was left out because it could not be checked for secrets]"
            record.args = None
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class PrivateRotatingFileHandler(logging.FileHandler):
    """A log file that rolls over to ``.1`` ... ``.N`` at ``maxBytes``, kept 0600 on POSIX.

    Log files hold paths, names and e-mail addresses: 0600 on creation and after
    each rollover; files from earlier versions (0644) and their rotated copies are
    put right when opened. It rotates as :class:`logging.handlers.RotatingFileHandler`
    does, without that module: it brings socket, pickle and queue (~5 ms of every
    start, and a re-run of a finished folder is mostly start-up).
    """

    def __init__(self, filename: str | os.PathLike[str], maxBytes: int, backupCount: int, encoding: str) -> None:  # noqa: N803 - the stdlib's names
        super().__init__(filename, mode="a", encoding=encoding)
        self.maxBytes = maxBytes
        self.backupCount = backupCount

    def _open(self) -> TextIOWrapper:
        if os.name == "posix":
            fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            os.close(fd)
            folder, name = os.path.split(self.baseFilename)
            with contextlib.suppress(OSError), os.scandir(folder) as listing:
                for existing in listing:
                    if existing.name.startswith(name):
                        with contextlib.suppress(OSError):
                            if existing.stat().st_mode & 0o077:
                                os.chmod(existing.path, 0o600)
        return super()._open()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.shouldRollover(record):
                self.doRollover()
            super().emit(record)
        except Exception:
            self.handleError(record)

    def shouldRollover(self, record: logging.LogRecord) -> bool:  # noqa: N802 - the stdlib's name
        """Whether this record would take the file to ``maxBytes`` (never for something not a regular file)."""
        if os.path.exists(self.baseFilename) and not os.path.isfile(self.baseFilename):
            return False
        if self.stream is None:
            self.stream = self._open()
        if self.maxBytes > 0:
            message = f"{self.format(record)}\n"
            self.stream.seek(0, 2)
            if self.stream.tell() + len(message) >= self.maxBytes:
                return True
        return False

    def doRollover(self) -> None:  # noqa: N802 - the stdlib's name
        """Close the file, shift ``.1`` ... ``.N-1`` up by one (the oldest goes), the file becomes ``.1``."""
        if self.stream:
            self.stream.close()
            self.stream = None
        if self.backupCount > 0:
            for index in range(self.backupCount - 1, 0, -1):
                source = f"{self.baseFilename}.{index}"
                target = f"{self.baseFilename}.{index + 1}"
                if os.path.exists(source):
                    if os.path.exists(target):
                        os.remove(target)
                    os.rename(source, target)
            target = f"{self.baseFilename}.1"
            if os.path.exists(target):
                os.remove(target)
            if os.path.exists(self.baseFilename):
                os.rename(self.baseFilename, target)
        self.stream = self._open()


def _parse_level(level: str | int) -> int | None:
    if isinstance(level, int) and not isinstance(level, bool):
        return level
    value = logging.getLevelName(str(level).strip().upper())
    return value if isinstance(value, int) else None


def _our_handlers() -> list[logging.Handler]:
    return [handler for handler in logging.getLogger().handlers if getattr(handler, _OURS, False)]


def _ensure_filter(handler: logging.Handler) -> None:
    if not any(isinstance(existing, RedactingFilter) for existing in handler.filters):
        handler.addFilter(RedactingFilter())


def setup_logging(level: str | int = "INFO", *, console: bool = True, log_file: Path | None = None) -> Path:
    """Send the app's logs to a rotating file (and stderr); returns the log file's path.

    Calling it again replaces the handlers it installed before (e.g. after
    ``--data-dir`` changed the folders), so it is safe to call more than once.
    """
    path = Path(log_file) if log_file is not None else paths.current().log_file
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    root = logging.getLogger()
    teardown_logging()

    handlers: list[logging.Handler] = []
    file_handler = PrivateRotatingFileHandler(
        path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUP_COUNT, encoding="utf-8"
    )
    file_handler.setFormatter(RedactingFormatter(FILE_FORMAT))
    handlers.append(file_handler)
    if console:
        console_handler = logging.StreamHandler(sys.stderr)
        console_handler.setFormatter(RedactingFormatter(CONSOLE_FORMAT))
        handlers.append(console_handler)
    for handler in handlers:
        setattr(handler, _OURS, True)
        _ensure_filter(handler)
        root.addHandler(handler)
    # Handlers someone else added before us get the same protection.
    for handler in root.handlers:
        _ensure_filter(handler)

    parsed = _parse_level(level)
    root.setLevel(parsed if parsed is not None else logging.INFO)
    for name in CHATTY_LOGGERS:
        library = logging.getLogger(name)
        _library_levels.setdefault(name, library.level)
        library.setLevel(logging.DEBUG if root.level <= logging.DEBUG else logging.WARNING)
    logging.captureWarnings(True)
    if parsed is None:
        log.warning("Unknown log level %r; using INFO.", level)
    return path


def teardown_logging() -> None:
    """Remove and close the handlers :func:`setup_logging` installed; give the chatty loggers their levels back."""
    root = logging.getLogger()
    for handler in _our_handlers():
        root.removeHandler(handler)
        with contextlib.suppress(Exception):
            handler.close()
    for name, level in _library_levels.items():
        logging.getLogger(name).setLevel(level)
    _library_levels.clear()


def _tail_lines(path: Path, count: int) -> list[str]:
    if count <= 0:
        return []
    try:
        with open(path, "rb") as stream:
            stream.seek(0, 2)
            end = stream.tell()
            block = 64 * 1024
            data = b""
            position = end
            while position > 0 and data.count(b"\n") <= count:
                step = min(block, position)
                position -= step
                stream.seek(position)
                data = stream.read(step) + data
    except OSError:
        return []
    return data.decode("utf-8", errors="replace").splitlines()[-count:]


def log_tail(lines: int = 200, *, log_file: Path | None = None) -> str:
    """The last ``lines`` lines of the log (reaching into rotated files if needed), redacted again.

    Redacting again matters: a secret registered after a line was written is caught here.
    """
    for handler in _our_handlers():
        with contextlib.suppress(Exception):
            handler.flush()
    path = Path(log_file) if log_file is not None else paths.current().log_file
    collected: list[str] = []
    candidates = [path, *(path.with_name(f"{path.name}.{index}") for index in range(1, LOG_BACKUP_COUNT + 1))]
    for candidate in candidates:
        if len(collected) >= lines:
            break
        collected = _tail_lines(candidate, lines - len(collected)) + collected
    return redact("\n".join(collected))


# --- uncaught exceptions ----------------------------------------------------------------

_reporter: Reporter | None = None
_reporting = threading.local()


def _describe(exc_type: type[BaseException], exc: BaseException | None, tb: Any) -> str:
    return redact("".join(traceback.format_exception(exc_type, exc, tb)).rstrip())


def _handle_uncaught(where: str, exc_type: type[BaseException], exc: BaseException | None, tb: Any) -> None:
    # The traceback is formatted and redacted here rather than passed as exc_info, so it
    # is scrubbed even when no handler of ours is installed yet (logging's last resort).
    log.critical("Unexpected error %s:\n%s", where, _describe(exc_type, exc, tb))
    if exc is None:
        exc = exc_type()
    _forward(redact(f"Unexpected error {where}: {type(exc).__name__}: {exc}"), exc)


def _forward(summary: str, exc: BaseException) -> None:
    reporter = _reporter
    if reporter is None or getattr(_reporting, "active", False):
        return
    _reporting.active = True
    try:
        reporter(summary, exc)
    except Exception as failure:
        log.error("The error reporter failed too:\n%s", _describe(type(failure), failure, failure.__traceback__))
    finally:
        _reporting.active = False


def _sys_excepthook(exc_type: type[BaseException], exc: BaseException, tb: Any) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    try:
        _handle_uncaught("in the app", exc_type, exc, tb)
    except Exception:
        sys.__excepthook__(exc_type, exc, tb)


def _threading_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "unknown"
    try:
        _handle_uncaught(f"in background thread {name!r}", args.exc_type, args.exc_value, args.exc_traceback)
    except Exception:
        threading.__excepthook__(args)


def loop_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """An asyncio exception handler: log what the loop reports, forward exceptions to the reporter."""
    message = context.get("message") or "Unhandled error in the event loop"
    exc = context.get("exception")
    details = ", ".join(f"{key}={value!r}" for key, value in context.items() if key not in ("message", "exception"))
    try:
        if isinstance(exc, BaseException):
            log.error(
                "Unexpected error in a background task: %s%s\n%s",
                message,
                f" ({details})" if details else "",
                _describe(type(exc), exc, exc.__traceback__),
            )
            _forward(redact(f"Unexpected error in a background task: {type(exc).__name__}: {exc}"), exc)
        else:
            log.error("Event loop: %s%s", message, f" ({details})" if details else "")
    except Exception:
        loop.default_exception_handler(context)


def install_excepthooks(
    report: Reporter | None = None, *, loop: asyncio.AbstractEventLoop | None = None
) -> Callable[[], None]:
    """Log uncaught exceptions (redacted) and pass each to ``report(summary, exc)``; the process keeps running.

    Covers ``sys.excepthook``, ``threading.excepthook`` and the exception handler of
    ``loop`` (or the running loop, if any; the GUI can also install
    :func:`loop_exception_handler` on its loop itself). Returns a function that puts
    the previous hooks back.
    """
    global _reporter
    previous_reporter = _reporter
    previous_sys, previous_thread = sys.excepthook, threading.excepthook
    _reporter = report
    sys.excepthook = _sys_excepthook
    threading.excepthook = _threading_excepthook

    if loop is None and "asyncio" in sys.modules:  # no asyncio loaded: no loop running either
        with contextlib.suppress(RuntimeError):
            loop = sys.modules["asyncio"].get_running_loop()
    previous_loop_handler = loop.get_exception_handler() if loop is not None else None
    if loop is not None:
        loop.set_exception_handler(loop_exception_handler)

    def uninstall() -> None:
        global _reporter
        _reporter = previous_reporter
        sys.excepthook = previous_sys
        threading.excepthook = previous_thread
        if loop is not None and not loop.is_closed():
            loop.set_exception_handler(previous_loop_handler)

    return uninstall
