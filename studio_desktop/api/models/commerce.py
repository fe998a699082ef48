"""Money: orders placed in galleries (``sp.order.*``) and invoices sent to clients (``sp.invoice.*``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from studio_desktop.api.models.base import Key, Model
from studio_desktop.api.models.contacts import Contact
from studio_desktop.api.models.lenient import expect_object
from studio_desktop.api.models.photos import Photo


@dataclass(frozen=True)
class Order(Model):
    """One row of ``sp.order.get_list`` (the API calls the id ``order_id``)."""

    _what: ClassVar[str] = "order"

    id: Annotated[int, Key("order_id", "id")]
    event_id: int | None = None
    event_name: str | None = None
    order_date: str | None = None
    order_status: str | None = None
    is_paid: bool | None = None
    currency: str | None = None
    grand_total: Decimal | None = None


@dataclass(frozen=True)
class OrderContact(Model):
    _what: ClassVar[str] = "order contact"

    phone: str | None
    email: str | None


@dataclass(frozen=True)
class OrderAddress(Model):
    _what: ClassVar[str] = "order address"

    name: str | None = None
    address_line_1: str | None = None
    address_line_2: str | None = None
    city: str | None = None
    state_province: str | None = None
    postal_code: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class OrderPayment(Model):
    _what: ClassVar[str] = "order payment"

    is_paid: bool | None
    gateway_transaction_id: str | None
    currency: str | None


@dataclass(frozen=True)
class OrderTransaction(Model):
    """A refund or a void."""

    _what: ClassVar[str] = "order transaction"

    gateway_transaction_id: str | None
    amount: Decimal | None
    currency: str | None
    processing_fee: Decimal | None = None


@dataclass(frozen=True)
class OrderAddon(Model):
    _what: ClassVar[str] = "order add-on"

    label: str | None
    type: str | None
    price: Decimal | None
    quantity: int | None


@dataclass(frozen=True)
class OrderProduct(Model):
    _what: ClassVar[str] = "order product"

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


@dataclass(frozen=True)
class OrderItem(Model):
    _what: ClassVar[str] = "order item"

    photo: Photo | None
    #: the answer's ``product``: one object, or a list of them
    products: Annotated[tuple[OrderProduct, ...], Key("product")]

    @classmethod
    def _shape(cls, d: Any) -> Mapping[str, Any]:
        d = expect_object(d, cls._what)
        product = d.get("product")
        return {**d, "product": [product]} if isinstance(product, Mapping) else d


@dataclass(frozen=True)
class OrderDetails(Model):
    _what: ClassVar[str] = "order"

    id: Annotated[int, Key("id", "order_id")]
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
    #: as sent: the API does not document its shape
    redeemed_discounts: Any = None
    order_adjustment: Decimal | None = None
    shipping_charge: Decimal | None = None
    sales_tax: Decimal | None = None
    sales_tax_percent: Decimal | None = None
    sales_tax_on_digital_downloads: bool | None = None
    sales_tax_on_shipping: bool | None = None
    grand_total: Decimal | None = None


# --- invoices ------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceItem(Model):
    _what: ClassVar[str] = "invoice item"

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


@dataclass(frozen=True)
class Invoice(Model):
    _what: ClassVar[str] = "invoice"

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
