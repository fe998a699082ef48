"""Photos: ``sp.photo.*``, the photo lists of events and albums, uploads and covers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

from studio_desktop.api.models.base import NOT_SENT, Key, Model
from studio_desktop.api.models.lenient import expect_object, lenient_str


@dataclass(frozen=True)
class PhotoUrls(Model):
    """Rendition URLs; ``xx_large``/``xxx_large`` are the API's ``2x_large``/``3x_large``."""

    _what: ClassVar[str] = "photo url"

    small: str | None = None
    medium: str | None = None
    medium_large: str | None = None
    large: str | None = None
    x_large: str | None = None
    xx_large: Annotated[str | None, Key("2x_large")] = None
    xxx_large: Annotated[str | None, Key("3x_large")] = None
    original: str | None = None

    def best(self, *, prefer_large: bool = False) -> str | None:
        """The first rendition present, small first for thumbnails, large first for viewing."""
        order = (
            (self.xxx_large, self.xx_large, self.x_large, self.large, self.medium_large, self.medium, self.small)
            if prefer_large
            else (self.medium, self.small, self.medium_large, self.large, self.x_large, self.xx_large, self.xxx_large)
        )
        return next((url for url in order if url), None)

    @classmethod
    def _shape(cls, d: Any) -> Mapping[str, Any]:
        if isinstance(d, list):  # sp.mobile_app.get_photos: a list of {size: url} objects
            merged: dict[str, Any] = {}
            for item in d:
                if isinstance(item, Mapping):
                    merged.update(item)
            d = merged
        return expect_object(d, cls._what)


@dataclass(frozen=True)
class Photo(Model):
    _what: ClassVar[str] = "photo"

    id: int
    name: str | None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    url: PhotoUrls = field(default_factory=PhotoUrls)


@dataclass(frozen=True)
class UploadResult(Model):
    _what: ClassVar[str] = "upload result"

    photo_id: int
    photos_used: int | None
    photos_allowed: int | None
    #: sha256 hex of the bytes sent (filled in by the client, not the server)
    content_hash: Annotated[str | None, NOT_SENT] = None


@dataclass(frozen=True)
class CoverPhoto(Model):
    """A gallery's or album's cover: ``large``/``x_large`` URLs.

    Events describe it as ``{id, large, x_large}``; ``sp.cover_photo.set``
    answers ``{sizes: {l, xl}}``; both land here.
    """

    _what: ClassVar[str] = "cover photo"

    id: int | None
    large: str | None
    x_large: str | None

    @classmethod
    def _shape(cls, d: Any) -> Mapping[str, Any]:
        d = expect_object(d, cls._what)
        sizes = d.get("sizes")
        if not isinstance(sizes, Mapping):
            sizes = {}
        return {
            "id": d.get("id"),
            "large": lenient_str(d.get("large")) or lenient_str(sizes.get("l")),
            "x_large": lenient_str(d.get("x_large")) or lenient_str(sizes.get("xl")),
        }
