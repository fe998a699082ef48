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

:class:`WatchLedger` is the watcher's side of the ledger: these judgements, the
rows that follow a file moved away, and whether a photo with a file's name in
the gallery is the same photo (sent from here with the same bytes) or another.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from studio_desktop.uploads.records.ledger import (
    LedgerEntry,
    ledger_by_photo,
    ledger_by_size,
    ledger_for_paths,
    ledger_record,
)

if TYPE_CHECKING:
    from studio_desktop.core.store import Store

Signature = tuple[int, int]  # (size, mtime_ns)

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


def judge(
    entries: list[LedgerEntry], content_hash: str | None, moved_away: bool, now: float, grace: float = REWRITE_GRACE
) -> Judgement:
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


class WatchLedger:
    """A watcher's reads and writes of the upload ledger: one event, one target, one folder.

    ``store`` may be None (an engine without one, in some tests): nothing is known then.
    ``album_id`` None with ``mirror_folders`` means every target in the event.
    """

    def __init__(
        self,
        store: Store | None,
        event_id: int,
        album_id: int | None,
        mirror_folders: bool,
        rewrite_grace: float = REWRITE_GRACE,
    ):
        self.store = store
        self.event_id = event_id
        self.scope = None if mirror_folders else (album_id or 0)
        self.rewrite_grace = rewrite_grace

    async def entries(self, paths: list[Path]) -> dict[Path, list[LedgerEntry]]:
        """The rows of these paths in the watched target(s), newest first."""
        if self.store is None or not paths:
            return {}
        found = await self.store.read(ledger_for_paths, [str(p) for p in paths], self.event_id, self.scope)
        return {Path(path): entries for path, entries in found.items()}

    async def signatures(self, files: list[tuple[Path, Signature]]) -> dict[Path, set[Signature]]:
        entries = await self.entries([p for p, _ in files])
        return {path: {(e.size, e.mtime_ns) for e in found} for path, found in entries.items()}

    async def judge(self, path: Path, entries: list[LedgerEntry]) -> Judgement | None:
        """A known path with a version the ledger has not seen; None when it cannot be read now."""
        content_hash = await asyncio.to_thread(file_sha256, path)
        if content_hash is None:
            return None
        latest = entries[0]
        moved_away = False
        if latest.photo_id is not None and not any(e.content_hash == content_hash for e in entries):
            moved_away = was_moved_away(latest, await self._by_photo(latest.photo_id))
        return judge(entries, content_hash, moved_away, time.time(), self.rewrite_grace)

    async def copy(
        self, entry: LedgerEntry, path: Path, signature: Signature | None = None, content_hash: str | None = None
    ) -> None:
        """Record the upload ``entry`` for another path or file version too.

        The copy keeps the upload's time: it says when the photo was sent, so a
        later edit is not taken for the writer finishing (see REWRITE_GRACE).
        """
        if self.store is None:
            return
        size, mtime_ns = signature or (entry.size, entry.mtime_ns)
        await self.store.write(
            ledger_record,
            str(path),
            size,
            mtime_ns,
            entry.event_id,
            entry.album_id,
            entry.photo_id,
            entry.name or path.name,
            content_hash or entry.content_hash,
            uploaded_at=entry.uploaded_at,
        )

    async def moved_here(self, path: Path, signature: Signature) -> LedgerEntry | None:
        """The upload of this very file under another path it has since left (renamed or moved within the
        folder, perhaps while no watcher ran), recorded for ``path`` too; None if there is none.

        The same size and bytes (the time may differ: touched, perhaps before any watcher saw
        it), and the old path no longer holding a file of that size (else this is a copy: another
        photo the user means to upload, in another album).
        """
        if self.store is None:
            return None
        candidates = [
            e
            for e in await self.store.read(ledger_by_size, self.event_id, self.scope, signature[0])
            if e.path != str(path) and e.photo_id is not None and e.content_hash and _size_at(e.path) != signature[0]
        ]
        if not candidates:
            return None
        content_hash = await asyncio.to_thread(file_sha256, path)
        entry = next((e for e in candidates if e.content_hash == content_hash), None)
        if entry is not None:
            await self.copy(entry, path, signature, content_hash)
        return entry

    async def follow(self, path: Path, signature: Signature, moved_to: Path) -> None:
        """The ledger follows a file moved away (after upload, or with its folder), so that a new file at
        the old path is not taken for this one changed (a new card, a camera counter that rolled over)."""
        found = await self.entries([path])
        entry = next((e for e in found.get(path, []) if (e.size, e.mtime_ns) == signature), None)
        if entry is None:
            return
        content_hash = entry.content_hash or await asyncio.to_thread(file_sha256, moved_to)
        for where in [moved_to] if entry.content_hash else [path, moved_to]:  # the original gains a hash
            await self.copy(entry, where, content_hash=content_hash)

    async def record_replaced(
        self, path: Path, signature: Signature, entry: LedgerEntry, content_hash: str | None
    ) -> None:
        """``path`` at ``signature`` replaced the photo of ``entry`` in the gallery (a new upload time)."""
        if self.store is not None:
            await self.store.write(
                ledger_record,
                str(path),
                *signature,
                self.event_id,
                entry.album_id,
                entry.photo_id,
                path.name,
                content_hash,
            )

    async def same_name(self, path: Path, photo_id: int | None) -> str:
        """The photo ``photo_id`` has ``path``'s name in the target: ``"same"`` photo (the bytes this
        ledger sent as it), ``"different"`` (it sent other bytes as it), or ``"unknown"`` (not sent from here)."""
        content_hash = await asyncio.to_thread(file_sha256, path)
        hashes = {e.content_hash for e in await self._by_photo(photo_id) if e.content_hash} if photo_id else set()
        if content_hash is not None and content_hash in hashes:
            return "same"
        return "different" if hashes else "unknown"

    async def _by_photo(self, photo_id: int) -> list[LedgerEntry]:
        if self.store is None:
            return []
        return await self.store.read(ledger_by_photo, self.event_id, photo_id)


def _size_at(path: str) -> int | None:
    try:
        return os.stat(path).st_size
    except OSError:
        return None
