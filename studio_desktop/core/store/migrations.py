"""The schema version ladder: each :class:`Migration` takes the store one version up.

``PRAGMA user_version`` is the schema version; :class:`~.connection.Store` runs
each step in its own transaction together with the version bump.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Sequence
from typing import NamedTuple

from studio_desktop.core.store import schema


class Migration(NamedTuple):
    """One step of the schema: ``statements`` (SQL, run in order) or a function given the connection.

    A named tuple: ~0.1 ms to define against ~0.8 ms for a frozen dataclass, on every start.
    """

    version: int
    description: str
    steps: Sequence[str] | Callable[[sqlite3.Connection], None]

    def apply(self, conn: sqlite3.Connection) -> None:
        if callable(self.steps):
            self.steps(conn)
        else:
            for statement in self.steps:
                conn.execute(statement)


# Patterns as text, compiled (and cached by re) only when a store is migrated: not on every start.
_TABLE_NAME = r"""CREATE\s+TABLE\s+(["'`]?)upload_item\1"""
_STATE_CHECK = r"CHECK\s*\(\s*state\s+IN\s*\([^)]*\)\s*\)"


def _widen_states(states: Sequence[str], version: int) -> Callable[[sqlite3.Connection], None]:
    """Let upload_item hold ``states``. SQLite cannot change a CHECK, so the table is copied into a new one."""

    def widen(conn: sqlite3.Connection) -> None:
        (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'upload_item'").fetchone()
        new_sql, found = re.subn(_STATE_CHECK, schema.state_check(states), sql, count=1, flags=re.IGNORECASE)
        if not found:
            raise sqlite3.DatabaseError("upload_item has no state check to widen")
        copy = f"upload_item_v{version}"
        # After a rename SQLite keeps the name quoted: CREATE TABLE "upload_item".
        new_sql = re.sub(_TABLE_NAME, f"CREATE TABLE {copy}", new_sql, count=1, flags=re.IGNORECASE)
        conn.execute(new_sql)
        conn.execute(f"INSERT INTO {copy} SELECT * FROM upload_item")
        conn.execute("DROP TABLE upload_item")
        conn.execute(f"ALTER TABLE {copy} RENAME TO upload_item")
        for statement in schema.UPLOAD_ITEM_INDEXES:
            conn.execute(statement)

    return widen


MIGRATIONS: list[Migration] = [
    Migration(1, "upload queue, upload ledger and album map", schema.UPLOADS_V1),
    Migration(2, "hot folders", schema.HOT_FOLDERS_V2),
    Migration(3, "contacts cache", schema.CONTACT_CACHE_V3),
    Migration(
        4,
        "content hash and name in the upload ledger, photo ids seen before an item's first send",
        schema.LEDGER_HASH_V4,
    ),
    Migration(5, "a 'skipped' upload state for files that are not photos", _widen_states(schema.UPLOAD_STATES_V5, 5)),
    Migration(
        6, "a 'filtered' upload state for photos the picks filter left out", _widen_states(schema.UPLOAD_STATES, 6)
    ),
    Migration(7, "picks filter and resizing per hot folder", schema.HOT_FOLDER_SHAPE_V7),
]


def latest_version(migrations: Sequence[Migration] | None = None) -> int:
    migrations = MIGRATIONS if migrations is None else migrations
    return migrations[-1].version if migrations else 0


def check_order(migrations: Sequence[Migration]) -> None:
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise RuntimeError(
                "store migrations must be numbered 1, 2, 3... in order; "
                f"found {migration.version} at position {expected}"
            )
