"""The sandbox studio never passes for a real one, and there is a way out to the real studio."""

from __future__ import annotations

import sys
from dataclasses import replace

import pytest

from studio_desktop.core.config import ENV_SANDBOX
from studio_desktop.ui.people.sandbox_mode import FIRST_RUN_NOTE, relaunch_command
from studio_desktop.ui.status_bar import SANDBOX_CHIP_TEXT
from tests.ui.conftest import endpoints_for

WAIT_MS = 10_000


@pytest.fixture
def sandbox_session(gui_session_factory, sandbox, wait_for_tree):
    session = gui_session_factory(endpoints=replace(endpoints_for(sandbox), sandbox=True))
    wait_for_tree(session)
    return session


def test_the_sandbox_is_marked_in_the_title_the_status_bar_and_the_first_hint(sandbox_session, qtbot):
    window = sandbox_session.window
    qtbot.waitUntil(lambda: sandbox_session.controller.studio is not None, timeout=WAIT_MS)
    assert window.windowTitle() == f"Studio Desktop — {sandbox_session.controller.studio.name} — Sandbox"
    chip = window.status.sandbox_chip
    assert chip.isVisible() and chip.text() == SANDBOX_CHIP_TEXT
    assert not chip.visibleRegion().isEmpty(), "the chip is on screen, not squeezed out"
    assert FIRST_RUN_NOTE in window.grid_view.empty_text
    switch = window.actions["switch_to_real_account"]
    assert switch.isVisible() and switch in window.menu("file").actions()


def test_a_real_studio_has_no_sandbox_marks(main_window, gui_session, qtbot):
    qtbot.waitUntil(lambda: gui_session.controller.studio is not None, timeout=WAIT_MS)
    assert "Sandbox" not in main_window.windowTitle()
    assert main_window.status.sandbox_chip.isHidden()
    assert FIRST_RUN_NOTE not in main_window.grid_view.empty_text
    assert not main_window.actions["switch_to_real_account"].isVisible()


def test_switching_starts_the_app_without_the_sandbox_and_closes_this_window(
    sandbox_session, qtbot, click, monkeypatch
):
    window, marks = sandbox_session.window, sandbox_session.people.signing_in.sandbox_marks
    launched = []
    marks.launch = lambda program, arguments, env: launched.append((program, arguments, env)) or True
    monkeypatch.setattr(sys, "argv", ["/opt/studio/bin/studio-desktop", "--sandbox", "--data-dir", "/tmp/x"])
    monkeypatch.setenv(ENV_SANDBOX, "1")

    window.actions["switch_to_real_account"].trigger()
    box = marks.confirm_box
    assert box is not None and box.isVisible()
    with qtbot.waitSignal(window.closing, timeout=WAIT_MS):
        click(box.findChild(object, "confirm_switch"))
    ((_program, arguments, env),) = launched
    assert arguments[-2:] == ["--data-dir", "/tmp/x"] and "--sandbox" not in arguments
    assert ENV_SANDBOX not in env


def test_relaunch_command_for_a_bundle_and_for_python():
    argv = ["studio-desktop", "--sandbox", "--log-level", "DEBUG"]
    env = {ENV_SANDBOX: "1", "HOME": "/home/ana"}
    assert relaunch_command(argv, env, frozen=True, executable="/app/studio-desktop") == (
        "/app/studio-desktop",
        ["--log-level", "DEBUG"],
        {"HOME": "/home/ana"},
    )
    assert relaunch_command(argv, env, frozen=False, executable="/venv/bin/python") == (
        "/venv/bin/python",
        ["-m", "studio_desktop", "--log-level", "DEBUG"],
        {"HOME": "/home/ana"},
    )


def test_the_launcher_really_starts_a_detached_process_with_the_environment_given(qapp, tmp_path, qtbot):
    from studio_desktop.ui.people.sandbox_mode import launch_detached

    marker = tmp_path / "started.txt"
    code = "import os, sys; open(sys.argv[1], 'w').write(os.environ.get('MARK', 'missing'))"
    assert launch_detached(sys.executable, ["-c", code, str(marker)], {"MARK": "from-the-sandbox-window"})
    qtbot.waitUntil(lambda: marker.exists() and marker.read_text() == "from-the-sandbox-window", timeout=10_000)
