"""The event tree: model contract, nesting, filter, archived galleries, and the sandbox's real data."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from studio_desktop.api.shootproof import ShootProofClient
from studio_desktop.core.bidi import plain
from studio_desktop.gallery.tree_nodes import ALBUM, EVENT, AlbumNode, build_tree
from studio_desktop.ui.gallery.tree_model import (
    COUNT_COLUMN,
    ArchivedRole,
    EventTreeFilterProxy,
    EventTreeModel,
    IdRole,
    KindRole,
    NodeRole,
    TargetRole,
)
from studio_desktop.ui.gallery.tree_view import EventTreePanel

from .tree_data import BRAND, big_tree, sample_tree


def _rows(model, parent=QModelIndex()) -> list[str]:
    return [model.index(row, 0, parent).data() for row in range(model.rowCount(parent))]


def _all_names(model, parent=QModelIndex()) -> list[str]:
    names = []
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        names.append(index.data())
        names.extend(_all_names(model, index))
    return names


@pytest.fixture
def tree_model(qapp):
    model = EventTreeModel()
    model.set_root(build_tree(sample_tree(), BRAND))
    return model


@pytest.fixture
def proxy(tree_model):
    proxy = EventTreeFilterProxy()
    proxy.setSourceModel(tree_model)
    return proxy


# --- the model contract ---------------------------------------------------------------------


def test_tree_model_and_proxy_pass_qtmodeltester(qtmodeltester, tree_model, proxy):
    qtmodeltester.check(tree_model, force_py=True)
    proxy.set_filter_text("speech")
    proxy.set_show_archived(False)
    qtmodeltester.check(proxy, force_py=True)


def test_model_survives_a_reset_under_the_tester(qtmodeltester, tree_model):
    qtmodeltester.check(tree_model, force_py=True)
    tree_model.set_root(build_tree(big_tree(30, 3), BRAND))
    tree_model.clear()
    tree_model.set_root(build_tree(sample_tree(), BRAND))
    assert tree_model.event_count() == 3


def test_events_newest_first_with_albums_nested_four_levels(tree_model):
    assert _rows(tree_model) == ["Acme Corporate Headshots", "Smith Wedding", "Jones Family Portraits"]
    wedding = tree_model.index(1, 0)
    assert _rows(tree_model, wedding) == ["Ceremony", "Reception"]
    index = tree_model.index(1, 0, wedding)
    path = []
    while tree_model.rowCount(index):
        index = tree_model.index(0, 0, index)
        path.append(index.data())
    assert path == ["Speeches", "Best Man", "Outtakes"]
    node = index.data(NodeRole)
    assert isinstance(node, AlbumNode) and node.depth == 4
    assert index.data(KindRole) == ALBUM and index.data(IdRole) == 104
    target = index.data(TargetRole)
    assert (target.event_id, target.album_id) == (10, 104)
    assert plain(target.display_name) == "Smith Wedding › Reception › Speeches › Best Man › Outtakes"
    assert tree_model.parent(index).data() == "Best Man"


def test_photo_counts_and_roles(tree_model):
    wedding = tree_model.index(1, 0)
    assert wedding.data(KindRole) == EVENT
    assert tree_model.index(1, COUNT_COLUMN).data() == "480"
    assert tree_model.index(0, COUNT_COLUMN, wedding).data() == "120"
    assert tree_model.index(1, COUNT_COLUMN, wedding).data() == ""  # unknown count: blank, not 0
    assert wedding.data(TargetRole).album_id is None


def test_archived_events_are_dimmed(tree_model):
    archived = tree_model.index(2, 0)
    assert archived.data(ArchivedRole) is True
    disabled = QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    assert archived.data(Qt.ItemDataRole.ForegroundRole).color() == disabled
    assert tree_model.index(0, 0, archived).data(ArchivedRole) is True  # its albums too
    assert tree_model.index(1, 0).data(Qt.ItemDataRole.ForegroundRole) is None


def test_find_and_index_for(tree_model):
    index = tree_model.index_for(ALBUM, 102)
    assert index.data() == "Speeches"
    assert tree_model.index_for(EVENT, 999).isValid() is False
    assert tree_model.album_count() == 6


# --- filter and archived ----------------------------------------------------------------------


def test_filter_keeps_matching_albums_and_their_parents(proxy):
    proxy.set_filter_text("  BEST   man ")
    assert _rows(proxy) == ["Smith Wedding"]
    assert _all_names(proxy) == ["Smith Wedding", "Reception", "Speeches", "Best Man", "Outtakes"]


def test_filter_on_an_event_keeps_its_albums(proxy):
    proxy.set_filter_text("wedding")
    assert _all_names(proxy) == ["Smith Wedding", "Ceremony", "Reception", "Speeches", "Best Man", "Outtakes"]
    proxy.set_filter_text("nothing like this")
    assert proxy.rowCount() == 0
    proxy.set_filter_text("")
    assert proxy.rowCount() == 3


def test_hiding_archived_hides_their_albums_even_when_they_match(proxy):
    proxy.set_filter_text("outdoor")
    assert _all_names(proxy) == ["Jones Family Portraits", "Outdoor"]
    proxy.set_show_archived(False)
    assert proxy.rowCount() == 0
    proxy.set_filter_text("")
    assert _rows(proxy) == ["Acme Corporate Headshots", "Smith Wedding"]
    proxy.set_show_archived(True)
    assert proxy.rowCount() == 3


def test_sorting_by_photo_count_through_the_proxy(proxy):
    proxy.sort(COUNT_COLUMN, Qt.SortOrder.DescendingOrder)
    assert _rows(proxy) == ["Smith Wedding", "Jones Family Portraits", "Acme Corporate Headshots"]
    proxy.sort(0, Qt.SortOrder.AscendingOrder)
    assert _rows(proxy) == ["Acme Corporate Headshots", "Jones Family Portraits", "Smith Wedding"]


def test_panel_filter_is_debounced_and_keeps_selection_logic(qtbot):
    panel = EventTreePanel()
    qtbot.addWidget(panel)
    panel.set_brands([BRAND], BRAND.id)
    panel.set_tree(build_tree(sample_tree(), BRAND))
    with qtbot.waitSignal(panel.target_changed) as changed:
        assert panel.tree.select(ALBUM, 103)
    assert changed.args[0].album_id == 103
    qtbot.keyClicks(panel.filter_edit, "ceremony")
    assert panel.proxy.rowCount() == 3  # not applied yet: the filter waits for typing to pause
    qtbot.waitUntil(lambda: panel.proxy.rowCount() == 1, timeout=3000)
    assert panel.summary.text() == "1 of 3 galleries shown"
    # "Best Man" is filtered away, so nothing is selected any more and listeners hear so.
    assert panel.tree.current_target() is None
    panel.set_filter_text("")
    assert panel.proxy.rowCount() == 3


def test_refresh_keeps_expansion_and_selection(qtbot):
    panel = EventTreePanel()
    qtbot.addWidget(panel)
    panel.set_tree(build_tree(sample_tree(), BRAND))
    panel.tree.select(ALBUM, 102)
    assert panel.tree.current_target().album_id == 102
    expanded = panel.tree.expanded_keys()
    assert (EVENT, 10) in expanded and (ALBUM, 101) in expanded
    with qtbot.assertNotEmitted(panel.target_changed):
        panel.set_tree(build_tree(sample_tree(), BRAND))
    assert panel.tree.expanded_keys() == expanded
    assert panel.tree.current_target().album_id == 102


def test_large_tree_builds_once_with_one_reset(qtbot):
    model = EventTreeModel()
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    root = build_tree(big_tree(2000, 5), BRAND)
    model.set_root(root)
    assert resets == [1]
    assert model.event_count() == 2000 and model.album_count() == 10_000


# --- against the sandbox ----------------------------------------------------------------------


async def _api_view(sandbox):
    async with ShootProofClient(sandbox.shootproof_api_url, sandbox.access_token) as client:
        brands = await client.brand_get_list()
        trees = {brand.id: await client.brand_get_event_tree(brand.id) for brand in brands}
    return brands, trees


def test_tree_shows_the_sandbox_brands_events_and_albums(main_window, sandbox, run_async):
    brands, trees = run_async(_api_view(sandbox))
    panel = main_window.tree_panel
    combo = panel.brand_combo
    assert [combo.itemText(i) for i in range(combo.count())] == [b.name for b in brands]
    default = next((b for b in brands if b.is_default), brands[0])
    assert panel.current_brand_id() == default.id
    tree = trees[default.id]
    model = panel.model
    assert sorted(_rows(model)) == sorted(e.name for e in tree.events)
    assert sorted(n.name for n in model.root.walk() if n.kind == ALBUM) == sorted(
        a.name for e in tree.events for a in e.walk_albums()
    )
    for event in tree.events:
        index = model.index_for(EVENT, event.id)
        count = model.index(index.row(), COUNT_COLUMN).data()
        assert count == (f"{event.photo_count:,}" if event.photo_count is not None else "")
        assert model.rowCount(index) == len(event.albums)


def test_switching_brand_loads_that_brands_tree(main_window, sandbox, run_async, qtbot):
    brands, trees = run_async(_api_view(sandbox))
    panel = main_window.tree_panel
    others = [b for b in brands if b.id != panel.current_brand_id()]
    if not others:
        pytest.fail("the demo studio should have more than one brand to test switching")
    other = others[0]
    panel.select_brand(other.id)
    expected = sorted(e.name for e in trees[other.id].events)
    qtbot.waitUntil(lambda: sorted(_rows(panel.model)) == expected and panel.model.root.id == other.id, timeout=10_000)
    assert main_window.status.brand_label.text() == f"Brand: {other.name}"


def test_show_archived_action_hides_archived_galleries(main_window, sandbox, run_async):
    _brands, trees = run_async(_api_view(sandbox))
    panel = main_window.tree_panel
    tree = trees[panel.current_brand_id()]
    archived = {e.name for e in tree.events if e.is_archived or (e.status or "").lower() == "archived"}
    assert archived, "the demo studio's default brand should have an archived gallery"
    action = main_window.actions.show_archived
    assert action.isChecked()
    assert archived <= set(_rows(panel.proxy))
    action.trigger()
    shown = set(_rows(panel.proxy))
    assert not (archived & shown)
    assert len(shown) == len(tree.events) - len(archived)
    action.trigger()
    assert len(_rows(panel.proxy)) == len(tree.events)
