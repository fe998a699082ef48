"""The photos of one event or album, loaded page by page as the grid scrolls (``fetchMore``).

The model does not know the ShootProof client: whoever opens a gallery passes a
``fetch_page(page) -> Page[Photo]`` coroutine function, and the model runs it
through the :class:`TaskRunner` one page at a time. A gallery switch bumps a
generation number, so a late page of the previous gallery is dropped.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import QAbstractListModel, QByteArray, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from studio_desktop.api.models import Page, Photo
from studio_desktop.gallery.tree_nodes import GalleryTarget
from studio_desktop.ui.gallery.thumbnails import ThumbnailLoader
from studio_desktop.ui.tasks import TaskRunner
from studio_desktop.wording import plain_message

log = logging.getLogger(__name__)

AnyIndex = QModelIndex | QPersistentModelIndex
PageFetcher = Callable[[int], Awaitable[Page[Photo]]]

DEFAULT_PAGE_SIZE = 100


class PhotoRole(enum.IntEnum):
    PhotoRole = Qt.ItemDataRole.UserRole + 1
    IdRole = Qt.ItemDataRole.UserRole + 2
    ThumbnailStateRole = Qt.ItemDataRole.UserRole + 3
    NameRole = Qt.ItemDataRole.UserRole + 4


class ThumbnailState(enum.IntEnum):
    LOADING = 0
    READY = 1
    UNAVAILABLE = 2


class PhotoGridModel(QAbstractListModel):
    """One row per photo. ``DecorationRole`` is the thumbnail QPixmap, or None while it loads."""

    loading_changed = Signal(bool)
    page_loaded = Signal(int)
    load_failed = Signal(str)
    target_changed = Signal(object)

    def __init__(self, tasks: TaskRunner, thumbnails: ThumbnailLoader, parent: QObject | None = None):
        super().__init__(parent)
        self._tasks = tasks
        self._thumbnails = thumbnails
        self._photos: list[Photo] = []
        self._row_of: dict[int, int] = {}
        self._target: GalleryTarget | None = None
        self._fetch: PageFetcher | None = None
        self._next_page = 1
        self._total_pages: int | None = None
        self._total_results: int | None = None
        self._loading = False
        self._to_the_end = False
        self._error: str | None = None
        self._generation = 0
        self.pages_loaded = 0
        self._page_size: int | None = None
        self._refreshing: int | None = None  # the generation a tail refresh is running for
        thumbnails.ready.connect(self._thumbnail_changed)
        thumbnails.failed.connect(self._thumbnail_changed)
        thumbnails.forgotten.connect(self._thumbnail_changed)  # painted again, a cell asks for it again

    # --- opening a gallery -----------------------------------------------------------------

    @property
    def target(self) -> GalleryTarget | None:
        return self._target

    @property
    def is_loading(self) -> bool:
        return self._loading

    @property
    def error(self) -> str | None:
        return self._error

    @property
    def total_results(self) -> int | None:
        """How many photos the gallery holds, once the first page has said so."""
        return self._total_results

    @property
    def photos(self) -> list[Photo]:
        return list(self._photos)

    def set_source(self, target: GalleryTarget | None, fetch_page: PageFetcher | None) -> None:
        """Show ``target``'s photos, fetched with ``fetch_page``; ``None`` shows nothing."""
        self._generation += 1
        self._thumbnails.cancel_pending()
        self.beginResetModel()
        self._photos = []
        self._row_of = {}
        self._target = target
        self._fetch = fetch_page if target is not None else None
        self._next_page = 1
        self._total_pages = None
        self._total_results = None
        self._error = None
        self._to_the_end = False
        self.pages_loaded = 0
        self.endResetModel()
        self._set_loading(False)
        self.target_changed.emit(target)
        if self.canFetchMore():
            self.fetchMore()

    def reload(self) -> None:
        """Read the same gallery again (F5), as far as it is shown, keeping the rows that are still there.

        The pages shown are read again from page 1 and the rows are brought in line with
        them: photos gone are removed, new ones inserted where the gallery puts them,
        changed ones updated. No reset, so the selection and the scroll position stay and
        only what changed is laid out and painted again. Only when the gallery has put its
        photos in another order is the model reset (as :meth:`set_source` does). Nothing
        shown yet (or a page failed): the gallery is opened again from page 1.
        """
        fetch = self._fetch
        if fetch is None or not self._photos or self._error is not None:
            self.set_source(self._target, fetch)
            return
        self._generation += 1  # a page or a tail refresh on its way now is stale
        self._refreshing = None
        generation = self._generation
        page_size = self._page_size
        pages_shown = max(1, -(-len(self._photos) // page_size)) if page_size else max(1, self._next_page - 1)
        last_shown = self._photos[-1].id

        async def read() -> list[Page[Photo]]:
            # The pages shown, and one more if photos landing before the last row pushed it there.
            pages = [await fetch(1)]
            while pages[-1].items and len(pages) < (pages[-1].total_pages or 0):
                if len(pages) >= pages_shown and (
                    len(pages) > pages_shown or any(photo.id == last_shown for page in pages for photo in page.items)
                ):
                    break
                pages.append(await fetch(len(pages) + 1))
            return pages

        self._set_loading(True)
        try:
            _ = self._tasks.run(
                read(),
                on_result=lambda pages: self._reread_arrived(generation, pages),
                on_error=lambda error: self._page_failed(generation, error),
                name="photos-reload",
            )
        except RuntimeError:  # the app is closing
            self._set_loading(False)

    def clear(self) -> None:
        self.set_source(None, None)

    # --- lazy loading ----------------------------------------------------------------------

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:
        if parent.isValid() or self._fetch is None or self._loading or self._error is not None:
            return False
        return self._total_pages is None or self._next_page <= self._total_pages

    def has_more(self) -> bool:
        """Pages not fetched yet (whether or not one is on its way)."""
        return (
            self._fetch is not None
            and self._error is None
            and (self._total_pages is None or self._next_page <= self._total_pages)
        )

    def load_to_the_end(self) -> None:
        """Fetch page after page until the last one (End in the grid), however many that takes."""
        self._to_the_end = True
        if self.canFetchMore():
            self.fetchMore()

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:
        if not self.canFetchMore(parent):
            return
        generation = self._generation
        page = self._next_page
        fetch = self._fetch
        assert fetch is not None
        self._set_loading(True)
        try:
            _ = self._tasks.run(
                fetch(page),
                on_result=lambda result: self._page_arrived(generation, page, result),
                on_error=lambda error: self._page_failed(generation, error),
                name=f"photos-page-{page}",
            )
        except RuntimeError:  # the app is closing: no more pages
            self._set_loading(False)

    def _page_arrived(self, generation: int, page: int, result: Page[Photo]) -> None:
        if generation != self._generation:
            return
        self._total_pages = result.total_pages
        self._total_results = result.total_results
        self._next_page = page + 1
        self.pages_loaded += 1
        if result.total_pages is not None and page < result.total_pages:
            self._page_size = len(result.items)  # a full page: what the fetcher asks for
        fresh = [photo for photo in result.items if photo.id not in self._row_of]
        if fresh:
            first = len(self._photos)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            for offset, photo in enumerate(fresh):
                self._row_of[photo.id] = first + offset
                self._photos.append(photo)
            self.endInsertRows()
        if not result.items:
            self._total_pages = min(self._total_pages or page, page)  # an empty page ends the list
        self._set_loading(False)
        self.page_loaded.emit(page)
        if self._to_the_end:
            if self.canFetchMore():
                self.fetchMore()
            else:
                self._to_the_end = False

    def _page_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._error = plain_message(error)
        self._to_the_end = False
        self._set_loading(False)
        log.warning("Could not load photos of %s: %s", self._target.display_name if self._target else "?", error)
        self.load_failed.emit(self._error)

    def retry(self) -> None:
        """Try the page that failed again."""
        self._error = None
        if self.canFetchMore():
            self.fetchMore()

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    # --- QAbstractListModel ----------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._photos)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._photos) or index.column() != 0:
            return None
        photo = self._photos[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, PhotoRole.NameRole):
            return photo.name or f"Photo {photo.id}"
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbnails.pixmap(photo)
        if role == Qt.ItemDataRole.ToolTipRole:
            size = f"\n{photo.width:,} × {photo.height:,} px" if photo.width and photo.height else ""
            return f"{photo.name or f'Photo {photo.id}'}{size}"
        if role == PhotoRole.PhotoRole:
            return photo
        if role == PhotoRole.IdRole:
            return photo.id
        if role == PhotoRole.ThumbnailStateRole:
            if self._thumbnails.is_loaded(photo.id):
                return ThumbnailState.READY
            if self._thumbnails.has_failed(photo.id):
                return ThumbnailState.UNAVAILABLE
            return ThumbnailState.LOADING
        return None

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        for role in PhotoRole:
            names[int(role)] = QByteArray(role.name[0].lower().encode() + role.name[1:].encode())
        return names

    def row_of(self, photo_id: int) -> int | None:
        return self._row_of.get(photo_id)

    def _thumbnail_changed(self, photo_id: int) -> None:
        row = self._row_of.get(photo_id)
        if row is not None:
            index = self.index(row, 0)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole, PhotoRole.ThumbnailStateRole])

    # --- reading the gallery again in place -----------------------------------------------------

    def _reread_arrived(self, generation: int, pages: list[Page[Photo]]) -> None:
        if generation != self._generation:
            return
        last = pages[-1]
        seen: set[int] = set()
        fresh: list[Photo] = []
        for photo in (p for result in pages for p in result.items):
            if photo.id not in seen:  # a photo landing between two pages shifts one into both
                seen.add(photo.id)
                fresh.append(photo)
        if len(pages) > 1 or (last.total_pages is not None and last.total_pages > 1):
            self._page_size = len(pages[0].items) or self._page_size
        self._total_results = last.total_results
        last_page = len(pages)
        self._total_pages = last.total_pages if last.items else min(last.total_pages or last_page, last_page)
        self._next_page = last_page + 1
        self.pages_loaded = last_page
        if not self._bring_in_line(fresh):
            self.beginResetModel()
            self._photos = fresh
            self._row_of = {photo.id: row for row, photo in enumerate(fresh)}
            self.endResetModel()
        self._set_loading(False)
        self.page_loaded.emit(last_page)
        if self._to_the_end:
            if self.canFetchMore():
                self.fetchMore()
            else:
                self._to_the_end = False

    def _bring_in_line(self, fresh: list[Photo]) -> bool:
        """Make the rows ``fresh`` by removing, inserting and updating rows; False if it needs moves."""
        wanted = {photo.id for photo in fresh}
        kept = [photo.id for photo in self._photos if photo.id in wanted]
        if kept != [photo.id for photo in fresh if photo.id in self._row_of]:
            return False  # the gallery's order changed: rows would have to move
        # Rows are numbered again once at the end, not after each run: a big gallery with photos
        # landing all through it would otherwise cost runs x rows. Meanwhile ``_row_of`` only
        # tells which photos are shown.
        first_moved = len(self._photos)
        row = len(self._photos) - 1
        while row >= 0:  # runs of rows gone, from the end so the rows before keep their numbers
            if self._photos[row].id in wanted:
                row -= 1
                continue
            last = row
            while row >= 0 and self._photos[row].id not in wanted:
                row -= 1
            self.beginRemoveRows(QModelIndex(), row + 1, last)
            for photo in self._photos[row + 1 : last + 1]:
                del self._row_of[photo.id]
            del self._photos[row + 1 : last + 1]
            first_moved = row + 1
            self.endRemoveRows()
        # What is left is ``fresh`` without its new photos, in the same order: insert runs of those.
        position = 0
        while position < len(fresh):
            photo = fresh[position]
            if position < len(self._photos) and self._photos[position].id == photo.id:
                if self._photos[position] != photo:
                    self._photos[position] = photo
                    index = self.index(position, 0)
                    self.dataChanged.emit(index, index)
                position += 1
                continue
            end = position
            while end < len(fresh) and fresh[end].id not in self._row_of:
                end += 1
            assert end > position, "the rows kept are in the gallery's order"
            self.beginInsertRows(QModelIndex(), position, end - 1)
            self._photos[position:position] = fresh[position:end]
            self._row_of.update((new.id, -1) for new in fresh[position:end])
            first_moved = min(first_moved, position)
            self.endInsertRows()
            position = end
        self._renumber(first_moved)
        return True

    def _renumber(self, first: int) -> None:
        for row in range(first, len(self._photos)):
            self._row_of[self._photos[row].id] = row

    # --- photos landing while the gallery is shown ----------------------------------------------

    def refresh_tail(self) -> bool:
        """Read the last page shown and the pages after it again; new photos join where the gallery puts them.

        For uploads landing in the open gallery: the rows shown stay (and with them the
        selection and the scroll position), new ones are inserted in the server's order.
        While pages are still to be fetched by scrolling, new photos come with those
        pages, so only the totals are read again. Returns False when nothing was started.
        """
        fetch = self._fetch
        if fetch is None or self._loading or self._refreshing == self._generation or self._error is not None:
            return False
        page_size = self._page_size
        first_page = max(1, len(self._photos) // page_size) if page_size else 1
        if self.canFetchMore():
            first_page = self._next_page - 1 if self._next_page > 1 else 1
        generation = self._generation
        more = self.canFetchMore()

        async def read() -> list[Page[Photo]]:
            pages = [await fetch(first_page)]
            while (
                not more
                and pages[-1].items
                and pages[-1].total_pages is not None
                and first_page + len(pages) <= pages[-1].total_pages
            ):
                pages.append(await fetch(first_page + len(pages)))
            return pages

        self._refreshing = generation
        try:
            _ = self._tasks.run(
                read(),
                on_result=lambda pages: self._tail_arrived(generation, first_page, pages, more),
                on_error=lambda _error: self._tail_failed(generation),
                name="photos-tail",
                quiet=True,
            )
        except RuntimeError:  # the app is closing
            self._refreshing = None
            return False
        return True

    def _tail_failed(self, generation: int) -> None:
        if generation == self._generation:
            self._refreshing = None

    def _tail_arrived(self, generation: int, first_page: int, pages: list[Page[Photo]], more: bool) -> None:
        if generation != self._generation:
            return
        self._refreshing = None
        last = pages[-1]
        self._total_results = last.total_results
        if more:
            self._total_pages = last.total_pages
            self.page_loaded.emit(first_page)
            return
        start = min(len(self._photos), (first_page - 1) * (self._page_size or 0))
        # Walk the server's order: a run of new photos goes right after the known photo before it.
        fresh: list[Photo] = []
        fresh_ids: set[int] = set()  # a page shifted by a photo landing meanwhile repeats one
        position = start
        for photo in (p for result in pages for p in result.items):
            row = self._row_of.get(photo.id)
            if row is None:
                if photo.id not in fresh_ids:
                    fresh_ids.add(photo.id)
                    fresh.append(photo)
                continue
            if fresh:
                self._insert_at(min(position, row), fresh)
                fresh, fresh_ids = [], set()
            position = self._row_of[photo.id] + 1
        if fresh:
            self._insert_at(min(position, len(self._photos)), fresh)
        last_page = first_page + len(pages) - 1
        self._total_pages = last.total_pages if last.items else min(last.total_pages or last_page, last_page)
        self._next_page = last_page + 1
        self.page_loaded.emit(last_page)

    def _insert_at(self, row: int, photos: list[Photo]) -> int:
        """Insert ``photos`` before ``row``; returns the row after them."""
        self.beginInsertRows(QModelIndex(), row, row + len(photos) - 1)
        self._photos[row:row] = photos
        self._renumber(row)
        self.endInsertRows()
        return row + len(photos)
