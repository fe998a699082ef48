"""Hot folders when cameras, cards and tethering software misbehave (issue 16), end to end.

Real files, a real watcher (inotify and polling), a real engine, the sandbox over HTTP.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from studio_desktop.uploads.hotfolder_events import HotFolderFileUploaded

from .hotfolder_harness import WATCHDOG_RACE, Harness, mpo_jpeg, sha256

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
