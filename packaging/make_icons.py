"""Render the app icon (resources/icons/studio-desktop.svg) to the PNG, .ico and .icns files the bundles use.

Run it after changing the SVG: ``.venv/bin/python packaging/make_icons.py``. The
outputs are kept in the repository so a build needs no rendering step.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SOURCE = ICONS / "studio-desktop.svg"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        print(f"cannot read {SOURCE}", file=sys.stderr)
        return 1
    for size in PNG_SIZES:
        target = ICONS / f"studio-desktop-{size}.png"
        if not render(renderer, size).save(str(target), "PNG"):
            print(f"cannot write {target}", file=sys.stderr)
            return 1
    largest = Image.open(ICONS / "studio-desktop-512.png").convert("RGBA")
    largest.save(ICONS / "studio-desktop.ico", sizes=[(s, s) for s in ICO_SIZES])
    largest.save(ICONS / "studio-desktop.icns")
    del app
    print(f"wrote {len(PNG_SIZES)} PNGs, studio-desktop.ico and studio-desktop.icns to {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
