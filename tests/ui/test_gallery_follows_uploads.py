"""The gallery as the photographer sees it while uploading: new photos join the open grid as they land,
in the gallery's order, without a reset; album rows show photo counts once opened; counts follow uploads."""

from __future__ import annotations

from imagegen import make_jpeg, make_sparse_jpeg

from studio_desktop.gallery.tree_nodes import ALBUM, EVENT
from studio_desktop.ui.gallery.grid_model import PhotoRole
from studio_desktop.ui.gallery.tree_model import COUNT_COLUMN
from studio_desktop.uploads.records import queue as q

from .upload_support import DAY_ONE, REUNION, TEST_GALLERY, find_target, upload_ui

SLOW_KBPS = 800  # 100 KB/s: a 60 KB photo lands about every 0.6 s


async def _server_order(client, event_id):
    return [photo.id async for photo in client.iter_event_photos(event_id, limit=100)]


def test_photos_join_the_open_grid_as_they_land_in_the_gallery_order(
    gui_session_factory, sandbox, wait_for_tree, qtbot, run_async, tmp_path
):
    # Small pages, so that the photos already there fill several and the tail is read again, not everything.
    session = gui_session_factory(sandbox, page_size=3)
    wait_for_tree(session)
    window = session.window
    ui = upload_ui(session)
    engine = session.services.engine
    engine.set_bandwidth_limit(SLOW_KBPS)
    engine.set_concurrency(2)
    target = find_target(window, TEST_GALLERY)
    client = session.services.shootproof
    for n in range(4):  # already in the gallery before the grid opens
        run_async(client.photo_upload(target.event_id, make_jpeg(tmp_path / f"before_{n}.jpg")))
    window.tree_panel.tree.select(EVENT, target.event_id)
    grid = window.grid_model
    qtbot.waitUntil(lambda: grid.target == target and not grid.is_loading)
    while grid.canFetchMore():
        grid.fetchMore()
        qtbot.waitUntil(lambda: not grid.is_loading)
    shown_before = grid.rowCount()
    first_id = grid.index(0, 0).data(PhotoRole.IdRole)
    window.grid_view.setCurrentIndex(grid.index(1, 0))
    current_before = window.grid_view.currentIndex().data()
    resets = []
    grid.modelReset.connect(lambda: resets.append(True))

    photos = [make_sparse_jpeg(tmp_path / f"new_{n:02d}.jpg", 60_000, color=(n * 20, 0, 0)) for n in range(8)]
    ui.choosing.upload(photos, target)

    def part_shown():
        snapshot = engine.snapshot()  # the engine's own numbers: no lag
        still_going = snapshot.files[q.QUEUED] + snapshot.in_flight > 0
        return still_going and 0 < grid.rowCount() - shown_before < len(photos)

    qtbot.waitUntil(part_shown, timeout=20_000)  # while the batch is still going
    # The tree's count says what the grid says, mid-batch, not only once the batch ends.
    tree_model = window.tree_panel.model
    assert tree_model.find(EVENT, target.event_id).event.photo_count == grid.total_results > shown_before
    qtbot.waitUntil(lambda: ui.model.counts[q.DONE][0] == len(photos), timeout=30_000)
    qtbot.waitUntil(lambda: grid.rowCount() == shown_before + len(photos), timeout=10_000)
    assert [p.id for p in grid.photos] == run_async(_server_order(client, target.event_id))
    assert resets == [], "the grid was reset: selection and scroll position lost"
    assert window.grid_view.currentIndex().data() == current_before
    assert grid.index(0, 0).data(PhotoRole.IdRole) == first_id
    assert ui.gallery_follower.refreshes < len(photos) + 2  # gathered, not one request per photo


def test_album_counts_appear_on_expand_and_follow_uploads(main_window, gui_session, qtbot, run_async, tmp_path):
    ui = upload_ui(gui_session)
    tree = main_window.tree_panel.tree
    model = main_window.tree_panel.model
    day_one = find_target(main_window, REUNION, DAY_ONE)
    client = gui_session.services.shootproof

    def count_text(kind, node_id):
        return model.index_for(kind, node_id).siblingAtColumn(COUNT_COLUMN).data()

    assert count_text(ALBUM, day_one.album_id) == "", "not read before the event is opened"
    tree.expand(tree.proxy_index(EVENT, day_one.event_id))
    albums = {a.id: a for top in run_async(client.album_get_list(day_one.event_id)) for a in top.walk()}
    qtbot.waitUntil(lambda: count_text(ALBUM, day_one.album_id) == f"{albums[day_one.album_id].photo_count:,}")
    for album_id, album in albums.items():
        assert count_text(ALBUM, album_id) == f"{album.photo_count:,}"
    # The studio's album order (display_order) is the tree's order.
    event_node = model.find(EVENT, day_one.event_id)
    top_ids = [node.id for node in event_node.children]
    top_albums = run_async(client.album_get_list(day_one.event_id))
    assert top_ids == [a.id for a in sorted(top_albums, key=lambda a: (a.display_order, (a.name or "").casefold()))]

    event_before = run_async(client.event_info(day_one.event_id)).photo_count
    tree.select(ALBUM, day_one.album_id)
    resets = []
    model.modelReset.connect(lambda: resets.append(True))
    ui.choosing.upload(
        [make_jpeg(tmp_path / "count_1.jpg"), make_jpeg(tmp_path / "count_2.jpg", color=(0, 0, 255))], day_one
    )
    album_after = albums[day_one.album_id].photo_count + 2
    qtbot.waitUntil(lambda: count_text(ALBUM, day_one.album_id) == f"{album_after:,}", timeout=15_000)
    qtbot.waitUntil(lambda: count_text(EVENT, day_one.event_id) == f"{event_before + 2:,}", timeout=15_000)
    assert resets == [], "counts are updated in place: the tree keeps its place"
    assert tree.current_target() == day_one
