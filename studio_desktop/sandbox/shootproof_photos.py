"""``sp.photo.*`` and ``sp.cover_photo.*``.

An upload is stored the way a real ingest would: the streamed file is moved into
place and its row recorded in one transaction, after reading only the JPEG
header (width, height, orientation). Pixels are touched later, on demand.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any, Literal, overload

from studio_desktop.sandbox.db import new_photo_key
from studio_desktop.sandbox.params import IncomingFile
from studio_desktop.sandbox.registry import ApiFail, Call, api_method, invalid, invalid_fields
from studio_desktop.sandbox.renditions import NotAnImage, jpeg_dimensions
from studio_desktop.sandbox.shapes import album_row, event_row, photo_json, photo_row, plan_usage
from studio_desktop.sandbox.shootproof_events import touch_event
from studio_desktop.sandbox.state import PLAN_TIERS, UNLIMITED_PLAN

MAX_NAME = 255


@overload
def _incoming_photo(call: Call, field: str = ..., *, required: Literal[True] = ...) -> IncomingFile: ...
@overload
def _incoming_photo(call: Call, field: str = ..., *, required: bool) -> IncomingFile | None: ...


def _incoming_photo(call: Call, field: str = "photo", *, required: bool = True) -> IncomingFile | None:
    incoming = call.files.get(field)
    if incoming is None or (incoming.size == 0 and not incoming.filename):
        if not required:
            return None
        raise invalid(field, f'The {field} parameter is required: send the JPEG file as the multipart field "{field}".')
    if incoming.too_large:
        limit = call.state.max_upload_bytes // (1024 * 1024)
        raise invalid(field, f"The photo is larger than the {limit} MB limit.")
    return incoming


def _dimensions(incoming: IncomingFile, field: str = "photo") -> tuple[int, int]:
    if incoming.size == 0:
        raise invalid(field, "not a valid image: the file is empty")
    try:
        return jpeg_dimensions(incoming.path, incoming.head)
    except NotAnImage as exc:
        raise invalid(field, str(exc)) from None


def _photo_name(incoming: IncomingFile) -> str:
    name = incoming.filename
    if not name:
        raise invalid("photo", "The photo has no file name: send it as the multipart file name.")
    if len(name) > MAX_NAME:
        raise invalid("photo", f"The photo's file name can be at most {MAX_NAME} characters long.")
    return name


def _watermark(c: sqlite3.Connection, call: Call, brand_id: int) -> int | None:
    raw = (call.text("watermark_id") or "").strip()
    if raw.lower() == "no":
        return None
    if not raw:
        brand = c.execute("SELECT watermark_new_uploads FROM brands WHERE id = ?", (brand_id,)).fetchone()
        if not brand["watermark_new_uploads"]:
            return None
        row = c.execute(
            "SELECT id FROM watermarks WHERE brand_id = ? ORDER BY is_default DESC, id LIMIT 1", (brand_id,)
        ).fetchone()
        return row[0] if row else None
    watermark_id = call.opt_int("watermark_id")
    if not c.execute("SELECT 1 FROM watermarks WHERE id = ? AND brand_id = ?", (watermark_id, brand_id)).fetchone():
        raise invalid(
            "watermark_id", f'There is no watermark with ID {watermark_id} in this event\'s brand; pass "no" for none.'
        )
    return watermark_id


def _take_plan_slot(c: sqlite3.Connection, call: Call) -> None:
    used, allowed = plan_usage(c)
    if allowed is None or used < allowed:
        return
    if call.token.may_upgrade():
        for size, name in PLAN_TIERS:
            if size > allowed:
                c.execute("UPDATE studio SET photos_allowed = ?, plan_type = ? WHERE id = 1", (size, name))
                return
        c.execute("UPDATE studio SET photos_allowed = NULL, plan_type = ? WHERE id = 1", (UNLIMITED_PLAN,))
        return
    raise ApiFail(
        400,
        f"Your plan allows {allowed} photos and all are used: upgrade your plan or delete photos.",
        code="limit_reached",
    )


def _usage(c: sqlite3.Connection) -> dict[str, Any]:
    used, allowed = plan_usage(c)
    return {"photos_allowed": allowed, "photos_used": used}


@api_method("sp.photo.upload", required=("event_id",), post_only=True)
def photo_upload(call: Call) -> dict[str, Any]:
    event_id = call.int("event_id")
    album_id = call.opt_int("album_id")
    incoming = _incoming_photo(call)
    name = _photo_name(incoming)
    width, height = _dimensions(incoming)
    storage = call.state.storage
    with call.state.db.tx() as c:
        event = event_row(c, event_id)
        if album_id is not None and album_row(c, album_id)["event_id"] != event_id:
            raise invalid("album_id", f"Album {album_id} is not in event {event_id}.")
        watermark_id = _watermark(c, call, event["brand_id"])
        _take_plan_slot(c, call)
        now = call.state.clock.stamp()
        photo_id, seq = new_photo_key(c)
        c.execute(
            "INSERT INTO photos (id, seq, event_id, album_id, name, width, height, size, watermark_id, created) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (photo_id, seq, event_id, album_id, name, width, height, incoming.size, watermark_id, now),
        )
        storage.keep_photo(photo_id, incoming.path)
        touch_event(c, event_id, now)
        return {"photo_id": photo_id, **_usage(c)}


@api_method("sp.photo.update", required=("photo_id",), post_only=True)
def photo_update(call: Call) -> dict[str, Any]:
    photo_id = call.int("photo_id")
    incoming = _incoming_photo(call)
    width, height = _dimensions(incoming)
    storage = call.state.storage
    with call.state.db.tx() as c:
        photo = photo_row(c, photo_id)
        c.execute(
            "UPDATE photos SET width = ?, height = ?, size = ?, version = version + 1, generated = 0 WHERE id = ?",
            (width, height, incoming.size, photo_id),
        )
        storage.keep_photo(photo_id, incoming.path)
        touch_event(c, photo["event_id"], call.state.clock.stamp())
        result = {"photo_id": photo_id, **_usage(c)}
    storage.forget_renditions(photo_id)
    return result


@api_method("sp.photo.add_to_album", required=("album_id", "photo_id"))
def photo_add_to_album(call: Call) -> dict[str, Any]:
    album_id = call.int("album_id")
    photo_id = call.int("photo_id")
    with call.state.db.tx() as c:
        album = album_row(c, album_id)
        photo = photo_row(c, photo_id)
        if photo["event_id"] != album["event_id"]:
            raise invalid("album_id", f"Album {album_id} is not in the event of photo {photo_id}.")
        c.execute("UPDATE photos SET album_id = ? WHERE id = ?", (album_id, photo_id))
        touch_event(c, photo["event_id"], call.state.clock.stamp())
    return {}


@api_method("sp.photo.remove_from_album", required=("album_id", "photo_id"))
def photo_remove_from_album(call: Call) -> dict[str, Any]:
    album_id = call.int("album_id")
    photo_id = call.int("photo_id")
    with call.state.db.tx() as c:
        album_row(c, album_id)
        photo = photo_row(c, photo_id)
        if photo["album_id"] != album_id:
            raise invalid("photo_id", f"Photo {photo_id} is not in album {album_id}.")
        c.execute("UPDATE photos SET album_id = NULL WHERE id = ?", (photo_id,))
        touch_event(c, photo["event_id"], call.state.clock.stamp())
    return {}


@api_method("sp.photo.info", required=("photo_id",))
def photo_info(call: Call) -> dict[str, Any]:
    with call.state.db.read() as c:
        row = photo_row(c, call.int("photo_id"))
    return photo_json(row, call.urls)


@api_method("sp.photo.delete", required=("photo_id",))
def photo_delete(call: Call) -> dict[str, Any]:
    photo_id = call.int("photo_id")
    with call.state.db.tx() as c:
        photo = photo_row(c, photo_id)
        c.execute("DELETE FROM photos WHERE id = ?", (photo_id,))
        touch_event(c, photo["event_id"], call.state.clock.stamp())
    call.state.storage.forget_photo(photo_id)
    return {"deleted": True, "photo_id": photo_id}


def _cover_target(call: Call, c: sqlite3.Connection) -> tuple[str, sqlite3.Row, int]:
    """("event" | "album", its row, the event ID) of the gallery or album named."""
    event_id = call.opt_int("event_id")
    album_id = call.opt_int("album_id")
    if album_id is not None:
        album = album_row(c, album_id)
        if event_id is not None and album["event_id"] != event_id:
            raise invalid("album_id", f"Album {album_id} is not in event {event_id}.")
        return "album", album, album["event_id"]
    if event_id is not None:
        return "event", event_row(c, event_id), event_id
    message = "Either event_id or album_id is required."
    raise invalid_fields({"event_id": [message], "album_id": [message]}, message)


@api_method("sp.cover_photo.set", post_only=True)
def cover_photo_set(call: Call) -> dict[str, Any]:
    photo_id = call.opt_int("photo_id")
    incoming = _incoming_photo(call, required=False)
    if photo_id is None and incoming is None:
        message = "Either photo_id or a photo file is required."
        raise invalid_fields({"photo_id": [message], "photo": [message]}, message)
    if incoming is not None and photo_id is None:
        _dimensions(incoming)
    storage = call.state.storage
    with call.state.db.tx() as c:
        kind, target, event_id = _cover_target(call, c)
        table = "events" if kind == "event" else "albums"
        if photo_id is not None:
            photo = photo_row(c, photo_id)
            if photo["event_id"] != event_id:
                raise invalid("photo_id", f"Photo {photo_id} is not in this gallery.")
            c.execute(
                f"UPDATE {table} SET cover_photo_id = ?, cover_version = NULL WHERE id = ?", (photo_id, target["id"])
            )
            version = None
            sizes = {
                "l": call.urls.photo_size(photo_id, photo["version"], "large"),
                "xl": call.urls.photo_size(photo_id, photo["version"], "x_large"),
            }
        else:
            assert incoming is not None  # no photo_id and no file was refused above
            version = (target["cover_version"] or 0) + 1
            os.replace(incoming.path, storage.cover_path(kind, target["id"], version))
            c.execute(
                f"UPDATE {table} SET cover_photo_id = NULL, cover_version = ? WHERE id = ?", (version, target["id"])
            )
            sizes = {size: call.urls.cover(kind, target["id"], version, size) for size in ("l", "xl")}
        touch_event(c, event_id, call.state.clock.stamp())
    storage.forget_cover(kind, target["id"], keep_version=None if photo_id is not None else version)
    return {"cover_photo": {"sizes": sizes}}


@api_method("sp.cover_photo.delete", post_only=True)
def cover_photo_delete(call: Call) -> dict[str, Any]:
    with call.state.db.tx() as c:
        kind, target, event_id = _cover_target(call, c)
        table = "events" if kind == "event" else "albums"
        c.execute(f"UPDATE {table} SET cover_photo_id = NULL, cover_version = NULL WHERE id = ?", (target["id"],))
        touch_event(c, event_id, call.state.clock.stamp())
    call.state.storage.forget_cover(kind, target["id"])
    return {}
