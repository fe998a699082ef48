"""Access tokens, refresh tokens and authorization codes, as ShootProof's OAuth hands them out.

Scopes are method names. Access tokens expire (two weeks unless a test sets
less); every refresh returns a new refresh token and invalidates the old one;
codes are single-use and short-lived. The demo token is a long-lived token with
every scope except ``sp.account.upgrade`` (so plan-limit tests see
``limit_reached`` rather than an automatic upgrade), the kind a user pastes.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from studio_desktop.sandbox.db import Clock, Database
from studio_desktop.sandbox.registry import UPGRADE_SCOPE, ApiFail

DEFAULT_ACCESS_LIFETIME = 14 * 24 * 3600
CODE_LIFETIME = 600
ALL_METHODS = "*"


@dataclass(frozen=True)
class TokenInfo:
    client_id: str | None
    scopes: frozenset[str]
    demo: bool = False

    def allows(self, method: str) -> bool:
        return ALL_METHODS in self.scopes or method in self.scopes

    def may_upgrade(self) -> bool:
        return UPGRADE_SCOPE in self.scopes


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    refresh_token: str
    expires_in: int
    scope: str

    def __repr__(self) -> str:
        return f"IssuedToken(expires_in={self.expires_in}, scope={self.scope!r})"

    def as_json(self) -> dict[str, Any]:
        """The token endpoint's fields, as ShootProof's auth docs list them (no ``scope``)."""
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "token_type": "bearer",
            "expires_in": self.expires_in,
        }


class OAuthError(Exception):
    """A refusal from the token endpoint: ``error`` is the OAuth error code (``invalid_grant``...)."""

    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def normalize_scope(scope: str) -> str:
    return " ".join(sorted(set(scope.replace(",", " ").split())))


class TokenStore:
    def __init__(self, db: Database, clock: Clock):
        self.db = db
        self.clock = clock
        self.access_lifetime = DEFAULT_ACCESS_LIFETIME

    def ensure_demo_token(self) -> str:
        """The data folder's demo token, made again only if it was deauthorized."""
        with self.db.tx() as c:
            row = c.execute("SELECT token FROM tokens WHERE demo = 1 AND revoked = 0").fetchone()
            if row:
                existing: str = row[0]
                return existing
            token = secrets.token_hex(20)
            c.execute(
                "INSERT INTO tokens (token, kind, client_id, scope, expires_at, demo, created) "
                "VALUES (?, 'access', NULL, ?, NULL, 1, ?)",
                (token, ALL_METHODS, self.clock.now()),
            )
            return token

    def check(self, token: str | None) -> TokenInfo:
        if not token:
            raise ApiFail(401, "The access_token parameter is required.")
        with self.db.read() as c:
            row = c.execute("SELECT * FROM tokens WHERE token = ? AND kind = 'access'", (token,)).fetchone()
        if row is None or row["revoked"]:
            raise ApiFail(401, "The access token is not valid.")
        if row["expires_at"] is not None and row["expires_at"] <= self.clock.now():
            raise ApiFail(401, "The access token has expired.")
        return TokenInfo(row["client_id"], frozenset(row["scope"].split()), bool(row["demo"]))

    def issue(self, client_id: str | None, scope: str, lifetime: int | None = None) -> IssuedToken:
        lifetime = self.access_lifetime if lifetime is None else int(lifetime)
        access, refresh = secrets.token_hex(20), secrets.token_hex(20)
        now = self.clock.now()
        scope = normalize_scope(scope)
        with self.db.tx() as c:
            c.execute(
                "INSERT INTO tokens (token, kind, client_id, scope, expires_at, pair, created) "
                "VALUES (?, 'access', ?, ?, ?, ?, ?)",
                (access, client_id, scope, now + lifetime, refresh, now),
            )
            c.execute(
                "INSERT INTO tokens (token, kind, client_id, scope, expires_at, pair, created) "
                "VALUES (?, 'refresh', ?, ?, NULL, ?, ?)",
                (refresh, client_id, scope, access, now),
            )
        return IssuedToken(access, refresh, lifetime, scope)

    def create_code(self, client_id: str, redirect_uri: str, scope: str) -> str:
        code = secrets.token_urlsafe(24)
        with self.db.tx() as c:
            c.execute(
                "INSERT INTO oauth_codes (code, client_id, redirect_uri, scope, expires_at) VALUES (?, ?, ?, ?, ?)",
                (code, client_id, redirect_uri, normalize_scope(scope), self.clock.now() + CODE_LIFETIME),
            )
        return code

    def redeem_code(self, code: str, client_id: str, redirect_uri: str) -> IssuedToken:
        with self.db.tx() as c:
            row = c.execute("SELECT * FROM oauth_codes WHERE code = ?", (code,)).fetchone()
            if row is None:
                raise OAuthError("invalid_grant", "The authorization code is not valid.")
            if row["used"]:
                raise OAuthError("invalid_grant", "The authorization code has already been used.")
            c.execute("UPDATE oauth_codes SET used = 1 WHERE code = ?", (code,))
        if row["expires_at"] <= self.clock.now():
            raise OAuthError("invalid_grant", "The authorization code has expired.")
        if row["client_id"] != client_id:
            raise OAuthError("invalid_grant", "The authorization code was issued to another client.")
        if row["redirect_uri"] != redirect_uri:
            raise OAuthError("invalid_grant", "The redirect_uri does not match the one used to authorize.")
        return self.issue(client_id, row["scope"])

    def refresh(self, refresh_token: str, client_id: str | None = None) -> IssuedToken:
        with self.db.tx() as c:
            row = c.execute("SELECT * FROM tokens WHERE token = ? AND kind = 'refresh'", (refresh_token,)).fetchone()
            if row is None or row["revoked"]:
                raise OAuthError("invalid_grant", "The refresh token is not valid.")
            if client_id and row["client_id"] != client_id:
                raise OAuthError("invalid_grant", "The refresh token was issued to another client.")
            c.execute("UPDATE tokens SET revoked = 1 WHERE token = ?", (refresh_token,))
            return self.issue(row["client_id"], row["scope"])

    def revoke(self, token: str) -> bool:
        """Revoke a token and the other token of its pair; True if it existed."""
        with self.db.tx() as c:
            row = c.execute("SELECT pair FROM tokens WHERE token = ?", (token,)).fetchone()
            if row is None:
                return False
            c.execute("UPDATE tokens SET revoked = 1 WHERE token IN (?, ?)", (token, row["pair"]))
            return True

    def expire(self, token: str) -> bool:
        with self.db.tx() as c:
            cur = c.execute(
                "UPDATE tokens SET expires_at = ? WHERE token = ? AND kind = 'access'", (self.clock.now() - 1, token)
            )
            return cur.rowcount > 0
