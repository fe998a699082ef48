"""Item models of the people panels: known ShootProof contacts, a page of Pixieset clients, and small lists."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from studio_desktop.api.models import Contact
from studio_desktop.api.pixieset_models import Client
from studio_desktop.people.cache import sort_key
from studio_desktop.ui.people.widgets import BADGE_ROLE, SUBTITLE_ROLE

T = TypeVar("T")

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2
ID_ROLE = Qt.ItemDataRole.UserRole + 3

Index = QModelIndex | QPersistentModelIndex


class ItemListModel(QAbstractListModel, Generic[T]):
    """A flat list of domain objects; ``describe(item)`` gives (title, subtitle, badge, tooltip)."""

    def __init__(self, describe: Callable[[T], tuple[str, str, str, str]], key: Callable[[T], Any], parent=None):
        super().__init__(parent)
        self._items: list[T] = []
        self._describe = describe
        self._key = key

    # --- Qt ------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items) or index.column() != 0:
            return None
        item = self._items[index.row()]
        if role == ITEM_ROLE:
            return item
        if role == ID_ROLE:
            return self._key(item)
        if role in (
            Qt.ItemDataRole.DisplayRole,
            SUBTITLE_ROLE,
            BADGE_ROLE,
            Qt.ItemDataRole.ToolTipRole,
            SEARCH_ROLE,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            title, subtitle, badge, tip = self._describe(item)
            if role == Qt.ItemDataRole.DisplayRole:
                return title
            if role == SUBTITLE_ROLE:
                return subtitle
            if role == BADGE_ROLE:
                return badge or None
            if role == Qt.ItemDataRole.ToolTipRole:
                return tip or None
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return ", ".join(part for part in (title, subtitle, badge) if part)
            return " ".join((title, subtitle, badge, tip)).casefold()
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    # --- plain Python ------------------------------------------------------------------

    @property
    def items(self) -> list[T]:
        return list(self._items)

    def set_items(self, items: Sequence[T]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item(self, row: int) -> T | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def row_of(self, key: Any) -> int:
        for row, item in enumerate(self._items):
            if self._key(item) == key:
                return row
        return -1

    def replace(self, item: T) -> int:
        row = self.row_of(self._key(item))
        if row >= 0:
            self._items[row] = item
            index = self.index(row, 0)
            self.dataChanged.emit(index, index)
        return row

    def insert(self, row: int, item: T) -> None:
        row = max(0, min(row, len(self._items)))
        self.beginInsertRows(QModelIndex(), row, row)
        self._items.insert(row, item)
        self.endInsertRows()

    def remove(self, key: Any) -> bool:
        row = self.row_of(key)
        if row < 0:
            return False
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._items[row]
        self.endRemoveRows()
        return True


def _describe_contact(contact: Contact) -> tuple[str, str, str, str]:
    subtitle = contact.email or ""
    if contact.business_name and contact.business_name != contact.display_name:
        subtitle = f"{subtitle} · {contact.business_name}" if subtitle else contact.business_name
    tip = "\n".join(
        part
        for part in (contact.display_name, contact.email, contact.phone, contact.brand_name, ", ".join(contact.tags))
        if part
    )
    return contact.display_name, subtitle, "", tip


class ContactListModel(ItemListModel[Contact]):
    """The known contacts, kept sorted by last name then first name."""

    def __init__(self, parent=None):
        super().__init__(_describe_contact, lambda contact: contact.id, parent)

    def contact(self, row: int) -> Contact | None:
        return self.item(row)

    def set_contacts(self, contacts: Sequence[Contact]) -> None:
        unique = {contact.id: contact for contact in contacts}
        self.set_items(sorted(unique.values(), key=lambda c: (sort_key(c), c.id)))

    def upsert(self, contact: Contact) -> int:
        """Add or update ``contact`` at its sorted place; returns its row."""
        existing = self.row_of(contact.id)
        if existing >= 0:
            if sort_key(self._items[existing]) == sort_key(contact):
                self.replace(contact)
                return existing
            self.remove(contact.id)
        key = (sort_key(contact), contact.id)
        row = next((i for i, item in enumerate(self._items) if (sort_key(item), item.id) > key), len(self._items))
        self.insert(row, contact)
        return row


def _describe_client(client: Client) -> tuple[str, str, str, str]:
    subtitle = client.email or client.phone or ""
    if client.company:
        subtitle = f"{subtitle} · {client.company}" if subtitle else client.company
    badge = client.type_formatted or client.type.title()
    if client.is_archived:
        badge = f"{badge} · Archived"
    tip = "\n".join(
        part
        for part in (
            client.display_name,
            client.email,
            client.phone,
            client.company,
            f"Status: {client.status_name}" if client.status_name else "",
        )
        if part
    )
    return client.display_name, subtitle, badge, tip


class ClientListModel(ItemListModel[Client]):
    """One page of Pixieset clients, in the server's order."""

    def __init__(self, parent=None):
        super().__init__(_describe_client, lambda client: client.id, parent)

    def client(self, row: int) -> Client | None:
        return self.item(row)


class FilterProxy(QSortFilterProxyModel):
    """Case-insensitive "contains" filtering over every visible word of a row."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFilterRole(SEARCH_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_text(self, text: str) -> None:
        self.setFilterFixedString(text.strip().casefold())
