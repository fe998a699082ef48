"""The form that edits one ShootProof contact: every documented field, the address and the tags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QWidget

from studio_desktop.api.models import Address, Brand, Contact
from studio_desktop.people.directory import ContactFields, split_tags
from studio_desktop.ui.people.person_form import PersonForm

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


class ContactForm(PersonForm):
    NAME_PREFIX = "contact_"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._brand_ids: list[int] = []

        self.brand = self._new_combo("brand", "Brand")
        self.notes = self._new_notes()

        main = self._new_form()
        self._brand_label = QLabel("Brand")
        self._add_row(main, self._brand_label, self.brand, "brand_id", "brand")
        for name, label, placeholder in _MAIN_FIELDS:
            self._add_line(main, name, label, placeholder)
        self._add_row(main, "Notes", self.notes, "notes")

        self.address_box = QGroupBox("Address", self)
        address = self._new_form(QFormLayout(self.address_box))
        for name, label, placeholder in _ADDRESS_FIELDS:
            self._add_line(address, name, label, placeholder, key=f"address.{name}")

        self._lay_out(main, self.address_box)

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
            values: dict[str, str] = {}
            if contact is not None:
                values.update(
                    {
                        "first_name": contact.first_name or "",
                        "last_name": contact.last_name or "",
                        "email": contact.email or "",
                        "phone": contact.phone or "",
                        "business_name": contact.business_name or "",
                        "tags": ", ".join(contact.tags),
                        "third_party_id": contact.third_party_id or "",
                    }
                )
                if contact.address is not None:
                    a = contact.address
                    for name in ("street_line_1", "street_line_2", "city", "state_province", "postal_code", "country"):
                        values[f"address.{name}"] = getattr(a, name) or ""
                if contact.brand_id in self._brand_ids:
                    self.brand.setCurrentIndex(self._brand_ids.index(contact.brand_id))
                elif contact.brand_id is not None:
                    self.brand.addItem(contact.brand_name or f"Brand {contact.brand_id}", contact.brand_id)
                    self._brand_ids.append(contact.brand_id)
                    self.brand.setCurrentIndex(len(self._brand_ids) - 1)
            self._show_values(values)
            self.notes.setPlainText((contact.notes or "") if contact is not None else "")
        finally:
            self._loading = False

    def set_read_only(self, read_only: bool) -> None:
        super().set_read_only(read_only)
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
        # All text fields: a **dict[str, str] would be checked against the int id too.
        typed: dict[str, Any] = {name: self.editors[f"address.{name}"].text() for name, _, _ in _ADDRESS_FIELDS}
        address = Address(**typed)
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
