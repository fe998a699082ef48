"""The form that edits one ShootProof contact: every documented field, the address and the tags."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from studio_desktop.api.models import Address, Brand, Contact
from studio_desktop.core.contact_directory import ContactFields, split_tags
from studio_desktop.ui.people.widgets import Banner, FieldErrors, field_block

# (field name, label, placeholder)
_MAIN_FIELDS = (
    ("first_name", "First name", "Required"),
    ("last_name", "Last name", ""),
    ("email", "Email", "Required, e.g. name@example.com"),
    ("phone", "Phone", ""),
    ("business_name", "Business", ""),
    ("tags", "Tags", "Comma-separated, e.g. wedding, bride"),
    ("third_party_id", "External ID", "An ID from another system (optional)"),
)
_ADDRESS_FIELDS = (
    ("street_line_1", "Street", ""),
    ("street_line_2", "Street (line 2)", "Apartment, suite…"),
    ("city", "City", ""),
    ("state_province", "State / province", ""),
    ("postal_code", "Postal code", ""),
    ("country", "Country", "Required with an address, e.g. US"),
)


class ContactForm(QWidget):
    """Setters and getters only; the panel decides when to load and save. ``edited`` fires on any change."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.banner = Banner(self)
        self.errors = FieldErrors(self.banner)
        self.editors: dict[str, QLineEdit] = {}
        self._loading = False
        self._brand_ids: list[int] = []

        self.brand = QComboBox(self)
        self.brand.setObjectName("contact_brand")
        self.brand.setAccessibleName("Brand")
        self.brand.currentIndexChanged.connect(self._changed)
        self.notes = QPlainTextEdit(self)
        self.notes.setObjectName("contact_notes")
        self.notes.setAccessibleName("Notes")
        self.notes.setPlaceholderText("Private notes about this person")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.notes.textChanged.connect(self._changed)

        main = QFormLayout()
        self._tune(main)
        block, error = field_block(self.brand)
        self._brand_label = QLabel("Brand")
        main.addRow(self._brand_label, block)
        self.errors.add("brand_id", self.brand, error, "brand")
        for name, label, placeholder in _MAIN_FIELDS:
            self._add_line(main, name, label, placeholder)
        block, error = field_block(self.notes)
        main.addRow("Notes", block)
        self.errors.add("notes", self.notes, error)

        self.address_box = QGroupBox("Address", self)
        address = QFormLayout(self.address_box)
        self._tune(address)
        for name, label, placeholder in _ADDRESS_FIELDS:
            self._add_line(address, name, label, placeholder, key=f"address.{name}")

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
        editor.setObjectName(f"contact_{key.replace('.', '_')}")
        editor.setAccessibleName(label)
        editor.setPlaceholderText(placeholder)
        editor.setClearButtonEnabled(False)
        editor.textChanged.connect(self._changed)
        block, error = field_block(editor)
        form.addRow(label, block)
        self.editors[key] = editor
        self.errors.add(key, editor, error)

    def _changed(self, *args) -> None:
        if not self._loading:
            self.edited.emit()

    # --- setters ---------------------------------------------------------------------------

    def set_brands(self, brands: Sequence[Brand], selected: int | None = None) -> None:
        self._loading = True
        try:
            current = selected if selected is not None else self.brand_id()
            self.brand.clear()
            self._brand_ids = []
            default_row = 0
            for row, brand in enumerate(brands):
                self.brand.addItem(brand.name or f"Brand {brand.id}", brand.id)
                self._brand_ids.append(brand.id)
                if brand.is_default:
                    default_row = row
            row = self._brand_ids.index(current) if current in self._brand_ids else default_row
            if self._brand_ids:
                self.brand.setCurrentIndex(row)
            one = len(self._brand_ids) <= 1
            self.brand.setEnabled(not one)
            self.brand.setToolTip("This studio has one brand." if one else "The brand this contact belongs to")
        finally:
            self._loading = False

    def set_contact(self, contact: Contact | None) -> None:
        """Show ``contact``, or empty fields (with the default brand) for a new one."""
        self._loading = True
        try:
            self.errors.clear()
            self.banner.hide()
            values: dict[str, str] = {name: "" for name in self.editors}
            if contact is not None:
                values.update({
                    "first_name": contact.first_name or "", "last_name": contact.last_name or "",
                    "email": contact.email or "", "phone": contact.phone or "",
                    "business_name": contact.business_name or "", "tags": ", ".join(contact.tags),
                    "third_party_id": contact.third_party_id or "",
                })
                if contact.address is not None:
                    a = contact.address
                    for name in ("street_line_1", "street_line_2", "city", "state_province", "postal_code",
                                 "country"):
                        values[f"address.{name}"] = getattr(a, name) or ""
                if contact.brand_id in self._brand_ids:
                    self.brand.setCurrentIndex(self._brand_ids.index(contact.brand_id))
                elif contact.brand_id is not None:
                    self.brand.addItem(contact.brand_name or f"Brand {contact.brand_id}", contact.brand_id)
                    self._brand_ids.append(contact.brand_id)
                    self.brand.setCurrentIndex(len(self._brand_ids) - 1)
            for name, editor in self.editors.items():
                editor.setText(values[name])
                editor.setCursorPosition(0)
            self.notes.setPlainText((contact.notes or "") if contact is not None else "")
        finally:
            self._loading = False

    def set_read_only(self, read_only: bool) -> None:
        for editor in self.editors.values():
            editor.setReadOnly(read_only)
        self.notes.setReadOnly(read_only)
        self.brand.setEnabled(not read_only and len(self._brand_ids) > 1)

    # --- getters ---------------------------------------------------------------------------

    def brand_id(self) -> int | None:
        data = self.brand.currentData()
        return int(data) if data is not None else None

    def value(self, name: str) -> str:
        if name == "notes":
            return self.notes.toPlainText()
        return self.editors[name].text()

    def fields(self) -> ContactFields:
        address = Address(**{name: self.editors[f"address.{name}"].text() for name, _, _ in _ADDRESS_FIELDS})
        return ContactFields(
            brand_id=self.brand_id(),
            first_name=self.value("first_name"),
            email=self.value("email"),
            last_name=self.value("last_name"),
            phone=self.value("phone"),
            business_name=self.value("business_name"),
            notes=self.value("notes"),
            third_party_id=self.value("third_party_id"),
            tags=split_tags(self.value("tags")),
            address=address,
        ).cleaned()

    def show_errors(self, errors: dict[str, list[str]], summary: str | None = None) -> list[str]:
        return self.errors.show(errors, summary)

    def error_text(self, name: str) -> str:
        return self.errors.message(name)
