"""What every gallery command needs: the window, the signed-in client, background tasks, messages and sync.

The window and its parts belong to the shell; this only calls their public
setters (``status.show_info``/``show_error``, ``tree_panel.set_tree``,
``tree.select``, ``grid_model.reload``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar, cast

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from studio_desktop.api.models import Brand, Event, EventTree
from studio_desktop.gallery.tree_nodes import build_tree
from studio_desktop.ui.gallery.failures import Failure, Subject, describe

if TYPE_CHECKING:
    from studio_desktop.api.shootproof import ShootProofClient
    from studio_desktop.gallery.tree_nodes import EventNode
    from studio_desktop.ui.gallery.controller import GalleryController
    from studio_desktop.ui.main_window import MainWindow
    from studio_desktop.ui.services import Services

log = logging.getLogger(__name__)

NOT_SIGNED_IN = "Sign in to ShootProof first (File → Sign In…)."
Events = tuple[Event, ...]
W = TypeVar("W", bound=QWidget)
UrlOpener = Callable[[str], Any]


def open_in_browser(url: str) -> bool:
    return QDesktopServices.openUrl(QUrl(url))


class NotSignedIn(RuntimeError):
    pass


class GalleryContext(QObject):
    """Shared by the event, album and photo commands. ``tree_synced`` fires after each tree update."""

    tree_synced = Signal()

    def __init__(
        self,
        window: MainWindow,
        services: Services,
        controller: GalleryController | None,
        open_url: UrlOpener | None = None,
    ):
        super().__init__(window)
        self.window = window
        self.services = services
        self.controller = controller
        self.open_url: UrlOpener = open_url or open_in_browser
        self._reload: asyncio.Task | None = None
        self._problem_box: QMessageBox | None = None
        #: The dialog (or message box) a command opened most recently: for tests and screenshots.
        self.last_dialog: QWidget | None = None

    # --- the client and background work -----------------------------------------------------

    @property
    def client(self) -> ShootProofClient:
        client = self.services.shootproof
        if client is None:
            raise NotSignedIn(NOT_SIGNED_IN)
        return client

    @property
    def signed_in(self) -> bool:
        return self.services.shootproof is not None

    def run(
        self,
        make: Callable[[ShootProofClient], Coroutine[Any, Any, Any]],
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], object] | None = None,
        *,
        name: str,
    ) -> asyncio.Task | None:
        """Start ``make(client)`` in the background; None when signed out (said) or shutting down."""
        try:
            coro = make(self.client)
        except NotSignedIn:
            self.problem(NOT_SIGNED_IN)
            return None
        try:
            return self.window.tasks.run(coro, on_result, on_error, name=name)
        except RuntimeError:  # the app is closing
            return None

    def remember(self, dialog: W) -> W:
        self.last_dialog = dialog
        return dialog

    # --- messages -------------------------------------------------------------------------------

    def open_link(self, url: str) -> None:
        """Open ``url`` in the browser; when no browser opens, say so and put the link on the clipboard."""
        if self.open_url(url) is not False:
            return
        QGuiApplication.clipboard().setText(url)
        self.problem("No web browser could be opened. The link is on the clipboard: paste it into a browser.")

    def info(self, text: str) -> None:
        self.window.status.show_info(text)

    def problem(self, text: str, *, box: bool = True) -> None:
        """Say what went wrong in the status bar and, for a command the user gave, in a (non-modal) box."""
        self.window.status.show_error(text)
        if not box:
            return
        existing = self._problem_box
        if existing is not None and existing.isVisible():
            existing.setText(text)
            return
        message = QMessageBox(
            QMessageBox.Icon.Warning, "Studio Desktop", text, QMessageBox.StandardButton.Ok, self.window
        )
        message.setObjectName("galleryProblem")
        message.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        message.destroyed.connect(lambda *_: setattr(self, "_problem_box", None))
        self._problem_box = message
        message.open()

    @property
    def problem_box(self) -> QMessageBox | None:
        box = self._problem_box
        return box if box is not None and box.isVisible() else None

    def failed(self, error: BaseException, subject: Subject | None = None, *, doing: str | None = None) -> Failure:
        """Report a failed command in plain words; refresh the tree when it may no longer match the server."""
        failure = describe(error, subject)
        text = failure.message if doing is None or failure.refresh else f"{doing} failed: {failure.message}"
        log.info("%s: %s", doing or "Gallery command", error)
        self.problem(text)
        if failure.refresh:
            # A gone gallery or album leaves the tree on reload, which clears the grid; a gone photo needs the grid.
            self.reload_tree()
            if subject is None or subject.kind == "photo":
                self.reload_grid()
        return failure

    # --- keeping the tree and grid in step with the server -------------------------------------

    @property
    def brand(self) -> Brand | None:
        return self.window.tree_panel.model.root.brand

    def brands(self) -> list[Brand]:
        return list(self.controller.brands) if self.controller is not None else ([self.brand] if self.brand else [])

    def events(self) -> Events:
        # the root's children are the event nodes
        return tuple(cast("EventNode", node).event for node in self.window.tree_panel.model.root.children)

    def apply(self, edit: Callable[[Events], Events], *, select: tuple[str, int] | None = None) -> None:
        """Show the tree changed by ``edit`` (a change the server already confirmed)."""
        brand = self.brand
        if brand is None:
            self.reload_tree(select=select)
            return
        self._show(EventTree(brand_id=brand.id, events=edit(self.events())), brand, select)

    def _show(self, tree: EventTree, brand: Brand, select: tuple[str, int] | None) -> None:
        panel = self.window.tree_panel
        panel.set_tree(build_tree(tree, brand))
        if self.controller is not None:
            self.controller.tree = tree
        if select is not None:
            panel.tree.select(*select)
        self.tree_synced.emit()

    def reload_tree(self, *, select: tuple[str, int] | None = None) -> None:
        """Fetch the shown brand's tree again (one call) and show it; a newer reload replaces an older one."""
        brand = self.brand
        if brand is None and self.controller is not None:
            brand = self.controller.current_brand()
        if brand is None or not self.signed_in:
            return
        if self._reload is not None and not self._reload.done():
            self._reload.cancel()

        def arrived(tree: EventTree) -> None:
            if self.window.tree_panel.current_brand_id() in (None, brand.id):
                self._show(tree, brand, select)

        self._reload = self.run(
            lambda client: client.brand_get_event_tree(brand.id),
            arrived,
            lambda error: self.problem(describe(error).message, box=False),
            name="gallery-tree-reload",
        )

    def reload_grid(self) -> None:
        if self.window.grid_model.target is not None:
            self.window.grid_model.reload()

    def grid_shows(self, *, event_id: int | None = None, album_ids: set[int] | None = None) -> bool:
        target = self.window.grid_model.target
        if target is None:
            return False
        if album_ids is not None:
            return target.album_id in album_ids
        return target.event_id == event_id
