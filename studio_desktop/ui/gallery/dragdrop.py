"""Drag albums and photos onto the event tree: albums move, photos go into the album they land on.

The shell's tree and grid views stay as they are: event filters on their
viewports start the drags and take the drops, so the shell's models need no
drag-and-drop code. The payload is JSON in app-private MIME types, so other
applications ignore it and file drops (uploads) are not affected.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QByteArray, QEvent, QMimeData, QObject, QPoint, QRect, Qt
from PySide6.QtGui import QDrag, QDragMoveEvent, QDropEvent, QMouseEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication, QRubberBand

from studio_desktop.gallery.tree_nodes import AlbumNode, Node
from studio_desktop.ui.gallery.grid_model import PhotoRole
from studio_desktop.ui.gallery.tree_model import NodeRole

if TYPE_CHECKING:
    from studio_desktop.ui.gallery.grid_view import PhotoGridView
    from studio_desktop.ui.gallery.tree_view import EventTreeView

ALBUM_MIME = "application/x-studio-desktop-album"
PHOTOS_MIME = "application/x-studio-desktop-photos"


@dataclass(frozen=True)
class AlbumDrag:
    event_id: int
    album_id: int


@dataclass(frozen=True)
class PhotosDrag:
    event_id: int
    album_id: int | None
    photo_ids: tuple[int, ...]


Payload = AlbumDrag | PhotosDrag


def album_mime(event_id: int, album_id: int) -> QMimeData:
    mime = QMimeData()
    mime.setData(ALBUM_MIME, QByteArray(json.dumps({"event_id": event_id, "album_id": album_id}).encode()))
    return mime


def photos_mime(event_id: int, album_id: int | None, photo_ids: list[int]) -> QMimeData:
    mime = QMimeData()
    body = {"event_id": event_id, "album_id": album_id, "photo_ids": list(photo_ids)}
    mime.setData(PHOTOS_MIME, QByteArray(json.dumps(body).encode()))
    mime.setText(f"{len(photo_ids)} photo{'s' if len(photo_ids) != 1 else ''}")
    return mime


def read_payload(mime: QMimeData | None) -> Payload | None:
    """What is being dragged, or None for anything that is not ours (or is damaged)."""
    if mime is None:
        return None
    try:
        if mime.hasFormat(ALBUM_MIME):
            data = json.loads(bytes(mime.data(ALBUM_MIME).data()))
            return AlbumDrag(int(data["event_id"]), int(data["album_id"]))
        if mime.hasFormat(PHOTOS_MIME):
            data = json.loads(bytes(mime.data(PHOTOS_MIME).data()))
            album = data.get("album_id")
            ids = tuple(int(photo_id) for photo_id in data["photo_ids"])
            return PhotosDrag(int(data["event_id"]), int(album) if album is not None else None, ids) if ids else None
    except (ValueError, KeyError, TypeError):
        return None
    return None


#: ``check(payload, node) -> (ok, explanation)`` and ``drop(payload, node) -> accepted``.
DropCheck = Callable[[Payload, Node], tuple[bool, str]]
DropAction = Callable[[Payload, Node], bool]


class TreeDropTarget(QObject):
    """Takes album and photo drops on the event tree; highlights the row a drop would land on."""

    def __init__(
        self, tree: EventTreeView, check: DropCheck, drop: DropAction, hint: Callable[[str], None] | None = None
    ):
        super().__init__(tree)
        self.tree = tree
        self._check = check
        self._drop = drop
        self._hint = hint
        self._highlight = QRubberBand(QRubberBand.Shape.Rectangle, tree.viewport())
        self._highlight.hide()
        tree.setAcceptDrops(True)
        tree.viewport().setAcceptDrops(True)
        tree.viewport().installEventFilter(self)

    def node_at(self, pos: QPoint) -> Node | None:
        index = self.tree.indexAt(pos)
        return index.siblingAtColumn(0).data(NodeRole) if index.isValid() else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            move = cast(QDragMoveEvent, event)  # QDragEnterEvent is one too
            payload = read_payload(move.mimeData())
            if payload is None:
                return False  # files for upload and the like: not ours
            self._over(move, payload)
            return True
        if kind == QEvent.Type.DragLeave:
            self._highlight.hide()
            return False
        if kind == QEvent.Type.Drop:
            event = cast(QDropEvent, event)
            payload = read_payload(event.mimeData())
            if payload is None:
                return False
            self._highlight.hide()
            node = self.node_at(event.position().toPoint())
            if node is not None and self.drop_mime(event.mimeData(), node):
                event.setDropAction(_action(payload))
                event.accept()
            else:
                event.ignore()
            return True
        return False

    def _over(self, event: QDragMoveEvent, payload: Payload) -> None:
        pos = event.position().toPoint()
        node = self.node_at(pos)
        ok, why = self._check(payload, node) if node is not None else (False, "")
        if ok:
            event.setDropAction(_action(payload))
            event.accept()
            index = self.tree.indexAt(pos)
            row = self.tree.visualRect(index)
            self._highlight.setGeometry(QRect(0, row.top(), self.tree.viewport().width(), row.height()))
            self._highlight.show()
        elif event.type() == QEvent.Type.DragEnter:
            # Take the drag itself, or no move events follow while the pointer looks for a row.
            event.setDropAction(_action(payload))
            event.accept()
            self._highlight.hide()
        else:
            event.ignore()
            self._highlight.hide()
        if self._hint is not None and why:
            self._hint(why)

    def drop_mime(self, mime: QMimeData, node: Node) -> bool:
        """The drop logic without a drag: for code paths and tests that already know the target."""
        payload = read_payload(mime)
        if payload is None:
            return False
        ok, why = self._check(payload, node)
        if not ok:
            if why and self._hint is not None:
                self._hint(why)
            return False
        return self._drop(payload, node)


def _action(payload: Payload) -> Qt.DropAction:
    return Qt.DropAction.MoveAction if isinstance(payload, AlbumDrag) else Qt.DropAction.CopyAction


class _DragStarter(QObject):
    """Starts a ``QDrag`` once the mouse moved far enough with the left button held on a draggable item.

    ``hold_press``: keep the press from the view (until release) instead of
    only watching it.
    """

    hold_press = False

    def __init__(self, view: QAbstractItemView):
        super().__init__(view)
        self.view = view
        self._press: QPoint | None = None
        view.viewport().installEventFilter(self)

    def payload_mime(self, pos: QPoint) -> QMimeData | None:
        raise NotImplementedError

    def grab_press(self, pos: QPoint) -> bool:
        """Whether a press here may start a drag."""
        raise NotImplementedError

    def release_without_drag(self, pos: QPoint) -> None:
        pass

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress:
            mouse = cast(QMouseEvent, event)
            self._press = None
            if mouse.button() == Qt.MouseButton.LeftButton and mouse.modifiers() == Qt.KeyboardModifier.NoModifier:
                pos = mouse.position().toPoint()
                if self.grab_press(pos):
                    self._press = pos
                    if self.hold_press:
                        self.view.setFocus(Qt.FocusReason.MouseFocusReason)
                        return True
            return False
        if kind == QEvent.Type.MouseMove and self._press is not None:
            mouse = cast(QMouseEvent, event)
            if not mouse.buttons() & Qt.MouseButton.LeftButton:
                self._press = None
                return False
            if (mouse.position().toPoint() - self._press).manhattanLength() < QApplication.startDragDistance():
                return True
            start, self._press = self._press, None
            mime = self.payload_mime(start)
            if mime is not None:
                drag = QDrag(self.view)
                drag.setMimeData(mime)
                # Qt's own drag loop, as every item view runs it; started from an event, never from a coroutine.
                drag.exec(Qt.DropAction.MoveAction | Qt.DropAction.CopyAction, Qt.DropAction.MoveAction)
            return True
        if kind == QEvent.Type.MouseButtonRelease and self._press is not None:
            start, self._press = self._press, None
            if self.hold_press:
                self.release_without_drag(start)
                return True
        return False


class TreeDragSource(_DragStarter):
    """Albums can be dragged out of the event tree (onto another album or their gallery).

    The press still reaches the tree (selection, expand arrows, double-click);
    only the moves after it are kept from it, so dragging does not select rows.
    """

    def __init__(self, tree: EventTreeView):
        super().__init__(tree)

    def _album(self, pos: QPoint) -> AlbumNode | None:
        index = self.view.indexAt(pos)
        node = index.siblingAtColumn(0).data(NodeRole) if index.isValid() else None
        return node if isinstance(node, AlbumNode) else None

    def grab_press(self, pos: QPoint) -> bool:
        return self._album(pos) is not None

    def payload_mime(self, pos: QPoint) -> QMimeData | None:
        album = self._album(pos)
        return album_mime(album.event_node.id, album.id) if album is not None else None


class GridDragSource(_DragStarter):
    """Selected photos can be dragged from the grid onto an album (or their gallery) in the tree.

    A plain press on an already selected photo is held back until the mouse is
    released, so a multi-selection survives the start of a drag (what item
    views do themselves when dragging is on).
    """

    hold_press = True

    def __init__(self, grid: PhotoGridView, source: Callable[[], tuple[int, int | None] | None]):
        super().__init__(grid)
        self.grid = grid
        self._source = source

    def grab_press(self, pos: QPoint) -> bool:
        index = self.view.indexAt(pos)
        return index.isValid() and self.view.selectionModel().isSelected(index) and self._source() is not None

    def release_without_drag(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if index.isValid():
            self.view.selectionModel().setCurrentIndex(index, self.view.selectionModel().SelectionFlag.ClearAndSelect)

    def payload_mime(self, pos: QPoint) -> QMimeData | None:
        source = self._source()
        if source is None:
            return None
        ids = [photo.id for photo in self.grid.selected_photos() if photo is not None]
        if not ids:
            index = self.view.indexAt(pos)
            photo_id = index.data(PhotoRole.IdRole) if index.isValid() else None
            ids = [photo_id] if photo_id is not None else []
        event_id, album_id = source
        return photos_mime(event_id, album_id, ids) if ids else None
