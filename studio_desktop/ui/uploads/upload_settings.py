"""Upload Settings: the dialog, saving what it applies, and handing the new values to the running engine."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from studio_desktop.core.settings import SettingsError
from studio_desktop.ui.uploads.choosing import mirror_choice, set_mirror_choice
from studio_desktop.ui.uploads.controller import UploadController, make_action
from studio_desktop.ui.uploads.settings_dialog import UploadSettingsDialog
from studio_desktop.wording import plain_message

if TYPE_CHECKING:
    from studio_desktop.ui.main_window import MainWindow


def engine_watermark(setting: str) -> int | str | None:
    """The settings' watermark text as the engine takes it: None (brand default), "no", or an id."""
    if not setting:
        return None
    return int(setting) if setting.isdigit() else setting


class UploadSettings(QObject):
    """Opens Upload Settings and applies what the user saves."""

    def __init__(self, window: MainWindow, services: Any, controller: UploadController, parent: QObject | None = None):
        super().__init__(parent)
        self.window = window
        self.services = services
        self.controller = controller
        self.dialog: UploadSettingsDialog | None = None
        self.action = make_action(
            window,
            "upload_settings",
            "Upload &Settings…",
            "Ctrl+,",
            "Uploads at a time, speed limit, watermark, duplicates",
            self.show,
        )
        self.action.setMenuRole(QAction.MenuRole.PreferencesRole)

    def show(self) -> UploadSettingsDialog:
        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        dialog = UploadSettingsDialog(self.services.settings, mirror_choice(self.services), self.window)
        dialog.applied.connect(lambda values: self._applied(dialog, values))
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None))
        self.dialog = dialog
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
            if self.dialog is dialog:
                dialog.set_watermarks(list(result.watermarks))

        def failed(exc: BaseException) -> None:
            if self.dialog is dialog:
                dialog.set_watermarks(None, plain_message(exc))

        self.controller.run(client.watermark_get_list(brand_id), loaded, failed, name="watermarks")

    def _applied(self, dialog: UploadSettingsDialog, values: dict[str, Any]) -> None:
        problem = self.apply(values)
        if problem:
            dialog.show_error(problem)
        else:
            dialog.accept_applied()

    def apply(self, values: dict[str, Any]) -> str | None:
        """Save upload settings and hand them to the running engine; a refused value comes back as a sentence."""
        values = dict(values)
        mirror = values.pop("mirror_folders", None)
        try:
            settings = self.services.update_settings(**values)
        except SettingsError as exc:
            return str(exc)
        if mirror is not None:
            set_mirror_choice(self.services, mirror)
        engine = self.controller.engine
        if engine is not None:
            engine.set_concurrency(settings.upload_concurrency)
            engine.set_bandwidth_limit(settings.bandwidth_limit_kbps)
            engine.dedup = settings.dedup_enabled
            engine.watermark_id = engine_watermark(settings.default_watermark)
        self.window.status.show_info("Upload settings saved.")
        self.controller.tick()
        return None
