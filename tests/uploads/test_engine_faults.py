"""Exactly once when things go wrong: lost answers, crashes, retries, a network that goes away."""

from __future__ import annotations

import asyncio
import logging

from imagegen import make_jpeg

from studio_desktop.sandbox.server import SandboxServer
from studio_desktop.uploads import events as ev
from studio_desktop.uploads.engine import EngineTiming
from studio_desktop.uploads.records import ledger
from studio_desktop.uploads.records import queue as q

from .engine_support import client_for, items_of, new_event, photos, running, until

ALREADY_THERE = "An earlier attempt had already reached the gallery."


def test_an_upload_whose_answer_was_lost_is_checked_not_sent_again(server, store, tmp_path):
    event_id = new_event(server)
    photos(tmp_path / "shoot", 4)
    # The server stores the photo, then the answer is lost: a 500, then a dropped connection.
    server.faults.queue(500, after=True, method="sp.photo.upload")
    server.faults.queue(reset=True, after=True, method="sp.photo.upload")

    async def main():
        async with running(server, store, concurrency=1) as (engine, _):
            batch = await engine.enqueue([tmp_path / "shoot"], event_id)
            await engine.wait_idle()
            return batch

    items = items_of(store, batch_ids=[asyncio.run(main())])
    assert {i.state for i in items} == {q.DONE}
    assert sorted(p.name for p in server.studio.photos(event_id)) == sorted(i.name for i in items)
    checked = [i for i in items if i.last_error == ALREADY_THERE]
    assert len(checked) == 2
    assert server.studio.count_requests("sp.photo.upload") == 4
    assert server.studio.count_requests("sp.event.photo_exists") == 2


def test_uploads_a_crash_left_mid_way_are_checked_before_being_sent(server, store, tmp_path):
    event_id = new_event(server)
    landed, unsent, fresh = photos(tmp_path / "shoot", 3)
    batch = store.write_sync(q.create_batch, event_id, None, {}, "crashed run")
    store.write_sync(
        q.add_items,
        batch,
        [q.NewItem(str(p), p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in (landed, unsent, fresh)],
    )
    a, b, _ = items_of(store, batch_ids=[batch])
    store.write_sync(q.set_prior_photo_ids, a.id, ())  # written before its first send
    store.write_sync(q.set_state, a.id, q.UPLOADING)
    store.write_sync(q.set_state, b.id, q.CHECKING)  # claimed, never sent: no list of what was there before

    async def the_crashed_upload_landed():
        async with client_for(server) as client:
            return (await client.photo_upload(event_id, landed)).photo_id

    landed_id = asyncio.run(the_crashed_upload_landed())
    server.studio.clear_request_log()

    async def main():
        async with running(server, store) as (engine, _):
            await engine.wait_idle()

    asyncio.run(main())
    after = {i.name: i for i in items_of(store, batch_ids=[batch])}
    assert after[landed.name].state == q.DONE and after[landed.name].last_error == ALREADY_THERE
    assert after[landed.name].photo_id == landed_id
    assert after[unsent.name].state == after[fresh.name].state == q.DONE
    assert server.studio.count_photos(event_id) == 3
    assert server.studio.count_requests("sp.photo.upload") == 2
    # Only the one that was sent is looked for; the other was never sent.
    assert server.studio.count_requests("sp.event.photo_exists") == 1
    assert store.read_sync(ledger.ledger_lookup, str(landed), a.size, a.mtime_ns, event_id, None).photo_id == landed_id


def test_a_running_engine_keeps_its_uploads_from_a_second_one(server, store, tmp_path):
    event_id = new_event(server)
    (path,) = photos(tmp_path / "shoot", 1)
    batch = store.write_sync(q.create_batch, event_id, None, {}, None)
    store.write_sync(
        q.add_items, batch, [q.NewItem(str(path), path.name, path.stat().st_size, path.stat().st_mtime_ns)]
    )
    (item,) = items_of(store, batch_ids=[batch])

    async def main():
        async with running(server, store, batches=()):
            store.write_sync(q.set_state, item.id, q.UPLOADING)  # as if the first engine were sending it
            async with running(server, store, batches=()):
                second_saw = store.read_sync(q.get_item, item.id).state
        async with running(server, store) as (third, _):
            await third.wait_idle()
        return second_saw

    assert asyncio.run(main()) == q.UPLOADING, "not taken away from a live engine"
    assert store.read_sync(q.get_item, item.id).state == q.DONE, "recovered once no engine held it"
    assert server.studio.count_photos(event_id) == 1


def test_transient_failures_are_retried_then_given_up_with_a_reason(server, store, tmp_path):
    event_id = new_event(server)
    (doomed,) = photos(tmp_path / "first", 1)
    photos(tmp_path / "later", 2, prefix="LATER_")
    server.faults.configure(retry_after=0)
    server.faults.queue(503, method="sp.photo.upload", times=4)

    async def main():
        timing = EngineTiming(max_attempts=4, base_delay=0.005, max_delay=0.01)
        async with running(server, store, timing=timing) as (engine, seen):
            first = await engine.enqueue([doomed], event_id)
            await engine.wait_idle()
            later = await engine.enqueue([tmp_path / "later"], event_id)
            await engine.wait_idle()
            return first, later, seen

    first, later, seen = asyncio.run(main())
    (failed,) = items_of(store, batch_ids=[first])
    assert failed.state == q.FAILED and failed.attempts == 4
    assert failed.last_error.startswith("Gave up after 4 attempts:")
    assert {i.state for i in items_of(store, batch_ids=[later])} == {q.DONE}, "the rest go on"
    retrying = [
        e for e in seen if isinstance(e, ev.ItemStateChanged) and e.item_id == failed.id and e.state == q.QUEUED
    ]
    assert len(retrying) == 3 and all(e.message.startswith("Retrying in") for e in retrying)
    assert server.studio.count_requests("sp.event.photo_exists") == 3, "a 503 may have been applied: checked"
    assert server.studio.count_photos(event_id) == 2


def test_retry_after_is_honoured(server, store, tmp_path):
    event_id = new_event(server)
    photos(tmp_path / "shoot", 1)
    server.faults.configure(retry_after=1)
    server.faults.queue(429, method="sp.photo.upload")

    async def main():
        async with running(server, store) as (engine, _):
            loop = asyncio.get_running_loop()
            began = loop.time()
            await engine.enqueue([tmp_path / "shoot"], event_id)
            await engine.wait_idle()
            return loop.time() - began

    assert asyncio.run(main()) >= 1.0
    assert server.studio.count_photos(event_id) == 1


def test_when_the_network_goes_away_the_queue_waits_and_resumes_by_itself(store, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.engine")  # "the network seems to be down"
    first = SandboxServer(tmp_path / "studio", seed="empty").start()
    try:
        event_id = new_event(first)
        port, token = first.port, first.access_token
    finally:
        first.stop()
    photos(tmp_path / "shoot", 5)

    class Offline:  # what `running` needs of a server while none is listening
        shootproof_api_url = f"http://127.0.0.1:{port}/v2"
        access_token = token

    restarted: list[SandboxServer] = []

    async def main():
        async with running(Offline, store) as (engine, seen):
            await engine.enqueue([tmp_path / "shoot"], event_id)
            await until(lambda: any(isinstance(e, ev.NetworkDown) for e in seen))
            down = engine.snapshot()
            restarted.append(
                await asyncio.to_thread(lambda: SandboxServer(tmp_path / "studio", seed="empty", port=port).start())
            )
            await engine.wait_idle()
            return down, seen, store.read_sync(q.counts)

    try:
        down, seen, counts = asyncio.run(main())
        assert down.network_down and down.files[q.FAILED] == 0
        kinds = [type(e) for e in seen if isinstance(e, (ev.NetworkDown, ev.NetworkUp))]
        assert kinds == [ev.NetworkDown, ev.NetworkUp]
        assert counts[q.DONE][0] == 5 and counts[q.FAILED][0] == 0
        assert restarted[0].studio.count_photos(event_id) == 5
    finally:
        for server_ in restarted:
            server_.stop()


def test_a_deleted_album_from_the_album_map_is_made_again(server, store, tmp_path):
    event_id = new_event(server)
    make_jpeg(tmp_path / "Wedding" / "Ceremony" / "a.jpg")

    async def upload():
        async with running(server, store) as (engine, _):
            batch = await engine.enqueue([tmp_path / "Wedding"], event_id, mirror_folders=True)
            await engine.wait_idle()
            return batch

    asyncio.run(upload())
    (album,) = [p.album_id for p in server.studio.photos(event_id)]

    async def delete_it():
        async with client_for(server) as client:
            for photo in server.studio.photos(event_id):
                await client.photo_delete(photo.id)
            await client.album_delete(album)

    asyncio.run(delete_it())
    make_jpeg(tmp_path / "Wedding" / "Ceremony" / "b.jpg")
    batch = asyncio.run(upload())
    states = {i.name: i.state for i in items_of(store, batch_ids=[batch])}
    assert states == {"a.jpg": q.DUPLICATE, "b.jpg": q.DONE}, "the ledger still remembers a.jpg"
    (photo,) = server.studio.photos(event_id)
    assert photo.name == "b.jpg" and photo.album_id not in (None, album)
