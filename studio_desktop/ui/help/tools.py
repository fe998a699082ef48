"""The Help menu's support tools, and the dialog for unexpected errors, plugged into a main window.

``install_help_tools(window, services)`` adds Help → View Log, Copy Diagnostics
and an About box with versions, and returns :class:`HelpTools`, whose
``report_crash`` is the reporter for ``install_excepthooks``. The window keeps
it as ``window.help_tools``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence

from studio_desktop.core.diagnostics import collect_diagnostics
from studio_desktop.core.logging_setup import install_excepthooks
from studio_desktop.ui.help.about_dialog import AboutDialog
from studio_desktop.ui.help.crash_dialog import CrashReporter
from studio_desktop.ui.help.log_viewer import LogViewer

if TYPE_CHECKING:
    from studio_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)

DIAGNOSTICS_COPIED = "Diagnostics copied — paste them into your support email"


class HelpTools(QObject):
    def __init__(self, window: MainWindow, services: Any | None = None):
        super().__init__(window)
        self.window = window
        self.services = services
        self.crash_reporter = CrashReporter(window, status_message=self._status)
        self.log_viewer: LogViewer | None = None

    # --- what the menu does ----------------------------------------------------------------------

    def report_crash(self, summary: str, exc: BaseException) -> None:
        """The reporter for ``install_excepthooks`` (any thread)."""
        self.crash_reporter.report(summary, exc)

    def install_excepthooks(self, loop: asyncio.AbstractEventLoop | None = None) -> Callable[[], None]:
        """Route uncaught exceptions (main thread, other threads, ``loop``) to the dialog; returns the undo."""
        return install_excepthooks(self.report_crash, loop=loop)

    def show_log_viewer(self) -> LogViewer:
        """Open the log viewer (the same window again if it is open), refreshed."""
        if self.log_viewer is None:
            self.log_viewer = LogViewer(self.window)
        else:
            self.log_viewer.refresh()
        self.log_viewer.show()
        self.log_viewer.raise_()
        self.log_viewer.activateWindow()
        return self.log_viewer

    def diagnostics(self) -> str:
        settings = getattr(self.services, "settings", None)
        credentials = getattr(self.services, "credentials", None)
        backend = None
        if credentials is not None:
            with contextlib.suppress(Exception):
                backend = credentials.backend_name
        return collect_diagnostics(settings, credential_backend=backend)

    def copy_diagnostics(self) -> str:
        """Put the diagnostics report on the clipboard and say so; returns the text."""
        try:
            text = self.diagnostics()
        except Exception:  # noqa: BLE001 - support tools must not add a second problem
            log.exception("Could not gather the diagnostics")
            self._status("The diagnostics could not be gathered; the log file has the reason.")
            return ""
        QGuiApplication.clipboard().setText(text)
        self._status(DIAGNOSTICS_COPIED)
        return text

    def show_about(self) -> AboutDialog:
        dialog = AboutDialog(self.window)
        dialog.show()
        return dialog

    def _status(self, message: str) -> None:
        status = getattr(self.window, "status", None)
        if status is not None and hasattr(status, "show_info"):
            status.show_info(message)
        else:
            self.window.statusBar().showMessage(message, 10_000)


def _action(
    window: MainWindow, name: str, text: str, tip: str, slot: Callable[[], Any], shortcut: QKeySequence | None = None
) -> QAction:
    action = QAction(text, window)
    action.setObjectName(f"action_{name}")
    action.setStatusTip(tip)
    action.setToolTip(tip)
    if shortcut is not None:
        action.setShortcut(shortcut)
    action.triggered.connect(lambda _checked=False: slot())
    actions = getattr(window, "actions", None)
    if actions is not None and hasattr(actions, "add"):
        actions.add(name, action)
    return action


def install_help_tools(window: MainWindow, services: Any | None = None) -> HelpTools:
    """Add the support tools to ``window``'s Help menu (once); returns them (also as ``window.help_tools``)."""
    existing = getattr(window, "help_tools", None)
    if isinstance(existing, HelpTools):
        return existing
    tools = HelpTools(window, services)
    view_log = _action(
        window, "view_log", "View &Log…", "Show the app's log (secrets are hidden)", tools.show_log_viewer
    )
    copy_diagnostics = _action(
        window,
        "copy_diagnostics",
        "Copy &Diagnostics",
        "Copy versions, settings and the recent log for a support email",
        tools.copy_diagnostics,
    )
    menu = window.menu("help", "&Help") if hasattr(window, "menu") else window.menuBar().addMenu("&Help")
    about = getattr(getattr(window, "actions", None), "about", None)
    if about is not None and about in menu.actions():
        menu.insertAction(about, view_log)
        menu.insertAction(about, copy_diagnostics)
        menu.insertSeparator(about)
        # The window's own box shows the version only; this one lists what support needs.
        with contextlib.suppress(RuntimeError, TypeError):
            about.triggered.disconnect(window.show_about)
        about.triggered.connect(lambda _checked=False: tools.show_about())
    else:
        menu.addAction(view_log)
        menu.addAction(copy_diagnostics)
        menu.addSeparator()
        menu.addAction(_action(window, "about_versions", "&About", "Version and credits", tools.show_about))
    window.help_tools = tools
    return tools
