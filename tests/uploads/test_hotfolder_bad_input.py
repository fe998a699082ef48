"""Hot folders meet bad input: every case gives a message in plain words and the watcher keeps going."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil

from studio_desktop.uploads.hotfolders.events import (
    HotFolderChangedAfterUpload,
    HotFolderFileRejected,
    HotFolderFileUploaded,
    HotFolderProblem,
    HotFolderRecovered,
    HotFolderStarted,
)

from .hotfolder_harness import WATCHDOG_RACE, Harness, deny_unreadable_files_even_for_root, noise_jpeg, sha256

pytestmark = WATCHDOG_RACE


def run(coro):
    return asyncio.run(coro)


def names_uploaded(h: Harness) -> list[str]:
    return sorted(e.path.name for e in h.of(HotFolderFileUploaded))


def test_the_watched_folder_deleted_and_recreated(empty_sandbox, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.hotfolders")  # "the hot folder is gone"
    folder = tmp_path / "tether"
    folder.mkdir()

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder)
            (folder / "before.jpg").write_bytes(noise_jpeg(1))
            await h.wait_for(lambda: names_uploaded(h) == ["before.jpg"], what="the first upload")
            await watcher.wait_quiet(10)

            shutil.rmtree(folder)
            problem = await h.wait_for(lambda: h.of(HotFolderProblem), what="the folder reported gone")
            assert str(folder) in problem[0].message and "gone" in problem[0].message
            assert not watcher.watching

            folder.mkdir()
            (folder / "after.jpg").write_bytes(noise_jpeg(2))
            await h.wait_for(lambda: h.of(HotFolderRecovered), what="the recovery")
            await h.wait_for(lambda: names_uploaded(h) == ["after.jpg", "before.jpg"], what="the upload after")
            assert watcher.watching
            assert len(h.of(HotFolderStarted)) == 2
            (folder / "later.jpg").write_bytes(noise_jpeg(3))  # the new folder is really watched
            await h.wait_for(lambda: "later.jpg" in names_uploaded(h), what="an upload into the new folder")
            assert sorted(p.name for p in h.photos()) == ["after.jpg", "before.jpg", "later.jpg"]

    run(main())


def test_the_watched_folder_replaced_between_two_checks(empty_sandbox, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.hotfolders")  # "replaced by a new folder"
    folder = tmp_path / "tether"
    folder.mkdir()

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder)
            aside = tmp_path / "aside"
            folder.rename(aside)  # the old watch follows the renamed folder: it must be let go
            folder.mkdir()
            await h.wait_for(lambda: len(h.of(HotFolderStarted)) == 2, what="watching the new folder")
            (folder / "new.jpg").write_bytes(noise_jpeg(4))
            (aside / "old-place.jpg").write_bytes(noise_jpeg(5))
            await h.wait_for(lambda: names_uploaded(h) == ["new.jpg"], what="the upload")
            # Written after the one set aside: once it is through the gate and uploaded, a watch still
            # following the old folder would have taken old-place.jpg through the gate too.
            (folder / "later.jpg").write_bytes(noise_jpeg(6))
            await h.wait_for(lambda: names_uploaded(h) == ["later.jpg", "new.jpg"], what="the later upload")
            await watcher.wait_quiet(10)
            assert sorted(p.name for p in h.photos()) == ["later.jpg", "new.jpg"]

    run(main())


def test_an_unreadable_file_is_reported_and_uploaded_once_readable(empty_sandbox, tmp_path, monkeypatch):
    folder = tmp_path / "hot"
    folder.mkdir()
    deny_unreadable_files_even_for_root(monkeypatch)
    locked = folder / "locked.jpg"
    data = noise_jpeg(6)

    async def main():
        async with Harness(empty_sandbox) as h:
            await h.watch(folder)
            fd = os.open(locked, os.O_WRONLY | os.O_CREAT, 0o000)
            os.write(fd, data)
            os.close(fd)
            (folder / "fine.jpg").write_bytes(noise_jpeg(7))
            rejected = await h.wait_for(lambda: h.of(HotFolderFileRejected), what="the rejection")
            assert rejected[0].path == locked and "permission denied" in rejected[0].reason
            await h.wait_for(lambda: names_uploaded(h) == ["fine.jpg"], what="the readable file")

            locked.chmod(0o644)
            await h.wait_for(lambda: names_uploaded(h) == ["fine.jpg", "locked.jpg"], what="the file once readable")
            photo = next(p for p in h.photos() if p.name == "locked.jpg")
            assert h.server_bytes(photo.id) == data

    run(main())


def test_non_jpegs_are_reported_and_the_watcher_continues(empty_sandbox, tmp_path):
    from PIL import Image

    folder = tmp_path / "hot"
    folder.mkdir()

    async def main():
        async with Harness(empty_sandbox) as h:
            await h.watch(folder)
            Image.new("RGB", (30, 20), "green").save(folder / "screenshot.png")
            (folder / "notes.jpg").write_text("not a photo at all\n")
            (folder / "IMG.xmp").write_text("<x:xmpmeta/>")  # a sidecar: skipped without a word
            (folder / "photo.jpg").write_bytes(noise_jpeg(8))
            await h.wait_for(lambda: len(h.of(HotFolderFileRejected)) == 2, what="two rejections")
            await h.wait_for(lambda: names_uploaded(h) == ["photo.jpg"], what="the JPEG")
            reasons = {e.path.name: e.reason for e in h.of(HotFolderFileRejected)}
            assert "not a JPEG" in reasons["screenshot.png"] and "PNG" in reasons["screenshot.png"]
            assert "not a JPEG" in reasons["notes.jpg"] and "text" in reasons["notes.jpg"]
            assert [p.name for p in h.photos()] == ["photo.jpg"]
            (folder / "photo2.jpg").write_bytes(noise_jpeg(9))
            await h.wait_for(lambda: "photo2.jpg" in names_uploaded(h), what="a later JPEG")
            assert len(h.of(HotFolderFileRejected)) == 2, "each bad file is reported once"

    run(main())


def test_a_symlink_loop_in_a_subfolder(empty_sandbox, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.hotfolders")  # "a link back to a folder above it"
    folder = tmp_path / "hot"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "loop").symlink_to("..")  # there before the start: found by the scan
    (folder / "sub" / "inside.jpg").write_bytes(noise_jpeg(10))

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder, mirror_folders=True)
            await h.wait_for(lambda: names_uploaded(h) == ["inside.jpg"], what="the file in the subfolder")
            (folder / "sub" / "again").symlink_to("../sub")  # made while watching: found by its event
            (folder / "sub" / "self.jpg").symlink_to("self.jpg")
            (folder / "sub" / "later.jpg").write_bytes(noise_jpeg(11))
            await h.wait_for(lambda: "later.jpg" in names_uploaded(h), what="a later file")
            await h.wait_for(lambda: len(h.of(HotFolderProblem)) >= 2, what="both folder links reported")
            await watcher.wait_quiet(10)
            messages = " | ".join(e.message for e in h.of(HotFolderProblem))
            assert "sub/loop is a link back to a folder above it (a loop)" in messages
            assert "sub/again is a link back to a folder above it (a loop)" in messages
            rejected = {e.path.name: e.reason for e in h.of(HotFolderFileRejected)}
            assert "loops back on itself" in rejected["self.jpg"]
            assert sorted(p.name for p in h.photos()) == ["inside.jpg", "later.jpg"]
            assert watcher.watching

    run(main())


def test_a_file_changed_after_upload_is_reported_not_uploaded_again(empty_sandbox, tmp_path):
    folder = tmp_path / "hot"
    folder.mkdir()
    first, second = noise_jpeg(12), noise_jpeg(13)

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder, rewrite_grace=0)  # a later edit, not the writer finishing
            (folder / "edit.jpg").write_bytes(first)
            await h.wait_for(lambda: names_uploaded(h) == ["edit.jpg"], what="the upload")
            await watcher.wait_quiet(10)
            (folder / "edit.jpg").write_bytes(second)
            [changed] = await h.wait_for(lambda: h.of(HotFolderChangedAfterUpload), what="the change reported")
            assert not changed.replaced
            assert "edit.jpg changed after it was uploaded" in changed.message
            [photo] = h.photos()
            assert changed.photo_id == photo.id
            assert sha256(h.server_bytes(photo.id)) == sha256(first)
            os.utime(folder / "edit.jpg")  # touched again: same content, new mtime, one more report
            await h.wait_for(lambda: len(h.of(HotFolderChangedAfterUpload)) == 2, what="a second report")
            assert len(h.photos()) == 1

    run(main())


def test_a_file_changed_after_upload_is_replaced_when_asked(empty_sandbox, tmp_path):
    folder = tmp_path / "hot"
    folder.mkdir()
    first, second = noise_jpeg(14), noise_jpeg(15, (200, 150))

    async def main():
        async with Harness(empty_sandbox) as h:
            watcher = await h.watch(folder, replace_changed=True, rewrite_grace=0)
            (folder / "edit.jpg").write_bytes(first)
            await h.wait_for(lambda: names_uploaded(h) == ["edit.jpg"], what="the upload")
            await watcher.wait_quiet(10)
            (folder / "edit.jpg").write_bytes(second)
            [changed] = await h.wait_for(lambda: h.of(HotFolderChangedAfterUpload), what="the replacement")
            assert changed.replaced, changed.message
            [photo] = h.photos()
            assert changed.photo_id == photo.id
            assert sha256(h.server_bytes(photo.id)) == sha256(second)
            assert empty_sandbox.studio.count_requests("sp.photo.update") == 1
            await watcher.wait_quiet(10)
            await watcher.stop()

            h.events.clear()  # the replaced version is now the known one: a restart leaves it alone
            await h.watch(folder, replace_changed=True)
            (folder / "other.jpg").write_bytes(noise_jpeg(16))
            await h.wait_for(lambda: names_uploaded(h) == ["other.jpg"], what="a new file after the restart")
            assert not h.of(HotFolderChangedAfterUpload)
            assert empty_sandbox.studio.count_requests("sp.photo.update") == 1

    run(main())


def test_a_jpeg_that_never_finishes_is_reported_not_uploaded(empty_sandbox, tmp_path):
    folder = tmp_path / "hot"
    folder.mkdir()
    data = noise_jpeg(17, (200, 150))

    async def main():
        async with Harness(empty_sandbox) as h:
            await h.watch(folder, incomplete_after=1.0)
            (folder / "cut.jpg").write_bytes(data[: len(data) // 2])
            [rejected] = await h.wait_for(lambda: h.of(HotFolderFileRejected), what="the report")
            assert rejected.path.name == "cut.jpg" and "cut short" in rejected.reason
            assert h.photos() == []
            with open(folder / "cut.jpg", "ab") as rest:
                rest.write(data[len(data) // 2 :])
            await h.wait_for(lambda: names_uploaded(h) == ["cut.jpg"], what="the upload once whole")
            [photo] = h.photos()
            assert h.server_bytes(photo.id) == data

    run(main())


def test_the_apps_own_data_folder_inside_the_watched_folder_is_left_alone(empty_sandbox, tmp_path):
    """A portable install inside the watched folder: its store, engine lock, logs and caches are the app's,
    not photos to upload or files to report; skipped without a word, while the shoot beside them goes up."""
    from studio_desktop.core import paths

    folder = tmp_path / "shoot"
    own = paths.configure(folder / "Studio Desktop").ensure()
    (own.cache_dir / "thumbnails").mkdir()
    (own.cache_dir / "thumbnails" / "12.jpg").write_bytes(noise_jpeg(3))
    (folder / "IMG_0001.jpg").write_bytes(noise_jpeg(4))

    async def main():
        async with Harness(empty_sandbox) as h:
            assert h.store.path.parent == own.data_dir  # its store and engine lock are in the watched folder
            watcher = await h.watch(folder)
            await h.wait_for(lambda: names_uploaded(h) == ["IMG_0001.jpg"], what="the shoot's photo")
            (own.cache_dir / "thumbnails" / "13.jpg").write_bytes(noise_jpeg(5))  # while watching, too
            (own.log_dir / "studio-desktop.log").write_text("a line\n")
            (folder / "IMG_0002.jpg").write_bytes(noise_jpeg(6))
            await h.wait_for(lambda: "IMG_0002.jpg" in names_uploaded(h), what="a later photo")
            await watcher.wait_quiet(10)
            assert names_uploaded(h) == ["IMG_0001.jpg", "IMG_0002.jpg"]
            assert [p.name for p in h.photos()] == ["IMG_0001.jpg", "IMG_0002.jpg"]
            assert not h.of(HotFolderFileRejected), "nothing of the app's own is reported"

    run(main())
