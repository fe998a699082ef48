"""Closing the window while photos are uploading asks first: Quit and Stop Uploads, Keep Uploading in the Tray,
or Cancel; "Don't ask again" remembers the answer.

"Keep uploading in the tray" is offered only where the desktop has a tray
(the uploads' notifier made an icon): the window hides, uploads go on, the
tray's menu shows the window again or quits, and its notifications say when
the uploads are done. Without a tray, the same choice minimizes the window.
A close while the window is hidden in the tray is the tray's Quit: no question.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QCheckBox, QMainWindow, QMessageBox

log = logging.getLogger(__name__)

#: The remembered answer, in the settings file's ``window`` mapping.
CHOICE_KEY = "close_while_uploading"
QUIT = "quit"
KEEP = "keep"


class CloseGuard(QObject):
    """Watches ``window``'s close; ``uploading()`` says how many photos are still being sent (0: none)."""

    def __init__(
        self,
        window: QMainWindow,
        uploading: Callable[[], int],
        *,
        has_tray: Callable[[], bool],
        load_choice: Callable[[], str | None],
        save_choice: Callable[[str | None], None],
        notify: Callable[[str, str], None] | None = None,
    ):
        super().__init__(window)
        self.window = window
        self.notify = notify
        self.uploading = uploading
        self.has_tray = has_tray
        self.load_choice = load_choice
        self.save_choice = save_choice
        self.box: QMessageBox | None = None
        self._allow = False
        self.in_tray = False
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.window or event.type() != QEvent.Type.Close or self._allow:
            return False
        if self.in_tray and not self.window.isVisible():
            return False
        count = self.uploading()
        if count <= 0:
            return False
        choice = self.load_choice()
        if choice == QUIT:
            return False
        event.ignore()
        if choice == KEEP:
            self.keep_uploading()
        else:
            self.ask(count)
        return True

    def ask(self, count: int) -> QMessageBox:
        if self.box is not None:
            self.box.raise_()
            return self.box
        photos = f"{count:,} photo{'s' if count != 1 else ''}"
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Photos are still uploading",
            f"{photos} still to upload. Quit anyway?",
            QMessageBox.StandardButton.Cancel,
            self.window,
        )
        box.setObjectName("closeWhileUploading")
        tray = self.has_tray()
        box.setInformativeText(
            "Quitting stops the uploads; they pick up where they left off the next time Studio Desktop starts "
            "(a photo that was half sent starts again from the beginning). "
            + (
                "Or keep uploading with the window closed: Studio Desktop stays in the tray and tells you when "
                "they are done."
                if tray
                else "Or keep uploading with the window minimized."
            )
        )
        quit_button = box.addButton("Quit and Stop Uploads", QMessageBox.ButtonRole.DestructiveRole)
        quit_button.setObjectName("close_quit")
        keep_button = box.addButton(
            "Keep Uploading in the Tray" if tray else "Keep Uploading", QMessageBox.ButtonRole.AcceptRole
        )
        keep_button.setObjectName("close_keep")
        box.setDefaultButton(keep_button)
        remember = QCheckBox("Don't ask again", box)
        box.setCheckBox(remember)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button: Any) -> None:
            self.box = None
            if button is quit_button:
                if remember.isChecked():
                    self.save_choice(QUIT)
                self.quit()
            elif button is keep_button:
                if remember.isChecked():
                    self.save_choice(KEEP)
                self.keep_uploading()

        box.buttonClicked.connect(answered)
        self.box = box
        box.open()
        return box

    def quit(self) -> None:
        self._allow = True
        try:
            self.window.close()
        finally:
            self._allow = False

    def keep_uploading(self) -> None:
        if self.has_tray():
            log.info("Window closed while uploading: staying in the tray")
            self.in_tray = True
            self.window.hide()
            if self.notify is not None:
                count = self.uploading()
                self.notify(
                    "Still uploading",
                    f"Studio Desktop is uploading {count:,} photo{'s' if count != 1 else ''}"
                    " in the background. Click its icon to open the window; Quit there stops the uploads.",
                )
        else:
            self.window.showMinimized()
