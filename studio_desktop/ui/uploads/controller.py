"""The upload queue's controller: binds to the engine, repaints on a tick, and runs the queue's commands.

Engine events arrive on the loop's thread (qasync runs it on the GUI thread).
They are noted, not painted: one timer (10 per second while uploading, once a
second when idle) repaints the queue, the totals and the banners. Each event is
passed on as ``engine_event`` for the other upload controllers.

The engine can be replaced (signing in again makes a new one): the services
announce it (``engineChanged``) and :meth:`UploadController.bind_engine` follows.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QMessageBox, QStyle

from studio_desktop.core import bidi
from studio_desktop.gallery.tree_nodes import ALBUM, EVENT, AlbumNode, GalleryTarget
from studio_desktop.ui import icons
from studio_desktop.ui.status_bar import ConnectionState, plan_text
from studio_desktop.ui.uploads.queue_dock import UploadQueuePanel
from studio_desktop.ui.uploads.queue_model import UploadQueueModel
from studio_desktop.uploads import events as ev
from studio_desktop.uploads.records import queue as q
from studio_desktop.uploads.texts import plural

if TYPE_CHECKING:
    from studio_desktop.ui.main_window import MainWindow

BUSY_TICK_MS = 100
IDLE_TICK_MS = 1000
NO_ENGINE_TEXT = "Sign in to ShootProof to upload. The queue below is kept and continues after signing in."

FolderOpener = Callable[[str], Any]


def open_folder_of(path: str) -> bool:
    """Open the folder holding ``path`` in the system's file manager."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(os.path.dirname(path) or path))


def run_task(
    tasks: Any,
    coro: Any,
    on_result: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    *,
    name: str | None = None,
) -> Any:
    """``tasks.run``, except that while shutting down the work is dropped instead of raising."""
    try:
        return tasks.run(coro, on_result, on_error, name=name)
    except RuntimeError:  # shutting down: no new work
        if hasattr(coro, "close"):
            coro.close()
        return None


def make_action(
    window: MainWindow,
    name: str,
    text: str,
    shortcut: str | None,
    tip: str,
    slot: Callable[[], Any],
    icon: QStyle.StandardPixmap | None = None,
) -> QAction:
    """A window-wide action registered as ``window.actions.<name>``."""
    action = QAction(text, window)
    action.setObjectName(f"action_{name}")
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.setStatusTip(tip)
    action.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
    if icon is not None:
        action.setIcon(icons.standard(icon))
    action.triggered.connect(lambda _checked=False: slot())
    window.actions.add(name, action)
    return action


def target_name(window: MainWindow, event_id: int, album_id: int | None) -> str | None:
    """``Smith Wedding › Day 1`` as the tree shows it now, or None when the tree does not hold it."""
    model = window.tree_panel.model
    if album_id is not None:
        node = model.find(ALBUM, album_id)
        if isinstance(node, AlbumNode):
            return node.target().display_name
        event = model.find(EVENT, event_id)
        return bidi.path((event.name, f"album {album_id}")) if event is not None else None
    event = model.find(EVENT, event_id)
    return bidi.isolate(event.name) if event is not None else None


def current_target(window: MainWindow) -> GalleryTarget | None:
    """The gallery or album selected in the tree, else the one the grid shows."""
    return window.current_target() or window.grid_model.target


class UploadController(QObject):
    """Follows the engine, repaints the queue panel, and runs pause, resume, retry, cancel and clear."""

    #: Every engine event, after the queue model has noted it.
    engine_event = Signal(object)
    #: The engine this controller now follows (None: signed out).
    engine_bound = Signal(object)

    def __init__(
        self,
        window: MainWindow,
        services: Any,
        tasks: Any,
        model: UploadQueueModel,
        panel: UploadQueuePanel,
        notifier: Any,
        gallery_follower: Any,
        *,
        open_folder: FolderOpener | None = None,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.window = window
        self.services = services
        self.tasks = tasks
        self.model = model
        self.panel = panel
        self.notifier = notifier
        self.gallery_follower = gallery_follower
        self.open_folder: FolderOpener = open_folder or open_folder_of
        self.engine: Any = None
        self._unsubscribe: Callable[[], None] | None = None
        self._banners: dict[str, tuple] = {}
        self._shown_paused: bool | None = None
        self._closed = False
        self.pause_action = make_action(
            window,
            "pause_uploads",
            "&Pause Uploads",
            "Ctrl+P",
            "Pause or resume every upload",
            self.toggle_pause,
            QStyle.StandardPixmap.SP_MediaPause,
        )
        panel.selection_action.connect(self.act_on_selection)
        panel.all_action.connect(self.act_on_all)
        panel.show_in_folder.connect(self.show_in_folder)
        notifier.pause_toggled.connect(self.toggle_pause)
        self._timer = QTimer(self)
        self._timer.setInterval(BUSY_TICK_MS)
        self._timer.timeout.connect(self.tick)

    def start(self) -> None:
        self._timer.start()

    def run(
        self,
        coro: Any,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        name: str | None = None,
    ) -> Any:
        return run_task(self.tasks, coro, on_result, on_error, name=name)

    def busy(self) -> None:
        """Something started moving: repaint at the busy rate until the next tick decides otherwise."""
        if self._timer.interval() != BUSY_TICK_MS:
            self._timer.setInterval(BUSY_TICK_MS)

    # --- the engine ---------------------------------------------------------------------------------

    def bind_engine(self, engine: Any) -> None:
        """Follow ``engine`` (from ``services.engineChanged``); the queue is read again for it."""
        if self._closed or engine is self.engine:
            return
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.engine = engine
        if engine is not None:
            self._unsubscribe = engine.subscribe(self._engine_event)
        self.pause_action.setEnabled(engine is not None)
        self.engine_bound.emit(engine)
        self.model.reload()
        self.tick()

    def _engine_event(self, event: Any) -> None:
        self.model.note(event)
        self.gallery_follower.note(event)
        self.busy()
        status = getattr(self.window, "status", None)
        if isinstance(event, ev.PlanUsage):
            if status is not None:
                status.set_plan(event.photos_used, event.photos_allowed)
        elif isinstance(event, ev.NeedsSignIn):
            if status is not None:
                status.set_connection(ConnectionState.SIGNED_OUT)
        elif isinstance(event, ev.NetworkDown):
            if status is not None:
                status.set_connection(ConnectionState.OFFLINE)
        elif isinstance(event, ev.NetworkUp) and status is not None:
            status.set_connection(ConnectionState.ONLINE)
        self.engine_event.emit(event)

    def tick(self) -> None:
        """Repaint what changed: rows, totals, banners, the pause button. Run by the timer."""
        if self._closed:
            return
        self.model.flush()
        engine = self.engine
        counts = self.model.counts
        files = {s: c[0] for s, c in counts.items()}
        snapshot = engine.snapshot() if engine is not None else None
        sent = snapshot.bytes_sent if snapshot else 0
        bytes_done = counts[q.DONE][1] + counts[q.DUPLICATE][1] + sent
        bytes_to_do = sum(counts[s][1] for s in (q.DONE, q.DUPLICATE, q.QUEUED, q.CHECKING, q.UPLOADING, q.PAUSED))
        paused = bool(snapshot and snapshot.paused)
        self.panel.set_totals(
            files,
            bytes_done,
            bytes_to_do,
            snapshot.rate if snapshot else 0.0,
            snapshot.eta if snapshot else None,
            held=_held(snapshot),
        )
        if paused != self._shown_paused:
            self._shown_paused = paused
            self.notifier.set_paused(paused)
            self.pause_action.setText("&Resume Uploads" if paused else "&Pause Uploads")
            self.pause_action.setIcon(
                icons.standard(QStyle.StandardPixmap.SP_MediaPlay if paused else QStyle.StandardPixmap.SP_MediaPause)
            )
        self.panel.set_paused(paused)
        if snapshot is not None and snapshot.concurrency < snapshot.user_concurrency:
            self.panel.set_concurrency_text(
                f"{snapshot.concurrency} of {snapshot.user_concurrency} at a time (ShootProof is busy)"
            )
        elif snapshot is not None:
            self.panel.set_concurrency_text(f"{snapshot.user_concurrency} at a time")
        else:
            self.panel.set_concurrency_text("")
        self._update_banners(snapshot)
        busy = self.model.pending or (
            snapshot is not None
            and (
                snapshot.in_flight > 0
                or (
                    snapshot.files.get(q.QUEUED, 0) > 0
                    and not (paused or snapshot.stopped_reason or snapshot.needs_sign_in or snapshot.network_down)
                )
            )
        )
        self.notifier.set_progress_tip(self.panel.totals_label.text() if busy else "")
        interval = BUSY_TICK_MS if busy else IDLE_TICK_MS
        if self._timer.interval() != interval:
            self._timer.setInterval(interval)

    def _update_banners(self, snapshot: Any) -> None:
        wanted: dict[str, tuple] = {}
        if snapshot is None:
            wanted["engine"] = (NO_ENGINE_TEXT, "info", "Sign In…", self._sign_in)
        else:
            if snapshot.stopped_reason:
                plan = getattr(self.engine, "plan", None)
                usage = plan_text(plan.photos_used, plan.photos_allowed) if plan is not None else ""
                text = f"Uploads stopped. {snapshot.stopped_reason.rstrip('.')}."
                if usage:
                    text += f" Plan: {usage} used."
                text += " Press Resume once there is room; the waiting photos stay queued."
                wanted["stopped"] = (text, "error", "Resume", self.resume_all)
            if snapshot.needs_sign_in:
                wanted["sign_in"] = (
                    "ShootProof did not accept the sign-in, so uploads are waiting. "
                    "Sign in again; the queue continues where it stopped.",
                    "error",
                    "Sign In…",
                    self._sign_in,
                )
            if snapshot.network_down:
                wanted["network"] = (
                    "ShootProof cannot be reached. Uploads wait and continue by themselves "
                    "when the connection is back.",
                    "warning",
                    None,
                    None,
                )
        for key in list(self._banners):
            if key not in wanted:
                self.panel.clear_banner(key)
                del self._banners[key]
        for key, content in wanted.items():
            if self._banners.get(key) != content[:3]:
                self.panel.set_banner(key, *content)
                self._banners[key] = content[:3]

    def _sign_in(self) -> None:
        self.window.actions.sign_in.trigger()

    # --- queue controls --------------------------------------------------------------------------------

    def toggle_pause(self) -> None:
        engine = self.engine
        if engine is None:
            return
        if engine.snapshot().paused:
            self.resume_all()
        else:
            sending = engine.snapshot().in_flight > 0
            engine.pause()
            self.window.status.show_info(
                "Uploads paused. A photo that was partway through starts again from the beginning when you "
                "resume: ShootProof cannot continue a half-sent photo."
                if sending
                else "Uploads paused."
            )
            self.tick()

    def resume_all(self) -> None:
        engine = self.engine
        if engine is None:
            return
        self.run(engine.resume(), lambda _moved: self.tick(), name="upload-resume")
        self.tick()

    def act_on_selection(self, name: str) -> None:
        engine = self.engine
        if engine is None:
            return
        ranges = self.panel.selected_ranges()
        if not ranges:
            return
        model = self.model

        async def run() -> int:
            ids = await model.ids_in_rows(ranges)
            operation = {
                "pause": engine.pause,
                "resume": engine.resume,
                "cancel": engine.cancel,
                "retry": engine.retry,
            }[name]
            result = operation(ids)
            moved = await result if result is not None else ids
            return len(moved)

        self.run(run(), lambda count: self._acted(name, count), name=f"upload-{name}-selected")

    def _acted(self, name: str, count: int) -> None:
        verbs = {"pause": "Paused", "resume": "Resumed", "cancel": "Cancelled", "retry": "Queued again"}
        self.window.status.show_info(f"{verbs.get(name, name)}: {plural(count, 'upload')}.")
        self.tick()

    def act_on_all(self, name: str) -> None:
        engine = self.engine
        if name == "clear":
            self.clear_finished()
        elif engine is None:
            return
        elif name == "pause":
            self.toggle_pause()
        elif name == "retry":
            self.run(engine.retry(), lambda moved: self._acted("retry", len(moved)), name="upload-retry-all")
        elif name == "cancel":
            self._confirm_cancel_all()

    def _confirm_cancel_all(self) -> None:
        pending = sum(self.model.counts[s][0] for s in q.PENDING)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Cancel uploads",
            f"Cancel {plural(pending, 'upload')} that {'has' if pending == 1 else 'have'} not finished?",
            QMessageBox.StandardButton.NoButton,
            self.window,
        )
        box.setObjectName("cancelAllConfirm")
        box.setInformativeText("Photos already uploaded stay in the gallery. Cancelled ones can be added again.")
        cancel = box.addButton("Cancel Uploads", QMessageBox.ButtonRole.DestructiveRole)
        cancel.setObjectName("confirmCancelAll")
        keep = box.addButton("Keep Uploading", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: self.cancel_all() if button is cancel else None)
        box.open()

    def cancel_all(self) -> None:
        engine = self.engine
        if engine is not None:
            self.run(engine.cancel(), lambda moved: self._acted("cancel", len(moved)), name="upload-cancel-all")

    def clear_finished(self) -> None:
        store = self.services.store
        if store is None:
            return

        def cleared(count: int) -> None:
            self.model.reload()
            failed = self.model.counts[q.FAILED][0]
            kept = f" {plural(failed, 'failed upload')} stay{'s' if failed == 1 else ''} for a retry." if failed else ""
            self.window.status.show_info(
                ("Finished uploads were cleared from the list." if count else "Nothing finished to clear yet.") + kept
            )

        self.run(store.write(q.clear_finished), cleared, name="upload-clear-finished")

    def show_in_folder(self, path: str) -> None:
        folder = os.path.dirname(path)
        if not os.path.isdir(folder):
            self.window.status.show_error(f"The folder {folder} is no longer there.")
            return
        self.open_folder(path)

    # --- shutting down -------------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop the timer and stop listening to the engine (queued uploads stay in the store)."""
        self._closed = True
        self._timer.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None


def _held(snapshot: Any) -> str | None:
    """Why nothing is moving, in the footer's words (None while uploads can go)."""
    if snapshot is None:
        return "waiting for sign-in"
    if snapshot.paused:
        return "paused"
    if snapshot.stopped_reason:
        return "stopped"
    if snapshot.needs_sign_in:
        return "waiting for sign-in"
    if snapshot.network_down:
        return "waiting for the network"
    return None
