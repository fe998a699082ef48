"""Hot folders in the window: their watchers follow the engine, and the dialog lists, adds, edits and removes them.

The watchers (:class:`HotFolderManager`) feed one engine; when the engine is
replaced they are stopped in the background and new ones start for the new
engine. Without an engine the saved folders are still listed and edited, from the
store (:class:`HotFolderRepository`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from studio_desktop.ui.uploads.controller import UploadController, current_target, make_action, target_name
from studio_desktop.ui.uploads.hot_folders_dialog import HotFolderEditor, HotFoldersDialog
from studio_desktop.uploads.hotfolders import summary as hotfolder_summary
from studio_desktop.uploads.hotfolders.events import (
    HotFolderBatch,
    HotFolderChangedAfterUpload,
    HotFolderProblem,
    HotFolderRecovered,
    HotFolderStarted,
)
from studio_desktop.uploads.hotfolders.manager import HotFolderManager
from studio_desktop.uploads.hotfolders.store import HotFolderConfigError, HotFolderRepository, SavedHotFolder
from studio_desktop.wording import plain_message

if TYPE_CHECKING:
    from studio_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)

HOT_FOLDER_REFRESH_MS = 500


class HotFolders(QObject):
    """Runs the hot-folder watchers of the current engine and the Hot Folders dialog."""

    changed = Signal()

    def __init__(
        self,
        window: MainWindow,
        services: Any,
        controller: UploadController,
        notifier: Any,
        *,
        watcher_options: dict[str, Any] | None = None,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.window = window
        self.services = services
        self.controller = controller
        self.notifier = notifier
        self.watcher_options = dict(watcher_options or {})
        self.manager: HotFolderManager | None = None
        # Managers of earlier engines: stopped in the background, and again (to be sure) by aclose.
        self._retired: list[HotFolderManager] = []
        self._unsubscribe: Callable[[], None] | None = None
        self._problems: dict[int, str] = {}
        self.dialog: HotFoldersDialog | None = None
        self.editor: HotFolderEditor | None = None
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(HOT_FOLDER_REFRESH_MS)
        self._refresh_timer.timeout.connect(self._refresh_activity)
        self.action = make_action(
            window,
            "hot_folders",
            "&Hot Folders…",
            "Ctrl+H",
            "Folders whose new photos are uploaded by themselves",
            self.show,
        )
        controller.engine_bound.connect(self.follow)

    # --- the watchers -------------------------------------------------------------------------------

    def follow(self, engine: Any) -> None:
        """Stop the watchers of the engine before and start those of ``engine``."""
        self._stop()
        if engine is not None:
            self._start(engine)

    def _start(self, engine: Any) -> None:
        store = self.services.store
        if store is None:
            return
        manager = HotFolderManager(store, engine, self.services.shootproof, watcher_options=self.watcher_options)
        self._unsubscribe = manager.subscribe(self._event)
        self.manager = manager
        self.controller.run(manager.start(), self._started, name="hot-folders-start")

    def _started(self, started: list[SavedHotFolder]) -> None:
        if started:
            log.info("watching %d hot folder(s)", len(started))
        self.changed.emit()
        self._reload()

    def _stop(self) -> None:
        manager, self.manager = self.manager, None
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if manager is not None:
            self._retired.append(manager)
            self.controller.run(manager.stop(), name="hot-folders-stop")

    def _event(self, hot_id: int, event: Any) -> None:
        if isinstance(event, HotFolderProblem):
            self._problems[hot_id] = event.message
            self.window.status.show_error(f"Hot folder {event.folder.name}: {event.message}")
        elif isinstance(event, (HotFolderRecovered, HotFolderStarted)):
            self._problems.pop(hot_id, None)
        elif isinstance(event, HotFolderChangedAfterUpload):
            self.notifier.notify("Photo changed after upload", event.message)
        elif isinstance(event, HotFolderBatch):
            self.controller.busy()
        if self.dialog is not None:
            self._refresh_activity()

    def _repository(self) -> Any:
        if self.manager is not None:
            return self.manager
        return HotFolderRepository(self.services.store)

    def activity(self, hot: SavedHotFolder) -> tuple[str, str | None]:
        """What a hot folder is doing: ``("watching", None)``, ``("uploading 3", None)``, ``("off", None)``..."""
        problem = self._problems.get(hot.id) if hot.id is not None else None
        if not hot.enabled:
            return "off", None
        manager = self.manager
        if manager is None:
            return "starts after signing in", None
        watcher = manager.watcher(hot.id) if hot.id is not None else None
        if watcher is None:
            return "not running", problem
        busy = watcher.in_flight + watcher.pending
        if busy:
            text = f"uploading {busy}"
        elif watcher.watching:
            text = "watching (polling)" if watcher.observer_kind == "polling" else "watching"
        else:
            text = "waiting for the folder"
        done = hotfolder_summary.status(watcher.counts)
        if done:
            text += f" · {done}"
        return text, problem

    # --- the dialog ---------------------------------------------------------------------------------------

    def show(self) -> HotFoldersDialog:
        if self.dialog is not None:
            self.dialog.show()
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        dialog = HotFoldersDialog(lambda event_id, album_id: target_name(self.window, event_id, album_id), self.window)
        dialog.add_requested.connect(lambda: self._edit(None))
        dialog.edit_requested.connect(self._edit)
        dialog.remove_requested.connect(self._remove)
        dialog.enabled_toggled.connect(self._toggle)
        dialog.finished.connect(self._dialog_closed)
        self.dialog = dialog
        dialog.show()
        self._reload()
        self._refresh_timer.start()
        return dialog

    def _dialog_closed(self, _result: int = 0) -> None:
        self.dialog = None
        self._refresh_timer.stop()

    def _reload(self) -> None:
        if self.dialog is None or self.services.store is None:
            return

        def listed(folders: list[SavedHotFolder]) -> None:
            if self.dialog is not None:
                self.dialog.set_folders(folders)
                self._refresh_activity()

        self.controller.run(self._repository().list(), listed, name="hot-folders-list")

    def _refresh_activity(self) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        for hot in dialog.folders():
            if hot.id is not None:  # the dialog lists saved folders only
                dialog.set_activity(hot.id, *self.activity(hot))

    def _edit(self, hot: SavedHotFolder | None) -> None:
        parent = self.dialog or self.window
        editor = HotFolderEditor(
            self.window.tree_panel.model,
            hot=hot,
            default_target=current_target(self.window),
            default_settle=self.services.settings.hot_folder_settle_seconds,
            parent=parent,
        )
        editor.submitted.connect(lambda saved: self._save(editor, saved))
        editor.finished.connect(lambda _result: setattr(self, "editor", None))
        self.editor = editor
        editor.open()

    def _save(self, editor: HotFolderEditor, hot: SavedHotFolder) -> None:
        repository = self._repository()
        coro = repository.update(hot) if hot.id is not None else repository.add(hot)

        def saved(result: SavedHotFolder) -> None:
            if self.editor is editor:
                editor.accept()
            self._reload()
            self.changed.emit()
            if self.dialog is not None:
                self.dialog.select(result.id)
            self.window.status.show_info(f"Hot folder {result.folder} saved.")

        def failed(exc: BaseException) -> None:
            if self.editor is editor:
                editor.show_error(str(exc) if isinstance(exc, HotFolderConfigError) else plain_message(exc))

        self.controller.run(coro, saved, failed, name="hot-folder-save")

    def _toggle(self, hot_id: int, enabled: bool) -> None:
        def done(result: SavedHotFolder | None) -> None:
            self._reload()
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            if self.dialog is not None:
                self.dialog.set_enabled_checked(hot_id, not enabled)
                self.dialog.show_problem(plain_message(exc))

        self.controller.run(self._repository().set_enabled(hot_id, enabled), done, failed, name="hot-folder-toggle")

    def _remove(self, hot: SavedHotFolder) -> None:
        def done(_removed: bool) -> None:
            if hot.id is not None:
                self._problems.pop(hot.id, None)
            self._reload()
            self.changed.emit()
            self.window.status.show_info(f"{hot.folder} is no longer a hot folder.")

        self.controller.run(self._repository().remove(hot.id), done, name="hot-folder-remove")

    # --- shutting down -------------------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Stop every watcher, of this engine and of earlier ones."""
        self._refresh_timer.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        managers = [*self._retired, *([self.manager] if self.manager is not None else [])]
        self.manager = None
        self._retired.clear()
        for manager in managers:
            try:
                await manager.stop()
            except Exception:
                log.exception("hot folders did not stop cleanly")
