"""The one contact picker: type a name or an email, pick one of the known contacts it suggests, or make a new
contact right there. Used wherever a gallery's contact is chosen.

The picker only shows and collects; the dialog around it says what the known
contacts are (:meth:`ContactPicker.set_contacts`) and creates a new one when
``create_requested`` fires, then hands it back with :meth:`set_contact`.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from studio_desktop.api.models import Contact
from studio_desktop.people.matching import contact_label, matches, resolve
from studio_desktop.ui import theme
from studio_desktop.wording import plain_message

PLACEHOLDER = "Type a name or email address"


class ContactPicker(QWidget):
    """``chosen`` holds the picked contact (None until one is picked or the text resolves to one)."""

    changed = Signal()
    #: ``(first_name, last_name, email)`` for a new contact.
    create_requested = Signal(str, str, str)

    def __init__(self, parent: QWidget | None = None, *, allow_new: bool = True):
        super().__init__(parent)
        self.setObjectName("contactPicker")
        self.contacts: list[Contact] = []
        self.chosen: Contact | None = None
        self._labels: dict[str, Contact] = {}

        self.edit = QLineEdit(self, objectName="contactPickerEdit")
        self.edit.setPlaceholderText(PLACEHOLDER)
        self.edit.setAccessibleName("Contact")
        self.edit.setClearButtonEnabled(True)
        self.suggestions = QStringListModel(self)
        self.completer = QCompleter(self.suggestions, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        # The list is already filtered by name, email or any part of them.
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setMaxVisibleItems(10)
        self.edit.setCompleter(self.completer)
        self.new_button = QToolButton(self, text="New…", objectName="contactPickerNew")
        self.new_button.setToolTip("Make a new ShootProof contact for this gallery")
        self.new_button.setVisible(allow_new)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.new_button)

        self.new_box = QWidget(self)
        self.new_box.setObjectName("contactPickerNewBox")
        self.first_name = QLineEdit(self.new_box, objectName="newContactFirst")
        self.first_name.setPlaceholderText("First name")
        self.first_name.setAccessibleName("New contact's first name")
        self.last_name = QLineEdit(self.new_box, objectName="newContactLast")
        self.last_name.setPlaceholderText("Last name")
        self.last_name.setAccessibleName("New contact's last name")
        self.email = QLineEdit(self.new_box, objectName="newContactEmail")
        self.email.setPlaceholderText("Email address")
        self.email.setAccessibleName("New contact's email address")
        self.create_button = QPushButton("Add Contact", self.new_box, objectName="newContactCreate")
        self.new_error = QLabel(self.new_box, objectName="newContactError")
        self.new_error.setWordWrap(True)
        theme.follow_palette(
            self.new_error, lambda: self.new_error.setStyleSheet(f"color: {theme.tone('error').name()};")
        )
        self.new_error.hide()
        grid = QGridLayout(self.new_box)
        grid.setContentsMargins(0, 4, 0, 0)
        grid.addWidget(self.first_name, 0, 0)
        grid.addWidget(self.last_name, 0, 1)
        grid.addWidget(self.email, 1, 0, 1, 2)
        grid.addWidget(self.new_error, 2, 0, 1, 2)
        grid.addWidget(self.create_button, 3, 1, Qt.AlignmentFlag.AlignRight)
        self.new_box.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.new_box)
        self.setFocusProxy(self.edit)

        self.edit.textEdited.connect(self._typed)
        self.completer.activated[QModelIndex].connect(self._picked)
        self.completer.activated[str].connect(self._picked_text)
        self.new_button.clicked.connect(self._open_new)
        self.create_button.clicked.connect(self._create)
        self.email.returnPressed.connect(self._create)

    # --- what there is to pick -------------------------------------------------------------------

    def set_contacts(self, contacts: Sequence[Contact]) -> None:
        self.contacts = list(contacts)
        self._typed(self.edit.text(), keep_choice=True)

    def set_contact(self, contact: Contact | None) -> None:
        """Show ``contact`` as the choice (e.g. the gallery's current one, or one just made)."""
        self.chosen = contact
        if contact is not None and all(c.id != contact.id for c in self.contacts):
            self.contacts.append(contact)
        self.edit.setText(contact_label(contact) if contact is not None else "")
        self.new_box.hide()
        self.changed.emit()

    def text(self) -> str:
        return self.edit.text().strip()

    def resolved(self) -> tuple[Contact | None, list[Contact]]:
        """The contact meant: the one picked, else the one the text names; with the candidates otherwise."""
        if self.chosen is not None and self.edit.text() == contact_label(self.chosen):
            return self.chosen, [self.chosen]
        return resolve(self.contacts, self.text())

    # --- typing and picking -----------------------------------------------------------------------

    def _typed(self, text: str, keep_choice: bool = False) -> None:
        if not keep_choice:
            self.chosen = None
        found = matches(self.contacts, text)
        self._labels = {contact_label(contact): contact for contact in found}
        self.suggestions.setStringList(list(self._labels))
        if not keep_choice:
            self.changed.emit()

    def _picked(self, index: QModelIndex) -> None:
        self._picked_text(str(index.data()))

    def _picked_text(self, label: str) -> None:
        contact = self._labels.get(label)
        if contact is not None:
            self.chosen = contact
            self.changed.emit()

    # --- a new contact ----------------------------------------------------------------------------

    def _open_new(self) -> None:
        self.new_box.setVisible(not self.new_box.isVisible())
        if not self.new_box.isVisible():
            return
        typed = self.text()
        if "@" in typed and not self.email.text():
            self.email.setText(typed)
        elif typed and not self.first_name.text():
            first, _, last = typed.partition(" ")
            self.first_name.setText(first)
            self.last_name.setText(last)
        self.first_name.setFocus()

    def _create(self) -> None:
        first, last, email = (edit.text().strip() for edit in (self.first_name, self.last_name, self.email))
        if not (first or last) or "@" not in email:
            self.show_new_error("A new contact needs a name and an email address.")
            return
        self.new_error.hide()
        self.create_button.setEnabled(False)
        self.create_requested.emit(first, last, email)

    def show_new_error(self, message: str) -> None:
        self.create_button.setEnabled(True)
        self.new_error.setText(message)
        self.new_error.show()

    def created(self, contact: Contact) -> None:
        self.create_button.setEnabled(True)
        for edit in (self.first_name, self.last_name, self.email):
            edit.clear()
        self.set_contact(contact)


def connect_known_contacts(picker: ContactPicker, ctx, brand_id: int | None) -> None:
    """Fill ``picker`` with the contacts this app knows (the local cache) and let it make new ones.

    ``ctx`` is the gallery context: its services hold the store, and ``ctx.run`` talks to ShootProof.
    """
    from studio_desktop.people.cache import ContactsCache

    services = ctx.services
    if services.store is None:
        return
    cache = ContactsCache(services.store, services.endpoints.api_url)

    async def known(_client) -> list[Contact]:
        cached = await cache.all()
        return [item.contact for item in cached if brand_id is None or item.contact.brand_id in (None, brand_id)]

    ctx.run(
        known,
        lambda contacts: picker.set_contacts(contacts) if isValid(picker) else None,
        lambda _error: None,
        name="known-contacts",
    )

    async def create(client, first: str, last: str, email: str) -> Contact:
        if brand_id is None:
            raise ValueError("Choose the brand first.")
        contact = await client.contact_create(brand_id, first, email, last_name=last or None)
        await cache.put(contact, "created")
        return contact

    def made(contact: Contact) -> None:
        if isValid(picker):
            picker.created(contact)

    def refused(error: BaseException) -> None:
        if isValid(picker):
            picker.show_new_error(plain_message(error))

    picker.create_requested.connect(
        lambda first, last, email: ctx.run(
            lambda client: create(client, first, last, email), made, refused, name="contact-create-inline"
        )
    )
