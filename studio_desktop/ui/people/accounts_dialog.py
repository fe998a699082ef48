"""Settings → Accounts: which studio is in use, the ShootProof app's client id and API address, and signing
in and out of ShootProof and Pixieset, without editing ``settings.json`` by hand.

The dialog collects values and shows state; ``saved(values)`` carries the
changed settings (``shootproof_client_id``, ``api_url``) and the people side
applies and stores them. Sign-in and sign-out go through the sign-in dialog and
the usual confirmation, so there is one way to do each.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio_desktop.core import config
from studio_desktop.core.settings import Settings, SettingsError
from studio_desktop.ui.icons import status_dot
from studio_desktop.ui.people.accounts import Accounts
from studio_desktop.ui.people.widgets import ErrorLabel, Hint, scaled_font

CLIENT_ID_HELP = (
    'ShootProof\'s "APP Id" for Studio Desktop: ShootProof issues one on request '
    "(support@shootproof.com), or your studio's copy of the app came with it."
)
API_URL_HELP = "Leave empty for ShootProof itself. A change takes effect the next time Studio Desktop starts."


class AccountsDialog(QDialog):
    """``saved(dict)`` on Save with the settings that changed; ``sign_in_requested(service)``,
    ``sign_out_requested(service)`` and ``switch_requested()`` for the buttons."""

    saved = Signal(dict)
    sign_in_requested = Signal(str)
    sign_out_requested = Signal(str)
    switch_requested = Signal()

    def __init__(
        self,
        accounts: Accounts,
        settings: Settings,
        *,
        sandbox: bool,
        built_in_client_id: str = "",
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("accountsDialog")
        self.setWindowTitle("Accounts")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.accounts = accounts
        self.sandbox = sandbox
        self._settings = settings

        self.active_icon = QLabel(self)
        self.active_label = QLabel(self, objectName="accountsActive")
        self.active_label.setWordWrap(True)
        self.active_label.setFont(scaled_font(self.active_label, 1.05, bold=True))
        self.switch_button = QPushButton("Switch to My ShootProof Account…", self, objectName="accounts_switch")
        self.switch_button.setVisible(sandbox)
        active = QHBoxLayout()
        active.addWidget(self.active_icon)
        active.addWidget(self.active_label, 1)
        active.addWidget(self.switch_button)

        self.client_id = QLineEdit(settings.shootproof_client_id, self, objectName="accounts_client_id")
        self.client_id.setAccessibleName("ShootProof client ID")
        if built_in_client_id:
            self.client_id.setPlaceholderText(f"Built into this copy: {built_in_client_id[:6]}…")
        self.api_url = QLineEdit(settings.api_url, self, objectName="accounts_api_url")
        self.api_url.setAccessibleName("ShootProof API address")
        self.api_url.setPlaceholderText(config.DEFAULT_API_URL)
        self.errors = ErrorLabel(self)
        self.sp_state = QLabel(self, objectName="accounts_sp_state")
        self.sp_state.setWordWrap(True)
        self.sp_sign_in = QPushButton("Sign In…", self, objectName="accounts_sp_sign_in")
        self.sp_sign_out = QPushButton("Sign Out…", self, objectName="accounts_sp_sign_out")
        shootproof = QGroupBox("ShootProof", self)
        form = QFormLayout(shootproof)
        form.addRow("Client ID:", self.client_id)
        form.addRow("", Hint(CLIENT_ID_HELP, self))
        form.addRow("API address:", self.api_url)
        form.addRow("", Hint(API_URL_HELP, self))
        form.addRow("", self.errors)
        form.addRow("Account:", self._row(self.sp_state, self.sp_sign_in, self.sp_sign_out))
        if sandbox:
            form.addRow(
                "", Hint("These are used when you start on your own account; the practice studio keeps its own.", self)
            )

        self.px_state = QLabel(self, objectName="accounts_px_state")
        self.px_state.setWordWrap(True)
        self.px_sign_in = QPushButton("Sign In…", self, objectName="accounts_px_sign_in")
        self.px_sign_out = QPushButton("Sign Out…", self, objectName="accounts_px_sign_out")
        pixieset = QGroupBox("Pixieset", self)
        px_form = QFormLayout(pixieset)
        px_form.addRow("Account:", self._row(self.px_state, self.px_sign_in, self.px_sign_out))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close, self)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("accounts_save")
        layout = QVBoxLayout(self)
        layout.addLayout(active)
        layout.addWidget(shootproof)
        layout.addWidget(pixieset)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)

        buttons.rejected.connect(self.close)
        self.save_button.clicked.connect(self.save)
        self.switch_button.clicked.connect(self.switch_requested)
        self.sp_sign_in.clicked.connect(lambda: self.sign_in_requested.emit("shootproof"))
        self.sp_sign_out.clicked.connect(lambda: self.sign_out_requested.emit("shootproof"))
        self.px_sign_in.clicked.connect(lambda: self.sign_in_requested.emit("pixieset"))
        self.px_sign_out.clicked.connect(lambda: self.sign_out_requested.emit("pixieset"))
        accounts.shootproof_changed.connect(lambda _signed_in: self.sync())
        accounts.pixieset_changed.connect(lambda _signed_in: self.sync())
        accounts.sign_in_needed.connect(lambda _service, _message: self.sync())
        self.sync()

    @staticmethod
    def _row(label: QLabel, *buttons: QPushButton) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label, 1)
        for button in buttons:
            layout.addWidget(button)
        return row

    def active_text(self) -> str:
        sp = self.accounts.shootproof
        name = self.accounts.studio_name
        if self.sandbox:
            return f"In use: the practice studio{f' ({name})' if name else ''}. Nothing here is real."
        if sp.signed_in and not sp.needs_sign_in:
            return f"In use: {name} on ShootProof." if name else "In use: your ShootProof studio."
        return "No studio in use: sign in to ShootProof."

    def sync(self) -> None:
        sp, px = self.accounts.shootproof, self.accounts.pixieset
        in_use = sp.signed_in and not sp.needs_sign_in
        self.active_label.setText(self.active_text())
        self.active_icon.setPixmap(status_dot("#f5a623" if self.sandbox else "#2e9d4f" if in_use else "#8a8f98"))
        if sp.signed_in and sp.needs_sign_in:
            self.sp_state.setText("ShootProof refused the saved sign-in. Please sign in again.")
        elif sp.signed_in:
            how = "browser sign-in" if sp.uses_oauth else "an access token"
            self.sp_state.setText(f"Signed in with {how}.")
        else:
            self.sp_state.setText("Not signed in.")
        self.sp_sign_out.setEnabled(sp.signed_in)
        if px.signed_in and px.needs_sign_in:
            self.px_state.setText("Your Pixieset session has ended. Sign in again.")
        elif px.signed_in:
            total = self.accounts.pixieset_total
            self.px_state.setText(f"Signed in ({total:,} people)." if total is not None else "Signed in.")
        else:
            self.px_state.setText("Not signed in.")
        self.px_sign_out.setEnabled(px.signed_in)

    def values(self) -> dict[str, str]:
        return {"shootproof_client_id": self.client_id.text().strip(), "api_url": self.api_url.text().strip()}

    def save(self) -> None:
        """Check the values as the settings file will; emit ``saved`` with those that changed."""
        values = self.values()
        try:
            checked = self._settings.replace(**values)
        except SettingsError as exc:
            self.errors.set_messages([str(exc)])
            return
        self.errors.set_messages([])
        changed = {
            name: getattr(checked, name) for name in values if getattr(checked, name) != getattr(self._settings, name)
        }
        self._settings = checked
        if changed:
            self.saved.emit(changed)
