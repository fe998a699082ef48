"""The hot folders dialog: add one, a photo written into it reaches the gallery; disable stops it; remove forgets it."""

from __future__ import annotations

from imagegen import make_jpeg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from studio_desktop.core.bidi import plain
from studio_desktop.uploads.hotfolders.store import HotFolderRepository

from .upload_support import TEST_GALLERY, find_target, upload_ui


def _names_on_server(sandbox, event_id: int) -> list[str]:
    return sorted(p.name for p in sandbox.studio.photos(event_id=event_id))


def _open_message_box(name: str) -> QMessageBox | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.objectName() == name and widget.isVisible():
            return widget
    return None


def test_add_a_hot_folder_disable_it_and_remove_it(main_window, gui_session, qtbot, run_async, tmp_path, sandbox):
    ui = upload_ui(gui_session)
    ui.announcements.quiet_ms = 50
    target = find_target(main_window, TEST_GALLERY)
    hot = tmp_path / "Tethered"
    hot.mkdir()

    main_window.actions["hot_folders"].trigger()
    dialog = ui.hot_folders.dialog
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    assert dialog.empty_label.isVisible()
    dialog.add_button.click()
    editor = ui.hot_folders.editor
    assert editor is not None and editor.isVisible()

    editor.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert editor.error_label.text() == "Choose the folder to watch."
    editor.folder_edit.setText(str(hot))
    editor.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert editor.error_label.text() == "Choose the gallery or album the photos go to."
    assert editor.target_picker.select_target(target.event_id, None)
    editor.settle.setValue(0.2)
    editor.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1 and ui.hot_folders.editor is None, timeout=5_000)
    hot_id = dialog.hot_id_at(0)
    assert plain(dialog.table.item(0, 1).text()) == TEST_GALLERY
    assert "settle 0.2 s" in dialog.table.item(0, 2).text()
    qtbot.waitUntil(lambda: dialog.activity(hot_id).startswith("watching"), timeout=5_000)

    dialog.select(hot_id)
    dialog.edit_button.click()
    editor = ui.hot_folders.editor
    assert editor.folder_edit.text() == str(hot) and editor.settle.value() == 0.2
    assert editor.target_picker.target() == target
    editor.replace.setChecked(True)
    editor.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: "replace changed photos" in dialog.table.item(0, 2).text(), timeout=5_000)
    qtbot.waitUntil(lambda: dialog.activity(hot_id).startswith("watching"), timeout=5_000)

    make_jpeg(hot / "tether_0001.jpg")
    qtbot.waitUntil(lambda: _names_on_server(sandbox, target.event_id) == ["tether_0001.jpg"], timeout=15_000)
    qtbot.waitUntil(lambda: "1 uploaded" in dialog.activity(hot_id), timeout=5_000)
    qtbot.waitUntil(
        lambda: bool(ui.notifier.history) and plain(ui.notifier.history[-1][0]) == "Hot folder 'Tethered'",
        timeout=5_000,
    )
    assert plain(ui.notifier.history[-1][1]) == f"Uploaded 1 photo to '{TEST_GALLERY}'"
    # What was not sent is shown apart, the way the terminal counts it.
    (hot / "notes.txt").write_text("call the bride's mother")
    qtbot.waitUntil(lambda: "1 not a photo" in dialog.activity(hot_id), timeout=5_000)
    make_jpeg(hot / "card2" / "tether_0001.jpg", color=(0, 200, 0))
    qtbot.waitUntil(lambda: "1 name taken" in dialog.activity(hot_id), timeout=10_000)
    assert dialog.activity(hot_id).endswith("1 uploaded · 1 not a photo · 1 name taken")
    assert _names_on_server(sandbox, target.event_id) == ["tether_0001.jpg"]

    dialog.table.item(0, 3).setCheckState(Qt.CheckState.Unchecked)
    qtbot.waitUntil(
        lambda: ui.hot_folders.manager.watcher(hot_id) is None and dialog.activity(hot_id) == "off", timeout=5_000
    )
    make_jpeg(hot / "tether_0002.jpg", color=(0, 0, 255))
    # Nothing is left running that could send it; switched back on, the watcher does (below).
    assert ui.hot_folders.manager.running == {}
    assert _names_on_server(sandbox, target.event_id) == ["tether_0001.jpg"]

    dialog.table.item(0, 3).setCheckState(Qt.CheckState.Checked)
    qtbot.waitUntil(
        lambda: _names_on_server(sandbox, target.event_id) == ["tether_0001.jpg", "tether_0002.jpg"], timeout=15_000
    )

    dialog.select(hot_id)
    dialog.remove_button.click()
    qtbot.waitUntil(lambda: _open_message_box("hotFolderRemoveConfirm") is not None)
    confirm = _open_message_box("hotFolderRemoveConfirm")
    confirm.findChild(type(dialog.add_button), "confirmRemove").click()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 0, timeout=5_000)
    assert ui.hot_folders.manager.watcher(hot_id) is None
    assert run_async(HotFolderRepository(gui_session.services.store).list()) == []


def test_saved_hot_folders_start_with_the_window(
    gui_session_factory, sandbox, wait_for_tree, qtbot, run_async, tmp_path
):
    from studio_desktop.core.store import open_store
    from studio_desktop.uploads.hotfolders.store import SavedHotFolder

    hot = tmp_path / "Card"
    hot.mkdir()
    make_jpeg(hot / "from_card.jpg")
    store = open_store()
    event_id = sandbox.studio.demo_ids["event_empty"]
    run_async(HotFolderRepository(store).add(SavedHotFolder(hot, event_id, settle=0.2)))
    store.close()

    session = gui_session_factory(sandbox)
    wait_for_tree(session)
    ui = upload_ui(session)
    qtbot.waitUntil(
        lambda: ui.hot_folders.manager is not None and len(ui.hot_folders.manager.running) == 1, timeout=5_000
    )
    qtbot.waitUntil(
        lambda: [p.name for p in sandbox.studio.photos(event_id=event_id)] == ["from_card.jpg"], timeout=15_000
    )


def test_a_hot_folder_keeps_its_own_picks_filter_and_size(
    main_window, gui_session, qtbot, run_async, tmp_path, sandbox
):
    from PIL import Image
    from xmp_samples import lightroom

    from studio_desktop.uploads.picks import PickFilter
    from studio_desktop.uploads.resize import ResizeSpec
    from studio_desktop.uploads.shaping import UploadShape

    ui = upload_ui(gui_session)
    ui.announcements.quiet_ms = 50
    target = find_target(main_window, TEST_GALLERY)
    hot = tmp_path / "Picks"
    hot.mkdir()
    main_window.actions["hot_folders"].trigger()
    dialog = ui.hot_folders.dialog
    dialog.add_button.click()
    editor = ui.hot_folders.editor
    editor.folder_edit.setText(str(hot))
    assert editor.target_picker.select_target(target.event_id, None)
    editor.settle.setValue(0.2)
    form = editor.shape_form
    assert form.shape() == UploadShape(), "a new hot folder sends every photo as it is"
    editor.tabs.setCurrentWidget(editor.tabs.widget(1))
    assert form.isVisible() and editor.minimumSizeHint().height() < 600, "fits a 720-pixel-high screen"
    form.rating.setCurrentIndex(form.rating.findData(3))
    form.skip_rejects.setChecked(True)
    form.size.setCurrentIndex(form.size.findText("Web 2048 px"))
    form.quality.setValue(85)
    editor.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1 and ui.hot_folders.editor is None, timeout=5_000)
    hot_id = dialog.hot_id_at(0)
    options = dialog.table.item(0, 2).text()
    assert "picks: at least 3★, no rejects" in options and "resize 2048 px" in options
    wanted = UploadShape(PickFilter(3, (), True), ResizeSpec(2048, 85))
    [saved] = run_async(HotFolderRepository(gui_session.services.store).list())
    assert saved.shape == wanted
    qtbot.waitUntil(lambda: dialog.activity(hot_id).startswith("watching"), timeout=5_000)

    for name, rating in (("KEEP_0001.jpg", 4), ("OUT_0002.jpg", 1)):
        Image.new("RGB", (3000, 2000), (200, 40, 40)).save(
            hot / name, "JPEG", quality=90, xmp=lightroom(rating=rating).encode()
        )
    qtbot.waitUntil(
        lambda: "1 left out" in dialog.activity(hot_id) and "1 uploaded" in dialog.activity(hot_id), timeout=15_000
    )
    [photo] = [p for p in sandbox.studio.photos(event_id=target.event_id) if p.name.startswith(("KEEP", "OUT"))]
    assert photo.name == "KEEP_0001.jpg" and (photo.width, photo.height) == (2048, 1365)

    dialog.select(hot_id)
    dialog.edit_button.click()
    assert ui.hot_folders.editor.shape_form.shape() == wanted, "the editor shows what was saved"
    ui.hot_folders.editor.reject()
