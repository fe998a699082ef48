"""What every part of the engine shares: its fields, the item in flight, idling, leases and queue-wide stops.

:class:`EngineState` is the base of :class:`~studio_desktop.uploads.engine.UploadEngine`;
the parts (:mod:`._controls`, :mod:`._enqueue`, :mod:`._dispatch`, :mod:`._attempt`)
are mixins over it, each holding one job.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio_desktop.api.errors import AuthenticationError
from studio_desktop.core import local_failures
from studio_desktop.core.store import Store
from studio_desktop.uploads import events as ev
from studio_desktop.uploads.concurrency import AdaptiveLimiter
from studio_desktop.uploads.engine import _network
from studio_desktop.uploads.engine._albums import AlbumResolver
from studio_desktop.uploads.engine._dedup import NameKey, RemoteNames, UncertainLandings
from studio_desktop.uploads.engine._outcomes import log, plain
from studio_desktop.uploads.engine._snapshot import Tally
from studio_desktop.uploads.engine._timing import EngineTiming
from studio_desktop.uploads.engine._writes import WriteBatcher
from studio_desktop.uploads.engine.protocols import UploadClient
from studio_desktop.uploads.engine.retry import RefusalRun
from studio_desktop.uploads.progress import RateMeter
from studio_desktop.uploads.ratelimit import TokenBucket, kbps_to_bytes
from studio_desktop.uploads.records import queue as q
from studio_desktop.uploads.records.ledger import LedgerEntry
from studio_desktop.uploads.runlock import EngineLock
from studio_desktop.uploads.shaping import UploadShape

CHANGED_SINCE_QUEUED = "The file changed after it was queued; add it again to upload the new version."
# The same permanent refusal of an upload (code and message) for this many different
# photos in a row stops the queue with the server's message, as a full plan does: it
# is about the account or the settings, not the photos (an unfamiliar "plan full"
# code, a watermark that no longer exists). Two could be two bad photos; a third in a
# row rarely is, and stopping there spares the rest of a wedding being marked failed
# one by one. Refusals of other calls (an album name) are about one folder: not counted.
REFUSALS_TO_STOP = 3


#: Why a paused photo's progress is gone: ShootProof takes a photo in one request, so it cannot be continued.
#: The start of the message of an item whose file a hot folder saw move (its folder renamed) before it was sent.
MOVED_BEFORE_SENT = "Moved before it was sent"
#: How long a hot folder's item whose file is gone waits to hear that the file moved (a renamed folder's events
#: can come after the engine looked, by up to a polling interval), before it counts as a failure.
MOVE_NOTICE_SECONDS = 2.0
STARTS_OVER = "Paused partway: it starts again from the beginning (ShootProof cannot continue a half-sent photo)."


class Stop(Exception):
    """Ends one item's processing; the state has already been written."""


@dataclass(frozen=True, slots=True)
class Claim:
    """An item claimed in the store, with its file's facts and any ledger hit (one trip to the writer thread)."""

    item: q.Item
    facts: tuple[int, int] | str  # (size, mtime_ns) now, or why the file cannot be read
    ledger: LedgerEntry | None
    #: the album the ledger was looked up for (0: the event's root), or None when it was not looked up
    looked_in: int | None = None


@dataclass(frozen=True, slots=True)
class Sent:
    """A photo this engine recorded as uploaded in this run: its item and target (album id, 0 the root)."""

    item: q.Item
    target: int
    photo_id: int
    at: float  # time.monotonic() when it was recorded


@dataclass
class Running:
    """One item being worked on (including while it sleeps before a retry)."""

    item: q.Item
    task: asyncio.Task[None] | None = None
    intent: str | None = None  # what pause/cancel/stop asked for
    has_slot: bool = False
    state: str = q.QUEUED
    sent: int = 0
    saved_sent: int = -1  # nothing (not even the "uploading" state) saved yet
    last_event: float = 0.0
    sending: bool = False
    refreshed_albums: bool = False
    content_hash: str | None = None  # of the bytes sent whole by the latest attempt
    claim: Claim | None = None
    concluding: tuple[asyncio.Future[Any], Callable[[], None]] | None = None  # the final write, then what to do
    started: bool = False
    name_key: NameKey | None = None  # (event, target, name) of the latest attempt

    @property
    def body_sent(self) -> bool:
        """Every byte of the file has gone out, so the server may store the photo (even if we hang up)."""
        return self.sending and self.sent >= self.item.size

    @property
    def may_have_landed(self) -> bool:
        # Until the last byte has left, the server cannot have the photo.
        return self.state == q.UPLOADING and self.sent >= self.item.size


class EngineState:
    """The engine's fields and the small steps every part takes; see :class:`UploadEngine`."""

    def __init__(
        self,
        client: UploadClient,
        store: Store,
        *,
        concurrency: int = 5,
        bandwidth_limit_kbps: float = 0,
        dedup: bool = True,
        watermark_id: int | str | None = None,
        batches: Iterable[int] | None = None,
        timing: EngineTiming | None = None,
    ):
        self.client = client
        self.store = store
        self.dedup = dedup
        self.watermark_id = watermark_id
        self.timing = timing or EngineTiming()
        self.plan: ev.PlanUsage | None = None
        self._scope: list[int] | None = None if batches is None else [int(b) for b in batches]
        self._limiter = AdaptiveLimiter(concurrency, grow_after=self.timing.grow_after)
        self._bucket = TokenBucket(kbps_to_bytes(bandwidth_limit_kbps))
        self._subscribers: list[Callable[[ev.Event], None]] = []
        # Queued paths a hot folder saw move away (a renamed folder): old path -> new path (None: out of it).
        self._moved_away: dict[str, str | None] = {}
        self._hot_batches: set[int] = set()  # batches a hot folder queued (this run): they may hear of moves
        self._running: dict[int, Running] = {}
        self._tally = Tally()
        self._meter = RateMeter()
        self._leased: deque[Claim] = deque()
        self._lease_lock = asyncio.Lock()
        self._releasing = 0  # lease releases under way (not idle until they are written)
        self._writes = WriteBatcher(store, self.timing.write_batch_delay)
        self._names = RemoteNames(client, store, self.timing.names_max_age)
        # Names a failed upload may have taken: until its item has looked, the names cache cannot be trusted for them.
        self._landings = UncertainLandings()
        # photo id -> the item recorded with it in this run: another item's verify must not take it.
        self._photo_owner: dict[int, int] = {}
        # item id -> when the crashed run last saved it (wall clock): see EngineTiming.landing_grace
        self._crash_leftovers: dict[int, float] = {}
        self._albums = AlbumResolver(client, store, self._names)
        # (event, target) -> photos recorded since the last check after sending (see _doubles)
        self._sent: dict[tuple[int, int], list[Sent]] = {}
        self._doubles_lock = asyncio.Lock()
        self._checks = 0  # checks after sending under way (not idle until they are done)
        self._second_look: asyncio.Future[None] | None = None  # its wait, cut short by stop()
        #: Doubles of a name in a target that were left for the user (plain sentences): another app's copy,
        #: a delete that failed, a target that could not be checked.
        self.double_warnings: list[str] = []
        self._refusals = RefusalRun()
        self._enqueuing: set[int] = set()
        self._finished_batches: set[int] = set()
        self._queued_files: dict[int, int] = {}  # batch -> files this engine's scans put into it
        self._paused = False
        self._stopped_reason: str | None = None
        self._needs_sign_in = False
        self._network_down = False
        self._started = False
        self._waiting = True
        self._wake: asyncio.Event | None = None
        self._idle: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._dispatcher: asyncio.Task[None] | None = None
        self._flusher: asyncio.Task[None] | None = None
        self._prober: asyncio.Task[None] | None = None
        self._scan_executor: ThreadPoolExecutor | None = None
        self._resize_executor: ThreadPoolExecutor | None = None
        self._shapes: dict[int, UploadShape] = {}
        self._accepting = True
        self._lock = EngineLock(store.path)
        #: The store failure (full disk, damaged file, read-only folder) that stopped the queue, if one did.
        self.local_failure: BaseException | None = None
        self._undo_throttle: Callable[[], None] | None = None

    def note_moved(self, old: str, new: str | None) -> None:
        """A hot folder saw the file of a queued item move (its folder renamed) to ``new`` (None: out of the folder).

        Should that item then find its file gone, it is not a failure: it ends cancelled, with
        :data:`MOVED_BEFORE_SENT`, logged at INFO, and the hot folder sends it from the new path.
        A file that vanished without a word stays a clear failure.
        """
        self._moved_away[os.path.abspath(old)] = None if new is None else os.path.abspath(new)

    async def _moved_outcome(self, item: q.Item, state: str, message: str | None) -> tuple[str, str | None]:
        """The outcome to record for ``item``: a failure because its file moved away becomes a quiet cancel.

        A hot folder's file that is gone gets :data:`MOVE_NOTICE_SECONDS` for the word that it moved.
        """
        if state == q.FAILED and item.batch_id in self._hot_batches and item.path not in self._moved_away:
            deadline = time.monotonic() + MOVE_NOTICE_SECONDS
            while item.path not in self._moved_away and time.monotonic() < deadline:
                if os.path.lexists(item.path):
                    break  # not gone: failed for another reason
                await asyncio.sleep(0.05)
        if item.path not in self._moved_away:
            return state, message
        new = self._moved_away.pop(item.path)
        if state != q.FAILED or os.path.lexists(item.path):
            return state, message
        where = f"to {new}" if new is not None else "out of the hot folder"
        log.info(
            "upload of %s (batch %d) not needed here: moved %s before it was sent", item.name, item.batch_id, where
        )
        sent = "; the hot folder sends it from there." if new is not None else "."
        return q.CANCELLED, f"{MOVED_BEFORE_SENT}, {where}{sent}"

    def _emit(self, event: ev.Event) -> None:
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception:
                log.exception("an upload observer failed on %r", event)

    def _state_event(self, item: q.Item, state: str, message: str | None = None, photo_id: int | None = None) -> None:
        if self._subscribers:
            self._emit(ev.ItemStateChanged(item.id, item.batch_id, item.name, state, message, photo_id, item.path))

    # -- thread pools ------------------------------------------------------------

    def _scan_pool(self) -> ThreadPoolExecutor:
        """The thread that scans folders (one, so that two drops never compete for the disk)."""
        if self._scan_executor is None:
            self._scan_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="upload-scan")
        return self._scan_executor

    def _close_scan_pool(self) -> None:
        if self._scan_executor is not None:
            self._scan_executor.shutdown(wait=False)
            self._scan_executor = None
        if self._resize_executor is not None:
            self._resize_executor.shutdown(wait=False)
            self._resize_executor = None

    def _resize_pool(self) -> ThreadPoolExecutor:
        """One resizing thread per core (Pillow decodes and encodes without the GIL)."""
        if self._resize_executor is None:
            from studio_desktop.uploads.resize import clean_leftovers

            self._resize_executor = ThreadPoolExecutor(
                max_workers=max(1, os.cpu_count() or 1), thread_name_prefix="upload-resize"
            )
            self._resize_executor.submit(clean_leftovers, resize_dir())
        return self._resize_executor

    # -- waking and idling -------------------------------------------------------

    def _gate_open(self) -> bool:
        return self._started and not (self._paused or self._stopped_reason or self._needs_sign_in or self._network_down)

    def _poke(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def _idle_clear(self) -> None:
        self._waiting = False
        if self._idle is not None:
            self._idle.clear()
        self._poke()

    def _update_idle(self) -> None:
        if self._idle is None:
            return
        if (
            self._waiting
            and not self._running
            and not self._enqueuing
            and not self._network_down
            and not self._releasing
            and not self._checks
            and not (self._wake is not None and self._wake.is_set())  # the dispatcher has news to look at
            and not (self._leased and not self._gate_open())
        ):
            if self._sent and self._started:
                # The run is finishing with uploads not yet checked (their batch did not finish here: another
                # run on this computer took its last items): check them first.
                self._start_check(None)
                self._idle.clear()
                return
            self._idle.set()
        else:
            self._idle.clear()

    # -- leases: items claimed but not started -------------------------------------

    def _take_leases(self, item_ids: Sequence[int] | None) -> list[int]:
        """Take claimed-but-not-started items out of the lease (all, or these ids); returns their ids."""
        if item_ids is None:
            taken = [c.item.id for c in self._leased]
            self._leased.clear()
            return taken
        wanted = set(item_ids)
        taken = [c.item.id for c in self._leased if c.item.id in wanted]
        self._leased = deque(c for c in self._leased if c.item.id not in wanted)
        return taken

    async def _release_soon(self) -> None:
        try:
            await self._release_leases()
        finally:
            self._releasing -= 1
            self._update_idle()

    async def _release_leases(self) -> None:
        self._releasing += 1
        try:
            async with self._lease_lock:
                taken = self._take_leases(None)
                if taken:
                    await self.store.write(q.unclaim, taken)
        finally:
            self._releasing -= 1
            self._update_idle()

    def _release_leases_soon(self) -> None:
        if self._leased:
            self._releasing += 1  # counted from now, so that nobody sees "idle" before it is written
            task = asyncio.ensure_future(self._release_soon())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    # -- interrupting ----------------------------------------------------------------

    def _interrupt(self, running: Running, intent: str) -> None:
        running.intent = intent
        if running.body_sent:
            # The whole photo is on its way: the server may store it whatever we do now,
            # so hear its answer. Success stands; a failure then honours the intent.
            return
        self._cancel(running)

    @staticmethod
    def _cancel(running: Running) -> None:
        # A task cancelled before its first step never runs its body (nor its
        # cleanup): one that has not started reads the intent when it does.
        if running.started and running.task is not None and not running.task.done():
            running.task.cancel()

    # -- queue-wide conditions ---------------------------------------------------

    def _stop_queue(self, reason: str) -> None:
        if self._stopped_reason is None:
            self._stopped_reason = reason
            log.warning("uploads stopped: %s", reason)
            self._emit(ev.QueueStopped(reason))
        self._release_leases_soon()
        self._update_idle()

    def _store_failed(self, exc: BaseException) -> bool:
        """A failure of this computer (full disk, damaged store, read-only folder) stops the queue: no retry helps.

        Without this the dispatcher retried the claim every second for ever and
        the run never ended. The first such failure is kept in ``local_failure``.
        """
        failure = local_failures.unwrap(exc)
        message = local_failures.describe(failure)
        if message is None:
            return False
        if self.local_failure is None:
            self.local_failure = failure
            log.error("the local store failed: %s", failure)
        self._stop_queue(message)
        return True

    def _sign_in_needed(self, exc: AuthenticationError) -> None:
        if not self._needs_sign_in:
            self._needs_sign_in = True
            self._emit(ev.NeedsSignIn(plain(exc)))
        self._release_leases_soon()
        self._update_idle()

    def _network_lost(self, exc: BaseException) -> None:
        if self._network_down:
            return
        self._network_down = True
        message = plain(exc)
        log.warning("the network seems to be down (%s); uploads wait and resume by themselves", message)
        self._emit(ev.NetworkDown(message))
        self._release_leases_soon()
        if self._started:  # while stopping, nothing would ever cancel a new probe
            self._prober = asyncio.create_task(self._probe_until_up(), name="upload-network-probe")

    async def _probe_until_up(self) -> None:
        delay = self.timing.probe_delay
        while True:
            await asyncio.sleep(delay)
            if await _network.probe(self.client, self.timing.probe_timeout):
                break
            delay = min(delay * 2, self.timing.probe_max_delay)
        self._network_down = False
        log.info("the network is back; uploads resume")
        self._emit(ev.NetworkUp())
        self._poke()

    def _plan_seen(self, usage: ev.PlanUsage) -> None:
        # Answers to concurrent uploads arrive out of order: an older, lower count is not news.
        old = self.plan
        if (
            old is not None
            and old.photos_allowed == usage.photos_allowed
            and usage.photos_used is not None
            and old.photos_used is not None
            and usage.photos_used < old.photos_used
        ):
            return
        self.plan = usage
        self._emit(usage)

    async def _check_batch_finished(self, batch_id: int) -> None:
        if batch_id in self._finished_batches or batch_id in self._enqueuing:
            return
        if any(r.item.batch_id == batch_id and r.state in q.PENDING for r in self._running.values()) or any(
            c.item.batch_id == batch_id for c in self._leased
        ):
            return  # plainly not finished: no need to ask the store
        if await self.store.read(q.batch_has_pending, batch_id) or batch_id in self._finished_batches:
            return
        counts = await self.store.read(q.counts, [batch_id])
        if batch_id in self._finished_batches:
            return
        self._finished_batches.add(batch_id)
        if self._sent:
            self._start_check(batch_id)
            return
        self._batch_finished(batch_id, counts)

    def _start_check(self, batch_id: int | None) -> None:
        """Start the check after sending (then report the batch finished, if one did).

        It runs in a task of its own: the caller may hold a name lock it needs, and a
        pause or stop of the caller's item must not cut a delete in half. The engine is
        not idle until it is done.
        """
        self._checks += 1
        task = asyncio.ensure_future(self._check_then_finish(batch_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _check_then_finish(self, batch_id: int | None) -> None:
        try:
            await self._check_doubles()
            if batch_id is not None:
                self._batch_finished(batch_id, await self.store.read(q.counts, [batch_id]))
        except Exception as exc:
            if not self._store_failed(exc):
                log.exception("the check for photos uploaded twice failed")
        finally:
            self._checks -= 1
            self._update_idle()

    def _batch_finished(self, batch_id: int, counts: dict[str, tuple[int, int]]) -> None:
        log.info(
            "upload batch %d finished: %s",
            batch_id,
            ", ".join(f"{c[0]} {s}" for s, c in counts.items() if c[0]) or "nothing to upload",
        )
        self._emit(ev.BatchFinished(batch_id, {s: c[0] for s, c in counts.items() if c[0]}))

    async def _check_doubles(self) -> None:
        """The check after sending (:class:`._doubles.DoublesMixin`)."""


def resize_dir() -> Path:
    from studio_desktop.core import paths

    return paths.current().cache_dir / "resized"
