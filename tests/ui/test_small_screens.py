"""A laptop's 1280×720 screen: the window with every panel open still fits, and a saved layout comes back on-screen."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QStyleOptionViewItem

#: 1280×720 less a 40-pixel taskbar and a 30-pixel title bar.
LAPTOP = (1280, 650)


def _open_every_panel(window, qtbot):
    for dock in window._docks.values():
        dock.toggleViewAction().setChecked(False)
        dock.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: all(d.isVisible() for d in window._docks.values()))


def _inside(window, widget) -> bool:
    top_left = widget.mapTo(window, QPoint(0, 0))
    return window.rect().contains(QRect(top_left, widget.size()))


def _rows_shown(view) -> int:
    height = view.sizeHintForRow(0)
    return view.viewport().height() // height if height > 0 else 0


def _people_rows_room(panel) -> int:
    """How many people the list's place holds (Pixieset shows a sign-in page there until signed in)."""
    option = QStyleOptionViewItem()
    option.font = panel.list_view.font()
    row = panel.list_view.itemDelegate().sizeHint(option, QModelIndex()).height()
    return (panel.list_stack.height() - 2 * panel.list_view.frameWidth()) // row


def test_every_panel_open_fits_a_1280x720_laptop(main_window, gui_session, qtbot):
    window = main_window
    people = gui_session.people
    _open_every_panel(window, qtbot)
    minimum = window.minimumSizeHint()
    assert minimum.width() <= LAPTOP[0] and minimum.height() <= LAPTOP[1]
    window.resize(*LAPTOP)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == LAPTOP)
    uploads = gui_session.uploads.panel
    for widget in (window.status, uploads.table, uploads.totals_label, window.grid_view, window.tree_panel.tree):
        assert widget.isVisible() and _inside(window, widget), widget.objectName()
        assert widget.height() > 0
    assert _rows_shown(uploads.table) >= 3
    for panel in (people.docks.contacts, people.docks.clients):
        panel.window().activateWindow()
        dock = window.side_panel(panel.NAME)
        dock.raise_()
        qtbot.waitUntil(lambda panel=panel: panel.list_stack.isVisible())
        assert _inside(window, panel.list_stack)
        # About ten people at once, not one and a half.
        assert _people_rows_room(panel) >= 9, panel.NAME


def test_a_layout_saved_on_a_bigger_screen_opens_on_this_one(main_window, gui_session, qtbot):
    from studio_desktop.ui.main_window import _encode

    window = main_window
    _open_every_panel(window, qtbot)
    available = QGuiApplication.primaryScreen().availableGeometry()
    # As saved on a 2560×1440 monitor that is gone now: big, and far to the right and down.
    window.setGeometry(QRect(available.right() + 900, available.bottom() + 300, 1900, 1150))
    saved = {"main_geometry": _encode(window.saveGeometry())}
    window.setGeometry(QRect(10, 10, 700, 500))
    assert window.restore_window_state(saved)
    # The test screen (800×600) is narrower than every panel side by side; height and place must fit.
    narrowest = max(available.width(), window.minimumSizeHint().width())
    qtbot.waitUntil(
        lambda: (
            available.contains(window.frameGeometry().topLeft())
            and window.frameGeometry().bottom() <= available.bottom()
        )
    )
    assert window.height() <= available.height() and window.width() <= narrowest
