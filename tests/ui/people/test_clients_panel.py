"""The Pixieset clients panel, driven through its widgets against the sandbox."""

from __future__ import annotations

import csv

import pytest

from studio_desktop.api.pixieset_models import ClientDraft
from studio_desktop.ui.people.clients_panel import PAGE_SIZE, SEARCH_DELAY_MS, ClientsPanel
from studio_desktop.ui.people.widgets import BADGE_ROLE


@pytest.fixture
def make_panel(qtbot, tasks, px_client):
    def make(client=px_client, **kwargs):
        panel = ClientsPanel(tasks, client, **kwargs)
        qtbot.addWidget(panel)
        panel.resize(460, 900)
        panel.show()
        return panel

    return make


def wait_page(qtbot, panel):
    qtbot.waitUntil(
        lambda: panel.load_task is None and panel.page is not None and not panel.busy.isVisible(), timeout=10_000
    )


def searches(sandbox) -> int:
    return sum(1 for method, path in sandbox.studio.pixieset.requests if path == "/clients/search")


def type_into(qtbot, editor, text):
    editor.clear()
    if text:
        qtbot.keyClicks(editor, text)


def test_pages_and_type_filter(make_panel, qtbot, run_async, px_client, qtmodeltester, click):
    everyone = run_async(px_client.list_clients(per_page=1)).total
    leads = run_async(px_client.list_clients("lead", per_page=1)).total
    assert everyone > PAGE_SIZE and 0 < leads < everyone

    panel = make_panel()
    wait_page(qtbot, panel)
    assert panel.model.rowCount() == PAGE_SIZE
    assert panel.count_label.text() == f"{everyone:,} people"
    assert panel.page_label.text() == f"Page 1 of {-(-everyone // PAGE_SIZE)}"
    assert not panel.prev_button.isEnabled() and panel.next_button.isEnabled()
    qtmodeltester.check(panel.model)
    first_page = {client.id for client in panel.model.items}

    click(panel.next_button)
    wait_page(qtbot, panel)
    assert panel.page.current_page == 2 and panel.prev_button.isEnabled()
    assert not first_page & {client.id for client in panel.model.items}

    panel.type_filter.setCurrentIndex(panel.type_filter.findData("lead"))
    wait_page(qtbot, panel)
    assert panel.page.current_page == 1, "a new filter starts on page 1"
    assert panel.count_label.text() == f"{leads:,} leads"
    assert {client.type for client in panel.model.items} == {"lead"}
    assert all(panel.model.index(r, 0).data(BADGE_ROLE).startswith("Lead") for r in range(panel.model.rowCount()))


def test_search_as_you_type_is_debounced_and_a_newer_query_cancels_the_older(
    make_panel, qtbot, sandbox, run_async, px_client
):
    panel = make_panel()
    wait_page(qtbot, panel)
    before = searches(sandbox)

    qtbot.keyClicks(panel.search, "dvo")
    assert panel.search_timer.isActive() and searches(sandbox) == before, "nothing is sent while typing"
    qtbot.waitUntil(lambda: searches(sandbox) > before and panel.query() == "dvo", timeout=5_000)
    wait_page(qtbot, panel)
    qtbot.wait(SEARCH_DELAY_MS + 50)
    assert searches(sandbox) == before + 1, "one request for the whole word"
    expected = run_async(px_client.search_clients("dvo", "all", page_size=PAGE_SIZE))
    assert [c.id for c in panel.model.items] == [c.id for c in expected.items] and expected.items
    assert panel.count_label.text().endswith("found")

    # A query whose request has started is cancelled by the next one; only the newest shows.
    panel.search.setText("zzz-no-such-person")
    panel.search_now()
    older = panel.load_task
    panel.search.setText("Łukasz")
    panel.search_now()
    newer = panel.load_task
    assert older is not newer and panel.cancelled_loads >= 1
    qtbot.waitUntil(older.done, timeout=5_000)
    assert older.cancelled()
    wait_page(qtbot, panel)
    assert panel.model.rowCount() > 0
    assert all(
        "łukasz" in (c.first_name or "").casefold()
        or "łukasz" in (c.email or "").casefold()
        or "lukasz" in (c.email or "")
        for c in panel.model.items
    )

    panel.search.clear()
    panel.search_now()
    wait_page(qtbot, panel)
    assert panel.count_label.text().endswith("people")


def test_edit_with_field_errors_beside_the_fields(make_panel, qtbot, run_async, px_client, click):
    panel = make_panel()
    wait_page(qtbot, panel)
    panel.list_view.setCurrentIndex(panel.model.index(3, 0))
    client = panel.current_client()
    assert panel.form.editors["email"].text() == (client.email or "")

    type_into(qtbot, panel.form.editors["email"], "not-an-email")
    click(panel.save_button)
    qtbot.waitUntil(lambda: bool(panel.form.error_text("email")), timeout=10_000)
    assert "valid email" in panel.form.error_text("email")
    assert panel.form.error_text("first_name") == ""
    assert run_async(px_client.get_client(client.id)).email == client.email

    type_into(qtbot, panel.form.editors["email"], "renamed.person@example.com")
    type_into(qtbot, panel.form.editors["company"], "Studio Nord")
    panel.form.type.setCurrentIndex(panel.form.type.findData("lead"))
    panel.form.status.setCurrentIndex(panel.form.status.findData("Archived"))
    panel.form.country.setCurrentIndex(panel.form.country.findText("Norway"))
    click(panel.save_button)
    qtbot.waitUntil(lambda: not panel.save_button.isEnabled() and not panel.busy.isVisible(), timeout=10_000)
    assert panel.form.error_text("email") == ""
    saved = run_async(px_client.get_client(client.id))
    assert (saved.email, saved.company, saved.type, saved.status_name) == (
        "renamed.person@example.com",
        "Studio Nord",
        "lead",
        "Archived",
    )
    assert saved.address_info.country == "Norway"
    assert "Archived" in panel.model.index(panel.model.row_of(client.id), 0).data(BADGE_ROLE)


def test_create_and_duplicate_email_error(make_panel, qtbot, run_async, px_client, click):
    existing = run_async(px_client.list_clients(per_page=5)).items
    taken = next(c.email for c in existing if c.email)
    panel = make_panel()
    wait_page(qtbot, panel)

    click(panel.new_button)
    click(panel.save_button)
    assert "first name" in panel.form.error_text("first_name")

    type_into(qtbot, panel.form.editors["first_name"], "Saoirse")
    type_into(qtbot, panel.form.editors["email"], taken)
    click(panel.save_button)
    qtbot.waitUntil(lambda: bool(panel.form.error_text("email")), timeout=10_000)
    assert "already been taken" in panel.form.error_text("email")

    type_into(qtbot, panel.form.editors["email"], "saoirse@example.ie")
    type_into(qtbot, panel.form.editors["address_info.city"], "Galway")
    click(panel.save_button)
    qtbot.waitUntil(lambda: panel.current_client() is not None, timeout=10_000)
    made = panel.current_client()
    assert panel.list_view.currentIndex().data() == "Saoirse"
    stored = run_async(px_client.get_client(made.id))
    assert stored.email == "saoirse@example.ie" and stored.address_info.city == "Galway"


def test_collections_and_documents(make_panel, qtbot, run_async, px_client):
    async def with_both():
        async for client in px_client.iter_clients():
            collections = await px_client.client_collections(client.id)
            documents = await px_client.client_documents(client.id)
            if collections.total and documents.total:
                return client, collections, documents
        raise AssertionError("the demo studio has clients with galleries and documents")

    client, collections, documents = run_async(with_both())
    panel = make_panel()
    wait_page(qtbot, panel)
    panel.reveal_client(client)
    qtbot.waitUntil(
        lambda: panel.current_client() is not None and panel.current_client().id == client.id, timeout=10_000
    )
    qtbot.waitUntil(
        lambda: panel.tabs.tabText(1) != "Galleries" and panel.tabs.tabText(2) != "Documents", timeout=10_000
    )
    assert panel.tabs.tabText(1) == f"Galleries ({collections.total})"
    assert panel.collections_list.count() == collections.total
    assert collections.items[0].name in panel.collections_list.item(0).text()
    assert panel.tabs.tabText(2) == f"Documents ({documents.total})"
    first = documents.items[0]
    assert (first.title or first.number) in panel.documents_list.item(0).text()


def test_export_to_csv(make_panel, qtbot, tmp_path, run_async, px_client, click):
    total = run_async(px_client.list_clients(per_page=1)).total
    panel = make_panel()
    wait_page(qtbot, panel)

    click(panel.export_button)
    assert panel.save_dialog is not None and panel.save_dialog.isVisible()
    assert panel.save_dialog.selectedFiles()[0].endswith(".csv")
    panel.save_dialog.reject()

    target = tmp_path / "clients.csv"
    task = panel.export_to(target)
    qtbot.waitUntil(task.done, timeout=10_000)
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == total
    assert {"First Name", "Email", "Type", "Status"} <= set(rows[0])
    assert "Saved your clients" in panel.banner.text()
    assert not (tmp_path / "clients.csv.part").exists()


def test_signed_out_responses_ask_to_sign_in(make_panel, qtbot, sandbox):
    panel = make_panel()
    wait_page(qtbot, panel)
    failures: list[str] = []
    requests: list[str] = []
    panel.auth_failed.connect(failures.append)
    panel.sign_in_requested.connect(requests.append)
    sandbox.studio.pixieset.sign_out()

    panel.load_page(2)
    qtbot.waitUntil(lambda: panel.banner.isVisible(), timeout=10_000)
    assert failures == ["pixieset"]
    assert "Pixieset session has ended" in panel.banner.text()
    panel.banner.action.click()
    assert requests == ["pixieset"]

    signed_out = make_panel(client=None)
    assert signed_out.sign_in_button.isVisibleTo(signed_out) and "Sign in to Pixieset" in signed_out.list_empty.text()


def test_copy_between_services_never_duplicates(
    make_panel, qtbot, run_async, px_client, directory, store, tasks, sandbox, sp_client, click
):
    from studio_desktop.ui.people.contacts_panel import ContactsPanel

    person = run_async(
        px_client.create_client(
            ClientDraft(first_name="Noor", last_name="Haddad", email="noor.haddad@example.com", company="Haddad Films")
        )
    )
    panel = make_panel(contacts=directory)
    wait_page(qtbot, panel)
    ready: list = []
    panel.contact_ready.connect(ready.append)
    panel.reveal_client(person)
    qtbot.waitUntil(
        lambda: panel.current_client() is not None and panel.current_client().id == person.id, timeout=10_000
    )
    creates = sandbox.studio.count_requests("sp.contact.create")
    for _ in range(2):
        click(panel.copy_button)
        count = len(ready)
        qtbot.waitUntil(lambda count=count: len(ready) == count + 1, timeout=10_000)
    assert sandbox.studio.count_requests("sp.contact.create") == creates + 1
    assert "already a ShootProof contact" in panel.banner.text()
    contact = ready[0]
    assert ready[1].id == contact.id and contact.business_name == "Haddad Films"
    assert contact.third_party_id == person.id
    assert len(run_async(sp_client.contact_info(contact_email="noor.haddad@example.com"))) == 1

    # And back: the contact is already a Pixieset client (same email), so nothing new is made there.
    contacts_panel = ContactsPanel(tasks, store, sp_client, account=sandbox.shootproof_api_url, pixieset=px_client)
    qtbot.addWidget(contacts_panel)
    contacts_panel.reveal_contact(contact)
    clients: list = []
    contacts_panel.pixieset_client_ready.connect(clients.append)
    click(contacts_panel.copy_button)
    qtbot.waitUntil(lambda: len(clients) == 1, timeout=10_000)
    assert clients[0].id == person.id and "already one of your Pixieset clients" in contacts_panel.banner.text()

    brand = run_async(sp_client.brand_get_list())[0]
    fresh = run_async(
        sp_client.contact_create(
            brand.id,
            "Tomás",
            "tomas.vidal@example.es",
            last_name="Vidal",
            address={"address_1": "Calle Mayor 1", "city": "Madrid", "country": "ES"},
        )
    )
    contacts_panel.reveal_contact(fresh)
    for expected in (1, 2):
        click(contacts_panel.copy_button)
        qtbot.waitUntil(lambda n=expected: len(clients) == n + 1, timeout=10_000)
    assert clients[1].id == clients[2].id
    made = run_async(px_client.search_clients("tomas.vidal@example.es"))
    assert made.total == 1 and made.items[0].address_info.country == "Spain"


def test_saving_a_new_client_during_a_search_leaves_nothing_unsaved(make_panel, qtbot, click):
    panel = make_panel()
    wait_page(qtbot, panel)
    panel.search.setText("dvo")
    panel.search_now()
    wait_page(qtbot, panel)

    click(panel.new_button)
    type_into(qtbot, panel.form.editors["first_name"], "Ingrid")
    click(panel.save_button)
    qtbot.waitUntil(lambda: panel.current_client() is not None, timeout=10_000)
    wait_page(qtbot, panel)
    assert not panel._dirty and not panel.save_button.isEnabled()

    click(panel.new_button)
    assert panel.confirm_box is None, "a saved client asks nothing before the next New"
    assert panel.detail_title.text() == "New client"


def test_one_match_is_one_person(make_panel, qtbot, run_async, px_client):
    run_async(px_client.create_client(ClientDraft(first_name="Quillon", last_name="Vantasse")))
    panel = make_panel()
    wait_page(qtbot, panel)
    panel.search.setText("Vantasse")
    panel.search_now()
    wait_page(qtbot, panel)
    assert panel.model.rowCount() == 1
    assert panel.count_label.text() == "1 person found"
