"""The pieces every gallery dialog is made of: a form that saves in the background, confirmations, file pickers.

Nothing here runs a nested event loop: dialogs are opened with ``open()`` and
answer through signals, because a nested loop inside the qasync loop stalls
(or breaks) the coroutines that talk to ShootProof.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio_desktop.ui import theme
from studio_desktop.ui.gallery.failures import Failure, Subject, describe

if TYPE_CHECKING:
    from studio_desktop.api.shootproof import ShootProofClient
    from studio_desktop.ui.gallery.context import GalleryContext

JPEG_FILTER = "JPEG photos (*.jpg *.jpeg *.JPG *.JPEG *.jpe)"


def error_label(object_name: str) -> QLabel:
    label = QLabel(objectName=object_name)
    label.setWordWrap(True)
    theme.follow_palette(label, lambda: label.setStyleSheet(f"color: {theme.tone('error').name()};"))
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def hint_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 0.92)
    label.setFont(font)
    return label


class FormDialog(QDialog):
    """A form whose main button saves in the background and stays open, with the reason shown, if that fails.

    Subclasses build rows with :meth:`add_row` and implement :meth:`submit`,
    which calls :meth:`save` with the coroutine to run. A server complaint about
    one field (``url_slug``, ``event_name``...) appears right under that field.

    Subclasses must not name attributes after Qt virtual methods (``self.event``
    would be taken for an override of ``QWidget.event`` and crash PySide).
    """

    def __init__(
        self,
        ctx: GalleryContext,
        title: str,
        object_name: str,
        *,
        ok_text: str = "Save",
        subject: Subject | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent or ctx.window)
        self.ctx = ctx
        self.subject = subject
        self.setObjectName(object_name)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(460)
        self._task: asyncio.Task | None = None
        self._field_errors: dict[str, QLabel] = {}
        self._aliases: dict[str, str] = {}

        self.heading = QLabel(objectName="dialogHeading")
        self.heading.setWordWrap(True)
        self.heading.hide()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.form.setVerticalSpacing(6)
        self.form.setHorizontalSpacing(12)
        self.error = error_label("formError")
        self.busy_label = hint_label("")
        self.busy_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button: QPushButton = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.ok_button.setObjectName("okButton")
        self.cancel_button: QPushButton = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("cancelButton")
        self.buttons.accepted.connect(self._submit_clicked)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addLayout(self.form)
        self.body = QVBoxLayout()
        self.body.setSpacing(8)
        layout.addLayout(self.body)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.busy_label)
        layout.addWidget(self.buttons)

    # --- building -------------------------------------------------------------------------------

    def set_heading(self, text: str) -> None:
        self.heading.setText(text)
        self.heading.setVisible(bool(text))

    def add_row(
        self,
        label: str,
        widget: QWidget,
        field: str | None = None,
        *,
        hint: str | None = None,
        aliases: tuple[str, ...] = (),
    ) -> QWidget:
        """A labelled row; with ``field``, server complaints about that field (or ``aliases``) show beneath it."""
        if field is None and hint is None:
            self.form.addRow(label, widget)
            return widget
        field_widget = widget.focusProxy() or widget
        if not field_widget.accessibleName():
            # The row's label names the box around the field, which a screen reader never reaches.
            field_widget.setAccessibleName(label.replace("&", "").rstrip(": "))
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        column.addWidget(widget)
        if hint:
            column.addWidget(hint_label(hint))
        if field is not None:
            message = error_label(f"error_{field}")
            column.addWidget(message)
            self._field_errors[field] = message
            for alias in aliases:
                self._aliases[alias] = field
        self.form.addRow(label, box)
        return widget

    def guard(self, callback: Callable[..., None]) -> Callable[..., None]:
        """``callback`` that does nothing once the dialog is closed (an answer can arrive after that)."""

        def call(*args: Any) -> None:
            if shiboken6.isValid(self) and self.isVisible():
                callback(*args)

        return call

    # --- errors -----------------------------------------------------------------------------------

    def clear_errors(self) -> None:
        self.error.hide()
        self.error.clear()
        for label in self._field_errors.values():
            label.hide()
            label.clear()

    def field_error(self, field: str) -> str:
        label = self._field_errors.get(field)
        return label.text() if label is not None and not label.isHidden() else ""

    @property
    def error_text(self) -> str:
        return self.error.text() if not self.error.isHidden() else ""

    def show_error(self, text: str, field: str | None = None) -> None:
        field = self._aliases.get(field, field) if field else None
        label = self._field_errors.get(field) if field else None
        target = label if label is not None else self.error
        target.setText(text)
        target.show()
        self._fit()

    def _fit(self) -> None:
        """Grow to show what just appeared (an error under a field), never shrink under the user's hands."""
        hint = self.sizeHint()
        if hint.height() > self.height() or hint.width() > self.width():
            self.resize(max(hint.width(), self.width()), max(hint.height(), self.height()))

    def show_failure(self, failure: Failure) -> None:
        self.show_error(failure.message, failure.field)

    # --- saving -----------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def set_busy(self, busy: bool, text: str = "Saving…") -> None:
        self.ok_button.setEnabled(not busy)
        self.busy_label.setText(text if busy else "")
        self.busy_label.setVisible(busy)
        for widget in self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if widget not in (self.buttons, self.busy_label, self.error, self.heading):
                widget.setEnabled(not busy)

    def _submit_clicked(self) -> None:
        if self.busy:
            return
        self.clear_errors()
        self.submit()

    def submit(self) -> None:
        raise NotImplementedError

    def save(
        self,
        make: Callable[[ShootProofClient], Coroutine[Any, Any, Any]],
        on_success: Callable[[Any], None],
        *,
        busy_text: str = "Saving…",
        name: str = "gallery-dialog",
        close: bool = True,
    ) -> None:
        """Run ``make(client)``; on success call ``on_success(result)`` and close, else show why and stay open."""
        self.set_busy(True, busy_text)

        def done(result: Any) -> None:
            self._task = None
            self.set_busy(False)
            on_success(result)
            if close:
                self.accept()

        def failed(error: BaseException) -> None:
            self._task = None
            self.set_busy(False)
            failure = describe(error, self.subject)
            if failure.refresh:
                if failure.field is None and self.subject is not None:
                    # The thing is gone: this form has nothing left to edit.
                    self.reject()
                    self.ctx.failed(error, self.subject)
                    return
                self.ctx.reload_tree()
            self.show_failure(failure)

        self._task = self.ctx.run(make, self.guard(done), self.guard(failed), name=name)
        if self._task is None:
            self.set_busy(False)

    def reject(self) -> None:
        if self.busy:
            # The change may already be on the server: show where things stand after closing.
            assert self._task is not None  # busy: a change is running
            self._task.cancel()
            self._task = None
            self.ctx.reload_tree()
        super().reject()


D = TypeVar("D", bound=QDialog)


def opened(dialog: D) -> D:
    """Show ``dialog`` window-modal without a nested event loop (``open()``), and hand it back."""
    dialog.open()
    return dialog


def confirm(
    parent: QWidget,
    *,
    object_name: str,
    title: str,
    text: str,
    informative: str = "",
    confirm_text: str,
    on_confirm: Callable[[bool], None],
    checkbox: str | None = None,
    checked: bool = False,
    destructive: bool = True,
) -> QMessageBox:
    """Ask before doing something; ``on_confirm(checkbox_checked)`` runs only if the user agrees."""
    box = QMessageBox(
        QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question,
        title,
        text,
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    box.setObjectName(object_name)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if informative:
        box.setInformativeText(informative)
    yes = box.addButton(
        confirm_text, QMessageBox.ButtonRole.DestructiveRole if destructive else QMessageBox.ButtonRole.AcceptRole
    )
    yes.setObjectName("confirmButton")
    no = box.addButton(QMessageBox.StandardButton.Cancel)
    no.setObjectName("cancelButton")
    box.setDefaultButton(no if destructive else yes)
    box.setEscapeButton(no)
    if checkbox:
        check = QCheckBox(checkbox, box)  # parented now: PySide would otherwise delete it with this frame
        check.setObjectName("confirmOption")
        check.setChecked(checked)
        box.setCheckBox(check)

    def clicked(button) -> None:
        if button is yes:
            on_confirm(box.checkBox() is not None and box.checkBox().isChecked())

    box.buttonClicked.connect(clicked)
    box.open()
    return box


def inform(parent: QWidget, *, object_name: str, title: str, text: str, informative: str = "") -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName(object_name)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if informative:
        box.setInformativeText(informative)
    box.open()
    return box


def choose_jpeg(
    parent: QWidget, *, title: str, object_name: str, start_dir: Path | str | None, on_chosen: Callable[[Path], None]
) -> QFileDialog:
    """A non-modal "open a JPEG" dialog; ``on_chosen(path)`` after the user picks one."""
    dialog = QFileDialog(parent, title, str(start_dir or Path.home()), JPEG_FILTER)
    dialog.setObjectName(object_name)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    dialog.fileSelected.connect(lambda chosen: on_chosen(Path(chosen)) if chosen else None)
    dialog.open()
    return dialog
