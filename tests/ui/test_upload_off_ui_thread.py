"""Chosen and dropped paths are looked at in a worker thread: a card reader or a NAS share can take
100 ms a ``stat``, and the window must not freeze while it answers."""

from __future__ import annotations

import os
import threading

import pytest
from imagegen import make_jpeg
from PySide6.QtWidgets import QDialogButtonBox

from studio_desktop.core.bidi import plain
from studio_desktop.ui.uploads.drop_handler import MIRROR_ASK, MirrorQuestion
from studio_desktop.uploads.records import queue as q

from .upload_support import REUNION, TEST_GALLERY, drop_on, file_mime, find_target, tree_point, upload_ui


@pytest.fixture
def ui_thread_stats(monkeypatch, tmp_path):
    """The paths under ``tmp_path`` that the UI thread stats or lists (``os.stat``, ``os.scandir``)."""
    seen: list[str] = []
    real_stat, real_scandir = os.stat, os.scandir

    def note(path) -> None:
        text = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else ""
        if threading.current_thread() is threading.main_thread() and text.startswith(str(tmp_path)):
            seen.append(text)

    def stat(path, *args, **kwargs):
        note(path)
        return real_stat(path, *args, **kwargs)

    def scandir(path=".", *args, **kwargs):
        note(path)
        return real_scandir(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    monkeypatch.setattr(os, "scandir", scandir)
    return seen


def test_a_dropped_folder_is_looked_at_off_the_ui_thread_before_the_question(
    main_window, gui_session, qtbot, tmp_path, ui_thread_stats
):
    ui = upload_ui(gui_session)
    assert ui.choosing.mirror_choice() == MIRROR_ASK
    target = find_target(main_window, REUNION)
    folder = tmp_path / "Card"
    (folder / "DCIM").mkdir(parents=True)
    make_jpeg(folder / "DCIM" / "a.jpg")
    ui_thread_stats.clear()

    drop_on(main_window.tree_panel.tree.viewport(), tree_point(main_window, target), file_mime([folder]))
    qtbot.waitUntil(lambda: ui.choosing.mirror_question is not None and ui.choosing.mirror_question.isVisible())
    question: MirrorQuestion = ui.choosing.mirror_question
    assert "'Card'" in plain(question.informativeText())
    assert ui_thread_stats == [], "the UI thread touched the dropped paths"
    question.cancel_button.click()
    qtbot.waitUntil(lambda: ui.choosing.mirror_question is None)
    assert sum(c[0] for c in ui.model.counts.values()) == 0


def test_upload_returns_a_task_and_a_chosen_file_is_queued_and_remembered_off_the_ui_thread(
    main_window, gui_session, qtbot, tmp_path, run_async, ui_thread_stats
):
    ui = upload_ui(gui_session)
    target = find_target(main_window, TEST_GALLERY)
    photo = make_jpeg(tmp_path / "shoot" / "chosen.jpg")
    ui_thread_stats.clear()

    task = ui.choosing._chosen([photo], target)  # what the file dialog calls
    assert task is not None and run_async(task) is True
    assert ui_thread_stats == []
    assert gui_session.services.settings.recent_folders[0] == str(photo.parent)
    qtbot.waitUntil(lambda: ui.model.counts[q.DONE][0] == 1, timeout=15_000)


def test_a_folder_that_vanished_is_refused_with_a_plain_message(main_window, gui_session, tmp_path, run_async):
    ui = upload_ui(gui_session)
    target = find_target(main_window, TEST_GALLERY)
    gone = tmp_path / "Unplugged card"

    assert run_async(ui.choosing.upload([gone], target)) is False
    assert plain(main_window.status.currentMessage()) == "Nothing was uploaded: 'Unplugged card' is no longer there."
    assert ui.choosing.mirror_question is None
    assert sum(c[0] for c in ui.model.counts.values()) == 0


def test_the_hot_folder_editor_checks_the_folder_off_the_ui_thread(
    main_window, gui_session, qtbot, tmp_path, ui_thread_stats
):
    ui = upload_ui(gui_session)
    target = find_target(main_window, TEST_GALLERY)
    main_window.actions["hot_folders"].trigger()
    ui.hot_folders.dialog.add_button.click()
    editor = ui.hot_folders.editor
    assert editor.target_picker.select_target(target.event_id, None)
    editor.folder_edit.setText(str(tmp_path / "Not yet mounted"))
    ui_thread_stats.clear()
    submitted: list = []
    editor.submitted.connect(submitted.append)

    editor.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: "is not a folder on this computer" in editor.error_label.text())
    assert submitted == [] and editor.buttons.isEnabled()
    assert ui_thread_stats == []
    ui.hot_folders.editor.reject()
    ui.hot_folders.dialog.reject()
