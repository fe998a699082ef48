"""Read-only windows: details of a gallery, album or photo, and a gallery's visitors with their favourites."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import TYPE_CHECKING, Any, cast

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio_desktop.api.models import GalleryVisitor, Photo, VisitorPhotos
from studio_desktop.gallery.favorites_export import PickedPhoto, editor_filter, picked_photos, plain_list, save_csv
from studio_desktop.gallery.originals import exif_rows
from studio_desktop.ui.gallery.dialogs.base import error_label, hint_label
from studio_desktop.ui.gallery.failures import describe

if TYPE_CHECKING:
    from studio_desktop.gallery.originals import Originals
    from studio_desktop.ui.gallery.context import GalleryContext

Rows = Sequence[tuple[str, str]]
PREVIEW_EDGE = 150


LINK_CHARS = 56


def link(url: str, text: str | None = None) -> str:
    """An HTML link; long addresses are shortened in the middle for display (the link keeps all of it)."""
    shown = text or url
    if text is None and len(shown) > LINK_CHARS:
        keep = (LINK_CHARS - 1) // 2
        shown = f"{shown[:keep]}…{shown[-keep:]}"
    return f'<a href="{escape(url)}">{escape(shown)}</a>'


def _section(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setWeight(QFont.Weight.DemiBold)
    label.setFont(font)
    label.setContentsMargins(0, 8, 0, 2)
    return label


class ViewerDialog(QDialog):
    """Title, rows of "label: value" that fill in when the server answers, and a Close button."""

    def __init__(self, ctx: GalleryContext, title: str, object_name: str, parent: QWidget | None = None):
        super().__init__(parent or ctx.window)
        self.ctx = ctx
        self.setObjectName(object_name)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(460)
        self.heading = QLabel(objectName="dialogHeading")
        font = QFont(self.heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setWeight(QFont.Weight.DemiBold)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.form.setHorizontalSpacing(14)
        self.form.setVerticalSpacing(5)
        self.status = hint_label("Loading…")
        self.status.setObjectName("viewerStatus")
        self.error = error_label("viewerError")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(8)
        layout.addWidget(self.heading)
        layout.addLayout(self.form)
        self.extra = QVBoxLayout()
        layout.addLayout(self.extra)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.values: dict[str, str] = {}

    def guard(self, callback: Callable[..., object]) -> Callable[..., None]:
        def call(*args: Any) -> None:
            if shiboken6.isValid(self) and self.isVisible():
                callback(*args)

        return call

    def add_rows(self, rows: Rows, form: QFormLayout | None = None) -> None:
        form = form or self.form
        for label, value in rows:
            self.values[label] = value
            shown = QLabel(value, objectName=f"value_{label.lower().replace(' ', '_')}")
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
            if value.startswith("<a "):
                shown.setTextFormat(Qt.TextFormat.RichText)
                shown.setOpenExternalLinks(False)
                shown.linkActivated.connect(self.ctx.open_url)
                self.values[label] = shown.text()
            else:
                shown.setTextFormat(Qt.TextFormat.PlainText)
            form.addRow(f"{label}:", shown)
        self._fit_height()
        # Once more when the new rows have their real widths (the first pass guesses them).
        QTimer.singleShot(0, self.guard(self._fit_height))

    def _fit_height(self) -> None:
        """Grow to the height the rows need at this width: a long name wraps, and must not be cut off."""
        layout = self.layout()
        assert layout is not None  # made in __init__
        layout.activate()
        needed = layout.totalHeightForWidth(self.width())
        # A top-level layout's minimum ignores word wrap; without this the window shrinks back over the rows.
        if needed > self.minimumHeight():
            self.setMinimumHeight(needed)
        if needed > self.height():
            self.resize(self.width(), needed)

    def clear_rows(self, form: QFormLayout | None = None) -> None:
        form = form or self.form
        while form.rowCount():
            form.removeRow(0)

    def loaded(self) -> None:
        self.status.hide()

    def show_error(self, error: BaseException) -> None:
        self.status.hide()
        self.error.setText(describe(error).message)
        self.error.show()


class InfoDialog(ViewerDialog):
    """``rows_for(client)`` is awaited once; its rows are shown."""

    def __init__(
        self,
        ctx: GalleryContext,
        *,
        title: str,
        object_name: str,
        heading: str,
        load: Callable[[Any], Any],
        on_gone: Callable[[BaseException], object] | None = None,
    ):
        super().__init__(ctx, title, object_name)
        self.heading.setText(heading)
        self._on_gone = on_gone
        self.ctx.run(load, self.guard(self._arrived), self.guard(self._failed), name=object_name)

    def _arrived(self, rows: Rows) -> None:
        self.loaded()
        self.add_rows(rows)

    def _failed(self, error: BaseException) -> None:
        failure = describe(error)
        if failure.refresh and self._on_gone is not None:
            self.reject()
            self._on_gone(error)
            return
        self.show_error(error)


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


class PhotoInfoDialog(ViewerDialog):
    """One photo at a time (Previous/Next through the selection): what ShootProof knows, and its camera details."""

    navigated = Signal(int)

    def __init__(
        self,
        ctx: GalleryContext,
        *,
        photos: list[Photo],
        originals: Originals,
        where: str,
        thumbnails: Any | None = None,
        event_id: int | None = None,
    ):
        super().__init__(ctx, "Photo Info", "photoInfoDialog")
        self.photos = photos
        self.originals = originals
        self.where = where
        #: The event the photos are in: the upload ledger knows their files by it.
        self.event_id = event_id
        self.position = 0
        self.thumbnails = thumbnails
        self.preview = QLabel(objectName="photoPreview")
        self.preview.setFixedSize(PREVIEW_EDGE, PREVIEW_EDGE)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignTop)
        details = QVBoxLayout()
        layout = cast(QVBoxLayout, self.layout())
        layout.removeWidget(self.heading)
        layout.removeItem(self.form)
        details.addWidget(self.heading)
        details.addLayout(self.form)
        details.addStretch(1)
        top.addLayout(details, 1)
        layout.insertLayout(0, top)
        if thumbnails is not None:
            thumbnails.ready.connect(self._thumbnail_ready)
        self.camera_form = QFormLayout()
        self.camera_form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.camera_form.setHorizontalSpacing(14)
        self.camera_status = hint_label("")
        self.camera_status.setObjectName("cameraStatus")
        self.download_button = QPushButton(
            "&Download Original to Read Camera Details", objectName="downloadOriginalButton"
        )
        self.download_button.clicked.connect(self._download)
        self.download_button.hide()
        self.extra.addWidget(_section("Camera"))
        self.extra.addLayout(self.camera_form)
        self.extra.addWidget(self.camera_status)
        self.extra.addWidget(self.download_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.previous_button = QPushButton("◀ &Previous", objectName="previousButton")
        self.next_button = QPushButton("&Next ▶", objectName="nextButton")
        self.open_button = QPushButton("&Open Original", objectName="openOriginalButton")
        for button in (self.previous_button, self.next_button, self.open_button):
            self.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.previous_button.clicked.connect(lambda: self.show_photo(self.position - 1))
        self.next_button.clicked.connect(lambda: self.show_photo(self.position + 1))
        self.open_button.clicked.connect(self._open_original)
        self.camera: dict[str, str] = {}
        self._generation = 0
        self.show_photo(0)

    @property
    def photo(self) -> Photo:
        return self.photos[self.position]

    def show_photo(self, position: int) -> None:
        if not 0 <= position < len(self.photos):
            return
        self.position = position
        self._generation += 1
        generation = self._generation
        photo = self.photo
        many = len(self.photos) > 1
        self.setWindowTitle(f"Photo Info ({position + 1} of {len(self.photos)})" if many else "Photo Info")
        self.previous_button.setVisible(many)
        self.next_button.setVisible(many)
        self.previous_button.setEnabled(position > 0)
        self.next_button.setEnabled(position < len(self.photos) - 1)
        self.open_button.setEnabled(bool(photo.url.original or photo.url.best(prefer_large=True)))
        self.heading.setText(photo.name or f"Photo {photo.id}")
        self._show_preview()
        self.values = {}
        self.camera = {}
        self.clear_rows()
        self.clear_rows(self.camera_form)
        self.error.hide()
        self.status.setText("Loading…")
        self.status.show()
        self.download_button.hide()
        self.camera_status.setText("Looking for the original on this computer…")
        self.navigated.emit(photo.id)
        photo_id = photo.id
        self.ctx.run(
            lambda client: client.photo_info(photo_id),
            self.guard(lambda info: self._info_arrived(generation, info)),
            self.guard(lambda error: self._info_failed(generation, error)),
            name="photo-info",
        )
        self.ctx.run(
            lambda client: self.originals.find(photo, self.event_id),
            self.guard(lambda path: self._local_found(generation, path)),
            self.guard(lambda error: self._camera_failed(generation, error)),
            name="photo-original",
        )

    def _show_preview(self) -> None:
        pixmap = self.thumbnails.pixmap(self.photo) if self.thumbnails is not None else None
        if pixmap is None or pixmap.isNull():
            self.preview.clear()
            self.preview.setText("…")
            return
        # Scaled to device pixels and tagged with the ratio, so a 2× screen shows it sharp, not upscaled.
        ratio = self.preview.devicePixelRatioF()
        edge = round(PREVIEW_EDGE * ratio)
        scaled = pixmap.scaled(
            edge, edge, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        scaled.setDevicePixelRatio(ratio)
        self.preview.setPixmap(scaled)

    def _thumbnail_ready(self, photo_id: int) -> None:
        if shiboken6.isValid(self) and self.isVisible() and photo_id == self.photo.id:
            self._show_preview()

    def _info_arrived(self, generation: int, info: Photo) -> None:
        if generation != self._generation:
            return
        self.loaded()
        self.photos[self.position] = info
        size = f"{info.width:,} × {info.height:,} pixels" if info.width and info.height else "Unknown"
        rows = [
            ("File name", info.name or "—"),
            ("Photo ID", str(info.id)),
            ("Size", size),
            ("Type", info.mime_type or "JPEG"),
            ("In", self.where),
        ]
        self.add_rows(rows)

    def _info_failed(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self.show_error(error)

    def _local_found(self, generation: int, path) -> None:
        if generation != self._generation:
            return
        if path is None:
            self.camera_status.setText("The original is not on this computer.")
            self.download_button.setVisible(bool(self.photo.url.original))
            return
        self._read_exif(generation, path, "From the file on this computer.")

    def _read_exif(self, generation: int, path, source: str) -> None:
        self.camera_status.setText("Reading the camera details…")
        self.ctx.run(
            lambda client: self.originals.exif(path),
            self.guard(lambda summary: self._exif_arrived(generation, summary, source)),
            self.guard(lambda error: self._camera_failed(generation, error)),
            name="photo-exif",
        )

    def _exif_arrived(self, generation: int, summary, source: str) -> None:
        if generation != self._generation:
            return
        rows = exif_rows(summary)
        self.camera = dict(rows)
        self.add_rows(rows, self.camera_form)
        self.camera_status.setText(source)

    def _camera_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self.download_button.hide()
        self.camera_status.setText(f"The camera details could not be read: {describe(error).message}")

    def _download(self) -> None:
        generation = self._generation
        photo = self.photo
        self.download_button.setEnabled(False)
        self.camera_status.setText("Downloading the original…")

        def progress(received: int, total: int | None) -> None:
            if generation == self._generation and shiboken6.isValid(self):
                done = _megabytes(received)
                self.camera_status.setText(
                    f"Downloading the original… {done} of {_megabytes(total)}"
                    if total
                    else f"Downloading the original… {done}"
                )

        def downloaded(path) -> None:
            self.download_button.setEnabled(True)
            if generation == self._generation:
                self.download_button.hide()
                self._read_exif(generation, path, "From the downloaded original.")

        def failed(error: BaseException) -> None:
            self.download_button.setEnabled(True)
            self._camera_failed(generation, error)

        self.ctx.run(
            lambda client: self.originals.download(photo, progress),
            self.guard(downloaded),
            self.guard(failed),
            name="photo-download-original",
        )

    def _open_original(self) -> None:
        url = self.photo.url.original or self.photo.url.best(prefer_large=True)
        if url:
            self.ctx.open_url(url)


class VisitorsDialog(ViewerDialog):
    """Who opened the gallery (email, last visit, favourites, downloads, orders); a visitor's favourites below."""

    COLUMNS = ("Email", "Last visit", "Favorites", "Downloads", "Orders")
    #: the favorites of the visitor shown, for the export buttons
    picked: list[PickedPhoto]

    def __init__(
        self, ctx: GalleryContext, *, event_id: int, event_name: str, on_gone: Callable[[BaseException], object]
    ):
        super().__init__(ctx, "Gallery Visitors", "visitorsDialog")
        self.setMinimumSize(640, 460)
        self.event_id = event_id
        self._on_gone = on_gone
        self.heading.setText(f"Visitors of {event_name}")
        self.table = QTableWidget(0, len(self.COLUMNS), objectName="visitorsTable")
        self.table.setAccessibleName("Visitors")
        self.table.setTabKeyNavigation(False)
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(self.COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.favorites_title = _section("Favorites")
        self.favorites = QListWidget()
        self.favorites.setObjectName("favoritesList")
        self.favorites.setAccessibleName("Favorites of the selected visitor")
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.favorites_title)
        lower_layout.addWidget(self.favorites)
        lower_layout.addLayout(self._build_favorite_exports())
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setSizes([240, 160])
        self.extra.addWidget(splitter, 1)
        self.visitors: list[GalleryVisitor] = []
        self._wanted: str | None = None
        self.table.itemSelectionChanged.connect(self._visitor_chosen)
        event = event_id
        self.ctx.run(
            lambda client: client.event_gallery_visitors(event),
            self.guard(self._arrived),
            self.guard(self._failed),
            name="gallery-visitors",
        )

    def _arrived(self, visitors: list[GalleryVisitor]) -> None:
        self.loaded()
        self.visitors = list(visitors)
        self.table.setRowCount(len(visitors))
        for row, visitor in enumerate(visitors):
            values = (
                visitor.email_address,
                (visitor.date_accessed or "")[:16],
                visitor.favorites,
                visitor.downloads,
                visitor.orders,
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem("" if value is None else str(value))
                if column > 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        if not visitors:
            self.status.setText("Nobody has visited this gallery yet.")
            self.status.show()
        else:
            self.table.selectRow(0)

    def _failed(self, error: BaseException) -> None:
        if describe(error).refresh:
            self.reject()
            self._on_gone(error)
            return
        self.show_error(error)

    def select_visitor(self, email: str) -> bool:
        for row, visitor in enumerate(self.visitors):
            if visitor.email_address == email:
                self.table.selectRow(row)
                return True
        return False

    def _visitor_chosen(self) -> None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        if not rows:
            return
        visitor = self.visitors[min(rows)]
        email = visitor.email_address
        self._wanted = email
        self.favorites.clear()
        self.picked = []
        for button in (self.copy_filter_button, self.copy_list_button, self.save_csv_button):
            button.setEnabled(False)
        self.favorites_title.setText(f"Favorites of {email}: loading…")
        event = self.event_id
        self.ctx.run(
            lambda client: client.event_gallery_visitor_photos(event, email),
            self.guard(lambda photos: self._photos_arrived(email, photos)),
            self.guard(lambda error: self._photos_failed(email, error)),
            name="visitor-photos",
        )

    def _build_favorite_exports(self) -> QHBoxLayout:
        """Hand a visitor's picks to the editor: a filter to paste, a plain list, or a CSV file."""
        self.picked = []
        self.copy_filter_button = QPushButton("Copy for Lightroom / Capture One", objectName="copyEditorFilter")
        self.copy_filter_button.setToolTip(
            "Copies IMG_0001 OR IMG_0007 …: paste it into Lightroom's Library "
            "filter (Text, Filename) or Capture One's search"
        )
        self.copy_list_button = QPushButton("Copy File Names", objectName="copyFileNames")
        self.save_csv_button = QPushButton("Save as CSV…", objectName="saveFavoritesCsv")
        self.copy_filter_button.clicked.connect(lambda: self._copy(editor_filter(self.picked), "filter"))
        self.copy_list_button.clicked.connect(lambda: self._copy(plain_list(self.picked), "list"))
        self.save_csv_button.clicked.connect(self._ask_csv_path)
        row = QHBoxLayout()
        for button in (self.copy_filter_button, self.copy_list_button, self.save_csv_button):
            button.setEnabled(False)
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _copy(self, text: str, what: str) -> None:
        QGuiApplication.clipboard().setText(text)
        count = len(self.picked)
        self.status.setText(f"Copied the {what} of {count} photo{'s' if count != 1 else ''}.")
        self.status.show()

    def _ask_csv_path(self) -> None:
        email = (self._wanted or "visitor").split("@")[0]
        dialog = QFileDialog(self, "Save favorites as CSV")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("CSV files (*.csv)")
        dialog.setDefaultSuffix("csv")
        dialog.selectFile(f"favorites-{email}.csv")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.save_favorites_csv)
        dialog.open()

    def save_favorites_csv(self, path: str) -> None:
        try:
            saved = save_csv(path, self.picked)
        except OSError as exc:
            self.status.setText(f"The CSV file was not saved: {exc.strerror or type(exc).__name__}.")
        else:
            self.status.setText(f"Saved {len(self.picked)} photos to {saved.name}.")
        self.status.show()

    def _photos_arrived(self, email: str, photos: VisitorPhotos) -> None:
        if email != self._wanted:
            return
        self.picked = picked_photos(photos)
        for button in (self.copy_filter_button, self.copy_list_button, self.save_csv_button):
            button.setEnabled(bool(self.picked))
        count = len(photos.favorites)
        self.favorites_title.setText(f"Favorites of {email}: {count} photo{'s' if count != 1 else ''}")
        for photo in photos.favorites:
            self.favorites.addItem(photo.name or f"Photo {photo.id}")
        for label in photos.labeled:
            for photo in label.photos:
                self.favorites.addItem(f"{photo.name or f'Photo {photo.id}'}  ·  labelled “{label.name}”")

    def _photos_failed(self, email: str, error: BaseException) -> None:
        if email == self._wanted:
            self.favorites_title.setText(f"Favorites of {email}: {describe(error).message}")
