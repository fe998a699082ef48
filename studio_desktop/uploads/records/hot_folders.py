"""The ``hot_folder`` table: saved hot folders, as plain rows.

Each function takes the connection the store hands a read or write (``store.read(fn, ...)``,
``store.write(fn, ...)``) and speaks in :class:`HotFolderRow` values; turning them into
:class:`~studio_desktop.uploads.hotfolders.SavedHotFolder` is the hot-folder package's business.
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from studio_desktop.core.store import inserted_id

_COLUMNS = (
    "id, folder, event_id, album_id, mirror_folders, after, settle, polling, replace_changed, enabled, created, options"
)


class HotFolderRow(NamedTuple):
    """One row, in the table's own types (``after`` as text, ``options`` as JSON text)."""

    id: int
    folder: str
    event_id: int
    album_id: int | None
    mirror_folders: int
    after: str
    settle: float
    polling: int
    replace_changed: int
    enabled: int
    created: float
    options: str | None


class HotFolderValues(NamedTuple):
    """What a save writes: every column but ``id`` and ``created``."""

    folder: str
    event_id: int
    album_id: int | None
    mirror_folders: int
    after: str
    settle: float
    polling: int
    replace_changed: int
    enabled: int
    options: str


def list_rows(conn: sqlite3.Connection, enabled_only: bool = False) -> list[HotFolderRow]:
    where = " WHERE enabled = 1" if enabled_only else ""
    return [HotFolderRow(*r) for r in conn.execute(f"SELECT {_COLUMNS} FROM hot_folder{where} ORDER BY id")]


def get_row(conn: sqlite3.Connection, hot_id: int) -> HotFolderRow | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM hot_folder WHERE id = ?", (hot_id,)).fetchone()
    return HotFolderRow(*row) if row else None


def folder_taken(conn: sqlite3.Connection, folder: str, hot_id: int | None) -> bool:
    """Is ``folder`` saved already, by a row other than ``hot_id``?"""
    return (
        conn.execute("SELECT id FROM hot_folder WHERE folder = ? AND id IS NOT ?", (folder, hot_id)).fetchone()
        is not None
    )


def insert(conn: sqlite3.Connection, values: HotFolderValues, created: float) -> int:
    """Returns the new row's id."""
    cur = conn.execute(
        "INSERT INTO hot_folder (folder, event_id, album_id, mirror_folders, after, settle, polling, replace_changed, "
        "enabled, options, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*values, created),
    )
    return inserted_id(cur)


def update(conn: sqlite3.Connection, hot_id: int, values: HotFolderValues) -> bool:
    """False when there is no such row."""
    cur = conn.execute(
        "UPDATE hot_folder SET folder = ?, event_id = ?, album_id = ?, mirror_folders = ?, after = ?, settle = ?, "
        "polling = ?, replace_changed = ?, enabled = ?, options = ? WHERE id = ?",
        (*values, hot_id),
    )
    return cur.rowcount > 0


def delete(conn: sqlite3.Connection, hot_id: int) -> bool:
    return conn.execute("DELETE FROM hot_folder WHERE id = ?", (hot_id,)).rowcount > 0


def set_enabled(conn: sqlite3.Connection, hot_id: int, enabled: bool) -> None:
    conn.execute("UPDATE hot_folder SET enabled = ? WHERE id = ?", (int(enabled), hot_id))
