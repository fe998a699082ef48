"""Pause, resume, cancel and retry: many items' states changed in one write, and the items in flight told."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from typing import Any

from studio_desktop.api.limits import MAX_UPLOAD_BYTES
from studio_desktop.uploads.engine._outcomes import log_outcome, sentence
from studio_desktop.uploads.engine._state import EngineState, Running
from studio_desktop.uploads.images import ValidationResult, validate_jpeg
from studio_desktop.uploads.records import queue as q
from studio_desktop.uploads.shaping import UploadShape


class ControlsMixin(EngineState):
    """The controls of :class:`UploadEngine` (the queue as the user steers it)."""

    def pause(self, item_ids: Sequence[int] | None = None) -> asyncio.Future[list[int]]:
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
        return self._counting_interrupted(self._bulk(q.PAUSED, (q.QUEUED,), ids, release=True), interrupted, q.PAUSED)

    def resume(self, item_ids: Sequence[int] | None = None) -> asyncio.Future[list[int]]:
        """Resume everything (also after a full plan or signing in again), or some paused items."""
        if item_ids is None:
            self._paused = False
            self._stopped_reason = None
            self._needs_sign_in = False
            self._idle_clear()
        return self._bulk(q.QUEUED, (q.PAUSED,), item_ids)

    def cancel(self, item_ids: Sequence[int] | None = None) -> asyncio.Future[list[int]]:
        """Cancel items (``None``: everything not finished in this engine's scope).

        The result lists every item cancelled, those that were being sent included.
        """
        interrupted = [r for r in self._running.values() if item_ids is None or r.item.id in item_ids]
        for running in interrupted:
            self._interrupt(running, q.CANCELLED)
        return self._counting_interrupted(
            self._bulk(q.CANCELLED, (q.QUEUED, q.PAUSED), item_ids, release=True), interrupted, q.CANCELLED
        )

    def _counting_interrupted(
        self, bulk: asyncio.Future[list[int]], interrupted: list[Running], intent: str
    ) -> asyncio.Future[list[int]]:
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

    def retry(self, item_ids: Sequence[int] | None = None) -> asyncio.Future[list[int]]:
        """Queue failed items again (``None``: every failed one), counting attempts from zero.

        Each file is checked again first: one that is still not a photo ShootProof
        takes stays failed (with today's reason); one that changed is taken as it is now.
        """
        self._idle_clear()
        return self._bulk(q.QUEUED, (q.FAILED,), item_ids, reset_attempts=True, recheck_files=True)

    def _bulk(
        self,
        to_state: str,
        from_states: tuple[str, ...],
        item_ids: Sequence[int] | None,
        *,
        reset_attempts: bool = False,
        recheck_files: bool = False,
        release: bool = False,
    ) -> asyncio.Future[list[int]]:
        """Change many items' state in one write. ``release``: claimed items not yet started count too."""
        scope = self._scope
        released: list[int] = []
        checked: dict[int, tuple[str, ValidationResult]] = {}

        def apply(conn: Any) -> tuple[list[tuple[int, str, int, int]], list[q.Item]]:
            if released:
                q.unclaim(conn, released)
            old_sizes: dict[int, int] = {}
            if recheck_files:
                candidates = q.set_states(conn, q.FAILED, from_states, item_ids=item_ids, batch_ids=scope)
                usable, still_bad, old_sizes = recheck_failed(conn, candidates, checked)
                changes = q.change_states(conn, to_state, (q.FAILED,), item_ids=usable, reset_attempts=reset_attempts)
            else:
                changes = q.change_states(
                    conn, to_state, from_states, item_ids=item_ids, batch_ids=scope, reset_attempts=reset_attempts
                )
                still_bad = []
            return [(i, old, old_sizes.get(i, size), size) for i, old, size in changes], still_bad

        async def run() -> list[int]:
            async with self._lease_lock:  # not while the dispatcher is claiming more
                if release:
                    released.extend(self._take_leases(item_ids))
                if recheck_files:
                    # The files are read (validated) outside the write transaction, which other writes wait on.
                    failed = await self.store.read(failed_to_recheck, item_ids, scope)
                    checked.update(await asyncio.to_thread(check_files, failed))
                changes, still_bad = await self.store.write(apply)
            for _, old_state, old_size, size in changes:
                self._tally.count(old_state, -1, -old_size)
                self._tally.count(to_state, 1, size)
            moved = [change[0] for change in changes]
            for item in still_bad:
                log_outcome(item, q.FAILED, item.last_error)
                self._state_event(item, q.FAILED, item.last_error)
            batches: set[int] = set()
            # A page at a time: cancelling 100,000 items must not hold 100,000 rows in memory.
            for start in range(0, len(moved), 500):
                page = await self.store.read(q.items_by_id, moved[start : start + 500])
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


def failed_to_recheck(
    conn: Any, item_ids: Sequence[int] | None, batch_ids: Sequence[int] | None
) -> list[tuple[int, str, int | None]]:
    """The failed items a retry would take: (id, path, the size limit of their batch's shape)."""
    if item_ids is None:
        item_ids = q.ids_in_state(conn, q.FAILED, batch_ids)
    found: list[tuple[int, str, int | None]] = []
    limits: dict[int, int | None] = {}
    for start in range(0, len(item_ids), 500):
        for item in q.items_by_id(conn, item_ids[start : start + 500]):
            if item.state != q.FAILED or (batch_ids is not None and item.batch_id not in batch_ids):
                continue
            if item.batch_id not in limits:
                limits[item.batch_id] = _size_limit(conn, item.batch_id)
            found.append((item.id, item.path, limits[item.batch_id]))
    return found


def _size_limit(conn: Any, batch_id: int) -> int | None:
    batch = q.get_batch(conn, batch_id)
    return None if UploadShape.from_options(batch.options if batch else None).resize_oversize else MAX_UPLOAD_BYTES


def check_files(failed: list[tuple[int, str, int | None]]) -> dict[int, tuple[str, ValidationResult]]:
    """Validate each file (blocking: in a worker thread, outside any transaction)."""
    return {item_id: (path, validate_jpeg(path, max_bytes=limit)) for item_id, path, limit in failed}


def recheck_failed(
    conn: Any, item_ids: Sequence[int], checked: dict[int, tuple[str, ValidationResult]] | None = None
) -> tuple[list[int], list[q.Item], dict[int, int]]:
    """Before a retry: which failed files can be sent now (changed ones taken as they are now)?

    ``checked``: the files validated before the transaction began (by item id, with the path
    validated); an item failed since then is validated here.
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
        known = (checked or {}).get(item_id)
        if known is not None and known[0] == item.path:
            result = known[1]
        else:
            result = validate_jpeg(item.path, max_bytes=_size_limit(conn, item.batch_id))
        if not result.ok:
            reason = result.reason or "not a photo ShootProof takes"
            if reason == "the file is gone":
                reason = "the file is no longer there"
            q.set_state(conn, item_id, q.FAILED, last_error=sentence(reason))
            still_bad.append(dataclasses.replace(item, last_error=sentence(reason)))
            continue
        if (result.size, result.mtime_ns) != (item.size, item.mtime_ns):
            assert result.size is not None and result.mtime_ns is not None  # an ok result has both
            q.update_file_facts(conn, item_id, result.size, result.mtime_ns)
        old_sizes[item_id] = item.size
        usable.append(item_id)
    return usable, still_bad, old_sizes
