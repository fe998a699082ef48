"""Signing in to Pixieset: the user pastes the browser's session cookie.

The cookie is checked with one small request before it is kept. A 401 from
Pixieset anywhere (seen by an httpx response hook on the client's connection, or
reported by a panel that caught :class:`PixiesetAuthError`) tells the listeners
that the user must sign in again. The cookie is registered for redaction the
moment the app holds it, and never logged or written to settings.
"""

from __future__ import annotations

import logging

import httpx

from studio_desktop.accounts.auth_settings import AuthSettings
from studio_desktop.accounts.events import PIXIESET, Listeners, SessionEvent, off_loop
from studio_desktop.api.pixieset import PixiesetClient
from studio_desktop.api.pixieset_errors import PixiesetAuthError
from studio_desktop.core import credentials as cred
from studio_desktop.core.logging_setup import register_secret

log = logging.getLogger(__name__)

PIXIESET_EXPIRED = "Your Pixieset session has ended. Paste a new session cookie to sign in again."


def normalize_cookie(text: str) -> str:
    """The cookie header value from what the user pasted (with or without ``Cookie:``, quotes, line breaks).

    Raises :class:`PixiesetAuthError` with a plain-words reason when it cannot be a cookie.
    """
    value = " ".join(text.replace("\r", "\n").split("\n")).strip()
    if value[:7].lower() == "cookie:":
        value = value[7:].strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1].strip()
    value = "; ".join(part.strip() for part in value.split(";") if part.strip())
    if not value:
        raise PixiesetAuthError("Paste the Pixieset session cookie.")
    if not all(0x20 <= ord(ch) <= 0x7E for ch in value):
        raise PixiesetAuthError("That is not a cookie: it holds characters a cookie cannot have.")
    if "=" not in value:
        raise PixiesetAuthError(
            "Paste the whole cookie, as name=value (for example "
            "pixieset_studio_session=…), copied from your browser's developer tools."
        )
    return value


class PixiesetSession(Listeners):
    """The Pixieset sign-in: a session cookie in the credential store, asked for by the client on each call."""

    def __init__(self, credentials: cred.CredentialStore, *, base_url: str, http: httpx.AsyncClient):
        super().__init__()
        self.credentials = credentials
        self.base_url = base_url.rstrip("/")
        self.http = http
        self._cookie: str | None = None
        self.needs_sign_in = False
        self._watched: set[int] = set()

    @classmethod
    def from_settings(
        cls, settings: AuthSettings, credentials: cred.CredentialStore, http: httpx.AsyncClient
    ) -> PixiesetSession:
        return cls(credentials, base_url=settings.pixieset_url, http=http)

    def __repr__(self) -> str:
        return f"PixiesetSession({self.base_url!r}, signed_in={self.signed_in})"

    @property
    def signed_in(self) -> bool:
        return self._cookie is not None

    def cookie(self) -> str | None:
        """The :data:`~studio_desktop.api.pixieset.CookieProvider` of the app's Pixieset client."""
        return self._cookie

    def make_client(self) -> PixiesetClient:
        """A client on the session's connection, asking the session for the cookie on every call."""
        self.watch(self.http)
        return PixiesetClient(self.base_url, self.cookie, http=self.http)

    def watch(self, http: httpx.AsyncClient) -> None:
        """Hear every Pixieset 401 on ``http``, whoever made the request."""
        if id(http) in self._watched:
            return
        self._watched.add(id(http))
        http.event_hooks["response"] = [*http.event_hooks.get("response", []), self._on_response]

    async def _on_response(self, response: httpx.Response) -> None:
        if response.status_code not in (401, 419) or not str(response.request.url).startswith(self.base_url):
            return
        sent = response.request.headers.get("cookie")
        if self._cookie is not None and sent == self._cookie:
            self.note_auth_failure()

    def note_auth_failure(self, error: BaseException | None = None) -> None:
        """Pixieset refused the cookie: ask the user to sign in again (once, until they do)."""
        if error is not None and not isinstance(error, PixiesetAuthError):
            return
        if self.needs_sign_in:
            return
        self.needs_sign_in = True
        log.warning("Pixieset refused the session cookie; asking the user to sign in again")
        self._emit(SessionEvent(PIXIESET, "sign_in_needed", PIXIESET_EXPIRED))

    async def load(self) -> bool:
        cookie = await off_loop(self.credentials.get, cred.PIXIESET_COOKIE)
        if not cookie:
            return False
        register_secret(cookie)
        self._cookie = cookie
        self.needs_sign_in = False
        return True

    def use_cookie(self, cookie: str) -> None:
        """Use a cookie given for this run only (the sandbox's); not saved."""
        value = normalize_cookie(cookie)
        register_secret(value)
        self._cookie = value
        self.needs_sign_in = False

    async def sign_in_with_cookie(self, pasted: str) -> int:
        """Check the pasted cookie with one small request and keep it; returns how many people the CRM holds."""
        register_secret(pasted.strip())
        value = normalize_cookie(pasted)
        register_secret(value)
        probe = PixiesetClient(self.base_url, value, http=self.http)
        try:
            page = await probe.list_clients(per_page=1)
        except PixiesetAuthError:
            raise PixiesetAuthError(
                "Pixieset did not accept this cookie. Copy it again from a browser where "
                "you are signed in to Pixieset Studio."
            ) from None
        # A closure, not arguments: the executor may log the arguments it is given.
        await off_loop(lambda: self.credentials.set(cred.PIXIESET_COOKIE, value))
        self._cookie = value
        self.needs_sign_in = False
        self._emit(SessionEvent(PIXIESET, "signed_in", "Signed in to Pixieset."))
        return page.total

    async def sign_out(self) -> None:
        await off_loop(self.credentials.delete, cred.PIXIESET_COOKIE)
        self._cookie = None
        self.needs_sign_in = False
        self._emit(SessionEvent(PIXIESET, "signed_out", "Signed out of Pixieset."))
