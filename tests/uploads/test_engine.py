"""The upload engine against the sandbox studio over real HTTP, with real files."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import sys
import threading
import unicodedata
from pathlib import Path

import pytest
from imagegen import (
    chmod_blocks_reads,
    make_jpeg,
    make_png,
    make_sparse_jpeg,
    make_text_file,
    make_truncated_jpeg,
)

from studio_desktop.sandbox.server import SandboxServer
from studio_desktop.uploads import events as ev
from studio_desktop.uploads.records import ledger
from studio_desktop.uploads.records import queue as q

from .engine_support import client_for, items_of, new_event, photos, running, until


def states(seen, item_id: int) -> list[str]:
    return [e.state for e in seen if isinstance(e, ev.ItemStateChanged) and e.item_id == item_id]


# -- the happy path ------------------------------------------------------------------------


def test_uploads_folders_and_files_once_each_and_records_them(server, store, tmp_path):
    event_id = new_event(server)
    files = photos(tmp_path / "shoot", 6)
    single = make_jpeg(tmp_path / "extra" / "cover.jpg", size=(80, 60))

    async def main():
        async with running(server, store) as (engine, seen):
            batch = await engine.enqueue([tmp_path / "shoot", single], event_id, label="Smith")
            await engine.wait_idle()
            return batch, engine.snapshot(), engine.plan, seen

    batch, snapshot, plan, seen = asyncio.run(main())
    on_server = server.studio.photos(event_id)
    assert sorted(p.name for p in on_server) == sorted([f.name for f in files] + ["cover.jpg"])
    items = items_of(store, batch_ids=[batch])
    assert {i.state for i in items} == {q.DONE} and len(items) == 7
    by_name = {p.name: p for p in on_server}
    for item in items:
        assert item.photo_id == by_name[item.name].id
        entry = store.read_sync(ledger.ledger_lookup, item.path, item.size, item.mtime_ns, event_id, None)
        assert (entry.photo_id, entry.name) == (item.photo_id, item.name)
        assert entry.content_hash == hashlib.sha256(Path(item.path).read_bytes()).hexdigest(), (
            "the ledger keeps the sha256 of the bytes sent"
        )
    cover = next(i for i in items if i.name == "cover.jpg")
    assert server.studio.photo_file(cover.photo_id).read_bytes() == single.read_bytes()
    assert states(seen, cover.id) == [q.CHECKING, q.UPLOADING, q.DONE]
    progress = [e for e in seen if isinstance(e, ev.ItemProgress) and e.item_id == cover.id]
    assert progress and progress[-1].bytes_sent == progress[-1].size == single.stat().st_size
    finished = [e for e in seen if isinstance(e, ev.BatchFinished)]
    assert finished == [ev.BatchFinished(batch, {q.DONE: 7})]
    assert snapshot.files[q.DONE] == 7 and snapshot.pending_files == 0
    assert snapshot.bytes[q.DONE] == sum(f.stat().st_size for f in [*files, single])
    assert plan is not None and plan.photos_used == server.studio.plan()[0]
    assert server.studio.count_requests("sp.photo.upload") == 7


# -- dedup ---------------------------------------------------------------------------------


def test_photos_already_in_the_gallery_are_skipped_without_being_sent(server, store, tmp_path):
    event_id = new_event(server)
    files = photos(tmp_path / "shoot", 5)
    accented = make_jpeg(tmp_path / "shoot" / "Café.jpg")

    async def upload_elsewhere():
        async with client_for(server) as client:
            ids = {}
            for path in files[:3]:
                ids[path.name] = (await client.photo_upload(event_id, path)).photo_id
            # Uploaded from a Mac: the accent is decomposed (NFD) on the server.
            with accented.open("rb") as handle:
                ids["Café.jpg"] = (
                    await client.photo_upload(event_id, handle, file_name=unicodedata.normalize("NFD", "Café.jpg"))
                ).photo_id
            return ids

    existing = asyncio.run(upload_elsewhere())
    server.studio.clear_request_log()

    async def main():
        async with running(server, store) as (engine, _):
            batch = await engine.enqueue([tmp_path / "shoot"], event_id)
            await engine.wait_idle()
            return batch

    batch = asyncio.run(main())
    items = {i.name: i for i in items_of(store, batch_ids=[batch])}
    for name, photo_id in existing.items():
        assert items[name].state == q.DUPLICATE
        assert items[name].last_error == f"Already in the gallery as photo {photo_id}."
        assert items[name].photo_id == photo_id
    assert {items[f.name].state for f in files[3:]} == {q.DONE}
    assert server.studio.count_requests("sp.photo.upload") == 2, "duplicates are never sent"
    # Once before sending, once more by the check after sending (another computer's copy of a name).
    assert server.studio.count_requests("sp.event.get_photos") == 2, "the gallery's names are fetched once a side"
    assert server.studio.count_requests("sp.event.photo_exists") == 0
    assert server.studio.count_photos(event_id) == 6


def test_a_rerun_skips_everything_through_the_ledger_with_no_requests_at_all(server, store, tmp_path):
    event_id = new_event(server)
    photos(tmp_path / "shoot", 8)

    async def upload():
        async with running(server, store) as (engine, _):
            batch = await engine.enqueue([tmp_path / "shoot"], event_id)
            await engine.wait_idle()
            return batch

    first = asyncio.run(upload())
    server.studio.clear_request_log()
    second = asyncio.run(upload())
    assert server.studio.request_log == []
    again = items_of(store, batch_ids=[second])
    assert len(again) == 8 and {i.state for i in again} == {q.DUPLICATE}
    uploaded = {i.path: i.photo_id for i in items_of(store, batch_ids=[first])}
    for item in again:
        assert item.last_error == f"Uploaded before from this file (photo {uploaded[item.path]})."
    assert server.studio.count_photos(event_id) == 8


def test_a_rerun_reads_no_file_the_ledger_knows_only_new_and_changed_ones(server, store, tmp_path):
    event_id = new_event(server)
    shoot = tmp_path / "shoot"
    files = photos(shoot, 6)
    opened: list[str] = []

    def audit(event: str, args) -> None:  # cannot be removed; it only looks at this test's folder
        if event == "open" and args and str(args[0]).startswith(str(shoot)):
            opened.append(os.path.basename(str(args[0])))

    sys.addaudithook(audit)

    async def upload():
        async with running(server, store) as (engine, _):
            batch = await engine.enqueue([shoot], event_id)
            await engine.wait_idle()
            return batch

    asyncio.run(upload())
    assert set(opened) == {f.name for f in files}, "the first run validates and sends each"
    opened.clear()
    changed = make_jpeg(files[2], size=(80, 60))  # rewritten: not the version the ledger knows
    os.utime(changed, ns=(files[0].stat().st_atime_ns, files[0].stat().st_mtime_ns + 10**9))
    added = make_jpeg(shoot / "IMG_9999.jpg")
    second = asyncio.run(upload())
    assert sorted(set(opened)) == sorted({changed.name, added.name}), "a ledger hit is neither validated nor sent"
    states = {Path(i.path).name: i.state for i in items_of(store, batch_ids=[second])}
    assert {name: state for name, state in states.items() if name != changed.name} == {
        f.name: q.DUPLICATE for f in files if f != changed
    } | {added.name: q.DONE}


def test_same_name_in_another_album_is_not_a_duplicate_there(server, store, tmp_path):
    event_id = new_event(server)
    path = make_jpeg(tmp_path / "IMG_0001.jpg")

    async def prepare():
        async with client_for(server) as client:
            await client.photo_upload(event_id, path)
            return (await client.album_create(event_id, "Ceremony")).id

    album_id = asyncio.run(prepare())

    async def main():
        async with running(server, store) as (engine, _):
            batch = await engine.enqueue([path], event_id, album_id=album_id)
            await engine.wait_idle()
            return batch

    batch = asyncio.run(main())
    (item,) = items_of(store, batch_ids=[batch])
    assert item.state == q.DONE
    assert [p.name for p in server.studio.photos(event_id, album_id=album_id)] == ["IMG_0001.jpg"]
    # The album's names: once before sending, once by the check after sending; the root is never listed.
    assert server.studio.count_requests("sp.album.get_photos") == 2
    assert server.studio.count_requests("sp.event.get_photos") == 0


def test_two_files_with_the_same_name_for_one_target_upload_once(server, store, tmp_path):
    event_id = new_event(server)
    first = make_jpeg(tmp_path / "card1" / "IMG_0001.jpg", size=(40, 30))
    second = make_jpeg(tmp_path / "card2" / "IMG_0001.jpg", size=(50, 30))

    async def main():
        async with running(server, store, concurrency=8) as (engine, _):
            batch = await engine.enqueue([first, second], event_id)
            await engine.wait_idle()
            return batch

    batch = asyncio.run(main())
    found = sorted(i.state for i in items_of(store, batch_ids=[batch]))
    assert found == [q.DONE, q.DUPLICATE]
    assert server.studio.count_photos(event_id) == 1


# -- folders to albums -------------------------------------------------------------------


def test_mirroring_folders_five_levels_deep_makes_four_levels_of_albums(server, store, tmp_path):
    event_id = new_event(server)
    root = tmp_path / "Wedding"
    make_jpeg(root / "top.jpg")
    make_jpeg(root / "Day 1" / "a.jpg")
    make_jpeg(root / "Day 1" / "Ceremony" / "Family" / "Formals" / "d.jpg")
    make_jpeg(root / "Day 1" / "Ceremony" / "Family" / "Formals" / "Extra" / "e.jpg")

    async def prepare():
        async with client_for(server) as client:
            return (await client.album_create(event_id, "Day 1")).id

    day1 = asyncio.run(prepare())

    async def upload():
        async with running(server, store) as (engine, _):
            batch = await engine.enqueue([root], event_id, mirror_folders=True)
            await engine.wait_idle()
            return batch

    asyncio.run(upload())

    async def tree():
        async with client_for(server) as client:
            return await client.album_get_list(event_id)

    albums = asyncio.run(tree())
    assert [a.name for a in albums] == ["Day 1"] and albums[0].id == day1, "the existing album is reused"
    ceremony = albums[0].sub_albums[0]
    family = ceremony.sub_albums[0]
    assert (ceremony.name, family.name) == ("Ceremony", "Family")
    assert sorted(a.name for a in family.sub_albums) == ["Formals", "Formals / Extra"]
    assert all(not a.sub_albums for a in family.sub_albums), "never deeper than 4 levels"
    where = {p.name: p.album_id for p in server.studio.photos(event_id)}
    level4 = {a.name: a.id for a in family.sub_albums}
    assert where == {"top.jpg": None, "a.jpg": day1, "d.jpg": level4["Formals"], "e.jpg": level4["Formals / Extra"]}
    created = server.studio.count_requests("sp.album.create")
    assert created == 1 + 4, "one album made by the test, then Ceremony, Family and the two level-4 ones"

    make_jpeg(root / "Day 1" / "Ceremony" / "later.jpg")
    server.studio.clear_request_log()
    asyncio.run(upload())
    assert server.studio.count_requests("sp.album.create") == 0, "the album map remembers them"
    assert server.studio.count_requests("sp.album.get_list") == 0
    assert {p.name: p.album_id for p in server.studio.photos(event_id)}["later.jpg"] == ceremony.id


def test_files_handed_over_one_by_one_mirror_the_folders_below_root(server, store, tmp_path):
    event_id = new_event(server)
    hot = tmp_path / "Hot"
    deep = make_jpeg(hot / "Ceremony" / "Family" / "a.jpg")
    top = make_jpeg(hot / "b.jpg")

    async def main():
        async with running(server, store) as (engine, _):
            await engine.enqueue([deep, top], event_id, mirror_folders=True, root=hot)
            await engine.wait_idle()

    asyncio.run(main())

    async def tree():
        async with client_for(server) as client:
            return await client.album_get_list(event_id)

    (ceremony,) = asyncio.run(tree())
    (family,) = ceremony.sub_albums
    assert (ceremony.name, family.name) == ("Ceremony", "Family")
    assert {p.name: p.album_id for p in server.studio.photos(event_id)} == {"a.jpg": family.id, "b.jpg": None}


# -- concurrency -----------------------------------------------------------------------------


class InFlightMeter:
    """Wraps the sandbox's ASGI app and counts the uploads it is handling at once."""

    def __init__(self, app):
        self.app = app
        self.now = 0
        self.peak = 0
        self._lock = threading.Lock()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or b"sp.photo.upload" not in scope.get("query_string", b""):
            return await self.app(scope, receive, send)
        with self._lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        try:
            return await self.app(scope, receive, send)
        finally:
            with self._lock:
                self.now -= 1


@pytest.fixture
def metered_server(tmp_path):
    server = SandboxServer(tmp_path / "metered", seed="empty")
    meter = InFlightMeter(server.studio.asgi_app)
    server.studio.asgi_app = meter
    server.start()
    server.meter = meter
    yield server
    server.stop()


def test_no_more_uploads_at_once_than_the_setting(metered_server, store, tmp_path):
    server = metered_server
    event_id = new_event(server)
    photos(tmp_path / "shoot", 12)
    server.faults.configure(latency=0.08, only_methods="sp.photo.upload")

    async def main():
        async with running(server, store, concurrency=3) as (engine, _):
            await engine.enqueue([tmp_path / "shoot"], event_id)
            await engine.wait_idle()

    asyncio.run(main())
    assert server.studio.count_photos(event_id) == 12
    assert server.meter.peak == 3


def test_concurrency_halves_when_the_server_struggles_and_can_change_at_runtime(metered_server, store, tmp_path):
    server = metered_server
    event_id = new_event(server)
    photos(tmp_path / "shoot", 10)
    server.faults.queue(503, method="sp.photo.upload", times=2)

    async def main():
        async with running(server, store, concurrency=8) as (engine, seen):
            engine.set_concurrency(99)
            assert engine.concurrency == 16, "clamped to 1-16"
            engine.set_concurrency(4)
            await engine.enqueue([tmp_path / "shoot"], event_id)
            await engine.wait_idle()
            return [e for e in seen if isinstance(e, ev.ConcurrencyChanged)]

    changes = asyncio.run(main())
    assert [(c.current, c.user_limit) for c in changes[:2]] == [(16, 16), (4, 4)]
    lowered = [c for c in changes[2:] if c.current < c.user_limit]
    assert lowered and lowered[0].current == 2, "a 503 halves it"
    assert server.meter.peak <= 4
    assert server.studio.count_photos(event_id) == 10


# -- controls ------------------------------------------------------------------------------


def test_pause_resume_cancel_and_retry(server, store, tmp_path):
    event_id = new_event(server)
    files = photos(tmp_path / "shoot", 6)
    server.faults.configure(latency=0.15, only_methods="sp.photo.upload")

    async def main():
        async with running(server, store, concurrency=2) as (engine, seen):
            batch = await engine.enqueue([tmp_path / "shoot"], event_id)
            ids = [i.id for i in items_of(store, batch_ids=[batch])]
            await until(lambda: any(isinstance(e, ev.ItemStateChanged) and e.state == q.UPLOADING for e in seen))
            engine.pause()
            await engine.wait_idle()
            paused = engine.snapshot()
            assert paused.paused and paused.in_flight == 0
            assert paused.files[q.UPLOADING] == paused.files[q.CHECKING] == 0
            assert paused.files[q.QUEUED] >= 4, "nothing new started after the pause"
            assert store.read_sync(q.counts, [batch])[q.CHECKING][0] == 0, "claimed items went back to the queue"

            await engine.cancel([ids[5]])
            await engine.pause([ids[4]])
            engine.resume()
            await engine.resume([])  # nothing: resuming no items is harmless
            await engine.wait_idle()
            after = {i.id: i.state for i in items_of(store, batch_ids=[batch])}
            return ids, after

    ids, after = asyncio.run(main())
    assert after[ids[5]] == q.CANCELLED
    assert after[ids[4]] == q.DONE, "resume() with no ids resumes individually paused items too"
    assert [after[i] for i in ids[:4]] == [q.DONE] * 4
    names = sorted(p.name for p in server.studio.photos(event_id))
    assert names == sorted(f.name for f in files[:5]), "each once; the cancelled one never"


def test_one_item_paused_stays_paused_until_resumed(server, store, tmp_path):
    event_id = new_event(server)
    photos(tmp_path / "shoot", 4)

    async def main():
        async with running(server, store, start=False) as (engine, seen):
            batch = await engine.enqueue([tmp_path / "shoot"], event_id)
            ids = [i.id for i in items_of(store, batch_ids=[batch])]
            await engine.pause([ids[0]])
            await engine.start()
            await engine.wait_idle()
            held = store.read_sync(q.get_item, ids[0]).state
            await engine.resume([ids[0]])
            await engine.wait_idle()
            return held, store.read_sync(q.get_item, ids[0]).state, states(seen, ids[0])

    held, final, seen_states = asyncio.run(main())
    assert held == q.PAUSED and final == q.DONE
    assert seen_states[0] == q.PAUSED and seen_states[-1] == q.DONE
    assert server.studio.count_photos(event_id) == 4


def test_pausing_a_file_half_sent_stops_it_and_it_goes_again_later(server, store, tmp_path):
    event_id = new_event(server)
    path = make_jpeg(tmp_path / "big.jpg", size=(400, 300), min_bytes=400_000)

    async def main():
        async with running(server, store, bandwidth_limit_kbps=1600) as (engine, seen):  # 200 KB/s
            batch = await engine.enqueue([path], event_id)
            (item_id,) = [i.id for i in items_of(store, batch_ids=[batch])]
            await until(lambda: any(isinstance(e, ev.ItemProgress) and 100_000 < e.bytes_sent < e.size for e in seen))
            await engine.pause([item_id])
            await engine.wait_idle()
            held = store.read_sync(q.get_item, item_id)
            on_server = server.studio.count_photos(event_id)
            engine.set_bandwidth_limit(0)
            await engine.resume([item_id])
            await engine.wait_idle()
            return held, on_server, store.read_sync(q.get_item, item_id)

    held, on_server, final = asyncio.run(main())
    assert held.state == q.PAUSED and not held.verify, "half a file cannot have reached the gallery"
    assert on_server == 0
    assert final.state == q.DONE
    assert server.studio.count_photos(event_id) == 1
    assert server.studio.count_requests("sp.event.photo_exists") == 0


def test_pausing_while_the_server_answers_lets_that_upload_finish(server, store, tmp_path):
    event_id = new_event(server)
    path = make_jpeg(tmp_path / "IMG_0001.jpg")
    server.faults.configure(latency=0.3, only_methods="sp.photo.upload")

    async def main():
        async with running(server, store) as (engine, seen):
            batch = await engine.enqueue([path], event_id)
            await until(lambda: any(isinstance(e, ev.ItemProgress) and e.bytes_sent == e.size for e in seen))
            engine.pause()
            await engine.wait_idle()
            return items_of(store, batch_ids=[batch])

    (item,) = asyncio.run(main())
    assert item.state == q.DONE, "the whole photo had gone out: its answer is heard, not thrown away"
    assert server.studio.count_photos(event_id) == 1


def test_retry_sends_a_failed_file_again(server, store, tmp_path, caplog, monkeypatch):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.engine")  # "upload failed: ... no longer there"
    from studio_desktop.uploads.engine import _controls

    validated_in: list[str] = []
    real_validate = _controls.validate_jpeg

    def validate(path, **kwargs):
        validated_in.append(threading.current_thread().name)
        return real_validate(path, **kwargs)

    monkeypatch.setattr(_controls, "validate_jpeg", validate)
    event_id = new_event(server)
    good = make_jpeg(tmp_path / "shoot" / "IMG_0001.jpg")
    late = make_jpeg(tmp_path / "shoot" / "IMG_0002.jpg")

    async def main():
        async with running(server, store, start=False) as (engine, _seen):
            batch = await engine.enqueue([tmp_path / "shoot"], event_id)
            content = late.read_bytes()
            late.unlink()  # deleted after it was queued
            await engine.start()
            await engine.wait_idle()
            failed = {i.name: i for i in items_of(store, batch_ids=[batch])}["IMG_0002.jpg"]
            late.write_bytes(content)  # put back: a new modification time
            retried = await engine.retry()
            await engine.wait_idle()
            return failed, retried, store.read_sync(q.get_item, failed.id)

    failed, retried, after = asyncio.run(main())
    assert failed.state == q.FAILED
    assert failed.last_error == "The file is no longer there (moved or deleted after it was queued)."
    assert retried == [failed.id]
    assert after.state == q.DONE and after.attempts == 0
    assert sorted(p.name for p in server.studio.photos(event_id)) == [good.name, late.name]
    # Checked again before the retry, but never inside the store's write transaction (others wait on it).
    assert validated_in and not any(name.startswith("store-writer") for name in validated_in)


def test_a_file_that_is_not_a_photo_is_skipped_and_retry_leaves_it_alone(server, store, tmp_path):
    event_id = new_event(server)
    graphic = make_png(tmp_path / "logo.jpg")

    async def main():
        async with running(server, store) as (engine, seen):
            batch = await engine.enqueue([graphic], event_id)
            await engine.wait_idle()
            retried = await engine.retry()
            await engine.wait_idle()
            return batch, retried, seen

    batch, retried, seen = asyncio.run(main())
    (item,) = items_of(store, batch_ids=[batch])
    assert retried == [] and item.state == q.SKIPPED and "PNG" in item.last_error
    assert [e.state for e in seen if isinstance(e, ev.ItemStateChanged)] == [q.SKIPPED]
    assert server.studio.count_requests("sp.photo.upload") == 0


def test_stop_puts_uploads_in_flight_back_in_the_queue(server, store, tmp_path):
    event_id = new_event(server)
    photos(tmp_path / "shoot", 3)
    server.faults.configure(latency=1.0, only_methods="sp.photo.upload")

    async def main():
        async with running(server, store, concurrency=3) as (engine, seen):
            batch = await engine.enqueue([tmp_path / "shoot"], event_id)
            # Each whole file has gone out; the server is still "thinking" (latency) when we stop.
            await until(
                lambda: len({e.item_id for e in seen if isinstance(e, ev.ItemProgress) and e.bytes_sent == e.size}) == 3
            )
            await until(lambda: store.read_sync(q.counts, [batch])[q.UPLOADING][0] == 3)  # the store knows too
            await engine.stop()
            return batch

    batch = asyncio.run(main())
    left = items_of(store, batch_ids=[batch])
    assert {i.state for i in left} == {q.QUEUED}
    assert all(i.verify for i in left), "they may land after all: checked before they are sent again"


# -- bad inputs ------------------------------------------------------------------------------


def test_bad_files_fail_with_plain_reasons_while_the_rest_upload(server, store, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.engine")  # "upload failed" for each bad file
    event_id = new_event(server)
    shoot = tmp_path / "shoot"
    good_names = ["with spaces 01.jpg", "Café crème.jpg", "🎉 party.jpg", "IMG_0001.jpg"]
    for name in good_names:
        make_jpeg(shoot / name)
    (shoot / "empty.jpg").write_bytes(b"")
    make_truncated_jpeg(shoot / "truncated.jpg")
    make_text_file(shoot / "notes.jpg")
    make_png(shoot / "graphic.png")
    make_sparse_jpeg(shoot / "huge.jpg", 60 * 1024 * 1024)
    unreadable = shoot / "locked.jpg"
    if chmod_blocks_reads():
        make_jpeg(unreadable)
        unreadable.chmod(0)
    else:
        os.mkfifo(unreadable)  # as root nothing is unreadable; a FIFO cannot be read as a photo either
    (shoot / "dangling.jpg").symlink_to(shoot / "nowhere.jpg")
    vanishing = make_jpeg(shoot / "vanishing.jpg")

    async def main():
        async with running(server, store, start=False) as (engine, seen):
            batch = await engine.enqueue([shoot], event_id)
            vanishing.unlink()
            await engine.start()
            await engine.wait_idle()
            return batch, seen

    try:
        batch, seen = asyncio.run(main())
    finally:
        with contextlib.suppress(OSError):
            unreadable.chmod(0o600)
    items = {i.name: i for i in items_of(store, batch_ids=[batch])}
    assert sorted(p.name for p in server.studio.photos(event_id)) == sorted(good_names)
    assert {items[n].state for n in good_names} == {q.DONE}
    reasons = {name: item.last_error for name, item in items.items() if item.state == q.FAILED}
    assert set(reasons) == {"empty.jpg", "truncated.jpg", "huge.jpg", "locked.jpg", "dangling.jpg", "vanishing.jpg"}
    assert "empty" in reasons["empty.jpg"].lower()
    assert "cut short" in reasons["truncated.jpg"]
    # Files that are some other kind of file are skipped, not failed: no retry can make them photos.
    skipped = {name: item.last_error for name, item in items.items() if item.state == q.SKIPPED}
    assert set(skipped) == {"notes.jpg", "graphic.png"}
    assert "text" in skipped["notes.jpg"].lower()
    assert "PNG" in skipped["graphic.png"]
    assert "50 MB" in reasons["huge.jpg"]
    assert reasons["locked.jpg"]
    assert "broken link" in reasons["dangling.jpg"]
    assert reasons["vanishing.jpg"] == "The file is no longer there (moved or deleted after it was queued)."
    assert all(r[0].isupper() and r.endswith((".", ")")) for r in reasons.values()), reasons
    failed_events = {e.name for e in seen if isinstance(e, ev.ItemStateChanged) and e.state == q.FAILED}
    assert failed_events == set(reasons), "the user hears about every refused file"


def test_a_file_changed_after_it_was_queued_is_not_sent(server, store, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.engine")  # "upload failed: ... changed"
    event_id = new_event(server)
    path = make_jpeg(tmp_path / "IMG_0001.jpg")

    async def main():
        async with running(server, store, start=False) as (engine, _):
            batch = await engine.enqueue([path], event_id)
            make_jpeg(path, size=(90, 90))
            await engine.start()
            await engine.wait_idle()
            return batch

    (item,) = items_of(store, batch_ids=[asyncio.run(main())])
    assert item.state == q.FAILED and "changed after it was queued" in item.last_error
    assert server.studio.count_photos(event_id) == 0


def test_the_server_refusing_a_photo_fails_it_at_once(server, store, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.engine")  # "upload failed: ... refused"
    event_id = new_event(server)
    small = make_jpeg(tmp_path / "shoot" / "small.jpg", size=(16, 16))
    big = make_jpeg(tmp_path / "shoot" / "big.jpg", size=(400, 300), min_bytes=40_000)
    server.studio.max_upload_bytes = 20_000

    async def main():
        async with running(server, store) as (engine, _):
            batch = await engine.enqueue([tmp_path / "shoot"], event_id)
            await engine.wait_idle()
            return batch

    items = {i.name: i for i in items_of(store, batch_ids=[asyncio.run(main())])}
    assert items[small.name].state == q.DONE
    assert items[big.name].state == q.FAILED and items[big.name].attempts == 0
    assert items[big.name].last_error.startswith("ShootProof refused this photo:")
    assert server.studio.count_requests("sp.photo.upload") == 2, "not retried"


# -- queue-wide stops ---------------------------------------------------------------------------


def test_a_full_plan_stops_the_queue_until_resumed(server, store, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.engine")  # "uploads stopped: ... plan is full"
    event_id = new_event(server)
    photos(tmp_path / "shoot", 6)
    used, _ = server.studio.plan()
    server.studio.set_plan_limit(used + 2)

    async def main():
        async with running(server, store, concurrency=1) as (engine, seen):
            batch = await engine.enqueue([tmp_path / "shoot"], event_id)
            await engine.wait_idle()
            stopped = engine.snapshot()
            counts = store.read_sync(q.counts, [batch])
            server.studio.set_plan_limit(None)
            engine.resume()
            await engine.wait_idle()
            return stopped, counts, seen, store.read_sync(q.counts, [batch])

    stopped, counts, seen, final = asyncio.run(main())
    assert stopped.stopped_reason and "plan" in stopped.stopped_reason.lower()
    assert counts[q.DONE][0] == 2 and counts[q.QUEUED][0] == 4 and counts[q.FAILED][0] == 0
    assert next(e for e in seen if isinstance(e, ev.QueueStopped)).reason == stopped.stopped_reason
    assert final[q.DONE][0] == 6
    assert server.studio.count_photos(event_id) == 6


class SwappableToken:
    def __init__(self, token: str):
        self.value = token

    async def token(self) -> str:
        return self.value

    async def refresh_after_auth_failure(self) -> str | None:
        return None


def test_a_refused_token_pauses_the_queue_and_asks_to_sign_in(server, store, tmp_path):
    event_id = new_event(server)
    photos(tmp_path / "shoot", 3)
    tokens = SwappableToken("not-a-valid-token")

    async def main():
        async with running(server, store, token=tokens) as (engine, seen):
            batch = await engine.enqueue([tmp_path / "shoot"], event_id)
            await engine.wait_idle()
            asked = [e for e in seen if isinstance(e, ev.NeedsSignIn)]
            waiting = store.read_sync(q.counts, [batch])
            snapshot = engine.snapshot()
            tokens.value = server.access_token  # the user signed in again
            engine.resume()
            await engine.wait_idle()
            return asked, waiting, snapshot, store.read_sync(q.counts, [batch])

    asked, waiting, snapshot, final = asyncio.run(main())
    assert len(asked) == 1 and asked[0].message
    assert snapshot.needs_sign_in
    assert waiting[q.QUEUED][0] == 3 and waiting[q.FAILED][0] == 0
    assert final[q.DONE][0] == 3


def test_bandwidth_limit_holds_uploads_to_the_rate(server, store, tmp_path):
    event_id = new_event(server)
    files = [make_jpeg(tmp_path / "shoot" / f"{i}.jpg", size=(300, 200), min_bytes=60_000) for i in range(3)]
    total = sum(f.stat().st_size for f in files)
    kbps = 800  # 100 KB/s

    async def main():
        async with running(server, store, bandwidth_limit_kbps=kbps) as (engine, _):
            assert engine.bandwidth_limit_kbps == kbps
            loop = asyncio.get_running_loop()
            began = loop.time()
            await engine.enqueue([tmp_path / "shoot"], event_id)
            await engine.wait_idle()
            return loop.time() - began

    elapsed = asyncio.run(main())
    assert server.studio.count_photos(event_id) == 3
    burst = 64 * 1024
    assert elapsed >= (total - burst) / 100_000 * 0.95, "cannot be faster than the limit allows"


def test_a_hot_folders_file_that_moved_before_it_was_sent_ends_quietly_and_a_deleted_one_fails(
    server, store, tmp_path, caplog
):
    """A renamed subfolder: the hot folder tells the engine where its queued files went; their old paths end
    cancelled with MOVED_BEFORE_SENT and an INFO line (the watcher sends them from the new paths), not as failures
    with "upload failed: ... no such file" warnings. A file deleted without a word stays a clear failure."""
    from studio_desktop.uploads.engine import MOVED_BEFORE_SENT

    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.engine")  # the deleted one's failure only
    event_id = new_event(server)
    moved = make_jpeg(tmp_path / "hot" / "sub" / "IMG_0001.jpg")
    deleted = make_jpeg(tmp_path / "hot" / "sub" / "IMG_0002.jpg")
    options = {"hot_folder": str(tmp_path / "hot")}

    async def main():
        async with running(server, store, start=False) as (engine, _seen):
            batch = await engine.enqueue([moved, deleted], event_id, options=options)
            os.rename(tmp_path / "hot" / "sub", tmp_path / "hot" / "sub2")  # both gone from their paths...
            engine.note_moved(str(moved), str(tmp_path / "hot" / "sub2" / moved.name))  # ...one seen moving
            await engine.start()
            await engine.wait_idle()
            return {i.name: i for i in items_of(store, batch_ids=[batch])}, engine.snapshot()

    items, snapshot = asyncio.run(main())
    assert items["IMG_0001.jpg"].state == q.CANCELLED
    assert items["IMG_0001.jpg"].last_error.startswith(MOVED_BEFORE_SENT)
    assert items["IMG_0002.jpg"].state == q.FAILED
    assert items["IMG_0002.jpg"].last_error == "The file is no longer there (moved or deleted after it was queued)."
    assert snapshot.files[q.FAILED] == 1
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warned) == 1 and "IMG_0002.jpg" in warned[0], warned
