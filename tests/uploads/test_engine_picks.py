"""The engine with a shape: only the picks go up, resized copies go up, identity stays the original's.

Against the sandbox over real HTTP; what landed is read from the sandbox's stored files.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import os

from imagegen import BLUE, RED, make_exif, make_rgb_image, make_sparse_jpeg, pixel_is
from PIL import Image
from xmp_samples import capture_one, jpeg_with_xmp, lightroom, photo_mechanic

from studio_desktop.core import paths
from studio_desktop.uploads import events as ev
from studio_desktop.uploads.picks import PickFilter
from studio_desktop.uploads.records import ledger
from studio_desktop.uploads.records import queue as q
from studio_desktop.uploads.resize import PRESETS
from studio_desktop.uploads.shaping import UploadShape

from .engine_support import client_for, items_of, new_event
from .engine_support import running as engine_running


def gallery_names(server, event_id: int) -> list[str]:
    async def listing():
        async with client_for(server) as client:
            return sorted([p.name async for p in client.iter_event_photos(event_id, limit=1000)])

    return asyncio.run(listing())


def upload(server, store, paths_, event_id, shape, **enqueue):
    async def main():
        async with engine_running(server, store) as (engine, seen):
            batch = await engine.enqueue(paths_, event_id, shape=shape, **enqueue)
            await engine.wait_idle()
            left_out = [i for i in items_of(store, batch_ids=[batch]) if i.state == q.FILTERED]
            return batch, left_out, seen

    return asyncio.run(main())


def test_only_the_picks_go_up_and_the_rest_are_counted_apart(server, store, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.engine")  # "upload failed: E_broken.jpg"
    event_id = new_event(server)
    shoot = tmp_path / "Shoot"
    jpeg_with_xmp(shoot / "A_five.jpg", lightroom(rating=5, label="Green"))
    jpeg_with_xmp(shoot / "B_two.jpg", lightroom(rating=2))
    jpeg_with_xmp(shoot / "C_rejected.jpg", lightroom(rating=4))
    (shoot / "C_rejected.xmp").write_text(lightroom(rating=-1), encoding="utf-8")  # re-rated later: sidecar wins
    jpeg_with_xmp(shoot / "D_winner.jpg", photo_mechanic(color_class=1, tagged=True, rating=3))
    jpeg_with_xmp(shoot / "E_broken.jpg", lightroom(rating=5)[:150])
    jpeg_with_xmp(shoot / "F_capture_one.jpg", None)
    (shoot / "F_capture_one.xmp").write_text(capture_one(rating=3, label="Red"), encoding="utf-8")

    shape = UploadShape(PickFilter(min_rating=3, skip_rejects=True))
    batch, left_out, seen = upload(server, store, [shoot], event_id, shape)

    assert gallery_names(server, event_id) == ["A_five.jpg", "D_winner.jpg", "F_capture_one.jpg"]
    assert sorted((f.name, f.last_error) for f in left_out) == [
        ("B_two.jpg", "Left out by filter: rated 2 stars, below 3 stars."),
        ("C_rejected.jpg", "Left out by filter: rejected (rated -1)."),
    ]
    assert sorted(e.name for e in seen if isinstance(e, ev.ItemStateChanged) and e.state == q.FILTERED) == [
        "B_two.jpg",
        "C_rejected.jpg",
    ]
    by_name = {i.name: i for i in items_of(store, batch_ids=[batch])}
    assert by_name["B_two.jpg"].attempts == 0 and by_name["B_two.jpg"].bytes_sent == 0, "left out, never sent"
    assert by_name["E_broken.jpg"].state == q.FAILED
    assert "Cannot apply the picks filter: its embedded XMP is not well-formed" in by_name["E_broken.jpg"].last_error
    assert store.read_sync(q.get_batch, batch).options["picks"] == shape.picks.to_options()


def test_labels_pick_by_xmp_label_or_photo_mechanic_class(server, store, tmp_path):
    event_id = new_event(server)
    shoot = tmp_path / "shoot"  # not tmp_path itself: the app's data folder (and its store's lock file) is there
    shoot.mkdir()
    jpeg_with_xmp(shoot / "green.jpg", lightroom(rating=1, label="Green"))
    jpeg_with_xmp(shoot / "red.jpg", lightroom(rating=1, label="Red"))
    jpeg_with_xmp(shoot / "winner.jpg", photo_mechanic(color_class=1))
    jpeg_with_xmp(shoot / "none.jpg", None)
    _, left_out, _ = upload(server, store, [shoot], event_id, UploadShape(PickFilter(labels=("green", "Winner"))))
    assert gallery_names(server, event_id) == ["green.jpg", "winner.jpg"]
    assert sorted(f.name for f in left_out) == ["none.jpg", "red.jpg"]


def camera_photo(path, size=(3000, 2000), orientation=6):
    image = make_rgb_image(size, RED, BLUE)
    image.save(path, "JPEG", quality=92, exif=make_exif(orientation=orientation, make="Nikon").tobytes())
    return path


def test_resized_upload_sends_a_smaller_upright_copy_and_the_ledger_keeps_the_original(server, store, tmp_path):
    event_id = new_event(server)
    original = camera_photo(tmp_path / "DSC_0001.jpg")
    data = original.read_bytes()
    st = os.stat(original)
    shape = UploadShape(resize=PRESETS["Web 2048 px"])

    batch, _, _ = upload(server, store, [original], event_id, shape)

    [item] = items_of(store, batch_ids=[batch])
    assert item.state == q.DONE and (item.size, item.mtime_ns) == (st.st_size, st.st_mtime_ns)
    sent = server.studio.photo_file(item.photo_id).read_bytes()
    with Image.open(io.BytesIO(sent)) as landed:
        assert landed.size == (1365, 2048)
        assert landed.getexif()[0x0112] == 1 and landed.getexif()[0x010F] == "Nikon"
        assert pixel_is(landed.convert("RGB"), (680, 100), RED)
    assert len(sent) < len(data)
    entry = store.read_sync(ledger.ledger_lookup, str(original), st.st_size, st.st_mtime_ns, event_id, None)
    assert entry.photo_id == item.photo_id
    assert entry.content_hash == hashlib.sha256(data).hexdigest(), "the original's hash, not the copy's"
    assert original.read_bytes() == data and os.stat(original).st_mtime_ns == st.st_mtime_ns
    resized_dir = paths.current().cache_dir / "resized"
    assert not resized_dir.exists() or not os.listdir(resized_dir), "temporary copies are deleted"

    batch2, _, _ = upload(server, store, [original], event_id, shape)
    [again] = items_of(store, batch_ids=[batch2])
    assert again.state == q.DUPLICATE and again.photo_id == item.photo_id
    assert gallery_names(server, event_id) == ["DSC_0001.jpg"]


def test_a_photo_over_the_limit_goes_up_resized_only_when_allowed(server, store, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.engine")  # "upload failed: HUGE.jpg: larger than"
    event_id = new_event(server)
    big = make_sparse_jpeg(tmp_path / "HUGE.jpg", 52 * 1024 * 1024, size=(1200, 800))

    refused, _, _ = upload(server, store, [big], event_id, UploadShape())
    [item] = items_of(store, batch_ids=[refused])
    assert item.state == q.FAILED and "50 MB limit" in item.last_error

    allowed, _, _ = upload(server, store, [big], event_id, UploadShape(resize_oversize=True))
    [item] = items_of(store, batch_ids=[allowed])
    assert item.state == q.DONE, item.last_error
    assert item.size == 52 * 1024 * 1024
    landed = server.studio.photo_file(item.photo_id)
    assert landed.stat().st_size < 50 * 1024 * 1024
    with Image.open(landed) as image:
        assert image.size == (1200, 800)


def test_retrying_a_failed_over_limit_photo_of_a_resizing_batch_sends_it(server, store, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.engine")  # "upload failed: ... no longer there"
    event_id = new_event(server)
    big = make_sparse_jpeg(tmp_path / "shoot" / "HUGE.jpg", 51 * 1024 * 1024, size=(900, 600))
    aside = tmp_path / "aside.jpg"

    async def main():
        async with engine_running(server, store, start=False) as (engine, _):
            batch = await engine.enqueue([big], event_id, shape=UploadShape(resize_oversize=True))
            os.replace(big, aside)  # gone after it was queued: it fails
            await engine.start()
            await engine.wait_idle()
            [failed] = items_of(store, batch_ids=[batch])
            os.replace(aside, big)
            retried = await engine.retry()
            await engine.wait_idle()
            return failed, retried, store.read_sync(q.get_item, failed.id)

    failed, retried, after = asyncio.run(main())
    assert failed.state == q.FAILED and "no longer there" in failed.last_error
    assert retried == [failed.id]
    assert after.state == q.DONE, after.last_error


def test_left_out_photos_are_queue_rows_listed_once_and_taken_when_re_rated(server, store, tmp_path):
    event_id = new_event(server)
    tmp_path = tmp_path / "shoot"
    jpeg_with_xmp(tmp_path / "keep.jpg", lightroom(rating=4))
    jpeg_with_xmp(tmp_path / "maybe.jpg", lightroom(rating=1))
    shape = UploadShape(PickFilter(min_rating=3))
    first, _, _ = upload(server, store, [tmp_path], event_id, shape)

    async def retry_all():
        async with engine_running(server, store) as (engine, _):
            await engine.retry()
            await engine.wait_idle()
            return engine.snapshot()

    asyncio.run(retry_all())
    assert [i.state for i in items_of(store, batch_ids=[first]) if i.name == "maybe.jpg"] == [q.FILTERED], (
        "never retried"
    )
    # Dropped again: the left-out photo moves into the new batch rather than being listed twice.
    second, left_out, _ = upload(server, store, [tmp_path], event_id, shape)
    assert [(i.name, i.batch_id) for i in left_out] == [("maybe.jpg", second)]
    assert [i.name for i in items_of(store, states=[q.FILTERED])] == ["maybe.jpg"]
    assert store.read_sync(q.counts, [first, second])[q.FILTERED] == (1, left_out[0].size)

    (tmp_path / "maybe.xmp").write_text(lightroom(rating=5), encoding="utf-8")  # re-rated: the sidecar wins
    third, left_out, _ = upload(server, store, [tmp_path], event_id, shape)
    assert left_out == []
    assert gallery_names(server, event_id) == ["keep.jpg", "maybe.jpg"]
    assert items_of(store, states=[q.FILTERED]) == [], "uploaded now: no longer listed as left out"
    assert [i.name for i in items_of(store, batch_ids=[third], states=[q.DONE])] == ["maybe.jpg"]
