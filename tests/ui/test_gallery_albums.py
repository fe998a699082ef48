"""Album commands: nested creation (refused past four levels), rename, move by dialog and by drag, delete."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from studio_desktop.api.errors import NotFoundError
from studio_desktop.core.bidi import plain
from studio_desktop.gallery.tree_nodes import ALBUM, EVENT
from studio_desktop.ui.gallery.dragdrop import album_mime

from .gallery_support import (
    WAIT_MS,
    confirm_box,
    drag_onto,
    find_album,
    open_in_grid,
    press,
    select_node,
    select_rows,
    tree_names,
    trigger_from_menu,
    wait_closed,
    wait_dialog,
    wait_problem,
)


def _server_albums(sp, run_async, event_id):
    """{album name: Album} of the event, flattened."""
    return {album.name: album for top in run_async(sp.album_get_list(event_id)) for album in top.walk()}


def test_ctrl_shift_n_creates_an_album_inside_the_selected_album(gallery, sp, run_async, qtbot, ids):
    select_node(gallery, qtbot, ALBUM, ids["album_level2"])
    qtbot.keyClick(gallery.tree, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = wait_dialog(qtbot, gallery, "newAlbumDialog")
    assert "Harper &amp; Liam Wedding › Getting Ready › Bride" in plain(dialog.heading.text())
    press(qtbot, dialog.ok_button)
    assert dialog.field_error("album_name") == "Please enter a name for the album."
    dialog.name_edit.setText("Veil")
    dialog.password_edit.setText("lace")
    press(qtbot, dialog.ok_button)
    wait_closed(qtbot, dialog)

    veil = _server_albums(sp, run_async, ids["event_wedding"])["Veil"]
    assert veil.parent_id == ids["album_level2"] and veil.password == "lace"
    qtbot.waitUntil(
        lambda: gallery.current_node() is not None and gallery.current_node().id == veil.id, timeout=WAIT_MS
    )
    assert gallery.current_node().depth == 3
    assert gallery.current_node().album_path() == ("Getting Ready", "Bride", "Veil")


def test_a_fifth_level_is_refused_before_calling_the_server(gallery, sandbox, qtbot, ids):
    select_node(gallery, qtbot, ALBUM, ids["album_level4"])
    sandbox.studio.clear_request_log()
    menu = gallery.menus.build_tree_menu(gallery.current_node())
    trigger_from_menu(menu, "album_new")
    message = wait_problem(qtbot, gallery)
    assert "at most 4 levels deep" in message and "'Rings & Shoes'" in message
    assert gallery.last_dialog is None or gallery.last_dialog.objectName() != "newAlbumDialog"
    assert sandbox.studio.count_requests("sp.album.create") == 0


def test_new_top_level_album_in_a_gallery(gallery, sp, run_async, qtbot, ids):
    select_node(gallery, qtbot, EVENT, ids["event_empty"])
    gallery.actions["gallery_new_album"].trigger()
    dialog = wait_dialog(qtbot, gallery, "newAlbumDialog")
    dialog.name_edit.setText("Favourites")
    press(qtbot, dialog.ok_button)
    wait_closed(qtbot, dialog)
    albums = run_async(sp.album_get_list(ids["event_empty"]))
    assert [(a.name, a.parent_id) for a in albums] == [("Favourites", None)]
    qtbot.waitUntil(lambda: gallery.current_node().name == "Favourites", timeout=WAIT_MS)


def test_rename_from_the_context_menu(gallery, sp, run_async, qtbot, ids):
    select_node(gallery, qtbot, ALBUM, ids["album_ceremony"])
    trigger_from_menu(gallery.menus.build_tree_menu(gallery.current_node()), "album_rename")
    dialog = wait_dialog(qtbot, gallery, "renameAlbumDialog")
    dialog.name_edit.setText("The Ceremony")
    press(qtbot, dialog.ok_button)
    wait_closed(qtbot, dialog)
    assert run_async(sp.album_info(ids["album_ceremony"])).name == "The Ceremony"
    qtbot.waitUntil(lambda: gallery.current_node().name == "The Ceremony", timeout=WAIT_MS)


def test_move_dialog_greys_out_impossible_places_and_moves(gallery, sp, run_async, qtbot, ids):
    groom = find_album(gallery, "Groom", ids["event_wedding"])
    select_node(gallery, qtbot, ALBUM, groom.id)
    trigger_from_menu(gallery.menus.build_tree_menu(gallery.current_node()), "album_move")
    dialog = wait_dialog(qtbot, gallery, "moveAlbumDialog")
    assert not dialog.choose(ids["album_level4"])  # would be a fifth level
    assert dialog.choose(ids["album_level3"])  # a fourth level is fine
    assert not dialog.choose(groom.id)  # not into itself
    assert "levels deep" in dialog.item_for(ids["album_level4"]).toolTip(0)
    assert dialog.choose(ids["album_reception"])
    press(qtbot, dialog.ok_button)
    wait_closed(qtbot, dialog)
    assert _server_albums(sp, run_async, ids["event_wedding"])["Groom"].parent_id == ids["album_reception"]
    qtbot.waitUntil(
        lambda: gallery.current_node() is not None and gallery.current_node().album_path() == ("Reception", "Groom"),
        timeout=WAIT_MS,
    )


def test_a_deep_album_can_only_go_to_the_top(gallery, qtbot, ids):
    select_node(gallery, qtbot, ALBUM, ids["album_level1"])  # Getting Ready: four levels tall
    gallery.actions["album_move"].trigger()
    dialog = wait_dialog(qtbot, gallery, "moveAlbumDialog")
    for album_id in (ids["album_ceremony"], ids["album_reception"], ids["album_level2"]):
        assert not dialog.choose(album_id)
    assert dialog.choose(None)
    press(qtbot, dialog.cancel_button)
    wait_closed(qtbot, dialog)


def test_dragging_an_album_onto_another_moves_it(gallery, sp, run_async, qtbot, ids):
    toasts = find_album(gallery, "Toasts", ids["event_wedding"])
    assert drag_onto(gallery, album_mime(ids["event_wedding"], toasts.id), ALBUM, ids["album_ceremony"])
    qtbot.waitUntil(
        lambda: _server_albums(sp, run_async, ids["event_wedding"])["Toasts"].parent_id == ids["album_ceremony"],
        timeout=WAIT_MS,
    )
    qtbot.waitUntil(
        lambda: find_album(gallery, "Toasts", ids["event_wedding"]).album_path() == ("Ceremony", "Toasts"),
        timeout=WAIT_MS,
    )


def test_dragging_an_album_onto_its_gallery_moves_it_to_the_top(gallery, sp, run_async, qtbot, ids):
    first_dance = find_album(gallery, "First Dance", ids["event_wedding"])
    assert drag_onto(gallery, album_mime(ids["event_wedding"], first_dance.id), EVENT, ids["event_wedding"])
    qtbot.waitUntil(
        lambda: _server_albums(sp, run_async, ids["event_wedding"])["First Dance"].parent_id is None, timeout=WAIT_MS
    )
    qtbot.waitUntil(lambda: find_album(gallery, "First Dance", ids["event_wedding"]).depth == 1, timeout=WAIT_MS)


def test_impossible_drops_are_refused_without_calling_the_server(gallery, sandbox, qtbot, ids):
    sandbox.studio.clear_request_log()
    into_itself = album_mime(ids["event_wedding"], ids["album_level1"])
    assert not drag_onto(gallery, into_itself, ALBUM, ids["album_level2"])
    assert "cannot go inside itself" in gallery.window.status.currentMessage()
    other_gallery = album_mime(ids["event_wedding"], ids["album_ceremony"])
    assert not drag_onto(gallery, other_gallery, EVENT, ids["event_family"])
    assert gallery.window.status.currentMessage() == "Albums can only be moved within their own gallery."
    qtbot.wait(50)
    assert sandbox.studio.count_requests("sp.album.move") == 0


def test_delete_with_only_if_empty_then_for_real(gallery, sp, run_async, qtbot, ids):
    event_photos = run_async(sp.event_info(ids["event_wedding"])).photo_count
    select_node(gallery, qtbot, ALBUM, ids["album_ceremony"])
    qtbot.keyClick(gallery.tree, Qt.Key.Key_Delete)
    box = confirm_box(qtbot, gallery, "confirmDeleteAlbum", option=True)
    assert box.text() == "Delete the album 'Ceremony' and 20 photos?"
    message = wait_problem(qtbot, gallery)
    assert "The album 'Ceremony' still holds photos, so it was not deleted." in message
    assert run_async(sp.album_info(ids["album_ceremony"])).photo_count == 20

    gallery.ctx.problem_box.close()
    gallery.actions["album_delete"].trigger()
    confirm_box(qtbot, gallery, "confirmDeleteAlbum", option=False)
    qtbot.waitUntil(lambda: "Ceremony" not in tree_names(gallery), timeout=WAIT_MS)
    with pytest.raises(NotFoundError):
        run_async(sp.album_info(ids["album_ceremony"]))
    assert run_async(sp.event_info(ids["event_wedding"])).photo_count == event_photos - 20
    wedding = gallery.window.tree_panel.model.find(EVENT, ids["event_wedding"])
    qtbot.waitUntil(
        lambda: gallery.window.tree_panel.model.find(EVENT, ids["event_wedding"]).photo_count == event_photos - 20,
        timeout=WAIT_MS,
    )
    assert wedding is not None


def test_deleting_an_album_with_sub_albums_says_so(gallery, qtbot, ids):
    select_node(gallery, qtbot, ALBUM, ids["album_reception"])
    gallery.actions["album_delete"].trigger()
    box = wait_dialog(qtbot, gallery, "confirmDeleteAlbum")
    assert "Its 2 sub-albums and their photos are deleted too." in box.informativeText()
    box.reject()


def test_info_cover_and_browser(gallery, sandbox, sp, run_async, qtbot, ids):
    open_in_grid(gallery, qtbot, ALBUM, ids["album_reception"], rows=2)
    qtbot.keyClick(gallery.tree, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    dialog = wait_dialog(qtbot, gallery, "albumInfoDialog")
    qtbot.waitUntil(lambda: "Photos" in dialog.values, timeout=WAIT_MS)
    assert dialog.values["Photos"] == str(run_async(sp.album_info(ids["album_reception"])).photo_count)
    assert dialog.values["In"] == "Harper & Liam Wedding › Reception"
    assert dialog.values["Sub-albums"] == "2"
    dialog.reject()

    photo_id = select_rows(gallery, [1])[0]
    select_node(gallery, qtbot, ALBUM, ids["album_reception"])
    trigger_from_menu(gallery.menus.build_tree_menu(gallery.current_node()), "album_cover_from_photo")

    def cover() -> int | None:
        with sandbox.studio.db.read() as c:
            return c.execute("SELECT cover_photo_id FROM albums WHERE id = ?", (ids["album_reception"],)).fetchone()[0]

    qtbot.waitUntil(lambda: cover() == photo_id, timeout=WAIT_MS)

    qtbot.keyClick(gallery.tree, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: gallery.opened == [run_async(sp.album_info(ids["album_reception"])).view_url], timeout=WAIT_MS
    )


def test_an_album_dragged_with_the_mouse_lands_where_it_is_dropped(gallery, sp, run_async, qtbot, ids, monkeypatch):
    from studio_desktop.ui.gallery import dragdrop

    started = []

    class RecordedDrag:  # a real drag loop needs a desktop session, which offscreen Qt has not
        def __init__(self, source):
            self.mime = None

        def setMimeData(self, mime):
            self.mime = mime

        def exec(self, *args):
            started.append(self.mime)

    monkeypatch.setattr(dragdrop, "QDrag", RecordedDrag)
    groom = find_album(gallery, "Groom", ids["event_wedding"])
    select_node(gallery, qtbot, ALBUM, groom.id)
    tree = gallery.tree
    start = tree.visualRect(tree.proxy_index(ALBUM, groom.id)).center()
    qtbot.mousePress(tree.viewport(), Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(tree.viewport(), start + QPoint(0, 40))
    assert len(started) == 1
    assert drag_onto(gallery, started[0], ALBUM, ids["album_ceremony"])
    qtbot.waitUntil(
        lambda: _server_albums(sp, run_async, ids["event_wedding"])["Groom"].parent_id == ids["album_ceremony"],
        timeout=WAIT_MS,
    )
