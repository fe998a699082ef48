"""The local store (schema versions, migrations, threads) and the upload queue's rows."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading

import pytest

from studio_desktop.core import store as store_module
from studio_desktop.core.store import MIGRATIONS, Migration, Store, StoreError, StoreTooNewError, latest_version
from studio_desktop.uploads.records import ledger
from studio_desktop.uploads.records import queue as q


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "studio.sqlite3") as opened:
        yield opened


def _tables(conn) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


# -- the store ---------------------------------------------------------------------------


def test_new_store_is_wal_at_latest_version_with_upload_tables(app_paths):
    with Store() as opened:
        assert opened.path == app_paths.store_file
        conn = opened.connection()
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version() == opened.version
        assert {"upload_batch", "upload_item", "upload_ledger", "album_map"} <= _tables(conn)
    assert not list(app_paths.data_dir.glob("*.bak-v*")), "a new store has nothing to back up"


def test_migrating_an_older_store_backs_it_up_first(tmp_path):
    path = tmp_path / "studio.sqlite3"
    with Store(path) as v1:
        batch = v1.write_sync(q.create_batch, 7, None, {}, "old data")
    old_version = latest_version()
    step = Migration(old_version + 1, "a later feature", ("CREATE TABLE later_feature (id INTEGER PRIMARY KEY)",))
    with Store(path, migrations=[*MIGRATIONS, step]) as newer:
        assert newer.version == old_version + 1
        assert "later_feature" in _tables(newer.connection())
        assert newer.read_sync(q.get_batch, batch).label == "old data"
    backup = tmp_path / f"studio.sqlite3.bak-v{old_version}"
    assert backup.exists()
    old = sqlite3.connect(backup)
    try:
        assert old.execute("PRAGMA user_version").fetchone()[0] == old_version
        assert "later_feature" not in _tables(old)
        assert old.execute("SELECT label FROM upload_batch").fetchone()[0] == "old data"
    finally:
        old.close()


def test_a_failing_migration_leaves_the_old_version(tmp_path):
    path = tmp_path / "studio.sqlite3"
    Store(path).close()

    def broken(conn):
        conn.execute("CREATE TABLE half_done (id INTEGER)")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        Store(path, migrations=[*MIGRATIONS, Migration(latest_version() + 1, "broken", broken)])
    with Store(path) as reopened:
        assert reopened.version == latest_version()
        assert "half_done" not in _tables(reopened.connection())


def test_a_store_from_a_newer_app_refuses_to_open(tmp_path):
    path = tmp_path / "studio.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreTooNewError, match="newer version of Studio Desktop"):
        Store(path)
    assert path.exists(), "the newer store is left alone"


def test_migrations_must_be_numbered_in_order(tmp_path):
    with pytest.raises(RuntimeError, match="in order"):
        Store(tmp_path / "s.sqlite3", migrations=[*MIGRATIONS, Migration(latest_version() + 2, "gap", ())])


def test_a_damaged_store_is_moved_aside_and_a_new_one_started(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.core.store")  # "the local store ... was damaged"
    path = tmp_path / "studio.sqlite3"
    path.write_bytes(b"this is not a database at all" * 100)
    with Store(path) as fresh:
        assert fresh.version == latest_version()
    aside = list(tmp_path.glob("studio.sqlite3.damaged-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not")
    assert "damaged" in caplog.text


def test_a_damaged_store_without_recovery_is_a_plain_error(tmp_path):
    path = tmp_path / "studio.sqlite3"
    path.write_bytes(b"garbage" * 1000)
    with pytest.raises(StoreError, match="cannot be opened"):
        Store(path, recover_damaged=False)


def test_writes_run_on_one_writer_thread_and_reads_see_them(store):
    seen: list[str] = []

    def write(conn, label):
        seen.append(threading.current_thread().name)
        return q.create_batch(conn, 1, None, {}, label)

    async def main():
        ids = await asyncio.gather(*(store.write(write, f"b{i}") for i in range(20)))
        labels = await store.read(lambda conn: [b.label for b in q.list_batches(conn)])
        return ids, labels

    ids, labels = asyncio.run(main())
    assert len(set(ids)) == 20
    assert sorted(labels) == sorted(f"b{i}" for i in range(20))
    assert len(set(seen)) == 1 and seen[0].startswith("store-writer")
    assert threading.current_thread().name not in seen


def test_a_failed_write_rolls_back(store):
    def half(conn):
        q.create_batch(conn, 1, None, {}, "never")
        raise ValueError("nope")

    with pytest.raises(ValueError):
        store.write_sync(half)
    assert store.read_sync(q.list_batches) == []


def test_writes_queued_together_commit_together_but_fail_alone(store):
    def create(conn, label):
        if label == "bad":
            q.create_batch(conn, 1, None, {}, "half-done")
            raise ValueError("refused")
        return q.create_batch(conn, 1, None, {}, label)

    async def main():
        return await asyncio.gather(
            *(store.write(create, label) for label in ["a", "b", "bad", "c", "d"]), return_exceptions=True
        )

    results = asyncio.run(main())
    assert isinstance(results[2], ValueError)
    labels = sorted(b.label for b in store.read_sync(q.list_batches))
    assert labels == ["a", "b", "c", "d"], "the failing write left nothing behind and took nothing with it"


def test_a_closed_store_refuses_new_writes(tmp_path):
    opened = Store(tmp_path / "s.sqlite3")
    opened.write_sync(q.create_batch, 1, None, {}, "kept")
    opened.close()
    with pytest.raises(StoreError, match="closed"):
        opened.write_sync(q.create_batch, 1, None, {}, "late")
    with Store(tmp_path / "s.sqlite3") as again:
        assert [b.label for b in again.read_sync(q.list_batches)] == ["kept"]


def test_write_sync_inside_a_write_joins_its_transaction(store):
    def outer(conn):
        first = q.create_batch(conn, 1, None, {}, "outer")
        second = store.write_sync(q.create_batch, 2, None, {}, "inner")
        return first, second

    first, second = store.write_sync(outer)
    assert {b.id for b in store.read_sync(q.list_batches)} == {first, second}


def test_the_migration_list_is_documented_for_later_features():
    doc = store_module.__doc__
    assert "MIGRATIONS.append(Migration(2" in doc
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


# -- the queue ------------------------------------------------------------------------------


def _new(path: str, size: int = 100, mtime: int = 1, rel=(), error=None, name=None) -> q.NewItem:
    return q.NewItem(
        path=path,
        name=name or path.rsplit("/", 1)[-1],
        size=size,
        mtime_ns=mtime,
        rel_album_path=tuple(rel),
        error=error,
    )


def test_add_items_and_page_through_queued(store):
    batch = store.write_sync(q.create_batch, 5, 9, {"mirror_folders": True}, "shoot")
    result = store.write_sync(
        q.add_items,
        batch,
        [_new(f"/p/IMG_{i:04d}.jpg", rel=("Day 1", "Ceremony")) for i in range(250)]
        + [_new("/p/notes.jpg", size=0, error="Not a JPEG.")],
    )
    assert (result.added, result.rejected, result.adopted) == (250, 1, 0)
    first = store.read_sync(q.next_queued, 0, 100)
    assert len(first) == 100 and first[0].name == "IMG_0000.jpg"
    assert first[0].rel_album_path == ("Day 1", "Ceremony") and first[0].album_id == 9 and first[0].event_id == 5
    rest = store.read_sync(q.next_queued, first[-1].id, 1000)
    assert len(rest) == 150
    counts = store.read_sync(q.counts)
    assert counts[q.QUEUED] == (250, 25000) and counts[q.FAILED] == (1, 0)
    failed = store.read_sync(lambda c: q.items(c, states=[q.FAILED]))
    assert failed[0].last_error == "Not a JPEG."
    assert store.read_sync(q.next_queued, 0, 10, []) == [], "an empty scope has nothing"


def test_adding_a_file_still_waiting_elsewhere_moves_it_instead_of_doubling_it(store):
    old = store.write_sync(q.create_batch, 5, None, {}, "killed run")
    store.write_sync(q.add_items, old, [_new("/p/a.jpg"), _new("/p/b.jpg"), _new("/p/c.jpg"), _new("/p/d.jpg")])
    a, b, c, d = store.read_sync(q.next_queued, 0, 10)
    store.write_sync(q.set_state, b.id, q.FAILED, last_error="boom", attempts=6)
    store.write_sync(q.record_uploaded, c, None, 42)
    store.write_sync(q.set_state, d.id, q.UPLOADING)
    new = store.write_sync(q.create_batch, 5, None, {}, "re-run")
    result = store.write_sync(
        q.add_items, new, [_new("/p/a.jpg"), _new("/p/b.jpg"), _new("/p/c.jpg"), _new("/p/d.jpg"), _new("/p/e.jpg")]
    )
    assert result.adopted == 3 and result.added == 2  # c was done: a new item (the ledger will skip it)
    by_path = {i.path: i for i in q.iter_items(store, batch_ids=[new])}
    assert by_path["/p/a.jpg"].id == a.id
    assert by_path["/p/b.jpg"].id == b.id and by_path["/p/b.jpg"].state == q.QUEUED
    assert by_path["/p/b.jpg"].attempts == 0 and by_path["/p/b.jpg"].last_error is None
    assert by_path["/p/d.jpg"].state == q.UPLOADING, "an upload in flight keeps its state"
    assert by_path["/p/c.jpg"].id != c.id
    assert [i.path for i in q.iter_items(store, batch_ids=[old])] == ["/p/c.jpg"]


def test_a_changed_file_or_another_target_is_not_adopted(store):
    old = store.write_sync(q.create_batch, 5, None, {}, None)
    store.write_sync(q.add_items, old, [_new("/p/a.jpg", size=1), _new("/p/b.jpg")])
    other_event = store.write_sync(q.create_batch, 6, None, {}, None)
    assert store.write_sync(q.add_items, other_event, [_new("/p/b.jpg")]).adopted == 0
    same_event = store.write_sync(q.create_batch, 5, None, {}, None)
    assert store.write_sync(q.add_items, same_event, [_new("/p/a.jpg", size=2)]).adopted == 0


def test_claim_is_compare_and_set(store):
    batch = store.write_sync(q.create_batch, 1, None, {}, None)
    store.write_sync(q.add_items, batch, [_new("/p/a.jpg")])
    item = store.read_sync(q.next_queued)[0]
    assert store.write_sync(q.claim, item.id) is True
    assert store.write_sync(q.claim, item.id) is False
    assert store.read_sync(q.get_item, item.id).state == q.CHECKING


def test_record_uploaded_writes_the_ledger_in_the_same_transaction(store):
    batch = store.write_sync(q.create_batch, 3, None, {}, None)
    store.write_sync(q.add_items, batch, [_new("/p/a.jpg", size=10, mtime=77)])
    item = store.read_sync(q.next_queued)[0]
    store.write_sync(q.record_uploaded, item, 12, 9001)
    done = store.read_sync(q.get_item, item.id)
    assert (done.state, done.photo_id, done.bytes_sent) == (q.DONE, 9001, 10)
    hit = store.read_sync(ledger.ledger_lookup, "/p/a.jpg", 10, 77, 3, 12)
    assert hit is not None and hit.photo_id == 9001
    assert store.read_sync(ledger.ledger_lookup, "/p/a.jpg", 10, 78, 3, 12) is None, "another version of the file"
    assert store.read_sync(ledger.ledger_lookup, "/p/a.jpg", 10, 77, 3, None) is None, "another target"
    store.write_sync(q.record_uploaded, item, 12, None)  # recording again never loses the id
    assert store.read_sync(ledger.ledger_lookup, "/p/a.jpg", 10, 77, 3, 12).photo_id == 9001


def test_ledger_records_name_and_hash_and_reads_them_back_every_way(store):
    store.write_sync(ledger.ledger_record, "/p/Cafe\u0301.jpg", 10, 77, 3, None, 501, "Cafe\u0301.jpg", None)
    store.write_sync(ledger.ledger_record, "/p/Cafe\u0301.jpg", 10, 77, 3, None, None, None, "ab" * 32)
    store.write_sync(ledger.ledger_record, "/p/b.jpg", 20, 88, 3, 12, 502, "b.jpg", "cd" * 32)
    root = store.read_sync(ledger.ledger_lookup, "/p/Cafe\u0301.jpg", 10, 77, 3, None)
    assert (root.album_id, root.photo_id, root.name, root.content_hash) == (0, 501, "Caf\u00e9.jpg", "ab" * 32), (
        "a re-record keeps the newest facts and never erases known ones; names are kept in NFC"
    )
    assert store.read_sync(ledger.ledger_by_hash, 3, None, "ab" * 32) == [root]
    assert store.read_sync(ledger.ledger_by_hash, 3, 12, "ab" * 32) == [], "another target"
    assert [e.photo_id for e in store.read_sync(ledger.ledger_by_hash, 3, 12, "cd" * 32)] == [502]
    paths = ["/p/Cafe\u0301.jpg", "/p/b.jpg", "/p/none.jpg"]
    everywhere = store.read_sync(ledger.ledger_for_paths, paths, 3, None)
    assert {p: [e.photo_id for e in found] for p, found in everywhere.items()} == {
        "/p/Cafe\u0301.jpg": [501],
        "/p/b.jpg": [502],
    }
    assert list(store.read_sync(ledger.ledger_for_paths, paths, 3, 0)) == ["/p/Cafe\u0301.jpg"], "the root only"
    assert store.read_sync(ledger.ledger_for_paths, paths, 4, None) == {}, "another event"


def test_ledger_rows_from_before_version_4_stay_readable(tmp_path):
    path = tmp_path / "studio.sqlite3"
    with Store(path, migrations=MIGRATIONS[:3]) as old:
        old.write_sync(
            lambda conn: conn.execute(
                "INSERT INTO upload_ledger (path, size, mtime_ns, event_id, album_id, photo_id, uploaded_at) "
                "VALUES ('/p/a.jpg', 10, 77, 3, 0, 9, 1.0)"
            )
        )
    with Store(path) as new:
        entry = new.read_sync(ledger.ledger_lookup, "/p/a.jpg", 10, 77, 3, None)
        assert (entry.photo_id, entry.name, entry.content_hash) == (9, None, None)


def test_recover_in_flight_requeues_with_verify(store):
    batch = store.write_sync(q.create_batch, 1, None, {}, None)
    store.write_sync(q.add_items, batch, [_new("/p/a.jpg"), _new("/p/b.jpg"), _new("/p/c.jpg")])
    a, b, c = store.read_sync(q.next_queued, 0, 10)
    store.write_sync(q.set_state, a.id, q.CHECKING)
    store.write_sync(q.set_state, b.id, q.UPLOADING)
    assert store.write_sync(q.recover_in_flight) == 2
    after = {i.id: i for i in q.iter_items(store)}
    assert after[a.id].state == after[b.id].state == q.QUEUED
    assert after[a.id].verify and after[b.id].verify and not after[c.id].verify


def test_bulk_state_changes_respect_scope_and_from_states(store):
    one = store.write_sync(q.create_batch, 1, None, {}, None)
    two = store.write_sync(q.create_batch, 1, None, {}, None)
    store.write_sync(q.add_items, one, [_new(f"/one/{i}.jpg") for i in range(3)])
    store.write_sync(q.add_items, two, [_new(f"/two/{i}.jpg") for i in range(3)])
    moved = store.write_sync(lambda c: q.set_states(c, q.PAUSED, (q.QUEUED,), batch_ids=[one]))
    assert len(moved) == 3
    assert store.read_sync(q.counts, [two])[q.QUEUED][0] == 3
    some = store.write_sync(lambda c: q.set_states(c, q.CANCELLED, (q.QUEUED,), item_ids=[moved[0], *moved]))
    assert some == [], "paused items are not queued"


def test_album_map_and_clear_finished(store):
    store.write_sync(ledger.album_remember, [(1, None, "Cafe\u0301", 10), (1, 10, "Day 2", 11)])
    assert store.read_sync(ledger.album_lookup, 1, None, "Café") == 10, "names compare in NFC"
    assert store.read_sync(ledger.album_lookup, 1, 10, "Day 2") == 11
    assert store.read_sync(ledger.album_lookup, 2, 10, "Day 2") is None
    store.write_sync(ledger.album_forget, 1)
    assert store.read_sync(ledger.album_lookup, 1, None, "Café") is None

    done = store.write_sync(q.create_batch, 1, None, {}, None)
    busy = store.write_sync(q.create_batch, 1, None, {}, None)
    failing = store.write_sync(q.create_batch, 1, None, {}, None)
    store.write_sync(
        q.add_items, done, [_new("/d/a.jpg"), q.NewItem("/d/n.txt", "n.txt", error="text", not_a_photo=True)]
    )
    store.write_sync(lambda c: q.set_states(c, q.DONE, (q.QUEUED,), batch_ids=[done]))
    store.write_sync(q.add_items, busy, [_new("/b/a.jpg")])
    store.write_sync(q.add_items, failing, [_new("/f/a.jpg", error="bad"), _new("/f/b.jpg")])
    store.write_sync(lambda c: q.set_states(c, q.DUPLICATE, (q.QUEUED,), batch_ids=[failing]))
    assert store.write_sync(q.clear_finished) == 3
    assert [b.id for b in store.read_sync(q.list_batches)] == [busy, failing]
    assert sorted((i.path, i.state) for i in q.iter_items(store)) == [("/b/a.jpg", q.QUEUED), ("/f/a.jpg", q.FAILED)]


def test_find_batch_option(store):
    store.write_sync(q.create_batch, 10, None, {"new_event": "Smith Wedding"}, None)
    store.write_sync(q.create_batch, 11, None, {"new_event": "Smith Wedding"}, None)
    assert store.read_sync(q.find_batch_option, "new_event", "Smith Wedding").event_id == 11
    assert store.read_sync(q.find_batch_option, "new_event", "Jones") is None


def test_with_dedup_files_the_ledger_knows_are_added_as_duplicates(store):
    seed = store.write_sync(q.create_batch, 5, None, {}, None)
    store.write_sync(q.add_items, seed, [_new("/p/a.jpg"), _new("/p/Day/b.jpg", rel=("Day",))])
    a, b = store.read_sync(q.next_queued, 0, 10)
    store.write_sync(ledger.album_remember, [(5, None, "Day", 30)])
    store.write_sync(q.record_uploaded, a, None, 101)
    store.write_sync(q.record_uploaded, b, 30, 102)

    batch = store.write_sync(q.create_batch, 5, None, {}, "again")
    entries = [
        _new("/p/a.jpg"),
        _new("/p/Day/b.jpg", rel=("Day",)),
        _new("/p/Day/c.jpg", rel=("Day",)),
        _new("/p/New/b.jpg", rel=("New",)),
    ]
    result = store.write_sync(q.add_items, batch, entries, dedup=True)
    assert [(i.path, i.photo_id) for i in result.duplicate_items] == [("/p/a.jpg", 101), ("/p/Day/b.jpg", 102)]
    assert result.added == 2
    rows = {i.path: i for i in q.iter_items(store, batch_ids=[batch])}
    assert rows["/p/a.jpg"].state == q.DUPLICATE
    assert rows["/p/a.jpg"].last_error == "Uploaded before from this file (photo 101)."
    assert rows["/p/Day/c.jpg"].state == rows["/p/New/b.jpg"].state == q.QUEUED
    without = store.write_sync(q.create_batch, 5, None, {}, "no dedup")
    assert store.write_sync(q.add_items, without, [_new("/p/a.jpg")]).duplicate_items == []
