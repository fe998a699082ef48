"""Choosing what to upload: the file and folder dialogs, drops on the tree and the grid, and queueing them.

A drop holding folders asks whether to mirror subfolders as albums, unless the
user chose once for all (``MIRROR_KEY``, kept with the window's preferences).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget, QFileDialog, QStyle

from studio_desktop.core.settings import SettingsError
from studio_desktop.gallery.tree_nodes import GalleryTarget
from studio_desktop.ui import icons
from studio_desktop.ui.uploads.controller import UploadController, current_target, make_action
from studio_desktop.ui.uploads.drop_handler import (
    MIRROR_ASK,
    MIRROR_NO,
    MIRROR_YES,
    MirrorQuestion,
    TreeDropFilter,
    look_at,
)
from studio_desktop.ui.uploads.shape_dialog import remembered_shape
from studio_desktop.uploads.texts import plural, quoted, shape_words
from studio_desktop.wording import plain_message

if TYPE_CHECKING:
    from studio_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)

#: The remembered answer to "Mirror subfolders as albums?" (a UI preference, kept with the window's).
MIRROR_KEY = "upload_mirror_folders"


def mirror_choice(services: Any) -> str:
    value = services.settings.window.get(MIRROR_KEY, MIRROR_ASK)
    return value if value in (MIRROR_ASK, MIRROR_YES, MIRROR_NO) else MIRROR_ASK


def set_mirror_choice(services: Any, choice: str) -> None:
    if choice in (MIRROR_ASK, MIRROR_YES, MIRROR_NO) and choice != mirror_choice(services):
        services.update_window_settings({MIRROR_KEY: choice})


class Choosing(QObject):
    """Turns chosen or dropped files into queued uploads for the selected gallery or album."""

    def __init__(
        self,
        window: MainWindow,
        services: Any,
        controller: UploadController,
        dock: QDockWidget,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.window = window
        self.services = services
        self.controller = controller
        self.dock = dock
        self.mirror_question: MirrorQuestion | None = None
        #: Uploads whose paths are being looked at in a worker thread (kept, so none is collected).
        self.looking: set[asyncio.Task] = set()
        self.tree_drops = TreeDropFilter(window.tree_panel.tree, self)
        self.tree_drops.dropped.connect(self.upload)
        window.grid_view.files_dropped.connect(self._grid_dropped)
        self.upload_photos_action = make_action(
            window,
            "upload_photos",
            "&Upload Photos…",
            "Ctrl+U",
            "Upload photos to the selected gallery or album",
            self.choose_files,
        )
        self.upload_photos_action.setIcon(icons.upload_icon())
        self.upload_folder_action = make_action(
            window,
            "upload_folder",
            "Upload a &Folder…",
            "Ctrl+Shift+U",
            "Upload a whole folder to the selected gallery",
            self.choose_folder,
            QStyle.StandardPixmap.SP_DirOpenIcon,
        )
        controller.engine_bound.connect(self._engine_bound)

    def _engine_bound(self, engine: Any) -> None:
        for action in (self.upload_photos_action, self.upload_folder_action):
            action.setEnabled(engine is not None)

    def upload(
        self, paths: Sequence[Path | str], target: GalleryTarget, mirror: bool | None = None
    ) -> asyncio.Task | None:
        """Queue ``paths`` for ``target``. With subfolders among them and no ``mirror`` given, ask first.

        The disk is looked at in a worker thread (a card reader or a NAS share can take
        100 ms a ``stat``), then the question is asked or the paths queued on the loop.
        Returns that task, whose result is True once queued (False when nothing was:
        everything vanished, the question is pending, the engine went), or None when
        nothing can start (no engine, nothing given, shutting down).
        """
        return self._start([Path(p) for p in paths], target, mirror)

    def _start(
        self, files: list[Path], target: GalleryTarget, mirror: bool | None, *, recent: bool = False
    ) -> asyncio.Task | None:
        if not files:
            return None
        if self.controller.engine is None:
            self.window.status.show_error("Sign in to ShootProof to upload photos.")
            return None
        task = self.controller.run(self._look_then_upload(files, target, mirror, recent), name="upload-look")
        if task is not None:
            self.looking.add(task)
            task.add_done_callback(self.looking.discard)
        return task

    async def _look_then_upload(
        self, files: list[Path], target: GalleryTarget, mirror: bool | None, recent: bool
    ) -> bool:
        looked = await asyncio.to_thread(look_at, files, subfolders=mirror is None)
        if not looked.existing:
            gone = quoted(files[0].name or str(files[0])) if len(files) == 1 else plural(len(files), "item")
            self.window.status.show_error(f"Nothing was uploaded: {gone} is no longer there.")
            return False
        if recent:
            first = files[0]
            self._remember_recent(first if first in looked.folders else first.parent)
        if mirror is None and looked.subfolder:
            choice = self.mirror_choice()
            if choice == MIRROR_ASK:
                self._ask_mirror(files, target, looked.folders)
                return False
            mirror = choice == MIRROR_YES
        return self._enqueue(files, target, bool(mirror))

    def _enqueue(self, files: list[Path], target: GalleryTarget, mirror: bool) -> bool:
        engine = self.controller.engine
        if engine is None:
            self.window.status.show_error("Sign in to ShootProof to upload photos.")
            return False
        self.dock.show()
        self.dock.raise_()
        shape = remembered_shape(self.services, target)
        # The target's Upload Options apply to every drop on it: said, so a left-out photo is no surprise.
        applied = f" ({'; '.join(shape_words(shape))})" if shape.active else ""
        self.window.status.show_info(
            f"Adding {plural(len(files), 'item')} to the upload queue for {quoted(target.display_name)}{applied}…"
        )
        self.controller.run(
            engine.enqueue(
                [os.fspath(p) for p in files],
                target.event_id,
                target.album_id,
                mirror_folders=mirror,
                label=target.display_name,
                shape=shape,
            ),
            # Replace the "Adding…" line, which would otherwise linger after the work is done.
            on_result=lambda _batch: self.window.status.show_info(
                f"Queued for {quoted(target.display_name)}{applied} — progress is in Uploads below."
            ),
            on_error=lambda exc: self.window.status.show_error(f"Could not queue the upload: {plain_message(exc)}"),
            name="upload-enqueue",
        )
        return True

    def _grid_dropped(self, paths: list[Path]) -> None:
        target = self.window.grid_model.target or self.window.current_target()
        if target is not None:
            self.upload(paths, target)

    def mirror_choice(self) -> str:
        return mirror_choice(self.services)

    def set_mirror_choice(self, choice: str) -> None:
        set_mirror_choice(self.services, choice)

    def _ask_mirror(self, paths: list[Path], target: GalleryTarget, folders: list[Path]) -> None:
        box = MirrorQuestion(target, folders, self.window, shape_words(remembered_shape(self.services, target)))
        self.mirror_question = box

        def answered(mirror: bool, remember: bool) -> None:
            if remember:
                self.set_mirror_choice(MIRROR_YES if mirror else MIRROR_NO)
            self.upload(paths, target, mirror)  # looked at again: the folder may have gone meanwhile

        box.answered.connect(answered)
        box.finished.connect(lambda _result: setattr(self, "mirror_question", None))
        box.open()

    def choose_files(self) -> asyncio.Task | None:
        """Open the file dialog (once the remembered folder is checked, off the UI thread)."""
        target = self._target_or_explain()
        if target is None:
            return None
        return self.controller.run(self._open_dialog(target, folder=False), name="upload-choose-files")

    def choose_folder(self) -> asyncio.Task | None:
        target = self._target_or_explain()
        if target is None:
            return None
        return self.controller.run(self._open_dialog(target, folder=True), name="upload-choose-folder")

    async def _open_dialog(self, target: GalleryTarget, *, folder: bool) -> None:
        start = await self.start_folder()
        if folder:
            dialog = QFileDialog(self.window, f"Upload a folder to {quoted(target.display_name)}", start)
            dialog.setObjectName("uploadFolderDialog")
            dialog.setFileMode(QFileDialog.FileMode.Directory)
            dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
            dialog.fileSelected.connect(lambda chosen: self._chosen([Path(chosen)], target) if chosen else None)
        else:
            dialog = QFileDialog(self.window, f"Upload photos to {quoted(target.display_name)}", start)
            dialog.setObjectName("uploadFilesDialog")
            dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
            dialog.setNameFilters(["JPEG photos (*.jpg *.jpeg *.jpe *.JPG *.JPEG *.JPE)", "All files (*)"])
            dialog.filesSelected.connect(lambda files: self._chosen([Path(f) for f in files], target))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _chosen(self, paths: list[Path], target: GalleryTarget) -> asyncio.Task | None:
        """Upload what a dialog chose, and remember its folder among the recent ones."""
        return self._start(paths, target, None, recent=True)

    def _remember_recent(self, folder: Path) -> None:
        try:
            self.services.update_settings(
                recent_folders=self.services.settings.with_recent_folder(folder).recent_folders
            )
        except SettingsError as exc:
            log.warning("recent folder not remembered: %s", exc)

    async def start_folder(self) -> str:
        """The first remembered folder still there (looked for in a worker thread), else home."""
        recent = list(self.services.settings.recent_folders)
        return await asyncio.to_thread(lambda: next((f for f in recent if os.path.isdir(f)), str(Path.home())))

    def _target_or_explain(self) -> GalleryTarget | None:
        if self.controller.engine is None:
            self.window.status.show_error("Sign in to ShootProof to upload photos.")
            return None
        target = current_target(self.window)
        if target is None:
            self.window.status.show_error("Choose a gallery or album on the left first, then upload into it.")
        return target
