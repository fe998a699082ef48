"""The gallery commands as actions: what each does, which are usable now, and how one key serves tree and grid.

:class:`GalleryActions` reaches the :class:`MainWindow` through its public parts
(``actions``, ``menu()``, ``toolbar``, ``tree_panel``, ``grid_view``, ``status``,
``tasks``); its menus are :mod:`.menus`, its drag-and-drop :mod:`.drops`.
Shortcuts that mean different things in the tree and the grid
(F2, Del, Ctrl+I, Enter) are single actions that act on whichever of the two
was used last, so they never clash; they only fire while the tree or the grid
has the focus, so typing in the filter box is never hijacked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from studio_desktop.api.models import Photo
from studio_desktop.core import paths
from studio_desktop.gallery.originals import Originals
from studio_desktop.gallery.tree_nodes import AlbumNode, EventNode, Node
from studio_desktop.ui import icons
from studio_desktop.ui.gallery.album_commands import AlbumCommands
from studio_desktop.ui.gallery.compare_dialog import FolderCompare
from studio_desktop.ui.gallery.context import GalleryContext, UrlOpener
from studio_desktop.ui.gallery.covers import Covers
from studio_desktop.ui.gallery.drops import GalleryDrops
from studio_desktop.ui.gallery.event_commands import EventCommands
from studio_desktop.ui.gallery.grid_model import PhotoRole
from studio_desktop.ui.gallery.menus import COVER_ACTIONS, GRID, TREE, GalleryMenus
from studio_desktop.ui.gallery.photo_commands import PhotoCommands, photos_text
from studio_desktop.ui.gallery.tree_model import NodeRole
from studio_desktop.ui.uploads.shape_dialog import UploadShapeDialog, remember_shape, remembered_shape

if TYPE_CHECKING:
    from studio_desktop.ui.gallery.controller import GalleryController
    from studio_desktop.ui.main_window import MainWindow
    from studio_desktop.ui.services import Services

#: (name, menu text) of the commands; names become ``window.actions.<name>``.
EVENT_ACTIONS = (
    ("event_open", "&Open Gallery in Browser\tEnter"),
    ("event_info", "Gallery &Info…\tCtrl+I"),
    ("event_new_album", "New &Album…\tCtrl+Shift+N"),
    ("event_rename", "&Rename Gallery…\tF2"),
    ("event_edit", "&Edit Details…"),
    ("event_access", "Access and Pass&word…"),
    ("event_category", "Ca&tegory…"),
    ("event_contact", "&Contact…"),
    ("event_visitors", "Vi&sitors and Favorites…"),
    ("event_add_emails", "Add E&mails…"),
    ("event_delete", "&Delete Gallery…\tDel"),
)
ALBUM_ACTIONS = (
    ("album_open", "&Open Album in Browser\tEnter"),
    ("album_info", "Album &Info…\tCtrl+I"),
    ("album_new", "New &Album Inside…\tCtrl+Shift+N"),
    ("album_rename", "&Rename Album…\tF2"),
    ("album_move", "Move A&lbum…"),
    ("album_delete", "&Delete Album…\tDel"),
)
PHOTO_ACTIONS = (
    ("photo_open", "&Open Original in Browser\tEnter"),
    ("photo_info", "Photo &Info…\tCtrl+I"),
    ("photo_add_to_album", "&Put in Album…"),
    ("photo_remove_from_album", "Take O&ut of This Album"),
    ("photo_set_event_cover", "Use as &Gallery Cover"),
    ("photo_set_album_cover", "Use as Al&bum Cover"),
    ("photo_replace", "Replace with Another &JPEG…"),
    ("photo_delete", "&Delete Photo…\tDel"),
)


class GalleryActions(QObject):
    """Owns the gallery commands of one window. ``actions[name]`` gives any of its ``QAction``s."""

    def __init__(
        self,
        window: MainWindow,
        services: Services,
        controller: GalleryController | None = None,
        *,
        open_url: UrlOpener | None = None,
    ):
        super().__init__(window)
        self.window = window
        self.ctx = GalleryContext(window, services, controller, open_url)
        covers = Covers(self.ctx)
        originals = Originals(paths.current().cache_dir / "originals", services.http, services.store)
        self.events = EventCommands(self.ctx, covers)
        self.albums = AlbumCommands(self.ctx, covers)
        self.photos = PhotoCommands(
            self.ctx, covers, originals, controller.thumbnails if controller is not None else None
        )
        self.compare = FolderCompare(self.ctx)
        self.scope = TREE
        self.actions: dict[str, QAction] = {}
        self._make_actions()
        self.menus = GalleryMenus(self)
        self._connect()
        self.drops = GalleryDrops(self)
        self.update_actions()

    # --- the window's parts -------------------------------------------------------------------------

    @property
    def tree(self):
        return self.window.tree_panel.tree

    @property
    def grid(self):
        return self.window.grid_view

    @property
    def open_url(self) -> UrlOpener:
        return self.ctx.open_url

    @open_url.setter
    def open_url(self, opener: UrlOpener) -> None:
        self.ctx.open_url = opener

    @property
    def last_dialog(self) -> QWidget | None:
        """The dialog or message box the last command opened, while it exists."""
        dialog = self.ctx.last_dialog
        return dialog if dialog is not None and shiboken6.isValid(dialog) else None

    def current_node(self) -> Node | None:
        """The selected event or album in the tree (None when nothing is selected)."""
        index = self.tree.currentIndex()
        if not index.isValid() or not self.tree.selectionModel().isSelected(index.siblingAtColumn(0)):
            return None
        node = index.siblingAtColumn(0).data(NodeRole)
        return node if isinstance(node, (EventNode, AlbumNode)) else None

    def current_event(self) -> EventNode | None:
        node = self.current_node()
        if isinstance(node, AlbumNode):
            return node.event_node
        return node if isinstance(node, EventNode) else None

    def current_album(self) -> AlbumNode | None:
        node = self.current_node()
        return node if isinstance(node, AlbumNode) else None

    def selected_photos(self) -> list[Photo]:
        if self.window.grid_model.target is None:
            return []
        return [photo for photo in self.grid.selected_photos() if photo is not None]

    def one_photo(self) -> Photo | None:
        photos = self.selected_photos()
        return photos[0] if len(photos) == 1 else None

    # --- actions -------------------------------------------------------------------------------------

    def _action(self, name: str, text: str, slot: Callable[[], Any], *, tip: str | None = None) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(f"action_{name}")
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda *_: self._safely(slot))
        self.actions[name] = action
        if name not in self.window.actions:
            self.window.actions.add(name, action)
        return action

    def _safely(self, slot: Callable[[], Any]) -> None:
        if not self.ctx.signed_in:
            self.ctx.problem("Sign in to ShootProof first (File → Sign In…).")
            return
        slot()

    def _make_actions(self) -> None:
        on_event = self._on_event
        on_album = self._on_album
        on_photos = self._on_photos
        ev, al, ph = self.events, self.albums, self.photos
        event_slots = {
            "event_open": on_event(ev.open_in_browser),
            "event_info": on_event(ev.info),
            "event_new_album": on_event(self.albums.new_album),
            "event_rename": on_event(ev.rename),
            "event_edit": on_event(ev.edit),
            "event_access": on_event(ev.access),
            "event_category": on_event(ev.category),
            "event_contact": on_event(ev.contact),
            "event_visitors": on_event(ev.visitors),
            "event_add_emails": on_event(ev.add_emails),
            "event_delete": on_event(ev.delete),
        }
        for name, text in EVENT_ACTIONS:
            self._action(name, text, event_slots[name])
        album_slots = {
            "album_open": on_album(al.open_in_browser),
            "album_info": on_album(al.info),
            "album_new": on_album(al.new_album),
            "album_rename": on_album(al.rename),
            "album_move": on_album(al.move),
            "album_delete": on_album(al.delete),
        }
        for name, text in ALBUM_ACTIONS:
            self._action(name, text, album_slots[name])
        cover_slots = {
            "event_cover_from_photo": lambda: self._with_photo(lambda p: ev.cover_from_photo(self.current_event(), p)),
            "event_cover_from_file": on_event(ev.cover_from_file),
            "event_cover_remove": on_event(ev.cover_remove),
            "album_cover_from_photo": lambda: self._with_photo(lambda p: al.cover_from_photo(self.current_album(), p)),
            "album_cover_from_file": on_album(al.cover_from_file),
            "album_cover_remove": on_album(al.cover_remove),
        }
        for owner in ("event", "album"):
            for name, text in COVER_ACTIONS:
                self._action(f"{owner}_{name}", text, cover_slots[f"{owner}_{name}"])
        photo_slots = {
            "photo_open": on_photos(ph.open_in_browser),
            "photo_info": on_photos(ph.info),
            "photo_add_to_album": on_photos(ph.add_to_album),
            "photo_remove_from_album": on_photos(ph.remove_from_album),
            "photo_set_event_cover": lambda: self._with_photo(ph.set_event_cover),
            "photo_set_album_cover": lambda: self._with_photo(ph.set_album_cover),
            "photo_replace": lambda: self._with_photo(ph.replace),
            "photo_delete": on_photos(ph.delete),
        }
        for name, text in PHOTO_ACTIONS:
            self._action(name, text, photo_slots[name])

        # The commands with a shortcut: one action per key, acting on the tree or the grid.
        self._action(
            "gallery_new_event",
            "&New Gallery…",
            self.events.new_event,
            tip="Create a gallery in the brand shown (Ctrl+N)",
        )
        self._action(
            "gallery_new_album",
            "New &Album…",
            self._new_album,
            tip="Create an album in the selected gallery or album (Ctrl+Shift+N)",
        )
        self._action("gallery_open", "&Open in Browser", lambda: self._dispatch("open"))
        self._action("gallery_info", "&Info…", lambda: self._dispatch("info"))
        self._action("gallery_rename", "&Rename…", lambda: self._dispatch("rename"))
        self._action("gallery_delete", "&Delete…", lambda: self._dispatch("delete"))
        self._action(
            "gallery_compare",
            "Compare with &Folder…",
            self._compare,
            tip="List what a folder and the selected gallery or album differ in (changes nothing)",
        )
        self._action(
            "gallery_upload_options",
            "Upload Options (Picks, Si&ze)…",
            self._upload_options,
            tip="Upload only the picks (rating, label) and resize on the way, for this gallery or album",
        )
        self.actions["gallery_new_event"].setShortcut(QKeySequence("Ctrl+N"))
        self.actions["gallery_new_album"].setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.actions["gallery_new_event"].setIcon(icons.event_icon())
        self.actions["gallery_new_album"].setIcon(icons.album_icon())
        self.actions["gallery_open"].setShortcuts([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
        self.actions["gallery_info"].setShortcut(QKeySequence("Ctrl+I"))
        self.actions["gallery_rename"].setShortcut(QKeySequence(Qt.Key.Key_F2))
        self.actions["gallery_delete"].setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        for name in ("gallery_new_event", "gallery_new_album"):
            self.window.addAction(self.actions[name])
        for name in ("gallery_open", "gallery_info", "gallery_rename", "gallery_delete"):
            action = self.actions[name]
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.tree.addAction(action)
            self.grid.addAction(action)

    def _on_event(self, command: Callable[[EventNode], Any]) -> Callable[[], None]:
        def run() -> None:
            node = self.current_event()
            if node is not None:
                command(node)

        return run

    def _on_album(self, command: Callable[[AlbumNode], Any]) -> Callable[[], None]:
        def run() -> None:
            node = self.current_album()
            if node is not None:
                command(node)

        return run

    def _on_photos(self, command: Callable[[list[Photo]], Any]) -> Callable[[], None]:
        def run() -> None:
            photos = self.selected_photos()
            if photos:
                command(photos)

        return run

    def _with_photo(self, command: Callable[[Photo], Any]) -> None:
        photo = self.one_photo()
        if photo is None:
            self.ctx.problem("Select one photo in the grid first.")
            return
        command(photo)

    def preview_current(self) -> None:
        """Enter or Space in the grid: the photo with the keyboard focus, in the app, not the browser."""
        grid = self.grid
        model = grid.model()
        photos = [model.index(row, 0).data(PhotoRole.PhotoRole) for row in range(model.rowCount())]
        current = grid.currentIndex()
        start = current.row() if current.isValid() else 0
        dialog = self.photos.preview(photos, start)
        if dialog is not None:
            dialog.navigated.connect(lambda row: grid.setCurrentIndex(model.index(row, 0)))

    def _new_album(self) -> None:
        node = self.current_node()
        if node is None:
            self.ctx.problem("Select the gallery (or the album) the new album should go into.")
            return
        self.albums.new_album(node)

    def _compare(self) -> None:
        node = self.current_node()
        if node is None:
            self.ctx.problem("Select the gallery (or the album) to compare with a folder.")
            return
        self.compare.start(node)

    def _upload_options(self) -> None:
        target = self.window.current_target()
        if target is None:
            self.ctx.problem("Select the gallery (or the album) the options are for.")
            return
        services = self.ctx.services
        dialog = self.ctx.remember(
            UploadShapeDialog(self.window, target.display_name, remembered_shape(services, target))
        )
        dialog.chosen.connect(lambda shape: remember_shape(services, target, shape))
        dialog.open()

    def _dispatch(self, verb: str) -> None:
        """F2, Del, Ctrl+I and Enter: the photos if the grid has (or last had) the focus, else the tree's selection."""
        self._focus_changed(None, QApplication.focusWidget())
        if verb == "open" and self.scope == GRID and self.selected_photos():
            self.preview_current()
            return
        if self.scope == GRID and self.selected_photos():
            name = {"open": "photo_open", "info": "photo_info", "delete": "photo_delete"}.get(verb)
        else:
            node = self.current_node()
            prefix = "album" if isinstance(node, AlbumNode) else "event" if isinstance(node, EventNode) else None
            name = f"{prefix}_{verb}" if prefix else None
        if name is not None and self.actions[name].isEnabled():
            self.actions[name].trigger()

    # --- keeping the actions in step ------------------------------------------------------------------

    def _connect(self) -> None:
        window = self.window
        self.grid.preview_requested.connect(self.preview_current)
        window.current_target_changed.connect(lambda *_: self.update_actions())
        self.grid.photos_selected.connect(lambda *_: self.update_actions())
        window.grid_model.modelReset.connect(self.update_actions)
        window.grid_model.target_changed.connect(lambda *_: self.update_actions())
        window.tree_panel.model.modelReset.connect(self.update_actions)
        self.tree.selectionModel().selectionChanged.connect(lambda *_: self.update_actions())
        self.ctx.tree_synced.connect(self.update_actions)
        # A slot of this QObject: Qt drops the connection when the window (and so this) goes.
        QApplication.instance().focusChanged.connect(self._focus_changed)

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if new is None:
            return
        if new is self.tree or self.tree.isAncestorOf(new):
            self._set_scope(TREE)
        elif new is self.grid or self.grid.isAncestorOf(new):
            self._set_scope(GRID)

    def _set_scope(self, scope: str) -> None:
        if scope != self.scope:
            self.scope = scope
            self.update_actions()

    def update_actions(self) -> None:
        signed_in = self.ctx.signed_in
        event = self.current_event() if signed_in else None
        album = self.current_album() if signed_in else None
        photos = self.selected_photos() if signed_in else []
        target = self.window.grid_model.target
        one = len(photos) == 1
        a = self.actions
        for name, _ in EVENT_ACTIONS:
            a[name].setEnabled(event is not None)
        for name, _ in ALBUM_ACTIONS:
            a[name].setEnabled(album is not None)
        a["gallery_compare"].setEnabled(event is not None)
        a["gallery_upload_options"].setEnabled(event is not None)
        for name in ("event_cover_from_file", "event_cover_remove"):
            a[name].setEnabled(event is not None)
        for name in ("album_cover_from_file", "album_cover_remove"):
            a[name].setEnabled(album is not None)
        photo_event = target.event_id if target is not None and one else None
        a["event_cover_from_photo"].setEnabled(event is not None and photo_event == event.id)
        a["album_cover_from_photo"].setEnabled(album is not None and photo_event == album.event_node.id)
        for name in ("photo_open", "photo_info", "photo_add_to_album", "photo_delete"):
            a[name].setEnabled(bool(photos))
        in_album = target is not None and target.album_id is not None
        a["photo_remove_from_album"].setEnabled(bool(photos) and in_album)
        # An album target whose path is not known yet (e.g. opened by id) has no name to show.
        album_name = target.album_name if in_album and target is not None else None
        a["photo_remove_from_album"].setText(
            f"Take O&ut of '{album_name.replace('&', '&&')}'" if album_name else "Take O&ut of This Album"
        )
        a["photo_set_event_cover"].setEnabled(one)
        a["photo_set_album_cover"].setEnabled(one and in_album)
        a["photo_replace"].setEnabled(one)
        count = len(photos)
        a["photo_delete"].setText(f"&Delete {photos_text(count)}…\tDel" if count > 1 else "&Delete Photo…\tDel")
        self.menus.update(event, album)
        a["gallery_new_event"].setEnabled(signed_in)
        a["gallery_new_album"].setEnabled(event is not None)
        self._update_generic(event, album, photos)

    def _update_generic(self, event: EventNode | None, album: AlbumNode | None, photos: list[Photo]) -> None:
        a = self.actions
        if self.scope == GRID and photos:
            count = len(photos)
            texts = {
                "open": "&Open Original in Browser",
                "info": "Photo &Info…",
                "rename": "&Rename…",
                "delete": f"&Delete {photos_text(count)}…" if count > 1 else "&Delete Photo…",
            }
            enabled = {"open": True, "info": True, "rename": False, "delete": True}
        elif album is not None:
            texts = {
                "open": "&Open Album in Browser",
                "info": "Album &Info…",
                "rename": "&Rename Album…",
                "delete": "&Delete Album…",
            }
            enabled = dict.fromkeys(texts, True)
        elif event is not None:
            texts = {
                "open": "&Open Gallery in Browser",
                "info": "Gallery &Info…",
                "rename": "&Rename Gallery…",
                "delete": "&Delete Gallery…",
            }
            enabled = dict.fromkeys(texts, True)
        else:
            texts = {"open": "&Open in Browser", "info": "&Info…", "rename": "&Rename…", "delete": "&Delete…"}
            enabled = dict.fromkeys(texts, False)
        for verb, text in texts.items():
            action = a[f"gallery_{verb}"]
            action.setText(text)
            action.setEnabled(enabled[verb])
