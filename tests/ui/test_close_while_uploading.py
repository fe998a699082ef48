"""Closing the window mid-upload asks: Quit and Stop Uploads / Keep Uploading (in the tray) / Cancel; remembered."""

from __future__ import annotations

from imagegen import make_sparse_jpeg

from studio_desktop.ui.close_guard import CHOICE_KEY, KEEP, QUIT
from studio_desktop.uploads.records import queue as q

from .upload_support import TEST_GALLERY, find_target, queued, upload_ui

SLOW_KBPS = 800
WAIT_MS = 20_000


def start_slow_upload(session, window, tmp_path, count=4, prefix="slow"):
    ui = upload_ui(session)
    engine = session.services.engine
    engine.set_bandwidth_limit(SLOW_KBPS)
    engine.set_concurrency(1)
    photos = [make_sparse_jpeg(tmp_path / f"{prefix}_{n}.jpg", 200_000) for n in range(count)]
    assert queued(ui.choosing, photos, find_target(window, TEST_GALLERY))
    return ui, engine


def press(qtbot, box, name):
    from PySide6.QtCore import Qt

    qtbot.mouseClick(box.findChild(object, name), Qt.MouseButton.LeftButton)


def test_closing_mid_upload_asks_and_cancel_keeps_everything(main_window, gui_session, qtbot, tmp_path):
    _ui, engine = start_slow_upload(gui_session, main_window, tmp_path)
    qtbot.waitUntil(lambda: engine.snapshot().in_flight > 0, timeout=WAIT_MS)
    closing = []
    main_window.closing.connect(lambda: closing.append(True))

    assert not main_window.close()
    box = gui_session.close_guard.box
    assert box is not None and box.isVisible()
    assert "still to upload" in box.text() and "starts again from the beginning" in box.informativeText()
    box.button(box.StandardButton.Cancel).click()
    assert main_window.isVisible() and not closing
    assert engine.snapshot().in_flight > 0 or engine.snapshot().files[q.DONE] > 0


def test_keep_uploading_leaves_the_uploads_running_and_is_remembered(main_window, gui_session, qtbot, tmp_path):
    ui, engine = start_slow_upload(gui_session, main_window, tmp_path)
    qtbot.waitUntil(lambda: engine.snapshot().in_flight > 0, timeout=WAIT_MS)
    guard = gui_session.close_guard
    guard.has_tray = lambda: True  # a desktop with a tray (offscreen has none)
    closing = []
    main_window.closing.connect(lambda: closing.append(True))

    main_window.close()
    box = guard.box
    assert box.findChild(object, "close_keep").text() == "Keep Uploading in the Tray"
    box.checkBox().setChecked(True)
    press(qtbot, box, "close_keep")
    assert not main_window.isVisible() and not closing, "hidden in the tray, not closed"
    title, message = ui.notifier.history[-1]
    assert title == "Still uploading" and "in the background" in message
    assert gui_session.services.settings.window[CHOICE_KEY] == KEEP
    engine.set_bandwidth_limit(0)
    qtbot.waitUntil(lambda: engine.snapshot().files[q.DONE] == 4, timeout=WAIT_MS)

    # From the tray: Show, then another close mid-upload does what was remembered, without asking.
    main_window.show()
    engine.set_bandwidth_limit(SLOW_KBPS)
    (tmp_path / "more").mkdir()
    start_slow_upload(gui_session, main_window, tmp_path / "more", prefix="more")
    qtbot.waitUntil(lambda: engine.snapshot().in_flight > 0, timeout=WAIT_MS)
    main_window.close()
    assert guard.box is None and not main_window.isVisible() and not closing

    # The tray's Quit closes a hidden window for real.
    main_window.close()
    assert closing


def test_quit_and_stop_uploads_closes_and_remembering_it_skips_the_question(
    gui_session_factory, sandbox, wait_for_tree, qtbot, tmp_path
):
    session = gui_session_factory(sandbox)
    wait_for_tree(session)
    window = session.window
    _ui, engine = start_slow_upload(session, window, tmp_path)
    qtbot.waitUntil(lambda: engine.snapshot().in_flight > 0, timeout=WAIT_MS)
    closing = []
    window.closing.connect(lambda: closing.append(True))
    window.close()
    box = session.close_guard.box
    box.checkBox().setChecked(True)
    press(qtbot, box, "close_quit")
    assert closing and not window.isVisible()
    assert session.services.settings.window[CHOICE_KEY] == QUIT


def test_no_question_when_nothing_is_uploading(main_window, gui_session):
    closing = []
    main_window.closing.connect(lambda: closing.append(True))
    assert gui_session.photos_uploading() == 0
    main_window.close()
    assert closing and gui_session.close_guard.box is None


def test_closing_stops_the_engine_before_the_background_tasks(gui_session, main_window, run_async):
    """An upload that finished while the app closed made the upload view start background work after the
    task runner had stopped taking any ("an upload observer failed on ItemStateChanged(... 'done')"), and the
    engine still sent while the clients closed. The upload side and the engine stop first now."""
    from studio_desktop.uploads import events as ev

    engine = gui_session.services.engine
    real_shutdown = gui_session.tasks.shutdown
    engine_when_tasks_stopped = []

    async def shutdown(*args, **kwargs):
        engine_when_tasks_stopped.append(gui_session.services.engine)
        await real_shutdown(*args, **kwargs)
        # The last word of an upload that was under way: nobody may be listening who cannot act on it.
        engine._emit(ev.ItemStateChanged(1, 1, "late.jpg", q.DONE, photo_id=7, path="/photos/late.jpg"))

    gui_session.tasks.shutdown = shutdown
    run_async(gui_session.aclose(), timeout=20)
    assert engine_when_tasks_stopped == [None], "the engine stops before the background tasks"
