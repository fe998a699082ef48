"""Who else is uploading from this store right now?

Every running engine holds a shared lock on a file beside the store. An engine
that starts and gets the lock exclusively knows no other engine is alive, so any
item still marked "checking" or "uploading" was left by a crash and can be
recovered. The OS drops the lock when a process dies, even by SIGKILL.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: one engine per store is assumed
    fcntl = None  # type: ignore[assignment]


class EngineLock:
    def __init__(self, store_path: Path):
        self.path = Path(f"{store_path}.engine-lock")
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock; True when no other engine holds it (crash leftovers are ours to recover)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if fcntl is None:
            return True
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            alone = True
        except OSError:
            fcntl.flock(self._fd, fcntl.LOCK_SH)  # others only hold it exclusively while recovering
            alone = False
        return alone

    def share(self) -> None:
        """Downgrade to a shared hold once recovery is done, so later engines can start beside this one."""
        if fcntl is not None and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_SH)

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                if fcntl is not None:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
            self._fd = None
