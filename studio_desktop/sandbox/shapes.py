"""The JSON objects the API returns, built from rows, and the lookups that 404.

Each method returns exactly the properties the reference lists for it (the
event object, for one, differs between ``get_list``, ``info`` and the write
methods), so a client that reads a property a method does not document fails
here first rather than against the real service.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from studio_desktop.sandbox.registry import Call, not_found
from studio_desktop.sandbox.renditions import PHOTO_URL_SIZES
from studio_desktop.sandbox.signing import Signer

EVENT_LIST_FIELDS = (
    "id",
    "brand_id",
    "name",
    "password",
    "category_id",
    "is_archived",
    "status",
    "view_url",
    "created",
    "event_date",
    "release_date",
    "gallery_expiration_date",
    "contact_id",
    "last_updated",
    "cover_photo",
    "photo_count",
)
EVENT_INFO_FIELDS = tuple(f for f in EVENT_LIST_FIELDS if f != "last_updated")
EVENT_WRITE_FIELDS = (
    "id",
    "name",
    "password",
    "category_id",
    "status",
    "view_url",
    "created",
    "event_date",
    "release_date",
    "gallery_expiration_date",
    "contact_id",
    "brand_id",
    "url_slug",
    "cover_photo",
    "photo_count",
)
EVENT_TREE_FIELDS = (
    "id",
    "brand_id",
    "name",
    "password",
    "category_id",
    "status",
    "view_url",
    "created",
    "event_date",
    "release_date",
    "gallery_expiration_date",
    "contact_id",
    "cover_photo",
    "photo_count",
)
CONTACT_EVENT_FIELDS = (
    "id",
    "brand_id",
    "name",
    "password",
    "category_id",
    "status",
    "view_url",
    "created",
    "event_date",
    "release_date",
    "gallery_expiration_date",
    "contact_id",
    "cover_photo",
)

EVENT_SELECT = (
    "SELECT e.*, cp.version AS cover_photo_version FROM events e LEFT JOIN photos cp ON cp.id = e.cover_photo_id"
)
ALBUM_SELECT = (
    "SELECT a.*, cp.version AS cover_photo_version FROM albums a LEFT JOIN photos cp ON cp.id = a.cover_photo_id"
)
CONTACT_SELECT = "SELECT ct.*, b.name AS brand_name FROM contacts ct JOIN brands b ON b.id = ct.brand_id"


class Urls:
    """Absolute, signed URLs on the sandbox itself, so every link a client gets can be followed.

    A photo's or cover's version is part of the path, so a replaced photo gets a new URL
    (clients cache by URL without its query string, which holds the signature).
    """

    def __init__(self, base: str, signer: Signer):
        self.base = base.rstrip("/")
        self.signer = signer

    def _signed(self, path: str) -> str:
        return f"{self.base}{path}?{self.signer.link_query(path)}"

    def photo_size(self, photo_id: int, version: int, size: str) -> str:
        return self._signed(f"/media/photos/{photo_id}/v{version}/{size}.jpg")

    def photo(self, photo_id: int, version: int, sizes: tuple[str, ...] = PHOTO_URL_SIZES) -> dict[str, str]:
        return {size: self.photo_size(photo_id, version, size) for size in sizes}

    def cover(self, kind: str, owner_id: int, version: int, size: str) -> str:
        return self._signed(f"/media/covers/{kind}/{owner_id}/v{version}/{size}.jpg")

    @staticmethod
    def gallery_path(event: sqlite3.Row) -> str:
        return f"/gallery/{quote(event['url_slug'] or str(event['id']))}"

    def gallery(self, event: sqlite3.Row) -> str:
        return self._signed(self.gallery_path(event))

    def album(self, event: sqlite3.Row, album_id: int) -> str:
        return self._signed(f"{self.gallery_path(event)}/albums/{album_id}")

    def homepage(self, brand: sqlite3.Row | None = None) -> str:
        return self._signed("/" if brand is None else f"/brands/{brand['id']}")


def event_status(row: sqlite3.Row) -> str:
    return "Archived" if row["is_archived"] else row["status"]


def cover_photo(kind: str, row: sqlite3.Row, urls: Urls) -> dict[str, Any] | None:
    if row["cover_photo_id"] is not None:
        version = row["cover_photo_version"] or 1
        return {
            "id": row["cover_photo_id"],
            "large": urls.photo_size(row["cover_photo_id"], version, "large"),
            "x_large": urls.photo_size(row["cover_photo_id"], version, "x_large"),
        }
    if row["cover_version"]:
        return {
            "id": None,
            "large": urls.cover(kind, row["id"], row["cover_version"], "l"),
            "x_large": urls.cover(kind, row["id"], row["cover_version"], "xl"),
        }
    return None


def event_json(row: sqlite3.Row, urls: Urls, fields: tuple[str, ...]) -> dict[str, Any]:
    everything = {
        "id": row["id"],
        "brand_id": row["brand_id"],
        "name": row["name"],
        "password": row["password"] or None,
        "category_id": row["category_id"],
        "is_archived": bool(row["is_archived"]),
        "status": event_status(row),
        "view_url": urls.gallery(row),
        "created": row["created"],
        "event_date": row["event_date"],
        "release_date": row["release_date"],
        "gallery_expiration_date": row["gallery_expiration_date"],
        "contact_id": row["contact_id"],
        "last_updated": row["last_updated"],
        "url_slug": row["url_slug"],
        "cover_photo": cover_photo("event", row, urls),
        "photo_count": row["photo_count"],
    }
    return {name: everything[name] for name in fields}


def photo_json(row: sqlite3.Row, urls: Urls) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "mime_type": row["mime_type"],
        "width": row["width"],
        "height": row["height"],
        "url": urls.photo(row["id"], row["version"]),
    }


def photos_page(
    call: Call, owner_row: Callable[[sqlite3.Connection, int], sqlite3.Row], column: str, owner_id: int
) -> dict[str, Any]:
    """``get_photos`` of an event (``column`` "event_id") or an album ("album_id"): one page, oldest first."""
    paging = call.paging()
    with call.state.db.read() as c:
        owner = owner_row(c, owner_id)
        rows = c.execute(
            f"SELECT * FROM photos WHERE {column} = ? ORDER BY seq LIMIT ? OFFSET ?",
            (owner_id, paging.limit, paging.offset),
        ).fetchall()
    photos = [photo_json(row, call.urls) for row in rows]
    return {"photos": photos, **paging.fields(owner["photo_count"], len(photos))}


def album_cover_url(row: sqlite3.Row, urls: Urls) -> str | None:
    cover = cover_photo("album", row, urls)
    return cover["large"] if cover else None


def album_json(row: sqlite3.Row, urls: Urls) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "password": row["password"] or None,
        "display_order": row["display_order"],
        "parent_id": row["parent_id"],
        "cover_photo_url": album_cover_url(row, urls),
        "photo_count": row["photo_count"],
    }


def album_trees(
    c: sqlite3.Connection, event_ids: list[int], urls: Urls, *, brief: bool
) -> dict[int, list[dict[str, Any]]]:
    """Albums of these events as nested ``sub_albums`` trees, keyed by event ID.

    ``brief`` gives the ``get_event_tree`` shape (id, name, sub_albums only).
    """
    if not event_ids:
        return {}
    rows: list[sqlite3.Row] = []
    for start in range(0, len(event_ids), 500):
        chunk = event_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows += c.execute(
            f"{ALBUM_SELECT} WHERE a.event_id IN ({marks}) ORDER BY a.display_order, a.id", chunk
        ).fetchall()
    children: dict[int | None, list[sqlite3.Row]] = defaultdict(list)
    for row in rows:
        children[row["parent_id"]].append(row)

    def build(row: sqlite3.Row) -> dict[str, Any]:
        node = {"id": row["id"], "name": row["name"]} if brief else album_json(row, urls)
        node["sub_albums"] = [build(child) for child in children.get(row["id"], [])]
        return node

    trees: dict[int, list[dict[str, Any]]] = {event_id: [] for event_id in event_ids}
    for row in children.get(None, []):
        trees[row["event_id"]].append(build(row))
    return trees


def contact_address(row: sqlite3.Row) -> dict[str, Any] | None:
    if row["address_id"] is None:
        return None
    return {
        "street_line_1": row["street_line_1"],
        "street_line_2": row["street_line_2"],
        "city": row["city"],
        "state_province": row["state_province"],
        "postal_code": row["postal_code"],
        "country": row["country"],
        "id": row["address_id"],
    }


def contact_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "email": row["email"],
        "phone": row["phone"],
        "business_name": row["business_name"],
        "notes": row["notes"],
        "third_party_id": row["third_party_id"],
        "brand_id": row["brand_id"],
        "brand_name": row["brand_name"],
        "address": contact_address(row),
        "tags": json.loads(row["tags"]),
    }


def event_row(c: sqlite3.Connection, event_id: int) -> sqlite3.Row:
    row: sqlite3.Row | None = c.execute(f"{EVENT_SELECT} WHERE e.id = ?", (event_id,)).fetchone()
    if row is None:
        raise not_found("Event", event_id)
    return row


def album_row(c: sqlite3.Connection, album_id: int) -> sqlite3.Row:
    row: sqlite3.Row | None = c.execute(f"{ALBUM_SELECT} WHERE a.id = ?", (album_id,)).fetchone()
    if row is None:
        raise not_found("Album", album_id)
    return row


def photo_row(c: sqlite3.Connection, photo_id: int) -> sqlite3.Row:
    row: sqlite3.Row | None = c.execute("SELECT * FROM photos WHERE id = ?", (photo_id,)).fetchone()
    if row is None:
        raise not_found("Photo", photo_id)
    return row


def brand_row(c: sqlite3.Connection, brand_id: int) -> sqlite3.Row:
    row: sqlite3.Row | None = c.execute("SELECT * FROM brands WHERE id = ? AND is_active = 1", (brand_id,)).fetchone()
    if row is None:
        raise not_found("Brand", brand_id)
    return row


def contact_row(c: sqlite3.Connection, contact_id: int) -> sqlite3.Row:
    row: sqlite3.Row | None = c.execute(f"{CONTACT_SELECT} WHERE ct.id = ?", (contact_id,)).fetchone()
    if row is None:
        raise not_found("Contact", contact_id)
    return row


def default_brand_id(c: sqlite3.Connection) -> int:
    brand_id: int = c.execute("SELECT id FROM brands WHERE is_default = 1 ORDER BY id LIMIT 1").fetchone()[0]
    return brand_id


def plan_usage(c: sqlite3.Connection) -> tuple[int, int | None]:
    row = c.execute("SELECT photos_used, photos_allowed FROM studio WHERE id = 1").fetchone()
    return row["photos_used"], row["photos_allowed"]
