"""The upload ledger and the album map: what reached which gallery, and which album each folder name got.

The upload ledger (table ``upload_ledger``) is the memory of what reached the
gallery, one row per file version and target; this module is its one writer
(:func:`ledger_record`) and owns its reads:

- ``path``, ``size``, ``mtime_ns``: the local file version (the key with the target);
- ``event_id``, ``album_id``: the target; album 0 is the event's root (photos in
  no album), since NULLs never collide in a UNIQUE key;
- ``photo_id``: the server's id for the photo (NULL only in rows from old versions);
- ``uploaded_at``: when it was recorded (seconds since the epoch);
- ``name``: the photo name as sent, NFC (NULL in rows from before store version 4);
- ``content_hash``: sha256 hex of the bytes actually sent, taken while they were
  read for sending (NULL in older rows, or when the send could not be hashed whole).

"The same photo": a ledger row says *this very file* (same path, size and
mtime) already went to *that target*; the engine then skips it without asking the
server. A same-named photo in another target is never the same photo. Rows are
never trusted across targets, and the hash lets a moved or renamed copy of the
same bytes be recognised (:func:`ledger_by_hash`).

The album map (table ``album_map``) remembers, per event, which album id a name
under a parent resolved to (``parent_id`` 0: the event itself), chosen the same
way everywhere (:func:`choose_albums`).
"""

from __future__ import annotations

import sqlite3
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple


def nfc(name: str) -> str:
    """Photo names compare in NFC: macOS writes decomposed accents, most cameras and servers composed."""
    return unicodedata.normalize("NFC", name)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One ledger row (see the module docstring); ``album_id`` 0 is the event's root."""

    path: str
    size: int
    mtime_ns: int
    event_id: int
    album_id: int
    photo_id: int | None
    uploaded_at: float = field(default=0.0, compare=False)
    name: str | None = None
    content_hash: str | None = None

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> LedgerEntry:
        return cls(*row)


# -- ledger --------------------------------------------------------------------


def ledger_reason(entry: LedgerEntry) -> str:
    return uploaded_before(entry.photo_id)


def uploaded_before(photo_id: int | None) -> str:
    """The reason a ledger hit is a duplicate, in the words the queue keeps."""
    if photo_id:
        return f"Uploaded before from this file (photo {photo_id})."
    return "Uploaded before from this file."


_LEDGER_COLUMNS = "path, size, mtime_ns, event_id, album_id, photo_id, uploaded_at, name, content_hash"


def ledger_record(
    conn: sqlite3.Connection,
    path: str,
    size: int,
    mtime_ns: int,
    event_id: int,
    album_id: int | None,
    photo_id: int | None,
    name: str | None,
    content_hash: str | None,
    *,
    uploaded_at: float | None = None,
) -> None:
    """Remember that this file version reached the target (``album_id`` None or 0: the event's root).

    Recording the same file version and target again keeps the newest facts;
    a fact not known this time (``None``) never erases one known before.
    """
    conn.execute(
        f"INSERT INTO upload_ledger ({_LEDGER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (path, size, mtime_ns, event_id, album_id) DO UPDATE SET "
        "photo_id = COALESCE(excluded.photo_id, photo_id), uploaded_at = excluded.uploaded_at, "
        "name = COALESCE(excluded.name, name), content_hash = COALESCE(excluded.content_hash, content_hash)",
        (
            path,
            size,
            mtime_ns,
            event_id,
            album_id or 0,
            photo_id,
            time.time() if uploaded_at is None else uploaded_at,
            None if name is None else nfc(name),
            content_hash,
        ),
    )


def ledger_lookup(
    conn: sqlite3.Connection,
    path: str,
    size: int,
    mtime_ns: int,
    event_id: int,
    album_id: int | None,
) -> LedgerEntry | None:
    """The ledger row of this file version in this target (``album_id`` None or 0: the event's root)."""
    row = conn.execute(
        f"SELECT {_LEDGER_COLUMNS} FROM upload_ledger WHERE path = ? AND size = ? AND mtime_ns = ? "
        "AND event_id = ? AND album_id = ?",
        (path, size, mtime_ns, event_id, album_id or 0),
    ).fetchone()
    return LedgerEntry.from_row(row) if row else None


def ledger_known_versions(
    conn: sqlite3.Connection, versions: Sequence[tuple[str, int, int]]
) -> set[tuple[str, int, int]]:
    """Which of these file versions ``(path, size, mtime_ns)`` reached ShootProof once, in any target.

    Each was a valid JPEG when it was sent, and a file of the same path, size and modification
    time is taken as unchanged: the scanner need not read it again to validate it.
    """
    wanted = set(versions)
    paths = sorted({path for path, _, _ in wanted})
    found: set[tuple[str, int, int]] = set()
    for start in range(0, len(paths), 500):
        chunk = paths[start : start + 500]
        rows = conn.execute(
            f"SELECT DISTINCT path, size, mtime_ns FROM upload_ledger WHERE path IN ({', '.join('?' * len(chunk))})",
            chunk,
        )
        found.update(version for version in map(tuple, rows) if version in wanted)
    return found


def ledger_in_event(
    conn: sqlite3.Connection, event_id: int, versions: Sequence[tuple[str, int, int]]
) -> dict[tuple[str, int, int], dict[int, int | None]]:
    """Of these file versions ``(path, size, mtime_ns)``, those that reached the event: target -> photo id.

    The targets are album ids (0: the event's root). One query per 500 paths,
    through the ledger's key (``+event_id``: not the event's index, which would
    read every row of a big event for each query).
    """
    wanted = set(versions)
    paths = sorted({path for path, _, _ in wanted})
    found: dict[tuple[str, int, int], dict[int, int | None]] = {}
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: a row object for each of thousands of files is not needed
    for start in range(0, len(paths), 500):
        chunk = paths[start : start + 500]
        rows = cursor.execute(
            "SELECT path, size, mtime_ns, album_id, photo_id FROM upload_ledger "
            f"WHERE +event_id = ? AND path IN ({', '.join('?' * len(chunk))})",
            [event_id, *chunk],
        )
        for path, size, mtime_ns, album_id, photo_id in rows:
            version = (path, size, mtime_ns)
            if version in wanted:
                found.setdefault(version, {})[album_id] = photo_id
    cursor.close()
    return found


def ledger_for_paths(
    conn: sqlite3.Connection,
    paths: Sequence[str],
    event_id: int,
    album_id: int | None,
) -> dict[str, list[LedgerEntry]]:
    """Every ledger row of these paths in the event, newest first per path.

    ``album_id`` narrows to one target (0: the event's root); ``None`` means
    every target in the event (a hot folder mirroring its subfolders).
    """
    found: dict[str, list[LedgerEntry]] = {}
    for start in range(0, len(paths), 500):
        chunk = list(paths[start : start + 500])
        sql = (
            f"SELECT {_LEDGER_COLUMNS} FROM upload_ledger "
            f"WHERE +event_id = ? AND path IN ({', '.join('?' * len(chunk))})"  # by path: see ledger_in_event
        )
        params: list[Any] = [event_id, *chunk]
        if album_id is not None:
            sql += " AND album_id = ?"
            params.append(album_id)
        for row in conn.execute(sql + " ORDER BY uploaded_at DESC", params):
            found.setdefault(row[0], []).append(LedgerEntry.from_row(row))
    return found


def ledger_by_hash(
    conn: sqlite3.Connection,
    event_id: int,
    album_id: int | None,
    content_hash: str,
) -> list[LedgerEntry]:
    """Rows of files whose sent bytes had this sha256, in this target (None or 0: the root), newest first."""
    rows = conn.execute(
        f"SELECT {_LEDGER_COLUMNS} FROM upload_ledger WHERE event_id = ? AND content_hash = ? AND album_id = ? "
        "ORDER BY uploaded_at DESC",
        (event_id, content_hash, album_id or 0),
    ).fetchall()
    return [LedgerEntry.from_row(r) for r in rows]


def ledger_by_size(conn: sqlite3.Connection, event_id: int, album_id: int | None, size: int) -> list[LedgerEntry]:
    """Rows of files of this size in the event (``album_id`` None: every target), newest first."""
    sql = f"SELECT {_LEDGER_COLUMNS} FROM upload_ledger WHERE event_id = ? AND size = ?"
    params: list[Any] = [event_id, size]
    if album_id is not None:
        sql += " AND album_id = ?"
        params.append(album_id)
    return [LedgerEntry.from_row(r) for r in conn.execute(sql + " ORDER BY uploaded_at DESC", params)]


def ledger_by_photo(conn: sqlite3.Connection, event_id: int, photo_id: int) -> list[LedgerEntry]:
    """Rows that recorded this server photo (every local path and version sent as it), newest first."""
    rows = conn.execute(
        f"SELECT {_LEDGER_COLUMNS} FROM upload_ledger WHERE event_id = ? AND photo_id = ? ORDER BY uploaded_at DESC",
        (event_id, photo_id),
    ).fetchall()
    return [LedgerEntry.from_row(r) for r in rows]


# -- album map -----------------------------------------------------------------


def album_lookup(conn: sqlite3.Connection, event_id: int, parent_id: int | None, name: str) -> int | None:
    row = conn.execute(
        "SELECT album_id FROM album_map WHERE event_id = ? AND parent_id = ? AND name = ?",
        (event_id, parent_id or 0, nfc(name)),
    ).fetchone()
    return int(row[0]) if row else None


def album_remember(conn: sqlite3.Connection, rows: Iterable[tuple[int, int | None, str, int]]) -> None:
    """Remember ``(event_id, parent_id, name, album_id)`` of albums the engine resolved or created."""
    conn.executemany(
        "INSERT OR REPLACE INTO album_map (event_id, parent_id, name, album_id) VALUES (?, ?, ?, ?)",
        [(e, p or 0, nfc(n), a) for e, p, n, a in rows],
    )


class AlbumRow(NamedTuple):
    """One album as the server listed it (``parent_id`` None: at the top of the event).

    A named tuple: ~0.1 ms to define against ~0.8 ms for a frozen dataclass, on every start of
    every command (a re-run of a finished folder is mostly start-up).
    """

    parent_id: int | None
    name: str
    album_id: int
    display_order: int | None = None


def choose_albums(
    rows: Iterable[AlbumRow],
    keep: dict[tuple[int, str], int] | None = None,
) -> dict[tuple[int, str], int]:
    """``{(parent_id or 0, NFC name): album_id}``: one album for each name under each parent.

    Siblings may share a name. The choice is the same everywhere (the store and
    the engine): an album already chosen (``keep``) that still exists stays
    chosen, so a folder resolved to an album keeps it; otherwise the first in
    the server's ``display_order``, then the lowest id.
    """
    candidates: dict[tuple[int, str], list[AlbumRow]] = {}
    for row in rows:
        candidates.setdefault((row.parent_id or 0, nfc(row.name)), []).append(row)
    chosen: dict[tuple[int, str], int] = {}
    for key, found in candidates.items():
        ids = {row.album_id for row in found}
        kept = (keep or {}).get(key)
        if kept in ids:
            chosen[key] = kept
        else:
            first = min(found, key=lambda r: (r.display_order is None, r.display_order or 0, r.album_id))
            chosen[key] = first.album_id
    return chosen


def album_replace(conn: sqlite3.Connection, event_id: int, rows: Sequence[AlbumRow]) -> dict[tuple[int, str], int]:
    """Replace the event's album map with the server's list (chosen by :func:`choose_albums`); returns the map."""
    keep = {
        (r[0], r[1]): r[2]
        for r in conn.execute("SELECT parent_id, name, album_id FROM album_map WHERE event_id = ?", (event_id,))
    }
    chosen = choose_albums(rows, keep)
    conn.execute("DELETE FROM album_map WHERE event_id = ?", (event_id,))
    conn.executemany(
        "INSERT INTO album_map (event_id, parent_id, name, album_id) VALUES (?, ?, ?, ?)",
        [(event_id, parent, name, album_id) for (parent, name), album_id in chosen.items()],
    )
    return chosen


def mapped_album(
    conn: sqlite3.Connection,
    event_id: int,
    album_id: int | None,
    rel_album_path: Sequence[str],
) -> tuple[bool, int | None]:
    """Follow ``rel_album_path`` below ``album_id`` through the album map: (all known?, final album id)."""
    parent = album_id
    for name in rel_album_path:
        found = album_lookup(conn, event_id, parent, name)
        if found is None:
            return False, None
        parent = found
    return True, parent


def album_forget(conn: sqlite3.Connection, event_id: int) -> None:
    conn.execute("DELETE FROM album_map WHERE event_id = ?", (event_id,))
