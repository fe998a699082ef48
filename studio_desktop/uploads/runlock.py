"""Who else is uploading from this store right now?

Every running engine holds a shared lock on a file beside the store. An engine
that starts and gets the lock exclusively knows no other engine is alive, so any
item still marked "checking" or "uploading" was left by a crash and can be
recovered. The OS drops the lock when a process dies, even by SIGKILL.

portalocker gives the same lock on every platform: ``flock`` on POSIX, and
``LockFileEx`` on Windows (pywin32), the one Windows call with shared locks.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO

import portalocker

EXCLUSIVE = portalocker.LockFlags.EXCLUSIVE
SHARED = portalocker.LockFlags.SHARED
NON_BLOCKING = portalocker.LockFlags.NON_BLOCKING

# Both branches' functions take the file and flags positionally; their parameter names differ.
_lock: Callable[[IO[bytes], portalocker.LockFlags], None]
_unlock: Callable[[IO[bytes]], None]
if os.name == "nt":
    from portalocker.portalocker import Win32Locker

    _locker = Win32Locker()
    _lock, _unlock = _locker.lock, _locker.unlock
else:
    _lock, _unlock = portalocker.lock, portalocker.unlock


class EngineLock:
    def __init__(self, store_path: Path):
        self.path = Path(f"{store_path}.engine-lock")
        self._file: IO[bytes] | None = None

    def acquire(self) -> bool:
        """Take the lock; True when no other engine holds it (crash leftovers are ours to recover)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
        self._file = os.fdopen(fd, "r+b", buffering=0)
        try:
            _lock(self._file, EXCLUSIVE | NON_BLOCKING)
            return True
        except portalocker.exceptions.LockException:
            _lock(self._file, SHARED)  # others only hold it exclusively while recovering
            return False

    def share(self) -> None:
        """Downgrade to a shared hold once recovery is done, so later engines can start beside this one."""
        if self._file is None:
            return
        _lock(self._file, SHARED)
        if os.name == "nt":
            # LockFileEx stacks a shared lock on our exclusive one; the first unlock drops the exclusive
            # one, so the file is never unlocked in between (flock converts in place instead).
            _unlock(self._file)

    def release(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError, portalocker.exceptions.LockException):
                _unlock(self._file)
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
