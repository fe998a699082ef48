"""What the upload side tells the user unasked: a batch finished, uploads stopped, the sign-in was refused.

A hot folder makes a batch per burst of new photos; batches of one folder that
finish within ``quiet_ms`` of each other make one notification. A finished batch
also makes the gallery show its new photos (counts in the tree, the grid's tail).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from studio_desktop.ui.uploads.controller import UploadController, target_name
from studio_desktop.uploads import events as ev
from studio_desktop.uploads.records import queue as q
from studio_desktop.uploads.texts import batch_summary, quoted

if TYPE_CHECKING:
    from studio_desktop.ui.main_window import MainWindow

#: A hot folder's batches finishing within this long of each other make one notification.
HOT_FOLDER_QUIET_MS = 4000


class Announcements(QObject):
    """Notifications (tray or toast, through the notifier) about the engine's work."""

    #: A batch finished: ``(batch_id, counts, message)``; 0 for a hot folder's batches told together.
    batch_announced = Signal(int, dict, str)

    def __init__(
        self,
        window: MainWindow,
        services: Any,
        controller: UploadController,
        notifier: Any,
        *,
        quiet_ms: int = HOT_FOLDER_QUIET_MS,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.window = window
        self.services = services
        self.controller = controller
        self.notifier = notifier
        self.quiet_ms = quiet_ms
        self._hot_pending: dict[str, Counter] = {}
        self._hot_timers: dict[str, QTimer] = {}
        controller.engine_event.connect(self._engine_event)

    def _engine_event(self, event: Any) -> None:
        if isinstance(event, ev.BatchFinished):
            self._batch_finished(event)
        elif isinstance(event, ev.QueueStopped):
            self.notifier.notify("Uploads stopped", event.reason, warning=True)
        elif isinstance(event, ev.DoubleLeft):
            self.notifier.notify("A photo may be in a gallery twice", event.message, warning=True)
        elif isinstance(event, ev.NeedsSignIn):
            self.notifier.notify(
                "Uploads paused",
                "ShootProof did not accept the sign-in. Sign in again to continue uploading.",
                warning=True,
            )

    def _batch_finished(self, event: ev.BatchFinished) -> None:
        store = self.services.store
        if store is None:
            return
        counts = dict(event.counts)
        self.controller.run(
            store.read(q.get_batch, event.batch_id),
            lambda batch: self._announce(event.batch_id, counts, batch),
            name="upload-batch-finished",
        )

    def _announce(self, batch_id: int, counts: dict[str, int], batch: q.Batch | None) -> None:
        if batch is None:
            return
        name = target_name(self.window, batch.event_id, batch.album_id) or batch.label
        hot = batch.options.get("hot_folder") if isinstance(batch.options, dict) else None
        self._refresh_views_after(batch, counts)
        if hot:
            self._collect_hot_folder_batch(str(hot), counts, name)
            return
        if not any(counts.values()):
            message = f"No photos were found to upload to {quoted(name)}." if name else "No photos were found."
        else:
            message = batch_summary(counts, name)
        failed = counts.get(q.FAILED, 0) > 0
        self.notifier.notify("Upload finished", message, warning=failed)
        self.batch_announced.emit(batch_id, counts, message)

    def _collect_hot_folder_batch(self, folder: str, counts: dict[str, int], name: str | None) -> None:
        pending = self._hot_pending.setdefault(folder, Counter())
        pending.update(counts)
        timer = self._hot_timers.get(folder)
        if timer is None:
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.timeout.connect(lambda: self._announce_hot_folder(folder, name))
            self._hot_timers[folder] = timer
        timer.start(self.quiet_ms)

    def _announce_hot_folder(self, folder: str, name: str | None) -> None:
        counts = dict(self._hot_pending.pop(folder, Counter()))
        self._hot_timers.pop(folder, QTimer()).deleteLater()
        if not any(counts.values()):
            return
        message = batch_summary(counts, name)
        self.notifier.notify(
            f"Hot folder {quoted(Path(folder).name or folder)}", message, warning=counts.get(q.FAILED, 0) > 0
        )
        self.batch_announced.emit(0, counts, message)

    def _refresh_views_after(self, batch: q.Batch, counts: dict[str, int]) -> None:
        """New photos show up: the tree's counts are read again, and the tree itself when mirroring made albums.

        The open grid already took the photos in as they landed (:class:`GalleryFollower`); one last
        look catches the final ones. Nothing is reset, so the selection and scroll position stay.
        """
        if not counts.get(q.DONE):
            return
        gallery = self.services.extras.get("gallery")
        if gallery is not None:
            # A hot folder makes a batch per burst: building the whole tree again for each is too much,
            # so albums its mirroring made show with the next refresh (F5); counts follow at once.
            new_albums = bool(batch.options.get("mirror_folders")) and not batch.options.get("hot_folder")
            gallery.photos_landed(batch.event_id, new_albums=new_albums)
        shown = self.window.grid_model.target
        if shown is not None and shown.event_id == batch.event_id:
            self.window.grid_model.refresh_tail()

    def close(self) -> None:
        for timer in self._hot_timers.values():
            timer.stop()
