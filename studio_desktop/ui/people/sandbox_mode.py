"""Knowing where you are: the sandbox studio is marked in the title, the status bar and the first hint,
and File → Switch to My ShootProof Account… restarts the app on the real services.

The sandbox's addresses and demo token are fixed when the app starts (the
server runs for the whole process), so leaving it means starting again without
``--sandbox``; the practice studio stays on disk for next time.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMessageBox

from studio_desktop.core.config import ENV_SANDBOX

log = logging.getLogger(__name__)

FIRST_RUN_NOTE = (
    "You are in the practice studio: demo galleries and people on your own computer. "
    "Nothing here is real. File → Switch to My ShootProof Account… when you are ready."
)

#: ``launch(program, arguments, environment) -> started``
Launcher = Callable[[str, list[str], dict[str, str]], bool]


def relaunch_command(
    argv: Sequence[str], environ: Mapping[str, str], *, frozen: bool | None = None, executable: str | None = None
) -> tuple[str, list[str], dict[str, str]]:
    """The same app and options as this run, without the sandbox."""
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    executable = executable or sys.executable
    options = [arg for arg in argv[1:] if arg != "--sandbox"]
    env = {name: value for name, value in environ.items() if name != ENV_SANDBOX}
    if frozen:
        return executable, options, env
    return executable, ["-m", "studio_desktop", *options], env


def launch_detached(program: str, arguments: list[str], environment: dict[str, str]) -> bool:
    process = QProcess()
    process.setProgram(program)
    process.setArguments(arguments)
    env = QProcessEnvironment()
    for name, value in environment.items():
        env.insert(name, value)
    process.setProcessEnvironment(env)
    # PySide6 returns a bool here; some bindings return (started, pid).
    result = process.startDetached()
    return bool(result[0] if isinstance(result, tuple) else result)


class SandboxMarks(QObject):
    """Marks ``window`` as the sandbox (when ``sandbox``) and offers the way to the real studio."""

    def __init__(self, window: QMainWindow, sandbox: bool, *, launch: Launcher = launch_detached):
        super().__init__(window)
        self.window = window
        self.sandbox = sandbox
        self.launch = launch
        self.confirm_box: QMessageBox | None = None
        self.switch_action = QAction("S&witch to My ShootProof Account…", window)
        self.switch_action.setObjectName("switch_to_real_account")
        self.switch_action.setStatusTip("Leave the practice studio and start again on your own ShootProof studio")
        self.switch_action.setVisible(sandbox)
        self.switch_action.triggered.connect(lambda _checked=False: self.confirm_switch())
        window.actions.add("switch_to_real_account", self.switch_action)
        file_menu = window.menu("file")
        entries = file_menu.actions()
        # Below the sign-in entries (Sign In, Sign Out, Accounts), whichever of them exist.
        actions = window.actions
        placed = [
            entries.index(actions[name])
            for name in ("sign_in", "sign_out", "accounts")
            if name in actions and actions[name] in entries
        ]
        after = max(placed) + 1 if placed else 0
        before = entries[after] if after < len(entries) else None
        if before is not None:
            file_menu.insertAction(before, self.switch_action)
        else:
            file_menu.addAction(self.switch_action)
        window.set_sandbox(sandbox)
        window.status.set_sandbox(sandbox)
        window.grid_panel.set_first_run_note(FIRST_RUN_NOTE if sandbox else "")

    def confirm_switch(self) -> QMessageBox:
        """Ask (non-modal), then start the app on the real services and close this window."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Switch to your ShootProof account",
            "Start Studio Desktop again on your own ShootProof studio?",
            QMessageBox.StandardButton.Cancel,
            self.window,
        )
        box.setObjectName("switchAccountBox")
        box.setInformativeText(
            "The practice studio stays on this computer: start Studio Desktop with --sandbox "
            "to come back to it. You sign in to ShootProof in the window that opens."
        )
        restart = box.addButton("Start on My Account", QMessageBox.ButtonRole.AcceptRole)
        restart.setObjectName("confirm_switch")
        box.setDefaultButton(restart)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button) -> None:
            self.confirm_box = None
            if button is restart:
                self.switch()

        box.buttonClicked.connect(answered)
        self.confirm_box = box
        box.open()
        return box

    def switch(self) -> bool:
        program, arguments, env = relaunch_command(sys.argv, os.environ)
        if not self.launch(program, arguments, env):
            log.warning("Could not start Studio Desktop on the real services (%s)", program)
            self.window.status.show_error(
                "Studio Desktop could not be started again. Quit, then start it without --sandbox."
            )
            return False
        log.info("Started Studio Desktop on the real services; closing the sandbox window")
        self.window.close()
        return True
