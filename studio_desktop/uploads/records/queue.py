"""The upload queue as rows in the local store: batches, items, claims and states.

Functions here take a ``sqlite3.Connection`` and do one small thing; the engine
runs them on the store's threads (writes on the writer thread). The queue is
paged, never loaded whole: a wedding queue of 100,000 files stays on disk.

An item's ``album_id`` is the batch's target album (``None``: the event itself).
With folder mirroring, ``rel_album_path`` names the albums below that target the
photo really goes to; the album map (:mod:`.ledger`) remembers which album id each name got.
An uploaded item is marked done and written to the ledger in one transaction
(:func:`record_uploaded`).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from studio_desktop.core.store import UPLOAD_STATES, Store, inserted_id
from studio_desktop.uploads.records.ledger import (
    ledger_in_event,
    ledger_record,
    mapped_album,
    uploaded_before,
)

QUEUED = "queued"
CHECKING = "checking"
UPLOADING = "uploading"
DONE = "done"
DUPLICATE = "duplicate"
FAILED = "failed"
CANCELLED = "cancelled"
PAUSED = "paused"
#: Not a photo (decided by the scan): listed once, never retried, not a failure.
SKIPPED = "skipped"
#: Left out by the picks filter (its reason in last_error): listed, never retried, not a failure.
FILTERED = "filtered"

STATES = UPLOAD_STATES
FINISHED = (DONE, DUPLICATE, FAILED, CANCELLED, SKIPPED, FILTERED)
PENDING = (QUEUED, CHECKING, UPLOADING, PAUSED)

ITEM_COLUMNS = (
    "id, batch_id, path, name, size, mtime_ns, event_id, album_id, rel_album_path, state, "
    "attempts, last_error, photo_id, bytes_sent, updated, verify, prior_photo_ids"
)


@dataclass(frozen=True, slots=True)
class Batch:
    id: int
    created: float
    event_id: int
    album_id: int | None
    options: dict[str, Any]
    label: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Batch:
        return cls(
            row["id"], row["created"], row["event_id"], row["album_id"], _loads(row["options"], {}), row["label"]
        )


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    batch_id: int
    path: str
    name: str
    size: int
    mtime_ns: int
    event_id: int
    album_id: int | None
    rel_album_path: tuple[str, ...]
    state: str
    attempts: int = 0
    last_error: str | None = None
    photo_id: int | None = None
    bytes_sent: int = 0
    updated: float = 0.0
    verify: bool = False
    #: ids of photos with this name already in the target before the item was first sent (None: not sent yet)
    prior_photo_ids: tuple[int, ...] | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Item:
        prior = _loads(row["prior_photo_ids"], None) if "prior_photo_ids" in row.keys() else None  # noqa: SIM118 -- `in row` looks at values
        return cls(
            id=row["id"],
            batch_id=row["batch_id"],
            path=row["path"],
            name=row["name"],
            size=row["size"],
            mtime_ns=row["mtime_ns"],
            event_id=row["event_id"],
            album_id=row["album_id"],
            rel_album_path=tuple(_loads(row["rel_album_path"], [])),
            state=row["state"],
            attempts=row["attempts"],
            last_error=row["last_error"],
            photo_id=row["photo_id"],
            bytes_sent=row["bytes_sent"],
            updated=row["updated"],
            verify=bool(row["verify"]),
            prior_photo_ids=None if prior is None else tuple(int(i) for i in prior),
        )


@dataclass(frozen=True, slots=True)
class NewItem:
    """A file to add to a batch; ``error`` set means the scanner refused it.

    A refused file is added as failed, as skipped when ``not_a_photo``, or as
    filtered when ``left_out`` (by the picks filter; ``error`` says why).
    """

    path: str
    name: str
    size: int = 0
    mtime_ns: int = 0
    rel_album_path: tuple[str, ...] = ()
    error: str | None = None
    not_a_photo: bool = False
    left_out: bool = False


@dataclass
class AddResult:
    added: int = 0
    rejected: int = 0
    adopted: int = 0
    bytes: int = 0
    adopted_ids: list[int] = field(default_factory=list)
    #: (id, batch it came from, state before, state now, size) of each adopted item
    adopted_moves: list[tuple[int, int, str, str, int]] = field(default_factory=list)
    rejected_items: list[Item] = field(default_factory=list)
    skipped_items: list[Item] = field(default_factory=list)
    filtered_items: list[Item] = field(default_factory=list)
    #: (id, batch it came from, state, size) of each refused item moved here from an earlier batch
    refused_moves: list[tuple[int, int, str, int]] = field(default_factory=list)
    duplicate_items: list[Item] = field(default_factory=list)


def _loads(text: str | None, default: Any) -> Any:
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def _scope_sql(batch_ids: Sequence[int] | None, column: str = "batch_id") -> tuple[str, list[Any]]:
    if batch_ids is None:
        return "", []
    ids = [int(b) for b in batch_ids]
    if not ids:
        return " AND 0", []
    return f" AND {column} IN ({', '.join('?' * len(ids))})", ids


# -- batches -------------------------------------------------------------------


def create_batch(
    conn: sqlite3.Connection,
    event_id: int,
    album_id: int | None = None,
    options: dict[str, Any] | None = None,
    label: str | None = None,
) -> int:
    cur = conn.execute(
        "INSERT INTO upload_batch (created, event_id, album_id, options, label) VALUES (?, ?, ?, ?, ?)",
        (time.time(), int(event_id), album_id, json.dumps(options or {}, ensure_ascii=False), label),
    )
    return inserted_id(cur)


def get_batch(conn: sqlite3.Connection, batch_id: int) -> Batch | None:
    row = conn.execute("SELECT * FROM upload_batch WHERE id = ?", (batch_id,)).fetchone()
    return Batch.from_row(row) if row else None


def list_batches(conn: sqlite3.Connection) -> list[Batch]:
    return [Batch.from_row(r) for r in conn.execute("SELECT * FROM upload_batch ORDER BY id")]


def find_batch_option(conn: sqlite3.Connection, key: str, value: Any) -> Batch | None:
    """The newest batch whose options hold ``key == value`` (e.g. the event a ``--new-event`` name made)."""
    row = conn.execute(
        "SELECT * FROM upload_batch WHERE json_extract(options, ?) = ? ORDER BY id DESC LIMIT 1",
        (f"$.{key}", value),
    ).fetchone()
    return Batch.from_row(row) if row else None


#: What Clear Finished removes: failed items stay, they still need the user (retry, or fix the file).
CLEARABLE = (DONE, DUPLICATE, CANCELLED, SKIPPED, FILTERED)


def clear_finished(conn: sqlite3.Connection) -> int:
    """Forget finished items but failed ones, and batches left empty (the ledger keeps what was uploaded).

    Returns how many items went.
    """
    cur = conn.execute(f"DELETE FROM upload_item WHERE state IN ({', '.join('?' * len(CLEARABLE))})", CLEARABLE)
    conn.execute(
        "DELETE FROM upload_batch WHERE NOT EXISTS (SELECT 1 FROM upload_item i WHERE i.batch_id = upload_batch.id)"
    )
    return cur.rowcount


# -- items ---------------------------------------------------------------------


_INSERT_ITEM = (
    "INSERT INTO upload_item (batch_id, path, name, size, mtime_ns, event_id, album_id, rel_album_path, "
    "state, last_error, photo_id, bytes_sent, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def add_items(conn: sqlite3.Connection, batch_id: int, entries: Iterable[NewItem], *, dedup: bool = False) -> AddResult:
    """Add files to a batch.

    A file already waiting in an earlier batch (same path, size, modification
    time and target, not yet uploaded) is moved into this batch instead of being
    added twice: re-running an interrupted upload finishes it rather than
    queueing it again. Failed, cancelled or paused ones are queued again.
    With ``dedup``, a file the ledger says was uploaded to this target is added
    as a duplicate straight away: re-running a finished upload costs a scan.
    """
    batch = get_batch(conn, batch_id)
    if batch is None:
        raise ValueError(f"no upload batch {batch_id}")
    entries = list(entries)
    # The ledger rows of the whole chunk in one query per 500 paths, not one query per file.
    reached = (
        ledger_in_event(conn, batch.event_id, [(e.path, e.size, e.mtime_ns) for e in entries if e.error is None])
        if dedup
        else {}
    )
    now = time.time()
    result = AddResult()
    new_rows = []
    pending_marks = ", ".join("?" * 6)
    targets: dict[tuple[str, ...], tuple[bool, int | None]] = {}

    def row(entry: NewItem, rel: str, state: str, message: str | None, photo_id: int | None) -> tuple[Any, ...]:
        sent = entry.size if state == DUPLICATE else 0  # a duplicate's bytes count as done
        item = (entry.path, entry.name, entry.size, entry.mtime_ns)
        return (batch_id, *item, batch.event_id, batch.album_id, rel, state, message, photo_id, sent, now)

    def insert_finished(entry: NewItem, rel: str, state: str, message: str, photo_id: int | None) -> Item:
        cur = conn.execute(_INSERT_ITEM, row(entry, rel, state, message, photo_id))
        return Item(
            inserted_id(cur),
            batch_id,
            entry.path,
            entry.name,
            entry.size,
            entry.mtime_ns,
            batch.event_id,
            batch.album_id,
            tuple(entry.rel_album_path),
            state,
            last_error=message,
            photo_id=photo_id,
            updated=now,
        )

    for entry in entries:
        rel = json.dumps(list(entry.rel_album_path), ensure_ascii=False)
        if entry.error is not None:
            state = FILTERED if entry.left_out else SKIPPED if entry.not_a_photo else FAILED
            found = {FILTERED: result.filtered_items, SKIPPED: result.skipped_items}.get(state, result.rejected_items)
            moved = _move_refused(conn, batch, entry, rel, state, now)
            if moved is not None:
                item, old_batch, old_size = moved
                result.refused_moves.append((item.id, old_batch, state, old_size))
                found.append(item)
            else:
                result.rejected += state == FAILED
                found.append(insert_finished(entry, rel, state, entry.error, None))
            continue
        if dedup:
            key = tuple(entry.rel_album_path)
            if key not in targets:
                targets[key] = mapped_album(conn, batch.event_id, batch.album_id, key)
            known, album_id = targets[key]
            photos = reached.get((entry.path, entry.size, entry.mtime_ns), {}) if known else {}
            if (album_id or 0) in photos:
                photo_id = photos[album_id or 0]
                result.duplicate_items.append(
                    insert_finished(entry, rel, DUPLICATE, uploaded_before(photo_id), photo_id)
                )
                continue
        old = conn.execute(
            f"""SELECT id, batch_id, state FROM upload_item
                WHERE path = ? AND size = ? AND mtime_ns = ? AND event_id = ?
                AND album_id IS ? AND rel_album_path = ? AND batch_id != ?
                AND state IN ({pending_marks}) ORDER BY id DESC LIMIT 1""",
            (
                entry.path,
                entry.size,
                entry.mtime_ns,
                batch.event_id,
                batch.album_id,
                rel,
                batch_id,
                QUEUED,
                CHECKING,
                UPLOADING,
                PAUSED,
                FAILED,
                CANCELLED,
            ),
        ).fetchone()
        if old is None:
            old = _left_out_before(conn, batch, entry, rel)
        if old is not None:
            if old["state"] in (FAILED, CANCELLED, PAUSED, FILTERED):
                conn.execute(
                    "UPDATE upload_item SET batch_id = ?, state = ?, attempts = 0, last_error = NULL, size = ?, "
                    "mtime_ns = ?, updated = ? WHERE id = ?",
                    (batch_id, QUEUED, entry.size, entry.mtime_ns, now, old["id"]),
                )
                new_state = QUEUED
            else:
                new_state = old["state"]
                conn.execute(
                    "UPDATE upload_item SET batch_id = ?, updated = ? WHERE id = ?", (batch_id, now, old["id"])
                )
            result.adopted += 1
            result.adopted_ids.append(int(old["id"]))
            result.adopted_moves.append((int(old["id"]), int(old["batch_id"]), old["state"], new_state, entry.size))
        else:
            new_rows.append(row(entry, rel, QUEUED, None, None))
            result.added += 1
        result.bytes += entry.size
    conn.executemany(_INSERT_ITEM, new_rows)
    return result


def _left_out_before(conn: sqlite3.Connection, batch: Batch, entry: NewItem, rel: str) -> sqlite3.Row | None:
    """The row of a photo the filter left out of this target before, now taken (re-rated): it becomes queued.

    Whatever its size and time then: re-rating in the JPEG rewrites the file.
    So the queue never lists a photo both as left out and as uploaded.
    """
    row: sqlite3.Row | None = conn.execute(
        """SELECT id, batch_id, state FROM upload_item WHERE path = ? AND event_id = ? AND album_id IS ?
           AND rel_album_path = ? AND state = ? AND batch_id != ? ORDER BY id DESC LIMIT 1""",
        (entry.path, batch.event_id, batch.album_id, rel, FILTERED, batch.id),
    ).fetchone()
    return row


def _move_refused(
    conn: sqlite3.Connection, batch: Batch, entry: NewItem, rel: str, state: str, now: float
) -> tuple[Item, int, int] | None:
    """A file refused again, already failed or skipped the same way for the same target, moves into this batch.

    So it is listed (and counted) once however often the folder is dropped.
    Returns the item as it is now, the batch it came from and its size.
    """
    row = conn.execute(
        f"""SELECT {ITEM_COLUMNS} FROM upload_item WHERE path = ? AND event_id = ? AND album_id IS ?
            AND rel_album_path = ? AND state = ? AND batch_id != ? ORDER BY id DESC LIMIT 1""",
        (entry.path, batch.event_id, batch.album_id, rel, state, batch.id),
    ).fetchone()
    if row is None:
        return None
    conn.execute(
        "UPDATE upload_item SET batch_id = ?, last_error = ?, updated = ? WHERE id = ?",
        (batch.id, entry.error, now, row["id"]),
    )
    old = Item.from_row(row)
    return (
        Item(
            old.id,
            batch.id,
            old.path,
            old.name,
            old.size,
            old.mtime_ns,
            old.event_id,
            old.album_id,
            old.rel_album_path,
            state,
            last_error=entry.error,
            updated=now,
        ),
        old.batch_id,
        old.size,
    )


def get_item(conn: sqlite3.Connection, item_id: int) -> Item | None:
    row = conn.execute(f"SELECT {ITEM_COLUMNS} FROM upload_item WHERE id = ?", (item_id,)).fetchone()
    return Item.from_row(row) if row else None


def next_queued(
    conn: sqlite3.Connection,
    after_id: int = 0,
    limit: int = 100,
    batch_ids: Sequence[int] | None = None,
) -> list[Item]:
    """The next page of queued items (by id, after ``after_id``), optionally only from some batches."""
    scope, params = _scope_sql(batch_ids)
    rows = conn.execute(
        f"SELECT {ITEM_COLUMNS} FROM upload_item WHERE state = ? AND id > ?{scope} ORDER BY id LIMIT ?",
        (QUEUED, after_id, *params, limit),
    ).fetchall()
    return [Item.from_row(r) for r in rows]


def items(
    conn: sqlite3.Connection,
    *,
    batch_ids: Sequence[int] | None = None,
    states: Sequence[str] | None = None,
    after_id: int = 0,
    limit: int = 500,
) -> list[Item]:
    """One page of items in id order (for lists, summaries and the GUI's lazy models)."""
    scope, params = _scope_sql(batch_ids)
    state_sql = ""
    if states is not None:
        state_sql = f" AND state IN ({', '.join('?' * len(states))})" if states else " AND 0"
        params = [*params, *states]
    rows = conn.execute(
        f"SELECT {ITEM_COLUMNS} FROM upload_item WHERE id > ?{scope}{state_sql} ORDER BY id LIMIT ?",
        (after_id, *params, limit),
    ).fetchall()
    return [Item.from_row(r) for r in rows]


def iter_items(store_or_conn: Store | sqlite3.Connection, **filters: Any) -> Iterator[Item]:
    """Every matching item, a page at a time (sync; for summaries and tests)."""
    conn = store_or_conn.connection() if isinstance(store_or_conn, Store) else store_or_conn
    after = 0
    while True:
        page = items(conn, after_id=after, **filters)
        if not page:
            return
        yield from page
        after = page[-1].id


def counts(conn: sqlite3.Connection, batch_ids: Sequence[int] | None = None) -> dict[str, tuple[int, int]]:
    """``{state: (files, bytes)}`` for every state (zeros included)."""
    scope, params = _scope_sql(batch_ids)
    result = {state: (0, 0) for state in STATES}
    for row in conn.execute(
        f"SELECT state, COUNT(*), COALESCE(SUM(size), 0) FROM upload_item WHERE 1{scope} GROUP BY state",
        params,
    ):
        result[row[0]] = (int(row[1]), int(row[2]))
    return result


def batch_has_pending(conn: sqlite3.Connection, batch_id: int) -> bool:
    row = conn.execute(
        f"SELECT 1 FROM upload_item WHERE batch_id = ? AND state IN ({', '.join('?' * len(PENDING))}) LIMIT 1",
        (batch_id, *PENDING),
    ).fetchone()
    return row is not None


def claim(
    conn: sqlite3.Connection,
    item_id: int,
    state: str = CHECKING,
    from_states: Sequence[str] = (QUEUED,),
) -> bool:
    """Move an item to ``state`` only if it is still in one of ``from_states`` (so nobody else took it)."""
    marks = ", ".join("?" * len(from_states))
    cur = conn.execute(
        f"UPDATE upload_item SET state = ?, updated = ? WHERE id = ? AND state IN ({marks})",
        (state, time.time(), item_id, *from_states),
    )
    return cur.rowcount == 1


_UNSET: Any = object()


def set_state(
    conn: sqlite3.Connection,
    item_id: int,
    state: str,
    *,
    last_error: str | None = _UNSET,
    attempts: int | None = None,
    verify: bool | None = None,
    photo_id: int | None = _UNSET,
    bytes_sent: int | None = None,
) -> None:
    sets = ["state = ?", "updated = ?"]
    params: list[Any] = [state, time.time()]
    for column, value in (("last_error", last_error), ("photo_id", photo_id)):
        if value is not _UNSET:
            sets.append(f"{column} = ?")
            params.append(value)
    for column, value in (
        ("attempts", attempts),
        ("verify", None if verify is None else int(verify)),
        ("bytes_sent", bytes_sent),
    ):
        if value is not None:
            sets.append(f"{column} = ?")
            params.append(value)
    conn.execute(f"UPDATE upload_item SET {', '.join(sets)} WHERE id = ?", (*params, item_id))


def set_prior_photo_ids(conn: sqlite3.Connection, item_id: int, photo_ids: Sequence[int]) -> None:
    """Remember, before an item's first send, which photos of its name its target already held."""
    conn.execute(
        "UPDATE upload_item SET prior_photo_ids = ? WHERE id = ? AND prior_photo_ids IS NULL",
        (json.dumps([int(i) for i in photo_ids]), item_id),
    )


def update_file_facts(conn: sqlite3.Connection, item_id: int, size: int, mtime_ns: int) -> None:
    conn.execute(
        "UPDATE upload_item SET size = ?, mtime_ns = ?, updated = ? WHERE id = ?",
        (size, mtime_ns, time.time(), item_id),
    )


def save_progress(conn: sqlite3.Connection, progress: Iterable[tuple[int, int]]) -> None:
    """Write ``(item_id, bytes_sent)`` pairs of items being sent (batched by the engine, not once per chunk).

    ``updated`` follows, so a crash's leftover tells how recently its bytes were going out.
    """
    now = time.time()
    conn.executemany(
        "UPDATE upload_item SET state = ?, bytes_sent = ?, updated = ? WHERE id = ? AND state IN (?, ?)",
        [(UPLOADING, sent, now, item_id, CHECKING, UPLOADING) for item_id, sent in progress],
    )


def record_uploaded(
    conn: sqlite3.Connection,
    item: Item,
    album_id: int | None,
    photo_id: int | None,
    *,
    state: str = DONE,
    message: str | None = None,
    content_hash: str | None = None,
) -> None:
    """The item is in the gallery: mark it and remember the file in the ledger, in one transaction."""
    now = time.time()
    conn.execute(
        "UPDATE upload_item SET state = ?, photo_id = ?, last_error = ?, bytes_sent = size, verify = 0, updated = ? "
        "WHERE id = ?",
        (state, photo_id, message, now, item.id),
    )
    ledger_record(
        conn,
        item.path,
        item.size,
        item.mtime_ns,
        item.event_id,
        album_id,
        photo_id,
        item.name,
        content_hash,
        uploaded_at=now,
    )


def recover_in_flight(conn: sqlite3.Connection) -> int:
    """Items a crashed run left mid-way go back to the queue, flagged to be checked before re-sending."""
    cur = conn.execute(
        "UPDATE upload_item SET state = ?, verify = 1, updated = ? WHERE state IN (?, ?)",
        (QUEUED, time.time(), CHECKING, UPLOADING),
    )
    return cur.rowcount


def change_states(
    conn: sqlite3.Connection,
    to_state: str,
    from_states: Sequence[str],
    *,
    item_ids: Sequence[int] | None = None,
    batch_ids: Sequence[int] | None = None,
    reset_attempts: bool = False,
) -> list[tuple[int, str, int]]:
    """Bulk move (pause, resume, cancel, retry); returns ``(id, old state, size)`` of each item that moved."""
    scope, params = _scope_sql(batch_ids)
    where = f"state IN ({', '.join('?' * len(from_states))}){scope}"
    params = [*from_states, *params]
    moved: list[tuple[int, str, int]] = []
    if item_ids is not None:
        ids = [int(i) for i in item_ids]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            moved += [
                (r[0], r[1], r[2])
                for r in conn.execute(
                    f"SELECT id, state, size FROM upload_item WHERE {where} AND id IN ({', '.join('?' * len(chunk))})",
                    (*params, *chunk),
                )
            ]
    else:
        moved = [
            (r[0], r[1], r[2]) for r in conn.execute(f"SELECT id, state, size FROM upload_item WHERE {where}", params)
        ]
    extra = ", attempts = 0, last_error = NULL" if reset_attempts else ""
    for start in range(0, len(moved), 500):
        chunk = [m[0] for m in moved[start : start + 500]]
        conn.execute(
            f"UPDATE upload_item SET state = ?, updated = ?{extra} WHERE id IN ({', '.join('?' * len(chunk))})",
            (to_state, time.time(), *chunk),
        )
    return moved


def set_states(
    conn: sqlite3.Connection,
    to_state: str,
    from_states: Sequence[str],
    *,
    item_ids: Sequence[int] | None = None,
    batch_ids: Sequence[int] | None = None,
    reset_attempts: bool = False,
) -> list[int]:
    """Like :func:`change_states`; returns just the ids that moved."""
    return [
        m[0]
        for m in change_states(
            conn, to_state, from_states, item_ids=item_ids, batch_ids=batch_ids, reset_attempts=reset_attempts
        )
    ]


def ids_in_state(conn: sqlite3.Connection, state: str, batch_ids: Sequence[int] | None = None) -> list[int]:
    """The ids of the items in ``state`` (within ``batch_ids`` when given), oldest first."""
    scope, params = _scope_sql(batch_ids)
    return [
        row[0]
        for row in conn.execute(f"SELECT id FROM upload_item WHERE state = ?{scope} ORDER BY id", [state, *params])
    ]


def items_by_id(conn: sqlite3.Connection, item_ids: Sequence[int]) -> list[Item]:
    marks = ", ".join("?" * len(item_ids))
    rows = conn.execute(f"SELECT {ITEM_COLUMNS} FROM upload_item WHERE id IN ({marks}) ORDER BY id", list(item_ids))
    return [Item.from_row(r) for r in rows]


def unclaim(conn: sqlite3.Connection, item_ids: Sequence[int]) -> None:
    """Claimed items that never started go back to the queue as they were."""
    conn.executemany(
        "UPDATE upload_item SET state = ? WHERE id = ? AND state = ?", [(QUEUED, i, CHECKING) for i in item_ids]
    )


def settle_interrupted(conn: sqlite3.Connection, item_id: int, state: str, verify: bool, message: str | None) -> bool:
    """An item in flight that was paused, cancelled or stopped takes ``state``; False if it was no longer in flight."""
    cur = conn.execute(
        "UPDATE upload_item SET state = ?, verify = ?, last_error = ?, updated = ? WHERE id = ? AND state IN (?, ?, ?)",
        (state, int(verify), message, time.time(), item_id, QUEUED, CHECKING, UPLOADING),
    )
    return cur.rowcount == 1


def clear_verify(conn: sqlite3.Connection, item_id: int) -> None:
    conn.execute("UPDATE upload_item SET verify = 0 WHERE id = ?", (item_id,))


def photos_of_others(conn: sqlite3.Connection, photo_ids: Sequence[int], item_id: int) -> set[int]:
    """Which of these photos another item (not ``item_id``) was recorded as uploaded with."""
    marks = ", ".join("?" * len(photo_ids))
    return {
        row[0]
        for row in conn.execute(
            f"SELECT photo_id FROM upload_item WHERE photo_id IN ({marks}) AND id != ? AND state = ?",
            (*photo_ids, item_id, DONE),
        )
    }


def recover_interrupted(conn: sqlite3.Connection) -> dict[int, float]:
    """Crash leftovers back to the queue (see :func:`recover_in_flight`): id -> when last saved."""
    saved = {
        row[0]: row[1]
        for row in conn.execute("SELECT id, updated FROM upload_item WHERE state IN (?, ?)", (CHECKING, UPLOADING))
    }
    recover_in_flight(conn)
    return saved


# -- pages for the queue's list (the GUI's lazy model) -------------------------------


def _where(states: Sequence[str] | None) -> tuple[str, list[Any]]:
    if states is None:
        return "", []
    return f" WHERE state IN ({', '.join('?' * len(states))})", list(states)


def read_page(
    conn: sqlite3.Connection, states: Sequence[str] | None, offset: int, limit: int
) -> tuple[list[Item], dict[int, str | None]]:
    """``limit`` items from ``offset`` (in id order), and the labels of their batches."""
    where, params = _where(states)
    rows = conn.execute(
        f"SELECT id, batch_id, path, name, size, mtime_ns, event_id, album_id, rel_album_path, state, attempts, "
        f"last_error, photo_id, bytes_sent, updated, verify FROM upload_item{where} ORDER BY id LIMIT ? OFFSET ?",
        (*params, limit, offset),
    ).fetchall()
    items = [Item.from_row(r) for r in rows]
    batch_ids = sorted({i.batch_id for i in items})
    labels: dict[int, str | None] = {}
    if batch_ids:
        marks = ", ".join("?" * len(batch_ids))
        labels = {
            r[0]: r[1] for r in conn.execute(f"SELECT id, label FROM upload_batch WHERE id IN ({marks})", batch_ids)
        }
    return items, labels


def read_ids(conn: sqlite3.Connection, states: Sequence[str] | None, offset: int, limit: int) -> list[int]:
    """The ids of ``limit`` items from ``offset`` (in id order)."""
    where, params = _where(states)
    return [
        r[0]
        for r in conn.execute(
            f"SELECT id FROM upload_item{where} ORDER BY id LIMIT ? OFFSET ?", (*params, limit, offset)
        )
    ]
