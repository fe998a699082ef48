"""The right-hand side of the window: a header naming the open gallery, a size slider, and the grid."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from studio_desktop.gallery.tree_nodes import GalleryTarget
from studio_desktop.ui import icons
from studio_desktop.ui.elided_label import ElidedLabel
from studio_desktop.ui.gallery.grid_model import PhotoGridModel
from studio_desktop.ui.gallery.grid_view import MAX_THUMBNAIL_SIZE, MIN_THUMBNAIL_SIZE, PhotoGridView

NO_TARGET_TEXT = "Choose a gallery on the left to see its photos."
SIGNED_OUT_TEXT = "Sign in to ShootProof to see your galleries and their photos."


def _photo_count(count: int) -> str:
    return f"{count:,} photo{'s' if count != 1 else ''}"


class PhotoGridPanel(QWidget):
    """Header (gallery name, photo count, size slider) over the photo grid.

    The panel keeps its texts in step with the model; ``thumbnail_size_changed``
    lets the window remember the slider.
    """

    thumbnail_size_changed = Signal(int)

    def __init__(self, model: PhotoGridModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self._signed_in = True
        self._first_run_note = ""

        self.title = ElidedLabel(objectName="galleryTitle")
        title_font = QFont(self.title.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.3)
        title_font.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(title_font)
        self.subtitle = QLabel(objectName="gallerySubtitle")
        self.subtitle.setEnabled(False)

        self.size_slider = QSlider(Qt.Orientation.Horizontal, objectName="thumbnailSizeSlider")
        self.size_slider.setRange(MIN_THUMBNAIL_SIZE, MAX_THUMBNAIL_SIZE)
        self.size_slider.setSingleStep(8)
        self.size_slider.setPageStep(32)
        self.size_slider.setFixedWidth(140)
        self.size_slider.setToolTip("Thumbnail size")
        self.size_slider.setAccessibleName("Thumbnail size")
        small = QLabel()
        small.setPixmap(icons.placeholder_icon().pixmap(QSize(14, 14)))
        large = QLabel()
        large.setPixmap(icons.placeholder_icon().pixmap(QSize(22, 22)))

        self.view = PhotoGridView(self)
        self.view.setModel(model)
        self.size_slider.setValue(self.view.thumbnail_size)
        self.size_slider.valueChanged.connect(self._slider_moved)

        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        header = QHBoxLayout()
        header.setContentsMargins(14, 10, 14, 8)
        header.addLayout(titles, 1)
        header.addWidget(small)
        header.addWidget(self.size_slider)
        header.addWidget(large)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(self.view, 1)

        for signal in (
            model.modelReset,
            model.rowsInserted,
            model.loading_changed,
            model.load_failed,
            model.target_changed,
            model.page_loaded,
        ):
            signal.connect(self._refresh_texts)
        self._refresh_texts()

    def set_thumbnail_size(self, size: int) -> None:
        self.size_slider.setValue(size)
        self.view.set_thumbnail_size(size)

    def set_first_run_note(self, note: str) -> None:
        """A line added to the hint shown before any gallery is chosen (e.g. that this is the sandbox)."""
        self._first_run_note = note
        self._refresh_texts()

    def set_signed_in(self, signed_in: bool) -> None:
        self._signed_in = signed_in
        self._refresh_texts()

    def _slider_moved(self, value: int) -> None:
        self.view.set_thumbnail_size(value)
        self.thumbnail_size_changed.emit(value)

    def _refresh_texts(self, *args) -> None:
        model = self.model
        target: GalleryTarget | None = model.target
        self.view.set_drop_enabled(target is not None)
        if target is None:
            self.title.setText("No gallery selected" if self._signed_in else "Not signed in")
            self.subtitle.setText("")
            hint = NO_TARGET_TEXT if self._signed_in else SIGNED_OUT_TEXT
            self.view.set_empty_text(f"{hint}\n\n{self._first_run_note}" if self._first_run_note else hint)
            return
        self.title.setText(target.display_name)
        shown = model.rowCount()
        total = model.total_results
        if model.error:
            self.subtitle.setText("Could not load the photos")
            self.view.set_empty_text(f"{model.error}\nPress F5 to try again.")
            return
        if total is None:
            self.subtitle.setText("Loading…")
            self.view.set_empty_text("Loading photos…")
            return
        if shown < total:
            self.subtitle.setText(f"{_photo_count(total)} · showing {shown:,}")
        else:
            self.subtitle.setText(_photo_count(total) if total else "No photos yet")
        self.view.set_empty_text(f"No photos here yet.\nDrop photos here to upload them to '{target.short_name}'.")
