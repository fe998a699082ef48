"""The file side of hot folders: where uploaded files go, walking a watched tree, whether it is a network share."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio_desktop.uploads.hotfolders.gate import describe_os_error

log = logging.getLogger(__name__)

#: Filesystems where the kernel does not see other machines' writes: poll them instead.
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smbfs",
        "smb3",
        "afs",
        "ncpfs",
        "9p",
        "fuse.sshfs",
        "sshfs",
        "davfs",
        "fuse.davfs2",
        "fuse.rclone",
        "fuse.gvfsd-fuse",
        "glusterfs",
        "ceph",
        "lustre",
        "afpfs",
        "webdav",  # macOS: AFP and WebDAV shares (it names SMB and NFS ones smbfs and nfs)
    }
)


@dataclass(frozen=True)
class AfterUpload:
    """What happens to a file once it is in the gallery: left in place, or moved below ``move_to``."""

    move_to: Path | None = None

    @classmethod
    def parse(cls, value: AfterUpload | str | tuple[str, Any] | None) -> AfterUpload:
        if value is None or isinstance(value, AfterUpload):
            return value or cls()
        if isinstance(value, tuple):
            action, *rest = value
            value = f"{action}:{rest[0]}" if rest else str(action)
        text = str(value).strip()
        if text in ("", "leave"):
            return cls()
        action, sep, folder = text.partition(":")
        if action == "move" and sep and folder.strip():
            return cls(Path(folder.strip()).expanduser())
        raise ValueError(f"after upload: expected 'leave' or 'move:FOLDER', not {text!r}")

    def __str__(self) -> str:
        return "leave" if self.move_to is None else f"move:{self.move_to}"


def is_inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def numbered(target: Path, n: int) -> Path:
    return target if n == 1 else target.with_name(f"{target.stem} ({n}){target.suffix}")


def move_keeping_subfolders(path: Path, root: Path, dest_root: Path) -> Path:
    """Move ``path`` (inside ``root``) to the same place below ``dest_root``; never overwrite.

    A taken name gets `` (2)``, `` (3)``...: the name is claimed atomically (a hard
    link, or an exclusive create when copying across filesystems), so two movers
    never pick the same one. The source is removed only once the copy is whole.
    """
    rel = path.relative_to(root)
    target = dest_root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    for n in range(1, 10_000):
        candidate = numbered(target, n)
        try:
            os.link(path, candidate)
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS):
                raise
            try:
                _copy_exclusive(path, candidate)
            except FileExistsError:
                continue
        try:
            os.unlink(path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(candidate)
            raise
        return candidate
    raise OSError(errno.EEXIST, f"no free name for {target.name} in {target.parent}")


def _copy_exclusive(src: Path, dest: Path) -> None:
    expected = src.stat().st_size
    try:
        with open(src, "rb") as reader, open(dest, "xb") as writer:
            shutil.copyfileobj(reader, writer, 1024 * 1024)
        shutil.copystat(src, dest)
        if dest.stat().st_size != expected:
            raise OSError(errno.EIO, f"the copy of {src.name} came out incomplete")
    except FileExistsError:
        raise
    except BaseException:
        with contextlib.suppress(OSError):
            dest.unlink()
        raise


def network_share(path: Path) -> str | None:
    """The kind of network share holding ``path`` (its filesystem, or ``"network drive"``); None on a local disk.

    Blocking (the real path, the system's mount table): run it in a worker thread. None
    too when the system cannot say: the folder is then watched natively, and the
    periodic rescan still finds what other machines write.
    """
    try:
        import psutil

        return share_of(os.path.realpath(path), psutil.disk_partitions(all=True))
    except Exception as exc:  # an unreadable mount table must not stop the watching
        log.debug("hot folder: no filesystem type for %s: %s", path, exc)
        return None


def share_of(real: str, partitions: Iterable[Any], pathmod: Any = os.path) -> str | None:
    """Of psutil's ``disk_partitions``, the mount holding ``real`` (the deepest): is it a network share?

    Linux and macOS name the filesystem (nfs, cifs, smbfs, afpfs, fuse.sshfs...). On Windows a
    mapped drive reports the server's filesystem (often NTFS) and ``remote`` in its options.
    ``pathmod`` is the path flavour of the mount points (``ntpath`` for Windows ones).
    """
    target = pathmod.normcase(real)
    best, best_len = None, -1
    for part in partitions:
        mount = pathmod.normcase(part.mountpoint)
        if not mount:
            continue
        inside = target == mount or target.startswith(mount.rstrip(pathmod.sep) + pathmod.sep)
        if inside and len(mount) > best_len:
            best, best_len = part, len(mount)
    if best is None:
        return None
    fstype = str(best.fstype)
    if fstype.lower() in NETWORK_FILESYSTEMS:
        return fstype
    if "remote" in best.opts.split(","):
        return "network drive"
    return None


def walk_folder(top: Path, exclude: Path | None) -> tuple[list[tuple[Path, tuple[int, int]]], list[Path], list[str]]:
    """Every regular file below ``top`` with its (size, mtime_ns); links to folders; errors in words.

    Links to folders are not followed: that is how loops (``sub/loop -> ..``) stay harmless.
    """
    from studio_desktop.uploads.scanner import is_ignored, own_folders

    own, _ = own_folders()
    files: list[tuple[Path, tuple[int, int]]] = []
    links: list[Path] = []
    errors: list[str] = []

    def onerror(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else top
        if isinstance(exc, FileNotFoundError) and where == top:
            return
        errors.append(f"Cannot look inside {where}: {describe_os_error(exc)}.")

    for dirpath, dirnames, filenames in os.walk(top, onerror=onerror, followlinks=False):
        base = Path(dirpath)
        keep = []
        for name in dirnames:
            sub = base / name
            if os.path.islink(sub):
                links.append(sub)
            elif (exclude is not None and is_inside(sub, exclude)) or is_ignored(sub) or _is_own(sub, own):
                continue
            else:
                keep.append(name)
        dirnames[:] = keep
        for name in filenames:
            path = base / name
            try:
                st = path.stat()
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    errors.append(f"{path} is a link that loops back on itself; skipped.")
                continue
            if stat.S_ISREG(st.st_mode):
                files.append((path, (st.st_size, st.st_mtime_ns)))
    return files, links, errors


def _is_own(folder: Path, own: set[tuple[int, int]]) -> bool:
    """One of the app's own folders (its data folder inside the watched one): never watched."""
    if not own:
        return False
    try:
        st = folder.stat()
    except OSError:
        return False
    return (st.st_dev, st.st_ino) in own


def plain_os_error(exc: BaseException) -> str:
    """Why a folder cannot be watched, read or moved into, in the user's words."""
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EMFILE):
            return "the system's limit on watched folders is reached"
        return describe_os_error(exc)
    return str(exc) or type(exc).__name__


def folder_link_message(path: Path) -> str:
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return f"{path} is a link that loops back on itself; skipped."
    if is_inside(path.parent.resolve(), target):
        return (
            f"{path} is a link back to a folder above it (a loop); links to folders are not followed, so it is skipped."
        )
    return f"{path} is a link to another folder; links to folders are not followed, so it is skipped."


def stat_signature(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)
