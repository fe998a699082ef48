"""Orders and invoices as the studio reads them: who bought what in a gallery or a brand, and a contact's invoices.

Read-only, like the API. ``sp.order.get_list`` has no customer and no items,
so each listed order's details are fetched too, a few at a time; the view
fills its rows in as they arrive. Orders of a brand are the studio's orders
whose gallery belongs to the brand (the API filters by gallery only).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from studio_desktop.api.models import Invoice, Order, OrderDetails

PAGE_SIZE = 100
#: A brand's orders are gathered from the whole studio; stop after this many pages (10,000 orders).
MAX_PAGES = 100
DETAIL_CONCURRENCY = 4
CENT = Decimal("0.01")

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$", "NZD": "NZ$", "JPY": "¥"}


def money(amount: Decimal | None, currency: str | None) -> str:
    """``$1,234.50``, ``€690.00``, ``CHF 80.00``; empty when unknown."""
    if amount is None:
        return ""
    code = (currency or "").upper()
    amount = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    number = f"{abs(amount):,.2f}"
    symbol = _SYMBOLS.get(code)
    if symbol:
        return f"{sign}{symbol}{number}"
    return f"{sign}{code} {number}".strip()


def day(text: str | None) -> str:
    """The date part of ``2024-10-01 19:22:00``."""
    return (text or "")[:10]


@dataclass(frozen=True)
class OrderLine:
    quantity: int
    product: str
    photo_name: str
    total: Decimal | None


@dataclass(frozen=True)
class OrderSummary:
    """One row of the Orders view; ``details`` is None until they arrive."""

    order: Order
    details: OrderDetails | None = None

    @property
    def customer(self) -> str:
        details = self.details
        if details is None:
            return ""
        for address in (details.billing_address, details.shipping_address):
            if address is not None and address.name:
                return address.name
        contact = details.contact_information
        return (contact.email or contact.phone or "") if contact is not None else ""

    @property
    def email(self) -> str:
        contact = self.details.contact_information if self.details is not None else None
        return (contact.email or "") if contact is not None else ""

    def lines(self) -> list[OrderLine]:
        if self.details is None:
            return []
        lines = []
        for item in self.details.items:
            photo_name = (item.photo.name if item.photo is not None else None) or ""
            for product in item.products:
                name = " ".join(part for part in (product.item_name, product.item_size) if part) or "Product"
                lines.append(OrderLine(product.quantity or 1, name, photo_name, product.item_total))
        return lines

    @property
    def item_count(self) -> int | None:
        return sum(line.quantity for line in self.lines()) if self.details is not None else None

    @property
    def items_text(self) -> str:
        """``2 × Print 8x10, 1 × Canvas 16x20``."""
        return ", ".join(f"{line.quantity} × {line.product}" for line in self.lines())

    @property
    def total_text(self) -> str:
        return money(self.order.grand_total, self.order.currency)

    @property
    def status_text(self) -> str:
        status = self.order.order_status or ""
        if self.order.is_paid is False:
            return f"{status} · unpaid" if status else "Unpaid"
        return status


async def list_orders(
    client: Any,
    *,
    event_id: int | None = None,
    event_ids: Collection[int] | None = None,
    page_size: int = PAGE_SIZE,
    max_pages: int = MAX_PAGES,
) -> list[Order]:
    """Every order of one gallery (``event_id``), or of the galleries in ``event_ids`` (a brand's)."""
    orders: list[Order] = []
    page_number = 1
    while page_number <= max_pages:
        page = await client.order_get_list(event_id=event_id, limit=page_size, page=page_number)
        orders.extend(order for order in page.items if event_ids is None or order.event_id in event_ids)
        if not page.has_next or not page.items:
            break
        page_number += 1
    return orders


async def fetch_details(
    client: Any,
    orders: Iterable[Order],
    on_details: Callable[[OrderDetails], None],
    *,
    concurrency: int = DETAIL_CONCURRENCY,
) -> int:
    """Fetch each order's details, ``concurrency`` at a time, handing each to ``on_details``; returns how many."""
    gate = asyncio.Semaphore(concurrency)

    async def one(order: Order) -> None:
        async with gate:
            details = await client.order_get_details(order.id)
        on_details(details)

    jobs = [one(order) for order in orders]
    await asyncio.gather(*jobs)
    return len(jobs)


def invoice_total(invoice: Invoice) -> Decimal | None:
    """Items plus the sales tax on the taxable ones, as the invoice shows it."""
    if not invoice.items:
        return Decimal(0)
    subtotal = invoice.total
    if subtotal is None:
        return None
    rate = invoice.sales_tax_percent or Decimal(0)
    taxable = sum(
        (item.price or Decimal(0)) * (item.quantity if item.quantity is not None else 1)
        for item in invoice.items
        if item.is_taxable
    )
    return (subtotal + taxable * rate / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)


async def list_invoices(
    client: Any,
    *,
    brand_id: int | None = None,
    contact_id: int | None = None,
    page_size: int = PAGE_SIZE,
    max_pages: int = MAX_PAGES,
) -> list[Invoice]:
    """A brand's invoices (all of the studio's without ``brand_id``), only ``contact_id``'s if given."""
    invoices: list[Invoice] = []
    page_number = 1
    while page_number <= max_pages:
        page = await client.invoice_get_list(brand_id=brand_id, limit=page_size, page=page_number)
        invoices.extend(
            invoice
            for invoice in page.items
            if contact_id is None or (invoice.client_contact is not None and invoice.client_contact.id == contact_id)
        )
        if not page.has_next or not page.items:
            break
        page_number += 1
    return invoices
