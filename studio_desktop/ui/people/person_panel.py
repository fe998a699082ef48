"""What the ShootProof contacts panel and the Pixieset clients panel share.

Both show a list of people above an editor of the one selected, ask Save /
Discard / Cancel before unsaved edits are left behind, and turn a refused
sign-in into a banner with a "Sign In…" button. The subclasses build their own
list and form with the builders here, and say what loading and saving mean.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtCore import QAbstractItemModel, QByteArray, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLayout,
    QListView,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QStyleOptionViewItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio_desktop.api.errors import AuthenticationError
from studio_desktop.api.pixieset_errors import PixiesetAuthError
from studio_desktop.ui.people.people_models import ITEM_ROLE
from studio_desktop.ui.people.person_form import PersonForm
from studio_desktop.ui.people.widgets import Banner, Busy, Hint, Title, TwoLineDelegate, run_for
from studio_desktop.ui.tasks import TaskRunner
from studio_desktop.wording import plain_message

P = TypeVar("P")
#: How many people the list shows before the editor gets the rest of the panel.
LIST_ROWS = 10


class PersonPanel(QWidget, Generic[P]):
    """Takes its services in the constructor (or later); emits what the window shows."""

    status_message = Signal(str)
    #: ``"shootproof"`` or ``"pixieset"`` refused the sign-in while this panel worked.
    auth_failed = Signal(str)
    #: The user asked to sign in (``"shootproof"`` or ``"pixieset"``).
    sign_in_requested = Signal(str)

    #: What one person is called here ("contact"), and what starts the panel's object names ("contacts").
    NOUN = ""
    NAME = ""
    #: The service this panel's people live in.
    SERVICE = ""

    title: Title
    count_label: Hint
    busy: Busy
    banner: Banner
    form: PersonForm

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.confirm_box: QMessageBox | None = None
        #: The person in the editor: None when nobody is selected, and while a new one is made (``_is_new``).
        self._person: P | None = None
        self._is_new = False
        self._dirty = False
        self._detail_tasks: list[asyncio.Task] = []
        #: True while the panel itself moves the selection, so that the move does not count as the user's.
        self._selecting = False
        self._banner_action_kind: str | None = None
        self._banner_service = self.SERVICE

    def _run(self, coro, on_result=None, on_error=None, *, name: str, quiet: bool = False) -> asyncio.Task:
        """Run in the background; the callbacks are skipped if this widget is gone by then."""
        return run_for(self, self.tasks, coro, on_result, on_error, name=name, quiet=quiet)

    # --- what the subclasses say -------------------------------------------------------------

    def _show_person(self, person: P | None, *, new: bool = False) -> None:
        """Put ``person`` in the editor (None and not ``new``: nobody); drops unsaved edits."""
        raise NotImplementedError

    def _select_and_show(self, person: P | None) -> None:
        """Select ``person``'s row (or nothing) without asking about unsaved edits, then show them."""
        raise NotImplementedError

    def save(self, then: Callable[[], None] | None = None) -> None:
        """Create or update the person shown; ``then()`` runs once it is saved."""
        raise NotImplementedError

    def _sync(self) -> None:
        """Bring every widget in line with the panel's state."""
        raise NotImplementedError

    # --- building ----------------------------------------------------------------------------

    def _build_header(self, *buttons: QToolButton) -> QHBoxLayout:
        """``title`` over ``count_label``, with ``buttons`` as flat text buttons on the right."""
        for button in buttons:
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setAutoRaise(True)
        header = QHBoxLayout()
        header.setSpacing(2)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.title)
        titles.addWidget(self.count_label)
        header.addLayout(titles, 1)
        for button in buttons:
            header.addWidget(button)
        return header

    def _build_list(self, model: QAbstractItemModel, empty_text: str) -> None:
        """``list_view`` over ``model``, one row per person, and ``list_empty``, the text shown instead of none."""
        self.list_view = QListView(self)
        self.list_view.setObjectName(f"{self.NAME}_list")
        self.list_view.setModel(model)
        self.list_view.setItemDelegate(TwoLineDelegate(self.list_view))
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.setUniformItemSizes(True)
        self.list_view.setFrameShape(QFrame.Shape.StyledPanel)
        self.list_view.setAccessibleName(self.title.text())
        self.list_empty = Hint(empty_text, self)
        self.list_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.list_empty.setMargin(18)

    def _scrolled_form(self) -> QScrollArea:
        """``form`` in a frameless scroll area, so that a short window scrolls it instead of squeezing it."""
        form_scroll = QScrollArea(self)
        form_scroll.setWidgetResizable(True)
        form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        # The fields inside take the focus; the scroll area would only be an unnamed extra Tab stop.
        form_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(2, 8, 8, 8)
        holder_layout.addWidget(self.form)
        form_scroll.setWidget(holder)
        return form_scroll

    def _build_tabs(self, *pages: tuple[QWidget, str]) -> None:
        """The editor's ``tabs`` (``pages`` as ``(page, label)``) under the person's name and a subtitle."""
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.setAccessibleName(f"{self.NOUN.capitalize()} details")
        for page, label in pages:
            self.tabs.addTab(page, label)
        self.detail_title = Title("", self, factor=1.1)
        self.detail_subtitle = Hint("", self)

    def _build_details(self, *actions: QPushButton) -> None:
        """``detail_stack``: a hint while nobody is shown, else the editor; ``actions`` go left of Revert and Save."""
        self.revert_button = QPushButton("Revert", self, objectName=f"{self.NOUN}_revert")
        self.save_button = QPushButton("Save", self, objectName=f"{self.NOUN}_save")
        self.save_button.setDefault(True)
        buttons = QHBoxLayout()
        for action in actions:
            buttons.addWidget(action)
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        editor = QWidget()
        editor_layout = QVBoxLayout(editor)
        editor_layout.setContentsMargins(0, 6, 0, 0)
        editor_layout.setSpacing(4)
        editor_layout.addWidget(self.detail_title)
        editor_layout.addWidget(self.detail_subtitle)
        editor_layout.addWidget(self.tabs, 1)
        editor_layout.addLayout(buttons)
        self.detail_empty = Hint(f"Select a {self.NOUN} to see and edit it.", self)
        self.detail_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail_stack = QStackedWidget(self)
        self.detail_stack.addWidget(self.detail_empty)
        self.detail_stack.addWidget(editor)

    def _lay_out(self, header: QLayout, filters: QLayout, list_part: QWidget) -> None:
        """Header, filters, busy bar and banner over the list and the editor; connects what both panels connect."""
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName(f"{self.NAME}_splitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(list_part)
        self.splitter.addWidget(self.detail_stack)
        # The list is what people scan (ten rows or more at 1280 x 800); the editor scrolls.
        self.splitter.setStretchFactor(0, 7)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([280, 560])
        self._list_sized_by_user = False
        self.splitter.splitterMoved.connect(self._splitter_moved)
        self.detail_stack.currentChanged.connect(lambda _page: self._fit_list())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addLayout(filters)
        layout.addWidget(self.busy)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)

        self.list_view.selectionModel().currentChanged.connect(self._current_changed)
        self.form.edited.connect(self._edited)
        self.save_button.clicked.connect(lambda: self.save())
        self.revert_button.clicked.connect(lambda: self.revert())
        self.banner.action_clicked.connect(self._banner_action)

    def _splitter_moved(self, *args) -> None:
        self._list_sized_by_user = True

    def restore_split(self, state: QByteArray) -> None:
        """Put the divider back where the user left it; from then on it is theirs, not ``_fit_list``'s."""
        if self.splitter.restoreState(state):
            self._list_sized_by_user = True

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_list()

    def _fit_list(self) -> None:
        """Room for about ten people in the list, the rest for the editor, until the user drags the divider."""
        if self._list_sized_by_user:
            return
        total = sum(self.splitter.sizes())
        row = self.list_view.sizeHintForRow(0) if self.list_view.model().rowCount() else -1
        if row <= 0:  # nobody listed yet: what an empty row of this font needs
            option = QStyleOptionViewItem()
            option.font = self.list_view.font()
            row = self.list_view.itemDelegate().sizeHint(option, QModelIndex()).height()
        wanted = LIST_ROWS * row + row // 2 + 2 * self.list_view.frameWidth()  # half a row: plainly more below
        # The list shares its pane with the search box and the count: give the pane room for those too.
        pane = self.splitter.widget(0)
        wanted += max(0, pane.minimumSizeHint().height() - self.list_view.minimumSizeHint().height())
        # Browsing, the list takes the room; editing someone, the editor gets at least its minimum.
        editor = self.detail_stack.currentWidget().minimumSizeHint().height()
        self.detail_stack.setMinimumHeight(editor)
        list_height = max(0, min(wanted, total - editor))
        if total > 0 and list_height:
            self.splitter.setSizes([list_height, total - list_height])

    # --- selection ---------------------------------------------------------------------------

    def _current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self._selecting:
            return
        person = current.data(ITEM_ROLE) if current.isValid() else None
        same = person is not None and self._person is not None and person.id == self._person.id
        if self._dirty and (self._is_new or not same):
            self._guard_changes(lambda: self._select_and_show(person), previous)
            return
        self._show_person(person)

    def _restore_selection(self, index: QModelIndex) -> None:
        self._selecting = True
        try:
            selection = self.list_view.selectionModel()
            if index.isValid():
                selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            else:
                selection.clearSelection()
                selection.setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.Clear)
        finally:
            self._selecting = False

    def _guard_changes(self, then: Callable[[], None], previous: QModelIndex | None = None) -> bool:
        """With unsaved changes, ask Save / Discard / Cancel before ``then()``; True when it had to ask."""
        if not self._dirty:
            return False
        if previous is not None:
            self._restore_selection(previous)
        name = self._person.display_name if self._person and not self._is_new else f"the new {self.NOUN}"
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Unsaved changes",
            f"Save your changes to {name}?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName(f"{self.NAME}_unsaved")
        box.setInformativeText("If you don't save, your changes are lost.")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button) -> None:
            role = box.standardButton(button)
            if role == QMessageBox.StandardButton.Save:
                self.save(then=then)
            elif role == QMessageBox.StandardButton.Discard:
                self._dirty = False
                self._is_new = False
                then()

        box.buttonClicked.connect(answered)
        self.confirm_box = box
        box.open()
        return True

    # --- editing -----------------------------------------------------------------------------

    def _edited(self) -> None:
        self._dirty = True
        self._sync()

    def revert(self) -> None:
        self._show_person(None if self._is_new else self._person)

    def _disable_save(self) -> None:
        """Grey out Save while a save runs, without the list taking the focus it had and selecting a row."""
        # Disabling the focused button hands focus on; a list view that gets focus with no current row
        # selects its first one, which would read as the user leaving the unsaved person.
        previous = self.list_view.currentIndex()
        self._selecting = True
        try:
            self.save_button.setEnabled(False)
        finally:
            self._selecting = False
        if self.list_view.currentIndex() != previous:
            self._restore_selection(previous)

    def _cancel_detail_tasks(self) -> None:
        for task in self._detail_tasks:
            task.cancel()
        self._detail_tasks = []

    # --- state -------------------------------------------------------------------------------

    def _banner_action(self) -> None:
        if self._banner_action_kind == "sign_in":
            self.banner.hide()
            self.sign_in_requested.emit(self._banner_service)
        self._banner_action_kind = None

    def _note_auth(self, error: BaseException) -> bool:
        if isinstance(error, PixiesetAuthError):
            self.auth_failed.emit("pixieset")
            return True
        if isinstance(error, AuthenticationError):
            self.auth_failed.emit("shootproof")
            return True
        return False

    def _report(self, error: BaseException, what: str) -> None:
        if self._note_auth(error):
            self._banner_action_kind = "sign_in"
            self._banner_service = "pixieset" if isinstance(error, PixiesetAuthError) else "shootproof"
            self.banner.show_message(f"{what}: {plain_message(error)}", "warning", action="Sign In…")
            return
        self.banner.show_message(f"{what}. {plain_message(error)}", "error")

    def _sync_editing(self, signed_in: bool) -> None:
        """Save and Revert (Cancel while a new person is made), enabled once there is something to save."""
        editing = self._person is not None or self._is_new
        self.save_button.setEnabled(signed_in and editing and (self._dirty or self._is_new))
        self.revert_button.setEnabled(editing and (self._dirty or self._is_new))
        self.revert_button.setText("Cancel" if self._is_new else "Revert")
