"""Gallery → Compare with Folder…: what a folder and the selected gallery (or album) differ in.

The report comes from :func:`studio_desktop.uploads.compare.compare_folder` (read-only);
"Upload Missing" hands the photos only in the folder to the app's upload engine,
so they show in the upload queue like any drop. Nothing in the gallery is deleted.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio_desktop.gallery.tree_nodes import AlbumNode, EventNode
from studio_desktop.ui.gallery.dialogs.base import error_label
from studio_desktop.uploads.compare import CompareReport, compare_folder, describe_entry, describe_target

if TYPE_CHECKING:
    from studio_desktop.ui.gallery.context import GalleryContext

_SECTIONS = (
    ("only_local", "Only in the folder"),
    ("only_gallery", "Only in the gallery"),
    ("different", "Changed since uploaded"),
    ("renamed", "Same photo under another name"),
    ("unverified", "In both, not uploaded from here"),
)


class CompareDialog(QDialog):
    """Shows one report; asks for another (``compare_requested``) or for the missing photos to go up."""

    compare_requested = Signal(bool)  # subfolders are albums
    upload_missing_requested = Signal()

    def __init__(self, parent: QWidget, folder: str, where: str, mirror: bool):
        super().__init__(parent)
        self.setObjectName("compareDialog")
        self.setWindowTitle("Compare with Folder")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.folder = folder
        self.report: CompareReport | None = None
        self.heading = QLabel(f"<b>{_escape(folder)}</b> and {_escape(where)}")
        self.heading.setWordWrap(True)
        self.mirror_box = QCheckBox("Subfolders are albums", objectName="compareMirror")
        self.mirror_box.setChecked(mirror)
        self.summary = QLabel(objectName="compareSummary")
        self.summary.setWordWrap(True)
        self.error = error_label("compareError")
        self.tree = QTreeWidget()
        self.tree.setObjectName("compareTree")
        self.tree.setHeaderHidden(True)
        self.tree.setMinimumSize(520, 300)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.again_button = QPushButton("Compare &Again", objectName="compareAgain")
        self.upload_button = QPushButton("&Upload Missing", objectName="uploadMissing")
        self.upload_button.setEnabled(False)
        buttons.addButton(self.again_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.upload_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.again_button.clicked.connect(lambda: self.compare_requested.emit(self.mirror_box.isChecked()))
        self.mirror_box.toggled.connect(self.compare_requested.emit)
        self.upload_button.clicked.connect(self.upload_missing_requested.emit)
        layout = QVBoxLayout(self)
        for widget in (self.heading, self.mirror_box, self.summary, self.error, self.tree):
            layout.addWidget(widget)
        layout.addWidget(buttons)

    def set_busy(self, text: str = "Comparing…") -> None:
        self.summary.setText(text)
        self.error.hide()
        self.again_button.setEnabled(False)
        self.upload_button.setEnabled(False)

    def set_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
        self.summary.setText("")
        self.again_button.setEnabled(True)

    def set_report(self, report: CompareReport) -> None:
        self.report = report
        self.tree.clear()
        for target in report.targets:
            counts = target.counts
            parts = [f"{counts['same']} same"] + [
                f"{len(getattr(target, key))} {label.lower()}" for key, label in _SECTIONS if getattr(target, key)
            ]
            top = QTreeWidgetItem([f"{describe_target(target)}: {', '.join(parts)}"])
            self.tree.addTopLevelItem(top)
            for key, label in _SECTIONS:
                entries = getattr(target, key)
                if not entries:
                    continue
                section = QTreeWidgetItem([f"{label} ({len(entries)})"])
                top.addChild(section)
                for entry in entries:
                    section.addChild(QTreeWidgetItem([describe_entry(key, entry, report.folder)]))
            top.setExpanded(not target.in_order)
        missing = len(report.missing_paths())
        totals = report.counts
        self.summary.setText(
            ("Everything is there." if report.in_order else "The folder and the gallery differ.")
            + f" Only in the folder: {totals['only_in_folder']}; only in the gallery: {totals['only_in_gallery']};"
            f" changed: {totals['different']}; renamed copies: {totals['same_photo_as']}."
        )
        self.upload_button.setText(f"&Upload Missing ({missing})")
        self.upload_button.setEnabled(missing > 0)
        self.again_button.setEnabled(True)

    def set_queued(self, count: int) -> None:
        self.summary.setText(f"{count} photo(s) added to the upload queue. Compare again once they are up.")
        self.upload_button.setEnabled(False)
        self.again_button.setEnabled(True)


class FolderCompare(QObject):
    """The command: pick a folder, compare it in the background, offer to upload what is missing."""

    def __init__(self, ctx: GalleryContext):
        super().__init__(ctx)
        self.ctx = ctx

    def start(self, node: EventNode | AlbumNode) -> None:
        picker = QFileDialog(self.ctx.window, "Compare with Folder")
        picker.setObjectName("compareFolderPicker")
        picker.setFileMode(QFileDialog.FileMode.Directory)
        picker.setOption(QFileDialog.Option.ShowDirsOnly, True)
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        picker.fileSelected.connect(lambda folder: self.open_report(node, folder))
        self.ctx.remember(picker).open()

    def open_report(self, node: EventNode | AlbumNode, folder: str) -> CompareDialog:
        event_id, album_id = _target(node)
        folder = os.path.abspath(folder)
        mirror = any(entry.is_dir() for entry in os.scandir(folder)) if os.path.isdir(folder) else False
        where = f"the album {node.name}" if isinstance(node, AlbumNode) else f"the gallery {node.name}"
        dialog = self.ctx.remember(CompareDialog(self.ctx.window, folder, where, mirror))
        dialog.compare_requested.connect(lambda mirrored: self._compare(dialog, event_id, album_id, mirrored))
        dialog.upload_missing_requested.connect(lambda: self._upload_missing(dialog, event_id, album_id))
        dialog.open()
        self._compare(dialog, event_id, album_id, mirror)
        return dialog

    def _compare(self, dialog: CompareDialog, event_id: int, album_id: int | None, mirror: bool) -> None:
        store = self.ctx.services.store
        if store is None:
            dialog.set_error("The local store is not open, so uploads cannot be compared.")
            return
        dialog.set_busy()

        def done(report: CompareReport) -> None:
            if shiboken6.isValid(dialog):
                dialog.set_report(report)

        def failed(error: BaseException) -> None:
            if shiboken6.isValid(dialog):
                dialog.set_error(f"Comparing failed: {error}")

        self.ctx.run(
            lambda client: compare_folder(
                client, store, dialog.folder, event_id, album_id=album_id, mirror_folders=mirror
            ),
            done,
            failed,
            name="gallery-compare-folder",
        )

    def _upload_missing(self, dialog: CompareDialog, event_id: int, album_id: int | None) -> None:
        engine = self.ctx.services.engine
        report = dialog.report
        if engine is None or report is None:
            dialog.set_error("Uploading needs you signed in to ShootProof.")
            return
        missing = report.missing_paths()
        dialog.set_busy("Adding the missing photos to the upload queue…")

        def queued(_batch: int) -> None:
            if shiboken6.isValid(dialog):
                dialog.set_queued(len(missing))

        def failed(error: BaseException) -> None:
            if shiboken6.isValid(dialog):
                dialog.set_error(f"Could not queue them: {error}")

        _ = self.ctx.window.tasks.run(
            engine.enqueue(
                missing,
                event_id,
                album_id,
                mirror_folders=dialog.mirror_box.isChecked(),
                root=report.folder,
                label=f"Missing from {os.path.basename(report.folder)}",
            ),
            queued,
            failed,
            name="gallery-compare-upload-missing",
        )


def _target(node: EventNode | AlbumNode) -> tuple[int, int | None]:
    if isinstance(node, AlbumNode):
        return node.event_node.id, node.id
    return node.id, None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
