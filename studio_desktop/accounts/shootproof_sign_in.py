"""Signing in to ShootProof: OAuth in the browser, or a pasted access token.

Qt-free, so every step is tested without a window. The GUI's sign-in dialog
drives these objects and listens to their events.

The authorization-code flow of :mod:`studio_desktop.api.oauth`. The
authorize page opens in the user's browser; the code comes back either on the
page itself (``redirect_uri=self``: the user pastes it) or to a one-shot
listener on 127.0.0.1 (:class:`~studio_desktop.accounts.loopback.LoopbackReceiver`),
with ``state`` checked either way. Tokens and their expiry live in the credential
store. One :class:`SessionTokenProvider` serves every ShootProof client for the
app's whole life: it refreshes before expiry and once after a 401, and when no
better token can be had it tells the listeners that the user must sign in again.

Every token and code is registered for redaction the moment the app holds it,
and none is ever logged, put in an exception or written to settings.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from studio_desktop.accounts.auth_settings import AuthSettings
from studio_desktop.accounts.events import SHOOTPROOF, Listeners, SessionEvent, off_loop
from studio_desktop.accounts.loopback import LoopbackReceiver
from studio_desktop.api.errors import ApiError, AuthenticationError
from studio_desktop.api.models import StudioInfo
from studio_desktop.api.oauth import (
    SELF_REDIRECT,
    AuthorizationRequest,
    OAuthClient,
    OAuthError,
    OAuthInvalidGrantError,
    OAuthTokenProvider,
    Tokens,
)
from studio_desktop.api.shootproof import METHODS, ShootProofClient
from studio_desktop.api.transport import StaticToken
from studio_desktop.core import credentials as cred
from studio_desktop.core.logging_setup import register_secret

log = logging.getLogger(__name__)

#: Every method the app calls; ShootProof scopes are method names.
DEFAULT_SCOPE: tuple[str, ...] = tuple(sp_name for sp_name, _ in METHODS)

NOT_SIGNED_IN = "You are not signed in to ShootProof; sign in first."
SHOOTPROOF_EXPIRED = "Your ShootProof sign-in has expired or was revoked. Please sign in again."


class CredentialRefused(Exception):
    """A token the user offered was not taken; the sign-in already in use (if any) is untouched.

    Not an :class:`AuthenticationError`: that one means the current sign-in was refused, and the
    window would show "Not signed in" while the user is still signed in.
    """

    @property
    def msg(self) -> str:
        return str(self)


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


class ShootProofSession(Listeners):
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
    def from_settings(
        cls, settings: AuthSettings, credentials: cred.CredentialStore, http: httpx.AsyncClient
    ) -> ShootProofSession:
        return cls(
            credentials, api_url=settings.api_url, oauth_url=settings.oauth_url, client_id=settings.client_id, http=http
        )

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
        return OAuthClient(
            self.client_id, oauth_url=self.oauth_url, scope=self.scope, http=self.http, clock=self._clock
        )

    # --- loading -------------------------------------------------------------------------

    async def load(self) -> bool:
        """Pick up the sign-in saved by an earlier run; True when there is one."""
        access, refresh, expires = await off_loop(self._read_stored)
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
        return (
            self.credentials.get(cred.SHOOTPROOF_ACCESS_TOKEN),
            self.credentials.get(cred.SHOOTPROOF_REFRESH_TOKEN),
            self.credentials.get(cred.SHOOTPROOF_TOKEN_EXPIRES_AT),
        )

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
        await off_loop(lambda: self._store(tokens))
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

    async def begin_browser_sign_in(
        self, *, loopback: bool = False, open_url: Callable[[str], Any] | None = None
    ) -> PendingSignIn:
        """Start a sign-in: the authorize URL (opened with ``open_url`` when given) and, for ``loopback``,
        the listener that will catch the answer."""
        if not self.client_id:
            raise OAuthError(
                "Browser sign-in needs the app's ShootProof client id (Settings → ShootProof app id). "
                "You can paste an access token instead.",
                code="no_client_id",
            )
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
            raise CredentialRefused(
                "That does not look like an access token: it should be one word of letters and digits."
            )
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
        await off_loop(lambda: self._store(tokens))
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
                warning = (
                    "ShootProof could not be reached to revoke the sign-in; it was removed from this computer anyway."
                )
        await off_loop(self._forget_stored)
        self._inner = None
        self._tokens = None
        self.needs_sign_in = False
        self._emit(SessionEvent(SHOOTPROOF, "signed_out", "Signed out of ShootProof."))
        return warning
