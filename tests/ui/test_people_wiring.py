"""The people side wired into the main window: contacts and clients docks, sign-in and sign-out, the banner."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from studio_desktop.core import credentials as cred
from studio_desktop.ui.status_bar import ConnectionState

from .conftest import endpoints_for

WAIT_MS = 10_000


@pytest.fixture
def both_signed_in(gui_session_factory, sandbox, wait_for_tree):
    """A session signed in to ShootProof and to Pixieset, as ``--sandbox`` starts one."""
    session = gui_session_factory(endpoints=replace(endpoints_for(sandbox), pixieset_cookie=sandbox.pixieset_cookie))
    wait_for_tree(session)
    return session


def click(qtbot, button) -> None:
    assert button.isEnabled(), f"{button.objectName() or button.text()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def in_menu(menu, action) -> bool:
    return any(
        entry is action or (entry.menu() is not None and in_menu(entry.menu(), action)) for entry in menu.actions()
    )


def show_dock(qtbot, window, name: str):
    dock = window.side_panel(name)
    if not dock.isVisible():
        window.actions[f"show_{name}"].trigger()
    dock.raise_()
    qtbot.waitUntil(lambda: dock.isVisible() and not dock.visibleRegion().isEmpty(), timeout=WAIT_MS)
    return dock


def wait_contacts(qtbot, panel) -> None:
    qtbot.waitUntil(
        lambda: panel.directory is not None and panel._load_task is None and not panel.busy.isVisible(), timeout=WAIT_MS
    )


def wait_clients(qtbot, panel) -> None:
    qtbot.waitUntil(
        lambda: panel.load_task is None and panel.page is not None and not panel.busy.isVisible(), timeout=WAIT_MS
    )


def test_panels_dock_right_hidden_tabified_and_toggle_from_the_view_menu(main_window, gui_session, qtbot):
    contacts, clients = main_window.side_panel("contacts"), main_window.side_panel("clients")
    people = gui_session.people
    assert contacts.isAncestorOf(people.docks.contacts) and clients.isAncestorOf(people.docks.clients)
    for dock in (contacts, clients):
        assert main_window.dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea
        assert dock.isHidden()
    # Hidden panels have not loaded anything.
    assert people.docks.contacts.directory is None and people.docks.clients.pixieset is None

    show_contacts, show_clients = main_window.actions["show_contacts"], main_window.actions["show_clients"]
    assert show_contacts.shortcut() == QKeySequence("Ctrl+Shift+C")
    assert show_clients.shortcut() == QKeySequence("Ctrl+Shift+L")
    view = main_window.menu("view")
    assert in_menu(view, show_contacts) and in_menu(view, show_clients)

    main_window.resize(1360, 900)
    qtbot.waitUntil(lambda: main_window.width() == 1360, timeout=WAIT_MS)
    show_contacts.trigger()
    qtbot.waitUntil(contacts.isVisible, timeout=WAIT_MS)
    wait_contacts(qtbot, people.docks.contacts)
    assert people.docks.contacts.directory.client is gui_session.services.shootproof
    show_clients.trigger()
    qtbot.waitUntil(clients.isVisible, timeout=WAIT_MS)
    assert clients in main_window.tabifiedDockWidgets(contacts)
    # The photos keep the largest part of the window.
    grid = main_window.grid_panel.width()
    assert grid > contacts.width() and grid > main_window.tree_panel.width()
    show_contacts.trigger()
    qtbot.waitUntil(contacts.isHidden, timeout=WAIT_MS)
    assert clients.isVisible()

    # The shortcuts work from the window, with no menu opened.
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(main_window, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: contacts.isVisible() and not contacts.visibleRegion().isEmpty(), timeout=WAIT_MS)
    qtbot.keyClick(main_window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(clients.isHidden, timeout=WAIT_MS)


def test_the_docks_come_back_where_they_were(gui_session_factory, sandbox, wait_for_tree, run_async, qtbot):
    first = gui_session_factory(sandbox)
    wait_for_tree(first)
    show_dock(qtbot, first.window, "clients")
    # The user drags the clients panel to the left.
    first.window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, first.window.side_panel("clients"))
    run_async(first.aclose())

    second = gui_session_factory(sandbox)
    window = second.window
    clients = window.side_panel("clients")
    qtbot.waitUntil(clients.isVisible, timeout=WAIT_MS)
    assert window.side_panel("contacts").isHidden()
    assert window.dockWidgetArea(clients) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert window.dockWidgetArea(window.side_panel("contacts")) == Qt.DockWidgetArea.RightDockWidgetArea


def test_the_selected_gallery_is_the_one_a_contact_is_attached_to(
    main_window, gui_session, sandbox, sp, run_async, qtbot
):
    ids = sandbox.studio.demo_ids
    panel = gui_session.people.docks.contacts
    show_dock(qtbot, main_window, "contacts")
    wait_contacts(qtbot, panel)
    assert panel.model.row_of(ids["harper"]) >= 0, "contacts named by galleries are listed"

    tree = main_window.tree_panel.tree
    assert tree.select("event", ids["event_empty"])
    qtbot.waitUntil(lambda: panel.current_event is not None, timeout=WAIT_MS)
    assert panel.current_event == (ids["event_empty"], "Test Gallery")

    assert panel.select_contact(ids["harper"])
    qtbot.waitUntil(lambda: panel.events_hint.text().startswith(("Attached", "Not attached")), timeout=WAIT_MS)
    assert "Test Gallery" in panel.assign_button.text()
    assert run_async(sp.event_info(ids["event_empty"])).contact_id is None
    click(qtbot, panel.assign_button)
    qtbot.waitUntil(lambda: ids["event_empty"] in panel.event_ids(), timeout=WAIT_MS)
    assert run_async(sp.event_info(ids["event_empty"])).contact_id == ids["harper"]

    tree.clearSelection()
    qtbot.waitUntil(lambda: panel.current_event is None, timeout=WAIT_MS)
    assert not panel.assign_button.isEnabled()


def test_sign_in_action_opens_the_dialog_and_file_menu_has_sign_out(main_window, gui_session, qtbot):
    actions = main_window.actions
    file_menu = main_window.menu("file")
    entries = file_menu.actions()
    assert actions.sign_in.text() == "&Sign In…"
    assert entries.index(actions.sign_out) == entries.index(actions.sign_in) + 1
    assert actions.sign_out.isEnabled()

    actions.sign_in.trigger()
    dialog = gui_session.people.signing_in.dialog
    qtbot.waitUntil(lambda: dialog is not None and dialog.isVisible(), timeout=WAIT_MS)
    assert main_window.findChild(object, "signInDialog") is dialog
    assert dialog.tabs.currentIndex() == 0
    assert dialog.sp_status.text.text().startswith("Signed in")
    dialog.close()
    actions.sign_in.trigger()
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    assert gui_session.people.signing_in.dialog is dialog, "one dialog, shown again"


def test_sign_out_then_sign_in_with_a_pasted_token_reloads_the_tree(
    main_window, gui_session, sandbox, run_async, gui_session_factory, wait_for_tree, qtbot
):
    services, people, status = gui_session.services, gui_session.people, main_window.status
    show_dock(qtbot, main_window, "contacts")
    wait_contacts(qtbot, people.docks.contacts)
    assert services.shootproof.transport.tokens is people.signing_in.shootproof.provider
    known = people.docks.contacts.model.rowCount()
    assert known > 0

    dialog = people.signing_in.open_sign_in()
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    click(qtbot, dialog.sp_status.sign_out)
    qtbot.waitUntil(lambda: services.shootproof is None and status.state == ConnectionState.SIGNED_OUT, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Not signed in" in main_window.tree_panel.message_text, timeout=WAIT_MS)
    assert main_window.tree_panel.model.event_count() == 0
    assert services.engine is None and not main_window.actions.sign_out.isEnabled()
    assert people.docks.contacts.directory is None and people.docks.contacts.count_label.text() == "Not signed in"
    assert services.credentials.get(cred.SHOOTPROOF_ACCESS_TOKEN) is None

    token = sandbox.studio.issue_token().access_token
    dialog.token_edit.setText(token)
    click(qtbot, dialog.token_button)
    qtbot.waitUntil(lambda: main_window.tree_panel.model.event_count() > 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: status.account_label.text() != "", timeout=WAIT_MS)
    assert services.shootproof is not None and services.engine is not None
    assert main_window.windowTitle().startswith("Studio Desktop — ")
    assert main_window.actions.sign_out.isEnabled()
    wait_contacts(qtbot, people.docks.contacts)
    assert people.docks.contacts.directory.client is services.shootproof
    qtbot.waitUntil(lambda: people.docks.contacts.model.rowCount() == known, timeout=WAIT_MS)

    # The next start restores the saved sign-in without asking.
    run_async(gui_session.aclose())
    again = gui_session_factory(endpoints=replace(endpoints_for(sandbox), access_token=None))
    wait_for_tree(again)
    assert again.people.signing_in.shootproof.signed_in
    assert again.services.shootproof.transport.tokens is again.people.signing_in.shootproof.provider
    assert again.people.signing_in.dialog is None


def test_a_pixieset_401_shows_the_sign_in_banner(both_signed_in, sandbox, qtbot, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.accounts")  # "Pixieset refused the session cookie"
    session = both_signed_in
    window, people = session.window, session.people
    banner, label = people.signing_in.banner, people.signing_in.pixieset_label
    assert people.signing_in.dialog is None, "a session given on the command line (or by the sandbox) asks nothing"
    assert banner.isHidden() and label.isVisible() and label.text() == "Pixieset: signed in"
    show_dock(qtbot, window, "clients")
    wait_clients(qtbot, people.docks.clients)
    assert people.docks.clients.model.rowCount() > 0

    sandbox.studio.pixieset.sign_out()
    click(qtbot, people.docks.clients.refresh_button)
    qtbot.waitUntil(banner.isVisible, timeout=WAIT_MS)
    assert banner.service == "pixieset" and "Pixieset" in banner.label.text()
    assert label.text() == "Pixieset: sign in again"
    assert window.status.state != ConnectionState.SIGNED_OUT, "ShootProof is still signed in"

    click(qtbot, banner.action)
    dialog = people.signing_in.dialog
    qtbot.waitUntil(lambda: dialog is not None and dialog.isVisible(), timeout=WAIT_MS)
    assert dialog.tabs.currentIndex() == 1
    dialog.cookie_edit.setText(sandbox.studio.pixieset.cookie)
    click(qtbot, dialog.cookie_button)
    qtbot.waitUntil(banner.isHidden, timeout=WAIT_MS)
    assert label.text() == "Pixieset: signed in"
    wait_clients(qtbot, people.docks.clients)
    assert people.docks.clients.model.rowCount() > 0 and people.docks.clients.banner.isHidden()


def test_file_sign_out_asks_then_signs_out_of_both(both_signed_in, qtbot):
    window, people, services = both_signed_in.window, both_signed_in.people, both_signed_in.services
    show_dock(qtbot, window, "clients")
    wait_clients(qtbot, people.docks.clients)
    assert people.signing_in.pixieset_label.isVisible()

    window.actions.sign_out.trigger()
    box = people.signing_in.sign_out_box
    qtbot.waitUntil(lambda: box is not None and box.isVisible(), timeout=WAIT_MS)
    assert box.text() == "Sign out of ShootProof?"
    box.checkBox().setChecked(True)
    click(qtbot, box.findChild(object, "confirm_sign_out"))
    qtbot.waitUntil(lambda: services.shootproof is None and not people.signing_in.pixieset.signed_in, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Not signed in" in window.tree_panel.message_text, timeout=WAIT_MS)
    assert people.docks.clients.pixieset is None and people.docks.clients.count_label.text() == "Not signed in"
    assert not people.signing_in.pixieset_label.isVisible() and not window.actions.sign_out.isEnabled()
    assert people.signing_in.banner.isHidden(), "signing out on purpose is not a refused sign-in"


def test_a_refused_shootproof_token_shows_the_banner(main_window, gui_session, sandbox, qtbot, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.ui.tasks")  # "background task studio-info failed"
    caplog.set_level(logging.WARNING, logger="studio_desktop.accounts")  # "ShootProof refused the sign-in"
    people = gui_session.people
    assert sandbox.studio.revoke_token(sandbox.access_token)
    main_window.actions.refresh.trigger()
    qtbot.waitUntil(people.signing_in.banner.isVisible, timeout=WAIT_MS)
    assert people.signing_in.banner.service == "shootproof"
    # The banner shows as the token is refused; the status bar hears of it when the failed call ends, a loop turn later.
    qtbot.waitUntil(lambda: main_window.status.state == ConnectionState.SIGNED_OUT, timeout=WAIT_MS)
    click(qtbot, people.signing_in.banner.action)
    qtbot.waitUntil(
        lambda: people.signing_in.dialog is not None and people.signing_in.dialog.isVisible(), timeout=WAIT_MS
    )
    assert people.signing_in.dialog.tabs.currentIndex() == 0


def test_copying_a_client_to_shootproof_shows_the_contact(both_signed_in, sandbox, sp, run_async, qtbot):
    window, people = both_signed_in.window, both_signed_in.people
    clients = people.docks.clients
    show_dock(qtbot, window, "clients")
    wait_clients(qtbot, clients)
    assert window.side_panel("contacts").isHidden()
    client = clients.model.items[0]
    clients.list_view.setCurrentIndex(clients.model.index(0, 0))
    qtbot.waitUntil(lambda: clients.current_client() is not None and clients.copy_button.isEnabled(), timeout=WAIT_MS)

    click(qtbot, clients.copy_button)
    contacts = people.docks.contacts
    qtbot.waitUntil(lambda: window.side_panel("contacts").isVisible(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: contacts.current_contact() is not None, timeout=WAIT_MS)
    shown = contacts.current_contact()
    assert shown.email.casefold() == client.email.casefold()
    assert run_async(sp.contact_info(contact_id=shown.id))[0].email.casefold() == client.email.casefold()


def test_a_pixieset_refusal_counts_as_signed_out_but_not_of_shootproof(qloop, qtbot):
    from studio_desktop.api.errors import AuthenticationError
    from studio_desktop.api.pixieset_errors import PixiesetAuthError
    from studio_desktop.ui.tasks import TaskRunner
    from studio_desktop.wording import is_signed_out, signed_out_service

    assert signed_out_service(PixiesetAuthError()) == "pixieset" and is_signed_out(PixiesetAuthError())
    assert not is_signed_out(PixiesetAuthError(), "shootproof")
    assert signed_out_service(AuthenticationError("no", code=401)) == "shootproof"
    assert signed_out_service(ValueError()) is None

    async def refused(error):
        raise error

    tasks = TaskRunner()
    problems: list[str] = []
    tasks.connection_problem.connect(problems.append)
    errors: list[BaseException] = []
    tasks.run(refused(PixiesetAuthError()), on_error=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=WAIT_MS)
    assert problems == [], "the status bar's ShootProof state is left alone"
    tasks.run(refused(AuthenticationError("no", code=401)), on_error=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 2, timeout=WAIT_MS)
    assert problems == ["signed_out"]
