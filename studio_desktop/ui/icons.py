"""The app's few icons: bundled SVGs, with the platform style's icons as a fallback."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QStyle

ICON_DIR = Path(__file__).resolve().parent / "resources" / "icons"


def icon_path(name: str) -> Path:
    return ICON_DIR / f"{name}.svg"


@functools.cache
def _bundled(name: str, fallback: QStyle.StandardPixmap | None, *, white_when_selected: bool = False) -> QIcon:
    path = icon_path(name)
    icon = QIcon(str(path)) if path.is_file() else QIcon()
    if icon.isNull() and fallback is not None:
        return standard(fallback)
    if white_when_selected:
        _add_selected_variant(icon, path)
    return icon


def _add_selected_variant(icon: QIcon, path: Path) -> None:
    """A white copy for selected rows, where the coloured line icon would vanish into the highlight."""
    try:
        svg = re.sub(r'(stroke|fill)="#[0-9a-fA-F]{6}"', r'\1="#ffffff"', path.read_text(encoding="utf-8"))
    except OSError:
        return
    for size in (16, 24, 32, 48):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        icon.addPixmap(pixmap, QIcon.Mode.Selected)


def status_dot(color: str, size: int = 10) -> QPixmap:
    """A filled circle in ``color``: the signed-in and online lights."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(color))
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return pixmap


class _PaletteTintedEngine(QIconEngine):
    """A style's standard icon, redrawn in the text colour while the palette is dark.

    Fusion draws its media icons (Pause, Play) black whatever the palette; drawn at paint time, the icon
    follows a switch between light and dark without anyone setting it again.
    """

    def __init__(self, which: QStyle.StandardPixmap):
        super().__init__()
        self._which = which

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        base = QApplication.style().standardIcon(self._which).pixmap(size, mode, state)
        palette = QApplication.palette()
        if base.isNull() or palette.color(QPalette.ColorRole.Window).lightness() >= 128:
            return base
        tinted = QPixmap(base.size())
        tinted.setDevicePixelRatio(base.devicePixelRatio())
        tinted.fill(Qt.GlobalColor.transparent)
        painter = QPainter(tinted)
        painter.drawPixmap(0, 0, base)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        group = QPalette.ColorGroup.Disabled if mode == QIcon.Mode.Disabled else QPalette.ColorGroup.Active
        painter.fillRect(tinted.rect(), palette.color(group, QPalette.ColorRole.ButtonText))
        painter.end()
        return tinted

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        painter.drawPixmap(rect, self.pixmap(rect.size() * painter.device().devicePixelRatioF(), mode, state))

    def clone(self) -> QIconEngine:
        return _PaletteTintedEngine(self._which)


def standard(pixmap: QStyle.StandardPixmap) -> QIcon:
    return QIcon(_PaletteTintedEngine(pixmap))


def app_icon() -> QIcon:
    return _bundled("app", QStyle.StandardPixmap.SP_DesktopIcon)


def event_icon() -> QIcon:
    return _bundled("event", QStyle.StandardPixmap.SP_DirIcon, white_when_selected=True)


def album_icon() -> QIcon:
    return _bundled("album", QStyle.StandardPixmap.SP_DirIcon, white_when_selected=True)


def archived_icon() -> QIcon:
    return _bundled("archived", QStyle.StandardPixmap.SP_DirClosedIcon, white_when_selected=True)


def placeholder_icon() -> QIcon:
    return _bundled("photo-placeholder", QStyle.StandardPixmap.SP_FileIcon)


def search_icon() -> QIcon:
    return _bundled("search", QStyle.StandardPixmap.SP_FileDialogContentsView)


def upload_icon() -> QIcon:
    return _bundled("upload", QStyle.StandardPixmap.SP_ArrowUp)
