"""What the Pixieset Studio client hands out: frozen, typed, tolerant.

Pixieset's API is unofficial and changes without notice, so parsing takes what
it recognises, ignores unknown fields and leaves missing ones as ``None``.
Only an object without an ``id`` (or not an object at all) is refused, with a
``ValueError`` the client turns into a bad-response error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from studio_desktop.api.models.lenient import lenient_int
from studio_desktop.api.pixieset_countries import country_name

CLIENT_TYPES = ("client", "lead", "other")
T = TypeVar("T")


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    return str(value)


def _int(value: Any) -> int | None:
    """An int read as leniently as ShootProof's (one reader for both); anything else is no number."""
    try:
        return lenient_int(value)
    except ValueError:
        return None


def _datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"expected {what} to be an object, got {type(value).__name__}")
    return value


def _required_id(data: Mapping[str, Any], what: str) -> str:
    value = _text(data.get("id"))
    if not value:
        raise ValueError(f"{what} without an id")
    return value


@dataclass(frozen=True)
class AddressInfo:
    address_line_1: str | None = None
    address_line_2: str | None = None
    city: str | None = None
    postal_code: str | None = None
    state: str | None = None
    country: str | None = None
    country_id: int | None = None

    @classmethod
    def from_json(cls, data: Any) -> AddressInfo:
        if not isinstance(data, Mapping):
            return cls()
        country_id = _int(data.get("country_id"))
        return cls(
            address_line_1=_text(data.get("address_line_1")),
            address_line_2=_text(data.get("address_line_2")),
            city=_text(data.get("city")),
            postal_code=_text(data.get("postal_code")),
            state=_text(data.get("state")),
            country=_text(data.get("country")) or country_name(country_id),
            country_id=country_id,
        )

    def to_payload(self) -> dict[str, Any]:
        """The body's ``address_info``: Pixieset takes ``country_id`` and names the country itself."""
        return {
            "address_line_1": self.address_line_1,
            "address_line_2": self.address_line_2,
            "city": self.city,
            "postal_code": self.postal_code,
            "state": self.state,
            "country_id": self.country_id,
        }

    @property
    def is_empty(self) -> bool:
        return not any(
            (
                self.address_line_1,
                self.address_line_2,
                self.city,
                self.postal_code,
                self.state,
                self.country_id,
                self.country,
            )
        )

    def lines(self) -> list[str]:
        """The address as printed on an envelope, skipping empty parts."""
        city_line = " ".join(part for part in (self.city, self.state, self.postal_code) if part)
        return [line for line in (self.address_line_1, self.address_line_2, city_line, self.country) if line]


@dataclass(frozen=True)
class Client:
    """A person in the studio's CRM: a client, a lead or another contact."""

    id: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    company: str | None = None
    job_title: str | None = None
    address_info: AddressInfo = field(default_factory=AddressInfo)
    notes: str | None = None
    type: str = "client"
    type_formatted: str | None = None
    status_name: str | None = None
    avatar_color: int | None = None
    created_at: datetime | None = None
    sample: bool = False

    @classmethod
    def from_json(cls, data: Any) -> Client:
        data = _mapping(data, "a client")
        kind = _text(data.get("type")) or "client"
        return cls(
            id=_required_id(data, "a client"),
            first_name=_text(data.get("first_name")),
            last_name=_text(data.get("last_name")),
            email=_text(data.get("email")),
            phone=_text(data.get("phone")),
            company=_text(data.get("company")),
            job_title=_text(data.get("job_title")),
            address_info=AddressInfo.from_json(data.get("address_info")),
            notes=_text(data.get("notes")),
            type=kind,
            type_formatted=_text(data.get("type_formatted")) or kind.title(),
            status_name=_text(data.get("status_name")),
            avatar_color=_int(data.get("avatar_color")),
            created_at=_datetime(data.get("created_at")),
            sample=data.get("sample") is True,
        )

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def display_name(self) -> str:
        """What a list shows: the name, else the email, else the phone."""
        return self.full_name or self.email or self.phone or "Unnamed contact"

    @property
    def is_archived(self) -> bool:
        return (self.status_name or "").casefold() == "archived"


@dataclass(frozen=True)
class ClientDraft:
    """The editable fields of a client, for :meth:`PixiesetClient.create_client` and ``update_client``."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    company: str | None = None
    job_title: str | None = None
    address_info: AddressInfo | None = None
    notes: str | None = None
    type: str = "client"

    @classmethod
    def from_client(cls, client: Client) -> ClientDraft:
        return cls(
            first_name=client.first_name,
            last_name=client.last_name,
            email=client.email,
            phone=client.phone,
            company=client.company,
            job_title=client.job_title,
            address_info=client.address_info,
            notes=client.notes,
            type=client.type,
        )

    def to_payload(self, *, omit_empty: bool = False) -> dict[str, Any]:
        """The JSON body. ``omit_empty`` leaves out unset fields (for creating); otherwise
        they are sent as null, so that an edit that cleared a field clears it in Pixieset."""
        payload: dict[str, Any] = {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "phone": self.phone,
            "company": self.company,
            "job_title": self.job_title,
            "address_info": self.address_info.to_payload() if self.address_info is not None else None,
            "notes": self.notes,
            "type": self.type,
        }
        if omit_empty:
            payload = {key: value for key, value in payload.items() if value not in (None, "")}
        return payload


@dataclass(frozen=True)
class Collection:
    """A client gallery (Pixieset "collection") linked to a client."""

    id: str
    name: str | None = None
    slug: str | None = None
    status: str | None = None
    photo_count: int | None = None
    video_count: int | None = None
    event_date: date | None = None
    url: str | None = None
    created_at: datetime | None = None
    client_id: str | None = None

    @classmethod
    def from_json(cls, data: Any) -> Collection:
        data = _mapping(data, "a collection")
        return cls(
            id=_required_id(data, "a collection"),
            name=_text(data.get("name")),
            slug=_text(data.get("slug")),
            status=_text(data.get("status")),
            photo_count=_int(data.get("photo_count")),
            video_count=_int(data.get("video_count")),
            event_date=_date(data.get("event_date")),
            url=_text(data.get("url")),
            created_at=_datetime(data.get("created_at")),
            client_id=_text(data.get("client_id")),
        )


@dataclass(frozen=True)
class GiftCardActivity:
    id: str | None = None
    code: str | None = None
    amount: int | None = None
    currency: str | None = None
    created_at: datetime | None = None

    @classmethod
    def from_json(cls, data: Any) -> GiftCardActivity:
        if not isinstance(data, Mapping):
            return cls()
        return cls(
            id=_text(data.get("id")),
            code=_text(data.get("code")),
            amount=_int(data.get("amount")),
            currency=_text(data.get("currency")),
            created_at=_datetime(data.get("created_at")),
        )


@dataclass(frozen=True)
class Document:
    """A contract, invoice or quote sent to a client. ``amount`` is in cents."""

    id: str
    type: str | None = None
    type_formatted: str | None = None
    title: str | None = None
    number: str | None = None
    status: str | None = None
    status_formatted: str | None = None
    amount: int | None = None
    amount_formatted: str | None = None
    currency: str | None = None
    due_date: date | None = None
    created_at: datetime | None = None
    client_id: str | None = None
    # None when not asked for with ``expand=gift_card_activities``.
    gift_card_activities: tuple[GiftCardActivity, ...] | None = None

    @classmethod
    def from_json(cls, data: Any) -> Document:
        data = _mapping(data, "a document")
        activities = data.get("gift_card_activities")
        kind = _text(data.get("type"))
        status = _text(data.get("status"))
        return cls(
            id=_required_id(data, "a document"),
            type=kind,
            type_formatted=_text(data.get("type_formatted")) or (kind.title() if kind else None),
            title=_text(data.get("title")) or _text(data.get("name")),
            number=_text(data.get("number")),
            status=status,
            status_formatted=_text(data.get("status_formatted"))
            or (status.replace("_", " ").title() if status else None),
            amount=_int(data.get("amount")),
            amount_formatted=_text(data.get("amount_formatted")),
            currency=_text(data.get("currency")),
            due_date=_date(data.get("due_date")),
            created_at=_datetime(data.get("created_at")),
            client_id=_text(data.get("client_id")),
            gift_card_activities=(
                tuple(GiftCardActivity.from_json(item) for item in activities) if isinstance(activities, list) else None
            ),
        )


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a Laravel-paginated list."""

    items: tuple[T, ...]
    current_page: int
    last_page: int
    per_page: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.current_page < self.last_page

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class ClientPage(Page[Client]):
    """A page of clients, with the CSV export address and the status names Pixieset knows."""

    csv_url: str | None = None
    statuses: Mapping[int, str] = field(default_factory=dict, hash=False)


def page_numbers(body: Mapping[str, Any], items: Iterable[Any], *, page: int, per_page: int) -> dict[str, int]:
    """``current_page``, ``last_page``, ``per_page`` and ``total`` from ``meta``, guessed where missing."""
    count = len(list(items))
    meta = body.get("meta")
    meta = meta if isinstance(meta, Mapping) else {}
    current = _int(meta.get("current_page")) or page
    size = _int(meta.get("per_page")) or per_page
    total = _int(meta.get("total"))
    if total is None:
        total = (current - 1) * size + count
    last = _int(meta.get("last_page"))
    if last is None:
        last = max(1, -(-total // size)) if size > 0 else current
    return {"current_page": current, "last_page": max(1, last), "per_page": size, "total": max(0, total)}


def parse_statuses(value: Any) -> dict[int, str]:
    """``{"1": "Active", "2": "Archived"}`` with int keys; anything else becomes ``{}``."""
    if not isinstance(value, Mapping):
        return {}
    statuses = {}
    for key, name in value.items():
        number = _int(key)
        if number is not None and isinstance(name, str):
            statuses[number] = name
    return statuses
