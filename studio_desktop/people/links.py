"""Making a ShootProof contact from a Pixieset client, and a Pixieset client from a ShootProof contact.

Both directions look for the person by email first and reuse what they find,
so pressing the button twice (or for someone who is already on the other
side) never makes a duplicate. A creation that races with another one (the
server answers "email already taken") is resolved by looking again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Generic, TypeVar

from studio_desktop.api.errors import ValidationError
from studio_desktop.api.models import Address, Contact
from studio_desktop.api.pixieset import PixiesetClient
from studio_desktop.api.pixieset_countries import COUNTRIES, country_name
from studio_desktop.api.pixieset_errors import PixiesetValidationError
from studio_desktop.api.pixieset_models import AddressInfo, Client, ClientDraft
from studio_desktop.people.directory import ContactDirectory, ContactFields

log = logging.getLogger(__name__)

T = TypeVar("T")

# ISO codes (what ShootProof's own examples use) for the countries Pixieset numbers.
_ISO_CODES = {
    "AR": "Argentina",
    "AU": "Australia",
    "AT": "Austria",
    "BE": "Belgium",
    "BR": "Brazil",
    "CA": "Canada",
    "CL": "Chile",
    "CN": "China",
    "CO": "Colombia",
    "HR": "Croatia",
    "CZ": "Czech Republic",
    "DK": "Denmark",
    "EG": "Egypt",
    "FI": "Finland",
    "FR": "France",
    "DE": "Germany",
    "GR": "Greece",
    "HK": "Hong Kong",
    "HU": "Hungary",
    "IS": "Iceland",
    "IN": "India",
    "ID": "Indonesia",
    "IE": "Ireland",
    "IL": "Israel",
    "IT": "Italy",
    "JP": "Japan",
    "MY": "Malaysia",
    "MX": "Mexico",
    "MA": "Morocco",
    "NL": "Netherlands",
    "NZ": "New Zealand",
    "NO": "Norway",
    "PH": "Philippines",
    "PL": "Poland",
    "PT": "Portugal",
    "RO": "Romania",
    "SG": "Singapore",
    "ZA": "South Africa",
    "ES": "Spain",
    "SE": "Sweden",
    "CH": "Switzerland",
    "TH": "Thailand",
    "TR": "Turkey",
    "AE": "United Arab Emirates",
    "GB": "United Kingdom",
    "UK": "United Kingdom",
    "US": "United States",
    "USA": "United States",
    "VN": "Vietnam",
}
_COUNTRY_ALIASES = {
    "united states of america": "United States",
    "u.s.": "United States",
    "u.s.a.": "United States",
    "great britain": "United Kingdom",
    "england": "United Kingdom",
    "czechia": "Czech Republic",
}


class LinkError(Exception):
    """The person cannot be copied across; the message says why in plain words."""


@dataclass(frozen=True)
class LinkResult(Generic[T]):
    """The person on the other side, and whether it was made now (False: an existing one was found)."""

    item: T
    created: bool


def _country_id(name: str) -> int | None:
    wanted = name.strip().casefold()
    return next((country_id for country_id, known in COUNTRIES.items() if known.casefold() == wanted), None)


def pixieset_country_id(country: str | None) -> int | None:
    """Pixieset's number for a country written as ShootProof keeps it (a name or an ISO code)."""
    if not country:
        return None
    text = country.strip()
    name = _ISO_CODES.get(text.upper()) or _COUNTRY_ALIASES.get(text.casefold()) or text
    return _country_id(name)


def contact_fields_from_client(client: Client, brand_id: int) -> ContactFields:
    if not client.email:
        raise LinkError(
            f"{client.display_name} has no email address in Pixieset, and a ShootProof contact "
            "needs one. Add it in the client's details first."
        )
    first_name = client.first_name or client.company or client.email.split("@", 1)[0]
    info = client.address_info
    address = None
    if not info.is_empty:
        address = Address(
            street_line_1=info.address_line_1,
            street_line_2=info.address_line_2,
            city=info.city,
            state_province=info.state,
            postal_code=info.postal_code,
            country=info.country or country_name(info.country_id),
        )
    return ContactFields(
        brand_id=brand_id,
        first_name=first_name,
        email=client.email,
        last_name=client.last_name or "",
        phone=client.phone or "",
        business_name=client.company or "",
        notes=client.notes or "",
        third_party_id=client.id,
        address=address,
    ).cleaned()


def client_draft_from_contact(contact: Contact) -> ClientDraft:
    if not contact.email:
        raise LinkError(f"{contact.display_name} has no email address, so it cannot be matched in Pixieset.")
    address = None
    if contact.address is not None:
        a = contact.address
        address = AddressInfo(
            address_line_1=a.street_line_1,
            address_line_2=a.street_line_2,
            city=a.city,
            postal_code=a.postal_code,
            state=a.state_province,
            country_id=pixieset_country_id(a.country),
        )
        if address.is_empty:
            address = None
    return ClientDraft(
        first_name=contact.first_name,
        last_name=contact.last_name,
        email=contact.email,
        phone=contact.phone,
        company=contact.business_name,
        notes=contact.notes,
        address_info=address,
        type="client",
    )


async def find_client_by_email(pixieset: PixiesetClient, email: str) -> Client | None:
    wanted = email.strip().casefold()
    page = 1
    while True:
        result = await pixieset.search_clients(email.strip(), "all", page=page, page_size=100)
        for client in result.items:
            if (client.email or "").strip().casefold() == wanted:
                return client
        if not result.has_next or page >= 5:
            return None
        page += 1


async def contact_from_client(directory: ContactDirectory, client: Client, brand_id: int) -> LinkResult[Contact]:
    """The ShootProof contact for this Pixieset client: found by email in the brand, or created."""
    fields = contact_fields_from_client(client, brand_id)
    existing = await directory.find_by_email(fields.email, brand_id=brand_id)
    if existing:
        return LinkResult(existing[0], False)
    try:
        contact = await directory.create(fields, source="client")
    except ValidationError as exc:
        if "email" in exc.validation_errors:
            again = await directory.find_by_email(fields.email, brand_id=brand_id)
            if again:
                return LinkResult(again[0], False)
        raise
    log.info("Created ShootProof contact %s from a Pixieset client", contact.id)
    return LinkResult(contact, True)


async def client_from_contact(pixieset: PixiesetClient, contact: Contact) -> LinkResult[Client]:
    """The Pixieset client for this ShootProof contact: found by email, or created."""
    draft = client_draft_from_contact(contact)
    assert draft.email is not None
    existing = await find_client_by_email(pixieset, draft.email)
    if existing is not None:
        return LinkResult(existing, False)
    try:
        client = await pixieset.create_client(draft)
    except PixiesetValidationError as exc:
        if "email" in exc.field_errors:
            again = await find_client_by_email(pixieset, draft.email)
            if again is not None:
                return LinkResult(again, False)
        raise
    log.info("Created Pixieset client %s from a ShootProof contact", client.id)
    return LinkResult(client, True)
