"""Signing in and out of ShootProof and Pixieset: the dialogs, the banner that asks for a new sign-in,
the Pixieset mark in the status bar, and the services following the sign-ins.

One :class:`ShootProofSession` and one :class:`PixiesetSession` live as long as
the window. The ShootProof client of :class:`Services` takes its token from the
session's provider, so a refresh needs nothing from here; a sign-in or
sign-out replaces the client (and with it the upload engine) and reloads the
tree. The Pixieset client asks its session for the cookie on every call, so it
is made once and follows sign-ins by itself.

``shootproof_applied`` and ``pixieset_applied`` tell the people docks to take the
new clients (see :mod:`.installer`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QMessageBox, QVBoxLayout, QWidget

from studio_desktop.accounts.auth_settings import AuthSettings, build_client_id
from studio_desktop.accounts.events import PIXIESET, SHOOTPROOF
from studio_desktop.accounts.pixieset_sign_in import PixiesetSession
from studio_desktop.accounts.shootproof_sign_in import ShootProofSession
from studio_desktop.people.cache import ContactsCache
from studio_desktop.ui.people.accounts import Accounts, SignInBanner
from studio_desktop.ui.people.accounts_dialog import AccountsDialog
from studio_desktop.ui.people.sandbox_mode import SandboxMarks
from studio_desktop.ui.people.sign_in_dialog import SignInDialog, UrlOpener, open_in_browser

if TYPE_CHECKING:
    from studio_desktop.ui.app_wiring import GuiSession

log = logging.getLogger(__name__)

#: Room around the sign-in banner (it sits above the tree and the grid).
BANNER_STYLE = "QFrame#banner { margin: 6px 6px 2px 6px; }"


class SignIns(QObject):
    """Keeps the ShootProof and Pixieset sign-ins, and the services' clients, in step with what the user does."""

    #: The services' ShootProof client changed (signed in, out, or again).
    shootproof_applied = Signal()
    #: The Pixieset sign-in changed, or was checked again; True after a new sign-in (lists load again).
    pixieset_applied = Signal(bool)
    #: Signed out of ShootProof: whatever uses its client lets go of it now.
    shootproof_leaving = Signal()

    def __init__(self, session: GuiSession, *, open_url: UrlOpener = open_in_browser, parent: QObject | None = None):
        window = session.window
        super().__init__(parent)
        self.session = session
        self.window = window
        self.services = services = session.services
        self.tasks = session.tasks
        self.open_url = open_url
        self.dialog: SignInDialog | None = None
        self.accounts_dialog: AccountsDialog | None = None
        self.sign_out_box: QMessageBox | None = None
        self._lock = asyncio.Lock()
        self._closed = False
        engine = services.engine
        # Sign-ins later in this run start the upload engine only if the first one was started.
        self._start_engine = bool(getattr(engine, "running", True)) if engine is not None else True

        auth = AuthSettings.resolve(services.settings, services.endpoints)
        self.shootproof = ShootProofSession.from_settings(auth, services.credentials, services.http)
        self.pixieset = PixiesetSession.from_settings(auth, services.credentials, services.http)
        self.accounts = Accounts(self.shootproof, self.pixieset, self)
        self.pixieset_client = self.pixieset.make_client()

        self.banner = SignInBanner(self.accounts)
        self._place_banner()
        self.pixieset_box = QWidget()
        self.pixieset_label = QLabel(objectName="pixiesetLabel")
        separator = QLabel("·")
        separator.setEnabled(False)
        box_layout = QHBoxLayout(self.pixieset_box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.setSpacing(6)
        box_layout.addWidget(self.pixieset_label)
        box_layout.addWidget(separator)
        self.pixieset_box.hide()
        window.status.insertPermanentWidget(0, self.pixieset_box)

        self._make_actions()
        self.sandbox_marks = SandboxMarks(window, services.endpoints.sandbox)
        self._connect()

    # --- building ----------------------------------------------------------------------------------

    def _place_banner(self) -> None:
        """Put the banner above the tree and the grid, where it is seen whichever docks are open."""
        window = self.window
        content = window.takeCentralWidget()
        holder = QWidget(window)
        holder.setObjectName("centralHolder")
        holder.setStyleSheet(BANNER_STYLE)
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        if content is not None:
            layout.addWidget(content, 1)
        window.setCentralWidget(holder)

    def _make_actions(self) -> None:
        actions = self.window.actions
        sign_in = actions.sign_in
        sign_in.setText("&Sign In…")
        sign_in.setStatusTip("Sign in to ShootProof or Pixieset, or see who is signed in")
        sign_in.setToolTip(sign_in.statusTip())
        self.sign_out_action = QAction("Sign &Out…", self.window)
        self.sign_out_action.setStatusTip("Sign out of ShootProof (or Pixieset) on this computer")
        actions.add("sign_out", self.sign_out_action)
        self.accounts_action = QAction("&Accounts…", self.window)
        self.accounts_action.setStatusTip(
            "Which studio is in use, the ShootProof client ID and API address, signing in and out"
        )
        actions.add("accounts", self.accounts_action)
        file_menu = self.window.menu("file")
        entries = file_menu.actions()
        after = entries.index(sign_in) + 1 if sign_in in entries else len(entries)
        before = entries[after] if after < len(entries) else None
        for action in (self.sign_out_action, self.accounts_action):
            if before is not None:
                file_menu.insertAction(before, action)
            else:
                file_menu.addAction(action)

    def _connect(self) -> None:
        window, accounts, status = self.window, self.accounts, self.window.status
        window.actions.sign_in.triggered.connect(lambda _checked=False: self.open_sign_in())
        self.sign_out_action.triggered.connect(lambda _checked=False: self.confirm_sign_out())
        self.accounts_action.triggered.connect(lambda _checked=False: self.open_accounts())
        self.session.controller.studio_loaded.connect(self._studio_loaded)
        self.banner.sign_in_requested.connect(self.open_sign_in)
        accounts.message.connect(status.show_info)
        accounts.shootproof_changed.connect(lambda _signed_in: self._follow_shootproof())
        accounts.pixieset_changed.connect(lambda _signed_in: self._apply_pixieset(reload=True))
        accounts.sign_in_needed.connect(lambda _service, _message: self._show_accounts())

    def _run(self, coro: Coroutine[Any, Any, Any], on_result=None, *, name: str) -> asyncio.Task | None:
        try:
            return self.tasks.run(coro, on_result, name=name)
        except RuntimeError:  # shutting down: no new work
            coro.close()
            return None

    # --- starting ---------------------------------------------------------------------------------

    async def start(self) -> None:
        """Pick up this run's token (flag, environment, sandbox) or the saved sign-ins; never raises."""
        endpoints = self.services.endpoints
        try:
            if endpoints.access_token:
                self.shootproof.use_token(endpoints.access_token)
            else:
                await self.shootproof.load()
        except Exception as exc:  # a broken keyring must not stop the app; the user can sign in again
            log.warning("Could not read the saved ShootProof sign-in: %s", type(exc).__name__)
        try:
            if endpoints.pixieset_cookie:
                self.pixieset.use_cookie(endpoints.pixieset_cookie)
            else:
                await self.pixieset.load()
        except Exception as exc:
            log.warning("Could not read the saved Pixieset sign-in: %s", type(exc).__name__)

        client = self.services.shootproof
        if self.shootproof.signed_in:
            transport = getattr(client, "transport", None)
            if transport is not None:
                # The client (and the upload engine using it) is already running with the same token:
                # hand it the session's provider instead of restarting the engine.
                transport.tokens = self.shootproof.provider
            else:
                await self.services.connect_shootproof(self.shootproof.provider, start_engine=self._start_engine)
        previous = self.services.pixieset
        self.services.pixieset = self.pixieset_client
        if previous is not None and previous is not self.pixieset_client:
            await previous.aclose()
        self._apply_shootproof()
        self._apply_pixieset()

    # --- ShootProof -------------------------------------------------------------------------------

    def _account(self) -> str:
        return self.services.endpoints.api_url

    def _follow_shootproof(self) -> None:
        if self._closed:
            return
        if not self.shootproof.signed_in:
            self.shootproof_leaving.emit()
        self._run(self._reconnect(), lambda _result: self._reconnected(), name="shootproof-reconnect")

    async def _reconnect(self) -> None:
        """Make the services match the session (serialized: a quick sign-in, sign-out ends as the last one)."""
        async with self._lock:
            services = self.services
            if self.shootproof.signed_in:
                await services.connect_shootproof(self.shootproof.provider, start_engine=self._start_engine)
            else:
                if services.store is not None:
                    # Contacts are the studio's customers: they leave this computer with the sign-in.
                    await ContactsCache(services.store, self._account()).clear()
                await services.disconnect_shootproof()

    def _reconnected(self) -> None:
        if self._closed:
            return
        controller = self.session.controller
        controller.stop()
        controller.start()
        self._apply_shootproof()

    def _apply_shootproof(self) -> None:
        self.shootproof_applied.emit()
        self._show_accounts()

    # --- Pixieset ---------------------------------------------------------------------------------

    def current_pixieset(self) -> Any | None:
        """The Pixieset client while signed in, else None."""
        return self.pixieset_client if self.pixieset.signed_in else None

    def _apply_pixieset(self, *, reload: bool = False) -> None:
        """Tell the users of the Pixieset client (see :meth:`current_pixieset`); ``reload`` after a new sign-in."""
        if self._closed:
            return
        self.pixieset_applied.emit(reload)
        self._show_accounts()

    # --- signing in and out -----------------------------------------------------------------------

    def _default_service(self) -> str:
        """ShootProof's page, unless ShootProof is fine and only Pixieset wants a new sign-in."""
        sp, px = self.shootproof, self.pixieset
        if sp.signed_in and not sp.needs_sign_in and px.signed_in and px.needs_sign_in:
            return PIXIESET
        return SHOOTPROOF

    def open_sign_in(self, service: str | None = None) -> SignInDialog:
        """Show the sign-in dialog (non-modal) on ``service``'s page."""
        service = service if service in (SHOOTPROOF, PIXIESET) else self._default_service()
        dialog = self.dialog
        if dialog is None:
            dialog = SignInDialog(
                self.accounts, self.tasks, open_url=self.open_url, service=service, parent=self.window
            )
            dialog.signed_in.connect(lambda _service: self._show_accounts())
            self.dialog = dialog
        dialog.tabs.setCurrentIndex(1 if service == PIXIESET else 0)
        if dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
        else:
            dialog.open()
        return dialog

    def _studio_loaded(self, info: Any) -> None:
        self.accounts.studio_name = info.name
        if self.accounts_dialog is not None:
            self.accounts_dialog.sync()

    def open_accounts(self) -> AccountsDialog:
        """Settings → Accounts (non-modal; one at a time)."""
        dialog = self.accounts_dialog
        if dialog is not None:
            dialog.raise_()
            dialog.activateWindow()
            return dialog
        dialog = AccountsDialog(
            self.accounts,
            self.services.settings,
            sandbox=self.services.endpoints.sandbox,
            built_in_client_id=build_client_id(),
            parent=self.window,
        )
        dialog.saved.connect(self._accounts_saved)
        dialog.sign_in_requested.connect(self.open_sign_in)
        dialog.sign_out_requested.connect(self.confirm_sign_out)
        dialog.switch_requested.connect(self.sandbox_marks.confirm_switch)
        dialog.destroyed.connect(lambda _obj=None: setattr(self, "accounts_dialog", None))
        self.accounts_dialog = dialog
        dialog.open()
        return dialog

    def _accounts_saved(self, changed: dict[str, Any]) -> None:
        self.services.update_settings(**changed)
        if "shootproof_client_id" in changed and not self.services.endpoints.sandbox:
            # Browser sign-in works at once; no restart needed for the client id.
            auth = AuthSettings.resolve(self.services.settings, self.services.endpoints)
            self.shootproof.client_id = auth.client_id
            if self.dialog is not None:
                self.dialog._sync()
        note = " The new API address is used from the next start." if "api_url" in changed else ""
        self.window.status.show_info(f"Accounts saved.{note}")

    def confirm_sign_out(self, service: str | None = None) -> QMessageBox | None:
        """Ask, then sign out of ``service`` (default: ShootProof, and Pixieset if ticked); non-modal."""
        sp_in, px_in = self.shootproof.signed_in, self.pixieset.signed_in
        if service == PIXIESET:
            sp_in = False
        if not (sp_in or px_in):
            self.window.status.show_info("You are not signed in.")
            return None
        service = SHOOTPROOF if sp_in else PIXIESET
        name = "ShootProof" if sp_in else "Pixieset"
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Sign out",
            f"Sign out of {name}?",
            QMessageBox.StandardButton.Cancel,
            self.window,
        )
        box.setObjectName("signOutBox")
        if sp_in:
            box.setInformativeText(
                "The sign-in is revoked and removed from this computer, along with the contacts "
                "kept here. Queued uploads wait until you sign in again."
            )
        else:
            box.setInformativeText("The Pixieset session cookie is removed from this computer.")
        also = None
        if sp_in and px_in:
            also = QCheckBox("Also sign out of Pixieset", box)
            box.setCheckBox(also)
        confirm = box.addButton("Sign Out", QMessageBox.ButtonRole.AcceptRole)
        confirm.setObjectName("confirm_sign_out")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button) -> None:
            self.sign_out_box = None
            if button is confirm:
                self.sign_out(service, also_pixieset=also is not None and also.isChecked())

        box.buttonClicked.connect(answered)
        self.sign_out_box = box
        box.open()
        return box

    def sign_out(self, service: str = SHOOTPROOF, *, also_pixieset: bool = False) -> None:
        if service == SHOOTPROOF:
            self._run(self.shootproof.sign_out(), self._signed_out_of_shootproof, name="sign-out-shootproof")
        if service == PIXIESET or also_pixieset:
            self._run(self.pixieset.sign_out(), name="sign-out-pixieset")

    def _signed_out_of_shootproof(self, warning: str | None) -> None:
        if warning:
            self.window.status.show_error(warning)

    # --- the status bar ---------------------------------------------------------------------------

    def _show_accounts(self) -> None:
        self.sign_out_action.setEnabled(self.shootproof.signed_in or self.pixieset.signed_in)
        label, px = self.pixieset_label, self.pixieset
        if not px.signed_in:
            self.pixieset_box.hide()
            return
        if px.needs_sign_in:
            label.setText("Pixieset: sign in again")
            label.setToolTip("Pixieset no longer accepts the saved session. Use File → Sign In… to paste a new one.")
        else:
            label.setText("Pixieset: signed in")
            total = self.accounts.pixieset_total
            label.setToolTip(
                f"Signed in to Pixieset Studio ({total:,} people)"
                if total is not None
                else "Signed in to Pixieset Studio"
            )
        self.pixieset_box.show()

    # --- closing -----------------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Stop listening and end a browser sign-in still waiting (its loopback listener holds a port)."""
        if self._closed:
            return
        self._closed = True
        self.accounts.close()
        dialog = self.dialog
        if dialog is not None:
            pending, dialog.pending = dialog.pending, None
            dialog.browser_task = None
            if pending is not None:
                await pending.cancel()
