"""What the hot-folder watcher's modules share: its state, declared once, and the small helpers all use.

:class:`~.watcher.HotFolderWatcher` is one object built from :class:`~.observing.FolderObserving`
(the folder's side) and :class:`~.outcomes.EngineOutcomes` (the engine's side), both
:class:`WatcherCore`. ``HotFolderWatcher.__init__`` sets what is declared here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from studio_desktop.uploads.events import ItemStateChanged
from studio_desktop.uploads.hotfolders.engine_seam import HotFolderEngine, PhotoReplacer
from studio_desktop.uploads.hotfolders.events import HotFolderEvent, HotFolderProblem
from studio_desktop.uploads.hotfolders.files import AfterUpload
from studio_desktop.uploads.hotfolders.gate import Ready, StabilityGate
from studio_desktop.uploads.hotfolders.history import WatchLedger
from studio_desktop.uploads.hotfolders.lock import FolderLock

# One object, one logger: what the watcher logs from any of its modules goes under one name.
log = logging.getLogger("studio_desktop.uploads.hotfolders.watcher")

Signature = tuple[int, int]  # (size, mtime_ns)


class WatcherCore:
    folder: Path
    engine: HotFolderEngine
    settle: float
    mirror_folders: bool
    after: AfterUpload
    polling: bool
    replace_changed: bool
    ledger: WatchLedger
    label: str
    batch_options: dict[str, Any]
    batch_window: float
    health_interval: float
    rescan_interval: float | None
    poll_interval: float
    gate: StabilityGate
    observer_kind: str | None
    watching: bool
    counts: dict[str, int]

    _client: PhotoReplacer | None
    _on_event: Callable[[HotFolderEvent], Any] | None
    _loop: asyncio.AbstractEventLoop | None
    _task: asyncio.Task[None] | None
    _tasks: set[asyncio.Task[Any]]
    _wake: asyncio.Event | None
    _wake_posted: bool
    _observer: Any  # a watchdog observer (untyped)
    _observer_generation: int
    _identity: tuple[int, int] | None
    _watched_root: Path
    _own_folders: tuple[Path, ...]  # the app's data, settings, cache and log folders: never watched
    _lost_reason: str | None
    _ready: dict[Path, Ready]
    _last_flush: float
    _next_health: float
    _next_rescan: float
    _rescan_requested: list[Path]
    _in_flight: dict[Path, Signature]
    _moved_in_flight: dict[Path, Path | None]
    _folder_moves: list[tuple[Path, Path]]
    _recheck_after_upload: set[Path]
    _batches: set[int]
    _settled: dict[Path, tuple[Signature | None, str]]
    _enqueuing: bool
    _early_events: list[ItemStateChanged]
    _reported: set[str]
    _unsubscribe: Callable[[], None] | None
    _folder_lock: FolderLock
    _lock_refused: str | None

    async def _scan(self, top: Path) -> None:
        raise NotImplementedError  # HotFolderWatcher's: the folder's side starts a scan once it watches

    # -- the loop's side -------------------------------------------------------------------

    def _emit(self, event: HotFolderEvent) -> None:
        if isinstance(event, HotFolderProblem):
            log.warning("hot folder %s: %s", self.folder, event.message)
        if self._on_event is None:
            return
        try:
            result = self._on_event(event)
            if asyncio.iscoroutine(result):
                self._spawn(result)
        except Exception:
            log.exception("hot folder: an event listener failed on %r", event)

    def _problem(self, message: str, path: Path | None = None, *, once_key: str | None = None) -> None:
        if once_key is not None:
            if once_key in self._reported:
                return
            self._reported.add(once_key)
        self._emit(HotFolderProblem(self.folder, message, path))

    @staticmethod
    def _current_task() -> asyncio.Task[Any] | None:
        try:
            return asyncio.current_task()
        except RuntimeError:
            return None

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run ``coro`` as a task the watcher holds until it ends (the loop keeps only weak references)."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- crossing from other threads -----------------------------------------------------------

    def _post(self, fn: Callable[..., Any], *args: Any) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop is closing
            loop.call_soon_threadsafe(fn, *args)

    def _post_wake(self) -> None:
        # The gate was updated before we read the flag and the loop clears the flag
        # before it reads the gate, so a skipped post never loses a wake-up.
        if self._wake_posted:
            return
        self._wake_posted = True
        self._post(self._set_wake)

    def _set_wake(self) -> None:
        if self._wake is not None:
            self._wake.set()
