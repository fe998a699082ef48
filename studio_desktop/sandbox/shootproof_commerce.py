"""``sp.order.*``, ``sp.invoice.*`` and ``sp.mobile_app.*``: read-only in the API, seeded by the demo."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from studio_desktop.sandbox.registry import Call, api_method, not_found
from studio_desktop.sandbox.shapes import CONTACT_SELECT, Urls, contact_json, photo_json
from studio_desktop.sandbox.shootproof_studio import require_brand

MOBILE_APP_PHOTO_SIZES = ("small", "medium", "large")


@api_method("sp.order.get_list")
def order_get_list(call: Call) -> dict[str, Any]:
    paging = call.paging()
    event_id = call.opt_int("event_id")
    where = "WHERE (? IS NULL OR event_id = ?)"
    with call.state.db.read() as c:
        total = c.execute(f"SELECT COUNT(*) FROM orders {where}", (event_id, event_id)).fetchone()[0]
        rows = c.execute(
            f"SELECT * FROM orders {where} ORDER BY order_date DESC, id DESC LIMIT ? OFFSET ?",
            (event_id, event_id, paging.limit, paging.offset),
        ).fetchall()
    orders = [
        {
            "order_id": row["id"],
            "event_id": row["event_id"],
            "event_name": row["event_name"],
            "order_date": row["order_date"],
            "order_status": row["status_name"],
            "is_paid": bool(row["is_paid"]),
            "currency": row["currency"],
            "grand_total": row["grand_total"],
        }
        for row in rows
    ]
    return {"orders": orders, **paging.fields(total, len(orders))}


@api_method("sp.order.get_details", required=("order_id",))
def order_get_details(call: Call) -> dict[str, Any]:
    order_id = call.int("order_id")
    with call.state.db.read() as c:
        row = c.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
        if row is None:
            raise not_found("Order", order_id)
        details = json.loads(row["details"])
        items = []
        for item in details.pop("items"):
            photo = c.execute("SELECT * FROM photos WHERE id = ?", (item["photo_id"],)).fetchone()
            items.append({"photo": photo_json(photo, call.urls) if photo else None, "product": item["product"]})
    order: dict[str, Any] = {
        "id": row["id"],
        "event_id": row["event_id"],
        "event_name": row["event_name"],
        "order_date": row["order_date"],
        "order_status_id": row["status_id"],
        "order_status_name": row["status_name"],
    }
    for key in ("contact_information", "billing_address", "shipping_address", "lab_shipping_address"):
        order[key] = details[key]
    order["payment"] = {**details["payment"], "is_paid": bool(row["is_paid"]), "currency": row["currency"]}
    for key in ("refund_transaction", "void_transaction", "client_notes", "studio_notes"):
        order[key] = details[key]
    order["items"] = items
    for key in (
        "addons",
        "redeemed_discounts",
        "order_adjustment",
        "shipping_charge",
        "sales_tax",
        "sales_tax_percent",
        "sales_tax_on_digital_downloads",
        "sales_tax_on_shipping",
    ):
        order[key] = details[key]
    order["grand_total"] = row["grand_total"]
    return {"order": order}


def _invoice_json(row: sqlite3.Row, c: sqlite3.Connection) -> dict[str, Any]:
    data = json.loads(row["data"])
    contact = None
    if row["contact_id"] is not None:
        found = c.execute(f"{CONTACT_SELECT} WHERE ct.id = ?", (row["contact_id"],)).fetchone()
        contact = contact_json(found) if found else None
    return {
        "id": row["id"],
        "custom_invoice_id": row["custom_invoice_id"],
        "brand_id": row["brand_id"],
        "invoice_status_id": row["status_id"],
        "invoice_status_name": row["status_name"],
        "items": data["items"],
        "allow_payment_cash_check": data["allow_payment_cash_check"],
        "allow_payment_credit_card": data["allow_payment_credit_card"],
        "sales_tax_percent": data["sales_tax_percent"],
        "sales_tax_state": data["sales_tax_state"],
        "sales_tax_title": data["sales_tax_title"],
        "final_payment_due": data["final_payment_due"],
        "issued": data["issued"],
        "language_code": data["language_code"],
        "currency_code": data["currency_code"],
        "payment_confirmation_text": data["payment_confirmation_text"],
        "client_note": data["client_note"],
        "invoice_template_id": data["invoice_template_id"],
        "created": row["created"],
        "last_updated": row["last_updated"],
        "client_contact": contact,
    }


@api_method("sp.invoice.get_list")
def invoice_get_list(call: Call) -> dict[str, Any]:
    paging = call.paging()
    brand_id = call.opt_int("brand_id")
    where = "WHERE (? IS NULL OR brand_id = ?)"
    with call.state.db.read() as c:
        if brand_id is not None:
            require_brand(c, brand_id)
        total = c.execute(f"SELECT COUNT(*) FROM invoices {where}", (brand_id, brand_id)).fetchone()[0]
        rows = c.execute(
            f"SELECT * FROM invoices {where} ORDER BY created DESC, id DESC LIMIT ? OFFSET ?",
            (brand_id, brand_id, paging.limit, paging.offset),
        ).fetchall()
        invoices = [_invoice_json(row, c) for row in rows]
    return {**paging.fields(total, len(invoices)), "invoices": invoices}


@api_method("sp.invoice.info", required=("invoice_id",))
def invoice_info(call: Call) -> dict[str, Any]:
    invoice_id = call.int("invoice_id")
    with call.state.db.read() as c:
        row = c.execute("SELECT * FROM invoices WHERE id = ?", (invoice_id,)).fetchone()
        if row is None:
            raise not_found("Invoice", invoice_id)
        return {"invoice": _invoice_json(row, c)}


def _app_photos(c: sqlite3.Connection, app_id: int) -> list[sqlite3.Row]:
    return c.execute(
        "SELECT p.* FROM mobile_app_photos m JOIN photos p ON p.id = m.photo_id WHERE m.app_id = ? ORDER BY m.position",
        (app_id,),
    ).fetchall()


def _icon_url(photos: list[sqlite3.Row], urls: Urls) -> str | None:
    return urls.photo_size(photos[0]["id"], photos[0]["version"], "small") if photos else None


@api_method("sp.mobile_app.get_list")
def mobile_app_get_list(call: Call) -> dict[str, Any]:
    paging = call.paging()
    brand_id = call.opt_int("brand_id")
    where = "WHERE (? IS NULL OR m.brand_id = ?)"
    apps = []
    with call.state.db.read() as c:
        if brand_id is not None:
            require_brand(c, brand_id)
        total = c.execute(f"SELECT COUNT(*) FROM mobile_apps m {where}", (brand_id, brand_id)).fetchone()[0]
        rows = c.execute(
            f"SELECT m.*, e.name AS event_name FROM mobile_apps m LEFT JOIN events e ON e.id = m.event_id "
            f"{where} ORDER BY m.id LIMIT ? OFFSET ?",
            (brand_id, brand_id, paging.limit, paging.offset),
        ).fetchall()
        for row in rows:
            photos = _app_photos(c, row["id"])
            icon = _icon_url(photos, call.urls)
            apps.append(
                {
                    "id": row["id"],
                    "name": row["name"],
                    "event_id": row["event_id"],
                    "event_name": row["event_name"],
                    "icon_url": icon,
                    "num_photos": len(photos),
                    "num_installs": row["num_installs"],
                    "num_views": row["num_views"],
                    "links": [{"link_url": link, "icon_url": icon} for link in json.loads(row["links"])],
                }
            )
    return {"mobile_apps": apps, **paging.fields(total, len(apps))}


@api_method("sp.mobile_app.get_photos", required=("mobile_app_id",))
def mobile_app_get_photos(call: Call) -> dict[str, Any]:
    app_id = call.int("mobile_app_id")
    with call.state.db.read() as c:
        if not c.execute("SELECT 1 FROM mobile_apps WHERE id = ?", (app_id,)).fetchone():
            raise not_found("Mobile app", app_id)
        photos = _app_photos(c, app_id)
    return {
        "photos": [
            {"id": p["id"], "name": p["name"], "url": call.urls.photo(p["id"], p["version"], MOBILE_APP_PHOTO_SIZES)}
            for p in photos
        ],
        "total_results": len(photos),
    }
