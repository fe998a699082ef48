"""What "the same photo" means, held against the sandbox over real HTTP (issue 10, defects 1-4).

Photos are counted on the server, listed through the client, never taken from
the engine's summary.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from pathlib import Path

from imagegen import BLUE, make_jpeg

from studio_desktop.uploads.records import ledger
from studio_desktop.uploads.records import queue as q

from .engine_support import client_for, items_of, new_event, photos, running, until

ALREADY_THERE = "An earlier attempt had already reached the gallery."


def gallery(server, event_id: int) -> list[tuple[str, tuple[str, ...], int]]:
    """(name, album path or () for the event's root, photo id) of every photo, as the API lists them."""

    async def listing():
        async with client_for(server) as client:
            where: dict[int, tuple[str, ...]] = {}

            async def walk(albums, path):
                for album in albums:
                    here = (*path, album.name)
                    async for photo in client.iter_album_photos(album.id, limit=1000):
                        where[photo.id] = here
                    await walk(album.sub_albums, here)

            await walk(await client.album_get_list(event_id), ())
            return sorted(
                [(p.name, where.get(p.id, ()), p.id) async for p in client.iter_event_photos(event_id, limit=1000)]
            )

    return asyncio.run(listing())


def albums(server, event_id: int) -> list[tuple[str, ...]]:
    async def listing():
        async with client_for(server) as client:
            found = []

            def walk(nodes, path):
                for album in nodes:
                    found.append((*path, album.name))
                    walk(album.sub_albums, (*path, album.name))

            walk(await client.album_get_list(event_id), ())
            return sorted(found)

    return asyncio.run(listing())


def upload(server, store, paths, event_id, **options) -> int:
    enqueue = {k: options.pop(k) for k in ("mirror_folders", "album_id") if k in options}

    async def main():
        async with running(server, store, **options) as (engine, _):
            batch = await engine.enqueue(paths, event_id, **enqueue)
            await engine.wait_idle()
            return batch

    return asyncio.run(main())


# -- 1: the event's root is its own target ----------------------------------------------------


def test_a_different_photo_at_the_root_is_not_a_duplicate_of_a_same_named_one_in_an_album(server, store, tmp_path):
    event_id = new_event(server)
    root = tmp_path / "R"
    in_album = make_jpeg(root / "Ceremony" / "IMG_0001.jpg", size=(40, 30))
    upload(server, store, [root], event_id, mirror_folders=True)
    assert [(n, a) for n, a, _ in gallery(server, event_id)] == [("IMG_0001.jpg", ("Ceremony",))]

    at_root = make_jpeg(root / "IMG_0001.jpg", size=(50, 30), color=BLUE)
    batch = upload(server, store, [root], event_id, mirror_folders=True)

    on_server = gallery(server, event_id)
    assert [(n, a) for n, a, _ in on_server] == [("IMG_0001.jpg", ()), ("IMG_0001.jpg", ("Ceremony",))]
    root_id = next(pid for _, a, pid in on_server if a == ())
    assert server.studio.photo_file(root_id).read_bytes() == at_root.read_bytes()
    states = {Path(i.path).relative_to(root).as_posix(): i.state for i in items_of(store, batch_ids=[batch])}
    assert states == {"IMG_0001.jpg": q.DONE, "Ceremony/IMG_0001.jpg": q.DUPLICATE}
    assert in_album.exists()


def test_an_interrupted_root_upload_is_not_taken_as_landed_because_an_album_has_its_name(server, store, tmp_path):
    event_id = new_event(server)
    root = tmp_path / "R"
    make_jpeg(root / "Ceremony" / "IMG_0001.jpg", size=(40, 30))
    upload(server, store, [root], event_id, mirror_folders=True)
    at_root = make_jpeg(root / "IMG_0001.jpg", size=(50, 30), color=BLUE)
    # A crash left the root photo mid-upload: before its answer, maybe before it landed.
    batch = store.write_sync(q.create_batch, event_id, None, {}, "crashed run")
    store.write_sync(
        q.add_items, batch, [q.NewItem(str(at_root), at_root.name, at_root.stat().st_size, at_root.stat().st_mtime_ns)]
    )
    item = items_of(store, batch_ids=[batch])[0]
    store.write_sync(q.set_state, item.id, q.UPLOADING, verify=True)

    async def main():
        async with running(server, store) as (engine, _):
            await engine.wait_idle()

    asyncio.run(main())
    done = store.read_sync(q.get_item, item.id)
    on_server = gallery(server, event_id)
    assert [(n, a) for n, a, _ in on_server] == [("IMG_0001.jpg", ()), ("IMG_0001.jpg", ("Ceremony",))]
    assert done.state == q.DONE and done.last_error != ALREADY_THERE
    assert done.photo_id == next(pid for _, a, pid in on_server if a == ())


def test_an_upload_to_an_album_and_one_to_the_root_at_the_same_time_both_land_whole(server, store, tmp_path):
    event_id = new_event(server)
    in_album = photos(tmp_path / "A" / "Ceremony", 30)
    at_root = [make_jpeg(tmp_path / "B" / p.name, size=(50, 40), color=BLUE) for p in in_album]

    async def main():
        async with (
            running(server, store, batches=[]) as (album_engine, _),
            running(server, store, batches=[]) as (root_engine, _),
        ):
            first = asyncio.create_task(album_engine.enqueue([tmp_path / "A"], event_id, mirror_folders=True))
            # The root upload starts while the album one is half-way: it looks at a gallery in motion.
            await until(lambda: album_engine.snapshot().files[q.DONE] >= 10)
            second = await root_engine.enqueue([tmp_path / "B"], event_id)
            await first
            await asyncio.gather(album_engine.wait_idle(), root_engine.wait_idle())
            return second

    root_batch = asyncio.run(main())
    on_server = gallery(server, event_id)
    assert sorted(n for n, a, _ in on_server if a == ()) == sorted(p.name for p in at_root)
    assert sorted(n for n, a, _ in on_server if a == ("Ceremony",)) == sorted(p.name for p in in_album)
    assert {i.state for i in items_of(store, batch_ids=[root_batch])} == {q.DONE}


# -- 2: sibling albums of the same name -------------------------------------------------------


def test_sibling_albums_of_one_name_are_chosen_the_same_way_every_run(server, store, tmp_path):
    event_id = new_event(server)

    async def albums_with_a_twin():
        async with client_for(server) as client:
            await client.album_create(event_id, "One")
            second = await client.album_create(event_id, "One")
            await client.album_create(event_id, "y", parent_id=second.id)

    asyncio.run(albums_with_a_twin())
    root = tmp_path / "R"
    photos(root / "One" / "y", 3)
    for _ in range(3):
        upload(server, store, [root], event_id, mirror_folders=True)

    on_server = gallery(server, event_id)
    assert len(on_server) == 3, "each photo once, however many times the folder is uploaded"
    assert {a for _, a, _ in on_server} == {("One", "y")}
    assert albums(server, event_id).count(("One", "y")) <= 2, "no third album y"


def test_the_album_map_chooses_by_display_order_then_lowest_id_and_keeps_its_choice(store):
    rows = [
        ledger.AlbumRow(None, "One", 30, 2),
        ledger.AlbumRow(None, "One", 20, 1),
        ledger.AlbumRow(None, "One", 10, 1),
        ledger.AlbumRow(10, "y", 40, None),
        ledger.AlbumRow(10, "y", 41, 0),
    ]
    chosen = store.write_sync(ledger.album_replace, 7, rows)
    assert chosen == {(0, "One"): 10, (10, "y"): 41}
    assert store.read_sync(ledger.album_lookup, 7, None, "One") == 10
    assert ledger.choose_albums(reversed(rows)) == chosen, "the server's list order does not change the choice"
    # Once chosen, an album stays chosen while it exists, even if a better-placed twin appears.
    assert store.write_sync(ledger.album_replace, 7, [*rows, ledger.AlbumRow(None, "One", 5, 0)])[(0, "One")] == 10
    assert store.write_sync(ledger.album_replace, 7, rows[:2])[(0, "One")] == 20, "the chosen one was deleted"


# -- 3: an album create that failed after it took effect --------------------------------------


def test_album_creates_that_fail_after_taking_effect_never_make_a_second_album(server, store, tmp_path):
    event_id = new_event(server)
    root = tmp_path / "R"
    for folder in ("Details", "Portraits"):
        photos(root / folder, 4, prefix=f"{folder[0]}_")
    server.faults.configure(rate=0.6, after_share=1.0, only_methods="sp.album.create", seed=10)

    for _ in range(3):  # a failure counts as an attempt; re-running finishes what gave up
        batch = upload(server, store, [root], event_id, mirror_folders=True, concurrency=5)
        if all(i.state in (q.DONE, q.DUPLICATE) for i in items_of(store, batch_ids=[batch])):
            break
    assert server.faults.injected > 0
    assert albums(server, event_id) == [("Details",), ("Portraits",)]
    on_server = gallery(server, event_id)
    assert sorted((a, n) for n, a, _ in on_server) == sorted(
        [(("Details",), f"D_{i:04d}.jpg") for i in range(4)] + [(("Portraits",), f"P_{i:04d}.jpg") for i in range(4)]
    )


def test_items_waiting_for_an_album_whose_create_failed_after_it_landed_look_before_creating(server, store, tmp_path):
    event_id = new_event(server)
    root = tmp_path / "R"
    photos(root / "Details", 4)
    server.faults.queue(500, after=True, method="sp.album.create")  # created, but the answer is lost
    batch = upload(server, store, [root], event_id, mirror_folders=True, concurrency=4)

    assert albums(server, event_id) == [("Details",)]
    assert server.studio.count_requests("sp.album.create") == 1, "the album list was read again, not created again"
    assert {i.state for i in items_of(store, batch_ids=[batch])} == {q.DONE}
    assert sorted(a for _, a, _ in gallery(server, event_id)) == [("Details",)] * 4


# -- 4: --no-dedup under upload faults --------------------------------------------------------


def test_no_dedup_under_faults_never_takes_an_older_version_for_the_new_one(server, store, tmp_path):
    event_id = new_event(server)
    shoot = tmp_path / "shoot"
    first = photos(shoot, 12)
    upload(server, store, [shoot], event_id)
    old_ids = {pid for _, _, pid in gallery(server, event_id)}
    assert len(old_ids) == 12

    # Re-exported: the same names, new pictures.
    for n, path in enumerate(first):
        make_jpeg(path, size=(60 + n, 44), color=BLUE)
    new_bytes = {p.name: p.read_bytes() for p in first}
    server.faults.configure(rate=0.5, reset_share=1.0, after_share=0.5, only_methods="sp.photo.upload", seed=4)
    batch = upload(server, store, [shoot], event_id, dedup=False, concurrency=3)
    for _ in range(3):
        if all(i.state == q.DONE for i in items_of(store, batch_ids=[batch])):
            break

        async def again():
            async with running(server, store, dedup=False, concurrency=3) as (engine, _):
                await engine.retry()
                await engine.wait_idle()

        asyncio.run(again())
    server.faults.clear()

    items = items_of(store, batch_ids=[batch])
    assert {i.state for i in items} == {q.DONE}
    on_server = gallery(server, event_id)
    assert len(on_server) == 24, "every new version landed once beside the old one"
    for item in items:
        assert item.photo_id not in old_ids, f"{item.name} was counted as uploaded on its older version"
        assert server.studio.photo_file(item.photo_id).read_bytes() == new_bytes[item.name]
    assert sorted(n for n, _, pid in on_server if pid not in old_ids) == sorted(new_bytes)


# -- the ledger and refusals ------------------------------------------------------------------


def test_the_ledger_keeps_the_hash_of_the_bytes_sent(server, store, tmp_path):
    event_id = new_event(server)
    files = photos(tmp_path / "shoot", 3)
    batch = upload(server, store, [tmp_path / "shoot"], event_id)
    for item in items_of(store, batch_ids=[batch]):
        entry = store.read_sync(ledger.ledger_lookup, item.path, item.size, item.mtime_ns, event_id, None)
        digest = hashlib.sha256(Path(item.path).read_bytes()).hexdigest()
        assert entry.content_hash == digest and store.read_sync(ledger.ledger_by_hash, event_id, None, digest) == [
            entry
        ]
        assert hashlib.sha256(server.studio.photo_file(item.photo_id).read_bytes()).hexdigest() == digest
    assert len(files) == 3


def test_the_same_refusal_for_three_photos_in_a_row_stops_the_queue_with_the_servers_message(
    server, store, tmp_path, caplog
):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.engine")  # refusals, then "uploads stopped"
    event_id = new_event(server)
    photos(tmp_path / "shoot", 8)

    async def main():
        # A watermark deleted on the site: every photo gets the same refusal.
        async with running(server, store, concurrency=1, watermark_id=424242) as (engine, _):
            batch = await engine.enqueue([tmp_path / "shoot"], event_id)
            await engine.wait_idle()
            return batch, engine.snapshot()

    batch, snapshot = asyncio.run(main())
    states = [i.state for i in items_of(store, batch_ids=[batch])]
    assert states.count(q.FAILED) == 2 and states.count(q.QUEUED) == 6
    assert snapshot.stopped_reason is not None and "no watermark with ID 424242" in snapshot.stopped_reason
    assert server.studio.count_requests("sp.photo.upload") == 3
    assert gallery(server, event_id) == []


def test_an_unfamiliar_plan_full_code_stops_the_queue_instead_of_failing_every_photo(
    server, store, tmp_path, monkeypatch, caplog
):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.engine")  # refusals, then "uploads stopped"
    from studio_desktop.sandbox import shootproof_photos
    from studio_desktop.sandbox.registry import ApiFail

    def storage_full(c, call):  # a service that says "full" in words we have never seen
        raise ApiFail(400, "Your account's storage is full.", code="storage_quota_exceeded")

    monkeypatch.setattr(shootproof_photos, "_take_plan_slot", storage_full)
    event_id = new_event(server)
    photos(tmp_path / "shoot", 6)
    batch = upload(server, store, [tmp_path / "shoot"], event_id, concurrency=1)
    states = [i.state for i in items_of(store, batch_ids=[batch])]
    assert (states.count(q.FAILED), states.count(q.QUEUED)) == (2, 4)
    assert server.studio.count_requests("sp.photo.upload") == 3 and gallery(server, event_id) == []
    assert "Your account's storage is full." in store.read_sync(q.get_item, items_of(store)[0].id).last_error


def test_an_upload_whose_answer_was_lost_is_recorded_with_the_hash_of_what_was_sent(server, store, tmp_path):
    event_id = new_event(server)
    path = make_jpeg(tmp_path / "shoot" / "IMG_0001.jpg", size=(64, 48))
    server.faults.queue(500, after=True, method="sp.photo.upload")
    batch = upload(server, store, [tmp_path / "shoot"], event_id)
    item = items_of(store, batch_ids=[batch])[0]
    assert (item.state, item.last_error) == (q.DONE, ALREADY_THERE)
    assert [pid for _, _, pid in gallery(server, event_id)] == [item.photo_id]
    entry = store.read_sync(ledger.ledger_lookup, item.path, item.size, item.mtime_ns, event_id, None)
    assert (entry.photo_id, entry.content_hash) == (item.photo_id, hashlib.sha256(path.read_bytes()).hexdigest())


def test_after_a_refusal_stop_the_same_answer_requeues_photos_in_flight_and_after_resume(
    server, store, tmp_path, caplog
):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.engine")  # refusals, then "uploads stopped"
    event_id = new_event(server)
    photos(tmp_path / "shoot", 9)

    async def main():
        async with running(server, store, concurrency=4, watermark_id=424242) as (engine, _):
            batch = await engine.enqueue([tmp_path / "shoot"], event_id)
            await engine.wait_idle()
            first_stop = [i.state for i in items_of(store, batch_ids=[batch])]
            await engine.resume()
            await engine.wait_idle()
            return batch, first_stop, engine.snapshot()

    batch, first_stop, snapshot = asyncio.run(main())
    assert first_stop.count(q.FAILED) <= 2 and first_stop.count(q.DONE) == 0
    states = [i.state for i in items_of(store, batch_ids=[batch])]
    assert states.count(q.FAILED) == first_stop.count(q.FAILED), "the same answer after resuming stops at once"
    assert snapshot.stopped_reason is not None and states.count(q.QUEUED) == 9 - states.count(q.FAILED)
