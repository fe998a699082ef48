"""Wheel events never change a combo box, spin box or date field the user has not clicked into.

Scrolling a form with the mouse wheel used to flip whatever value passed under
the pointer (a client's Status, a contact's Brand). One filter on the
application covers every such field in every form, present and future:

- when a field is polished, a wheel no longer gives it focus (``WheelFocus``
  becomes ``StrongFocus``), so the wheel cannot focus it and then change it;
- a wheel over a field without focus goes to the field's parent instead, so a
  scroll area around the form still scrolls.

A field the user clicked or tabbed into still answers the wheel as usual.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWidget

GUARDED = (QComboBox, QAbstractSpinBox)
_WATCHED = (QEvent.Type.Wheel, QEvent.Type.Polish)


def _guarded_field(obj: QObject) -> QWidget | None:
    """The combo or spin box ``obj`` is, or belongs to (an editable combo's line edit)."""
    if isinstance(obj, GUARDED):
        return obj
    parent = obj.parent() if isinstance(obj, QWidget) else None
    if isinstance(parent, GUARDED):
        return parent
    return None


class WheelGuard(QObject):
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in _WATCHED:
            return False
        if kind == QEvent.Type.Polish:
            if isinstance(obj, GUARDED) and obj.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                obj.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            return False
        field = _guarded_field(obj)
        if field is None or field.hasFocus() or (field.focusProxy() or field).hasFocus():
            return False
        # Ignored and filtered: Qt passes a real wheel on to the parent widgets (a scroll area scrolls).
        event.ignore()
        return True


def install(app: QCoreApplication | None = None) -> WheelGuard:
    """Install the guard on ``app`` (the running application) once; later calls return the same guard."""
    app = app or QApplication.instance()
    assert app is not None  # installed once the application exists
    existing = app.findChild(WheelGuard, "wheelGuard")
    if existing is not None:
        return existing
    guard = WheelGuard(app)
    guard.setObjectName("wheelGuard")
    app.installEventFilter(guard)
    return guard
