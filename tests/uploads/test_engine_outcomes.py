"""What the engine says about outcomes: each refused file listed once per target, counts per batch, and the log."""

from __future__ import annotations

import asyncio
import logging

from imagegen import make_jpeg, make_png, make_text_file, make_truncated_jpeg

from studio_desktop.uploads import events as ev
from studio_desktop.uploads.records import queue as q

from .engine_support import items_of, new_event, running


def _bad_folder(folder):
    make_jpeg(folder / "good.jpg")
    make_truncated_jpeg(folder / "cut_1.jpg")
    make_truncated_jpeg(folder / "cut_2.jpg")
    make_text_file(folder / "notes.txt")
    make_png(folder / "logo.png")
    return folder


def test_the_same_bad_files_dropped_twice_are_listed_and_counted_once_per_batch(server, store, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.engine")  # "upload failed: cut_*.jpg"
    event_id = new_event(server)
    shoot = _bad_folder(tmp_path / "shoot")

    async def main():
        async with running(server, store) as (engine, seen):
            first = await engine.enqueue([shoot], event_id)
            await engine.wait_idle()
            second = await engine.enqueue([shoot], event_id)
            await engine.wait_idle()
            return first, second, seen, engine.snapshot()

    first, second, seen, snapshot = asyncio.run(main())
    finished = {e.batch_id: e.counts for e in seen if isinstance(e, ev.BatchFinished)}
    assert finished[first] == {q.DONE: 1, q.FAILED: 2, q.SKIPPED: 2}
    assert finished[second] == {q.DUPLICATE: 1, q.FAILED: 2, q.SKIPPED: 2}
    # The queue as a whole: each refused file once, in the latest batch.
    assert snapshot.files[q.FAILED] == 2 and snapshot.files[q.SKIPPED] == 2
    refused = [i for i in items_of(store) if i.state in (q.FAILED, q.SKIPPED)]
    assert sorted(i.name for i in refused) == ["cut_1.jpg", "cut_2.jpg", "logo.png", "notes.txt"]
    assert {i.batch_id for i in refused} == {second}


def test_outcomes_are_written_to_the_log(server, store, tmp_path, caplog, fail_on_unexpected_logs):
    event_id = new_event(server)
    shoot = _bad_folder(tmp_path / "shoot")

    async def main():
        async with running(server, store) as (engine, _seen):
            batch = await engine.enqueue([shoot], event_id)
            await engine.wait_idle()
            return batch

    with caplog.at_level(logging.INFO, logger="studio_desktop.uploads.engine"):
        batch = asyncio.run(main())
    lines = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "studio_desktop.uploads.engine"]
    text = "\n".join(message for _level, message in lines)
    assert f"upload batch {batch}: 1 path(s) for event {event_id}" in text
    failures = [message for level, message in lines if level == logging.WARNING]
    assert len(failures) == 2
    assert all(m.startswith("upload failed: cut_") and "cut short" in m for m in failures), failures
    # Captured at INFO, so not declared at their own level: the two warnings this test is about, and no other.
    assert sorted(r.getMessage() for r in fail_on_unexpected_logs.take()) == sorted(failures)
    assert f"upload skipped, not a photo: notes.txt (batch {batch})" in text
    assert f"upload skipped, not a photo: logo.png (batch {batch})" in text
    assert f"upload batch {batch} finished: 1 done, 2 failed, 2 skipped" in text
