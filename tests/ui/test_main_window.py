"""The main window: title and status bar from the server, menus, remembered layout, signed-out state."""

from __future__ import annotations

import json
import logging
from dataclasses import replace

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel

from studio_desktop.api.shootproof import ShootProofClient
from studio_desktop.core import paths
from studio_desktop.core.settings import load_settings
from studio_desktop.ui.status_bar import ConnectionState, plan_text

from .conftest import endpoints_for


async def _studio(sandbox):
    async with ShootProofClient(sandbox.shootproof_api_url, sandbox.access_token) as client:
        return await client.studio_info()


def test_title_and_status_bar_come_from_the_server(main_window, sandbox, run_async, qtbot):
    info = run_async(_studio(sandbox))
    status = main_window.status
    qtbot.waitUntil(lambda: status.plan_label.text() != "", timeout=10_000)
    assert main_window.windowTitle() == f"Studio Desktop — {info.name}"
    assert status.plan_label.text() == f"{info.plan.used:,} of {info.plan.allowed:,} photos"
    assert status.plan_bar.isVisible()
    assert status.plan_bar.value() == int(info.plan.used / info.plan.allowed * 1000)
    assert status.account_label.text() == f"{info.name} — {info.user.first_name} {info.user.last_name}"
    assert status.brand_label.text().startswith("Brand: ")
    qtbot.waitUntil(lambda: status.state == ConnectionState.ONLINE, timeout=10_000)
    assert status.connection_label.text() == "Online"


def test_plan_text_is_written_for_people():
    assert plan_text(1234, 100_000) == "1,234 of 100,000 photos"
    assert plan_text(1, None) == "1 photo"
    assert plan_text(None, 100) == ""


def test_menus_and_shortcuts(main_window):
    actions = main_window.actions
    assert actions.quit.shortcut() == QKeySequence("Ctrl+Q")
    assert actions.refresh.shortcut() == QKeySequence("F5")
    assert actions.show_archived.isCheckable()
    titles = [a.text() for a in main_window.menuBar().actions()]
    assert titles[:2] == ["&File", "&View"] and titles[-1] == "&Help"
    assert actions.quit in main_window.menu("file").actions()
    assert actions.sign_in in main_window.menu("file").actions()
    assert actions.refresh in main_window.menu("view").actions()
    assert actions.about in main_window.menu("help").actions()
    # A feature added later gets its own menu, placed before Help.
    main_window.menu("test_extra", "&Extra")
    assert [a.text() for a in main_window.menuBar().actions()][-2:] == ["&Extra", "&Help"]
    assert main_window.menu("test_extra") is main_window.menu("test_extra")


def test_refresh_reloads_the_tree_and_keeps_the_selection(main_window, sandbox, run_async, qtbot):
    panel = main_window.tree_panel
    first_event = panel.model.root.children[1]
    panel.tree.select("event", first_event.id)
    target = main_window.current_target()
    assert target.event_id == first_event.id
    old_root = panel.model.root
    main_window.actions.refresh.trigger()
    qtbot.waitUntil(lambda: panel.model.root is not old_root, timeout=10_000)
    assert main_window.current_target() == target


def test_quit_closes_the_window_and_ends_the_session(gui_session, qtbot):
    window = gui_session.window
    window.actions.quit.trigger()
    qtbot.waitUntil(lambda: gui_session._closed.is_set(), timeout=5000)
    assert not window.isVisible()


def test_layout_is_remembered_across_restarts(gui_session_factory, sandbox, wait_for_tree, run_async, qtbot):
    first = gui_session_factory(sandbox)
    wait_for_tree(first)
    window = first.window
    # Within the offscreen platform's small screen (restoring clamps to it) and above the minimum size.
    minimum = window.minimumSizeHint()
    width, height = max(700, minimum.width() + 10), max(540, minimum.height() + 10)
    window.setGeometry(QRect(30, 40, width, height))
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (width, height))
    window.splitter.setSizes([300, width - 300])
    sizes = window.splitter.sizes()
    dock = window.add_side_panel(QLabel("notes"), "Notes", Qt.DockWidgetArea.BottomDockWidgetArea, name="test_notes")
    dock.hide()
    window.actions.show_archived.setChecked(False)
    window.grid_panel.size_slider.setValue(240)
    run_async(first.aclose())

    saved = load_settings()
    assert {"main_geometry", "main_state", "main_splitter"} <= set(saved.window)
    assert saved.window["show_archived"] is False and saved.thumbnail_size == 240
    text = paths.current().settings_file.read_text()
    assert sandbox.access_token not in text
    json.loads(text)

    second = gui_session_factory(sandbox)
    again = second.window
    assert (again.width(), again.height()) == (width, height)
    assert again.splitter.sizes() == sizes
    assert not again.actions.show_archived.isChecked()
    assert again.grid_view.thumbnail_size == 240
    # A panel added after start-up still gets its remembered state (here: hidden) back.
    late = again.add_side_panel(QLabel("notes"), "Notes", Qt.DockWidgetArea.BottomDockWidgetArea, name="test_notes")
    assert late.isHidden()
    assert again.dockWidgetArea(late) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert again.side_panel("test_notes") is late


def test_damaged_saved_layout_falls_back_to_defaults(gui_session_factory, sandbox, run_async):
    from studio_desktop.core.settings import Settings, save_settings

    save_settings(Settings(window={"main_geometry": "%%% not base64", "main_state": "AAAA", "main_splitter": 17}))
    session = gui_session_factory(sandbox)
    assert session.window.width() > 600 and session.window.isVisible()


def test_without_a_token_the_window_says_not_signed_in(gui_session_factory, sandbox, qtbot):
    endpoints = replace(endpoints_for(sandbox), access_token=None)
    session = gui_session_factory(endpoints=endpoints)
    window = session.window
    assert session.services.signed_in is False
    assert window.status.state == ConnectionState.SIGNED_OUT
    assert window.status.connection_label.text() == "Not signed in"
    assert "Not signed in" in window.tree_panel.message_text
    assert window.grid_panel.title.text() == "Not signed in"
    assert window.windowTitle() == "Studio Desktop"
    assert window.actions.sign_in.isEnabled()
    window.actions.sign_in.trigger()
    qtbot.waitUntil(lambda: window.findChild(object, "signInDialog") is not None)
    window.findChild(object, "signInDialog").close()


def test_a_rejected_token_shows_the_signed_out_state(gui_session_factory, sandbox, qtbot, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.ui.tasks")  # "background task studio-info failed"
    caplog.set_level(logging.WARNING, logger="studio_desktop.accounts")  # "ShootProof refused the sign-in"
    endpoints = replace(endpoints_for(sandbox), access_token="not-a-real-token")
    session = gui_session_factory(endpoints=endpoints)
    window = session.window
    qtbot.waitUntil(lambda: window.status.state == ConnectionState.SIGNED_OUT, timeout=10_000)
    qtbot.waitUntil(lambda: "Not signed in" in window.tree_panel.message_text, timeout=10_000)
    assert "sign" in window.status.currentMessage().lower()


def test_run_gui_starts_the_sandbox_shows_the_window_and_exits_cleanly(qapp, app_paths):
    """The real entry point, as `studio-desktop --sandbox` runs it: its own loop, window closed by the user."""
    from PySide6.QtCore import QTimer

    from studio_desktop.cli import build_parser
    from studio_desktop.core import logging_setup
    from studio_desktop.ui.app import run_gui
    from studio_desktop.ui.main_window import MainWindow

    seen: dict[str, object] = {}

    def poll():
        windows = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if windows and windows[0].tree_panel.model.event_count():
            seen["title"] = windows[0].windowTitle()
            seen["events"] = windows[0].tree_panel.model.event_count()
            timer.stop()
            windows[0].actions.quit.trigger()

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(50)
    QTimer.singleShot(30_000, lambda: [w.close() for w in qapp.topLevelWidgets() if isinstance(w, MainWindow)])
    args = build_parser().parse_args(["--sandbox"])
    try:
        code = run_gui(args)
    finally:
        timer.stop()
        qapp.setQuitOnLastWindowClosed(True)
        logging_setup.teardown_logging()
    assert code == 0
    assert seen["title"] == "Studio Desktop — Lumen & Grain Photography — Sandbox" and seen["events"] > 0
    assert "main_geometry" in load_settings().window
    assert (app_paths.sandbox_dir).is_dir()
