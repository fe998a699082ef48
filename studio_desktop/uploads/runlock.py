"""Who else is uploading from this store right now?

Every running engine holds a shared lock on a file beside the store. An engine
that starts and gets the lock exclusively knows no other engine is alive, so any
item still marked "checking" or "uploading" was left by a crash and can be
recovered. The OS drops the lock when a process dies, even by SIGKILL.

On POSIX the lock is ``flock`` itself; on Windows portalocker gives the same
lock with ``LockFileEx`` (pywin32), the one Windows call with shared locks.
(portalocker's POSIX lock is that same ``flock``; calling it directly spares
every upload the ~10 ms of importing portalocker, which reads its own package
metadata.)
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import IO

if os.name == "nt":
    import portalocker
    from portalocker.portalocker import Win32Locker

    _locker = Win32Locker()

    def _lock_exclusive_now(file: IO[bytes]) -> bool:
        try:
            _locker.lock(file, portalocker.LockFlags.EXCLUSIVE | portalocker.LockFlags.NON_BLOCKING)
        except portalocker.exceptions.LockException:
            return False
        return True

    def _lock_shared(file: IO[bytes]) -> None:
        _locker.lock(file, portalocker.LockFlags.SHARED)

    def _unlock(file: IO[bytes]) -> None:
        _locker.unlock(file)

    _UNLOCK_ERRORS: tuple[type[Exception], ...] = (OSError, portalocker.exceptions.LockException)

else:
    import fcntl

    def _lock_exclusive_now(file: IO[bytes]) -> bool:
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # held by another engine (as portalocker did, any refusal counts as that)
            return False
        return True

    def _lock_shared(file: IO[bytes]) -> None:
        fcntl.flock(file.fileno(), fcntl.LOCK_SH)

    def _unlock(file: IO[bytes]) -> None:
        fcntl.flock(file.fileno(), fcntl.LOCK_UN)

    _UNLOCK_ERRORS = (OSError,)


class EngineLock:
    def __init__(self, store_path: Path):
        self.path = Path(f"{store_path}.engine-lock")
        self._file: IO[bytes] | None = None

    def acquire(self) -> bool:
        """Take the lock; True when no other engine holds it (crash leftovers are ours to recover)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
        self._file = os.fdopen(fd, "r+b", buffering=0)
        if _lock_exclusive_now(self._file):
            return True
        _lock_shared(self._file)  # others only hold it exclusively while recovering
        return False

    def share(self) -> None:
        """Downgrade to a shared hold once recovery is done, so later engines can start beside this one."""
        if self._file is None:
            return
        _lock_shared(self._file)
        if os.name == "nt":
            # LockFileEx stacks a shared lock on our exclusive one; the first unlock drops the exclusive
            # one, so the file is never unlocked in between (flock converts in place instead).
            _unlock(self._file)

    def release(self) -> None:
        if self._file is not None:
            with contextlib.suppress(*_UNLOCK_ERRORS):
                _unlock(self._file)
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
