"""``sp.contact.*``: the studio's people, with addresses and tags, one email per brand."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from studio_desktop.core.store import inserted_id
from studio_desktop.sandbox.registry import ApiFail, Call, api_method, invalid, invalid_fields, not_found
from studio_desktop.sandbox.shapes import (
    CONTACT_EVENT_FIELDS,
    CONTACT_SELECT,
    EVENT_SELECT,
    contact_json,
    contact_row,
    event_json,
)
from studio_desktop.sandbox.validate import is_email, split_tags

MAX_BULK = 50
TEXT_FIELDS = ("last_name", "phone", "business_name", "notes", "third_party_id")
ADDRESS_INPUT = ("address_1", "address_2", "city", "state", "state_other", "country", "zip_postal")
MAX_FIELD = 255
MAX_NOTES = 10_000


def _s(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _parse(data: dict[str, Any], c: sqlite3.Connection, *, partial: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """Column values from one contact's submitted fields, and field errors.

    ``partial`` (updates): optional fields that were not sent are left out, so they keep their value.
    """
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    brand_raw = _s(data.get("brand_id"))
    if not brand_raw:
        errors["brand_id"] = ["Please choose the brand of the contact."]
    elif (
        not brand_raw.isdigit()
        or not c.execute("SELECT 1 FROM brands WHERE id = ? AND is_active = 1", (int(brand_raw),)).fetchone()
    ):
        errors["brand_id"] = [f"There is no brand with ID {brand_raw}."]
    else:
        values["brand_id"] = int(brand_raw)
    first_name = _s(data.get("first_name"))
    if not first_name:
        errors["first_name"] = ["Please enter the first name of the contact."]
    elif len(first_name) > MAX_FIELD:
        errors["first_name"] = [f"The first name can be at most {MAX_FIELD} characters long."]
    values["first_name"] = first_name
    email = _s(data.get("email"))
    if not email:
        errors["email"] = ["Please enter the email address of the contact."]
    elif not is_email(email):
        errors["email"] = [f'"{email}" is not a valid email address.']
    values["email"] = email
    for name in TEXT_FIELDS:
        if name in data or not partial:
            value = _s(data.get(name))
            limit = MAX_NOTES if name == "notes" else MAX_FIELD
            if len(value) > limit:
                errors[name] = [f"This field can be at most {limit} characters long."]
            values[name] = value or None
    if "tags" in data or not partial:
        values["tags"] = json.dumps(split_tags(_s(data.get("tags"))))
    address = data.get("address")
    if isinstance(address, dict) and any(_s(address.get(k)) for k in ADDRESS_INPUT):
        if not _s(address.get("country")):
            errors["address[country]"] = ["Please enter the country of the address."]
        values.update(
            {
                "street_line_1": _s(address.get("address_1")) or None,
                "street_line_2": _s(address.get("address_2")) or None,
                "city": _s(address.get("city")) or None,
                "state_province": _s(address.get("state")) or _s(address.get("state_other")) or None,
                "postal_code": _s(address.get("zip_postal")) or None,
                "country": _s(address.get("country")) or None,
            }
        )
    elif "address" in data or not partial:
        values.update(
            dict.fromkeys(("street_line_1", "street_line_2", "city", "state_province", "postal_code", "country"))
        )
        values["address_id"] = None
    return values, errors


def _email_taken(c: sqlite3.Connection, brand_id: int, email: str, contact_id: int | None = None) -> bool:
    return (
        c.execute(
            "SELECT 1 FROM contacts WHERE brand_id = ? AND email = ? COLLATE NOCASE AND id IS NOT ?",
            (brand_id, email, contact_id),
        ).fetchone()
        is not None
    )


def _address_id(c: sqlite3.Connection, values: dict[str, Any], current: int | None) -> None:
    if "street_line_1" in values and values.get("country") is not None and "address_id" not in values:
        values["address_id"] = (
            current or c.execute("SELECT COALESCE(MAX(address_id), 5500000) + 1 FROM contacts").fetchone()[0]
        )


def _insert(c: sqlite3.Connection, values: dict[str, Any], now: str) -> int:
    _address_id(c, values, None)
    values = {**values, "created": now}
    columns = ", ".join(values)
    cur = c.execute(f"INSERT INTO contacts ({columns}) VALUES ({', '.join('?' * len(values))})", tuple(values.values()))
    return inserted_id(cur)


def _contact_data(call: Call) -> dict[str, Any]:
    return {k: v for k, v in call.nested().items() if k not in ("method", "access_token")}


@api_method("sp.contact.info")
def contact_info(call: Call) -> dict[str, Any]:
    contact_id = call.opt_int("contact_id")
    email = (call.text("contact_email") or "").strip()
    brand_id = call.opt_int("brand_id")
    if contact_id is None and not email:
        message = "Either contact_id or contact_email is required."
        raise invalid_fields({"contact_id": [message], "contact_email": [message]}, message)
    with call.state.db.read() as c:
        if contact_id is not None:
            row = contact_row(c, contact_id)
            if brand_id is not None and row["brand_id"] != brand_id:
                raise not_found("Contact", contact_id)
            return {"contact": contact_json(row)}
        rows = c.execute(
            f"{CONTACT_SELECT} WHERE ct.email = ? COLLATE NOCASE AND (? IS NULL OR ct.brand_id = ?) ORDER BY ct.id",
            (email, brand_id, brand_id),
        ).fetchall()
    if not rows:
        raise ApiFail(404, f"No contact has the email address {email}.")
    contacts = [contact_json(row) for row in rows]
    return {"contact": contacts[0] if len(contacts) == 1 else contacts}


@api_method("sp.contact.create", post_only=True)
def contact_create(call: Call) -> dict[str, Any]:
    with call.state.db.tx() as c:
        values, errors = _parse(_contact_data(call), c, partial=False)
        if not errors and _email_taken(c, values["brand_id"], values["email"]):
            errors["email"] = [f"A contact with the email address {values['email']} already exists in this brand."]
        if errors:
            raise invalid_fields(errors, "invalid contact values provided")
        contact_id = _insert(c, values, call.state.clock.stamp())
        return {"msg": "The contact has been created.", "contact": contact_json(contact_row(c, contact_id))}


@api_method("sp.contact.update", required=("contact_id",), post_only=True)
def contact_update(call: Call) -> dict[str, Any]:
    contact_id = call.int("contact_id")
    with call.state.db.tx() as c:
        current = contact_row(c, contact_id)
        values, errors = _parse(_contact_data(call), c, partial=True)
        if not errors and _email_taken(c, values["brand_id"], values["email"], contact_id):
            errors["email"] = [f"A contact with the email address {values['email']} already exists in this brand."]
        if errors:
            raise invalid_fields(errors, "invalid contact values provided")
        _address_id(c, values, current["address_id"])
        assignments = ", ".join(f"{column} = ?" for column in values)
        c.execute(f"UPDATE contacts SET {assignments} WHERE id = ?", (*values.values(), contact_id))
        return {"msg": "The contact has been updated.", "contact": contact_json(contact_row(c, contact_id))}


@api_method("sp.contact.delete")
def contact_delete(call: Call) -> dict[str, Any]:
    # The reference marks contact_id optional and documents no failure for its absence:
    # without one the call succeeds and deletes nothing, so a retry after a lost answer is harmless.
    contact_id = call.opt_int("contact_id")
    if contact_id is None:
        return {"msg": "No contact_id was given, so no contact was deleted.", "contact_id": None}
    with call.state.db.tx() as c:
        contact_row(c, contact_id)
        c.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))
    return {"msg": "The contact has been deleted.", "contact_id": contact_id}


@api_method("sp.contact.bulk_create", post_only=True)
def contact_bulk_create(call: Call) -> dict[str, Any]:
    submitted = call.nested().get("contacts")
    if isinstance(submitted, dict):
        submitted = list(submitted.values())
    if not isinstance(submitted, list) or not submitted:
        raise invalid("contacts", "Send the contacts as contacts[0][first_name], contacts[0][email], ...")
    if len(submitted) > MAX_BULK:
        raise invalid(
            "contacts", f"At most {MAX_BULK} contacts can be created per request; {len(submitted)} were sent."
        )
    results: list[dict[str, Any]] = []
    valid = created = 0
    now = call.state.clock.stamp()
    with call.state.db.tx() as c:
        for index, data in enumerate(submitted):
            if not isinstance(data, dict):
                results.append({"contact_index": index, "errors": {"contact": ["This contact has no fields."]}})
                continue
            values, errors = _parse(data, c, partial=False)
            if not errors:
                valid += 1
                if _email_taken(c, values["brand_id"], values["email"]):
                    errors["email"] = [
                        f"A contact with the email address {values['email']} already exists in this brand."
                    ]
            if errors:
                results.append({"contact_index": index, "errors": errors})
                continue
            results.append(contact_json(contact_row(c, _insert(c, values, now))))
            created += 1
    errors_count = len(submitted) - created
    return {
        "msg": f"{created} of {len(submitted)} contacts created."
        + (f" {errors_count} had errors." if errors_count else ""),
        "num_contacts_submitted": len(submitted),
        "num_valid_contacts": valid,
        "num_invalid_contacts": len(submitted) - valid,
        "num_contacts_created": created,
        "num_errors": errors_count,
        "contacts": results,
    }


@api_method("sp.contact.get_event_list", required=("contact_id",))
def contact_get_event_list(call: Call) -> dict[str, Any]:
    contact_id = call.int("contact_id")
    with call.state.db.read() as c:
        contact_row(c, contact_id)
        rows = c.execute(
            f"{EVENT_SELECT} WHERE e.contact_id = ? ORDER BY e.created DESC, e.id DESC", (contact_id,)
        ).fetchall()
    return {"events": [event_json(row, call.urls, CONTACT_EVENT_FIELDS) for row in rows]}
