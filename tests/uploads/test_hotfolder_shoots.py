"""Hot folders when cameras, cards and tethering software misbehave (issue 16), end to end.

Real files, a real watcher (inotify and polling), a real engine, the sandbox over HTTP.
"""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from studio_desktop.core.store import Store
from studio_desktop.uploads.engine import UploadEngine
from studio_desktop.uploads.hotfolders.events import (
    HotFolderChangedAfterUpload,
    HotFolderFileFailed,
    HotFolderFileNameTaken,
    HotFolderFileSkipped,
    HotFolderFileUploaded,
)
from studio_desktop.uploads.hotfolders.files import AfterUpload
from studio_desktop.uploads.hotfolders.lock import FolderInUse
from studio_desktop.uploads.records import ledger

from .hotfolder_harness import WATCHDOG_RACE, Harness, mpo_jpeg, noise_jpeg, sha256

pytestmark = WATCHDOG_RACE


def run(coro):
    return asyncio.run(coro)


@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_a_multi_picture_jpeg_written_in_two_steps_is_uploaded_whole(empty_sandbox, tmp_path, polling):
    folder = tmp_path / "tether"
    folder.mkdir()
    data, primary_end = mpo_jpeg(11, (400, 300))

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder, polling=polling)
            with open(folder / "IMG_0001.JPG", "wb") as writer:
                writer.write(data[:primary_end])
                writer.flush()
                # The camera pauses after the primary image, longer than the settle time.
                await asyncio.sleep(1.5)
                writer.write(data[primary_end:])
            await h.wait_for(lambda: h.of(HotFolderFileUploaded), what="the upload")
            await watcher.wait_quiet(10)
            photos = h.photos()
            assert len(photos) == 1
            assert sha256(h.server_bytes(photos[0].id)) == sha256(data), "the whole file, previews included"

    run(main())


def test_a_new_photo_at_the_path_of_one_moved_away_never_replaces_it(empty_sandbox, tmp_path):
    # Photo A is uploaded and moved to D; a new card (counter rolled over) brings a
    # different IMG_0001.jpg: it is another photo, not A changed, even with --replace-changed.
    folder, done = tmp_path / "hot", tmp_path / "done"
    folder.mkdir()
    photo_a, photo_b, photo_c = noise_jpeg(21), noise_jpeg(22), noise_jpeg(23)

    async def main():
        async with Harness(empty_sandbox) as h:
            options = {"after": AfterUpload(done), "replace_changed": True}
            watcher = await h.watch(folder, **options)
            (folder / "IMG_0001.jpg").write_bytes(photo_a)
            await h.wait_for(
                lambda: (done / "IMG_0001.jpg").exists() and h.of(HotFolderFileUploaded), what="A uploaded and moved"
            )
            (folder / "IMG_0001.jpg").write_bytes(photo_b)
            [taken] = await h.wait_for(lambda: h.of(HotFolderFileNameTaken), what="B not uploaded, said why")
            assert taken.path == folder / "IMG_0001.jpg" and "different photo" in taken.reason
            assert "Rename" in taken.reason
            await watcher.wait_quiet(10)
            await watcher.stop()

            # The card is reformatted while nobody watches: same rule after a restart.
            (folder / "IMG_0001.jpg").write_bytes(photo_c)
            watcher = await h.watch(folder, **options)
            await h.wait_for(lambda: len(h.of(HotFolderFileNameTaken)) == 2, what="C not uploaded either")
            await watcher.wait_quiet(10)

            [photo] = h.photos()
            assert sha256(h.server_bytes(photo.id)) == sha256(photo_a), "A is still the client's photo"
            assert empty_sandbox.studio.count_requests("sp.photo.update") == 0
            assert not [e for e in h.of(HotFolderChangedAfterUpload) if e.replaced]
            assert (folder / "IMG_0001.jpg").read_bytes() == photo_c, "the unsent photo stays where it is"

    run(main())


def test_a_different_photo_with_a_known_name_is_not_called_a_duplicate(empty_sandbox, tmp_path):
    folder = tmp_path / "hot"
    (folder / "card2").mkdir(parents=True)
    (folder / "copy").mkdir()
    first, other = noise_jpeg(24), noise_jpeg(25)

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder)
            (folder / "IMG_0001.jpg").write_bytes(first)
            await h.wait_for(lambda: h.of(HotFolderFileUploaded), what="the first upload")
            await watcher.wait_quiet(10)
            (folder / "card2" / "IMG_0001.jpg").write_bytes(other)
            (folder / "copy" / "IMG_0001.jpg").write_bytes(first)
            await h.wait_for(
                lambda: h.of(HotFolderFileNameTaken) and h.of(HotFolderFileSkipped), what="one verdict for each"
            )
            await watcher.wait_quiet(10)
            [taken] = h.of(HotFolderFileNameTaken)
            assert taken.path == folder / "card2" / "IMG_0001.jpg"
            [skipped] = h.of(HotFolderFileSkipped)
            assert skipped.path == folder / "copy" / "IMG_0001.jpg"
            assert "same photo" in skipped.reason.lower()
            assert len(h.photos()) == 1

    run(main())


def test_a_close_then_a_rewrite_within_the_settle_time_uploads_the_final_file_once(empty_sandbox, tmp_path):
    folder = tmp_path / "tether"
    folder.mkdir()
    draft, final = noise_jpeg(26), noise_jpeg(27, (140, 100))

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder, settle=2.0)
            (folder / "IMG_0001.jpg").write_bytes(draft)  # written and closed
            await asyncio.sleep(0.4)  # the tethering app reopens it to add its metadata
            (folder / "IMG_0001.jpg").write_bytes(final)
            await h.wait_for(lambda: h.of(HotFolderFileUploaded), what="the upload")
            await watcher.wait_quiet(10)
            [photo] = h.photos()
            assert sha256(h.server_bytes(photo.id)) == sha256(final)
            assert not h.of(HotFolderChangedAfterUpload)
            assert empty_sandbox.studio.count_requests("sp.photo.upload") == 1

    run(main())


def test_a_file_rewritten_just_after_its_upload_replaces_its_own_upload(empty_sandbox, tmp_path):
    folder = tmp_path / "tether"
    folder.mkdir()
    draft, final = noise_jpeg(28), noise_jpeg(29, (140, 100))

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder)  # no --replace-changed
            (folder / "IMG_0001.jpg").write_bytes(draft)
            await h.wait_for(lambda: h.of(HotFolderFileUploaded), what="the first upload")
            (folder / "IMG_0001.jpg").write_bytes(final)
            [changed] = await h.wait_for(lambda: h.of(HotFolderChangedAfterUpload), what="the replacement")
            assert changed.replaced, changed.message
            assert "replaced it in the gallery" in changed.message
            await watcher.wait_quiet(10)
            [photo] = h.photos()
            assert changed.photo_id == photo.id
            assert sha256(h.server_bytes(photo.id)) == sha256(final)

    run(main())


@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_touching_an_uploaded_file_is_not_a_change(empty_sandbox, tmp_path, polling):
    folder = tmp_path / "hot"
    folder.mkdir()
    photo = folder / "IMG_0001.jpg"

    async def main():
        async with Harness(empty_sandbox) as h:
            options = {"replace_changed": True, "rewrite_grace": 0, "polling": polling}
            watcher = await h.watch(folder, **options)
            photo.write_bytes(noise_jpeg(30))
            await h.wait_for(lambda: h.of(HotFolderFileUploaded), what="the upload")
            await watcher.wait_quiet(10)
            later = time.time() + 5
            os.utime(photo, (later, later))
            touched = os.stat(photo).st_mtime_ns

            async def remembered() -> bool:
                rows = await h.store.read(ledger.ledger_for_paths, [str(photo)], h.event_id, None)
                return any(e.mtime_ns == touched for e in rows.get(str(photo), []))

            deadline = time.monotonic() + 10
            while not await remembered():
                assert time.monotonic() < deadline, f"the touched version was never judged; {h.events[-5:]}"
                await asyncio.sleep(0.05)
            await watcher.wait_quiet(10)
            await watcher.stop()
            watcher = await h.watch(folder, **options)  # and a restart does not call it changed either
            await watcher.wait_quiet(10)
            assert not h.of(HotFolderChangedAfterUpload)
            assert empty_sandbox.studio.count_requests("sp.photo.update") == 0
            assert len(h.photos()) == 1

    run(main())


@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_renaming_a_subfolder_mid_shoot_neither_doubles_nor_loses_photos(empty_sandbox, tmp_path, polling):
    # The old paths' uploads end quietly (no "upload failed: ... no such file" warning: the strict log check
    # fails on one), not as failures the user sees; the watcher sends them from the new ones.
    folder = tmp_path / "hot"
    (folder / "sub").mkdir(parents=True)
    photos = {f"IMG_{i:04d}.jpg": noise_jpeg(40 + i) for i in range(10)}
    empty_sandbox.faults.configure(latency=0.3, only_methods="sp.photo.upload")

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder, mirror_folders=True, polling=polling)
            for name, data in photos.items():
                (folder / "sub" / name).write_bytes(data)
            await h.wait_for(lambda: h.of(HotFolderFileUploaded), timeout=30, what="the first upload")
            assert watcher.in_flight, "some are still on their way when the folder is renamed"
            os.rename(folder / "sub", folder / "sub2")
            await h.wait_for(
                lambda: len(h.of(HotFolderFileUploaded)) >= len(photos), timeout=30, what="every photo uploaded"
            )
            await watcher.wait_quiet(20)
            await watcher.stop()
            await h.watch(folder, mirror_folders=True, polling=polling)  # a restart sees them as uploaded
            await h.watchers[-1].wait_quiet(20)

            assert not h.of(HotFolderFileFailed), h.of(HotFolderFileFailed)
            assert h.engine.snapshot().files["failed"] == 0, "no failure for the user to see in the queue"
            on_server = sorted(p.name for p in h.photos())
            assert on_server == sorted(photos), "each photo exactly once"
            assert len(h.of(HotFolderFileUploaded)) == len(photos)

    run(main())


def test_one_watcher_per_folder_until_it_stops(empty_sandbox, tmp_path):
    folder = tmp_path / "hot"
    folder.mkdir()

    async def main():
        async with Harness(empty_sandbox) as h:
            first = await h.watch(folder)
            with pytest.raises(FolderInUse, match=f"process {os.getpid()} "):
                await h.watch(folder)
            (folder / "IMG_0001.jpg").write_bytes(noise_jpeg(60))
            await h.wait_for(lambda: h.of(HotFolderFileUploaded), what="the first watcher's upload")
            await first.wait_quiet(10)
            await first.stop()
            again = await h.watch(folder)  # the lock went with the first watcher
            await again.wait_quiet(10)
            assert len(h.photos()) == 1
            assert not [e for e in h.events if ".studio-desktop-watch" in str(getattr(e, "path", ""))]

    run(main())


def test_a_photo_another_uploader_sent_meanwhile_is_not_sent_again(empty_sandbox, tmp_path):
    # A watcher with its own data folder on a share the lock does not reach, or a
    # browser: the engine listed the gallery's names once, before that upload.
    folder, elsewhere = tmp_path / "hot", tmp_path / "other-laptop"
    folder.mkdir()
    elsewhere.mkdir()
    (elsewhere / "IMG_0002.jpg").write_bytes(noise_jpeg(62))

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder)
            (folder / "IMG_0001.jpg").write_bytes(noise_jpeg(61))
            await h.wait_for(lambda: h.of(HotFolderFileUploaded), what="the first upload")
            await h.client.photo_upload(h.event_id, elsewhere / "IMG_0002.jpg")
            (folder / "IMG_0002.jpg").write_bytes((elsewhere / "IMG_0002.jpg").read_bytes())
            [skipped] = await h.wait_for(lambda: h.of(HotFolderFileSkipped), what="the verdict on IMG_0002")
            await watcher.wait_quiet(10)
            assert skipped.path == folder / "IMG_0002.jpg"
            assert sorted(p.name for p in h.photos()) == ["IMG_0001.jpg", "IMG_0002.jpg"]
            assert len(h.of(HotFolderFileUploaded)) == 1

    run(main())


def test_files_another_process_uploaded_do_not_stay_queued(empty_sandbox, tmp_path):
    folder = tmp_path / "hot"
    folder.mkdir()

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder)
            h.engine.pause()
            (folder / "IMG_0001.jpg").write_bytes(noise_jpeg(70))
            await h.wait_for(lambda: watcher.in_flight == 1 and not watcher.pending, what="the file queued")
            assert await watcher.still_queued() == 1
            await h.engine.stop()
            # Another process working the same queue (same data folder) uploads it.
            other_store = Store(h.store.path)
            other = UploadEngine(h.client, other_store)
            await other.start()
            try:
                deadline = time.monotonic() + 20
                while await watcher.still_queued():
                    assert time.monotonic() < deadline, "the other process never finished it"
                    await asyncio.sleep(0.05)
            finally:
                await other.stop()
                other_store.close()
            assert len(h.photos()) == 1
            assert watcher.in_flight == 1, "this watcher never heard of that upload"

    run(main())


def test_a_different_photo_with_a_known_name_goes_to_its_own_album_with_mirrored_folders(empty_sandbox, tmp_path):
    folder = tmp_path / "hot"
    (folder / "card2").mkdir(parents=True)
    first, other = noise_jpeg(80), noise_jpeg(81)

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder, mirror_folders=True)
            (folder / "IMG_0001.jpg").write_bytes(first)
            await h.wait_for(lambda: h.of(HotFolderFileUploaded), what="the first upload")
            (folder / "card2" / "IMG_0001.jpg").write_bytes(other)
            await h.wait_for(lambda: len(h.of(HotFolderFileUploaded)) == 2, what="the second upload")
            await watcher.wait_quiet(10)
            albums = {a.name: a.id for a in await h.client.album_get_list(h.event_id)}
            photos = h.photos()
            assert sorted((p.name, p.album_id or 0) for p in photos) == [
                ("IMG_0001.jpg", 0),
                ("IMG_0001.jpg", albums["card2"]),
            ]
            by_album = {p.album_id or 0: sha256(h.server_bytes(p.id)) for p in photos}
            assert by_album == {0: sha256(first), albums["card2"]: sha256(other)}
            assert not h.of(HotFolderFileSkipped) and not h.of(HotFolderFileNameTaken)

    run(main())


@pytest.mark.parametrize(
    "restart, touch",
    [(False, False), (True, False), (True, True)],
    ids=["running", "while-stopped", "touched-while-stopped"],
)
def test_an_uploaded_photo_renamed_or_moved_into_a_subfolder_is_not_sent_again(empty_sandbox, tmp_path, restart, touch):
    """Found by the watcher model: a file renamed (same folder) or moved into a mirrored subfolder after
    its upload was taken for a new photo and sent again under its new name or album."""
    folder = tmp_path / "hot"
    folder.mkdir()
    renamed, moved = noise_jpeg(60), noise_jpeg(61)

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder, mirror_folders=True)
            (folder / "IMG_0001.jpg").write_bytes(renamed)
            (folder / "IMG_0002.jpg").write_bytes(moved)
            await h.wait_for(lambda: len(h.of(HotFolderFileUploaded)) == 2, what="both uploads")
            await watcher.wait_quiet(10)
            if restart:
                await watcher.stop()
            if touch:  # a new time too, that no watcher saw
                for name in ("IMG_0001.jpg", "IMG_0002.jpg"):
                    later = time.time() + 5
                    os.utime(folder / name, (later, later))
            os.rename(folder / "IMG_0001.jpg", folder / "IMG_0102.jpg")
            (folder / "sub").mkdir()
            os.rename(folder / "IMG_0002.jpg", folder / "sub" / "IMG_0002.jpg")
            if restart:
                watcher = await h.watch(folder, mirror_folders=True)
            new_paths = [str(folder / "IMG_0102.jpg"), str(folder / "sub" / "IMG_0002.jpg")]
            deadline = time.monotonic() + 20
            # Judged either way (sent again, or known), the ledger gains a row for each new path.
            while len(await h.store.read(ledger.ledger_for_paths, new_paths, h.event_id, None)) < 2:
                assert time.monotonic() < deadline, f"the moved files were never judged; {h.events[-5:]}"
                await asyncio.sleep(0.05)
            await watcher.wait_quiet(10)
            await asyncio.wait_for(h.engine.wait_idle(), 10)
            await watcher.wait_quiet(10)
            in_gallery = sorted(sha256(h.server_bytes(p.id)) for p in h.photos())
            assert in_gallery == sorted([sha256(renamed), sha256(moved)]), "each photo once"
            assert len(h.of(HotFolderFileUploaded)) == 2

    run(main())
