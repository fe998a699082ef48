"""Helpers for the upload UI tests: find galleries in the tree, build file drags, read what the server holds."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from studio_desktop.gallery.tree_nodes import ALBUM, EVENT, AlbumNode, EventNode, GalleryTarget
from studio_desktop.ui.uploads.installer import UploadUi, install_upload_ui

TEST_GALLERY = "Test Gallery"
REUNION = "Smith Family Reunion"
DAY_ONE = "Day 1"


class FolderOpener:
    """Stands in for the file manager: records what would have been opened."""

    def __init__(self) -> None:
        self.opened: list[str] = []

    def __call__(self, path: str) -> bool:
        self.opened.append(path)
        return True


def queued(choosing, *args, **kwargs) -> bool:
    """``choosing.upload(...)`` and its answer: True once the photos are queued (the folder checks run in a thread)."""
    task = choosing.upload(*args, **kwargs)
    if task is None:
        return False
    deadline = time.monotonic() + 15
    while not task.done() and time.monotonic() < deadline:
        QTest.qWait(10)
    assert task.done(), "the upload's folder check did not finish in 15 s"
    return bool(task.result())


def upload_ui(session) -> UploadUi:
    """The session's upload UI (installed by the session, or here when the session does not do it)."""
    ui = getattr(session, "uploads", None)
    if ui is None:
        ui = install_upload_ui(session.window, session.services)
        session.uploads = ui
    ui.controller.open_folder = FolderOpener()
    return ui


def find_target(window, event_name: str, album_name: str | None = None) -> GalleryTarget:
    root = window.tree_panel.model.root
    for node in root.walk():
        if isinstance(node, EventNode) and node.name == event_name and album_name is None:
            return node.target()
        if (
            isinstance(node, AlbumNode)
            and album_name is not None
            and node.name == album_name
            and node.event_node.name == event_name
        ):
            return node.target()
    raise LookupError(f"no {event_name!r} / {album_name!r} in the tree")


def file_mime(paths: Sequence[Path | str]) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def tree_point(window, target: GalleryTarget) -> QPoint:
    tree = window.tree_panel.tree
    kind, node_id = (ALBUM, target.album_id) if target.album_id is not None else (EVENT, target.event_id)
    index = tree.proxy_index(kind, node_id)
    assert index.isValid(), f"{target.display_name} is not shown in the tree"
    parent = index.parent()
    while parent.isValid():
        tree.expand(parent)
        parent = parent.parent()
    tree.scrollTo(index)
    return tree.visualRect(index).center()


def drag_over(widget: QWidget, point: QPoint, mime: QMimeData) -> tuple[bool, bool]:
    """Send drag-enter and drag-move to ``widget``; returns whether each was accepted."""
    enter = QDragEnterEvent(
        point, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, enter)
    move = QDragMoveEvent(
        point, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, move)
    return enter.isAccepted(), move.isAccepted()


def drop_on(widget: QWidget, point: QPoint, mime: QMimeData) -> bool:
    """A full drag (enter, move) and drop on ``widget`` at ``point``; returns whether the drop was accepted."""
    drag_over(widget, point, mime)
    drop = QDropEvent(
        QPointF(point), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()


async def photo_names(client, event_id: int, album_id: int | None = None) -> list[str]:
    pages = client.iter_album_photos(album_id, limit=100) if album_id else client.iter_event_photos(event_id, limit=100)
    return sorted([photo.name async for photo in pages])


async def album_ids(client, event_id: int) -> dict[tuple[str, ...], int]:
    """``{("Day 1", "Ceremony"): id}`` for every album of the event."""
    found: dict[tuple[str, ...], int] = {}

    def walk(albums, path):
        for album in albums:
            found[(*path, album.name)] = album.id
            walk(album.sub_albums, (*path, album.name))

    walk(await client.album_get_list(event_id), ())
    return found
