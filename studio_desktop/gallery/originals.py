"""Where a photo's original file can be read on this computer, for its camera details (EXIF).

Either the file it was uploaded from (the upload ledger remembers path, size and
modification time, so a file changed since is not trusted), the file it was
last replaced with in this session, or a copy downloaded into the cache.

The ledger is read through :mod:`studio_desktop.uploads.records.ledger`, which owns its SQL.
Downloads are written chunk by chunk on a worker thread: the loop runs on the
GUI thread (qasync), and a slow disk must not freeze the window.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from studio_desktop.api.models import Photo
from studio_desktop.uploads.images import ExifSummary, read_exif_summary
from studio_desktop.uploads.records import ledger

#: The largest original we download only to read its camera details.
MAX_DOWNLOAD_BYTES = 120 * 1024 * 1024
CHUNK = 256 * 1024


def cache_file(cache_dir: Path, photo: Photo) -> Path | None:
    url = photo.url.original
    if not url:
        return None
    # Named by the link without its query string: hosting services sign links there and the
    # signature changes from one answer to the next, while a replaced photo gets a new path.
    parts = urlsplit(url)
    digest = hashlib.sha1(f"{parts.netloc}{parts.path}".encode()).hexdigest()[:12]
    return cache_dir / f"{photo.id}-{digest}.jpg"


def _uploaded_from(conn: sqlite3.Connection, event_id: int, photo_id: int) -> Path | None:
    for entry in ledger.ledger_by_photo(conn, event_id, photo_id):
        try:
            stat = os.stat(entry.path)
        except OSError:
            continue
        if stat.st_size == entry.size and stat.st_mtime_ns == entry.mtime_ns:
            return Path(entry.path)
    return None


def _discard(path: Path) -> None:
    if path.exists():
        path.unlink()


class Originals:
    """Finds or fetches originals; ``replaced(photo_id, path)`` records a file a photo was just replaced with."""

    def __init__(self, cache_dir: Path, http: httpx.AsyncClient, store: Any | None):
        self.cache_dir = Path(cache_dir)
        self.http = http
        self.store = store
        self._replaced: dict[int, Path] = {}

    def replaced(self, photo_id: int, path: Path) -> None:
        self._replaced[photo_id] = Path(path)

    async def find(self, photo: Photo, event_id: int | None = None) -> Path | None:
        """A local copy of the original, without downloading anything (the upload ledger only with ``event_id``)."""
        if photo.id in self._replaced:
            path = self._replaced[photo.id]
            return path if path.is_file() else None
        if self.store is not None and event_id is not None:
            try:
                found: Path | None = await self.store.read(_uploaded_from, event_id, photo.id)
            except (sqlite3.Error, RuntimeError):
                found = None
            if found is not None:
                return found
        cached = cache_file(self.cache_dir, photo)
        return cached if cached is not None and cached.is_file() else None

    async def download(self, photo: Photo, on_progress: Callable[[int, int | None], None] | None = None) -> Path:
        """Fetch the original into the cache (streamed; a partial file never looks complete)."""
        url = photo.url.original
        target = cache_file(self.cache_dir, photo)
        if not url or target is None:
            raise FileNotFoundError("ShootProof did not give a link to this photo's original.")
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, lambda: target.parent.mkdir(parents=True, exist_ok=True))
        partial = target.with_suffix(".part")
        received = 0
        try:
            async with self.http.stream("GET", url) as response:
                response.raise_for_status()
                total = int(response.headers.get("content-length") or 0) or None
                if total and total > MAX_DOWNLOAD_BYTES:
                    raise OSError(f"The original is too large to download for its details ({total // 2**20} MB).")
                out = await loop.run_in_executor(None, partial.open, "wb")
                try:
                    async for chunk in response.aiter_bytes(CHUNK):
                        received += len(chunk)
                        if received > MAX_DOWNLOAD_BYTES:
                            raise OSError("The original is too large to download for its details.")
                        # Awaited one at a time, so the chunks land in order.
                        await loop.run_in_executor(None, out.write, chunk)
                        if on_progress is not None:
                            on_progress(received, total)
                finally:
                    await loop.run_in_executor(None, out.close)
            await loop.run_in_executor(None, os.replace, partial, target)
        finally:
            await loop.run_in_executor(None, _discard, partial)
        return target

    async def exif(self, path: Path) -> ExifSummary:
        return await asyncio.get_running_loop().run_in_executor(None, read_exif_summary, path)


def exif_rows(summary: ExifSummary) -> list[tuple[str, str]]:
    rows = []
    if summary.captured_at is not None:
        rows.append(("Taken", summary.captured_at.strftime("%d %b %Y, %H:%M:%S")))
    rows.append(("Camera", summary.camera or "Not recorded"))
    if summary.lens:
        rows.append(("Lens", summary.lens))
    rows.append(("Pixels", f"{summary.width:,} × {summary.height:,}"))
    if summary.orientation != 1:
        rows.append(("Orientation", f"Rotated by the camera (EXIF orientation {summary.orientation})"))
    return rows
