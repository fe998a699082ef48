"""ShootProof API v2 response objects as frozen dataclasses.

Every model has ``from_json(d)``: extra fields are ignored, a missing optional
field becomes ``None`` (or an empty tuple), and a missing or malformed required
field (an id, mostly) raises :class:`BadResponseError` with a plain message.
Ids are ``int``; money is ``Decimal``; dates stay the strings the server sent
(``"YYYY-MM-DD HH:MM:SS"``, UTC) because the API does not promise one format.
Nested sequences are tuples so the objects stay immutable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from studio_desktop.api.errors import BadResponseError

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "y", "on", "t"}
_FALSE = {"0", "false", "no", "n", "off", "f", ""}


def _bad(model: str, key: str, problem: str) -> BadResponseError:
    return BadResponseError(f"The server's answer is incomplete: the {model} {problem} '{key}'.")


def _obj(d: Any, model: str) -> Mapping[str, Any]:
    if not isinstance(d, Mapping):
        raise BadResponseError(f"The server's answer is malformed: expected {model} data, got {type(d).__name__}.")
    return d


def _int(value: Any, model: str, key: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _bad(model, key, "has a non-numeric")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise _bad(model, key, "has a non-numeric")


def req_int(d: Mapping[str, Any], key: str, model: str) -> int:
    value = _int(d.get(key), model, key)
    if value is None:
        raise _bad(model, key, "has no")
    return value


def opt_int(d: Mapping[str, Any], key: str, model: str) -> int | None:
    return _int(d.get(key), model, key)


def opt_str(d: Mapping[str, Any], key: str) -> str | None:
    value = d.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (str, int, float, Decimal)):
        return str(value)
    return None


def opt_bool(d: Mapping[str, Any], key: str) -> bool | None:
    value = d.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    return None


def opt_decimal(d: Mapping[str, Any], key: str, model: str) -> Decimal | None:
    value = d.get(key)
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise _bad(model, key, "has a non-numeric") from None


def opt_model(d: Mapping[str, Any], key: str, parse: Callable[[Any], T]) -> T | None:
    value = d.get(key)
    if value is None or value == "" or value == [] or value == {}:
        return None
    return parse(value)


def many(d: Mapping[str, Any], key: str, parse: Callable[[Any], T], model: str) -> tuple[T, ...]:
    value = d.get(key)
    if value is None or value == "" or value == {}:
        return ()
    if isinstance(value, Mapping):  # some PHP backends send {"0": {...}, "1": {...}}
        value = list(value.values())
    if not isinstance(value, list):
        raise BadResponseError(f"The server's answer is malformed: the {model} '{key}' is not a list.")
    return tuple(parse(item) for item in value)


def _strings(d: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = d.get(key)
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list):
        return tuple(str(item) for item in value if item is not None and str(item) != "")
    return ()


def field_errors(value: Any) -> dict[str, list[str]]:
    """Normalise ``{field: [messages]}`` (or ``{field: message}``) from the server."""
    if not isinstance(value, Mapping):
        return {}
    result: dict[str, list[str]] = {}
    for name, messages in value.items():
        if isinstance(messages, list):
            result[str(name)] = [str(m) for m in messages]
        elif isinstance(messages, Mapping):
            result[str(name)] = [str(m) for m in messages.values()]
        elif messages is not None:
            result[str(name)] = [str(messages)]
    return result


# --- studio ---------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    type: str | None
    used: int | None
    allowed: int | None

    @property
    def remaining(self) -> int | None:
        if self.used is None or self.allowed is None:
            return None
        return max(0, self.allowed - self.used)

    @classmethod
    def from_json(cls, d: Any) -> Plan:
        d = _obj(d, "plan")
        return cls(type=opt_str(d, "type"), used=opt_int(d, "used", "plan"), allowed=opt_int(d, "allowed", "plan"))


@dataclass(frozen=True)
class StudioUser:
    first_name: str | None
    last_name: str | None

    @classmethod
    def from_json(cls, d: Any) -> StudioUser:
        d = _obj(d, "user")
        return cls(first_name=opt_str(d, "first_name"), last_name=opt_str(d, "last_name"))


@dataclass(frozen=True)
class StudioInfo:
    name: str | None
    user: StudioUser | None
    homepage_url: str | None
    plan: Plan | None

    @classmethod
    def from_json(cls, d: Any) -> StudioInfo:
        d = _obj(d, "studio")
        return cls(
            name=opt_str(d, "name"),
            user=opt_model(d, "user", StudioUser.from_json),
            homepage_url=opt_str(d, "homepage_url"),
            plan=opt_model(d, "plan", Plan.from_json),
        )


# --- photos ---------------------------------------------------------------


@dataclass(frozen=True)
class PhotoUrls:
    """Rendition URLs; ``xx_large``/``xxx_large`` are the API's ``2x_large``/``3x_large``."""

    small: str | None = None
    medium: str | None = None
    medium_large: str | None = None
    large: str | None = None
    x_large: str | None = None
    xx_large: str | None = None
    xxx_large: str | None = None
    original: str | None = None

    def best(self, *, prefer_large: bool = False) -> str | None:
        """The first rendition present, small first for thumbnails, large first for viewing."""
        order = (
            (self.xxx_large, self.xx_large, self.x_large, self.large, self.medium_large, self.medium, self.small)
            if prefer_large
            else (self.medium, self.small, self.medium_large, self.large, self.x_large, self.xx_large, self.xxx_large)
        )
        return next((url for url in order if url), None)

    @classmethod
    def from_json(cls, d: Any) -> PhotoUrls:
        if isinstance(d, list):  # sp.mobile_app.get_photos: a list of {size: url} objects
            merged: dict[str, Any] = {}
            for item in d:
                if isinstance(item, Mapping):
                    merged.update(item)
            d = merged
        d = _obj(d, "photo url")
        return cls(
            small=opt_str(d, "small"),
            medium=opt_str(d, "medium"),
            medium_large=opt_str(d, "medium_large"),
            large=opt_str(d, "large"),
            x_large=opt_str(d, "x_large"),
            xx_large=opt_str(d, "2x_large"),
            xxx_large=opt_str(d, "3x_large"),
            original=opt_str(d, "original"),
        )


@dataclass(frozen=True)
class Photo:
    id: int
    name: str | None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    url: PhotoUrls = field(default_factory=PhotoUrls)

    @classmethod
    def from_json(cls, d: Any) -> Photo:
        d = _obj(d, "photo")
        return cls(
            id=req_int(d, "id", "photo"),
            name=opt_str(d, "name"),
            mime_type=opt_str(d, "mime_type"),
            width=opt_int(d, "width", "photo"),
            height=opt_int(d, "height", "photo"),
            url=opt_model(d, "url", PhotoUrls.from_json) or PhotoUrls(),
        )


@dataclass(frozen=True)
class UploadResult:
    photo_id: int
    photos_used: int | None
    photos_allowed: int | None
    #: sha256 hex of the bytes sent (filled in by the client, not the server)
    content_hash: str | None = None

    @classmethod
    def from_json(cls, d: Any) -> UploadResult:
        d = _obj(d, "upload result")
        return cls(
            photo_id=req_int(d, "photo_id", "upload result"),
            photos_used=opt_int(d, "photos_used", "upload result"),
            photos_allowed=opt_int(d, "photos_allowed", "upload result"),
        )


@dataclass(frozen=True)
class CoverPhoto:
    """A gallery's or album's cover: ``large``/``x_large`` URLs.

    Events describe it as ``{id, large, x_large}``; ``sp.cover_photo.set``
    answers ``{sizes: {l, xl}}``; both land here.
    """

    id: int | None
    large: str | None
    x_large: str | None

    @classmethod
    def from_json(cls, d: Any) -> CoverPhoto:
        d = _obj(d, "cover photo")
        sizes = d.get("sizes") if isinstance(d.get("sizes"), Mapping) else {}
        return cls(
            id=opt_int(d, "id", "cover photo"),
            large=opt_str(d, "large") or opt_str(sizes, "l"),
            x_large=opt_str(d, "x_large") or opt_str(sizes, "xl"),
        )


# --- events and albums ----------------------------------------------------


@dataclass(frozen=True)
class Album:
    id: int
    name: str | None
    password: str | None = None
    display_order: int | None = None
    parent_id: int | None = None
    cover_photo_url: str | None = None
    view_url: str | None = None
    photo_count: int | None = None
    event_id: int | None = None
    sub_albums: tuple[Album, ...] = ()

    def walk(self) -> Iterator[Album]:
        """This album and every album below it, depth first."""
        yield self
        for child in self.sub_albums:
            yield from child.walk()

    @classmethod
    def from_json(cls, d: Any) -> Album:
        d = _obj(d, "album")
        return cls(
            id=req_int(d, "id", "album"),
            name=opt_str(d, "name"),
            password=opt_str(d, "password") or None,
            display_order=opt_int(d, "display_order", "album"),
            parent_id=opt_int(d, "parent_id", "album") or None,
            cover_photo_url=opt_str(d, "cover_photo_url") or None,
            view_url=opt_str(d, "view_url"),
            photo_count=opt_int(d, "photo_count", "album"),
            event_id=opt_int(d, "event_id", "album"),
            sub_albums=many(d, "sub_albums", Album.from_json, "album"),
        )


@dataclass(frozen=True)
class Event:
    """A gallery. ``albums`` is filled only by ``sp.brand.get_event_tree``."""

    id: int
    name: str | None
    brand_id: int | None = None
    password: str | None = None
    category_id: int | None = None
    is_archived: bool | None = None
    status: str | None = None
    view_url: str | None = None
    url_slug: str | None = None
    created: str | None = None
    event_date: str | None = None
    release_date: str | None = None
    gallery_expiration_date: str | None = None
    contact_id: int | None = None
    last_updated: str | None = None
    cover_photo: CoverPhoto | None = None
    photo_count: int | None = None
    albums: tuple[Album, ...] = ()

    def walk_albums(self) -> Iterator[Album]:
        for album in self.albums:
            yield from album.walk()

    @classmethod
    def from_json(cls, d: Any) -> Event:
        d = _obj(d, "event")
        return cls(
            id=req_int(d, "id", "event"),
            name=opt_str(d, "name"),
            brand_id=opt_int(d, "brand_id", "event"),
            password=opt_str(d, "password") or None,
            category_id=opt_int(d, "category_id", "event") or None,
            is_archived=opt_bool(d, "is_archived"),
            status=opt_str(d, "status"),
            view_url=opt_str(d, "view_url"),
            url_slug=opt_str(d, "url_slug") or None,
            created=opt_str(d, "created"),
            event_date=opt_str(d, "event_date"),
            release_date=opt_str(d, "release_date"),
            gallery_expiration_date=opt_str(d, "gallery_expiration_date"),
            contact_id=opt_int(d, "contact_id", "event") or None,
            last_updated=opt_str(d, "last_updated"),
            cover_photo=opt_model(d, "cover_photo", CoverPhoto.from_json),
            photo_count=opt_int(d, "photo_count", "event"),
            albums=many(d, "albums", Album.from_json, "event"),
        )


@dataclass(frozen=True)
class EventTree:
    """A brand's events, each with its nested albums."""

    brand_id: int | None
    events: tuple[Event, ...]

    def event(self, event_id: int) -> Event | None:
        return next((e for e in self.events if e.id == event_id), None)

    @classmethod
    def from_json(cls, d: Any, brand_id: int | None = None) -> EventTree:
        d = _obj(d, "event tree")
        return cls(brand_id=brand_id, events=many(d, "events", Event.from_json, "event tree"))


@dataclass(frozen=True)
class GalleryVisitor:
    email_address: str
    contact_id: int | None = None
    date_accessed: str | None = None
    event_id: int | None = None
    event_name: str | None = None
    favorites: int | None = None
    cart_items: int | None = None
    downloads: int | None = None
    orders: int | None = None
    num_hidden_photos: int | None = None
    num_labeled_photos: int | None = None

    @classmethod
    def from_json(cls, d: Any) -> GalleryVisitor:
        d = _obj(d, "gallery visitor")
        email = opt_str(d, "email_address")
        if not email:
            raise _bad("gallery visitor", "email_address", "has no")
        m = "gallery visitor"
        return cls(
            email_address=email,
            contact_id=opt_int(d, "contact_id", m) or None,
            date_accessed=opt_str(d, "date_accessed"),
            event_id=opt_int(d, "event_id", m),
            event_name=opt_str(d, "event_name"),
            favorites=opt_int(d, "favorites", m),
            cart_items=opt_int(d, "cart_items", m),
            downloads=opt_int(d, "downloads", m),
            orders=opt_int(d, "orders", m),
            num_hidden_photos=opt_int(d, "num_hidden_photos", m),
            num_labeled_photos=opt_int(d, "num_labeled_photos", m),
        )


@dataclass(frozen=True)
class PhotoLabel:
    name: str | None
    photos: tuple[Photo, ...]

    @classmethod
    def from_json(cls, d: Any) -> PhotoLabel:
        d = _obj(d, "photo label")
        return cls(name=opt_str(d, "name"), photos=many(d, "photos", Photo.from_json, "photo label"))


@dataclass(frozen=True)
class VisitorPhotos:
    favorites: tuple[Photo, ...]
    labeled: tuple[PhotoLabel, ...]

    @classmethod
    def from_json(cls, d: Any) -> VisitorPhotos:
        d = _obj(d, "visitor photos")
        return cls(
            favorites=many(d, "favorites", Photo.from_json, "visitor photos"),
            labeled=many(d, "labeled", PhotoLabel.from_json, "visitor photos"),
        )


@dataclass(frozen=True)
class BulkEmailResult:
    num_email_addresses_submitted: int | None
    num_email_addresses_added: int | None

    @classmethod
    def from_json(cls, d: Any) -> BulkEmailResult:
        d = _obj(d, "bulk email result")
        m = "bulk email result"
        return cls(
            num_email_addresses_submitted=opt_int(d, "num_email_addresses_submitted", m),
            num_email_addresses_added=opt_int(d, "num_email_addresses_added", m),
        )


@dataclass(frozen=True)
class Category:
    id: int
    name: str | None
    display_order: int | None = None
    cover_url: str | None = None

    @classmethod
    def from_json(cls, d: Any) -> Category:
        d = _obj(d, "category")
        return cls(
            id=req_int(d, "id", "category"),
            name=opt_str(d, "name"),
            display_order=opt_int(d, "display_order", "category"),
            cover_url=opt_str(d, "cover_url") or None,
        )


@dataclass(frozen=True)
class Watermark:
    id: int
    name: str | None
    is_default: bool | None = None

    @classmethod
    def from_json(cls, d: Any) -> Watermark:
        d = _obj(d, "watermark")
        return cls(id=req_int(d, "id", "watermark"), name=opt_str(d, "name"), is_default=opt_bool(d, "is_default"))


@dataclass(frozen=True)
class WatermarkList:
    apply_default_to_new_uploads: bool | None
    watermarks: tuple[Watermark, ...]

    @property
    def default(self) -> Watermark | None:
        return next((w for w in self.watermarks if w.is_default), None)

    @classmethod
    def from_json(cls, d: Any) -> WatermarkList:
        d = _obj(d, "watermark list")
        return cls(
            apply_default_to_new_uploads=opt_bool(d, "apply_default_to_new_uploads"),
            watermarks=many(d, "watermarks", Watermark.from_json, "watermark list"),
        )


# --- mobile apps ----------------------------------------------------------


@dataclass(frozen=True)
class MobileAppLink:
    link_url: str | None
    icon_url: str | None

    @classmethod
    def from_json(cls, d: Any) -> MobileAppLink:
        d = _obj(d, "mobile app link")
        return cls(link_url=opt_str(d, "link_url"), icon_url=opt_str(d, "icon_url"))


@dataclass(frozen=True)
class MobileApp:
    id: int
    name: str | None
    event_id: int | None = None
    event_name: str | None = None
    icon_url: str | None = None
    num_photos: int | None = None
    num_installs: int | None = None
    num_views: int | None = None
    links: tuple[MobileAppLink, ...] = ()

    @classmethod
    def from_json(cls, d: Any) -> MobileApp:
        d = _obj(d, "mobile app")
        m = "mobile app"
        return cls(
            id=req_int(d, "id", m),
            name=opt_str(d, "name"),
            event_id=opt_int(d, "event_id", m),
            event_name=opt_str(d, "event_name"),
            icon_url=opt_str(d, "icon_url"),
            num_photos=opt_int(d, "num_photos", m),
            num_installs=opt_int(d, "num_installs", m),
            num_views=opt_int(d, "num_views", m),
            links=many(d, "links", MobileAppLink.from_json, m),
        )


# --- orders ---------------------------------------------------------------


@dataclass(frozen=True)
class Order:
    """One row of ``sp.order.get_list`` (the API calls the id ``order_id``)."""

    id: int
    event_id: int | None = None
    event_name: str | None = None
    order_date: str | None = None
    order_status: str | None = None
    is_paid: bool | None = None
    currency: str | None = None
    grand_total: Decimal | None = None

    @classmethod
    def from_json(cls, d: Any) -> Order:
        d = _obj(d, "order")
        key = "order_id" if d.get("order_id") is not None else "id"
        return cls(
            id=req_int(d, key, "order"),
            event_id=opt_int(d, "event_id", "order"),
            event_name=opt_str(d, "event_name"),
            order_date=opt_str(d, "order_date"),
            order_status=opt_str(d, "order_status"),
            is_paid=opt_bool(d, "is_paid"),
            currency=opt_str(d, "currency"),
            grand_total=opt_decimal(d, "grand_total", "order"),
        )


@dataclass(frozen=True)
class OrderContact:
    phone: str | None
    email: str | None

    @classmethod
    def from_json(cls, d: Any) -> OrderContact:
        d = _obj(d, "order contact")
        return cls(phone=opt_str(d, "phone"), email=opt_str(d, "email"))


@dataclass(frozen=True)
class OrderAddress:
    name: str | None = None
    address_line_1: str | None = None
    address_line_2: str | None = None
    city: str | None = None
    state_province: str | None = None
    postal_code: str | None = None
    country: str | None = None

    @classmethod
    def from_json(cls, d: Any) -> OrderAddress:
        d = _obj(d, "order address")
        return cls(**{name: opt_str(d, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class OrderPayment:
    is_paid: bool | None
    gateway_transaction_id: str | None
    currency: str | None

    @classmethod
    def from_json(cls, d: Any) -> OrderPayment:
        d = _obj(d, "order payment")
        return cls(
            is_paid=opt_bool(d, "is_paid"),
            gateway_transaction_id=opt_str(d, "gateway_transaction_id"),
            currency=opt_str(d, "currency"),
        )


@dataclass(frozen=True)
class OrderTransaction:
    """A refund or a void."""

    gateway_transaction_id: str | None
    amount: Decimal | None
    currency: str | None
    processing_fee: Decimal | None = None

    @classmethod
    def from_json(cls, d: Any) -> OrderTransaction:
        d = _obj(d, "order transaction")
        return cls(
            gateway_transaction_id=opt_str(d, "gateway_transaction_id"),
            amount=opt_decimal(d, "amount", "order transaction"),
            currency=opt_str(d, "currency"),
            processing_fee=opt_decimal(d, "processing_fee", "order transaction"),
        )


@dataclass(frozen=True)
class OrderAddon:
    label: str | None
    type: str | None
    price: Decimal | None
    quantity: int | None

    @classmethod
    def from_json(cls, d: Any) -> OrderAddon:
        d = _obj(d, "order add-on")
        return cls(
            label=opt_str(d, "label"),
            type=opt_str(d, "type"),
            price=opt_decimal(d, "price", "order add-on"),
            quantity=opt_int(d, "quantity", "order add-on"),
        )


@dataclass(frozen=True)
class OrderProduct:
    quantity: int | None = None
    item_name: str | None = None
    item_size: str | None = None
    is_digital_download: bool | None = None
    is_lab_fulfilled: bool | None = None
    lab_product_unit_price: Decimal | None = None
    addons: tuple[OrderAddon, ...] = ()
    unit_price: Decimal | None = None
    original_price: Decimal | None = None
    item_total: Decimal | None = None

    @classmethod
    def from_json(cls, d: Any) -> OrderProduct:
        d = _obj(d, "order product")
        m = "order product"
        return cls(
            quantity=opt_int(d, "quantity", m),
            item_name=opt_str(d, "item_name"),
            item_size=opt_str(d, "item_size"),
            is_digital_download=opt_bool(d, "is_digital_download"),
            is_lab_fulfilled=opt_bool(d, "is_lab_fulfilled"),
            lab_product_unit_price=opt_decimal(d, "lab_product_unit_price", m),
            addons=many(d, "addons", OrderAddon.from_json, m),
            unit_price=opt_decimal(d, "unit_price", m),
            original_price=opt_decimal(d, "original_price", m),
            item_total=opt_decimal(d, "item_total", m),
        )


@dataclass(frozen=True)
class OrderItem:
    photo: Photo | None
    products: tuple[OrderProduct, ...]

    @classmethod
    def from_json(cls, d: Any) -> OrderItem:
        d = _obj(d, "order item")
        product = d.get("product")
        products = (
            (OrderProduct.from_json(product),)
            if isinstance(product, Mapping)
            else many(d, "product", OrderProduct.from_json, "order item")
        )
        return cls(photo=opt_model(d, "photo", Photo.from_json), products=products)


@dataclass(frozen=True)
class OrderDetails:
    id: int
    event_id: int | None = None
    event_name: str | None = None
    order_date: str | None = None
    order_status_id: int | None = None
    order_status_name: str | None = None
    contact_information: OrderContact | None = None
    billing_address: OrderAddress | None = None
    shipping_address: OrderAddress | None = None
    lab_shipping_address: OrderAddress | None = None
    payment: OrderPayment | None = None
    refund_transaction: OrderTransaction | None = None
    void_transaction: OrderTransaction | None = None
    client_notes: str | None = None
    studio_notes: str | None = None
    items: tuple[OrderItem, ...] = ()
    addons: tuple[OrderAddon, ...] = ()
    redeemed_discounts: Any = None
    order_adjustment: Decimal | None = None
    shipping_charge: Decimal | None = None
    sales_tax: Decimal | None = None
    sales_tax_percent: Decimal | None = None
    sales_tax_on_digital_downloads: bool | None = None
    sales_tax_on_shipping: bool | None = None
    grand_total: Decimal | None = None

    @classmethod
    def from_json(cls, d: Any) -> OrderDetails:
        d = _obj(d, "order")
        m = "order"
        key = "id" if d.get("id") is not None else "order_id"
        return cls(
            id=req_int(d, key, m),
            event_id=opt_int(d, "event_id", m),
            event_name=opt_str(d, "event_name"),
            order_date=opt_str(d, "order_date"),
            order_status_id=opt_int(d, "order_status_id", m),
            order_status_name=opt_str(d, "order_status_name"),
            contact_information=opt_model(d, "contact_information", OrderContact.from_json),
            billing_address=opt_model(d, "billing_address", OrderAddress.from_json),
            shipping_address=opt_model(d, "shipping_address", OrderAddress.from_json),
            lab_shipping_address=opt_model(d, "lab_shipping_address", OrderAddress.from_json),
            payment=opt_model(d, "payment", OrderPayment.from_json),
            refund_transaction=opt_model(d, "refund_transaction", OrderTransaction.from_json),
            void_transaction=opt_model(d, "void_transaction", OrderTransaction.from_json),
            client_notes=opt_str(d, "client_notes"),
            studio_notes=opt_str(d, "studio_notes"),
            items=many(d, "items", OrderItem.from_json, m),
            addons=many(d, "addons", OrderAddon.from_json, m),
            redeemed_discounts=d.get("redeemed_discounts"),
            order_adjustment=opt_decimal(d, "order_adjustment", m),
            shipping_charge=opt_decimal(d, "shipping_charge", m),
            sales_tax=opt_decimal(d, "sales_tax", m),
            sales_tax_percent=opt_decimal(d, "sales_tax_percent", m),
            sales_tax_on_digital_downloads=opt_bool(d, "sales_tax_on_digital_downloads"),
            sales_tax_on_shipping=opt_bool(d, "sales_tax_on_shipping"),
            grand_total=opt_decimal(d, "grand_total", m),
        )


# --- brands ---------------------------------------------------------------


@dataclass(frozen=True)
class BrandAddress:
    address_1: str | None = None
    address_2: str | None = None
    city: str | None = None
    state: str | None = None
    state_other: str | None = None
    country: str | None = None
    zip_postal: str | None = None

    def to_params(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_json(cls, d: Any) -> BrandAddress:
        d = _obj(d, "brand address")
        return cls(**{name: opt_str(d, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Brand:
    id: int
    name: str | None
    is_default: bool | None = None
    subdomain: str | None = None
    custom_domain: str | None = None
    locale: str | None = None
    website: str | None = None
    homepage_url: str | None = None
    email: str | None = None
    phone: str | None = None
    address: BrandAddress | None = None

    @classmethod
    def from_json(cls, d: Any) -> Brand:
        d = _obj(d, "brand")
        return cls(
            id=req_int(d, "id", "brand"),
            name=opt_str(d, "name"),
            is_default=opt_bool(d, "is_default"),
            subdomain=opt_str(d, "subdomain"),
            custom_domain=opt_str(d, "custom_domain") or None,
            locale=opt_str(d, "locale"),
            website=opt_str(d, "website") or None,
            homepage_url=opt_str(d, "homepage_url"),
            email=opt_str(d, "email"),
            phone=opt_str(d, "phone"),
            address=opt_model(d, "address", BrandAddress.from_json),
        )


@dataclass(frozen=True)
class EventDefault:
    """A brand's named preset for new events (``sp.brand.get_event_defaults``)."""

    id: int
    name: str | None
    is_default: bool | None = None

    @classmethod
    def from_json(cls, d: Any) -> EventDefault:
        d = _obj(d, "event default")
        return cls(id=req_int(d, "id", "event default"), name=opt_str(d, "name"), is_default=opt_bool(d, "is_default"))


# --- contacts -------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    """A contact's address as the API returns it.

    The API takes addresses in a different shape than it returns them
    (``address_1``/``state``/``zip_postal`` in, ``street_line_1``/
    ``state_province``/``postal_code`` out); :meth:`to_params` converts.
    """

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
    def from_json(cls, d: Any) -> Address:
        d = _obj(d, "address")
        return cls(
            street_line_1=opt_str(d, "street_line_1") or opt_str(d, "address_1"),
            street_line_2=opt_str(d, "street_line_2") or opt_str(d, "address_2"),
            city=opt_str(d, "city"),
            state_province=opt_str(d, "state_province") or opt_str(d, "state") or opt_str(d, "state_other"),
            postal_code=opt_str(d, "postal_code") or opt_str(d, "zip_postal"),
            country=opt_str(d, "country"),
            id=opt_int(d, "id", "address"),
        )


@dataclass(frozen=True)
class Contact:
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
    tags: tuple[str, ...] = ()

    @property
    def display_name(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return name or self.business_name or self.email or f"Contact {self.id}"

    @classmethod
    def from_json(cls, d: Any) -> Contact:
        d = _obj(d, "contact")
        return cls(
            id=req_int(d, "id", "contact"),
            first_name=opt_str(d, "first_name"),
            last_name=opt_str(d, "last_name"),
            email=opt_str(d, "email"),
            phone=opt_str(d, "phone"),
            business_name=opt_str(d, "business_name"),
            notes=opt_str(d, "notes"),
            third_party_id=opt_str(d, "third_party_id"),
            brand_id=opt_int(d, "brand_id", "contact"),
            brand_name=opt_str(d, "brand_name"),
            address=opt_model(d, "address", Address.from_json),
            tags=_strings(d, "tags"),
        )


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
        d = _obj(d, "bulk contact result")
        m = "bulk contact result"
        rows = d.get("contacts")
        if isinstance(rows, Mapping):
            rows = list(rows.values())
        if rows is not None and not isinstance(rows, list):
            raise BadResponseError("The server's answer is malformed: the bulk contact result 'contacts' is not a list.")
        contacts: list[Contact] = []
        errors: list[BulkContactError] = []
        for row in rows or []:
            row = _obj(row, "bulk contact row")
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
                    BulkContactError(contact_index=opt_int(row, "contact_index", m), errors=field_errors(row.get("errors")))
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


# --- invoices -------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceItem:
    id: int | None
    name: str | None
    description: str | None = None
    quantity: int | None = None
    original_price: Decimal | None = None
    price: Decimal | None = None
    is_taxable: bool | None = None
    display_order: int | None = None
    created: str | None = None
    last_updated: str | None = None

    @classmethod
    def from_json(cls, d: Any) -> InvoiceItem:
        d = _obj(d, "invoice item")
        m = "invoice item"
        return cls(
            id=opt_int(d, "id", m),
            name=opt_str(d, "name"),
            description=opt_str(d, "description"),
            quantity=opt_int(d, "quantity", m),
            original_price=opt_decimal(d, "original_price", m),
            price=opt_decimal(d, "price", m),
            is_taxable=opt_bool(d, "is_taxable"),
            display_order=opt_int(d, "display_order", m),
            created=opt_str(d, "created"),
            last_updated=opt_str(d, "last_updated"),
        )


@dataclass(frozen=True)
class Invoice:
    id: int
    custom_invoice_id: str | None = None
    brand_id: int | None = None
    invoice_status_id: int | None = None
    invoice_status_name: str | None = None
    items: tuple[InvoiceItem, ...] = ()
    allow_payment_cash_check: bool | None = None
    allow_payment_credit_card: bool | None = None
    sales_tax_percent: Decimal | None = None
    sales_tax_state: str | None = None
    sales_tax_title: str | None = None
    final_payment_due: str | None = None
    issued: str | None = None
    language_code: str | None = None
    currency_code: str | None = None
    payment_confirmation_text: str | None = None
    client_note: str | None = None
    invoice_template_id: int | None = None
    created: str | None = None
    last_updated: str | None = None
    client_contact: Contact | None = None

    @property
    def total(self) -> Decimal | None:
        """Sum of price x quantity over the items (before tax); None if any price is missing."""
        total = Decimal(0)
        for item in self.items:
            if item.price is None:
                return None
            total += item.price * (item.quantity if item.quantity is not None else 1)
        return total

    @classmethod
    def from_json(cls, d: Any) -> Invoice:
        d = _obj(d, "invoice")
        m = "invoice"
        return cls(
            id=req_int(d, "id", m),
            custom_invoice_id=opt_str(d, "custom_invoice_id"),
            brand_id=opt_int(d, "brand_id", m),
            invoice_status_id=opt_int(d, "invoice_status_id", m),
            invoice_status_name=opt_str(d, "invoice_status_name"),
            items=many(d, "items", InvoiceItem.from_json, m),
            allow_payment_cash_check=opt_bool(d, "allow_payment_cash_check"),
            allow_payment_credit_card=opt_bool(d, "allow_payment_credit_card"),
            sales_tax_percent=opt_decimal(d, "sales_tax_percent", m),
            sales_tax_state=opt_str(d, "sales_tax_state"),
            sales_tax_title=opt_str(d, "sales_tax_title"),
            final_payment_due=opt_str(d, "final_payment_due"),
            issued=opt_str(d, "issued"),
            language_code=opt_str(d, "language_code"),
            currency_code=opt_str(d, "currency_code"),
            payment_confirmation_text=opt_str(d, "payment_confirmation_text"),
            client_note=opt_str(d, "client_note"),
            invoice_template_id=opt_int(d, "invoice_template_id", m),
            created=opt_str(d, "created"),
            last_updated=opt_str(d, "last_updated"),
            client_contact=opt_model(d, "client_contact", Contact.from_json),
        )


# --- pagination -----------------------------------------------------------


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a paginated list; pages count from 1."""

    items: list[T]
    page: int
    results_returned: int
    total_pages: int
    total_results: int

    @property
    def has_next(self) -> bool:
        return self.page < self.total_pages

    @classmethod
    def from_json(cls, d: Any, key: str, parse: Callable[[Any], T]) -> Page[T]:
        d = _obj(d, "page")
        if key not in d:
            raise BadResponseError(f"The server's answer is incomplete: the list '{key}' is missing.")
        items = list(many(d, key, parse, "page"))
        m = "page"
        page = opt_int(d, "page", m) or 1
        returned = opt_int(d, "results_returned", m)
        total_results = opt_int(d, "total_results", m)
        total_pages = opt_int(d, "total_pages", m)
        return cls(
            items=items,
            page=page,
            results_returned=len(items) if returned is None else returned,
            total_pages=(page if items else 0) if total_pages is None else total_pages,
            total_results=len(items) if total_results is None else total_results,
        )


def parse_list(d: Any, key: str, parse: Callable[[Any], T], *, required: bool = True) -> list[T]:
    """A plain (unpaginated) list under ``key`` in a response."""
    d = _obj(d, "response")
    if key not in d:
        if required:
            raise BadResponseError(f"The server's answer is incomplete: the list '{key}' is missing.")
        return []
    return list(many(d, key, parse, "response"))


def parse_one(d: Any, key: str, parse: Callable[[Any], T]) -> T:
    """The object under ``key`` in a response."""
    d = _obj(d, "response")
    value = d.get(key)
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, Mapping):
        raise BadResponseError(f"The server's answer is incomplete: '{key}' is missing.")
    return parse(value)


__all__ = [
    "Address",
    "Album",
    "Brand",
    "BrandAddress",
    "BulkContactError",
    "BulkContactResult",
    "BulkEmailResult",
    "Category",
    "Contact",
    "CoverPhoto",
    "Event",
    "EventDefault",
    "EventTree",
    "GalleryVisitor",
    "Invoice",
    "InvoiceItem",
    "MobileApp",
    "MobileAppLink",
    "Order",
    "OrderAddon",
    "OrderAddress",
    "OrderContact",
    "OrderDetails",
    "OrderItem",
    "OrderPayment",
    "OrderProduct",
    "OrderTransaction",
    "Page",
    "Photo",
    "PhotoLabel",
    "PhotoUrls",
    "Plan",
    "StudioInfo",
    "StudioUser",
    "UploadResult",
    "VisitorPhotos",
    "Watermark",
    "WatermarkList",
]
