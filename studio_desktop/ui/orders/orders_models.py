"""Table models of the Orders view: orders (filled in as their details arrive) and invoices."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from studio_desktop.api.models import Invoice, Order, OrderDetails
from studio_desktop.gallery.orders import OrderSummary, day, invoice_total, money

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
AnyIndex = QModelIndex | QPersistentModelIndex
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class _TableModel(QAbstractTableModel):
    COLUMNS: tuple[str, ...] = ()
    #: Columns whose text is right-aligned (amounts, counts).
    NUMERIC: frozenset[int] = frozenset()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.rows: list[Any] = []

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.COLUMNS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole and section in self.NUMERIC:
                return int(_RIGHT)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == ITEM_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self.NUMERIC:
            return int(_RIGHT)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.text(row, index.column())
        return None

    def text(self, row: Any, column: int) -> str:
        raise NotImplementedError

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()


class OrdersModel(_TableModel):
    COLUMNS = ("Date", "Gallery", "Customer", "Items", "Total", "Status")
    NUMERIC = frozenset({3, 4})

    def set_orders(self, orders: list[Order]) -> None:
        self.set_rows([OrderSummary(order) for order in orders])

    def add_details(self, details: OrderDetails) -> None:
        for row, summary in enumerate(self.rows):
            if summary.order.id == details.id:
                self.rows[row] = OrderSummary(summary.order, details)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))
                return

    def summary(self, row: int) -> OrderSummary:
        return self.rows[row]

    def text(self, row: OrderSummary, column: int) -> str:
        order = row.order
        waiting = "…" if row.details is None else ""
        values = (
            day(order.order_date),
            order.event_name or "",
            row.customer or waiting,
            waiting if row.item_count is None else str(row.item_count),
            row.total_text,
            row.status_text,
        )
        return values[column]


class InvoicesModel(_TableModel):
    COLUMNS = ("Invoice", "Contact", "Status", "Issued", "Due", "Total")
    NUMERIC = frozenset({5})

    def set_invoices(self, invoices: list[Invoice]) -> None:
        self.set_rows(invoices)

    def invoice(self, row: int) -> Invoice:
        return self.rows[row]

    def text(self, row: Invoice, column: int) -> str:
        contact = row.client_contact
        values = (
            row.custom_invoice_id or f"No. {row.id}",
            contact.display_name if contact is not None else "",
            row.invoice_status_name or "",
            day(row.issued) or "not sent",
            day(row.final_payment_due),
            money(invoice_total(row), row.currency_code),
        )
        return values[column]
