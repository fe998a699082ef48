"""Help → View Log, Copy Diagnostics and About, on the real main window (sandbox studio, offscreen)."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from studio_desktop import __version__
from studio_desktop.core import paths
from studio_desktop.ui.help import DIAGNOSTICS_COPIED, install_help_tools
from studio_desktop.ui.help.about_dialog import AboutDialog
from studio_desktop.ui.help.log_viewer import LogViewer, filter_log

from .log_support import app_log_file

SECRET = "help-tools-secret-7f6e5d4c3b2a"

log = logging.getLogger("studio_desktop.tests.help")


@pytest.fixture
def app_log():
    with app_log_file("DEBUG", SECRET) as path:
        yield path


@pytest.fixture
def tools(main_window, gui_session):
    return install_help_tools(main_window, gui_session.services)


def test_help_menu_offers_the_support_tools(tools, main_window):
    menu = main_window.menu("help")
    names = [
        action.objectName() or ("separator" if action.isSeparator() else action.text()) for action in menu.actions()
    ]
    assert names == ["action_view_log", "action_copy_diagnostics", "separator", "action_about"]
    assert main_window.help_tools is tools
    assert install_help_tools(main_window) is tools  # a second call adds nothing
    assert [a.objectName() for a in menu.actions() if not a.isSeparator()] == [
        "action_view_log",
        "action_copy_diagnostics",
        "action_about",
    ]


def test_about_lists_the_versions_support_needs(tools, main_window, qtbot):
    main_window.actions.about.trigger()
    qtbot.waitUntil(lambda: main_window.findChild(AboutDialog) is not None)
    dialog = main_window.findChild(AboutDialog)
    text = dialog.versions.toPlainText()
    assert f"Studio Desktop: {__version__}" in text
    assert "Qt: 6." in text
    assert "PySide6-Essentials: 6." in text
    assert f"Logs: {paths.current().log_dir}" in text
    assert not dialog.isModal()
    # Only the detailed box opens, not the window's own short one as well.
    assert not [box for box in main_window.findChildren(QMessageBox) if box.isVisible()]
    dialog.copy_versions()
    assert QGuiApplication.clipboard().text() == text
    dialog.close()


def test_copy_diagnostics_puts_a_report_without_secrets_on_the_clipboard(
    tools, main_window, app_log, gui_session, caplog
):
    caplog.set_level(logging.WARNING, logger="studio_desktop.tests.help")  # the test's own warning, to see it redacted
    log.warning("signed in with access_token=%s at https://x.test/v2?access_token=%s", SECRET, SECRET)
    QGuiApplication.clipboard().clear()
    main_window.actions.copy_diagnostics.trigger()
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith(f"Studio Desktop {__version__} diagnostics")
    assert "signed in with access_token=" in copied  # the log tail is there...
    assert SECRET not in copied  # ...with the secret taken out
    assert gui_session.services.endpoints.access_token not in copied
    assert "== Settings ==" in copied and "upload_concurrency" in copied
    assert main_window.status.currentMessage() == DIAGNOSTICS_COPIED


def test_log_viewer_shows_the_redacted_tail_filtered_by_level(
    tools, main_window, app_log, qtbot, fail_on_unexpected_logs
):
    log.debug("debug detail nobody needs")
    log.info("ordinary progress line")
    log.warning("a warning with token=%s", SECRET)
    try:
        raise RuntimeError("the disk went away")
    except RuntimeError:
        log.exception("an error with its traceback")
    main_window.actions.view_log.trigger()
    viewer = main_window.findChild(LogViewer)
    assert viewer is not None and viewer.isVisible() and not viewer.isModal()
    assert viewer.text.isReadOnly()
    shown = viewer.text.toPlainText()
    assert "ordinary progress line" in shown and "debug detail" not in shown  # default: information and up
    assert "a warning with token=" in shown and SECRET not in shown

    viewer.set_min_level(logging.ERROR)
    shown = viewer.text.toPlainText()
    assert "ordinary progress line" not in shown and "a warning" not in shown
    assert "an error with its traceback" in shown
    assert "Traceback (most recent call last)" in shown and "RuntimeError: the disk went away" in shown

    viewer.set_min_level(logging.NOTSET)
    assert "debug detail nobody needs" in viewer.text.toPlainText()

    log.error("written after the viewer opened")
    assert "written after the viewer opened" not in viewer.text.toPlainText()
    viewer.refresh_button.click()
    assert "written after the viewer opened" in viewer.text.toPlainText()
    assert str(app_log) in viewer.where.text()

    # The same window comes back, refreshed, when the menu is used again.
    log.error("one more line")
    main_window.actions.view_log.trigger()
    assert main_window.findChildren(LogViewer) == [viewer]
    assert "one more line" in viewer.text.toPlainText()
    fail_on_unexpected_logs.take()  # its warning and errors were logged on purpose, for the viewer


def test_open_log_folder_asks_the_desktop_to_show_the_folder(tools, main_window, app_log):
    viewer = tools.show_log_viewer()
    opened: list[QUrl] = []
    viewer.open_url = lambda url: opened.append(url) or True
    viewer.folder_button.click()
    assert [url.toLocalFile() for url in opened] == [str(app_log.parent)]

    viewer.open_url = lambda url: False  # no file manager on this machine
    assert viewer.open_folder() is False
    assert str(app_log.parent) in viewer.where.text()


def test_log_viewer_on_a_missing_log_says_it_is_empty(qtbot, tmp_path):
    viewer = LogViewer(log_file=tmp_path / "nowhere" / "studio-desktop.log")
    qtbot.addWidget(viewer)
    assert viewer.text.toPlainText() == ""
    assert viewer.text.placeholderText() == "The log is empty."


def test_filter_log_keeps_tracebacks_with_their_record():
    text = "\n".join(
        [
            '  File "x.py", line 3, in f',  # the tail began inside an earlier record
            "2025-01-02 03:04:05,006 INFO     app [MainThread] started",
            "2025-01-02 03:04:06,007 ERROR    app [MainThread] failed",
            "Traceback (most recent call last):",
            "ValueError: bad",
            "2025-01-02 03:04:07,008 WARNING  app [worker] slow",
            "2025-01-02 03:04:08,009 CRITICAL app [MainThread] gave up",
        ]
    )
    assert filter_log(text, logging.NOTSET) == text
    assert filter_log(text, logging.INFO).splitlines() == text.splitlines()[1:]
    assert filter_log(text, logging.ERROR).splitlines() == [
        "2025-01-02 03:04:06,007 ERROR    app [MainThread] failed",
        "Traceback (most recent call last):",
        "ValueError: bad",
        "2025-01-02 03:04:08,009 CRITICAL app [MainThread] gave up",
    ]
    assert filter_log("", logging.ERROR) == ""
