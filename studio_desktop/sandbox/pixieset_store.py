"""SQLite state of the sandbox's Pixieset Studio.

One connection shared by uvicorn's thread and whoever built the sandbox,
serialised by a lock: every statement is short, so a lock is simpler and
faster than a connection per thread.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from studio_desktop.sandbox.files import SQLITE_SUFFIXES, private_database, private_folder
from studio_desktop.sandbox.pixieset_demo import build_demo

SCHEMA_VERSION = 1

PERSON_COLUMNS = (
    "id",
    "seq",
    "email",
    "first_name",
    "last_name",
    "phone",
    "company",
    "job_title",
    "address_line_1",
    "address_line_2",
    "city",
    "postal_code",
    "state",
    "country_id",
    "notes",
    "avatar_color",
    "created_at",
    "sample",
    "type",
    "status_id",
)
COLLECTION_COLUMNS = (
    "id",
    "client_id",
    "name",
    "slug",
    "status",
    "photo_count",
    "video_count",
    "event_date",
    "url",
    "created_at",
)
DOCUMENT_COLUMNS = (
    "id",
    "client_id",
    "type",
    "title",
    "number",
    "status",
    "amount",
    "currency",
    "due_date",
    "created_at",
    "gift_card_activities",
)

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS people (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL, email TEXT, first_name TEXT, last_name TEXT,
    phone TEXT, company TEXT, job_title TEXT, address_line_1 TEXT, address_line_2 TEXT,
    city TEXT, postal_code TEXT, state TEXT, country_id INTEGER, notes TEXT,
    avatar_color INTEGER, created_at TEXT NOT NULL, sample INTEGER NOT NULL DEFAULT 0,
    type TEXT NOT NULL, status_id INTEGER NOT NULL DEFAULT 1,
    search TEXT NOT NULL, sort_name TEXT NOT NULL, email_key TEXT
);
CREATE INDEX IF NOT EXISTS people_created ON people (created_at DESC, seq DESC);
CREATE INDEX IF NOT EXISTS people_email ON people (email_key);
CREATE TABLE IF NOT EXISTS collections (
    id INTEGER PRIMARY KEY, client_id TEXT NOT NULL REFERENCES people(id), name TEXT NOT NULL,
    slug TEXT NOT NULL, status TEXT NOT NULL, photo_count INTEGER NOT NULL, video_count INTEGER NOT NULL,
    event_date TEXT, url TEXT, created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS collections_client ON collections (client_id);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL REFERENCES people(id), type TEXT NOT NULL,
    title TEXT NOT NULL, number TEXT, status TEXT NOT NULL, amount INTEGER, currency TEXT,
    due_date TEXT, created_at TEXT NOT NULL, gift_card_activities TEXT
);
CREATE INDEX IF NOT EXISTS documents_client ON documents (client_id);
PRAGMA user_version = {SCHEMA_VERSION};
"""

_FOLD = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "æ": "ae", "œ": "oe", "þ": "th", "ı": "i"})


def fold(text: str) -> str:
    """Lower-case, accent-free text, so that "zoe" finds "Zoë" and "lukasz" finds "Łukasz"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _derived(person: Mapping[str, Any]) -> tuple[str, str, str | None]:
    """The search text, sort key and unique-email key of a person."""
    phone = person.get("phone") or ""
    parts = [
        person.get("first_name"),
        person.get("last_name"),
        person.get("email"),
        person.get("company"),
        phone,
        re.sub(r"\D", "", phone),
    ]
    search = " " + fold(" ".join(part for part in parts if part)) + " "
    sort_name = fold(
        " ".join(part for part in (person.get("first_name"), person.get("last_name"), person.get("email")) if part)
    )
    email = person.get("email")
    return search, sort_name, email.casefold() if email else None


def _like(token: str) -> str:
    return "%" + token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class PixiesetStore:
    def __init__(self, path: Path, *, seed: str, reset: bool = False):
        self.path = Path(path)
        private_folder(self.path.parent)
        if reset or (self.path.exists() and self._version() != SCHEMA_VERSION):
            # Sandbox data is disposable: an older layout is replaced, not migrated.
            for suffix in SQLITE_SUFFIXES:
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        fresh = not self.path.exists()
        private_database(self.path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        with self._lock:
            self._db.executescript(_SCHEMA)
            if fresh and seed == "demo":
                self._seed_demo()

    def _version(self) -> int:
        try:
            with contextlib.closing(sqlite3.connect(self.path)) as db:
                version: int = db.execute("PRAGMA user_version").fetchone()[0]
                return version
        except sqlite3.DatabaseError:
            return -1

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _seed_demo(self) -> None:
        demo = build_demo()
        rows = []
        for row in demo.people:
            person = dict(zip(PERSON_COLUMNS, row, strict=True))
            rows.append((*row, *_derived(person)))
        marks = ", ".join("?" * (len(PERSON_COLUMNS) + 3))
        self._db.execute("BEGIN")
        self._db.executemany(
            f"INSERT INTO people ({', '.join(PERSON_COLUMNS)}, search, sort_name, email_key) VALUES ({marks})", rows
        )
        self._db.executemany(
            f"INSERT INTO collections VALUES ({', '.join('?' * len(COLLECTION_COLUMNS))})", demo.collections
        )
        self._db.executemany(f"INSERT INTO documents VALUES ({', '.join('?' * len(DOCUMENT_COLUMNS))})", demo.documents)
        self._db.execute("COMMIT")

    # -- meta ---------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- people -------------------------------------------------------------------------
    def _where(self, types: Iterable[str] | None, tokens: Iterable[str] = ()) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        types = list(types or [])
        if types:
            clauses.append(f"type IN ({', '.join('?' * len(types))})")
            params.extend(types)
        for token in tokens:
            clauses.append("search LIKE ? ESCAPE '\\'")
            params.append(_like(token))
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def list_people(self, types: Iterable[str] | None, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        where, params = self._where(types)
        with self._lock:
            total = self._db.execute(f"SELECT COUNT(*) FROM people{where}", params).fetchone()[0]
            rows = self._db.execute(
                f"SELECT * FROM people{where} ORDER BY created_at DESC, seq DESC LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
        return [dict(row) for row in rows], total

    def search_people(
        self, query: str, types: Iterable[str] | None, offset: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        where, params = self._where(types, fold(query).split())
        with self._lock:
            total = self._db.execute(f"SELECT COUNT(*) FROM people{where}", params).fetchone()[0]
            rows = self._db.execute(
                f"SELECT * FROM people{where} ORDER BY sort_name, seq LIMIT ? OFFSET ?", [*params, limit, offset]
            ).fetchall()
        return [dict(row) for row in rows], total

    def all_people(self, types: Iterable[str] | None) -> list[dict[str, Any]]:
        where, params = self._where(types)
        with self._lock:
            rows = self._db.execute(
                f"SELECT * FROM people{where} ORDER BY created_at DESC, seq DESC", params
            ).fetchall()
        return [dict(row) for row in rows]

    def get_person(self, person_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM people WHERE id = ?", (person_id,)).fetchone()
        return dict(row) if row else None

    def email_taken(self, email: str, *, except_id: str | None = None) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM people WHERE email_key = ? AND id IS NOT ?", (email.casefold(), except_id)
            ).fetchone()
        return row is not None

    def insert_person(self, person: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            seq = self._db.execute("SELECT COALESCE(MAX(seq), -1) + 1 FROM people").fetchone()[0]
            values = {**{column: None for column in PERSON_COLUMNS}, **person, "seq": seq}
            row = [values[column] for column in PERSON_COLUMNS]
            marks = ", ".join("?" * (len(PERSON_COLUMNS) + 3))
            self._db.execute(
                f"INSERT INTO people ({', '.join(PERSON_COLUMNS)}, search, sort_name, email_key) VALUES ({marks})",
                (*row, *_derived(values)),
            )
            return dict(self._db.execute("SELECT * FROM people WHERE id = ?", (values["id"],)).fetchone())

    def update_person(self, person_id: str, changes: Mapping[str, Any]) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM people WHERE id = ?", (person_id,)).fetchone()
            if row is None:
                return None
            merged = {**dict(row), **changes}
            columns = [column for column in changes if column in PERSON_COLUMNS and column not in ("id", "seq")]
            search, sort_name, email_key = _derived(merged)
            assignments = ", ".join(f"{column} = ?" for column in columns)
            self._db.execute(
                f"UPDATE people SET {assignments + ', ' if assignments else ''}"
                "search = ?, sort_name = ?, email_key = ? WHERE id = ?",
                [*(changes[column] for column in columns), search, sort_name, email_key, person_id],
            )
            return dict(self._db.execute("SELECT * FROM people WHERE id = ?", (person_id,)).fetchone())

    # -- collections and documents -----------------------------------------------------
    def collections(self, client_id: str, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        with self._lock:
            total = self._db.execute("SELECT COUNT(*) FROM collections WHERE client_id = ?", (client_id,)).fetchone()[0]
            rows = self._db.execute(
                "SELECT * FROM collections WHERE client_id = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                (client_id, limit, offset),
            ).fetchall()
        return [dict(row) for row in rows], total

    def documents(self, client_id: str, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        with self._lock:
            total = self._db.execute("SELECT COUNT(*) FROM documents WHERE client_id = ?", (client_id,)).fetchone()[0]
            rows = self._db.execute(
                "SELECT * FROM documents WHERE client_id = ? ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
                (client_id, limit, offset),
            ).fetchall()
        return [dict(row) for row in rows], total
