"""The form that edits one Pixieset client: name, contact details, type, status, address, notes."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from studio_desktop.api.pixieset_countries import COUNTRIES
from studio_desktop.api.pixieset_models import CLIENT_TYPES, AddressInfo, Client, ClientDraft
from studio_desktop.ui.people.widgets import Banner, FieldErrors, field_block

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


class ClientForm(QWidget):
    edited = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.banner = Banner(self)
        self.errors = FieldErrors(self.banner)
        self.editors: dict[str, QLineEdit] = {}
        self._loading = False

        main = QFormLayout()
        self._tune(main)
        self.type = QComboBox(self, objectName="client_type")
        self.type.setAccessibleName("Type")
        for kind in CLIENT_TYPES:
            self.type.addItem(kind.title(), kind)
        self.type.currentIndexChanged.connect(self._changed)
        block, error = field_block(self.type)
        main.addRow("Type", block)
        self.errors.add("type", self.type, error)
        self.status = QComboBox(self, objectName="client_status")
        self.status.setAccessibleName("Status")
        for status in STATUSES:
            self.status.addItem(status, status)
        self.status.currentIndexChanged.connect(self._changed)
        block, error = field_block(self.status)
        main.addRow("Status", block)
        self.errors.add("status_name", self.status, error, "status_id", "status")
        for name, label, placeholder in _MAIN_FIELDS:
            self._add_line(main, name, label, placeholder)

        self.notes = QPlainTextEdit(self, objectName="client_notes")
        self.notes.setAccessibleName("Notes")
        self.notes.setPlaceholderText("Private notes about this person")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.notes.textChanged.connect(self._changed)
        block, error = field_block(self.notes)
        main.addRow("Notes", block)
        self.errors.add("notes", self.notes, error)

        self.address_box = QGroupBox("Address", self)
        address = QFormLayout(self.address_box)
        self._tune(address)
        for name, label, placeholder in _ADDRESS_FIELDS:
            self._add_line(address, name, label, placeholder, key=f"address_info.{name}")
        self.country = QComboBox(self, objectName="client_country")
        self.country.setAccessibleName("Country")
        self.country.addItem("—", None)
        for country_id, name in sorted(COUNTRIES.items(), key=lambda pair: pair[1]):
            self.country.addItem(name, country_id)
        self.country.currentIndexChanged.connect(self._changed)
        block, error = field_block(self.country)
        address.addRow("Country", block)
        self.errors.add("address_info.country_id", self.country, error, "address_info.country", "country_id")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.banner)
        layout.addLayout(main)
        layout.addWidget(self.address_box)
        layout.addStretch(1)

    @staticmethod
    def _tune(form: QFormLayout) -> None:
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(6)

    def _add_line(self, form: QFormLayout, name: str, label: str, placeholder: str, *, key: str | None = None) -> None:
        key = key or name
        editor = QLineEdit(self)
        editor.setObjectName(f"client_{key.replace('.', '_')}")
        editor.setAccessibleName(label)
        editor.setPlaceholderText(placeholder)
        editor.textChanged.connect(self._changed)
        block, error = field_block(editor)
        form.addRow(label, block)
        self.editors[key] = editor
        self.errors.add(key, editor, error)

    def _changed(self, *args) -> None:
        if not self._loading:
            self.edited.emit()

    def set_client(self, client: Client | None, *, new_type: str = "client") -> None:
        self._loading = True
        try:
            self.errors.clear()
            self.banner.hide()
            values = {name: "" for name in self.editors}
            if client is not None:
                values.update({name: getattr(client, name) or "" for name, _, _ in _MAIN_FIELDS})
                info = client.address_info
                values.update({f"address_info.{name}": getattr(info, name) or "" for name, _, _ in _ADDRESS_FIELDS})
            for name, editor in self.editors.items():
                editor.setText(values[name])
                editor.setCursorPosition(0)
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
        for editor in self.editors.values():
            editor.setReadOnly(read_only)
        self.notes.setReadOnly(read_only)
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
            return {"first_name": ["Enter a first name or an email address."],
                    "email": ["Enter an email address or a first name."]}
        return {}

    def show_errors(self, errors: dict[str, list[str]], summary: str | None = None) -> list[str]:
        return self.errors.show(errors, summary)

    def error_text(self, name: str) -> str:
        return self.errors.message(name)
