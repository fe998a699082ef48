"""A store written by an older version is backed up, then migrated, and keeps every row."""

from __future__ import annotations

import sqlite3

import pytest

from studio_desktop.core import store as store_module
from studio_desktop.core.store import MIGRATIONS, Store, StoreError, StoreTooNewError, latest_version
from studio_desktop.uploads.records import ledger
from studio_desktop.uploads.records import queue as q

# The schema as version 1 of the app shipped it, written out here on purpose: the
# test must keep describing old files even if someone edits the migrations.
SCHEMA_V1 = (
    """
    CREATE TABLE upload_batch (
        id INTEGER PRIMARY KEY, created REAL NOT NULL, event_id INTEGER NOT NULL, album_id INTEGER,
        options TEXT NOT NULL DEFAULT '{}', label TEXT
    )
    """,
    """
    CREATE TABLE upload_item (
        id INTEGER PRIMARY KEY,
        batch_id INTEGER NOT NULL REFERENCES upload_batch(id) ON DELETE CASCADE,
        path TEXT NOT NULL, name TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
        event_id INTEGER NOT NULL, album_id INTEGER, rel_album_path TEXT NOT NULL DEFAULT '[]',
        state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'checking', 'uploading', 'done',
            'duplicate', 'failed', 'cancelled', 'paused')),
        attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, photo_id INTEGER,
        bytes_sent INTEGER NOT NULL DEFAULT 0, updated REAL NOT NULL, verify INTEGER NOT NULL DEFAULT 0
    )
    """,
    "CREATE INDEX upload_item_by_state ON upload_item(state, id)",
    "CREATE INDEX upload_item_by_batch ON upload_item(batch_id, state)",
    "CREATE INDEX upload_item_by_path ON upload_item(path)",
    """
    CREATE TABLE upload_ledger (
        path TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, event_id INTEGER NOT NULL,
        album_id INTEGER NOT NULL DEFAULT 0, photo_id INTEGER, uploaded_at REAL NOT NULL,
        UNIQUE (path, size, mtime_ns, event_id, album_id)
    )
    """,
    """
    CREATE TABLE album_map (
        event_id INTEGER NOT NULL, parent_id INTEGER NOT NULL DEFAULT 0, name TEXT NOT NULL,
        album_id INTEGER NOT NULL, PRIMARY KEY (event_id, parent_id, name)
    )
    """,
)


def _make_v1_store(path) -> None:
    conn = sqlite3.connect(path)
    try:
        for statement in SCHEMA_V1:
            conn.execute(statement)
        conn.execute(
            "INSERT INTO upload_batch VALUES (1, 1700000000.0, 3141, NULL, '{\"label\": \"Wedding\"}', 'Smith wedding')"
        )
        conn.executemany(
            "INSERT INTO upload_item (id, batch_id, path, name, size, mtime_ns, event_id, album_id, rel_album_path,"
            " state, attempts, last_error, photo_id, bytes_sent, updated, verify)"
            " VALUES (?, 1, ?, ?, ?, ?, 3141, ?, ?, ?, ?, ?, ?, ?, 1700000001.0, ?)",
            [
                (
                    1,
                    "/shoots/smith/IMG_0001.jpg",
                    "IMG_0001.jpg",
                    5_000_000,
                    111,
                    None,
                    "[]",
                    "done",
                    1,
                    None,
                    9001,
                    5_000_000,
                    0,
                ),
                (
                    2,
                    "/shoots/smith/Ceremony/IMG_0002.jpg",
                    "IMG_0002.jpg",
                    6_000_000,
                    222,
                    77,
                    '["Ceremony"]',
                    "queued",
                    0,
                    None,
                    None,
                    0,
                    0,
                ),
                (
                    3,
                    "/shoots/smith/IMG_0003.jpg",
                    "IMG_0003.jpg",
                    7_000_000,
                    333,
                    None,
                    "[]",
                    "uploading",
                    2,
                    "timed out",
                    None,
                    1_048_576,
                    1,
                ),
            ],
        )
        conn.execute(
            "INSERT INTO upload_ledger VALUES ('/shoots/smith/IMG_0001.jpg', 5000000, 111, 3141, 0, 9001, 1700000002.0)"
        )
        conn.execute("INSERT INTO album_map VALUES (3141, 0, 'Ceremony', 77)")
        conn.execute("PRAGMA user_version = 1")
        conn.commit()
    finally:
        conn.close()


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def test_a_version_1_store_is_backed_up_then_migrated_with_its_data(tmp_path):
    path = tmp_path / "studio.sqlite3"
    _make_v1_store(path)

    with Store(path) as store:
        assert store.version == latest_version() > 1
        conn = store.connection()
        assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()

        # Every row is still there and the current code reads it.
        items = {item.id: item for item in q.items(conn)}
        assert items[1].state == q.DONE and items[1].photo_id == 9001
        assert items[2].state == q.QUEUED and items[2].album_id == 77 and items[2].rel_album_path == ("Ceremony",)
        assert items[3].state == q.UPLOADING and items[3].verify and items[3].last_error == "timed out"
        batch = q.get_batch(conn, 1)
        assert batch.label == "Smith wedding" and batch.options == {"label": "Wedding"}
        assert conn.execute("SELECT photo_id FROM upload_ledger").fetchall()[0][0] == 9001
        assert ledger.album_lookup(conn, 3141, None, "Ceremony") == 77

        # The tables later versions added exist, with their columns, and work.
        assert {"hot_folder", "contact_cache"} <= _tables(conn)
        assert {"folder", "event_id", "album_id", "mirror_folders", "enabled"} <= set(_columns(conn, "hot_folder"))
        assert {"account", "contact_id", "email", "data"} <= set(_columns(conn, "contact_cache"))
        with store.transaction(conn):
            conn.execute("INSERT INTO hot_folder (folder, event_id, created) VALUES ('/hot', 3141, 1.0)")
        assert tuple(conn.execute("SELECT after, settle FROM hot_folder").fetchone()) == ("leave", 1.0)

    # The backup is the store exactly as the old version left it.
    backup = tmp_path / "studio.sqlite3.bak-v1"
    assert backup.is_file()
    old = sqlite3.connect(backup)
    try:
        assert old.execute("PRAGMA user_version").fetchone()[0] == 1
        assert "hot_folder" not in _tables(old)
        assert old.execute("SELECT count(*) FROM upload_item").fetchone()[0] == 3
        assert old.execute("SELECT state FROM upload_item WHERE id = 3").fetchone()[0] == "uploading"
    finally:
        old.close()

    # Opening again changes nothing and makes no second backup.
    with Store(path) as store:
        assert store.version == latest_version()
    assert sorted(p.name for p in tmp_path.glob("studio.sqlite3.bak-*")) == ["studio.sqlite3.bak-v1"]


@pytest.mark.parametrize("old_version", range(1, latest_version()))
def test_every_older_version_migrates_after_a_backup(tmp_path, old_version):
    path = tmp_path / "studio.sqlite3"
    with Store(path, migrations=MIGRATIONS[:old_version]) as old:
        old.write_sync(
            lambda conn: conn.execute("INSERT INTO upload_batch (created, event_id, options) VALUES (1.0, 42, '{}')")
        )
    with Store(path) as store:
        assert store.version == latest_version()
        assert store.read_sync(
            lambda conn: [tuple(row) for row in conn.execute("SELECT event_id FROM upload_batch")]
        ) == [(42,)]
    assert (tmp_path / f"studio.sqlite3.bak-v{old_version}").is_file()


def test_a_new_store_needs_no_backup(tmp_path):
    with Store(tmp_path / "studio.sqlite3") as store:
        assert store.version == latest_version()
    assert not list(tmp_path.glob("*.bak-*"))


def test_a_store_from_a_newer_version_is_refused_untouched(tmp_path):
    path = tmp_path / "studio.sqlite3"
    _make_v1_store(path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(StoreTooNewError, match="newer version of Studio Desktop"):
        Store(path)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version() + 1
        assert "hot_folder" not in _tables(conn)
        assert conn.execute("SELECT count(*) FROM upload_item").fetchone()[0] == 3
    finally:
        conn.close()
    assert not list(tmp_path.glob("*.bak-*"))


def test_a_failing_migration_leaves_the_old_version_and_the_backup(tmp_path):
    path = tmp_path / "studio.sqlite3"
    _make_v1_store(path)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (id INTEGER)")
        raise sqlite3.OperationalError("disk I/O error")

    migrations = [*MIGRATIONS[:1], store_module.Migration(2, "broken", broken)]
    with pytest.raises(StoreError, match="disk I/O error"):
        Store(path, migrations=migrations, recover_damaged=False)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert "half_done" not in _tables(conn)
        assert conn.execute("SELECT count(*) FROM upload_item").fetchone()[0] == 3
    finally:
        conn.close()
    assert (tmp_path / "studio.sqlite3.bak-v1").is_file()


def test_a_version_5_store_keeps_its_skipped_rows_and_takes_left_out_ones(tmp_path):
    path = tmp_path / "studio.sqlite3"
    with Store(path, migrations=MIGRATIONS[:5]) as old:

        def fill(conn):
            batch = q.create_batch(conn, 42)
            q.add_items(
                conn, batch, [q.NewItem("/shoot/notes.txt", "notes.txt", error="A text file.", not_a_photo=True)]
            )

        old.write_sync(fill)
    with Store(path) as store:
        assert store.version == latest_version()

        def left_out(conn):
            q.add_items(
                conn,
                1,
                [q.NewItem("/shoot/a.jpg", "a.jpg", 10, 1, error="Left out by filter: rejected.", left_out=True)],
            )

        store.write_sync(left_out)
        rows = {i.name: (i.state, i.last_error) for i in q.iter_items(store)}
        assert rows == {
            "notes.txt": (q.SKIPPED, "A text file."),
            "a.jpg": (q.FILTERED, "Left out by filter: rejected."),
        }
        indexes = store.read_sync(
            lambda conn: {
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'upload_item'"
                )
            }
        )
        assert {"upload_item_by_state", "upload_item_by_batch", "upload_item_by_path"} <= indexes
