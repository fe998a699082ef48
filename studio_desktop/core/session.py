"""Signing in to ShootProof (OAuth or a pasted token) and to Pixieset (a pasted session cookie).

Qt-free, so every step is tested without a window. The GUI's sign-in dialog
drives these objects and listens to their events.

ShootProof: the authorization-code flow of :mod:`studio_desktop.api.oauth`. The
authorize page opens in the user's browser; the code comes back either on the
page itself (``redirect_uri=self``: the user pastes it) or to a one-shot
listener on 127.0.0.1 (:class:`LoopbackReceiver`), with ``state`` checked
either way. Tokens and their expiry live in the credential store. One
:class:`SessionTokenProvider` serves every ShootProof client for the app's
whole life: it refreshes before expiry and once after a 401, and when no
better token can be had it tells the listeners that the user must sign in again.

Pixieset: the user pastes the browser's session cookie; it is checked with one
small request before it is kept. A 401 from Pixieset anywhere (seen by an
httpx response hook on the client's connection, or reported by a panel that
caught :class:`PixiesetAuthError`) tells the listeners the same way.

Every token, code and cookie is registered for redaction the moment the app
holds it, and none is ever logged, put in an exception or written to settings.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import importlib
import logging
import secrets as _secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from studio_desktop.api.errors import ApiError, AuthenticationError
from studio_desktop.api.models import StudioInfo
from studio_desktop.api.oauth import (
    SELF_REDIRECT,
    AuthorizationRequest,
    OAuthClient,
    OAuthError,
    OAuthInvalidGrantError,
    OAuthStateError,
    OAuthTokenProvider,
    Tokens,
)
from studio_desktop.api.pixieset import PixiesetClient
from studio_desktop.api.pixieset_errors import PixiesetAuthError
from studio_desktop.api.shootproof import METHODS, ShootProofClient
from studio_desktop.api.transport import StaticToken
from studio_desktop.core import config
from studio_desktop.core import credentials as cred
from studio_desktop.core.config import Endpoints
from studio_desktop.core.logging_setup import register_secret
from studio_desktop.core.settings import Settings

log = logging.getLogger(__name__)

SHOOTPROOF = "shootproof"
PIXIESET = "pixieset"

#: Every method the app calls; ShootProof scopes are method names.
DEFAULT_SCOPE: tuple[str, ...] = tuple(sp_name for sp_name, _ in METHODS)

LOOPBACK_HOST = "127.0.0.1"
LOOPBACK_PATH = "/callback"
MAX_REQUEST_BYTES = 16 * 1024

NOT_SIGNED_IN = "You are not signed in to ShootProof; sign in first."
SHOOTPROOF_EXPIRED = "Your ShootProof sign-in has expired or was revoked. Please sign in again."
PIXIESET_EXPIRED = "Your Pixieset session has ended. Paste a new session cookie to sign in again."


class CredentialRefused(Exception):
    """A token the user offered was not taken; the sign-in already in use (if any) is untouched.

    Not an :class:`AuthenticationError`: that one means the current sign-in was refused, and the
    window would show "Not signed in" while the user is still signed in.
    """

    @property
    def msg(self) -> str:
        return str(self)


@dataclass(frozen=True)
class SessionEvent:
    """What listeners hear. ``kind``: ``signed_in``, ``signed_out``, ``sign_in_needed`` or ``refreshed``."""

    service: str
    kind: str
    message: str = ""


Listener = Callable[[SessionEvent], None]


class _Listeners:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` on every change; returns a function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _emit(self, event: SessionEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("A sign-in listener failed")


async def _off_loop(fn: Callable[..., Any], *args: Any) -> Any:
    """Credential store calls may block (keyring over D-Bus, file I/O)."""
    return await asyncio.get_running_loop().run_in_executor(None, fn, *args)


#: Written by ``packaging/build.sh`` when a build carries the studio's ShootProof app id; absent otherwise.
BUILD_INFO_MODULE = "studio_desktop._build_info"


def build_client_id() -> str:
    """The ShootProof client id chosen when this bundle was built ("" for a checkout or a plain build)."""
    try:
        module = importlib.import_module(BUILD_INFO_MODULE)
    except ImportError:
        return ""
    value = getattr(module, "SHOOTPROOF_CLIENT_ID", "")
    return value.strip() if isinstance(value, str) else ""


@dataclass(frozen=True)
class AuthSettings:
    """Where to sign in: from the settings file, or the endpoints of this run (flags, env, sandbox)."""

    client_id: str
    oauth_url: str
    api_url: str
    pixieset_url: str

    @classmethod
    def resolve(cls, settings: Settings, endpoints: Endpoints) -> AuthSettings:
        # A flag or environment variable of this run (and the sandbox's addresses, known only once it
        # runs) wins; then the settings file; then the real services' addresses.
        def pick(setting: str, endpoint: str, default: str) -> str:
            if endpoints.sandbox or endpoint != default or not setting:
                return endpoint
            return setting

        if endpoints.sandbox:
            client_id = endpoints.client_id or settings.shootproof_client_id
        else:
            client_id = settings.shootproof_client_id or endpoints.client_id or build_client_id()
        return cls(
            client_id=(client_id or "").strip(),
            oauth_url=pick(settings.oauth_url, endpoints.oauth_url, config.DEFAULT_OAUTH_URL),
            api_url=pick(settings.api_url, endpoints.api_url, config.DEFAULT_API_URL),
            pixieset_url=pick(settings.pixieset_url, endpoints.pixieset_url, config.DEFAULT_PIXIESET_URL),
        )


# --- the loopback redirect -----------------------------------------------------------------

_DONE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:34em;margin:4em auto;color:#222}}
h1{{font-size:1.3em}}</style></head><body><h1>{title}</h1><p>{text}</p></body></html>"""


class LoopbackReceiver:
    """A one-shot HTTP listener on 127.0.0.1 that catches the browser coming back from the authorize page.

    It answers only ``GET /callback``; an answer whose ``state`` is not the one
    this sign-in sent is refused (and the listener keeps waiting), so another
    page cannot slip its own code in. It stops after the first real answer.
    """

    def __init__(self, host: str = LOOPBACK_HOST):
        self.host = host
        self._server: asyncio.AbstractServer | None = None
        self._answer: asyncio.Future[str] | None = None
        self._request: AuthorizationRequest | None = None
        self.port: int | None = None

    @property
    def redirect_uri(self) -> str:
        if self.port is None:
            raise RuntimeError("the loopback listener is not running")
        return f"http://{self.host}:{self.port}{LOOPBACK_PATH}"

    async def start(self) -> str:
        """Start listening on a free port; returns the ``redirect_uri`` to send."""
        self._answer = asyncio.get_running_loop().create_future()
        self._server = await asyncio.start_server(self._handle, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.redirect_uri

    def expect(self, request: AuthorizationRequest) -> None:
        self._request = request

    async def wait(self) -> str:
        """The URL the browser came back to (with ``code`` and ``state``), once it does."""
        if self._answer is None:
            raise RuntimeError("start() the loopback listener first")
        try:
            return await asyncio.shield(self._answer)
        finally:
            if self._answer.done():
                await self.close()

    async def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2.0)
        if self._answer is not None and not self._answer.done():
            self._answer.cancel()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10.0)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError, ConnectionError):
            writer.close()
            return
        try:
            status, title, text = self._answer_for(head[:MAX_REQUEST_BYTES])
            body = _DONE_PAGE.format(title=html.escape(title), text=html.escape(text)).encode("utf-8")
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
                "Cache-Control: no-store\r\nConnection: close\r\n\r\n".encode("ascii") + body)
            with contextlib.suppress(ConnectionError):
                await writer.drain()
        finally:
            writer.close()

    def _answer_for(self, head: bytes) -> tuple[str, str, str]:
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = line.split(" ")
        if len(parts) < 2 or parts[0] != "GET":
            return "405 Method Not Allowed", "Not here", "This address only takes the sign-in answer."
        target = urlsplit(parts[1])
        if target.path != LOOPBACK_PATH:
            return "404 Not Found", "Not here", "This address only takes the sign-in answer."
        query = dict(parse_qsl(target.query, keep_blank_values=True))
        code = query.get("code")
        if code:
            register_secret(code)
        expected = self._request.state if self._request is not None else ""
        if not expected or not _secrets.compare_digest(query.get("state", ""), expected):
            log.warning("Ignored a sign-in answer whose state does not match the sign-in in progress")
            return ("400 Bad Request", "This sign-in answer is not for this app",
                    "It does not match the sign-in Studio Desktop started. Go back to the app and try again.")
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(f"http://{self.host}:{self.port}{parts[1]}")
        if "error" in query:
            return "200 OK", "Sign-in cancelled", "You can close this window and return to Studio Desktop."
        return "200 OK", "Signed in", "Studio Desktop is now connected. You can close this window."


# --- ShootProof -----------------------------------------------------------------------------

@dataclass
class PendingSignIn:
    """A browser sign-in in progress: open ``url``; then paste the code, or wait for the loopback answer."""

    request: AuthorizationRequest
    receiver: LoopbackReceiver | None = None
    #: False when no browser could be opened: the user must open ``url`` some other way.
    browser_opened: bool = True

    @property
    def url(self) -> str:
        return self.request.url

    @property
    def uses_loopback(self) -> bool:
        return self.receiver is not None

    def __repr__(self) -> str:
        return f"PendingSignIn(redirect_uri={self.request.redirect_uri!r})"

    async def cancel(self) -> None:
        if self.receiver is not None:
            await self.receiver.close()


class SessionTokenProvider:
    """The token source of every ShootProof client: follows the session through sign-ins and sign-outs."""

    def __init__(self, session: ShootProofSession):
        self._session = session

    def __repr__(self) -> str:
        return f"SessionTokenProvider(signed_in={self._session.signed_in})"

    async def token(self) -> str:
        inner = self._session._inner
        if inner is None:
            raise AuthenticationError(NOT_SIGNED_IN, code=401, http_status=None)
        try:
            return await inner.token()
        except OAuthInvalidGrantError:
            self._session._sign_in_needed(inner)
            raise AuthenticationError(SHOOTPROOF_EXPIRED, code=401) from None

    async def refresh_after_auth_failure(self) -> str | None:
        inner = self._session._inner
        if inner is None:
            return None
        fresh = await inner.refresh_after_auth_failure()
        if fresh is None:
            self._session._sign_in_needed(inner)
        return fresh


class ShootProofSession(_Listeners):
    """The ShootProof sign-in of this app: tokens in the credential store, one provider for all clients."""

    def __init__(
        self,
        credentials: cred.CredentialStore,
        *,
        api_url: str,
        oauth_url: str,
        client_id: str,
        http: httpx.AsyncClient,
        scope: tuple[str, ...] = DEFAULT_SCOPE,
        clock: Callable[[], float] = time.time,
    ):
        super().__init__()
        self.credentials = credentials
        self.api_url = api_url
        self.oauth_url = oauth_url
        self.client_id = client_id
        self.http = http
        self.scope = scope
        self._clock = clock
        self._inner: OAuthTokenProvider | StaticToken | None = None
        self._tokens: Tokens | None = None
        self.needs_sign_in = False
        self.provider = SessionTokenProvider(self)

    @classmethod
    def from_settings(cls, settings: AuthSettings, credentials: cred.CredentialStore,
                      http: httpx.AsyncClient) -> ShootProofSession:
        return cls(credentials, api_url=settings.api_url, oauth_url=settings.oauth_url,
                   client_id=settings.client_id, http=http)

    def __repr__(self) -> str:
        return f"ShootProofSession({self.api_url!r}, signed_in={self.signed_in})"

    @property
    def signed_in(self) -> bool:
        return self._inner is not None

    @property
    def can_use_browser(self) -> bool:
        """Browser sign-in needs the app's ShootProof client id (a setting)."""
        return bool(self.client_id)

    @property
    def tokens(self) -> Tokens | None:
        inner = self._inner
        return inner.tokens if isinstance(inner, OAuthTokenProvider) else self._tokens

    @property
    def uses_oauth(self) -> bool:
        return isinstance(self._inner, OAuthTokenProvider)

    def oauth_client(self) -> OAuthClient:
        return OAuthClient(self.client_id, oauth_url=self.oauth_url, scope=self.scope, http=self.http,
                           clock=self._clock)

    # --- loading -------------------------------------------------------------------------

    async def load(self) -> bool:
        """Pick up the sign-in saved by an earlier run; True when there is one."""
        access, refresh, expires = await _off_loop(self._read_stored)
        if not access:
            return False
        expires_at: float | None = None
        if expires:
            try:
                expires_at = float(expires)
            except ValueError:
                log.warning("The saved ShootProof token expiry is unreadable; it is refreshed when refused")
        self._use(Tokens(access, refresh or None, expires_at, self.scope))
        return True

    def use_token(self, access_token: str) -> None:
        """Use a token given for this run only (``--access-token``, the environment, the sandbox); not saved."""
        register_secret(access_token)
        self._use(Tokens(access_token.strip()))

    def _read_stored(self) -> tuple[str | None, str | None, str | None]:
        return (self.credentials.get(cred.SHOOTPROOF_ACCESS_TOKEN),
                self.credentials.get(cred.SHOOTPROOF_REFRESH_TOKEN),
                self.credentials.get(cred.SHOOTPROOF_TOKEN_EXPIRES_AT))

    def _use(self, tokens: Tokens) -> None:
        register_secret(tokens.access_token)
        register_secret(tokens.refresh_token)
        if tokens.refresh_token and self.client_id:
            self._inner = OAuthTokenProvider(self.oauth_client(), tokens, self._save_refreshed, clock=self._clock)
        else:
            self._inner = StaticToken(tokens.access_token)
        self._tokens = tokens
        self.needs_sign_in = False

    async def _save_refreshed(self, tokens: Tokens) -> None:
        register_secret(tokens.access_token)
        register_secret(tokens.refresh_token)
        self._tokens = tokens
        await _off_loop(lambda: self._store(tokens))
        self._emit(SessionEvent(SHOOTPROOF, "refreshed", "The ShootProof sign-in was renewed."))

    def _store(self, tokens: Tokens) -> None:
        self.credentials.set(cred.SHOOTPROOF_ACCESS_TOKEN, tokens.access_token)
        if tokens.refresh_token:
            self.credentials.set(cred.SHOOTPROOF_REFRESH_TOKEN, tokens.refresh_token)
        else:
            self.credentials.delete(cred.SHOOTPROOF_REFRESH_TOKEN)
        if tokens.expires_at is not None:
            self.credentials.set(cred.SHOOTPROOF_TOKEN_EXPIRES_AT, repr(float(tokens.expires_at)))
        else:
            self.credentials.delete(cred.SHOOTPROOF_TOKEN_EXPIRES_AT)

    def _forget_stored(self) -> None:
        for name in (cred.SHOOTPROOF_ACCESS_TOKEN, cred.SHOOTPROOF_REFRESH_TOKEN, cred.SHOOTPROOF_TOKEN_EXPIRES_AT):
            self.credentials.delete(name)

    def note_auth_failure(self, error: BaseException | None = None) -> None:
        """ShootProof refused the sign-in somewhere (after the provider already tried to refresh it)."""
        if error is not None and not isinstance(error, AuthenticationError):
            return
        if self._inner is not None:
            self._sign_in_needed(self._inner)

    def _sign_in_needed(self, inner: object) -> None:
        if inner is not self._inner or self.needs_sign_in:
            return
        self.needs_sign_in = True
        log.warning("ShootProof refused the sign-in; asking the user to sign in again")
        self._emit(SessionEvent(SHOOTPROOF, "sign_in_needed", SHOOTPROOF_EXPIRED))

    # --- signing in ----------------------------------------------------------------------

    async def begin_browser_sign_in(self, *, loopback: bool = False,
                                    open_url: Callable[[str], Any] | None = None) -> PendingSignIn:
        """Start a sign-in: the authorize URL (opened with ``open_url`` when given) and, for ``loopback``,
        the listener that will catch the answer."""
        if not self.client_id:
            raise OAuthError("Browser sign-in needs the app's ShootProof client id (Settings → ShootProof app id). "
                             "You can paste an access token instead.", code="no_client_id")
        receiver: LoopbackReceiver | None = None
        redirect_uri = SELF_REDIRECT
        if loopback:
            receiver = LoopbackReceiver()
            redirect_uri = await receiver.start()
        request = self.oauth_client().start(redirect_uri=redirect_uri)
        if receiver is not None:
            receiver.expect(request)
        pending = PendingSignIn(request, receiver)
        if open_url is not None:
            try:
                opened = open_url(request.url)
                if asyncio.iscoroutine(opened):
                    opened = await opened
            except Exception:
                await pending.cancel()
                raise
            if opened is False:
                log.warning("The browser could not be opened for the ShootProof sign-in")
                pending.browser_opened = False
        return pending

    async def finish_with_code(self, pending: PendingSignIn, pasted: str) -> StudioInfo:
        """Finish with what the user pasted: the code the page showed, or the whole address it ended on."""
        text = pasted.strip()
        register_secret(text)
        if not text:
            raise OAuthError("Paste the code ShootProof showed after you approved the app.", code="missing_code")
        if "code=" in text or "error=" in text:
            code = OAuthClient.code_from_redirect(text, pending.request)
        else:
            code = text
        register_secret(code)
        return await self._exchange(pending, code)

    async def finish_from_loopback(self, pending: PendingSignIn) -> StudioInfo:
        """Wait for the browser to come back to the loopback listener, then finish."""
        if pending.receiver is None:
            raise RuntimeError("this sign-in does not use the loopback listener")
        landed = await pending.receiver.wait()
        code = OAuthClient.code_from_redirect(landed, pending.request)
        return await self._exchange(pending, code)

    async def _exchange(self, pending: PendingSignIn, code: str) -> StudioInfo:
        oauth = self.oauth_client()
        tokens = await oauth.exchange_code(code, redirect_uri=pending.request.redirect_uri)
        if not tokens.scope:
            tokens = Tokens(tokens.access_token, tokens.refresh_token, tokens.expires_at, self.scope)
        register_secret(tokens.access_token)
        register_secret(tokens.refresh_token)
        info = await self._check(tokens.access_token)
        await self._adopt(tokens)
        return info

    async def sign_in_with_access_token(self, token: str) -> StudioInfo:
        """Sign in with a long-lived token the user pasted; it is checked before it is kept."""
        text = token.strip()
        if text.lower().startswith("bearer "):
            text = text[7:].strip()
        register_secret(text)
        if not text:
            raise CredentialRefused("Paste your ShootProof access token.")
        if any(ch.isspace() for ch in text) or not text.isprintable():
            raise CredentialRefused("That does not look like an access token: it should be one word "
                                    "of letters and digits.")
        info = await self._check(text)
        await self._adopt(Tokens(text))
        return info

    async def _check(self, access_token: str) -> StudioInfo:
        async with ShootProofClient(self.api_url, access_token, http=self.http) as client:
            try:
                return await client.studio_info()
            except AuthenticationError:
                raise CredentialRefused("ShootProof did not accept this access token.") from None

    async def _adopt(self, tokens: Tokens) -> None:
        await _off_loop(lambda: self._store(tokens))
        self._use(tokens)
        self._emit(SessionEvent(SHOOTPROOF, "signed_in", "Signed in to ShootProof."))

    # --- signing out ---------------------------------------------------------------------

    async def sign_out(self) -> str | None:
        """Revoke the token (``sp.auth.deauthorize``) and forget it.

        Returns a warning when ShootProof could not be told (the sign-in is forgotten here anyway).
        """
        inner = self._inner
        warning: str | None = None
        if inner is not None:
            try:
                async with ShootProofClient(self.api_url, self.provider, http=self.http) as client:
                    await client.auth_deauthorize()
            except AuthenticationError:
                pass  # the token no longer works: nothing left to revoke
            except ApiError as exc:
                log.warning("Could not revoke the ShootProof sign-in: %s", exc)
                warning = ("ShootProof could not be reached to revoke the sign-in; it was removed from this "
                           "computer anyway.")
        await _off_loop(self._forget_stored)
        self._inner = None
        self._tokens = None
        self.needs_sign_in = False
        self._emit(SessionEvent(SHOOTPROOF, "signed_out", "Signed out of ShootProof."))
        return warning


# --- Pixieset -------------------------------------------------------------------------------

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
        raise PixiesetAuthError("Paste the whole cookie, as name=value (for example "
                                "pixieset_studio_session=…), copied from your browser's developer tools.")
    return value


class PixiesetSession(_Listeners):
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
    def from_settings(cls, settings: AuthSettings, credentials: cred.CredentialStore,
                      http: httpx.AsyncClient) -> PixiesetSession:
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
        cookie = await _off_loop(self.credentials.get, cred.PIXIESET_COOKIE)
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
            raise PixiesetAuthError("Pixieset did not accept this cookie. Copy it again from a browser where "
                                    "you are signed in to Pixieset Studio.") from None
        # A closure, not arguments: the executor may log the arguments it is given.
        await _off_loop(lambda: self.credentials.set(cred.PIXIESET_COOKIE, value))
        self._cookie = value
        self.needs_sign_in = False
        self._emit(SessionEvent(PIXIESET, "signed_in", "Signed in to Pixieset."))
        return page.total

    async def sign_out(self) -> None:
        await _off_loop(self.credentials.delete, cred.PIXIESET_COOKIE)
        self._cookie = None
        self.needs_sign_in = False
        self._emit(SessionEvent(PIXIESET, "signed_out", "Signed out of Pixieset."))


__all__ = [
    "DEFAULT_SCOPE",
    "AuthSettings",
    "LoopbackReceiver",
    "OAuthStateError",
    "PendingSignIn",
    "PixiesetSession",
    "SessionEvent",
    "SessionTokenProvider",
    "ShootProofSession",
    "normalize_cookie",
]
