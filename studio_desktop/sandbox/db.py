"""The sandbox's SQLite store: schema, one shared connection, transactions, and its clock.

One connection serves every thread (the server's loop and worker threads, and
the tests calling hooks); a re-entrant lock serialises its use, which is cheap
because every statement here is small. Photo counts are kept by triggers so that
lists of thousands of events never count rows.

IDs come from AUTOINCREMENT sequences started at realistic, distinct values:
deleted IDs are never reused (clients cache them), and an event ID passed as an
album ID finds nothing instead of a wrong row. Photo IDs are drawn at random
from a wide range below 2**31 (so nobody can walk the studio's photos by
counting; every ID ever given is remembered, so none is given twice), and
``photos.seq`` keeps upload order.

The database holds tokens and sessions in plain text: its folder is 0700 and its
files 0600 on POSIX (see :mod:`.files`).
"""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from studio_desktop.sandbox.files import private_database

SCHEMA_VERSION = "4"

ID_STARTS = {
    "brands": 48_200,
    "event_defaults": 91_000,
    "watermarks": 27_300,
    "categories": 6_100,
    "contacts": 7_340_000,
    "events": 3_141_000,
    "albums": 12_650_000,
    "gallery_visitors": 5_000,
    "mobile_apps": 63_000,
    "orders": 2_210_000,
    "invoices": 418_000,
}
PHOTO_IDS = range(981_200_000, 2**31 - 1)

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE studio (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL, first_name TEXT, last_name TEXT, subdomain TEXT,
    plan_type TEXT NOT NULL, photos_allowed INTEGER, photos_used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL DEFAULT '');
CREATE TABLE brands (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL, is_default INTEGER NOT NULL DEFAULT 0, is_active INTEGER NOT NULL DEFAULT 1,
    subdomain TEXT UNIQUE, custom_domain TEXT, locale TEXT NOT NULL DEFAULT 'en_US',
    website TEXT, email TEXT, phone TEXT,
    address_1 TEXT, address_2 TEXT, city TEXT, state TEXT, state_other TEXT, country TEXT, zip_postal TEXT,
    watermark_new_uploads INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE event_defaults (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_id INTEGER NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
    name TEXT NOT NULL, is_default INTEGER NOT NULL DEFAULT 0,
    access_level TEXT, password TEXT, expiration_days INTEGER, category_id INTEGER
);
CREATE TABLE watermarks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_id INTEGER NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
    name TEXT NOT NULL, is_default INTEGER NOT NULL DEFAULT 0, text TEXT NOT NULL
);
CREATE TABLE categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL, display_order INTEGER NOT NULL, cover_photo_id INTEGER
);
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_id INTEGER NOT NULL REFERENCES brands(id),
    first_name TEXT NOT NULL, last_name TEXT, email TEXT NOT NULL, phone TEXT,
    business_name TEXT, notes TEXT, third_party_id TEXT,
    address_id INTEGER, street_line_1 TEXT, street_line_2 TEXT, city TEXT,
    state_province TEXT, postal_code TEXT, country TEXT,
    tags TEXT NOT NULL DEFAULT '[]', created TEXT NOT NULL
);
CREATE UNIQUE INDEX contacts_brand_email ON contacts(brand_id, email COLLATE NOCASE);
CREATE INDEX contacts_email ON contacts(email COLLATE NOCASE);
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_id INTEGER NOT NULL REFERENCES brands(id),
    name TEXT NOT NULL, password TEXT, access_level TEXT NOT NULL DEFAULT 'private_no_password',
    category_id INTEGER REFERENCES categories(id) ON DELETE SET NULL,
    is_archived INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'Active',
    url_slug TEXT UNIQUE, created TEXT NOT NULL, event_date TEXT, release_date TEXT,
    gallery_expiration_date TEXT,
    contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    last_updated TEXT NOT NULL,
    cover_photo_id INTEGER REFERENCES photos(id) ON DELETE SET NULL, cover_version INTEGER,
    photo_count INTEGER NOT NULL DEFAULT 0, brand_event_default_id INTEGER
);
CREATE INDEX events_brand ON events(brand_id);
CREATE INDEX events_contact ON events(contact_id);
CREATE TABLE albums (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES albums(id) ON DELETE CASCADE,
    name TEXT NOT NULL, password TEXT, display_order INTEGER NOT NULL,
    cover_photo_id INTEGER REFERENCES photos(id) ON DELETE SET NULL, cover_version INTEGER,
    photo_count INTEGER NOT NULL DEFAULT 0, created TEXT NOT NULL
);
CREATE INDEX albums_event ON albums(event_id, parent_id);
CREATE INDEX albums_parent ON albums(parent_id);
CREATE TABLE photos (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    album_id INTEGER REFERENCES albums(id) ON DELETE CASCADE,
    name TEXT NOT NULL, mime_type TEXT NOT NULL DEFAULT 'image/jpeg',
    width INTEGER NOT NULL, height INTEGER NOT NULL, size INTEGER,
    version INTEGER NOT NULL DEFAULT 1, generated INTEGER NOT NULL DEFAULT 0,
    watermark_id INTEGER REFERENCES watermarks(id) ON DELETE SET NULL,
    created TEXT NOT NULL, seq INTEGER NOT NULL UNIQUE
);
CREATE INDEX photos_event ON photos(event_id, seq);
CREATE INDEX photos_event_name ON photos(event_id, name);
CREATE INDEX photos_album ON photos(album_id, seq);
CREATE TABLE photo_ids_given (id INTEGER PRIMARY KEY);
CREATE INDEX photos_album_name ON photos(album_id, name);
CREATE TABLE event_emails (
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    email TEXT NOT NULL COLLATE NOCASE, added TEXT NOT NULL,
    PRIMARY KEY (event_id, email)
);
CREATE TABLE gallery_visitors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    email TEXT NOT NULL COLLATE NOCASE, date_accessed TEXT NOT NULL,
    cart_items INTEGER NOT NULL DEFAULT 0, downloads INTEGER NOT NULL DEFAULT 0,
    orders INTEGER NOT NULL DEFAULT 0, num_hidden_photos INTEGER NOT NULL DEFAULT 0,
    UNIQUE (event_id, email)
);
CREATE TABLE visitor_favorites (
    visitor_id INTEGER NOT NULL REFERENCES gallery_visitors(id) ON DELETE CASCADE,
    photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    PRIMARY KEY (visitor_id, photo_id)
);
CREATE TABLE visitor_labels (
    visitor_id INTEGER NOT NULL REFERENCES gallery_visitors(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    PRIMARY KEY (visitor_id, label, photo_id)
);
CREATE TABLE mobile_apps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_id INTEGER NOT NULL REFERENCES brands(id),
    event_id INTEGER REFERENCES events(id) ON DELETE SET NULL,
    name TEXT NOT NULL, num_installs INTEGER NOT NULL DEFAULT 0, num_views INTEGER NOT NULL DEFAULT 0,
    links TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE mobile_app_photos (
    app_id INTEGER NOT NULL REFERENCES mobile_apps(id) ON DELETE CASCADE,
    photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (app_id, photo_id)
);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id INTEGER REFERENCES events(id) ON DELETE SET NULL,
    event_name TEXT NOT NULL, order_date TEXT NOT NULL,
    status_id INTEGER NOT NULL, status_name TEXT NOT NULL,
    is_paid INTEGER NOT NULL, currency TEXT NOT NULL, grand_total REAL NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX orders_event ON orders(event_id);
CREATE TABLE invoices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_id INTEGER NOT NULL REFERENCES brands(id),
    contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    custom_invoice_id TEXT, status_id INTEGER NOT NULL, status_name TEXT NOT NULL,
    data TEXT NOT NULL, created TEXT NOT NULL, last_updated TEXT NOT NULL
);
CREATE TABLE tokens (
    token TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    client_id TEXT, scope TEXT NOT NULL,
    expires_at REAL, revoked INTEGER NOT NULL DEFAULT 0,
    pair TEXT, demo INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL
);
CREATE TABLE oauth_codes (
    code TEXT PRIMARY KEY, client_id TEXT NOT NULL, redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL, expires_at REAL NOT NULL, used INTEGER NOT NULL DEFAULT 0
);

CREATE TRIGGER photos_counted_in AFTER INSERT ON photos BEGIN
    UPDATE events SET photo_count = photo_count + 1 WHERE id = NEW.event_id;
    UPDATE albums SET photo_count = photo_count + 1 WHERE id = NEW.album_id;
    UPDATE studio SET photos_used = photos_used + 1;
END;
CREATE TRIGGER photos_counted_out AFTER DELETE ON photos BEGIN
    UPDATE events SET photo_count = photo_count - 1 WHERE id = OLD.event_id;
    UPDATE albums SET photo_count = photo_count - 1 WHERE id = OLD.album_id;
    UPDATE studio SET photos_used = photos_used - 1;
END;
CREATE TRIGGER photos_moved AFTER UPDATE OF album_id ON photos
WHEN OLD.album_id IS NOT NEW.album_id BEGIN
    UPDATE albums SET photo_count = photo_count - 1 WHERE id = OLD.album_id;
    UPDATE albums SET photo_count = photo_count + 1 WHERE id = NEW.album_id;
END;
"""


def create_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(SCHEMA)
    conn.executemany(
        "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
        [(table, start - 1) for table, start in ID_STARTS.items()],
    )
    conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,))


def new_photo_key(c: sqlite3.Connection) -> tuple[int, int]:
    """(id, seq) for a photo about to be inserted in this transaction: a random, never-given ID, next in order."""
    seq = c.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM photos").fetchone()[0]
    while True:
        photo_id = PHOTO_IDS[secrets.randbelow(len(PHOTO_IDS))]
        if c.execute("INSERT OR IGNORE INTO photo_ids_given (id) VALUES (?)", (photo_id,)).rowcount:
            return photo_id, seq


class Clock:
    """Wall time plus an offset that tests can advance (token expiry without sleeping)."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds

    def now(self) -> float:
        with self._lock:
            return time.time() + self._offset

    def stamp(self) -> str:
        """The API's date format: UTC ``YYYY-MM-DD HH:MM:SS``."""
        return datetime.fromtimestamp(self.now(), tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


class Database:
    """One SQLite connection shared by all threads, serialised by a re-entrant lock."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.RLock()
        private_database(path)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._depth = 0

    @contextlib.contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (nested uses join the outer one)."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._conn
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self._conn
            except BaseException:
                self._depth = 0
                self._conn.execute("ROLLBACK")
                raise
            self._depth = 0
            self._conn.execute("COMMIT")

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._conn

    def meta(self, key: str) -> str | None:
        with self.read() as c:
            row = c.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.tx() as c:
            c.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()
