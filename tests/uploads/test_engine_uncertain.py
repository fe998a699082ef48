"""Exactly once when the engine cannot be sure: a name an earlier failure may have put in the target,
and a file rewritten while it is on the wire."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from pathlib import Path

from imagegen import make_jpeg

from studio_desktop.uploads import events as ev
from studio_desktop.uploads.engine import CHANGED_SINCE_QUEUED
from studio_desktop.uploads.records import queue as q

from .engine_support import FAST, client_for, items_of, new_event, running


def test_a_same_named_file_looks_on_the_server_after_an_upload_that_may_have_landed(server, store, tmp_path):
    """Two local files of one name for the event's root (folders not mirrored): the first upload lands but
    its answer is a 500; the second must see that landing, not trust the names fetched before it."""
    event_id = new_event(server)
    root = tmp_path / "shoot"
    make_jpeg(root / "IMG_0001.jpg", size=(40, 30))
    make_jpeg(root / "One" / "IMG_0001.jpg", size=(44, 30))
    server.faults.queue(500, after=True, method="sp.photo.upload")

    async def main():
        async with running(server, store, concurrency=1) as (engine, _):
            batch = await engine.enqueue([root], event_id)
            await engine.wait_idle()
            return batch

    items = items_of(store, batch_ids=[asyncio.run(main())])
    in_gallery = [p for p in server.studio.photos(event_id) if p.name == "IMG_0001.jpg"]
    assert len(in_gallery) == 1
    assert sorted(i.state for i in items) == [q.DONE, q.DUPLICATE]
    assert {i.photo_id for i in items} == {in_gallery[0].id}
    assert server.studio.count_requests("sp.photo.upload") == 1


def test_without_dedup_a_same_named_file_is_not_taken_for_the_first_ones_landing(server, store, tmp_path):
    """With --no-dedup both files of one name go; the first's look after its lost answer must find
    its own photo, not the second's (that would leave one of them out and call it uploaded)."""
    event_id = new_event(server)
    root = tmp_path / "shoot"
    make_jpeg(root / "IMG_0001.jpg", size=(40, 30))
    make_jpeg(root / "One" / "IMG_0001.jpg", size=(44, 30))
    server.faults.queue(500, after=False, method="sp.photo.upload")

    async def main():
        async with running(server, store, concurrency=1, dedup=False) as (engine, _):
            batch = await engine.enqueue([root], event_id)
            await engine.wait_idle()
            return batch

    items = items_of(store, batch_ids=[asyncio.run(main())])
    in_gallery = [p for p in server.studio.photos(event_id) if p.name == "IMG_0001.jpg"]
    assert [i.state for i in items] == [q.DONE, q.DONE]
    assert len(in_gallery) == 2
    assert {i.photo_id for i in items} == {p.id for p in in_gallery}


def test_a_file_rewritten_while_it_is_sent_is_reported_changed_not_a_traceback(server, store, tmp_path, caplog):
    """The file grows while it streams: the request breaks ("Too much data for declared Content-Length")."""
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.engine")  # "upload failed: ... changed"
    event_id = new_event(server)
    photo = make_jpeg(tmp_path / "shoot" / "IMG_0001.jpg", size=(64, 48), min_bytes=3_000_000)  # several chunks
    grown: list[int] = []

    def grow_once(event) -> None:
        if isinstance(event, ev.ItemProgress) and not grown and event.bytes_sent < event.size:
            with open(photo, "ab") as handle:
                handle.write(b"\0" * 300_000)
            grown.append(event.bytes_sent)

    async def main():
        async with running(server, store, concurrency=1) as (engine, _):
            engine.subscribe(grow_once)
            batch = await engine.enqueue([photo.parent], event_id)
            await engine.wait_idle()
            return batch

    (item,) = items_of(store, batch_ids=[asyncio.run(main())])
    assert grown
    assert item.state == q.FAILED
    assert item.last_error == CHANGED_SINCE_QUEUED
    assert server.studio.photos(event_id) == []
    assert not [r for r in caplog.records if r.exc_info]


def test_a_killed_runs_upload_that_lands_after_the_restart_looked_is_not_sent_again(server, store, tmp_path):
    """SIGKILL mid-upload: the server still has the whole request and stores it a moment later. The
    restarted engine's first look finds nothing; sending at once made two (model test, kill steps)."""
    event_id = new_event(server)
    photo = make_jpeg(tmp_path / "shoot" / "IMG_0001.jpg")
    batch = store.write_sync(q.create_batch, event_id, None, {}, "killed run")
    store.write_sync(
        q.add_items,
        batch,
        [q.NewItem(str(photo), photo.name, photo.stat().st_size, photo.stat().st_mtime_ns)],
        dedup=False,
    )
    (item,) = items_of(store, batch_ids=[batch])
    store.write_sync(q.set_prior_photo_ids, item.id, ())
    store.write_sync(q.set_state, item.id, q.UPLOADING)  # as the killed run left it, a moment ago
    late: list[int] = []

    async def main():
        async with running(server, store, dedup=False, timing=dataclasses.replace(FAST, landing_grace=3.0)) as (
            engine,
            _,
        ):
            first_look = engine.client.event_photo_exists

            async def look_then_the_killed_upload_lands(*args, **kwargs):
                found = await first_look(*args, **kwargs)
                if not late:
                    async with client_for(server) as other:
                        late.append((await other.photo_upload(event_id, photo)).photo_id)
                return found

            engine.client.event_photo_exists = look_then_the_killed_upload_lands
            await engine.wait_idle()

    asyncio.run(main())
    (item,) = items_of(store, batch_ids=[batch])
    assert [p.id for p in server.studio.photos(event_id)] == late
    assert item.state == q.DONE
    assert item.photo_id == late[0]


def test_a_look_after_a_crash_never_takes_the_photo_an_earlier_run_recorded_for_another_file(server, store, tmp_path):
    """A's upload failed before it landed and the run was killed; B (same name, same target) was sent after
    A's first try and recorded. The next run's look for A must not take B's photo for A's."""
    event_id = new_event(server)
    a = make_jpeg(tmp_path / "shoot" / "IMG_0001.jpg", size=(40, 30))
    b = make_jpeg(tmp_path / "shoot" / "One" / "IMG_0001.jpg", size=(44, 30))
    batch = store.write_sync(q.create_batch, event_id, None, {}, "killed run")
    store.write_sync(
        q.add_items,
        batch,
        [q.NewItem(str(p), p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in (a, b)],
        dedup=False,
    )
    item_a, item_b = sorted(items_of(store, batch_ids=[batch]), key=lambda i: len(i.path))
    store.write_sync(q.set_prior_photo_ids, item_a.id, ())

    async def b_was_sent():
        async with client_for(server) as client:
            return (await client.photo_upload(event_id, b)).photo_id

    b_id = asyncio.run(b_was_sent())
    store.write_sync(q.set_prior_photo_ids, item_b.id, ())
    store.write_sync(q.set_state, item_b.id, q.CHECKING)
    store.write_sync(q.record_uploaded, item_b, None, b_id)
    store.write_sync(q.set_state, item_a.id, q.QUEUED, verify=True)

    async def main():
        async with running(server, store, dedup=False) as (engine, _):
            await engine.wait_idle()

    asyncio.run(main())
    after = {i.id: i for i in items_of(store, batch_ids=[batch])}
    assert after[item_b.id].photo_id == b_id
    assert after[item_a.id].state == q.DONE and after[item_a.id].photo_id != b_id
    assert len(server.studio.photos(event_id)) == 2


def test_without_dedup_one_names_uncertain_landings_are_looked_at_one_at_a_time(server, store, tmp_path):
    """Found by the model (bench, faults): the first file's upload fails (a 500: it did not land, but the
    engine cannot know); the second, same name and target, is sent meanwhile and lands, but its answer is a
    503 (retry in 1 s). The first looked first and took the second's photo for its own; the second then sent
    itself again: one photo twice, the other missing, and both "uploaded"."""
    event_id = new_event(server)
    root = tmp_path / "shoot"
    files = [make_jpeg(root / "IMG_0001.jpg", size=(40, 30)), make_jpeg(root / "One" / "IMG_0001.jpg", size=(44, 30))]
    server.faults.queue(500, after=False, method="sp.photo.upload")
    server.faults.queue(503, after=True, method="sp.photo.upload")

    async def main():
        async with running(server, store, concurrency=1, dedup=False) as (engine, _):
            batch = await engine.enqueue([root], event_id)
            await engine.wait_idle()
            return batch

    items = items_of(store, batch_ids=[asyncio.run(main())])
    assert [i.state for i in items] == [q.DONE, q.DONE]
    landed = {p.id: server.studio.photo_file(p.id).read_bytes() for p in server.studio.photos(event_id)}
    assert sorted(landed.values()) == sorted(f.read_bytes() for f in files), "each file once"
    assert all(landed[i.photo_id] == Path(i.path).read_bytes() for i in items), "each counted as its own photo"


def test_a_crash_leftover_never_sent_is_a_duplicate_of_another_photo_of_its_name_not_uploaded_as_it(
    server, store, tmp_path
):
    """Found by the model (bench, kills): a run killed after claiming a file but before sending it (no list
    of the photos there before its first send). The restart took another app's photo of that name in the
    album for this file having landed, and called it uploaded."""
    event_id = new_event(server)
    photo = make_jpeg(tmp_path / "shoot" / "IMG_0001.jpg", size=(40, 30))
    other = make_jpeg(tmp_path / "elsewhere" / "IMG_0001.jpg", size=(52, 30))

    async def another_app_uploads():
        async with client_for(server) as client:
            return (await client.photo_upload(event_id, other)).photo_id

    other_id = asyncio.run(another_app_uploads())
    batch = store.write_sync(q.create_batch, event_id, None, {}, "killed run")
    store.write_sync(
        q.add_items,
        batch,
        [q.NewItem(str(photo), photo.name, photo.stat().st_size, photo.stat().st_mtime_ns)],
        dedup=False,
    )
    (item,) = items_of(store, batch_ids=[batch])
    store.write_sync(q.set_state, item.id, q.CHECKING)  # claimed; killed before its send

    async def main():
        async with running(server, store) as (engine, _):
            await engine.wait_idle()

    asyncio.run(main())
    (item,) = items_of(store, batch_ids=[batch])
    assert item.state == q.DUPLICATE
    assert item.photo_id == other_id
    assert [p.id for p in server.studio.photos(event_id)] == [other_id]
