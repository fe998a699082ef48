"""Tethering simulation: another process writes 300 JPEGs the way capture software does, while we watch.

Chunked writes at uneven speeds, bursts, temp names renamed when done, subfolders
mirrored as albums. Every photo must reach the sandbox exactly once, byte for byte.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import sys
from pathlib import Path

from studio_desktop.uploads.hotfolders.events import (
    HotFolderBatch,
    HotFolderFileFailed,
    HotFolderFileRejected,
    HotFolderFileSkipped,
    HotFolderFileUploaded,
)

from .hotfolder_harness import WATCHDOG_RACE, Harness

WRITER = Path(__file__).with_name("hotfolder_writer.py")
COUNT = 300

pytestmark = WATCHDOG_RACE


def test_a_tethered_shoot_arrives_whole_and_exactly_once(empty_sandbox, tmp_path):
    folder = tmp_path / "tether"
    folder.mkdir()

    async def main():
        async with Harness(empty_sandbox, event_name="Tethered wedding") as h:
            watcher = await h.watch(folder, settle=1.0, mirror_folders=True)
            writer = await asyncio.create_subprocess_exec(
                sys.executable,
                str(WRITER),
                str(folder),
                str(COUNT),
                "20240615",
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            out, err = await writer.communicate()
            assert writer.returncode == 0, err.decode()
            manifest = [json.loads(line) for line in out.decode().splitlines()]
            assert len(manifest) == COUNT
            outcomes = (HotFolderFileUploaded, HotFolderFileFailed, HotFolderFileRejected, HotFolderFileSkipped)
            await h.wait_for(
                lambda: sum(len(h.of(kind)) for kind in outcomes) >= COUNT,
                timeout=60,
                what="an outcome for each of the 300 photos",
            )
            await watcher.wait_quiet(30)
            return manifest, await h.client.album_get_list(h.event_id), h

    manifest, albums, h = asyncio.run(main())

    problems = h.of(HotFolderFileRejected) + h.of(HotFolderFileFailed) + h.of(HotFolderFileSkipped)
    assert not problems, problems[:3]
    photos = h.photos()
    assert len(photos) == COUNT, "every photo exactly once"
    uploaded = [e.path for e in h.of(HotFolderFileUploaded)]
    assert len(uploaded) == len(set(uploaded)) == COUNT
    assert not [p for p in uploaded if p.name.startswith(".") or p.suffix == ".part"]

    album_paths: dict[int, str] = {}

    def walk(nodes, trail):
        for album in nodes:
            album_paths[album.id] = "/".join((*trail, album.name))
            walk(album.sub_albums, (*trail, album.name))

    walk(albums, ())
    on_server = {}
    for photo in photos:
        where = album_paths[photo.album_id] if photo.album_id else ""
        key = f"{where}/{photo.name}" if where else photo.name
        assert key not in on_server, f"{key} twice"
        on_server[key] = hashlib.sha256(h.server_bytes(photo.id)).hexdigest()
    expected = {entry["path"].replace("\\", "/"): entry["sha256"] for entry in manifest}
    assert on_server == expected, "each photo, in its album, byte-identical to what the camera wrote"
    for entry in manifest:
        assert hashlib.sha256((folder / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
    assert {"Ceremony", "Reception", "Portraits/Family"} <= set(album_paths.values())

    batches = h.of(HotFolderBatch)
    assert sum(b.files for b in batches) == COUNT
    assert len(batches) < COUNT / 3, "ready files are handed over in batches, not one by one"
