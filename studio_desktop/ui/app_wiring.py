"""One running GUI: services, background tasks, thumbnails, the main window and its controller.

``run_gui``, the UI tests, the screenshot tool and the benchmark all build the
app through :meth:`GuiSession.open`, so they exercise the same wiring. Closing
happens in the reverse order of building, the uploads first: controller,
upload view and engine, tasks, thumbnails, services (clients, store).
"""

from __future__ import annotations

import asyncio
import logging
from typing import cast

from PySide6.QtWidgets import QApplication

from studio_desktop.core import paths
from studio_desktop.core.config import Endpoints
from studio_desktop.ui import gc_guard, theme
from studio_desktop.ui.close_guard import CHOICE_KEY as CLOSE_CHOICE_KEY
from studio_desktop.ui.close_guard import CloseGuard
from studio_desktop.ui.gallery.controller import GalleryController
from studio_desktop.ui.gallery.grid_model import DEFAULT_PAGE_SIZE
from studio_desktop.ui.gallery.installer import install_gallery_actions
from studio_desktop.ui.gallery.thumbnails import ThumbnailLoader
from studio_desktop.ui.main_window import MainWindow
from studio_desktop.ui.orders.installer import install_orders
from studio_desktop.ui.people.installer import install_people
from studio_desktop.ui.services import Services
from studio_desktop.ui.store_notice import announce_damaged_store
from studio_desktop.ui.tasks import TaskRunner
from studio_desktop.ui.uploads.installer import install_upload_ui
from studio_desktop.ui.wheel_guard import install as install_wheel_guard

log = logging.getLogger(__name__)

#: Key of the chosen colour scheme in the settings file's ``window`` mapping.
COLOR_SCHEME_KEY = "color_scheme"


class GuiSession:
    def __init__(self, services: Services, *, page_size: int = DEFAULT_PAGE_SIZE):
        self.services = services
        install_wheel_guard()
        self.tasks = TaskRunner()
        self.thumbnails = ThumbnailLoader(services.http, paths.current().thumbnail_dir)
        scheme = services.settings.window.get(COLOR_SCHEME_KEY, theme.SYSTEM)
        theme.apply_scheme(cast(QApplication, QApplication.instance()), scheme)
        self.window = MainWindow(self.tasks, self.thumbnails)
        self.window.set_color_scheme_shown(scheme)
        self.window.color_scheme_chosen.connect(self.set_color_scheme)
        self.window.restore_window_state(services.settings.window)
        self.controller = GalleryController(services, self.window, self.tasks, self.thumbnails, page_size=page_size)
        self.uploads = install_upload_ui(self.window, services)
        self.gallery = install_gallery_actions(self.window, services, self.controller)
        self._closed = asyncio.Event()
        self._state_saved = False
        self.window.closing.connect(self._window_closing)
        self.people = install_people(self)
        self.orders = install_orders(self)
        self.close_guard = CloseGuard(
            self.window,
            self.photos_uploading,
            has_tray=lambda: self.uploads.notifier.tray is not None,
            load_choice=lambda: self.services.settings.window.get(CLOSE_CHOICE_KEY),
            save_choice=lambda choice: self.services.update_window_settings({CLOSE_CHOICE_KEY: choice}),
            notify=lambda title, message: self.uploads.notifier.notify(title, message),
        )

    @classmethod
    async def open(
        cls, endpoints: Endpoints, *, start_engine: bool = True, page_size: int = DEFAULT_PAGE_SIZE
    ) -> GuiSession:
        services = await Services.create(endpoints, start_engine=start_engine)
        try:
            session = cls(services, page_size=page_size)
        except BaseException:
            await services.aclose()
            raise
        await session.people.start()
        session.controller.start()
        _ = session.tasks.run(session.thumbnails.prune_disk_cache(), name="prune-thumbnail-cache", quiet=True)
        # The window and its services are built: what exists now lives as long as the app, so the
        # collector walks it once here rather than in a collection while the user works.
        gc_guard.settle()
        return session

    def set_color_scheme(self, scheme: str) -> None:
        """Use and remember ``scheme`` (kept with the window's layout: it is how the window looks)."""
        theme.apply_scheme(cast(QApplication, QApplication.instance()), scheme)
        self.window.set_color_scheme_shown(scheme)
        self.services.update_window_settings({COLOR_SCHEME_KEY: scheme})

    def show(self) -> None:
        self.window.show()
        announce_damaged_store(self.window, self.services.store)

    def photos_uploading(self) -> int:
        """Photos the engine is sending or about to send (0 when paused, stopped or waiting for a sign-in)."""
        engine = self.services.engine
        if engine is None:
            return 0
        snapshot = engine.snapshot()
        if snapshot.in_flight:
            return max(snapshot.pending_files, snapshot.in_flight)
        if snapshot.paused or snapshot.stopped_reason or snapshot.needs_sign_in:
            return 0
        return snapshot.pending_files

    def quit_now(self) -> None:
        """Close without asking (Ctrl+C in the terminal)."""
        self.close_guard.quit()

    def save_state(self) -> None:
        """Write the window layout and grid size to the settings file."""
        window = dict(self.services.settings.window)
        window.update(self.window.window_state())
        try:
            self.services.update_settings(window=window, thumbnail_size=self.window.grid_panel.view.thumbnail_size)
        except ValueError as exc:
            log.warning("The window layout was not saved: %s", exc)
        self._state_saved = True

    def _window_closing(self) -> None:
        self.save_state()
        self._closed.set()

    async def wait_closed(self) -> None:
        await self._closed.wait()

    async def aclose(self) -> None:
        """Stop everything; the window is closed (and its state saved) if it is still open."""
        if not self._state_saved:
            self.save_state()
        self.controller.stop()
        # Uploads first: the engine finishes (or puts back) what it sends while the server,
        # the clients and the view that hears of it are all still there.
        await self.services.stop_uploads()
        await self.tasks.shutdown()
        await self.thumbnails.aclose()
        await self.services.aclose()
        if self.window.isVisible():
            self.window.closing.disconnect(self._window_closing)
            self.close_guard.quit()
