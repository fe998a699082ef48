"""Upload settings reach the running engine and the settings file; shortcuts; the upload file dialog."""

from __future__ import annotations

from pathlib import Path

from imagegen import make_jpeg
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog

from studio_desktop.core.settings import load_settings
from studio_desktop.ui.uploads.choosing import MIRROR_KEY
from studio_desktop.ui.uploads.drop_handler import MIRROR_NO
from studio_desktop.uploads.records import queue as q

from .upload_support import TEST_GALLERY, find_target, upload_ui


def test_settings_dialog_changes_the_engine_and_is_saved(main_window, gui_session, qtbot, sandbox, run_async):
    ui = upload_ui(gui_session)
    engine = gui_session.services.engine
    assert engine.concurrency == 5
    main_window.actions["upload_settings"].trigger()
    dialog = ui.settings.dialog
    assert dialog is not None and dialog.isVisible()

    qtbot.waitUntil(lambda: dialog.watermark.count() == 4, timeout=5_000)
    labels = [dialog.watermark.itemText(i) for i in range(dialog.watermark.count())]
    assert labels == [
        "The brand's default watermark",
        "No watermark",
        "Lumen & Grain logo (the brand's default)",
        "PROOF",
    ]
    proof_id = int(dialog.watermark.itemData(3))

    dialog.concurrency.setValue(3)
    dialog.limit_bandwidth.setChecked(True)
    dialog.bandwidth.setValue(2.5)
    dialog.watermark.setCurrentIndex(3)
    dialog.dedup.setChecked(False)
    dialog.settle.setValue(2.5)
    dialog.mirror.setCurrentIndex(dialog.mirror.findData(MIRROR_NO))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Apply).click()
    assert engine.concurrency == 3
    assert round(engine.bandwidth_limit_kbps) == 2500
    assert engine.watermark_id == proof_id
    assert engine.dedup is False
    assert dialog.isVisible()

    dialog.concurrency.setValue(16)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert engine.concurrency == 16
    qtbot.waitUntil(lambda: ui.settings.dialog is None)

    run_async(gui_session.services.flush_settings())  # saved off the UI thread
    saved = load_settings()
    assert saved.upload_concurrency == 16
    assert saved.bandwidth_limit_kbps == 2500
    assert saved.default_watermark == str(proof_id)
    assert saved.dedup_enabled is False
    assert saved.hot_folder_settle_seconds == 2.5
    assert saved.window[MIRROR_KEY] == MIRROR_NO

    main_window.actions["upload_settings"].trigger()
    again = ui.settings.dialog
    assert again.concurrency.value() == 16
    assert again.limit_bandwidth.isChecked() and again.bandwidth.value() == 2.5
    assert again.watermark.currentData() == str(proof_id)
    again.limit_bandwidth.setChecked(False)
    again.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert engine.bandwidth_limit_kbps == 0


def test_upload_shortcuts_and_the_file_dialog(main_window, gui_session, qtbot, tmp_path, sandbox, run_async):
    ui = upload_ui(gui_session)
    actions = main_window.actions
    assert actions["upload_photos"].shortcut() == QKeySequence("Ctrl+U")
    assert actions["upload_folder"].shortcut() == QKeySequence("Ctrl+Shift+U")
    assert actions["pause_uploads"].shortcut() == QKeySequence("Ctrl+P")
    assert actions["upload_settings"].shortcut() == QKeySequence("Ctrl+,")
    assert actions["hot_folders"].shortcut() == QKeySequence("Ctrl+H")

    actions["upload_photos"].trigger()
    assert "first" in main_window.status.currentMessage()  # nothing selected: say what to do

    target = find_target(main_window, TEST_GALLERY)
    main_window.tree_panel.tree.select("event", target.event_id)
    actions["upload_photos"].trigger()  # opens once the remembered folder is looked at, off the UI thread
    qtbot.waitUntil(lambda: main_window.findChild(QFileDialog, "uploadFilesDialog") is not None)
    dialog = main_window.findChild(QFileDialog, "uploadFilesDialog")
    assert dialog is not None and dialog.isVisible()
    photo = make_jpeg(tmp_path / "picked.jpg")
    dialog.filesSelected.emit([str(photo)])
    dialog.reject()
    qtbot.waitUntil(lambda: ui.model.counts[q.DONE][0] == 1, timeout=15_000)
    assert [p.name for p in sandbox.studio.photos(event_id=target.event_id)] == ["picked.jpg"]
    run_async(gui_session.services.flush_settings())
    assert load_settings().recent_folders[0] == str(tmp_path)

    actions["pause_uploads"].trigger()
    assert gui_session.services.engine.snapshot().paused
    actions["pause_uploads"].trigger()
    qtbot.waitUntil(lambda: not gui_session.services.engine.snapshot().paused)

    actions["upload_folder"].trigger()
    qtbot.waitUntil(lambda: main_window.findChild(QFileDialog, "uploadFolderDialog") is not None)
    folder_dialog = main_window.findChild(QFileDialog, "uploadFolderDialog")
    assert folder_dialog is not None and folder_dialog.fileMode() == QFileDialog.FileMode.Directory
    folder_dialog.reject()
    QApplication.processEvents()
    assert Path(run_async(ui.choosing.start_folder())) == tmp_path
