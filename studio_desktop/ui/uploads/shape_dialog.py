"""Upload Options…: which photos go up to a gallery or album (the picks) and at what size, remembered per target.

Kept in the settings' ``window`` map under :data:`SHAPES_KEY` as
``{"album:ID" | "event:ID": UploadShape.to_options()}``; drops and "Upload
Photos…" to that target use it (:func:`remembered_shape`).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio_desktop.uploads.picks import PickFilter
from studio_desktop.uploads.resize import PRESETS, ResizeSpec
from studio_desktop.uploads.shaping import UploadShape

SHAPES_KEY = "upload_shapes"
_NO_RESIZE = "Original file (no resizing)"


def _target_key(target: Any) -> str:
    kind, ident = target.key
    return f"{kind}:{ident}"


def remembered_shape(services: Any, target: Any) -> UploadShape:
    """The options saved for ``target`` (a ``GalleryTarget``); nothing saved means none."""
    saved = (services.settings.window.get(SHAPES_KEY) or {}) if services is not None else {}
    entry = saved.get(_target_key(target)) if isinstance(saved, dict) else None
    try:
        return UploadShape.from_options(entry if isinstance(entry, dict) else None)
    except (TypeError, ValueError):
        return UploadShape()


def remember_shape(services: Any, target: Any, shape: UploadShape) -> None:
    saved = dict(services.settings.window.get(SHAPES_KEY) or {})
    if shape.active:
        saved[_target_key(target)] = shape.to_options()
    else:
        saved.pop(_target_key(target), None)
    services.update_window_settings({SHAPES_KEY: saved})


class ShapeForm(QWidget):
    """The picks filter and size fields, shared by Upload Options… and the hot folder editor."""

    # The name hides QWidget.size(), which nothing calls on this widget.
    size: QComboBox  # type: ignore[assignment]

    def __init__(self, shape: UploadShape, parent: QWidget | None = None):
        super().__init__(parent)
        self.rating = QComboBox()
        self.rating.setObjectName("shapeMinRating")
        self.rating.addItem("Any rating", None)
        for stars in range(1, 6):
            self.rating.addItem(f"At least {'★' * stars}", stars)
        self.rating.setCurrentIndex(self.rating.findData(shape.picks.min_rating) if shape.picks.min_rating else 0)
        self.labels = QLineEdit(", ".join(shape.picks.labels), objectName="shapeLabels")
        self.labels.setPlaceholderText("any label (e.g. Green, Winner)")
        self.skip_rejects = QCheckBox("Leave out rejects", objectName="shapeSkipRejects")
        self.skip_rejects.setChecked(shape.picks.skip_rejects)
        self.size = QComboBox()
        self.size.setObjectName("shapeResize")
        self.size.addItem(_NO_RESIZE, None)
        for name, spec in PRESETS.items():
            if spec.long_edge is not None:
                self.size.addItem(name, spec.long_edge)
        if shape.resize is not None and shape.resize.long_edge is not None:
            index = self.size.findData(shape.resize.long_edge)
            if index < 0:
                self.size.addItem(f"{shape.resize.long_edge} px", shape.resize.long_edge)
                index = self.size.count() - 1
            self.size.setCurrentIndex(index)
        self.quality = QSpinBox()
        self.quality.setObjectName("shapeQuality")
        self.quality.setRange(50, 100)
        self.quality.setValue(shape.resize.quality if shape.resize is not None else 90)
        self.oversize = QCheckBox(
            "Upload photos over 50 MB resized instead of refusing them", objectName="shapeOversize"
        )
        self.oversize.setChecked(shape.resize_oversize)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Rating:", self.rating)
        form.addRow("Colour labels:", self.labels)
        form.addRow("", self.skip_rejects)
        form.addRow("Size:", self.size)
        form.addRow("JPEG quality:", self.quality)
        form.addRow("", self.oversize)

    def shape(self) -> UploadShape:
        labels = tuple(part.strip() for part in self.labels.text().split(",") if part.strip())
        edge = self.size.currentData()
        # No size chosen: over-limit photos (when allowed) shrink to the default (shaping.UploadShape.spec_for).
        resize = ResizeSpec(int(edge), self.quality.value()) if edge is not None else None
        return UploadShape(
            PickFilter(self.rating.currentData(), labels, self.skip_rejects.isChecked()),
            resize,
            self.oversize.isChecked(),
        )


#: Where ratings come from, said under the fields.
SOURCE_NOTE = (
    "Ratings and labels come from the photo's XMP or its .xmp sidecar (Lightroom, Photo "
    "Mechanic, Capture One, Bridge). Your files are never changed."
)


class UploadShapeDialog(QDialog):
    """Non-modal; ``chosen`` carries the new options when the user presses OK."""

    # The name hides QWidget.size(), which nothing calls on this widget.
    size: QComboBox  # type: ignore[assignment]

    chosen = Signal(object)

    def __init__(self, parent: QWidget, target_name: str, shape: UploadShape):
        super().__init__(parent)
        self.setObjectName("uploadShapeDialog")
        self.setWindowTitle("Upload Options")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        heading = QLabel(f"Photos uploaded to <b>{_escape(target_name)}</b>:")
        self.form = ShapeForm(shape, self)
        self.rating, self.labels, self.skip_rejects = self.form.rating, self.form.labels, self.form.skip_rejects
        self.size, self.quality, self.oversize = self.form.size, self.form.quality, self.form.oversize
        note = QLabel(SOURCE_NOTE)
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)

    def shape(self) -> UploadShape:
        return self.form.shape()

    def _accept(self) -> None:
        self.chosen.emit(self.shape())
        self.accept()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
