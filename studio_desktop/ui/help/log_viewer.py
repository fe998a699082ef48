"""Help → View Log: the end of the app's log file, read-only, filtered by level.

It shows :func:`studio_desktop.core.logging_setup.log_tail`, which redacts the
text again on the way out, so a token registered after a line was written is
still hidden here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFontDatabase, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio_desktop import APP_NAME
from studio_desktop.core import paths
from studio_desktop.core.logging_setup import log_tail

TAIL_LINES = 2000

#: (label, lowest level shown)
LEVEL_CHOICES: tuple[tuple[str, int], ...] = (
    ("Everything", logging.NOTSET),
    ("Information and problems", logging.INFO),
    ("Warnings and errors", logging.WARNING),
    ("Errors only", logging.ERROR),
)

# The start of a record in the file format "%(asctime)s %(levelname)-8s ...".
_RECORD_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL)\b")


def filter_log(text: str, min_level: int) -> str:
    """The records of ``text`` at ``min_level`` or above; a traceback stays with the record it belongs to.

    Lines before the first record header (the tail may start mid-record) are
    kept only when everything is shown.
    """
    if min_level <= logging.NOTSET:
        return text
    kept: list[str] = []
    keep = False
    for line in text.splitlines():
        match = _RECORD_START.match(line)
        if match:
            keep = logging.getLevelNamesMapping()[match.group(1)] >= min_level
        if keep:
            kept.append(line)
    return "\n".join(kept)


class LogViewer(QDialog):
    """A non-modal window on the log. ``open_url`` is how the folder is opened (the desktop's file manager)."""

    def __init__(self, parent: QWidget | None = None, *, log_file: Path | None = None, lines: int = TAIL_LINES):
        super().__init__(parent)
        self.setObjectName("logViewer")
        self.setWindowTitle(f"{APP_NAME} — Log")
        self.setWindowModality(Qt.WindowModality.NonModal)
        self._log_file = log_file
        self._lines = lines
        self._raw = ""
        self.open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl

        self.level = QComboBox(self)
        self.level.setObjectName("logLevel")
        for label, level in LEVEL_CHOICES:
            self.level.addItem(label, level)
        self.level.setCurrentIndex(1)
        self.level.currentIndexChanged.connect(self._show_filtered)
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.setObjectName("logRefresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.folder_button = QPushButton("Open log folder", self)
        self.folder_button.setObjectName("logOpenFolder")
        self.folder_button.clicked.connect(self.open_folder)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Show:", self))
        controls.addWidget(self.level)
        controls.addStretch(1)
        controls.addWidget(self.refresh_button)
        controls.addWidget(self.folder_button)

        self.text = QPlainTextEdit(self)
        self.text.setObjectName("logText")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlaceholderText("The log is empty.")

        self.where = QLabel(self)
        self.where.setObjectName("logWhere")
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.where.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.where)
        layout.addWidget(buttons)
        self.resize(900, 560)
        self.refresh()

    @property
    def log_file(self) -> Path:
        return self._log_file if self._log_file is not None else paths.current().log_file

    def set_min_level(self, level: int) -> None:
        index = self.level.findData(level)
        if index >= 0:
            self.level.setCurrentIndex(index)

    def min_level(self) -> int:
        return int(self.level.currentData())

    def refresh(self) -> None:
        """Read the end of the log again (it is small: a few hundred kilobytes at most)."""
        self._raw = log_tail(self._lines, log_file=self._log_file)
        self.where.setText(f"Log file: {self.log_file}")
        self._show_filtered()

    def _show_filtered(self) -> None:
        self.text.setPlainText(filter_log(self._raw, self.min_level()))
        # The newest lines are what people look for; and each line's start, not its end.
        self.text.moveCursor(QTextCursor.MoveOperation.End)
        self.text.verticalScrollBar().setValue(self.text.verticalScrollBar().maximum())
        self.text.horizontalScrollBar().setValue(0)

    def open_folder(self) -> bool:
        folder = self.log_file.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # opening it then fails, and the message below names the folder
        opened = bool(self.open_url(QUrl.fromLocalFile(str(folder))))
        if not opened:
            self.where.setText(f"Could not open a file manager here. The log folder is {folder}")
        return opened
