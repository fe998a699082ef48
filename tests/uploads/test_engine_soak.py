"""Fault soak: 500 photos while the sandbox fails a fifth of all requests; every photo lands exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter

from imagegen import make_jpeg

from studio_desktop.uploads.engine import EngineTiming
from studio_desktop.uploads.records import queue as q

from .engine_support import items_of, new_event, running

COUNT = 500


def test_every_photo_lands_exactly_once_through_a_storm_of_faults(server, store, tmp_path):
    event_id = new_event(server)
    shoot = tmp_path / "shoot"
    for i in range(COUNT):
        make_jpeg(shoot / f"IMG_{i:04d}.jpg", size=(8 + i % 13, 8))
    server.faults.configure(
        rate=0.2, statuses=(500, 502, 503, 429), reset_share=0.3, after_share=0.5, retry_after=0, seed=20240611
    )
    timing = EngineTiming(max_attempts=12, base_delay=0.002, max_delay=0.01, grow_after=4)

    async def main():
        async with running(server, store, concurrency=6, timing=timing) as (engine, _):
            batch = await engine.enqueue([shoot], event_id)
            await engine.wait_idle()
            return batch

    batch = asyncio.run(main())
    injected = server.faults.counts
    server.faults.clear()
    items = items_of(store, batch_ids=[batch])
    assert Counter(i.state for i in items) == {q.DONE: COUNT}, [i.last_error for i in items if i.state != q.DONE]
    names = Counter(p.name for p in server.studio.photos(event_id))
    assert len(names) == COUNT and set(names.values()) == {1}, "every photo once, none twice"
    assert names.keys() == {i.name for i in items}
    # The storm really happened, including answers lost after the server had stored the photo.
    assert sum(injected.values()) > COUNT * 0.15
    assert injected.get("500/after", 0) + injected.get("reset/after", 0) > 10
    assert injected.get("429/before", 0) > 10
    by_id = {p.id: p.name for p in server.studio.photos(event_id)}
    assert all(by_id[i.photo_id] == i.name for i in items if i.photo_id is not None)
