"""The event tree as one ``QAbstractItemModel`` over :mod:`tree_nodes`, plus its filter proxy.

Custom roles give the domain objects back (``NodeRole`` → the node, ``TargetRole``
→ a :class:`GalleryTarget`), so views and other helpers never parse display text.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable
from typing import Any, cast

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFont, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from studio_desktop.api.models import Album
from studio_desktop.gallery.tree_nodes import ALBUM, EVENT, AlbumNode, BrandNode, EventNode, Node, album_sort_key
from studio_desktop.ui import icons

AnyIndex = QModelIndex | QPersistentModelIndex


class TreeRole(enum.IntEnum):
    NodeRole = Qt.ItemDataRole.UserRole + 1
    KindRole = Qt.ItemDataRole.UserRole + 2
    IdRole = Qt.ItemDataRole.UserRole + 3
    EventIdRole = Qt.ItemDataRole.UserRole + 4
    ArchivedRole = Qt.ItemDataRole.UserRole + 5
    TargetRole = Qt.ItemDataRole.UserRole + 6
    SortRole = Qt.ItemDataRole.UserRole + 7
    PhotoCountRole = Qt.ItemDataRole.UserRole + 8


NodeRole = TreeRole.NodeRole
KindRole = TreeRole.KindRole
IdRole = TreeRole.IdRole
EventIdRole = TreeRole.EventIdRole
ArchivedRole = TreeRole.ArchivedRole
TargetRole = TreeRole.TargetRole
SortRole = TreeRole.SortRole
PhotoCountRole = TreeRole.PhotoCountRole

NAME_COLUMN = 0
COUNT_COLUMN = 1
_HEADERS = ("Name", "Photos")


def _count_text(count: int | None) -> str:
    return "" if count is None else f"{count:,}"


def _date_text(value: str | None) -> str | None:
    return value.split(" ", 1)[0] if value else None


class EventTreeModel(QAbstractItemModel):
    """Brand → events → albums (up to four levels). Read-only; replaced wholesale by :meth:`set_root`."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._root = BrandNode()
        self._by_key: dict[tuple[str, int | None], Node] = {}
        self._event_icon = icons.event_icon()
        self._album_icon = icons.album_icon()
        self._archived_icon = icons.archived_icon()
        self._italic = QFont()
        self._italic.setItalic(True)

    # --- content -------------------------------------------------------------------------

    @property
    def root(self) -> BrandNode:
        return self._root

    def set_root(self, root: BrandNode) -> None:
        """Swap in a freshly built tree with a single reset (fast for thousands of nodes)."""
        self.beginResetModel()
        self._root = root
        self._by_key = {node.key: node for node in root.walk()}
        self.endResetModel()

    def clear(self) -> None:
        self.set_root(BrandNode())

    def node(self, index: AnyIndex) -> Node:
        if not index.isValid():
            return self._root
        return index.internalPointer()

    def find(self, kind: str, node_id: int) -> Node | None:
        return self._by_key.get((kind, node_id))

    def index_of(self, node: Node | None, column: int = 0) -> QModelIndex:
        if node is None or node is self._root or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.row, column, node)

    def index_for(self, kind: str, node_id: int) -> QModelIndex:
        return self.index_of(self.find(kind, node_id))

    def set_photo_counts(
        self, event_id: int, event_count: int | None = None, albums: Iterable[Album] | None = None
    ) -> None:
        """Newer counts for an event and its albums (from ``sp.event.get`` / ``sp.album.get_list``), in place.

        ``albums`` (nested, as ``sp.album.get_list`` gives them) also brings each album's
        ``display_order``: siblings are put in that order. Albums the tree does not hold
        are left for the next full refresh; nothing is reset, so expansion and selection stay.
        """
        event = self.find(EVENT, event_id)
        if not isinstance(event, EventNode):
            return
        if event_count is not None and event.event.photo_count != event_count:
            event.event = dataclasses.replace(event.event, photo_count=event_count)
            index = self.index_of(event, COUNT_COLUMN)
            self.dataChanged.emit(index, index)
        if albums is None:
            return
        fresh = {album.id: album for top in albums for album in top.walk()}
        nodes = [node for node in event.walk() if isinstance(node, AlbumNode) and node.id in fresh]
        for node in nodes:
            album = fresh[node.id]
            node.album = dataclasses.replace(
                node.album, photo_count=album.photo_count, display_order=album.display_order
            )
        self._reorder_albums(event)
        for node in nodes:
            self.dataChanged.emit(self.index_of(node, NAME_COLUMN), self.index_of(node, COUNT_COLUMN))

    def _reorder_albums(self, event: EventNode) -> None:
        parents = [event, *(node for node in event.walk() if node.children)]
        wanted = {id(p): sorted(p.children, key=lambda n: album_sort_key(cast(AlbumNode, n).album)) for p in parents}
        if all(wanted[id(p)] == p.children for p in parents):
            return
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        for parent in parents:
            parent.children = wanted[id(parent)]
            for row, child in enumerate(parent.children):
                child.row = row
        after = [
            self.createIndex(index.internalPointer().row, index.column(), index.internalPointer()) for index in before
        ]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    def event_count(self) -> int:
        return len(self._root.children)

    def album_count(self) -> int:
        return sum(1 for node in self._by_key.values() if node.kind == ALBUM)

    # --- QAbstractItemModel --------------------------------------------------------------

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:
        if column < 0 or column >= len(_HEADERS) or row < 0:
            return QModelIndex()
        if parent.isValid() and parent.column() != 0:
            return QModelIndex()
        parent_node = self.node(parent)
        if row >= len(parent_node.children):
            return QModelIndex()
        return self.createIndex(row, column, parent_node.children[row])

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        node: Node = index.internalPointer()
        return self.index_of(node.parent)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self.node(parent).children)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return len(_HEADERS)

    def hasChildren(self, parent: AnyIndex = QModelIndex()) -> bool:
        return self.rowCount(parent) > 0

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(_HEADERS):
            if role == Qt.ItemDataRole.DisplayRole:
                return _HEADERS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole and section == COUNT_COLUMN:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node: Node = index.internalPointer()
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return node.name if column == NAME_COLUMN else _count_text(node.photo_count)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(node) if column == NAME_COLUMN else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if node.is_archived:
                return QApplication.palette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
            if column == COUNT_COLUMN:
                return QApplication.palette().brush(QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText)
            return None
        if role == Qt.ItemDataRole.FontRole:
            return self._italic if node.is_archived and column == NAME_COLUMN else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column == COUNT_COLUMN:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(node)
        if role == SortRole:
            if column == COUNT_COLUMN:
                return node.photo_count if node.photo_count is not None else -1
            return node.name.casefold()
        if role == NodeRole:
            return node
        if role == KindRole:
            return node.kind
        if role == IdRole:
            return node.id
        if role == EventIdRole:
            return (
                node.id if isinstance(node, EventNode) else node.event_node.id if isinstance(node, AlbumNode) else None
            )
        if role == ArchivedRole:
            return node.is_archived
        if role == PhotoCountRole:
            return node.photo_count
        if role == TargetRole:
            return node.target() if isinstance(node, (EventNode, AlbumNode)) else None
        return None

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        for role in TreeRole:
            names[int(role)] = QByteArray(role.name[0].lower().encode() + role.name[1:].encode())
        return names

    # --- presentation helpers --------------------------------------------------------------

    def _icon(self, node: Node) -> QIcon:
        if isinstance(node, EventNode):
            return self._archived_icon if node.is_archived else self._event_icon
        return self._album_icon

    def _tooltip(self, node: Node) -> str:
        count = node.photo_count
        photos = f"{count:,} photo{'s' if count != 1 else ''}" if count is not None else None
        if isinstance(node, EventNode):
            parts = [node.name]
            date = _date_text(node.event.event_date)
            if date:
                parts.append(f"Shot on {date}")
            if photos:
                parts.append(photos)
            parts.append(f"Status: {node.status}")
            return "\n".join(parts)
        if isinstance(node, AlbumNode):
            parts = [" › ".join(node.album_path())]
            if photos:
                parts.append(photos)
            if node.album.password:
                parts.append("Password protected")
            return "\n".join(parts)
        return node.name


class EventTreeFilterProxy(QSortFilterProxyModel):
    """Filters by name (an album shows when it, an ancestor or a descendant matches) and hides archived events."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._text = ""
        self._show_archived = True
        self.setRecursiveFilteringEnabled(True)
        self.setSortRole(SortRole)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setDynamicSortFilter(False)

    @property
    def filter_text(self) -> str:
        return self._text

    @property
    def show_archived(self) -> bool:
        return self._show_archived

    def set_filter_text(self, text: str) -> None:
        text = " ".join(text.split()).casefold()
        if text != self._text:
            self._change_filter(lambda: setattr(self, "_text", text))

    def set_show_archived(self, show: bool) -> None:
        if bool(show) != self._show_archived:
            self._change_filter(lambda: setattr(self, "_show_archived", bool(show)))

    def _change_filter(self, apply) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9: cheaper and not deprecated
            self.beginFilterChange()
            apply()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            apply()
            self.invalidateFilter()

    def node(self, proxy_index: AnyIndex) -> Node | None:
        if not proxy_index.isValid():
            return None
        return proxy_index.data(NodeRole)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        parent_node = model.node(source_parent) if isinstance(model, EventTreeModel) else None
        if parent_node is None or source_row >= len(parent_node.children):
            return True
        node = parent_node.children[source_row]
        if not self._show_archived and node.is_archived:
            return False
        if not self._text:
            return True
        if self._text in node.name.casefold():
            return True
        # An album under a matching event (or album) stays, so a filtered event keeps its albums.
        return any(
            self._text in ancestor.name.casefold()
            for ancestor in node.ancestors()
            if not isinstance(ancestor, BrandNode)
        )


__all__ = [
    "ALBUM",
    "EVENT",
    "ArchivedRole",
    "EventIdRole",
    "EventTreeFilterProxy",
    "EventTreeModel",
    "IdRole",
    "KindRole",
    "NodeRole",
    "PhotoCountRole",
    "SortRole",
    "TargetRole",
    "TreeRole",
]
