"""Album resolution for folder mirroring: each folder name below a target becomes one album, found or created.

Siblings may share a name: the choice is made once, the same way in the store
and here (:func:`~studio_desktop.uploads.records.ledger.choose_albums`). An album
is never created while one of that name exists under that parent, and a create
that failed reloads the list before anyone creates that album again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from studio_desktop.api.errors import ApiError
from studio_desktop.api.limits import MAX_ALBUM_DEPTH
from studio_desktop.core.store import Store
from studio_desktop.uploads.engine._dedup import RemoteNames
from studio_desktop.uploads.engine._outcomes import log
from studio_desktop.uploads.engine.protocols import UploadClient
from studio_desktop.uploads.records import queue as q
from studio_desktop.uploads.records.ledger import (
    AlbumRow,
    album_forget,
    album_lookup,
    album_remember,
    album_replace,
    choose_albums,
    nfc,
)


class AlbumResolver:
    """The album each item goes to, from memory, the store's album map or the server's list."""

    def __init__(self, client: UploadClient, store: Store, names: RemoteNames):
        self.client = client
        self.store = store
        self._names = names
        self._albums: dict[tuple[int, int, str], int] = {}
        self._album_lists_loaded: set[int] = set()
        self._album_parents: dict[int, dict[int, int]] = {}  # event -> album id -> parent id (0: the event)
        self._album_locks: dict[int, asyncio.Lock] = {}

    async def album_for(self, item: q.Item, *, create: bool) -> tuple[int | None, bool]:
        """The album an item goes to, and whether it exists yet (only created when ``create``)."""
        parent = item.album_id
        if not item.rel_album_path:
            return parent, True
        names = list(item.rel_album_path)
        allowed = MAX_ALBUM_DEPTH - await self._album_depth(item.event_id, parent)
        if len(names) > allowed:
            from studio_desktop.uploads.scanner import album_path_for

            names = list(album_path_for(names, allowed))
        for name in names:
            found = await self._find_album(item.event_id, parent, name)
            if found is None:
                if not create:
                    return None, False
                found = await self._create_album(item.event_id, parent, name)
            parent = found
        return parent, True

    async def _album_depth(self, event_id: int, album_id: int | None) -> int:
        """How deep ``album_id`` sits (0: the event itself), from the album list."""
        if not album_id:
            return 0
        await self._load_albums(event_id)
        depth = 1
        by_id = self._album_parents.get(event_id, {})
        current = by_id.get(album_id, 0)
        while current:
            depth += 1
            current = by_id.get(current, 0)
            if depth > MAX_ALBUM_DEPTH:
                break
        return min(depth, MAX_ALBUM_DEPTH - 1)

    async def _find_album(self, event_id: int, parent: int | None, name: str) -> int | None:
        key = (event_id, parent or 0, nfc(name))
        if key in self._albums:
            return self._albums[key]
        found = await self.store.read(album_lookup, event_id, parent, name)
        if found is not None:
            self._albums[key] = found
            return found
        if event_id not in self._album_lists_loaded:
            await self._load_albums(event_id)
            return self._albums.get(key)
        return None

    async def _load_albums(self, event_id: int, *, force: bool = False) -> None:
        async with self._album_lock(event_id):
            if event_id in self._album_lists_loaded and not force:
                return
            await self._reload_albums(event_id)

    async def _reload_albums(self, event_id: int) -> None:
        """Read the event's albums from the server into memory and the store (the album lock is held)."""
        albums = await self.client.album_get_list(event_id)
        rows: list[AlbumRow] = []

        def walk(nodes: Iterable[Any], parent: int | None) -> None:
            for album in nodes:
                if album.name:
                    rows.append(AlbumRow(album.parent_id or parent, album.name, album.id, album.display_order))
                walk(album.sub_albums, album.id)

        walk(albums, None)
        chosen = await self.store.write(album_replace, event_id, rows)
        self._album_parents[event_id] = {row.album_id: row.parent_id or 0 for row in rows}
        for key in [k for k in self._albums if k[0] == event_id]:
            del self._albums[key]
        for (parent, name), album_id in chosen.items():
            self._albums[(event_id, parent, name)] = album_id
        self._album_lists_loaded.add(event_id)

    def _album_lock(self, event_id: int) -> asyncio.Lock:
        return self._album_locks.setdefault(event_id, asyncio.Lock())

    async def forget(self, event_id: int) -> None:
        self._album_lists_loaded.discard(event_id)
        for key in [k for k in self._albums if k[0] == event_id]:
            del self._albums[key]
        self._names.forget_albums(event_id)
        await self.store.write(album_forget, event_id)

    async def _create_album(self, event_id: int, parent: int | None, name: str) -> int:
        """Create one album, unless the server already has one of that name under that parent.

        Serialised per event. A create that failed may still have taken effect,
        so after any failure the album list is read again before anyone (this
        item's retry, or another item waiting for the lock) creates that album.
        """
        key = (event_id, parent or 0, nfc(name))
        async with self._album_lock(event_id):
            if key in self._albums:
                return self._albums[key]
            if event_id not in self._album_lists_loaded:
                await self._reload_albums(event_id)
                if key in self._albums:
                    return self._albums[key]
            try:
                album = await self.client.album_create(event_id, name, parent_id=parent)
            except Exception:
                self._album_lists_loaded.discard(event_id)
                raise
            chosen = await self._one_of_twins(event_id, parent, name, album.id)
            self._albums[key] = chosen
            self._album_parents.setdefault(event_id, {})[chosen] = parent or 0
            await self.store.write(album_remember, [(event_id, parent, name, chosen)])
            if chosen == album.id:
                self._names.album_created(event_id, album.id)
            return chosen

    async def _one_of_twins(self, event_id: int, parent: int | None, name: str, made: int) -> int:
        """The album to use after creating ``made``: another computer may have created one of that name at once.

        The list is read again (one request per album created). Of two or more of that
        name under that parent, every computer takes the same one (:func:`choose_albums`:
        the first in the server's order, which new albums join at the end, so the one
        created first), and the one made here, still empty, is deleted if it is not it.
        The later of two creates always sees both, so the twins end as one album.
        """
        try:
            listed = await self.client.album_get_list(event_id)
        except ApiError:
            return made  # not known: keep ours (at worst, two albums of that name, as before)
        rows: list[AlbumRow] = []

        def walk(nodes: Iterable[Any], under: int | None) -> None:
            for album in nodes:
                if album.name:
                    rows.append(AlbumRow(album.parent_id or under, album.name, album.id, album.display_order))
                walk(album.sub_albums, album.id)

        walk(listed, None)
        key = (parent or 0, nfc(name))
        twins = [r for r in rows if ((r.parent_id or 0), nfc(r.name)) == key]
        if len(twins) < 2 or made not in {r.album_id for r in twins}:
            return made
        first = choose_albums(twins)[key]
        if first == made:
            return made
        log.info(
            "the album %r (event %d) was created by another computer at the same time as album %d: "
            "using that one, and removing album %d made here",
            name,
            event_id,
            first,
            made,
        )
        try:
            await self.client.album_delete(made, only_empty=True)
        except ApiError as exc:
            log.info("the empty album %d made here could not be removed: %s", made, exc.msg)
        return first
