"""UploadEngine: its lifetime (start, stop, idle), settings, numbers and progress saving.

The parts it is built from: :mod:`._state` (fields, leases, queue-wide stops),
:mod:`._controls`, :mod:`._enqueue`, :mod:`._dispatch` and :mod:`._attempt`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from studio_desktop.uploads import events as ev
from studio_desktop.uploads.concurrency import clamp_concurrency
from studio_desktop.uploads.engine._controls import ControlsMixin
from studio_desktop.uploads.engine._dispatch import DispatchMixin
from studio_desktop.uploads.engine._enqueue import EnqueueMixin
from studio_desktop.uploads.engine._outcomes import log
from studio_desktop.uploads.engine._snapshot import Snapshot
from studio_desktop.uploads.engine.protocols import transport_of
from studio_desktop.uploads.progress import eta_seconds
from studio_desktop.uploads.ratelimit import kbps_to_bytes, throttle_uploads
from studio_desktop.uploads.records import queue as q


class UploadEngine(ControlsMixin, EnqueueMixin, DispatchMixin):
    """Uploads queued files; see the package docstring. Start with ``await engine.start()``.

    ``client``: a ShootProof client, or anything with the calls of
    :class:`~studio_desktop.uploads.engine.protocols.UploadClient`.
    ``batches``: work only on these batches (plus those this engine enqueues),
    as the terminal command does; ``None`` (the GUI) works on the whole queue.
    """

    # -- observers -----------------------------------------------------------

    def subscribe(self, callback: Callable[[ev.Event], None]) -> Callable[[], None]:
        """Call ``callback(event)`` for every event (on the loop's thread); returns an unsubscribe function."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._subscribers.remove(callback)

        return unsubscribe

    async def list_names(self, event_id: int, album_id: int | None) -> dict[str, list[int]]:
        """Name -> photo ids in a target (an album, or the event's root) as the server has it now."""
        return await self._names.list_names(event_id, album_id)

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
                log.info(
                    "%d upload(s) were interrupted last time; each is checked before it is sent again", len(recovered)
                )
            await asyncio.to_thread(self._lock.share)
        await self._recount()
        transport = transport_of(self.client)
        if transport is not None:
            self._undo_throttle = throttle_uploads(transport, self._bucket)
        else:
            log.warning("cannot apply the bandwidth limit: the client has no transport")
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
        for task in (self._dispatcher, self._prober, self._second_look):
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
        if self._second_look is not None:  # a check after sending that a settling item started
            self._second_look.cancel()
        await self._all_settled()
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

    # -- numbers -------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        # Sent bytes of uploads still to be recorded count as gone out (so the total never steps back).
        sent = sum(r.sent for r in self._running.values() if r.state == q.UPLOADING)
        files = self._tally.files()
        sizes = self._tally.sizes()
        rate = self._meter.rate()
        remaining = sizes[q.QUEUED] + sizes[q.CHECKING] + sizes[q.UPLOADING] - sent
        return Snapshot(
            files=files,
            bytes=sizes,
            bytes_sent=sent,
            rate=rate,
            eta=eta_seconds(remaining, rate),
            in_flight=len(self._running),
            concurrency=self._limiter.current,
            user_concurrency=self._limiter.user_limit,
            paused=self._paused,
            stopped_reason=self._stopped_reason,
            needs_sign_in=self._needs_sign_in,
            network_down=self._network_down,
        )

    async def _recount(self) -> None:
        counts = await self.store.read(q.counts, self._scope)
        self._tally.reset(counts)

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
