"""The engine stops when asked even while the store is failing (a full disk under a claim being made).

Found by the CLI's disk-full test (tests/commands/test_expected_failures.py): a
claim that failed while the dispatcher was being cancelled turned the cancel
into the store's error; the dispatcher logged it, looped and waited for work
for ever, so `engine.stop()` (and the command) never returned.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading

from studio_desktop.uploads import events as ev
from studio_desktop.uploads.records import queue as q

from .engine_support import new_event, photos, running

HANG_GUARD = 30  # stop() takes milliseconds; the old code never returned


def test_stop_returns_when_a_claim_fails_while_the_dispatcher_is_cancelled(server, store, tmp_path, monkeypatch):

    event_id = new_event(server)
    photos(tmp_path / "shoot", 2)
    entered, fail_now = threading.Event(), threading.Event()
    real_next = q.next_queued

    def claim_on_a_full_disk(conn, *args, **kwargs):  # the claim's first read, on the writer thread
        if not entered.is_set():
            entered.set()
            fail_now.wait(HANG_GUARD)
            raise sqlite3.OperationalError("database or disk is full")
        return real_next(conn, *args, **kwargs)

    monkeypatch.setattr(q, "next_queued", claim_on_a_full_disk)

    async def main() -> bool:
        async with running(server, store) as (engine, _seen):
            enqueue = asyncio.create_task(engine.enqueue([str(tmp_path / "shoot")], event_id))
            assert await asyncio.to_thread(entered.wait, HANG_GUARD)
            stopping = asyncio.create_task(engine.stop())
            for _ in range(5):  # let stop() cancel the dispatcher, which then waits for the claim in the store
                await asyncio.sleep(0)
            fail_now.set()
            try:
                async with asyncio.timeout(HANG_GUARD):
                    await stopping
            finally:
                fail_now.set()
                await asyncio.gather(enqueue, return_exceptions=True)
            return engine._dispatcher.done()

    assert asyncio.run(main())


def test_a_disk_that_refuses_the_queueing_write_stops_the_queue_as_a_local_failure(
    server, store, tmp_path, monkeypatch, caplog
):
    """A watcher queues while the engine runs: a disk that refuses that write (a file-size limit gives
    SQLite's "disk I/O error") must stop the queue like a failed upload write does, or `watch` reports
    "could not be queued" for every new photo and never exits 3."""
    caplog.set_level(logging.ERROR, logger="studio_desktop.uploads.engine")
    event_id = new_event(server)
    photos(tmp_path / "shoot", 2)

    def refused(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(q, "create_batch", refused)

    async def main():
        async with running(server, store) as (engine, seen):
            try:
                await engine.enqueue([str(tmp_path / "shoot")], event_id)
            except sqlite3.OperationalError:
                pass
            else:
                raise AssertionError("the refused write was not raised to the caller")
            return engine.local_failure, [e for e in seen if isinstance(e, ev.QueueStopped)]

    failure, stops = asyncio.run(main())
    assert isinstance(failure, sqlite3.OperationalError)
    assert len(stops) == 1 and "disk" in stops[0].reason.lower()
