"""The folder's side of a hot-folder watcher: what the filesystem says, and whether the folder is still there.

Filesystem events arrive on watchdog's observer thread: :class:`_Handler` hands them
to :meth:`FolderObserving._on_fs_event`, which feeds the gate and posts whatever needs
the watcher's state to the loop. On the loop: the folder's health (vanished, replaced,
unreadable, its observer dead) and choosing, starting and stopping the observer:
native events where the system has them, polling on network shares (whose other
writers the kernel does not see) and where native watching fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import stat
import time
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

from studio_desktop.uploads.hotfolders.events import HotFolderRecovered, HotFolderStarted
from studio_desktop.uploads.hotfolders.files import folder_link_message, is_inside, network_share, plain_os_error
from studio_desktop.uploads.hotfolders.shared import WatcherCore
from studio_desktop.uploads.xmp import is_sidecar, photos_of_sidecar

log = logging.getLogger("studio_desktop.uploads.hotfolders.watcher")


class _Handler(FileSystemEventHandler):
    """Runs on the observer thread: feeds the gate, then wakes the loop (coalesced)."""

    def __init__(self, watcher: FolderObserving, generation: int):
        self._watcher = watcher
        self._generation = generation

    def on_any_event(self, event: FileSystemEvent) -> None:
        try:
            self._watcher._on_fs_event(event, self._generation)
        except Exception:  # never let a surprise kill the observer thread
            log.exception("hot folder: could not handle %r", event)


class FolderObserving(WatcherCore):
    """The folder's half of :class:`~.watcher.HotFolderWatcher`, whose state it shares."""

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
        if not isinstance(
            event, (FileCreatedEvent, FileModifiedEvent, FileClosedEvent, FileMovedEvent, FileDeletedEvent)
        ):
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
        from studio_desktop.uploads.scanner import OWN_FOLDER, is_ignored

        reason = is_ignored(path, root=self.folder)
        if reason is None and any(is_inside(path, own) for own in self._own_folders):
            return OWN_FOLDER
        return reason

    def _wanted(self, path: Path) -> bool:
        if not is_inside(path, self.folder) or path == self.folder:
            return False
        move_to = self.after.move_to
        return move_to is None or not is_inside(path, move_to)

    def _request_health_check(self) -> None:
        self._next_health = 0.0
        self._set_wake()

    def _folder_moved(self, src: Path, dest: Path | None) -> None:
        """A subfolder was renamed or moved: its files in flight and its ledger rows follow it.

        Without this, an uploaded photo under its new path looks new (uploaded twice,
        into a second album with mirrored folders) and one in flight is reported gone.
        """
        for path in [p for p in self._in_flight if is_inside(p, src)]:
            moved_to = dest / path.relative_to(src) if dest is not None else None
            self._moved_in_flight[path] = moved_to
            self.engine.note_moved(str(path), None if moved_to is None else str(moved_to))
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
            return (
                f"The hot folder {self.folder} is gone (deleted, renamed or its drive was removed). "
                "Waiting for it to come back."
            ), None
        except OSError as exc:
            return f"The hot folder {self.folder} cannot be read: {plain_os_error(exc)}. Waiting.", None
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
            message = (
                f"{self.folder} is already watched by another Studio Desktop ({holder}). "
                "Stop that one first: two watchers of one folder would upload every photo twice."
            )
            self._lock_refused = message
            if self._lost_reason != message and self._task is not None:  # start() raises it instead
                self._lost_reason = message
                self._problem(message)
            return
        self._lock_refused = None
        try:
            kind = await self._start_observer()
        except Exception as exc:
            message = f"Cannot watch {self.folder}: {plain_os_error(exc)}. Trying again shortly."
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
        # Both may block for seconds on a share that stalls or a disk that spins up.
        real, share = await asyncio.to_thread(_where, self.folder)
        self._watched_root = real
        use_polling = self.polling
        if not use_polling and share is not None:
            use_polling = True
            self._problem(
                f"{self.folder} is on a network share ({share}); checking it for new files "
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
                    f"The system could not watch {self.folder} ({plain_os_error(exc)}); "
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


def _where(folder: Path) -> tuple[Path, str | None]:
    """The real folder a link leads to (inotify does not follow a link given as the root), and its share."""
    return Path(os.path.realpath(folder)), network_share(folder)


def _native_name(observer: Any) -> str:
    name = type(observer).__name__.lower()
    return "inotify" if "inotify" in name else name.removesuffix("observer") or "native"


def _stop_quietly(observer: Any) -> None:
    with contextlib.suppress(Exception):
        observer.stop()
    with contextlib.suppress(Exception):
        if observer.is_alive():
            observer.join(timeout=5)
