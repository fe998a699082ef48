"""Uncaught errors in a Qt slot, an asyncio task and the hot-folder watcher's thread: logged, shown once, app alive."""

from __future__ import annotations

import asyncio
import gc
import threading

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

from studio_desktop.ui.help import install_help_tools
from studio_desktop.ui.help.crash_dialog import CrashDialog, error_key

from .log_support import app_log_file

SECRET = "crash-secret-0a1b2c3d4e5f"

pytestmark = pytest.mark.qt_no_exception_capture  # the app's own hooks are under test here


@pytest.fixture(autouse=True)
def _errors_are_the_subject(fail_on_unexpected_logs):
    """These tests raise in slots, tasks and threads on purpose: the CRITICAL/ERROR records are what they check."""
    yield
    fail_on_unexpected_logs.take()


@pytest.fixture
def app_log():
    with app_log_file("INFO", SECRET) as path:
        yield path


@pytest.fixture
def tools(main_window, gui_session, qloop, app_log):
    tools = install_help_tools(main_window, gui_session.services)
    uninstall = tools.install_excepthooks(loop=qloop)
    yield tools
    uninstall()
    for dialog in list(tools.crash_reporter.dialogs.values()):
        dialog.close()


def _open_dialogs(main_window) -> list[CrashDialog]:
    return [dialog for dialog in main_window.findChildren(CrashDialog) if dialog.isVisible()]


def failing_slot() -> None:
    raise ValueError(f"the slot broke (token {SECRET})")


async def failing_task() -> None:
    await asyncio.sleep(0)
    raise KeyError("the task broke")


class FailingHandler(FileSystemEventHandler):
    def on_created(self, event) -> None:
        raise OSError(f"the watcher broke on {event.src_path}")


def _app_is_alive(run_async, qtbot, main_window) -> None:
    assert run_async(asyncio.sleep(0.01, result="still running")) == "still running"
    fired = []
    QTimer.singleShot(0, lambda: fired.append(True))
    qtbot.waitUntil(lambda: fired == [True])
    assert main_window.isVisible()


def test_an_error_in_a_slot_is_logged_and_shown_once(tools, main_window, app_log, qtbot, run_async):
    QTimer.singleShot(0, failing_slot)
    qtbot.waitUntil(lambda: len(_open_dialogs(main_window)) == 1)
    dialog = _open_dialogs(main_window)[0]
    assert not dialog.isModal()
    assert not dialog.details.isVisible()  # the traceback is folded away
    assert "Traceback (most recent call last)" in dialog.details_text
    assert "the slot broke" in dialog.details_text and SECRET not in dialog.details_text

    # The same error again (a timer keeps firing it): no second dialog, only a count.
    QTimer.singleShot(0, failing_slot)
    QTimer.singleShot(0, failing_slot)
    qtbot.waitUntil(lambda: len(tools.crash_reporter.reported) == 3)
    assert _open_dialogs(main_window) == [dialog]
    assert dialog.count_label.text() == "This happened 3 times."

    dialog.details_button.click()
    assert dialog.details.isVisible()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == dialog.details_text

    logged = app_log.read_text(encoding="utf-8")
    assert logged.count("ValueError: the slot broke") == 3
    assert "Traceback (most recent call last)" in logged and "in failing_slot" in logged
    assert SECRET not in logged
    _app_is_alive(run_async, qtbot, main_window)

    # Once dismissed, the same error is logged but not shown again.
    dialog.close()
    qtbot.waitUntil(lambda: not _open_dialogs(main_window))
    QTimer.singleShot(0, failing_slot)
    qtbot.waitUntil(lambda: len(tools.crash_reporter.reported) == 4)
    qtbot.wait(50)
    assert not _open_dialogs(main_window)
    assert app_log.read_text(encoding="utf-8").count("ValueError: the slot broke") == 4


def test_a_slot_a_task_and_the_watcher_thread_each_get_one_dialog(
    tools, main_window, app_log, qtbot, qloop, run_async, tmp_path
):
    QTimer.singleShot(0, failing_slot)
    qtbot.waitUntil(lambda: len(_open_dialogs(main_window)) == 1)

    qloop.create_task(failing_task())  # nobody keeps it or awaits it
    qtbot.waitUntil(lambda: (gc.collect(), len(_open_dialogs(main_window)) == 2)[1])

    watched = tmp_path / "hot"
    watched.mkdir()
    observer = Observer()
    observer.schedule(FailingHandler(), str(watched))
    observer.start()
    try:
        (watched / "IMG_0001.jpg").write_bytes(b"\xff\xd8\xff\xd9")
        qtbot.waitUntil(lambda: len(_open_dialogs(main_window)) == 3, timeout=10_000)
    finally:
        observer.stop()
        if observer.is_alive():
            observer.join(5)

    texts = [dialog.details_text for dialog in _open_dialogs(main_window)]
    assert any("ValueError: the slot broke" in text for text in texts)
    assert any("KeyError: 'the task broke'" in text for text in texts)
    assert any("OSError: the watcher broke on" in text and "background thread" in text for text in texts)
    summaries = tools.crash_reporter.reported
    assert len(summaries) == 3 and len(set(summaries)) == 3

    logged = app_log.read_text(encoding="utf-8")
    for message in ("the slot broke", "the task broke", "the watcher broke on"):
        assert message in logged
    assert logged.count("Traceback (most recent call last)") >= 3
    _app_is_alive(run_async, qtbot, main_window)


def test_a_flood_of_different_errors_opens_a_few_dialogs_and_tells_the_status_bar(tools, main_window, qtbot):
    def fail(number: int) -> None:
        raise RuntimeError(f"failure number {number}")

    failures = [lambda: fail(0), lambda: fail(1), lambda: fail(2), lambda: fail(3), lambda: fail(4)]
    for failure in failures:
        QTimer.singleShot(0, failure)
    qtbot.waitUntil(lambda: len(tools.crash_reporter.reported) == 5)
    # All five raise on the same line inside fail(), so they are one error five times.
    assert len(_open_dialogs(main_window)) == 1

    def other(kind: type[Exception]) -> None:
        raise kind("different place")

    # Four more, of other types: two more dialogs, then the status bar.
    for kind in (TypeError, LookupError, ArithmeticError, AttributeError):
        QTimer.singleShot(0, lambda kind=kind: other(kind))
    qtbot.waitUntil(lambda: len(tools.crash_reporter.reported) == 9)
    assert len(_open_dialogs(main_window)) == 3
    assert main_window.status.currentMessage().startswith("Another unexpected error:")


def test_a_reporter_call_from_a_plain_thread_builds_the_dialog_on_the_gui_thread(tools, main_window, qtbot):
    built_on: list[bool] = []
    tools.crash_reporter.dialog_shown.connect(
        lambda _dialog: built_on.append(threading.current_thread() is threading.main_thread())
    )

    def worker() -> None:
        try:
            raise LookupError("from a worker")
        except LookupError as exc:
            tools.report_crash("Unexpected error in background thread 'worker': LookupError: from a worker", exc)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: built_on == [True])
    assert error_key(LookupError("x")).startswith("builtins.LookupError")
