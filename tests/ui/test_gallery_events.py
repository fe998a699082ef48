"""Gallery (event) commands through the real window against the sandbox: create, change, delete, and friends.

Every test drives widgets (menus, dialogs, buttons, keys) and then checks what the
server holds through a second API client or the sandbox's own database.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from imagegen import make_jpeg, make_text_file
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QWidget

from studio_desktop.api.errors import NotFoundError
from studio_desktop.core.bidi import plain
from studio_desktop.gallery.tree_nodes import EVENT

from .gallery_support import (
    WAIT_MS,
    confirm_box,
    open_in_grid,
    press,
    right_click_menu,
    select_node,
    select_rows,
    tree_names,
    trigger_from_menu,
    wait_closed,
    wait_dialog,
    wait_problem,
)


def _event_menu(gallery, qtbot, event_id):
    return right_click_menu(gallery, qtbot, EVENT, event_id)


def _sandbox_row(sandbox, sql, *args):
    with sandbox.studio.db.read() as c:
        return c.execute(sql, args).fetchone()


# --- create -------------------------------------------------------------------------------------


def test_new_gallery_dialog_creates_the_event_and_selects_it(gallery, sp, run_async, qtbot, ids):
    gallery.actions["gallery_new_event"].trigger()
    dialog = wait_dialog(qtbot, gallery, "newEventDialog")
    assert dialog.brand_combo.currentData() == ids["brand_default"]
    qtbot.waitUntil(lambda: dialog.defaults_combo.count() > 1, timeout=WAIT_MS)
    assert dialog.defaults_combo.currentData() == ids["defaults_b1"]  # the brand's default settings
    dialog.name_edit.setText("Nguyen Wedding")
    assert dialog.slug_edit.placeholderText() == "e.g. nguyen-wedding"
    dialog.date_edit.setDate(QDate(2025, 6, 21))
    qtbot.keyClicks(dialog.slug_edit, "Nguyen Wedding")  # typed loosely; the field tidies it
    assert dialog.slug_edit.text() == "nguyen-wedding"
    press(qtbot, dialog.ok_button)
    wait_closed(qtbot, dialog)

    qtbot.waitUntil(
        lambda: gallery.current_node() is not None and gallery.current_node().name == "Nguyen Wedding", timeout=WAIT_MS
    )
    event = run_async(sp.event_info(gallery.current_node().id))
    assert event.name == "Nguyen Wedding"
    assert event.brand_id == ids["brand_default"]
    assert event.event_date == "2025-06-21 00:00:00"
    assert urlsplit(event.view_url).path == "/gallery/nguyen-wedding"


def test_a_web_address_already_taken_is_shown_beside_the_field(gallery, sp, run_async, qtbot):
    gallery.actions["gallery_new_event"].trigger()
    dialog = wait_dialog(qtbot, gallery, "newEventDialog")
    dialog.name_edit.setText("Second Harper Wedding")
    dialog.no_date.setChecked(True)
    dialog.slug_edit.setText("harper-liam-wedding")  # the demo wedding's address
    press(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: dialog.field_error("url_slug") != "", timeout=WAIT_MS)
    assert dialog.field_error("url_slug").startswith("That web address is already used by another gallery")
    assert dialog.isVisible() and dialog.ok_button.isEnabled()
    assert "Second Harper Wedding" not in tree_names(gallery)

    dialog.slug_edit.setText("harper-second")
    press(qtbot, dialog.ok_button)
    wait_closed(qtbot, dialog)
    qtbot.waitUntil(lambda: "Second Harper Wedding" in tree_names(gallery), timeout=WAIT_MS)
    created = [e for e in run_async(sp.event_get_list(limit=100)).items if e.name == "Second Harper Wedding"]
    assert len(created) == 1 and created[0].event_date is None
    assert urlsplit(created[0].view_url).path == "/gallery/harper-second"


def test_bad_input_is_refused_in_the_dialog_before_any_call(gallery, sandbox, qtbot):
    gallery.actions["gallery_new_event"].trigger()
    dialog = wait_dialog(qtbot, gallery, "newEventDialog")
    sandbox.studio.clear_request_log()
    dialog.name_edit.setText("   ")
    dialog.slug_edit.setText("-bad--slug-")
    press(qtbot, dialog.ok_button)
    assert dialog.field_error("event_name") == "Please enter a name for the gallery."
    assert "lowercase letters, digits and single hyphens" in dialog.field_error("url_slug")
    assert sandbox.studio.count_requests("sp.event.create") == 0
    press(qtbot, dialog.cancel_button)
    wait_closed(qtbot, dialog)


# --- change ------------------------------------------------------------------------------------


def test_rename_from_the_context_menu(gallery, sp, run_async, qtbot, ids):
    menu = _event_menu(gallery, qtbot, ids["event_family"])
    names = [a.objectName() for a in menu.actions() if a.objectName()]
    assert names[:2] == ["action_event_open", "action_event_info"] and names[-1] == "action_event_delete"
    assert not any(name.startswith("action_album_") for name in names)
    trigger_from_menu(menu, "event_rename")
    dialog = wait_dialog(qtbot, gallery, "renameEventDialog")
    assert dialog.name_edit.text() == "Okafor Family Session"
    dialog.name_edit.setText("Okafor Family – Autumn")
    press(qtbot, dialog.ok_button)
    wait_closed(qtbot, dialog)
    assert run_async(sp.event_info(ids["event_family"])).name == "Okafor Family – Autumn"
    qtbot.waitUntil(lambda: gallery.current_node().name == "Okafor Family – Autumn", timeout=WAIT_MS)
    assert plain(gallery.window.grid_panel.title.text()) == "Okafor Family – Autumn"


def test_f2_renames_and_edit_details_changes_date_and_address(gallery, sp, run_async, qtbot, ids):
    select_node(gallery, qtbot, EVENT, ids["event_engagement"])
    qtbot.keyClick(gallery.tree, Qt.Key.Key_F2)
    rename = wait_dialog(qtbot, gallery, "renameEventDialog")
    press(qtbot, rename.cancel_button)
    wait_closed(qtbot, rename)

    gallery.actions["event_edit"].trigger()
    dialog = wait_dialog(qtbot, gallery, "editEventDialog")
    qtbot.waitUntil(dialog.ok_button.isEnabled, timeout=WAIT_MS)  # the details came from the server
    assert dialog.slug_edit.text() == "zoe-mateo"
    assert dialog.date_edit.date() == QDate(2025, 2, 12)
    dialog.date_edit.setDate(QDate(2025, 2, 15))
    dialog.slug_edit.setText("zoe-and-mateo")
    press(qtbot, dialog.ok_button)
    wait_closed(qtbot, dialog)
    event = run_async(sp.event_info(ids["event_engagement"]))
    assert event.event_date == "2025-02-15 17:00:00"  # the time of day is kept
    assert urlsplit(event.view_url).path == "/gallery/zoe-and-mateo"


def test_access_level_and_password(gallery, sandbox, qtbot, ids):
    menu = _event_menu(gallery, qtbot, ids["event_corporate"])
    trigger_from_menu(menu, "event_access")
    dialog = wait_dialog(qtbot, gallery, "accessDialog")
    assert dialog.level() is None  # ShootProof does not say; the user chooses
    press(qtbot, dialog.ok_button)
    assert dialog.field_error("access_level") == "Choose who can open the gallery."
    dialog.radios["private_no_password"].setChecked(True)
    assert not dialog.password_edit.isEnabled()
    dialog.radios["public_password"].setChecked(True)
    assert dialog.password_edit.isEnabled()
    press(qtbot, dialog.ok_button)
    assert dialog.field_error("password") == "Enter the password visitors will need."
    dialog.password_edit.setText("acme2025")
    press(qtbot, dialog.ok_button)
    wait_closed(qtbot, dialog)
    row = _sandbox_row(sandbox, "SELECT access_level, password FROM events WHERE id = ?", ids["event_corporate"])
    assert tuple(row) == ("public_password", "acme2025")


def test_category_can_be_chosen_created_and_renamed(gallery, sp, run_async, qtbot, ids):
    menu = _event_menu(gallery, qtbot, ids["event_empty"])
    trigger_from_menu(menu, "event_category")
    dialog = wait_dialog(qtbot, gallery, "categoryDialog")
    qtbot.waitUntil(lambda: dialog.list.count() > 3, timeout=WAIT_MS)

    press(qtbot, dialog.new_button)
    new = dialog.child_dialog
    qtbot.waitUntil(new.isVisible, timeout=WAIT_MS)
    new.name_edit.setText("Boudoir")
    press(qtbot, new.ok_button)
    wait_closed(qtbot, new)
    assert dialog.list.currentItem().text() == "Boudoir"

    press(qtbot, dialog.rename_button)
    rename = dialog.child_dialog
    qtbot.waitUntil(rename.isVisible, timeout=WAIT_MS)
    rename.name_edit.setText("Boudoir & Glamour")
    press(qtbot, rename.ok_button)
    wait_closed(qtbot, rename)
    qtbot.waitUntil(lambda: dialog.list.currentItem().text() == "Boudoir & Glamour", timeout=WAIT_MS)

    press(qtbot, dialog.ok_button)
    wait_closed(qtbot, dialog)
    categories = {c.name: c.id for c in run_async(sp.category_get_list())}
    assert "Boudoir" not in categories
    assert run_async(sp.event_info(ids["event_empty"])).category_id == categories["Boudoir & Glamour"]


def test_contact_by_email_and_removal(gallery, sp, run_async, qtbot, ids):
    menu = _event_menu(gallery, qtbot, ids["event_empty"])
    trigger_from_menu(menu, "event_contact")
    dialog = wait_dialog(qtbot, gallery, "contactDialog")
    assert dialog.current_label.text() == "No contact yet."
    dialog.contact_edit.setText("nobody@nowhere.example")
    press(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: dialog.field_error("contact_id") != "", timeout=WAIT_MS)
    assert "No contact with the email address nobody@nowhere.example" in dialog.field_error("contact_id")

    harper = run_async(sp.contact_info(contact_id=ids["harper"]))[0]
    dialog.contact_edit.setText(harper.email)
    press(qtbot, dialog.ok_button)
    wait_closed(qtbot, dialog)
    assert run_async(sp.event_info(ids["event_empty"])).contact_id == ids["harper"]

    gallery.actions["event_contact"].trigger()
    dialog = wait_dialog(qtbot, gallery, "contactDialog")
    qtbot.waitUntil(lambda: harper.email in dialog.current_label.text(), timeout=WAIT_MS)
    press(qtbot, dialog.remove_button)
    wait_closed(qtbot, dialog)
    assert run_async(sp.event_info(ids["event_empty"])).contact_id is None


# --- delete ------------------------------------------------------------------------------------


def test_delete_asks_naming_the_gallery_and_its_photos(gallery, sp, run_async, qtbot, ids):
    menu = _event_menu(gallery, qtbot, ids["event_corporate"])
    trigger_from_menu(menu, "event_delete")
    box = wait_dialog(qtbot, gallery, "confirmDeleteEvent")
    assert box.text() == "Delete the gallery 'Acme Corp Headshots 2025' and 15 photos?"
    assert "cannot be undone" in box.informativeText()
    press(qtbot, box.findChild(QWidget, "cancelButton"))
    wait_closed(qtbot, box)
    assert run_async(sp.event_info(ids["event_corporate"])).photo_count == 15

    gallery.actions["gallery_delete"].trigger()  # what Del does with the tree focused
    confirm_box(qtbot, gallery, "confirmDeleteEvent")
    qtbot.waitUntil(lambda: "Acme Corp Headshots 2025" not in tree_names(gallery), timeout=WAIT_MS)
    with pytest.raises(NotFoundError):
        run_async(sp.event_info(ids["event_corporate"]))


def test_only_if_empty_keeps_a_gallery_with_photos(gallery, sp, run_async, qtbot, ids):
    select_node(gallery, qtbot, EVENT, ids["event_engagement"])
    qtbot.keyClick(gallery.tree, Qt.Key.Key_Delete)
    confirm_box(qtbot, gallery, "confirmDeleteEvent", option=True)
    message = wait_problem(qtbot, gallery)
    assert "still holds photos, so it was not deleted" in message
    assert run_async(sp.event_info(ids["event_engagement"])).photo_count == 18
    assert "Zoë & Mateo Engagement" in tree_names(gallery)


def test_deleting_a_gallery_another_app_deleted_says_so_and_refreshes(gallery, sp, run_async, qtbot, ids):
    menu = _event_menu(gallery, qtbot, ids["event_empty"])
    trigger_from_menu(menu, "event_delete")
    box = wait_dialog(qtbot, gallery, "confirmDeleteEvent")
    assert box.text() == "Delete the gallery 'Test Gallery'?"
    run_async(sp.event_delete(ids["event_empty"]))  # meanwhile, on the website
    press(qtbot, box.findChild(QWidget, "confirmButton"))
    message = wait_problem(qtbot, gallery)
    assert message.startswith("The gallery 'Test Gallery' no longer exists")
    assert "refreshed" in message
    qtbot.waitUntil(lambda: "Test Gallery" not in tree_names(gallery), timeout=WAIT_MS)
    assert "Harper & Liam Wedding" in tree_names(gallery)


def test_renaming_a_gallery_deleted_elsewhere_closes_the_dialog_and_refreshes(gallery, sp, run_async, qtbot, ids):
    select_node(gallery, qtbot, EVENT, ids["event_inactive"])
    run_async(sp.event_delete(ids["event_inactive"]))
    gallery.actions["event_rename"].trigger()
    dialog = wait_dialog(qtbot, gallery, "renameEventDialog")
    dialog.name_edit.setText("Fun Run")
    press(qtbot, dialog.ok_button)
    message = wait_problem(qtbot, gallery)
    assert message.startswith("The gallery 'Riverside 5K Fun Run' no longer exists")
    wait_closed(qtbot, dialog)
    qtbot.waitUntil(lambda: "Riverside 5K Fun Run" not in tree_names(gallery), timeout=WAIT_MS)


# --- covers, browser, info ----------------------------------------------------------------------


def test_cover_from_a_selected_photo_from_a_file_and_removed(gallery, sp, run_async, qtbot, ids, tmp_path):
    open_in_grid(gallery, qtbot, EVENT, ids["event_engagement"], rows=3)
    select_node(gallery, qtbot, EVENT, ids["event_engagement"])
    photo_id = select_rows(gallery, [2])[0]
    menu = gallery.menus.build_tree_menu(gallery.current_node())
    trigger_from_menu(menu, "event_cover_from_photo")
    qtbot.waitUntil(
        lambda: (
            (run_async(sp.event_info(ids["event_engagement"])).cover_photo or None) is not None
            and run_async(sp.event_info(ids["event_engagement"])).cover_photo.id == photo_id
        ),
        timeout=WAIT_MS,
    )

    not_a_photo = make_text_file(tmp_path / "cover.jpg")
    gallery.actions["event_cover_from_file"].trigger()
    chooser = wait_dialog(qtbot, gallery, "coverFileDialog")
    chooser.selectFile(str(not_a_photo))
    chooser.accept()
    message = wait_problem(qtbot, gallery)
    assert "'cover.jpg' cannot be used as a cover" in message

    cover = make_jpeg(tmp_path / "cover-real.jpg", size=(120, 80))
    gallery.ctx.problem_box.close()
    gallery.actions["event_cover_from_file"].trigger()
    chooser = wait_dialog(qtbot, gallery, "coverFileDialog")
    chooser.selectFile(str(cover))
    chooser.accept()

    def uploaded() -> bool:
        info = run_async(sp.event_info(ids["event_engagement"]))
        return info.cover_photo is not None and info.cover_photo.id is None and info.cover_photo.large is not None

    qtbot.waitUntil(uploaded, timeout=WAIT_MS)

    gallery.actions["event_cover_remove"].trigger()
    confirm_box(qtbot, gallery, "confirmRemoveCover")
    qtbot.waitUntil(lambda: run_async(sp.event_info(ids["event_engagement"])).cover_photo is None, timeout=WAIT_MS)


def test_enter_opens_the_gallery_in_the_browser(gallery, sp, run_async, qtbot, ids):
    select_node(gallery, qtbot, EVENT, ids["event_wedding"])
    qtbot.keyClick(gallery.tree, Qt.Key.Key_Return)
    assert gallery.opened == [run_async(sp.event_info(ids["event_wedding"])).view_url]


def test_info_shows_what_the_server_says(gallery, qtbot, ids):
    select_node(gallery, qtbot, EVENT, ids["event_wedding"])
    qtbot.keyClick(gallery.tree, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    dialog = wait_dialog(qtbot, gallery, "eventInfoDialog")
    qtbot.waitUntil(lambda: "Photos" in dialog.values, timeout=WAIT_MS)
    assert dialog.heading.text() == "Harper & Liam Wedding"
    assert dialog.values["Category"] == "Weddings"
    assert dialog.values["Password"] == "Yes"
    assert dialog.values["Shoot date"] == "2024-09-14 16:00"
    assert "/gallery/harper-liam-wedding" in dialog.values["Web address"]


# --- visitors and emails -----------------------------------------------------------------------


def test_visitors_and_their_favorites(gallery, sp, run_async, qtbot, ids):
    menu = _event_menu(gallery, qtbot, ids["event_wedding"])
    trigger_from_menu(menu, "event_visitors")
    dialog = wait_dialog(qtbot, gallery, "visitorsDialog")
    visitors = run_async(sp.event_gallery_visitors(ids["event_wedding"]))
    qtbot.waitUntil(lambda: dialog.table.rowCount() == len(visitors) > 0, timeout=WAIT_MS)
    assert [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())] == [
        v.email_address for v in visitors
    ]
    chosen = max(visitors, key=lambda v: v.favorites or 0)
    favorites = run_async(sp.event_gallery_visitor_photos(ids["event_wedding"], chosen.email_address))
    assert dialog.select_visitor(chosen.email_address)
    qtbot.waitUntil(
        lambda: dialog.favorites_title.text().endswith(
            f"{len(favorites.favorites)} photo{'s' if len(favorites.favorites) != 1 else ''}"
        ),
        timeout=WAIT_MS,
    )
    assert dialog.favorites.item(0).text() == favorites.favorites[0].name


def test_add_emails_in_bulk_reports_added_and_skipped(gallery, sandbox, qtbot, ids):
    menu = _event_menu(gallery, qtbot, ids["event_family"])
    trigger_from_menu(menu, "event_add_emails")
    dialog = wait_dialog(qtbot, gallery, "addEmailsDialog")
    assert not dialog.ok_button.isEnabled()
    dialog.text_edit.setPlainText(
        "grandma@example.com, uncle.ben@example.org\nnot-an-email; ada@@example\nGrandma@example.com"
    )
    assert dialog.count_label.text() == "4 addresses"
    press(qtbot, dialog.ok_button)
    wait_closed(qtbot, dialog)
    result = wait_dialog(qtbot, gallery, "emailsAdded")
    assert result.text() == "2 added, 2 skipped as invalid."
    with sandbox.studio.db.read() as c:
        emails = {
            row[0] for row in c.execute("SELECT email FROM event_emails WHERE event_id = ?", (ids["event_family"],))
        }
    assert {"grandma@example.com", "uncle.ben@example.org"} <= emails
    assert "not-an-email" not in emails
    QApplication.processEvents()


def test_shortcuts_act_only_where_they_belong(gallery, qtbot, ids):
    select_node(gallery, qtbot, EVENT, ids["event_wedding"])
    filter_box = gallery.window.tree_panel.filter_edit
    filter_box.setFocus()
    qtbot.keyClicks(filter_box, "harp")
    filter_box.setCursorPosition(0)
    qtbot.keyClick(filter_box, Qt.Key.Key_Delete)  # edits the text; never deletes a gallery
    qtbot.keyClick(filter_box, Qt.Key.Key_F2)
    assert filter_box.text() == "arp"
    assert gallery.last_dialog is None

    qtbot.keyClick(filter_box, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # window-wide
    dialog = wait_dialog(qtbot, gallery, "newEventDialog")
    press(qtbot, dialog.cancel_button)
    wait_closed(qtbot, dialog)
