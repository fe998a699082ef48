"""Photo commands on the grid's selection: info with camera details, delete, albums (dialog and drag), replace."""

from __future__ import annotations

import time
from typing import Any, ClassVar

import httpx
from imagegen import make_jpeg
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget

from studio_desktop.core.bidi import plain
from studio_desktop.gallery.originals import Originals
from studio_desktop.gallery.tree_nodes import ALBUM, EVENT
from studio_desktop.ui.gallery.dragdrop import PHOTOS_MIME, photos_mime, read_payload

from .gallery_support import (
    WAIT_MS,
    drag_onto,
    find_album,
    open_in_grid,
    press,
    select_rows,
    trigger_from_menu,
    wait_dialog,
    wait_problem,
)


def _grid_ids(gallery) -> list[int]:
    return [photo.id for photo in gallery.window.grid_model.photos]


def _rows_of(gallery, photo_ids) -> list[int]:
    return [gallery.window.grid_model.row_of(photo_id) for photo_id in photo_ids]


def test_a_downloaded_original_is_found_again_under_a_newly_signed_link(sandbox, sp, run_async, tmp_path, ids):
    """The sandbox signs media links and the signature changes over time; the cached original stays found."""
    photo_id = sandbox.studio.photos(event_id=ids["event_engagement"])[0].id
    photo = run_async(sp.photo_info(photo_id))
    http = httpx.AsyncClient()
    originals = Originals(tmp_path / "originals", http, None)
    try:
        downloaded = run_async(originals.download(photo))
    finally:
        run_async(http.aclose())
    assert downloaded.read_bytes() == sandbox.studio.photo_file(photo_id).read_bytes()
    sandbox.studio.advance_clock(2 * 3600)
    later = run_async(sp.photo_info(photo_id))
    assert later.url.original != photo.url.original
    assert run_async(originals.find(later)) == downloaded


def test_info_steps_through_the_selection_and_reads_camera_details_from_the_original(gallery, sandbox, qtbot, ids):
    open_in_grid(gallery, qtbot, EVENT, ids["event_engagement"], rows=3)
    chosen = select_rows(gallery, [0, 2])
    qtbot.keyClick(gallery.grid, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    dialog = wait_dialog(qtbot, gallery, "photoInfoDialog")
    assert dialog.windowTitle() == "Photo Info (1 of 2)"
    records = {record.id: record for record in sandbox.studio.photos(event_id=ids["event_engagement"])}
    qtbot.waitUntil(lambda: "Size" in dialog.values, timeout=WAIT_MS)
    first = records[chosen[0]]
    assert dialog.values["File name"] == first.name
    assert dialog.values["Size"] == f"{first.width:,} × {first.height:,} pixels"
    qtbot.waitUntil(lambda: dialog.download_button.isVisible(), timeout=WAIT_MS)
    assert dialog.camera_status.text() == "The original is not on this computer."

    press(qtbot, dialog.download_button)
    qtbot.waitUntil(lambda: "Pixels" in dialog.camera, timeout=WAIT_MS)
    assert dialog.camera["Pixels"] == f"{first.width:,} × {first.height:,}"
    assert dialog.camera_status.text() == "From the downloaded original."

    press(qtbot, dialog.next_button)
    assert dialog.windowTitle() == "Photo Info (2 of 2)" and not dialog.next_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.values.get("File name") == records[chosen[1]].name, timeout=WAIT_MS)
    press(qtbot, dialog.open_button)
    assert (gallery.opened and f"/{chosen[1]}" in gallery.opened[-1]) or str(chosen[1]) in gallery.opened[-1]


def test_info_uses_the_file_the_photo_was_uploaded_from(gallery, sp, run_async, qtbot, ids, tmp_path, gui_session):
    original = make_jpeg(
        tmp_path / "shoot" / "IMG_7001.jpg",
        size=(96, 64),
        make="Canon",
        model="Canon EOS R5",
        lens="RF24-70mm F2.8 L IS USM",
        taken_at="2025:05:20 14:03:07",
    )
    uploaded = run_async(sp.photo_upload(ids["event_empty"], original))
    stat = original.stat()
    gui_session.services.store.write_sync(
        lambda c: c.execute(
            "INSERT INTO upload_ledger (path, size, mtime_ns, event_id, album_id, photo_id, uploaded_at) "
            "VALUES (?, ?, ?, ?, 0, ?, ?)",
            (str(original), stat.st_size, stat.st_mtime_ns, ids["event_empty"], uploaded.photo_id, time.time()),
        )
    )

    open_in_grid(gallery, qtbot, EVENT, ids["event_empty"])
    select_rows(gallery, [0])
    trigger_from_menu(gallery.menus.build_grid_menu(), "photo_info")
    dialog = wait_dialog(qtbot, gallery, "photoInfoDialog")
    qtbot.waitUntil(lambda: "Camera" in dialog.camera, timeout=WAIT_MS)
    assert dialog.camera["Camera"] == "Canon EOS R5"
    assert dialog.camera["Lens"] == "RF24-70mm F2.8 L IS USM"
    assert dialog.camera["Taken"] == "20 May 2025, 14:03:07"
    assert dialog.camera_status.text() == "From the file on this computer."
    assert not dialog.download_button.isVisible()


def test_delete_selected_photos_after_confirming(gallery, sandbox, qtbot, ids):
    open_in_grid(gallery, qtbot, EVENT, ids["event_engagement"], rows=18)
    doomed = select_rows(gallery, [1, 3, 5])
    qtbot.keyClick(gallery.grid, Qt.Key.Key_Delete)
    box = wait_dialog(qtbot, gallery, "confirmDeletePhotos")
    assert plain(box.text()) == "Delete 3 photos from 'Zoë & Mateo Engagement'?"
    assert box.findChild(QWidget, "confirmButton").text() == "Delete 3 photos"
    press(qtbot, box.findChild(QWidget, "confirmButton"))
    qtbot.waitUntil(lambda: sandbox.studio.count_photos(event_id=ids["event_engagement"]) == 15, timeout=WAIT_MS)
    remaining = {record.id for record in sandbox.studio.photos(event_id=ids["event_engagement"])}
    assert not remaining & set(doomed)
    qtbot.waitUntil(lambda: set(_grid_ids(gallery)) == remaining, timeout=WAIT_MS)
    tree = gallery.window.tree_panel.model
    qtbot.waitUntil(lambda: tree.find(EVENT, ids["event_engagement"]).photo_count == 15, timeout=WAIT_MS)


def test_take_photos_out_of_the_album_shown(gallery, sandbox, qtbot, ids):
    open_in_grid(gallery, qtbot, ALBUM, ids["album_ceremony"], rows=20)
    taken = select_rows(gallery, [0, 1])
    menu = gallery.menus.build_grid_menu()
    trigger_from_menu(menu, "photo_remove_from_album")
    qtbot.waitUntil(lambda: sandbox.studio.count_photos(album_id=ids["album_ceremony"]) == 18, timeout=WAIT_MS)
    records = {record.id: record for record in sandbox.studio.photos(event_id=ids["event_wedding"])}
    assert all(records[photo_id].album_id is None for photo_id in taken)
    qtbot.waitUntil(lambda: len(_grid_ids(gallery)) == 18, timeout=WAIT_MS)
    assert "Took 2 photos out of 'Ceremony'" in gallery.window.status.currentMessage()


def test_put_photos_in_an_album_with_the_dialog(gallery, sandbox, qtbot, ids):
    loose = [r.id for r in sandbox.studio.photos(event_id=ids["event_family"]) if r.album_id is None][:2]
    open_in_grid(gallery, qtbot, EVENT, ids["event_family"], rows=24)
    select_rows(gallery, _rows_of(gallery, loose))
    gallery.actions["photo_add_to_album"].trigger()
    dialog = wait_dialog(qtbot, gallery, "addToAlbumDialog")
    beach = find_album(gallery, "Beach", ids["event_family"])
    assert not dialog.choose(None)  # the gallery itself is not an album
    assert dialog.choose(beach.id)
    press(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: gallery.window.status.currentMessage() == "Put 2 photos in 'Beach'.", timeout=WAIT_MS)
    assert {r.id for r in sandbox.studio.photos(album_id=beach.id)} >= set(loose)


def test_drag_photos_from_the_grid_onto_an_album(gallery, sandbox, qtbot, ids):
    loose = [r.id for r in sandbox.studio.photos(event_id=ids["event_family"]) if r.album_id is None][:3]
    open_in_grid(gallery, qtbot, EVENT, ids["event_family"], rows=24)
    rows = _rows_of(gallery, loose)
    select_rows(gallery, rows)
    first = gallery.grid.visualRect(gallery.grid.model().index(rows[0], 0)).center()
    mime = gallery.drops.grid_drag.payload_mime(first)  # what a drag out of the grid carries
    payload = read_payload(mime)
    assert sorted(payload.photo_ids) == sorted(loose) and payload.event_id == ids["event_family"]

    sunset = find_album(gallery, "Sunset", ids["event_family"])
    assert drag_onto(gallery, mime, ALBUM, sunset.id)
    qtbot.waitUntil(lambda: {r.id for r in sandbox.studio.photos(album_id=sunset.id)} >= set(loose), timeout=WAIT_MS)


def test_photos_cannot_be_dropped_into_another_gallery(gallery, sandbox, qtbot, ids):
    photo = sandbox.studio.photos(event_id=ids["event_family"])[0]
    sandbox.studio.clear_request_log()
    mime = photos_mime(ids["event_family"], None, [photo.id])
    assert mime.hasFormat(PHOTOS_MIME)
    assert not drag_onto(gallery, mime, ALBUM, ids["album_ceremony"])
    assert gallery.window.status.currentMessage() == "Photos can only be put in albums of their own gallery."
    qtbot.wait(50)
    assert sandbox.studio.count_requests("sp.photo.add_to_album") == 0


def test_photos_deleted_elsewhere_are_reported_and_the_grid_reloads(gallery, sp, sandbox, run_async, qtbot, ids):
    loose = [r.id for r in sandbox.studio.photos(event_id=ids["event_family"]) if r.album_id is None][:2]
    open_in_grid(gallery, qtbot, EVENT, ids["event_family"], rows=24)
    for photo_id in loose:
        run_async(sp.photo_delete(photo_id))  # another app got there first
    beach = find_album(gallery, "Beach", ids["event_family"])
    assert drag_onto(gallery, photos_mime(ids["event_family"], None, loose), ALBUM, beach.id)
    message = wait_problem(qtbot, gallery)
    assert message.startswith("Put 0 of 2 photos in 'Beach'; 2 could not be")
    qtbot.waitUntil(lambda: not set(loose) & set(_grid_ids(gallery)) and len(_grid_ids(gallery)) == 22, timeout=WAIT_MS)


def test_replace_a_photo_with_another_file(gallery, sandbox, qtbot, ids, tmp_path, gui_session):
    open_in_grid(gallery, qtbot, EVENT, ids["event_engagement"], rows=1)
    photo_id = select_rows(gallery, [0])[0]
    before = next(r for r in sandbox.studio.photos(event_id=ids["event_engagement"]) if r.id == photo_id)
    thumbnails = gui_session.thumbnails
    qtbot.waitUntil(lambda: thumbnails.is_loaded(photo_id), timeout=WAIT_MS)
    portrait = before.width > before.height  # the new file has the other orientation, so its thumbnail differs
    size = (200, 300) if portrait else (300, 200)
    replacement = make_jpeg(tmp_path / "retouched.jpg", size=size)
    trigger_from_menu(gallery.menus.build_grid_menu(), "photo_replace")
    chooser = wait_dialog(qtbot, gallery, "replacePhotoDialog")
    chooser.selectFile(str(replacement))
    chooser.accept()

    def replaced():
        return next(r for r in sandbox.studio.photos(event_id=ids["event_engagement"]) if r.id == photo_id)

    qtbot.waitUntil(lambda: replaced().version == before.version + 1, timeout=WAIT_MS)
    assert (replaced().width, replaced().height) == size
    assert sandbox.studio.photo_file(photo_id).read_bytes() == replacement.read_bytes()
    grid = gallery.window.grid_model
    qtbot.waitUntil(
        lambda: grid.row_of(photo_id) is not None and grid.photos[grid.row_of(photo_id)].width == size[0],
        timeout=WAIT_MS,
    )

    def new_thumbnail() -> bool:
        photo = grid.photos[grid.row_of(photo_id)]
        pixmap = thumbnails.pixmap(photo)
        return pixmap is not None and (pixmap.height() > pixmap.width()) == portrait

    qtbot.waitUntil(new_thumbnail, timeout=WAIT_MS)


def test_use_as_gallery_cover_and_open_originals(gallery, sp, run_async, qtbot, ids):
    open_in_grid(gallery, qtbot, EVENT, ids["event_engagement"], rows=12)
    photo_id = select_rows(gallery, [4])[0]
    trigger_from_menu(gallery.menus.build_grid_menu(), "photo_set_event_cover")
    qtbot.waitUntil(
        lambda: (
            (run_async(sp.event_info(ids["event_engagement"])).cover_photo or None) is not None
            and run_async(sp.event_info(ids["event_engagement"])).cover_photo.id == photo_id
        ),
        timeout=WAIT_MS,
    )
    assert not gallery.actions["photo_set_album_cover"].isEnabled()  # the grid shows the gallery, not an album

    # Enter shows the photo in the app (see test_keyboard_focus); the browser is the menu's command.
    gallery.actions["photo_open"].trigger()
    photo = gallery.window.grid_model.photos[4]
    assert gallery.opened == [photo.url.original]

    select_rows(gallery, list(range(11)))
    gallery.actions["photo_open"].trigger()
    assert "at most 10 photos" in wait_problem(qtbot, gallery)
    assert len(gallery.opened) == 1


def test_grid_context_menu_follows_the_selection(gallery, qtbot, ids):
    open_in_grid(gallery, qtbot, ALBUM, ids["album_ceremony"], rows=3)
    gallery.grid.selectionModel().clearSelection()
    assert gallery.menus.build_grid_menu() is None
    select_rows(gallery, [0, 1])
    menu = gallery.menus.build_grid_menu()
    names = [a.objectName() for a in menu.actions() if a.objectName()]
    assert names == [
        "action_photo_open",
        "action_photo_info",
        "action_photo_add_to_album",
        "action_photo_remove_from_album",
        "action_photo_set_event_cover",
        "action_photo_set_album_cover",
        "action_photo_replace",
        "action_photo_delete",
    ]
    assert gallery.actions["photo_delete"].text().startswith("&Delete 2 photos…")
    assert gallery.actions["photo_remove_from_album"].text() == "Take O&ut of 'Ceremony'"
    assert not gallery.actions["photo_replace"].isEnabled()  # one photo at a time
    assert gallery.actions["gallery_delete"].text() == "&Delete 2 photos…"
    pos = gallery.grid.visualRect(gallery.grid.model().index(0, 0)).center()
    gallery.grid.customContextMenuRequested.emit(pos)
    qtbot.waitUntil(gallery.menus.grid_menu.isVisible, timeout=WAIT_MS)
    gallery.menus.grid_menu.close()
    assert isinstance(pos, QPoint)


class _RecordedDrag:
    """Stands in for QDrag: a real drag-and-drop loop needs a desktop session, which offscreen Qt has not."""

    started: ClassVar[list[Any]] = []

    def __init__(self, source):
        self.source = source
        self.mime = None

    def setMimeData(self, mime):
        self.mime = mime

    def exec(self, *args):
        _RecordedDrag.started.append(self.mime)


def test_mouse_drags_carry_the_whole_selection_then_drop_on_an_album(gallery, sandbox, qtbot, ids, monkeypatch):
    from studio_desktop.ui.gallery import dragdrop

    _RecordedDrag.started = []
    monkeypatch.setattr(dragdrop, "QDrag", _RecordedDrag)
    loose = [r.id for r in sandbox.studio.photos(event_id=ids["event_family"]) if r.album_id is None][:2]
    open_in_grid(gallery, qtbot, EVENT, ids["event_family"], rows=24)
    rows = _rows_of(gallery, loose)
    select_rows(gallery, rows)
    grid = gallery.grid
    start = grid.visualRect(grid.model().index(rows[1], 0)).center()
    qtbot.mousePress(grid.viewport(), Qt.MouseButton.LeftButton, pos=start)
    assert sorted(p.id for p in gallery.selected_photos()) == sorted(loose)  # the press kept the selection
    qtbot.mouseMove(grid.viewport(), start + QPoint(40, 30))
    assert len(_RecordedDrag.started) == 1
    payload = read_payload(_RecordedDrag.started[0])
    assert sorted(payload.photo_ids) == sorted(loose) and payload.album_id is None

    sunset = find_album(gallery, "Sunset", ids["event_family"])
    assert drag_onto(gallery, _RecordedDrag.started[0], ALBUM, sunset.id)
    qtbot.waitUntil(lambda: {r.id for r in sandbox.studio.photos(album_id=sunset.id)} >= set(loose), timeout=WAIT_MS)


def test_a_click_without_dragging_selects_just_that_photo(gallery, qtbot, ids, monkeypatch):
    from studio_desktop.ui.gallery import dragdrop

    _RecordedDrag.started = []
    monkeypatch.setattr(dragdrop, "QDrag", _RecordedDrag)
    open_in_grid(gallery, qtbot, EVENT, ids["event_family"], rows=5)
    select_rows(gallery, [0, 1, 2])
    grid = gallery.grid
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=grid.visualRect(grid.model().index(1, 0)).center())
    assert [p.id for p in gallery.selected_photos()] == [gallery.window.grid_model.photos[1].id]
    assert _RecordedDrag.started == []
