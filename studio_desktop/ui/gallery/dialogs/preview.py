"""Enter or Space on a photo: the photo in the app, its name and dimensions, and Previous / Next through the grid."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from studio_desktop.api.models import Photo
from studio_desktop.core import bidi

PREVIEW_WIDTH = 640
PREVIEW_HEIGHT = 440


def details_text(photo: Photo) -> str:
    """``6,000 × 4,000 pixels (24 MP) · JPEG``, or what of it is known."""
    parts = []
    if photo.width and photo.height:
        megapixels = photo.width * photo.height / 1_000_000
        parts.append(
            f"{photo.width:,} × {photo.height:,} pixels ({megapixels:.0f} MP)"
            if megapixels >= 1
            else f"{photo.width:,} × {photo.height:,} pixels"
        )
    if photo.mime_type:
        parts.append(photo.mime_type.split("/")[-1].upper())
    return " · ".join(parts) or "Size not known yet"


class PhotoPreviewDialog(QDialog):
    """One photo of ``photos`` at a time; ``navigated(row)`` says which, so the grid can follow."""

    navigated = Signal(int)

    def __init__(
        self,
        photos: list[Photo],
        start: int,
        pixmap_for: Callable[[Photo], QPixmap | None],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("photoPreviewDialog")
        self.setWindowTitle("Photo")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.photos = photos
        self.position = max(0, min(start, len(photos) - 1))
        self._pixmap_for = pixmap_for

        self.image = QLabel(objectName="previewImage")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumSize(PREVIEW_WIDTH // 2, PREVIEW_HEIGHT // 2)
        self.name_label = QLabel(objectName="previewName")
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.name_label.font()
        font.setBold(True)
        self.name_label.setFont(font)
        self.details_label = QLabel(objectName="previewDetails")
        self.position_label = QLabel(objectName="previewPosition")
        self.previous_button = QPushButton("‹ &Previous", objectName="previewPrevious")
        self.previous_button.setAccessibleName("Previous photo")
        self.next_button = QPushButton("&Next ›", objectName="previewNext")
        self.next_button.setAccessibleName("Next photo")
        self.previous_button.clicked.connect(lambda: self.show_photo(self.position - 1))
        self.next_button.clicked.connect(lambda: self.show_photo(self.position + 1))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        # Space opened it and Space closes it (as in a file manager's quick look); the arrows step.
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setDefault(True)

        row = QHBoxLayout()
        row.addWidget(self.previous_button)
        row.addWidget(self.position_label, 1, Qt.AlignmentFlag.AlignCenter)
        row.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.image, 1)
        layout.addWidget(self.name_label)
        layout.addWidget(self.details_label)
        layout.addLayout(row)
        layout.addWidget(buttons)
        # Shortcuts, not keyPressEvent: a focused push button takes the arrow keys for itself.
        for keys, step in (((Qt.Key.Key_Left, Qt.Key.Key_PageUp), -1), ((Qt.Key.Key_Right, Qt.Key.Key_PageDown), 1)):
            action = QAction(self)
            action.setShortcuts([QKeySequence(key) for key in keys])
            action.triggered.connect(lambda _checked=False, step=step: self.show_photo(self.position + step))
            self.addAction(action)
        self.resize(PREVIEW_WIDTH, PREVIEW_HEIGHT + 120)
        self.show_photo(self.position)

    @property
    def photo(self) -> Photo:
        return self.photos[self.position]

    def show_photo(self, position: int) -> None:
        if not self.photos or not 0 <= position < len(self.photos):
            return
        self.position = position
        photo = self.photo
        self.name_label.setText(bidi.isolate(photo.name or f"Photo {photo.id}"))
        self.details_label.setText(details_text(photo))
        self.position_label.setText(f"{position + 1:,} of {len(self.photos):,}")
        self.previous_button.setEnabled(position > 0)
        self.next_button.setEnabled(position < len(self.photos) - 1)
        self.refresh_image()
        self.navigated.emit(position)

    def refresh_image(self, *_: Any) -> None:
        pixmap = self._pixmap_for(self.photo)
        if pixmap is None or pixmap.isNull():
            self.image.setPixmap(QPixmap())
            self.image.setText("Loading the preview…")
            return
        ratio = self.image.devicePixelRatioF()
        room = self.image.contentsRect().size() * ratio
        scaled = (
            pixmap.scaled(room, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
            if pixmap.width() > room.width() or pixmap.height() > room.height()
            else QPixmap(pixmap)
        )
        scaled.setDevicePixelRatio(ratio)
        self.image.setPixmap(scaled)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.close_button.setFocus()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.refresh_image()
