"""Hot folders: watch a folder a camera (or card reader, or export) writes into, upload what lands.

Pipeline: watchdog observer thread -> :class:`StabilityGate` (is the file complete?)
-> batches of ready files -> ``engine.enqueue`` -> engine events -> after-upload move.

Filesystem events are fed into the gate on the observer thread (the gate is
thread-safe and cheap); the observer thread then wakes the asyncio loop with
``loop.call_soon_threadsafe``. Everything else runs on the loop in one task, so
the watcher's own state needs no locks. Blocking work (stat, scans, moves,
SQLite) runs in worker threads.

A watcher never dies of bad input: a vanished folder, an unreadable file, a
non-JPEG, a link loop each become a :class:`HotFolderProblem` (or a rejected
file) in plain words, and the watcher carries on or waits for the folder to
come back.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import stat
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)

from studio_desktop.uploads.hotfolder_events import (
    HotFolderBatch,
    HotFolderChangedAfterUpload,
    HotFolderEvent,
    HotFolderFileFailed,
    HotFolderFileNameTaken,
    HotFolderFileRejected,
    HotFolderFileSkipped,
    HotFolderFileUploaded,
    HotFolderProblem,
    HotFolderRecovered,
    HotFolderStarted,
    HotFolderStopped,
)
from studio_desktop.uploads.hotfolder_files import (
    NETWORK_FILESYSTEMS,
    AfterUpload,
    filesystem_type,
    folder_link_message,
    is_inside,
    move_keeping_subfolders,
    stat_signature,
    walk_folder,
)
from studio_desktop.uploads.hotfolder_gate import (
    DEFAULT_INCOMPLETE_AFTER,
    DEFAULT_SETTLE,
    Ready,
    Rejected,
    StabilityGate,
    describe_os_error,
)
from studio_desktop.uploads.hotfolder_history import REWRITE_GRACE, Judgement, WatchLedger
from studio_desktop.uploads.hotfolder_lock import FolderInUse, FolderLock, describe_owner
from studio_desktop.uploads.records.ledger import LedgerEntry, nfc
from studio_desktop.uploads.records.queue import PENDING
from studio_desktop.uploads.xmp import is_sidecar, photos_of_sidecar
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


def _plain_os_error(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EMFILE):
            return "the system's limit on watched folders is reached"
        return describe_os_error(exc)
    return str(exc) or type(exc).__name__


class _Handler(FileSystemEventHandler):
    """Runs on the observer thread: feeds the gate, then wakes the loop (coalesced)."""

    def __init__(self, watcher: HotFolderWatcher, generation: int):
        self._watcher = watcher
        self._generation = generation

    def on_any_event(self, event: FileSystemEvent) -> None:
        try:
            self._watcher._on_fs_event(event, self._generation)
        except Exception:  # never let a surprise kill the observer thread
            log.exception("hot folder: could not handle %r", event)


# -- the watcher -----------------------------------------------------------------------

class HotFolderWatcher:
    """Watch ``folder`` and upload every complete JPEG that appears in it to ``target``.

    ``engine`` is an :class:`~studio_desktop.uploads.engine.UploadEngine` that is
    already started; the watcher never starts or stops it. ``on_event`` is called on
    the event loop's thread with the events of :mod:`studio_desktop.uploads.hotfolder_events`.
    """

    def __init__(
        self,
        folder: Path | str,
        target: HotFolderTarget | int | tuple[int, int | None],
        engine: Any,
        *,
        settle: float = DEFAULT_SETTLE,
        mirror_folders: bool = False,
        after: AfterUpload | str | tuple[str, Any] | None = "leave",
        polling: bool = False,
        on_event: Callable[[HotFolderEvent], Any] | None = None,
        replace_changed: bool = False,
        client: Any = None,
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
        self.ledger = WatchLedger(getattr(engine, "store", None), self.target.event_id, self.target.album_id,
                                  mirror_folders, rewrite_grace)
        self.label = label or f"Hot folder {self.folder.name or self.folder}"
        self.batch_options = dict(batch_options or {})
        self.batch_window = batch_window
        self.health_interval = health_interval
        self.rescan_interval = rescan_interval
        self.poll_interval = poll_interval if poll_interval is not None else max(0.1, min(1.0, self.settle / 2))
        self._client = client
        self._on_event = on_event
        self.gate = StabilityGate(settle=self.settle, incomplete_after=incomplete_after,
                                  ignore=self._ignored)

        self.observer_kind: str | None = None
        self.watching = False
        self.counts = {"uploaded": 0, "skipped": 0, "name_taken": 0, "failed": 0, "rejected": 0, "changed": 0,
                       "replaced": 0, "left_out": 0, "batches": 0}

        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()
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
        self._early_events: list[Any] = []
        self._reported: set[str] = set()
        self._unsubscribe: Callable[[], Any] | None = None
        store_path = getattr(getattr(engine, "store", None), "path", None)
        self._folder_lock = FolderLock(self.folder, describe_owner(Path(store_path).parent if store_path else None))
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
        store = getattr(self.engine, "store", None)
        if store is None:
            return len(self._in_flight)
        counts = await store.read(queue_counts, sorted(self._batches))
        return sum(counts[state][0] for state in PENDING)

    async def wait_quiet(self, timeout: float | None = None) -> None:
        """Until nothing is waiting in the gate, nothing is batched and nothing is in the engine.

        Files that arrive meanwhile extend the wait.
        """
        async def quiet() -> None:
            while self.pending or self._in_flight or self._rescan_requested or self._folder_moves:
                await asyncio.sleep(0.05)

        await asyncio.wait_for(quiet(), timeout)

    # -- the observer thread's side ----------------------------------------------------

    def _on_fs_event(self, event: FileSystemEvent, generation: int) -> None:
        if generation != self._observer_generation:
            return  # a stale observer still draining after a restart
        src = self._from_watched(event.src_path)
        dest_raw = getattr(event, "dest_path", "") or ""
        dest = self._from_watched(dest_raw) if dest_raw else None
        if self._sidecar_event(event, src, dest):
            return
        if isinstance(event, FileClosedEvent):
            if self._wanted(src):
                self.gate.closed(src)
        elif isinstance(event, FileMovedEvent):
            self.gate.moved(src, dest if dest is not None and self._wanted(dest) else None)
        elif isinstance(event, (FileCreatedEvent, FileModifiedEvent, FileAttribEvent)):
            if self._wanted(src):
                if isinstance(event, FileCreatedEvent) and os.path.islink(src) and os.path.isdir(src):
                    self._post(self._report_folder_link, src)
                    return
                self.gate.seen(src)
        elif isinstance(event, FileDeletedEvent):
            self.gate.gone(src)
        elif isinstance(event, DirDeletedEvent):
            self.gate.forget_below(src)
            if src == self.folder:
                self._post(self._request_health_check)
        elif isinstance(event, DirMovedEvent):
            self.gate.forget_below(src)
            if src == self.folder:
                self._post(self._request_health_check)
            else:
                self._post(self._folder_moved, src, dest if dest is not None and self._wanted(dest) else None)
        elif isinstance(event, DirCreatedEvent):
            return  # watchdog reports the files already inside a new folder as created
        else:
            return  # opened, closed without writing: readers (ourselves included)
        self._post_wake()

    def _sidecar_event(self, event: FileSystemEvent, src: Path, dest: Path | None) -> bool:
        """An XMP sidecar written, renamed into place or deleted: the photos beside it are judged again.

        A photo left out by the picks filter and re-rated in Lightroom changes only its
        sidecar. Reads (ours included: the filter reads the sidecar) and attribute
        changes are not writes, or judging a photo would set off judging it again.
        """
        if not isinstance(event, (FileCreatedEvent, FileModifiedEvent, FileClosedEvent,
                                  FileMovedEvent, FileDeletedEvent)):
            return False
        sidecars = [p for p in (src, dest) if p is not None and is_sidecar(p) and self._wanted(p)]
        if not sidecars:
            return False
        for sidecar in sidecars:
            for photo in photos_of_sidecar(sidecar):
                self._post(self._sidecar_changed, photo)
        return not isinstance(event, FileMovedEvent)  # a rename still leaves its source path

    def _sidecar_changed(self, photo: Path) -> None:
        if photo in self._in_flight:
            self._recheck_after_upload.add(photo)  # judged again once the engine is done with it
            return
        if self.gate.seen(photo):
            self._set_wake()

    def _from_watched(self, raw: str | bytes) -> Path:
        """An event's path, under the folder as the user named it (not the real path a link leads to)."""
        path = Path(os.fsdecode(raw))
        real = self._watched_root
        if real != self.folder and is_inside(path, real):
            return self.folder / path.relative_to(real)
        return path

    def _ignored(self, path: Path) -> str | None:
        """Hidden, temporary and system files, also inside hidden or system subfolders (but not above the root)."""
        from studio_desktop.uploads.scanner import is_ignored

        return is_ignored(path, root=self.folder)

    def _wanted(self, path: Path) -> bool:
        if not is_inside(path, self.folder) or path == self.folder:
            return False
        move_to = self.after.move_to
        return move_to is None or not is_inside(path, move_to)

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
    def _current_task() -> asyncio.Task | None:
        try:
            return asyncio.current_task()
        except RuntimeError:
            return None

    def _spawn(self, coro: Any) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _request_health_check(self) -> None:
        self._next_health = 0.0
        self._set_wake()

    def _folder_moved(self, src: Path, dest: Path | None) -> None:
        """A subfolder was renamed or moved: its files in flight and its ledger rows follow it.

        Without this, an uploaded photo under its new path looks new (uploaded twice,
        into a second album with mirrored folders) and one in flight is reported gone.
        """
        for path in [p for p in self._in_flight if is_inside(p, src)]:
            self._moved_in_flight[path] = dest / path.relative_to(src) if dest is not None else None
        for path in [p for p in self._ready if is_inside(p, src)]:
            del self._ready[path]  # found again under its new path by the scan below
        if dest is not None:
            self._folder_moves.append((src, dest))
        self._set_wake()

    def _request_rescan(self, folder: Path) -> None:
        self._rescan_requested.append(folder)
        self._set_wake()

    def _report_folder_link(self, path: Path) -> None:
        self._problem(folder_link_message(path), path, once_key=f"link:{path}")

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

    # -- folder health: vanished, replaced, unreadable, observer died ---------------------

    async def _health_check(self) -> None:
        self._next_health = time.monotonic() + self.health_interval
        problem, identity = await asyncio.to_thread(self._folder_state)
        if problem is not None:
            if self.watching or self._lost_reason is None:
                await self._lose(problem)
            return
        if self.watching and identity != self._identity:
            await self._lose(f"The hot folder {self.folder} was replaced by a new folder of the same name.")
        if self.watching and self._observer is not None and not self._observer.is_alive():
            await self._lose(f"Watching {self.folder} stopped unexpectedly; starting again.")
        if not self.watching:
            await self._begin(identity)

    def _folder_state(self) -> tuple[str | None, tuple[int, int] | None]:
        try:
            st = self.folder.stat()
        except FileNotFoundError:
            return (f"The hot folder {self.folder} is gone (deleted, renamed or its drive was removed). "
                    "Waiting for it to come back."), None
        except OSError as exc:
            return f"The hot folder {self.folder} cannot be read: {_plain_os_error(exc)}. Waiting.", None
        if not stat.S_ISDIR(st.st_mode):
            return f"{self.folder} is not a folder. Waiting for a folder with that name.", None
        if not os.access(self.folder, os.R_OK | os.X_OK):
            return f"The hot folder {self.folder} cannot be read: permission denied. Waiting.", None
        return None, (st.st_dev, st.st_ino)

    async def _lose(self, message: str) -> None:
        self.watching = False
        self._identity = None
        await self._stop_observer()
        self._folder_lock.release()
        self.gate.clear()
        self._ready.clear()
        self._lost_reason = message
        self._problem(message)

    async def _begin(self, identity: tuple[int, int] | None) -> None:
        holder = await asyncio.to_thread(self._folder_lock.acquire)
        if holder is not None:
            message = (f"{self.folder} is already watched by another Studio Desktop ({holder}). "
                       "Stop that one first: two watchers of one folder would upload every photo twice.")
            self._lock_refused = message
            if self._lost_reason != message and self._task is not None:  # start() raises it instead
                self._lost_reason = message
                self._problem(message)
            return
        self._lock_refused = None
        try:
            kind = await self._start_observer()
        except Exception as exc:
            message = f"Cannot watch {self.folder}: {_plain_os_error(exc)}. Trying again shortly."
            if self._lost_reason != message:
                self._lost_reason = message
                self._problem(message)
            return
        recovered = self._lost_reason is not None and self.observer_kind is not None
        self.watching = True
        self._identity = identity
        self.observer_kind = kind
        if recovered:
            self._emit(HotFolderRecovered(self.folder, f"Watching {self.folder} again."))
        self._lost_reason = None
        self._emit(HotFolderStarted(self.folder, kind))
        self._next_rescan = time.monotonic() + (self.rescan_interval or float("inf"))
        await self._scan(self.folder)

    async def _start_observer(self) -> str:
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver

        self._observer_generation += 1
        handler = _Handler(self, self._observer_generation)
        self._watched_root = Path(os.path.realpath(self.folder))
        use_polling = self.polling
        fs_type = filesystem_type(self.folder)
        if not use_polling and fs_type in NETWORK_FILESYSTEMS:
            use_polling = True
            self._problem(
                f"{self.folder} is on a network share ({fs_type}); checking it for new files "
                f"every {self.poll_interval:g} s instead of being told about them.",
                once_key="network-share",
            )
        if not use_polling:
            observer = None
            try:
                observer = Observer()
                observer.schedule(handler, str(self._watched_root), recursive=True)
                await asyncio.to_thread(observer.start)
            except Exception as exc:
                if observer is not None:
                    await asyncio.to_thread(_stop_quietly, observer)
                self._problem(
                    f"The system could not watch {self.folder} ({_plain_os_error(exc)}); "
                    f"checking it for new files every {self.poll_interval:g} s instead.",
                    once_key="native-failed",
                )
            else:
                self._observer = observer
                self.gate.event_delay = 0.0
                return _native_name(observer)
        observer = PollingObserver(timeout=self.poll_interval)
        observer.schedule(handler, str(self._watched_root), recursive=True)
        try:
            await asyncio.to_thread(observer.start)
        except Exception:
            await asyncio.to_thread(_stop_quietly, observer)
            raise
        self._observer = observer
        self.gate.event_delay = self.poll_interval
        return "polling"

    async def _stop_observer(self) -> None:
        observer, self._observer = self._observer, None
        self._observer_generation += 1
        if observer is not None:
            await asyncio.to_thread(_stop_quietly, observer)

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
        list_names = getattr(self.engine, "list_names", None)
        if not here or list_names is None:
            return paths
        try:
            names = await list_names(self.target.event_id, self.target.album_id)
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
        kwargs: dict[str, Any] = {"album_id": self.target.album_id, "mirror_folders": self.mirror_folders,
                                  "label": self.label, "root": self.folder,
                                  "options": {"hot_folder": str(self.folder), **self.batch_options}}
        return await self.engine.enqueue(paths, self.target.event_id, **kwargs)

    async def _move_known(self, path: Path) -> None:
        """A file the ledger says was uploaded before, still here: an earlier run could not move it."""
        moved_to = await self._move(path)
        if moved_to is not None:
            self._emit(HotFolderFileSkipped(self.folder, path, f"Uploaded before; moved to {moved_to}."))

    # -- engine events --------------------------------------------------------------------

    def _subscribe(self) -> None:
        subscribe = getattr(self.engine, "subscribe", None)
        if subscribe is None or self._unsubscribe is not None:
            return
        result = subscribe(self._on_engine_event)
        if callable(result):
            self._unsubscribe = result
        else:
            unsubscribe = getattr(self.engine, "unsubscribe", None)
            if unsubscribe is not None:
                self._unsubscribe = lambda: unsubscribe(self._on_engine_event)

    def _on_engine_event(self, event: Any) -> None:
        if self._loop is not None and _running_loop() is not self._loop:
            self._post(self._on_engine_event, event)
            return
        state = getattr(event, "state", None)
        raw_path = getattr(event, "path", None)
        if state is None or raw_path is None:
            return
        if getattr(event, "batch_id", None) not in self._batches:
            if self._enqueuing:
                self._early_events.append(event)
            return
        path = Path(raw_path)
        message = getattr(event, "message", None)
        if path in self._moved_in_flight and state in ("done", "duplicate", "failed", "cancelled"):
            path = self._arrived_after_folder_move(path, state, getattr(event, "photo_id", None))
            if path is None:
                return
        if state == "done":
            self._finished(path)
            self.counts["uploaded"] += 1
            photo_id = getattr(event, "photo_id", None)
            if self.after.move_to is not None and is_inside(path, self.folder):
                self._spawn(self._move_and_report(path, photo_id))
            else:
                self._emit(HotFolderFileUploaded(self.folder, path, photo_id))
        elif state == "failed" and message == _changed_since_queued():
            # Written again after it was handed over: it goes through the gate once more.
            self._in_flight.pop(path, None)
            self._recheck_after_upload.discard(path)
            self.gate.found(path)
            self._set_wake()
        elif state == "failed" and not os.path.lexists(path):
            # Gone from where it was queued: deleted, or moved (a renamed folder); events about a
            # move may come after the engine's word. A moved file is found under its new path.
            self._finished(path)
            log.info("hot folder %s: %s left before it was sent (%s)", self.folder, path, message)
        elif state == "filtered":
            # Left out by the picks filter: settled as it is now; re-rated in the file, it is seen again.
            self._settled[path] = (self._in_flight.get(path) or stat_signature(path), state)
            self._finished(path)
            self.counts["left_out"] += 1
            self._emit(HotFolderFileSkipped(self.folder, path, message or "Left out by the picks filter."))
        elif state in ("duplicate", "failed", "cancelled"):
            self._settled[path] = (self._in_flight.get(path) or stat_signature(path), state)
            self._finished(path)
            if state == "duplicate":
                self._spawn(self._explain_duplicate(path, message, getattr(event, "photo_id", None)))
            else:
                self.counts["failed"] += 1
                self._emit(HotFolderFileFailed(self.folder, path, message or state))

    def _arrived_after_folder_move(self, path: Path, state: str, photo_id: int | None) -> Path | None:
        """The engine's word on a file whose folder was renamed while it was in flight.

        Returns the path to go on with (its new one), or None when it is dealt with here.
        """
        signature = self._in_flight.pop(path, None)
        self._recheck_after_upload.discard(path)
        if state == "done":
            # Stays in _moved_in_flight until the ledger knows the new path, so that
            # the new path is not taken for a new photo meanwhile.
            self.counts["uploaded"] += 1
            self._spawn(self._uploaded_before_folder_move(path, signature, photo_id))
            return None
        moved_to = self._moved_in_flight.pop(path)
        if moved_to is None:
            return None  # moved out of the hot folder before it could be sent: no longer ours
        if state == "failed":  # gone from the old path: send it from the new one
            self.gate.found(moved_to)
            self._set_wake()
            return None
        if signature is not None:
            self._in_flight[moved_to] = signature
        return moved_to

    async def _uploaded_before_folder_move(self, path: Path, signature: tuple[int, int] | None,
                                           photo_id: int | None) -> None:
        moved_to = self._moved_in_flight.get(path)
        try:
            if moved_to is not None and signature is not None:
                await self.ledger.follow(path, signature, moved_to)
        finally:
            self._moved_in_flight.pop(path, None)
        if moved_to is not None and self.after.move_to is not None:
            self._emit(HotFolderFileUploaded(self.folder, moved_to, photo_id, await self._move(moved_to)))
        else:
            self._emit(HotFolderFileUploaded(self.folder, moved_to or path, photo_id))

    async def _explain_duplicate(self, path: Path, message: str | None, photo_id: int | None) -> None:
        """The engine found the name in the target: the same photo, or a different one under that name?"""
        if message and message.startswith("Uploaded before from this file"):
            self.counts["skipped"] += 1
            self._emit(HotFolderFileSkipped(self.folder, path, message))
            return
        verdict = await self.ledger.same_name(path, photo_id)
        where = f"photo {photo_id}" if photo_id else "a photo"
        if verdict == "same":
            self.counts["skipped"] += 1
            self._emit(HotFolderFileSkipped(self.folder, path, f"The same photo is already in the gallery ({where})."))
        elif verdict == "different":
            self.counts["name_taken"] += 1
            elsewhere = "" if self.mirror_folders else ", or put it in a subfolder and watch with mirrored folders"
            self._emit(HotFolderFileNameTaken(
                self.folder, path, photo_id,
                f"a different photo named {path.name} is already there ({where}). "
                f"Rename this file (for example {path.stem}-2{path.suffix}) and it will be uploaded{elsewhere}.",
            ))
        else:
            self.counts["skipped"] += 1
            self._emit(HotFolderFileSkipped(
                self.folder, path,
                f"A photo named {path.name} is already in the gallery ({where}), not sent from this computer, "
                "so it is taken to be this one. If it is a different photo, rename the file to upload it.",
            ))

    def _finished(self, path: Path) -> None:
        self._in_flight.pop(path, None)
        if path in self._recheck_after_upload:
            self._recheck_after_upload.discard(path)
            self.gate.found(path)
            self._set_wake()

    async def _move_and_report(self, path: Path, photo_id: int | None) -> None:
        moved_to = await self._move(path)
        self._emit(HotFolderFileUploaded(self.folder, path, photo_id, moved_to))

    async def _move(self, path: Path) -> Path | None:
        assert self.after.move_to is not None
        signature = stat_signature(path)
        try:
            moved_to = await asyncio.to_thread(move_keeping_subfolders, path, self.folder, self.after.move_to)
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._problem(f"Uploaded {path.name}, but could not move it to {self.after.move_to}: "
                          f"{_plain_os_error(exc)}. It stays where it is.", path)
            return None
        if signature is not None:
            await self.ledger.follow(path, signature, moved_to)
        return moved_to

    # -- changed after upload ---------------------------------------------------------------

    def _changed_after_upload(self, path: Path, judgement: Judgement, item: Ready) -> None:
        entry = judgement.entry
        assert entry is not None
        signature = (item.size, item.mtime_ns)
        rewritten = judgement.kind == "rewritten"
        if (rewritten or self.replace_changed) and entry.photo_id is not None:
            self.counts["changed"] += 1
            self._in_flight[path] = signature
            self._spawn(self._replace(path, entry, item, rewritten=rewritten))
            return
        if self._settled.get(path) == (signature, "changed"):
            return  # told once per version; a restart tells again
        self._settled[path] = (signature, "changed")
        self.counts["changed"] += 1
        if entry.photo_id is None:
            advice = " Its photo id is unknown, so it cannot be replaced; delete it in the gallery to upload it again."
        else:
            advice = (" If it is another photo (a new card reusing the name), rename it to upload it beside the "
                      "first; if it is an edit of the same photo, replacing changed photos (--replace-changed) "
                      "sends it in its place.")
        self._emit(HotFolderChangedAfterUpload(
            self.folder, path, entry.photo_id, False,
            f"{path.name} changed after it was uploaded; the gallery still has the earlier version.{advice}",
        ))

    async def _replace(self, path: Path, entry: LedgerEntry, item: Ready, *, rewritten: bool = False) -> None:
        """``sp.photo.update`` with the new version, then remember that version as uploaded."""
        client = self._client or getattr(self.engine, "client", None)
        how = "was written again right after it was uploaded" if rewritten else "changed after it was uploaded"
        try:
            result = await client.photo_update(entry.photo_id, path)
        except asyncio.CancelledError:
            self._in_flight.pop(path, None)
            raise
        except Exception as exc:
            self._emit(HotFolderChangedAfterUpload(
                self.folder, path, entry.photo_id, False,
                f"{path.name} {how}, and replacing it in the gallery failed: {_api_message(exc)}",
            ))
        else:
            await self.ledger.record_replaced(path, (item.size, item.mtime_ns), entry, result.content_hash)
            self.counts["replaced"] += 1
            self._emit(HotFolderChangedAfterUpload(
                self.folder, path, entry.photo_id, True,
                f"{path.name} {how}; replaced it in the gallery with this version (photo {entry.photo_id}).",
            ))
        self._finished(path)

def _api_message(exc: BaseException) -> str:
    msg = getattr(exc, "msg", None)
    return str(msg or exc or type(exc).__name__)


def _native_name(observer: Any) -> str:
    name = type(observer).__name__.lower()
    return "inotify" if "inotify" in name else name.removesuffix("observer") or "native"


def _changed_since_queued() -> str:
    from studio_desktop.uploads.engine import CHANGED_SINCE_QUEUED

    return CHANGED_SINCE_QUEUED


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _stop_quietly(observer: Any) -> None:
    with contextlib.suppress(Exception):
        observer.stop()
    with contextlib.suppress(Exception):
        if observer.is_alive():
            observer.join(timeout=5)
