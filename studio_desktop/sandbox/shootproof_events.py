"""``sp.event.*``: galleries, their settings, photos, visitors and invited emails."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from typing import Any

from studio_desktop.core.store import inserted_id
from studio_desktop.sandbox.registry import ApiFail, Call, api_method, invalid, invalid_fields
from studio_desktop.sandbox.shapes import (
    EVENT_INFO_FIELDS,
    EVENT_LIST_FIELDS,
    EVENT_SELECT,
    EVENT_WRITE_FIELDS,
    album_row,
    event_json,
    event_row,
    photo_json,
    photos_page,
)
from studio_desktop.sandbox.shootproof_studio import require_brand
from studio_desktop.sandbox.validate import API_DATETIME, datetime_error, is_email, slug_error

ACCESS_LEVELS = ("public_no_password", "public_password", "private_no_password", "private_password")


def touch_event(c: sqlite3.Connection, event_id: int, stamp: str) -> None:
    c.execute("UPDATE events SET last_updated = ? WHERE id = ?", (stamp, event_id))


def _written(call: Call, c: sqlite3.Connection, event_id: int) -> dict[str, Any]:
    return {"event": event_json(event_row(c, event_id), call.urls, EVENT_WRITE_FIELDS)}


def _check_slug(c: sqlite3.Connection, slug: str, event_id: int | None) -> None:
    if problem := slug_error(slug):
        raise invalid("url_slug", problem)
    taken = c.execute("SELECT id FROM events WHERE url_slug = ? AND id IS NOT ?", (slug, event_id)).fetchone()
    if taken:
        message = f'The url_slug "{slug}" is already used by another event; choose another.'
        raise ApiFail(409, message, validation_errors={"url_slug": [message]})


def _check_contact(c: sqlite3.Connection, contact_id: int, brand_id: int) -> None:
    row = c.execute("SELECT brand_id FROM contacts WHERE id = ?", (contact_id,)).fetchone()
    default_brand = c.execute("SELECT id FROM brands WHERE is_default = 1").fetchone()[0]
    if row is None or row["brand_id"] not in (brand_id, default_brand):
        raise invalid("contact_id", f"There is no contact with ID {contact_id} in this event's brand.")


def _check_date(call: Call, name: str) -> str | None:
    value = (call.text(name) or "").strip()
    if not value:
        return None
    if problem := datetime_error(value):
        raise invalid(name, problem)
    return value


@api_method("sp.event.get_list")
def event_get_list(call: Call) -> dict[str, Any]:
    paging = call.paging()
    brand_id = call.opt_int("brand_id")
    include_archived = call.flag("include_archived")
    order_by = (call.text("order_by") or "").strip()
    if order_by not in ("", "name", "last_updated"):
        raise invalid("order_by", 'The order_by parameter must be "name" or "last_updated".')
    descending = call.flag("order_by_descending")
    if order_by == "name":
        order = f"e.name COLLATE NOCASE {'DESC' if descending else 'ASC'}, e.id"
    elif order_by == "last_updated":
        order = f"e.last_updated {'DESC' if descending else 'ASC'}, e.id"
    else:
        order = f"e.created {'ASC' if descending else 'DESC'}, e.id {'ASC' if descending else 'DESC'}"
    where = "WHERE (? IS NULL OR e.brand_id = ?) AND (? OR e.is_archived = 0)"
    args = (brand_id, brand_id, include_archived)
    with call.state.db.read() as c:
        if brand_id is not None:
            require_brand(c, brand_id)
        total = c.execute(f"SELECT COUNT(*) FROM events e {where}", args).fetchone()[0]
        rows = c.execute(
            f"{EVENT_SELECT} {where} ORDER BY {order} LIMIT ? OFFSET ?", (*args, paging.limit, paging.offset)
        ).fetchall()
    events = [event_json(row, call.urls, EVENT_LIST_FIELDS) for row in rows]
    return {"events": events, **paging.fields(total, len(events))}


@api_method("sp.event.info", required=("event_id",))
def event_info(call: Call) -> dict[str, Any]:
    with call.state.db.read() as c:
        row = event_row(c, call.int("event_id"))
    return {"event": event_json(row, call.urls, EVENT_INFO_FIELDS)}


@api_method("sp.event.create", required=("event_name",))
def event_create(call: Call) -> dict[str, Any]:
    name = call.required_name("event_name", "event name")
    event_date = _check_date(call, "event_date")
    slug = (call.text("url_slug") or "").strip() or None
    contact_id = call.opt_int("contact_id")
    defaults_id = call.opt_int("brand_event_default_id")
    archive = (call.text("archive") or "0").strip()
    if archive not in ("0", "1"):
        raise invalid("archive", "The archive parameter must be 1 or 0.")
    now = call.state.clock.stamp()
    with call.state.db.tx() as c:
        brand_id = call.opt_int("brand_id")
        if brand_id is None:
            brand_id = c.execute("SELECT id FROM brands WHERE is_default = 1").fetchone()[0]
        require_brand(c, brand_id)
        if defaults_id is None:
            defaults = c.execute(
                "SELECT * FROM event_defaults WHERE brand_id = ? ORDER BY is_default DESC, id LIMIT 1", (brand_id,)
            ).fetchone()
        else:
            defaults = c.execute(
                "SELECT * FROM event_defaults WHERE id = ? AND brand_id = ?", (defaults_id, brand_id)
            ).fetchone()
            if defaults is None:
                raise invalid(
                    "brand_event_default_id", f"There are no event defaults with ID {defaults_id} in brand {brand_id}."
                )
        if contact_id is not None:
            _check_contact(c, contact_id, brand_id)
        if slug is not None:
            _check_slug(c, slug, None)
        expiration = None
        access_level, password, category_id = "private_no_password", None, None
        if defaults is not None:
            access_level = defaults["access_level"] or access_level
            password = defaults["password"]
            category_id = defaults["category_id"]
            if defaults["expiration_days"]:
                expires = datetime.strptime(now, API_DATETIME) + timedelta(days=defaults["expiration_days"])
                expiration = expires.strftime(API_DATETIME)
        cur = c.execute(
            "INSERT INTO events (brand_id, name, password, access_level, category_id, is_archived, url_slug, "
            "created, event_date, gallery_expiration_date, contact_id, last_updated, brand_event_default_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                brand_id,
                name,
                password,
                access_level,
                category_id,
                int(archive),
                slug,
                now,
                event_date,
                expiration,
                contact_id,
                now,
                defaults["id"] if defaults else None,
            ),
        )
        return _written(call, c, inserted_id(cur))


@api_method("sp.event.update", required=("event_id",))
def event_update(call: Call) -> dict[str, Any]:
    event_id = call.int("event_id")
    with call.state.db.tx() as c:
        event = event_row(c, event_id)
        changes: dict[str, object] = {}
        if call.has("event_name"):
            changes["name"] = call.required_name("event_name", "event name")
        if call.has("event_date"):
            changes["event_date"] = _check_date(call, "event_date")
        if call.has("contact_id"):
            contact_id = call.opt_int("contact_id")
            if contact_id is not None:
                _check_contact(c, contact_id, event["brand_id"])
            changes["contact_id"] = contact_id
        if call.has("url_slug"):
            slug = (call.text("url_slug") or "").strip() or None
            if slug is not None:
                _check_slug(c, slug, event_id)
            changes["url_slug"] = slug
        if changes:
            assignments = ", ".join(f"{column} = ?" for column in changes)
            c.execute(
                f"UPDATE events SET {assignments}, last_updated = ? WHERE id = ?",
                (*changes.values(), call.state.clock.stamp(), event_id),
            )
        return _written(call, c, event_id)


@api_method("sp.event.delete", required=("event_id",))
def event_delete(call: Call) -> dict[str, Any]:
    event_id = call.int("event_id")
    with call.state.db.tx() as c:
        event = event_row(c, event_id)
        if call.flag("only_empty") and event["photo_count"] > 0:
            raise ApiFail(
                400,
                f"The event is not empty: it holds {event['photo_count']} photos.",
                validation_errors={"only_empty": ["The event still holds photos."]},
            )
        photo_ids = [r[0] for r in c.execute("SELECT id FROM photos WHERE event_id = ?", (event_id,))]
        album_ids = [r[0] for r in c.execute("SELECT id FROM albums WHERE event_id = ?", (event_id,))]
        c.execute("DELETE FROM events WHERE id = ?", (event_id,))
    storage = call.state.storage
    for photo_id in photo_ids:
        storage.forget_photo(photo_id)
    storage.forget_cover("event", event_id)
    for album_id in album_ids:
        storage.forget_cover("album", album_id)
    return {"event": {"id": event_id}}


@api_method("sp.event.rename", required=("event_id", "event_name"))
def event_rename(call: Call) -> dict[str, Any]:
    event_id = call.int("event_id")
    name = call.required_name("event_name", "event name")
    with call.state.db.tx() as c:
        event_row(c, event_id)
        c.execute(
            "UPDATE events SET name = ?, last_updated = ? WHERE id = ?", (name, call.state.clock.stamp(), event_id)
        )
        return _written(call, c, event_id)


@api_method("sp.event.set_access_level", required=("event_id", "access_level"))
def event_set_access_level(call: Call) -> dict[str, Any]:
    event_id = call.int("event_id")
    level = call.required_text("access_level")
    if level not in ACCESS_LEVELS:
        raise invalid("access_level", f"The access_level must be one of: {', '.join(ACCESS_LEVELS)}.")
    password = (call.text("password") or "").strip() or None
    if level.endswith("_password") and not level.endswith("_no_password"):
        if password is None:
            raise invalid("password", "A password is required for this access level.")
        if len(password) > 64:
            raise invalid("password", "The password can be at most 64 characters long.")
    else:
        password = None
    with call.state.db.tx() as c:
        event_row(c, event_id)
        c.execute(
            "UPDATE events SET access_level = ?, password = ?, last_updated = ? WHERE id = ?",
            (level, password, call.state.clock.stamp(), event_id),
        )
        return _written(call, c, event_id)


@api_method("sp.event.photo_exists", required=("event_id",))
def event_photo_exists(call: Call) -> dict[str, Any]:
    event_id = call.int("event_id")
    name = call.text("photo_name")
    photo_id = call.opt_int("photo_id")
    album_id = call.opt_int("album_id")
    if not name and photo_id is None:
        message = "Either photo_name or photo_id is required."
        raise invalid_fields({"photo_name": [message], "photo_id": [message]}, message)
    with call.state.db.read() as c:
        event_row(c, event_id)
        if album_id is not None and album_row(c, album_id)["event_id"] != event_id:
            raise invalid("album_id", f"Album {album_id} is not in event {event_id}.")
        query = "SELECT 1 FROM photos WHERE event_id = ?"
        args: list[object] = [event_id]
        if photo_id is not None:
            query += " AND id = ?"
            args.append(photo_id)
        if name:
            query += " AND name = ?"
            args.append(name)
        if album_id is not None:
            query += " AND album_id = ?"
            args.append(album_id)
        found = c.execute(query + " LIMIT 1", args).fetchone() is not None
    return {"photo_exists": found}


@api_method("sp.event.get_photos", required=("event_id",))
def event_get_photos(call: Call) -> dict[str, Any]:
    return photos_page(call, event_row, "event_id", call.int("event_id"))


@api_method("sp.event.set_category", required=("event_id", "category_id"))
def event_set_category(call: Call) -> dict[str, Any]:
    event_id = call.int("event_id")
    category_id = call.int("category_id")
    with call.state.db.tx() as c:
        event_row(c, event_id)
        if not c.execute("SELECT 1 FROM categories WHERE id = ?", (category_id,)).fetchone():
            raise invalid("category_id", f"There is no category with ID {category_id}.")
        c.execute(
            "UPDATE events SET category_id = ?, last_updated = ? WHERE id = ?",
            (category_id, call.state.clock.stamp(), event_id),
        )
        return _written(call, c, event_id)


@api_method("sp.event.set_contact", required=("event_id",))
def event_set_contact(call: Call) -> dict[str, Any]:
    event_id = call.int("event_id")
    contact_id = call.opt_int("contact_id")
    with call.state.db.tx() as c:
        event = event_row(c, event_id)
        if contact_id is not None:
            _check_contact(c, contact_id, event["brand_id"])
        c.execute(
            "UPDATE events SET contact_id = ?, last_updated = ? WHERE id = ?",
            (contact_id, call.state.clock.stamp(), event_id),
        )
    return {"event_id": event_id, "contact_id": contact_id}


@api_method("sp.event.gallery_visitors", required=("event_id",))
def event_gallery_visitors(call: Call) -> dict[str, Any]:
    event_id = call.int("event_id")
    with call.state.db.read() as c:
        event = event_row(c, event_id)
        event_contact_email = None
        if event["contact_id"]:
            found = c.execute("SELECT email FROM contacts WHERE id = ?", (event["contact_id"],)).fetchone()
            event_contact_email = found[0].lower() if found else None
        rows = c.execute(
            "SELECT v.*, "
            " (SELECT COUNT(*) FROM visitor_favorites f WHERE f.visitor_id = v.id) AS favorites,"
            " (SELECT COUNT(DISTINCT l.photo_id) FROM visitor_labels l WHERE l.visitor_id = v.id) AS labeled,"
            " (SELECT ct.id FROM contacts ct WHERE ct.email = v.email COLLATE NOCASE"
            "    ORDER BY ct.brand_id = ? DESC, ct.id LIMIT 1) AS contact_id "
            "FROM gallery_visitors v WHERE v.event_id = ? ORDER BY v.date_accessed DESC, v.id",
            (event["brand_id"], event_id),
        ).fetchall()
    visitors = []
    for row in rows:
        is_event_contact = row["email"].lower() == event_contact_email
        visitors.append(
            {
                "email_address": row["email"],
                "contact_id": row["contact_id"],
                "date_accessed": row["date_accessed"],
                "event_id": event_id,
                "event_name": event["name"],
                "favorites": row["favorites"],
                "cart_items": row["cart_items"],
                "downloads": row["downloads"],
                "orders": row["orders"],
                "num_hidden_photos": row["num_hidden_photos"] if is_event_contact else None,
                "num_labeled_photos": row["labeled"] if is_event_contact else None,
            }
        )
    return {"gallery_visitors": visitors}


@api_method("sp.event.gallery_visitor_photos", required=("event_id", "email_address"))
def event_gallery_visitor_photos(call: Call) -> dict[str, Any]:
    event_id = call.int("event_id")
    email = call.required_text("email_address")
    with call.state.db.read() as c:
        event_row(c, event_id)
        visitor = c.execute(
            "SELECT id FROM gallery_visitors WHERE event_id = ? AND email = ?", (event_id, email)
        ).fetchone()
        if visitor is None:
            raise ApiFail(404, f"No gallery visitor with the email address {email} has visited this event.")
        favorites = c.execute(
            "SELECT p.* FROM visitor_favorites f JOIN photos p ON p.id = f.photo_id "
            "WHERE f.visitor_id = ? ORDER BY p.seq",
            (visitor["id"],),
        ).fetchall()
        labeled_rows = c.execute(
            "SELECT l.label, p.* FROM visitor_labels l JOIN photos p ON p.id = l.photo_id "
            "WHERE l.visitor_id = ? ORDER BY l.label, p.seq",
            (visitor["id"],),
        ).fetchall()
    labels: dict[str, list[dict[str, Any]]] = {}
    for row in labeled_rows:
        labels.setdefault(row["label"], []).append(photo_json(row, call.urls))
    return {
        "favorites": [photo_json(row, call.urls) for row in favorites],
        "labeled": [{"name": label, "photos": photos} for label, photos in labels.items()],
    }


@api_method("sp.event.bulk_email_add", required=("event_id",), post_only=True)
def event_bulk_email_add(call: Call) -> dict[str, Any]:
    event_id = call.int("event_id")
    if call.json_error:
        raise invalid("body", f"{call.json_error}: send a JSON array of email addresses.")
    emails = call.json_body
    if not isinstance(emails, list):
        raise invalid("body", "The request body must be a JSON array of email addresses.")
    valid = []
    for email in emails:
        if isinstance(email, str) and is_email(email.strip()):
            valid.append(email.strip())
    now = call.state.clock.stamp()
    with call.state.db.tx() as c:
        event_row(c, event_id)
        c.executemany(
            "INSERT OR IGNORE INTO event_emails (event_id, email, added) VALUES (?, ?, ?)",
            [(event_id, email, now) for email in valid],
        )
    return {"num_email_addresses_submitted": len(emails), "num_email_addresses_added": len(valid)}
