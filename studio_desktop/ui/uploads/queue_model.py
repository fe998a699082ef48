"""The upload queue as a table model that windows the store's rows.

A queue can hold 100,000 items, so rows are never loaded all at once: the model
knows how many rows there are (one ``COUNT`` per state) and loads pages of
rows on demand when the view asks for them, keeping only the most recently
used pages. Engine events do not touch Qt directly: they are noted in plain
dicts, and :meth:`UploadQueueModel.flush` (called by a timer, ~10 times a
second at most) turns what changed into one ``dataChanged`` and, when rows
came or went, a row insert or a reset. So a busy upload never repaints more
often than the timer allows, whatever the byte rate.

What events say is kept as "news" per item and laid over the stored row when
the view reads it: a page loaded a moment before an event still shows the
event's state.
"""

from __future__ import annotations

import dataclasses
import enum
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import QApplication

from studio_desktop.core import bidi
from studio_desktop.ui import theme
from studio_desktop.uploads import events as ev
from studio_desktop.uploads.records import queue as q
from studio_desktop.uploads.texts import rate_text, size_text, state_text

AnyIndex = QModelIndex | QPersistentModelIndex

#: ``runner(coro, on_result, on_error)``: start a coroutine in the background (the window's TaskRunner).
Runner = Callable[[Any, Callable[[Any], None], Callable[[BaseException], None]], Any]
#: ``names(event_id, album_id)``: "Smith Wedding › Day 1", or None when the tree does not know it.
NameLookup = Callable[[int, int | None], str | None]

PAGE_SIZE = 200
MAX_PAGES = 30
MAX_NEWS = 20_000
#: Rows coming and going in a filtered view rebuild it, so not more often than this.
FILTERED_REFRESH_SECONDS = 1.0
COUNTS_REFRESH_SECONDS = 0.4
RATE_SMOOTHING = 0.3


class Column(enum.IntEnum):
    NAME = 0
    TARGET = 1
    STATE = 2
    PROGRESS = 3
    SIZE = 4
    RATE = 5
    REASON = 6


HEADERS = {
    Column.NAME: "File",
    Column.TARGET: "Gallery / album",
    Column.STATE: "State",
    Column.PROGRESS: "Progress",
    Column.SIZE: "Size",
    Column.RATE: "Speed",
    Column.REASON: "Details",
}


class QueueRole(enum.IntEnum):
    ItemRole = Qt.ItemDataRole.UserRole + 40
    ItemIdRole = Qt.ItemDataRole.UserRole + 41
    StateRole = Qt.ItemDataRole.UserRole + 42
    ProgressRole = Qt.ItemDataRole.UserRole + 43
    PathRole = Qt.ItemDataRole.UserRole + 44
    MessageRole = Qt.ItemDataRole.UserRole + 45


class QueueFilter(enum.Enum):
    """Which rows the dock shows: (label, states; None for all)."""

    ALL = ("All", None)
    ACTIVE = ("Active", (q.QUEUED, q.CHECKING, q.UPLOADING, q.PAUSED))
    FAILED = ("Failed", (q.FAILED,))
    DUPLICATES = ("Duplicates", (q.DUPLICATE,))
    SKIPPED = ("Skipped", (q.SKIPPED,))
    LEFT_OUT = ("Left out", (q.FILTERED,))
    DONE = ("Done", (q.DONE,))

    @property
    def label(self) -> str:
        return self.value[0]

    @property
    def states(self) -> tuple[str, ...] | None:
        return self.value[1]

    def holds(self, state: str | None) -> bool:
        return self.states is None or state in self.states

    def count(self, counts: dict[str, tuple[int, int]]) -> int:
        states = self.states if self.states is not None else tuple(counts)
        return sum(counts.get(s, (0, 0))[0] for s in states)


@dataclass
class _News:
    """What engine events said about one item since its row was read."""

    state: str | None = None
    message: str | None = None
    photo_id: int | None = None
    bytes_sent: int | None = None
    rate: float = 0.0
    progress_at: float = 0.0


@dataclass(frozen=True)
class QueueRow:
    """One row as the view sees it: the stored item with the latest news laid over it."""

    item: q.Item
    label: str | None
    state: str
    message: str | None
    bytes_sent: int
    rate: float

    @property
    def id(self) -> int:
        return self.item.id

    @property
    def progress(self) -> float | None:
        if self.state in (q.DONE, q.DUPLICATE):
            return 1.0
        if self.state in (q.FAILED, q.CANCELLED, q.SKIPPED, q.FILTERED):
            return None
        size = self.item.size
        if size <= 0:
            return 0.0
        return max(0.0, min(1.0, self.bytes_sent / size))


class UploadQueueModel(QAbstractTableModel):
    """Rows of the upload queue (id order), filtered by :class:`QueueFilter`.

    Feed it engine events with :meth:`note`; call :meth:`flush` from a timer.
    ``counts_changed(dict)`` carries ``{state: (files, bytes)}`` for the whole
    queue; ``about_to_rebuild``/``rebuilt`` bracket resets so the view can keep
    its selection; ``page_loaded(first, last)`` says rows got their data.
    """

    counts_changed = Signal(dict)
    about_to_rebuild = Signal()
    rebuilt = Signal()
    page_loaded = Signal(int, int)

    def __init__(
        self,
        store: Any,
        runner: Runner,
        names: NameLookup | None = None,
        *,
        page_size: int = PAGE_SIZE,
        max_pages: int = MAX_PAGES,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.store = store
        self._run = runner
        self._names = names or (lambda event_id, album_id: None)
        self.page_size = page_size
        self.max_pages = max_pages
        self._filter = QueueFilter.ALL
        self._count = 0
        self._counts: dict[str, tuple[int, int]] = {s: (0, 0) for s in q.STATES}
        self._pages: OrderedDict[int, list[q.Item]] = OrderedDict()
        self._labels: dict[int, str | None] = {}
        self._loading: set[int] = set()
        self._row_of: dict[int, int] = {}
        self._news: OrderedDict[int, _News] = OrderedDict()
        self._dirty: set[int] = set()
        self._generation = 0
        self._counts_dirty = True
        self._membership_dirty = False
        self._counting = False
        self._rebuild_wanted = False
        self._last_count_at = 0.0
        self._last_rebuild_at = 0.0

    # -- filter ---------------------------------------------------------------------------

    @property
    def queue_filter(self) -> QueueFilter:
        return self._filter

    def set_filter(self, queue_filter: QueueFilter) -> None:
        """Show other rows: empty at once, then the rows as soon as they are counted."""
        if queue_filter is self._filter:
            return
        self._filter = queue_filter
        self.beginResetModel()
        self._forget_rows()
        self._count = 0
        self.endResetModel()
        self._counts_dirty = True
        self._rebuild_wanted = False
        self._request_counts(force=True)

    def reload(self) -> None:
        """Everything again from the store (after clearing finished items, or a new engine)."""
        self._counts_dirty = True
        self._rebuild_wanted = True
        self._news.clear()
        self._generation += 1  # counts and pages already on their way describe the old rows
        self._counting = False
        self._loading.clear()
        self._request_counts(force=True)

    @property
    def counts(self) -> dict[str, tuple[int, int]]:
        return dict(self._counts)

    # -- engine events ----------------------------------------------------------------------

    def note(self, event: Any) -> None:
        """Take an engine event into account; nothing is repainted until :meth:`flush`."""
        if isinstance(event, ev.ItemProgress):
            news = self._news_for(event.item_id)
            now = time.monotonic()
            if news.bytes_sent is not None and news.progress_at and event.bytes_sent > news.bytes_sent:
                elapsed = max(now - news.progress_at, 1e-3)
                instant = (event.bytes_sent - news.bytes_sent) / elapsed
                news.rate = instant if not news.rate else news.rate + RATE_SMOOTHING * (instant - news.rate)
            news.bytes_sent = event.bytes_sent
            news.progress_at = now
            news.state = news.state or q.UPLOADING
            self._dirty.add(event.item_id)
        elif isinstance(event, ev.ItemStateChanged):
            old = self._known_state(event.item_id)
            news = self._news_for(event.item_id)
            news.state = event.state
            news.message = event.message
            if event.photo_id is not None:
                news.photo_id = event.photo_id
            if event.state != q.UPLOADING:
                news.rate = 0.0
                news.progress_at = 0.0
                news.bytes_sent = None if event.state not in (q.QUEUED, q.CHECKING) else 0
            else:
                news.bytes_sent = 0
            self._dirty.add(event.item_id)
            self._counts_dirty = True
            if self._filter.states is not None and (
                old is None or self._filter.holds(old) != self._filter.holds(event.state)
            ):
                self._membership_dirty = True
        elif isinstance(event, ev.ItemsAdded):
            self._counts_dirty = True
            if self._filter.states is not None:
                self._membership_dirty = True

    def _news_for(self, item_id: int) -> _News:
        news = self._news.get(item_id)
        if news is None:
            news = self._news[item_id] = _News()
            while len(self._news) > MAX_NEWS:
                self._news.popitem(last=False)
        else:
            self._news.move_to_end(item_id)
        return news

    def _known_state(self, item_id: int) -> str | None:
        news = self._news.get(item_id)
        if news is not None and news.state is not None:
            return news.state
        row = self._row_of.get(item_id)
        if row is None:
            return None
        item = self._item_at(row)
        return item.state if item is not None else None

    # -- repainting, at most as often as flush is called ----------------------------------------

    @property
    def pending(self) -> bool:
        """Whether a flush still has something to do (rows to repaint, counts to read or waiting for)."""
        return bool(
            self._dirty or self._counts_dirty or self._membership_dirty or self._counting or self._rebuild_wanted
        )

    def flush(self) -> None:
        if self._dirty:
            rows = [self._row_of[i] for i in self._dirty if i in self._row_of]
            self._dirty.clear()
            if rows:
                self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), len(Column) - 1))
        self._request_counts()

    def _request_counts(self, *, force: bool = False) -> None:
        if self.store is None:
            return
        if self._counting or not (self._counts_dirty or self._membership_dirty or force):
            return
        now = time.monotonic()
        if not force and now - self._last_count_at < COUNTS_REFRESH_SECONDS:
            return
        if (
            not force
            and self._membership_dirty
            and not self._counts_dirty
            and now - self._last_rebuild_at < FILTERED_REFRESH_SECONDS
        ):
            return
        self._counting = True
        self._counts_dirty = False
        self._last_count_at = now
        generation = self._generation
        self._start(
            self.store.read(q.counts, None),
            lambda counts: self._counts_arrived(counts, generation),
            self._counts_failed,
        )

    def _counts_failed(self, error: BaseException) -> None:
        self._counting = False
        self._counts_dirty = True

    def _counts_arrived(self, counts: dict[str, tuple[int, int]], generation: int) -> None:
        self._counting = False
        self._counts = dict(counts)
        self.counts_changed.emit(self.counts)
        if generation != self._generation:
            self._counts_dirty = True
            return
        wanted = self._filter.count(counts)
        now = time.monotonic()
        if self._rebuild_wanted:
            self._rebuild(wanted)
        elif self._filter.states is None:
            if wanted > self._count:
                self._append(wanted)
            elif wanted < self._count:
                self._rebuild(wanted)
        elif self._membership_dirty or wanted != self._count:
            if now - self._last_rebuild_at >= FILTERED_REFRESH_SECONDS or self._count == 0:
                self._rebuild(wanted)
            else:
                self._membership_dirty = True  # try again on a later flush

    def _append(self, wanted: int) -> None:
        last_page = (self._count - 1) // self.page_size if self._count else None
        if last_page is not None and last_page in self._pages and len(self._pages[last_page]) < self.page_size:
            self._drop_page(last_page)  # it was cut short; read it again with the new rows
        self.beginInsertRows(QModelIndex(), self._count, wanted - 1)
        self._count = wanted
        self.endInsertRows()

    def _rebuild(self, wanted: int) -> None:
        self.about_to_rebuild.emit()
        self.beginResetModel()
        self._forget_rows()
        self._count = wanted
        self._membership_dirty = False
        self._rebuild_wanted = False
        self._last_rebuild_at = time.monotonic()
        self.endResetModel()
        self.rebuilt.emit()

    def _forget_rows(self) -> None:
        self._generation += 1
        self._pages.clear()
        self._labels.clear()
        self._loading.clear()
        self._row_of.clear()
        self._dirty.clear()

    # -- pages --------------------------------------------------------------------------------------

    def _item_at(self, row: int) -> q.Item | None:
        page_no, offset = divmod(row, self.page_size)
        page = self._pages.get(page_no)
        if page is None:
            self._load(page_no)
            return None
        self._pages.move_to_end(page_no)
        return page[offset] if offset < len(page) else None

    def _load(self, page_no: int) -> None:
        if page_no in self._loading or page_no < 0 or self.store is None:
            return
        self._loading.add(page_no)
        generation = self._generation
        offset = page_no * self.page_size
        self._start(
            self.store.read(q.read_page, self._filter.states, offset, self.page_size),
            lambda result: self._page_arrived(page_no, generation, result),
            lambda error: self._loading.discard(page_no),
        )

    def _start(self, coro: Any, on_result: Callable[[Any], None], on_error: Callable[[BaseException], None]) -> None:
        try:
            self._run(coro, on_result, on_error)
        except RuntimeError as exc:  # the app is shutting down
            coro.close()
            on_error(exc)

    def _page_arrived(self, page_no: int, generation: int, result: tuple[list[q.Item], dict[int, str | None]]) -> None:
        if generation != self._generation:
            return
        self._loading.discard(page_no)
        items, labels = result
        self._labels.update(labels)
        self._pages[page_no] = items
        first = page_no * self.page_size
        for offset, item in enumerate(items):
            self._row_of[item.id] = first + offset
        while len(self._pages) > self.max_pages:
            self._drop_page(next(iter(self._pages)))
        last = min(first + self.page_size, self._count) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(Column) - 1))
            self.page_loaded.emit(first, last)

    def _drop_page(self, page_no: int) -> None:
        for item in self._pages.pop(page_no, []):
            self._row_of.pop(item.id, None)

    def loaded_pages(self) -> int:
        return len(self._pages)

    # -- rows as the view sees them -------------------------------------------------------------------

    def row_at(self, row: int) -> QueueRow | None:
        """The row's item with the latest news laid over it (None while its page loads)."""
        if not 0 <= row < self._count:
            return None
        item = self._item_at(row)
        if item is None:
            return None
        news = self._news.get(item.id)
        state, message, sent, rate = item.state, item.last_error, item.bytes_sent, 0.0
        if news is not None:
            state = news.state or state
            if news.state is not None:
                message = news.message
            if news.bytes_sent is not None:
                sent = news.bytes_sent
            rate = news.rate if state == q.UPLOADING else 0.0
        if news is not None and news.photo_id is not None and item.photo_id != news.photo_id:
            item = dataclasses.replace(item, photo_id=news.photo_id)
        return QueueRow(item, self._labels.get(item.batch_id), state, message, sent, rate)

    def row_of(self, item_id: int) -> int | None:
        """The row an item is on, if its page is loaded."""
        return self._row_of.get(item_id)

    def find_row(self, predicate: Callable[[QueueRow], bool]) -> int | None:
        """The first loaded row for which ``predicate`` holds (for tests and "show me" actions)."""
        for row in sorted(self._row_of.values()):
            queue_row = self.row_at(row)
            if queue_row is not None and predicate(queue_row):
                return row
        return None

    def target_text(self, row: QueueRow) -> str:
        item = row.item
        base = (
            self._names(item.event_id, item.album_id)
            or row.label
            or bidi.path((f"Gallery {item.event_id}", *((f"album {item.album_id}",) if item.album_id else ())))
        )
        if not base.startswith(bidi.FSI):
            base = bidi.isolate(base)
        return bidi.PATH_SEPARATOR.join((base, *(bidi.isolate(name) for name in item.rel_album_path)))

    async def ids_in_rows(self, ranges: Sequence[tuple[int, int]]) -> list[int]:
        """The item ids in row ranges (inclusive); rows not loaded are read from the store."""
        ids: list[int] = []
        states = self._filter.states
        for first, last in ranges:
            missing = False
            chunk: list[int] = []
            for row in range(first, last + 1):
                page = self._pages.get(row // self.page_size)
                offset = row % self.page_size
                if page is None or offset >= len(page):
                    missing = True
                    break
                chunk.append(page[offset].id)
            if missing:
                chunk = await self.store.read(q.read_ids, states, first, last - first + 1)
            ids.extend(chunk)
        return ids

    # -- QAbstractItemModel -------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[Column(section)]
        if role == Qt.ItemDataRole.TextAlignmentRole and section in (Column.SIZE, Column.RATE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        row = self.row_at(index.row())
        column = Column(index.column())
        if row is None:
            if role == Qt.ItemDataRole.DisplayRole and column == Column.NAME:
                return "…"
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == Column.NAME:
                return row.item.path
            if column == Column.REASON and row.message:
                return row.message
            if column == Column.TARGET:
                return self.target_text(row)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (Column.SIZE, Column.RATE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column in (Column.STATE, Column.REASON):
            return _state_brush(row.state)
        if role == QueueRole.ItemRole:
            return row
        if role == QueueRole.ItemIdRole:
            return row.id
        if role == QueueRole.StateRole:
            return row.state
        if role == QueueRole.ProgressRole:
            return row.progress
        if role == QueueRole.PathRole:
            return row.item.path
        if role == QueueRole.MessageRole:
            return row.message
        return None

    def _display(self, row: QueueRow, column: Column) -> str:
        if column == Column.NAME:
            return row.item.name or os.path.basename(row.item.path)
        if column == Column.TARGET:
            return self.target_text(row)
        if column == Column.STATE:
            return state_text(row.state, row.message)
        if column == Column.PROGRESS:
            progress = row.progress
            if progress is None or (not progress and row.state in (q.QUEUED, q.CHECKING, q.PAUSED)):
                return ""
            return f"{progress:.0%}"
        if column == Column.SIZE:
            return size_text(row.item.size) if row.item.size else ""
        if column == Column.RATE:
            return rate_text(row.rate) if row.state == q.UPLOADING else ""
        if column == Column.REASON:
            return _reason_text(row)
        return ""


def _reason_text(row: QueueRow) -> str:
    if row.state == q.DONE:
        return row.message or (f"Photo {row.item.photo_id}" if row.item.photo_id else "")
    if row.state in (q.CANCELLED, q.PAUSED) and row.message in ("Cancelled.", "Paused."):
        return ""
    return row.message or ""


_TONES = {q.FAILED: "error", q.DUPLICATE: "warning", q.DONE: "success"}


def _state_brush(state: str) -> QBrush | None:
    name = _TONES.get(state)
    if name is None:
        if state in (q.CANCELLED, q.PAUSED):
            return QBrush(QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        return None
    return QBrush(theme.tone(name))
