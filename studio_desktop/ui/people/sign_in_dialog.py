"""The sign-in dialog: ShootProof (browser sign-in, or a pasted access token) and Pixieset (a pasted cookie).

Non-modal (``open()``): every step runs as a background task and the dialog
follows along by signals, so the event loop never waits inside it. The system
browser is opened through an injectable ``open_url`` (tests drive the sign-in
page themselves).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from studio_desktop.accounts.events import PIXIESET, SHOOTPROOF
from studio_desktop.accounts.shootproof_sign_in import CredentialRefused, PendingSignIn
from studio_desktop.api.errors import ApiError, TransientError
from studio_desktop.api.models import StudioInfo
from studio_desktop.api.pixieset_errors import PixiesetTransientError
from studio_desktop.ui.icons import status_dot
from studio_desktop.ui.people.accounts import Accounts
from studio_desktop.ui.people.widgets import Busy, ErrorLabel, Hint, run_for, scaled_font
from studio_desktop.ui.tasks import TaskRunner
from studio_desktop.wording import plain_message

log = logging.getLogger(__name__)

UrlOpener = Callable[[str], Any]

PIXIESET_HELP = (
    "Pixieset has no sign-in for other apps, so Studio Desktop uses your browser's session. "
    "Sign in at studio.pixieset.com, open the browser's developer tools (F12), and under "
    "Application (or Storage) → Cookies copy the session cookie as name=value. "
    "It is kept in your system keychain and sent only to Pixieset."
)
BROWSER_HINT = (
    "ShootProof's sign-in page opens in your web browser. Approve Studio Desktop there, and it connects to your studio."
)
NO_CLIENT_ID_HINT = (
    "Browser sign-in needs your ShootProof app's client ID: add it in File → Accounts…, or "
    "paste an access token below instead."
)
NO_BROWSER_TEXT = (
    "No web browser could be opened on this computer. The sign-in page's address is on the "
    "clipboard: paste it into a browser (here or on another computer), approve Studio Desktop, and "
    "paste the code it shows below."
)
NO_BROWSER_LOOPBACK_TEXT = (
    "No web browser could be opened by itself. The sign-in page's address is on the "
    "clipboard: paste it into a web browser on this computer and approve Studio Desktop; "
    "this window notices by itself."
)
TOKEN_HELP = "For a long-lived access token made in ShootProof's developer settings."


def open_in_browser(url: str) -> bool:
    return QDesktopServices.openUrl(QUrl(url))


def _message(error: BaseException) -> str:
    """A sentence for the dialog: the server's own words where it gave some."""
    if isinstance(error, (TransientError, PixiesetTransientError)):
        return plain_message(error) if isinstance(error, TransientError) else error.msg
    if isinstance(error, (ApiError, CredentialRefused)):
        return error.msg
    return plain_message(error)


def _secret_edit(parent: QWidget, name: str, placeholder: str, accessible_name: str) -> QLineEdit:
    """A line edit that shows dots: codes, tokens and cookies are as good as a password."""
    edit = QLineEdit(parent, objectName=name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    edit.setAccessibleName(accessible_name)
    return edit


def _lay_out_page(page: QWidget, status: _StatusRow, *parts: QWidget) -> None:
    """A service's tab: its sign-in state, a rule, then ``parts`` from the top."""
    layout = QVBoxLayout(page)
    layout.setContentsMargins(12, 12, 12, 12)
    layout.setSpacing(10)
    layout.addWidget(status)
    line = QFrame(page)
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    layout.addWidget(line)
    for part in parts:
        layout.addWidget(part)
    layout.addStretch(1)


class _StatusRow(QWidget):
    def __init__(self, parent: QWidget, sign_out_name: str):
        super().__init__(parent)
        self.icon = QLabel(self)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setFont(scaled_font(self.text, 1.05, bold=True))
        self.sign_out = QPushButton("Sign Out", self, objectName=sign_out_name)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.sign_out)

    def set_state(self, signed_in: bool, text: str) -> None:
        self.icon.setPixmap(status_dot("#2e9d4f" if signed_in else "#8a8f98"))
        self.text.setText(text)
        self.sign_out.setVisible(signed_in)


class SignInDialog(QDialog):
    signed_in = Signal(str)
    signed_out = Signal(str)

    def __init__(
        self,
        accounts: Accounts,
        tasks: TaskRunner,
        *,
        open_url: UrlOpener = open_in_browser,
        service: str = SHOOTPROOF,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self.setWindowTitle("Sign In")
        self.accounts = accounts
        self.tasks = tasks
        self.open_url = open_url
        self.pending: PendingSignIn | None = None
        self.browser_task: asyncio.Task | None = None
        self._tasks: list[asyncio.Task] = []
        self._token_running = False
        self._cookie_running = False

        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Services")
        self.tabs.addTab(self._build_shootproof(), "ShootProof")
        self.tabs.addTab(self._build_pixieset(), "Pixieset")
        self.tabs.setCurrentIndex(1 if service == PIXIESET else 0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        self.heading = QLabel("Connect Studio Desktop to your ShootProof studio and your Pixieset CRM.", self)
        self.heading.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 14, 14, 10)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

        accounts.shootproof_changed.connect(lambda _signed_in: self._sync())
        accounts.pixieset_changed.connect(lambda _signed_in: self._sync())
        accounts.sign_in_needed.connect(lambda _service, _message: self._sync())
        self._sync()

    # --- building -----------------------------------------------------------------------------

    def _build_shootproof(self) -> QWidget:
        page = QWidget()
        self.sp_status = _StatusRow(page, "sp_sign_out")
        self.sp_status.sign_out.clicked.connect(lambda: self.sign_out_shootproof())

        self.browser_box = QGroupBox("Sign in with your browser", page)
        self.browser_hint = Hint(BROWSER_HINT, self.browser_box)
        self.loopback_choice = QRadioButton("Come back to the app automatically (recommended)", self.browser_box)
        self.paste_choice = QRadioButton("Show me a code to paste here", self.browser_box)
        self.loopback_choice.setObjectName("sp_mode_loopback")
        self.paste_choice.setObjectName("sp_mode_paste")
        self.loopback_choice.setChecked(True)
        self._modes = QButtonGroup(self)
        self._modes.addButton(self.loopback_choice)
        self._modes.addButton(self.paste_choice)
        self.open_button = QPushButton("Open Sign-In Page", self.browser_box, objectName="sp_open_browser")
        self.open_button.setDefault(True)
        self.copy_link_button = QPushButton("Copy Link", self.browser_box, objectName="sp_copy_link")
        self.copy_link_button.setToolTip("Copy the sign-in page's address, if your browser did not open")
        open_row = QHBoxLayout()
        open_row.addWidget(self.open_button)
        open_row.addWidget(self.copy_link_button)
        open_row.addStretch(1)

        self.waiting = QWidget(self.browser_box)
        self.waiting_label = QLabel("Waiting for you to approve Studio Desktop in your browser…", self.waiting)
        self.waiting_busy = Busy(self.waiting)
        self.cancel_button = QPushButton("Cancel", self.waiting, objectName="sp_cancel_browser")
        waiting_layout = QVBoxLayout(self.waiting)
        waiting_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.waiting_label, 1)
        row.addWidget(self.cancel_button)
        waiting_layout.addLayout(row)
        waiting_layout.addWidget(self.waiting_busy)

        self.code_row = QWidget(self.browser_box)
        self.code_edit = _secret_edit(
            self.code_row, "sp_code", "Paste the code shown after you approved", "Authorization code"
        )
        self.finish_button = QPushButton("Finish Sign-In", self.code_row, objectName="sp_finish")
        code_layout = QHBoxLayout(self.code_row)
        code_layout.setContentsMargins(0, 0, 0, 0)
        code_layout.addWidget(self.code_edit, 1)
        code_layout.addWidget(self.finish_button)
        self.browser_error = ErrorLabel(self.browser_box)
        self.browser_error.setObjectName("sp_browser_error")

        browser_layout = QVBoxLayout(self.browser_box)
        browser_layout.addWidget(self.browser_hint)
        browser_layout.addWidget(self.loopback_choice)
        browser_layout.addWidget(self.paste_choice)
        browser_layout.addLayout(open_row)
        browser_layout.addWidget(self.waiting)
        browser_layout.addWidget(self.code_row)
        browser_layout.addWidget(self.browser_error)

        self.token_box = QGroupBox("Or paste an access token", page)
        token_hint = Hint(TOKEN_HELP, self.token_box)
        self.token_edit = _secret_edit(self.token_box, "sp_token", "Access token", "Access token")
        self.token_button = QPushButton("Use Token", self.token_box, objectName="sp_use_token")
        token_row = QHBoxLayout()
        token_row.addWidget(self.token_edit, 1)
        token_row.addWidget(self.token_button)
        self.token_error = ErrorLabel(self.token_box)
        self.token_error.setObjectName("sp_token_error")
        self.token_busy = Busy(self.token_box)
        token_layout = QVBoxLayout(self.token_box)
        token_layout.addWidget(token_hint)
        token_layout.addLayout(token_row)
        token_layout.addWidget(self.token_busy)
        token_layout.addWidget(self.token_error)

        self.sp_message = QLabel(page, objectName="sp_message")
        self.sp_message.setWordWrap(True)
        _lay_out_page(page, self.sp_status, self.browser_box, self.token_box, self.sp_message)

        self.open_button.clicked.connect(lambda: self.start_browser_sign_in())
        self.copy_link_button.clicked.connect(lambda: self.copy_link())
        self.cancel_button.clicked.connect(lambda: self.cancel_browser_sign_in())
        self.finish_button.clicked.connect(lambda: self.finish_with_code())
        self.code_edit.returnPressed.connect(self.finish_with_code)
        self.token_button.clicked.connect(lambda: self.use_token())
        self.token_edit.returnPressed.connect(self.use_token)
        return page

    def _build_pixieset(self) -> QWidget:
        page = QWidget()
        self.px_status = _StatusRow(page, "px_sign_out")
        self.px_status.sign_out.clicked.connect(lambda: self.sign_out_pixieset())
        help_text = Hint(PIXIESET_HELP, page)
        self.cookie_edit = _secret_edit(page, "px_cookie", "name=value", "Pixieset session cookie")
        self.show_cookie = QPushButton("Show", page, objectName="px_show")
        self.show_cookie.setCheckable(True)
        self.show_cookie.toggled.connect(
            lambda shown: self.cookie_edit.setEchoMode(
                QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
            )
        )
        self.cookie_button = QPushButton("Sign In", page, objectName="px_sign_in")
        row = QHBoxLayout()
        row.addWidget(self.cookie_edit, 1)
        row.addWidget(self.show_cookie)
        row.addWidget(self.cookie_button)
        self.cookie_error = ErrorLabel(page)
        self.cookie_error.setObjectName("px_error")
        self.cookie_busy = Busy(page)
        self.px_message = QLabel(page, objectName="px_message")
        self.px_message.setWordWrap(True)
        box = QGroupBox("Paste your Pixieset session cookie", page)
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(help_text)
        box_layout.addLayout(row)
        box_layout.addWidget(self.cookie_busy)
        box_layout.addWidget(self.cookie_error)
        _lay_out_page(page, self.px_status, box, self.px_message)
        self.cookie_button.clicked.connect(lambda: self.use_cookie())
        self.cookie_edit.returnPressed.connect(self.use_cookie)
        return page

    # --- ShootProof: browser ------------------------------------------------------------------

    def _run(self, coro, on_result, on_error, name: str) -> asyncio.Task:
        task = run_for(self, self.tasks, coro, on_result=on_result, on_error=on_error, name=name)
        self._tasks.append(task)
        task.add_done_callback(lambda t: self._tasks.remove(t) if t in self._tasks else None)
        return task

    def start_browser_sign_in(self, *, loopback: bool | None = None) -> None:
        """Open the authorize page; then wait for the browser (loopback) or for the pasted code."""
        if loopback is None:
            loopback = self.loopback_choice.isChecked()
        else:
            (self.loopback_choice if loopback else self.paste_choice).setChecked(True)
        self.browser_error.set_messages([])
        self.sp_message.clear()
        self._drop_pending()
        session = self.accounts.shootproof
        self.browser_task = self._run(
            session.begin_browser_sign_in(loopback=loopback, open_url=self.open_url),
            self._browser_started,
            self._browser_failed,
            "sign-in-start",
        )
        self._sync()

    def _browser_started(self, pending: PendingSignIn) -> None:
        self.pending = pending
        self.browser_task = None
        if not pending.browser_opened:
            # Say so, and put the address where the user can use it, instead of waiting for a page never shown.
            QGuiApplication.clipboard().setText(pending.url)
            self.sp_message.setText(NO_BROWSER_LOOPBACK_TEXT if pending.uses_loopback else NO_BROWSER_TEXT)
        if pending.uses_loopback:
            self.browser_task = self._run(
                self.accounts.shootproof.finish_from_loopback(pending),
                self._shootproof_done,
                self._browser_failed,
                "sign-in-loopback",
            )
        else:
            self.code_edit.setFocus()
        self._sync()

    def finish_with_code(self) -> None:
        pending = self.pending
        if pending is None or pending.uses_loopback or self.browser_task is not None:
            return
        text = self.code_edit.text()
        self.browser_error.set_messages([])
        self.browser_task = self._run(
            self.accounts.shootproof.finish_with_code(pending, text),
            self._shootproof_done,
            self._browser_failed,
            "sign-in-code",
        )
        self._sync()

    def cancel_browser_sign_in(self) -> None:
        if self.browser_task is not None:
            self.browser_task.cancel()
            self.browser_task = None
        self._drop_pending()
        self._sync()

    def _drop_pending(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            self.tasks.run(pending.cancel(), quiet=True, name="sign-in-cancel")

    def copy_link(self) -> None:
        if self.pending is not None:
            QGuiApplication.clipboard().setText(self.pending.url)
            self.sp_message.setText("The sign-in page's address is on the clipboard; paste it into your browser.")

    def _browser_failed(self, error: BaseException) -> None:
        self.browser_task = None
        keep_pending = self.pending is not None and not self.pending.uses_loopback
        if not keep_pending:
            self._drop_pending()
        self.browser_error.set_messages([_message(error)])
        self._sync()

    def _shootproof_done(self, info: StudioInfo) -> None:
        self.browser_task = None
        self.pending = None
        self.code_edit.clear()
        self.token_edit.clear()
        self.token_busy.set_busy(False)
        self._token_running = False
        self.accounts.studio_name = info.name
        self.sp_message.setText(f"Connected to {info.name}." if info.name else "Connected to ShootProof.")
        self._sync()
        self.signed_in.emit(SHOOTPROOF)

    # --- ShootProof: token and sign-out -------------------------------------------------------

    def use_token(self) -> None:
        text = self.token_edit.text()
        self.token_error.set_messages([])
        self.token_busy.set_busy(True)
        self._token_running = True
        self.token_button.setEnabled(False)
        self._run(
            self.accounts.shootproof.sign_in_with_access_token(text),
            self._shootproof_done,
            self._token_failed,
            "sign-in-token",
        )

    def _token_failed(self, error: BaseException) -> None:
        self.token_busy.set_busy(False)
        self._token_running = False
        self.token_error.set_messages([_message(error)])
        self._sync()

    def sign_out_shootproof(self) -> None:
        self.sp_status.sign_out.setEnabled(False)
        self._run(
            self.accounts.shootproof.sign_out(),
            self._shootproof_signed_out,
            self._sign_out_failed,
            "sign-out-shootproof",
        )

    def _shootproof_signed_out(self, warning: str | None) -> None:
        self.sp_status.sign_out.setEnabled(True)
        self.sp_message.setText(
            warning or "Signed out of ShootProof. The sign-in was revoked and removed from this computer."
        )
        self._sync()
        self.signed_out.emit(SHOOTPROOF)

    def _sign_out_failed(self, error: BaseException) -> None:
        self.sp_status.sign_out.setEnabled(True)
        self.sp_message.setText(_message(error))
        self._sync()

    # --- Pixieset -------------------------------------------------------------------------------

    def use_cookie(self) -> None:
        text = self.cookie_edit.text()
        self.cookie_error.set_messages([])
        self.cookie_busy.set_busy(True)
        self._cookie_running = True
        self.cookie_button.setEnabled(False)
        self._run(
            self.accounts.pixieset.sign_in_with_cookie(text),
            self._pixieset_done,
            self._cookie_failed,
            "sign-in-pixieset",
        )

    def _pixieset_done(self, total: int) -> None:
        self.cookie_busy.set_busy(False)
        self._cookie_running = False
        self.cookie_edit.clear()
        self.show_cookie.setChecked(False)
        self.accounts.pixieset_total = total
        self.px_message.setText(f"Connected to Pixieset Studio: {total:,} people in your CRM.")
        self._sync()
        self.signed_in.emit(PIXIESET)

    def _cookie_failed(self, error: BaseException) -> None:
        self.cookie_busy.set_busy(False)
        self._cookie_running = False
        self.cookie_error.set_messages([_message(error)])
        self._sync()

    def sign_out_pixieset(self) -> None:
        self._run(
            self.accounts.pixieset.sign_out(), self._pixieset_signed_out, self._cookie_failed, "sign-out-pixieset"
        )

    def _pixieset_signed_out(self, _result: object) -> None:
        self.px_message.setText("Signed out of Pixieset. The cookie was removed from this computer.")
        self._sync()
        self.signed_out.emit(PIXIESET)

    # --- state -----------------------------------------------------------------------------------

    def _sync(self) -> None:
        sp = self.accounts.shootproof
        if sp.signed_in and sp.needs_sign_in:
            self.sp_status.set_state(False, "ShootProof refused the saved sign-in. Please sign in again.")
        elif sp.signed_in:
            name = self.accounts.studio_name
            how = "" if sp.uses_oauth else " with an access token"
            self.sp_status.set_state(True, f"Signed in to {name}{how}." if name else f"Signed in{how}.")
        else:
            self.sp_status.set_state(False, "Not signed in.")
        if sp.signed_in and sp.needs_sign_in:
            self.sp_status.sign_out.setVisible(True)
        waiting = self.browser_task is not None or self.pending is not None
        loopback_wait = self.pending is not None and self.pending.uses_loopback
        self.browser_box.setEnabled(sp.can_use_browser)
        self.browser_hint.setText(BROWSER_HINT if sp.can_use_browser else NO_CLIENT_ID_HINT)
        self.open_button.setEnabled(self.browser_task is None)
        self.open_button.setText("Open Sign-In Page Again" if self.pending is not None else "Open Sign-In Page")
        self.copy_link_button.setVisible(self.pending is not None)
        self.waiting.setVisible(loopback_wait)
        self.waiting_busy.set_busy(loopback_wait)
        self.code_row.setVisible(self.pending is not None and not self.pending.uses_loopback)
        self.finish_button.setEnabled(self.browser_task is None)
        self.loopback_choice.setEnabled(not waiting)
        self.paste_choice.setEnabled(not waiting)
        self.token_button.setEnabled(not self._token_running)

        px = self.accounts.pixieset
        if px.signed_in and px.needs_sign_in:
            self.px_status.set_state(False, "Your Pixieset session has ended. Paste a new cookie to sign in again.")
            self.px_status.sign_out.setVisible(True)
        elif px.signed_in:
            total = self.accounts.pixieset_total
            self.px_status.set_state(True, f"Signed in ({total:,} people)." if total is not None else "Signed in.")
        else:
            self.px_status.set_state(False, "Not signed in.")
        self.cookie_button.setEnabled(not self._cookie_running)

    def closeEvent(self, event) -> None:
        self.cancel_browser_sign_in()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self.cancel_browser_sign_in()
        super().done(result)
