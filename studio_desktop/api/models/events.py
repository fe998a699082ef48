"""Galleries (events), their albums, visitors and mobile apps: ``sp.event.*``, ``sp.album.*``, ``sp.mobile_app.*``."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from studio_desktop.api.models.base import EMPTY_IS_NONE, NOT_SENT, Model
from studio_desktop.api.models.photos import CoverPhoto, Photo


@dataclass(frozen=True)
class Album(Model):
    _what: ClassVar[str] = "album"

    id: int
    name: str | None
    password: Annotated[str | None, EMPTY_IS_NONE] = None
    display_order: int | None = None
    #: ``None`` at the top level (the API sends 0)
    parent_id: Annotated[int | None, EMPTY_IS_NONE] = None
    cover_photo_url: Annotated[str | None, EMPTY_IS_NONE] = None
    view_url: str | None = None
    photo_count: int | None = None
    event_id: int | None = None
    sub_albums: tuple[Album, ...] = ()

    def walk(self) -> Iterator[Album]:
        """This album and every album below it, depth first."""
        yield self
        for child in self.sub_albums:
            yield from child.walk()


@dataclass(frozen=True)
class Event(Model):
    """A gallery. ``albums`` is filled only by ``sp.brand.get_event_tree``."""

    _what: ClassVar[str] = "event"

    id: int
    name: str | None
    brand_id: int | None = None
    password: Annotated[str | None, EMPTY_IS_NONE] = None
    category_id: Annotated[int | None, EMPTY_IS_NONE] = None
    is_archived: bool | None = None
    status: str | None = None
    view_url: str | None = None
    url_slug: Annotated[str | None, EMPTY_IS_NONE] = None
    created: str | None = None
    event_date: str | None = None
    release_date: str | None = None
    gallery_expiration_date: str | None = None
    contact_id: Annotated[int | None, EMPTY_IS_NONE] = None
    last_updated: str | None = None
    cover_photo: CoverPhoto | None = None
    photo_count: int | None = None
    albums: tuple[Album, ...] = ()

    def walk_albums(self) -> Iterator[Album]:
        for album in self.albums:
            yield from album.walk()


@dataclass(frozen=True)
class EventTree(Model):
    """A brand's events, each with its nested albums."""

    _what: ClassVar[str] = "event tree"

    #: the brand asked for (the answer does not say)
    brand_id: Annotated[int | None, NOT_SENT]
    events: tuple[Event, ...]

    def event(self, event_id: int) -> Event | None:
        return next((e for e in self.events if e.id == event_id), None)

    @classmethod
    def from_json(cls, d: Any, brand_id: int | None = None) -> EventTree:
        return dataclasses.replace(super().from_json(d), brand_id=brand_id)


# --- visitors: who looked at a gallery and what they picked ---------------------


@dataclass(frozen=True)
class GalleryVisitor(Model):
    _what: ClassVar[str] = "gallery visitor"

    email_address: str
    contact_id: Annotated[int | None, EMPTY_IS_NONE] = None
    date_accessed: str | None = None
    event_id: int | None = None
    event_name: str | None = None
    favorites: int | None = None
    cart_items: int | None = None
    downloads: int | None = None
    orders: int | None = None
    num_hidden_photos: int | None = None
    num_labeled_photos: int | None = None


@dataclass(frozen=True)
class PhotoLabel(Model):
    _what: ClassVar[str] = "photo label"

    name: str | None
    photos: tuple[Photo, ...]


@dataclass(frozen=True)
class VisitorPhotos(Model):
    _what: ClassVar[str] = "visitor photos"

    favorites: tuple[Photo, ...]
    labeled: tuple[PhotoLabel, ...]


@dataclass(frozen=True)
class BulkEmailResult(Model):
    _what: ClassVar[str] = "bulk email result"

    num_email_addresses_submitted: int | None
    num_email_addresses_added: int | None


# --- mobile apps -----------------------------------------------------------------


@dataclass(frozen=True)
class MobileAppLink(Model):
    _what: ClassVar[str] = "mobile app link"

    link_url: str | None
    icon_url: str | None


@dataclass(frozen=True)
class MobileApp(Model):
    _what: ClassVar[str] = "mobile app"

    id: int
    name: str | None
    event_id: int | None = None
    event_name: str | None = None
    icon_url: str | None = None
    num_photos: int | None = None
    num_installs: int | None = None
    num_views: int | None = None
    links: tuple[MobileAppLink, ...] = ()
