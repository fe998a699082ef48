"""Opening a store written by a newer app: refused in plain words, the file untouched, no connection left open."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from studio_desktop import cli
from studio_desktop.core import logging_setup
from studio_desktop.core.store import Store, StoreError, StoreTooNewError, latest_version
from studio_desktop.core.store import connection as store_connection

NEWER = latest_version() + 5


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _make_newer_store(path, *, wal: bool = False) -> None:
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE from_the_future (id INTEGER PRIMARY KEY, note TEXT)")
    conn.execute("INSERT INTO from_the_future (note) VALUES ('keep me')")
    conn.execute(f"PRAGMA user_version = {NEWER}")
    conn.commit()
    conn.close()


@pytest.fixture
def opened_connections(monkeypatch):
    """Every connection the store module opens, so a test can check that none is left open."""
    opened: list[sqlite3.Connection] = []
    real_connect = sqlite3.connect

    def connect(*args, **kwargs):
        conn = real_connect(*args, **kwargs)
        opened.append(conn)
        return conn

    monkeypatch.setattr(store_connection.sqlite3, "connect", connect)
    return opened


def _is_closed(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("SELECT 1")
    except sqlite3.ProgrammingError:
        return True
    return False


@pytest.mark.parametrize("wal", [False, True], ids=["rollback-journal", "wal"])
def test_a_newer_store_is_refused_byte_for_byte_untouched_and_closed(tmp_path, opened_connections, wal):
    folder = tmp_path / "store"
    folder.mkdir()
    path = folder / "studio.sqlite3"
    _make_newer_store(path, wal=wal)
    before = _digest(path)

    with pytest.raises(StoreTooNewError) as caught:
        Store(path)

    message = str(caught.value)
    assert f"newer version of Studio Desktop (store version {NEWER}" in message
    assert "update the app to open it" in message and "Nothing was changed." in message
    assert _digest(path) == before
    assert sorted(p.name for p in folder.iterdir()) == ["studio.sqlite3"], "no backup, no -wal or -shm file"
    assert opened_connections and all(_is_closed(conn) for conn in opened_connections)


def test_a_store_that_cannot_be_read_closes_every_connection(tmp_path, opened_connections):
    path = tmp_path / "studio.sqlite3"
    path.write_bytes(b"this is not a database, just some bytes " * 50)
    before = _digest(path)

    with pytest.raises(StoreError, match="cannot be opened"):
        Store(path, recover_damaged=False)

    assert _digest(path) == before
    assert opened_connections and all(_is_closed(conn) for conn in opened_connections)


def test_a_store_of_this_version_still_opens_in_wal_mode(tmp_path, opened_connections):
    path = tmp_path / "studio.sqlite3"
    with Store(path) as store:
        assert store.version == latest_version()
        assert store.read_sync(lambda conn: conn.execute("PRAGMA journal_mode").fetchone()[0]) == "wal"
    assert all(_is_closed(conn) for conn in opened_connections)


@pytest.mark.parametrize("command", ["upload", "watch"])
def test_headless_commands_print_the_plain_message_and_exit_non_zero(app_paths, tmp_path, capsys, command):
    _make_newer_store(app_paths.store_file)
    before = _digest(app_paths.store_file)
    photos = tmp_path / "photos"
    photos.mkdir()
    try:
        code = cli.main(
            [command, str(photos), "--event", "1", "--access-token", "not-used", "--api-url", "http://127.0.0.1:9/v2"]
        )
    finally:
        logging_setup.teardown_logging()

    err = capsys.readouterr().err
    assert code != 0
    assert f"studio-desktop {command}: This upload queue was written by a newer version of Studio Desktop" in err
    assert "Nothing was changed." in err
    assert "Traceback" not in err
    assert _digest(app_paths.store_file) == before
