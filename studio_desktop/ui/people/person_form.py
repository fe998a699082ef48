"""What the ShootProof contact form and the Pixieset client form share: rows with their errors, notes, ``edited``.

Each subclass lays out its own fields (the two services name and check them
differently) with the row builders here, and reads and writes its own model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from studio_desktop.ui.focus import tab_order_as_laid_out
from studio_desktop.ui.people.widgets import Banner, FieldErrors, field_block


class PersonForm(QWidget):
    """Setters and getters only; the panel decides when to load and save. ``edited`` fires on any change."""

    edited = Signal()
    notes: QPlainTextEdit
    #: Starts every editor's object name, e.g. ``client_`` in ``client_first_name``.
    NAME_PREFIX = ""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.banner = Banner(self)
        self.errors = FieldErrors(self.banner)
        self.editors: dict[str, QLineEdit] = {}
        self._loading = False

    # --- building --------------------------------------------------------------------------

    @staticmethod
    def _new_form(form: QFormLayout | None = None) -> QFormLayout:
        """``form`` (or a new one) with labels right-aligned beside fields that take the width."""
        form = form if form is not None else QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(6)
        return form

    def _add_row(self, form: QFormLayout, label: str | QWidget, editor: QWidget, name: str, *aliases: str) -> None:
        """``editor`` with its error label under it; server errors for ``name`` or ``aliases`` show there."""
        block, error = field_block(editor)
        form.addRow(label, block)
        self.errors.add(name, editor, error, *aliases)

    def _add_line(self, form: QFormLayout, name: str, label: str, placeholder: str, *, key: str | None = None) -> None:
        key = key or name
        editor = QLineEdit(self)
        editor.setObjectName(f"{self.NAME_PREFIX}{key.replace('.', '_')}")
        editor.setAccessibleName(label)
        editor.setPlaceholderText(placeholder)
        editor.textChanged.connect(self._changed)
        self._add_row(form, label, editor, key)
        self.editors[key] = editor

    def _new_combo(self, name: str, accessible_name: str, items: Iterable[tuple[str, object]] = ()) -> QComboBox:
        """A drop-down of ``(text, data)`` items; picking another counts as an edit."""
        combo = QComboBox(self)
        combo.setObjectName(f"{self.NAME_PREFIX}{name}")
        combo.setAccessibleName(accessible_name)
        for text, data in items:
            combo.addItem(text, data)
        combo.currentIndexChanged.connect(self._changed)
        return combo

    def _new_notes(self) -> QPlainTextEdit:
        notes = QPlainTextEdit(self, objectName=f"{self.NAME_PREFIX}notes")
        notes.setAccessibleName("Notes")
        notes.setPlaceholderText("Private notes about this person")
        notes.setTabChangesFocus(True)
        notes.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        notes.textChanged.connect(self._changed)
        return notes

    def _lay_out(self, main: QFormLayout, address_box: QWidget) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.banner)
        layout.addLayout(main)
        layout.addWidget(address_box)
        layout.addStretch(1)
        tab_order_as_laid_out(self)

    def _changed(self, *args) -> None:
        if not self._loading:
            self.edited.emit()

    # --- setters ---------------------------------------------------------------------------

    def _show_values(self, values: Mapping[str, str]) -> None:
        """Every line editor to its value in ``values``, or empty when it has none there."""
        for name, editor in self.editors.items():
            editor.setText(values.get(name, ""))
            editor.setCursorPosition(0)

    def set_read_only(self, read_only: bool) -> None:
        for editor in self.editors.values():
            editor.setReadOnly(read_only)
        self.notes.setReadOnly(read_only)

    # --- errors ----------------------------------------------------------------------------

    def show_errors(self, errors: dict[str, list[str]], summary: str | None = None) -> list[str]:
        return self.errors.show(errors, summary)

    def error_text(self, name: str) -> str:
        return self.errors.message(name)
