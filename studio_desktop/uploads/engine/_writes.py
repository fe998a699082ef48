"""Store write batching: outcomes written close together share one trip to the writer thread and one commit."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from typing import Any

from studio_desktop.core.store import Store
from studio_desktop.uploads.records import queue as q


class WriteBatcher:
    """Outcomes written within ``delay`` of each other go to the store as one write (one trip, one commit).

    Each still runs in its own savepoint, so one that fails takes nothing else
    with it; callers hear back only after the commit.
    """

    def __init__(self, store: Store, delay: float):
        self.store = store
        self.delay = delay
        self._pending: list[tuple[Callable[..., Any], tuple[Any, ...], asyncio.Future[Any]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._sending: set[asyncio.Task[None]] = set()

    def write(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
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

    async def _send(self, batch: list[tuple[Callable[..., Any], tuple[Any, ...], asyncio.Future[Any]]]) -> None:
        def apply(conn: sqlite3.Connection) -> list[tuple[bool, Any]]:
            outcomes: list[tuple[bool, Any]] = []
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


def record(
    conn: Any, item: q.Item, album_id: int | None, photo_id: int | None, message: str | None, content_hash: str | None
) -> None:
    q.record_uploaded(conn, item, album_id, photo_id, message=message, content_hash=content_hash)


def set_outcome(conn: Any, item_id: int, state: str, message: str | None, photo_id: int | None) -> None:
    q.set_state(
        conn, item_id, state, last_error=message, photo_id=photo_id, verify=False if state == q.DUPLICATE else None
    )
