"""The ShootProof contacts panel, driven through its widgets against the sandbox."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from studio_desktop.api.errors import NotFoundError
from studio_desktop.api.models import Address
from studio_desktop.people.cache import ContactsCache
from studio_desktop.people.directory import normalize_errors
from studio_desktop.ui.people.contacts_panel import ContactsPanel
from studio_desktop.ui.people.people_models import ITEM_ROLE, SEARCH_ROLE


async def _events(client):
    return [event async for event in client.iter_events(include_archived=True)]


@pytest.fixture
def make_panel(qtbot, tasks, store, sp_client, sandbox):
    def make(client=sp_client, **kwargs):
        panel = ContactsPanel(tasks, store, client, account=sandbox.shootproof_api_url, **kwargs)
        qtbot.addWidget(panel)
        panel.resize(460, 900)
        panel.show()
        return panel

    return make


def wait_loaded(qtbot, panel):
    qtbot.waitUntil(lambda: panel._load_task is None and not panel.busy.isVisible(), timeout=10_000)


def type_into(qtbot, editor, text):
    editor.clear()
    if text:
        qtbot.keyClicks(editor, text)


def test_known_contacts_come_from_events_and_are_cached(
    make_panel, qtbot, run_async, sp_client, sandbox, store, qtmodeltester
):
    events = run_async(_events(sp_client))
    expected = {event.contact_id for event in events if event.contact_id}
    assert len(expected) >= 3, "the demo studio should attach contacts to several galleries"

    panel = make_panel()
    wait_loaded(qtbot, panel)
    shown = {contact.id for contact in panel.model.items}
    assert shown == expected
    qtmodeltester.check(panel.model)
    names = [contact.display_name for contact in panel.model.items]
    assert panel.count_label.text() == f"{len(expected)} contacts known"
    assert sorted(names, key=str.casefold) != [] and len(names) == len(expected)

    cached = run_async(ContactsCache(store, sandbox.shootproof_api_url).all())
    assert {item.contact.id for item in cached} == expected
    assert {item.source for item in cached} == {"event"}

    # A second panel (the app started again) shows them from the cache without looking them up again.
    lookups = sandbox.studio.count_requests("sp.contact.info")
    again = make_panel()
    wait_loaded(qtbot, again)
    assert {contact.id for contact in again.model.items} == expected
    assert sandbox.studio.count_requests("sp.contact.info") == lookups

    # Refreshing keeps the contact shown selected; signing out can drop the account's cache.
    chosen = again.model.items[2]
    again.select_contact(chosen.id)
    again.refresh()
    wait_loaded(qtbot, again)
    assert again.list_view.currentIndex().data(ITEM_ROLE).id == chosen.id == again.current_contact().id
    qtbot.waitUntil(lambda: all(task.done() for task in again._detail_tasks), timeout=5_000)
    task = again.clear_cache()
    qtbot.waitUntil(task.done, timeout=5_000)
    assert run_async(ContactsCache(store, sandbox.shootproof_api_url).all()) == []


def test_filter_then_look_up_by_email(make_panel, qtbot, run_async, sp_client, sandbox):
    brand = run_async(sp_client.brand_get_list())[0]
    outsider = run_async(
        sp_client.contact_create(brand.id, "Odile", "odile.outsider@example.org", last_name="Marchetti")
    )
    panel = make_panel()
    wait_loaded(qtbot, panel)
    assert panel.model.row_of(outsider.id) < 0, "a contact in no gallery is not known yet"

    first = panel.model.items[0]
    fragment = first.last_name[:4]
    type_into(qtbot, panel.search, fragment)
    visible = [panel.proxy.index(r, 0).data(ITEM_ROLE) for r in range(panel.proxy.rowCount())]
    assert first in visible and len(visible) < panel.model.rowCount()
    assert all(fragment.casefold() in panel.proxy.index(r, 0).data(SEARCH_ROLE) for r in range(len(visible)))

    type_into(qtbot, panel.search, "odile.outsider@example.org")
    assert panel.proxy.rowCount() == 0
    qtbot.keyClick(panel.search, "\r")
    qtbot.waitUntil(lambda: panel.current_contact() is not None, timeout=10_000)
    assert panel.current_contact().id == outsider.id
    assert panel.form.value("last_name") == "Marchetti"
    assert panel.search.text() == ""

    type_into(qtbot, panel.search, "nobody.here@example.org")
    qtbot.keyClick(panel.search, "\r")
    qtbot.waitUntil(lambda: panel.banner.isVisible(), timeout=10_000)
    assert "nobody.here@example.org" in panel.banner.text()
    panel.banner.action.click()
    assert panel._is_new and panel.form.value("email") == "nobody.here@example.org"


def test_create_edit_and_delete_with_confirmation(make_panel, qtbot, run_async, sp_client, click):
    panel = make_panel()
    wait_loaded(qtbot, panel)
    before = panel.model.rowCount()

    click(panel.new_button)
    assert panel.detail_title.text() == "New contact"
    form = panel.form
    for name, value in {
        "first_name": "Marisol",
        "last_name": "Quintero",
        "email": "marisol.q@example.net",
        "phone": "404-555-0199",
        "business_name": "Quintero Events",
        "tags": "wedding, planner",
        "third_party_id": "crm-77",
        "address.street_line_1": "12 Peachtree St",
        "address.city": "Atlanta",
        "address.state_province": "GA",
        "address.postal_code": "30303",
        "address.country": "US",
    }.items():
        type_into(qtbot, form.editors[name], value)
    qtbot.keyClicks(form.notes, "Met at the bridal fair")
    click(panel.save_button)
    qtbot.waitUntil(lambda: panel.current_contact() is not None, timeout=10_000)
    created = panel.current_contact()
    assert panel.model.rowCount() == before + 1
    assert panel.list_view.currentIndex().data() == "Marisol Quintero"

    on_server = run_async(sp_client.contact_info(contact_id=created.id))[0]
    assert (on_server.email, on_server.phone, on_server.business_name) == (
        "marisol.q@example.net",
        "404-555-0199",
        "Quintero Events",
    )
    assert on_server.tags == ("wedding", "planner")
    assert on_server.third_party_id == "crm-77" and on_server.notes == "Met at the bridal fair"
    assert on_server.address == Address("12 Peachtree St", None, "Atlanta", "GA", "30303", "US", on_server.address.id)

    # Edit: change the phone, clear the business name.
    type_into(qtbot, form.editors["phone"], "678-555-0100")
    form.editors["business_name"].clear()
    assert panel.save_button.isEnabled()
    click(panel.save_button)
    qtbot.waitUntil(lambda: not panel.save_button.isEnabled() and not panel.busy.isVisible(), timeout=10_000)
    on_server = run_async(sp_client.contact_info(contact_id=created.id))[0]
    assert on_server.phone == "678-555-0100" and on_server.business_name is None

    # Delete asks first, naming the contact; Cancel keeps it.
    click(panel.delete_button)
    box = panel.confirm_box
    assert box is not None and box.isVisible()
    assert "Marisol Quintero" in box.text() and "marisol.q@example.net" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert run_async(sp_client.contact_info(contact_id=created.id))

    click(panel.delete_button)
    [delete] = [b for b in panel.confirm_box.buttons() if b.text() == "Delete"]
    delete.click()
    qtbot.waitUntil(lambda: panel.model.row_of(created.id) < 0, timeout=10_000)
    assert panel.current_contact() is None
    with pytest.raises(NotFoundError):
        run_async(sp_client.contact_info(contact_id=created.id))


def test_field_errors_show_beside_the_fields(make_panel, qtbot, sandbox, click):
    panel = make_panel()
    wait_loaded(qtbot, panel)
    taken = panel.model.items[0]

    click(panel.new_button)
    type_into(qtbot, panel.form.editors["email"], "not-an-email")
    type_into(qtbot, panel.form.editors["address.city"], "Lyon")
    click(panel.save_button)
    assert "first name" in panel.form.error_text("first_name").lower()
    assert "not an email" in panel.form.error_text("email")
    assert "country" in panel.form.error_text("address.country").lower()
    assert panel.form.error_text("last_name") == ""
    assert sandbox.studio.count_requests("sp.contact.create") == 0, "nothing is sent while fields are wrong"

    # The server's own field errors land beside the field too: this email is taken in the brand.
    type_into(qtbot, panel.form.editors["first_name"], "Twin")
    type_into(qtbot, panel.form.editors["email"], taken.email)
    panel.form.editors["address.city"].clear()
    click(panel.save_button)
    qtbot.waitUntil(lambda: bool(panel.form.error_text("email")), timeout=10_000)
    assert "already exists" in panel.form.error_text("email")
    assert panel.form.error_text("first_name") == ""
    assert sandbox.studio.count_requests("sp.contact.create") == 1
    assert panel._is_new, "the form keeps what was typed"


def test_server_field_names_map_to_the_form():
    assert normalize_errors({"address[country]": ["x"], "contacts[3][email]": ["y"], "zip_postal": ["z"]}) == {
        "address.country": ["x"],
        "email": ["y"],
        "address.postal_code": ["z"],
    }


def test_contact_galleries_attach_and_detach(make_panel, qtbot, run_async, sp_client, click):
    events = run_async(_events(sp_client))
    panel = make_panel()
    wait_loaded(qtbot, panel)
    contact = panel.model.items[0]
    target = next(event for event in events if event.contact_id != contact.id and event.brand_id == contact.brand_id)

    assert panel.select_contact(contact.id)
    qtbot.waitUntil(lambda: panel.events_hint.text().startswith(("Attached", "Not attached")), timeout=10_000)
    attached_before = set(panel.event_ids())
    assert attached_before == {e.id for e in events if e.contact_id == contact.id}
    assert not panel.assign_button.isEnabled(), "no gallery selected in the window yet"

    panel.set_current_event(target.id, target.name)
    assert target.name in panel.assign_button.text()
    click(panel.assign_button)
    qtbot.waitUntil(lambda: target.id in panel.event_ids(), timeout=10_000)
    assert run_async(sp_client.event_info(target.id)).contact_id == contact.id
    assert not panel.assign_button.isEnabled(), "already attached to the selected gallery"

    panel.events_list.setCurrentRow(panel.event_ids().index(target.id))
    click(panel.unassign_button)
    qtbot.waitUntil(lambda: target.id not in panel.event_ids(), timeout=10_000)
    assert run_async(sp_client.event_info(target.id)).contact_id is None
    assert set(panel.event_ids()) == attached_before


def test_switching_away_from_unsaved_changes_asks_first(make_panel, qtbot, run_async, sp_client):
    panel = make_panel()
    wait_loaded(qtbot, panel)
    first, second = panel.model.items[:2]
    panel.select_contact(first.id)
    type_into(qtbot, panel.form.editors["phone"], "111-555-0000")
    panel.select_contact(second.id)
    box = panel.confirm_box
    assert box is not None and box.isVisible() and first.display_name in box.text()
    assert panel.current_contact().id == first.id, "nothing switches until the user answers"
    box.button(QMessageBox.StandardButton.Save).click()
    qtbot.waitUntil(
        lambda: panel.current_contact() is not None and panel.current_contact().id == second.id, timeout=10_000
    )
    assert run_async(sp_client.contact_info(contact_id=first.id))[0].phone == "111-555-0000"


def test_signed_out_panel_says_so(make_panel, qtbot):
    panel = make_panel(client=None)
    assert panel.count_label.text() == "Not signed in"
    assert "Sign in to ShootProof" in panel.list_empty.text()
    assert not panel.new_button.isEnabled() and not panel.search.isEnabled()


def test_a_refused_token_asks_to_sign_in(make_panel, qtbot, sandbox, http):
    from studio_desktop.api.shootproof import ShootProofClient

    refused = ShootProofClient(sandbox.shootproof_api_url, "a-token-that-was-revoked-long-ago", http=http)
    failures: list[str] = []
    requests: list[str] = []
    panel = make_panel(client=None)
    panel.auth_failed.connect(failures.append)
    panel.sign_in_requested.connect(requests.append)
    panel.set_client(refused, sandbox.shootproof_api_url)
    qtbot.waitUntil(lambda: panel._load_task is None and bool(panel.banner.text()), timeout=10_000)
    assert failures == ["shootproof"]
    assert "sign in" in panel.banner.text().lower() and panel.banner.action.text() == "Sign In…"
    panel.banner.action.click()
    assert requests == ["shootproof"]
    assert "a-token-that-was-revoked" not in panel.banner.text()
