"""Tell the user, in the window, that the upload queue was found damaged and a new one started.

The terminal commands print the same sentence; in the app the log alone would
go unread, and the kept copy is only useful if someone knows it is there.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from studio_desktop.core.local_failures import damaged_store_message


def announce_damaged_store(parent: QWidget, store: Any) -> QMessageBox | None:
    """A non-modal warning when ``store`` replaced a damaged file on opening; None when it did not."""
    kept = getattr(store, "damaged_copy", None)
    if kept is None:
        return None
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "The upload queue was damaged",
        "Studio Desktop found its upload queue damaged and started a new, empty one.",
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setObjectName("damagedStoreNotice")
    box.setInformativeText(
        damaged_store_message(store.path, store.damage_detail, kept, again="Add any photos that were waiting again")
    )
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()  # non-modal: a nested event loop would stall the app's coroutines
    return box
