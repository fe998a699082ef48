"""Signed, expiring links to media and gallery pages, and the sandbox's other keyed checks.

Every link the sandbox hands out in an API answer carries ``expires`` (Unix
time) and ``sig`` (HMAC-SHA256 over the path and the expiry, with a secret kept
in the sandbox's own database), the way hosting services sign CDN links. A link
works until it expires; anyone without one needs a valid access token.

Expiry times are rounded up to the next full hour, so the links in two answers
an hour apart are identical and clients that cache by URL keep their caches.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from urllib.parse import unquote, urlencode

from studio_desktop.sandbox.db import Clock, Database

LINK_LIFETIME = 24 * 3600
LINK_ROUNDING = 3600
SECRET_KEY = "link_secret"


def load_secret(db: Database) -> bytes:
    """The sandbox's secret, made on first start and kept with its data (which only its owner can read)."""
    stored = db.meta(SECRET_KEY)
    if stored is None:
        stored = secrets.token_hex(32)
        db.set_meta(SECRET_KEY, stored)
    return bytes.fromhex(stored)


class Signer:
    def __init__(self, secret: bytes, clock: Clock):
        self._secret = secret
        self.clock = clock

    def __repr__(self) -> str:
        return "Signer(<secret>)"

    def mac(self, *parts: str) -> str:
        message = "\n".join(parts).encode("utf-8")
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def link_query(self, path: str) -> str:
        """``expires=..&sig=..`` for a path as it appears in the URL (percent-encoded or not)."""
        expires = math.ceil((self.clock.now() + LINK_LIFETIME) / LINK_ROUNDING) * LINK_ROUNDING
        return urlencode({"expires": expires, "sig": self.mac("link", unquote(path), str(expires))})

    def link_ok(self, path: str, expires: str | None, sig: str | None) -> bool:
        """True for a signature this sandbox made for ``path`` (decoded, as served) that has not expired."""
        if not expires or not sig or not expires.isdigit():
            return False
        if not hmac.compare_digest(self.mac("link", path, expires), sig):
            return False
        return int(expires) > self.clock.now()
