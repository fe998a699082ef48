"""OAuth 2.0 sign-in with ShootProof (authorization-code flow) and a refreshing token provider.

The flow: :meth:`OAuthClient.start` builds the authorize URL (``<oauth_url>/new``)
with a random ``state``; the user approves in a browser; the code comes back
either on the page itself (``redirect_uri="self"``: the user pastes it) or to a
loopback URL this app listens on (:meth:`OAuthClient.code_from_redirect` checks
``state``). :meth:`OAuthClient.exchange_code` turns it into :class:`Tokens`
(``<oauth_url>/token``); :meth:`OAuthClient.refresh` trades the refresh token
for a new pair (each refresh returns a new refresh token; the old one is spent).

:class:`OAuthTokenProvider` plugs into :class:`ShootProofClient` as its token
source: it refreshes shortly before expiry, once after a 401, and hands every
new pair to ``on_new_tokens`` so the app can store it.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from studio_desktop.api.errors import ApiError, AuthenticationError, BadResponseError, TransientError
from studio_desktop.api.wire_httpx import DEFAULT_LIMITS, DEFAULT_TIMEOUT
from studio_desktop.core.redaction import redact_known_places

log = logging.getLogger("studio_desktop.api.oauth")

DEFAULT_OAUTH_URL = "https://auth.shootproof.com/oauth2/authorization"
SELF_REDIRECT = "self"
# Refresh this long before the server says the token expires (tokens live two weeks).
DEFAULT_REFRESH_MARGIN = 300.0
# A 401 this soon after a refresh is answered with the token we already have, not another refresh.
RECENT_REFRESH = 10.0


class OAuthError(ApiError):
    """Sign-in failed; ``code`` is the OAuth ``error`` (``invalid_grant``, ``access_denied``...)."""


class OAuthStateError(OAuthError):
    """The answer to a sign-in does not belong to the sign-in this app started."""


class OAuthInvalidGrantError(OAuthError, AuthenticationError):
    """The code or refresh token was refused (used, expired or revoked): sign in again."""


@dataclass(frozen=True, repr=False)
class Tokens:
    """An access/refresh token pair. ``expires_at`` is a Unix time (seconds), None if unknown."""

    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None
    scope: tuple[str, ...] = ()

    def expires_within(self, seconds: float, *, now: float | None = None) -> bool:
        if self.expires_at is None:
            return False
        return (time.time() if now is None else now) + seconds >= self.expires_at

    def to_dict(self) -> dict[str, Any]:
        """For the credential store (never for settings files or logs)."""
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
            "scope": " ".join(self.scope),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Tokens:
        access = d.get("access_token")
        if not access or not isinstance(access, str):
            raise ValueError("stored tokens have no access token")
        expires_at = d.get("expires_at")
        return cls(
            access_token=access,
            refresh_token=d.get("refresh_token") or None,
            expires_at=float(expires_at) if expires_at not in (None, "") else None,
            scope=_scope_tuple(d.get("scope")),
        )

    @classmethod
    def from_token_response(cls, d: Mapping[str, Any], *, now: float | None = None) -> Tokens:
        access = d.get("access_token")
        if not access or not isinstance(access, str):
            raise BadResponseError("The sign-in server's answer has no access token.")
        expires_in = d.get("expires_in")
        expires_at: float | None = None
        if expires_in not in (None, ""):
            try:
                expires_at = (time.time() if now is None else now) + float(expires_in)
            except (TypeError, ValueError):
                raise BadResponseError("The sign-in server's answer has a malformed 'expires_in'.") from None
        elif d.get("expires_at") not in (None, ""):
            try:
                expires_at = float(d["expires_at"])
            except (TypeError, ValueError):
                raise BadResponseError("The sign-in server's answer has a malformed 'expires_at'.") from None
        refresh = d.get("refresh_token")
        return cls(
            access_token=access,
            refresh_token=refresh if isinstance(refresh, str) and refresh else None,
            expires_at=expires_at,
            scope=_scope_tuple(d.get("scope")),
        )

    def __repr__(self) -> str:
        return (
            f"Tokens(access_token=<set>, refresh_token={'<set>' if self.refresh_token else None}, "
            f"expires_at={self.expires_at!r}, scope={self.scope!r})"
        )

    __str__ = __repr__


def _scope_tuple(scope: Any) -> tuple[str, ...]:
    if not scope:
        return ()
    if isinstance(scope, str):
        return tuple(part for part in scope.replace(",", " ").split() if part)
    if isinstance(scope, (list, tuple)):
        return tuple(str(part) for part in scope if part)
    return ()


@dataclass(frozen=True)
class AuthorizationRequest:
    """One sign-in attempt: open ``url`` in a browser; keep ``state`` to check the answer."""

    url: str
    state: str = ""
    redirect_uri: str = SELF_REDIRECT

    def __repr__(self) -> str:
        return f"AuthorizationRequest(redirect_uri={self.redirect_uri!r}, state=<set>)"


class OAuthClient:
    """Talks to ShootProof's OAuth endpoints (``<oauth_url>/new`` and ``<oauth_url>/token``)."""

    def __init__(
        self,
        client_id: str,
        *,
        oauth_url: str = DEFAULT_OAUTH_URL,
        scope: Sequence[str] | str = (),
        redirect_uri: str = SELF_REDIRECT,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.client_id = client_id
        self.oauth_url = oauth_url.rstrip("/")
        self.scope = _scope_tuple(scope)
        self.redirect_uri = redirect_uri
        self._clock = clock
        self._owns_http = http is None
        self.http = http or httpx.AsyncClient(timeout=DEFAULT_TIMEOUT, limits=DEFAULT_LIMITS)

    @property
    def authorize_endpoint(self) -> str:
        return f"{self.oauth_url}/new"

    @property
    def token_endpoint(self) -> str:
        return f"{self.oauth_url}/token"

    async def aclose(self) -> None:
        if self._owns_http:
            await self.http.aclose()

    async def __aenter__(self) -> OAuthClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"OAuthClient({self.oauth_url!r}, client_id={self.client_id!r})"

    def start(
        self, *, redirect_uri: str | None = None, scope: Sequence[str] | str | None = None
    ) -> AuthorizationRequest:
        """A new sign-in: the authorize URL to open, with a fresh random ``state``."""
        redirect = redirect_uri or self.redirect_uri
        state = secrets.token_urlsafe(24)
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect,
            "scope": " ".join(_scope_tuple(scope) if scope is not None else self.scope),
            "state": state,
        }
        return AuthorizationRequest(
            url=f"{self.authorize_endpoint}?{urlencode(params)}", state=state, redirect_uri=redirect
        )

    @staticmethod
    def code_from_redirect(redirected_to: str, request: AuthorizationRequest) -> str:
        """The code from the URL the browser was sent back to, after checking its ``state``.

        Raises :class:`OAuthError` when the user declined (``error=access_denied``)
        and :class:`OAuthStateError` when ``state`` is missing or not ours.
        """
        query = parse_qs(urlsplit(redirected_to).query, keep_blank_values=True)
        first = {key: values[0] for key, values in query.items() if values}
        if "error" in first:
            error = first["error"]
            text = first.get("error_description") or (
                "Sign-in was cancelled." if error == "access_denied" else "The sign-in did not complete."
            )
            raise OAuthError(text, code=error)
        if not secrets.compare_digest(first.get("state", ""), request.state or "\0"):
            raise OAuthStateError(
                "This sign-in answer does not match the sign-in that was started; please try again.",
                code="state_mismatch",
            )
        code = first.get("code", "")
        if not code:
            raise OAuthError("The sign-in answer has no authorization code.", code="missing_code")
        return code

    async def exchange_code(self, code: str, *, redirect_uri: str | None = None) -> Tokens:
        """Trade an authorization code (single use) for tokens."""
        code = code.strip()
        if not code:
            raise OAuthError("Paste the code shown after approving the app.", code="missing_code")
        tokens = await self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "client_id": self.client_id,
                "redirect_uri": redirect_uri or self.redirect_uri,
                "scope": " ".join(self.scope),
            }
        )
        # ShootProof's answer carries no scope: the token has the scope that was approved.
        if not tokens.scope:
            tokens = Tokens(tokens.access_token, tokens.refresh_token, tokens.expires_at, self.scope)
        return tokens

    async def refresh(self, refresh_token: str | Tokens) -> Tokens:
        """New tokens for a refresh token; the server issues a new refresh token every time."""
        if isinstance(refresh_token, Tokens):
            previous: Tokens | None = refresh_token
            token = refresh_token.refresh_token
        else:
            previous, token = None, refresh_token
        if not token:
            raise OAuthInvalidGrantError("There is no refresh token; please sign in again.", code="invalid_grant")
        fields = {"grant_type": "refresh_token", "refresh_token": token, "client_id": self.client_id}
        scope = previous.scope if previous is not None and previous.scope else self.scope
        if scope:
            fields["scope"] = " ".join(scope)
        tokens = await self._token_request(fields, secrets_sent=[token])
        if previous is not None and not tokens.scope:
            tokens = Tokens(tokens.access_token, tokens.refresh_token, tokens.expires_at, previous.scope)
        return tokens

    async def _token_request(self, fields: Mapping[str, str], *, secrets_sent: Sequence[str] = ()) -> Tokens:
        hide = [*secrets_sent, fields.get("code", "")]
        # A code or refresh token is spent once the server has it, so only a
        # request that never left this machine is tried again.
        for attempt in (1, 2):
            started = time.monotonic()
            try:
                response = await self.http.post(
                    self.token_endpoint, data=dict(fields), headers={"Accept": "application/json"}
                )
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                if attempt == 1:
                    await asyncio.sleep(0.5)
                    continue
                raise TransientError(
                    redact_known_places(f"Could not reach the sign-in server ({exc}).", hide), method="oauth.token"
                ) from None
            except httpx.HTTPError as exc:
                message = f"The connection to the sign-in server was interrupted ({exc})."
                raise TransientError(
                    redact_known_places(message, hide), method="oauth.token", maybe_applied=True
                ) from None
            log.debug(
                "oauth token (%s) -> %s in %d ms",
                fields.get("grant_type"),
                response.status_code,
                (time.monotonic() - started) * 1000,
            )
            return self._parse_token_response(response, hide)
        raise AssertionError("unreachable")

    def _parse_token_response(self, response: httpx.Response, hide: Sequence[str]) -> Tokens:
        status = response.status_code
        try:
            data = response.json()
        except (ValueError, json.JSONDecodeError):
            data = None
        if not isinstance(data, dict):
            text = response.text.lstrip()[:100].lower()
            what = "a web page" if text.startswith(("<!doctype", "<html")) else "an unreadable answer"
            msg = f"The sign-in server sent {what} (HTTP {status})."
            if status >= 500 or status in (408, 429):
                raise TransientError(msg, method="oauth.token", http_status=status)
            raise BadResponseError(msg, method="oauth.token", http_status=status)
        error = data.get("error") or (data.get("code") if data.get("stat") == "fail" else None)
        if error or status >= 400:
            code = str(error or status)
            text = data.get("error_description") or data.get("msg") or data.get("message") or ""
            text = redact_known_places(str(text), hide) if text else ""
            if code in ("invalid_grant", "invalid_token", "401") or status == 401:
                raise OAuthInvalidGrantError(
                    text or "The sign-in has expired or was revoked; please sign in again.",
                    code=code,
                    method="oauth.token",
                    http_status=status,
                )
            if status >= 500 or status in (408, 429):
                raise TransientError(
                    text or f"The sign-in server is having trouble (HTTP {status}).",
                    code=code,
                    method="oauth.token",
                    http_status=status,
                )
            raise OAuthError(text or f"Sign-in failed ({code}).", code=code, method="oauth.token", http_status=status)
        return Tokens.from_token_response(data, now=self._clock())


NewTokensCallback = Callable[[Tokens], Awaitable[None] | None]


class OAuthTokenProvider:
    """A :class:`~studio_desktop.api.transport.TokenProvider` that keeps OAuth tokens fresh.

    Refreshes ``refresh_margin`` seconds before expiry, and once after the
    server refuses the token; concurrent callers share one refresh. Each new
    pair goes to ``on_new_tokens`` (sync or async) before it is used, so a
    rotated refresh token is never lost.
    """

    def __init__(
        self,
        oauth_client: OAuthClient,
        tokens: Tokens,
        on_new_tokens: NewTokensCallback | None = None,
        *,
        refresh_margin: float = DEFAULT_REFRESH_MARGIN,
        clock: Callable[[], float] = time.time,
    ):
        self.oauth = oauth_client
        self._tokens = tokens
        self._on_new_tokens = on_new_tokens
        self._margin = refresh_margin
        self._clock = clock
        self._lock = asyncio.Lock()
        self._generation = 0
        self._refreshed_at: float | None = None

    @property
    def tokens(self) -> Tokens:
        return self._tokens

    def __repr__(self) -> str:
        return f"OAuthTokenProvider({self._tokens!r})"

    async def token(self) -> str:
        current = self._tokens
        if not current.refresh_token or not current.expires_within(self._margin, now=self._clock()):
            return current.access_token
        async with self._lock:
            if self._tokens is not current:  # someone else refreshed while we waited
                return self._tokens.access_token
            try:
                return (await self._refresh()).access_token
            except TransientError:
                if current.expires_within(0, now=self._clock()):
                    raise
                # Not expired yet: keep going with it and try refreshing next time.
                log.warning("could not refresh the ShootProof sign-in yet; using the current token meanwhile")
                return current.access_token

    async def refresh_after_auth_failure(self) -> str | None:
        """A new access token after a 401, or None when there is nothing better to offer."""
        seen = self._generation
        async with self._lock:
            recently = self._refreshed_at is not None and time.monotonic() - self._refreshed_at < RECENT_REFRESH
            if self._generation != seen or recently:
                # Someone refreshed meanwhile: offer that token. If it is the one
                # just refused, the caller sees no change and gives up.
                return self._tokens.access_token
            if not self._tokens.refresh_token:
                return None
            try:
                return (await self._refresh()).access_token
            except OAuthInvalidGrantError:
                log.warning("the ShootProof sign-in was refused; the user has to sign in again")
                return None

    async def _refresh(self) -> Tokens:
        fresh = await self.oauth.refresh(self._tokens)
        if fresh.refresh_token is None:  # keep the old one if the server did not rotate it
            fresh = Tokens(fresh.access_token, self._tokens.refresh_token, fresh.expires_at, fresh.scope)
        self._tokens = fresh
        self._generation += 1
        self._refreshed_at = time.monotonic()
        log.info("refreshed the ShootProof sign-in")
        if self._on_new_tokens is not None:
            result = self._on_new_tokens(fresh)
            if inspect.isawaitable(result):
                await result
        return fresh
