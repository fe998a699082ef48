"""Failures of this machine rather than of the service: a damaged store, a full disk, a folder we may not write.

They are expected (disks fill, folders get copied read-only, power cuts damage
files), so they end in one sentence that says what to do, never a traceback.
The CLI and the window both word them through :func:`describe`.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from studio_desktop.core import paths

_DAMAGE_WORDS = ("malformed", "not a database", "corrupt")
_FULL_WORDS = ("database or disk is full",)
_READ_ONLY_WORDS = ("readonly database", "read-only", "unable to open database file")
_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_DENIED_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS}


class StoreDamagedError(Exception):
    """The local store's file is damaged; ``kept_as`` is where the damaged copy was set aside, if it was."""

    def __init__(self, path: Path, detail: str, kept_as: Path | None = None):
        self.path = path
        self.detail = detail
        self.kept_as = kept_as
        super().__init__(damaged_store_message(path, detail, kept_as))


def damaged_store_message(
    path: Path, detail: str, kept_as: Path | None, *, again: str = "Run the same command again"
) -> str:
    where = f"it was kept as {kept_as} for recovery" if kept_as else f"the file is {path}"
    return (
        f"The local store (the upload queue and its record of what was sent) was damaged ({detail}); "
        f"{where} and a new, empty one is used from now on. {again}: photos "
        "already in the gallery are skipped, so nothing is sent twice."
    )


def _sqlite_name(exc: BaseException) -> str:
    return str(getattr(exc, "sqlite_errorname", "") or "")


def is_damage(exc: BaseException) -> bool:
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    return _sqlite_name(exc).startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or any(
        w in str(exc).lower() for w in _DAMAGE_WORDS
    )


def _is_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in _FULL_ERRNOS
    if not isinstance(exc, sqlite3.Error):
        return False
    # A write SQLite could not finish: a full disk (SQLITE_FULL), or one that refused the write (an
    # I/O error: a file-size limit, a quota, a failing disk). What to do is the same.
    return _sqlite_name(exc).startswith(("SQLITE_FULL", "SQLITE_IOERR")) or any(
        w in str(exc).lower() for w in (*_FULL_WORDS, "disk i/o error")
    )


def _is_denied(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return isinstance(exc, PermissionError) or exc.errno in _DENIED_ERRNOS
    if not isinstance(exc, sqlite3.Error):
        return False
    return _sqlite_name(exc).startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")) or any(
        w in str(exc).lower() for w in _READ_ONLY_WORDS
    )


def describe(exc: BaseException) -> str | None:
    """One sentence for an expected local failure (with what to do), or None for anything else."""
    from studio_desktop.core.store import StoreError

    folder = paths.current().data_dir
    cause = exc.__cause__
    if isinstance(exc, StoreError) and cause is not None and (is_damage(cause) or _is_full(cause) or _is_denied(cause)):
        return describe(cause)
    if isinstance(exc, StoreDamagedError):
        return str(exc)
    if is_damage(exc):
        return damaged_store_message(paths.current().store_file, str(exc), None)
    if _is_full(exc):
        where = getattr(exc, "filename", None) or paths.current().store_file
        return (
            f"The disk is full or refused a write ({_detail(exc)}, writing {where}): free some space "
            "(or check the disk) and run the same command again; what was already sent is remembered "
            "and is not sent twice."
        )
    if _is_denied(exc):
        where = getattr(exc, "filename", None) or folder
        return (
            f"Studio Desktop may not write to {where} (permission denied or a read-only disk): "
            "make that folder writable for your user, or choose another one with --data-dir, and try again."
        )
    if isinstance(exc, StoreError):
        return str(exc)
    if isinstance(exc, OSError):
        what = exc.strerror or str(exc)
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        return f"A file of Studio Desktop could not be used: {what}{where}. Check the disk and try again."
    if isinstance(exc, sqlite3.Error):
        return (
            f"The local store could not be used ({exc}); the file is {paths.current().store_file}. "
            "Try again; if it keeps happening, move that file aside and run again."
        )
    return None


def _detail(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return (exc.strerror or str(exc)).lower()
    return str(exc)


def unwrap(exc: BaseException) -> BaseException:
    """The local failure inside ``exc`` (engines and executors re-raise with the cause chained), if there is one."""
    from studio_desktop.core.store import StoreError

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (OSError, sqlite3.Error, StoreError, StoreDamagedError)):
            return current
        current = current.__cause__ or current.__context__
    return exc
