"""Every contact the app has met is still known after a restart, even when the studio answers on a new port."""

from __future__ import annotations

from dataclasses import replace

from studio_desktop.people.cache import account_key
from tests.ui.conftest import endpoints_for

WAIT_MS = 20_000


def open_contacts(qtbot, session):
    dock = session.window.side_panel("contacts")
    dock.show()
    dock.raise_()
    panel = session.people.docks.contacts
    qtbot.waitUntil(
        lambda: panel.directory is not None and panel._load_task is None and panel.model.rowCount() > 0, timeout=WAIT_MS
    )
    return panel


def test_imported_contacts_are_known_after_a_restart(
    gui_session_factory, sandbox_factory, wait_for_tree, qtbot, tmp_path, run_async, click
):
    sandbox = sandbox_factory("demo", name="studio")
    first = gui_session_factory(endpoints=endpoints_for(sandbox))
    wait_for_tree(first)
    panel = open_contacts(qtbot, first)
    csv_file = tmp_path / "new.csv"
    csv_file.write_text(
        "First Name,Last Name,Email\nWren,Hollis,wren@import.example\n"
        "Odile,Marchetti,odile@import.example\nBram,Voskuil,bram@import.example\n",
        encoding="utf-8",
    )
    dialog = panel.open_import(str(csv_file))
    qtbot.waitUntil(lambda: dialog.plan is not None and dialog.existing is not None, timeout=WAIT_MS)
    click(dialog.import_button)
    qtbot.waitUntil(lambda: dialog.report is not None and dialog._task is None, timeout=WAIT_MS)
    assert len(dialog.report.created) == 3
    known_before = panel.model.rowCount()
    dialog.close()
    run_async(first.aclose(), timeout=20)

    # The same studio, started again: it answers on another port.
    port = sandbox.port
    sandbox.stop()
    again = sandbox_factory("demo", name="studio")
    assert again.port != port
    second = gui_session_factory(endpoints=replace(endpoints_for(again)))
    wait_for_tree(second)
    panel = open_contacts(qtbot, second)
    qtbot.waitUntil(lambda: panel.model.rowCount() >= known_before, timeout=WAIT_MS)
    assert panel.model.rowCount() == known_before
    panel.search.setText("odile")
    qtbot.waitUntil(lambda: panel.proxy.rowCount() == 1, timeout=WAIT_MS)
    assert panel.proxy.index(0, 0).data().startswith("Odile")


def test_account_keys_ignore_loopback_ports_only():
    assert account_key("http://127.0.0.1:5123/v2") == account_key("http://127.0.0.1:6001/v2/")
    assert account_key("https://api.shootproof.com/v2") == "https://api.shootproof.com/v2"
    assert account_key("https://proxy.example:8443/v2") != account_key("https://proxy.example:9443/v2")
