"""The form that edits one Pixieset client: name, contact details, type, status, address, notes."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGroupBox, QWidget

from studio_desktop.api.pixieset_countries import COUNTRIES
from studio_desktop.api.pixieset_models import CLIENT_TYPES, AddressInfo, Client, ClientDraft
from studio_desktop.ui.people.person_form import PersonForm

STATUSES = ("Active", "Archived")

_MAIN_FIELDS = (
    ("first_name", "First name", ""),
    ("last_name", "Last name", ""),
    ("email", "Email", "name@example.com"),
    ("phone", "Phone", ""),
    ("company", "Company", ""),
    ("job_title", "Job title", ""),
)
_ADDRESS_FIELDS = (
    ("address_line_1", "Street", ""),
    ("address_line_2", "Street (line 2)", "Apartment, suite…"),
    ("city", "City", ""),
    ("state", "State / province", ""),
    ("postal_code", "Postal code", ""),
)


def _none_if_blank(text: str) -> str | None:
    text = text.strip()
    return text or None


class ClientForm(PersonForm):
    NAME_PREFIX = "client_"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)

        main = self._new_form()
        self.type = self._new_combo("type", "Type", ((kind.title(), kind) for kind in CLIENT_TYPES))
        self._add_row(main, "Type", self.type, "type")
        self.status = self._new_combo("status", "Status", ((status, status) for status in STATUSES))
        self._add_row(main, "Status", self.status, "status_name", "status_id", "status")
        for name, label, placeholder in _MAIN_FIELDS:
            self._add_line(main, name, label, placeholder)

        self.notes = self._new_notes()
        self._add_row(main, "Notes", self.notes, "notes")

        self.address_box = QGroupBox("Address", self)
        address = self._new_form(QFormLayout(self.address_box))
        for name, label, placeholder in _ADDRESS_FIELDS:
            self._add_line(address, name, label, placeholder, key=f"address_info.{name}")
        countries = sorted(COUNTRIES.items(), key=lambda pair: pair[1])
        self.country = self._new_combo(
            "country", "Country", [("—", None)] + [(name, country_id) for country_id, name in countries]
        )
        self._add_row(address, "Country", self.country, "address_info.country_id", "address_info.country", "country_id")

        self._lay_out(main, self.address_box)

    def set_client(self, client: Client | None, *, new_type: str = "client") -> None:
        self._loading = True
        try:
            self.errors.clear()
            self.banner.hide()
            values: dict[str, str] = {}
            if client is not None:
                values.update({name: getattr(client, name) or "" for name, _, _ in _MAIN_FIELDS})
                info = client.address_info
                values.update({f"address_info.{name}": getattr(info, name) or "" for name, _, _ in _ADDRESS_FIELDS})
            self._show_values(values)
            kind = client.type if client is not None else new_type
            self.type.setCurrentIndex(max(0, self.type.findData(kind)))
            status = (client.status_name if client is not None else None) or "Active"
            index = self.status.findData(status)
            if index < 0:
                self.status.addItem(status, status)
                index = self.status.count() - 1
            self.status.setCurrentIndex(index)
            country_id = client.address_info.country_id if client is not None else None
            self.country.setCurrentIndex(max(0, self.country.findData(country_id)) if country_id else 0)
            self.notes.setPlainText((client.notes or "") if client is not None else "")
        finally:
            self._loading = False

    def set_read_only(self, read_only: bool) -> None:
        super().set_read_only(read_only)
        for combo in (self.type, self.status, self.country):
            combo.setEnabled(not read_only)

    def draft(self) -> ClientDraft:
        text = {name: editor.text() for name, editor in self.editors.items()}
        address = AddressInfo(
            address_line_1=_none_if_blank(text["address_info.address_line_1"]),
            address_line_2=_none_if_blank(text["address_info.address_line_2"]),
            city=_none_if_blank(text["address_info.city"]),
            postal_code=_none_if_blank(text["address_info.postal_code"]),
            state=_none_if_blank(text["address_info.state"]),
            country_id=self.country.currentData(),
        )
        return ClientDraft(
            first_name=_none_if_blank(text["first_name"]),
            last_name=_none_if_blank(text["last_name"]),
            email=_none_if_blank(text["email"]),
            phone=_none_if_blank(text["phone"]),
            company=_none_if_blank(text["company"]),
            job_title=_none_if_blank(text["job_title"]),
            address_info=address,
            notes=_none_if_blank(self.notes.toPlainText()),
            type=self.type.currentData() or "client",
        )

    def status_name(self) -> str:
        return str(self.status.currentData() or "Active")

    def problems(self) -> dict[str, list[str]]:
        """What Pixieset would refuse, found before asking it."""
        draft = self.draft()
        if not draft.first_name and not draft.email:
            return {
                "first_name": ["Enter a first name or an email address."],
                "email": ["Enter an email address or a first name."],
            }
        return {}
