"""Events the service marks ``Deleted`` are not live galleries: the tree (the app's one event picker)
leaves them out."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QModelIndex

from studio_desktop.api.models import EventTree
from studio_desktop.gallery.tree_nodes import EVENT, build_tree
from studio_desktop.ui.gallery.tree_view import EventTreePanel

from .tree_data import BRAND, album, event, sample_tree


def with_deleted() -> EventTree:
    deleted = replace(
        event(40, "Old Deleted Wedding", album(400, "Ceremony"), date="2025-01-01 00:00:00"), status="Deleted"
    )
    return EventTree(brand_id=1, events=(*sample_tree().events, deleted))


def test_a_deleted_event_is_not_shown_or_selectable(qtbot):
    panel = EventTreePanel()
    qtbot.addWidget(panel)
    panel.set_brands([BRAND], BRAND.id)
    panel.set_tree(build_tree(with_deleted(), BRAND))
    shown = [panel.proxy.index(row, 0, QModelIndex()).data() for row in range(panel.proxy.rowCount())]
    assert "Old Deleted Wedding" not in shown
    assert len(shown) == 3
    assert panel.summary.text() == "3 galleries"
    assert not panel.tree.select(EVENT, 40)


def test_a_status_in_other_letters_is_still_deleted_and_archived_ones_stay():
    tree = with_deleted()
    shouting = replace(tree.events[-1], id=41, status=" DELETED ")
    root = build_tree(EventTree(brand_id=1, events=(*tree.events, shouting)), BRAND)
    assert sorted(node.id for node in root.children) == [10, 20, 30]  # 20 is archived: still a gallery
