"""Reading the open gallery again (F5, or after photo commands) changes only the rows that changed.

No reset: the selection and the scroll position stay, and the rows equal what
opening the gallery afresh and scrolling as far would show.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imagegen import make_jpeg
from PySide6.QtCore import QItemSelectionModel, Qt

from studio_desktop.api.models import Page, Photo
from studio_desktop.gallery.tree_nodes import EVENT, GalleryTarget
from studio_desktop.ui.gallery.grid_model import PhotoGridModel, PhotoRole, ThumbnailState
from studio_desktop.ui.gallery.thumbnails import ThumbnailLoader
from studio_desktop.ui.tasks import TaskRunner

from .upload_support import TEST_GALLERY, find_target

TARGET = GalleryTarget(event_id=1, event_name="Smith Wedding")


class Gallery:
    """A gallery's photos in its order, served page by page as the grid asks (what the server would do)."""

    def __init__(self, photos: list[Photo], per_page: int):
        self.photos = list(photos)
        self.per_page = per_page
        self.calls: list[int] = []

    async def fetch(self, page: int) -> Page[Photo]:
        self.calls.append(page)
        await asyncio.sleep(0)
        pages = max(1, -(-len(self.photos) // self.per_page))
        items = self.photos[(page - 1) * self.per_page : page * self.per_page]
        return Page(
            items=items, page=page, results_returned=len(items), total_pages=pages, total_results=len(self.photos)
        )


def photo(photo_id: int, name: str | None = None) -> Photo:
    return Photo(id=photo_id, name=name or f"IMG_{photo_id:05d}.jpg")


@pytest.fixture
def parts(run_async, tmp_path):
    http = httpx.AsyncClient()
    tasks = TaskRunner()
    loader = ThumbnailLoader(http, tmp_path / "thumbs")
    yield tasks, loader
    run_async(_close(loader, http, tasks))


async def _close(loader, http, tasks):
    await tasks.shutdown()
    await loader.aclose()
    await http.aclose()


def open_all(qtbot, model: PhotoGridModel, gallery: Gallery, pages: int | None = None) -> None:
    """Open the gallery and scroll through ``pages`` pages (all when None), as the grid's fetchMore would."""
    model.set_source(TARGET, gallery.fetch)
    qtbot.waitUntil(lambda: not model.is_loading)
    while model.canFetchMore() and (pages is None or model.pages_loaded < pages):
        model.fetchMore()
        qtbot.waitUntil(lambda: not model.is_loading)


def reload(qtbot, model: PhotoGridModel) -> None:
    with qtbot.waitSignal(model.page_loaded):
        model.reload()
    assert not model.is_loading


def test_reload_removes_inserts_and_updates_rows_in_place(qtbot, qtmodeltester, parts):
    tasks, loader = parts
    model = PhotoGridModel(tasks, loader)
    gallery = Gallery([photo(n) for n in range(1, 26)], per_page=10)
    open_all(qtbot, model, gallery)
    qtmodeltester.check(model, force_py=True)  # keeps watching every insert and removal below
    selection = QItemSelectionModel(model)
    for row in (3, 12, 20):
        selection.select(model.index(row, 0), QItemSelectionModel.SelectionFlag.Select)
    selection.setCurrentIndex(model.index(12, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))

    # Elsewhere: photo 5 deleted, 9 and 10 too, two photos land after 2, one at the end, 13 renamed.
    photos = [p for p in gallery.photos if p.id not in (5, 9, 10)]
    photos[2:2] = [photo(101), photo(102)]
    photos.append(photo(103))
    photos = [photo(13, "renamed.jpg") if p.id == 13 else p for p in photos]
    gallery.photos = photos
    reload(qtbot, model)

    assert [p.id for p in model.photos] == [p.id for p in photos]
    assert model.index(model.row_of(13), 0).data() == "renamed.jpg"
    assert resets == []
    selected = sorted(index.data(PhotoRole.IdRole) for index in selection.selectedIndexes())
    assert selected == [4, 13, 21]
    assert selection.currentIndex().data(PhotoRole.IdRole) == 13
    assert all(model.row_of(p.id) == row for row, p in enumerate(model.photos))
    assert not model.canFetchMore()
    qtmodeltester.check(model, force_py=True)


def test_reload_reads_only_the_pages_shown_and_the_rest_comes_by_scrolling(qtbot, parts):
    tasks, loader = parts
    model = PhotoGridModel(tasks, loader)
    gallery = Gallery([photo(n) for n in range(1, 46)], per_page=10)
    open_all(qtbot, model, gallery, pages=2)
    gallery.calls.clear()
    reload(qtbot, model)
    assert gallery.calls == [1, 2]
    assert [p.id for p in model.photos] == list(range(1, 21))
    assert model.canFetchMore()
    model.fetchMore()
    qtbot.waitUntil(lambda: not model.is_loading)
    assert [p.id for p in model.photos] == list(range(1, 31))


def test_a_gallery_put_in_another_order_is_shown_in_that_order(qtbot, parts):
    tasks, loader = parts
    model = PhotoGridModel(tasks, loader)
    gallery = Gallery([photo(n) for n in range(1, 8)], per_page=10)
    open_all(qtbot, model, gallery)
    gallery.photos.reverse()
    reload(qtbot, model)
    assert [p.id for p in model.photos] == list(range(7, 0, -1))


def test_reload_of_nothing_shown_opens_the_gallery_again(qtbot, parts):
    tasks, loader = parts
    model = PhotoGridModel(tasks, loader)
    gallery = Gallery([], per_page=10)
    open_all(qtbot, model, gallery)
    gallery.photos = [photo(1), photo(2)]
    reload(qtbot, model)
    assert [p.id for p in model.photos] == [1, 2]


# --- the same as opening afresh, for any change -------------------------------------------------

ids = st.integers(min_value=1, max_value=400)


@st.composite
def galleries_and_changes(draw):
    before = draw(st.lists(ids, min_size=0, max_size=60, unique=True))
    per_page = draw(st.integers(min_value=1, max_value=12))
    pages_open = draw(st.integers(min_value=1, max_value=8))
    kept = [n for n in before if draw(st.booleans()) or draw(st.booleans())]  # about three in four stay
    new = draw(st.lists(ids.filter(lambda n: n not in before), max_size=25, unique=True))
    after = list(kept)
    for n in new:
        after.insert(draw(st.integers(min_value=0, max_value=len(after))), n)
    renamed = set(draw(st.lists(st.sampled_from(after), max_size=5))) if after else set()
    reordered = draw(st.integers(min_value=0, max_value=9)) == 0
    if reordered:
        after = draw(st.permutations(after))
    return before, per_page, pages_open, list(after), renamed


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=galleries_and_changes())
def test_a_reload_equals_opening_the_gallery_afresh(qtbot, parts, case):
    before, per_page, pages_open, after, renamed = case
    tasks, loader = parts
    gallery = Gallery([photo(n) for n in before], per_page=per_page)
    model = PhotoGridModel(tasks, loader)
    open_all(qtbot, model, gallery, pages=pages_open)
    gallery.photos = [photo(n, "renamed.jpg" if n in renamed else None) for n in after]
    reload(qtbot, model)

    fresh = PhotoGridModel(tasks, loader)
    open_all(qtbot, fresh, gallery, pages=model.pages_loaded)
    assert model.photos == fresh.photos
    assert len({p.id for p in model.photos}) == model.rowCount()
    assert all(model.row_of(p.id) == row for row, p in enumerate(model.photos))
    assert (model.total_results, model.canFetchMore()) == (fresh.total_results, fresh.canFetchMore())
    for each in (model, fresh):
        each.deleteLater()


# --- the window, against the sandbox ------------------------------------------------------------


def test_f5_after_photos_land_keeps_every_photo_once_the_selection_and_the_scroll(
    gui_session_factory, sandbox, wait_for_tree, qtbot, run_async, tmp_path
):
    session = gui_session_factory(sandbox, page_size=4)
    wait_for_tree(session)
    window = session.window
    target = find_target(window, TEST_GALLERY)
    client = session.services.shootproof
    for n in range(14):
        run_async(client.photo_upload(target.event_id, make_jpeg(tmp_path / f"before_{n:02d}.jpg")))
    window.tree_panel.tree.select(EVENT, target.event_id)
    grid, view = window.grid_model, window.grid_view
    qtbot.waitUntil(lambda: grid.target == target and not grid.is_loading)
    while grid.canFetchMore():
        grid.fetchMore()
        qtbot.waitUntil(lambda: not grid.is_loading)
    window.resize(700, 420)
    qtbot.waitUntil(lambda: view.verticalScrollBar().maximum() > 0)
    view.setCurrentIndex(grid.index(9, 0))
    view.selectionModel().select(grid.index(2, 0), QItemSelectionModel.SelectionFlag.Select)
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum() // 2)
    scrolled = view.verticalScrollBar().value()
    chosen = sorted(p.id for p in view.selected_photos())
    current = view.currentIndex().data(PhotoRole.IdRole)
    resets: list[bool] = []
    grid.modelReset.connect(lambda: resets.append(True))

    gone = grid.index(5, 0).data(PhotoRole.IdRole)
    run_async(client.photo_delete(gone))
    for n in range(3):
        run_async(client.photo_upload(target.event_id, make_jpeg(tmp_path / f"after_{n}.jpg")))
    with qtbot.waitSignal(grid.page_loaded, timeout=10_000):
        window.actions.refresh.trigger()
    while grid.canFetchMore():  # the new photos are on pages not shown yet: they come by scrolling
        grid.fetchMore()
        qtbot.waitUntil(lambda: not grid.is_loading)

    server = run_async(_server_order(client, target.event_id))
    assert [p.id for p in grid.photos] == server and gone not in server
    assert resets == []
    assert sorted(p.id for p in view.selected_photos()) == chosen
    assert view.currentIndex().data(PhotoRole.IdRole) == current
    assert view.verticalScrollBar().value() == scrolled


async def _server_order(client, event_id):
    return [p.id async for p in client.iter_event_photos(event_id, limit=100)]


def test_thumbnails_forgotten_by_f5_are_painted_again_so_they_are_asked_for(qtbot, parts):
    tasks, loader = parts
    model = PhotoGridModel(tasks, loader)
    open_all(qtbot, model, Gallery([photo(1), photo(2)], per_page=10))
    assert model.index(1, 0).data(Qt.ItemDataRole.DecorationRole) is None  # no rendition: failed at once
    assert model.index(1, 0).data(PhotoRole.ThumbnailStateRole) == ThumbnailState.UNAVAILABLE
    with qtbot.waitSignal(model.dataChanged) as changed:
        loader.forget_failures()
    assert {changed.args[0].row(), changed.args[1].row()} <= {0, 1}
    assert model.index(1, 0).data(PhotoRole.ThumbnailStateRole) == ThumbnailState.LOADING
