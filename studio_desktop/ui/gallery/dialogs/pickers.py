"""Pick something from a list the server holds: a category, or an album (or the top) of a gallery."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QPushButton, QTreeWidget, QTreeWidgetItem

from studio_desktop.api.models import Album, Category, Event
from studio_desktop.ui import icons
from studio_desktop.ui.gallery.dialogs.base import FormDialog, hint_label
from studio_desktop.ui.gallery.dialogs.forms import Make, NameDialog
from studio_desktop.ui.gallery.failures import Subject, describe

if TYPE_CHECKING:
    from studio_desktop.ui.gallery.context import GalleryContext

ID_ROLE = Qt.ItemDataRole.UserRole + 1
TOP = 0  # the "top level of the gallery" entry in an album picker


class CategoryDialog(FormDialog):
    """Choose the gallery's category; new categories can be made and existing ones renamed here."""

    def __init__(self, ctx: GalleryContext, *, event: Event, on_saved: Callable[[Event], None]):
        name = event.name or f"#{event.id}"
        super().__init__(ctx, "Gallery Category", "categoryDialog", subject=Subject("gallery", name))
        self.gallery_event = event
        self._on_saved = on_saved
        self.set_heading(f"Category of <b>{escape(name)}</b>:")
        self.list = QListWidget()
        self.list.setObjectName("categoryList")
        self.list.setAccessibleName("Categories")
        self.list.setMinimumHeight(180)
        self.list.itemDoubleClicked.connect(lambda *_: self._submit_clicked())
        self.body.addWidget(self.list)
        self.new_button = QPushButton("&New Category…", objectName="newCategoryButton")
        self.rename_button = QPushButton("Re&name…", objectName="renameCategoryButton")
        self.buttons.addButton(self.new_button, self.buttons.ButtonRole.ActionRole)
        self.buttons.addButton(self.rename_button, self.buttons.ButtonRole.ActionRole)
        self.new_button.clicked.connect(self._new_category)
        self.rename_button.clicked.connect(self._rename_category)
        self.list.currentItemChanged.connect(
            lambda *_: self.rename_button.setEnabled(self.list.currentItem() is not None)
        )
        self.rename_button.setEnabled(False)
        self.child_dialog: NameDialog | None = None
        self.set_busy(True, "Loading categories…")
        self.ctx.run(
            lambda client: client.category_get_list(),
            self.guard(self._loaded),
            self.guard(self._load_failed),
            name="categories",
        )

    def _loaded(self, categories: list[Category]) -> None:
        self.set_busy(False)
        self.list.clear()
        for category in sorted(categories, key=lambda c: (c.display_order or 0, (c.name or "").casefold())):
            self._add(category)
        current = self._item(self.gallery_event.category_id)
        if current is not None:
            self.list.setCurrentItem(current)
        if not categories:
            self.show_error("There are no categories yet: make one with New Category….")

    def _load_failed(self, error: BaseException) -> None:
        self.set_busy(False)
        self.show_error(f"The categories could not be loaded: {describe(error).message}")

    def _add(self, category: Category) -> QListWidgetItem:
        item = QListWidgetItem(category.name or f"Category {category.id}")
        item.setData(ID_ROLE, category.id)
        self.list.addItem(item)
        return item

    def _item(self, category_id: int | None) -> QListWidgetItem | None:
        for row in range(self.list.count()):
            if self.list.item(row).data(ID_ROLE) == category_id:
                return self.list.item(row)
        return None

    def _new_category(self) -> None:
        def action(name: str) -> tuple[Make, Callable[[Any], None]]:
            def created(category: Category) -> None:
                self.clear_errors()
                self.list.setCurrentItem(self._add(category))
                self.ctx.info(f"Created the category '{category.name}'.")

            return (lambda client: client.category_create(name)), self.guard(created)

        self.child_dialog = NameDialog(
            self.ctx,
            title="New Category",
            object_name="newCategoryDialog",
            label="&Name:",
            ok_text="Create",
            what="name for the category",
            parent=self,
            action=action,
        )
        self.child_dialog.open()

    def _rename_category(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        category_id = item.data(ID_ROLE)

        def action(name: str) -> tuple[Make, Callable[[Any], None]]:
            def renamed(category: Category) -> None:
                item.setText(category.name or name)
                self.ctx.info(f"Renamed the category to '{category.name or name}'.")

            return (lambda client: client.category_rename(category_id, name)), self.guard(renamed)

        self.child_dialog = NameDialog(
            self.ctx,
            title="Rename Category",
            object_name="renameCategoryDialog",
            label="&Name:",
            initial=item.text(),
            what="name for the category",
            subject=Subject("category", item.text()),
            parent=self,
            action=action,
        )
        self.child_dialog.open()

    def submit(self) -> None:
        item = self.list.currentItem()
        if item is None:
            self.show_error("Choose a category.")
            return
        category_id = item.data(ID_ROLE)
        if category_id == self.gallery_event.category_id:
            self.accept()
            return
        event_id = self.gallery_event.id
        self.save(
            lambda client: client.event_set_category(event_id, category_id), self._on_saved, name="event-set-category"
        )


class AlbumPickerDialog(FormDialog):
    """The gallery's albums as a tree; some may be off limits (``blocked(album, depth)`` says why)."""

    def __init__(
        self,
        ctx: GalleryContext,
        *,
        title: str,
        object_name: str,
        event: Event,
        heading: str,
        ok_text: str,
        allow_top: bool,
        current: int | None,
        blocked: Callable[[Album, int], str | None],
        action: Callable[[int | None], tuple[Make, Callable[[Any], None]]],
        subject: Subject | None = None,
    ):
        super().__init__(ctx, title, object_name, ok_text=ok_text, subject=subject)
        self._action = action
        self._allow_top = allow_top
        self._current = current
        self.set_heading(heading)
        self.tree = QTreeWidget()
        self.tree.setObjectName("albumPicker")
        self.tree.setAccessibleName("Albums")
        self.tree.setHeaderHidden(True)
        self.tree.setMinimumHeight(240)
        self.tree.itemDoubleClicked.connect(lambda *_: self._submit_clicked())
        self.body.addWidget(self.tree)
        self.body.addWidget(hint_label("Albums nest at most four levels deep."))
        top = QTreeWidgetItem([f"{event.name or 'Gallery'} (top level)" if allow_top else event.name or "Gallery"])
        top.setIcon(0, icons.event_icon())
        top.setData(0, ID_ROLE, TOP)
        if not allow_top:
            top.setFlags(top.flags() & ~Qt.ItemFlag.ItemIsSelectable)
        self.tree.addTopLevelItem(top)
        self._items: dict[int, QTreeWidgetItem] = {TOP: top}
        self._add(top, event.albums, 1, blocked)
        self.tree.expandAll()
        chosen = self._items.get(TOP if current is None else current)
        if chosen is not None and chosen.flags() & Qt.ItemFlag.ItemIsSelectable:
            self.tree.setCurrentItem(chosen)
        self.tree.currentItemChanged.connect(lambda *_: self.clear_errors())

    def _add(
        self,
        parent: QTreeWidgetItem,
        albums: tuple[Album, ...],
        depth: int,
        blocked: Callable[[Album, int], str | None],
    ) -> None:
        for album in sorted(
            albums,
            key=lambda a: (a.display_order if a.display_order is not None else 1 << 30, (a.name or "").casefold()),
        ):
            item = QTreeWidgetItem([album.name or f"Album {album.id}"])
            item.setIcon(0, icons.album_icon())
            item.setData(0, ID_ROLE, album.id)
            reason = blocked(album, depth)
            if reason:
                item.setFlags(item.flags() & ~(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled))
                item.setToolTip(0, reason)
            parent.addChild(item)
            self._items[album.id] = item
            self._add(item, album.sub_albums, depth + 1, blocked)

    def item_for(self, album_id: int | None) -> QTreeWidgetItem | None:
        return self._items.get(TOP if album_id is None else album_id)

    def choose(self, album_id: int | None) -> bool:
        """Select an entry (for code and tests); False when it is off limits."""
        item = self.item_for(album_id)
        if item is None or not item.flags() & Qt.ItemFlag.ItemIsSelectable:
            return False
        self.tree.setCurrentItem(item)
        return True

    def chosen(self) -> int | bool | None:
        item = self.tree.currentItem()
        if item is None or not item.isSelected() or not item.flags() & Qt.ItemFlag.ItemIsSelectable:
            return False
        value = item.data(0, ID_ROLE)
        return None if value == TOP else int(value)

    def submit(self) -> None:
        chosen = self.chosen()
        if chosen is False:
            self.show_error("Choose where it should go." if self._allow_top else "Choose an album.")
            return
        if self._allow_top and chosen == self._current:
            self.accept()  # it is there already
            return
        make, on_success = self._action(chosen)
        self.save(make, on_success, name=self.objectName())
