"""Importing contacts from a CSV file: choose, preview, import in batches of 50, and a report per row."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio_desktop.api.models import Brand, Contact
from studio_desktop.people.csv_import import (
    EXISTING,
    UPDATED,
    ImportReport,
    find_existing,
    import_rows,
    settle_existing,
)
from studio_desktop.people.csv_reading import CsvImport, CsvRow, read_contacts_csv
from studio_desktop.people.directory import ContactDirectory
from studio_desktop.ui import theme
from studio_desktop.ui.people.widgets import Banner, Hint, Title, run_for
from studio_desktop.ui.tasks import TaskRunner
from studio_desktop.wording import plain_message

log = logging.getLogger(__name__)

COLUMNS = ("Line", "Status", "Name", "Email", "Notes")
ALREADY_THERE = "Already there"
SKIP_EXISTING, UPDATE_EXISTING = "skip", "update"
#: Statuses that need no attention ("Show only rows with problems" hides them).
_FINE = ("Ready", "Created", "Updated", ALREADY_THERE)
_OK = "success"
_BAD = "error"
_WARN = "warning"

INTRO = (
    "Choose a CSV file with a line of column names at the top: First Name, Last Name and Email are "
    "needed; Phone, Business, Notes, Tags, Address, City, State, Zip and Country are used when present. "
    "Files saved by Excel, Numbers, Google Sheets or Pixieset all work."
)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


class ContactImportDialog(QDialog):
    """Non-modal: ``open()`` it. ``imported(list[Contact])`` carries the contacts created."""

    imported = Signal(list)

    def __init__(
        self, tasks: TaskRunner, directory: ContactDirectory, brands: Sequence[Brand], parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setObjectName("contactImportDialog")
        self.setWindowTitle("Import contacts")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.tasks = tasks
        self.directory = directory
        self.brands = list(brands)
        self.plan: CsvImport | None = None
        self.report: ImportReport | None = None
        self.path: Path | None = None
        self._task: asyncio.Task | None = None
        self._file_dialog: QFileDialog | None = None
        #: Rows (by line) whose email is already a contact of the chosen brand; None while unknown.
        self.existing: dict[int, Contact] | None = None
        self._check_task: asyncio.Task | None = None

        self.title = Title("Import contacts from a CSV file", self, factor=1.15)
        self.intro = Hint(INTRO, self)
        self.choose_button = QPushButton("Choose File…", self, objectName="import_choose")
        self.file_label = QLabel("No file chosen", self)
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.choose_button)
        file_row.addWidget(self.file_label, 1)

        self.brand = QComboBox(self)
        self.brand.setObjectName("import_brand")
        self.brand.setAccessibleName("Brand for the imported contacts")
        for brand in self.brands:
            self.brand.addItem(brand.name or f"Brand {brand.id}", brand.id)
            if brand.is_default:
                self.brand.setCurrentIndex(self.brand.count() - 1)
        brand_row = QHBoxLayout()
        self._brand_label = QLabel("Add the contacts to brand:", self)
        brand_row.addWidget(self._brand_label)
        brand_row.addWidget(self.brand, 1)
        single = len(self.brands) <= 1
        self._brand_label.setVisible(not single)
        self.brand.setVisible(not single)

        self.existing_choice = QComboBox(self)
        self.existing_choice.setObjectName("import_existing")
        self.existing_choice.setAccessibleName("Contacts already in ShootProof")
        self.existing_choice.addItem("Skip them", SKIP_EXISTING)
        self.existing_choice.addItem("Update them with the file's details", UPDATE_EXISTING)
        self._existing_label = QLabel("Contacts already in ShootProof (same email):", self)
        existing_row = QHBoxLayout()
        existing_row.addWidget(self._existing_label)
        existing_row.addWidget(self.existing_choice, 1)
        self.existing_choice.currentIndexChanged.connect(lambda _index: self._sync())
        self.brand.currentIndexChanged.connect(lambda _index: self._check_existing())

        self.banner = Banner(self, closable=False)
        self.summary = QLabel(self, objectName="import_summary")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("import_rows")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.setColumnWidth(2, 160)
        self.table.setColumnWidth(3, 200)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.problems_only = QCheckBox("Show only rows with problems", self, objectName="import_problems_only")
        self.problems_only.toggled.connect(lambda _checked: self._filter_rows())

        self.progress = QProgressBar(self)
        self.progress.setObjectName("import_progress")
        self.progress.setVisible(False)
        self.progress.setFormat("%v of %m contacts sent")

        self.buttons = QDialogButtonBox(self)
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("import_start")
        self.import_button.setDefault(True)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.close_button.setObjectName("import_close")
        self.import_button.clicked.connect(lambda: self.start_import())
        self.close_button.clicked.connect(lambda: self._close_or_stop())
        self.choose_button.clicked.connect(lambda: self.choose_file())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        layout.addLayout(file_row)
        layout.addLayout(brand_row)
        layout.addLayout(existing_row)
        layout.addWidget(self.banner)
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.summary, 1)
        summary_row.addWidget(self.problems_only, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(summary_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)
        self.resize(760, 520)
        self._sync()

    def _run(self, coro, on_result=None, on_error=None, *, name: str, quiet: bool = False) -> asyncio.Task:
        """Run in the background; the callbacks are skipped if this widget is gone by then."""
        return run_for(self, self.tasks, coro, on_result, on_error, name=name, quiet=quiet)

    # --- choosing and reading ------------------------------------------------------------------

    def choose_file(self) -> None:
        dialog = QFileDialog(self, "Choose a CSV file of contacts")
        dialog.setNameFilters(["CSV files (*.csv *.txt)", "All files (*)"])
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.load_file)
        self._file_dialog = dialog
        dialog.open()

    def load_file(self, path: str | Path) -> None:
        """Read and preview ``path`` (off the event loop: files can be large)."""
        self.path = Path(path)
        self.file_label.setText(self.path.name)
        self.file_label.setToolTip(str(self.path))
        self.report = None
        self.summary.setText("Reading the file…")
        self._task = self._run(
            asyncio.to_thread(read_contacts_csv, self.path),
            on_result=self.show_preview,
            on_error=self._read_failed,
            name="csv-read",
        )

    def _read_failed(self, error: BaseException) -> None:
        self._task = None
        self.plan = None
        self.banner.show_message(f"The file could not be read. {plain_message(error)}", "error")
        self.summary.setText("")
        self._sync()

    def show_preview(self, plan: CsvImport) -> None:
        self._task = None
        self.plan = plan
        self.report = None
        if plan.problems:
            self.banner.show_message("\n".join(plan.problems), "warning" if plan.rows else "error")
        else:
            self.banner.hide()
        self.existing = None
        self.summary.setText(self._ready_text())
        self.table.setRowCount(0)
        self.table.setRowCount(len(plan.rows))
        for index, row in enumerate(plan.rows):
            if row.errors:
                self._set_row(index, row, "Skip", row.errors, _BAD)
            elif row.warnings:
                self._set_row(index, row, "Ready", row.warnings, _WARN)
            else:
                self._set_row(index, row, "Ready", [], None)
        self._check_existing()

    # --- contacts already there -------------------------------------------------------------------

    def _check_existing(self) -> None:
        """Look up each row's email in the chosen brand, so that re-importing a file adds nothing twice."""
        if self._check_task is not None and not self._check_task.done():
            self._check_task.cancel()
        self._check_task = None
        self.existing = None
        plan, brand_id = self.plan, self.brand_id()
        if plan is None or not plan.valid_rows or brand_id is None or self.report is not None:
            self._sync()
            return
        self.summary.setText(f"{self._ready_text()} Checking which are already in ShootProof…")
        rows = plan.valid_rows
        self._check_task = self._run(
            find_existing(self.directory.find_by_email, rows, brand_id),
            on_result=lambda found: self._existing_found(plan, brand_id, found),
            on_error=self._existing_failed,
            name="csv-existing",
            quiet=True,
        )
        self._sync()

    def _existing_found(self, plan: CsvImport, brand_id: int, found: dict[int, Contact]) -> None:
        if plan is not self.plan or brand_id != self.brand_id():
            return
        self._check_task = None
        self.existing = found
        for index, row in enumerate(plan.rows):
            contact = found.get(row.line)
            if row.ok and contact is not None:
                self._set_row(index, row, ALREADY_THERE, [f"Matches {contact.display_name} by email."], _WARN)
            elif row.ok:
                self._set_row(index, row, "Ready", row.warnings, _WARN if row.warnings else None)
        self.summary.setText(self._ready_text())
        self._sync()

    def _existing_failed(self, error: BaseException) -> None:
        self._check_task = None
        self.existing = {}
        self.banner.show_message(
            "Could not check which contacts are already in ShootProof; any that are will be "
            f"reported after the import. {plain_message(error)}",
            "warning",
        )
        self.summary.setText(self._ready_text())
        self._sync()

    def _ready_text(self) -> str:
        plan = self.plan
        if plan is None or not plan.rows:
            return ""
        existing = len(self.existing or {})
        new = len(plan.valid_rows) - existing
        parts = [f"{_plural(new, 'contact')} ready to import."]
        if existing:
            parts.append(f"{_plural(existing, 'contact')} already there (same email).")
        if plan.invalid_rows:
            parts.append(
                f"{_plural(len(plan.invalid_rows), 'row')} cannot be imported (see below) and will be skipped."
            )
        if plan.ignored_columns:
            parts.append(f"Columns not used: {', '.join(plan.ignored_columns)}.")
        if plan.encoding == "cp1252":
            parts.append("The file was read as Windows text (not UTF-8).")
        return " ".join(parts)

    def _split_rows(self) -> tuple[list[CsvRow], list[tuple[CsvRow, Contact]]]:
        plan, existing = self.plan, self.existing or {}
        rows = plan.valid_rows if plan is not None else []
        return (
            [row for row in rows if row.line not in existing],
            [(row, existing[row.line]) for row in rows if row.line in existing],
        )

    def _set_row(self, index: int, row: CsvRow, status: str, notes: Sequence[str], color: str | None) -> None:
        values = (str(row.line), status, row.display_name, row.email, " ".join(notes))
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            if column == 0:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if column == 4 and notes:
                item.setToolTip("\n".join(notes))
            if color and column in (1, 4):
                item.setForeground(QBrush(theme.tone(color)))
            self.table.setItem(index, column, item)
        fine = status in _FINE and (not notes or status == ALREADY_THERE)
        self.table.setRowHidden(index, self.problems_only.isChecked() and fine)

    def _filter_rows(self) -> None:
        only = self.problems_only.isChecked()
        for row in range(self.table.rowCount()):
            status = self.table.item(row, 1)
            notes = self.table.item(row, 4)
            fine = (
                status is not None
                and status.text() in _FINE
                and (not (notes and notes.text()) or status.text() == ALREADY_THERE)
            )
            self.table.setRowHidden(row, only and fine)

    # --- importing ----------------------------------------------------------------------------

    def brand_id(self) -> int | None:
        data = self.brand.currentData()
        return int(data) if data is not None else None

    def start_import(self) -> None:
        plan = self.plan
        brand_id = self.brand_id()
        if plan is None or not plan.valid_rows or self._task is not None or self._check_task is not None:
            return
        if brand_id is None:
            self.banner.show_message("Choose the brand the contacts go to.", "error")
            return
        rows, existing = self._split_rows()
        update = self.existing_choice.currentData() == UPDATE_EXISTING
        self.report = ImportReport()
        self.progress.setRange(0, max(len(rows), 1))
        self.progress.setValue(0)
        self.progress.setVisible(bool(rows))
        self.summary.setText(f"Importing {_plural(len(rows), 'contact')}…")
        job = import_rows(
            self.directory.client.contact_bulk_create, rows, brand_id, on_progress=self._progress, report=self.report
        )
        self._task = self._run(
            self._import(job, existing, brand_id, update),
            on_result=self._finished,
            on_error=self._failed,
            name="csv-import",
        )
        self._sync()

    async def _import(self, job, existing: list[tuple[CsvRow, Contact]], brand_id: int, update: bool) -> ImportReport:
        report = await job
        await settle_existing(
            self.directory.update if update else None, existing, brand_id, report, describe=plain_message
        )
        await self.directory.remember(report.created, "imported")
        return report

    def _progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)

    def _finished(self, report: ImportReport) -> None:
        self._task = None
        self.report = report
        self._show_report(report)
        self.imported.emit(report.created + report.updated)

    def _failed(self, error: BaseException) -> None:
        self._task = None
        report = self.report or ImportReport()
        self._show_report(report)
        self.banner.show_message(f"The import stopped. {plain_message(error)}", "error")
        if report.created:
            self.imported.emit(report.created)

    def _show_report(self, report: ImportReport) -> None:
        plan = self.plan
        outcomes = {id(outcome.row): outcome for outcome in report.outcomes}
        created = len(report.created)
        failed = len(report.failed)
        skipped = len(plan.invalid_rows) if plan else 0
        if plan is not None:
            for index, row in enumerate(plan.rows):
                outcome = outcomes.get(id(row))
                if row.errors:
                    self._set_row(index, row, "Skipped", row.errors, _BAD)
                elif outcome is None:
                    self._set_row(index, row, "Not sent", ["The import stopped before this row."], _WARN)
                elif outcome.ok and outcome.kind == EXISTING:
                    name = outcome.contact.display_name if outcome.contact is not None else "a contact"
                    self._set_row(index, row, ALREADY_THERE, [f"Left as it was: {name} has this email."], _WARN)
                elif outcome.ok:
                    status = "Updated" if outcome.kind == UPDATED else "Created"
                    self._set_row(index, row, status, row.warnings, _OK)
                else:
                    self._set_row(index, row, "Failed", outcome.errors, _BAD)
        parts = [f"Imported {_plural(created, 'contact')}."]
        if report.updated:
            parts.append(f"Updated {_plural(len(report.updated), 'contact')} already there.")
        if report.already_there:
            parts.append(f"{_plural(len(report.already_there), 'contact')} already there, left as they were.")
        if failed:
            parts.append(f"{_plural(failed, 'contact')} failed.")
        if skipped:
            parts.append(f"{_plural(skipped, 'row')} skipped.")
        if failed or skipped:
            parts.append("The table below says why for each one.")
        self.summary.setText(" ".join(parts))
        self.progress.setVisible(False)
        self._sync()

    def _close_or_stop(self) -> None:
        if self._task is not None and self.report is not None:
            self._task.cancel()
            self._task = None
            if self.report is not None:
                self.report.cancelled = True
                self._show_report(self.report)
                if self.report.created:
                    self.imported.emit(self.report.created)
            self.banner.show_message("The import was stopped. Contacts already sent were created.", "warning")
            self._sync()
            return
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self.reject()

    def _sync(self) -> None:
        running = self._task is not None and self.report is not None
        done = self.report is not None and not running
        new, existing = self._split_rows()
        update = self.existing_choice.currentData() == UPDATE_EXISTING and bool(existing)
        checking = self._check_task is not None
        self.import_button.setVisible(not done)
        self.import_button.setEnabled((bool(new) or update) and self._task is None and not checking)
        text = f"Import {_plural(len(new), 'Contact')}" if new else "Import"
        if update:
            text = f"{text} and Update {len(existing):,}" if new else f"Update {_plural(len(existing), 'Contact')}"
        self.import_button.setText(text)
        self._existing_label.setVisible(bool(existing) and not done)
        self.existing_choice.setVisible(bool(existing) and not done)
        self.existing_choice.setEnabled(self._task is None)
        self.close_button.setText("Stop" if running else "Close" if done else "Cancel")
        self.choose_button.setEnabled(self._task is None)
        self.brand.setEnabled(self._task is None and not done)
        self.problems_only.setVisible(self.plan is not None and bool(self.plan.rows))

    def closeEvent(self, event) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        super().closeEvent(event)


__all__ = ["ContactImportDialog"]
