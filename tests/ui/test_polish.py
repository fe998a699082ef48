"""Small things found while putting the window together: start-up store errors, grid drops, one status-bar
path for plan usage, and window state saved on close only."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import traceback
from pathlib import Path

from imagegen import make_jpeg
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from studio_desktop.core.store import latest_version
from studio_desktop.ui.gallery.grid_view import PhotoGridView
from studio_desktop.ui.status_bar import ConnectionState, plan_text
from studio_desktop.uploads import events as ev

from .upload_support import TEST_GALLERY, find_target, photo_names, queued, upload_ui

WAIT_MS = 15_000


# --- a store from a newer version ---------------------------------------------------------------------


def test_run_gui_says_in_plain_words_why_a_newer_store_cannot_be_opened(qapp, app_paths, capsys, caplog):
    caplog.set_level(logging.ERROR, logger="studio_desktop.ui.app")  # "could not start: ... newer version"
    from studio_desktop.cli import build_parser
    from studio_desktop.core import logging_setup
    from studio_desktop.ui.app import run_gui

    conn = sqlite3.connect(app_paths.store_file)
    conn.execute("CREATE TABLE from_the_future (id INTEGER PRIMARY KEY)")
    conn.execute(f"PRAGMA user_version = {latest_version() + 3}")
    conn.commit()
    conn.close()
    before = hashlib.sha256(app_paths.store_file.read_bytes()).hexdigest()

    try:
        code = run_gui(build_parser().parse_args([]))
    finally:
        qapp.setQuitOnLastWindowClosed(True)
        logging_setup.teardown_logging()

    err = capsys.readouterr().err
    assert code != 0
    assert (
        "Studio Desktop could not start: This upload queue was written by a newer version of Studio Desktop "
        f"(store version {latest_version() + 3}"
    ) in err
    assert "Nothing was changed." in err
    assert "Something went wrong" not in err and "StoreTooNewError" not in err
    assert hashlib.sha256(app_paths.store_file.read_bytes()).hexdigest() == before


# --- dropping files on the grid --------------------------------------------------------------------------


def _drag_through_the_window(view, point: QPoint, mime: QMimeData) -> bool:
    """Enter, move and drop as the platform delivers them: to the window, which picks the widget under the pointer."""
    window = view.window().windowHandle()
    at = view.viewport().mapTo(view.window(), point)
    for event in (
        QDragEnterEvent(at, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier),
        QDragMoveEvent(at, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier),
    ):
        QApplication.sendEvent(window, event)
    drop = QDropEvent(
        QPointF(at), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(window, drop)
    return drop.isAccepted()


def test_the_grid_view_itself_takes_file_drops_on_its_viewport(qtbot, tmp_path):
    view = PhotoGridView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.set_drop_enabled(True)
    view.show()
    qtbot.waitExposed(view)
    assert view.viewport().acceptDrops()

    dropped: list[list] = []
    view.files_dropped.connect(dropped.append)
    photo = make_jpeg(tmp_path / "dropped.jpg")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo))])

    assert _drag_through_the_window(view, QPoint(60, 60), mime)
    assert dropped == [[photo]]


# --- plan usage in the status bar ---------------------------------------------------------------------------


def _engine_is_emitting() -> bool:
    """True when called (however indirectly) from the upload engine handing an event to its subscribers."""
    return any(
        frame.name == "_emit" and Path(frame.filename).parts[-3:] == ("uploads", "engine", "_state.py")
        for frame in traceback.extract_stack()
    )


class _PlanCalls:
    """The status bar's plan updates made from engine events, next to the engine's PlanUsage events.

    (The controller also sets the plan when studio info arrives; those calls are not counted.)
    """

    def __init__(self, status) -> None:
        self.calls: list[tuple] = []
        self.events: list[ev.PlanUsage] = []
        self._real = status.set_plan
        status.set_plan = self._set_plan

    def _set_plan(self, used, allowed) -> None:
        if _engine_is_emitting():
            self.calls.append((used, allowed))
        self._real(used, allowed)

    def on_event(self, event) -> None:
        if isinstance(event, ev.PlanUsage):
            self.events.append(event)


def _upload_one(qtbot, gui_session, window, path, spy: _PlanCalls) -> None:
    ui = upload_ui(gui_session)
    qtbot.waitUntil(
        lambda: ui.controller.engine is gui_session.services.engine and ui.controller.engine is not None,
        timeout=WAIT_MS,
    )
    unsubscribe = ui.controller.engine.subscribe(spy.on_event)
    try:
        target = find_target(window, TEST_GALLERY)
        assert queued(ui.choosing, [path], target)
        qtbot.waitUntil(lambda: len(spy.events) == 1, timeout=WAIT_MS)
    finally:
        unsubscribe()


def test_plan_usage_from_uploads_reaches_the_status_bar_once_before_and_after_signing_in_again(
    main_window, gui_session, sandbox, qtbot, run_async, tmp_path, caplog
):
    caplog.set_level(logging.WARNING, logger="studio_desktop.ui.tasks")  # background tasks failing on the refused token
    caplog.set_level(logging.WARNING, logger="studio_desktop.accounts")  # "ShootProof refused the sign-in"
    status, people, services = main_window.status, gui_session.people, gui_session.services
    used, allowed = sandbox.studio.plan()
    qtbot.waitUntil(lambda: status.plan_label.text() == plan_text(used, allowed), timeout=WAIT_MS)
    spy = _PlanCalls(status)

    _upload_one(qtbot, gui_session, main_window, make_jpeg(tmp_path / "first.jpg"), spy)
    qtbot.waitUntil(lambda: status.plan_label.text() == plan_text(used + 1, allowed), timeout=WAIT_MS)
    assert spy.events[0].photos_used == used + 1
    assert spy.calls == [(used + 1, allowed)], "one path from engine events to the status bar"

    # Sign out and in again: a new client and a new upload engine replace the old ones.
    old_engine = services.engine
    dialog = people.signing_in.open_sign_in()
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    dialog.sp_status.sign_out.click()
    qtbot.waitUntil(lambda: services.engine is None and status.state == ConnectionState.SIGNED_OUT, timeout=WAIT_MS)
    dialog.token_edit.setText(sandbox.studio.issue_token().access_token)
    dialog.token_button.click()
    qtbot.waitUntil(
        lambda: services.engine is not None and main_window.tree_panel.model.event_count() > 0, timeout=WAIT_MS
    )
    assert services.engine is not old_engine
    dialog.close()
    qtbot.waitUntil(lambda: status.plan_label.text() == plan_text(used + 1, allowed), timeout=WAIT_MS)

    spy.calls.clear()
    spy.events.clear()
    second = make_jpeg(tmp_path / "second.jpg", color=(0, 0, 255))
    _upload_one(qtbot, gui_session, main_window, second, spy)
    qtbot.waitUntil(lambda: status.plan_label.text() == plan_text(used + 2, allowed), timeout=WAIT_MS)
    assert spy.calls == [(used + 2, allowed)]
    assert "second.jpg" in run_async(photo_names(services.shootproof, find_target(main_window, TEST_GALLERY).event_id))


# --- window state -----------------------------------------------------------------------------------------


def test_resizing_writes_nothing_and_closing_saves_the_window_once(
    main_window, gui_session, app_paths, qtbot, run_async
):
    settings_file = app_paths.settings_file
    before = settings_file.read_bytes() if settings_file.exists() else None
    writes: list[dict] = []
    services = gui_session.services
    real_update = services.update_settings

    def update_settings(**changes):
        writes.append(changes)
        return real_update(**changes)

    services.update_settings = update_settings
    for width, height in ((900, 640), (1000, 700), (1100, 760), (960, 680)):
        main_window.resize(width, height)
        qtbot.waitUntil(lambda width=width: main_window.size().width() == width)
        QApplication.processEvents()
    assert writes == []
    assert (settings_file.read_bytes() if settings_file.exists() else None) == before

    main_window.close()
    assert len(writes) == 1 and "window" in writes[0]
    run_async(services.flush_settings())  # saved off the UI thread
    assert settings_file.read_bytes() != before
