"""Dedup against the gallery: each target's photo names (fetched once), the per-name locks, and uncertain landings.

A target is an album, or the event's root (the photos in no album). Its names
are listed (pages of :data:`NAMES_PAGE`) when first needed, and again before a
check once the listing is older than ``max_age`` (:attr:`EngineTiming.names_max_age`),
so another computer's uploads into the same target are seen within that time;
what this engine uploaded is kept across a re-list. A look on the server
refreshes them too.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from studio_desktop.core.store import Store
from studio_desktop.uploads.engine.protocols import UploadClient
from studio_desktop.uploads.records import queue as q
from studio_desktop.uploads.records.ledger import ledger_lookup, ledger_reason, nfc

NAMES_PAGE = 1000

#: (event id, target album id or 0 for the root, NFC name)
NameKey = tuple[int, int, str]


class NameLock:
    """One asyncio.Lock per key, made on first use and dropped when nobody holds or waits for it."""

    __slots__ = ("_entry", "_key", "_locks")

    def __init__(self, locks: dict[NameKey, list[Any]], key: NameKey):
        self._locks = locks
        self._key = key
        self._entry: list[Any] | None = None

    async def __aenter__(self) -> None:
        entry = self._locks.get(self._key)
        if entry is None:
            entry = self._locks[self._key] = [asyncio.Lock(), 0]
        entry[1] += 1
        self._entry = entry
        try:
            await entry[0].acquire()
        except BaseException:
            self._drop()
            raise

    async def __aexit__(self, *exc: object) -> None:
        assert self._entry is not None
        self._entry[0].release()
        self._drop()

    def _drop(self) -> None:
        assert self._entry is not None
        self._entry[1] -= 1
        if self._entry[1] == 0 and self._locks.get(self._key) is self._entry:
            del self._locks[self._key]


@dataclass
class _Target:
    names: dict[str, list[int]] | None = None  # NFC name -> ids of the photos of that name, in server order
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    listed_at: float = 0.0  # time.monotonic() when ``names`` was listed
    # NFC name -> ids of the photos this engine recorded there: kept across a re-list (a listing
    # that began before the upload was committed would leave it out)
    ours: dict[str, list[int]] = field(default_factory=dict)

    # ids that a re-list found new, not this engine's when seen: another computer may be uploading here
    appeared: set[int] = field(default_factory=set)

    def take(self, fresh: dict[str, list[int]], listed_at: float) -> dict[str, list[int]]:
        if self.names is not None:
            before = {pid for ids in self.names.values() for pid in ids}
            ours = {pid for ids in self.ours.values() for pid in ids}
            self.appeared.update(pid for ids in fresh.values() for pid in ids if pid not in before and pid not in ours)
        for name, ids in self.ours.items():
            have = fresh.setdefault(name, [])
            have.extend(pid for pid in ids if pid not in have)
        self.names = fresh
        self.listed_at = listed_at
        return fresh


class RemoteNames:
    """The names already in each target, as the server listed them and as this engine added to them."""

    def __init__(self, client: UploadClient, store: Store, max_age: float = float("inf")):
        self.client = client
        self.store = store
        self.max_age = max_age  # seconds a listing is trusted for a check (see EngineTiming.names_max_age)
        self._targets: dict[tuple[int, int], _Target] = {}
        self._name_locks: dict[NameKey, list[Any]] = {}  # key -> [lock, users]

    async def duplicate_reason(self, item: q.Item, final: int | None, *, ledger: bool = True) -> str | None:
        if ledger:
            entry = await self.store.read(ledger_lookup, item.path, item.size, item.mtime_ns, item.event_id, final)
            if entry is not None:
                return ledger_reason(entry)
        names = await self.remote_names(item.event_id, final)
        ids = names.get(nfc(item.name))
        if not ids:
            return None
        where = "album" if final else "gallery"
        return f"Already in the {where} as photo {ids[0]}."

    async def remote_names(self, event_id: int, album_id: int | None) -> dict[str, list[int]]:
        """The names of the photos in the target: listed when first needed, and again once the listing is stale.

        One listing per target per ``max_age`` at most, whatever the number of files
        (never a request per file); those waiting meanwhile share it.
        """
        target = self._targets.setdefault((event_id, album_id or 0), _Target())
        if target.names is not None and not self._stale(target):
            return target.names
        async with target.lock:
            if target.names is None or self._stale(target):
                started = time.monotonic()
                target.take(await self.list_names(event_id, album_id), started)
        assert target.names is not None
        return target.names

    def _stale(self, target: _Target) -> bool:
        return time.monotonic() - target.listed_at > self.max_age

    async def list_names(self, event_id: int, album_id: int | None) -> dict[str, list[int]]:
        """Name -> photo ids of the target as the server has it now: an album's photos, or the event's root.

        The root is the photos in no album. ``sp.event.get_photos`` lists the whole
        event and says nothing of albums, so the photos of every album are taken
        out. The event is listed first: a photo uploaded into an album meanwhile is
        then in neither list, never mistaken for one at the root.
        """
        names: dict[str, list[int]] = {}
        if album_id:
            async for photo in self.client.iter_album_photos(album_id, limit=NAMES_PAGE):
                if photo.name:
                    names.setdefault(nfc(photo.name), []).append(photo.id)
            return names
        in_event = [(p.id, p.name) async for p in self.client.iter_event_photos(event_id, limit=NAMES_PAGE)]
        if not in_event:
            return names
        in_albums: set[int] = set()
        for album in (a for top in await self.client.album_get_list(event_id) for a in top.walk()):
            if album.photo_count != 0:
                in_albums.update([p.id async for p in self.client.iter_album_photos(album.id, limit=NAMES_PAGE)])
        for photo_id, name in in_event:
            if name and photo_id not in in_albums:
                names.setdefault(nfc(name), []).append(photo_id)
        return names

    async def refresh(self, event_id: int, final: int | None) -> dict[str, list[int]]:
        """The target's names as the server lists them now (this engine's own recent uploads not added)."""
        started = time.monotonic()
        fresh = await self.list_names(event_id, final)
        target = self._targets.get((event_id, final or 0))
        if target is not None and target.names is not None:
            target.take({name: list(ids) for name, ids in fresh.items()}, started)
        return fresh

    def known_photo_id(self, item: q.Item, final: int | None) -> int | None:
        target = self._targets.get((item.event_id, final or 0))
        ids = target.names.get(nfc(item.name)) if target is not None and target.names else None
        return ids[0] if ids else None

    def others_uploading(self, event_id: int, album_id: int | None) -> bool:
        """Did photos that are not this engine's appear in the target while it ran (another computer uploading)?"""
        target = self._targets.get((event_id, album_id or 0))
        if target is None:
            return False
        ours = {pid for ids in target.ours.values() for pid in ids}
        return bool(target.appeared - ours)

    def name_lock(self, key: NameKey) -> NameLock:
        """Held while one file for this target and name is being checked and sent."""
        return NameLock(self._name_locks, key)

    def note_uploaded(self, item: q.Item, final: int | None, photo_id: int) -> None:
        """Add a photo this engine recorded, now, so a same-named file waiting for the lock sees it."""
        target = self._targets.setdefault((item.event_id, final or 0), _Target())
        name = nfc(item.name)
        ours = target.ours.setdefault(name, [])
        if photo_id not in ours:
            ours.append(photo_id)
        if target.names is not None:
            ids = target.names.setdefault(name, [])
            if photo_id not in ids:
                ids.append(photo_id)

    def forget_photo(self, event_id: int, album_id: int | None, name: str, photo_id: int) -> None:
        """A photo this engine deleted (its second copy of a name): out of the target's names and its own."""
        target = self._targets.get((event_id, album_id or 0))
        if target is None:
            return
        key = nfc(name)
        for names in (target.names or {}, target.ours):
            ids = names.get(key)
            if ids is not None and photo_id in ids:
                ids.remove(photo_id)
                if not ids:
                    del names[key]

    def album_created(self, event_id: int, album_id: int) -> None:
        self._targets[(event_id, album_id)] = _Target(names={}, listed_at=time.monotonic())

    def forget_albums(self, event_id: int) -> None:
        """The event's albums are to be looked up again: their names too (the root's stay)."""
        for key in [k for k in self._targets if k[0] == event_id and k[1]]:
            del self._targets[key]


class UncertainLandings:
    """Names in a target that an item's failed upload may have taken, until that item has looked.

    Until then the names fetched earlier cannot be trusted for that name there:
    another item of that name and target looks on the server first, or (without
    dedup) waits for the look.
    """

    def __init__(self) -> None:
        # (event, target, name) -> ids of the items whose failed upload of that name may have landed there
        self._holders: dict[NameKey, set[int]] = {}
        self._settle_events: dict[NameKey, asyncio.Event] = {}

    def mark(self, key: NameKey, item_id: int) -> None:
        self._holders.setdefault(key, set()).add(item_id)

    def any(self, key: NameKey) -> bool:
        return bool(self._holders.get(key))

    def settled(self, key: NameKey, item_id: int) -> None:
        holders = self._holders.get(key)
        if holders is not None:
            holders.discard(item_id)
            if not holders:
                del self._holders[key]
                settled = self._settle_events.pop(key, None)
                if settled is not None:
                    settled.set()

    def blocked(self, key: NameKey, item_id: int) -> bool:
        return bool(self._holders.get(key, set()) - {item_id})

    async def wait(self, key: NameKey, item_id: int) -> None:
        """Until no item but ``item_id`` holds this name here uncertain."""
        while self.blocked(key, item_id):
            await self._settle_events.setdefault(key, asyncio.Event()).wait()
