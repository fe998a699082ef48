"""One watcher per hot folder: a lock file inside the watched folder itself.

Two watchers of one folder with separate data folders (two user accounts, two
portable installs, a second machine on a share) each have their own ledger, so
neither knows what the other sent and every photo would be uploaded twice. The
lock lives in the folder, where every watcher looks, not beside a store. It is a
hidden file (the scanner skips hidden files) locked with ``flock`` (POSIX) or
``msvcrt.locking`` (Windows); the OS drops the lock when the process dies, even
by SIGKILL, so a stale file never blocks anyone. The file holds who has it, for
the message the second watcher shows.

Where the lock cannot be taken at all (a read-only folder, a share without
locks), watching goes on without it: the gallery re-check before each batch is
the second line of defence.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
try:
    import msvcrt
except ImportError:  # POSIX
    msvcrt = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

LOCK_NAME = ".studio-desktop-watch.lock"


class FolderInUse(Exception):
    """Another watcher holds the folder; the message names it, in plain words."""


class FolderLock:
    def __init__(self, folder: Path, owner: str):
        self.path = folder / LOCK_NAME
        self.owner = owner
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> str | None:
        """Take the lock. None when taken (or when locking is impossible here); else who holds it."""
        if self._fd is not None:
            return None
        try:
            fd = _open(self.path)
        except OSError as exc:
            log.warning("hot folder lock %s cannot be created (%s); watching without it", self.path, exc)
            return None
        try:
            _lock(fd)
        except BlockingIOError:
            holder = _read(fd)
            os.close(fd)
            return holder or "another Studio Desktop"
        except OSError as exc:  # a filesystem without locks
            log.warning("hot folder lock %s cannot be taken (%s); watching without it", self.path, exc)
            os.close(fd)
            return None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, self.owner.encode("utf-8"))
        self._fd = fd
        return None

    def release(self) -> None:
        """Give the lock up. The file stays: deleting it could split a waiting watcher from a new one."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            _unlock(fd)
        with contextlib.suppress(OSError):
            os.close(fd)


def describe_owner(data_dir: Path | str | None) -> str:
    """Who takes a lock, as the other watcher will read it."""
    where = f", data folder {data_dir}" if data_dir else ""
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime())
    return f"process {os.getpid()} on {socket.gethostname()}{where}, since {since}"


def _open(path: Path) -> int:
    """Open (or create) the lock file; read-only will do when another user made it (a lock needs no write)."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except PermissionError:
        return os.open(path, os.O_RDONLY)


def _lock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    elif msvcrt is not None:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            raise BlockingIOError(str(exc)) from None


def _unlock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    elif msvcrt is not None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def _read(fd: int) -> str:
    with contextlib.suppress(OSError):
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 4096).decode("utf-8", "replace").strip()
    return ""
