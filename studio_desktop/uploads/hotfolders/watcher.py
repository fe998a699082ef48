"""The hot-folder watcher: its lifetime, the loop's one task, scans, and batches handed to the engine.

Filesystem events are fed into the gate on the observer thread (the gate is
thread-safe and cheap); the observer thread then wakes the asyncio loop with
``loop.call_soon_threadsafe``. Everything else runs on the loop in one task, so
the watcher's own state needs no locks. Blocking work (stat, scans, moves,
SQLite) runs in worker threads.

A watcher never dies of bad input: a vanished folder, an unreadable file, a
non-JPEG, a link loop each become a :class:`HotFolderProblem` (or a rejected
file) in plain words, and the watcher carries on or waits for the folder to
come back.

:class:`HotFolderWatcher` is one object from four modules: the folder's side
(:mod:`.observing`) and the engine's side (:mod:`.outcomes`) are its bases, and
both are :class:`~.shared.WatcherCore`, which declares the state ``__init__`` here sets.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio_desktop.uploads.events import ItemStateChanged
from studio_desktop.uploads.hotfolders.engine_seam import HotFolderEngine, PhotoReplacer
from studio_desktop.uploads.hotfolders.events import (
    HotFolderBatch,
    HotFolderEvent,
    HotFolderFileFailed,
    HotFolderFileRejected,
    HotFolderStopped,
)
from studio_desktop.uploads.hotfolders.files import AfterUpload, stat_signature, walk_folder
from studio_desktop.uploads.hotfolders.gate import (
    DEFAULT_INCOMPLETE_AFTER,
    DEFAULT_SETTLE,
    Ready,
    Rejected,
    StabilityGate,
)
from studio_desktop.uploads.hotfolders.history import REWRITE_GRACE, Judgement, WatchLedger
from studio_desktop.uploads.hotfolders.lock import FolderInUse, FolderLock, describe_owner
from studio_desktop.uploads.hotfolders.observing import FolderObserving
from studio_desktop.uploads.hotfolders.outcomes import EngineOutcomes
from studio_desktop.uploads.records.ledger import nfc
from studio_desktop.uploads.records.queue import PENDING
from studio_desktop.uploads.records.queue import counts as queue_counts

log = logging.getLogger(__name__)

# watchdog's inotify observer warns when `mkdir -p` races its own recursive watch
# setup; it handles that case itself (the watch is kept), so users need not see it.
warnings.filterwarnings("ignore", message=r"Callback with id .* already exists", category=RuntimeWarning)

#: Ready files are handed to the engine at most this often, so a burst is a few batches.
DEFAULT_BATCH_WINDOW = 0.25
#: How often the watcher makes sure its folder is still there (and retries when it is not).
DEFAULT_HEALTH_INTERVAL = 1.0
#: A full rescan now and then catches whatever the events missed (queue overflow, network shares).
DEFAULT_RESCAN_INTERVAL = 60.0


# -- configuration ---------------------------------------------------------------------


@dataclass(frozen=True)
class HotFolderTarget:
    event_id: int
    album_id: int | None = None

    @classmethod
    def coerce(cls, value: HotFolderTarget | int | tuple[int, int | None]) -> HotFolderTarget:
        if isinstance(value, HotFolderTarget):
            return value
        if isinstance(value, tuple):
            return cls(int(value[0]), None if value[1] is None else int(value[1]))
        return cls(int(value))


# -- the watcher -----------------------------------------------------------------------


class HotFolderWatcher(FolderObserving, EngineOutcomes):
    """Watch ``folder`` and upload every complete JPEG that appears in it to ``target``.

    ``engine`` (:class:`~.engine_seam.HotFolderEngine`: an
    :class:`~studio_desktop.uploads.engine.UploadEngine`) is already started; the
    watcher never starts or stops it. ``client`` replaces changed photos (default: the
    engine's). ``on_event`` is called on the event loop's thread with the events of
    :mod:`studio_desktop.uploads.hotfolders.events`.
    """

    def __init__(
        self,
        folder: Path | str,
        target: HotFolderTarget | int | tuple[int, int | None],
        engine: HotFolderEngine,
        *,
        settle: float = DEFAULT_SETTLE,
        mirror_folders: bool = False,
        after: AfterUpload | str | tuple[str, Any] | None = "leave",
        polling: bool = False,
        on_event: Callable[[HotFolderEvent], Any] | None = None,
        replace_changed: bool = False,
        client: PhotoReplacer | None = None,
        label: str | None = None,
        batch_options: dict[str, Any] | None = None,
        incomplete_after: float = DEFAULT_INCOMPLETE_AFTER,
        rewrite_grace: float = REWRITE_GRACE,
        batch_window: float = DEFAULT_BATCH_WINDOW,
        health_interval: float = DEFAULT_HEALTH_INTERVAL,
        rescan_interval: float | None = DEFAULT_RESCAN_INTERVAL,
        poll_interval: float | None = None,
    ):
        # Normalised like the engine's item paths (abspath), so paths match theirs.
        self.folder = Path(os.path.abspath(os.path.expanduser(folder)))
        self.target = HotFolderTarget.coerce(target)
        self.engine = engine
        self.settle = float(settle)
        self.mirror_folders = mirror_folders
        self.after = AfterUpload.parse(after)
        if self.after.move_to is not None:
            self.after = AfterUpload(Path(os.path.abspath(self.after.move_to)))
        self.polling = polling
        self.replace_changed = replace_changed
        self.ledger = WatchLedger(
            engine.store, self.target.event_id, self.target.album_id, mirror_folders, rewrite_grace
        )
        self.label = label or f"Hot folder {self.folder.name or self.folder}"
        self.batch_options = dict(batch_options or {})
        self.batch_window = batch_window
        self.health_interval = health_interval
        self.rescan_interval = rescan_interval
        self.poll_interval = poll_interval if poll_interval is not None else max(0.1, min(1.0, self.settle / 2))
        self._client = client
        self._on_event = on_event
        # The app's own folders (its store, caches, logs), should they lie inside the watched one.
        from studio_desktop.uploads.scanner import own_folders

        self._own_folders = tuple(Path(p) for p in own_folders()[1])
        self.gate = StabilityGate(settle=self.settle, incomplete_after=incomplete_after, ignore=self._ignored)

        self.observer_kind: str | None = None
        self.watching = False
        self.counts = {
            "uploaded": 0,
            "skipped": 0,
            "name_taken": 0,
            "failed": 0,
            "rejected": 0,
            "changed": 0,
            "replaced": 0,
            "left_out": 0,
            "batches": 0,
        }

        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._wake: asyncio.Event | None = None
        self._wake_posted = False
        self._observer: Any = None
        self._observer_generation = 0
        self._identity: tuple[int, int] | None = None
        # The observer watches the real folder: inotify does not follow a link given as the root.
        self._watched_root = self.folder
        self._lost_reason: str | None = None
        self._ready: dict[Path, Ready] = {}
        self._last_flush = float("-inf")
        self._next_health = 0.0
        self._next_rescan = float("inf")
        self._rescan_requested: list[Path] = []
        self._in_flight: dict[Path, tuple[int, int]] = {}
        # In flight under a folder that was renamed since: old path -> new path (None: moved out).
        self._moved_in_flight: dict[Path, Path | None] = {}
        self._folder_moves: list[tuple[Path, Path]] = []
        self._recheck_after_upload: set[Path] = set()
        self._batches: set[int] = set()
        # What became of each version (size, mtime) of a file that did not end up uploaded:
        # rejected, failed, a duplicate, changed after upload. The periodic rescan leaves
        # those versions alone, and each is reported once.
        self._settled: dict[Path, tuple[tuple[int, int] | None, str]] = {}
        self._enqueuing = False
        self._early_events: list[ItemStateChanged] = []
        self._reported: set[str] = set()
        self._unsubscribe: Callable[[], None] | None = None
        self._folder_lock = FolderLock(self.folder, describe_owner(Path(engine.store.path).parent))
        self._lock_refused: str | None = None

    # -- lifetime ----------------------------------------------------------------------

    async def start(self) -> None:
        """Start watching (or waiting for the folder to appear). Returns once the first look is done."""
        if self._task is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._subscribe()
        await self._health_check()
        if self._lock_refused is not None:
            await self.stop()
            raise FolderInUse(self._lock_refused)
        self._task = asyncio.create_task(self._run(), name=f"hot folder {self.folder}")

    async def stop(self, grace: float = 5.0) -> None:
        """Stop watching and listening. Files already handed to the engine stay in its (persistent) queue.

        Moves and replacements under way get ``grace`` seconds to finish, then are cancelled.
        """
        await self.stop_watching()
        if self._unsubscribe is not None:
            with contextlib.suppress(Exception):
                self._unsubscribe()
            self._unsubscribe = None
        tasks = {t for t in self._tasks if t is not self._current_task()}
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def stop_watching(self) -> None:
        """Stop looking for new files, but keep following (and moving) the ones the engine has.

        For a clean exit: stop watching, let the engine finish what is in flight, then :meth:`stop`.
        """
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._stop_observer()
        self._folder_lock.release()
        was_watching, self.watching = self.watching, False
        self.gate.clear()
        self._ready.clear()
        if was_watching:
            self._emit(HotFolderStopped(self.folder))

    async def __aenter__(self) -> HotFolderWatcher:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def pending(self) -> int:
        """Files seen but not yet complete, or complete and waiting for the next batch."""
        return len(self.gate) + len(self._ready)

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    async def still_queued(self) -> int:
        """Files this watcher handed to the engine that the queue still holds.

        Asked of the store, not of what this watcher heard: another process
        working the same queue may have uploaded some of them meanwhile.
        """
        if not self._batches:
            return 0
        counts = await self.engine.store.read(queue_counts, sorted(self._batches))
        return sum(counts[state][0] for state in PENDING)

    async def wait_quiet(self, timeout: float | None = None) -> None:
        """Until nothing is waiting in the gate, nothing is batched and nothing is in the engine.

        Files that arrive meanwhile extend the wait.
        """

        async def quiet() -> None:
            while self.pending or self._in_flight or self._rescan_requested or self._folder_moves:
                await asyncio.sleep(0.05)

        await asyncio.wait_for(quiet(), timeout)

    # -- the loop's task -------------------------------------------------------------------

    async def _run(self) -> None:
        assert self._wake is not None and self._loop is not None
        clock = time.monotonic
        while True:
            self._wake_posted = False
            self._wake.clear()
            try:
                now = clock()
                if now >= self._next_health:
                    await self._health_check()
                    now = clock()
                if self.watching:
                    while self._folder_moves:
                        src, dest = self._folder_moves.pop(0)
                        await self._follow_folder(src, dest)
                    if self._rescan_requested:
                        folders, self._rescan_requested = self._rescan_requested, []
                        for folder in folders:
                            await self._scan(folder)
                    elif now >= self._next_rescan:
                        self._next_rescan = now + (self.rescan_interval or float("inf"))
                        await self._scan(self.folder)
                    due = self.gate.next_check_at()
                    if due is not None and due <= now:
                        self._take(await asyncio.to_thread(self.gate.check))
                        now = clock()
                    if self._ready and now >= self._last_flush + self.batch_window:
                        await self._flush()
                        now = clock()
                wake_at = self._next_health
                if self.watching:
                    due = self.gate.next_check_at()
                    if due is not None:
                        wake_at = min(wake_at, due)
                    if self._ready:
                        wake_at = min(wake_at, self._last_flush + self.batch_window)
                    wake_at = min(wake_at, self._next_rescan)
                    if self._rescan_requested or self._folder_moves:
                        wake_at = now
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # keep watching whatever happens
                log.exception("hot folder %s: unexpected error", self.folder)
                self._problem(f"Something went wrong while watching: {exc}; still watching.")
                wake_at = clock() + self.health_interval
            # Not asyncio.wait_for: on 3.11 it can swallow a cancel that races the wake-up,
            # and then stop() would wait for this loop forever.
            timer = self._loop.call_later(max(0.01, wake_at - clock()), self._wake.set)
            try:
                await self._wake.wait()
            finally:
                timer.cancel()

    # -- scanning: files that arrived while nobody watched, and periodic catch-up -------

    async def _scan(self, top: Path) -> None:
        files, links, errors = await asyncio.to_thread(walk_folder, top, self.after.move_to)
        for path in links:
            self._report_folder_link(path)
        for message in errors:
            self._problem(message, once_key=f"scan:{message}")
        if not files:
            return
        known = await self.ledger.signatures(files)
        now = time.monotonic()
        for path, signature in files:
            if path in self._in_flight or path in self._ready or self._followed(path):
                continue
            if signature in known.get(path, ()):
                if self.after.move_to is not None:  # uploaded before, but the move did not happen
                    self._spawn(self._move_known(path))
                continue
            if self._settled.get(path, (None, ""))[0] == signature:
                continue  # this version was dealt with and reported already
            self.gate.found(path, now, signature)
        self._set_wake()

    def _followed(self, path: Path) -> bool:
        return bool(self._moved_in_flight) and path in self._moved_in_flight.values()

    async def _follow_folder(self, src: Path, dest: Path) -> None:
        """Copy the ledger rows of the files that moved from ``src`` to their paths below ``dest``, then scan it."""
        files, _, _ = await asyncio.to_thread(walk_folder, dest, self.after.move_to)
        old_paths = {src / path.relative_to(dest): (path, signature) for path, signature in files}
        known = await self.ledger.entries(list(old_paths))
        for old, entries in known.items():
            new, signature = old_paths[old]
            for entry in entries:
                if (entry.size, entry.mtime_ns) == signature:
                    await self.ledger.copy(entry, new)
                    break
        await self._scan(dest)

    # -- ready files -> batches -> engine -----------------------------------------------

    def _take(self, verdicts: Iterable[Ready | Rejected]) -> None:
        for verdict in verdicts:
            if isinstance(verdict, Rejected):
                outcome = (verdict.signature or stat_signature(verdict.path), f"rejected: {verdict.reason}")
                if self._settled.get(verdict.path) == outcome:
                    continue
                self._settled[verdict.path] = outcome
                self.counts["rejected"] += 1
                self._emit(HotFolderFileRejected(self.folder, verdict.path, verdict.reason))
                continue
            if self._followed(verdict.path):
                continue  # its upload under the old path is still under way
            in_flight = self._in_flight.get(verdict.path)
            if in_flight is not None:
                if in_flight != (verdict.size, verdict.mtime_ns):
                    self._recheck_after_upload.add(verdict.path)
                continue
            self._ready[verdict.path] = verdict

    async def _flush(self) -> None:
        ready, self._ready = self._ready, {}
        self._last_flush = time.monotonic()
        paths = sorted(ready)
        ledger = await self.ledger.entries(paths)
        new: list[Path] = []
        already: list[Path] = []
        changed: list[tuple[Path, Judgement]] = []
        for path in paths:
            item = ready[path]
            entries = ledger.get(path, [])
            if any((e.size, e.mtime_ns) == (item.size, item.mtime_ns) for e in entries):
                already.append(path)
            elif entries:
                judgement = await self.ledger.judge(path, entries)
                if judgement is None:
                    continue  # gone or unreadable meanwhile: its next event brings it back
                if judgement.kind == "touched":  # same bytes, new mtime: never hashed (or sent) again
                    assert judgement.entry is not None
                    await self.ledger.copy(judgement.entry, path, (item.size, item.mtime_ns), judgement.content_hash)
                    already.append(path)
                elif judgement.kind == "new":
                    new.append(path)
                else:
                    changed.append((path, judgement))
            elif await self.ledger.moved_here(path, (item.size, item.mtime_ns)) is not None:
                already.append(path)  # sent under the name or folder it had before
            else:
                new.append(path)
        if self.after.move_to is not None:
            for path in already:
                self._spawn(self._move_known(path))
        for path, judgement in changed:
            self._changed_after_upload(path, judgement, ready[path])
        if new:
            new = await self._not_in_gallery(new, ready)
        batch_id = None
        if new:
            for path in new:
                self._settled.pop(path, None)
            # The engine may report on the first items before enqueue() returns the batch id.
            self._enqueuing = True
            try:
                batch_id = await self._enqueue(new)
            except Exception as exc:
                log.exception("hot folder %s: enqueue failed", self.folder)
                for path in new:
                    self.counts["failed"] += 1
                    self._emit(HotFolderFileFailed(self.folder, path, f"Could not be queued: {exc}"))
                return
            finally:
                self._enqueuing = False
                early, self._early_events = self._early_events, []
            self._batches.add(batch_id)
            for path in new:
                self._in_flight[path] = (ready[path].size, ready[path].mtime_ns)
            for event in early:
                self._on_engine_event(event)
        if new or changed:
            self.counts["batches"] += 1
            self._emit(HotFolderBatch(self.folder, batch_id, len(new), len(already), len(changed)))

    async def _not_in_gallery(self, paths: list[Path], ready: dict[Path, Ready]) -> list[Path]:
        """Of files the ledger cannot vouch for, those whose name the target does not have right now.

        One listing of the target per batch: another uploader (a watcher with its own
        data folder on a share the lock does not reach, a browser) may have sent
        them since the engine last looked. Files going to mirrored subfolders are
        left to the engine, which knows their albums.
        """
        here = {p for p in paths if not self.mirror_folders or p.parent == self.folder}
        if not here:
            return paths
        try:
            names = await self.engine.list_names(self.target.event_id, self.target.album_id)
        except Exception as exc:  # the engine's own check still stands
            log.warning("hot folder %s: could not list the gallery before sending: %s", self.folder, exc)
            return paths
        keep: list[Path] = []
        for path in paths:
            ids = names.get(nfc(path.name)) if path in here else None
            if not ids:
                keep.append(path)
                continue
            self._settled[path] = ((ready[path].size, ready[path].mtime_ns), "duplicate")
            self._spawn(self._explain_duplicate(path, None, ids[0]))
        return keep

    async def _enqueue(self, paths: list[Path]) -> int:
        kwargs: dict[str, Any] = {
            "album_id": self.target.album_id,
            "mirror_folders": self.mirror_folders,
            "label": self.label,
            "root": self.folder,
            "options": {"hot_folder": str(self.folder), **self.batch_options},
        }
        return await self.engine.enqueue(paths, self.target.event_id, **kwargs)
