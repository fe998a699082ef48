"""The status bar: who is signed in, which brand, how full the plan is, and whether we are online."""

from __future__ import annotations

import enum

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QStatusBar, QWidget

from studio_desktop.ui.icons import status_dot

SANDBOX_CHIP_TEXT = "Practice studio: nothing here is real"
SANDBOX_CHIP_TIP = (
    "This is the built-in sandbox studio on your own computer. Nothing you do here reaches "
    "ShootProof, Pixieset or your clients. File → Switch to My ShootProof Account… leaves it."
)
SANDBOX_CHIP_STYLE = (
    "QLabel#sandboxChip { background: #f5a623; color: #1d1d1f; border-radius: 8px; "
    "padding: 1px 8px; font-weight: 600; }"
)
#: Space Qt leaves around a status message (its left margin, the gap before the permanent widgets, the grip).
MESSAGE_MARGIN = 40
#: Qt's QWIDGETSIZE_MAX (not exported by PySide6): no maximum width.
NO_MAXIMUM = (1 << 24) - 1
ERROR_TIMEOUT_MS = 12_000
INFO_TIMEOUT_MS = 5_000


class ConnectionState(enum.Enum):
    CONNECTING = "Connecting…"
    ONLINE = "Online"
    OFFLINE = "Offline"
    SIGNED_OUT = "Not signed in"


_STATE_COLORS = {
    ConnectionState.CONNECTING: "#d9a400",
    ConnectionState.ONLINE: "#2e9d4f",
    ConnectionState.OFFLINE: "#c0392b",
    ConnectionState.SIGNED_OUT: "#8a8f98",
}

_STATE_TIPS = {
    ConnectionState.CONNECTING: "Talking to ShootProof…",
    ConnectionState.ONLINE: "Connected to ShootProof.",
    ConnectionState.OFFLINE: "ShootProof cannot be reached right now; the app keeps trying.",
    ConnectionState.SIGNED_OUT: "Sign in to ShootProof (File → Sign In…) to see your galleries.",
}


def plan_text(used: int | None, allowed: int | None) -> str:
    """``1,234 of 100,000 photos`` (or the part that is known)."""
    if used is None:
        return ""
    if allowed is None or allowed <= 0:
        return f"{used:,} photo{'s' if used != 1 else ''}"
    return f"{used:,} of {allowed:,} photos"


class ElidedLabel(QLabel):
    """A one-line label that shrinks with an ellipsis instead of forcing the window wider."""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self.fontMetrics().horizontalAdvance("M") * 6), hint.height())

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, int(self.alignment()), text)
        painter.end()


class _Separator(QLabel):
    def __init__(self):
        super().__init__("·")
        self.setEnabled(False)


class StudioStatusBar(QStatusBar):
    """Setters only; the controller decides what to show."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("studioStatusBar")
        self.setSizeGripEnabled(True)
        self.messageChanged.connect(self._make_room)

        self.account_label = ElidedLabel(objectName="accountLabel")
        self.brand_label = ElidedLabel(objectName="brandLabel")
        self.plan_label = QLabel(objectName="planLabel")
        self.plan_bar = QProgressBar()
        self.plan_bar.setObjectName("planBar")
        self.plan_bar.setTextVisible(False)
        self.plan_bar.setFixedSize(72, 8)
        self.plan_bar.setRange(0, 1000)
        self.plan_bar.hide()
        self.sandbox_chip = QLabel(SANDBOX_CHIP_TEXT, objectName="sandboxChip")
        self.sandbox_chip.setStyleSheet(SANDBOX_CHIP_STYLE)
        self.sandbox_chip.setToolTip(SANDBOX_CHIP_TIP)
        self.sandbox_chip.setAccessibleName(SANDBOX_CHIP_TEXT)
        self.sandbox_chip.hide()
        self.connection_icon = QLabel(objectName="connectionIcon")
        self.connection_label = QLabel(objectName="connectionLabel")

        box = QWidget()
        layout = QHBoxLayout(box)
        layout.setContentsMargins(0, 0, 6, 0)
        layout.setSpacing(8)
        self._account_sep = _Separator()
        self._brand_sep = _Separator()
        self._plan_sep = _Separator()
        layout.addWidget(self.sandbox_chip)
        for widget in (
            self.account_label,
            self._account_sep,
            self.brand_label,
            self._brand_sep,
            self.plan_bar,
            self.plan_label,
            self._plan_sep,
            self.connection_icon,
            self.connection_label,
        ):
            layout.addWidget(widget)
        layout.setSpacing(6)
        self.addPermanentWidget(box)
        self.state = ConnectionState.CONNECTING
        self.set_connection(ConnectionState.CONNECTING)
        self.set_account(None)
        self.set_brand(None)
        self.set_plan(None, None)

    def set_sandbox(self, sandbox: bool) -> None:
        self.sandbox_chip.setVisible(sandbox)

    def set_account(self, studio_name: str | None, user_name: str | None = None) -> None:
        text = studio_name or ""
        if studio_name and user_name:
            text = f"{studio_name} — {user_name}"
        self.account_label.setText(text)
        self.account_label.setToolTip("Studio and signed-in user" if text else "")
        self._sync_separators()

    def set_brand(self, brand_name: str | None) -> None:
        self.brand_label.setText(f"Brand: {brand_name}" if brand_name else "")
        self._sync_separators()

    def set_plan(self, used: int | None, allowed: int | None) -> None:
        text = plan_text(used, allowed)
        self.plan_label.setText(text)
        if used is not None and allowed:
            share = min(1.0, used / allowed)
            self.plan_bar.setValue(int(share * 1000))
            self.plan_bar.setToolTip(f"Your plan is {share:.0%} full")
            self.plan_label.setToolTip(f"Your plan is {share:.0%} full")
            self.plan_bar.show()
        else:
            self.plan_bar.hide()
        self._sync_separators()

    def set_connection(self, state: ConnectionState) -> None:
        self.state = state
        self.connection_label.setText(state.value)
        self.connection_icon.setPixmap(status_dot(_STATE_COLORS[state]))
        for widget in (self.connection_label, self.connection_icon):
            widget.setToolTip(_STATE_TIPS[state])

    def show_error(self, message: str) -> None:
        self.showMessage(message, ERROR_TIMEOUT_MS)

    def show_info(self, message: str) -> None:
        self.showMessage(message, INFO_TIMEOUT_MS)

    def _make_room(self, message: str = "") -> None:
        """A message gets the room it needs: the studio and brand names give theirs up while it shows.

        Qt paints a message only in the space left of the permanent widgets and cuts it
        there, mid-word; the names are elided instead (full text in their tooltips).
        """
        squeezable = (self.account_label, self.brand_label)
        for label in squeezable:
            label.setMaximumWidth(NO_MAXIMUM)
        if not message:
            return
        box = self.account_label.parentWidget()
        box.layout().invalidate()
        overflow = (
            self.fontMetrics().horizontalAdvance(message) + MESSAGE_MARGIN - (self.width() - box.sizeHint().width())
        )
        for label in squeezable:
            if overflow <= 0:
                break
            if label.isHidden() or not label.text():
                continue
            width = label.sizeHint().width()
            cut = min(overflow, width - label.minimumSizeHint().width())
            if cut > 0:
                label.setMaximumWidth(width - cut)
                overflow -= cut

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.currentMessage():
            self._make_room(self.currentMessage())

    def _sync_separators(self) -> None:
        self._account_sep.setVisible(bool(self.account_label.text()))
        self._brand_sep.setVisible(bool(self.brand_label.text()))
        self._plan_sep.setVisible(bool(self.plan_label.text()))
