"""Plain node objects behind the event tree: a brand at the root, its events, their albums.

The Qt model (``ui/gallery/tree_model.py``) only walks these. They
are built in one pass from ``sp.brand.get_event_tree`` and never change after;
a refresh builds a new tree and swaps it in with one model reset.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from studio_desktop.api.models import Album, Brand, Event, EventTree
from studio_desktop.core import bidi

EVENT = "event"
ALBUM = "album"
BRAND = "brand"


@dataclass(frozen=True)
class GalleryTarget:
    """What the user has selected to look at or upload into: an event, or one album of it."""

    event_id: int
    event_name: str
    album_id: int | None = None
    album_path: tuple[str, ...] = ()
    brand_id: int | None = None

    @property
    def album_name(self) -> str | None:
        return self.album_path[-1] if self.album_path else None

    @property
    def display_name(self) -> str:
        """``Smith Wedding`` or ``Smith Wedding › Ceremony › Family``, each name isolated (see ``bidi``)."""
        return bidi.path((self.event_name, *self.album_path))

    @property
    def short_name(self) -> str:
        return self.album_name or self.event_name

    @property
    def key(self) -> tuple[str, int]:
        return (ALBUM, self.album_id) if self.album_id is not None else (EVENT, self.event_id)


class Node:
    """A tree node: ``parent``, ``children`` and its ``row`` in the parent, set once at build time."""

    __slots__ = ("children", "parent", "row")
    kind = ""

    def __init__(self, parent: Node | None = None):
        self.parent = parent
        self.children: list[Node] = []
        self.row = 0

    def append(self, child: Node) -> None:
        child.parent = self
        child.row = len(self.children)
        self.children.append(child)

    @property
    def id(self) -> int | None:
        raise NotImplementedError

    @property
    def name(self) -> str:
        raise NotImplementedError

    @property
    def photo_count(self) -> int | None:
        return None

    @property
    def is_archived(self) -> bool:
        return False

    @property
    def key(self) -> tuple[str, int | None]:
        return (self.kind, self.id)

    def ancestors(self) -> Iterator[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def walk(self) -> Iterator[Node]:
        """Every node below this one, depth first (not this one)."""
        for child in self.children:
            yield child
            yield from child.walk()


class BrandNode(Node):
    """The (invisible) root: one brand and its events."""

    __slots__ = ("brand",)
    kind = BRAND

    def __init__(self, brand: Brand | None = None):
        super().__init__(None)
        self.brand = brand

    @property
    def id(self) -> int | None:
        return self.brand.id if self.brand else None

    @property
    def name(self) -> str:
        return (self.brand.name if self.brand else None) or "Studio"


class EventNode(Node):
    __slots__ = ("_archived", "_name", "event")
    kind = EVENT

    def __init__(self, event: Event):
        super().__init__()
        self.event = event
        self._name = event.name or f"Untitled event {event.id}"
        status = (event.status or "").strip().lower()
        self._archived = bool(event.is_archived) or status == "archived"

    @property
    def id(self) -> int:
        return self.event.id

    @property
    def name(self) -> str:
        return self._name

    @property
    def photo_count(self) -> int | None:
        return self.event.photo_count

    @property
    def is_archived(self) -> bool:
        return self._archived

    @property
    def status(self) -> str:
        return self.event.status or ("Archived" if self._archived else "Active")

    def target(self) -> GalleryTarget:
        return GalleryTarget(event_id=self.event.id, event_name=self._name, brand_id=self.event.brand_id)


class AlbumNode(Node):
    __slots__ = ("_name", "album", "depth")
    kind = ALBUM

    def __init__(self, album: Album, depth: int):
        super().__init__()
        self.album = album
        self.depth = depth
        self._name = album.name or f"Untitled album {album.id}"

    @property
    def id(self) -> int:
        return self.album.id

    @property
    def name(self) -> str:
        return self._name

    @property
    def photo_count(self) -> int | None:
        return self.album.photo_count

    @property
    def event_node(self) -> EventNode:
        node: Node | None = self.parent
        while node is not None and not isinstance(node, EventNode):
            node = node.parent
        assert node is not None, "an album node always sits below an event node"
        return node

    @property
    def is_archived(self) -> bool:
        return self.event_node.is_archived

    def album_path(self) -> tuple[str, ...]:
        names = [self._name]
        node = self.parent
        while isinstance(node, AlbumNode):
            names.append(node.name)
            node = node.parent
        return tuple(reversed(names))

    def target(self) -> GalleryTarget:
        event = self.event_node
        return GalleryTarget(
            event_id=event.id,
            event_name=event.name,
            album_id=self.album.id,
            album_path=self.album_path(),
            brand_id=event.event.brand_id,
        )


def _event_sort_key(event: Event) -> tuple[str, str]:
    """Newest shoot first: by event date, then by creation date (strings sort as dates here)."""
    return (event.event_date or event.created or "", event.created or "")


def album_sort_key(album: Album) -> tuple[int, str]:
    """The studio's display order, then the name (albums without an order go last)."""
    order = album.display_order if album.display_order is not None else 1 << 30
    return (order, (album.name or "").casefold())


def _add_albums(parent: Node, albums: Iterable[Album], depth: int) -> int:
    count = 0
    for album in sorted(albums, key=album_sort_key):
        node = AlbumNode(album, depth)
        parent.append(node)
        count += 1
        if album.sub_albums:
            count += _add_albums(node, album.sub_albums, depth + 1)
    return count


def is_deleted(event: Event) -> bool:
    return (event.status or "").strip().lower() == "deleted"


def build_tree(tree: EventTree | Iterable[Event], brand: Brand | None = None) -> BrandNode:
    """One pass over the server's answer: events newest first, albums in the studio's display order.

    An event whose status is ``Deleted`` is not a live gallery (the real service may
    still list one for a while): it is left out, so nothing can be uploaded into it.
    """
    events = tree.events if isinstance(tree, EventTree) else tuple(tree)
    root = BrandNode(brand)
    for event in sorted(events, key=_event_sort_key, reverse=True):
        if is_deleted(event):
            continue
        node = EventNode(event)
        root.append(node)
        _add_albums(node, event.albums, 1)
    return root
