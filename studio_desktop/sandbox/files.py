"""Where the sandbox keeps files under its data folder.

``photos/``      originals, exactly the bytes uploaded (demo photos are drawn here on first use)
``renditions/``  resized copies made on first request, per photo version
``covers/``      cover images uploaded with ``sp.cover_photo.set``
``incoming/``    uploads while they stream in; moved into ``photos/`` once recorded

The databases hold tokens and session cookies in plain text and the photos are
clients' pictures, so on POSIX the data folder and its folders are 0700 and the
database files 0600 (created that way, not narrowed afterwards).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

DB_NAME = "shootproof.sqlite3"
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")
POSIX = os.name == "posix"


def private_folder(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if POSIX:
        os.chmod(path, 0o700)


def private_database(path: Path) -> None:
    """Create ``path`` 0600 if missing (SQLite gives its -wal and -shm files the same mode), and narrow
    the mode of an existing database and its side files made by an older sandbox."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    if POSIX:
        for suffix in SQLITE_SUFFIXES:
            with contextlib.suppress(FileNotFoundError):
                os.chmod(f"{path}{suffix}", 0o600)


class Storage:
    def __init__(self, root: Path):
        self.root = root
        self.db_path = root / DB_NAME
        self.photos = root / "photos"
        self.renditions = root / "renditions"
        self.covers = root / "covers"
        self.incoming = root / "incoming"

    def ensure(self) -> Storage:
        for folder in (self.root, self.photos, self.renditions, self.covers, self.incoming):
            private_folder(folder)
        return self

    def wipe(self) -> None:
        """Remove everything the ShootProof side owns (the Pixieset side keeps its own files)."""
        for folder in (self.photos, self.renditions, self.covers, self.incoming):
            shutil.rmtree(folder, ignore_errors=True)
        for suffix in SQLITE_SUFFIXES:
            self.db_path.with_name(DB_NAME + suffix).unlink(missing_ok=True)

    def photo_path(self, photo_id: int) -> Path:
        return self.photos / str(photo_id // 1000) / f"{photo_id}.jpg"

    def keep_photo(self, photo_id: int, uploaded: Path) -> None:
        """Make a recorded upload (still in ``incoming/``) the photo's original, in one atomic rename."""
        final = self.photo_path(photo_id)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(uploaded, final)

    def rendition_dir(self, photo_id: int) -> Path:
        return self.renditions / str(photo_id)

    def rendition_path(self, photo_id: int, version: int, size: str) -> Path:
        return self.rendition_dir(photo_id) / f"v{version}-{size}.jpg"

    def cover_path(self, kind: str, owner_id: int, version: int) -> Path:
        return self.covers / f"{kind}-{owner_id}-v{version}.jpg"

    def cover_rendition_path(self, kind: str, owner_id: int, version: int, size: str) -> Path:
        return self.covers / f"{kind}-{owner_id}-v{version}-{size}.jpg"

    def forget_photo(self, photo_id: int) -> None:
        """Delete a photo's original and renditions (best effort: the row is already gone)."""
        self.photo_path(photo_id).unlink(missing_ok=True)
        shutil.rmtree(self.rendition_dir(photo_id), ignore_errors=True)

    def forget_renditions(self, photo_id: int) -> None:
        shutil.rmtree(self.rendition_dir(photo_id), ignore_errors=True)

    def forget_cover(self, kind: str, owner_id: int, keep_version: int | None = None) -> None:
        keep = f"{kind}-{owner_id}-v{keep_version}"
        for path in self.covers.glob(f"{kind}-{owner_id}-v*.jpg"):
            if keep_version is None or not (path.stem == keep or path.stem.startswith(keep + "-")):
                path.unlink(missing_ok=True)
