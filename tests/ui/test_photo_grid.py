"""The photo grid: lazy pages, thumbnails over HTTP with a disk cache, empty state, selection."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from PIL import Image
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QPixmap

from studio_desktop.api.models import Page, Photo, PhotoUrls
from studio_desktop.api.shootproof import ShootProofClient
from studio_desktop.core import paths
from studio_desktop.core.bidi import plain
from studio_desktop.gallery import thumbnail_files
from studio_desktop.gallery.tree_nodes import ALBUM, EVENT, GalleryTarget
from studio_desktop.ui.gallery.grid_model import PhotoGridModel, PhotoRole, ThumbnailState
from studio_desktop.ui.gallery.thumbnails import ThumbnailLoader
from studio_desktop.ui.tasks import TaskRunner


def _photos(count: int, start: int = 1) -> list[Photo]:
    return [Photo(id=start + i, name=f"IMG_{start + i:04d}.jpg") for i in range(count)]


def _pager(photos: list[Photo], per_page: int, calls: list[int] | None = None, fail_on: int | None = None):
    pages = max(1, -(-len(photos) // per_page))

    async def fetch(page: int) -> Page[Photo]:
        if calls is not None:
            calls.append(page)
        await asyncio.sleep(0)
        if page == fail_on:
            raise httpx.ConnectError("connection refused")
        items = photos[(page - 1) * per_page : page * per_page]
        return Page(items=items, page=page, results_returned=len(items), total_pages=pages, total_results=len(photos))

    return fetch


@pytest.fixture
def grid_parts(run_async, tmp_path):
    """A model with a loader over a real (unused) HTTP client; tear-down closes both."""
    http = httpx.AsyncClient()
    tasks = TaskRunner()
    loader = ThumbnailLoader(http, tmp_path / "thumbs")
    model = PhotoGridModel(tasks, loader)
    yield model, tasks, loader
    run_async(_close(loader, http, tasks))


async def _close(loader, http, tasks):
    await tasks.shutdown()
    await loader.aclose()
    await http.aclose()


TARGET = GalleryTarget(event_id=1, event_name="Smith Wedding")


# --- the model on its own ----------------------------------------------------------------------


def test_grid_model_passes_qtmodeltester(qtmodeltester, qtbot, grid_parts):
    model, _, _ = grid_parts
    model.set_source(TARGET, _pager(_photos(25), per_page=10))
    qtbot.waitUntil(lambda: model.rowCount() == 10)
    qtmodeltester.check(model, force_py=True)  # keeps watching: the pages below are checked as they insert
    while model.rowCount() < 25:
        model.fetchMore()
        qtbot.waitUntil(lambda: not model.is_loading)
    assert not model.canFetchMore()
    qtmodeltester.check(model, force_py=True)


def test_pages_load_one_at_a_time_until_the_last(qtbot, grid_parts):
    model, _, _ = grid_parts
    calls: list[int] = []
    model.set_source(TARGET, _pager(_photos(25), per_page=10, calls=calls))
    assert model.is_loading and not model.canFetchMore()  # one page in flight at a time
    qtbot.waitUntil(lambda: model.rowCount() == 10)
    assert model.total_results == 25 and model.canFetchMore()
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 20)
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 25)
    assert not model.canFetchMore()
    assert calls == [1, 2, 3] and model.pages_loaded == 3
    assert [model.index(r, 0).data() for r in (0, 24)] == ["IMG_0001.jpg", "IMG_0025.jpg"]
    assert model.index(3, 0).data(PhotoRole.PhotoRole).id == 4


def test_a_late_page_of_the_previous_gallery_is_dropped(qtbot, grid_parts):
    model, _, _ = grid_parts
    slow_started = asyncio.Event()
    release = asyncio.Event()

    async def slow(page: int) -> Page[Photo]:
        slow_started.set()
        await release.wait()
        return Page(items=_photos(5, 500), page=1, results_returned=5, total_pages=1, total_results=5)

    model.set_source(TARGET, slow)
    qtbot.waitUntil(slow_started.is_set)
    other = GalleryTarget(event_id=2, event_name="Jones Portraits")
    model.set_source(other, _pager(_photos(3, 900), per_page=10))
    qtbot.waitUntil(lambda: model.rowCount() == 3)
    release.set()
    qtbot.wait(50)
    assert [p.id for p in model.photos] == [900, 901, 902]
    assert model.target == other


def test_a_failed_page_is_reported_and_can_be_retried(qtbot, grid_parts, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.ui.gallery.grid_model")  # "could not load photos"
    model, _, _ = grid_parts
    calls: list[int] = []
    fetch = _pager(_photos(15), per_page=10, calls=calls, fail_on=2)
    model.set_source(TARGET, fetch)
    qtbot.waitUntil(lambda: model.rowCount() == 10)
    with qtbot.waitSignal(model.load_failed) as failed:
        model.fetchMore()
    assert "internet connection" in failed.args[0]
    assert model.error and not model.canFetchMore() and model.rowCount() == 10
    model.set_source(TARGET, _pager(_photos(15), per_page=10))
    qtbot.waitUntil(lambda: model.rowCount() == 10)
    assert model.error is None


def test_photo_without_any_rendition_shows_as_unavailable(qtbot, grid_parts):
    model, _, _loader = grid_parts
    model.set_source(TARGET, _pager([Photo(id=7, name="broken.jpg", url=PhotoUrls())], per_page=10))
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    assert model.index(0, 0).data(Qt.ItemDataRole.DecorationRole) is None
    assert model.index(0, 0).data(PhotoRole.ThumbnailStateRole) == ThumbnailState.UNAVAILABLE


# --- against the sandbox ------------------------------------------------------------------------


async def _album_and_photos(sandbox, album_name: str):
    async with ShootProofClient(sandbox.shootproof_api_url, sandbox.access_token) as client:
        brands = await client.brand_get_list()
        for brand in brands:
            tree = await client.brand_get_event_tree(brand.id)
            for event in tree.events:
                for album in event.walk_albums():
                    if album.name == album_name:
                        photos = [p async for p in client.iter_album_photos(album.id)]
                        return event, album, photos
    raise AssertionError(f"no album called {album_name!r} in the sandbox")


def _largest_album_name(sandbox, run_async):
    async def find():
        async with ShootProofClient(sandbox.shootproof_api_url, sandbox.access_token) as client:
            best = None
            for brand in await client.brand_get_list():
                for event in (await client.brand_get_event_tree(brand.id)).events:
                    for album in event.walk_albums():
                        page = await client.album_get_photos(album.id, limit=1)
                        if best is None or page.total_results > best[1]:
                            best = (album.name, page.total_results)
            return best

    return run_async(find())


@pytest.fixture
def small_pages_session(gui_session_factory, sandbox, wait_for_tree):
    session = gui_session_factory(sandbox, page_size=4)
    wait_for_tree(session)
    return session


def test_selecting_an_album_loads_its_photos_page_by_page(small_pages_session, sandbox, run_async, qtbot):
    session = small_pages_session
    name, total = _largest_album_name(sandbox, run_async)
    assert total > 8, "the demo studio should have an album bigger than two small pages"
    event, album, photos = run_async(_album_and_photos(sandbox, name))
    window = session.window
    panel = window.tree_panel
    if panel.current_brand_id() != event.brand_id:
        panel.select_brand(event.brand_id)
        qtbot.waitUntil(lambda: panel.model.find(ALBUM, album.id) is not None, timeout=10_000)
    model = window.grid_model
    with qtbot.waitSignal(window.current_target_changed) as changed:
        assert panel.tree.select(ALBUM, album.id)
    assert changed.args[0].album_id == album.id
    qtbot.waitUntil(lambda: model.pages_loaded >= 1, timeout=10_000)
    view = window.grid_view
    # Scrolling to the end is what asks for the next pages (fetchMore), until all are in.
    while model.rowCount() < total:
        before = model.pages_loaded
        view.scrollToBottom()
        qtbot.waitUntil(lambda before=before: model.pages_loaded > before or model.rowCount() >= total, timeout=10_000)
    assert model.pages_loaded >= -(-total // 4)
    assert [p.id for p in model.photos] == [p.id for p in photos]
    assert plain(window.grid_panel.title.text()) == f"{event.name} › {album.name}"


def test_thumbnails_arrive_and_are_cached_on_disk(gui_session, wait_for_tree, sandbox, run_async, qtbot):
    _event, album, photos = run_async(_album_and_photos(sandbox, "Ceremony"))
    window = gui_session.window
    wait_for_tree(gui_session)
    window.tree_panel.tree.select(ALBUM, album.id)
    model = window.grid_model
    qtbot.waitUntil(lambda: model.rowCount() == len(photos), timeout=10_000)
    first = model.index(0, 0)
    qtbot.waitUntil(lambda: first.data(PhotoRole.ThumbnailStateRole) == ThumbnailState.READY, timeout=15_000)
    pixmap = first.data(Qt.ItemDataRole.DecorationRole)
    assert isinstance(pixmap, QPixmap) and max(pixmap.width(), pixmap.height()) == thumbnail_files.CACHE_EDGE
    loader = gui_session.thumbnails
    cached = loader.cache_file(photos[0])
    assert cached is not None and cached.is_relative_to(paths.current().thumbnail_dir) and cached.is_file()
    with Image.open(cached) as image:
        assert max(image.size) == thumbnail_files.CACHE_EDGE
    assert loader.stats.downloads >= 1

    async def fresh_load():
        http = httpx.AsyncClient()
        fresh = ThumbnailLoader(http, paths.current().thumbnail_dir)
        try:
            fresh.request(photos[0])
            while fresh.busy:
                await asyncio.sleep(0.01)
            return fresh.is_loaded(photos[0].id), fresh.stats.disk_hits, fresh.stats.downloads
        finally:
            await fresh.aclose()
            await http.aclose()

    # A second loader (as after a restart) reads the disk cache and downloads nothing.
    assert run_async(fresh_load()) == (True, 1, 0)


def test_empty_gallery_invites_a_drop(main_window, sandbox, run_async, qtbot):
    async def find_empty():
        async with ShootProofClient(sandbox.shootproof_api_url, sandbox.access_token) as client:
            brand = next(b for b in await client.brand_get_list() if b.is_default)
            tree = await client.brand_get_event_tree(brand.id)
            return next(e for e in tree.events if not e.albums and not e.photo_count)

    empty = run_async(find_empty())
    main_window.tree_panel.tree.select(EVENT, empty.id)
    view = main_window.grid_view
    qtbot.waitUntil(lambda: main_window.grid_model.total_results == 0, timeout=10_000)
    assert f"Drop photos here to upload them to '{empty.name}'" in view.empty_text
    assert main_window.grid_panel.subtitle.text() == "No photos yet"
    # Nothing selected: the grid says how to start instead.
    main_window.tree_panel.tree.clearSelection()
    qtbot.waitUntil(lambda: main_window.grid_model.target is None)
    assert "Choose a gallery" in view.empty_text


def test_multi_select_and_size_slider(main_window, sandbox, run_async, qtbot):
    _event, album, photos = run_async(_album_and_photos(sandbox, "Ceremony"))
    main_window.tree_panel.tree.select(ALBUM, album.id)
    model = main_window.grid_model
    qtbot.waitUntil(lambda: model.rowCount() >= 3, timeout=10_000)
    view = main_window.grid_view
    selection = view.selectionModel()
    with qtbot.waitSignal(view.photos_selected) as selected:
        selection.select(model.index(0, 0), QItemSelectionModel.SelectionFlag.Select)
    with qtbot.waitSignal(view.photos_selected) as selected:
        selection.select(model.index(2, 0), QItemSelectionModel.SelectionFlag.Select)
    assert [p.id for p in selected.args[0]] == [photos[0].id, photos[2].id]
    assert [p.id for p in view.selected_photos()] == [photos[0].id, photos[2].id]
    small = view.gridSize()
    main_window.grid_panel.size_slider.setValue(280)
    assert view.thumbnail_size == 280
    assert view.gridSize().width() > small.width() and view.gridSize().height() > small.height()
