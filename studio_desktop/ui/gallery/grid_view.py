"""The photo grid: a ``QListView`` in icon mode with a delegate that draws thumbnail cards.

The view paints a message over its empty viewport ("Drop photos here to upload
them to 'Smith Wedding'"), accepts dropped files and folders (it only reports
them through ``files_dropped``; what to do with them is the upload code's job),
and reports selected photos through ``photos_selected``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, cast, runtime_checkable

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from studio_desktop.api.models import Photo
from studio_desktop.ui import icons
from studio_desktop.ui.focus import context_menu_keys, paint_focus_frame
from studio_desktop.ui.gallery.grid_model import PhotoRole, ThumbnailState

DEFAULT_THUMBNAIL_SIZE = 160
MIN_THUMBNAIL_SIZE = 96
MAX_THUMBNAIL_SIZE = 320

_PADDING = 8
_TEXT_GAP = 6
_RADIUS = 6.0

AnyIndex = QModelIndex | QPersistentModelIndex


@runtime_checkable
class _PagedModel(Protocol):
    """The grid's model as the End key uses it (:class:`~.grid_model.PhotoGridModel`)."""

    def has_more(self) -> bool: ...

    def load_to_the_end(self) -> None: ...


class PhotoGridDelegate(QStyledItemDelegate):
    """Draws one photo: the thumbnail fitted in a square, the file name elided beneath."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.thumbnail_size = DEFAULT_THUMBNAIL_SIZE
        self._placeholder_cache: dict[int, QPixmap] = {}

    def cell_size(self, metrics: QFontMetrics) -> QSize:
        return QSize(
            self.thumbnail_size + 2 * _PADDING, self.thumbnail_size + _PADDING + _TEXT_GAP + metrics.height() + _PADDING
        )

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        return self.cell_size(option.fontMetrics)

    def _placeholder(self, size: int) -> QPixmap:
        pixmap = self._placeholder_cache.get(size)
        if pixmap is None:
            pixmap = icons.placeholder_icon().pixmap(QSize(size, size))
            self._placeholder_cache[size] = pixmap
        return pixmap

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        palette = option.palette
        cell = QRectF(option.rect).adjusted(2, 2, -2, -2)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)

        if selected or hovered:
            highlight = QColor(palette.color(QPalette.ColorRole.Highlight))
            highlight.setAlpha(70 if selected else 28)
            path = QPainterPath()
            path.addRoundedRect(cell, _RADIUS + 2, _RADIUS + 2)
            painter.fillPath(path, highlight)
            if selected:
                painter.setPen(palette.color(QPalette.ColorRole.Highlight))
                painter.drawPath(path)
        if option.state & QStyle.StateFlag.State_HasFocus:
            # The keyboard's place in the grid, selected or not: a dashed ring in the text colour.
            pen = QPen(palette.color(QPalette.ColorRole.Text), 1.5, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(cell.adjusted(1, 1, -1, -1), _RADIUS + 2, _RADIUS + 2)

        size = self.thumbnail_size
        box = QRect(option.rect.x() + (option.rect.width() - size) // 2, option.rect.y() + _PADDING, size, size)
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(pixmap, QPixmap) and not pixmap.isNull():
            fitted = pixmap.size().scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, fitted.width(), fitted.height())
            target.moveCenter(box.center())
            # Anchor landscape photos to the bottom of the square, so names line up in a row.
            target.moveBottom(box.bottom())
            painter.fillRect(target.adjusted(1, 1, 1, 1), QColor(0, 0, 0, 40))
            painter.drawPixmap(target, pixmap)
        else:
            path = QPainterPath()
            path.addRoundedRect(QRectF(box), _RADIUS, _RADIUS)
            base = QColor(palette.color(QPalette.ColorRole.Mid))
            base.setAlpha(45)
            painter.fillPath(path, base)
            state = index.data(PhotoRole.ThumbnailStateRole)
            icon_size = max(24, size // 3)
            icon = self._placeholder(icon_size)
            icon_rect = QRect(0, 0, icon_size, icon_size)
            icon_rect.moveCenter(box.center())
            painter.setOpacity(0.9 if state == ThumbnailState.UNAVAILABLE else 0.6)
            painter.drawPixmap(icon_rect, icon)
            painter.setOpacity(1.0)
            if state == ThumbnailState.UNAVAILABLE:
                painter.setPen(palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
                text_rect = QRect(box.x(), icon_rect.bottom() + 4, box.width(), option.fontMetrics.height())
                painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter, "No preview")

        name = index.data(Qt.ItemDataRole.DisplayRole) or ""
        metrics = option.fontMetrics
        text_rect = QRect(
            option.rect.x() + _PADDING, box.bottom() + _TEXT_GAP, option.rect.width() - 2 * _PADDING, metrics.height()
        )
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.drawText(
            text_rect,
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, text_rect.width()),
        )
        painter.restore()


class PhotoGridView(QListView):
    """Thumbnails in a wrapping grid; multi-select; a message when empty; files can be dropped on it."""

    files_dropped = Signal(list)
    photos_selected = Signal(list)
    #: Space on a photo: show it in the app.
    preview_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("photoGrid")
        self.setAccessibleName("Photos")
        self.setAccessibleDescription("Arrow keys move, Enter or Space shows the photo; the menu key shows commands")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setUniformItemSizes(True)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(200)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setMouseTracking(True)
        self.setSpacing(4)
        self.setDragEnabled(False)
        # Drags are delivered to the viewport: the view's own flag alone lets no file drop arrive.
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDropIndicatorShown(False)
        self.setFrameShape(QListView.Shape.NoFrame)
        # Menus for photos are added by the gallery-management code via customContextMenuRequested.
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self._use_neutral_background()
        self._delegate = PhotoGridDelegate(self)
        self.setItemDelegate(self._delegate)
        self._empty_text = ""
        self._end_wanted: Qt.KeyboardModifier | None = None
        context_menu_keys(self)
        self._accept_drops_now = False
        self._drag_over = False
        self.set_thumbnail_size(DEFAULT_THUMBNAIL_SIZE)

    def _use_neutral_background(self) -> None:
        """A slightly toned, neutral backdrop (photos are judged better off pure white), light or dark.

        A palette role, not a colour copied now, so it follows a switch between light and dark.
        """
        self.viewport().setBackgroundRole(QPalette.ColorRole.AlternateBase)

    # --- setters -------------------------------------------------------------------------

    @property
    def thumbnail_size(self) -> int:
        return self._delegate.thumbnail_size

    def set_thumbnail_size(self, size: int) -> None:
        size = max(MIN_THUMBNAIL_SIZE, min(MAX_THUMBNAIL_SIZE, int(size)))
        self._delegate.thumbnail_size = size
        cell = self._delegate.cell_size(self.fontMetrics())
        self.setGridSize(cell + QSize(8, 8))
        self.scheduleDelayedItemsLayout()
        self.viewport().update()

    def set_empty_text(self, text: str) -> None:
        if text != self._empty_text:
            self._empty_text = text
            self.viewport().update()

    @property
    def empty_text(self) -> str:
        return self._empty_text

    def set_drop_enabled(self, enabled: bool) -> None:
        """Accept dropped files only while a gallery is open to receive them."""
        self._accept_drops_now = enabled

    def selected_photos(self) -> list[Photo]:
        rows = (
            sorted(index.row() for index in self.selectionModel().selectedIndexes())
            if self.selectionModel() is not None
            else []
        )
        model = self.model()
        return [model.index(row, 0).data(PhotoRole.PhotoRole) for row in rows]

    def setModel(self, model) -> None:
        super().setModel(model)
        if self.selectionModel() is not None:
            self.selectionModel().selectionChanged.connect(self._emit_selection)
        if hasattr(model, "page_loaded"):
            model.page_loaded.connect(self._page_loaded)
            model.modelReset.connect(self._forget_end)

    # --- keys --------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        model = self.model()
        if event.key() == Qt.Key.Key_Space and not event.modifiers() and self.currentIndex().isValid():
            self.preview_requested.emit()
            return
        if event.key() == Qt.Key.Key_End and model is not None and isinstance(model, _PagedModel) and model.has_more():
            # The real end: every page still to come is fetched, then the last photo becomes current.
            self._end_wanted = event.modifiers()
            model.load_to_the_end()
        super().keyPressEvent(event)

    def _page_loaded(self, *_args) -> None:
        model = self.model()
        if self._end_wanted is None or model is None or not model.rowCount():
            return
        last = model.index(model.rowCount() - 1, 0)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        if self._end_wanted & Qt.KeyboardModifier.ShiftModifier:
            flags = QItemSelectionModel.SelectionFlag.Select
        self.selectionModel().setCurrentIndex(last, flags)
        self.scrollTo(last)
        if not cast(_PagedModel, model).has_more():
            self._end_wanted = None

    def _forget_end(self) -> None:
        self._end_wanted = None

    def _emit_selection(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        self.photos_selected.emit(self.selected_photos())

    # --- empty state -----------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        paint_focus_frame(self)
        model = self.model()
        empty = model is None or model.rowCount() == 0
        if not (empty and self._empty_text) and not self._drag_over:
            return
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = self.viewport().rect()
        if self._drag_over:
            highlight = QColor(self.palette().color(QPalette.ColorRole.Highlight))
            pen_color = QColor(highlight)
            highlight.setAlpha(30)
            painter.fillRect(area, highlight)
            painter.setPen(pen_color)
            painter.drawRoundedRect(QRectF(area).adjusted(6, 6, -6, -6), 10, 10)
        if empty and self._empty_text:
            icon_size = 72
            text_width = min(area.width() - 40, 460)
            font = self.font()
            font.setPointSizeF(font.pointSizeF() * 1.1)
            painter.setFont(font)
            text_rect = painter.boundingRect(
                QRect(0, 0, text_width, 10_000),
                Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap,
                self._empty_text,
            )
            total = icon_size + 16 + text_rect.height()
            top = area.top() + max(20, (area.height() - total) // 2)
            icon_rect = QRect(area.center().x() - icon_size // 2, top, icon_size, icon_size)
            painter.setOpacity(0.8)
            painter.drawPixmap(icon_rect, icons.upload_icon().pixmap(QSize(icon_size, icon_size)))
            painter.setOpacity(1.0)
            painter.setPen(self.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText))
            text_rect = QRect(
                area.center().x() - text_width // 2, icon_rect.bottom() + 16, text_width, text_rect.height()
            )
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap, self._empty_text)
        painter.end()

    # --- dropping files ----------------------------------------------------------------------

    @staticmethod
    def _local_paths(event: QDropEvent | QDragEnterEvent | QDragMoveEvent) -> list[Path]:
        mime = event.mimeData()
        if mime is None or not mime.hasUrls():
            return []
        return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._accept_drops_now and self._local_paths(event):
            event.acceptProposedAction()
            self._drag_over = True
            self.viewport().update()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._accept_drops_now and self._local_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:
        self._drag_over = False
        self.viewport().update()
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._drag_over = False
        self.viewport().update()
        paths = self._local_paths(event)
        if not (self._accept_drops_now and paths):
            event.ignore()
            return
        event.acceptProposedAction()
        self.files_dropped.emit(paths)
