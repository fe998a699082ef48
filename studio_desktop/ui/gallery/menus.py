"""The gallery's menus: the Gallery menu in the menu bar, and the context menus of the tree and the grid.

They hold the actions of :class:`~studio_desktop.ui.gallery.actions.GalleryActions`; a menu
about to show asks it to bring the actions' enabled state and texts up to date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMenu

from studio_desktop.gallery.tree_nodes import AlbumNode, EventNode, Node
from studio_desktop.ui.gallery.tree_model import NodeRole

if TYPE_CHECKING:
    from studio_desktop.ui.gallery.actions import GalleryActions

TREE = "tree"
GRID = "grid"

COVER_ACTIONS = (
    ("cover_from_photo", "Use the &Selected Photo"),
    ("cover_from_file", "Choose a &JPEG File…"),
    ("cover_remove", "&Remove Cover…"),
)


class GalleryMenus:
    """Builds the menus once (context menus are refilled for each right-click)."""

    def __init__(self, owner: GalleryActions):
        self.owner = owner
        self.window = owner.window
        self.tree = owner.tree
        self.grid = owner.grid
        self._build()
        self.tree.customContextMenuRequested.connect(self._tree_menu_requested)
        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.grid.customContextMenuRequested.connect(self._grid_menu_requested)

    def _cover_menu(self, owner: str, title: str = "Co&ver Photo") -> QMenu:
        menu = QMenu(title, self.window)
        menu.setObjectName(f"menu_{owner}_cover")
        for name, _ in COVER_ACTIONS:
            menu.addAction(self.owner.actions[f"{owner}_{name}"])
        return menu

    def _build(self) -> None:
        # Context menus and the menu bar each get their own submenus (a QMenu's title is shared by all its places).
        self.event_cover_menu = self._cover_menu("event")
        self.album_cover_menu = self._cover_menu("album")
        self._main_event_cover = self._cover_menu("event")
        self._main_album_cover = self._cover_menu("album", "Album Cover P&hoto")
        menu = self.window.menu("gallery", "&Gallery")
        a = self.owner.actions
        for name in ("gallery_new_event", "gallery_new_album"):
            menu.addAction(a[name])
        menu.addSeparator()
        for name in ("gallery_open", "gallery_info", "gallery_rename", "gallery_delete"):
            menu.addAction(a[name])
        menu.addSeparator()
        for name in ("event_edit", "event_access", "event_category", "event_contact"):
            menu.addAction(a[name])
        menu.addMenu(self._main_event_cover)
        menu.addAction(a["event_visitors"])
        menu.addAction(a["event_add_emails"])
        menu.addSeparator()
        menu.addAction(a["album_move"])
        menu.addMenu(self._main_album_cover)
        menu.addSeparator()
        menu.addAction(a["gallery_compare"])
        menu.addAction(a["gallery_upload_options"])
        menu.addSeparator()
        for name in (
            "photo_add_to_album",
            "photo_remove_from_album",
            "photo_set_event_cover",
            "photo_set_album_cover",
            "photo_replace",
        ):
            menu.addAction(a[name])
        menu.aboutToShow.connect(self.owner.update_actions)
        self.menu = menu
        toolbar = self.window.toolbar
        toolbar.addSeparator()
        toolbar.addAction(a["gallery_new_event"])
        toolbar.addAction(a["gallery_new_album"])

        self.tree_menu = QMenu(self.window)
        self.tree_menu.setObjectName("galleryTreeMenu")
        self.grid_menu = QMenu(self.window)
        self.grid_menu.setObjectName("galleryGridMenu")

    def build_tree_menu(self, node: Node | None) -> QMenu:
        """The context menu for ``node`` (None: the empty space below the tree), not shown yet."""
        self.owner.scope = TREE
        self.owner.update_actions()
        menu = self.tree_menu
        menu.clear()
        a = self.owner.actions
        if isinstance(node, EventNode):
            for name in (
                "event_open",
                "event_info",
                None,
                "event_new_album",
                "event_rename",
                "event_edit",
                "event_access",
                "event_category",
                "event_contact",
            ):
                menu.addSeparator() if name is None else menu.addAction(a[name])
            menu.addMenu(self.event_cover_menu)
            for name in (
                None,
                "event_visitors",
                "event_add_emails",
                "gallery_compare",
                "gallery_upload_options",
                None,
                "event_delete",
            ):
                menu.addSeparator() if name is None else menu.addAction(a[name])
        elif isinstance(node, AlbumNode):
            for name in ("album_open", "album_info", None, "album_new", "album_rename", "album_move"):
                menu.addSeparator() if name is None else menu.addAction(a[name])
            menu.addMenu(self.album_cover_menu)
            menu.addAction(a["gallery_compare"])
            menu.addAction(a["gallery_upload_options"])
            menu.addSeparator()
            menu.addAction(a["album_delete"])
        else:
            menu.addAction(a["gallery_new_event"])
        return menu

    def build_grid_menu(self) -> QMenu | None:
        """The context menu for the grid's selected photos (None without a selection)."""
        self.owner.scope = GRID
        self.owner.update_actions()
        if not self.owner.selected_photos():
            return None
        menu = self.grid_menu
        menu.clear()
        a = self.owner.actions
        for name in (
            "photo_open",
            "photo_info",
            None,
            "photo_add_to_album",
            "photo_remove_from_album",
            "photo_set_event_cover",
            "photo_set_album_cover",
            "photo_replace",
            None,
            "photo_delete",
        ):
            menu.addSeparator() if name is None else menu.addAction(a[name])
        return menu

    def _tree_menu_requested(self, pos: QPoint) -> None:
        index = self.tree.indexAt(pos)
        node = None
        if index.isValid():
            self.tree.setCurrentIndex(index)
            node = index.siblingAtColumn(0).data(NodeRole)
        self.build_tree_menu(node).popup(self.tree.viewport().mapToGlobal(pos))

    def _grid_menu_requested(self, pos: QPoint) -> None:
        index = self.grid.indexAt(pos)
        if index.isValid() and not self.grid.selectionModel().isSelected(index):
            self.grid.setCurrentIndex(index)
        menu = self.build_grid_menu()
        if menu is not None:
            menu.popup(self.grid.viewport().mapToGlobal(pos))

    def update(self, event: EventNode | None, album: AlbumNode | None) -> None:
        """The cover submenus are usable only with a gallery (or an album) selected."""
        for cover_menu in (self.event_cover_menu, self._main_event_cover):
            cover_menu.menuAction().setEnabled(event is not None)
        for cover_menu in (self.album_cover_menu, self._main_album_cover):
            cover_menu.menuAction().setEnabled(album is not None)
