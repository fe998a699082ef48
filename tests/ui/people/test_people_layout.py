"""The people docks in a real window: room for the list, and a splitter that stays where it was put."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.ui.conftest import endpoints_for

WAIT_MS = 20_000


@pytest.fixture
def open_session(gui_session_factory, sandbox, wait_for_tree):
    def make():
        endpoints = replace(endpoints_for(sandbox), pixieset_cookie=sandbox.pixieset_cookie)
        session = gui_session_factory(endpoints=endpoints)
        wait_for_tree(session)
        return session

    return make


def show_clients(qtbot, session):
    people = session.people
    people.docks.clients_dock.show()
    people.docks.clients_dock.raise_()
    qtbot.waitUntil(
        lambda: people.docks.clients.page is not None and people.docks.clients.model.rowCount() > 10, timeout=WAIT_MS
    )
    return people.docks.clients


def test_the_clients_list_shows_ten_rows_at_1280_by_800(open_session, qtbot):
    session = open_session()
    session.window.resize(1280, 800)
    clients = show_clients(qtbot, session)
    view = clients.list_view
    qtbot.waitUntil(lambda: view.viewport().height() >= 10 * view.sizeHintForRow(0), timeout=WAIT_MS)
    assert clients.detail_stack.height() > 120, "the editor keeps some room too"


def test_the_list_and_editor_split_is_remembered(open_session, qtbot, run_async):
    first = open_session()
    first.window.resize(1280, 800)
    clients = show_clients(qtbot, first)
    total = sum(clients.splitter.sizes())
    clients.splitter.setSizes([total // 2, total - total // 2])
    chosen = clients.splitter.sizes()
    run_async(first.aclose(), timeout=20)

    second = open_session()
    second.window.resize(1280, 800)
    again = show_clients(qtbot, second)

    def share(sizes):
        return sizes[0] / sum(sizes)

    # The same window size gives the same split; a dock a few pixels taller shares them out by stretch.
    qtbot.waitUntil(lambda: abs(share(again.splitter.sizes()) - share(chosen)) < 0.04, timeout=WAIT_MS)
    assert abs(share(chosen) - 0.7) > 0.1, "not the default split"
