"""The store's tables as each schema version created or changed them (SQL only; applied by :mod:`.migrations`).

A shipped version's statements never change: a later change is a new version.
"""

from __future__ import annotations

from collections.abc import Sequence

UPLOAD_STATES_V1 = ("queued", "checking", "uploading", "done", "duplicate", "failed", "cancelled", "paused")
#: "skipped": a file the scan found is not a photo ShootProof takes; finished, never retried (version 5).
UPLOAD_STATES_V5 = (*UPLOAD_STATES_V1, "skipped")
#: "filtered": a photo the picks filter left out (its reason in last_error); finished, never retried (version 6).
UPLOAD_STATES = (*UPLOAD_STATES_V5, "filtered")


def state_check(states: Sequence[str]) -> str:
    return f"CHECK (state IN ({', '.join(repr(s) for s in states)}))"


UPLOADS_V1 = (
    """
    CREATE TABLE upload_batch (
        id INTEGER PRIMARY KEY,
        created REAL NOT NULL,
        event_id INTEGER NOT NULL,
        album_id INTEGER,
        options TEXT NOT NULL DEFAULT '{}',
        label TEXT
    )
    """,
    # album_id is the batch's target album (NULL: the event itself); with folder
    # mirroring, rel_album_path (a JSON list of names) leads from there to the
    # album the photo really goes to. verify=1 means an earlier attempt may have
    # reached the server, so photo_exists is asked before sending again.
    f"""
    CREATE TABLE upload_item (
        id INTEGER PRIMARY KEY,
        batch_id INTEGER NOT NULL REFERENCES upload_batch(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        name TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        event_id INTEGER NOT NULL,
        album_id INTEGER,
        rel_album_path TEXT NOT NULL DEFAULT '[]',
        state TEXT NOT NULL DEFAULT 'queued' {state_check(UPLOAD_STATES_V1)},
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        photo_id INTEGER,
        bytes_sent INTEGER NOT NULL DEFAULT 0,
        updated REAL NOT NULL,
        verify INTEGER NOT NULL DEFAULT 0
    )
    """,
    "CREATE INDEX upload_item_by_state ON upload_item(state, id)",
    # Not (batch_id, state): every state change would then rewrite two indexes.
    "CREATE INDEX upload_item_by_batch ON upload_item(batch_id)",
    "CREATE INDEX upload_item_by_path ON upload_item(path)",
    # album_id 0 stands for "the event itself": NULLs never collide in a UNIQUE constraint.
    """
    CREATE TABLE upload_ledger (
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        event_id INTEGER NOT NULL,
        album_id INTEGER NOT NULL DEFAULT 0,
        photo_id INTEGER,
        uploaded_at REAL NOT NULL,
        UNIQUE (path, size, mtime_ns, event_id, album_id)
    )
    """,
    # parent_id 0: an album at the top of the event.
    """
    CREATE TABLE album_map (
        event_id INTEGER NOT NULL,
        parent_id INTEGER NOT NULL DEFAULT 0,
        name TEXT NOT NULL,
        album_id INTEGER NOT NULL,
        PRIMARY KEY (event_id, parent_id, name)
    )
    """,
)

# Saved hot folders (studio_desktop/uploads/hotfolders/store.py). ``after`` is
# "leave" or "move:<folder>"; booleans are 0/1.
HOT_FOLDERS_V2 = (
    """
    CREATE TABLE hot_folder (
        id INTEGER PRIMARY KEY,
        folder TEXT NOT NULL UNIQUE,
        event_id INTEGER NOT NULL,
        album_id INTEGER,
        mirror_folders INTEGER NOT NULL DEFAULT 0,
        after TEXT NOT NULL DEFAULT 'leave',
        settle REAL NOT NULL DEFAULT 1.0,
        polling INTEGER NOT NULL DEFAULT 0,
        replace_changed INTEGER NOT NULL DEFAULT 0,
        enabled INTEGER NOT NULL DEFAULT 1,
        created REAL NOT NULL
    )
    """,
)

# ShootProof contacts the app has met (studio_desktop/people/cache.py): the
# API cannot list contacts, so the contacts panel shows these. ``account`` keeps
# two studios (or the sandbox and the real one) apart; ``data`` is the contact as
# the API returns it (JSON).
CONTACT_CACHE_V3 = (
    """
    CREATE TABLE contact_cache (
        account TEXT NOT NULL,
        contact_id INTEGER NOT NULL,
        brand_id INTEGER,
        email TEXT COLLATE NOCASE,
        sort_name TEXT NOT NULL COLLATE NOCASE,
        data TEXT NOT NULL,
        source TEXT NOT NULL,
        updated REAL NOT NULL,
        PRIMARY KEY (account, contact_id)
    )
    """,
    "CREATE INDEX contact_cache_by_email ON contact_cache(account, email)",
)

# The ledger learns what was sent: the sha256 of the bytes as they went out and
# the photo name as sent (NFC). Rows from before stay valid with NULLs. An item
# remembers, in prior_photo_ids (a JSON list, NULL until its first send), the
# ids of photos with its name already in its target before it was first sent:
# with --no-dedup an older version must never count as the new one landing.
LEDGER_HASH_V4 = (
    "ALTER TABLE upload_ledger ADD COLUMN content_hash TEXT",
    "ALTER TABLE upload_ledger ADD COLUMN name TEXT",
    "CREATE INDEX upload_ledger_by_hash ON upload_ledger(event_id, content_hash)",
    "ALTER TABLE upload_item ADD COLUMN prior_photo_ids TEXT",
)

# A hot folder's picks filter and resizing (shaping.UploadShape.to_options(), JSON); '{}' is none.
HOT_FOLDER_SHAPE_V7 = ("ALTER TABLE hot_folder ADD COLUMN options TEXT NOT NULL DEFAULT '{}'",)

UPLOAD_ITEM_INDEXES = (
    "CREATE INDEX upload_item_by_state ON upload_item(state, id)",
    "CREATE INDEX upload_item_by_batch ON upload_item(batch_id)",
    "CREATE INDEX upload_item_by_path ON upload_item(path)",
)
