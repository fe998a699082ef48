"""Small forms: a name, a new album, access and password, the gallery's contact, emails to invite."""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QButtonGroup, QLineEdit, QPlainTextEdit, QPushButton, QRadioButton, QVBoxLayout, QWidget

from studio_desktop.api.errors import NotFoundError
from studio_desktop.api.limits import MAX_NAME_CHARS, MAX_PASSWORD_CHARS
from studio_desktop.api.models import Contact, Event
from studio_desktop.people.matching import contact_label
from studio_desktop.ui.gallery.dialogs.base import FormDialog, hint_label
from studio_desktop.ui.gallery.failures import Refusal, Subject
from studio_desktop.ui.people.contact_picker import ContactPicker, connect_known_contacts

if TYPE_CHECKING:
    from studio_desktop.api.shootproof import ShootProofClient
    from studio_desktop.ui.gallery.context import GalleryContext


Make = Callable[["ShootProofClient"], Coroutine[Any, Any, Any]]


class NameDialog(FormDialog):
    """One name to type; ``action(name)`` returns the call to make and what to do with its answer."""

    def __init__(
        self,
        ctx: GalleryContext,
        *,
        title: str,
        object_name: str,
        label: str,
        initial: str = "",
        field: str = "name",
        ok_text: str = "Rename",
        subject: Subject | None = None,
        heading: str = "",
        what: str = "name",
        parent: QWidget | None = None,
        action: Callable[[str], tuple[Make, Callable[[Any], None]]],
    ):
        super().__init__(ctx, title, object_name, ok_text=ok_text, subject=subject, parent=parent)
        self._initial = initial
        self._action = action
        self._what = what
        self.set_heading(heading)
        self.name_edit = QLineEdit(initial, objectName="nameEdit")
        self.name_edit.setMaxLength(MAX_NAME_CHARS)
        self.name_edit.selectAll()
        self.add_row(label, self.name_edit, field, aliases=("name", "event_name", "album_name"))
        self._field = field
        self.name_edit.setFocus()

    def submit(self) -> None:
        name = " ".join(self.name_edit.text().split())
        if not name:
            self.show_error(f"Please enter a {self._what}.", self._field)
            return
        if name == self._initial:
            self.accept()
            return
        make, on_success = self._action(name)
        self.save(make, on_success, name=self.objectName())


class AlbumDialog(FormDialog):
    """A new album: its name and an optional password visitors need to open it."""

    def __init__(
        self,
        ctx: GalleryContext,
        *,
        inside: str,
        subject: Subject,
        action: Callable[[str, str | None], tuple[Make, Callable[[Any], None]]],
    ):
        super().__init__(ctx, "New Album", "newAlbumDialog", ok_text="Create", subject=subject)
        self._action = action
        self.set_heading(f"The album goes into <b>{escape(inside)}</b>.")
        self.name_edit = QLineEdit(objectName="nameEdit")
        self.name_edit.setMaxLength(MAX_NAME_CHARS)
        self.name_edit.setPlaceholderText("e.g. Ceremony")
        self.add_row("&Name:", self.name_edit, "album_name", aliases=("name",))
        self.password_edit = QLineEdit(objectName="passwordEdit")
        self.password_edit.setMaxLength(MAX_PASSWORD_CHARS)
        self.password_edit.setPlaceholderText("Optional")
        self.add_row(
            "&Password:",
            self.password_edit,
            "password",
            hint="Visitors must enter it to open this album. Leave empty for none.",
            aliases=("parent_id",),
        )
        self.name_edit.setFocus()

    def submit(self) -> None:
        name = " ".join(self.name_edit.text().split())
        if not name:
            self.show_error("Please enter a name for the album.", "album_name")
            return
        make, on_success = self._action(name, self.password_edit.text().strip() or None)
        self.save(make, on_success, busy_text="Creating the album…", name="album-create")


ACCESS_CHOICES = (
    ("public_no_password", "Public", "Listed on your studio's home page; anyone can open it."),
    ("public_password", "Public, with a password", "Listed on your home page; visitors need the password."),
    ("private_no_password", "Private", "Not listed; only people with the link can open it."),
    ("private_password", "Private, with a password", "Not listed; people with the link also need the password."),
)


def needs_password(level: str) -> bool:
    return level.endswith("_password") and not level.endswith("_no_password")


class AccessDialog(FormDialog):
    """Who can open the gallery (``sp.event.set_access_level``)."""

    def __init__(self, ctx: GalleryContext, *, event: Event, on_saved: Callable[[Event], None]):
        name = event.name or f"#{event.id}"
        super().__init__(ctx, "Access and Password", "accessDialog", subject=Subject("gallery", name))
        self.gallery_event = event
        self._on_saved = on_saved
        self.set_heading(f"Who can open <b>{escape(name)}</b>?")
        self.group = QButtonGroup(self)
        choices = QWidget()
        column = QVBoxLayout(choices)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        self.radios: dict[str, QRadioButton] = {}
        for level, label, explanation in ACCESS_CHOICES:
            radio = QRadioButton(label, objectName=f"access_{level}")
            radio.setToolTip(explanation)
            self.group.addButton(radio)
            self.radios[level] = radio
            column.addWidget(radio)
            hint = hint_label(explanation)
            hint.setContentsMargins(22, 0, 0, 4)
            column.addWidget(hint)
        self.add_row(
            "Access:",
            choices,
            "access_level",
            hint="ShootProof does not tell apps the current setting, so choose it here.",
        )
        self.password_edit = QLineEdit(event.password or "", objectName="passwordEdit")
        self.password_edit.setMaxLength(MAX_PASSWORD_CHARS)
        self.add_row("&Password:", self.password_edit, "password")
        self.group.buttonToggled.connect(self._level_changed)
        self._level_changed()

    def level(self) -> str | None:
        return next((level for level, radio in self.radios.items() if radio.isChecked()), None)

    def _level_changed(self, *args) -> None:
        level = self.level()
        self.password_edit.setEnabled(level is None or needs_password(level))

    def submit(self) -> None:
        level = self.level()
        if level is None:
            self.show_error("Choose who can open the gallery.", "access_level")
            return
        password = self.password_edit.text().strip() if needs_password(level) else None
        if needs_password(level) and not password:
            self.show_error("Enter the password visitors will need.", "password")
            return
        event_id = self.gallery_event.id
        self.save(
            lambda client: client.event_set_access_level(event_id, level, password=password),
            self._on_saved,
            name="event-access",
        )


class ContactDialog(FormDialog):
    """The contact a gallery belongs to: picked from the known contacts by name or email, made new, or none.

    ``on_saved(contact_id, label)``: the new contact's id (None: removed) and how to name it in messages.
    """

    def __init__(self, ctx: GalleryContext, *, event: Event, on_saved: Callable[[int | None, str], None]):
        name = event.name or f"#{event.id}"
        super().__init__(ctx, "Gallery Contact", "contactDialog", subject=Subject("gallery", name))
        self.gallery_event = event
        self._on_saved = on_saved
        self.set_heading(f"The client of <b>{escape(name)}</b>.")
        self.current_label = hint_label("No contact yet." if not event.contact_id else "Looking up the contact…")
        self.current_label.setObjectName("currentContact")
        self.add_row("Now:", self.current_label)
        self.picker = ContactPicker()
        self.contact_edit = self.picker.edit
        self.add_row(
            "&Contact:",
            self.picker,
            "contact_id",
            aliases=("contact_email",),
            hint="Start typing a name or an email address, or make a new contact with New….",
        )
        self.remove_button = QPushButton("&Remove Contact", objectName="removeContactButton")
        self.remove_button.setEnabled(bool(event.contact_id))
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self._remove)
        self.buttons.addButton(self.remove_button, self.buttons.ButtonRole.ResetRole)
        connect_known_contacts(self.picker, ctx, event.brand_id)
        self.picker.setFocus()
        if event.contact_id:
            contact_id = event.contact_id
            self.ctx.run(
                lambda client: client.contact_info(contact_id=contact_id),
                self.guard(self._current_arrived),
                self.guard(lambda error: self.current_label.setText("The contact's details could not be loaded.")),
                name="event-contact",
            )

    def showEvent(self, event) -> None:
        super().showEvent(event)
        # Typing a name is what this dialog is for; Remove must never be the key that Enter presses.
        self.picker.setFocus()

    def _current_arrived(self, contacts: list[Contact]) -> None:
        contact = contacts[0] if contacts else None
        if contact is None:
            self.current_label.setText("A contact that no longer exists.")
            return
        self.current_label.setText(escape(contact_label(contact)))

    def submit(self) -> None:
        text = self.picker.text()
        event_id, brand_id = self.gallery_event.id, self.gallery_event.brand_id
        contact, candidates = self.picker.resolved()
        if contact is not None:
            label = contact_label(contact)
            chosen_id = contact.id
            self.save(
                lambda client: client.event_set_contact(event_id, chosen_id),
                lambda result: self._on_saved(result, label),
                name="event-set-contact",
            )
            return
        if not text:
            self.show_error("Type a name or an email address, and pick the contact from the list.", "contact_id")
            return
        if len(candidates) > 1:
            self.show_error(f"{len(candidates)} contacts match “{text}”: pick one from the list.", "contact_id")
            return
        if text.isdigit():
            contact_id = int(text)

            async def by_id(client: ShootProofClient) -> tuple[int | None, str]:
                try:
                    found = await client.contact_info(contact_id=contact_id)
                except NotFoundError:
                    raise Refusal(f"No contact has the number {contact_id}.", "contact_id") from None
                label = contact_label(found[0]) if found else "the contact"
                return await client.event_set_contact(event_id, contact_id), label

            self.save(by_id, lambda result: self._on_saved(*result), name="event-set-contact")
            return
        if "@" not in text:
            self.show_error(
                f"No contact called “{text}” is known here. Type their email address, or add them with New….",
                "contact_id",
            )
            return

        async def by_email(client: ShootProofClient) -> tuple[int | None, str]:
            try:
                found = await client.contact_info(contact_email=text, brand_id=brand_id)
            except NotFoundError:
                found = []
            if not found:
                raise Refusal(
                    f"No contact with the email address {text} was found in this gallery's brand. Add them with New….",
                    "contact_id",
                )
            return await client.event_set_contact(event_id, found[0].id), contact_label(found[0])

        self.save(by_email, lambda result: self._on_saved(*result), name="event-set-contact")

    def _remove(self) -> None:
        event_id = self.gallery_event.id
        self.clear_errors()
        self.save(
            lambda client: client.event_set_contact(event_id, None),
            lambda result: self._on_saved(result, ""),
            name="event-remove-contact",
        )


EMAIL_SPLIT = re.compile(r"[\s,;]+")


def split_emails(text: str) -> list[str]:
    """Addresses as typed or pasted (one per line, or separated by commas, semicolons, spaces); no repeats."""
    seen: dict[str, None] = {}
    for part in EMAIL_SPLIT.split(text):
        part = part.strip().strip("<>\"'")
        if part and part.casefold() not in {key.casefold() for key in seen}:
            seen[part] = None
    return list(seen)


class EmailsDialog(FormDialog):
    """Paste a list of visitor emails to add to the gallery (``sp.event.bulk_email_add``)."""

    def __init__(self, ctx: GalleryContext, *, event: Event, on_added: Callable[[Any], None]):
        name = event.name or f"#{event.id}"
        super().__init__(ctx, "Add Emails", "addEmailsDialog", ok_text="Add", subject=Subject("gallery", name))
        self.gallery_event = event
        self._on_added = on_added
        self.set_heading(f"Email addresses to add to <b>{escape(name)}</b>:")
        self.text_edit = QPlainTextEdit(objectName="emailsEdit")
        self.text_edit.setAccessibleName("Email addresses, one per line")
        self.text_edit.setPlaceholderText("alice@example.org\nbob@example.com, carol@example.net")
        self.text_edit.setMinimumHeight(140)
        self.body.addWidget(self.text_edit)
        self.body.addWidget(hint_label("One per line, or separated by commas. Invalid addresses are skipped."))
        self.count_label = hint_label("")
        self.count_label.setObjectName("emailCount")
        self.body.addWidget(self.count_label)
        self.text_edit.textChanged.connect(self._count)
        self._count()
        self.text_edit.setFocus()

    def emails(self) -> list[str]:
        return split_emails(self.text_edit.toPlainText())

    def _count(self) -> None:
        count = len(self.emails())
        self.count_label.setText(f"{count} address{'es' if count != 1 else ''}" if count else "")
        self.ok_button.setEnabled(count > 0)

    def submit(self) -> None:
        emails = self.emails()
        if not emails:
            self.show_error("Paste at least one email address.")
            return
        event_id = self.gallery_event.id
        self.save(
            lambda client: client.event_bulk_email_add(event_id, emails),
            self._on_added,
            busy_text="Adding…",
            name="event-bulk-email",
        )
