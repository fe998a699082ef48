"""The ShootProof contacts this app has met, kept in the local store.

ShootProof's API v2 has no "list contacts" method: a contact can only be looked
up by id or by email. So the contacts panel shows the contacts the app knows:
those named by events (``contact_id``), those the user found by email, created
or imported. They are cached here, per account (the API address plus whatever
tells studios apart), so the panel opens at once and works offline for reading.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from studio_desktop.api.models import Contact
from studio_desktop.core.store import Store

#: Why a contact is in the cache, strongest first: a contact the user made stays "created".
SOURCES = ("created", "imported", "found", "client", "event")


def contact_to_json(contact: Contact) -> dict[str, Any]:
    """The contact in the API's own answer shape, so :meth:`Contact.from_json` reads it back unchanged."""
    address: dict[str, Any] | None = None
    if contact.address is not None:
        a = contact.address
        address = {
            "street_line_1": a.street_line_1,
            "street_line_2": a.street_line_2,
            "city": a.city,
            "state_province": a.state_province,
            "postal_code": a.postal_code,
            "country": a.country,
            "id": a.id,
        }
    return {
        "id": contact.id,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "email": contact.email,
        "phone": contact.phone,
        "business_name": contact.business_name,
        "notes": contact.notes,
        "third_party_id": contact.third_party_id,
        "brand_id": contact.brand_id,
        "brand_name": contact.brand_name,
        "address": address,
        "tags": list(contact.tags),
    }


_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def account_key(api_url: str) -> str:
    """Which account's contacts to use for ``api_url``: the address, without a loopback port.

    The sandbox studio (and any local test server) gets a new port at every
    start; keyed with the port, every contact met before a restart was forgotten.
    """
    parts = urlsplit(api_url.strip())
    host = (parts.hostname or "").lower()
    if host in _LOOPBACK:
        return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))
    return api_url.strip().rstrip("/")


def sort_key(contact: Contact) -> str:
    """Last name, first name: how a studio's address book is usually ordered."""
    parts = [contact.last_name or "", contact.first_name or ""]
    text = " ".join(part for part in parts if part).strip()
    return (text or contact.business_name or contact.email or "").casefold()


@dataclass(frozen=True)
class CachedContact:
    contact: Contact
    source: str
    updated: float


def _rank(source: str) -> int:
    return SOURCES.index(source) if source in SOURCES else len(SOURCES)


class ContactsCache:
    """Read and write the cached contacts of one account. All methods run off the event loop."""

    def __init__(self, store: Store, api_url: str):
        self.store = store
        self.account = account_key(api_url)

    def __repr__(self) -> str:
        return f"ContactsCache(account={self.account!r})"

    async def all(self) -> list[CachedContact]:
        return await self.store.read(self._all)

    async def get(self, contact_id: int) -> CachedContact | None:
        return await self.store.read(self._get, int(contact_id))

    async def by_email(self, email: str) -> list[CachedContact]:
        return await self.store.read(self._by_email, email.strip())

    async def ids(self) -> set[int]:
        return await self.store.read(self._ids)

    async def put(self, contact: Contact, source: str) -> None:
        await self.put_many([contact], source)

    async def put_many(self, contacts: Iterable[Contact], source: str) -> None:
        rows = list(contacts)
        if rows:
            await self.store.write(self._put_many, rows, source)

    async def remove(self, contact_id: int) -> None:
        await self.store.write(self._remove, int(contact_id))

    async def clear(self) -> None:
        """Forget every contact of this account (signing out, or switching studios)."""
        await self.store.write(self._clear)

    # --- on the store's threads -------------------------------------------------------

    def _row(self, row: sqlite3.Row) -> CachedContact | None:
        try:
            contact = Contact.from_json(json.loads(row["data"]))
        except (ValueError, TypeError, KeyError):
            return None  # a damaged row costs that contact, not the whole list
        return CachedContact(contact, row["source"], row["updated"])

    def _all(self, conn: sqlite3.Connection) -> list[CachedContact]:
        rows = conn.execute(
            "SELECT data, source, updated FROM contact_cache WHERE account = ? ORDER BY sort_name, contact_id",
            (self.account,),
        ).fetchall()
        return [cached for cached in map(self._row, rows) if cached is not None]

    def _get(self, conn: sqlite3.Connection, contact_id: int) -> CachedContact | None:
        row = conn.execute(
            "SELECT data, source, updated FROM contact_cache WHERE account = ? AND contact_id = ?",
            (self.account, contact_id),
        ).fetchone()
        return self._row(row) if row is not None else None

    def _by_email(self, conn: sqlite3.Connection, email: str) -> list[CachedContact]:
        rows = conn.execute(
            "SELECT data, source, updated FROM contact_cache WHERE account = ? AND email = ?", (self.account, email)
        ).fetchall()
        return [cached for cached in map(self._row, rows) if cached is not None]

    def _ids(self, conn: sqlite3.Connection) -> set[int]:
        rows = conn.execute("SELECT contact_id FROM contact_cache WHERE account = ?", (self.account,)).fetchall()
        return {row[0] for row in rows}

    def _put_many(self, conn: sqlite3.Connection, contacts: list[Contact], source: str) -> None:
        now = time.time()
        for contact in contacts:
            previous = conn.execute(
                "SELECT source FROM contact_cache WHERE account = ? AND contact_id = ?", (self.account, contact.id)
            ).fetchone()
            kept = source
            if previous is not None and _rank(previous["source"]) < _rank(source):
                kept = previous["source"]
            conn.execute(
                "INSERT OR REPLACE INTO contact_cache "
                "(account, contact_id, brand_id, email, sort_name, data, source, updated) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    self.account,
                    contact.id,
                    contact.brand_id,
                    (contact.email or "").strip() or None,
                    sort_key(contact),
                    json.dumps(contact_to_json(contact)),
                    kept,
                    now,
                ),
            )

    def _remove(self, conn: sqlite3.Connection, contact_id: int) -> None:
        conn.execute("DELETE FROM contact_cache WHERE account = ? AND contact_id = ?", (self.account, contact_id))

    def _clear(self, conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM contact_cache WHERE account = ?", (self.account,))


__all__ = ["SOURCES", "CachedContact", "ContactsCache", "account_key", "contact_to_json", "sort_key"]
