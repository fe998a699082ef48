"""The upload queue tells the truth: questions only when they matter, counts that match what was done."""

from __future__ import annotations

from imagegen import make_jpeg

from studio_desktop.ui.uploads.drop_handler import MIRROR_ASK
from studio_desktop.uploads import queue as q

from .upload_support import TEST_GALLERY, drop_on, file_mime, find_target, photo_names, tree_point, upload_ui


def _wait_counts(qtbot, ui, timeout=15_000, **wanted):
    qtbot.waitUntil(lambda: all(ui.model.counts[state][0] == n for state, n in wanted.items()), timeout=timeout)


def test_a_folder_without_subfolders_is_uploaded_without_the_mirror_question(
        main_window, gui_session, qtbot, run_async, tmp_path):
    ui = upload_ui(gui_session)
    assert ui.mirror_choice() == MIRROR_ASK
    target = find_target(main_window, TEST_GALLERY)
    flat = tmp_path / "Flat shoot"
    flat.mkdir()
    make_jpeg(flat / "a1.jpg")
    make_jpeg(flat / "a2.jpg")
    (flat / ".thumbnails").mkdir()  # hidden: the scan never enters it, so it makes no album either

    viewport = main_window.tree_panel.tree.viewport()
    assert drop_on(viewport, tree_point(main_window, target), file_mime([flat]))
    assert ui.mirror_question is None
    _wait_counts(qtbot, ui, done=2)
    assert {"a1.jpg", "a2.jpg"} <= set(run_async(photo_names(gui_session.services.shootproof, target.event_id)))
    assert ui.mirror_choice() == MIRROR_ASK  # nothing was remembered for the next folder

    nested = tmp_path / "Nested"
    (nested / "Ceremony").mkdir(parents=True)
    make_jpeg(nested / "Ceremony" / "c1.jpg")
    assert drop_on(viewport, tree_point(main_window, target), file_mime([nested]))
    qtbot.waitUntil(lambda: ui.mirror_question is not None and ui.mirror_question.isVisible())
    ui.mirror_question.reject()
    assert ui.model.counts[q.QUEUED][0] == 0
