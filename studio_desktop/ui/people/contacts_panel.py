"""The ShootProof contacts side panel: the contacts the app knows, lookup by email, edit, delete, galleries.

ShootProof cannot list contacts, so the list holds the contacts the app has met
(see :mod:`studio_desktop.people.cache`): those attached to galleries,
found by email, created here or imported. Typing filters the list; an email
address plus Enter looks the contact up on ShootProof.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio_desktop.api.errors import ApiError, NotFoundError, ValidationError
from studio_desktop.api.models import Brand, Contact, Event
from studio_desktop.api.pixieset import PixiesetClient
from studio_desktop.api.shootproof import ShootProofClient
from studio_desktop.core.store import Store
from studio_desktop.people.cache import ContactsCache
from studio_desktop.people.directory import EMAIL_RE, ContactDirectory, normalize_errors
from studio_desktop.people.links import LinkError, LinkResult, client_from_contact
from studio_desktop.ui.people.contact_form import ContactForm
from studio_desktop.ui.people.people_models import ContactListModel, FilterProxy
from studio_desktop.ui.people.person_panel import PersonPanel
from studio_desktop.ui.people.widgets import Banner, Busy, Hint, Title
from studio_desktop.ui.tasks import TaskRunner
from studio_desktop.wording import plain_message

log = logging.getLogger(__name__)

SIGNED_OUT_TEXT = "Sign in to ShootProof to see and edit your contacts."
EMPTY_TEXT = (
    "No contacts yet.\n\nContacts attached to your galleries appear here by themselves. "
    "Type an email address above and press Enter to find someone, or create a new contact."
)


def _event_line(event: Event) -> str:
    parts = [event.name or f"Gallery {event.id}"]
    if event.event_date:
        parts.append(event.event_date[:10])
    if event.status and event.status != "Active":
        parts.append(event.status)
    return " · ".join(parts)


class ContactsPanel(PersonPanel[Contact]):
    #: A Pixieset client made or found from a contact ("Copy to Pixieset").
    pixieset_client_ready = Signal(object)
    contacts_changed = Signal()

    NOUN = "contact"
    NAME = "contacts"
    SERVICE = "shootproof"

    def __init__(
        self,
        tasks: TaskRunner,
        store: Store,
        client: ShootProofClient | None = None,
        *,
        account: str = "",
        pixieset: PixiesetClient | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(tasks, parent)
        self.setObjectName("contactsPanel")
        self.store = store
        self.pixieset = pixieset
        self.directory: ContactDirectory | None = None
        self.brands: list[Brand] = []
        self.current_event: tuple[int, str] | None = None
        self.import_dialog = None
        self._events: list[Event] = []
        self._load_task: asyncio.Task | None = None
        self._pending_email = ""

        self._build()
        self.set_client(client, account)

    # --- building --------------------------------------------------------------------------

    def _build(self) -> None:
        self.title = Title("Contacts", self)
        self.count_label = Hint("", self)
        self.new_button = QToolButton(self, text="New", objectName="contacts_new")
        self.new_button.setToolTip("Create a new ShootProof contact")
        self.import_button = QToolButton(self, text="Import…", objectName="contacts_import")
        self.import_button.setToolTip("Import contacts from a CSV file")
        self.refresh_button = QToolButton(self, text="Refresh", objectName="contacts_refresh")
        self.refresh_button.setToolTip("Look for contacts attached to your galleries again")
        header = self._build_header(self.new_button, self.import_button, self.refresh_button)

        self.search = QLineEdit(self, objectName="contacts_search")
        self.search.setPlaceholderText("Filter, or type an email and press Enter to look it up")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Filter contacts or look up by email")
        self.lookup_button = QPushButton("Look up", self, objectName="contacts_lookup")
        self.lookup_button.setToolTip("Find the ShootProof contact with this email address")
        search_row = QHBoxLayout()
        search_row.setSpacing(6)
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.lookup_button)

        self.busy = Busy(self)
        self.banner = Banner(self)

        self.model = ContactListModel(self)
        self.proxy = FilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self._build_list(self.proxy, EMPTY_TEXT)
        self.list_stack = QStackedWidget(self)
        self.list_stack.addWidget(self.list_view)
        self.list_stack.addWidget(self.list_empty)

        self.form = ContactForm(self)
        form_scroll = self._scrolled_form()

        self.events_list = QListWidget(self)
        self.events_list.setObjectName("contact_events")
        self.events_list.setAccessibleName("Galleries of this contact")
        self.events_hint = Hint("", self)
        self.current_event_label = QLabel(self)
        self.current_event_label.setWordWrap(True)
        self.assign_button = QPushButton("Attach to gallery", self, objectName="contact_assign")
        self.unassign_button = QPushButton("Detach", self, objectName="contact_unassign")
        self.unassign_button.setToolTip("Remove this contact from the gallery selected above")
        assign_row = QHBoxLayout()
        assign_row.addWidget(self.assign_button)
        assign_row.addWidget(self.unassign_button)
        assign_row.addStretch(1)
        events_page = QWidget()
        events_layout = QVBoxLayout(events_page)
        events_layout.setContentsMargins(8, 8, 8, 8)
        events_layout.addWidget(self.events_hint)
        events_layout.addWidget(self.events_list, 1)
        events_layout.addWidget(self.current_event_label)
        events_layout.addLayout(assign_row)

        self._build_tabs((form_scroll, "Details"), (events_page, "Galleries"))
        self.delete_button = QPushButton("Delete…", self, objectName="contact_delete")
        self.copy_button = QPushButton("Copy to Pixieset", self, objectName="contact_copy_to_pixieset")
        self.copy_button.setToolTip("Find this person among your Pixieset clients by email, or add them")
        self._build_details(self.delete_button, self.copy_button)
        self._lay_out(header, search_row, self.list_stack)

        self.new_button.clicked.connect(lambda: self.new_contact())
        self.import_button.clicked.connect(lambda: self.open_import())
        self.refresh_button.clicked.connect(lambda: self.refresh())
        self.search.textChanged.connect(self._filter_changed)
        self.search.returnPressed.connect(self._search_entered)
        self.lookup_button.clicked.connect(self._search_entered)
        self.delete_button.clicked.connect(lambda: self.confirm_delete())
        self.copy_button.clicked.connect(lambda: self.copy_to_pixieset())
        self.assign_button.clicked.connect(lambda: self.assign_to_current_event())
        self.unassign_button.clicked.connect(lambda: self.unassign_selected_event())
        self.events_list.currentRowChanged.connect(lambda _row: self._sync_assign_buttons())
        self._sync()

    # --- services ------------------------------------------------------------------------

    def set_client(self, client: ShootProofClient | None, account: str = "") -> None:
        """Use ``client`` (None: signed out); ``account`` keeps each studio's cached contacts apart."""
        self._cancel_detail_tasks()
        if self._load_task is not None:
            self._load_task.cancel()
        self.directory = None
        if client is not None:
            cache = ContactsCache(self.store, account or client.api_url)
            self.directory = ContactDirectory(client, cache)
        self.model.set_contacts([])
        self._show_person(None)
        self.banner.hide()
        self._sync()
        if self.directory is not None:
            self.refresh()

    def clear_cache(self) -> asyncio.Task | None:
        """Forget the contacts cached for the current account (call it before signing out)."""
        if self.directory is None:
            return None
        self._cancel_detail_tasks()
        if self._load_task is not None:
            self._load_task.cancel()
        return self._run(self.directory.cache.clear(), quiet=True, name="contacts-clear-cache")

    def set_pixieset(self, client: PixiesetClient | None) -> None:
        self.pixieset = client
        self._sync()

    def set_current_event(self, event_id: int | None, name: str = "") -> None:
        """The gallery selected in the window, which "Attach to gallery" uses."""
        self.current_event = (int(event_id), name or f"Gallery {event_id}") if event_id else None
        self._sync_assign_buttons()

    # --- loading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Show the cached contacts at once, then look for contacts attached to galleries."""
        if self.directory is None:
            return
        if self._load_task is not None:
            self._load_task.cancel()
        self.busy.set_busy(True)
        self._load_task = self._run(
            self._refresh(self.directory),
            on_result=self._refreshed,
            on_error=self._load_failed,
            name="contacts-refresh",
        )

    async def _refresh(self, directory: ContactDirectory) -> int:
        known = await directory.known()
        self._set_contacts(known)
        self._sync()
        if not self.brands:
            try:
                self._set_brands(await directory.brands())
            except ApiError as exc:
                log.info("Could not load brands: %s", exc)
        result = await directory.discover_from_events(on_found=lambda contact: self._upsert(contact))
        return len(result.found)

    def _refreshed(self, found: int) -> None:
        self.busy.set_busy(False)
        self._load_task = None
        self._sync()
        if found:
            self.status_message.emit(f"Found {found} contact{'s' if found != 1 else ''} in your galleries.")
        self.contacts_changed.emit()

    def _load_failed(self, error: BaseException) -> None:
        self.busy.set_busy(False)
        self._load_task = None
        self._report(error, "Could not load contacts")
        self._sync()

    def _set_brands(self, brands: Sequence[Brand]) -> None:
        self.brands = list(brands)
        self.form.set_brands(self.brands, self._person.brand_id if self._person else None)

    # --- list and search -------------------------------------------------------------------

    def _filter_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        self._sync()

    def _search_entered(self) -> None:
        text = self.search.text().strip()
        if EMAIL_RE.match(text):
            self.look_up(text)
        elif text and self.proxy.rowCount() == 1:
            self.list_view.setCurrentIndex(self.proxy.index(0, 0))
        elif text:
            self.banner.show_message("To look a contact up on ShootProof, type their whole email address.", "info")

    def look_up(self, email: str) -> None:
        """Find the contact with this email on ShootProof, add it to the list and select it."""
        if self.directory is None:
            return
        self.busy.set_busy(True)
        self.banner.hide()
        self._run(
            self.directory.find_by_email(email),
            on_result=lambda found: self._looked_up(email, found),
            on_error=self._lookup_failed,
            name="contacts-lookup",
        )

    def _looked_up(self, email: str, found: list[Contact]) -> None:
        self.busy.set_busy(False)
        if not found:
            self._banner_action_kind = "create"
            self._pending_email = email
            self.banner.show_message(
                f"No ShootProof contact has the email address {email}.", "info", action="Create contact"
            )
            return
        for contact in found:
            self._upsert(contact)
        self.search.clear()
        self.select_contact(found[0].id)
        self.status_message.emit(f"Found {found[0].display_name}.")
        self.contacts_changed.emit()

    def _lookup_failed(self, error: BaseException) -> None:
        self.busy.set_busy(False)
        self._report(error, "The lookup failed")

    def _banner_action(self) -> None:
        if self._banner_action_kind != "create":
            super()._banner_action()
            return
        email = self._pending_email
        self.banner.hide()
        self.new_contact()
        self.form.editors["email"].setText(email)
        self.form.editors["first_name"].setFocus()
        self._banner_action_kind = None

    def _set_contacts(self, contacts: Sequence[Contact]) -> None:
        shown = self._person if not self._is_new else None
        self._selecting = True
        try:
            self.model.set_contacts(contacts)
            if shown is not None:
                self.select_contact(shown.id)
        finally:
            self._selecting = False

    def _upsert(self, contact: Contact) -> None:
        """Add or update a row; the selection stays on the contact shown even if its row moves."""
        shown = self._person if not self._is_new else None
        self._selecting = True
        try:
            self.model.upsert(contact)
            if shown is not None and shown.id == contact.id:
                self.select_contact(contact.id)
        finally:
            self._selecting = False

    def _drop(self, contact_id: int) -> None:
        """Remove a row without the selection sliding onto a neighbour (and showing it)."""
        self._selecting = True
        try:
            removing_current = self._person is not None and self._person.id == contact_id and not self._is_new
            self.model.remove(contact_id)
            if removing_current:
                self._restore_selection(QModelIndex())
        finally:
            self._selecting = False

    def select_contact(self, contact_id: int) -> bool:
        row = self.model.row_of(contact_id)
        if row < 0:
            return False
        proxy_index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not proxy_index.isValid():
            self.search.clear()
            proxy_index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.list_view.setCurrentIndex(proxy_index)
        self.list_view.scrollTo(proxy_index)
        return True

    def reveal_contact(self, contact: Contact) -> None:
        """Show ``contact`` (e.g. one just made from a Pixieset client), remembering it."""
        self._upsert(contact)
        if self.directory is not None:
            self._run(self.directory.remember([contact], "client"), quiet=True, name="contacts-remember")
        self.select_contact(contact.id)
        self._sync()

    def _select_and_show(self, contact: Contact | None) -> None:
        self._selecting = True
        try:
            if contact is None or not self.select_contact(contact.id):
                self._restore_selection(QModelIndex())
        finally:
            self._selecting = False
        self._show_person(contact)

    # --- details -----------------------------------------------------------------------------

    def current_contact(self) -> Contact | None:
        return None if self._is_new else self._person

    def _show_person(self, contact: Contact | None, *, new: bool = False) -> None:
        self._cancel_detail_tasks()
        self._person = contact
        self._is_new = new
        self._dirty = False
        self._events = []
        self.events_list.clear()
        if contact is None and not new:
            self.detail_stack.setCurrentIndex(0)
            self._sync()
            return
        self.detail_stack.setCurrentIndex(1)
        self.form.set_contact(contact)
        if new:
            self.detail_title.setText("New contact")
            self.detail_subtitle.setText("Fill in at least a first name and an email address.")
            self.events_hint.setText("Save the contact first; then you can attach it to galleries.")
            self.tabs.setCurrentIndex(0)
        else:
            assert contact is not None
            self._set_detail_titles(contact)
            self.events_hint.setText("Loading galleries…")
            if self.directory is not None:
                self._detail_tasks.append(
                    self._run(
                        self.directory.refresh(contact.id),
                        on_result=lambda fresh: self._fresh(contact.id, fresh),
                        on_error=self._detail_failed,
                        name="contact-refresh",
                    )
                )
                self._load_events(contact.id)
        self._sync()

    def _set_detail_titles(self, contact: Contact) -> None:
        self.detail_title.setText(contact.display_name)
        details = [part for part in (contact.email, contact.brand_name if len(self.brands) > 1 else None) if part]
        self.detail_subtitle.setText(" · ".join(details))

    def _fresh(self, contact_id: int, fresh: Contact | None) -> None:
        if self._person is None or self._person.id != contact_id or self._is_new:
            return
        if fresh is None:
            name = self._person.display_name
            self._drop(contact_id)
            self._show_person(None)
            self.banner.show_message(f"{name} was deleted on the ShootProof website.", "warning")
            self.contacts_changed.emit()
            return
        self._upsert(fresh)
        if not self._dirty:
            self._person = fresh
            self.form.set_contact(fresh)
            self._set_detail_titles(fresh)

    def _detail_failed(self, error: BaseException) -> None:
        self._report(error, "Could not load the contact")

    def _load_events(self, contact_id: int) -> None:
        if self.directory is None:
            return
        self._detail_tasks.append(
            self._run(
                self.directory.events_of(contact_id),
                on_result=lambda events: self._events_loaded(contact_id, events),
                on_error=self._events_failed,
                name="contact-events",
            )
        )

    def _events_loaded(self, contact_id: int, events: list[Event]) -> None:
        if self._person is None or self._person.id != contact_id:
            return
        self._events = list(events)
        self.events_list.clear()
        for event in self._events:
            item = QListWidgetItem(_event_line(event))
            item.setData(Qt.ItemDataRole.UserRole, event.id)
            item.setToolTip(event.view_url or "")
            self.events_list.addItem(item)
        count = len(self._events)
        self.events_hint.setText(
            f"Attached to {count} galler{'ies' if count != 1 else 'y'}:"
            if count
            else "Not attached to any gallery yet."
        )
        self.tabs.setTabText(1, f"Galleries ({count})" if count else "Galleries")
        if self.current_event is not None:
            for row, event in enumerate(self._events):
                if event.id == self.current_event[0]:
                    self.events_list.setCurrentRow(row)
        self._sync_assign_buttons()

    def _events_failed(self, error: BaseException) -> None:
        self.events_hint.setText(f"Could not load the galleries: {plain_message(error)}")
        self._note_auth(error)

    def event_ids(self) -> list[int]:
        return [event.id for event in self._events]

    # --- editing -------------------------------------------------------------------------------

    def new_contact(self) -> None:
        if self.directory is None or self._guard_changes(self.new_contact):
            return
        self._restore_selection(QModelIndex())
        self._show_person(None, new=True)
        self.form.set_brands(self.brands)
        self.form.editors["first_name"].setFocus()

    def save(self, then: Callable[[], None] | None = None) -> None:
        if self.directory is None or (self._person is None and not self._is_new):
            return
        fields = self.form.fields()
        problems = fields.problems()
        if problems:
            self.form.show_errors(problems, "Please fix the fields marked in red.")
            return
        self.form.errors.clear()
        self.busy.set_busy(True)
        self._disable_save()
        if self._is_new:
            job = self.directory.create(fields)
        else:
            assert self._person is not None
            job = self.directory.update(self._person.id, fields)
        self._run(
            job, on_result=lambda contact: self._saved(contact, then), on_error=self._save_failed, name="contact-save"
        )

    def _saved(self, contact: Contact, then: Callable[[], None] | None) -> None:
        self.busy.set_busy(False)
        was_new = self._is_new
        self._dirty = False
        self._is_new = False
        self._person = contact
        self._upsert(contact)
        self.status_message.emit(f"{'Created' if was_new else 'Saved'} {contact.display_name}.")
        self.contacts_changed.emit()
        self._selecting = True
        try:
            self.select_contact(contact.id)
        finally:
            self._selecting = False
        self.form.set_contact(contact)
        self._set_detail_titles(contact)
        if was_new:
            self._load_events(contact.id)
        self._sync()
        if then is not None:
            then()

    def _save_failed(self, error: BaseException) -> None:
        self.busy.set_busy(False)
        if isinstance(error, ValidationError) and error.validation_errors:
            self.form.show_errors(
                normalize_errors(error.validation_errors),
                "ShootProof did not accept some fields; see the notes in red.",
            )
        else:
            self._report(error, "The contact was not saved")
        self._sync()

    # --- deleting --------------------------------------------------------------------------------

    def confirm_delete(self) -> None:
        contact = self.current_contact()
        if contact is None:
            return
        who = contact.display_name + (
            f" ({contact.email})" if contact.email and contact.email != contact.display_name else ""
        )
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Delete contact",
            f"Delete the contact {who}?",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("contacts_confirm_delete")
        box.setInformativeText(
            "The contact is removed from ShootProof and from every gallery it is attached to. This cannot be undone."
        )
        delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        delete.setObjectName("confirm_delete_button")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: self.delete(contact) if button is delete else None)
        self.confirm_box = box
        box.open()

    def delete(self, contact: Contact) -> None:
        """Delete without asking (the confirmation calls this)."""
        if self.directory is None:
            return
        self.busy.set_busy(True)
        self._run(
            self.directory.delete(contact.id),
            on_result=lambda _: self._deleted(contact),
            on_error=lambda error: self._delete_failed(error),
            name="contact-delete",
        )

    def _deleted(self, contact: Contact) -> None:
        self.busy.set_busy(False)
        showing = self._person is not None and self._person.id == contact.id and not self._is_new
        self._drop(contact.id)
        if showing:
            self._show_person(None)
        self.status_message.emit(f"Deleted {contact.display_name}.")
        self.contacts_changed.emit()
        self._sync()

    def _delete_failed(self, error: BaseException) -> None:
        self.busy.set_busy(False)
        self._report(error, "The contact was not deleted")

    # --- galleries -------------------------------------------------------------------------------

    def _sync_assign_buttons(self) -> None:
        contact = self.current_contact()
        attached = self.current_event is not None and self.current_event[0] in self.event_ids()
        if self.current_event is None:
            self.current_event_label.setText("Select a gallery in the main window to attach this contact to it.")
        elif attached:
            self.current_event_label.setText(f"Attached to the selected gallery, “{self.current_event[1]}”.")
        else:
            self.current_event_label.setText(f"Selected gallery: “{self.current_event[1]}”.")
        self.assign_button.setText(
            f"Attach to “{self.current_event[1]}”" if self.current_event else "Attach to gallery"
        )
        can_edit = contact is not None and self.directory is not None
        self.assign_button.setEnabled(can_edit and self.current_event is not None and not attached)
        self.unassign_button.setEnabled(can_edit and self.events_list.currentRow() >= 0)

    def assign_to_current_event(self) -> None:
        contact = self.current_contact()
        if contact is None or self.current_event is None or self.directory is None:
            return
        event_id, name = self.current_event
        self.busy.set_busy(True)
        self._run(
            self.directory.assign(event_id, contact.id),
            on_result=lambda _: self._assignment_done(contact, f"Attached {contact.display_name} to “{name}”."),
            on_error=lambda error: self._assignment_failed(error),
            name="contact-assign",
        )

    def unassign_selected_event(self) -> None:
        contact = self.current_contact()
        row = self.events_list.currentRow()
        if contact is None or self.directory is None or not 0 <= row < len(self._events):
            return
        event = self._events[row]
        self.busy.set_busy(True)
        self._run(
            self.directory.assign(event.id, None),
            on_result=lambda _: self._assignment_done(
                contact,
                f"Detached {contact.display_name} from {f'“{event.name}”' if event.name else 'an untitled gallery'}.",
            ),
            on_error=lambda error: self._assignment_failed(error),
            name="contact-unassign",
        )

    def _assignment_done(self, contact: Contact, message: str) -> None:
        self.busy.set_busy(False)
        self.status_message.emit(message)
        if self._person is not None and self._person.id == contact.id:
            self._load_events(contact.id)

    def _assignment_failed(self, error: BaseException) -> None:
        self.busy.set_busy(False)
        self._report(error, "The gallery was not changed")

    # --- Pixieset -------------------------------------------------------------------------------

    def copy_to_pixieset(self) -> None:
        contact = self.current_contact()
        if contact is None or self.pixieset is None:
            return
        self.busy.set_busy(True)
        self._run(
            client_from_contact(self.pixieset, contact),
            on_result=self._copied,
            on_error=self._copy_failed,
            name="contact-to-pixieset",
        )

    def _copied(self, result: LinkResult) -> None:
        self.busy.set_busy(False)
        client = result.item
        if result.created:
            self.banner.show_message(f"Added {client.display_name} to your Pixieset clients.", "success")
        else:
            self.banner.show_message(
                f"{client.display_name} is already one of your Pixieset clients ({client.email}); nothing was added.",
                "info",
            )
        self.pixieset_client_ready.emit(client)

    def _copy_failed(self, error: BaseException) -> None:
        self.busy.set_busy(False)
        if isinstance(error, LinkError):
            self.banner.show_message(str(error), "warning")
            return
        self._report(error, "Could not copy to Pixieset")

    # --- import ----------------------------------------------------------------------------------

    def open_import(self, path: str | None = None):
        """Open the CSV import dialog (with ``path`` already chosen, if given); returns the dialog."""
        if self.directory is None:
            return None
        from studio_desktop.ui.people.contact_import import ContactImportDialog

        dialog = ContactImportDialog(self.tasks, self.directory, self.brands, parent=self)
        dialog.imported.connect(self._imported)
        self.import_dialog = dialog
        dialog.open()
        if path:
            dialog.load_file(path)
        return dialog

    def _imported(self, contacts: list[Contact]) -> None:
        for contact in contacts:
            self._upsert(contact)
        self._sync()
        if contacts:
            self.contacts_changed.emit()

    # --- state -----------------------------------------------------------------------------------

    def _report(self, error: BaseException, what: str) -> None:
        if isinstance(error, NotFoundError):
            self.banner.show_message(f"{what}: it no longer exists on ShootProof.", "warning")
            return
        super()._report(error, what)

    def _sync(self) -> None:
        signed_in = self.directory is not None
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        if not signed_in:
            self.count_label.setText("Not signed in")
            self.list_empty.setText(SIGNED_OUT_TEXT)
        elif shown < total:
            self.count_label.setText(f"{shown} of {total} contacts")
        else:
            self.count_label.setText(f"{total} contact{'s' if total != 1 else ''} known")
        if signed_in and total and not shown:
            self.list_empty.setText(
                "No known contact matches.\n\nType a whole email address and press Enter "
                "to look the contact up on ShootProof."
            )
        elif signed_in and not total:
            self.list_empty.setText(EMPTY_TEXT)
        self.list_stack.setCurrentIndex(0 if shown else 1)
        for widget in (self.new_button, self.import_button, self.refresh_button, self.search, self.lookup_button):
            widget.setEnabled(signed_in)
        self._sync_editing(signed_in)
        existing = self.current_contact() is not None
        self.delete_button.setEnabled(signed_in and existing)
        self.copy_button.setVisible(self.pixieset is not None)
        self.copy_button.setEnabled(existing and self.pixieset is not None)
        self.tabs.setTabEnabled(1, existing)
        self.form.set_read_only(not signed_in)
        self._sync_assign_buttons()
