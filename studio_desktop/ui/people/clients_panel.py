"""The Pixieset clients side panel: a paged list with a type filter and search as you type, and the details.

Search is debounced (:data:`SEARCH_DELAY_MS`); each new query cancels the
request of the one before, and an answer that arrives for an older query is
dropped, so the list always shows the latest query's results.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio_desktop.api.errors import ApiError
from studio_desktop.api.models import Contact
from studio_desktop.api.pixieset import PixiesetClient
from studio_desktop.api.pixieset_errors import PixiesetNotFoundError, PixiesetValidationError
from studio_desktop.api.pixieset_models import Client, ClientPage, Collection, Document, Page
from studio_desktop.people.directory import ContactDirectory
from studio_desktop.people.links import LinkError, LinkResult, contact_from_client
from studio_desktop.ui.people.client_form import ClientForm
from studio_desktop.ui.people.people_models import ClientListModel
from studio_desktop.ui.people.person_panel import PersonPanel
from studio_desktop.ui.people.widgets import Banner, Busy, Hint, Title
from studio_desktop.ui.tasks import TaskRunner
from studio_desktop.wording import plain_message

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 300
PAGE_SIZE = 25
TYPE_FILTERS = (("all", "All people"), ("client", "Clients"), ("lead", "Leads"), ("other", "Other"))
SIGNED_OUT_TEXT = "Sign in to Pixieset to see and edit your clients and leads."


def _collection_line(collection: Collection) -> str:
    parts = [collection.name or collection.slug or collection.id]
    if collection.event_date:
        parts.append(collection.event_date.isoformat())
    if collection.photo_count is not None:
        parts.append(f"{collection.photo_count:,} photo{'s' if collection.photo_count != 1 else ''}")
    if collection.status:
        parts.append(collection.status.replace("_", " ").title())
    return " · ".join(parts)


def _document_line(document: Document) -> str:
    parts = [document.type_formatted or "Document", document.title or document.number or document.id]
    if document.amount_formatted:
        parts.append(document.amount_formatted)
    if document.status_formatted:
        parts.append(document.status_formatted)
    if document.due_date:
        parts.append(f"due {document.due_date.isoformat()}")
    return " · ".join(part for part in parts if part)


#: What the count under the title calls one and several people of each type.
COUNT_NOUNS = {
    "all": ("person", "people"),
    "client": ("client", "clients"),
    "lead": ("lead", "leads"),
    "other": ("other contact", "other contacts"),
}


class ClientsPanel(PersonPanel[Client]):
    #: A ShootProof contact made or found from a client ("Copy to ShootProof").
    contact_ready = Signal(object)

    NOUN = "client"
    NAME = "clients"
    SERVICE = "pixieset"

    def __init__(
        self,
        tasks: TaskRunner,
        client: PixiesetClient | None = None,
        *,
        contacts: ContactDirectory | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(tasks, parent)
        self.setObjectName("clientsPanel")
        self.pixieset: PixiesetClient | None = None
        self.contacts = contacts
        self.page: ClientPage | None = None
        self.page_number = 1
        self.load_task: asyncio.Task | None = None
        self.cancelled_loads = 0
        self.save_dialog: QFileDialog | None = None
        self._generation = 0
        self._select_after_load: str | None = None
        self._build()
        self.set_client(client)

    # --- building --------------------------------------------------------------------------

    def _build(self) -> None:
        self.title = Title("Clients", self)
        self.count_label = Hint("", self)
        self.new_button = QToolButton(self, text="New", objectName="clients_new")
        self.new_button.setToolTip("Add a client or lead to Pixieset")
        self.export_button = QToolButton(self, text="Export…", objectName="clients_export")
        self.export_button.setToolTip("Save all your Pixieset clients to a CSV file")
        self.refresh_button = QToolButton(self, text="Refresh", objectName="clients_refresh")
        header = self._build_header(self.new_button, self.export_button, self.refresh_button)

        self.type_filter = QComboBox(self)
        self.type_filter.setObjectName("clients_type_filter")
        self.type_filter.setAccessibleName("Show")
        for value, label in TYPE_FILTERS:
            self.type_filter.addItem(label, value)
        self.search = QLineEdit(self, objectName="clients_search")
        self.search.setPlaceholderText("Search name, email, phone or company")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search clients")
        filters = QHBoxLayout()
        filters.setSpacing(6)
        filters.addWidget(self.type_filter)
        filters.addWidget(self.search, 1)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)

        self.busy = Busy(self)
        self.banner = Banner(self)

        self.model = ClientListModel(self)
        self._build_list(self.model, "")
        self.sign_in_button = QPushButton("Sign In to Pixieset…", self, objectName="clients_sign_in")
        empty_page = QWidget()
        empty_layout = QVBoxLayout(empty_page)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.list_empty)
        empty_layout.addWidget(self.sign_in_button, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(1)
        self.list_stack = QStackedWidget(self)
        self.list_stack.addWidget(self.list_view)
        self.list_stack.addWidget(empty_page)

        self.prev_button = QToolButton(self, text="‹ Previous", objectName="clients_prev")
        self.next_button = QToolButton(self, text="Next ›", objectName="clients_next")
        for button in (self.prev_button, self.next_button):
            button.setAutoRaise(True)
        self.page_label = Hint("", self)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        pager = QHBoxLayout()
        pager.setContentsMargins(0, 0, 0, 0)
        pager.addWidget(self.prev_button)
        pager.addWidget(self.page_label, 1)
        pager.addWidget(self.next_button)
        list_box = QWidget()
        list_layout = QVBoxLayout(list_box)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.setSpacing(2)
        list_layout.addWidget(self.list_stack, 1)
        list_layout.addLayout(pager)

        self.form = ClientForm(self)
        form_scroll = self._scrolled_form()
        self.collections_list = QListWidget(self)
        self.collections_list.setObjectName("client_collections")
        self.collections_list.setAccessibleName("Galleries of this client")
        self.documents_list = QListWidget(self)
        self.documents_list.setObjectName("client_documents")
        self.documents_list.setAccessibleName("Documents of this client")
        self._build_tabs(
            (form_scroll, "Details"), (self.collections_list, "Galleries"), (self.documents_list, "Documents")
        )
        self.copy_button = QPushButton("Copy to ShootProof", self, objectName="client_copy_to_shootproof")
        self.copy_button.setToolTip("Find this person among your ShootProof contacts by email, or add them")
        self._build_details(self.copy_button)
        self._lay_out(header, filters, list_box)

        self.new_button.clicked.connect(lambda: self.new_client())
        self.export_button.clicked.connect(lambda: self.export_csv())
        self.refresh_button.clicked.connect(lambda: self.load_page(self.page_number))
        self.type_filter.currentIndexChanged.connect(lambda _index: self.load_page(1))
        self.search.textChanged.connect(lambda _text: self.search_timer.start())
        self.search.returnPressed.connect(self.search_now)
        self.search_timer.timeout.connect(lambda: self.load_page(1))
        self.prev_button.clicked.connect(lambda: self.load_page(self.page_number - 1))
        self.next_button.clicked.connect(lambda: self.load_page(self.page_number + 1))
        self.sign_in_button.clicked.connect(lambda: self.sign_in_requested.emit("pixieset"))
        self.copy_button.clicked.connect(lambda: self.copy_to_shootproof())

    # --- services ------------------------------------------------------------------------------

    def set_client(self, client: PixiesetClient | None) -> None:
        """Use ``client`` (None: signed out of Pixieset)."""
        self.pixieset = client
        self._cancel_load()
        self._cancel_detail_tasks()
        self.page = None
        self.model.set_items([])
        self._show_person(None)
        self.banner.hide()
        self._sync()
        if client is not None:
            self.load_page(1)

    def set_contacts(self, contacts: ContactDirectory | None) -> None:
        """The ShootProof contacts used by "Copy to ShootProof" (None: signed out of ShootProof)."""
        self.contacts = contacts
        self._sync()

    # --- the list ------------------------------------------------------------------------------

    def type_value(self) -> str:
        return str(self.type_filter.currentData() or "all")

    def query(self) -> str:
        return self.search.text().strip()

    def search_now(self) -> None:
        self.search_timer.stop()
        self.load_page(1)

    def _cancel_load(self) -> None:
        if self.load_task is not None and not self.load_task.done():
            self.load_task.cancel()
            self.cancelled_loads += 1
        self.load_task = None

    def load_page(self, number: int) -> None:
        """Load page ``number`` of the current filter and query; a load still running is cancelled."""
        if self.pixieset is None:
            return
        self.search_timer.stop()
        self._cancel_load()
        self._generation += 1
        generation = self._generation
        number = max(1, number)
        query, kind = self.query(), self.type_value()
        self.busy.set_busy(True)
        self.load_task = self._run(
            self._fetch(self.pixieset, query, kind, number),
            on_result=lambda page: self._page_loaded(generation, page),
            on_error=lambda error: self._load_failed(generation, error),
            name=f"clients-page-{number}",
        )
        self._sync()

    @staticmethod
    async def _fetch(pixieset: PixiesetClient, query: str, kind: str, number: int) -> ClientPage:
        if query:
            return await pixieset.search_clients(query, kind, page=number, page_size=PAGE_SIZE)
        return await pixieset.list_clients(None if kind == "all" else kind, page=number, per_page=PAGE_SIZE)

    def _page_loaded(self, generation: int, page: ClientPage) -> None:
        if generation != self._generation:
            return
        self.load_task = None
        self.busy.set_busy(False)
        if page.current_page > page.last_page and page.last_page >= 1 and not page.items:
            self.load_page(page.last_page)
            return
        self.page = page
        self.page_number = page.current_page
        keep = self._select_after_load or (self._person.id if self._person and not self._is_new else None)
        self._select_after_load = None
        self._selecting = True
        try:
            self.model.set_items(page.items)
            row = self.model.row_of(keep) if keep else -1
            if row >= 0:
                self.list_view.setCurrentIndex(self.model.index(row, 0))
        finally:
            self._selecting = False
        if keep and row >= 0 and (self._person is None or self._person.id != keep) and not self._dirty:
            self._show_person(self.model.client(row))
        self._sync()

    def _load_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self.load_task = None
        self.busy.set_busy(False)
        self._report(error, "Could not load the clients")
        self._sync()

    def reveal_client(self, client: Client) -> None:
        """Show ``client`` (e.g. one just made from a ShootProof contact): search for it and select it."""
        if self.pixieset is None:
            return
        self._select_after_load = client.id
        self.search.blockSignals(True)
        self.search.setText(client.email or client.full_name)
        self.search.blockSignals(False)
        self.type_filter.blockSignals(True)
        self.type_filter.setCurrentIndex(0)
        self.type_filter.blockSignals(False)
        self.load_page(1)

    # --- details ------------------------------------------------------------------------------

    def current_client(self) -> Client | None:
        return None if self._is_new else self._person

    def _select_and_show(self, client: Client | None) -> None:
        self._selecting = True
        try:
            row = self.model.row_of(client.id) if client is not None else -1
            if row >= 0:
                self.list_view.setCurrentIndex(self.model.index(row, 0))
            else:
                self._restore_selection(QModelIndex())
        finally:
            self._selecting = False
        self._show_person(client)

    def _show_person(self, client: Client | None, *, new: bool = False) -> None:
        self._cancel_detail_tasks()
        self._person = client
        self._is_new = new
        self._dirty = False
        self.collections_list.clear()
        self.documents_list.clear()
        self.tabs.setTabText(1, "Galleries")
        self.tabs.setTabText(2, "Documents")
        if client is None and not new:
            self.detail_stack.setCurrentIndex(0)
            self._sync()
            return
        self.detail_stack.setCurrentIndex(1)
        new_type = self.type_value() if self.type_value() != "all" else "client"
        self.form.set_client(client, new_type=new_type)
        if new:
            self.detail_title.setText("New client")
            self.detail_subtitle.setText("A first name or an email address is enough to start.")
            self.tabs.setCurrentIndex(0)
        else:
            assert client is not None
            self._set_titles(client)
            self._load_related(client.id)
        self._sync()

    def _set_titles(self, client: Client) -> None:
        self.detail_title.setText(client.display_name)
        parts = [
            client.type_formatted or client.type.title(),
            client.status_name,
            f"since {client.created_at.date().isoformat()}" if client.created_at else None,
        ]
        self.detail_subtitle.setText(" · ".join(part for part in parts if part))

    def _load_related(self, client_id: str) -> None:
        if self.pixieset is None:
            return
        pixieset = self.pixieset
        self._detail_tasks.append(
            self._run(
                pixieset.client_collections(client_id, page_size=100),
                on_result=lambda page: self._collections_loaded(client_id, page),
                on_error=lambda error: self._related_failed(client_id, self.collections_list, error),
                name="client-collections",
            )
        )
        self._detail_tasks.append(
            self._run(
                pixieset.client_documents(client_id),
                on_result=lambda page: self._documents_loaded(client_id, page),
                on_error=lambda error: self._related_failed(client_id, self.documents_list, error),
                name="client-documents",
            )
        )

    def _is_showing(self, client_id: str) -> bool:
        return self._person is not None and self._person.id == client_id and not self._is_new

    def _collections_loaded(self, client_id: str, page: Page[Collection]) -> None:
        if not self._is_showing(client_id):
            return
        self.collections_list.clear()
        for collection in page.items:
            item = QListWidgetItem(_collection_line(collection))
            item.setData(Qt.ItemDataRole.UserRole, collection.id)
            item.setToolTip(collection.url or "")
            self.collections_list.addItem(item)
        if not page.items:
            self._placeholder(self.collections_list, "No galleries for this client yet.")
        self.tabs.setTabText(1, f"Galleries ({page.total})" if page.total else "Galleries")

    def _documents_loaded(self, client_id: str, page: Page[Document]) -> None:
        if not self._is_showing(client_id):
            return
        self.documents_list.clear()
        for document in page.items:
            item = QListWidgetItem(_document_line(document))
            item.setData(Qt.ItemDataRole.UserRole, document.id)
            self.documents_list.addItem(item)
        if page.has_next:
            self._placeholder(self.documents_list, f"… and {page.total - len(page.items)} more in Pixieset.")
        if not page.items:
            self._placeholder(self.documents_list, "No contracts, invoices or quotes yet.")
        self.tabs.setTabText(2, f"Documents ({page.total})" if page.total else "Documents")

    @staticmethod
    def _placeholder(widget: QListWidget, text: str) -> None:
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        widget.addItem(item)

    def _related_failed(self, client_id: str, widget: QListWidget, error: BaseException) -> None:
        if not self._is_showing(client_id):
            return
        widget.clear()
        self._placeholder(widget, f"Could not load: {plain_message(error)}")
        self._note_auth(error)

    # --- editing --------------------------------------------------------------------------------

    def new_client(self) -> None:
        if self.pixieset is None or self._guard_changes(self.new_client):
            return
        self._restore_selection(QModelIndex())
        self._show_person(None, new=True)
        self.form.editors["first_name"].setFocus()

    def save(self, then: Callable[[], None] | None = None) -> None:
        if self.pixieset is None or (self._person is None and not self._is_new):
            return
        problems = self.form.problems()
        if problems:
            self.form.show_errors(problems, "Please fix the fields marked in red.")
            return
        self.form.errors.clear()
        draft = self.form.draft()
        status = self.form.status_name()
        if self._is_new:
            job = self.pixieset.create_client(draft, status_name=status)
        else:
            assert self._person is not None
            job = self.pixieset.update_client(self._person.id, draft, status_name=status)
        self.busy.set_busy(True)
        self._disable_save()
        self._run(
            job, on_result=lambda client: self._saved(client, then), on_error=self._save_failed, name="client-save"
        )

    def _saved(self, client: Client, then: Callable[[], None] | None) -> None:
        self.busy.set_busy(False)
        was_new = self._is_new
        self._dirty = False
        self._is_new = False
        self._person = client
        self._selecting = True
        try:
            row = self.model.replace(client)
            if row < 0:
                self.model.insert(0, client)
                row = 0
            self.list_view.setCurrentIndex(self.model.index(row, 0))
        finally:
            self._selecting = False
        self.form.set_client(client)
        self._set_titles(client)
        if was_new:
            self._load_related(client.id)
        self.status_message.emit(f"{'Added' if was_new else 'Saved'} {client.display_name}.")
        self._sync()
        if then is not None:
            then()

    def _save_failed(self, error: BaseException) -> None:
        self.busy.set_busy(False)
        if isinstance(error, PixiesetValidationError) and error.field_errors:
            self.form.show_errors(error.field_errors, "Pixieset did not accept some fields; see the notes in red.")
        elif isinstance(error, PixiesetNotFoundError):
            self.banner.show_message("This client no longer exists in Pixieset.", "warning")
        else:
            self._report(error, "The client was not saved")
        self._sync()

    # --- export ----------------------------------------------------------------------------------

    def export_csv(self) -> None:
        """Ask where to save (a non-modal save dialog), then export there."""
        if self.pixieset is None:
            return
        dialog = QFileDialog(self, "Export Pixieset clients")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(["CSV files (*.csv)"])
        dialog.setDefaultSuffix("csv")
        dialog.selectFile(f"pixieset-clients-{date.today().isoformat()}.csv")
        dialog.fileSelected.connect(self.export_to)
        self.save_dialog = dialog
        dialog.open()

    def export_to(self, path: str | Path) -> asyncio.Task | None:
        if self.pixieset is None:
            return None
        target = Path(path)
        self.busy.set_busy(True)
        return self._run(
            self.pixieset.export_csv(target),
            on_result=self._exported,
            on_error=self._export_failed,
            name="clients-export",
        )

    def _exported(self, path: Path) -> None:
        self.busy.set_busy(False)
        self.banner.show_message(f"Saved your clients to {path}.", "success")
        self.status_message.emit(f"Exported clients to {path.name}.")

    def _export_failed(self, error: BaseException) -> None:
        self.busy.set_busy(False)
        self._report(error, "The export failed")

    # --- ShootProof ------------------------------------------------------------------------------

    def copy_to_shootproof(self) -> None:
        client = self.current_client()
        if client is None or self.contacts is None:
            return
        self.busy.set_busy(True)
        self._run(
            self._copy(self.contacts, client),
            on_result=self._copied,
            on_error=self._copy_failed,
            name="client-to-shootproof",
        )

    @staticmethod
    async def _copy(directory: ContactDirectory, client: Client) -> LinkResult[Contact]:
        brands = await directory.brands()
        if not brands:
            raise LinkError("Your ShootProof studio has no brand to add contacts to.")
        brand = next((b for b in brands if b.is_default), brands[0])
        return await contact_from_client(directory, client, brand.id)

    def _copied(self, result: LinkResult[Contact]) -> None:
        self.busy.set_busy(False)
        contact = result.item
        if result.created:
            self.banner.show_message(f"Added {contact.display_name} to your ShootProof contacts.", "success")
        else:
            self.banner.show_message(
                f"{contact.display_name} is already a ShootProof contact ({contact.email}); nothing was added.", "info"
            )
        self.contact_ready.emit(contact)

    def _copy_failed(self, error: BaseException) -> None:
        self.busy.set_busy(False)
        if isinstance(error, LinkError):
            self.banner.show_message(str(error), "warning")
            return
        if isinstance(error, ApiError) and error.validation_errors:
            details = "; ".join(error.field_messages())
            self.banner.show_message(f"ShootProof did not accept this client as a contact: {details}", "error")
            return
        self._report(error, "Could not copy to ShootProof")

    # --- state -----------------------------------------------------------------------------------

    def _sync(self) -> None:
        signed_in = self.pixieset is not None
        page = self.page
        rows = self.model.rowCount()
        if not signed_in:
            self.count_label.setText("Not signed in")
            self.list_empty.setText(SIGNED_OUT_TEXT)
        elif page is None:
            self.count_label.setText("Loading…")
            self.list_empty.setText("Loading your clients…")
        else:
            one, many = COUNT_NOUNS[self.type_value()]
            noun = many
            found = "found" if self.query() else ""
            self.count_label.setText(f"{page.total:,} {one if page.total == 1 else many} {found}".strip())
            self.list_empty.setText(f"No one matches “{self.query()}”." if self.query() else f"No {noun} yet.")
        self.sign_in_button.setVisible(not signed_in)
        self.list_stack.setCurrentIndex(0 if rows else 1)
        if page is not None and page.last_page > 1:
            self.page_label.setText(f"Page {page.current_page} of {page.last_page}")
        else:
            self.page_label.setText("")
        self.prev_button.setEnabled(page is not None and page.current_page > 1)
        self.next_button.setEnabled(page is not None and page.has_next)
        self.prev_button.setVisible(page is not None and page.last_page > 1)
        self.next_button.setVisible(page is not None and page.last_page > 1)
        for widget in (self.new_button, self.export_button, self.refresh_button, self.search, self.type_filter):
            widget.setEnabled(signed_in)
        self._sync_editing(signed_in)
        existing = self.current_client() is not None
        self.copy_button.setVisible(self.contacts is not None)
        self.copy_button.setEnabled(existing and self.contacts is not None)
        self.tabs.setTabEnabled(1, existing)
        self.tabs.setTabEnabled(2, existing)
        self.form.set_read_only(not signed_in)
