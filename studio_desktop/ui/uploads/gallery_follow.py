"""The open gallery follows uploads into it: new photos join the grid as they land, not when the batch ends.

Engine events name an item's batch, not its gallery, so the batch's target is read
from the store once and kept. Photos landing are gathered for a moment
(``FOLLOW_MS``), then the grid reads its last page again; a busy upload therefore
costs one small request every ``FOLLOW_MS`` at most, whatever the number of photos.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

from studio_desktop.uploads import events as ev
from studio_desktop.uploads.records import queue as q

FOLLOW_MS = 700
#: Batch targets kept; a hot folder makes a batch per burst, so this only bounds a long session.
MAX_BATCHES = 500


class GalleryFollower(QObject):
    """Turns "photo uploaded" events into grid refreshes for the gallery shown (an event, or one of its albums)."""

    def __init__(
        self,
        grid_model: Any,
        read_batch: Callable[[int, Callable[[q.Batch | None], None]], None],
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.grid_model = grid_model
        self._read_batch = read_batch
        self._events: dict[int, int] = {}  # batch id -> event id
        self._reading: set[int] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FOLLOW_MS)
        self._timer.timeout.connect(self._refresh)
        self.refreshes = 0

    def note(self, event: Any) -> None:
        if not isinstance(event, ev.ItemStateChanged) or event.state != q.DONE:
            return
        event_id = self._events.get(event.batch_id)
        if event_id is not None:
            self._landed(event_id)
        elif event.batch_id not in self._reading:
            self._reading.add(event.batch_id)
            self._read_batch(event.batch_id, functools.partial(self._batch_read, event.batch_id))

    def _batch_read(self, batch_id: int, batch: q.Batch | None) -> None:
        self._reading.discard(batch_id)
        if batch is None:
            return
        if len(self._events) >= MAX_BATCHES:
            self._events.pop(next(iter(self._events)))
        self._events[batch_id] = batch.event_id
        self._landed(batch.event_id)

    def _landed(self, event_id: int) -> None:
        # An event's grid shows the photos of its albums too; an album's grid may be the
        # target or hold a mirrored subfolder's photos: either way it is worth one look.
        shown = self.grid_model.target
        if shown is not None and shown.event_id == event_id and not self._timer.isActive():
            self._timer.start()

    def _refresh(self) -> None:
        if self.grid_model.refresh_tail():
            self.refreshes += 1
        elif self.grid_model.target is not None and self.grid_model.error is None:
            self._timer.start()  # a page is loading: look again in a moment
