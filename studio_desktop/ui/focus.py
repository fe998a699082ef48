"""Keyboard focus a person can see and move: F6 between the window's panes, a focus mark where views draw none.

Item views take one Tab stop each (arrows move inside them); F6 / Shift+F6
step through the panes in the order they sit on screen. A view with focus but
no current item (an empty queue, a tree before anything is chosen) still shows
a focus frame, so a keyboard user always knows where the keys go (Qt itself
makes the first row current when a view gets the focus by keyboard).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import cast

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLayout, QWidget


def single_tab_stop(view: QAbstractItemView) -> None:
    """Tab leaves the view instead of walking its cells; the arrow keys still move inside."""
    view.setTabKeyNavigation(False)


def paint_focus_frame(view: QAbstractItemView) -> None:
    """Call at the end of ``paintEvent``: a focus frame round the viewport while no item shows the focus."""
    if not view.hasFocus():
        return
    model = view.model()
    current = view.currentIndex()
    if model is not None and model.rowCount() and current.isValid():
        return
    # Drawn here, not by the style: Fusion draws no focus frame round an empty viewport.
    painter = QPainter(view.viewport())
    painter.setPen(QPen(view.palette().color(QPalette.ColorRole.Highlight), 2))
    painter.drawRect(view.viewport().rect().adjusted(1, 1, -1, -1))
    painter.end()


class _ContextMenuKeys(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress:
            return False
        key_event = cast(QKeyEvent, event)  # a KeyPress is one
        key, modifiers = key_event.key(), key_event.modifiers()
        if key == Qt.Key.Key_Menu or (key == Qt.Key.Key_F10 and modifiers == Qt.KeyboardModifier.ShiftModifier):
            view = cast(QAbstractItemView, self.parent())  # made by context_menu_keys(view)
            current = view.currentIndex()
            rect = view.visualRect(current) if current.isValid() else view.viewport().rect()
            view.customContextMenuRequested.emit(rect.center())
            return True
        return False


def context_menu_keys(view: QAbstractItemView) -> None:
    """Shift+F10 and the Menu key open ``view``'s context menu at its current item, as a right-click would."""
    view.installEventFilter(_ContextMenuKeys(view))


def _in_layout_order(layout: QLayout) -> list[QWidget]:
    found: list[QWidget] = []
    for position in range(layout.count()):
        item = layout.itemAt(position)
        assert item is not None  # position < count()
        widget, inner = item.widget(), item.layout()
        if widget is not None:
            own = widget.layout()
            if own is not None and not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                found.extend(_in_layout_order(own))
            else:
                found.append(widget)
        elif inner is not None:
            found.extend(_in_layout_order(inner))
    return found


def tab_order_as_laid_out(container: QWidget) -> None:
    """Tab through ``container``'s fields in the order its layouts show them, not the order they were made."""
    layout = container.layout()
    if layout is None:
        return
    fields = [widget for widget in _in_layout_order(layout) if widget.focusPolicy() & Qt.FocusPolicy.TabFocus]
    for first, second in itertools.pairwise(fields):
        QWidget.setTabOrder(first, second)


def focus_target(pane: QWidget) -> QWidget | None:
    """Where F6 puts the focus in ``pane``: its first shown list, table or tree, else its first focusable widget."""
    for view in pane.findChildren(QAbstractItemView):
        if view.isVisible() and view.isEnabled() and view.focusPolicy() & Qt.FocusPolicy.TabFocus:
            return view
    if isinstance(pane, QAbstractItemView) and pane.isVisible():
        return pane
    widget = pane.nextInFocusChain()
    while widget is not None and widget is not pane:
        if (
            pane.isAncestorOf(widget)
            and widget.isVisible()
            and widget.isEnabled()
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        ):
            return widget
        widget = widget.nextInFocusChain()
    return None


class PaneCycler(QObject):
    """F6 / Shift+F6: move the focus to the next or previous pane that is shown (``panes()`` in screen order)."""

    def __init__(self, panes: Callable[[], list[QWidget]], parent: QObject | None = None):
        super().__init__(parent)
        self._panes = panes

    def current(self) -> int | None:
        focused = QApplication.focusWidget()
        if focused is None:
            return None
        shown = self._shown()
        for position, pane in enumerate(shown):
            if pane is focused or pane.isAncestorOf(focused):
                return position
        return None

    def _shown(self) -> list[QWidget]:
        return [pane for pane in self._panes() if pane.isVisible() and focus_target(pane) is not None]

    def step(self, forward: bool = True) -> QWidget | None:
        shown = self._shown()
        if not shown:
            return None
        position = self.current()
        if position is None:
            position = -1 if forward else 0
        pane = shown[(position + (1 if forward else -1)) % len(shown)]
        target = focus_target(pane)
        if target is not None:
            target.setFocus(Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason)
        return target
