"""Hot folders with a picks filter: a photo re-rated in its XMP sidecar is judged again."""

from __future__ import annotations

import asyncio

from xmp_samples import jpeg_with_xmp, lightroom

from studio_desktop.uploads.hotfolders.events import HotFolderFileSkipped, HotFolderFileUploaded
from studio_desktop.uploads.hotfolders.summary import summary
from studio_desktop.uploads.picks import PickFilter
from studio_desktop.uploads.records import queue as q
from studio_desktop.uploads.shaping import UploadShape

from .hotfolder_harness import WATCHDOG_RACE, Harness

pytestmark = WATCHDOG_RACE

PICKS = UploadShape(PickFilter(min_rating=3)).to_options()


def names(events) -> list[str]:
    return sorted(e.path.name for e in events)


def test_a_photo_re_rated_in_its_sidecar_goes_up(empty_sandbox, tmp_path):
    folder = tmp_path / "tether"

    async def scenario():
        jpeg_with_xmp(folder / "IMG_1.JPG", lightroom(rating=1))
        (folder / "IMG_1.xmp").write_text(lightroom(rating=2), encoding="utf-8")  # sidecar wins
        jpeg_with_xmp(folder / "IMG_2.jpg", None)
        jpeg_with_xmp(folder / "IMG_3.jpg", lightroom(rating=4))
        async with Harness(empty_sandbox) as h:
            await h.watch(folder, batch_options=PICKS)
            await h.wait_for(
                lambda: len(h.of(HotFolderFileSkipped)) == 2 and h.of(HotFolderFileUploaded),
                what="two left out, one uploaded",
            )
            skipped = {e.path.name: e.reason for e in h.of(HotFolderFileSkipped)}
            assert skipped == {
                "IMG_1.JPG": "Left out by filter: rated 2 stars, below 3 stars.",
                "IMG_2.jpg": "Left out by filter: not rated, below 3 stars.",
            }
            # Counted apart from photos skipped for being in the gallery already.
            counts = h.watchers[0].counts
            assert (counts["left_out"], counts["skipped"]) == (2, 0)
            assert h.store.read_sync(q.counts)[q.FILTERED][0] == 2, "listed in the queue, with why"
            assert summary(counts) == "1 uploaded, 2 left out by the picks filter, 0 failed."

            # Re-rated in Lightroom, which saves the rating beside the photo, not in it.
            (folder / "IMG_1.xmp").write_text(lightroom(rating=5), encoding="utf-8")
            (folder / "IMG_2.jpg.xmp").write_text(lightroom(rating=3), encoding="utf-8")
            await h.wait_for(lambda: len(h.of(HotFolderFileUploaded)) == 3, what="the re-rated photos")
            assert names(h.of(HotFolderFileUploaded)) == ["IMG_1.JPG", "IMG_2.jpg", "IMG_3.jpg"]
            assert h.store.read_sync(q.counts)[q.FILTERED][0] == 0, "no longer listed as left out"

            # A sidecar rewritten for a photo already up sends nothing again; the photo
            # landing after it shows its turn has come and gone.
            (folder / "IMG_3.xmp").write_text(lightroom(rating=5), encoding="utf-8")
            (folder / "IMG_1.xmp").write_text(lightroom(rating=4), encoding="utf-8")
            jpeg_with_xmp(folder / "IMG_4.jpg", lightroom(rating=5))
            await h.wait_for(lambda: len(h.of(HotFolderFileUploaded)) == 4, what="IMG_4")
            await h.watchers[0].wait_quiet(10)
            assert names(h.of(HotFolderFileUploaded)) == ["IMG_1.JPG", "IMG_2.jpg", "IMG_3.jpg", "IMG_4.jpg"]
            assert sorted(p.name for p in h.photos()) == ["IMG_1.JPG", "IMG_2.jpg", "IMG_3.jpg", "IMG_4.jpg"]
            # Judging a photo reads its sidecar; a read is no change, so each was left out once only.
            assert names(h.of(HotFolderFileSkipped)) == ["IMG_1.JPG", "IMG_2.jpg"]

    asyncio.run(scenario())


def test_a_deleted_sidecar_lets_the_embedded_rating_count(empty_sandbox, tmp_path):
    folder = tmp_path / "tether"

    async def scenario():
        jpeg_with_xmp(folder / "IMG_1.jpg", lightroom(rating=5))
        (folder / "IMG_1.xmp").write_text(lightroom(rating=-1), encoding="utf-8")
        async with Harness(empty_sandbox) as h:
            await h.watch(folder, batch_options=PICKS)
            await h.wait_for(lambda: h.of(HotFolderFileSkipped), what="the sidecar's reject left out")
            (folder / "IMG_1.xmp").unlink()
            await h.wait_for(lambda: h.of(HotFolderFileUploaded), what="uploaded on its embedded 5 stars")
            assert [p.name for p in h.photos()] == ["IMG_1.jpg"]

    asyncio.run(scenario())
