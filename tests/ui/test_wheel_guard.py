"""The mouse wheel never changes a combo box, spin box or date field the user has not clicked into, in any form."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QDateTimeEdit, QWidget

from tests.ui.conftest import endpoints_for

WAIT_MS = 10_000

#: Fields that must be among those scrolled over, so that a form missing from the sweep shows up.
EXPECTED = {
    "brandCombo",
    "defaultsCombo",
    "dateEdit",  # New Gallery
    "settingsConcurrency",
    "settingsBandwidth",
    "settingsWatermark",
    "settingsSettle",
    "settingsMirror",
    "hotFolderSettle",
    "uploadFilter",
    "clients_type_filter",
    "import_brand",
    "client_type",
    "client_status",
    "client_country",
    "contact_brand",
    "orders_scope",
}


def value(field: QWidget):
    if isinstance(field, QComboBox):
        return field.currentIndex()
    if isinstance(field, QDateTimeEdit):
        return field.dateTime()
    return field.value()


def wheel(field: QWidget, notches: int) -> None:
    centre = QPointF(field.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(field.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(field, event)


def every_field() -> list[QWidget]:
    fields: list[QWidget] = []
    for top in QApplication.topLevelWidgets():
        if top.isVisible():
            fields.extend(top.findChildren(QComboBox))
            fields.extend(top.findChildren(QAbstractSpinBox))
    return fields


def open_every_form(session, qtbot, tmp_path):
    window, people = session.window, session.people
    for name in ("contacts", "clients"):
        dock = window.side_panel(name)
        dock.show()
        dock.raise_()
    qtbot.waitUntil(
        lambda: people.docks.clients.page is not None and people.docks.clients.model.rowCount() > 0, timeout=WAIT_MS
    )
    people.docks.clients.list_view.setCurrentIndex(people.docks.clients.model.index(0, 0))
    qtbot.waitUntil(
        lambda: people.docks.contacts.directory is not None and people.docks.contacts.proxy.rowCount() > 0,
        timeout=WAIT_MS,
    )
    people.docks.contacts.list_view.setCurrentIndex(people.docks.contacts.proxy.index(0, 0))
    window.actions["show_orders"].trigger()
    session.gallery.events.new_event()
    session.uploads.settings.show()
    session.uploads.hot_folders.show()
    session.uploads.hot_folders._edit(None)
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("first_name,last_name,email\nAda,Lovelace,ada@example.com\n", encoding="utf-8")
    people.docks.contacts.open_import(str(csv_file))


def test_wheel_over_unfocused_fields_changes_nothing_in_any_form(
    gui_session_factory, sandbox, wait_for_tree, qtbot, tmp_path
):
    session = gui_session_factory(endpoints=replace(endpoints_for(sandbox), pixieset_cookie=sandbox.pixieset_cookie))
    wait_for_tree(session)
    open_every_form(session, qtbot, tmp_path)
    qtbot.waitUntil(lambda: {field.objectName() for field in every_field()} >= EXPECTED, timeout=WAIT_MS)

    fields = every_field()
    QApplication.focusWidget() and QApplication.focusWidget().clearFocus()
    changeable = 0
    for field in fields:
        if isinstance(field, QComboBox) and field.count() < 2:
            continue
        changeable += 1
        before = value(field)
        for notches in (-1, 1, 1):
            wheel(field, notches)
            assert value(field) == before, f"the wheel changed {field.objectName() or type(field).__name__}"
        assert field.focusPolicy() != Qt.FocusPolicy.WheelFocus
    assert changeable >= len(EXPECTED) - 2


def test_a_field_the_user_clicked_into_still_follows_the_wheel(gui_session, qtbot):
    settings = gui_session.uploads.settings.show()
    spin = settings.findChild(QAbstractSpinBox, "settingsConcurrency")
    qtbot.waitExposed(settings)
    settings.activateWindow()
    spin.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(spin.hasFocus, timeout=WAIT_MS)
    before = spin.value()
    wheel(spin, -1 if before > spin.minimum() else 1)
    assert spin.value() != before
