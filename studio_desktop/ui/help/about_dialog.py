"""Help → About: what this is, its version, and the versions of everything under it (for support)."""

from __future__ import annotations

import platform
import sys

from PySide6.QtCore import QSize, Qt, qVersion
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from studio_desktop import APP_NAME, __version__
from studio_desktop.core import paths
from studio_desktop.core.diagnostics import package_versions
from studio_desktop.ui import icons

BLURB = (
    "Manage your ShootProof galleries, upload whole shoots and watch hot folders; "
    "keep ShootProof contacts and Pixieset Studio clients side by side.\n\n"
    "Not affiliated with ShootProof or Pixieset."
)


def version_lines() -> list[str]:
    current = paths.current()
    lines = [
        f"{APP_NAME}: {__version__}{' (bundled)' if getattr(sys, 'frozen', False) else ''}",
        f"Python: {platform.python_version()}",
        f"Qt: {qVersion()}",
    ]
    lines += [f"{name}: {version}" for name, version in package_versions().items() if name != "studio-desktop"]
    lines += [
        f"System: {platform.platform()}",
        "",
        f"Data: {current.data_dir}",
        f"Settings: {current.config_dir}",
        f"Logs: {current.log_dir}",
    ]
    return lines


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(f"About {APP_NAME}")
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        logo = QLabel(self)
        logo.setPixmap(icons.app_icon().pixmap(QSize(64, 64)))
        logo.setAlignment(Qt.AlignmentFlag.AlignTop)
        title = QLabel(f"<h2>{APP_NAME} {__version__}</h2>", self)
        title.setObjectName("aboutTitle")
        blurb = QLabel(BLURB, self)
        blurb.setWordWrap(True)
        heading = QVBoxLayout()
        heading.addWidget(title)
        heading.addWidget(blurb)
        top = QHBoxLayout()
        top.addWidget(logo)
        top.addLayout(heading, 1)

        self.versions = QPlainTextEdit("\n".join(version_lines()), self)
        self.versions.setObjectName("aboutVersions")
        self.versions.setReadOnly(True)
        self.versions.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.versions.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = buttons.addButton("Copy versions", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_versions)
        buttons.rejected.connect(self.close)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.versions, 1)
        layout.addWidget(buttons)
        self.resize(560, 460)

    def copy_versions(self) -> None:
        QGuiApplication.clipboard().setText(self.versions.toPlainText())
        self.copy_button.setText("Copied")
