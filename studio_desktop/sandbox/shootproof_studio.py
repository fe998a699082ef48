"""``sp.auth.*``, ``sp.studio.*``, ``sp.category.*``, ``sp.brand.*`` and ``sp.watermark.*``."""

from __future__ import annotations

import sqlite3
from typing import Any

from studio_desktop.sandbox.registry import ApiFail, Call, api_method, invalid, invalid_fields, not_found
from studio_desktop.sandbox.shapes import (
    EVENT_SELECT,
    EVENT_TREE_FIELDS,
    Urls,
    album_trees,
    brand_row,
    event_json,
)
from studio_desktop.sandbox.validate import is_email, slugify, url_error

READABLE_SETTINGS = (
    "event_postback_url",
    "order_postback_url",
    "sales_tax_rate",
    "sales_tax_on_digital_downloads",
    "sales_tax_on_shipping",
    "sales_tax_state",
)
WRITABLE_SETTINGS = ("event_postback_url", "order_postback_url")


@api_method("sp.auth.deauthorize")
def auth_deauthorize(call: Call) -> dict[str, Any]:
    call.state.tokens.revoke(call.params["access_token"])
    return {"msg": "The access token has been deauthorized."}


@api_method("sp.studio.info")
def studio_info(call: Call) -> dict[str, Any]:
    with call.state.db.read() as c:
        row = c.execute("SELECT * FROM studio WHERE id = 1").fetchone()
    return {
        "name": row["name"],
        "user": {"first_name": row["first_name"], "last_name": row["last_name"]},
        "homepage_url": call.urls.homepage(),
        "plan": {"type": row["plan_type"], "used": row["photos_used"], "allowed": row["photos_allowed"]},
    }


@api_method("sp.studio.get_setting", required=("setting_key",))
def studio_get_setting(call: Call) -> dict[str, Any]:
    key = call.required_text("setting_key")
    if key not in READABLE_SETTINGS:
        raise invalid("setting_key", f"The setting_key must be one of: {', '.join(READABLE_SETTINGS)}.")
    with call.state.db.read() as c:
        row = c.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return {"setting_value": row[0] if row else ""}


@api_method("sp.studio.set_setting", required=("setting_key",))
def studio_set_setting(call: Call) -> dict[str, Any]:
    key = call.required_text("setting_key")
    if key not in WRITABLE_SETTINGS:
        raise invalid("setting_key", f"The setting_key must be one of: {', '.join(WRITABLE_SETTINGS)}.")
    if not call.has("setting_value"):
        raise invalid("setting_value", "The setting_value parameter is required.")
    value = call.text("setting_value", "").strip()
    if value and (problem := url_error(value)):
        raise invalid("setting_value", problem)
    with call.state.db.tx() as c:
        c.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
    return {"msg": f"The {key} setting has been saved."}


def _category_json(row: sqlite3.Row, c: sqlite3.Connection, urls: Urls) -> dict[str, Any]:
    cover_url = None
    if row["cover_photo_id"]:
        photo = c.execute("SELECT id, version FROM photos WHERE id = ?", (row["cover_photo_id"],)).fetchone()
        if photo:
            cover_url = urls.photo_size(photo["id"], photo["version"], "large")
    return {"id": row["id"], "name": row["name"], "display_order": row["display_order"], "cover_url": cover_url}


@api_method("sp.category.get_list")
def category_get_list(call: Call) -> dict[str, Any]:
    with call.state.db.read() as c:
        rows = c.execute("SELECT * FROM categories ORDER BY display_order, id").fetchall()
        return {"category": [_category_json(row, c, call.urls) for row in rows]}


@api_method("sp.category.create", required=("name",))
def category_create(call: Call) -> dict[str, Any]:
    name = call.required_name("name", "category name")
    with call.state.db.tx() as c:
        order = c.execute("SELECT COALESCE(MAX(display_order), 0) + 1 FROM categories").fetchone()[0]
        cur = c.execute("INSERT INTO categories (name, display_order) VALUES (?, ?)", (name, order))
        row = c.execute("SELECT * FROM categories WHERE id = ?", (cur.lastrowid,)).fetchone()
        return {"category": _category_json(row, c, call.urls)}


@api_method("sp.category.rename", required=("category_id", "name"))
def category_rename(call: Call) -> dict[str, Any]:
    category_id = call.int("category_id")
    name = call.required_name("name", "category name")
    with call.state.db.tx() as c:
        if c.execute("UPDATE categories SET name = ? WHERE id = ?", (name, category_id)).rowcount == 0:
            raise not_found("Category", category_id)
        row = c.execute("SELECT * FROM categories WHERE id = ?", (category_id,)).fetchone()
        return {"category": _category_json(row, c, call.urls)}


@api_method("sp.brand.get_list")
def brand_get_list(call: Call) -> dict[str, Any]:
    with call.state.db.read() as c:
        rows = c.execute("SELECT * FROM brands WHERE is_active = 1 ORDER BY is_default DESC, id").fetchall()
    brands = [
        {
            "id": r["id"],
            "name": r["name"],
            "is_default": bool(r["is_default"]),
            "subdomain": r["subdomain"],
            "custom_domain": r["custom_domain"],
            "locale": r["locale"],
        }
        for r in rows
    ]
    return {"brands": brands, "results_returned": len(brands), "total_results": len(brands)}


def _brand_full_json(row: sqlite3.Row, urls: Urls) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "is_default": bool(row["is_default"]),
        "website": row["website"],
        "homepage_url": urls.homepage(row),
        "email": row["email"],
        "locale": row["locale"],
        "phone": row["phone"],
        "subdomain": row["subdomain"],
        "address": {
            key: row[key] for key in ("address_1", "address_2", "city", "state", "state_other", "country", "zip_postal")
        },
    }


@api_method("sp.brand.create", post_only=True)
def brand_create(call: Call) -> dict[str, Any]:
    nested = call.nested()
    name = str(nested.get("name") or "").strip()
    email = str(nested.get("email") or "").strip()
    raw_address = nested.get("address")
    address: dict[str, str] = {}
    if isinstance(raw_address, dict):
        address = {key: value.strip() for key, value in raw_address.items() if isinstance(value, str)}
    locale = str(nested.get("locale") or "en_US").strip()
    website = str(nested.get("website") or "").strip() or None
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Please enter the name of the brand."]
    elif len(name) > 255:
        errors["name"] = ["The brand name can be at most 255 characters long."]
    if not email:
        errors["email"] = ["Please enter the email address for the studio."]
    elif not is_email(email):
        errors["email"] = ["Please enter a valid email address."]
    required = {"address_1": "street address", "city": "city", "country": "country", "zip_postal": "ZIP/postal code"}
    for key, what in required.items():
        if not address.get(key):
            errors[f"address[{key}]"] = [f"Please enter the {what} of the brand."]
    if not address.get("state") and not address.get("state_other"):
        errors["address[state]"] = ["Please enter the state, or state_other outside the US."]
    if len(locale) != 5 or locale[2] != "_":
        errors["locale"] = ['Use a locale such as "en_US".']
    if website and (problem := url_error(website)):
        errors["website"] = [problem]
    if errors:
        raise invalid_fields(errors, "invalid brand values provided")
    with call.state.db.tx() as c:
        base = slugify(name)
        subdomain, n = base, 1
        while c.execute("SELECT 1 FROM brands WHERE subdomain = ?", (subdomain,)).fetchone():
            n += 1
            subdomain = f"{base}{n}"
        cur = c.execute(
            "INSERT INTO brands (name, subdomain, locale, website, email, phone, address_1, address_2, city, state,"
            " state_other, country, zip_postal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                name,
                subdomain,
                locale,
                website,
                email,
                str(nested.get("phone") or "").strip() or None,
                address.get("address_1"),
                address.get("address_2") or None,
                address.get("city"),
                address.get("state") or None,
                address.get("state_other") or None,
                address.get("country"),
                address.get("zip_postal"),
            ),
        )
        c.execute(
            "INSERT INTO event_defaults (brand_id, name, is_default, access_level) "
            "VALUES (?, 'Default', 1, 'private_no_password')",
            (cur.lastrowid,),
        )
        row = c.execute("SELECT * FROM brands WHERE id = ?", (cur.lastrowid,)).fetchone()
    return {"brand": _brand_full_json(row, call.urls)}


@api_method("sp.brand.info", required=("brand_id",))
def brand_info(call: Call) -> dict[str, Any]:
    with call.state.db.read() as c:
        row = brand_row(c, call.int("brand_id"))
    return {
        "brand": {
            "id": row["id"],
            "name": row["name"],
            "is_default": bool(row["is_default"]),
            "website": row["website"],
            "homepage_url": call.urls.homepage(row),
        }
    }


@api_method("sp.brand.get_event_defaults", required=("brand_id",))
def brand_get_event_defaults(call: Call) -> dict[str, Any]:
    with call.state.db.read() as c:
        brand = brand_row(c, call.int("brand_id"))
        rows = c.execute(
            "SELECT id, name, is_default FROM event_defaults WHERE brand_id = ? ORDER BY is_default DESC, id",
            (brand["id"],),
        ).fetchall()
    return {"event_defaults": [{"id": r["id"], "name": r["name"], "is_default": bool(r["is_default"])} for r in rows]}


@api_method("sp.brand.get_event_tree", required=("brand_id",))
def brand_get_event_tree(call: Call) -> dict[str, Any]:
    with call.state.db.read() as c:
        brand = brand_row(c, call.int("brand_id"))
        rows = c.execute(
            f"{EVENT_SELECT} WHERE e.brand_id = ? ORDER BY e.created DESC, e.id DESC", (brand["id"],)
        ).fetchall()
        trees = album_trees(c, [r["id"] for r in rows], call.urls, brief=True)
    events = []
    for row in rows:
        event = event_json(row, call.urls, EVENT_TREE_FIELDS)
        event["albums"] = trees[row["id"]]
        events.append(event)
    return {"events": events}


@api_method("sp.watermark.get_list", required=("brand_id",))
def watermark_get_list(call: Call) -> dict[str, Any]:
    with call.state.db.read() as c:
        brand = brand_row(c, call.int("brand_id"))
        rows = c.execute(
            "SELECT id, name, is_default FROM watermarks WHERE brand_id = ? ORDER BY id", (brand["id"],)
        ).fetchall()
    return {
        "apply_default_to_new_uploads": bool(brand["watermark_new_uploads"]),
        "watermarks": [{"id": r["id"], "name": r["name"], "is_default": bool(r["is_default"])} for r in rows],
    }


def require_brand(c: sqlite3.Connection, brand_id: int, field: str = "brand_id") -> sqlite3.Row:
    try:
        return brand_row(c, brand_id)
    except ApiFail:
        raise invalid(field, f"There is no brand with ID {brand_id}.") from None
