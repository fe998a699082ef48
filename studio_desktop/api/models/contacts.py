"""The studio's contacts: ``sp.contact.*``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from studio_desktop.api.errors import BadResponseError
from studio_desktop.api.models.base import Model
from studio_desktop.api.models.lenient import expect_object, field_errors, lenient_str, opt_int, opt_str


@dataclass(frozen=True)
class Address(Model):
    """A contact's address as the API returns it.

    The API takes addresses in a different shape than it returns them
    (``address_1``/``state``/``zip_postal`` in, ``street_line_1``/
    ``state_province``/``postal_code`` out); :meth:`to_params` converts.
    """

    _what: ClassVar[str] = "address"

    street_line_1: str | None = None
    street_line_2: str | None = None
    city: str | None = None
    state_province: str | None = None
    postal_code: str | None = None
    country: str | None = None
    id: int | None = None

    def to_params(self) -> dict[str, str]:
        pairs = {
            "address_1": self.street_line_1,
            "address_2": self.street_line_2,
            "city": self.city,
            "state": self.state_province,
            "country": self.country,
            "zip_postal": self.postal_code,
        }
        return {k: v for k, v in pairs.items() if v is not None}

    @classmethod
    def _shape(cls, d: Any) -> Mapping[str, Any]:
        """Either shape is read (the API's own, or the one it takes), the returned one first."""
        d = expect_object(d, cls._what)

        def first(*keys: str) -> str | None:
            text = None
            for key in keys:
                text = lenient_str(d.get(key))
                if text:
                    break
            return text

        return {
            "street_line_1": first("street_line_1", "address_1"),
            "street_line_2": first("street_line_2", "address_2"),
            "city": d.get("city"),
            "state_province": first("state_province", "state", "state_other"),
            "postal_code": first("postal_code", "zip_postal"),
            "country": d.get("country"),
            "id": d.get("id"),
        }


@dataclass(frozen=True)
class Contact(Model):
    _what: ClassVar[str] = "contact"

    id: int
    first_name: str | None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    business_name: str | None = None
    notes: str | None = None
    third_party_id: str | None = None
    brand_id: int | None = None
    brand_name: str | None = None
    address: Address | None = None
    #: from ``["a", "b"]`` or ``"a, b"``
    tags: tuple[str, ...] = ()

    @property
    def display_name(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return name or self.business_name or self.email or f"Contact {self.id}"


@dataclass(frozen=True)
class BulkContactError:
    """Why one row of ``sp.contact.bulk_create`` was rejected (``contact_index`` counts from 0)."""

    contact_index: int | None
    errors: dict[str, list[str]]

    def messages(self) -> list[str]:
        return [f"{name}: {message}" for name, messages in self.errors.items() for message in messages]


@dataclass(frozen=True)
class BulkContactResult:
    msg: str | None
    num_contacts_submitted: int | None
    num_valid_contacts: int | None
    num_invalid_contacts: int | None
    num_contacts_created: int | None
    num_errors: int | None
    contacts: tuple[Contact, ...]
    errors: tuple[BulkContactError, ...]

    @classmethod
    def from_json(cls, d: Any) -> BulkContactResult:
        """The answer mixes created contacts and rejected rows in one list; this splits them."""
        m = "bulk contact result"
        d = expect_object(d, m)
        rows = d.get("contacts")
        if isinstance(rows, Mapping):
            rows = list(rows.values())
        if rows is not None and not isinstance(rows, list):
            raise BadResponseError(
                "The server's answer is malformed: the bulk contact result 'contacts' is not a list."
            )
        contacts: list[Contact] = []
        errors: list[BulkContactError] = []
        for row in rows or []:
            row = expect_object(row, "bulk contact row")
            if row.get("errors") or (row.get("contact_index") is not None and row.get("id") is None):
                errors.append(
                    BulkContactError(
                        contact_index=opt_int(row, "contact_index", m),
                        errors=field_errors(row.get("errors")),
                    )
                )
            else:
                contacts.append(Contact.from_json(row))
        for row in d.get("errors") or []:  # tolerate errors listed apart from the contacts
            if isinstance(row, Mapping):
                errors.append(
                    BulkContactError(
                        contact_index=opt_int(row, "contact_index", m), errors=field_errors(row.get("errors"))
                    )
                )
        return cls(
            msg=opt_str(d, "msg"),
            num_contacts_submitted=opt_int(d, "num_contacts_submitted", m),
            num_valid_contacts=opt_int(d, "num_valid_contacts", m),
            num_invalid_contacts=opt_int(d, "num_invalid_contacts", m),
            num_contacts_created=opt_int(d, "num_contacts_created", m),
            num_errors=opt_int(d, "num_errors", m),
            contacts=tuple(contacts),
            errors=tuple(errors),
        )
