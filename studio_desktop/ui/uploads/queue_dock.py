"""The upload queue panel (it lives in a bottom dock): filter, buttons, banners, the table and the totals.

The panel only shows things and says what the user asked for
(``selection_action("pause")``, ``all_action("retry")``,
``show_in_folder(path)``); the upload controller talks to the engine.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio_desktop.ui import icons, theme
from studio_desktop.ui.focus import context_menu_keys, paint_focus_frame, single_tab_stop
from studio_desktop.ui.uploads.queue_model import Column, QueueFilter, QueueRole, QueueRow, UploadQueueModel
from studio_desktop.uploads.records import queue as q
from studio_desktop.uploads.texts import totals_text

#: What a selection button does, and the states of the selected items it can act on.
SELECTION_ACTIONS = {
    "pause": ("Pause", "Pause the selected uploads", (q.QUEUED, q.CHECKING, q.UPLOADING)),
    "resume": ("Resume", "Resume the selected paused uploads", (q.PAUSED,)),
    "cancel": ("Cancel", "Cancel the selected uploads", (q.QUEUED, q.CHECKING, q.UPLOADING, q.PAUSED)),
    "retry": ("Retry", "Try the selected failed uploads again", (q.FAILED,)),
}
#: Above this many selected rows the selection buttons are not checked row by row.
BUTTON_CHECK_LIMIT = 500
ALL_ACTIONS = {
    "pause": ("Pause All", "Pause every upload (Ctrl+P)"),
    "retry": ("Retry Failed", "Try every failed upload again"),
    "cancel": ("Cancel All", "Cancel every upload that has not finished"),
    "clear": (
        "Clear Finished",
        "Remove finished uploads from the list (the gallery keeps the photos; failed ones stay)",
    ),
}


class ProgressDelegate(QStyledItemDelegate):
    """A slim progress bar in the Progress column; finished and failed rows show no bar."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        progress = index.data(QueueRole.ProgressRole)
        state = index.data(QueueRole.StateRole)
        waiting = state in (q.QUEUED, q.CHECKING, q.PAUSED) and not progress
        if progress is None or state in (q.DONE, q.DUPLICATE) or waiting:
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget)
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(4, 4, -4, -4)
        bar.minimum = 0
        bar.maximum = 1000
        bar.progress = int(progress * 1000)
        bar.text = f"{progress:.0%}" if state == q.UPLOADING else ""
        bar.textVisible = state == q.UPLOADING
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        bar.state = option.state | QStyle.StateFlag.State_Horizontal
        if state in (q.PAUSED, q.CANCELLED):
            bar.state &= ~QStyle.StateFlag.State_Enabled
        bar.palette = option.palette
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, option.widget)


class Banner(QFrame):
    """A coloured line above the table: what stopped the queue and the one thing to do about it."""

    def __init__(self, key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"uploadBanner_{key}")
        self.label = QLabel(objectName="bannerText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton(objectName="bannerButton")
        self.button.hide()
        self._kind = "info"
        self._callback: Callable[[], None] | None = None
        self.button.clicked.connect(self._clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        theme.follow_palette(self, self._restyle)

    def _restyle(self) -> None:
        background, foreground, border = theme.banner_colors(self._kind)
        self.setStyleSheet(
            f"#{self.objectName()} {{ background: {background}; border: 1px solid {border}; "
            f"border-radius: 4px; }} #{self.objectName()} QLabel {{ color: {foreground}; }}"
        )

    def set_content(self, text: str, kind: str, action: str | None, callback: Callable[[], None] | None) -> None:
        self._kind = kind
        self._restyle()
        self.label.setText(text)
        self._callback = callback
        self.button.setText(action or "")
        self.button.setVisible(bool(action and callback))

    def text(self) -> str:
        return self.label.text()

    def _clicked(self) -> None:
        if self._callback is not None:
            self._callback()


class QueueTable(QTableView):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("uploadQueueTable")
        self.setAccessibleName("Upload queue")
        self.setAccessibleDescription("Arrow keys move between uploads; the menu key shows what you can do")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.setFrameShape(QFrame.Shape.NoFrame)
        single_tab_stop(self)
        context_menu_keys(self)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        paint_focus_frame(self)

    def configure_columns(self) -> None:
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        widths = {
            Column.NAME: 210,
            Column.TARGET: 220,
            Column.STATE: 160,
            Column.PROGRESS: 110,
            Column.SIZE: 80,
            Column.RATE: 90,
        }
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)


class UploadQueuePanel(QWidget):
    """Filter and buttons over the queue table, banners for queue-wide trouble, totals underneath."""

    # The name hides QWidget.actions(), which nothing calls on this panel.
    actions: dict[str, QAction]  # type: ignore[assignment]

    selection_action = Signal(str)
    all_action = Signal(str)
    show_in_folder = Signal(str)
    filter_changed = Signal(object)

    def __init__(self, model: UploadQueueModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("uploadQueuePanel")
        self.model = model
        self._paused: bool | None = None
        self._keep_ids: set[int] = set()
        self._keep_current: int | None = None
        self._keep_scroll = 0

        self.filter_combo = QComboBox()
        self.filter_combo.setObjectName("uploadFilter")
        for queue_filter in QueueFilter:
            self.filter_combo.addItem(queue_filter.label, queue_filter)
        self.filter_combo.setToolTip("Which uploads to show")
        self.filter_combo.setAccessibleName("Show uploads")
        self.filter_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.filter_combo.currentIndexChanged.connect(self._filter_picked)
        show_label = QLabel("Show ")
        show_label.setBuddy(self.filter_combo)

        # A toolbar, not a row of buttons: when the window is narrow the rest folds into its » menu
        # instead of forcing the whole window wider.
        self.toolbar = QToolBar("Upload queue", self)
        self.toolbar.setObjectName("uploadQueueToolbar")
        self.toolbar.setIconSize(QSize(16, 16))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.addWidget(show_label)
        self.toolbar.addWidget(self.filter_combo)
        self.toolbar.addSeparator()
        selected_label = QLabel(" Selected: ")
        selected_label.setEnabled(False)
        self.toolbar.addWidget(selected_label)
        self.actions = {}
        self.buttons: dict[str, QToolButton] = {}
        for name, (text, tip, _states) in SELECTION_ACTIONS.items():
            self._add_action(f"selected_{name}", text, tip, lambda _=False, n=name: self.selection_action.emit(n))
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.addWidget(spacer)
        for name, (text, tip) in ALL_ACTIONS.items():
            self._add_action(f"all_{name}", text, tip, lambda _=False, n=name: self.all_action.emit(n))
        self.actions["all_pause"].setIcon(icons.standard(QStyle.StandardPixmap.SP_MediaPause))
        self.actions["all_retry"].setIcon(icons.standard(QStyle.StandardPixmap.SP_BrowserReload))
        top = QHBoxLayout()
        top.setContentsMargins(4, 2, 4, 0)
        top.addWidget(self.toolbar)

        self.banner_box = QVBoxLayout()
        self.banner_box.setContentsMargins(8, 0, 8, 4)
        self.banner_box.setSpacing(4)
        self.banners: dict[str, Banner] = {}

        self.table = QueueTable(self)
        self.table.setModel(model)
        self.table.configure_columns()
        self.table.setItemDelegateForColumn(Column.PROGRESS, ProgressDelegate(self.table))
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(self._double_clicked)

        self.totals_label = QLabel(objectName="uploadTotals")
        self.totals_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.totals_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.speed_label = QLabel(objectName="uploadConcurrency")
        self.speed_label.setEnabled(False)
        self.total_bar = QProgressBar()
        self.total_bar.setObjectName("uploadTotalBar")
        self.total_bar.setRange(0, 1000)
        self.total_bar.setTextVisible(False)
        self.total_bar.setFixedWidth(180)
        self.total_bar.setFixedHeight(10)
        footer = QHBoxLayout()
        footer.setContentsMargins(8, 4, 8, 6)
        footer.setSpacing(10)
        footer.addWidget(self.total_bar)
        footer.addWidget(self.totals_label, 1)
        footer.addWidget(self.speed_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addLayout(self.banner_box)
        layout.addWidget(self.table, 1)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(line)
        layout.addLayout(footer)

        model.counts_changed.connect(self._counts_changed)
        model.about_to_rebuild.connect(self._before_rebuild)
        model.rebuilt.connect(self._after_rebuild)
        model.page_loaded.connect(self._page_loaded)
        model.dataChanged.connect(self._update_buttons)
        self._counts: dict[str, tuple[int, int]] = {}
        self.set_paused(False)
        self.set_totals({}, 0, 0, 0.0, None)
        self._update_buttons()

    def _add_action(self, name: str, text: str, tip: str, slot) -> QAction:
        action = QAction(text, self)
        action.setObjectName(f"upload_{name}")
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.toolbar.addAction(action)
        self.actions[name] = action
        button = self.toolbar.widgetForAction(action)
        if isinstance(button, QToolButton):
            button.setObjectName(f"upload_{name}_button")
            self.buttons[name] = button
        return action

    # --- setters ---------------------------------------------------------------------------------

    def set_paused(self, paused: bool) -> None:
        if paused == self._paused:
            return
        self._paused = paused
        button = self.actions["all_pause"]
        button.setText("Resume All" if paused else "Pause All")
        button.setToolTip("Resume uploading (Ctrl+P)" if paused else "Pause every upload (Ctrl+P)")
        button.setIcon(
            icons.standard(QStyle.StandardPixmap.SP_MediaPlay if paused else QStyle.StandardPixmap.SP_MediaPause)
        )

    @property
    def paused(self) -> bool:
        return bool(self._paused)

    def set_totals(
        self,
        files: dict[str, int],
        bytes_done: int,
        bytes_to_do: int,
        rate: float,
        eta: float | None,
        *,
        held: str | None = None,
    ) -> None:
        self.totals_label.setText(totals_text(files, bytes_done, bytes_to_do, rate, eta, held))
        if bytes_to_do > 0:
            self.total_bar.setValue(int(1000 * min(1.0, bytes_done / bytes_to_do)))
        else:
            finished = files.get(q.DONE, 0) + files.get(q.DUPLICATE, 0)
            self.total_bar.setValue(1000 if finished else 0)
        pending = sum(files.get(s, 0) for s in q.PENDING)
        self.actions["all_cancel"].setEnabled(pending > 0)
        self.actions["all_retry"].setEnabled(files.get(q.FAILED, 0) > 0)
        self.actions["all_clear"].setEnabled(sum(files.get(s, 0) for s in q.CLEARABLE) > 0)

    def set_concurrency_text(self, text: str) -> None:
        self.speed_label.setText(text)

    def set_banner(
        self,
        key: str,
        text: str,
        kind: str = "warning",
        action: str | None = None,
        callback: Callable[[], None] | None = None,
    ) -> Banner:
        banner = self.banners.get(key)
        if banner is None:
            banner = Banner(key, self)
            self.banners[key] = banner
            self.banner_box.addWidget(banner)
        banner.set_content(text, kind, action, callback)
        banner.show()
        return banner

    def clear_banner(self, key: str) -> None:
        banner = self.banners.pop(key, None)
        if banner is not None:
            banner.hide()
            banner.deleteLater()

    def banner_text(self, key: str) -> str:
        banner = self.banners.get(key)
        return banner.text() if banner is not None else ""

    def set_filter(self, queue_filter: QueueFilter) -> None:
        self.filter_combo.setCurrentIndex(list(QueueFilter).index(queue_filter))

    # --- selection ---------------------------------------------------------------------------------

    def selected_ranges(self) -> list[tuple[int, int]]:
        ranges = [(r.top(), r.bottom()) for r in self.table.selectionModel().selection()]
        return sorted(set(ranges))

    def selected_rows(self) -> list[QueueRow]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        found = [self.model.row_at(r) for r in rows]
        return [r for r in found if r is not None]

    def current_row(self) -> QueueRow | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def select_rows(self, rows: list[int]) -> None:
        selection = QItemSelection()
        for row in rows:
            selection.select(self.model.index(row, 0), self.model.index(row, len(Column) - 1))
        self.table.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        if rows:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(rows[0], 0), QItemSelectionModel.SelectionFlag.NoUpdate
            )

    def _update_buttons(self, *args) -> None:
        selection = self.table.selectionModel().selection()
        selected = sum(r.height() for r in selection)
        if selected > BUTTON_CHECK_LIMIT:
            # Thousands of rows (Ctrl+A): not worth reading each one; the engine skips what does not apply.
            for name in SELECTION_ACTIONS:
                self.actions[f"selected_{name}"].setEnabled(True)
            return
        rows = self.selected_rows()
        states = {r.state for r in rows}
        for name, (_text, _tip, wanted) in SELECTION_ACTIONS.items():
            enabled = selected > 0 and (len(rows) < selected or bool(states & set(wanted)))
            self.actions[f"selected_{name}"].setEnabled(enabled)

    # --- keeping the selection across rebuilds ------------------------------------------------------

    def _before_rebuild(self) -> None:
        self._keep_ids = {r.id for r in self.selected_rows()}
        current = self.current_row()
        self._keep_current = current.id if current else None
        self._keep_scroll = self.table.verticalScrollBar().value()

    def _after_rebuild(self) -> None:
        self.table.verticalScrollBar().setValue(self._keep_scroll)
        self._update_buttons()

    def _page_loaded(self, first: int, last: int) -> None:
        if self._keep_ids:
            rows = [
                r
                for r in range(first, last + 1)
                if (row := self.model.row_at(r)) is not None and row.id in self._keep_ids
            ]
            if rows:
                selection_model = self.table.selectionModel()
                for row in rows:
                    selection_model.select(
                        self.model.index(row, 0),
                        QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
                    )
                    item = self.model.row_at(row)
                    if item is not None:
                        self._keep_ids.discard(item.id)
                        if item.id == self._keep_current:
                            selection_model.setCurrentIndex(
                                self.model.index(row, 0), QItemSelectionModel.SelectionFlag.NoUpdate
                            )
        self._update_buttons()

    # --- filter and counts --------------------------------------------------------------------------

    def _filter_picked(self, position: int) -> None:
        queue_filter = self.filter_combo.itemData(position)
        if isinstance(queue_filter, QueueFilter):
            self._keep_ids = set()
            self.model.set_filter(queue_filter)
            self.filter_changed.emit(queue_filter)

    def _counts_changed(self, counts: dict[str, tuple[int, int]]) -> None:
        self._counts = counts
        for position in range(self.filter_combo.count()):
            queue_filter = self.filter_combo.itemData(position)
            count = queue_filter.count(counts)
            self.filter_combo.setItemText(position, f"{queue_filter.label} ({count:,})")

    # --- menus --------------------------------------------------------------------------------------------

    def context_menu(self) -> QMenu:
        """The table's context menu for the current selection (built fresh each time)."""
        menu = QMenu(self)
        menu.setObjectName("uploadQueueMenu")
        for name, (text, tip, _states) in SELECTION_ACTIONS.items():
            action = menu.addAction(text, lambda n=name: self.selection_action.emit(n))
            action.setObjectName(f"menu_selected_{name}")
            action.setStatusTip(tip)
            action.setEnabled(self.actions[f"selected_{name}"].isEnabled())
        menu.addSeparator()
        current = self.current_row()
        show = menu.addAction("Show in Folder", lambda: self._show_current())
        show.setObjectName("menu_show_in_folder")
        show.setEnabled(current is not None)
        copy = menu.addAction("Copy Details", lambda: self._copy_current())
        copy.setObjectName("menu_copy_details")
        copy.setEnabled(current is not None and bool(current.message))
        menu.addSeparator()
        for name, (_text, tip) in ALL_ACTIONS.items():
            label = self.actions[f"all_{name}"].text()
            action: QAction = menu.addAction(label, lambda n=name: self.all_action.emit(n))
            action.setObjectName(f"menu_all_{name}")
            action.setStatusTip(tip)
            action.setEnabled(self.actions[f"all_{name}"].isEnabled())
        return menu

    def _context_menu(self, position: QPoint) -> None:
        menu = self.context_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.table.viewport().mapToGlobal(position))

    def _show_current(self) -> None:
        current = self.current_row()
        if current is not None:
            self.show_in_folder.emit(current.item.path)

    def _copy_current(self) -> None:
        current = self.current_row()
        if current is not None and current.message:
            QGuiApplication.clipboard().setText(f"{current.item.path}: {current.message}")

    def _double_clicked(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self.show_in_folder.emit(row.item.path)
