"""The engine opens each file in a reader thread: a pause that lands while it opens must not leak the file."""

from __future__ import annotations

import asyncio
import threading

import pytest

from studio_desktop.uploads.engine import _attempt


def test_a_pause_while_a_file_opens_closes_it_once_open(tmp_path, monkeypatch):
    path = tmp_path / "IMG_0001.jpg"
    path.write_bytes(b"\xff\xd8 not much of a photo")
    monkeypatch.setattr(_attempt, "WHOLE_FILE_BYTES", 4)  # too big to be read whole: it stays open
    gate = threading.Event()
    opened = []
    real = _attempt._open_and_stat

    def slow_open(name):  # a disk spinning up
        gate.wait(5)
        handle, st, whole = real(name)
        opened.append(handle)
        return handle, st, whole

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


def test_an_open_that_is_not_interrupted_hands_over_the_file_and_its_stat(tmp_path, monkeypatch):
    path = tmp_path / "IMG_0002.jpg"
    path.write_bytes(b"12345")
    monkeypatch.setattr(_attempt, "WHOLE_FILE_BYTES", 4)
    handle, st, whole = asyncio.run(_attempt._open_in_reader_thread(str(path)))
    try:
        assert handle is not None and not handle.closed and st.st_size == 5 and whole is None
    finally:
        if handle is not None:
            handle.close()


def test_a_small_file_comes_back_read_whole_and_closed_in_the_same_trip(tmp_path):
    path = tmp_path / "IMG_0003.jpg"
    path.write_bytes(b"\xff\xd8 small")
    handle, st, whole = asyncio.run(_attempt._open_in_reader_thread(str(path)))
    assert handle is None and whole == path.read_bytes() and st.st_size == len(whole)


def test_a_small_file_that_grows_after_its_stat_is_read_with_the_extra_byte(tmp_path, monkeypatch):
    """The read asks one byte past the stat, so the engine sees the file changed (it compares the lengths)."""
    path = tmp_path / "IMG_0004.jpg"
    path.write_bytes(b"12345")
    real_fstat = _attempt.os.fstat

    def fstat_then_grow(fd):
        st = real_fstat(fd)
        with path.open("ab") as more:
            more.write(b"678")
        return st

    monkeypatch.setattr(_attempt.os, "fstat", fstat_then_grow)
    _, st, whole = asyncio.run(_attempt._open_in_reader_thread(str(path)))
    assert st.st_size == 5 and whole == b"123456"
