"""Upload settings: how many at once, a speed limit, the default watermark, duplicates, hot-folder settle time.

The dialog only collects values: ``applied(values)`` fires on Apply and OK, and
the upload controller saves them, hands them to the running engine and calls
:meth:`UploadSettingsDialog.show_error` if a value is refused. OK closes the
dialog only once the values were taken (:meth:`UploadSettingsDialog.accept_applied`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio_desktop.api.limits import MAX_CONCURRENCY, MIN_CONCURRENCY
from studio_desktop.core.settings import Settings
from studio_desktop.ui import theme
from studio_desktop.ui.uploads.drop_handler import MIRROR_ASK, MIRROR_NO, MIRROR_YES
from studio_desktop.uploads.hotfolders import MAX_SETTLE, MIN_SETTLE

WATERMARK_BRAND_DEFAULT = ""
WATERMARK_NONE = "no"
MAX_MBIT = 10_000.0


class UploadSettingsDialog(QDialog):
    """``applied(dict)`` with the setting names of :class:`Settings` plus ``"mirror_folders"``."""

    applied = Signal(dict)

    def __init__(self, settings: Settings, mirror_choice: str = MIRROR_ASK, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("uploadSettingsDialog")
        self.setWindowTitle("Upload Settings")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._close_after_apply = False

        self.concurrency = QSpinBox()
        self.concurrency.setObjectName("settingsConcurrency")
        self.concurrency.setRange(MIN_CONCURRENCY, MAX_CONCURRENCY)
        self.concurrency.setValue(settings.upload_concurrency)
        self.concurrency.setSuffix(" at a time")
        self.concurrency.setAccessibleName("Uploads at a time")
        self.concurrency.setToolTip(
            "How many photos are sent at the same time (1–16). ShootProof's own uploader sends 5."
        )

        self.limit_bandwidth = QCheckBox("Limit upload speed to", objectName="settingsLimitBandwidth")
        self.bandwidth = QDoubleSpinBox()
        self.bandwidth.setObjectName("settingsBandwidth")
        self.bandwidth.setRange(0.1, MAX_MBIT)
        self.bandwidth.setDecimals(1)
        self.bandwidth.setSingleStep(1.0)
        self.bandwidth.setSuffix(" Mbit/s")
        self.bandwidth.setAccessibleName("Upload speed limit in megabits per second")
        limited = settings.bandwidth_limit_kbps > 0
        self.limit_bandwidth.setChecked(limited)
        self.bandwidth.setValue(settings.bandwidth_limit_kbps / 1000 if limited else 10.0)
        self.bandwidth.setEnabled(limited)
        self.limit_bandwidth.toggled.connect(self.bandwidth.setEnabled)
        bandwidth_row = QHBoxLayout()
        bandwidth_row.setContentsMargins(0, 0, 0, 0)
        bandwidth_row.addWidget(self.limit_bandwidth)
        bandwidth_row.addWidget(self.bandwidth)
        bandwidth_row.addStretch(1)

        self.watermark = QComboBox()
        self.watermark.setObjectName("settingsWatermark")
        self.watermark.addItem("The brand's default watermark", WATERMARK_BRAND_DEFAULT)
        self.watermark.addItem("No watermark", WATERMARK_NONE)
        self._wanted_watermark = settings.default_watermark
        self._select_watermark(self._wanted_watermark)
        self.watermark_note = QLabel("Loading this brand's watermarks…", objectName="settingsWatermarkNote")
        self.watermark_note.setEnabled(False)

        self.dedup = QCheckBox("Skip photos the gallery already has (same file name)", objectName="settingsDedup")
        self.dedup.setChecked(settings.dedup_enabled)

        self.settle = QDoubleSpinBox()
        self.settle.setObjectName("settingsSettle")
        self.settle.setRange(MIN_SETTLE, MAX_SETTLE)
        self.settle.setDecimals(1)
        self.settle.setSingleStep(0.5)
        self.settle.setAccessibleName("Seconds a hot folder photo must stay unchanged")
        self.settle.setSuffix(" s")
        self.settle.setValue(max(MIN_SETTLE, settings.hot_folder_settle_seconds))
        self.settle.setToolTip(
            "A file in a hot folder is uploaded once it has not changed for this long. "
            "Used for hot folders you add from now on."
        )

        self.mirror = QComboBox()
        self.mirror.setObjectName("settingsMirror")
        self.mirror.addItem("Ask each time", MIRROR_ASK)
        self.mirror.addItem("Mirror subfolders as albums", MIRROR_YES)
        self.mirror.addItem("Put every photo in the chosen gallery or album", MIRROR_NO)
        position = self.mirror.findData(mirror_choice)
        self.mirror.setCurrentIndex(max(0, position))

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("Uploads:", self.concurrency)
        form.addRow("Speed:", bandwidth_row)
        form.addRow("Watermark:", self.watermark)
        form.addRow("", self.watermark_note)
        form.addRow("Duplicates:", self.dedup)
        form.addRow("Hot folders wait:", self.settle)
        form.addRow("Dropped folders:", self.mirror)

        self.error_label = QLabel(objectName="settingsError")
        theme.follow_palette(
            self.error_label, lambda: self.error_label.setStyleSheet(f"color: {theme.tone('error').name()};")
        )
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.Apply
        )
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self._apply)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)

    # --- watermarks --------------------------------------------------------------------------------

    def set_watermarks(self, watermarks: Sequence[Any] | None, error: str | None = None) -> None:
        """Offer the brand's watermarks by name (``None`` with ``error`` when they could not be loaded)."""
        current = self.watermark.currentData()
        while self.watermark.count() > 2:
            self.watermark.removeItem(2)
        for mark in watermarks or ():
            name = mark.name or f"Watermark {mark.id}"
            label = f"{name} (the brand's default)" if getattr(mark, "is_default", False) else name
            self.watermark.addItem(label, str(mark.id))
        if error:
            self.watermark_note.setText(f"The brand's watermarks could not be loaded: {error}")
        elif watermarks:
            self.watermark_note.setText("")
        else:
            self.watermark_note.setText("This brand has no watermarks of its own.")
        self.watermark_note.setVisible(bool(self.watermark_note.text()))
        self._select_watermark(current if current is not None else self._wanted_watermark)

    def _select_watermark(self, value: str) -> None:
        position = self.watermark.findData(value)
        if position < 0 and value not in (WATERMARK_BRAND_DEFAULT, WATERMARK_NONE):
            self.watermark.addItem(f"Watermark {value}", value)
            position = self.watermark.count() - 1
        self.watermark.setCurrentIndex(max(0, position))

    # --- values ------------------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        kbps = round(self.bandwidth.value() * 1000) if self.limit_bandwidth.isChecked() else 0
        return {
            "upload_concurrency": self.concurrency.value(),
            "bandwidth_limit_kbps": kbps,
            "default_watermark": self.watermark.currentData() or WATERMARK_BRAND_DEFAULT,
            "dedup_enabled": self.dedup.isChecked(),
            "hot_folder_settle_seconds": round(self.settle.value(), 1),
            "mirror_folders": self.mirror.currentData(),
        }

    def show_error(self, message: str) -> None:
        self._close_after_apply = False
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def accept_applied(self) -> None:
        """The controller took the values: clear any error, and close if OK was pressed."""
        self.error_label.hide()
        if self._close_after_apply:
            self._close_after_apply = False
            self.accept()

    def _apply(self) -> None:
        self._close_after_apply = False
        self.applied.emit(self.values())

    def _ok(self) -> None:
        self._close_after_apply = True
        self.applied.emit(self.values())
