"""Hot folders end to end: watchdog -> gate -> real upload engine -> sandbox studio over HTTP."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
from pathlib import Path

import pytest

from studio_desktop.uploads.hotfolders import watcher as hotfolder
from studio_desktop.uploads.hotfolders.events import (
    HotFolderBatch,
    HotFolderFileFailed,
    HotFolderFileUploaded,
    HotFolderProblem,
    HotFolderStarted,
)
from studio_desktop.uploads.hotfolders.files import AfterUpload, move_keeping_subfolders, walk_folder
from studio_desktop.uploads.records import queue as q

from .hotfolder_harness import WATCHDOG_RACE, Harness, noise_jpeg, sha256

pytestmark = WATCHDOG_RACE


def run(coro):
    return asyncio.run(coro)


def write_in_chunks(path: Path, data: bytes, chunk: int = 3000) -> None:
    with open(path, "wb") as writer:
        for start in range(0, len(data), chunk):
            writer.write(data[start : start + chunk])
            writer.flush()


def uploaded_paths(h: Harness) -> list[Path]:
    return [e.path for e in h.of(HotFolderFileUploaded)]


def test_a_photo_dropped_in_is_uploaded_once_and_byte_identical(empty_sandbox, tmp_path):
    folder = tmp_path / "tether"
    folder.mkdir()
    first, second = noise_jpeg(1, (300, 200)), noise_jpeg(2)

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder)
            assert watcher.observer_kind == "inotify"
            write_in_chunks(folder / "IMG_0001.jpg", first)
            temp = folder / "IMG_0002.jpg.tmp"
            write_in_chunks(temp, second)
            os.rename(temp, folder / "IMG_0002.jpg")
            await h.wait_for(lambda: len(h.of(HotFolderFileUploaded)) == 2, what="two uploads")
            await watcher.wait_quiet(10)
            photos = {p.name: p for p in h.photos()}
            assert sorted(photos) == ["IMG_0001.jpg", "IMG_0002.jpg"]
            assert sha256(h.server_bytes(photos["IMG_0001.jpg"].id)) == sha256(first)
            assert sha256(h.server_bytes(photos["IMG_0002.jpg"].id)) == sha256(second)
            assert {e.photo_id for e in h.of(HotFolderFileUploaded)} == {p.id for p in photos.values()}
            assert not [p for p in uploaded_paths(h) if p.name.endswith(".tmp")]
            assert h.of(HotFolderStarted)[0].observer == "inotify"

    run(main())


def test_files_there_before_the_start_are_uploaded_and_not_again_next_time(empty_sandbox, tmp_path):
    folder = tmp_path / "card"
    (folder / "sub").mkdir(parents=True)
    (folder / "A.jpg").write_bytes(noise_jpeg(3))
    (folder / "sub" / "B.jpg").write_bytes(noise_jpeg(4))
    (folder / ".hidden.jpg").write_bytes(noise_jpeg(5))

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder)
            await h.wait_for(lambda: len(h.of(HotFolderFileUploaded)) == 2, what="the two files found at start")
            await watcher.wait_quiet(10)
            await watcher.stop()
            uploads_before = empty_sandbox.studio.count_requests("sp.photo.upload")

            h.events.clear()
            watcher = await h.watch(folder)
            (folder / "C.jpg").write_bytes(noise_jpeg(6))
            await h.wait_for(lambda: h.of(HotFolderFileUploaded), what="the new file")
            await watcher.wait_quiet(10)
            assert [e.path.name for e in h.of(HotFolderFileUploaded)] == ["C.jpg"]
            assert empty_sandbox.studio.count_requests("sp.photo.upload") == uploads_before + 1
            assert sorted(p.name for p in h.photos()) == ["A.jpg", "B.jpg", "C.jpg"]

    run(main())


def test_a_burst_found_at_start_is_one_batch_not_500(empty_sandbox, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    data = noise_jpeg(7, (16, 16))
    an_hour_ago = os.path.getmtime(tmp_path) - 3600
    for i in range(500):
        path = folder / f"IMG_{i:04d}.jpg"
        path.write_bytes(data)
        os.utime(path, (an_hour_ago, an_hour_ago))

    async def main():
        async with Harness(empty_sandbox) as h:
            h.engine.pause()  # count what is handed over; no need to send 500 photos here
            watcher = await h.watch(folder)
            await h.wait_for(lambda: h.of(HotFolderBatch), what="a batch")
            await h.wait_for(lambda: watcher.pending == 0, what="the gate to empty")
            batches = h.of(HotFolderBatch)
            assert [b.files for b in batches] == [500]
            items = await h.store.read(q.items, batch_ids=[batches[0].batch_id])
            assert len(items) == 500

    run(main())


def test_a_live_burst_is_coalesced_into_a_few_batches(empty_sandbox, tmp_path):
    folder = tmp_path / "burst"
    folder.mkdir()
    data = noise_jpeg(8, (16, 16))

    async def main():
        async with Harness(empty_sandbox) as h:
            h.engine.pause()
            watcher = await h.watch(folder)
            for i in range(300):
                (folder / f"IMG_{i:04d}.jpg").write_bytes(data)
            await h.wait_for(lambda: sum(b.files for b in h.of(HotFolderBatch)) == 300, what="300 files batched")
            assert watcher.pending == 0
            batches = h.of(HotFolderBatch)
            assert len(batches) <= 30, f"{len(batches)} enqueue calls for 300 files"
            counts = await h.store.read(q.counts, [b.batch_id for b in batches])
            assert counts[q.QUEUED][0] == 300

    run(main())


def test_subfolders_become_albums_with_mirror_folders(empty_sandbox, tmp_path):
    folder = tmp_path / "wedding"
    folder.mkdir()

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder, mirror_folders=True)
            (folder / "Ceremony").mkdir()
            (folder / "Ceremony" / "C1.jpg").write_bytes(noise_jpeg(9))
            (folder / "Top.jpg").write_bytes(noise_jpeg(10))
            (folder / "Reception" / "Dances").mkdir(parents=True)
            (folder / "Reception" / "Dances" / "D1.jpg").write_bytes(noise_jpeg(11))
            await h.wait_for(lambda: len(h.of(HotFolderFileUploaded)) == 3, what="three uploads")
            await watcher.wait_quiet(10)
            albums = {a.id: a for a in await h.client.album_get_list(h.event_id)}

            def album_path(album_id):
                names = []
                for top in albums.values():
                    stack = [(top, [top.name])]
                    while stack:
                        album, trail = stack.pop()
                        if album.id == album_id:
                            return trail
                        stack += [(s, [*trail, s.name]) for s in album.sub_albums]
                return names

            where = {p.name: (album_path(p.album_id) if p.album_id else []) for p in h.photos()}
            assert where == {"C1.jpg": ["Ceremony"], "Top.jpg": [], "D1.jpg": ["Reception", "Dances"]}

    run(main())


def test_after_upload_files_move_keeping_subfolders_never_overwriting(empty_sandbox, tmp_path):
    folder = tmp_path / "hot"
    done = tmp_path / "done"
    (folder / "sub").mkdir(parents=True)
    (done / "sub").mkdir(parents=True)
    (done / "sub" / "X.jpg").write_bytes(b"an older photo with the same name")
    x_bytes = noise_jpeg(12)

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder, after=f"move:{done}")
            (folder / "sub" / "X.jpg").write_bytes(x_bytes)
            (folder / "Y.jpg").write_bytes(noise_jpeg(13))
            await h.wait_for(lambda: len(h.of(HotFolderFileUploaded)) == 2, what="two uploads")
            await watcher.wait_quiet(10)
            moved = {e.path.name: e.moved_to for e in h.of(HotFolderFileUploaded)}
            assert moved == {"X.jpg": done / "sub" / "X (2).jpg", "Y.jpg": done / "Y.jpg"}
            assert (done / "sub" / "X.jpg").read_bytes() == b"an older photo with the same name"
            assert (done / "sub" / "X (2).jpg").read_bytes() == x_bytes
            assert not list(folder.rglob("*.jpg"))
            assert len(h.photos()) == 2

    run(main())


def test_a_move_folder_inside_the_hot_folder_is_not_watched(empty_sandbox, tmp_path):
    folder = tmp_path / "hot"
    done = folder / "uploaded"
    done.mkdir(parents=True)
    (done / "old.jpg").write_bytes(noise_jpeg(14))  # moved there by an earlier run

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder, after=AfterUpload(done))
            (folder / "new.jpg").write_bytes(noise_jpeg(15))
            await h.wait_for(lambda: h.of(HotFolderFileUploaded), what="the upload")
            await watcher.wait_quiet(10)
            # A later photo, seen only after the move's own file events (one inotify queue, in order):
            # once it is uploaded and the watcher is quiet, the moved file would have been handled too.
            (folder / "later.jpg").write_bytes(noise_jpeg(16))
            await h.wait_for(lambda: len(h.of(HotFolderFileUploaded)) == 2, what="the later upload")
            await watcher.wait_quiet(10)
            assert sorted(p.name for p in h.photos()) == ["later.jpg", "new.jpg"]
            assert not [e for e in h.events if done in getattr(e, "path", folder).parents]
            assert (done / "new.jpg").exists()

    run(main())


def test_polling_observer_uploads_too(empty_sandbox, tmp_path):
    folder = tmp_path / "share"
    folder.mkdir()
    data = noise_jpeg(16)

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder, polling=True)
            assert watcher.observer_kind == "polling"
            temp = folder / "P.jpg.part"
            write_in_chunks(temp, data)
            os.rename(temp, folder / "P.jpg")
            await h.wait_for(lambda: h.of(HotFolderFileUploaded), what="the upload")
            [photo] = h.photos()
            assert h.server_bytes(photo.id) == data

    run(main())


def test_falls_back_to_polling_when_the_system_cannot_watch(empty_sandbox, tmp_path, monkeypatch, caplog):
    """Exhausting the real inotify limits would disturb the whole machine, so the failure is simulated."""
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.hotfolders")  # "could not watch ...; checking it"
    from watchdog.observers import Observer

    def refuse(self):
        raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(Observer, "start", refuse)
    folder = tmp_path / "hot"
    folder.mkdir()

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder)
            assert watcher.observer_kind == "polling"
            [problem] = h.of(HotFolderProblem)
            assert "limit" in problem.message and "every" in problem.message
            (folder / "F.jpg").write_bytes(noise_jpeg(17))
            await h.wait_for(lambda: h.of(HotFolderFileUploaded), what="the upload")

    run(main())


def test_a_hot_folder_given_as_a_link_to_the_real_folder(empty_sandbox, tmp_path):
    real = tmp_path / "Volumes" / "Card"
    real.mkdir(parents=True)
    link = tmp_path / "hot"
    link.symlink_to(real)

    async def main():
        async with Harness(empty_sandbox) as h:
            await h.watch(link)
            (real / "via-link.jpg").write_bytes(noise_jpeg(20))
            [uploaded] = await h.wait_for(lambda: h.of(HotFolderFileUploaded), what="the upload")
            assert uploaded.path == link / "via-link.jpg"
            assert [p.name for p in h.photos()] == ["via-link.jpg"]

    run(main())


def test_a_folder_of_photos_moved_in_is_uploaded(empty_sandbox, tmp_path):
    """A card copied elsewhere, then moved in whole: no file events, only the folder's."""
    folder = tmp_path / "hot"
    folder.mkdir()
    card = tmp_path / "card-copy" / "DCIM"
    (card / "100CANON").mkdir(parents=True)
    for i in range(3):
        (card / "100CANON" / f"IMG_{i}.jpg").write_bytes(noise_jpeg(30 + i))

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder, mirror_folders=True)
            card.rename(folder / "DCIM")
            await h.wait_for(lambda: len(h.of(HotFolderFileUploaded)) == 3, what="the three photos")
            await watcher.wait_quiet(10)
            assert sorted(p.name for p in h.photos()) == ["IMG_0.jpg", "IMG_1.jpg", "IMG_2.jpg"]

    run(main())


def test_a_refused_photo_is_reported_once_and_retried_only_when_it_changes(
    empty_sandbox, tmp_path, monkeypatch, caplog
):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.engine")  # "upload failed: big.jpg"
    walks: list[Path] = []

    def counted_walk(top, exclude):
        walks.append(top)
        return walk_folder(top, exclude)

    monkeypatch.setattr(hotfolder, "walk_folder", counted_walk)  # each rescan walks the folder once
    folder = tmp_path / "hot"
    folder.mkdir()
    big = folder / "big.jpg"
    big.write_bytes(noise_jpeg(40, (300, 300)))
    empty_sandbox.studio.max_upload_bytes = 20_000

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder, rescan_interval=0.2)
            [failed] = await h.wait_for(lambda: h.of(HotFolderFileFailed), what="the refusal")
            assert failed.path == big and "larger than" in failed.message
            sent = empty_sandbox.studio.count_requests("sp.photo.upload")
            walked = len(walks)
            await h.wait_for(lambda: len(walks) >= walked + 5, what="five rescans")
            await watcher.wait_quiet(10)
            assert len(h.of(HotFolderFileFailed)) == 1
            assert empty_sandbox.studio.count_requests("sp.photo.upload") == sent

            empty_sandbox.studio.max_upload_bytes = 50_000_000
            os.utime(big)  # saved again (say, after a smaller export): a new version is tried again
            await h.wait_for(lambda: h.of(HotFolderFileUploaded), what="the upload of the new version")
            await watcher.wait_quiet(10)
            assert [p.name for p in h.photos()] == ["big.jpg"]

    run(main())


def test_move_keeping_subfolders_numbers_taken_names(tmp_path):
    root, dest = tmp_path / "root", tmp_path / "dest"
    (root / "a" / "b").mkdir(parents=True)
    (dest / "a" / "b").mkdir(parents=True)
    (dest / "a" / "b" / "p.jpg").write_bytes(b"1")
    (dest / "a" / "b" / "p (2).jpg").write_bytes(b"2")
    source = root / "a" / "b" / "p.jpg"
    source.write_bytes(b"3")
    moved = move_keeping_subfolders(source, root, dest)
    assert moved == dest / "a" / "b" / "p (3).jpg"
    assert moved.read_bytes() == b"3" and not source.exists()
    assert (dest / "a" / "b" / "p.jpg").read_bytes() == b"1"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("leave", None),
        ("", None),
        ("move:/x/y", Path("/x/y")),
        (("move", "/z"), Path("/z")),
    ],
)
def test_after_upload_parses(text, expected):
    assert AfterUpload.parse(text).move_to == expected


@pytest.mark.parametrize("text", ["delete", "move:", "move"])
def test_after_upload_refuses_nonsense(text):
    with pytest.raises(ValueError):
        AfterUpload.parse(text)
