"""The local SQLite store: the upload queue, the upload ledger, the album map, and whatever later features keep.

One file (``paths.current().store_file``) in WAL mode, so readers never wait for
the writer and a killed process loses nothing it had committed.

**Schema versions.** ``PRAGMA user_version`` is the schema version. Every change
is a :class:`Migration` in :data:`MIGRATIONS`, in order, numbered 1, 2, 3...
To add tables for a new feature, append one::

    MIGRATIONS.append(Migration(2, "hot folders", (
        "CREATE TABLE hot_folder (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, ...)",
    )))

(or pass a function ``apply(conn)`` instead of statements). Never edit a
migration that has shipped; add another. Each migration runs in its own
transaction together with the version bump, so a crash leaves the store at the
old version or the new one. The version is read again inside each migration's
``BEGIN IMMEDIATE``, so two processes opening a fresh store at the same moment
take turns instead of creating the same tables twice. Before migrating a store that already holds data,
it is copied to ``studio.sqlite3.bak-v<old version>``. A store written by a
newer version of the app refuses to open (:class:`StoreTooNewError`) rather than
being misread, and is left byte for byte as it was.

**Damage.** A store that SQLite calls damaged ("database disk image is
malformed") is never deleted: it is moved aside as ``studio.sqlite3.damaged-<time>``
for recovery and a new one started; :attr:`Store.damaged_copy` says so, and the
CLI and the window tell the user. A damaged page found mid-run is set aside the
same way by :func:`set_aside_damaged`.

**Privacy.** The store holds file paths and the contacts cache: on POSIX it (and
its WAL, shared-memory and backup files) is 0600 in a 0700 folder, and existing
files are put right on open.

**Threads.** SQLite calls block, so they stay off the event loop. Writes go to
one dedicated writer thread (SQLite serialises writers anyway; one thread means
no "database is locked" between our own writers); reads go to a small pool.
Every thread has its own connection. From async code use :meth:`Store.write` /
:meth:`Store.read`; from worker threads use :meth:`Store.write_sync` (it hands
the work to the writer thread and waits).

**Modules.** :mod:`.schema` holds the SQL of each version, :mod:`.migrations`
the ladder, :mod:`.connection` the :class:`Store` itself.
"""

from studio_desktop.core.store.connection import (
    Store,
    StoreError,
    StoreTooNewError,
    inserted_id,
    open_store,
    set_aside_damaged,
)
from studio_desktop.core.store.migrations import MIGRATIONS, Migration, latest_version
from studio_desktop.core.store.schema import UPLOAD_STATES

__all__ = [
    "MIGRATIONS",
    "UPLOAD_STATES",
    "Migration",
    "Store",
    "StoreError",
    "StoreTooNewError",
    "inserted_id",
    "latest_version",
    "open_store",
    "set_aside_damaged",
]
