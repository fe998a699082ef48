"""The upload side of the window: :func:`install_upload_ui` adds the queue dock, the upload actions,
drop handling, hot folders, upload settings and notifications, and :class:`UploadUi` runs them.

It holds the services (engine, store, client, settings); the widgets it makes
only show things and emit signals. It reaches the window only through its
public parts: ``actions``, ``menu()``, ``toolbar``, ``add_side_panel()``,
``tree_panel``, ``grid_view``/``grid_model``, ``status`` and ``tasks``.

Engine events arrive on the loop's thread (qasync runs it on the GUI thread).
They are noted, not painted: one timer (10 per second while uploading, once a
second when idle) repaints the queue, the totals and the banners.

The engine can be replaced (signing in again makes a new one): every tick
checks ``services.engine`` and rebinds when it changed.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMainWindow, QMessageBox, QStyle

from studio_desktop.core.settings import SettingsError
from studio_desktop.ui import icons
from studio_desktop.core import bidi
from studio_desktop.wording import plain_message
from studio_desktop.ui.main_window import STATE_KEY
from studio_desktop.ui.status_bar import ConnectionState, plan_text
from studio_desktop.gallery.tree_nodes import ALBUM, EVENT, AlbumNode, GalleryTarget
from studio_desktop.ui.uploads.drop_handler import (
    MIRROR_ASK,
    MIRROR_NO,
    MIRROR_YES,
    MirrorQuestion,
    TreeDropFilter,
    has_subfolder,
)
from studio_desktop.ui.uploads.gallery_follow import GalleryFollower
from studio_desktop.ui.uploads.hot_folders_dialog import HotFolderEditor, HotFoldersDialog
from studio_desktop.ui.uploads.notifier import UploadNotifier
from studio_desktop.ui.uploads.queue_dock import UploadQueuePanel
from studio_desktop.ui.uploads.queue_model import UploadQueueModel
from studio_desktop.ui.uploads.settings_dialog import UploadSettingsDialog
from studio_desktop.ui.uploads.shape_dialog import remembered_shape
from studio_desktop.uploads.texts import batch_summary, plural, quoted, shape_words
from studio_desktop.uploads import events as ev
from studio_desktop.uploads import queue as q
from studio_desktop.uploads import hotfolder_summary
from studio_desktop.uploads.hotfolder_events import (
    HotFolderBatch,
    HotFolderChangedAfterUpload,
    HotFolderProblem,
    HotFolderRecovered,
    HotFolderStarted,
)
from studio_desktop.uploads.hotfolder_manager import HotFolderManager
from studio_desktop.uploads.hotfolder_store import HotFolderConfigError, HotFolderRepository, SavedHotFolder

log = logging.getLogger(__name__)

BUSY_TICK_MS = 100
IDLE_TICK_MS = 1000
HOT_FOLDER_REFRESH_MS = 500
#: A hot folder's batches finishing within this long of each other make one notification.
HOT_FOLDER_QUIET_MS = 4000
#: The remembered answer to "Mirror subfolders as albums?" (a UI preference, kept with the window's).
MIRROR_KEY = "upload_mirror_folders"
DOCK_NAME = "uploads"
#: Like a browser's downloads list: shows or hides the upload queue.
UPLOADS_PANEL_SHORTCUT = "Ctrl+J"
FIRST_DOCK_HEIGHT = 210
NO_ENGINE_TEXT = "Sign in to ShootProof to upload. The queue below is kept and continues after signing in."

FolderOpener = Callable[[str], Any]


def open_folder_of(path: str) -> bool:
    """Open the folder holding ``path`` in the system's file manager."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(os.path.dirname(path) or path))


class UploadUi(QObject):
    """Runs the upload side of one main window. Make it with :func:`install_upload_ui`."""

    #: A batch finished: ``(batch_id, counts, message)``.
    batch_announced = Signal(int, dict, str)
    hot_folders_changed = Signal()

    def __init__(self, window: QMainWindow, services: Any, *, tasks: Any = None, use_tray: bool | None = None,
                 open_folder: FolderOpener | None = None, hot_folder_options: dict[str, Any] | None = None,
                 hot_folder_quiet_ms: int = HOT_FOLDER_QUIET_MS):
        super().__init__(window)
        self.window = window
        self.services = services
        self.tasks = tasks or window.tasks
        self.open_folder: FolderOpener = open_folder or open_folder_of
        self.hot_folder_options = dict(hot_folder_options or {})
        self.hot_folder_quiet_ms = hot_folder_quiet_ms
        self.engine: Any = None
        self.hot_folders: HotFolderManager | None = None
        # Managers of earlier engines: stopped in the background, and again (to be sure) by aclose.
        self._retired: list[HotFolderManager] = []
        self._unsubscribe: Callable[[], None] | None = None
        self._unsubscribe_hot: Callable[[], None] | None = None
        self._hot_problems: dict[int, str] = {}
        self._hot_pending: dict[str, Counter] = {}
        self._hot_timers: dict[str, QTimer] = {}
        self._banners: dict[str, tuple] = {}
        self._shown_paused: bool | None = None
        self._closed = False
        self.hot_folders_dialog: HotFoldersDialog | None = None
        self.hot_folder_editor: HotFolderEditor | None = None
        self.settings_dialog: UploadSettingsDialog | None = None
        self.mirror_question: MirrorQuestion | None = None

        self.model = UploadQueueModel(services.store, self._run_quietly, self.target_name, parent=self)
        self.panel = UploadQueuePanel(self.model)
        self.dock: QDockWidget = window.add_side_panel(self.panel, "Uploads", Qt.DockWidgetArea.BottomDockWidgetArea,
                                                       name=DOCK_NAME)
        if not services.settings.window.get(STATE_KEY):
            # First start: room for a dozen rows; later the saved layout decides.
            window.resizeDocks([self.dock], [FIRST_DOCK_HEIGHT], Qt.Orientation.Vertical)
        self.notifier = UploadNotifier(window, use_tray=use_tray, parent=self)
        self.tree_drops = TreeDropFilter(window.tree_panel.tree, self)
        self.tree_drops.dropped.connect(self.upload)
        window.grid_view.files_dropped.connect(self._grid_dropped)
        self.gallery_follower = GalleryFollower(window.grid_model, self._read_batch, self)

        self.panel.selection_action.connect(self.act_on_selection)
        self.panel.all_action.connect(self.act_on_all)
        self.panel.show_in_folder.connect(self.show_in_folder)
        self.notifier.pause_toggled.connect(self.toggle_pause)
        self._make_actions()

        self._timer = QTimer(self)
        self._timer.setInterval(BUSY_TICK_MS)
        self._timer.timeout.connect(self.tick)
        self._hot_timer = QTimer(self)
        self._hot_timer.setInterval(HOT_FOLDER_REFRESH_MS)
        self._hot_timer.timeout.connect(self._refresh_hot_activity)
        self.bind_engine()
        self._timer.start()

    # --- background work ------------------------------------------------------------------------

    def _run_quietly(self, coro: Any, on_result: Callable[[Any], None],
                     on_error: Callable[[BaseException], None]) -> Any:
        return self.tasks.run(coro, on_result, on_error, quiet=True)

    def _run(self, coro: Any, on_result: Callable[[Any], None] | None = None,
             on_error: Callable[[BaseException], None] | None = None, *, name: str | None = None) -> Any:
        try:
            return self.tasks.run(coro, on_result, on_error, name=name)
        except RuntimeError:  # shutting down: no new work
            if hasattr(coro, "close"):
                coro.close()
            return None

    def _read_batch(self, batch_id: int, on_result: Callable[[Any], None]) -> None:
        store = self.services.store
        if store is not None:
            self._run_quietly(store.read(q.get_batch, batch_id), on_result, lambda _error: None)

    # --- actions and menus -----------------------------------------------------------------------

    def _action(self, name: str, text: str, shortcut: str | None, tip: str, slot: Callable[[], Any],
                icon: QStyle.StandardPixmap | None = None) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(f"action_{name}")
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setStatusTip(tip)
        action.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
        if icon is not None:
            action.setIcon(icons.standard(icon))
        action.triggered.connect(lambda _checked=False: slot())
        self.window.actions.add(name, action)
        return action

    def _make_actions(self) -> None:
        self.upload_photos_action = self._action(
            "upload_photos", "&Upload Photos…", "Ctrl+U", "Upload photos to the selected gallery or album",
            self.choose_files)
        self.upload_photos_action.setIcon(icons.upload_icon())
        self.upload_folder_action = self._action(
            "upload_folder", "Upload a &Folder…", "Ctrl+Shift+U", "Upload a whole folder to the selected gallery",
            self.choose_folder, QStyle.StandardPixmap.SP_DirOpenIcon)
        self.pause_action = self._action(
            "pause_uploads", "&Pause Uploads", "Ctrl+P", "Pause or resume every upload", self.toggle_pause,
            QStyle.StandardPixmap.SP_MediaPause)
        self.settings_action = self._action(
            "upload_settings", "Upload &Settings…", "Ctrl+,", "Uploads at a time, speed limit, watermark, duplicates",
            self.show_settings)
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.hot_folders_action = self._action(
            "hot_folders", "&Hot Folders…", "Ctrl+H", "Folders whose new photos are uploaded by themselves",
            self.show_hot_folders)
        menu = self.window.menu("uploads", "&Uploads")
        menu.addAction(self.upload_photos_action)
        menu.addAction(self.upload_folder_action)
        menu.addSeparator()
        menu.addAction(self.pause_action)
        toggle = self.dock.toggleViewAction()
        toggle.setText("Upload &Queue")
        toggle.setShortcut(QKeySequence(UPLOADS_PANEL_SHORTCUT))
        toggle.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        toggle.setStatusTip("Show or hide the upload queue")
        toggle.setToolTip(f"Show or hide the upload queue ({UPLOADS_PANEL_SHORTCUT})")
        self.window.actions.add("show_uploads", toggle)
        menu.addAction(toggle)
        menu.addSeparator()
        menu.addAction(self.hot_folders_action)
        menu.addAction(self.settings_action)
        toolbar = getattr(self.window, "toolbar", None)
        if toolbar is not None:
            toolbar.addSeparator()
            toolbar.addAction(self.upload_photos_action)
            toolbar.addAction(self.pause_action)

    # --- the engine ---------------------------------------------------------------------------------

    def bind_engine(self) -> None:
        """Follow ``services.engine`` (a new sign-in makes a new one); hot folders move along with it."""
        engine = self.services.engine
        if engine is self.engine:
            return
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._stop_hot_folders()
        self.engine = engine
        if engine is not None:
            self._unsubscribe = engine.subscribe(self._engine_event)
            self._start_hot_folders()
        for action in (self.upload_photos_action, self.upload_folder_action, self.pause_action):
            action.setEnabled(engine is not None)
        self.model.reload()
        self.tick()

    def _engine_event(self, event: Any) -> None:
        self.model.note(event)
        self.gallery_follower.note(event)
        if self._timer.interval() != BUSY_TICK_MS:
            self._timer.setInterval(BUSY_TICK_MS)
        status = getattr(self.window, "status", None)
        if isinstance(event, ev.BatchFinished):
            self._batch_finished(event)
        elif isinstance(event, ev.PlanUsage):
            if status is not None:
                status.set_plan(event.photos_used, event.photos_allowed)
        elif isinstance(event, ev.QueueStopped):
            self.notifier.notify("Uploads stopped", event.reason, warning=True)
        elif isinstance(event, ev.NeedsSignIn):
            if status is not None:
                status.set_connection(ConnectionState.SIGNED_OUT)
            self.notifier.notify("Uploads paused", "ShootProof did not accept the sign-in. Sign in again to "
                                 "continue uploading.", warning=True)
        elif isinstance(event, ev.NetworkDown):
            if status is not None:
                status.set_connection(ConnectionState.OFFLINE)
        elif isinstance(event, ev.NetworkUp):
            if status is not None:
                status.set_connection(ConnectionState.ONLINE)

    def tick(self) -> None:
        """Repaint what changed: rows, totals, banners, the pause button. Run by the timer."""
        if self._closed:
            return
        if self.services.engine is not self.engine:
            self.bind_engine()
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
        self.panel.set_totals(files, bytes_done, bytes_to_do, snapshot.rate if snapshot else 0.0,
                              snapshot.eta if snapshot else None, held=_held(snapshot))
        if paused != self._shown_paused:
            self._shown_paused = paused
            self.notifier.set_paused(paused)
            self.pause_action.setText("&Resume Uploads" if paused else "&Pause Uploads")
            self.pause_action.setIcon(icons.standard(QStyle.StandardPixmap.SP_MediaPlay if paused
                                                     else QStyle.StandardPixmap.SP_MediaPause))
        self.panel.set_paused(paused)
        if snapshot is not None and snapshot.concurrency < snapshot.user_concurrency:
            self.panel.set_concurrency_text(f"{snapshot.concurrency} of {snapshot.user_concurrency} at a time "
                                            "(ShootProof is busy)")
        elif snapshot is not None:
            self.panel.set_concurrency_text(f"{snapshot.user_concurrency} at a time")
        else:
            self.panel.set_concurrency_text("")
        self._update_banners(snapshot)
        busy = self.model.pending or snapshot is not None and (snapshot.in_flight > 0 or (
            snapshot.files.get(q.QUEUED, 0) > 0 and not (paused or snapshot.stopped_reason
                                                          or snapshot.needs_sign_in or snapshot.network_down)))
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
                wanted["sign_in"] = ("ShootProof did not accept the sign-in, so uploads are waiting. "
                                     "Sign in again; the queue continues where it stopped.", "error", "Sign In…",
                                     self._sign_in)
            if snapshot.network_down:
                wanted["network"] = ("ShootProof cannot be reached. Uploads wait and continue by themselves "
                                     "when the connection is back.", "warning", None, None)
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

    # --- names ---------------------------------------------------------------------------------

    def target_name(self, event_id: int, album_id: int | None) -> str | None:
        """``Smith Wedding › Day 1`` as the tree shows it now, or None when the tree does not hold it."""
        model = self.window.tree_panel.model
        if album_id is not None:
            node = model.find(ALBUM, album_id)
            if isinstance(node, AlbumNode):
                return node.target().display_name
            event = model.find(EVENT, event_id)
            return bidi.path((event.name, f"album {album_id}")) if event is not None else None
        event = model.find(EVENT, event_id)
        return bidi.isolate(event.name) if event is not None else None

    def current_target(self) -> GalleryTarget | None:
        return self.window.current_target() or self.window.grid_model.target

    # --- uploading -------------------------------------------------------------------------------

    def upload(self, paths: Sequence[Path | str], target: GalleryTarget, mirror: bool | None = None) -> bool:
        """Queue ``paths`` for ``target``. With subfolders among them and no ``mirror`` given, ask first.

        Returns False when nothing was queued (no engine, nothing given, or the question is pending).
        """
        paths = [Path(p) for p in paths]
        if not paths:
            return False
        engine = self.engine
        if engine is None:
            self.window.status.show_error("Sign in to ShootProof to upload photos.")
            return False
        if mirror is None and has_subfolder(paths):
            choice = self.mirror_choice()
            if choice == MIRROR_ASK:
                self._ask_mirror(paths, target)
                return False
            mirror = choice == MIRROR_YES
        mirror = bool(mirror)
        self.dock.show()
        self.dock.raise_()
        shape = remembered_shape(self.services, target)
        # The target's Upload Options apply to every drop on it: said, so a left-out photo is no surprise.
        applied = f" ({'; '.join(shape_words(shape))})" if shape.active else ""
        self.window.status.show_info(
            f"Adding {plural(len(paths), 'item')} to the upload queue for {quoted(target.display_name)}{applied}…")
        self._run(engine.enqueue([os.fspath(p) for p in paths], target.event_id, target.album_id,
                                 mirror_folders=mirror, label=target.display_name, shape=shape),
                  # Replace the "Adding…" line, which would otherwise linger after the work is done.
                  on_result=lambda _batch: self.window.status.show_info(
                      f"Queued for {quoted(target.display_name)}{applied} — progress is in Uploads below."),
                  on_error=lambda exc: self.window.status.show_error(
                      f"Could not queue the upload: {plain_message(exc)}"),
                  name="upload-enqueue")
        return True

    def _grid_dropped(self, paths: list[Path]) -> None:
        target = self.window.grid_model.target or self.window.current_target()
        if target is not None:
            self.upload(paths, target)

    def mirror_choice(self) -> str:
        value = self.services.settings.window.get(MIRROR_KEY, MIRROR_ASK)
        return value if value in (MIRROR_ASK, MIRROR_YES, MIRROR_NO) else MIRROR_ASK

    def set_mirror_choice(self, choice: str) -> None:
        if choice in (MIRROR_ASK, MIRROR_YES, MIRROR_NO) and choice != self.mirror_choice():
            self.services.update_window_settings({MIRROR_KEY: choice})

    def _ask_mirror(self, paths: list[Path], target: GalleryTarget) -> None:
        folders = [p for p in paths if p.is_dir()]
        box = MirrorQuestion(target, folders, self.window, shape_words(remembered_shape(self.services, target)))
        self.mirror_question = box

        def answered(mirror: bool, remember: bool) -> None:
            if remember:
                self.set_mirror_choice(MIRROR_YES if mirror else MIRROR_NO)
            self.upload(paths, target, mirror)

        box.answered.connect(answered)
        box.finished.connect(lambda _result: setattr(self, "mirror_question", None))
        box.open()

    def choose_files(self) -> None:
        target = self._target_or_explain()
        if target is None:
            return
        dialog = QFileDialog(self.window, f"Upload photos to {quoted(target.display_name)}", self._start_folder())
        dialog.setObjectName("uploadFilesDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilters(["JPEG photos (*.jpg *.jpeg *.jpe *.JPG *.JPEG *.JPE)", "All files (*)"])
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.filesSelected.connect(lambda files: self._chosen([Path(f) for f in files], target))
        dialog.open()

    def choose_folder(self) -> None:
        target = self._target_or_explain()
        if target is None:
            return
        dialog = QFileDialog(self.window, f"Upload a folder to {quoted(target.display_name)}", self._start_folder())
        dialog.setObjectName("uploadFolderDialog")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda folder: self._chosen([Path(folder)], target) if folder else None)
        dialog.open()

    def _chosen(self, paths: list[Path], target: GalleryTarget) -> None:
        if not paths:
            return
        folder = paths[0] if paths[0].is_dir() else paths[0].parent
        try:
            self.services.update_settings(recent_folders=self.services.settings.with_recent_folder(
                folder).recent_folders)
        except SettingsError as exc:
            log.warning("recent folder not remembered: %s", exc)
        self.upload(paths, target)

    def _start_folder(self) -> str:
        recent = self.services.settings.recent_folders
        return next((f for f in recent if os.path.isdir(f)), str(Path.home()))

    def _target_or_explain(self) -> GalleryTarget | None:
        if self.engine is None:
            self.window.status.show_error("Sign in to ShootProof to upload photos.")
            return None
        target = self.current_target()
        if target is None:
            self.window.status.show_error("Choose a gallery or album on the left first, then upload into it.")
        return target

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
                "resume: ShootProof cannot continue a half-sent photo." if sending else "Uploads paused.")
            self.tick()

    def resume_all(self) -> None:
        engine = self.engine
        if engine is None:
            return
        self._run(engine.resume(), lambda _moved: self.tick(), name="upload-resume")
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
            operation = {"pause": engine.pause, "resume": engine.resume, "cancel": engine.cancel,
                         "retry": engine.retry}[name]
            result = operation(ids)
            moved = await result if result is not None else ids
            return len(moved)

        self._run(run(), lambda count: self._acted(name, count), name=f"upload-{name}-selected")

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
            self._run(engine.retry(), lambda moved: self._acted("retry", len(moved)), name="upload-retry-all")
        elif name == "cancel":
            self._confirm_cancel_all()

    def _confirm_cancel_all(self) -> None:
        pending = sum(self.model.counts[s][0] for s in q.PENDING)
        box = QMessageBox(QMessageBox.Icon.Question, "Cancel uploads",
                          f"Cancel {plural(pending, 'upload')} that {'has' if pending == 1 else 'have'} not "
                          "finished?", QMessageBox.StandardButton.NoButton, self.window)
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
            self._run(engine.cancel(), lambda moved: self._acted("cancel", len(moved)), name="upload-cancel-all")

    def clear_finished(self) -> None:
        store = self.services.store
        if store is None:
            return

        def cleared(count: int) -> None:
            self.model.reload()
            failed = self.model.counts[q.FAILED][0]
            kept = f" {plural(failed, 'failed upload')} stay{'s' if failed == 1 else ''} for a retry." if failed else ""
            self.window.status.show_info(("Finished uploads were cleared from the list." if count
                                          else "Nothing finished to clear yet.") + kept)

        self._run(store.write(q.clear_finished), cleared, name="upload-clear-finished")

    def show_in_folder(self, path: str) -> None:
        folder = os.path.dirname(path)
        if not os.path.isdir(folder):
            self.window.status.show_error(f"The folder {folder} is no longer there.")
            return
        self.open_folder(path)

    # --- finished batches -------------------------------------------------------------------------------

    def _batch_finished(self, event: ev.BatchFinished) -> None:
        store = self.services.store
        if store is None:
            return
        counts = dict(event.counts)
        self._run(store.read(q.get_batch, event.batch_id),
                  lambda batch: self._announce(event.batch_id, counts, batch), name="upload-batch-finished")

    def _announce(self, batch_id: int, counts: dict[str, int], batch: q.Batch | None) -> None:
        if batch is None:
            return
        name = self.target_name(batch.event_id, batch.album_id) or batch.label
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
        timer.start(self.hot_folder_quiet_ms)

    def _announce_hot_folder(self, folder: str, name: str | None) -> None:
        counts = dict(self._hot_pending.pop(folder, Counter()))
        self._hot_timers.pop(folder, QTimer()).deleteLater()
        if not any(counts.values()):
            return
        message = batch_summary(counts, name)
        self.notifier.notify(f"Hot folder {quoted(Path(folder).name or folder)}", message,
                             warning=counts.get(q.FAILED, 0) > 0)
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

    # --- hot folders ---------------------------------------------------------------------------------------

    def _start_hot_folders(self) -> None:
        store = self.services.store
        if store is None or self.engine is None:
            return
        manager = HotFolderManager(store, self.engine, self.services.shootproof,
                                   watcher_options=self.hot_folder_options)
        self._unsubscribe_hot = manager.subscribe(self._hot_folder_event)
        self.hot_folders = manager
        self._run(manager.start(), lambda started: self._hot_folders_started(started), name="hot-folders-start")

    def _hot_folders_started(self, started: list[SavedHotFolder]) -> None:
        if started:
            log.info("watching %d hot folder(s)", len(started))
        self.hot_folders_changed.emit()
        self._reload_hot_folders()

    def _stop_hot_folders(self) -> None:
        manager, self.hot_folders = self.hot_folders, None
        if self._unsubscribe_hot is not None:
            self._unsubscribe_hot()
            self._unsubscribe_hot = None
        if manager is not None:
            self._retired.append(manager)
            self._run(manager.stop(), name="hot-folders-stop")

    def _hot_folder_event(self, hot_id: int, event: Any) -> None:
        if isinstance(event, HotFolderProblem):
            self._hot_problems[hot_id] = event.message
            self.window.status.show_error(f"Hot folder {event.folder.name}: {event.message}")
        elif isinstance(event, (HotFolderRecovered, HotFolderStarted)):
            self._hot_problems.pop(hot_id, None)
        elif isinstance(event, HotFolderChangedAfterUpload):
            self.notifier.notify("Photo changed after upload", event.message)
        elif isinstance(event, HotFolderBatch) and self._timer.interval() != BUSY_TICK_MS:
            self._timer.setInterval(BUSY_TICK_MS)
        if self.hot_folders_dialog is not None:
            self._refresh_hot_activity()

    def _repository(self) -> Any:
        if self.hot_folders is not None:
            return self.hot_folders
        return HotFolderRepository(self.services.store)

    def hot_activity(self, hot: SavedHotFolder) -> tuple[str, str | None]:
        """What a hot folder is doing: ``("watching", None)``, ``("uploading 3", None)``, ``("off", None)``..."""
        problem = self._hot_problems.get(hot.id) if hot.id is not None else None
        if not hot.enabled:
            return "off", None
        manager = self.hot_folders
        if manager is None:
            return "starts after signing in", None
        watcher = manager.watcher(hot.id) if hot.id is not None else None
        if watcher is None:
            return "not running", problem
        busy = watcher.in_flight + watcher.pending
        if busy:
            text = f"uploading {busy}"
        elif watcher.watching:
            text = "watching (polling)" if watcher.observer_kind == "polling" else "watching"
        else:
            text = "waiting for the folder"
        done = hotfolder_summary.status(watcher.counts)
        if done:
            text += f" · {done}"
        return text, problem

    def show_hot_folders(self) -> HotFoldersDialog:
        if self.hot_folders_dialog is not None:
            self.hot_folders_dialog.show()
            self.hot_folders_dialog.raise_()
            self.hot_folders_dialog.activateWindow()
            return self.hot_folders_dialog
        dialog = HotFoldersDialog(self.target_name, self.window)
        dialog.add_requested.connect(lambda: self._edit_hot_folder(None))
        dialog.edit_requested.connect(self._edit_hot_folder)
        dialog.remove_requested.connect(self._remove_hot_folder)
        dialog.enabled_toggled.connect(self._toggle_hot_folder)
        dialog.finished.connect(self._hot_dialog_closed)
        self.hot_folders_dialog = dialog
        dialog.show()
        self._reload_hot_folders()
        self._hot_timer.start()
        return dialog

    def _hot_dialog_closed(self, _result: int = 0) -> None:
        self.hot_folders_dialog = None
        self._hot_timer.stop()

    def _reload_hot_folders(self) -> None:
        if self.hot_folders_dialog is None or self.services.store is None:
            return

        def listed(folders: list[SavedHotFolder]) -> None:
            if self.hot_folders_dialog is not None:
                self.hot_folders_dialog.set_folders(folders)
                self._refresh_hot_activity()

        self._run(self._repository().list(), listed, name="hot-folders-list")

    def _refresh_hot_activity(self) -> None:
        dialog = self.hot_folders_dialog
        if dialog is None:
            return
        for hot in dialog.folders():
            dialog.set_activity(hot.id, *self.hot_activity(hot))

    def _edit_hot_folder(self, hot: SavedHotFolder | None) -> None:
        parent = self.hot_folders_dialog or self.window
        editor = HotFolderEditor(self.window.tree_panel.model, hot=hot, default_target=self.current_target(),
                                 default_settle=self.services.settings.hot_folder_settle_seconds, parent=parent)
        editor.submitted.connect(lambda saved: self._save_hot_folder(editor, saved))
        editor.finished.connect(lambda _result: setattr(self, "hot_folder_editor", None))
        self.hot_folder_editor = editor
        editor.open()

    def _save_hot_folder(self, editor: HotFolderEditor, hot: SavedHotFolder) -> None:
        repository = self._repository()
        coro = repository.update(hot) if hot.id is not None else repository.add(hot)

        def saved(result: SavedHotFolder) -> None:
            if self.hot_folder_editor is editor:
                editor.accept()
            self._reload_hot_folders()
            self.hot_folders_changed.emit()
            if self.hot_folders_dialog is not None:
                self.hot_folders_dialog.select(result.id)
            self.window.status.show_info(f"Hot folder {result.folder} saved.")

        def failed(exc: BaseException) -> None:
            if self.hot_folder_editor is editor:
                editor.show_error(str(exc) if isinstance(exc, HotFolderConfigError) else plain_message(exc))

        self._run(coro, saved, failed, name="hot-folder-save")

    def _toggle_hot_folder(self, hot_id: int, enabled: bool) -> None:
        def done(result: SavedHotFolder | None) -> None:
            self._reload_hot_folders()
            self.hot_folders_changed.emit()

        def failed(exc: BaseException) -> None:
            if self.hot_folders_dialog is not None:
                self.hot_folders_dialog.set_enabled_checked(hot_id, not enabled)
                self.hot_folders_dialog.show_problem(plain_message(exc))

        self._run(self._repository().set_enabled(hot_id, enabled), done, failed, name="hot-folder-toggle")

    def _remove_hot_folder(self, hot: SavedHotFolder) -> None:
        def done(_removed: bool) -> None:
            self._hot_problems.pop(hot.id, None)
            self._reload_hot_folders()
            self.hot_folders_changed.emit()
            self.window.status.show_info(f"{hot.folder} is no longer a hot folder.")

        self._run(self._repository().remove(hot.id), done, name="hot-folder-remove")

    # --- settings -------------------------------------------------------------------------------------------

    def show_settings(self) -> UploadSettingsDialog:
        if self.settings_dialog is not None:
            self.settings_dialog.raise_()
            self.settings_dialog.activateWindow()
            return self.settings_dialog
        dialog = UploadSettingsDialog(self.services.settings, self.mirror_choice(), self.window)
        dialog.applied.connect(lambda values: self._settings_applied(dialog, values))
        dialog.finished.connect(lambda _result: setattr(self, "settings_dialog", None))
        self.settings_dialog = dialog
        self._load_watermarks(dialog)
        dialog.open()
        return dialog

    def _load_watermarks(self, dialog: UploadSettingsDialog) -> None:
        client = self.services.shootproof
        brand_id = self.window.tree_panel.current_brand_id() or self.services.settings.selected_brand_id
        if client is None or brand_id is None:
            dialog.set_watermarks(None, "sign in and choose a brand first")
            return

        def loaded(result: Any) -> None:
            if self.settings_dialog is dialog:
                dialog.set_watermarks(list(result.watermarks))

        def failed(exc: BaseException) -> None:
            if self.settings_dialog is dialog:
                dialog.set_watermarks(None, plain_message(exc))

        self._run(client.watermark_get_list(brand_id), loaded, failed, name="watermarks")

    def _settings_applied(self, dialog: UploadSettingsDialog, values: dict[str, Any]) -> None:
        problem = self.apply_settings(values)
        if problem:
            dialog.show_error(problem)
        else:
            dialog.accept_applied()

    def apply_settings(self, values: dict[str, Any]) -> str | None:
        """Save upload settings and hand them to the running engine; a refused value comes back as a sentence."""
        values = dict(values)
        mirror = values.pop("mirror_folders", None)
        try:
            settings = self.services.update_settings(**values)
        except SettingsError as exc:
            return str(exc)
        if mirror is not None:
            self.set_mirror_choice(mirror)
        engine = self.engine
        if engine is not None:
            engine.set_concurrency(settings.upload_concurrency)
            engine.set_bandwidth_limit(settings.bandwidth_limit_kbps)
            engine.dedup = settings.dedup_enabled
            engine.watermark_id = engine_watermark(settings.default_watermark)
        self.window.status.show_info("Upload settings saved.")
        self.tick()
        return None

    # --- shutting down -------------------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Stop the timers and the hot folders (queued uploads stay in the store for next time)."""
        if self._closed:
            return
        self._closed = True
        self._timer.stop()
        self._hot_timer.stop()
        for timer in self._hot_timers.values():
            timer.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._unsubscribe_hot is not None:
            self._unsubscribe_hot()
            self._unsubscribe_hot = None
        managers = [*self._retired, *([self.hot_folders] if self.hot_folders is not None else [])]
        self.hot_folders = None
        self._retired.clear()
        for manager in managers:
            try:
                await manager.stop()
            except Exception:
                log.exception("hot folders did not stop cleanly")
        self.notifier.close()


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


def engine_watermark(setting: str) -> int | str | None:
    """The settings' watermark text as the engine takes it: None (brand default), "no", or an id."""
    if not setting:
        return None
    return int(setting) if setting.isdigit() else setting


def install_upload_ui(window: QMainWindow, services: Any, **options: Any) -> UploadUi:
    """Add the upload side to ``window``; it is stopped with the services (``services.extras``)."""
    ui = UploadUi(window, services, **options)
    services.extras["upload_ui"] = ui
    return ui
