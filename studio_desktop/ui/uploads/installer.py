"""The upload side of the window: :func:`install_upload_ui` adds the queue dock and wires the upload controllers.

The controllers hold the services; the widgets they make only show things and
emit signals. They reach the window only through its public parts: ``actions``,
``menu()``, ``toolbar``, ``add_side_panel()``, ``tree_panel``,
``grid_view``/``grid_model``, ``status`` and ``tasks``.

- :mod:`.controller`: engine binding, the repaint tick, queue commands
- :mod:`.choosing`: file and folder dialogs, drops, queueing
- :mod:`.hot_folders`: the watchers and the Hot Folders dialog
- :mod:`.upload_settings`: Upload Settings
- :mod:`.announcements`: notifications about finished batches and stops

The services announce a new engine (``engineChanged``); the controller rebinds
and tells the others (``engine_bound``).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget

from studio_desktop.ui.main_window import STATE_KEY
from studio_desktop.ui.uploads.announcements import HOT_FOLDER_QUIET_MS, Announcements
from studio_desktop.ui.uploads.choosing import Choosing
from studio_desktop.ui.uploads.controller import FolderOpener, UploadController, target_name
from studio_desktop.ui.uploads.gallery_follow import GalleryFollower
from studio_desktop.ui.uploads.hot_folders import HotFolders
from studio_desktop.ui.uploads.notifier import UploadNotifier
from studio_desktop.ui.uploads.queue_dock import UploadQueuePanel
from studio_desktop.ui.uploads.queue_model import UploadQueueModel
from studio_desktop.ui.uploads.upload_settings import UploadSettings
from studio_desktop.uploads.records import queue as q

if TYPE_CHECKING:
    from studio_desktop.ui.main_window import MainWindow

DOCK_NAME = "uploads"
#: Like a browser's downloads list: shows or hides the upload queue.
UPLOADS_PANEL_SHORTCUT = "Ctrl+J"
FIRST_DOCK_HEIGHT = 210


class UploadUi(QObject):
    """The upload side of one main window: its widgets and controllers. Make it with :func:`install_upload_ui`."""

    def __init__(
        self,
        window: MainWindow,
        services: Any,
        *,
        tasks: Any = None,
        use_tray: bool | None = None,
        open_folder: FolderOpener | None = None,
        hot_folder_options: dict[str, Any] | None = None,
        hot_folder_quiet_ms: int = HOT_FOLDER_QUIET_MS,
    ):
        super().__init__(window)
        self.window = window
        self.services = services
        self.tasks = tasks or window.tasks
        self._closed = False
        self.model = UploadQueueModel(services.store, self._run_quietly, partial(target_name, window), parent=self)
        self.panel = UploadQueuePanel(self.model)
        self.dock: QDockWidget = window.add_side_panel(
            self.panel, "Uploads", Qt.DockWidgetArea.BottomDockWidgetArea, name=DOCK_NAME
        )
        if not services.settings.window.get(STATE_KEY):
            # First start: room for a dozen rows; later the saved layout decides.
            window.resizeDocks([self.dock], [FIRST_DOCK_HEIGHT], Qt.Orientation.Vertical)
        self.notifier = UploadNotifier(window, use_tray=use_tray, parent=self)
        self.gallery_follower = GalleryFollower(window.grid_model, self._read_batch, self)

        self.controller = UploadController(
            window,
            services,
            self.tasks,
            self.model,
            self.panel,
            self.notifier,
            self.gallery_follower,
            open_folder=open_folder,
            parent=self,
        )
        self.choosing = Choosing(window, services, self.controller, self.dock, parent=self)
        self.hot_folders = HotFolders(
            window, services, self.controller, self.notifier, watcher_options=hot_folder_options, parent=self
        )
        self.settings = UploadSettings(window, services, self.controller, parent=self)
        self.announcements = Announcements(
            window, services, self.controller, self.notifier, quiet_ms=hot_folder_quiet_ms, parent=self
        )
        self._build_menu()
        services.engineChanged.connect(self.controller.bind_engine)
        self.controller.bind_engine(services.engine)
        self.controller.start()

    def _run_quietly(self, coro: Any, on_result: Any, on_error: Any) -> Any:
        return self.tasks.run(coro, on_result, on_error, quiet=True)

    def _read_batch(self, batch_id: int, on_result: Any) -> None:
        store = self.services.store
        if store is not None:
            self._run_quietly(store.read(q.get_batch, batch_id), on_result, lambda _error: None)

    def _build_menu(self) -> None:
        window = self.window
        menu = window.menu("uploads", "&Uploads")
        menu.addAction(self.choosing.upload_photos_action)
        menu.addAction(self.choosing.upload_folder_action)
        menu.addSeparator()
        menu.addAction(self.controller.pause_action)
        toggle = self.dock.toggleViewAction()
        toggle.setText("Upload &Queue")
        toggle.setShortcut(QKeySequence(UPLOADS_PANEL_SHORTCUT))
        toggle.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        toggle.setStatusTip("Show or hide the upload queue")
        toggle.setToolTip(f"Show or hide the upload queue ({UPLOADS_PANEL_SHORTCUT})")
        window.actions.add("show_uploads", toggle)
        menu.addAction(toggle)
        menu.addSeparator()
        menu.addAction(self.hot_folders.action)
        menu.addAction(self.settings.action)
        toolbar = getattr(window, "toolbar", None)
        if toolbar is not None:
            toolbar.addSeparator()
            toolbar.addAction(self.choosing.upload_photos_action)
            toolbar.addAction(self.controller.pause_action)

    async def aclose(self) -> None:
        """Stop the timers and the hot folders (queued uploads stay in the store for next time)."""
        if self._closed:
            return
        self._closed = True
        self.services.engineChanged.disconnect(self.controller.bind_engine)
        self.controller.close()
        self.announcements.close()
        await self.hot_folders.aclose()
        self.notifier.close()


def install_upload_ui(window: MainWindow, services: Any, **options: Any) -> UploadUi:
    """Add the upload side to ``window``; it is stopped with the services (``services.extras``)."""
    ui = UploadUi(window, services, **options)
    services.extras["upload_ui"] = ui
    return ui
