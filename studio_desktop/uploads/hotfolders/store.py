"""Saved hot folders: what one is, and a small repository over the ``hot_folder`` table (its SQL is in
:mod:`studio_desktop.uploads.records.hot_folders`)."""

from __future__ import annotations

import json
import math
import os
import sqlite3
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from studio_desktop.core.store import Store
from studio_desktop.uploads.hotfolders.files import AfterUpload
from studio_desktop.uploads.hotfolders.gate import DEFAULT_SETTLE
from studio_desktop.uploads.records import hot_folders as rows
from studio_desktop.uploads.records.hot_folders import HotFolderRow, HotFolderValues
from studio_desktop.uploads.shaping import UploadShape

#: Settle times outside this range are mistakes (0 would upload half-written files).
MIN_SETTLE = 0.2
MAX_SETTLE = 600.0


class HotFolderConfigError(ValueError):
    """A saved hot folder that cannot be: the message says why in plain words."""


@dataclass(frozen=True)
class SavedHotFolder:
    folder: Path
    event_id: int
    album_id: int | None = None
    mirror_folders: bool = False
    after: AfterUpload = field(default_factory=AfterUpload)
    settle: float = DEFAULT_SETTLE
    polling: bool = False
    replace_changed: bool = False
    enabled: bool = True
    id: int | None = None
    created: float = 0.0
    #: which photos go up (the picks filter) and at what size; given to each batch the watcher makes
    shape: UploadShape = field(default_factory=UploadShape)

    def __post_init__(self) -> None:
        object.__setattr__(self, "folder", Path(os.path.abspath(os.path.expanduser(self.folder))))
        object.__setattr__(self, "after", AfterUpload.parse(self.after))

    def validated(self) -> SavedHotFolder:
        """This hot folder, or :class:`HotFolderConfigError` saying what is wrong with it."""
        if not isinstance(self.event_id, int) or self.event_id <= 0:
            raise HotFolderConfigError("Choose the event the hot folder uploads to.")
        if self.album_id is not None and (not isinstance(self.album_id, int) or self.album_id <= 0):
            raise HotFolderConfigError("The album id must be a positive number.")
        if (
            not isinstance(self.settle, (int, float))
            or math.isnan(self.settle)
            or not MIN_SETTLE <= self.settle <= MAX_SETTLE
        ):
            raise HotFolderConfigError(f"The settle time must be between {MIN_SETTLE:g} and {MAX_SETTLE:g} seconds.")
        move_to = self.after.move_to
        if move_to is not None and move_to.absolute() == self.folder:
            raise HotFolderConfigError("Uploaded photos cannot be moved into the hot folder itself.")
        return self

    def watcher_options(self) -> dict[str, Any]:
        """Keyword arguments for :class:`~studio_desktop.uploads.hotfolders.HotFolderWatcher`."""
        return {
            "settle": self.settle,
            "mirror_folders": self.mirror_folders,
            "after": self.after,
            "polling": self.polling,
            "replace_changed": self.replace_changed,
            **({"batch_options": self.shape.to_options()} if self.shape.active else {}),
        }


def _from_row(row: HotFolderRow) -> SavedHotFolder:
    return SavedHotFolder(
        folder=Path(row.folder),
        event_id=int(row.event_id),
        album_id=None if row.album_id is None else int(row.album_id),
        mirror_folders=bool(row.mirror_folders),
        after=AfterUpload.parse(row.after),
        settle=float(row.settle),
        polling=bool(row.polling),
        replace_changed=bool(row.replace_changed),
        enabled=bool(row.enabled),
        id=int(row.id),
        created=float(row.created),
        shape=_shape(row.options),
    )


def _shape(options: str | None) -> UploadShape:
    """A damaged options value (edited by hand) means none rather than a hot folder that cannot be listed."""
    try:
        loaded = json.loads(options or "{}")
        return UploadShape.from_options(loaded if isinstance(loaded, dict) else None)
    except (TypeError, ValueError):
        return UploadShape()


def _values(hot: SavedHotFolder) -> HotFolderValues:
    return HotFolderValues(
        str(hot.folder),
        hot.event_id,
        hot.album_id,
        int(hot.mirror_folders),
        str(hot.after),
        float(hot.settle),
        int(hot.polling),
        int(hot.replace_changed),
        int(hot.enabled),
        json.dumps(hot.shape.to_options()),
    )


# Run inside one store transaction each, so the uniqueness check and the write agree.


def _list(conn: sqlite3.Connection, enabled_only: bool) -> list[SavedHotFolder]:
    return [_from_row(row) for row in rows.list_rows(conn, enabled_only)]


def _get(conn: sqlite3.Connection, hot_id: int) -> SavedHotFolder | None:
    row = rows.get_row(conn, hot_id)
    return _from_row(row) if row else None


def _check_unique(conn: sqlite3.Connection, hot: SavedHotFolder) -> None:
    if rows.folder_taken(conn, str(hot.folder), hot.id):
        raise HotFolderConfigError(f"{hot.folder} is already a hot folder.")


def _add(conn: sqlite3.Connection, hot: SavedHotFolder) -> SavedHotFolder:
    _check_unique(conn, hot)
    created = time.time()
    return replace(hot, id=rows.insert(conn, _values(hot), created), created=created)


def _update(conn: sqlite3.Connection, hot: SavedHotFolder) -> SavedHotFolder:
    _check_unique(conn, hot)
    assert hot.id is not None
    if not rows.update(conn, hot.id, _values(hot)):
        raise HotFolderConfigError("That hot folder no longer exists.")
    return _get(conn, hot.id)  # type: ignore[return-value]


def _set_enabled(conn: sqlite3.Connection, hot_id: int, enabled: bool) -> SavedHotFolder | None:
    rows.set_enabled(conn, hot_id, enabled)
    return _get(conn, hot_id)


class HotFolderRepository:
    """Saved hot folders in the local store. All methods are coroutines (the store's threads do the work)."""

    def __init__(self, store: Store):
        self.store = store

    async def list(self, *, enabled_only: bool = False) -> list[SavedHotFolder]:
        return await self.store.read(_list, enabled_only)

    async def get(self, hot_id: int) -> SavedHotFolder | None:
        return await self.store.read(_get, int(hot_id))

    async def add(self, hot: SavedHotFolder) -> SavedHotFolder:
        """Save a new hot folder; returns it with its id. :class:`HotFolderConfigError` if it cannot be."""
        return await self.store.write(_add, replace(hot, id=None).validated())

    async def update(self, hot: SavedHotFolder) -> SavedHotFolder:
        if hot.id is None:
            raise HotFolderConfigError("Save the hot folder before changing it.")
        return await self.store.write(_update, hot.validated())

    async def remove(self, hot_id: int) -> bool:
        return await self.store.write(rows.delete, int(hot_id))

    async def set_enabled(self, hot_id: int, enabled: bool) -> SavedHotFolder | None:
        return await self.store.write(_set_enabled, int(hot_id), bool(enabled))
