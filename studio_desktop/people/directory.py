"""ShootProof contacts as the contacts panel sees them: the API calls plus the local cache.

The API cannot list contacts (see :mod:`studio_desktop.people.cache`), so
the directory finds them where they show: in events (``contact_id``), by email,
and whenever the user creates or imports one. Every contact it meets is cached.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from studio_desktop.api.errors import NotFoundError, ValidationError
from studio_desktop.api.models import Address, Brand, Contact, Event
from studio_desktop.api.shootproof import ShootProofClient
from studio_desktop.people.cache import ContactsCache

log = logging.getLogger(__name__)

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LOOKUP_CONCURRENCY = 4
EVENT_PAGE_SIZE = 100

FieldErrors = dict[str, list[str]]


def split_tags(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"wedding, groom,, wedding"`` -> ``("wedding", "groom")``: trimmed, no blanks, no repeats."""
    if text is None:
        return ()
    parts = text.split(",") if isinstance(text, str) else list(text)
    seen: dict[str, None] = {}
    for part in parts:
        tag = str(part).strip()
        if tag and tag.casefold() not in {known.casefold() for known in seen}:
            seen[tag] = None
    return tuple(seen)


def normalize_field(name: str) -> str:
    """A server's field name in one spelling: ``address[country]``, ``address.country`` -> ``address.country``.

    The API takes address parts under one set of names and answers with another,
    so both map to the names the form uses (``address.street_line_1``...).
    """
    text = name.strip().replace("][", ".").replace("[", ".").replace("]", "")
    text = re.sub(r"^contacts\.\d+\.", "", text)
    aliases = {
        "address.address_1": "address.street_line_1",
        "address.address_2": "address.street_line_2",
        "address.state": "address.state_province",
        "address.state_other": "address.state_province",
        "address.zip_postal": "address.postal_code",
        "address_1": "address.street_line_1",
        "address_2": "address.street_line_2",
        "zip_postal": "address.postal_code",
        "state": "address.state_province",
        "state_other": "address.state_province",
        "city": "address.city",
        "country": "address.country",
        "contact_email": "email",
    }
    return aliases.get(text, text)


def normalize_errors(errors: Mapping[str, Sequence[str]]) -> FieldErrors:
    result: FieldErrors = {}
    for name, messages in errors.items():
        result.setdefault(normalize_field(str(name)), []).extend(str(message) for message in messages)
    return result


@dataclass(frozen=True)
class ContactFields:
    """What the contact form edits: every documented field of ``sp.contact.create``/``update``."""

    brand_id: int | None
    first_name: str
    email: str
    last_name: str = ""
    phone: str = ""
    business_name: str = ""
    notes: str = ""
    third_party_id: str = ""
    tags: tuple[str, ...] = ()
    address: Address | None = None

    def cleaned(self) -> ContactFields:
        address = self.address
        if address is not None:
            address = Address(
                **{
                    name: (getattr(address, name) or "").strip() or None
                    for name in ("street_line_1", "street_line_2", "city", "state_province", "postal_code", "country")
                },
                id=address.id,
            )
            if not any(
                (
                    address.street_line_1,
                    address.street_line_2,
                    address.city,
                    address.state_province,
                    address.postal_code,
                    address.country,
                )
            ):
                address = None
        return ContactFields(
            brand_id=self.brand_id,
            first_name=self.first_name.strip(),
            email=self.email.strip(),
            last_name=self.last_name.strip(),
            phone=self.phone.strip(),
            business_name=self.business_name.strip(),
            notes=self.notes.strip(),
            third_party_id=self.third_party_id.strip(),
            tags=split_tags(self.tags),
            address=address,
        )

    def problems(self) -> FieldErrors:
        """What the server would refuse, found before asking it (same shape as ``validation_errors``)."""
        fields = self.cleaned()
        errors: FieldErrors = {}
        if fields.brand_id is None:
            errors["brand_id"] = ["Choose the brand this contact belongs to."]
        if not fields.first_name:
            errors["first_name"] = ["Enter a first name."]
        if not fields.email:
            errors["email"] = ["Enter an email address."]
        elif not EMAIL_RE.match(fields.email):
            errors["email"] = [f"'{fields.email}' is not an email address."]
        if fields.address is not None and not fields.address.country:
            errors["address.country"] = ["A country is needed with an address."]
        return errors

    def create_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``contact_create``: empty fields are left out."""
        fields = self.cleaned()
        kwargs: dict[str, Any] = {"brand_id": fields.brand_id, "first_name": fields.first_name, "email": fields.email}
        for name in ("last_name", "phone", "business_name", "notes", "third_party_id"):
            value = getattr(fields, name)
            if value:
                kwargs[name] = value
        if fields.tags:
            kwargs["tags"] = list(fields.tags)
        if fields.address is not None:
            kwargs["address"] = fields.address
        return kwargs

    def update_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``contact_update``: an emptied field is sent empty, so it is cleared."""
        fields = self.cleaned()
        kwargs = self.create_kwargs()
        for name in ("last_name", "phone", "business_name", "notes", "third_party_id"):
            kwargs[name] = getattr(fields, name)
        kwargs["tags"] = ",".join(fields.tags)
        return kwargs

    def bulk_row(self) -> dict[str, Any]:
        """One row of ``contact_bulk_create``."""
        return self.create_kwargs()


@dataclass
class DiscoveryResult:
    found: list[Contact] = field(default_factory=list)
    missing_ids: list[int] = field(default_factory=list)
    events_seen: int = 0


class ContactDirectory:
    """The contacts of one ShootProof studio: API calls, with every contact met cached."""

    def __init__(self, client: ShootProofClient, cache: ContactsCache):
        self.client = client
        self.cache = cache

    def __repr__(self) -> str:
        return f"ContactDirectory({self.cache.account!r})"

    async def known(self) -> list[Contact]:
        return [cached.contact for cached in await self.cache.all()]

    async def brands(self) -> list[Brand]:
        return await self.client.brand_get_list()

    async def discover_from_events(self, on_found: Callable[[Contact], None] | None = None) -> DiscoveryResult:
        """Look up the contacts named by events that the cache does not hold yet."""
        result = DiscoveryResult()
        wanted: list[int] = []
        cached = await self.cache.ids()
        async for event in self.client.iter_events(include_archived=True, limit=EVENT_PAGE_SIZE):
            result.events_seen += 1
            if event.contact_id and event.contact_id not in cached and event.contact_id not in wanted:
                wanted.append(event.contact_id)
        gate = asyncio.Semaphore(LOOKUP_CONCURRENCY)

        async def look_up(contact_id: int) -> None:
            async with gate:
                try:
                    contacts = await self.client.contact_info(contact_id=contact_id)
                except NotFoundError:
                    result.missing_ids.append(contact_id)
                    return
            for contact in contacts:
                await self.cache.put(contact, "event")
                result.found.append(contact)
                if on_found is not None:
                    on_found(contact)

        await asyncio.gather(*(look_up(contact_id) for contact_id in wanted))
        return result

    async def find_by_email(self, email: str, *, brand_id: int | None = None) -> list[Contact]:
        """Contacts with this email (one per brand at most); an empty list when there are none."""
        email = email.strip()
        if not EMAIL_RE.match(email):
            raise ValidationError(
                f"'{email}' is not an email address.",
                validation_errors={"email": [f"'{email}' is not an email address."]},
            )
        try:
            contacts = await self.client.contact_info(contact_email=email, brand_id=brand_id)
        except NotFoundError:
            return []
        matching = [contact for contact in contacts if (contact.email or "").casefold() == email.casefold()]
        await self.cache.put_many(matching, "found")
        return matching

    async def refresh(self, contact_id: int) -> Contact | None:
        """The contact as ShootProof has it now; None (and dropped from the cache) if it is gone."""
        try:
            contacts = await self.client.contact_info(contact_id=contact_id)
        except NotFoundError:
            await self.cache.remove(contact_id)
            return None
        contact = next((c for c in contacts if c.id == contact_id), contacts[0] if contacts else None)
        if contact is None:
            await self.cache.remove(contact_id)
            return None
        previous = await self.cache.get(contact_id)
        await self.cache.put(contact, previous.source if previous else "found")
        return contact

    async def create(self, fields: ContactFields, *, source: str = "created") -> Contact:
        problems = fields.problems()
        if problems:
            raise ValidationError("Some fields need attention.", validation_errors=problems)
        contact = await self.client.contact_create(**fields.create_kwargs())
        await self.cache.put(contact, source)
        return contact

    async def update(self, contact_id: int, fields: ContactFields) -> Contact:
        problems = fields.problems()
        if problems:
            raise ValidationError("Some fields need attention.", validation_errors=problems)
        contact = await self.client.contact_update(contact_id, **fields.update_kwargs())
        previous = await self.cache.get(contact_id)
        await self.cache.put(contact, previous.source if previous else "found")
        return contact

    async def delete(self, contact_id: int) -> None:
        try:
            await self.client.contact_delete(contact_id)
        except NotFoundError:
            pass  # already gone on the website: the goal is reached
        await self.cache.remove(contact_id)

    async def events_of(self, contact_id: int) -> list[Event]:
        return await self.client.contact_get_event_list(contact_id)

    async def assign(self, event_id: int, contact_id: int | None) -> int | None:
        """Make ``contact_id`` the event's contact, or clear it with None; returns the contact now set."""
        return await self.client.event_set_contact(event_id, contact_id)

    async def remember(self, contacts: Sequence[Contact], source: str) -> None:
        await self.cache.put_many(contacts, source)
