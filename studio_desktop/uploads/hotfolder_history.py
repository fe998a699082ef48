"""What the upload ledger says about a file that turned up again in a hot folder.

A path the ledger knows, with a size or mtime it does not know, is one of:

- **touched**: the same bytes as an upload of that path (a backup tool, ``touch``,
  a copy that kept the content): nothing to send, ever;
- **new**: the file that was uploaded from that path was moved away by the
  after-upload action (the ledger holds a copy of that upload at another path),
  so what is there now is another photo that happens to reuse the name (a new
  card, a camera counter that rolled over). It must never replace the first one;
- **rewritten**: changed again within :data:`REWRITE_GRACE` of its upload: the
  writer was not done (tethering software reopens a file to add EXIF/XMP or a
  trailer), so the gallery's copy is replaced by the finished file;
- **changed**: changed later: an edit, reported (and replaced only when asked).

Bytes are compared by sha256: the engine records the hash of the bytes it sent.
Ledger rows from before hashes were kept cannot tell "touched" from "changed".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from studio_desktop.uploads.queue import LedgerEntry

#: A file changed again this soon after its upload replaces that upload by itself.
#: Writers that close and reopen a file (EXIF/XMP, a trailer) do so within a second
#: or two; 10 s covers a slow disk or a busy machine, while an edit made on purpose
#: (a retouch, a re-export) takes longer and is only reported.
REWRITE_GRACE = 10.0

_HASH_CHUNK = 1024 * 1024


def file_sha256(path: Path) -> str | None:
    """The sha256 hex of the file's bytes; None when it cannot be read (gone, locked)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as reader:
            while chunk := reader.read(_HASH_CHUNK):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


@dataclass(frozen=True)
class Judgement:
    kind: str  # touched | new | rewritten | changed
    entry: LedgerEntry | None  # the upload it is judged against (None for "new")
    content_hash: str | None


def judge(entries: list[LedgerEntry], content_hash: str | None, moved_away: bool, now: float,
          grace: float = REWRITE_GRACE) -> Judgement:
    """``entries``: the ledger rows of this path (newest first); ``moved_away``: the newest one's file left."""
    latest = entries[0]
    if content_hash is not None:
        for entry in entries:
            if entry.content_hash == content_hash:
                return Judgement("touched", entry, content_hash)
    if moved_away:
        return Judgement("new", None, content_hash)
    if latest.photo_id is not None and 0 <= now - latest.uploaded_at <= grace:
        return Judgement("rewritten", latest, content_hash)
    return Judgement("changed", latest, content_hash)


def was_moved_away(entry: LedgerEntry, copies: list[LedgerEntry]) -> bool:
    """Does the ledger hold this upload at another path, recorded since (where the after-action put it)?"""
    return any(
        copy.path != entry.path and copy.photo_id == entry.photo_id and copy.uploaded_at >= entry.uploaded_at
        for copy in copies
    )
