"""Unexpected errors, shown once each in a non-modal dialog while the app keeps running.

:class:`CrashReporter.report` is the reporter handed to
:func:`studio_desktop.core.logging_setup.install_excepthooks`, which has already
logged the (redacted) traceback. It may be called from any thread (the hot
folder watcher's, a worker's), so it only packs the facts and posts them to the
GUI thread through a queued signal; the dialog is built there.

"The same error" means the same exception type raised at the same line: a
failing timer slot would otherwise open a dialog every second. The first one
is shown; repeats while it is open only update its count; once dismissed, that
error is logged but not shown again this session.
"""

from __future__ import annotations

import platform
import traceback
from collections import deque

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from studio_desktop import APP_NAME, __version__
from studio_desktop.core.redaction import redact
from studio_desktop.wording import plain_message

MIN_WIDTH = 540
#: How many summaries ``CrashReporter.reported`` keeps (a timer failing every second must not fill memory).
REPORTED_KEPT = 200
#: More distinct errors than this at once go to the status bar only: a wall of dialogs helps nobody.
MAX_OPEN_DIALOGS = 3

STILL_RUNNING = (
    f"{APP_NAME} is still running, and what it had saved is safe. If this keeps happening, "
    "press <b>Copy details</b> and paste them into an email to support."
)


def error_key(exc: BaseException) -> str:
    """What makes two errors "the same": the exception type and where it was raised."""
    frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ is not None else []
    if frames:
        last = frames[-1]
        return f"{type(exc).__module__}.{type(exc).__qualname__}@{last.filename}:{last.lineno}"
    return f"{type(exc).__module__}.{type(exc).__qualname__}:{exc}"


def error_details(summary: str, exc: BaseException) -> str:
    """The text behind "Copy details": what happened, the versions, and the traceback, all redacted."""
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip()
    lines = [
        summary,
        "",
        f"{APP_NAME} {__version__}; Python {platform.python_version()}; Qt {qVersion()}; "
        f"PySide6 {pyside_version}; {platform.platform()}",
        "",
        trace,
    ]
    return redact("\n".join(lines))


class CrashDialog(QDialog):
    """One unexpected error: plain words first, the traceback folded away under "Show details"."""

    def __init__(self, message: str, details: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle(f"{APP_NAME} — something went wrong")
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.details_text = details
        self.count = 1

        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(40, 40))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        headline = QLabel(f"<b>Something went wrong.</b><br>{_escape(message)}", self)
        headline.setObjectName("crashMessage")
        headline.setWordWrap(True)
        headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        still_running = QLabel(STILL_RUNNING, self)
        still_running.setWordWrap(True)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("crashCount")
        self.count_label.hide()

        self.details = QPlainTextEdit(details, self)
        self.details.setObjectName("crashDetails")
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setMinimumHeight(180)
        self.details.hide()

        buttons = QDialogButtonBox(self)
        self.details_button = QPushButton("Show details", self)
        self.details_button.setObjectName("crashShowDetails")
        self.details_button.setCheckable(True)
        self.details_button.toggled.connect(self._toggle_details)
        self.copy_button = QPushButton("Copy details", self)
        self.copy_button.setObjectName("crashCopyDetails")
        self.copy_button.clicked.connect(self.copy_details)
        buttons.addButton(self.details_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setDefault(True)
        buttons.rejected.connect(self.close)

        text = QVBoxLayout()
        text.addWidget(headline)
        text.addWidget(still_running)
        text.addWidget(self.count_label)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.setMinimumWidth(MIN_WIDTH)
        self.adjustSize()

    def _toggle_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.details_button.setText("Hide details" if shown else "Show details")
        width = self.width()
        self.adjustSize()
        self.resize(max(width, self.width()), self.height())

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details_text)
        self.copy_button.setText("Copied")

    def set_count(self, count: int) -> None:
        self.count = count
        self.count_label.setText(f"This happened {count} times.")
        self.count_label.setVisible(count > 1)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class CrashReporter(QObject):
    """Receives uncaught errors from any thread and shows each distinct one once (see the module docstring).

    ``reported`` lists the summaries of the errors received, repeats included (the
    latest :data:`REPORTED_KEPT`); ``dialog_shown(dialog)`` fires for each dialog opened.
    """

    dialog_shown = Signal(object)
    _received = Signal(str, str, str, str)

    def __init__(self, window: QWidget, *, status_message=None, max_open: int = MAX_OPEN_DIALOGS):
        super().__init__(window)
        self._window = window
        self._status_message = status_message
        self._max_open = max_open
        self.reported: deque[str] = deque(maxlen=REPORTED_KEPT)
        self.counts: dict[str, int] = {}
        self.dialogs: dict[str, CrashDialog] = {}
        self._dismissed: set[str] = set()
        # Queued even on the GUI thread: never build widgets inside an excepthook.
        self._received.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def report(self, summary: str, exc: BaseException) -> None:
        """The reporter for ``install_excepthooks``; safe to call from any thread."""
        self._received.emit(error_key(exc), redact(summary), redact(plain_message(exc)), error_details(summary, exc))

    def _show(self, key: str, summary: str, message: str, details: str) -> None:
        self.reported.append(summary)
        self.counts[key] = self.counts.get(key, 0) + 1
        open_dialog = self.dialogs.get(key)
        if open_dialog is not None:
            open_dialog.set_count(self.counts[key])
            return
        if key in self._dismissed:
            return
        if len(self.dialogs) >= self._max_open:
            if self._status_message is not None:
                self._status_message(f"Another unexpected error: {message}")
            return
        dialog = CrashDialog(message, details, self._window)
        dialog.finished.connect(lambda _result, key=key: self._closed(key))
        dialog.destroyed.connect(lambda *_args, key=key: self._closed(key))
        self.dialogs[key] = dialog
        dialog.show()
        dialog.raise_()
        self.dialog_shown.emit(dialog)

    def _closed(self, key: str) -> None:
        if self.dialogs.pop(key, None) is not None:
            self._dismissed.add(key)
