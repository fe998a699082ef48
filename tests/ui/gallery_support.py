"""Helpers shared by the gallery command tests (their fixtures, ``gallery``, ``sp`` and ``ids``, are in conftest)."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from studio_desktop.ui.gallery.actions import GalleryActions

WAIT_MS = 10_000


def action_in(menu: QMenu, name: str):
    """The action called ``action_<name>`` in ``menu`` or one of its submenus."""
    for action in menu.actions():
        if action.objectName() == f"action_{name}":
            return action
        if action.menu() is not None:
            found = action_in(action.menu(), name)
            if found is not None:
                return found
    return None


def trigger_from_menu(menu: QMenu, name: str) -> None:
    action = action_in(menu, name)
    assert action is not None, f"{name} is not in the menu"
    assert action.isEnabled(), f"{name} is disabled"
    action.trigger()


def activate(gallery: GalleryActions, qtbot) -> None:
    """Give the main window the focus back (offscreen, closing a dialog does not always do it)."""
    window = gallery.window
    if not window.isActiveWindow():
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)


def select_node(gallery: GalleryActions, qtbot, kind: str, node_id: int) -> None:
    activate(gallery, qtbot)
    tree = gallery.tree
    assert tree.select(kind, node_id), f"{kind} {node_id} is not in the tree"
    tree.setFocus()
    qtbot.waitUntil(
        lambda: gallery.current_node() is not None and gallery.current_node().id == node_id, timeout=WAIT_MS
    )


def open_in_grid(gallery: GalleryActions, qtbot, kind: str, node_id: int, *, rows: int = 1) -> None:
    """Select an event or album and wait until its first photos are in the grid."""
    select_node(gallery, qtbot, kind, node_id)
    model = gallery.window.grid_model
    qtbot.waitUntil(
        lambda: (
            model.target is not None
            and model.target.key == (kind, node_id)
            and model.rowCount() >= rows
            and not model.is_loading
        ),
        timeout=WAIT_MS,
    )


def select_rows(gallery: GalleryActions, rows: list[int]) -> list[int]:
    """Select grid rows like ctrl-clicks would; returns their photo ids."""
    grid = gallery.grid
    model = grid.model()
    selection = grid.selectionModel()
    selection.clearSelection()
    for row in rows:
        selection.select(model.index(row, 0), QItemSelectionModel.SelectionFlag.Select)
    selection.setCurrentIndex(model.index(rows[0], 0), QItemSelectionModel.SelectionFlag.NoUpdate)
    grid.setFocus()
    gallery.scope = "grid"  # focus events may lag offscreen; this is where the focus went
    gallery.update_actions()
    return [photo.id for photo in gallery.selected_photos()]


def wait_dialog(qtbot, gallery: GalleryActions, object_name: str) -> QWidget:
    """The dialog the last command opened, once it is shown."""

    def shown() -> bool:
        dialog = gallery.last_dialog
        return (
            dialog is not None
            and shiboken6.isValid(dialog)
            and dialog.objectName() == object_name
            and dialog.isVisible()
        )

    qtbot.waitUntil(shown, timeout=WAIT_MS)
    return gallery.last_dialog


def wait_closed(qtbot, dialog: QWidget) -> None:
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(), timeout=WAIT_MS)


def press(qtbot, button) -> None:
    assert button.isEnabled(), f"{button.objectName() or button.text()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def confirm_box(qtbot, gallery: GalleryActions, object_name: str, *, option: bool | None = None) -> QMessageBox:
    """Wait for a confirmation, tick its option if asked, and press its confirm button."""
    box = wait_dialog(qtbot, gallery, object_name)
    if option is not None:
        box.checkBox().setChecked(option)
    press(qtbot, box.findChild(QWidget, "confirmButton"))
    return box


def wait_problem(qtbot, gallery: GalleryActions) -> str:
    qtbot.waitUntil(lambda: gallery.ctx.problem_box is not None, timeout=WAIT_MS)
    return gallery.ctx.problem_box.text()


def tree_names(gallery: GalleryActions) -> list[str]:
    return [node.name for node in gallery.window.tree_panel.model.root.walk()]


def drag_onto(gallery: GalleryActions, mime, kind: str, node_id: int) -> bool:
    """Drag ``mime`` over the tree row of (kind, node_id) and drop it there; True if the drop was taken."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    tree = gallery.tree
    index = tree.proxy_index(kind, node_id)
    assert index.isValid(), f"{kind} {node_id} is not shown"
    parent = index.parent()
    while parent.isValid():
        tree.expand(parent)
        parent = parent.parent()
    tree.scrollTo(index)
    pos = tree.visualRect(index).center()
    actions = Qt.DropAction.MoveAction | Qt.DropAction.CopyAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    viewport = tree.viewport()
    QApplication.sendEvent(viewport, QDragEnterEvent(pos, actions, mime, buttons, keys))
    move = QDragMoveEvent(pos, actions, mime, buttons, keys)
    QApplication.sendEvent(viewport, move)
    drop = QDropEvent(QPointF(pos), actions, mime, buttons, keys)
    QApplication.sendEvent(viewport, drop)
    return move.isAccepted() and drop.isAccepted()


def find_album(gallery: GalleryActions, name: str, event_id: int):
    """The tree's album node called ``name`` in event ``event_id``."""
    from studio_desktop.gallery.tree_nodes import EVENT, AlbumNode

    event = gallery.window.tree_panel.model.find(EVENT, event_id)
    for node in event.walk():
        if isinstance(node, AlbumNode) and node.name == name:
            return node
    raise AssertionError(f"no album {name!r} in the tree")


def right_click_menu(gallery: GalleryActions, qtbot, kind: str, node_id: int) -> QMenu:
    """Ask for the tree's context menu on a row as a right-click does; the menu is shown, then put away."""
    activate(gallery, qtbot)
    tree = gallery.tree
    assert tree.select(kind, node_id)
    pos = tree.visualRect(tree.proxy_index(kind, node_id)).center()
    tree.customContextMenuRequested.emit(pos)
    menu = gallery.menus.tree_menu
    qtbot.waitUntil(menu.isVisible, timeout=WAIT_MS)
    assert gallery.current_node().id == node_id
    menu.hide()
    return menu
