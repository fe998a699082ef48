"""The sentences for failures of this computer: each kind is recognised, whatever layer raised it."""

from __future__ import annotations

import errno
import sqlite3

import pytest

from studio_desktop.core import local_failures
from studio_desktop.core.store import Store, StoreError


def sqlite_error(path, statement: str) -> sqlite3.Error:
    with pytest.raises(sqlite3.Error) as caught:
        conn = sqlite3.connect(path)
        try:
            conn.executescript(statement)
        finally:
            conn.close()
    return caught.value


def test_a_real_full_database_is_worded_as_a_full_disk(tmp_path):
    full = sqlite_error(
        tmp_path / "full.sqlite3",
        """
        PRAGMA page_size = 1024; CREATE TABLE t (x); PRAGMA max_page_count = 3;
        INSERT INTO t VALUES (randomblob(10000));""",
    )
    assert "full" in str(full)
    message = local_failures.describe(full)
    assert message.startswith("The disk is full or refused a write") and "free some space" in message


def test_no_space_and_permission_errors_from_the_os():
    full = OSError(errno.ENOSPC, "No space left on device", "/data/studio.sqlite3")
    assert "The disk is full" in local_failures.describe(full) and "/data/studio.sqlite3" in local_failures.describe(
        full
    )
    denied = PermissionError(errno.EACCES, "Permission denied", "/data/logs/studio-desktop.log")
    text = local_failures.describe(denied)
    assert "may not write to /data/logs/studio-desktop.log" in text and "--data-dir" in text
    assert local_failures.describe(OSError(errno.EROFS, "Read-only file system", "/mnt")).startswith(
        "Studio Desktop may not write to /mnt"
    )


def test_a_damaged_file_is_recognised_inside_a_store_error(tmp_path):
    path = tmp_path / "studio.sqlite3"
    path.write_bytes(b"not sqlite at all " * 100)
    with pytest.raises(StoreError) as caught:
        Store(path, recover_damaged=False)
    inner = caught.value
    assert local_failures.is_damage(inner.__cause__)
    assert "was damaged" in local_failures.describe(inner)


def test_the_cause_is_found_behind_other_exceptions():
    try:
        try:
            raise sqlite3.OperationalError("database or disk is full")
        except sqlite3.Error as exc:
            raise RuntimeError("the writer thread stopped") from exc
    except RuntimeError as wrapped:
        assert isinstance(local_failures.unwrap(wrapped), sqlite3.OperationalError)


def test_other_errors_are_not_taken_for_local_failures():
    assert local_failures.describe(ValueError("a bug")) is None
    assert local_failures.unwrap(ValueError("a bug")).args == ("a bug",)
