"""Hot folders: the list (with what each one is doing right now) and the editor for adding or changing one.

Both dialogs only show and collect; the upload controller saves through the
:class:`~studio_desktop.uploads.hotfolders.HotFolderManager` (so the
saved rows and the running watchers agree) and feeds activity back with
:meth:`HotFoldersDialog.set_activity`.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from studio_desktop.gallery.tree_nodes import ALBUM, EVENT, GalleryTarget
from studio_desktop.ui import theme
from studio_desktop.ui.gallery.tree_model import NAME_COLUMN, TargetRole
from studio_desktop.ui.uploads.shape_dialog import SOURCE_NOTE, ShapeForm
from studio_desktop.uploads.hotfolders.files import AfterUpload
from studio_desktop.uploads.hotfolders.store import MAX_SETTLE, MIN_SETTLE, SavedHotFolder
from studio_desktop.uploads.shaping import UploadShape
from studio_desktop.uploads.texts import quoted, shape_words

#: ``names(event_id, album_id)``: "Smith Wedding › Day 1", or None if the tree does not show it.
NameLookup = Callable[[int, int | None], str | None]


class Col:
    FOLDER = 0
    TARGET = 1
    OPTIONS = 2
    ENABLED = 3
    ACTIVITY = 4


HEADERS = ("Folder", "Uploads to", "Options", "On", "Activity")
HotIdRole = Qt.ItemDataRole.UserRole + 60


def options_text(hot: SavedHotFolder) -> str:
    parts = []
    if hot.mirror_folders:
        parts.append("subfolders → albums")
    if hot.after.move_to is not None:
        parts.append(f"then move to {hot.after.move_to.name or hot.after.move_to}")
    if hot.polling:
        parts.append("polling")
    if hot.replace_changed:
        parts.append("replace changed photos")
    parts.extend(shape_words(hot.shape))
    parts.append(f"settle {hot.settle:g} s")
    return ", ".join(parts)


class HotFoldersDialog(QDialog):
    """The saved hot folders. Asks for changes with signals; shows activity through :meth:`set_activity`."""

    add_requested = Signal()
    edit_requested = Signal(object)
    remove_requested = Signal(object)
    enabled_toggled = Signal(int, bool)

    def __init__(self, names: NameLookup, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("hotFoldersDialog")
        self.setWindowTitle("Hot Folders")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._names = names
        self._folders: dict[int, SavedHotFolder] = {}
        self._filling = False

        intro = QLabel(
            "Photos that land in a hot folder (from a tethered camera, a card reader or an export) "
            "are uploaded by themselves while Studio Desktop runs."
        )
        intro.setWordWrap(True)

        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setObjectName("hotFolderTable")
        self.table.setAccessibleName("Hot folders")
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in ((Col.FOLDER, 220), (Col.TARGET, 190), (Col.OPTIONS, 200), (Col.ENABLED, 40)):
            header.resizeSection(column, width)
        self.table.itemChanged.connect(self._item_changed)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self._edit())

        self.empty_label = QLabel(
            "No hot folders yet. Add one to upload whatever lands in it.", objectName="hotFoldersEmpty"
        )
        self.empty_label.setEnabled(False)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.add_button = QPushButton("Add…", objectName="hotFolderAdd")
        self.edit_button = QPushButton("Edit…", objectName="hotFolderEdit")
        self.remove_button = QPushButton("Remove…", objectName="hotFolderRemove")
        self.add_button.clicked.connect(self.add_requested)
        self.edit_button.clicked.connect(self._edit)
        self.remove_button.clicked.connect(self._remove)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(close)

        self.problem_label = QLabel(objectName="hotFolderProblem")
        self.problem_label.setWordWrap(True)
        theme.follow_palette(
            self.problem_label, lambda: self.problem_label.setStyleSheet(f"color: {theme.tone('error').name()};")
        )
        self.problem_label.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.problem_label)
        layout.addLayout(buttons)
        self.resize(900, 360)
        self._update_buttons()

    # --- content ---------------------------------------------------------------------------------

    def set_folders(self, folders: list[SavedHotFolder]) -> None:
        selected = self.selected()
        self._filling = True
        try:
            self._folders = {hot.id: hot for hot in folders if hot.id is not None}
            self.table.setRowCount(len(folders))
            for row, hot in enumerate(folders):
                self._fill_row(row, hot)
        finally:
            self._filling = False
        self.empty_label.setVisible(not folders)
        if selected is not None:
            self.select(selected.id)
        self._update_buttons()

    def _fill_row(self, row: int, hot: SavedHotFolder) -> None:
        folder = QTableWidgetItem(str(hot.folder))
        folder.setToolTip(str(hot.folder))
        folder.setData(HotIdRole, hot.id)
        target = self._names(hot.event_id, hot.album_id) or (
            f"Gallery {hot.event_id}" + (f" › album {hot.album_id}" if hot.album_id else "")
        )
        target_item = QTableWidgetItem(target)
        target_item.setToolTip(target)
        options = QTableWidgetItem(options_text(hot))
        options.setToolTip(options.text())
        enabled = QTableWidgetItem()
        enabled.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
        enabled.setCheckState(Qt.CheckState.Checked if hot.enabled else Qt.CheckState.Unchecked)
        enabled.setToolTip("Watch this folder" if not hot.enabled else "Stop watching this folder")
        activity = self.table.item(row, Col.ACTIVITY)
        activity_text = activity.text() if activity is not None and self.hot_id_at(row) == hot.id else ""
        for column, item in (
            (Col.FOLDER, folder),
            (Col.TARGET, target_item),
            (Col.OPTIONS, options),
            (Col.ENABLED, enabled),
            (Col.ACTIVITY, QTableWidgetItem(activity_text)),
        ):
            self.table.setItem(row, column, item)

    def folders(self) -> list[SavedHotFolder]:
        """The hot folders shown, top to bottom."""
        found = (self._folder_at(row) for row in range(self.table.rowCount()))
        return [hot for hot in found if hot is not None]

    def _folder_at(self, row: int) -> SavedHotFolder | None:
        hot_id = self.hot_id_at(row)
        return self._folders.get(hot_id) if hot_id is not None else None

    def hot_id_at(self, row: int) -> int | None:
        item = self.table.item(row, Col.FOLDER)
        return item.data(HotIdRole) if item is not None else None

    def row_for(self, hot_id: int) -> int | None:
        for row in range(self.table.rowCount()):
            if self.hot_id_at(row) == hot_id:
                return row
        return None

    def set_activity(self, hot_id: int, text: str, problem: str | None = None) -> None:
        row = self.row_for(hot_id)
        if row is None:
            return
        item = self.table.item(row, Col.ACTIVITY)
        if item is None:
            item = QTableWidgetItem()
            self.table.setItem(row, Col.ACTIVITY, item)
        shown = f"{text} — {problem}" if problem else text
        if item.text() != shown:
            item.setText(shown)
            item.setToolTip(problem or text)
            item.setForeground(theme.tone("error") if problem else self.palette().text())

    def activity(self, hot_id: int) -> str:
        row = self.row_for(hot_id)
        item = self.table.item(row, Col.ACTIVITY) if row is not None else None
        return item.text() if item is not None else ""

    def show_problem(self, message: str) -> None:
        self.problem_label.setText(message)
        self.problem_label.setVisible(bool(message))

    # --- selection and buttons -----------------------------------------------------------------------

    def selected(self) -> SavedHotFolder | None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        if not rows:
            return None
        return self._folder_at(min(rows))

    def select(self, hot_id: int | None) -> None:
        row = self.row_for(hot_id) if hot_id is not None else None
        if row is not None:
            self.table.selectRow(row)

    def _update_buttons(self) -> None:
        has = self.selected() is not None
        self.edit_button.setEnabled(has)
        self.remove_button.setEnabled(has)

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != Col.ENABLED:
            return
        hot_id = self.hot_id_at(item.row())
        if hot_id is not None:
            self.enabled_toggled.emit(hot_id, item.checkState() == Qt.CheckState.Checked)

    def set_enabled_checked(self, hot_id: int, enabled: bool) -> None:
        row = self.row_for(hot_id)
        if row is None:
            return
        self._filling = True
        try:
            item = self.table.item(row, Col.ENABLED)
            assert item is not None  # every row is filled in whole
            item.setCheckState(Qt.CheckState.Checked if enabled else Qt.CheckState.Unchecked)
        finally:
            self._filling = False

    def _edit(self) -> None:
        hot = self.selected()
        if hot is not None:
            self.edit_requested.emit(hot)

    def _remove(self) -> None:
        hot = self.selected()
        if hot is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Remove hot folder",
            f"Stop watching {hot.folder} and forget it?",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setObjectName("hotFolderRemoveConfirm")
        box.setInformativeText(
            "Its photos stay on your computer and in the gallery; uploads already queued still finish."
        )
        remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        remove.setObjectName("confirmRemove")
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: self.remove_requested.emit(hot) if button is remove else None)
        box.open()


class TargetPicker(QTreeView):
    """The window's galleries and albums, to pick where a hot folder uploads."""

    def __init__(self, model: QAbstractItemModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("hotFolderTarget")
        self.setModel(model)
        for column in range(model.columnCount()):
            self.setColumnHidden(column, column != NAME_COLUMN)
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setMinimumHeight(180)

    def target(self) -> GalleryTarget | None:
        index = self.currentIndex()
        if not index.isValid() or not self.selectionModel().isSelected(index.siblingAtColumn(0)):
            return None
        value = index.siblingAtColumn(0).data(TargetRole)
        return value if isinstance(value, GalleryTarget) else None

    def select_target(self, event_id: int, album_id: int | None) -> bool:
        model = self.model()
        finder = getattr(model, "index_for", None)
        if finder is None:
            return False
        index: QModelIndex = finder(ALBUM, album_id) if album_id is not None else finder(EVENT, event_id)
        if not index.isValid():
            return False
        parent = index.parent()
        while parent.isValid():
            self.expand(parent)
            parent = parent.parent()
        self.setCurrentIndex(index)
        self.scrollTo(index)
        return True


class HotFolderEditor(QDialog):
    """Add or change one hot folder. ``submitted(SavedHotFolder)``; the controller saves and then closes it."""

    # The name hides QWidget.move(), which nothing calls on this widget.
    move: QRadioButton  # type: ignore[assignment]

    submitted = Signal(object)

    def __init__(
        self,
        tree_model: QAbstractItemModel,
        *,
        hot: SavedHotFolder | None = None,
        default_target: GalleryTarget | None = None,
        default_settle: float = 1.0,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("hotFolderEditor")
        self.setWindowTitle("Change Hot Folder" if hot else "Add Hot Folder")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.original = hot
        #: The folder check under way after Save/Add (kept, so it is not collected).
        self.checking: asyncio.Task | None = None

        self.folder_edit = QLineEdit(objectName="hotFolderPath")
        self.folder_edit.setPlaceholderText("The folder the camera or card reader writes into")
        browse = QPushButton("Choose…", objectName="hotFolderBrowse")
        browse.clicked.connect(lambda: self._browse(self.folder_edit, "Choose the hot folder"))
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(browse)

        self.target_picker = TargetPicker(tree_model, self)

        self.mirror = QCheckBox("Subfolders become albums", objectName="hotFolderMirror")
        self.leave = QRadioButton("Leave them where they are", objectName="hotFolderLeave")
        self.move = QRadioButton("Move them to:", objectName="hotFolderMove")
        group = QButtonGroup(self)
        group.addButton(self.leave)
        group.addButton(self.move)
        self.move_edit = QLineEdit(objectName="hotFolderMoveTo")
        self.move_edit.setPlaceholderText("A folder outside the hot folder")
        move_browse = QPushButton("Choose…")
        move_browse.clicked.connect(lambda: self._browse(self.move_edit, "Move uploaded photos to"))
        self.move.toggled.connect(self.move_edit.setEnabled)
        self.move.toggled.connect(move_browse.setEnabled)
        move_row = QHBoxLayout()
        move_row.addWidget(self.move)
        move_row.addWidget(self.move_edit, 1)
        move_row.addWidget(move_browse)
        after_box = QGroupBox("After a photo is uploaded")
        after_layout = QVBoxLayout(after_box)
        after_layout.addWidget(self.leave)
        after_layout.addLayout(move_row)

        self.shape_form = ShapeForm(hot.shape if hot is not None else UploadShape(), self)
        self.shape_form.setObjectName("hotFolderShape")
        shape_page = QWidget()
        shape_layout = QVBoxLayout(shape_page)
        shape_layout.addWidget(QLabel("Which photos are uploaded from this folder, and at what size:"))
        shape_layout.addWidget(self.shape_form)
        shape_note = QLabel(SOURCE_NOTE + " A photo re-rated later is looked at again.")
        shape_note.setWordWrap(True)
        shape_layout.addWidget(shape_note)
        shape_layout.addStretch(1)

        self.settle = QDoubleSpinBox()
        self.settle.setObjectName("hotFolderSettle")
        self.settle.setRange(MIN_SETTLE, MAX_SETTLE)
        self.settle.setDecimals(1)
        self.settle.setSingleStep(0.5)
        self.settle.setSuffix(" s")
        self.settle.setToolTip("Upload a file once it has not changed for this long (the camera has finished writing).")
        self.settle.setMaximumWidth(120)
        self.polling = QCheckBox(
            "It is on a network share (check for new files every moment)", objectName="hotFolderPolling"
        )
        self.replace = QCheckBox(
            "Replace a photo in the gallery when its file changes after upload", objectName="hotFolderReplace"
        )

        form = QFormLayout()
        form.addRow("Folder:", folder_row)
        form.addRow("Upload to:", self.target_picker)
        form.addRow("", self.mirror)
        form.addRow("Wait until quiet:", self.settle)
        form.addRow("", self.polling)
        form.addRow("", self.replace)

        self.error_label = QLabel(objectName="hotFolderError")
        theme.follow_palette(
            self.error_label, lambda: self.error_label.setStyleSheet(f"color: {theme.tone('error').name()};")
        )
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Save" if hot else "Add")
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)

        # A page of its own: on one page the editor would not fit a 720-pixel-high screen.
        folder_page = QWidget()
        folder_layout = QVBoxLayout(folder_page)
        folder_layout.addLayout(form)
        folder_layout.addWidget(after_box)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("hotFolderTabs")
        self.tabs.addTab(folder_page, "Folder")
        self.tabs.addTab(shape_page, "Picks and Size")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.resize(560, 560)

        if hot is not None:
            self.folder_edit.setText(str(hot.folder))
            self.target_picker.select_target(hot.event_id, hot.album_id)
            self.mirror.setChecked(hot.mirror_folders)
            self.settle.setValue(hot.settle)
            self.polling.setChecked(hot.polling)
            self.replace.setChecked(hot.replace_changed)
            if hot.after.move_to is not None:
                self.move.setChecked(True)
                self.move_edit.setText(str(hot.after.move_to))
            else:
                self.leave.setChecked(True)
        else:
            self.settle.setValue(max(MIN_SETTLE, default_settle))
            self.leave.setChecked(True)
            if default_target is not None:
                self.target_picker.select_target(default_target.event_id, default_target.album_id)
        self.move_edit.setEnabled(self.move.isChecked())
        move_browse.setEnabled(self.move.isChecked())

    def _browse(self, edit: QLineEdit, title: str) -> None:
        dialog = QFileDialog(self, title, edit.text() or str(Path.home()))
        dialog.setObjectName("hotFolderBrowseDialog")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(edit.setText)
        dialog.open()

    def hot_folder(self) -> SavedHotFolder | None:
        """What the form says, or None after showing why it cannot be saved.

        The disk is not looked at here: :meth:`_submit` checks the folder in a worker thread.
        """
        folder_text = self.folder_edit.text().strip()
        if not folder_text:
            self.show_error("Choose the folder to watch.")
            return None
        folder = Path(os.path.expanduser(folder_text))
        target = self.target_picker.target()
        if target is None:
            self.show_error("Choose the gallery or album the photos go to.")
            return None
        after = AfterUpload()
        if self.move.isChecked():
            move_text = self.move_edit.text().strip()
            if not move_text:
                self.show_error("Choose where uploaded photos are moved to, or leave them where they are.")
                return None
            after = AfterUpload(Path(os.path.expanduser(move_text)))
        original = self.original
        return SavedHotFolder(
            folder=folder,
            event_id=target.event_id,
            album_id=target.album_id,
            mirror_folders=self.mirror.isChecked(),
            after=after,
            settle=self.settle.value(),
            polling=self.polling.isChecked(),
            replace_changed=self.replace.isChecked(),
            enabled=original.enabled if original else True,
            id=original.id if original else None,
            created=original.created if original else 0.0,
            shape=self.shape_form.shape(),
        )

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def _submit(self) -> None:
        hot = self.hot_folder()
        if hot is None or (self.checking is not None and not self.checking.done()):
            return
        self.checking = asyncio.ensure_future(self._check_then_submit(hot, self.folder_edit.text().strip()))

    async def _check_then_submit(self, hot: SavedHotFolder, folder_text: str) -> None:
        """Is the folder there? Asked in a worker thread: a sleeping NAS share takes a while to answer."""
        self.buttons.setEnabled(False)
        is_folder = await asyncio.to_thread(hot.folder.is_dir)
        if not shiboken6.isValid(self):  # closed meanwhile
            return
        self.buttons.setEnabled(True)
        if not is_folder:
            self.show_error(f"{quoted(folder_text)} is not a folder on this computer.")
            return
        self.show_error("")
        self.submitted.emit(hot)
