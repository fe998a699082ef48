"""Dispatch: the loop that claims queued items a few at a time and starts one task per item, within the slots."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

from studio_desktop.uploads.engine._attempt import AttemptMixin, claim_item
from studio_desktop.uploads.engine._outcomes import log
from studio_desktop.uploads.engine._state import Claim, Running
from studio_desktop.uploads.records import queue as q


class DispatchMixin(AttemptMixin):
    """The dispatcher of :class:`UploadEngine`: one item at a time from the store to :meth:`_run`."""

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
            running = Running(item, has_slot=True, claim=claim)
            self._running[item.id] = running
            task = asyncio.create_task(self._run(running), name=f"upload-item-{item.id}")
            running.task = task
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _next_claim(self) -> Claim | None:
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
            claiming = asyncio.ensure_future(
                self.store.write(claim_next, self._lease_size() - len(self._leased), self._scope, busy, self.dedup)
            )
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


def claim_next(conn: Any, limit: int, scope: Sequence[int] | None, busy: Sequence[int], dedup: bool) -> list[Claim]:
    """Claim up to ``limit`` queued items (not ``busy`` ones: those wait out a retry in this engine)."""
    claims = []
    skip = set(busy)
    for item in q.next_queued(conn, 0, limit + len(skip), scope):
        if item.id in skip:
            continue
        claim = claim_item(conn, item.id, dedup, item)
        if claim is not None:
            claims.append(claim)
        if len(claims) >= limit:
            break
    return claims
