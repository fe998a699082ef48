"""Files and folders dragged in from the file manager, dropped on a gallery or album in the tree, or on the grid.

Only drags that carry local file URLs (and nothing of the app's own) are taken;
everything else (album and photo moves inside the app) passes through to
whoever handles it. The tree gets an event filter on its viewport rather than a
subclass, so the gallery code can handle its own drags on the same view.

While files hover over the tree, the row they would land on is outlined.
When a drop holds a folder, :class:`MirrorQuestion` asks (non-modally)
whether its subfolders become albums; the answer can be remembered.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from PySide6.QtCore import QEvent, QMimeData, QObject, QPoint, QRect, Qt, Signal
from PySide6.QtGui import QColor, QDragMoveEvent, QDropEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import QAbstractItemView, QCheckBox, QMessageBox, QPushButton, QWidget

from studio_desktop.gallery.tree_nodes import GalleryTarget
from studio_desktop.ui.gallery.tree_model import TargetRole
from studio_desktop.uploads.scanner import is_ignored
from studio_desktop.uploads.texts import quoted

#: Mime types the app's own drags use start with this; such drags are never file uploads.
APP_MIME_PREFIX = "application/x-studio"

MIRROR_ASK = "ask"
MIRROR_YES = "mirror"
MIRROR_NO = "flat"


def local_paths(mime: QMimeData | None) -> list[Path]:
    """The local files and folders an external drag carries; empty for anything else."""
    if mime is None or not mime.hasUrls():
        return []
    if any(fmt.startswith(APP_MIME_PREFIX) for fmt in mime.formats()):
        return []
    urls = mime.urls()
    if not urls or not all(url.isLocalFile() for url in urls):
        return []
    return [Path(url.toLocalFile()) for url in urls if url.toLocalFile()]


def has_folder(paths: Sequence[Path | str]) -> bool:
    return any(os.path.isdir(p) for p in paths)


def has_subfolder(paths: Sequence[Path | str]) -> bool:
    """Does a given folder hold a folder the scan would enter? Only then can mirroring make an album.

    One listing per given folder, stopped at the first subfolder found.
    """
    for path in paths:
        if not os.path.isdir(path):
            continue
        try:
            with os.scandir(path) as listing:
                for entry in listing:
                    try:
                        if entry.is_dir() and not is_ignored(entry.path):
                            return True
                    except OSError:
                        continue
        except OSError:
            continue
    return False


@dataclass(frozen=True)
class LookedAt:
    """What the disk says about chosen or dropped paths (see :func:`look_at`)."""

    #: The paths still there, in the order given.
    existing: list[Path]
    #: The ones that are folders.
    folders: list[Path]
    #: Does a folder among them hold a folder the scan would enter? (False unless asked for.)
    subfolder: bool


def look_at(paths: Sequence[Path], *, subfolders: bool = True) -> LookedAt:
    """Stat ``paths`` (and list folders for :func:`has_subfolder` when ``subfolders``). Blocking:
    a card reader or a NAS share can take 100 ms a call, so run it in a worker thread."""
    existing: list[Path] = []
    folders: list[Path] = []
    for path in paths:
        try:
            mode = os.stat(path).st_mode
        except (OSError, ValueError):
            continue
        existing.append(path)
        if stat.S_ISDIR(mode):
            folders.append(path)
    return LookedAt(existing, folders, subfolders and has_subfolder(folders))


class DropHighlight(QWidget):
    """An outline drawn over the row files would be dropped on; it lets the mouse and drags through."""

    def __init__(self, viewport: QWidget):
        super().__init__(viewport)
        self.setObjectName("uploadDropHighlight")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.label = ""
        self.hide()

    def show_at(self, rect: QRect, label: str) -> None:
        self.label = label
        self.setGeometry(rect.adjusted(1, 0, -1, 0))
        self.show()
        self.raise_()
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        fill = QColor(color)
        fill.setAlpha(45)
        painter.setBrush(fill)
        painter.setPen(QPen(color, 2))
        painter.drawRoundedRect(self.rect().adjusted(1, 1, -1, -1), 4, 4)
        painter.end()


class TreeDropFilter(QObject):
    """Takes external file drops on an event tree view's rows; ``dropped(paths, target)`` says what landed where."""

    dropped = Signal(list, object)

    def __init__(self, view: QAbstractItemView, parent: QObject | None = None):
        super().__init__(parent or view)
        self.view = view
        self.viewport = view.viewport()
        self.highlight = DropHighlight(self.viewport)
        view.setAcceptDrops(True)
        self.viewport.setAcceptDrops(True)
        self.viewport.installEventFilter(self)
        self.hovered: GalleryTarget | None = None

    def target_at(self, position: QPoint) -> GalleryTarget | None:
        index = self.view.indexAt(position)
        if not index.isValid():
            return None
        target = index.siblingAtColumn(0).data(TargetRole)
        return target if isinstance(target, GalleryTarget) else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.DragEnter or kind == QEvent.Type.DragMove:
            move = cast(QDragMoveEvent, event)  # QDragEnterEvent is one too
            if not local_paths(move.mimeData()):
                return False
            self._hover(move)
            return True
        if kind == QEvent.Type.DragLeave:
            self._clear()
            return False
        if kind == QEvent.Type.Drop:
            event = cast(QDropEvent, event)
            paths = local_paths(event.mimeData())
            if not paths:
                self._clear()
                return False
            target = self.target_at(event.position().toPoint())
            self._clear()
            if target is None:
                event.ignore()
                return True
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            self.dropped.emit(paths, target)
            return True
        return False

    def _hover(self, event: QDragMoveEvent) -> None:
        position = event.position().toPoint()
        target = self.target_at(position)
        self.hovered = target
        if target is None:
            self.highlight.hide()
            if event.type() == QEvent.Type.DragEnter:
                # Accept the drag itself so move events keep coming while the pointer finds a row.
                event.setDropAction(Qt.DropAction.CopyAction)
                event.accept()
            else:
                event.ignore()
            return
        index = self.view.indexAt(position)
        row_rect = self.view.visualRect(index.siblingAtColumn(0))
        row_rect.setLeft(0)
        row_rect.setRight(self.viewport.width() - 1)
        self.highlight.show_at(row_rect, target.display_name)
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()

    def _clear(self) -> None:
        self.hovered = None
        self.highlight.hide()


class MirrorQuestion(QMessageBox):
    """ "Mirror subfolders as albums?" — non-modal; ``answered(mirror: bool, remember: bool)`` or ``cancelled``."""

    answered = Signal(bool, bool)
    cancelled = Signal()

    def __init__(
        self, target: GalleryTarget, folders: Sequence[Path], parent: QWidget | None = None, options: Sequence[str] = ()
    ):
        """``options``: the Upload Options remembered for ``target`` (shaping words), said so the user
        knows which photos go and at what size before answering."""
        super().__init__(parent)
        self.setObjectName("mirrorQuestion")
        self.setWindowTitle("Upload folders")
        self.setIcon(QMessageBox.Icon.Question)
        names = ", ".join(quoted(Path(f).name or str(f)) for f in list(folders)[:3])
        if len(folders) > 3:
            names += f" and {len(folders) - 3} more"
        self.setText("Mirror subfolders as albums?")
        self.setInformativeText(
            f"You are uploading {names} to {quoted(target.display_name)}.\n\n"
            "Mirror: each subfolder becomes an album (created when missing) and its photos go there.\n"
            f"Don't mirror: every photo goes straight into {quoted(target.short_name)}."
            + (f"\n\nUpload Options for {quoted(target.short_name)}: {'; '.join(options)}." if options else "")
        )
        self.mirror_button: QPushButton = self.addButton("Mirror as Albums", QMessageBox.ButtonRole.YesRole)
        self.mirror_button.setObjectName("mirrorYes")
        self.flat_button: QPushButton = self.addButton("Don't Mirror", QMessageBox.ButtonRole.NoRole)
        self.flat_button.setObjectName("mirrorNo")
        self.cancel_button: QPushButton = self.addButton(QMessageBox.StandardButton.Cancel)
        self.setDefaultButton(self.mirror_button)
        self.setEscapeButton(self.cancel_button)
        self.remember = QCheckBox("Remember my choice (change it in Upload Settings)")
        self.remember.setObjectName("mirrorRemember")
        self.setCheckBox(self.remember)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.buttonClicked.connect(self._clicked)
        self._done = False

    def _clicked(self, button) -> None:
        if self._done:
            return
        self._done = True
        if button is self.mirror_button:
            self.answered.emit(True, self.remember.isChecked())
        elif button is self.flat_button:
            self.answered.emit(False, self.remember.isChecked())
        else:
            self.cancelled.emit()

    def reject(self) -> None:
        if not self._done:
            self._done = True
            self.cancelled.emit()
        super().reject()
