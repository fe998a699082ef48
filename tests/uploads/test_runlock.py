"""The single-runner lock beside the store (flock; portalocker on Windows): alone, crash leftovers are ours."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from studio_desktop.uploads.runlock import EngineLock

REPO = Path(__file__).resolve().parents[2]

HOLDER = """
import sys, time
sys.path.insert(0, sys.argv[2])
from studio_desktop.uploads.runlock import EngineLock
lock = EngineLock(sys.argv[1])
print(lock.acquire(), flush=True)
lock.share()
print("shared", flush=True)
time.sleep(600)
"""


def test_an_engine_beside_a_running_one_is_not_alone_and_a_later_lone_one_is(tmp_path):
    store = tmp_path / "studio.sqlite3"
    first = EngineLock(store)
    assert first.acquire() is True
    first.share()
    second = EngineLock(store)
    assert second.acquire() is False
    second.share()
    first.release()
    second.release()
    third = EngineLock(store)
    assert third.acquire() is True
    third.release()


def test_the_lock_of_a_killed_process_is_dropped(tmp_path):
    store = tmp_path / "studio.sqlite3"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(store), str(REPO)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "True"
        assert holder.stdout.readline().strip() == "shared"
        beside = EngineLock(store)
        assert beside.acquire() is False  # a live engine in another process
        beside.release()
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    after = EngineLock(store)
    assert after.acquire() is True  # SIGKILL dropped its lock
    after.release()


def test_the_lock_file_is_private(tmp_path):
    lock = EngineLock(tmp_path / "studio.sqlite3")
    lock.acquire()
    lock.release()
    assert lock.path.stat().st_mode & 0o077 == 0
