"""Photo Info's preview on a 2× screen: drawn from twice the pixels, not a 1× image stretched."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

# Run in its own process: the scale factor is read once, when Qt starts.
SCRIPT = textwrap.dedent("""
    from types import SimpleNamespace
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QPixmap
    from PySide6.QtWidgets import QApplication, QLabel
    from studio_desktop.api.models import Photo
    from studio_desktop.ui.gallery.dialogs.viewers import PREVIEW_EDGE, PhotoInfoDialog

    app = QApplication([])
    thumbnail = QPixmap(600, 400)
    thumbnail.fill(Qt.GlobalColor.darkGreen)
    shown = SimpleNamespace(photo=Photo(id=1, name="a.jpg"), preview=QLabel(),
                            thumbnails=SimpleNamespace(pixmap=lambda photo: thumbnail))
    shown.preview.resize(PREVIEW_EDGE, PREVIEW_EDGE)
    shown.preview.show()
    PhotoInfoDialog._show_preview(shown)
    pixmap = shown.preview.pixmap()
    print(shown.preview.devicePixelRatioF(), pixmap.devicePixelRatio(), pixmap.width())
""")


def test_photo_info_preview_uses_the_screens_pixels_at_2x():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR="2")
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    screen_ratio, pixmap_ratio, width = result.stdout.split()
    assert float(screen_ratio) == 2.0
    assert float(pixmap_ratio) == 2.0 and int(width) == 300, "the preview is a 150-pixel image stretched to 300"
