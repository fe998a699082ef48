"""The upload engine: asyncio workers that move queued files into ShootProof galleries, each exactly once.

One engine serves the terminal (``studio-desktop upload``), the GUI and hot
folders. It owns no Qt; observers subscribe to small event objects
(:mod:`studio_desktop.uploads.events`).

What "the same photo" means (the exactly-once contract):

- A local file is a duplicate only when its name is already in **the same
  target**: the album it goes to, or the event's root, meaning the photos in
  no album (``sp.event.get_photos`` lists the whole event, so the photos of
  every album are taken out of it) -- or when the ledger says this very file
  (path, size, modification time; the sha256 of the bytes sent is kept too)
  already went to that target. A same-named photo elsewhere in the event is
  not a duplicate.
- A folder resolved to an album id keeps that id. Siblings may share a name:
  a name look-up chooses one deterministically (the server's
  ``display_order``, then the lowest id; :func:`queue.choose_albums`) in the
  store and the engine alike. The album is resolved, and created if need be,
  before any check, so the checks and the upload are about one target. An
  album is never created while one of that name exists under that parent.
- After any failure that may have taken effect, the engine looks before it
  writes again. An album create that failed reloads the album list before
  anyone creates that album again (the item's retry or another item waiting
  for the lock). An upload that may have landed sets the item's ``verify``
  flag; the next attempt asks ``sp.event.photo_exists`` (album-scoped for an
  album; for the root it is event-wide, so a yes is checked by listing the
  root) and counts it as landed only on a photo of that name whose id was not
  in the target before the item was first sent (``prior_photo_ids``, written
  before the first send). So with ``--no-dedup`` an older version never
  counts as the new one landing, nor does a photo another item of this run
  was recorded with.
- Until that look is done, the name is uncertain in its target: another item
  of the same name and target looks on the server before it decides (the
  names fetched earlier do not know the first may have landed). Without
  dedup it would send all the same, so it waits for that look first: two
  uncertain landings of one name in one target could not be told apart.
- A crash's leftover (an item a killed run left checking or uploading) that is
  not found is looked for once more when the killed run's last upload could
  have landed (:attr:`EngineTiming.landing_grace` after the run last saved
  it): the server goes on with a request it has whole after the client died.
- A file rewritten while it is sent fails with :data:`CHANGED_SINCE_QUEUED`
  (a hot folder queues the new version), never with a protocol error.
- Nothing is counted as uploaded without a photo id from the server: the
  upload's answer, or the id the re-check found.

How it holds up in the store and on the wire:

- The queue and the ledger live in the local store. An item is claimed
  (``checking``) in the store before anything about it is sent, and marked
  ``done`` with its photo id and a ledger row (one transaction) before anyone
  is told.
- Until the last byte of the file has left, the server cannot have the
  photo, so an upload stopped earlier is simply sent again; and an upload
  whose every byte has left is not abandoned by pause or cancel: its answer
  is awaited, because the server may store it whatever we do.
- Two items with the same target and name never run at the same time (a lock
  per name), so the second always sees what the first did.
- Every running engine holds a lock beside the store; one that starts alone
  knows items left ``checking``/``uploading`` are a crash's leftovers.
- The same permanent refusal for several photos in a row stops the queue
  with the server's message (:data:`REFUSALS_TO_STOP`), as a full plan does.
  So does an API address that redirects (``ConfigurationError``): it is
  about the settings, and every photo would get the same answer.

Dedup without a flood of requests: a ledger hit (same path, size, modification
time and target) is a duplicate without any HTTP (found while the folder is
being queued); otherwise each target's existing photo names are fetched once
(pages of 1000) into a set.

Staying cheap per file: SQLite runs on the store's threads, so the engine
claims a few queued items per trip to the writer thread and writes outcomes
in small batches (each committed before it is reported), and the scan of a
big folder runs in its own thread while the first files already upload.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import random
import stat
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from studio_desktop.api.errors import (
    ApiError,
    AuthenticationError,
    BadResponseError,
    ConfigurationError,
    NotFoundError,
    PlanLimitError,
    TransientError,
    ValidationError,
)
from studio_desktop.api.limits import MAX_ALBUM_DEPTH
from studio_desktop.core import local_failures
from studio_desktop.core.store import Store
from studio_desktop.uploads import events as ev
from studio_desktop.uploads.records.ledger import (
    AlbumRow,
    LedgerEntry,
    album_forget,
    album_lookup,
    album_remember,
    album_replace,
    ledger_lookup,
    ledger_reason,
    mapped_album,
    nfc,
)
from studio_desktop.uploads.records import queue as q
from studio_desktop.uploads.concurrency import AdaptiveLimiter, clamp_concurrency
from studio_desktop.uploads.images import MAX_UPLOAD_BYTES, validate_jpeg
from studio_desktop.uploads.progress import RateMeter, eta_seconds
from studio_desktop.uploads.ratelimit import TokenBucket, kbps_to_bytes, throttle_uploads
from studio_desktop.uploads.runlock import EngineLock
from studio_desktop.uploads.shaping import FilteredFile, UploadShape, rejected_rel

log = logging.getLogger(__name__)

CHANGED_SINCE_QUEUED = "The file changed after it was queued; add it again to upload the new version."
NAMES_PAGE = 1000
ADD_CHUNK = 500
FIRST_CHUNK = 20
# The same permanent refusal of an upload (code and message) for this many different
# photos in a row stops the queue with the server's message, as a full plan does: it
# is about the account or the settings, not the photos (an unfamiliar "plan full"
# code, a watermark that no longer exists). Two could be two bad photos; a third in a
# row rarely is, and stopping there spares the rest of a wedding being marked failed
# one by one. Refusals of other calls (an album name) are about one folder: not counted.
REFUSALS_TO_STOP = 3


#: Why a paused photo's progress is gone: ShootProof takes a photo in one request, so it cannot be continued.
STARTS_OVER = ("Paused partway: it starts again from the beginning "
               "(ShootProof cannot continue a half-sent photo).")


@dataclass(frozen=True)
class EngineTiming:
    """Retry and pacing knobs; tests shrink the delays."""

    max_attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0
    max_retry_after: float = 300.0
    probe_delay: float = 2.0
    probe_max_delay: float = 60.0
    probe_timeout: float = 10.0
    progress_event_interval: float = 0.1
    progress_save_interval: float = 0.5
    write_batch_delay: float = 0.005
    grow_after: int = 8
    # A killed run's last upload may still be landing: the server goes on with a request
    # it has whole after the client is gone. A crash leftover not found in its target is
    # looked for again once this long after the crashed run last saved it.
    landing_grace: float = 5.0

    def backoff(self, attempt: int) -> float:
        """Exponential, with jitter between half and all of it so retries do not arrive together."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** max(0, attempt - 1)))
        return ceiling * (0.5 + random.random() / 2)


@dataclass(frozen=True)
class Snapshot:
    """Totals for a progress bar: files and bytes per state, rate (bytes/s) and time left."""

    files: dict[str, int]
    bytes: dict[str, int]
    bytes_sent: int
    rate: float
    eta: float | None
    in_flight: int
    concurrency: int
    user_concurrency: int
    paused: bool
    stopped_reason: str | None
    needs_sign_in: bool
    network_down: bool

    @property
    def total_bytes(self) -> int:
        return sum(self.bytes.values())

    @property
    def pending_files(self) -> int:
        return sum(self.files[s] for s in q.PENDING)

    @property
    def bytes_done(self) -> int:
        """Bytes that no longer need sending: uploaded, duplicates, and what has gone out of the current ones."""
        return self.bytes[q.DONE] + self.bytes[q.DUPLICATE] + self.bytes_sent

    @property
    def bytes_to_do(self) -> int:
        """The bytes of everything uploaded or still to upload (failed and cancelled left out)."""
        return sum(self.bytes[s] for s in (q.DONE, q.DUPLICATE, q.QUEUED, q.CHECKING, q.UPLOADING))


@dataclass(frozen=True, slots=True)
class DryRunEntry:
    path: str
    name: str
    size: int
    outcome: str  # "upload" | "duplicate" | "rejected" | "filtered"
    reason: str | None = None


class _NameLock:
    """One asyncio.Lock per key, made on first use and dropped when nobody holds or waits for it."""

    __slots__ = ("_locks", "_key", "_entry")

    def __init__(self, locks: dict[tuple, list[Any]], key: tuple):
        self._locks = locks
        self._key = key
        self._entry: list[Any] | None = None

    async def __aenter__(self) -> None:
        entry = self._locks.get(self._key)
        if entry is None:
            entry = self._locks[self._key] = [asyncio.Lock(), 0]
        entry[1] += 1
        self._entry = entry
        try:
            await entry[0].acquire()
        except BaseException:
            self._drop()
            raise

    async def __aexit__(self, *exc: object) -> None:
        assert self._entry is not None
        self._entry[0].release()
        self._drop()

    def _drop(self) -> None:
        assert self._entry is not None
        self._entry[1] -= 1
        if self._entry[1] == 0 and self._locks.get(self._key) is self._entry:
            del self._locks[self._key]


class _RefusalRun:
    """The server's latest permanent refusals, while they are all the same answer for different photos."""

    def __init__(self) -> None:
        self._answer: tuple[str, str, str] | None = None
        self._items: set[int] = set()

    def add(self, answer: tuple[str, str, str], item_id: int) -> int:
        """Count one refusal; returns how many different photos got this same answer in a row."""
        if answer != self._answer:
            self._answer = answer
            self._items = set()
        self._items.add(item_id)
        return len(self._items)

    def clear(self) -> None:
        self._answer = None
        self._items = set()


class _Stop(Exception):
    """Ends one item's processing; the state has already been written."""


@dataclass
class _Running:
    """One item being worked on (including while it sleeps before a retry)."""

    item: q.Item
    task: asyncio.Task | None = None
    intent: str | None = None  # what pause/cancel/stop asked for
    has_slot: bool = False
    state: str = q.QUEUED
    sent: int = 0
    saved_sent: int = -1  # nothing (not even the "uploading" state) saved yet
    last_event: float = 0.0
    sending: bool = False
    refreshed_albums: bool = False
    content_hash: str | None = None  # of the bytes sent whole by the latest attempt
    claim: Any = None
    concluding: Any = None  # (future of the final write, what to do once it is committed)
    started: bool = False
    name_key: tuple | None = None  # (event, target, name) of the latest attempt

    @property
    def body_sent(self) -> bool:
        """Every byte of the file has gone out, so the server may store the photo (even if we hang up)."""
        return self.sending and self.sent >= self.item.size

    @property
    def may_have_landed(self) -> bool:
        # Until the last byte has left, the server cannot have the photo.
        return self.state == q.UPLOADING and self.sent >= self.item.size


@dataclass
class _Target:
    names: dict[str, list[int]] | None = None  # NFC name -> ids of the photos of that name, in server order
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def _connect_failure(exc: BaseException) -> bool:
    """Did the request fail to reach the server at all (no network, server down)?"""
    seen = exc
    for _ in range(5):
        seen = seen.__cause__ or seen.__context__
        if seen is None:
            return False
        if isinstance(seen, (httpx.ConnectError, httpx.ConnectTimeout)):
            return True
    return False


def _overload(exc: TransientError) -> bool:
    if exc.http_status is not None and (exc.http_status == 429 or exc.http_status >= 500):
        return True
    context = exc.__context__
    return isinstance(context, httpx.TimeoutException)


def _plain(exc: BaseException) -> str:
    if isinstance(exc, ApiError):
        text = exc.msg
        fields = exc.field_messages()
        if fields:
            text += " (" + "; ".join(fields) + ")"
        return text
    return str(exc) or type(exc).__name__


class UploadEngine:
    """Uploads queued files; see the module docstring. Start with ``await engine.start()``.

    ``batches``: work only on these batches (plus those this engine enqueues),
    as the terminal command does; ``None`` (the GUI) works on the whole queue.
    """

    def __init__(
        self,
        client: Any,
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
        self._subscribers: list[Callable[[Any], None]] = []
        self._running: dict[int, _Running] = {}
        self._counts: dict[str, list[int]] = {s: [0, 0] for s in q.STATES}
        self._meter = RateMeter()
        self._leased: deque[_Claim] = deque()
        self._lease_lock = asyncio.Lock()
        self._releasing = 0  # lease releases under way (not idle until they are written)
        self._writes = _WriteBatcher(store, self.timing.write_batch_delay)
        self._targets: dict[tuple[int, int], _Target] = {}
        self._name_locks: dict[tuple, list[Any]] = {}  # key -> [lock, users]
        # (event, target, name) -> ids of the items whose failed upload of that name may
        # have landed there: until they have looked, the names cache cannot be trusted for it.
        self._uncertain: dict[tuple, set[int]] = {}
        self._settle_events: dict[tuple, asyncio.Event] = {}
        # photo id -> the item recorded with it in this run: another item's verify must not take it.
        self._photo_owner: dict[int, int] = {}
        # item id -> when the crashed run last saved it (wall clock): see EngineTiming.landing_grace
        self._crash_leftovers: dict[int, float] = {}
        self._albums: dict[tuple[int, int, str], int] = {}
        self._album_lists_loaded: set[int] = set()
        self._refusals = _RefusalRun()
        self._album_parents: dict[int, dict[int, int]] = {}  # event -> album id -> parent id (0: the event)
        self._album_locks: dict[int, asyncio.Lock] = {}
        self._enqueuing: set[int] = set()
        self._finished_batches: set[int] = set()
        self._paused = False
        self._stopped_reason: str | None = None
        self._needs_sign_in = False
        self._network_down = False
        self._started = False
        self._waiting = True
        self._wake: asyncio.Event | None = None
        self._idle: asyncio.Event | None = None
        self._tasks: set[asyncio.Task] = set()
        self._dispatcher: asyncio.Task | None = None
        self._flusher: asyncio.Task | None = None
        self._prober: asyncio.Task | None = None
        self._scan_executor: ThreadPoolExecutor | None = None
        self._resize_executor: ThreadPoolExecutor | None = None
        self._shapes: dict[int, UploadShape] = {}
        self._accepting = True
        self._lock = EngineLock(store.path)
        #: The store failure (full disk, damaged file, read-only folder) that stopped the queue, if one did.
        self.local_failure: BaseException | None = None
        self._undo_throttle: Callable[[], None] | None = None

    # -- observers -----------------------------------------------------------

    def subscribe(self, callback: Callable[[Any], None]) -> Callable[[], None]:
        """Call ``callback(event)`` for every event (on the loop's thread); returns an unsubscribe function."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._subscribers.remove(callback)

        return unsubscribe

    def _emit(self, event: Any) -> None:
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception:
                log.exception("an upload observer failed on %r", event)

    # -- lifetime ------------------------------------------------------------

    async def start(self) -> None:
        if self._started:
            return
        self._accepting = True
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        alone = await asyncio.to_thread(self._lock.acquire)
        if alone:
            recovered = await self.store.write(q.recover_interrupted)
            if recovered:
                self._crash_leftovers.update(recovered)
                log.info("%d upload(s) were interrupted last time; each is checked before it is sent again",
                         len(recovered))
            await asyncio.to_thread(self._lock.share)
        await self._recount()
        http = getattr(getattr(self.client, "transport", None), "http", None)
        if isinstance(http, httpx.AsyncClient):
            self._undo_throttle = throttle_uploads(http, self._bucket)
        else:
            log.warning("cannot apply the bandwidth limit: the client has no httpx transport")
        self._started = True
        self._dispatcher = asyncio.create_task(self._dispatch_loop(), name="upload-dispatcher")
        self._flusher = asyncio.create_task(self._flush_loop(), name="upload-progress-saver")

    async def stop(self, grace: float = 0.0) -> None:
        """Stop uploading. In-flight items get ``grace`` seconds to finish, then go back to the queue."""
        self._accepting = False
        if not self._started:
            self._close_scan_pool()
            return
        self._started = False
        for task in (self._dispatcher, self._prober):
            if task is not None:
                task.cancel()
        if grace > 0 and self._running:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._all_settled(), grace)
        for running in list(self._running.values()):
            running.intent = running.intent or q.QUEUED
            self._cancel(running)
        tasks = [t for t in (self._dispatcher, self._prober, *self._tasks) if t is not None]
        if self._prober is not None:  # one started during the grace period
            self._prober.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._release_leases()
        await self._writes.drain()
        if self._flusher is not None:
            self._flusher.cancel()
            await asyncio.gather(self._flusher, return_exceptions=True)
        await self._save_progress()
        if self._undo_throttle is not None:
            self._undo_throttle()
            self._undo_throttle = None
        self._close_scan_pool()
        await asyncio.to_thread(self._lock.release)
        if self._idle is not None:
            self._idle.set()

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

            self._resize_executor = ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1),
                                                       thread_name_prefix="upload-resize")
            self._resize_executor.submit(clean_leftovers, _resize_dir())
        return self._resize_executor

    async def _all_settled(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def wait_idle(self) -> None:
        """Return when there is nothing this engine can do now: the queue is empty, or paused/stopped."""
        if not self._started or self._idle is None:
            return
        await self._idle.wait()

    @property
    def running(self) -> bool:
        return self._started

    # -- settings ------------------------------------------------------------

    @property
    def concurrency(self) -> int:
        return self._limiter.user_limit

    def set_concurrency(self, value: int) -> None:
        self._limiter.set_limit(clamp_concurrency(value))
        self._emit(ev.ConcurrencyChanged(self._limiter.current, self._limiter.user_limit))
        self._poke()

    @property
    def bandwidth_limit_kbps(self) -> float:
        return self._bucket.rate * 8 / 1000

    def set_bandwidth_limit(self, kbps: float) -> None:
        self._bucket.set_rate(kbps_to_bytes(kbps))

    # -- controls ------------------------------------------------------------

    def pause(self, item_ids: Sequence[int] | None = None) -> asyncio.Future:
        """Pause everything (``None``), or some items; await the result to know it is written.

        An upload still sending its file stops now (and goes again on resume); one
        whose every byte has gone out is allowed to finish, as the server may store
        it anyway. Pausing everything is not remembered across restarts; pausing
        an item is.
        """
        if item_ids is None:
            self._paused = True
            for running in list(self._running.values()):
                self._interrupt(running, q.QUEUED)
            self._release_leases_soon()
            self._update_idle()
            done = asyncio.get_running_loop().create_future()
            done.set_result([])
            return done
        ids = [int(i) for i in item_ids]
        interrupted = [self._running[i] for i in ids if i in self._running]
        for running in interrupted:
            self._interrupt(running, q.PAUSED)
        return self._counting_interrupted(self._bulk(q.PAUSED, (q.QUEUED,), ids, release=True), interrupted,
                                          q.PAUSED)

    def resume(self, item_ids: Sequence[int] | None = None) -> asyncio.Future:
        """Resume everything (also after a full plan or signing in again), or some paused items."""
        if item_ids is None:
            self._paused = False
            self._stopped_reason = None
            self._needs_sign_in = False
            self._idle_clear()
        return self._bulk(q.QUEUED, (q.PAUSED,), item_ids)

    def cancel(self, item_ids: Sequence[int] | None = None) -> asyncio.Future:
        """Cancel items (``None``: everything not finished in this engine's scope).

        The result lists every item cancelled, those that were being sent included.
        """
        interrupted = [r for r in self._running.values() if item_ids is None or r.item.id in item_ids]
        for running in interrupted:
            self._interrupt(running, q.CANCELLED)
        return self._counting_interrupted(self._bulk(q.CANCELLED, (q.QUEUED, q.PAUSED), item_ids, release=True),
                                          interrupted, q.CANCELLED)

    def _counting_interrupted(self, bulk: asyncio.Future, interrupted: list[_Running], intent: str) -> asyncio.Future:
        """``bulk``'s ids plus the items in flight that, once settled, ended as ``intent``.

        One whose every byte had gone out may still land (then it is done, not counted).
        """
        if not interrupted:
            return bulk

        async def run() -> list[int]:
            moved = list(await bulk)
            tasks = [r.task for r in interrupted if r.task is not None and not r.task.done()]
            if tasks:
                await asyncio.wait(tasks)
            seen = set(moved)
            moved.extend(r.item.id for r in interrupted if r.state == intent and r.item.id not in seen)
            return moved

        task = asyncio.ensure_future(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def retry(self, item_ids: Sequence[int] | None = None) -> asyncio.Future:
        """Queue failed items again (``None``: every failed one), counting attempts from zero.

        Each file is checked again first: one that is still not a photo ShootProof
        takes stays failed (with today's reason); one that changed is taken as it is now.
        """
        self._idle_clear()
        return self._bulk(q.QUEUED, (q.FAILED,), item_ids, reset_attempts=True, recheck_files=True)

    def _bulk(
        self, to_state: str, from_states: tuple[str, ...], item_ids: Sequence[int] | None,
        *, reset_attempts: bool = False, recheck_files: bool = False, release: bool = False,
    ) -> asyncio.Future:
        """Change many items' state in one write. ``release``: claimed items not yet started count too."""
        scope = self._scope
        released: list[int] = []

        def apply(conn) -> tuple[list[tuple[int, str, int, int]], list[q.Item]]:
            if released:
                q.unclaim(conn, released)
            old_sizes: dict[int, int] = {}
            if recheck_files:
                candidates = q.set_states(conn, q.FAILED, from_states, item_ids=item_ids, batch_ids=scope)
                usable, still_bad, old_sizes = _recheck_files(conn, candidates)
                changes = q.change_states(conn, to_state, (q.FAILED,), item_ids=usable,
                                          reset_attempts=reset_attempts)
            else:
                changes = q.change_states(conn, to_state, from_states, item_ids=item_ids, batch_ids=scope,
                                          reset_attempts=reset_attempts)
                still_bad = []
            return [(i, old, old_sizes.get(i, size), size) for i, old, size in changes], still_bad

        async def run() -> list[int]:
            async with self._lease_lock:  # not while the dispatcher is claiming more
                if release:
                    released.extend(self._take_leases(item_ids))
                changes, still_bad = await self.store.write(apply)
            for _, old_state, old_size, size in changes:
                self._count(old_state, -1, -old_size)
                self._count(to_state, 1, size)
            moved = [change[0] for change in changes]
            for item in still_bad:
                _log_outcome(item, q.FAILED, item.last_error)
                self._state_event(item, q.FAILED, item.last_error)
            batches: set[int] = set()
            # A page at a time: cancelling 100,000 items must not hold 100,000 rows in memory.
            for start in range(0, len(moved), 500):
                page = await self.store.read(q.items_by_id, moved[start:start + 500])
                for item in page:
                    batches.add(item.batch_id)
                    self._state_event(item, to_state, item.last_error)
            if to_state == q.QUEUED:
                self._finished_batches.difference_update(batches)
            if to_state in q.FINISHED:
                for batch_id in batches:
                    await self._check_batch_finished(batch_id)
            if to_state == q.QUEUED and moved:
                self._idle_clear()  # so that a wait_idle() after this sees the new work
            self._poke()
            return moved

        task = asyncio.ensure_future(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _interrupt(self, running: _Running, intent: str) -> None:
        running.intent = intent
        if running.body_sent:
            # The whole photo is on its way: the server may store it whatever we do now,
            # so hear its answer. Success stands; a failure then honours the intent.
            return
        self._cancel(running)

    @staticmethod
    def _cancel(running: _Running) -> None:
        # A task cancelled before its first step never runs its body (nor its
        # cleanup): one that has not started reads the intent when it does.
        if running.started and running.task is not None and not running.task.done():
            running.task.cancel()

    # -- queueing ------------------------------------------------------------

    async def enqueue(
        self, paths: Iterable[str | os.PathLike[str]], event_id: int, album_id: int | None = None,
        mirror_folders: bool = False, label: str | None = None, options: dict[str, Any] | None = None,
        root: str | os.PathLike[str] | None = None, shape: UploadShape | None = None,
    ) -> int:
        """Add files and folders (scanned in a worker thread) as a new batch; returns the batch id.

        Files the scanner refuses become failed items carrying its reason, so the
        user sees them. Uploading starts while a big folder is still being scanned.
        ``root``: with ``mirror_folders``, album paths are taken from the folders
        between ``root`` and each path (a hot folder hands over single files).
        ``options`` are kept with the batch (e.g. the ``--new-event`` name).
        ``shape``: the picks filter and resizing (:mod:`shaping`), kept with the batch too;
        photos the filter leaves out are added as ``filtered`` items with the reason, never sent.
        """
        paths = [os.fspath(p) for p in paths]
        root_text = os.fspath(root) if root is not None else None
        if shape is None:  # a hot folder hands its shape over among the batch options
            shape = UploadShape.from_options(options)
        batch_options = {"mirror_folders": bool(mirror_folders), "paths": paths[:20], "path_count": len(paths),
                         **({"root": root_text} if root_text else {}), **(shape.to_options() if shape else {}),
                         **(options or {})}
        batch_id = await self.store.write(q.create_batch, event_id, album_id, batch_options, label)
        log.info("upload batch %d: %d path(s) for event %d%s%s", batch_id, len(paths), event_id,
                 f", album {album_id}" if album_id is not None else "", ", folders as albums" if mirror_folders else "")
        if self._scope is not None:
            self._scope.append(batch_id)
        self._shapes[batch_id] = shape or UploadShape()
        self._enqueuing.add(batch_id)
        self._idle_clear()
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._scan_pool(), self._scan_into, batch_id, paths, mirror_folders,
                                       root_text, loop, shape)
        finally:
            self._enqueuing.discard(batch_id)
        await self._check_batch_finished(batch_id)
        self._poke()
        return batch_id

    def _scan_into(self, batch_id: int, paths: list[str], mirror_folders: bool, root: str | None,
                   loop: asyncio.AbstractEventLoop, shape: UploadShape | None = None) -> None:
        chunk: list[q.NewItem] = []
        size = FIRST_CHUNK  # a small first chunk, so that uploading starts while the scan goes on
        for entry in _scan(paths, mirror_folders, root, shape):
            if not self._accepting:
                return  # stopped mid-scan: what is queued stays queued for next time
            if isinstance(entry, FilteredFile):
                entry = q.NewItem(entry.path, entry.name, entry.size, entry.mtime_ns, entry.rel_album_path,
                                  error=entry.reason, left_out=True)
            chunk.append(entry)
            if len(chunk) >= size:
                self._add_chunk(batch_id, chunk, loop)
                chunk = []
                size = ADD_CHUNK
        if chunk:
            self._add_chunk(batch_id, chunk, loop)

    def _add_chunk(self, batch_id: int, chunk: list[q.NewItem], loop: asyncio.AbstractEventLoop) -> None:
        result = self.store.write_sync(q.add_items, batch_id, chunk, dedup=self.dedup)
        with contextlib.suppress(RuntimeError):  # the loop is gone: the rows are saved all the same
            loop.call_soon_threadsafe(self._after_add, batch_id, result)

    def _after_add(self, batch_id: int, result: q.AddResult) -> None:
        adopted_bytes = 0
        for _, old_batch, old_state, new_state, size in result.adopted_moves:
            adopted_bytes += size
            if self._scope is None or old_batch in self._scope:
                self._count(old_state, -1, -size)
            self._count(new_state, 1, size)
        self._count(q.QUEUED, result.added, result.bytes - adopted_bytes)
        self._count(q.FAILED, result.rejected, 0)
        moved = {q.SKIPPED: [0, 0], q.FILTERED: [0, 0]}
        for _, old_batch, state, size in result.refused_moves:
            if state in moved:
                moved[state][0] += 1
                moved[state][1] += size
            if self._scope is not None and old_batch not in self._scope:
                self._count(state, 1, size)  # already counted when its batch was in scope
        self._count(q.SKIPPED, len(result.skipped_items) - moved[q.SKIPPED][0], 0)
        self._count(q.FILTERED, len(result.filtered_items) - moved[q.FILTERED][0],
                    sum(i.size for i in result.filtered_items) - moved[q.FILTERED][1])
        self._count(q.DUPLICATE, len(result.duplicate_items), sum(i.size for i in result.duplicate_items))
        added = result.added + result.adopted + len(result.duplicate_items)
        self._emit(ev.ItemsAdded(batch_id, added, result.rejected,
                                 result.bytes + sum(i.size for i in result.duplicate_items)))
        for item in result.rejected_items:
            _log_outcome(item, q.FAILED, item.last_error)
            self._state_event(item, q.FAILED, item.last_error)
        for item in result.skipped_items:
            _log_outcome(item, q.SKIPPED, item.last_error)
            self._state_event(item, q.SKIPPED, item.last_error)
        for item in result.filtered_items:
            _log_outcome(item, q.FILTERED, item.last_error)
            self._state_event(item, q.FILTERED, item.last_error)
        for item in result.duplicate_items:
            self._state_event(item, q.DUPLICATE, item.last_error, item.photo_id)
        self._poke()

    async def dry_run(
        self, paths: Iterable[str | os.PathLike[str]], event_id: int | None, album_id: int | None = None,
        mirror_folders: bool = False, shape: UploadShape | None = None,
    ) -> AsyncIterator[DryRunEntry]:
        """What an upload would do, without sending or changing anything (albums are not created)."""
        paths = [os.fspath(p) for p in paths]
        loop = asyncio.get_running_loop()
        entries = await loop.run_in_executor(self._scan_pool(),
                                             lambda: list(_scan(paths, mirror_folders, None, shape)))
        for entry in entries:
            if isinstance(entry, FilteredFile):
                yield DryRunEntry(entry.path, entry.name, entry.size, "filtered", entry.reason)
                continue
            if entry.error is not None:
                yield DryRunEntry(entry.path, entry.name, entry.size, "rejected", entry.error)
                continue
            if event_id is None:  # an event still to be created holds nothing yet
                yield DryRunEntry(entry.path, entry.name, entry.size, "upload")
                continue
            item = q.Item(0, 0, entry.path, entry.name, entry.size, entry.mtime_ns, event_id, album_id,
                          entry.rel_album_path, q.QUEUED)
            final, exists = await self._album_for(item, create=False)
            reason = None
            if exists and self.dedup:
                reason = await self._duplicate_reason(item, final)
            yield DryRunEntry(entry.path, entry.name, entry.size, "duplicate" if reason else "upload", reason)

    # -- numbers -------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        # Sent bytes of uploads still to be recorded count as gone out (so the total never steps back).
        sent = sum(r.sent for r in self._running.values() if r.state == q.UPLOADING)
        files = {s: max(0, c[0]) for s, c in self._counts.items()}
        sizes = {s: max(0, c[1]) for s, c in self._counts.items()}
        rate = self._meter.rate()
        remaining = sizes[q.QUEUED] + sizes[q.CHECKING] + sizes[q.UPLOADING] - sent
        return Snapshot(
            files=files, bytes=sizes, bytes_sent=sent, rate=rate, eta=eta_seconds(remaining, rate),
            in_flight=len(self._running), concurrency=self._limiter.current,
            user_concurrency=self._limiter.user_limit, paused=self._paused, stopped_reason=self._stopped_reason,
            needs_sign_in=self._needs_sign_in, network_down=self._network_down,
        )

    async def _recount(self) -> None:
        counts = await self.store.read(q.counts, self._scope)
        self._counts = {s: [f, b] for s, (f, b) in counts.items()}

    def _count(self, state: str, files: int, size: int) -> None:
        self._counts[state][0] += files
        self._counts[state][1] += size

    def _move(self, item: q.Item, old: str, new: str) -> None:
        if old == new:
            return
        self._counts[old][0] -= 1
        self._counts[old][1] -= item.size
        self._counts[new][0] += 1
        self._counts[new][1] += item.size

    # -- dispatching -----------------------------------------------------------

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
        if (self._waiting and not self._running and not self._enqueuing and not self._network_down
                and not self._releasing
                and not (self._wake is not None and self._wake.is_set())  # the dispatcher has news to look at
                and not (self._leased and not self._gate_open())):
            self._idle.set()
        else:
            self._idle.clear()

    async def _dispatch_loop(self) -> None:
        assert self._wake is not None
        while True:
            self._wake.clear()
            if not self._gate_open():
                self._waiting = True
                self._update_idle()
                await self._wake.wait()
                continue
            self._waiting = False
            if len(self._running) >= 4 * self._limiter.user_limit:
                await self._wake.wait()  # plenty of items are waiting out a retry already
                continue
            await self._limiter.acquire()
            if not self._gate_open():
                self._limiter.release()
                continue
            try:
                claim = await self._next_claim()
            except Exception as exc:
                self._limiter.release()
                if self._store_failed(exc):
                    continue
                log.exception("could not read the upload queue")
                await asyncio.sleep(1)
                continue
            if claim is None:
                self._limiter.release()
                if self._wake.is_set():
                    continue  # something happened while we looked: look again before calling it idle
                self._waiting = True
                self._update_idle()
                await self._wake.wait()
                continue
            self._waiting = False
            self._update_idle()
            item = claim.item
            running = _Running(item, has_slot=True, claim=claim)
            self._running[item.id] = running
            task = asyncio.create_task(self._run(running), name=f"upload-item-{item.id}")
            running.task = task
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _next_claim(self) -> _Claim | None:
        """The next item to work on, already claimed in the store.

        Items are claimed a few at a time (one trip to the writer thread for
        several files). A claimed item that never started is harmless after a
        crash: it is recovered like any interrupted one, checked before sending.
        """
        if not self._leased:
            await self._claim_more()
        return self._leased.popleft() if self._leased else None

    def _lease_size(self) -> int:
        return min(32, max(2, 2 * self._limiter.user_limit))

    async def _claim_more(self) -> None:
        async with self._lease_lock:
            if len(self._leased) >= self._lease_size() // 2 or not self._gate_open():
                return
            busy = list(self._running) + [c.item.id for c in self._leased]
            claiming = asyncio.ensure_future(self.store.write(
                _claim_next, self._lease_size() - len(self._leased), self._scope, busy, self.dedup))
            try:
                claims = await asyncio.shield(claiming)
            except asyncio.CancelledError:
                # The claims are made in the store whatever happens here: keep them, so they are released.
                # A claim that failed (a full disk) made none, and must not turn the cancel into that error:
                # the dispatcher would log it, loop, and never stop.
                with contextlib.suppress(Exception):
                    self._leased.extend(await claiming)
                raise
            self._leased.extend(claims)
        if claims and not self._gate_open():
            await self._release_leases()

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

    # -- one item --------------------------------------------------------------

    def _state_event(self, item: q.Item, state: str, message: str | None = None,
                     photo_id: int | None = None) -> None:
        if self._subscribers:
            self._emit(ev.ItemStateChanged(item.id, item.batch_id, item.name, state, message, photo_id, item.path))

    async def _run(self, running: _Running) -> None:
        item = running.item
        running.started = True
        try:
            if running.intent is not None:  # paused, cancelled or stopped before it began
                await self._settle_interrupted(running)
                return
            self._move(item, q.QUEUED, q.CHECKING)
            running.state = q.CHECKING
            self._state_event(item, q.CHECKING)
            await self._process(running)
        except _Stop:
            pass
        except asyncio.CancelledError:
            await self._settle_interrupted(running)
        except Exception as exc:
            if self._store_failed(exc):
                return  # the item keeps its state in the store and is checked again on the next run
            log.exception("upload of %s failed unexpectedly", item.path)
            with contextlib.suppress(Exception):
                await self._finish(running, q.FAILED, f"Unexpected error: {_plain(exc)}")
        finally:
            if running.name_key is not None:
                self._settled(running.name_key, item.id)
            if running.has_slot:
                running.has_slot = False
                self._limiter.release()
            self._running.pop(item.id, None)
            self._poke()
            self._update_idle()

    async def _settle_interrupted(self, running: _Running) -> None:
        """Paused, cancelled or stopped mid-way: write what was asked for (the upload may have landed)."""
        if running.concluding is not None:
            # The outcome was already on its way to the store: let it land and report it.
            future, on_commit = running.concluding
            running.concluding = None
            with contextlib.suppress(Exception):
                await future
                on_commit()
                return
        intent = running.intent or q.QUEUED
        item = running.item
        verify = item.verify or running.may_have_landed
        message = {q.CANCELLED: "Cancelled.", q.PAUSED: "Paused."}.get(intent)
        if intent in (q.QUEUED, q.PAUSED) and running.sent > 0 and not verify:
            message = STARTS_OVER

        if await self.store.write(q.settle_interrupted, item.id, intent, verify, message):
            self._move(item, running.state, intent)
            running.state = intent
            self._state_event(item, intent, message)
            if intent in q.FINISHED:
                await self._check_batch_finished(item.batch_id)

    async def _process(self, running: _Running) -> None:
        while True:
            try:
                await self._attempt(running)
                return
            except ApiError as exc:
                if running.intent is not None:
                    await self._settle_interrupted(running)  # paused or cancelled while its answer was awaited
                    return
                if not await self._after_error(running, exc):
                    return

    async def _after_error(self, running: _Running, exc: ApiError) -> bool:
        """Turn an API error into a retry (True), a failure, or a queue-wide stop."""
        if isinstance(exc, TransientError):
            await self._after_transient(running, exc)
            return True
        if isinstance(exc, PlanLimitError):
            await self._requeue(running, None)
            self._stop_queue(f"Your ShootProof plan is full: {_plain(exc)}")
        elif isinstance(exc, AuthenticationError):
            await self._requeue(running, None)
            self._sign_in_needed(exc)
        elif isinstance(exc, ConfigurationError):
            # About the settings, not the photo: every other photo would fail the same way.
            await self._requeue(running, None)
            self._stop_queue(_plain(exc))
        elif isinstance(exc, NotFoundError):
            if running.item.rel_album_path and not running.refreshed_albums:
                # An album we remembered was deleted on the server: look again, once.
                running.refreshed_albums = True
                await self._forget_albums(running.item.event_id)
                return True
            await self._finish(running, q.FAILED,
                               f"The gallery or album it was going to no longer exists ({_plain(exc)}).")
        elif isinstance(exc, BadResponseError):
            await self._after_transient(running, TransientError(
                _plain(exc), method=exc.method, http_status=exc.http_status, maybe_applied=running.may_have_landed))
            return True
        elif exc.method in (None, "sp.photo.upload") and self._refusals.add(
                (type(exc).__name__, str(exc.code), exc.msg), running.item.id) >= REFUSALS_TO_STOP:
            # Kept after the stop: items still in flight, and the first after a resume,
            # that get the same answer go back to the queue instead of failing.
            await self._requeue(running, None)
            self._stop_queue(f"ShootProof refused {REFUSALS_TO_STOP} photos in a row with the same answer, "
                             f"so the others would be refused too: {exc.msg}")
        elif isinstance(exc, ValidationError):
            await self._finish(running, q.FAILED, f"ShootProof refused this photo: {_plain(exc)}")
        else:
            await self._finish(running, q.FAILED, _plain(exc))
        return False

    async def _attempt(self, running: _Running) -> None:
        item = running.item
        claim, running.claim = running.claim, None
        # The claim (one trip to the writer thread) brought the file's size and
        # modification time, and any ledger hit, with it.
        facts = claim.facts if claim is not None else await asyncio.to_thread(_file_facts, item.path)
        if isinstance(facts, str):
            await self._finish(running, q.FAILED, facts)
            raise _Stop
        if facts != (item.size, item.mtime_ns):
            await self._finish(running, q.FAILED, CHANGED_SINCE_QUEUED)
            raise _Stop
        # The album is resolved (created if need be) before any check, so that the
        # checks and the upload are about one and the same target.
        final, _ = await self._album_for(item, create=True)
        key = running.name_key = (item.event_id, final or 0, nfc(item.name))
        waited = False
        while True:
            async with self._name_lock(key):
                if self.dedup:
                    entry = claim.ledger if claim is not None else None
                    if entry is None or entry.album_id != (final or 0):
                        entry = await self.store.read(ledger_lookup, item.path, item.size, item.mtime_ns,
                                                      item.event_id, final)
                    if entry is not None:
                        await self._finish(running, q.DUPLICATE, _ledger_reason(entry), photo_id=entry.photo_id)
                        return
                if item.verify:
                    landed = await self._verify_landed(running, final)
                    self._settled(key, item.id)
                    if landed:
                        return
                    await self.store.write(q.clear_verify, item.id)
                    running.item = item = _replace(item, verify=False)
                # Without dedup it would be sent all the same, and then two landings of one name in
                # one target, neither known, could not be told apart: wait for the other's look.
                blocked = not self.dedup and self._blocked(key, item.id)
                if not blocked:
                    if self._uncertain.get(key) or waited:
                        # Another item's upload of this name may have landed here without our
                        # knowing: look on the server before deciding, or it would go twice.
                        await self._refresh_names(item.event_id, final)
                    if self.dedup:
                        reason = await self._duplicate_reason(item, final, ledger=False)
                        if reason is not None:
                            await self._finish(running, q.DUPLICATE, reason,
                                               photo_id=self._known_photo_id(item, final))
                            return
                    if item.prior_photo_ids is None or waited:
                        # After a wait the other's photo may be there: it is not this item's (whose
                        # earlier attempts, if any, did not land: it is not flagged to verify).
                        names = await self._remote_names(item.event_id, final)
                        prior = tuple(names.get(nfc(item.name), ()))
                        await self.store.write(q.set_prior_photo_ids, item.id, prior)
                        running.item = item = _replace(item, prior_photo_ids=prior)
                    await self._send(running, final)
                    return
            await self._wait_settled(running, key)
            waited = True

    async def _verify_landed(self, running: _Running, final: int | None) -> bool:
        """An earlier attempt may have reached the gallery: did it? If so, record it (with its photo id).

        It landed if the target now holds a photo of this name that was not there
        before the item was first sent. An item without that list was never sent
        (it is written before the first send; a run killed between its claim and
        its send leaves such items): nothing of it can have landed, and a photo of
        its name is another's (with dedup on, the check that follows makes the
        item a duplicate of it, never "uploaded" as it).
        """
        item = running.item
        if item.prior_photo_ids is None:
            self._crash_leftovers.pop(item.id, None)
            return False
        landed = await self._landed_ids(item, final)
        saved = self._crash_leftovers.pop(item.id, None)
        if not landed and saved is not None:
            wait = saved + self.timing.landing_grace - time.time()
            if wait > 0:
                log.info("%s was being sent when the last run was killed; looking again in %.0f s before "
                         "sending it again", item.name, wait)
                await asyncio.sleep(wait)
                landed = await self._landed_ids(item, final)
        if not landed:
            return False
        await self._record_uploaded(running, final, landed[0], "An earlier attempt had already reached the gallery.",
                                    content_hash=running.content_hash)
        return True

    async def _landed_ids(self, item: q.Item, final: int | None) -> list[int]:
        """Photos of the item's name in its target that were not there before it was first sent, nor another's."""
        if not await self.client.event_photo_exists(item.event_id, photo_name=item.name, album_id=final):
            return []  # not even in the event (or the album): certainly not landed
        fresh = await self._refresh_names(item.event_id, final)
        before = set(item.prior_photo_ids or ())
        new = [pid for pid in fresh.get(nfc(item.name), ())
               if pid not in before and self._photo_owner.get(pid, item.id) == item.id]
        if new:  # recorded for another item by an earlier run: that one's, not this one's
            taken = await self.store.read(q.photos_of_others, new, item.id)
            new = [pid for pid in new if pid not in taken]
        return new

    async def _refresh_names(self, event_id: int, final: int | None) -> dict[str, list[int]]:
        fresh = await self._list_names(event_id, final)
        target = self._targets.get((event_id, final or 0))
        if target is not None and target.names is not None:
            target.names = fresh
        return fresh

    def _maybe_landed(self, running: _Running, verify: bool) -> None:
        """Note that this item's name in its target is uncertain until it has looked (see ``_uncertain``)."""
        if verify and running.name_key is not None:
            self._uncertain.setdefault(running.name_key, set()).add(running.item.id)

    def _settled(self, key: tuple, item_id: int) -> None:
        holders = self._uncertain.get(key)
        if holders is not None:
            holders.discard(item_id)
            if not holders:
                del self._uncertain[key]
                settled = self._settle_events.pop(key, None)
                if settled is not None:
                    settled.set()

    def _blocked(self, key: tuple, item_id: int) -> bool:
        return bool(self._uncertain.get(key, set()) - {item_id})

    async def _wait_settled(self, running: _Running, key: tuple) -> None:
        """Until no other item's landing of this name here is uncertain; without a slot, which the other needs."""
        if running.has_slot:
            running.has_slot = False
            self._limiter.release()
        while self._blocked(key, running.item.id):
            await self._settle_events.setdefault(key, asyncio.Event()).wait()
        while not self._gate_open():
            await asyncio.sleep(0.2)
        await self._limiter.acquire()
        running.has_slot = True

    def _known_photo_id(self, item: q.Item, final: int | None) -> int | None:
        target = self._targets.get((item.event_id, final or 0))
        ids = target.names.get(nfc(item.name)) if target is not None and target.names else None
        return ids[0] if ids else None

    async def _send(self, running: _Running, final: int | None) -> None:
        item = running.item
        # The store hears "uploading" with the first progress save (at most 0.5 s
        # later; a small photo goes from "checking" straight to "done"): a crash
        # in between finds the item "checking", recovered just as carefully.
        self._move(item, running.state, q.UPLOADING)
        running.state = q.UPLOADING
        self._state_event(item, q.UPLOADING)
        prepared = await self._resized(running)
        on_progress = (lambda sent: self._on_progress(running, sent)) if prepared is None else (
            # Counted in the original's bytes, so the totals (queued as originals) add up.
            lambda sent: self._on_progress(running, sent * item.size // max(1, prepared.size)))
        try:
            handle = open(item.path if prepared is None else prepared.path, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            if prepared is not None:
                prepared.cleanup()
            await self._finish(running, q.FAILED, _sentence(f"cannot be read: {(exc.strerror or str(exc)).lower()}"))
            raise _Stop from None
        try:
            st = os.fstat(handle.fileno())
            if prepared is None and (st.st_size, st.st_mtime_ns) != (item.size, item.mtime_ns):
                await self._finish(running, q.FAILED, CHANGED_SINCE_QUEUED)
                raise _Stop
            running.sent = 0
            running.sending = True
            try:
                result = await self.client.photo_upload(
                    item.event_id, handle, album_id=final, watermark_id=self.watermark_id,
                    file_name=item.name, on_progress=on_progress,
                )
            except ApiError as exc:
                running.content_hash = getattr(exc, "content_hash", None) or running.content_hash
                if prepared is not None and running.content_hash is not None:
                    running.content_hash = prepared.source_sha256
                raise
            except Exception:
                # A file rewritten while it is read breaks the request it is streamed
                # into (more bytes than its declared length): that is the file changing.
                if prepared is None and await asyncio.to_thread(_file_facts, item.path) != (item.size, item.mtime_ns):
                    await self._finish(running, q.FAILED, CHANGED_SINCE_QUEUED)
                    raise _Stop from None
                raise
            finally:
                running.sending = False
        except BadResponseError as exc:
            raise TransientError(_plain(exc), maybe_applied=True, method=exc.method,
                                 http_status=exc.http_status) from None
        except OSError as exc:
            await self._finish(running, q.FAILED, _sentence(f"cannot be read: {(exc.strerror or str(exc)).lower()}"))
            raise _Stop from None
        finally:
            handle.close()
            if prepared is not None:
                prepared.cleanup()
        if prepared is not None:
            result = dataclasses.replace(result, content_hash=prepared.source_sha256)
        self._limiter.succeeded()
        if running.has_slot:  # the slot is for talking to the server; the next file can go now
            running.has_slot = False
            self._limiter.release()
        await self._record_uploaded(running, final, result.photo_id, None, content_hash=result.content_hash)
        self._plan_seen(ev.PlanUsage(result.photos_used, result.photos_allowed))

    async def _resized(self, running: _Running) -> Any:
        """The smaller copy to send in place of the original (a ``resize.Prepared``), or None: send the original.

        Made in the resize pool; the ledger keeps the original's identity and hash (see :mod:`shaping`).
        """
        from studio_desktop.uploads import resize

        item = running.item
        shape = self._shapes.get(item.batch_id)
        if shape is None:
            batch = await self.store.read(q.get_batch, item.batch_id)
            shape = self._shapes[item.batch_id] = UploadShape.from_options(batch.options if batch else None)
        spec = shape.spec_for(item.size)
        if spec is None:
            return None
        job = self._resize_pool().submit(resize.prepare, item.path, spec, expected=(item.size, item.mtime_ns),
                                         max_bytes=MAX_UPLOAD_BYTES, temp_dir=_resize_dir())
        try:
            prepared = await asyncio.wrap_future(job)
        except asyncio.CancelledError:
            # Paused or cancelled mid-resize: the worker still finishes its copy; delete it then.
            job.add_done_callback(lambda done: done.cancelled() or done.exception() or done.result().cleanup())
            raise
        except resize.FileChanged:
            await self._finish(running, q.FAILED, CHANGED_SINCE_QUEUED)
            raise _Stop from None
        except resize.CannotResize as exc:
            await self._finish(running, q.FAILED, _sentence(str(exc)))
            raise _Stop from None
        except OSError as exc:
            await self._finish(running, q.FAILED, _sentence(f"cannot be read: {(exc.strerror or str(exc)).lower()}"))
            raise _Stop from None
        return prepared if prepared.resized else None

    def _plan_seen(self, usage: ev.PlanUsage) -> None:
        # Answers to concurrent uploads arrive out of order: an older, lower count is not news.
        old = self.plan
        if (old is not None and old.photos_allowed == usage.photos_allowed and usage.photos_used is not None
                and old.photos_used is not None and usage.photos_used < old.photos_used):
            return
        self.plan = usage
        self._emit(usage)

    def _on_progress(self, running: _Running, sent: int) -> None:
        delta = sent - running.sent
        running.sent = sent
        if delta > 0:
            self._meter.add(delta)
        now = time.monotonic()
        if self._subscribers and (now - running.last_event >= self.timing.progress_event_interval
                                  or sent >= running.item.size):
            running.last_event = now
            self._emit(ev.ItemProgress(running.item.id, sent, running.item.size))

    async def _conclude(self, running: _Running, state: str, write: Callable[..., Any], *args: Any,
                        message: str | None = None, photo_id: int | None = None) -> None:
        """Write an item's outcome (batched with others), and only once it is committed, tell everyone."""
        item = running.item

        def committed() -> None:
            _log_outcome(item, state, message, photo_id)
            self._move(item, running.state, state)
            running.state = state
            self._state_event(item, state, message, photo_id)

        future = self._writes.write(write, *args)
        running.concluding = (future, committed)
        await asyncio.shield(future)
        running.concluding = None
        committed()
        await self._check_batch_finished(item.batch_id)

    async def _record_uploaded(self, running: _Running, final: int | None, photo_id: int | None,
                               message: str | None, *, content_hash: str | None = None) -> None:
        item = running.item
        self._refusals.clear()
        target = self._targets.get((item.event_id, final or 0))
        if photo_id is not None:
            self._photo_owner.setdefault(photo_id, item.id)
        if target is not None and target.names is not None and photo_id is not None:
            ids = target.names.setdefault(nfc(item.name), [])
            if photo_id not in ids:
                ids.append(photo_id)  # now, so a same-named file waiting for the lock sees it
        await self._conclude(running, q.DONE, _record, item, final, photo_id, message, content_hash,
                             message=message, photo_id=photo_id)

    async def _finish(self, running: _Running, state: str, message: str | None, *, photo_id: int | None = None) -> None:
        await self._conclude(running, state, _set_outcome, running.item.id, state, message, photo_id,
                             message=message, photo_id=photo_id)

    async def _requeue(self, running: _Running, message: str | None, *, attempts: int | None = None,
                       verify: bool | None = None) -> None:
        item = running.item
        verify = verify if verify is not None else (item.verify or running.may_have_landed)
        await self.store.write(lambda conn: q.set_state(conn, item.id, q.QUEUED, last_error=message,
                                                        attempts=attempts, verify=verify))
        self._move(item, running.state, q.QUEUED)
        running.state = q.QUEUED
        running.item = item = _replace(item, attempts=item.attempts if attempts is None else attempts, verify=verify)
        self._state_event(item, q.QUEUED, message)

    async def _after_transient(self, running: _Running, exc: TransientError) -> None:
        """Retry later, fail for good, or wait for the network, depending on what went wrong."""
        item = running.item
        verify = item.verify or (exc.maybe_applied and running.may_have_landed)
        if _connect_failure(exc) and not await self._probe():
            await self._requeue(running, f"Waiting for the network: {_plain(exc)}", verify=verify)
            self._network_lost(exc)
            raise _Stop
        if _overload(exc):
            before = self._limiter.current
            self._limiter.overloaded()
            if self._limiter.current != before:
                self._emit(ev.ConcurrencyChanged(self._limiter.current, self._limiter.user_limit))
        attempts = item.attempts + 1
        if attempts >= self.timing.max_attempts:
            message = f"Gave up after {attempts} attempts: {_plain(exc)}"
            await self.store.write(lambda conn: q.set_state(conn, item.id, q.FAILED, attempts=attempts,
                                                            verify=verify, last_error=message))
            self._move(item, running.state, q.FAILED)
            running.state = q.FAILED
            self._state_event(item, q.FAILED, message)
            await self._check_batch_finished(item.batch_id)
            raise _Stop
        delay = self.timing.backoff(attempts)
        if exc.retry_after is not None:
            delay = max(delay, min(exc.retry_after, self.timing.max_retry_after))
        self._maybe_landed(running, verify)  # until this task looks (or ends): see _uncertain
        await self._requeue(running, f"Retrying in {delay:.0f} s: {_plain(exc)}", attempts=attempts, verify=verify)
        if running.has_slot:
            running.has_slot = False
            self._limiter.release()
        await asyncio.sleep(delay)
        while not self._gate_open():
            await asyncio.sleep(0.2)  # only items caught mid-retry by an outage or a full plan wait here
        await self._limiter.acquire()
        running.has_slot = True
        claim = await self.store.write(_claim, item.id, self.dedup)
        if claim is None:
            raise _Stop
        running.item = fresh = claim.item
        running.claim = claim
        self._move(fresh, q.QUEUED, q.CHECKING)
        running.state = q.CHECKING
        self._state_event(fresh, q.CHECKING)

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
            self._emit(ev.NeedsSignIn(_plain(exc)))
        self._release_leases_soon()
        self._update_idle()

    async def _probe(self) -> bool:
        """Can we reach the server at all? Any HTTP answer counts; no retries, short timeout."""
        http = getattr(getattr(self.client, "transport", None), "http", None)
        url = getattr(self.client, "api_url", None)
        if not isinstance(http, httpx.AsyncClient) or not url:
            try:
                await self.client.studio_info()
            except TransientError as exc:
                return not _connect_failure(exc)
            except ApiError:
                return True
            return True
        try:
            await http.get(url, timeout=self.timing.probe_timeout)
        except httpx.HTTPError:
            return False
        return True

    def _network_lost(self, exc: BaseException) -> None:
        if self._network_down:
            return
        self._network_down = True
        message = _plain(exc)
        log.warning("the network seems to be down (%s); uploads wait and resume by themselves", message)
        self._emit(ev.NetworkDown(message))
        self._release_leases_soon()
        if self._started:  # while stopping, nothing would ever cancel a new probe
            self._prober = asyncio.create_task(self._probe_until_up(), name="upload-network-probe")

    async def _probe_until_up(self) -> None:
        delay = self.timing.probe_delay
        while True:
            await asyncio.sleep(delay)
            if await self._probe():
                break
            delay = min(delay * 2, self.timing.probe_max_delay)
        self._network_down = False
        log.info("the network is back; uploads resume")
        self._emit(ev.NetworkUp())
        self._poke()

    async def _check_batch_finished(self, batch_id: int) -> None:
        if batch_id in self._finished_batches or batch_id in self._enqueuing:
            return
        if any(r.item.batch_id == batch_id and r.state in q.PENDING for r in self._running.values()) \
                or any(c.item.batch_id == batch_id for c in self._leased):
            return  # plainly not finished: no need to ask the store
        if await self.store.read(q.batch_has_pending, batch_id) or batch_id in self._finished_batches:
            return
        counts = await self.store.read(q.counts, [batch_id])
        if batch_id in self._finished_batches:
            return
        self._finished_batches.add(batch_id)
        log.info("upload batch %d finished: %s", batch_id,
                 ", ".join(f"{c[0]} {s}" for s, c in counts.items() if c[0]) or "nothing to upload")
        self._emit(ev.BatchFinished(batch_id, {s: c[0] for s, c in counts.items() if c[0]}))

    # -- dedup -------------------------------------------------------------------

    async def _duplicate_reason(self, item: q.Item, final: int | None, *, ledger: bool = True) -> str | None:
        if ledger:
            entry = await self.store.read(ledger_lookup, item.path, item.size, item.mtime_ns, item.event_id, final)
            if entry is not None:
                return _ledger_reason(entry)
        names = await self._remote_names(item.event_id, final)
        ids = names.get(nfc(item.name))
        if not ids:
            return None
        where = "album" if final else "gallery"
        return f"Already in the {where} as photo {ids[0]}."

    async def _remote_names(self, event_id: int, album_id: int | None) -> dict[str, list[int]]:
        """The names of the photos already in the target, fetched once per engine run."""
        target = self._targets.setdefault((event_id, album_id or 0), _Target())
        if target.names is not None:
            return target.names
        async with target.lock:
            if target.names is None:
                target.names = await self._list_names(event_id, album_id)
        return target.names

    async def _list_names(self, event_id: int, album_id: int | None) -> dict[str, list[int]]:
        """Name -> photo ids of the target as the server has it now: an album's photos, or the event's root.

        The root is the photos in no album. ``sp.event.get_photos`` lists the whole
        event and says nothing of albums, so the photos of every album are taken
        out. The event is listed first: a photo uploaded into an album meanwhile is
        then in neither list, never mistaken for one at the root.
        """
        names: dict[str, list[int]] = {}
        if album_id:
            async for photo in self.client.iter_album_photos(album_id, limit=NAMES_PAGE):
                if photo.name:
                    names.setdefault(nfc(photo.name), []).append(photo.id)
            return names
        in_event = [(p.id, p.name) async for p in self.client.iter_event_photos(event_id, limit=NAMES_PAGE)]
        if not in_event:
            return names
        in_albums: set[int] = set()
        for album in (a for top in await self.client.album_get_list(event_id) for a in top.walk()):
            if album.photo_count != 0:
                in_albums.update([p.id async for p in self.client.iter_album_photos(album.id, limit=NAMES_PAGE)])
        for photo_id, name in in_event:
            if name and photo_id not in in_albums:
                names.setdefault(nfc(name), []).append(photo_id)
        return names

    def _name_lock(self, key: tuple) -> _NameLock:
        """Held while one file for this target and name is being checked and sent."""
        return _NameLock(self._name_locks, key)

    # -- albums (folder mirroring) -----------------------------------------------

    async def _album_for(self, item: q.Item, *, create: bool) -> tuple[int | None, bool]:
        """The album an item goes to, and whether it exists yet (only created when ``create``)."""
        parent = item.album_id
        if not item.rel_album_path:
            return parent, True
        names = list(item.rel_album_path)
        allowed = MAX_ALBUM_DEPTH - await self._album_depth(item.event_id, parent)
        if len(names) > allowed:
            from studio_desktop.uploads.scanner import album_path_for

            names = list(album_path_for(names, allowed))
        for name in names:
            found = await self._find_album(item.event_id, parent, name)
            if found is None:
                if not create:
                    return None, False
                found = await self._create_album(item.event_id, parent, name)
            parent = found
        return parent, True

    async def _album_depth(self, event_id: int, album_id: int | None) -> int:
        """How deep ``album_id`` sits (0: the event itself), from the album list."""
        if not album_id:
            return 0
        await self._load_albums(event_id)
        depth = 1
        by_id = self._album_parents.get(event_id, {})
        current = by_id.get(album_id, 0)
        while current:
            depth += 1
            current = by_id.get(current, 0)
            if depth > MAX_ALBUM_DEPTH:
                break
        return min(depth, MAX_ALBUM_DEPTH - 1)

    async def _find_album(self, event_id: int, parent: int | None, name: str) -> int | None:
        key = (event_id, parent or 0, nfc(name))
        if key in self._albums:
            return self._albums[key]
        found = await self.store.read(album_lookup, event_id, parent, name)
        if found is not None:
            self._albums[key] = found
            return found
        if event_id not in self._album_lists_loaded:
            await self._load_albums(event_id)
            return self._albums.get(key)
        return None

    async def _load_albums(self, event_id: int, *, force: bool = False) -> None:
        async with self._album_lock(event_id):
            if event_id in self._album_lists_loaded and not force:
                return
            await self._reload_albums(event_id)

    async def _reload_albums(self, event_id: int) -> None:
        """Read the event's albums from the server into memory and the store (the album lock is held)."""
        albums = await self.client.album_get_list(event_id)
        rows: list[AlbumRow] = []

        def walk(nodes: Iterable[Any], parent: int | None) -> None:
            for album in nodes:
                if album.name:
                    rows.append(AlbumRow(album.parent_id or parent, album.name, album.id, album.display_order))
                walk(album.sub_albums, album.id)

        walk(albums, None)
        chosen = await self.store.write(album_replace, event_id, rows)
        self._album_parents[event_id] = {row.album_id: row.parent_id or 0 for row in rows}
        for key in [k for k in self._albums if k[0] == event_id]:
            del self._albums[key]
        for (parent, name), album_id in chosen.items():
            self._albums[(event_id, parent, name)] = album_id
        self._album_lists_loaded.add(event_id)

    def _album_lock(self, event_id: int) -> asyncio.Lock:
        return self._album_locks.setdefault(event_id, asyncio.Lock())

    async def _forget_albums(self, event_id: int) -> None:
        self._album_lists_loaded.discard(event_id)
        for key in [k for k in self._albums if k[0] == event_id]:
            del self._albums[key]
        for key in [k for k in self._targets if k[0] == event_id and k[1]]:
            del self._targets[key]
        await self.store.write(album_forget, event_id)

    async def _create_album(self, event_id: int, parent: int | None, name: str) -> int:
        """Create one album, unless the server already has one of that name under that parent.

        Serialised per event. A create that failed may still have taken effect,
        so after any failure the album list is read again before anyone (this
        item's retry, or another item waiting for the lock) creates that album.
        """
        key = (event_id, parent or 0, nfc(name))
        async with self._album_lock(event_id):
            if key in self._albums:
                return self._albums[key]
            if event_id not in self._album_lists_loaded:
                await self._reload_albums(event_id)
                if key in self._albums:
                    return self._albums[key]
            try:
                album = await self.client.album_create(event_id, name, parent_id=parent)
            except Exception:
                self._album_lists_loaded.discard(event_id)
                raise
            self._albums[key] = album.id
            self._album_parents.setdefault(event_id, {})[album.id] = parent or 0
            await self.store.write(album_remember, [(event_id, parent, name, album.id)])
            self._targets[(event_id, album.id)] = _Target(names={})
            return album.id

    # -- progress saving -----------------------------------------------------------

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(self.timing.progress_save_interval)
            with contextlib.suppress(Exception):
                await self._save_progress()

    async def _save_progress(self) -> None:
        dirty = [(r.item.id, r.sent) for r in self._running.values() if r.sending and r.sent != r.saved_sent]
        if not dirty:
            return
        for r in self._running.values():
            if r.sending:
                r.saved_sent = r.sent
        await self.store.write(q.save_progress, dirty)


@dataclass(frozen=True, slots=True)
class _Claim:
    item: q.Item
    facts: tuple[int, int] | str  # (size, mtime_ns) now, or why the file cannot be read
    ledger: LedgerEntry | None


def _claim_next(conn, limit: int, scope: Sequence[int] | None, busy: Sequence[int], dedup: bool) -> list[_Claim]:
    """Claim up to ``limit`` queued items (not ``busy`` ones: those wait out a retry in this engine)."""
    claims = []
    skip = set(busy)
    for item in q.next_queued(conn, 0, limit + len(skip), scope):
        if item.id in skip:
            continue
        claim = _claim(conn, item.id, dedup, item)
        if claim is not None:
            claims.append(claim)
        if len(claims) >= limit:
            break
    return claims


def _record(conn, item: q.Item, album_id: int | None, photo_id: int | None, message: str | None,
            content_hash: str | None) -> None:
    q.record_uploaded(conn, item, album_id, photo_id, message=message, content_hash=content_hash)


def _set_outcome(conn, item_id: int, state: str, message: str | None, photo_id: int | None) -> None:
    q.set_state(conn, item_id, state, last_error=message, photo_id=photo_id,
                verify=False if state == q.DUPLICATE else None)


class _WriteBatcher:
    """Outcomes written within ``delay`` of each other go to the store as one write (one trip, one commit).

    Each still runs in its own savepoint, so one that fails takes nothing else
    with it; callers hear back only after the commit.
    """

    def __init__(self, store: Store, delay: float):
        self.store = store
        self.delay = delay
        self._pending: list[tuple[Callable[..., Any], tuple[Any, ...], asyncio.Future]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._sending: set[asyncio.Task] = set()

    def write(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._pending.append((fn, args, future))
        if self._timer is None:
            self._timer = loop.call_later(self.delay, self._flush)
        return future

    def _flush(self) -> None:
        self._timer = None
        batch, self._pending = self._pending, []
        if batch:
            task = asyncio.ensure_future(self._send(batch))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _send(self, batch: list[tuple[Callable[..., Any], tuple[Any, ...], asyncio.Future]]) -> None:
        def apply(conn) -> list[tuple[bool, Any]]:
            outcomes = []
            for fn, args, _ in batch:
                conn.execute("SAVEPOINT batched")
                try:
                    outcomes.append((True, fn(conn, *args)))
                except Exception as exc:  # handed to that caller alone
                    conn.execute("ROLLBACK TO batched")
                    outcomes.append((False, exc))
                conn.execute("RELEASE batched")
            return outcomes

        try:
            outcomes = await self.store.write(apply)
        except BaseException as exc:
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(exc if isinstance(exc, Exception) else RuntimeError(str(exc)))
            if not isinstance(exc, Exception):
                raise
            return
        for (ok, value), (_, _, future) in zip(outcomes, batch, strict=True):
            if not future.done():
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)

    async def drain(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._flush()
        while self._sending:
            await asyncio.gather(*list(self._sending), return_exceptions=True)


def _claim(conn, item_id: int, dedup: bool, item: q.Item | None = None) -> _Claim | None:
    """Take a queued item, and look at its file and the ledger while on the writer thread anyway.

    ``item``: the row as just read in this transaction (saves reading it again).
    """
    if not q.claim(conn, item_id):
        return None
    item = dataclasses.replace(item, state=q.CHECKING) if item is not None else q.get_item(conn, item_id)
    if item is None:
        return None
    ledger = None
    if dedup:
        known, album_id = mapped_album(conn, item.event_id, item.album_id, item.rel_album_path)
        if known:
            ledger = ledger_lookup(conn, item.path, item.size, item.mtime_ns, item.event_id, album_id)
    return _Claim(item, _file_facts(item.path), ledger)


def _file_facts(path: str) -> tuple[int, int] | str:
    """Just before sending: still there, still a file? (size, mtime_ns), or the reason in plain words."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "The file is no longer there (moved or deleted after it was queued)."
    except PermissionError:
        return "Cannot be read: permission denied."
    except OSError as exc:
        return _sentence(f"cannot be read: {(exc.strerror or str(exc)).lower()}")
    if not stat.S_ISREG(st.st_mode):
        return "It is no longer a regular file."
    return st.st_size, st.st_mtime_ns


def _replace(item: q.Item, **changes: Any) -> q.Item:
    return dataclasses.replace(item, **changes)


_ledger_reason = ledger_reason


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", ")")) else text + "."


def _recheck_files(conn, item_ids: Sequence[int]) -> tuple[list[int], list[q.Item], dict[int, int]]:
    """Before a retry: which failed files can be sent now (changed ones taken as they are now)?

    Returns the usable ids, the items still refused (with today's reason), and the
    sizes the usable ones had before (for the totals).
    """
    usable: list[int] = []
    still_bad: list[q.Item] = []
    old_sizes: dict[int, int] = {}
    for item_id in item_ids:
        item = q.get_item(conn, item_id)
        if item is None:
            continue
        batch = q.get_batch(conn, item.batch_id)
        oversize_ok = UploadShape.from_options(batch.options if batch else None).resize_oversize
        result = validate_jpeg(item.path, max_bytes=None if oversize_ok else MAX_UPLOAD_BYTES)
        if not result.ok:
            reason = result.reason or "not a photo ShootProof takes"
            if reason == "the file is gone":
                reason = "the file is no longer there"
            q.set_state(conn, item_id, q.FAILED, last_error=_sentence(reason))
            still_bad.append(dataclasses.replace(item, last_error=_sentence(reason)))
            continue
        if (result.size, result.mtime_ns) != (item.size, item.mtime_ns):
            q.update_file_facts(conn, item_id, result.size, result.mtime_ns)
        old_sizes[item_id] = item.size
        usable.append(item_id)
    return usable, still_bad, old_sizes


def _log_outcome(item: q.Item, state: str, message: str | None, photo_id: int | None = None) -> None:
    """Each outcome goes to the log, so Copy Diagnostics has the upload history; failures stand out as warnings.

    Uploaded, duplicate and cancelled photos are debug lines (the batch's summary counts them): a wedding of
    5,000 would otherwise push everything else out of the log's tail.
    """
    where = f"event {item.event_id}" + (f", album {item.album_id}" if item.album_id is not None else "")
    if item.rel_album_path:
        where += " › " + " › ".join(item.rel_album_path)
    if state == q.FAILED:
        log.warning("upload failed: %s (batch %d, %s): %s", item.name, item.batch_id, where, message)
    elif state == q.SKIPPED:
        log.info("upload skipped, not a photo: %s (batch %d): %s", item.name, item.batch_id, message)
    elif state == q.FILTERED:
        log.debug("upload left out: %s (batch %d): %s", item.name, item.batch_id, message)
    elif state == q.DUPLICATE:
        log.debug("upload skipped as a duplicate: %s (batch %d, %s): %s", item.name, item.batch_id, where, message)
    elif state == q.DONE:
        log.debug("uploaded %s (batch %d, %s) as photo %s", item.name, item.batch_id, where, photo_id)
    elif state == q.CANCELLED:
        log.debug("upload cancelled: %s (batch %d)", item.name, item.batch_id)


def _scan(paths: list[str], mirror_folders: bool, root: str | None = None,
          shape: UploadShape | None = None) -> Iterable[q.NewItem | FilteredFile]:
    """The scanner's findings as rows to add (refused files carry the scanner's reason).

    With a ``shape``, photos over the size limit are taken when they may be resized,
    and the picks filter leaves photos out (:class:`FilteredFile`).

    ``root`` (hot folders): the given paths lie below it, and with mirroring the
    folders between ``root`` and each file are the album path.
    """
    if shape is None or not shape.active:
        return _scan_files(paths, mirror_folders, root, None)
    return shape.sift(_scan_files(paths, mirror_folders, root, shape if shape.resize_oversize else None))


def _scan_files(paths: list[str], mirror_folders: bool, root: str | None,
                shape: UploadShape | None) -> Iterator[q.NewItem]:
    from studio_desktop.uploads import scanner

    for given in paths:
        prefix: tuple[str, ...] = ()
        if root is not None and mirror_folders:
            try:
                relative = Path(os.path.abspath(given)).relative_to(os.path.abspath(root))
            except ValueError:
                relative = None
            if relative is not None:
                prefix = relative.parts if os.path.isdir(given) else relative.parts[:-1]
        unfolded = mirror_folders and bool(prefix)
        found = scanner.iter_scan([given], mirror_folders=mirror_folders,
                                  max_album_depth=10_000 if unfolded else MAX_ALBUM_DEPTH)
        for entry in found:
            if isinstance(entry, scanner.Rejected):
                path = os.path.abspath(os.fspath(entry.path))
                name = scanner.upload_name(Path(path).name)
                taken = None
                if shape is not None:
                    rel = rejected_rel(path, given, mirror_folders, 10_000 if unfolded else MAX_ALBUM_DEPTH)
                    if unfolded:
                        rel = scanner.album_path_for((*prefix, *rel), MAX_ALBUM_DEPTH)
                    taken = shape.accept_oversize(path, name, rel)
                yield taken or q.NewItem(path=path, name=name, error=_sentence(entry.reason),
                                                 not_a_photo=entry.not_a_photo)
            elif isinstance(entry, scanner.ScanItem):
                rel = tuple(entry.rel_album_path or ())
                if unfolded:
                    rel = scanner.album_path_for((*prefix, *rel), MAX_ALBUM_DEPTH)
                yield q.NewItem(
                    path=os.path.abspath(os.fspath(entry.path)), name=entry.name, size=entry.size,
                    mtime_ns=entry.mtime_ns, rel_album_path=rel,
                )


def _resize_dir() -> Path:
    from studio_desktop.core import paths

    return paths.current().cache_dir / "resized"
