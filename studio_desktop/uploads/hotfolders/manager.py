"""Run the saved hot folders: start the enabled ones at launch, follow edits, stop them cleanly.

The GUI's hot-folder dialog edits through this manager so that the saved rows
and the running watchers never disagree.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from studio_desktop.core.store import Store
from studio_desktop.uploads.hotfolders.engine_seam import HotFolderEngine, PhotoReplacer
from studio_desktop.uploads.hotfolders.events import HotFolderEvent, HotFolderProblem
from studio_desktop.uploads.hotfolders.store import HotFolderRepository, SavedHotFolder
from studio_desktop.uploads.hotfolders.watcher import HotFolderTarget, HotFolderWatcher

log = logging.getLogger(__name__)

Listener = Callable[[int, HotFolderEvent], Any]


class HotFolderManager:
    def __init__(
        self,
        store: Store,
        engine: HotFolderEngine,
        client: PhotoReplacer | None = None,
        *,
        watcher_options: dict[str, Any] | None = None,
    ):
        self.repository = HotFolderRepository(store)
        self.engine = engine
        self.client = client
        self._watcher_options = dict(watcher_options or {})
        self._watchers: dict[int, HotFolderWatcher] = {}
        self._listeners: list[Listener] = []
        self._lock = asyncio.Lock()
        self._started = False

    # -- listening ---------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """``listener(hot_folder_id, event)`` for every event of every running hot folder."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _relay(self, hot_id: int) -> Callable[[HotFolderEvent], None]:
        def relay(event: HotFolderEvent) -> None:
            for listener in list(self._listeners):
                try:
                    listener(hot_id, event)
                except Exception:
                    log.exception("hot folders: a listener failed on %r", event)

        return relay

    # -- lifetime ----------------------------------------------------------------------

    async def start(self) -> list[SavedHotFolder]:
        """Start every enabled hot folder; returns them. One that cannot start is reported, not raised."""
        async with self._lock:
            self._started = True
            saved = await self.repository.list(enabled_only=True)
            for hot in saved:
                await self._start_one(hot)
            return saved

    async def stop(self) -> None:
        async with self._lock:
            self._started = False
            watchers, self._watchers = self._watchers, {}
            await asyncio.gather(*(w.stop() for w in watchers.values()), return_exceptions=True)

    @property
    def running(self) -> dict[int, HotFolderWatcher]:
        return dict(self._watchers)

    def watcher(self, hot_id: int) -> HotFolderWatcher | None:
        return self._watchers.get(hot_id)

    # -- editing -----------------------------------------------------------------------

    async def list(self) -> list[SavedHotFolder]:
        return await self.repository.list()

    async def add(self, hot: SavedHotFolder) -> SavedHotFolder:
        async with self._lock:
            saved = await self.repository.add(hot)
            if saved.enabled and self._started:
                await self._start_one(saved)
            return saved

    async def update(self, hot: SavedHotFolder) -> SavedHotFolder:
        async with self._lock:
            saved = await self.repository.update(hot)
            await self._stop_one(saved.id)
            if saved.enabled and self._started:
                await self._start_one(saved)
            return saved

    async def remove(self, hot_id: int) -> bool:
        async with self._lock:
            await self._stop_one(hot_id)
            return await self.repository.remove(hot_id)

    async def set_enabled(self, hot_id: int, enabled: bool) -> SavedHotFolder | None:
        async with self._lock:
            saved = await self.repository.set_enabled(hot_id, enabled)
            await self._stop_one(hot_id)
            if saved is not None and saved.enabled and self._started:
                await self._start_one(saved)
            return saved

    # -- watchers ----------------------------------------------------------------------

    def make_watcher(self, hot: SavedHotFolder) -> HotFolderWatcher:
        own = hot.watcher_options()
        options = {**self._watcher_options, **own}
        if "batch_options" in own:  # the app's batch options stay, the hot folder's shape joins them
            options["batch_options"] = {**(self._watcher_options.get("batch_options") or {}), **own["batch_options"]}
        return HotFolderWatcher(
            hot.folder,
            HotFolderTarget(hot.event_id, hot.album_id),
            self.engine,
            client=self.client,
            on_event=self._relay(hot.id or 0),
            **options,
        )

    async def _start_one(self, hot: SavedHotFolder) -> None:
        assert hot.id is not None
        watcher = self.make_watcher(hot)
        try:
            await watcher.start()
        except Exception as exc:
            log.exception("hot folder %s did not start", hot.folder)
            with contextlib.suppress(Exception):
                await watcher.stop()
            self._relay(hot.id)(HotFolderProblem(hot.folder, f"Could not start watching {hot.folder}: {exc}"))
            return
        self._watchers[hot.id] = watcher

    async def _stop_one(self, hot_id: int | None) -> None:
        watcher = self._watchers.pop(hot_id, None) if hot_id is not None else None
        if watcher is not None:
            await watcher.stop()
