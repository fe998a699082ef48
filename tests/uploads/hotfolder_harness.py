"""A real upload engine against a sandbox studio, and hot-folder watchers that record what they say."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from studio_desktop.api.shootproof import ShootProofClient
from studio_desktop.core.store import Store
from studio_desktop.uploads.engine import UploadEngine
from studio_desktop.uploads.hotfolders.events import HotFolderEvent
from studio_desktop.uploads.hotfolders.watcher import HotFolderWatcher

#: Fast enough for tests, still well above the time a small write takes.
TEST_SETTLE = 0.3

#: For ``pytestmark``: watchdog warns (and copes) when `mkdir -p` races its recursive watch
#: setup; the watcher silences it for users, but pytest resets warning filters for each test.
WATCHDOG_RACE = pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")


def noise_jpeg(seed: int, size: tuple[int, int] = (120, 90)) -> bytes:
    """A distinct JPEG per seed (noise does not compress, so sizes are realistic for the pixels)."""
    import random

    rng = random.Random(seed)
    image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def mpo_jpeg(seed: int, size: tuple[int, int] = (200, 150)) -> tuple[bytes, int]:
    """A Multi-Picture JPEG as cameras write it (written by Pillow), and where its primary image ends.

    The primary image is whole on its own (its end marker closes it), so a file cut
    right after it looks complete unless its MPF index is read.
    """
    import random

    rng = random.Random(seed)
    primary = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    preview_size = (size[0] // 2, size[1] // 2)
    preview = Image.frombytes("RGB", preview_size, rng.randbytes(preview_size[0] * preview_size[1] * 3))
    out = io.BytesIO()
    primary.save(out, format="MPO", save_all=True, append_images=[preview], quality=90)
    data = out.getvalue()
    opened = Image.open(io.BytesIO(data))
    mpinfo = (getattr(opened, "mpinfo", None) or opened.info["mpinfo"])[0xB002]
    primary_end = mpinfo[0]["Size"]
    assert data[primary_end - 2 : primary_end] == b"\xff\xd9" and primary_end < len(data)
    return data, primary_end


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def deny_unreadable_files_even_for_root(monkeypatch) -> None:
    """Root reads anything: make ``os.open`` refuse a file without read bits, as the kernel does for a user."""
    if os.geteuid() != 0:
        return
    real_open = os.open

    def open_as_user(path, flags, *args, **kwargs):
        try:
            mode = os.stat(path).st_mode
        except OSError:
            mode = 0o444
        if not mode & 0o444:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_as_user)


class Harness:
    def __init__(self, server: Any, *, event_name: str = "Hot folder test"):
        self.server = server
        self.event_name = event_name
        self.events: list[HotFolderEvent] = []
        self.watchers: list[HotFolderWatcher] = []

    async def __aenter__(self) -> Harness:
        self.store = Store()
        self.client = ShootProofClient(self.server.shootproof_api_url, self.server.access_token)
        self.event_id = (await self.client.event_create(self.event_name)).id
        self.engine = UploadEngine(self.client, self.store)
        await self.engine.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        for watcher in self.watchers:
            await watcher.stop()
        await self.engine.stop()
        await self.client.aclose()
        self.store.close()

    async def watch(self, folder: Path, **options: Any) -> HotFolderWatcher:
        options.setdefault("settle", TEST_SETTLE)
        options.setdefault("health_interval", 0.2)
        watcher = HotFolderWatcher(
            folder, options.pop("target", self.event_id), self.engine, on_event=self.events.append, **options
        )
        self.watchers.append(watcher)
        await watcher.start()
        return watcher

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    async def wait_for(self, condition: Callable[[], Any], timeout: float = 20.0, what: str = "") -> Any:
        """Poll ``condition`` until it is truthy; fail with ``what`` and the events so far if it never is."""
        deadline = time.monotonic() + timeout
        while True:
            result = condition()
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up waiting for {what or condition}; events: {self.events[-15:]}")
            await asyncio.sleep(0.02)

    def photos(self, **filters: Any) -> list[Any]:
        return self.server.studio.photos(event_id=self.event_id, **filters)

    def server_bytes(self, photo_id: int) -> bytes:
        return self.server.studio.photo_file(photo_id).read_bytes()
