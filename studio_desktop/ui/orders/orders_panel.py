"""The Orders panel: a gallery's or a brand's orders (date, customer, total, status, items) and invoices,
a contact's when one is selected in Contacts. Read-only, like the API.

Driven through setters (:meth:`set_client`, :meth:`set_scope`,
:meth:`set_contact`); loads only while :attr:`live` (its dock has been shown).
Every load has a generation number, so a slow answer for an older scope never
lands in the newer one's list.
"""

from __future__ import annotations

import asyncio
from html import escape
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from studio_desktop.api.models import Contact, Invoice, Order, OrderDetails
from studio_desktop.gallery.orders import (
    OrderSummary,
    day,
    fetch_details,
    invoice_total,
    list_invoices,
    list_orders,
    money,
)
from studio_desktop.ui.orders.orders_models import InvoicesModel, OrdersModel
from studio_desktop.ui.people.widgets import Banner, Busy, Hint, Title, run_for
from studio_desktop.ui.tasks import TaskRunner
from studio_desktop.wording import plain_message, signed_out_service

GALLERY = "gallery"
BRAND = "brand"


def _table(model, name: str, stretch: int) -> QTreeView:
    view = QTreeView(objectName=name)
    view.setModel(model)
    view.setRootIsDecorated(False)
    view.setUniformRowHeights(True)
    view.setAlternatingRowColors(True)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    header = view.header()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    # The names take what is left, so the amounts and statuses stay in view in a narrow dock.
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


def _details_view(name: str) -> QTextBrowser:
    browser = QTextBrowser(objectName=name)
    browser.setAccessibleName("Invoice details" if name.startswith("invoice") else "Order details")
    browser.setOpenLinks(False)
    browser.setPlaceholderText("Select a row to see what was bought.")
    return browser


class OrdersPanel(QWidget):
    status_message = Signal(str)
    auth_failed = Signal(str)

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ordersPanel")
        self.tasks = tasks
        self.client: Any = None
        self.live = False
        self.brand_id: int | None = None
        self.brand_name = ""
        self.event_ids: frozenset[int] = frozenset()
        self.gallery: tuple[int, str] | None = None
        self.contact: Contact | None = None
        self.orders_task: asyncio.Task | None = None
        self.invoices_task: asyncio.Task | None = None
        self._generation = {"orders": 0, "invoices": 0}
        self._build()

    # --- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.title = Title("Orders", self)
        self.scope_label = Hint("", self)
        self.refresh_button = QToolButton(self, text="Refresh", objectName="orders_refresh")
        self.refresh_button.setAutoRaise(True)
        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.title)
        titles.addWidget(self.scope_label)
        header.addLayout(titles, 1)
        header.addWidget(self.refresh_button)
        self.busy = Busy(self)
        self.banner = Banner(self)

        self.scope = QComboBox(self)
        self.scope.setObjectName("orders_scope")
        self.scope.setAccessibleName("Show orders of")
        self.scope.addItem("This gallery", GALLERY)
        self.scope.addItem("The whole brand", BRAND)
        self.orders_model = OrdersModel(self)
        self.orders_view = _table(self.orders_model, "orders_table", stretch=2)
        self.orders_view.setAccessibleName("Orders")
        self.orders_empty = Hint("", self)
        self.order_details = _details_view("order_details")
        orders_page = QWidget()
        orders_layout = QVBoxLayout(orders_page)
        orders_layout.setContentsMargins(0, 6, 0, 0)
        orders_layout.addWidget(self.scope)
        orders_layout.addWidget(self.orders_empty)
        orders_layout.addWidget(self._split(self.orders_view, self.order_details), 1)

        self.only_contact = QCheckBox("Only the contact selected in Contacts", self, objectName="invoices_only_contact")
        self.only_contact.setChecked(True)
        self.invoices_model = InvoicesModel(self)
        self.invoices_view = _table(self.invoices_model, "invoices_table", stretch=1)
        self.invoices_view.setAccessibleName("Invoices")
        self.invoices_empty = Hint("", self)
        self.invoice_details = _details_view("invoice_details")
        invoices_page = QWidget()
        invoices_layout = QVBoxLayout(invoices_page)
        invoices_layout.setContentsMargins(0, 6, 0, 0)
        invoices_layout.addWidget(self.only_contact)
        invoices_layout.addWidget(self.invoices_empty)
        invoices_layout.addWidget(self._split(self.invoices_view, self.invoice_details), 1)

        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Orders and invoices")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(orders_page, "Orders")
        self.tabs.addTab(invoices_page, "Invoices")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addWidget(self.busy)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)

        self.refresh_button.clicked.connect(self.reload)
        self.scope.currentIndexChanged.connect(lambda _index: self.load_orders())
        self.only_contact.toggled.connect(lambda _checked: self.load_invoices())
        self.orders_view.selectionModel().currentRowChanged.connect(self._order_chosen)
        self.invoices_view.selectionModel().currentRowChanged.connect(self._invoice_chosen)
        self._sync()

    @staticmethod
    def _split(table: QWidget, details: QWidget) -> QSplitter:
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(table)
        splitter.addWidget(details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        return splitter

    # --- what to show --------------------------------------------------------------------------

    def set_client(self, client: Any) -> None:
        self.client = client
        self.reload()

    def set_scope(
        self, brand_id: int | None, brand_name: str, event_ids: frozenset[int], gallery: tuple[int, str] | None
    ) -> None:
        """The brand on screen (its galleries' ids) and the gallery selected in it, if any."""
        changed_brand = brand_id != self.brand_id or event_ids != self.event_ids
        changed_gallery = gallery != self.gallery
        self.brand_id, self.brand_name, self.event_ids, self.gallery = brand_id, brand_name, event_ids, gallery
        self.scope.blockSignals(True)
        self.scope.setCurrentIndex(self.scope.findData(GALLERY if gallery is not None else BRAND))
        self.scope.blockSignals(False)
        if changed_gallery or changed_brand:
            self.load_orders()
        if changed_brand:
            self.load_invoices()

    def set_contact(self, contact: Contact | None) -> None:
        if (contact.id if contact else None) == (self.contact.id if self.contact else None):
            return
        self.contact = contact
        self.load_invoices()

    def set_live(self, live: bool) -> None:
        if live and not self.live:
            self.live = True
            self.reload()

    def scope_kind(self) -> str:
        return str(self.scope.currentData()) if self.gallery is not None else BRAND

    # --- loading -------------------------------------------------------------------------------

    def reload(self) -> None:
        self.banner.hide()
        self.load_orders()
        self.load_invoices()

    def _next(self, what: str) -> int:
        self._generation[what] += 1
        return self._generation[what]

    def _run(self, coro, on_result, on_error, *, name: str) -> asyncio.Task | None:
        try:
            return run_for(self, self.tasks, coro, on_result, on_error, name=name, quiet=True)
        except RuntimeError:  # shutting down
            coro.close()
            return None

    def load_orders(self) -> None:
        generation = self._next("orders")
        if self.orders_task is not None and not self.orders_task.done():
            self.orders_task.cancel()
        self.orders_task = None
        self.orders_model.set_orders([])
        self.order_details.clear()
        if not self.live or self.client is None or (self.brand_id is None and self.gallery is None):
            self._sync()
            return
        client = self.client
        # A factory, not a coroutine: a task cancelled before it starts must leave nothing un-awaited.
        if self.scope_kind() == GALLERY and self.gallery is not None:
            event_id = self.gallery[0]

            def job():
                return list_orders(client, event_id=event_id)
        else:
            event_ids = self.event_ids

            def job():
                return list_orders(client, event_ids=event_ids)

        self.orders_task = self._run(
            self._orders_with_details(client, job, generation),
            lambda _count: self._orders_done(generation),
            lambda error: self._failed("orders", generation, error),
            name="orders-load",
        )
        self._sync()

    async def _orders_with_details(self, client: Any, job, generation: int) -> int:
        orders = await job()
        self._orders_listed(generation, orders)
        return await fetch_details(client, orders, lambda details: self._details_arrived(generation, details))

    def _orders_listed(self, generation: int, orders: list[Order]) -> None:
        if generation == self._generation["orders"]:
            self.orders_model.set_orders(orders)
            self._sync()

    def _details_arrived(self, generation: int, details: OrderDetails) -> None:
        if generation != self._generation["orders"]:
            return
        self.orders_model.add_details(details)
        current = self.orders_view.currentIndex()
        if current.isValid() and self.orders_model.summary(current.row()).order.id == details.id:
            self._order_chosen(current)

    def _orders_done(self, generation: int) -> None:
        if generation == self._generation["orders"]:
            self.orders_task = None
            self._sync()

    def load_invoices(self) -> None:
        generation = self._next("invoices")
        if self.invoices_task is not None and not self.invoices_task.done():
            self.invoices_task.cancel()
        self.invoices_task = None
        self.invoices_model.set_invoices([])
        self.invoice_details.clear()
        if not self.live or self.client is None:
            self._sync()
            return
        contact_id = self.contact.id if self.contact is not None and self.only_contact.isChecked() else None
        self.invoices_task = self._run(
            list_invoices(self.client, brand_id=self.brand_id, contact_id=contact_id),
            lambda invoices: self._invoices_arrived(generation, invoices),
            lambda error: self._failed("invoices", generation, error),
            name="invoices-load",
        )
        self._sync()

    def _invoices_arrived(self, generation: int, invoices: list[Invoice]) -> None:
        if generation != self._generation["invoices"]:
            return
        self.invoices_task = None
        self.invoices_model.set_invoices(invoices)
        self._sync()

    def _failed(self, what: str, generation: int, error: BaseException) -> None:
        if generation != self._generation[what]:
            return
        setattr(self, f"{what}_task", None)
        service = signed_out_service(error)
        if service is not None:
            self.auth_failed.emit(service)
        self.banner.show_message(f"Could not load the {what}. {plain_message(error)}", "error")
        self._sync()

    # --- details ------------------------------------------------------------------------------

    def _order_chosen(self, current: QModelIndex, _previous: QModelIndex | None = None) -> None:
        if not current.isValid():
            self.order_details.clear()
            return
        self.order_details.setHtml(order_html(self.orders_model.summary(current.row())))

    def _invoice_chosen(self, current: QModelIndex, _previous: QModelIndex | None = None) -> None:
        if not current.isValid():
            self.invoice_details.clear()
            return
        self.invoice_details.setHtml(invoice_html(self.invoices_model.invoice(current.row())))

    # --- state ---------------------------------------------------------------------------------

    def loading(self) -> bool:
        return any(task is not None and not task.done() for task in (self.orders_task, self.invoices_task))

    def _sync(self) -> None:
        self.busy.set_busy(self.loading())
        # One gallery's orders all name the same gallery.
        self.orders_view.setColumnHidden(1, self.scope_kind() == GALLERY)
        self.scope.setEnabled(self.gallery is not None)
        gallery_name = self.gallery[1] if self.gallery else ""
        where = f"“{gallery_name}”" if self.scope_kind() == GALLERY else (self.brand_name or "this brand")
        orders = self.orders_model.rowCount()
        if self.client is None:
            self.scope_label.setText("Sign in to ShootProof to see orders and invoices.")
        else:
            self.scope_label.setText(f"{orders:,} order{'s' if orders != 1 else ''} in {where}")
        self.orders_empty.setVisible(orders == 0)
        if self.orders_task is not None:
            self.orders_empty.setText("Loading orders…")
        else:
            self.orders_empty.setText(f"No orders in {where} yet." if self.client is not None else "")
        contact = self.contact
        self.only_contact.setEnabled(contact is not None)
        self.only_contact.setText(
            f"Only {contact.display_name}" if contact is not None else "Only the contact selected in Contacts"
        )
        invoices = self.invoices_model.rowCount()
        self.invoices_empty.setVisible(invoices == 0)
        if self.invoices_task is not None:
            self.invoices_empty.setText("Loading invoices…")
        elif contact is not None and self.only_contact.isChecked():
            self.invoices_empty.setText(f"No invoices for {contact.display_name}.")
        else:
            self.invoices_empty.setText("No invoices yet." if self.client is not None else "")
        self.tabs.setTabText(0, f"Orders ({orders})" if orders else "Orders")
        self.tabs.setTabText(1, f"Invoices ({invoices})" if invoices else "Invoices")


def order_html(summary: OrderSummary) -> str:
    order, details = summary.order, summary.details
    head = (
        f"<b>Order {order.id}</b> · {escape(day(order.order_date))} · "
        f"{escape(summary.status_text)}<br>{escape(order.event_name or '')}"
    )
    if details is None:
        return f"{head}<p>Loading what was bought…</p>"
    who = escape(summary.customer)
    if summary.email and summary.email != summary.customer:
        who += f" &lt;{escape(summary.email)}&gt;"
    rows = "".join(
        f"<tr><td align='right'>{line.quantity} ×</td><td>{escape(line.product)}</td>"
        f"<td><small>{escape(line.photo_name)}</small></td>"
        f"<td align='right'>{escape(money(line.total, order.currency))}</td></tr>"
        for line in summary.lines()
    )
    extras = [("Shipping", details.shipping_charge), ("Sales tax", details.sales_tax)]
    extras += [(addon.label or "Add-on", addon.price) for addon in details.addons]
    extra_rows = "".join(
        f"<tr><td></td><td colspan='2'>{escape(label)}</td>"
        f"<td align='right'>{escape(money(amount, order.currency))}</td></tr>"
        for label, amount in extras
        if amount
    )
    notes = "".join(
        f"<p><i>{escape(label)}:</i> {escape(text)}</p>"
        for label, text in (("Client's note", details.client_notes), ("Studio note", details.studio_notes))
        if text
    )
    return (
        f"{head}<p>Customer: {who}</p><table cellspacing='6'>{rows}{extra_rows}"
        f"<tr><td></td><td colspan='2'><b>Total</b></td><td align='right'><b>{escape(summary.total_text)}</b>"
        f"</td></tr></table>{notes}"
    )


def invoice_html(invoice: Invoice) -> str:
    contact = invoice.client_contact
    currency = invoice.currency_code
    rows = "".join(
        f"<tr><td align='right'>{item.quantity or 1} ×</td><td>{escape(item.name or '')}"
        f"<br><small>{escape(item.description or '')}</small></td>"
        f"<td align='right'>{escape(money(item.price, currency))}</td></tr>"
        for item in invoice.items
    )
    parts = [
        f"<b>Invoice {escape(invoice.custom_invoice_id or str(invoice.id))}</b> · "
        f"{escape(invoice.invoice_status_name or '')}",
        f"For: {escape(contact.display_name)}" if contact is not None else "",
        f"Issued {escape(day(invoice.issued))}" if invoice.issued else "Not sent yet",
        f"Final payment due {escape(day(invoice.final_payment_due))}" if invoice.final_payment_due else "",
    ]
    head = "<br>".join(part for part in parts if part)
    total = money(invoice_total(invoice), currency)
    note = f"<p><i>Note:</i> {escape(invoice.client_note)}</p>" if invoice.client_note else ""
    return (
        f"{head}<table cellspacing='4'>{rows}<tr><td></td><td><b>Total with tax</b></td>"
        f"<td align='right'><b>{escape(total)}</b></td></tr></table>{note}"
    )
