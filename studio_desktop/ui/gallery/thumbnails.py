"""Photo thumbnails for the grid: memory LRU → disk cache → HTTP, newest request first.

Downloads use the app's one shared ``httpx.AsyncClient``; decoding and scaling
run in a small thread pool; QPixmaps are made only here, on the UI thread. The
grid asks for a thumbnail when it paints a cell, so only what is on screen is
fetched; requests are served last-in-first-out, so after a fast scroll the
photos now visible come first, and :meth:`cancel_pending` drops the rest when
the user opens another gallery.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage, QPixmap

from studio_desktop.api.models import Photo
from studio_desktop.gallery import thumbnail_files

log = logging.getLogger(__name__)

DEFAULT_MEMORY_BUDGET = 96 * 1024 * 1024
DEFAULT_DISK_BUDGET = 1024 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 40 * 1024 * 1024


@dataclass
class ThumbnailStats:
    """Counters for the status line and for tests: where each thumbnail came from."""

    memory_hits: int = 0
    disk_hits: int = 0
    downloads: int = 0
    failures: int = 0
    requested: set[int] = field(default_factory=set)


class _Lru:
    """QPixmaps by photo id, bounded by total pixel bytes."""

    def __init__(self, budget: int):
        self.budget = budget
        self.used = 0
        self._items: collections.OrderedDict[int, QPixmap] = collections.OrderedDict()

    @staticmethod
    def _cost(pixmap: QPixmap) -> int:
        return max(1, pixmap.width() * pixmap.height() * 4)

    def get(self, key: int) -> QPixmap | None:
        pixmap = self._items.get(key)
        if pixmap is not None:
            self._items.move_to_end(key)
        return pixmap

    def put(self, key: int, pixmap: QPixmap) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self.used -= self._cost(old)
        self._items[key] = pixmap
        self.used += self._cost(pixmap)
        while self.used > self.budget and len(self._items) > 1:
            _, evicted = self._items.popitem(last=False)
            self.used -= self._cost(evicted)

    def __contains__(self, key: int) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        self._items.clear()
        self.used = 0

    def discard(self, key: int) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self.used -= self._cost(old)


class ThumbnailLoader(QObject):
    """Gives the grid a QPixmap per photo, loading what it lacks in the background.

    ``ready(photo_id)`` fires when a thumbnail arrives; ``failed(photo_id)`` when
    it cannot be had (no URL, network error, not an image): the grid then shows
    a placeholder instead of waiting forever.
    """

    ready = Signal(int)
    failed = Signal(int)
    #: A thumbnail was dropped (replaced, or a failure forgotten): the next paint of its cell asks again.
    forgotten = Signal(int)

    def __init__(
        self,
        http: httpx.AsyncClient,
        cache_dir: Path,
        *,
        concurrency: int = 4,
        memory_budget: int = DEFAULT_MEMORY_BUDGET,
        edge: int = thumbnail_files.CACHE_EDGE,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._http = http
        self.cache_dir = Path(cache_dir)
        self.edge = edge
        self._concurrency = max(1, concurrency)
        self._memory = _Lru(memory_budget)
        self._queue: collections.OrderedDict[int, str] = collections.OrderedDict()
        self._in_flight: set[int] = set()
        self._failed: set[int] = set()
        self._tasks: set[asyncio.Task] = set()
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="thumbnails")
        self._closed = False
        self.stats = ThumbnailStats()

    # --- what the grid calls ---------------------------------------------------------------

    def pixmap(self, photo: Photo) -> QPixmap | None:
        """The thumbnail if it is in memory; otherwise None, and it is queued (once) for loading."""
        pixmap = self._memory.get(photo.id)
        if pixmap is not None:
            self.stats.memory_hits += 1
            return pixmap
        self.request(photo)
        return None

    def has_failed(self, photo_id: int) -> bool:
        return photo_id in self._failed

    def is_loaded(self, photo_id: int) -> bool:
        return photo_id in self._memory

    def request(self, photo: Photo) -> None:
        if self._closed or photo.id in self._memory or photo.id in self._in_flight or photo.id in self._failed:
            return
        url = photo.url.best()
        if not url:  # nothing to fetch; the cell being painted reads the state right away
            self._failed.add(photo.id)
            return
        self.stats.requested.add(photo.id)
        self._queue.pop(photo.id, None)
        self._queue[photo.id] = url  # newest last; served first
        self._pump()

    def cancel_pending(self) -> None:
        """Forget queued requests (what is already downloading finishes and is cached)."""
        self._queue.clear()

    def forget_failures(self) -> None:
        """Let failed thumbnails be tried again (after a refresh or reconnect)."""
        failed, self._failed = self._failed, set()
        for photo_id in failed:
            self.forgotten.emit(photo_id)

    def forget(self, photo: Photo) -> None:
        """Drop a photo's thumbnail from memory and disk (its image was replaced); the next paint loads the new one."""
        self._memory.discard(photo.id)
        self._failed.discard(photo.id)
        cached = self.cache_file(photo)
        if cached is not None:
            cached.unlink(missing_ok=True)
        self.forgotten.emit(photo.id)

    def cache_file(self, photo: Photo) -> Path | None:
        url = photo.url.best()
        return thumbnail_files.cache_path(self.cache_dir, photo.id, url) if url else None

    @property
    def busy(self) -> bool:
        return bool(self._queue or self._in_flight)

    # --- background work -------------------------------------------------------------------

    def _pump(self) -> None:
        while self._queue and len(self._in_flight) < self._concurrency and not self._closed:
            photo_id, url = self._queue.popitem(last=True)
            self._in_flight.add(photo_id)
            task = asyncio.ensure_future(self._load(photo_id, url))
            task.set_name(f"thumbnail-{photo_id}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _load(self, photo_id: int, url: str) -> None:
        loop = asyncio.get_running_loop()
        path = thumbnail_files.cache_path(self.cache_dir, photo_id, url)
        raw = None
        try:
            raw = await loop.run_in_executor(self._executor, thumbnail_files.read_cached, path)
            if raw is not None:
                self.stats.disk_hits += 1
            else:
                data = await self._download(url)
                raw = await loop.run_in_executor(self._executor, thumbnail_files.scale_and_store, data, path, self.edge)
                self.stats.downloads += 1
        except asyncio.CancelledError:
            raise
        except (httpx.HTTPError, ValueError, OSError, RuntimeError) as exc:
            # RuntimeError: the executor was shut down while we waited (app closing).
            log.debug("No thumbnail for photo %s: %s", photo_id, type(exc).__name__)
            raw = None
        finally:
            self._in_flight.discard(photo_id)
        if self._closed:
            return
        if raw is None:
            self.stats.failures += 1
            self._failed.add(photo_id)
            self.failed.emit(photo_id)
        else:
            # copy(): the QImage must own its pixels, not borrow the Python bytes object.
            image = QImage(raw.rgb, raw.width, raw.height, raw.bytes_per_line, QImage.Format.Format_RGB888).copy()
            self._memory.put(photo_id, QPixmap.fromImage(image))
            self.ready.emit(photo_id)
        self._pump()

    async def _download(self, url: str) -> bytes:
        async with self._http.stream("GET", url, follow_redirects=True) as response:
            response.raise_for_status()
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_DOWNLOAD_BYTES:
                    raise ValueError("the thumbnail rendition is unreasonably large")
                chunks.append(chunk)
            return b"".join(chunks)

    async def prune_disk_cache(self, max_bytes: int = DEFAULT_DISK_BUDGET) -> int:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, thumbnail_files.prune, self.cache_dir, max_bytes)

    async def aclose(self) -> None:
        self._closed = True
        self._queue.clear()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5)
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._memory.clear()
