"""Opening the store: the file, its privacy, WAL mode, damage, migrating on open, and the reader and writer threads.

See the package's docstring (:mod:`studio_desktop.core.store`) for the whole picture.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from studio_desktop.core import paths
from studio_desktop.core.local_failures import is_damage
from studio_desktop.core.store.migrations import MIGRATIONS, Migration, check_order, latest_version

log = logging.getLogger(__name__)

T = TypeVar("T")

BUSY_TIMEOUT_MS = 15_000


class StoreError(Exception):
    """The local store cannot be used; the message says why in plain words."""


class StoreTooNewError(StoreError):
    """The store was written by a newer version of the app."""


_COMPANIONS = ("", "-wal", "-shm")


def make_private(path: Path) -> None:
    """0600 for the store and its companion files (POSIX only; Windows keeps per-user ACLs)."""
    if os.name != "posix":
        return
    for suffix in _COMPANIONS:
        companion = Path(str(path) + suffix)
        with contextlib.suppress(FileNotFoundError):
            if companion.stat().st_mode & 0o077:
                os.chmod(companion, 0o600)


def _create_private(path: Path) -> None:
    """Create the store file 0600 before SQLite does (SQLite gives its WAL and SHM the file's own mode)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    except FileExistsError:
        return
    os.close(fd)


def set_aside_damaged(path: Path | str | None = None) -> Path:
    """Move a damaged store (and its WAL and SHM) aside, kept for recovery; the next open starts a new one."""
    path = Path(path) if path is not None else paths.current().store_file
    aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    for suffix in _COMPANIONS:
        source = Path(str(path) + suffix)
        if source.exists():
            os.replace(source, Path(str(aside) + suffix))
    log.warning("the local store %s was damaged; kept it as %s for recovery", path, aside)
    return aside


def _backup_path(path: Path, old_version: int) -> Path:
    target = path.with_name(f"{path.name}.bak-v{old_version}")
    if target.exists():
        target = path.with_name(f"{path.name}.bak-v{old_version}-{time.strftime('%Y%m%d-%H%M%S')}")
    return target


class Store:
    """The open store. Create one per process and share it; :meth:`close` when done."""

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        migrations: Sequence[Migration] | None = None,
        recover_damaged: bool = True,
    ):
        self.path = Path(path) if path is not None else paths.current().store_file
        self._migrations = list(MIGRATIONS if migrations is None else migrations)
        check_order(self._migrations)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._closed = False
        #: Where a damaged store found on opening was kept (a new one is in use), else None.
        self.damaged_copy: Path | None = None
        self.damage_detail = ""
        _create_private(self.path)
        make_private(self.path)
        try:
            self.version = self._open(recover_damaged)
        except BaseException:
            self._close_connections()
            raise
        self._pending: deque[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any], Future[Any]]] = deque()
        self._pending_lock = threading.Lock()
        self._draining = False
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-writer")
        self._readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="store-reader")

    # -- connections -------------------------------------------------------

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (made on first use). Autocommit: open transactions explicitly."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self._closed:
                raise StoreError("the local store is closed")
            conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
            )
            try:
                conn.row_factory = sqlite3.Row
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute("PRAGMA synchronous = NORMAL")
            except BaseException:
                conn.close()
                raise
            self._local.conn = conn
            with self._connections_lock:
                self._connections.append(conn)
        return conn

    @contextlib.contextmanager
    def transaction(self, conn: sqlite3.Connection | None = None) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error) on this thread's connection."""
        conn = conn or self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    # -- running work --------------------------------------------------------

    def _submit_write(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Future[T]:
        future: Future[T] = Future()
        with self._pending_lock:
            if self._closed:
                raise StoreError("the local store is closed")
            self._pending.append((fn, args, kwargs, future))
            start = not self._draining
            self._draining = True
        if start:
            self._writer.submit(self._drain_writes)
        return future

    def _drain_writes(self) -> None:
        """Group commit: run every write waiting now in one transaction, each in its own savepoint.

        A write that raises is rolled back alone; the others still commit. No
        caller hears its result before the COMMIT is done, so "recorded" means
        on disk (as far as SQLite's WAL is concerned).
        """
        self._local.is_writer = True
        conn = self.connection()
        while True:
            with self._pending_lock:
                batch = list(self._pending)
                self._pending.clear()
                if not batch:
                    self._draining = False
                    return
            outcomes: list[tuple[Future[Any], bool, Any]] = []
            try:
                conn.execute("BEGIN IMMEDIATE")
                for fn, args, kwargs, future in batch:
                    if not future.set_running_or_notify_cancel():
                        continue
                    conn.execute("SAVEPOINT one_write")
                    try:
                        result = fn(conn, *args, **kwargs)
                    except BaseException as exc:  # handed to the caller, who decides
                        conn.execute("ROLLBACK TO one_write")
                        conn.execute("RELEASE one_write")
                        outcomes.append((future, False, exc))
                    else:
                        conn.execute("RELEASE one_write")
                        outcomes.append((future, True, result))
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                for *_, future in batch:
                    if not future.done():
                        with contextlib.suppress(Exception):
                            future.set_exception(exc)
                continue
            for future, ok, value in outcomes:
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)

    def _run_read(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
        return fn(self.connection(), *args, **kwargs)

    async def write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(conn, *args, **kwargs)`` in a transaction on the writer thread.

        Writes queued at the same moment share one transaction (each in its own
        savepoint), which keeps many small writes cheap.
        """
        import asyncio  # not at the top: a terminal run that needs no loop never loads it

        return await asyncio.wrap_future(self._submit_write(fn, args, kwargs))

    async def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(conn, *args, **kwargs)`` on a reader thread (sees everything committed so far)."""
        import asyncio  # not at the top: a terminal run that needs no loop never loads it

        return await asyncio.wrap_future(self._readers.submit(self._run_read, fn, args, kwargs))

    def write_sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Like :meth:`write`, for plain threads and sync code: queue on the writer thread and wait."""
        if getattr(self._local, "is_writer", False):
            conn = self.connection()
            if conn.in_transaction:
                return fn(conn, *args, **kwargs)
            with self.transaction(conn):
                return fn(conn, *args, **kwargs)
        return self._submit_write(fn, args, kwargs).result()

    def read_sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(conn, *args, **kwargs)`` on the calling thread's own connection."""
        return self._run_read(fn, args, kwargs)

    # -- schema --------------------------------------------------------------

    def _open(self, recover_damaged: bool) -> int:
        """Check the version, then migrate; a damaged file is moved aside (if allowed) and a new one started."""
        try:
            return self._migrate()
        except sqlite3.DatabaseError as exc:
            self._close_connections()
            if not recover_damaged or not is_damage(exc):
                raise StoreError(f"The local store {self.path} cannot be opened: {exc}") from exc
            self.damaged_copy = set_aside_damaged(self.path)
            self.damage_detail = str(exc)
            _create_private(self.path)
            return self._migrate()

    def _stored_version(self) -> int:
        """``PRAGMA user_version`` read over a plain connection that changes nothing (no WAL switch, no pragmas)."""
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()

    def _refuse_if_too_new(self, current: int, latest: int) -> None:
        if current > latest:
            raise StoreTooNewError(
                f"This upload queue was written by a newer version of Studio Desktop (store version {current}; "
                f"this version reads up to {latest}); update the app to open it, or use a different --data-dir. "
                f"Nothing was changed. (The file is {self.path}.)"
            )

    def _migrate(self) -> int:
        latest = latest_version(self._migrations)
        # Checked before WAL mode is switched on: that rewrites the file's header, and a store
        # from a newer app must be left exactly as it was.
        self._refuse_if_too_new(self._stored_version(), latest)
        conn = self.connection()
        _switch_to_wal(conn)
        current = int(conn.execute("PRAGMA user_version").fetchone()[0])
        self._refuse_if_too_new(current, latest)  # a newer app may have migrated it in between
        if current == latest:
            return current
        if current > 0:
            backup = _backup_path(self.path, current)
            _create_private(backup)
            target = sqlite3.connect(backup)
            try:
                conn.backup(target)
            finally:
                target.close()
            log.info("backed up the local store (version %d) to %s before migrating", current, backup)
        for migration in self._migrations[current:]:
            with self.transaction(conn):
                # Another process may have opened the same fresh store at the same moment and migrated first.
                if conn.execute("PRAGMA user_version").fetchone()[0] >= migration.version:
                    continue
                migration.apply(conn)
                conn.execute(f"PRAGMA user_version = {int(migration.version)}")
            log.info("local store migrated to version %d: %s", migration.version, migration.description)
        return latest

    # -- lifetime ------------------------------------------------------------

    def close(self) -> None:
        """Finish queued work, then close every connection. Safe to call twice."""
        with self._pending_lock:
            if self._closed:
                return
            self._closed = True
        self._writer.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        self._close_connections()

    def _close_connections(self) -> None:
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        self._local = threading.local()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r}, version={getattr(self, 'version', None)})"


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    """``journal_mode = WAL``, waiting out another process doing the same.

    The switch needs an exclusive lock and SQLite may answer "database is locked"
    at once, without calling the busy handler, while a second process opening the
    same fresh store switches it too: try again until the busy timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def open_store(path: Path | str | None = None) -> Store:
    """The store at ``path`` (default: the app's), migrated to the current schema."""
    return Store(path)


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """The row ID an INSERT just made (``lastrowid`` is typed optional for other statements)."""
    row_id = cursor.lastrowid
    if row_id is None:
        raise RuntimeError("the statement inserted no row")
    return row_id
