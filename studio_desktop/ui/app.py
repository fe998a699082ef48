"""``run_gui(args)``: start Qt and the qasync loop, connect (starting the sandbox for ``--sandbox``), show the window.

One asyncio loop drives both the UI and the upload engine. Qt's own "quit when
the last window closes" is off: closing the window ends the main coroutine,
which shuts everything down in order before the loop stops.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import signal
import sys
from collections.abc import Callable
from typing import cast

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from studio_desktop import APP_ID
from studio_desktop.commands.connection import connected
from studio_desktop.core import config
from studio_desktop.core.store import StoreError
from studio_desktop.ui import gc_guard, icons, wheel_guard
from studio_desktop.ui.help import install_help_tools
from studio_desktop.wording import plain_message

log = logging.getLogger(__name__)

APP_NAME = "Studio Desktop"


def make_application(argv: list[str] | None = None) -> QApplication:
    """The process's QApplication (made once), named and with the app icon."""
    # This process makes no QCoreApplication: one that exists is a QApplication (a test's, or ours).
    app = cast("QApplication | None", QApplication.instance())
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(icons.app_icon())
    wheel_guard.install(app)
    return app


def _setup_logging(level: str) -> None:
    """The app's log file (secrets scrubbed), or plain stderr logging if this build lacks that module."""
    try:
        logging_setup = importlib.import_module("studio_desktop.core.logging_setup")
    except ModuleNotFoundError:
        logging.basicConfig(level=getattr(logging, str(level).upper(), logging.INFO))
        return
    logging_setup.setup_logging(level)


def _install_excepthooks(loop: asyncio.AbstractEventLoop, report: Callable[[str, BaseException], None]):
    try:
        logging_setup = importlib.import_module("studio_desktop.core.logging_setup")
    except ModuleNotFoundError:
        return None
    return logging_setup.install_excepthooks(report, loop=loop)


def _fatal(message: str) -> None:
    """Tell the user why the app cannot start; runs outside the asyncio loop, so a modal box is fine."""
    print(f"Studio Desktop could not start: {message}", file=sys.stderr)
    app = cast("QApplication | None", QApplication.instance())
    if app is not None and app.platformName() not in ("offscreen", "minimal"):
        QMessageBox.critical(None, "Studio Desktop could not start", message)


async def _main(endpoints: config.Endpoints, args: argparse.Namespace) -> int:
    from studio_desktop.ui.app_wiring import GuiSession

    session = await GuiSession.open(endpoints)
    report = install_help_tools(session.window, session.services).report_crash
    restore_hooks = _install_excepthooks(asyncio.get_running_loop(), report)
    previous_sigint = signal.signal(signal.SIGINT, lambda *_: QTimer.singleShot(0, session.quit_now))
    # Python runs signal handlers only when it gets control; a slow timer gives it that.
    wake = QTimer()
    wake.start(300)
    wake.timeout.connect(lambda: None)
    try:
        if getattr(args, "selftest", False):
            return await _selftest(session)
        session.show()
        await session.wait_closed()
        return 0
    finally:
        wake.stop()
        signal.signal(signal.SIGINT, previous_sigint)
        await session.aclose()
        if restore_hooks is not None:
            restore_hooks()


async def _selftest(session) -> int:
    try:
        module = importlib.import_module("studio_desktop.ui.selftest_checks")
    except ModuleNotFoundError:
        log.error("--selftest is not available in this build.")
        return 2
    return int(await module.run_selftest(session))


def run_gui(args: argparse.Namespace) -> int:
    """The desktop app; returns the process exit code."""
    import qasync  # type: ignore[import-untyped]  # qasync ships no type information

    _setup_logging(getattr(args, "log_level", "INFO") or "INFO")
    app = make_application()
    app.setQuitOnLastWindowClosed(False)
    collector = gc_guard.install(app)
    endpoints = config.resolve(args)
    log.info("Starting Studio Desktop (%r)", endpoints)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with connected(endpoints) as live:
            return loop.run_until_complete(_main(live, args))
    except KeyboardInterrupt:
        return 130
    except StoreError as exc:
        # Expected and already explained (e.g. a store from a newer version): no traceback needed.
        log.error("Studio Desktop could not start: %s", exc)
        _fatal(plain_message(exc))
        return 1
    except Exception as exc:  # noqa: BLE001 - the last line of defence: say why, in words
        log.exception("Studio Desktop could not start")
        _fatal(plain_message(exc) if not isinstance(exc, RuntimeError) else str(exc))
        return 1
    finally:
        try:
            loop.close()
        finally:
            asyncio.set_event_loop(None)
            collector.stop()
