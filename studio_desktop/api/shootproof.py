"""The ShootProof API v2 client: every callable ``sp.*`` method, typed.

Names are mechanical: ``sp.<group>.<name>`` is ``<group>_<name>``, keyword
parameters are named as in the reference, and answers come back as the
models in :mod:`studio_desktop.api.models`. ``METHODS`` lists all 54.
A parameter left as ``None`` is not sent; an empty string is (some methods
clear a field that way, e.g. ``event_update(url_slug="")``).
"""

from __future__ import annotations

import contextlib
import enum
import logging
import mimetypes
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, TypeVar

from studio_desktop.api import models
from studio_desktop.api.errors import BadResponseError, ShootProofError, ValidationError
from studio_desktop.api.limits import MAX_BULK_CONTACTS, SHOOTPROOF_PAGE_SIZES
from studio_desktop.api.models import (
    Album,
    Brand,
    BrandAddress,
    BulkEmailResult,
    Category,
    CoverPhoto,
    Event,
    EventDefault,
    EventTree,
    GalleryVisitor,
    MobileApp,
    Page,
    Photo,
    StudioInfo,
    UploadResult,
    VisitorPhotos,
    WatermarkList,
    field_errors,
    opt_bool,
    opt_int,
    opt_str,
    parse_list,
    parse_one,
)
from studio_desktop.api.transport import (
    Deadlines,
    FilePart,
    ProgressCallback,
    RetryPolicy,
    StaticToken,
    TokenProvider,
    Transport,
    in_reader_thread,
)

if TYPE_CHECKING:
    # Contacts and commerce models load on first use (``models.Contact``...): an upload needs neither.
    from studio_desktop.api.models import Address, BulkContactResult, Contact, Invoice, Order, OrderDetails

    AddressInput = Mapping[str, Any] | Address | BrandAddress

T = TypeVar("T")
log = logging.getLogger(__name__)

#: a path, an open file, or a small file's bytes already read (the engine reads those whole as it opens them)
PathOrFile = str | os.PathLike[str] | IO[bytes] | bytes

# (sp method, ShootProofClient method). sp.account.upgrade is a permission, not a call.
METHODS: tuple[tuple[str, str], ...] = (
    ("sp.auth.deauthorize", "auth_deauthorize"),
    ("sp.studio.info", "studio_info"),
    ("sp.studio.get_setting", "studio_get_setting"),
    ("sp.studio.set_setting", "studio_set_setting"),
    ("sp.event.get_list", "event_get_list"),
    ("sp.event.info", "event_info"),
    ("sp.event.create", "event_create"),
    ("sp.event.update", "event_update"),
    ("sp.event.delete", "event_delete"),
    ("sp.event.rename", "event_rename"),
    ("sp.event.set_access_level", "event_set_access_level"),
    ("sp.event.photo_exists", "event_photo_exists"),
    ("sp.event.get_photos", "event_get_photos"),
    ("sp.event.set_category", "event_set_category"),
    ("sp.event.set_contact", "event_set_contact"),
    ("sp.event.gallery_visitors", "event_gallery_visitors"),
    ("sp.event.gallery_visitor_photos", "event_gallery_visitor_photos"),
    ("sp.event.bulk_email_add", "event_bulk_email_add"),
    ("sp.category.get_list", "category_get_list"),
    ("sp.category.create", "category_create"),
    ("sp.category.rename", "category_rename"),
    ("sp.album.get_list", "album_get_list"),
    ("sp.album.create", "album_create"),
    ("sp.album.delete", "album_delete"),
    ("sp.album.move", "album_move"),
    ("sp.album.rename", "album_rename"),
    ("sp.album.get_photos", "album_get_photos"),
    ("sp.album.info", "album_info"),
    ("sp.photo.upload", "photo_upload"),
    ("sp.photo.add_to_album", "photo_add_to_album"),
    ("sp.photo.remove_from_album", "photo_remove_from_album"),
    ("sp.photo.info", "photo_info"),
    ("sp.photo.delete", "photo_delete"),
    ("sp.photo.update", "photo_update"),
    ("sp.watermark.get_list", "watermark_get_list"),
    ("sp.cover_photo.set", "cover_photo_set"),
    ("sp.cover_photo.delete", "cover_photo_delete"),
    ("sp.mobile_app.get_list", "mobile_app_get_list"),
    ("sp.mobile_app.get_photos", "mobile_app_get_photos"),
    ("sp.order.get_list", "order_get_list"),
    ("sp.order.get_details", "order_get_details"),
    ("sp.brand.get_list", "brand_get_list"),
    ("sp.brand.create", "brand_create"),
    ("sp.brand.info", "brand_info"),
    ("sp.brand.get_event_defaults", "brand_get_event_defaults"),
    ("sp.brand.get_event_tree", "brand_get_event_tree"),
    ("sp.contact.info", "contact_info"),
    ("sp.contact.create", "contact_create"),
    ("sp.contact.update", "contact_update"),
    ("sp.contact.delete", "contact_delete"),
    ("sp.contact.bulk_create", "contact_bulk_create"),
    ("sp.contact.get_event_list", "contact_get_event_list"),
    ("sp.invoice.get_list", "invoice_get_list"),
    ("sp.invoice.info", "invoice_info"),
)

# Every call that changes something goes out as POST and follows the write retry rules.
WRITE_METHODS: frozenset[str] = frozenset(
    {
        "sp.auth.deauthorize",
        "sp.studio.set_setting",
        "sp.event.create",
        "sp.event.update",
        "sp.event.delete",
        "sp.event.rename",
        "sp.event.set_access_level",
        "sp.event.set_category",
        "sp.event.set_contact",
        "sp.event.bulk_email_add",
        "sp.category.create",
        "sp.category.rename",
        "sp.album.create",
        "sp.album.delete",
        "sp.album.move",
        "sp.album.rename",
        "sp.photo.upload",
        "sp.photo.add_to_album",
        "sp.photo.remove_from_album",
        "sp.photo.delete",
        "sp.photo.update",
        "sp.cover_photo.set",
        "sp.cover_photo.delete",
        "sp.brand.create",
        "sp.contact.create",
        "sp.contact.update",
        "sp.contact.delete",
        "sp.contact.bulk_create",
    }
)

ACCESS_LEVELS = ("public_no_password", "public_password", "private_no_password", "private_password")


def _flag(value: bool | None) -> int | None:
    """The API's "pass 1 to enable" options: send 1 when set, nothing otherwise."""
    return 1 if value else None


def _tags(tags: Sequence[str] | str | None) -> str | None:
    if tags is None:
        return None
    if isinstance(tags, str):
        return tags
    return ",".join(tag.strip() for tag in tags if tag and tag.strip())


def _address(address: AddressInput | None) -> dict[str, Any] | None:
    if address is None:
        return None
    if isinstance(address, (models.Address, BrandAddress)):
        return address.to_params()
    return {key: value for key, value in address.items() if value is not None}


@contextlib.asynccontextmanager
async def _opened(
    source: PathOrFile,
    file_name: str | None,
    on_progress: ProgressCallback | None,
    size: int | None = None,
) -> AsyncIterator[FilePart]:
    """The photo as the multipart part ``photo``; files we open we also close.

    A path is opened, measured and closed in an upload reader thread: on a slow disk either may take long.
    ``size``: the size of a file object the caller has just opened (at its start) and measured itself;
    the part then needs no trip to a reader thread to measure it again.
    """
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        name = file_name or path.name
        part = await in_reader_thread(_open_part, path, name, on_progress)
        try:
            yield part
        finally:
            # after any chunk still being read; submitted at once, so it runs even if this task is cancelled again
            await in_reader_thread(part.close)
        return
    if isinstance(source, bytes):
        name = file_name or "photo.jpg"
        yield FilePart.of_bytes("photo", source, name, _content_type(name), on_progress)
        return
    name = file_name or os.path.basename(str(getattr(source, "name", "") or "")) or "photo.jpg"
    part = FilePart("photo", source, name, _content_type(name), on_progress)
    if size is not None:
        part.start, part.size, part.measured = 0, size, True
    try:
        yield part
    finally:
        # The caller may close its file as soon as this returns: no read of it may still be under way.
        # Mostly none is (the body was read to its end): then no trip to a reader thread.
        if part.io_lock.acquire(blocking=False):
            part.closed = True
            part.io_lock.release()
        else:
            await in_reader_thread(part.release)


def _open_part(path: Path, name: str, on_progress: ProgressCallback | None) -> FilePart:
    part = FilePart("photo", path.open("rb"), name, _content_type(name), on_progress)
    try:
        part.measure()
    except BaseException:
        part.close()
        raise
    return part


# The types photos come in, without mimetypes: its first guess reads /etc/mime.types (on the loop, from a
# possibly slow disk).
_IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".jpe": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".heic": "image/heic",
}


def _content_type(name: str) -> str:
    known = _IMAGE_TYPES.get(os.path.splitext(name)[1].lower())
    if known is not None:
        return known
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "image/jpeg"


class ShootProofClient:
    """Async client for the ShootProof API v2; use ``async with`` or call :meth:`aclose`."""

    def __init__(
        self,
        api_url: str,
        access_token: str | TokenProvider,
        *,
        http: Any = None,
        retry: RetryPolicy | None = None,
        deadlines: Deadlines | None = None,
    ):
        tokens = StaticToken(access_token) if isinstance(access_token, str) else access_token
        self.transport = Transport(api_url, tokens, http=http, retry=retry, deadlines=deadlines)
        self._page_cap: int | None = None  # the largest page size the server took after refusing a larger one

    @property
    def api_url(self) -> str:
        return self.transport.api_url

    async def aclose(self) -> None:
        await self.transport.aclose()

    async def __aenter__(self) -> ShootProofClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"ShootProofClient({self.api_url!r})"

    async def call(self, method: str, params: Mapping[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        """A raw ``sp.*`` call: the answer's JSON object. Prefer the typed methods."""
        return await self.transport.call(method, params, write=method in WRITE_METHODS, **kwargs)

    async def _call_with_photo(
        self,
        method: str,
        params: Mapping[str, Any],
        photo: PathOrFile,
        file_name: str | None,
        on_progress: ProgressCallback | None,
        size: int | None = None,
    ) -> tuple[dict[str, Any], str | None]:
        """:meth:`call` with ``photo`` as the multipart part ``photo``, streamed from disk.

        Returns the answer and the sha256 hex of the bytes sent. A failure
        carries the hash as ``content_hash`` too (``None`` unless the whole file
        went out): a send that may have landed is then recorded with it.
        """
        async with _opened(photo, file_name, on_progress, size) as part:
            try:
                data = await self.call(method, params, files=[part])
            except ShootProofError as exc:
                exc.content_hash = part.content_hash()
                raise
            return data, part.content_hash()

    # --- auth & studio ------------------------------------------------------

    async def auth_deauthorize(self) -> None:
        """Revoke the current access token (signing out)."""
        await self.call("sp.auth.deauthorize")

    async def studio_info(self) -> StudioInfo:
        return StudioInfo.from_json(await self.call("sp.studio.info"))

    async def studio_get_setting(self, setting_key: str) -> str | None:
        data = await self.call("sp.studio.get_setting", {"setting_key": setting_key})
        return opt_str(data, "setting_value")

    async def studio_set_setting(self, setting_key: str, setting_value: str) -> None:
        await self.call("sp.studio.set_setting", {"setting_key": setting_key, "setting_value": setting_value})

    # --- events -------------------------------------------------------------

    async def event_get_list(
        self,
        *,
        brand_id: int | None = None,
        include_archived: bool | None = None,
        order_by: str | None = None,
        order_by_descending: bool | None = None,
        limit: int | None = None,
        page: int | None = None,
    ) -> Page[Event]:
        data = await self.call(
            "sp.event.get_list",
            {
                "brand_id": brand_id,
                "include_archived": _flag(include_archived),
                "order_by": order_by,
                "order_by_descending": _flag(order_by_descending),
                "limit": limit,
                "page": page,
            },
        )
        return Page.from_json(data, "events", Event.from_json)

    async def event_info(self, event_id: int) -> Event:
        return parse_one(await self.call("sp.event.info", {"event_id": event_id}), "event", Event.from_json)

    async def event_create(
        self,
        event_name: str,
        *,
        brand_id: int | None = None,
        brand_event_default_id: int | None = None,
        contact_id: int | None = None,
        event_date: str | None = None,
        url_slug: str | None = None,
        archive: bool | None = None,
    ) -> Event:
        """Create a (private) event. ``event_date`` is UTC ``"YYYY-MM-DD HH:MM:SS"``; a taken ``url_slug``
        raises ConflictError."""
        data = await self.call(
            "sp.event.create",
            {
                "event_name": event_name,
                "brand_id": brand_id,
                "brand_event_default_id": brand_event_default_id,
                "contact_id": contact_id,
                "event_date": event_date,
                "url_slug": url_slug,
                "archive": archive,
            },
        )
        return parse_one(data, "event", Event.from_json)

    async def event_update(
        self,
        event_id: int,
        *,
        event_name: str | None = None,
        event_date: str | None = None,
        contact_id: int | None = None,
        url_slug: str | None = None,
    ) -> Event:
        """Change an event; ``url_slug=""`` removes the custom gallery address."""
        data = await self.call(
            "sp.event.update",
            {
                "event_id": event_id,
                "event_name": event_name,
                "event_date": event_date,
                "contact_id": contact_id,
                "url_slug": url_slug,
            },
        )
        return parse_one(data, "event", Event.from_json)

    async def event_delete(self, event_id: int, *, only_empty: bool = False) -> int:
        """Delete an event and all its photos; returns the deleted event's id."""
        data = await self.call("sp.event.delete", {"event_id": event_id, "only_empty": _flag(only_empty)})
        event = data.get("event")
        deleted = opt_int(event, "id", "event") if isinstance(event, Mapping) else None
        return deleted if deleted is not None else int(event_id)

    async def event_rename(self, event_id: int, event_name: str) -> Event:
        data = await self.call("sp.event.rename", {"event_id": event_id, "event_name": event_name})
        return parse_one(data, "event", Event.from_json)

    async def event_set_access_level(self, event_id: int, access_level: str, *, password: str | None = None) -> Event:
        """``access_level``: one of :data:`ACCESS_LEVELS`."""
        data = await self.call(
            "sp.event.set_access_level",
            {
                "event_id": event_id,
                "access_level": access_level,
                "password": password,
            },
        )
        return parse_one(data, "event", Event.from_json)

    async def event_photo_exists(
        self,
        event_id: int,
        *,
        photo_name: str | None = None,
        photo_id: int | None = None,
        album_id: int | None = None,
    ) -> bool:
        """Is a photo with this file name (or id) already in the event (or in ``album_id`` only)?"""
        if photo_name is None and photo_id is None:
            raise ValueError("event_photo_exists needs photo_name or photo_id")
        data = await self.call(
            "sp.event.photo_exists",
            {
                "event_id": event_id,
                "photo_name": photo_name,
                "photo_id": photo_id,
                "album_id": album_id,
            },
        )
        exists = opt_bool(data, "photo_exists")
        if exists is None:
            raise BadResponseError(
                "The server's answer is incomplete: 'photo_exists' is missing.", method="sp.event.photo_exists"
            )
        return exists

    async def event_get_photos(
        self, event_id: int, *, page: int | None = None, limit: int | None = None
    ) -> Page[Photo]:
        data = await self.call("sp.event.get_photos", {"event_id": event_id, "limit": limit, "page": page})
        return Page.from_json(data, "photos", Photo.from_json)

    async def event_set_category(self, event_id: int, category_id: int) -> Event:
        data = await self.call("sp.event.set_category", {"event_id": event_id, "category_id": category_id})
        return parse_one(data, "event", Event.from_json)

    async def event_set_contact(self, event_id: int, contact_id: int | None = None) -> int | None:
        """Set the event's contact, or unset it with ``contact_id=None``; returns the contact id now set."""
        data = await self.call(
            "sp.event.set_contact",
            {
                "event_id": event_id,
                "contact_id": "" if contact_id is None else contact_id,
            },
        )
        return opt_int(data, "contact_id", "event contact") or None

    async def event_gallery_visitors(self, event_id: int) -> list[GalleryVisitor]:
        data = await self.call("sp.event.gallery_visitors", {"event_id": event_id})
        return parse_list(data, "gallery_visitors", GalleryVisitor.from_json)

    async def event_gallery_visitor_photos(self, event_id: int, email_address: str) -> VisitorPhotos:
        data = await self.call(
            "sp.event.gallery_visitor_photos", {"event_id": event_id, "email_address": email_address}
        )
        return VisitorPhotos.from_json(data)

    async def event_bulk_email_add(self, event_id: int, email_addresses: Sequence[str]) -> BulkEmailResult:
        """Add visitor emails to an event; invalid addresses are skipped and counted."""
        data = await self.call(
            "sp.event.bulk_email_add",
            query={"event_id": event_id},
            json_body=[str(e) for e in email_addresses],
        )
        return BulkEmailResult.from_json(data)

    # --- categories ---------------------------------------------------------

    async def category_get_list(self) -> list[Category]:
        data = await self.call("sp.category.get_list")
        key = "categories" if "categories" in data else "category"
        value = data.get(key)
        if isinstance(value, Mapping) and "id" in value:
            return [Category.from_json(value)]
        return parse_list(data, key, Category.from_json)

    async def category_create(self, name: str) -> Category:
        return parse_one(await self.call("sp.category.create", {"name": name}), "category", Category.from_json)

    async def category_rename(self, category_id: int, name: str) -> Category:
        data = await self.call("sp.category.rename", {"category_id": category_id, "name": name})
        return parse_one(data, "category", Category.from_json)

    # --- albums -------------------------------------------------------------

    async def album_get_list(self, event_id: int) -> list[Album]:
        """The event's top-level albums, each with its ``sub_albums`` (up to 4 levels)."""
        return parse_list(await self.call("sp.album.get_list", {"event_id": event_id}), "albums", Album.from_json)

    async def album_create(
        self,
        event_id: int,
        album_name: str,
        *,
        password: str | None = None,
        parent_id: int | None = None,
    ) -> Album:
        data = await self.call(
            "sp.album.create",
            {
                "event_id": event_id,
                "album_name": album_name,
                "password": password,
                "parent_id": parent_id,
            },
        )
        return parse_one(data, "album", Album.from_json)

    async def album_delete(self, album_id: int, *, only_empty: bool = False) -> None:
        await self.call("sp.album.delete", {"album_id": album_id, "only_empty": _flag(only_empty)})

    async def album_move(self, album_id: int, *, parent_id: int | None = None) -> Album:
        """Move an album under ``parent_id``, or to the top level with ``None``."""
        data = await self.call("sp.album.move", {"album_id": album_id, "parent_id": parent_id})
        return parse_one(data, "album", Album.from_json)

    async def album_rename(self, album_id: int, album_name: str) -> Album:
        data = await self.call("sp.album.rename", {"album_id": album_id, "album_name": album_name})
        return parse_one(data, "album", Album.from_json)

    async def album_get_photos(
        self, album_id: int, *, page: int | None = None, limit: int | None = None
    ) -> Page[Photo]:
        data = await self.call("sp.album.get_photos", {"album_id": album_id, "limit": limit, "page": page})
        return Page.from_json(data, "photos", Photo.from_json)

    async def album_info(self, album_id: int) -> Album:
        return parse_one(await self.call("sp.album.info", {"album_id": album_id}), "album", Album.from_json)

    # --- photos -------------------------------------------------------------

    async def photo_upload(
        self,
        event_id: int,
        path_or_fileobj: PathOrFile,
        *,
        album_id: int | None = None,
        watermark_id: int | str | None = None,
        file_name: str | None = None,
        on_progress: ProgressCallback | None = None,
        size: int | None = None,
    ) -> UploadResult:
        """Upload a photo, streamed from disk. ``watermark_id="no"`` turns watermarking off.

        ``size``: given with a file object just opened and measured by the caller (the engine stats
        each file as it opens it), so the upload spares another trip to a reader thread to measure it.

        Not re-sent automatically once the body may have reached the server:
        a failure then is ``TransientError(maybe_applied=True)`` and the caller
        checks ``event_photo_exists`` before trying again.
        """
        data, content_hash = await self._call_with_photo(
            "sp.photo.upload",
            {"event_id": event_id, "album_id": album_id, "watermark_id": watermark_id},
            path_or_fileobj,
            file_name,
            on_progress,
            size,
        )
        return replace(UploadResult.from_json(data), content_hash=content_hash)

    async def photo_add_to_album(self, album_id: int, photo_id: int) -> None:
        await self.call("sp.photo.add_to_album", {"album_id": album_id, "photo_id": photo_id})

    async def photo_remove_from_album(self, album_id: int, photo_id: int) -> None:
        await self.call("sp.photo.remove_from_album", {"album_id": album_id, "photo_id": photo_id})

    async def photo_info(self, photo_id: int) -> Photo:
        data = await self.call("sp.photo.info", {"photo_id": photo_id})
        nested = data.get("photo")
        return Photo.from_json(nested if isinstance(nested, Mapping) else data)

    async def photo_delete(self, photo_id: int) -> bool:
        data = await self.call("sp.photo.delete", {"photo_id": photo_id})
        deleted = opt_bool(data, "deleted")
        return True if deleted is None else deleted

    async def photo_update(
        self,
        photo_id: int,
        path_or_fileobj: PathOrFile,
        *,
        file_name: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> UploadResult:
        """Replace a photo's image, streamed from disk (same no-resend rule as :meth:`photo_upload`)."""
        data, content_hash = await self._call_with_photo(
            "sp.photo.update", {"photo_id": photo_id}, path_or_fileobj, file_name, on_progress
        )
        return replace(UploadResult.from_json(data), content_hash=content_hash)

    # --- watermarks & covers ------------------------------------------------

    async def watermark_get_list(self, brand_id: int) -> WatermarkList:
        return WatermarkList.from_json(await self.call("sp.watermark.get_list", {"brand_id": brand_id}))

    async def cover_photo_set(
        self,
        *,
        event_id: int | None = None,
        album_id: int | None = None,
        photo_id: int | None = None,
        photo: PathOrFile | None = None,
        file_name: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> CoverPhoto:
        """Set a gallery's or album's cover from a photo in it (``photo_id``) or an uploaded JPEG (``photo``)."""
        if event_id is None and album_id is None:
            raise ValueError("cover_photo_set needs event_id or album_id")
        if (photo_id is None) == (photo is None):
            raise ValueError("cover_photo_set needs exactly one of photo_id or photo")
        params = {"event_id": event_id, "album_id": album_id, "photo_id": photo_id}
        if photo is None:
            data = await self.call("sp.cover_photo.set", params)
        else:
            data, _ = await self._call_with_photo("sp.cover_photo.set", params, photo, file_name, on_progress)
        return parse_one(data, "cover_photo", CoverPhoto.from_json)

    async def cover_photo_delete(self, *, event_id: int | None = None, album_id: int | None = None) -> None:
        if event_id is None and album_id is None:
            raise ValueError("cover_photo_delete needs event_id or album_id")
        await self.call("sp.cover_photo.delete", {"event_id": event_id, "album_id": album_id})

    # --- mobile apps --------------------------------------------------------

    async def mobile_app_get_list(
        self,
        *,
        brand_id: int | None = None,
        limit: int | None = None,
        page: int | None = None,
    ) -> Page[MobileApp]:
        data = await self.call("sp.mobile_app.get_list", {"brand_id": brand_id, "limit": limit, "page": page})
        return Page.from_json(data, "mobile_apps", MobileApp.from_json)

    async def mobile_app_get_photos(self, mobile_app_id: int) -> list[Photo]:
        """A mobile app's photos (at most 40, so one page)."""
        data = await self.call("sp.mobile_app.get_photos", {"mobile_app_id": mobile_app_id})
        return parse_list(data, "photos", Photo.from_json)

    # --- orders -------------------------------------------------------------

    async def order_get_list(
        self,
        *,
        event_id: int | None = None,
        limit: int | None = None,
        page: int | None = None,
    ) -> Page[Order]:
        data = await self.call("sp.order.get_list", {"event_id": event_id, "limit": limit, "page": page})
        return Page.from_json(data, "orders", models.Order.from_json)

    async def order_get_details(self, order_id: int) -> OrderDetails:
        data = await self.call("sp.order.get_details", {"order_id": order_id})
        return parse_one(data, "order", models.OrderDetails.from_json)

    # --- brands -------------------------------------------------------------

    async def brand_get_list(self) -> list[Brand]:
        return parse_list(await self.call("sp.brand.get_list"), "brands", Brand.from_json)

    async def brand_create(
        self,
        name: str,
        email: str,
        address: AddressInput,
        *,
        locale: str | None = None,
        phone: str | None = None,
        website: str | None = None,
    ) -> Brand:
        """Create a brand. ``address`` needs address_1, city, state or state_other, country, zip_postal."""
        data = await self.call(
            "sp.brand.create",
            {
                "name": name,
                "email": email,
                "locale": locale,
                "phone": phone,
                "website": website,
                "address": _address(address),
            },
        )
        return parse_one(data, "brand", Brand.from_json)

    async def brand_info(self, brand_id: int) -> Brand:
        return parse_one(await self.call("sp.brand.info", {"brand_id": brand_id}), "brand", Brand.from_json)

    async def brand_get_event_defaults(self, brand_id: int) -> list[EventDefault]:
        data = await self.call("sp.brand.get_event_defaults", {"brand_id": brand_id})
        return parse_list(data, "event_defaults", EventDefault.from_json)

    async def brand_get_event_tree(self, brand_id: int) -> EventTree:
        """All of a brand's events with their nested albums, in one call."""
        data = await self.call("sp.brand.get_event_tree", {"brand_id": brand_id})
        if "events" not in data:
            raise BadResponseError(
                "The server's answer is incomplete: the list 'events' is missing.", method="sp.brand.get_event_tree"
            )
        return EventTree.from_json(data, brand_id=int(brand_id))

    # --- contacts -----------------------------------------------------------

    async def contact_info(
        self,
        *,
        contact_id: int | None = None,
        contact_email: str | None = None,
        brand_id: int | None = None,
    ) -> list[Contact]:
        """Contacts by id or email (an email may match one contact per brand)."""
        if contact_id is None and not contact_email:
            raise ValueError("contact_info needs contact_id or contact_email")
        data = await self.call(
            "sp.contact.info",
            {
                "contact_id": contact_id,
                "contact_email": contact_email,
                "brand_id": brand_id,
            },
        )
        value = data.get("contact", data.get("contacts"))
        if isinstance(value, Mapping):
            return [models.Contact.from_json(value)]
        if isinstance(value, list):
            return [models.Contact.from_json(item) for item in value]
        raise BadResponseError("The server's answer is incomplete: 'contact' is missing.", method="sp.contact.info")

    def _contact_params(self, **fields: Any) -> dict[str, Any]:
        fields["tags"] = _tags(fields.get("tags"))
        fields["address"] = _address(fields.get("address"))
        return fields

    @staticmethod
    def _saved_contact(method: str, data: Mapping[str, Any]) -> Contact:
        contact = data.get("contact")
        if isinstance(contact, Mapping) and contact.get("errors") and contact.get("id") is None:
            raise ValidationError(
                str(data.get("msg") or "The contact was not saved."),
                method=method,
                validation_errors=field_errors(contact.get("errors")),
            )
        return parse_one(data, "contact", models.Contact.from_json)

    async def contact_create(
        self,
        brand_id: int,
        first_name: str,
        email: str,
        *,
        last_name: str | None = None,
        phone: str | None = None,
        business_name: str | None = None,
        notes: str | None = None,
        third_party_id: str | None = None,
        tags: Sequence[str] | str | None = None,
        address: AddressInput | None = None,
    ) -> Contact:
        data = await self.call(
            "sp.contact.create",
            self._contact_params(
                brand_id=brand_id,
                first_name=first_name,
                last_name=last_name,
                email=email,
                phone=phone,
                business_name=business_name,
                notes=notes,
                third_party_id=third_party_id,
                tags=tags,
                address=address,
            ),
        )
        return self._saved_contact("sp.contact.create", data)

    async def contact_update(
        self,
        contact_id: int,
        brand_id: int,
        first_name: str,
        email: str,
        *,
        last_name: str | None = None,
        phone: str | None = None,
        business_name: str | None = None,
        notes: str | None = None,
        third_party_id: str | None = None,
        tags: Sequence[str] | str | None = None,
        address: AddressInput | None = None,
    ) -> Contact:
        data = await self.call(
            "sp.contact.update",
            self._contact_params(
                contact_id=contact_id,
                brand_id=brand_id,
                first_name=first_name,
                last_name=last_name,
                email=email,
                phone=phone,
                business_name=business_name,
                notes=notes,
                third_party_id=third_party_id,
                tags=tags,
                address=address,
            ),
        )
        return self._saved_contact("sp.contact.update", data)

    async def contact_delete(self, contact_id: int) -> int:
        data = await self.call("sp.contact.delete", {"contact_id": contact_id})
        deleted = opt_int(data, "contact_id", "contact")
        return deleted if deleted is not None else int(contact_id)

    async def contact_bulk_create(self, contacts: Sequence[Mapping[str, Any]]) -> BulkContactResult:
        """Create up to 50 contacts in one call; rejected rows come back in ``errors`` by index.

        Each row takes the keys of :meth:`contact_create` (``brand_id``,
        ``first_name``, ``email``, ...; ``tags`` as a list or a comma string).
        """
        if len(contacts) > MAX_BULK_CONTACTS:
            raise ValueError(f"ShootProof takes at most {MAX_BULK_CONTACTS} contacts per request, not {len(contacts)}")
        rows = [self._contact_params(**dict(row)) for row in contacts]
        return models.BulkContactResult.from_json(await self.call("sp.contact.bulk_create", {"contacts": rows}))

    async def contact_get_event_list(self, contact_id: int) -> list[Event]:
        data = await self.call("sp.contact.get_event_list", {"contact_id": contact_id})
        return parse_list(data, "events", Event.from_json)

    # --- invoices -----------------------------------------------------------

    async def invoice_get_list(
        self,
        *,
        brand_id: int | None = None,
        limit: int | None = None,
        page: int | None = None,
    ) -> Page[Invoice]:
        data = await self.call("sp.invoice.get_list", {"brand_id": brand_id, "limit": limit, "page": page})
        return Page.from_json(data, "invoices", models.Invoice.from_json)

    async def invoice_info(self, invoice_id: int) -> Invoice:
        return parse_one(
            await self.call("sp.invoice.info", {"invoice_id": invoice_id}), "invoice", models.Invoice.from_json
        )

    # --- every page of the paginated lists ----------------------------------

    async def _walk(
        self,
        fetch: Callable[[int, int | None], Awaitable[Page[T]]],
        limit: int | None,
    ) -> AsyncIterator[T]:
        """Every item of a paginated list, ``limit`` a page.

        A server that refuses the page size (a validation error on ``limit``) is
        asked again with smaller pages, from where the walk had got to; the size
        it took is remembered for later walks.
        """
        if limit is not None and self._page_cap is not None:
            limit = min(limit, self._page_cap)
        page_number, skip, done = 1, 0, 0
        while True:
            try:
                page = await fetch(page_number, limit)
            except ValidationError as exc:
                smaller = _smaller_page(limit, exc)
                if smaller is _Smaller.NONE or (smaller is None and done):
                    raise
                log.warning("the server refused pages of %s; asking for pages of %s", limit, smaller or "its default")
                limit = smaller
                if smaller is not None:
                    self._page_cap = smaller
                page_number, skip = (done // smaller + 1, done % smaller) if smaller else (1, 0)
                continue
            for item in page.items[skip:]:
                done += 1
                yield item
            skip = 0
            # Stop on the last page, and on an empty one whatever the totals claim.
            if not page.items or page_number >= page.total_pages:
                return
            page_number += 1

    def iter_events(
        self,
        *,
        brand_id: int | None = None,
        include_archived: bool | None = None,
        order_by: str | None = None,
        order_by_descending: bool | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[Event]:
        return self._walk(
            lambda page, size: self.event_get_list(
                brand_id=brand_id,
                include_archived=include_archived,
                order_by=order_by,
                order_by_descending=order_by_descending,
                limit=size,
                page=page,
            ),
            limit,
        )

    def iter_event_photos(self, event_id: int, *, limit: int | None = None) -> AsyncIterator[Photo]:
        return self._walk(lambda page, size: self.event_get_photos(event_id, page=page, limit=size), limit)

    def iter_album_photos(self, album_id: int, *, limit: int | None = None) -> AsyncIterator[Photo]:
        return self._walk(lambda page, size: self.album_get_photos(album_id, page=page, limit=size), limit)

    def iter_orders(self, *, event_id: int | None = None, limit: int | None = None) -> AsyncIterator[Order]:
        return self._walk(lambda page, size: self.order_get_list(event_id=event_id, limit=size, page=page), limit)

    def iter_invoices(self, *, brand_id: int | None = None, limit: int | None = None) -> AsyncIterator[Invoice]:
        return self._walk(lambda page, size: self.invoice_get_list(brand_id=brand_id, limit=size, page=page), limit)

    def iter_mobile_apps(self, *, brand_id: int | None = None, limit: int | None = None) -> AsyncIterator[MobileApp]:
        return self._walk(lambda page, size: self.mobile_app_get_list(brand_id=brand_id, limit=size, page=page), limit)


class _Smaller(enum.Enum):
    NONE = enum.auto()  # no smaller page size to try


def _smaller_page(limit: int | None, exc: ValidationError) -> int | Literal[_Smaller.NONE] | None:
    """The next page size to try after ``exc`` refused ``limit`` (None: the server's default), or _Smaller.NONE."""
    about_limit = "limit" in exc.validation_errors or (not exc.validation_errors and "limit" in exc.msg.lower())
    if limit is None or not about_limit:
        return _Smaller.NONE
    return next((size for size in SHOOTPROOF_PAGE_SIZES if size < limit), None)


__all__ = [
    "ACCESS_LEVELS",
    "METHODS",
    "WRITE_METHODS",
    "RetryPolicy",
    "ShootProofClient",
    "StaticToken",
    "TokenProvider",
]
