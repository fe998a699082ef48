"""Apply one confirmed change to the event tree the window shows, without asking the server again.

The tree nodes are rebuilt from ``Event`` objects (with nested ``Album``s), all
frozen dataclasses, so each edit returns new tuples. These functions only run
after the server accepted the change; counts they cannot know (photos removed
with an album) are fixed by a reload from the server afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from studio_desktop.api.models import Album, Event

Events = tuple[Event, ...]

#: Fields of an event that the write calls (rename, update, access level...) answer with.
_EVENT_FIELDS = (
    "name",
    "password",
    "category_id",
    "status",
    "view_url",
    "event_date",
    "release_date",
    "gallery_expiration_date",
    "contact_id",
    "url_slug",
    "cover_photo",
)


def find_event(events: Iterable[Event], event_id: int) -> Event | None:
    return next((event for event in events if event.id == event_id), None)


def find_album(albums: Iterable[Album], album_id: int) -> Album | None:
    for album in albums:
        for candidate in album.walk():
            if candidate.id == album_id:
                return candidate
    return None


def add_event(events: Events, event: Event) -> Events:
    return (*(e for e in events if e.id != event.id), event)


def remove_event(events: Events, event_id: int) -> Events:
    return tuple(e for e in events if e.id != event_id)


def update_event(events: Events, changed: Event) -> Events:
    """Take what the server answered for ``changed.id``; keep the albums and counts the tree already has."""

    def merge(old: Event) -> Event:
        values = {name: getattr(changed, name) for name in _EVENT_FIELDS}
        if changed.photo_count is not None:
            values["photo_count"] = changed.photo_count
        return replace(old, **values)

    return _map_event(events, changed.id, merge)


def change_event(events: Events, event_id: int, **values: Any) -> Events:
    return _map_event(events, event_id, lambda old: replace(old, **values))


def add_album(events: Events, event_id: int, album: Album, parent_id: int | None) -> Events:
    album = replace(album, parent_id=parent_id, event_id=event_id)

    def change(event: Event) -> Event:
        if parent_id is None:
            return replace(event, albums=(*event.albums, album))
        return replace(
            event,
            albums=_map_albums(
                event.albums, parent_id, lambda parent: replace(parent, sub_albums=(*parent.sub_albums, album))
            ),
        )

    return _map_event(events, event_id, change)


def rename_album(events: Events, event_id: int, album_id: int, name: str) -> Events:
    return _map_event(
        events,
        event_id,
        lambda event: replace(
            event, albums=_map_albums(event.albums, album_id, lambda album: replace(album, name=name))
        ),
    )


def remove_album(events: Events, event_id: int, album_id: int) -> Events:
    return _map_event(events, event_id, lambda event: replace(event, albums=_without(event.albums, album_id)))


def move_album(events: Events, event_id: int, album_id: int, parent_id: int | None) -> Events:
    """Put the album (with everything below it) last under ``parent_id``, or at the top level for None."""
    event = find_event(events, event_id)
    moving = find_album(event.albums, album_id) if event is not None else None
    if moving is None:
        return events
    rest = remove_album(events, event_id, album_id)
    return add_album(rest, event_id, replace(moving, display_order=None), parent_id)


def _map_event(events: Events, event_id: int, change: Callable[[Event], Event]) -> Events:
    return tuple(change(e) if e.id == event_id else e for e in events)


def _map_albums(albums: tuple[Album, ...], album_id: int, change: Callable[[Album], Album]) -> tuple[Album, ...]:
    result = []
    for album in albums:
        if album.id == album_id:
            result.append(change(album))
        elif album.sub_albums:
            result.append(replace(album, sub_albums=_map_albums(album.sub_albums, album_id, change)))
        else:
            result.append(album)
    return tuple(result)


def _without(albums: tuple[Album, ...], album_id: int) -> tuple[Album, ...]:
    return tuple(
        replace(album, sub_albums=_without(album.sub_albums, album_id)) if album.sub_albums else album
        for album in albums
        if album.id != album_id
    )


def subtree_height(album: Album) -> int:
    """1 for an album without sub-albums, 2 with one level below it, ..."""
    return 1 + max((subtree_height(child) for child in album.sub_albums), default=0)
