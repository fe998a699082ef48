"""The left-hand side of the window: brand selector, filter box and the tree of events and albums.

Widgets here only show things and say what the user did (``brand_selected``,
``target_changed``, ``refresh_requested``); the controller fetches data and
calls the setters.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any, cast

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from studio_desktop.api.models import Brand
from studio_desktop.gallery.tree_nodes import ALBUM, EVENT, BrandNode, GalleryTarget, Node
from studio_desktop.ui import icons
from studio_desktop.ui.focus import context_menu_keys, paint_focus_frame
from studio_desktop.ui.gallery.tree_model import (
    COUNT_COLUMN,
    NAME_COLUMN,
    EventTreeFilterProxy,
    EventTreeModel,
    NodeRole,
    TargetRole,
)

FILTER_DELAY_MS = 250
#: Expand everything the filter leaves only when that is few enough rows to stay quick.
EXPAND_MATCHES_LIMIT = 60

NodeKey = tuple[str, int | None]
#: Expanded rows kept across restarts (a studio may open hundreds; the settings file stays small).
MAX_EXPANDED = 300


def _node_key(value: Any) -> tuple[str, int] | None:
    if (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and value[0] in (EVENT, ALBUM)
        and isinstance(value[1], int)
        and not isinstance(value[1], bool)
    ):
        return (value[0], value[1])
    return None


class EventTreeView(QTreeView):
    """The tree itself. ``target_changed(GalleryTarget | None)`` when the current row changes."""

    target_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("eventTree")
        self.setAccessibleName("Galleries and albums")
        self.setAccessibleDescription("Arrow keys move, right and left open and close; the menu key shows commands")
        self.setUniformRowHeights(True)  # essential for 10,000+ rows
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAllColumnsShowFocus(True)
        self.setAnimated(False)
        self.setExpandsOnDoubleClick(True)
        self.setSortingEnabled(False)
        self.setFrameShape(QTreeView.Shape.NoFrame)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self._last_target: GalleryTarget | None = None
        self._hold = 0
        context_menu_keys(self)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        paint_focus_frame(self)

    def setModel(self, model) -> None:
        super().setModel(model)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COUNT_COLUMN, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(COUNT_COLUMN, self.fontMetrics().horizontalAdvance("000,000") + 16)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(False)
        self.selectionModel().currentRowChanged.connect(self._current_changed)
        self.selectionModel().selectionChanged.connect(self._selection_changed)

    @property
    def proxy(self) -> EventTreeFilterProxy:
        return cast(EventTreeFilterProxy, self.model())

    @property
    def source(self) -> EventTreeModel:
        return cast(EventTreeModel, self.proxy.sourceModel())

    def current_target(self) -> GalleryTarget | None:
        index = self.currentIndex()
        if not index.isValid() or not self.selectionModel().isSelected(index.siblingAtColumn(0)):
            return None
        return index.siblingAtColumn(0).data(TargetRole)

    def current_node(self) -> Node | None:
        index = self.currentIndex()
        return index.siblingAtColumn(0).data(NodeRole) if index.isValid() else None

    @contextlib.contextmanager
    def holding_target(self) -> Iterator[None]:
        """Say nothing while the model is swapped and the selection put back; then report a real change once."""
        self._hold += 1
        try:
            yield
        finally:
            self._hold -= 1
            self._emit_if_changed()

    def _emit_if_changed(self) -> None:
        if self._hold:
            return
        target = self.current_target()
        if target != self._last_target:
            self._last_target = target
            self.target_changed.emit(target)

    def _current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        self._emit_if_changed()

    def _selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        self._emit_if_changed()

    def forget_target(self) -> None:
        """After a model reset the old target is gone; say so once."""
        self._emit_if_changed()

    # --- selection and expansion by domain key ----------------------------------------------

    def proxy_index(self, kind: str, node_id: int) -> QModelIndex:
        source_index = self.source.index_for(kind, node_id)
        return self.proxy.mapFromSource(source_index) if source_index.isValid() else QModelIndex()

    def select(self, kind: str, node_id: int) -> bool:
        """Make the event or album current (expanding its parents); False if it is not shown."""
        index = self.proxy_index(kind, node_id)
        if not index.isValid():
            return False
        parent = index.parent()
        while parent.isValid():
            self.expand(parent)
            parent = parent.parent()
        self.setCurrentIndex(index)
        self.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        return True

    def expanded_keys(self) -> set[NodeKey]:
        keys: set[NodeKey] = set()
        proxy = self.proxy
        stack = [QModelIndex()]
        while stack:
            parent = stack.pop()
            for row in range(proxy.rowCount(parent)):
                index = proxy.index(row, 0, parent)
                if self.isExpanded(index):
                    node: Node = index.data(NodeRole)
                    keys.add(node.key)
                    stack.append(index)
        return keys

    def expand_keys(self, keys: Iterable[NodeKey]) -> None:
        for kind, node_id in keys:
            if node_id is None:
                continue
            index = self.proxy_index(kind, node_id)
            if index.isValid():
                self.expand(index)


class EventTreePanel(QWidget):
    """Brand selector, debounced filter box and the event tree, with a message page for empty states."""

    brand_selected = Signal(int)
    target_changed = Signal(object)
    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = EventTreeModel(self)
        self.proxy = EventTreeFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.brand_combo = QComboBox()
        self.brand_combo.setObjectName("brandCombo")
        self.brand_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.brand_combo.setMinimumContentsLength(12)
        self.brand_combo.setToolTip("Brand")
        self.brand_combo.setAccessibleName("Brand")
        self.brand_combo.currentIndexChanged.connect(self._brand_changed)
        brand_label = QLabel("Brand")
        brand_label.setBuddy(self.brand_combo)

        self.filter_edit = QLineEdit(objectName="treeFilter")
        self.filter_edit.setPlaceholderText("Filter galleries and albums")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.addAction(icons.search_icon(), QLineEdit.ActionPosition.LeadingPosition)
        self.filter_edit.setAccessibleName("Filter galleries and albums")
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self._apply_filter)
        self.filter_edit.textChanged.connect(self._filter_timer.start)
        self.filter_edit.returnPressed.connect(self._apply_filter)

        self.tree = EventTreeView(self)
        self.tree.setModel(self.proxy)
        self.tree.target_changed.connect(self.target_changed)

        self.message = QLabel()
        self.message.setObjectName("treeMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setEnabled(False)
        self.message.setMargin(24)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.message)

        self.summary = QLabel(objectName="treeSummary")
        self.summary.setEnabled(False)

        brand_row = QHBoxLayout()
        brand_row.setContentsMargins(0, 0, 0, 0)
        brand_row.addWidget(brand_label)
        brand_row.addWidget(self.brand_combo, 1)
        top = QVBoxLayout()
        top.setContentsMargins(10, 10, 10, 6)
        top.setSpacing(8)
        top.addLayout(brand_row)
        top.addWidget(self.filter_edit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(10, 4, 10, 6)
        bottom.addWidget(self.summary)
        layout.addLayout(bottom)

        self._saved_expansion: set[NodeKey] | None = None
        self._restore_view: tuple[tuple[str, int] | None, set[tuple[str, int]]] | None = None
        self._focus_tree_when_shown = False
        self._pending_brand_signal = True
        self.show_message("Loading galleries…")

    # --- brands ----------------------------------------------------------------------------

    def set_brands(self, brands: list[Brand], current_id: int | None = None) -> None:
        """Fill the brand selector without emitting ``brand_selected``."""
        self._pending_brand_signal = False
        try:
            self.brand_combo.clear()
            for brand in brands:
                label = brand.name or f"Brand {brand.id}"
                self.brand_combo.addItem(label, brand.id)
            if current_id is not None:
                position = self.brand_combo.findData(current_id)
                if position >= 0:
                    self.brand_combo.setCurrentIndex(position)
            self.brand_combo.setEnabled(len(brands) > 1)
        finally:
            self._pending_brand_signal = True

    def current_brand_id(self) -> int | None:
        value = self.brand_combo.currentData()
        return int(value) if value is not None else None

    def select_brand(self, brand_id: int) -> bool:
        position = self.brand_combo.findData(brand_id)
        if position < 0:
            return False
        self.brand_combo.setCurrentIndex(position)
        return True

    def _brand_changed(self, position: int) -> None:
        if self._pending_brand_signal and position >= 0:
            self.brand_selected.emit(int(self.brand_combo.itemData(position)))

    # --- tree content -------------------------------------------------------------------------

    def set_tree(self, root: BrandNode) -> None:
        """Show a new tree, keeping what was expanded and selected where it still exists.

        The first tree after a start also gets what was open when the app was last closed.
        """
        expanded = self.tree.expanded_keys() if self.model.event_count() else set()
        if self._saved_expansion is not None:
            expanded |= self._saved_expansion
        previous = self.tree.current_target()
        restored, self._restore_view = self._restore_view, None
        if restored is not None and root.children:
            expanded |= restored[1]
        else:
            self._restore_view = restored  # no galleries yet (a brand still loading): keep it for the next tree
        with self.tree.holding_target():
            self.model.set_root(root)
            if self.proxy.filter_text:
                self._saved_expansion = expanded
                self._expand_matches()
            else:
                self.tree.expand_keys(expanded)
            if previous is not None:
                self.tree.select(*previous.key)
            elif restored is not None and root.children and restored[0] is not None:
                self.tree.select(*restored[0])
        self._update_summary()
        if self.model.event_count() == 0:
            self.show_message("This brand has no galleries yet.")
        else:
            self._show_tree()

    # --- what was open, across restarts ----------------------------------------------------------------

    def view_state(self) -> dict[str, Any]:
        """The selected gallery and the expanded rows, as plain JSON for the settings file."""
        state = self._restore_view  # not shown yet: keep it for the next start
        if state is None or self.model.event_count():
            target = self.tree.current_target()
            selected = list(target.key) if target is not None else None
            expanded = self.tree.expanded_keys() if not self.proxy.filter_text else (self._saved_expansion or set())
            return {"selected": selected, "expanded": [list(k) for k in sorted(expanded, key=str)[:MAX_EXPANDED]]}
        saved_selected, saved_expanded = state
        return {
            "selected": list(saved_selected) if saved_selected else None,
            "expanded": [list(k) for k in saved_expanded],
        }

    def restore_view_state(self, state: Any) -> None:
        """Select and expand what ``view_state`` saved, once the first tree arrives; damaged entries are skipped."""
        if not isinstance(state, dict):
            return
        selected = _node_key(state.get("selected"))
        expanded = (
            {key for key in map(_node_key, state.get("expanded") or ()) if key is not None}
            if isinstance(state.get("expanded"), list)
            else set()
        )
        self._restore_view = (selected, expanded)

    def clear(self, message: str) -> None:
        self.model.clear()
        self.tree.forget_target()
        self._update_summary()
        self.show_message(message)

    def show_message(self, text: str) -> None:
        """Put ``text`` where the tree goes (loading, signed out, an error)."""
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    def take_focus(self) -> None:
        """Focus the tree; while it is still loading, the filter box holds the focus until the tree appears."""
        if self.stack.currentWidget() is self.tree:
            self.tree.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._focus_tree_when_shown = True
        self.filter_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_tree(self) -> None:
        # The window's focus widget, not hasFocus(): the window may not be active yet when the tree arrives.
        had_focus = self.stack.currentWidget() is not self.tree and self.window().focusWidget() is self.filter_edit
        self.stack.setCurrentWidget(self.tree)
        if self._focus_tree_when_shown and had_focus:
            self.tree.setFocus(Qt.FocusReason.OtherFocusReason)
        self._focus_tree_when_shown = False

    @property
    def message_text(self) -> str:
        return self.message.text() if self.stack.currentWidget() is self.message else ""

    # --- filter and archived --------------------------------------------------------------------

    def set_show_archived(self, show: bool) -> None:
        self.proxy.set_show_archived(show)
        self._update_summary()
        self.tree.forget_target()

    def set_filter_text(self, text: str) -> None:
        """Set the filter now (no debounce): for code and tests; typing goes through the timer."""
        self.filter_edit.setText(text)
        self._apply_filter()

    def _apply_filter(self) -> None:
        self._filter_timer.stop()
        text = self.filter_edit.text()
        had_filter = bool(self.proxy.filter_text)
        if not had_filter and text.strip():
            self._saved_expansion = self.tree.expanded_keys()
        self.proxy.set_filter_text(text)
        if self.proxy.filter_text:
            self._expand_matches()
        elif had_filter:
            self.tree.collapseAll()
            self.tree.expand_keys(self._saved_expansion or set())
            self._saved_expansion = None
            current = self.tree.currentIndex()
            if current.isValid():
                self.tree.scrollTo(current)
        self._update_summary()
        self.tree.forget_target()

    def _expand_matches(self) -> None:
        if self.proxy.rowCount() <= EXPAND_MATCHES_LIMIT:
            self.tree.expandAll()

    def _update_summary(self) -> None:
        total = self.model.event_count()
        shown = self.proxy.rowCount()
        if not total:
            self.summary.setText("")
        elif shown == total:
            self.summary.setText(f"{total:,} galler{'ies' if total != 1 else 'y'}")
        else:
            self.summary.setText(f"{shown:,} of {total:,} galleries shown")
