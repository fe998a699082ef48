"""One contact picker for a gallery's contact: type-ahead over known contacts, new contacts inline, names not ids."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from studio_desktop.gallery.tree_nodes import EVENT
from studio_desktop.people.matching import contact_label, matches, resolve

from .gallery_support import press, right_click_menu, trigger_from_menu, wait_closed, wait_dialog

WAIT_MS = 20_000


def know_the_contacts(qtbot, session):
    """Open Contacts once: the app meets the contacts its galleries name (as a photographer's first run does)."""
    dock = session.window.side_panel("contacts")
    dock.show()
    panel = session.people.docks.contacts
    qtbot.waitUntil(
        lambda: panel.directory is not None and panel._load_task is None and panel.model.rowCount() > 3, timeout=WAIT_MS
    )
    dock.hide()


def open_contact_dialog(gallery, qtbot, event_id):
    trigger_from_menu(right_click_menu(gallery, qtbot, EVENT, event_id), "event_contact")
    dialog = wait_dialog(qtbot, gallery, "contactDialog")
    qtbot.waitUntil(lambda: len(dialog.picker.contacts) > 0, timeout=WAIT_MS)
    return dialog


def test_typing_a_name_suggests_known_contacts_and_the_message_names_them(
    gallery, gui_session, sp, run_async, qtbot, ids
):
    know_the_contacts(qtbot, gui_session)
    dialog = open_contact_dialog(gallery, qtbot, ids["event_empty"])
    assert QApplication.focusWidget() is dialog.picker.edit, "typing goes to the picker, never to Remove"
    assert not dialog.remove_button.isEnabled() and not dialog.remove_button.isDefault()

    qtbot.keyClicks(dialog.picker.edit, "harp")
    suggestions = dialog.picker.suggestions.stringList()
    assert suggestions and all("harp" in s.casefold() for s in suggestions)
    harper = run_async(sp.contact_info(contact_id=ids["harper"]))[0]
    assert contact_label(harper) in suggestions, "only the gallery's brand: one Harper Lewis, not two"
    dialog.picker.completer.activated[str].emit(contact_label(harper))
    dialog.picker.edit.setText(contact_label(harper))
    press(qtbot, dialog.ok_button)
    wait_closed(qtbot, dialog)
    assert run_async(sp.event_info(ids["event_empty"])).contact_id == ids["harper"]
    message = gui_session.window.status.currentMessage()
    assert "Harper Lewis" in message and str(ids["harper"]) not in message

    trigger_from_menu(right_click_menu(gallery, qtbot, EVENT, ids["event_empty"]), "event_info")
    info = wait_dialog(qtbot, gallery, "eventInfoDialog")
    qtbot.waitUntil(lambda: "Harper Lewis" in info_text(info), timeout=WAIT_MS)
    assert "Contact ID" not in info_text(info) and str(ids["harper"]) not in info_text(info).split("Gallery ID")[0]


def info_text(dialog) -> str:
    from PySide6.QtWidgets import QLabel

    return " ".join(label.text() for label in dialog.findChildren(QLabel))


def test_a_name_nobody_has_is_said_not_dropped_and_a_new_contact_is_made_inline(
    gallery, gui_session, sp, run_async, qtbot, ids
):
    know_the_contacts(qtbot, gui_session)
    dialog = open_contact_dialog(gallery, qtbot, ids["event_empty"])
    qtbot.keyClicks(dialog.picker.edit, "Rosalind Okonkwo")
    press(qtbot, dialog.ok_button)
    assert "No contact called “Rosalind Okonkwo”" in dialog.field_error("contact_id")

    press(qtbot, dialog.picker.new_button)
    assert dialog.picker.first_name.text() == "Rosalind" and dialog.picker.last_name.text() == "Okonkwo"
    qtbot.keyClicks(dialog.picker.email, "rosalind@new.example")
    press(qtbot, dialog.picker.create_button)
    qtbot.waitUntil(lambda: dialog.picker.chosen is not None, timeout=WAIT_MS)
    made = dialog.picker.chosen
    assert run_async(sp.contact_info(contact_email="rosalind@new.example"))[0].id == made.id
    press(qtbot, dialog.ok_button)
    wait_closed(qtbot, dialog)
    assert run_async(sp.event_info(ids["event_empty"])).contact_id == made.id


def test_new_gallery_takes_a_contact_by_name(gallery, gui_session, sp, run_async, qtbot, ids):
    know_the_contacts(qtbot, gui_session)
    gallery.actions["gallery_new_event"].trigger()
    dialog = wait_dialog(qtbot, gallery, "newEventDialog")
    qtbot.waitUntil(lambda: len(dialog.contact_picker.contacts) > 0, timeout=WAIT_MS)
    dialog.name_edit.setText("Lewis Anniversary")
    qtbot.keyClicks(dialog.contact_edit, "Nobody Atall")
    press(qtbot, dialog.ok_button)
    assert "No contact called “Nobody Atall”" in dialog.field_error("contact_id"), "a typed name is never dropped"
    assert dialog.isVisible()

    dialog.contact_edit.clear()
    qtbot.keyClicks(dialog.contact_edit, "Harper Lewis")
    press(qtbot, dialog.ok_button)
    wait_closed(qtbot, dialog)
    qtbot.waitUntil(
        lambda: gallery.current_node() is not None and gallery.current_node().name == "Lewis Anniversary",
        timeout=WAIT_MS,
    )
    assert run_async(sp.event_info(gallery.current_node().id)).contact_id == ids["harper"]


def test_matching_by_name_email_or_part():
    from studio_desktop.api.models import Contact

    ada = Contact(id=1, first_name="Ada", last_name="Byron", email="ada@example.com")
    adam = Contact(id=2, first_name="Adam", last_name="Smith", email="adam@example.org")
    people = [ada, adam]
    assert matches(people, "ad") == [ada, adam]
    assert matches(people, "smith") == [adam]
    assert resolve(people, "ADA BYRON") == (ada, [ada])
    assert resolve(people, "adam@example.org")[0] is adam
    assert resolve(people, "ad") == (None, [ada, adam])
    assert resolve(people, "2")[0] is adam
