"""Small file helpers shared by settings and the secret file.

Writes go to a private temp file in the same folder and are then moved over the
target with ``os.replace``, so a crash or a full disk leaves either the old file
or the new one, never half of either.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from datetime import datetime
from pathlib import Path


def atomic_write_bytes(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data``; the file is created with ``mode`` whatever the umask."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.urandom(4).hex()}.tmp")  # what secrets.token_hex(4) does
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def atomic_write_text(path: Path, text: str, *, mode: int = 0o600) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable where the platform allows opening a folder."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def backup_beside(path: Path, tag: str, *, mode: int | None = None) -> Path:
    """Copy ``path`` to ``<name>.<tag>.bak`` next to it (never overwriting an older backup).

    ``mode`` tightens the copy's permissions, for files that may hold something private.
    """
    path = Path(path)
    target = path.with_name(f"{path.name}.{tag}.bak")
    if target.exists():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = path.with_name(f"{path.name}.{tag}-{stamp}.bak")
        counter = 1
        while target.exists():
            target = path.with_name(f"{path.name}.{tag}-{stamp}-{counter}.bak")
            counter += 1
    shutil.copy2(path, target)
    if mode is not None:
        with contextlib.suppress(OSError):
            os.chmod(target, mode)
    return target
