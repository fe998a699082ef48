"""The sign-ins as Qt signals, and the banner the window shows when a service wants the user to sign in again."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from studio_desktop.accounts.events import PIXIESET, SHOOTPROOF, SessionEvent
from studio_desktop.accounts.pixieset_sign_in import PixiesetSession
from studio_desktop.accounts.shootproof_sign_in import ShootProofSession
from studio_desktop.ui.people.widgets import Banner

SERVICE_NAMES = {SHOOTPROOF: "ShootProof", PIXIESET: "Pixieset"}


class Accounts(QObject):
    """Wraps the two Qt-free sessions; everything that cares about sign-in connects here.

    ``sign_in_needed(service, message)`` fires when a service refused the saved
    sign-in (a 401 that a refresh could not fix, or a Pixieset 401 anywhere).
    """

    shootproof_changed = Signal(bool)
    pixieset_changed = Signal(bool)
    sign_in_needed = Signal(str, str)
    message = Signal(str)

    def __init__(self, shootproof: ShootProofSession, pixieset: PixiesetSession, parent: QObject | None = None):
        super().__init__(parent)
        self.shootproof = shootproof
        self.pixieset = pixieset
        self.studio_name: str | None = None
        self.pixieset_total: int | None = None
        self._unsubscribe = [shootproof.add_listener(self._event), pixieset.add_listener(self._event)]

    def close(self) -> None:
        for stop in self._unsubscribe:
            stop()
        self._unsubscribe = []

    def _event(self, event: SessionEvent) -> None:
        if event.kind == "sign_in_needed":
            self.sign_in_needed.emit(event.service, event.message)
        elif event.kind in ("signed_in", "signed_out"):
            signed_in = event.kind == "signed_in"
            if event.service == SHOOTPROOF:
                if not signed_in:
                    self.studio_name = None
                self.shootproof_changed.emit(signed_in)
            else:
                if not signed_in:
                    self.pixieset_total = None
                self.pixieset_changed.emit(signed_in)
            self.message.emit(event.message)

    def note_auth_failure(self, service: str) -> None:
        """A panel saw a service refuse the sign-in (connect panels' ``auth_failed`` here)."""
        if service == PIXIESET:
            self.pixieset.note_auth_failure()
        elif service == SHOOTPROOF:
            self.shootproof.note_auth_failure()


class SignInBanner(Banner):
    """ "Your Pixieset session has ended. [Sign In…]": the window puts it above its content."""

    sign_in_requested = Signal(str)

    def __init__(self, accounts: Accounts | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("banner")
        self.setAccessibleName("Sign-in needed")
        self.service: str | None = None
        self.action_clicked.connect(self._clicked)
        if accounts is not None:
            accounts.sign_in_needed.connect(self.show_for)
            accounts.shootproof_changed.connect(lambda signed_in: self._resolved(SHOOTPROOF, signed_in))
            accounts.pixieset_changed.connect(lambda signed_in: self._resolved(PIXIESET, signed_in))

    def show_for(self, service: str, message: str) -> None:
        self.service = service
        self.show_message(message, "warning", action=f"Sign In to {SERVICE_NAMES.get(service, service)}…")

    def _clicked(self) -> None:
        if self.service is not None:
            self.sign_in_requested.emit(self.service)

    def _resolved(self, service: str, signed_in: bool) -> None:
        if signed_in and service == self.service:
            self.hide()
