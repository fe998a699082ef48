"""Feeds the main window from ShootProof: studio info, brands, the event tree and the photo grid.

It holds the services; the widgets only show what it hands them and tell it
what the user picked. Every call runs through the :class:`TaskRunner`; a newer
request for the same thing cancels the older one, so a quick brand switch never
shows the first brand's galleries under the second brand's name.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from studio_desktop.api.models import Brand, EventTree, StudioInfo
from studio_desktop.gallery.tree_nodes import AlbumNode, EventNode, GalleryTarget, build_tree
from studio_desktop.ui.gallery.grid_model import DEFAULT_PAGE_SIZE
from studio_desktop.ui.gallery.thumbnails import ThumbnailLoader
from studio_desktop.ui.gallery.tree_model import NodeRole
from studio_desktop.ui.main_window import MainWindow
from studio_desktop.ui.services import Services
from studio_desktop.ui.status_bar import ConnectionState
from studio_desktop.ui.tasks import TaskRunner
from studio_desktop.wording import is_signed_out, plain_message

log = logging.getLogger(__name__)

SIGNED_OUT_MESSAGE = (
    "Not signed in.\n\nSign in to ShootProof (File → Sign In…) to see your galleries, "
    "or start the app with --sandbox to try it with demo data."
)


class GalleryController(QObject):
    """Loads what the window shows. ``tree_loaded`` fires after each event tree is in place."""

    tree_loaded = Signal()
    studio_loaded = Signal(object)
    brands_loaded = Signal(list)

    def __init__(
        self,
        services: Services,
        window: MainWindow,
        tasks: TaskRunner,
        thumbnails: ThumbnailLoader,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        parent: QObject | None = None,
    ):
        super().__init__(parent or window)
        self.services = services
        self.window = window
        self.tasks = tasks
        self.thumbnails = thumbnails
        self.page_size = page_size
        self.studio: StudioInfo | None = None
        self.brands: list[Brand] = []
        self.tree: EventTree | None = None
        self._running: dict[str, asyncio.Task] = {}
        #: Events whose albums' counts were read since the tree was last built (read once, on expand).
        self._album_counts_read: set[int] = set()
        # Found by the upload side, which tells the gallery when photos landed.
        services.extras["gallery"] = self

        panel = window.tree_panel
        panel.tree.expanded.connect(self._expanded)
        panel.model.modelReset.connect(self._album_counts_read.clear)
        panel.brand_selected.connect(self._brand_selected)
        window.current_target_changed.connect(self._target_changed)
        window.actions.refresh.triggered.connect(self.refresh)
        tasks.connection_problem.connect(self._connection_problem)
        tasks.succeeded.connect(self._call_succeeded)
        window.grid_panel.thumbnail_size_changed.connect(self._thumbnail_size_changed)
        window.grid_model.page_loaded.connect(self._grid_counted)
        window.grid_panel.set_thumbnail_size(services.settings.thumbnail_size)

    # --- starting and refreshing -------------------------------------------------------------

    def start(self) -> None:
        """Show the signed-out state, or load studio, brands and the tree.

        Plan usage and connection news from uploads reach the status bar through the
        upload UI, which follows the engine when a new sign-in replaces it.
        """
        if not self.services.signed_in:
            self._show_signed_out()
            return
        self.window.grid_panel.set_signed_in(True)
        self.window.status.set_connection(ConnectionState.CONNECTING)
        self._load_studio()
        self._load_brands()

    def refresh(self) -> None:
        """F5: everything again, keeping the selection; also retry thumbnails that failed."""
        if not self.services.signed_in:
            self._show_signed_out()
            return
        self.thumbnails.forget_failures()
        self._load_studio()
        self._load_brands()
        if self.window.grid_model.target is not None:
            self.window.grid_model.reload()

    def _show_signed_out(self) -> None:
        status = self.window.status
        status.set_connection(ConnectionState.SIGNED_OUT)
        status.set_account(None)
        status.set_brand(None)
        status.set_plan(None, None)
        self.window.set_studio_name(None)
        self.window.tree_panel.set_brands([])
        self.window.tree_panel.clear(SIGNED_OUT_MESSAGE)
        self.window.grid_model.clear()
        self.window.grid_panel.set_signed_in(False)

    def _launch(self, key: str, coro: Any, on_result, on_error=None, *, quiet: bool = False) -> asyncio.Task | None:
        previous = self._running.pop(key, None)
        if previous is not None and not previous.done():
            previous.cancel()
        try:
            task = self.tasks.run(coro, on_result, on_error, name=key, quiet=quiet)
        except RuntimeError:  # shutting down
            return None
        self._running[key] = task
        return task

    # --- studio ------------------------------------------------------------------------------------

    def _load_studio(self) -> None:
        client = self.services.shootproof
        assert client is not None  # loads start only while signed in
        self._launch("studio-info", client.studio_info(), self._studio_arrived, quiet=True)

    def _studio_arrived(self, info: StudioInfo) -> None:
        self.studio = info
        user = " ".join(part for part in (info.user.first_name, info.user.last_name) if part) if info.user else ""
        self.window.status.set_account(info.name, user or None)
        self.window.set_studio_name(info.name)
        plan = info.plan
        self.window.status.set_plan(plan.used if plan else None, plan.allowed if plan else None)
        self.studio_loaded.emit(info)

    # --- brands and the tree ---------------------------------------------------------------------

    def _load_brands(self) -> None:
        client = self.services.shootproof
        assert client is not None  # loads start only while signed in
        self._launch("brands", client.brand_get_list(), self._brands_arrived, self._tree_failed)

    def _brands_arrived(self, brands: list[Brand]) -> None:
        self.brands = list(brands)
        self.brands_loaded.emit(self.brands)
        if not brands:
            self.window.tree_panel.set_brands([])
            self.window.tree_panel.clear("This studio has no brands yet. Create one on the ShootProof website.")
            return
        wanted = self.services.settings.selected_brand_id
        chosen = (
            next((b for b in brands if b.id == wanted), None)
            or next((b for b in brands if b.is_default), None)
            or brands[0]
        )
        self.window.tree_panel.set_brands(brands, chosen.id)
        self._load_tree(chosen)

    def current_brand(self) -> Brand | None:
        brand_id = self.window.tree_panel.current_brand_id()
        return next((b for b in self.brands if b.id == brand_id), None)

    def _brand_selected(self, brand_id: int) -> None:
        brand = next((b for b in self.brands if b.id == brand_id), None)
        if brand is None:
            return
        if self.services.settings.selected_brand_id != brand_id:
            self.services.update_settings(selected_brand_id=brand_id)
        self.window.grid_model.clear()
        self.window.tree_panel.clear("Loading galleries…")
        self._load_tree(brand)

    def _load_tree(self, brand: Brand) -> None:
        self.window.status.set_brand(brand.name)
        if not self.window.tree_panel.model.event_count():
            self.window.tree_panel.show_message("Loading galleries…")
        client = self.services.shootproof
        assert client is not None  # loads start only while signed in
        self._launch(
            "event-tree",
            client.brand_get_event_tree(brand.id),
            lambda tree: self._tree_arrived(brand, tree),
            self._tree_failed,
        )

    def _tree_arrived(self, brand: Brand, tree: EventTree) -> None:
        if self.window.tree_panel.current_brand_id() != brand.id:
            return
        self.tree = tree
        self.window.tree_panel.set_tree(build_tree(tree, brand))
        self.tree_loaded.emit()

    def _tree_failed(self, error: BaseException) -> None:
        message = plain_message(error)
        self.window.status.show_error(message)
        if is_signed_out(error):
            self._show_signed_out()
            return
        if not self.window.tree_panel.model.event_count():
            self.window.tree_panel.show_message(f"{message}\n\nPress F5 to try again.")

    # --- the grid ----------------------------------------------------------------------------------

    def _target_changed(self, target: GalleryTarget | None) -> None:
        model = self.window.grid_model
        if target == model.target:
            return
        client = self.services.shootproof
        if target is None or client is None:
            model.clear()
            return
        limit = self.page_size
        if target.album_id is not None:
            album_id = target.album_id

            def fetch(page: int):
                return client.album_get_photos(album_id, page=page, limit=limit)
        else:
            event_id = target.event_id

            def fetch(page: int):
                return client.event_get_photos(event_id, page=page, limit=limit)

        model.set_source(target, fetch)

    # --- photo counts ---------------------------------------------------------------------------------

    def _expanded(self, proxy_index) -> None:
        """Album counts (and the studio's album order) come with ``sp.album.get_list``: read when first opened."""
        node = proxy_index.data(NodeRole)
        if isinstance(node, AlbumNode):
            node = node.event_node
        if isinstance(node, EventNode) and node.id not in self._album_counts_read:
            self._read_album_counts(node.id)

    def _read_album_counts(self, event_id: int) -> None:
        client = self.services.shootproof
        if client is None:
            return
        self._album_counts_read.add(event_id)

        def failed(_error: BaseException) -> None:
            self._album_counts_read.discard(event_id)  # try again on the next expand

        self._launch(
            f"album-counts-{event_id}",
            client.album_get_list(event_id),
            lambda albums: self.window.tree_panel.model.set_photo_counts(event_id, albums=albums),
            failed,
            quiet=True,
        )

    def photos_landed(self, event_id: int, *, new_albums: bool = False) -> None:
        """Uploads finished in ``event_id``: counts read again; with ``new_albums`` the tree is built again.

        The grid is left alone: the upload side adds the new photos to it as they land.
        """
        client = self.services.shootproof
        if client is None or not self.services.signed_in:
            return
        self._load_studio()  # the plan's usage
        if new_albums:
            brand = self.current_brand()
            if brand is not None:
                self._load_tree(brand)
            return
        self._launch(
            f"event-count-{event_id}",
            client.event_info(event_id),
            lambda event: self.window.tree_panel.model.set_photo_counts(event_id, event.photo_count),
            quiet=True,
        )
        if event_id in self._album_counts_read:
            self._read_album_counts(event_id)

    def _grid_counted(self, _page: int) -> None:
        """The shown gallery's count as its grid just read it: the tree says the same at once.

        During an upload the grid follows the photos as they land; without this the tree's
        count waited for the batch's end, and the two disagreed on screen meanwhile.
        """
        model = self.window.grid_model
        target, total = model.target, model.total_results
        if target is not None and target.album_id is None and total is not None:
            self.window.tree_panel.model.set_photo_counts(target.event_id, total)

    def _thumbnail_size_changed(self, size: int) -> None:
        self.services.settings = self.services.settings.replace(thumbnail_size=size)

    # --- connection state ----------------------------------------------------------------------

    def _connection_problem(self, kind: str) -> None:
        if kind == "signed_out":
            self.window.status.set_connection(ConnectionState.SIGNED_OUT)
        elif kind == "offline":
            self.window.status.set_connection(ConnectionState.OFFLINE)

    def _call_succeeded(self) -> None:
        if self.services.signed_in and self.window.status.state in (
            ConnectionState.CONNECTING,
            ConnectionState.OFFLINE,
        ):
            self.window.status.set_connection(ConnectionState.ONLINE)

    def stop(self) -> None:
        for task in self._running.values():
            task.cancel()
        self._running.clear()
