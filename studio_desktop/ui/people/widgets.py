"""Small widgets the people panels and the sign-in dialog share: banners, field errors, list rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QModelIndex, QObject, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QPainter, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from studio_desktop.ui import theme

SUBTITLE_ROLE = Qt.ItemDataRole.UserRole + 100
BADGE_ROLE = Qt.ItemDataRole.UserRole + 101


def _invalid_style() -> str:
    return f"border: 1px solid {theme.tone('error').name()}; border-radius: 3px; padding: 2px;"


def scaled_font(widget: QWidget, factor: float = 1.0, *, bold: bool = False) -> QFont:
    font = QFont(widget.font())
    if factor != 1.0:
        font.setPointSizeF(max(6.0, font.pointSizeF() * factor))
    if bold:
        font.setWeight(QFont.Weight.DemiBold)
    return font


class Title(QLabel):
    """A panel's heading."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, factor: float = 1.25):
        super().__init__(text, parent)
        self.setFont(scaled_font(self, factor, bold=True))
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)


class Hint(QLabel):
    """Secondary text, in the palette's placeholder colour."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setWordWrap(True)
        # A role, not a colour copied now: it follows the palette from light to dark.
        self.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.setFont(scaled_font(self, 0.92))


class ErrorLabel(QLabel):
    """A field's error, shown right under it; hidden while there is none."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        theme.follow_palette(self, lambda: self.setStyleSheet(f"color: {theme.tone('error').name()};"))
        self.setFont(scaled_font(self, 0.9))
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def set_messages(self, messages: Sequence[str]) -> None:
        text = "\n".join(message for message in messages if message)
        self.setText(text)
        self.setVisible(bool(text))


class Busy(QProgressBar):
    """A thin indeterminate bar shown while something loads."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRange(0, 0)
        self.setTextVisible(False)
        self.setFixedHeight(3)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setVisible(False)

    def set_busy(self, busy: bool) -> None:
        self.setVisible(busy)


class Banner(QFrame):
    """A tinted message strip with an optional action button and a close button."""

    action_clicked = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None, *, closable: bool = True):
        super().__init__(parent)
        self.setObjectName("banner")
        self.kind = "info"
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.action = QPushButton(self)
        self.action.setVisible(False)
        self.action.clicked.connect(self.action_clicked)
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Dismiss")
        self.close_button.setAccessibleName("Dismiss message")
        self.close_button.clicked.connect(self.dismiss)
        self.close_button.setVisible(closable)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.setSpacing(8)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        theme.follow_palette(self, self._restyle)
        self.hide()

    def _restyle(self) -> None:
        background, foreground, border = theme.banner_colors(self.kind)
        # The close button too: on a dark desktop its light text would vanish on a light banner.
        self.setStyleSheet(
            f"QFrame#banner {{ background: {background}; border: 1px solid {border}; border-radius: 5px; }}"
            f"QFrame#banner QLabel, QFrame#banner QToolButton {{ color: {foreground}; background: transparent; "
            f"border: none; }}"
        )

    def show_message(self, text: str, kind: str = "info", action: str | None = None) -> None:
        self.kind = kind if kind in theme.BANNERS else "info"
        self._restyle()
        self.label.setText(text)
        self.action.setVisible(bool(action))
        if action:
            self.action.setText(action)
        self.show()

    def text(self) -> str:
        return "" if self.isHidden() else self.label.text()

    def dismiss(self) -> None:
        self.hide()
        self.closed.emit()


def field_block(editor: QWidget) -> tuple[QWidget, ErrorLabel]:
    """``editor`` with its error label under it, as one form row."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(editor)
    error = ErrorLabel(box)
    layout.addWidget(error)
    return box, error


class FieldErrors:
    """Shows server (or local) field errors beside the fields; the rest go to a general banner."""

    def __init__(self, banner: Banner):
        self.banner = banner
        self._fields: dict[str, tuple[QWidget, ErrorLabel]] = {}
        self._aliases: dict[str, str] = {}

    def add(self, name: str, editor: QWidget, label: ErrorLabel, *aliases: str) -> None:
        self._fields[name] = (editor, label)
        for alias in aliases:
            self._aliases[alias] = name

    def show(self, errors: Mapping[str, Sequence[str]], summary: str | None = None) -> list[str]:
        """Put each field's messages beside it; returns the messages no field took (shown in the banner)."""
        self.clear()
        unplaced: list[str] = []
        first: QWidget | None = None
        for name, messages in errors.items():
            target = self._aliases.get(name, name)
            if target in self._fields:
                editor, label = self._fields[target]
                label.set_messages(list(messages))
                editor.setStyleSheet(_invalid_style())
                editor.setProperty("invalid", True)
                if first is None:
                    first = editor
            else:
                unplaced.extend(f"{name.replace('_', ' ')}: {message}" for message in messages)
        if unplaced or summary:
            lines = ([summary] if summary else []) + unplaced
            self.banner.show_message("\n".join(lines), "error")
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        return unplaced

    def clear(self) -> None:
        for editor, label in self._fields.values():
            label.set_messages([])
            if editor.property("invalid"):
                editor.setStyleSheet("")
                editor.setProperty("invalid", False)
        if self.banner.kind == "error":
            self.banner.hide()

    def message(self, name: str) -> str:
        """The error shown beside field ``name`` ("" when none): for tests and accessibility."""
        pair = self._fields.get(name)
        return pair[1].text() if pair is not None and pair[1].isVisibleTo(pair[1].parentWidget()) else ""


class TwoLineDelegate(QStyledItemDelegate):
    """List rows with a title, a grey subtitle (``SUBTITLE_ROLE``) and a pill on the right (``BADGE_ROLE``)."""

    PAD_X = 10
    PAD_Y = 6

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        metrics = QFontMetrics(option.font)
        small = QFontMetrics(self._small(option.font))
        return QSize(200, self.PAD_Y * 2 + metrics.height() + small.height() + 2)

    @staticmethod
    def _small(font: QFont) -> QFont:
        small = QFont(font)
        small.setPointSizeF(max(6.0, font.pointSizeF() * 0.9))
        return small

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        title = opt.text
        opt.text = ""
        opt.icon = QIcon()
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette = opt.palette
        text_color = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        sub_color = QColor(text_color)
        if not selected:
            sub_color = palette.color(QPalette.ColorRole.PlaceholderText)
        rect = opt.rect.adjusted(self.PAD_X, self.PAD_Y, -self.PAD_X, -self.PAD_Y)
        painter.save()
        badge = index.data(BADGE_ROLE)
        small = self._small(opt.font)
        if badge:
            painter.setFont(small)
            metrics = QFontMetrics(small)
            width = metrics.horizontalAdvance(str(badge)) + 12
            height = metrics.height() + 2
            pill = QRect(rect.right() - width, rect.top() + 1, width, height)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            fill = QColor(text_color if selected else palette.color(QPalette.ColorRole.Highlight))
            fill.setAlpha(40 if not selected else 70)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRoundedRect(pill, height / 2, height / 2)
            painter.setPen(text_color if selected else palette.color(QPalette.ColorRole.Highlight).darker(130))
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, str(badge))
            rect.setRight(pill.left() - 8)
        title_font = QFont(opt.font)
        title_font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(title_font)
        painter.setPen(text_color)
        metrics = QFontMetrics(title_font)
        painter.drawText(
            QRect(rect.left(), rect.top(), rect.width(), metrics.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(title, Qt.TextElideMode.ElideRight, rect.width()),
        )
        subtitle = index.data(SUBTITLE_ROLE)
        if subtitle:
            painter.setFont(small)
            painter.setPen(sub_color)
            small_metrics = QFontMetrics(small)
            top = rect.top() + metrics.height() + 2
            full_right = opt.rect.right() - self.PAD_X
            painter.drawText(
                QRect(rect.left(), top, full_right - rect.left(), small_metrics.height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                small_metrics.elidedText(str(subtitle), Qt.TextElideMode.ElideRight, full_right - rect.left()),
            )
        painter.restore()


def run_for(owner: QObject, tasks, coro, on_result=None, on_error=None, *, name: str, quiet: bool = False):
    """``tasks.run(...)`` whose callbacks are skipped once ``owner`` (a widget) has been deleted.

    A panel or dialog can close while its requests are still out; their answers
    must not reach widgets that no longer exist.
    """

    def guard(callback):
        if callback is None:
            return None

        def call(value):
            if isValid(owner):
                callback(value)

        return call

    return tasks.run(coro, guard(on_result), guard(on_error), name=name, quiet=quiet)
