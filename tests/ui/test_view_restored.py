"""After a restart the window shows what the photographer left: the gallery selected, the tree rows
expanded and the side panel in front of its tab group."""

from __future__ import annotations

import pytest

from studio_desktop.core.settings import load_settings
from studio_desktop.gallery.tree_nodes import ALBUM, EVENT

from .upload_support import DAY_ONE, REUNION, find_target


@pytest.mark.parametrize("front", ["contacts", "clients"])
def test_selected_gallery_expanded_tree_and_front_side_tab_come_back(
    gui_session_factory, sandbox, wait_for_tree, run_async, qtbot, front
):
    first = gui_session_factory(sandbox)
    wait_for_tree(first)
    window = first.window
    tree = window.tree_panel.tree
    day_one = find_target(window, REUNION, DAY_ONE)
    other = next(node for node in window.tree_panel.model.root.children if node.id != day_one.event_id)
    tree.expand(tree.proxy_index(EVENT, other.id))
    assert tree.select(ALBUM, day_one.album_id)
    qtbot.waitUntil(lambda: window.grid_model.target == day_one)
    expanded = tree.expanded_keys()
    assert {(EVENT, other.id), (EVENT, day_one.event_id)} <= expanded

    contacts, clients = window.side_panel("contacts"), window.side_panel("clients")
    contacts.show()
    clients.show()
    assert window.tabifiedDockWidgets(contacts) == [clients]
    shown, hidden = (contacts, clients) if front == "contacts" else (clients, contacts)
    shown.raise_()
    qtbot.waitUntil(lambda: not shown.visibleRegion().isEmpty() and hidden.visibleRegion().isEmpty())
    run_async(first.aclose())
    assert load_settings().window["side_tabs"] == [front]

    second = gui_session_factory(sandbox)
    wait_for_tree(second)
    again = second.window
    qtbot.waitUntil(lambda: again.grid_model.target == day_one)
    assert again.current_target() == day_one
    assert again.tree_panel.tree.expanded_keys() == expanded
    shown, hidden = again.side_panel(front), again.side_panel("clients" if front == "contacts" else "contacts")
    assert shown.isVisible() and hidden.isVisible()
    qtbot.waitUntil(lambda: not shown.visibleRegion().isEmpty() and hidden.visibleRegion().isEmpty())


def test_a_damaged_or_vanished_saved_view_is_ignored(gui_session_factory, sandbox, wait_for_tree, qtbot):
    from studio_desktop.core.settings import Settings, save_settings

    save_settings(
        Settings(
            window={
                "main_view": {"selected": ["album", 987654321], "expanded": [["event", "x"], 7]},
                "side_tabs": "clients",
            }
        )
    )
    session = gui_session_factory(sandbox)
    wait_for_tree(session)
    assert session.window.current_target() is None
    assert session.window.tree_panel.tree.expanded_keys() == set()
