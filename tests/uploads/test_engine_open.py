"""The engine opens each file in a reader thread: a pause that lands while it opens must not leak the file."""

from __future__ import annotations

import asyncio
import threading

import pytest

from studio_desktop.uploads.engine import _attempt


def test_a_pause_while_a_file_opens_closes_it_once_open(tmp_path, monkeypatch):
    path = tmp_path / "IMG_0001.jpg"
    path.write_bytes(b"\xff\xd8 not much of a photo")
    gate = threading.Event()
    opened = []
    real = _attempt._open_and_stat

    def slow_open(name):  # a disk spinning up
        gate.wait(5)
        handle, st = real(name)
        opened.append(handle)
        return handle, st

    monkeypatch.setattr(_attempt, "_open_and_stat", slow_open)

    async def main() -> None:
        task = asyncio.create_task(_attempt._open_in_reader_thread(str(path)))
        await asyncio.sleep(0.05)
        task.cancel()
        gate.set()
        with pytest.raises(asyncio.CancelledError):
            await task
        for _ in range(200):
            if opened and opened[0].closed:
                break
            await asyncio.sleep(0.01)

    asyncio.run(main())
    assert opened and opened[0].closed


def test_an_open_that_is_not_interrupted_hands_over_the_file_and_its_stat(tmp_path):
    path = tmp_path / "IMG_0002.jpg"
    path.write_bytes(b"12345")
    handle, st = asyncio.run(_attempt._open_in_reader_thread(str(path)))
    try:
        assert not handle.closed and st.st_size == 5
    finally:
        handle.close()
