"""Telling the photographer that uploads finished: a tray notification, or a toast in the window.

A ``QSystemTrayIcon`` is used where the desktop has a tray
(``QSystemTrayIcon.isSystemTrayAvailable()``); offscreen and on desktops
without one, a small toast in the window's corner says the same thing and the
status bar keeps it for a while. Every message is also kept in
:attr:`UploadNotifier.history` and sent out as ``notified(title, message)``.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QSystemTrayIcon,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio_desktop.ui import icons

TOAST_MS = 8_000
TRAY_MESSAGE_MS = 8_000
HISTORY_LIMIT = 50


class Toast(QFrame):
    """A message in the window's bottom-right corner that goes away by itself (or with its ×)."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.setObjectName("uploadToast")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#uploadToast { background: #2b2f36; border-radius: 6px; }"
            "#uploadToast QLabel { color: #f4f5f7; }"
            "#uploadToast QToolButton { color: #f4f5f7; border: none; }"
        )
        self.title_label = QLabel(objectName="toastTitle")
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.message_label = QLabel(objectName="toastMessage")
        self.message_label.setWordWrap(True)
        close = QToolButton(self)
        close.setText("\u00d7")
        close.setToolTip("Dismiss")
        close.setAccessibleName("Dismiss notification")
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 10, 8, 10)
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.title_label)
        column.addWidget(self.message_label)
        layout.addLayout(column, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        window.installEventFilter(self)
        self.hide()

    def show_message(self, title: str, message: str, timeout_ms: int = TOAST_MS) -> None:
        self.title_label.setText(title)
        self.message_label.setText(message)
        window = self.parentWidget()
        assert window is not None  # made with the main window as its parent
        self.setFixedWidth(min(420, max(260, window.width() // 3)))
        self.adjustSize()
        self._place()
        self.show()
        self.raise_()
        self._timer.start(timeout_ms)

    def text(self) -> str:
        return self.message_label.text()

    def _place(self) -> None:
        window = self.parentWidget()
        assert window is not None  # made with the main window as its parent
        bottom_margin = 16
        if isinstance(window, QMainWindow) and window.statusBar() is not None and window.statusBar().isVisible():
            bottom_margin += window.statusBar().height()
        self.move(QPoint(window.width() - self.width() - 16, window.height() - self.height() - bottom_margin))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False


class UploadNotifier(QObject):
    """``notify(title, message)``: tray balloon where there is a tray, else a toast plus the status bar."""

    notified = Signal(str, str)
    #: The tray menu's "Pause/Resume uploads" (the controller decides which).
    pause_toggled = Signal()

    def __init__(self, window: QMainWindow, *, use_tray: bool | None = None, parent: QObject | None = None):
        super().__init__(parent or window)
        self.window = window
        self.history: list[tuple[str, str]] = []
        self.toast = Toast(window)
        if use_tray is None:
            use_tray = QSystemTrayIcon.isSystemTrayAvailable()
        self.tray: QSystemTrayIcon | None = None
        self._pause_action: QAction | None = None
        if use_tray:
            self._make_tray()

    def _make_tray(self) -> None:
        tray = QSystemTrayIcon(icons.app_icon(), self)
        tray.setToolTip("Studio Desktop")
        menu = QMenu(self.window)
        show = menu.addAction("Show Studio Desktop")
        show.triggered.connect(self._show_window)
        self._pause_action = menu.addAction("Pause Uploads")
        self._pause_action.triggered.connect(self.pause_toggled)
        menu.addSeparator()
        quit_action = menu.addAction("Quit")
        quit_action.triggered.connect(self.window.close)
        tray.setContextMenu(menu)
        tray.activated.connect(self._tray_activated)
        tray.messageClicked.connect(self._show_window)
        tray.show()
        self.tray = tray

    def set_paused(self, paused: bool) -> None:
        if self._pause_action is not None:
            self._pause_action.setText("Resume Uploads" if paused else "Pause Uploads")

    def set_progress_tip(self, text: str) -> None:
        if self.tray is not None:
            self.tray.setToolTip(f"Studio Desktop\n{text}" if text else "Studio Desktop")

    def notify(self, title: str, message: str, *, warning: bool = False) -> None:
        self.history.append((title, message))
        del self.history[:-HISTORY_LIMIT]
        if self.tray is not None and self.tray.isVisible():
            icon = QSystemTrayIcon.MessageIcon.Warning if warning else QSystemTrayIcon.MessageIcon.Information
            self.tray.showMessage(title, message, icon, TRAY_MESSAGE_MS)
        else:
            self.toast.show_message(title, message)
        status = getattr(self.window, "status", None)
        if status is not None:
            (status.show_error if warning else status.show_info)(message)
        self.notified.emit(title, message)

    @property
    def last_message(self) -> str | None:
        return self.history[-1][1] if self.history else None

    def _tray_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self._show_window()

    def _show_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def close(self) -> None:
        if self.tray is not None:
            self.tray.hide()
            self.tray.deleteLater()
            self.tray = None
