"""Keyboard only: one Tab stop per table or grid, F6 through the panes, focus starting in the tree."""

from __future__ import annotations

from imagegen import make_jpeg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from .gallery_support import activate, open_in_grid
from .test_small_screens import _open_every_panel
from .upload_support import TEST_GALLERY, find_target, queued


def _focused():
    return QApplication.focusWidget()


def _key(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(_focused(), key, modifier)


def test_focus_starts_in_the_tree(main_window, qtbot):
    activate_window(main_window, qtbot)
    qtbot.waitUntil(lambda: _focused() is main_window.tree_panel.tree)


def activate_window(window, qtbot):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def test_tables_and_the_grid_take_one_tab_stop(gallery, gui_session, ids, qtbot, tmp_path):
    window = gallery.window
    open_in_grid(gallery, qtbot, "event", ids["event_wedding"], rows=5)
    activate(gallery, qtbot)
    queue = gui_session.uploads.panel.table
    gui_session.services.engine.pause()  # rows that stay put while the keys are tried
    photos = [make_jpeg(tmp_path / f"queued_{n}.jpg") for n in range(3)]
    assert queued(gui_session.uploads.choosing, photos, find_target(window, TEST_GALLERY))
    qtbot.waitUntil(lambda: queue.model().rowCount() == 3)
    for view in (window.grid_view, queue, window.tree_panel.tree):
        view.setFocus()
        qtbot.waitUntil(lambda view=view: _focused() is view)
        _key(qtbot, Qt.Key.Key_Tab)
        assert _focused() is not view, f"Tab stayed in {view.objectName()}"
        _key(qtbot, Qt.Key.Key_Backtab)
        assert _focused() is view, f"Shift+Tab did not come back to {view.objectName()}"
    # Inside the grid the arrows move.
    grid = window.grid_view
    grid.setFocus()
    grid.setCurrentIndex(grid.model().index(0, 0))
    _key(qtbot, Qt.Key.Key_Right)
    assert grid.currentIndex().row() == 1


def test_f6_cycles_tree_grid_queue_and_side_panel(gallery, gui_session, ids, qtbot):
    window = gallery.window
    _open_every_panel(window, qtbot)
    window.side_panel("contacts").raise_()
    qtbot.waitUntil(lambda: window.panel_in_front(window.side_panel("contacts")))
    assert not window.panel_in_front(window.side_panel("clients"))
    open_in_grid(gallery, qtbot, "event", ids["event_wedding"])
    activate(gallery, qtbot)
    window.tree_panel.tree.setFocus()
    qtbot.waitUntil(lambda: _focused() is window.tree_panel.tree)
    contacts = gui_session.people.docks.contacts
    expected = [window.grid_view, gui_session.uploads.panel.table, contacts, window.tree_panel.tree]
    for pane in expected:
        _key(qtbot, Qt.Key.Key_F6)
        assert _focused() is pane or pane.isAncestorOf(_focused()), (pane, _focused())
    for pane in reversed(expected[:-1]):
        _key(qtbot, Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
        assert _focused() is pane or pane.isAncestorOf(_focused()), (pane, _focused())


def _looks(widget):
    return widget.grab().toImage()


def test_an_empty_queue_and_the_grid_show_where_the_focus_is(gallery, gui_session, ids, qtbot):
    window = gallery.window
    open_in_grid(gallery, qtbot, "event", ids["event_wedding"], rows=3)
    activate(gallery, qtbot)
    queue = gui_session.uploads.panel.table
    assert queue.model().rowCount() == 0
    grid = window.grid_view
    grid.clearSelection()
    window.tree_panel.tree.setFocus()
    qtbot.waitUntil(lambda: _focused() is window.tree_panel.tree)
    before = {"queue": _looks(queue.viewport()), "grid": _looks(grid.viewport())}
    # By keyboard, as a person would: F6 to the grid, then to the (empty) queue.
    _key(qtbot, Qt.Key.Key_F6)
    assert _focused() is grid and not grid.selectionModel().hasSelection()
    assert _looks(grid.viewport()) != before["grid"], "the grid's current photo shows no focus"
    _key(qtbot, Qt.Key.Key_F6)
    assert _focused() is queue
    assert _looks(queue.viewport()) != before["queue"], "the empty queue shows no focus"


def test_ctrl_j_shows_and_hides_the_upload_queue(main_window, gui_session, qtbot):
    activate_window(main_window, qtbot)
    dock = main_window.side_panel("uploads")
    shown = dock.isVisible()
    _key(qtbot, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dock.isVisible() != shown)
    _key(qtbot, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dock.isVisible() == shown)


def test_deleting_an_album_by_keyboard_leaves_you_on_the_album_that_held_it(gallery, ids, qtbot):
    from .gallery_support import confirm_box, select_node

    select_node(gallery, qtbot, "album", ids["album_level4"])
    qtbot.keyClick(gallery.tree, Qt.Key.Key_Delete)
    confirm_box(qtbot, gallery, "confirmDeleteAlbum", option=False)
    qtbot.waitUntil(lambda: gallery.window.tree_panel.model.find("album", ids["album_level4"]) is None, timeout=10_000)
    qtbot.waitUntil(
        lambda: gallery.current_node() is not None and gallery.current_node().id == ids["album_level3"], timeout=10_000
    )
    assert gallery.window.current_target().album_id == ids["album_level3"]


def _preview(qtbot):
    qtbot.waitUntil(
        lambda: any(w.objectName() == "photoPreviewDialog" and w.isVisible() for w in QApplication.topLevelWidgets())
    )
    return next(w for w in QApplication.topLevelWidgets() if w.objectName() == "photoPreviewDialog" and w.isVisible())


def test_enter_and_space_on_a_photo_show_it_in_the_app_with_next_and_previous(gallery, ids, qtbot):
    window = gallery.window
    open_in_grid(gallery, qtbot, "event", ids["event_wedding"], rows=3)
    activate(gallery, qtbot)
    grid = window.grid_view
    grid.setFocus()
    grid.setCurrentIndex(grid.model().index(1, 0))
    second = grid.model().index(1, 0).data(Qt.ItemDataRole.DisplayRole)
    _key(qtbot, Qt.Key.Key_Return)
    dialog = _preview(qtbot)
    assert second in dialog.name_label.text() and "pixels" in dialog.details_label.text()
    assert gallery.opened == []  # not the browser
    qtbot.waitUntil(lambda: dialog.isAncestorOf(_focused()))
    _key(qtbot, Qt.Key.Key_Right)  # to whatever has the focus in the dialog, as a keyboard does
    assert dialog.position == 2 and grid.currentIndex().row() == 2
    dialog.close()
    qtbot.waitUntil(lambda: not dialog.isVisible() if _alive(dialog) else True)
    activate(gallery, qtbot)
    grid.setFocus()
    _key(qtbot, Qt.Key.Key_Space)
    assert _preview(qtbot).position == 2
    _preview(qtbot).close()


def _alive(widget) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)


def test_open_in_browser_says_so_when_no_browser_opens(gallery, ids, qtbot):
    from .gallery_support import select_rows

    open_in_grid(gallery, qtbot, "event", ids["event_wedding"], rows=1)
    select_rows(gallery, [0])
    gallery.open_url = lambda url: False
    gallery.actions["photo_open"].trigger()
    qtbot.waitUntil(lambda: "No web browser" in gallery.window.status.currentMessage())
    assert QApplication.clipboard().text().startswith("http")


def test_end_reaches_the_last_photo_of_a_gallery_many_pages_long(
    gui_session_factory, sandbox, wait_for_tree, ids, qtbot
):
    from studio_desktop.ui.gallery.installer import install_gallery_actions

    session = gui_session_factory(sandbox, page_size=5)
    wait_for_tree(session)
    gallery = getattr(session, "gallery", None) or install_gallery_actions(
        session.window, session.services, session.controller
    )
    open_in_grid(gallery, qtbot, "event", ids["event_wedding"], rows=5)
    model = session.window.grid_model
    total = model.total_results
    assert total > 3 * 5, "the demo wedding should span several pages"
    activate(gallery, qtbot)
    grid = session.window.grid_view
    grid.setFocus()
    grid.setCurrentIndex(model.index(0, 0))
    _key(qtbot, Qt.Key.Key_End)
    qtbot.waitUntil(lambda: grid.currentIndex().row() == total - 1, timeout=20_000)
    assert model.rowCount() == total


def test_shift_f10_and_the_menu_key_open_the_context_menu(gallery, gui_session, ids, qtbot):
    from .gallery_support import select_node

    select_node(gallery, qtbot, "event", ids["event_wedding"])
    _key(qtbot, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(gallery.menus.tree_menu.isVisible)
    assert gallery.current_node().id == ids["event_wedding"]
    gallery.menus.tree_menu.hide()
    queue = gui_session.uploads.panel.table
    queue.setFocus()
    qtbot.waitUntil(queue.hasFocus)
    _key(qtbot, Qt.Key.Key_Menu)
    qtbot.waitUntil(
        lambda: any(w.objectName() == "uploadQueueMenu" and w.isVisible() for w in QApplication.topLevelWidgets())
    )
    for menu in [w for w in QApplication.topLevelWidgets() if w.objectName() == "uploadQueueMenu"]:
        menu.close()


def test_the_contact_form_tabs_in_the_order_it_is_shown(main_window, gui_session, qtbot):
    from PySide6.QtCore import QPoint

    main_window.resize(1280, 900)
    dock = main_window.side_panel("contacts")
    dock.show()
    dock.raise_()
    contacts = gui_session.people.docks.contacts
    qtbot.waitUntil(lambda: contacts.list_view.model().rowCount() > 0, timeout=10_000)
    contacts.list_view.setCurrentIndex(contacts.list_view.model().index(0, 0))
    qtbot.waitUntil(lambda: contacts.detail_stack.currentIndex() == 1, timeout=10_000)
    activate_window(main_window, qtbot)
    form = contacts.form
    fields = [
        w
        for w in form.findChildren(QWidget)
        if w.isVisibleTo(form) and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
    ]

    def place(widget):
        point = widget.mapTo(form, QPoint(0, 0))
        return (point.y(), point.x())

    on_screen = [w.objectName() for w in sorted(fields, key=place)]
    contacts.tabs.tabBar().setFocus()
    qtbot.waitUntil(lambda: _focused() is contacts.tabs.tabBar())
    visited = []
    for _ in range(len(on_screen)):
        _key(qtbot, Qt.Key.Key_Tab)
        visited.append(_focused().objectName() or type(_focused()).__name__)
    # From the Details tab straight into the first field, then down the form as it is shown.
    assert visited == on_screen
