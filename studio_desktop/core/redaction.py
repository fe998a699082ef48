"""Scrubbing secrets out of text bound for logs, diagnostics and error dialogs.

Two nets, both applied by :func:`redact`:

* patterns for the places secrets travel. The URL, form, JSON and header patterns
  are :func:`redact_known_places`'s, which the HTTP clients also use on the messages
  they raise, with the secrets of that call (one set of patterns for the whole app);
  :func:`redact` adds what log lines also carry: Python reprs such as
  ``{'Authorization': 'Bearer ...'}`` or ``access_token='...'``, keys that merely
  contain ``token``/``session``/``cookie``/``secret``/``password``, stray ``Bearer``
  values and httpx's ``<Cookie name=value ...>``;
* the exact values the app registered with :func:`register_secret` (every token and
  cookie it loads), so a secret is caught even where no pattern expects it, including
  its URL-encoded forms.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"

# --- the places secrets travel: URLs, forms, JSON bodies, headers -----------------------------

SECRET_PARAMS = (
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "code",
    "password",
    "token",
)

_PARAM_RE = re.compile(
    r"(?P<key>(?<![\w-])(?:" + "|".join(SECRET_PARAMS) + r"))(?P<sep>=|%3D)(?P<value>[^&\s#\"']+)",
    re.IGNORECASE,
)
_JSON_RE = re.compile(
    r"(?P<key>[\"'](?:" + "|".join(SECRET_PARAMS) + r")[\"']\s*:\s*)(?P<quote>[\"'])(?P<value>[^\"']*)(?P=quote)",
    re.IGNORECASE,
)
_HEADER_RE = re.compile(
    r"(?P<key>\b(?:authorization|cookie|set-cookie|x-xsrf-token|x-csrf-token)\b\s*[:=]\s*)(?P<value>[^\r\n]+)",
    re.IGNORECASE,
)


def redact_known_places(text: object, secrets: Iterable[str | None] = ()) -> str:
    """``text`` as a string with ``secrets`` and every secret in a URL, form, JSON body or header masked."""
    result = str(text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            result = result.replace(secret, MASK)
    result = _PARAM_RE.sub(lambda m: f"{m['key']}{m['sep']}{MASK}", result)
    result = _JSON_RE.sub(lambda m: f"{m['key']}{m['quote']}{MASK}{m['quote']}", result)
    result = _HEADER_RE.sub(lambda m: f"{m['key']}{MASK}", result)
    return result


# --- what log lines also carry, and the values the app registered ----------------------------

#: Shorter values are not registered: replacing them everywhere would mangle ordinary words.
MIN_SECRET_LENGTH = 8

_SECRET_WORD = r"(?:token|secret|password|passwd|cookie|session|api[_-]?key|authorization)"
_NOT_MASKED = r"(?!" + re.escape(MASK) + r")"

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # 'Authorization': 'Bearer ...'   access_token='...'   "laravel_session": "..."
    (
        re.compile(
            r"""((?<![\w-])["']?[\w.\[\]-]*?"""
            + _SECRET_WORD
            + r"""[\w.\]-]*["']?\s*[:=]\s*)(["'])((?:\\.|(?!\2).)*)\2""",
            re.IGNORECASE,
        ),
        r"\1\2" + MASK + r"\2",
    ),
    # Bearer tokens wherever they appear on their own.
    (re.compile(r"(\b(?:bearer|basic)\s+)" + _NOT_MASKED + r"[A-Za-z0-9\-._~+/]+=*", re.IGNORECASE), r"\1" + MASK),
    # Cookie pairs and parameters whose names hold a secret word: laravel_session=..., XSRF-TOKEN=...
    (
        re.compile(
            r"((?<![\w-])[\w.\[\]-]*?" + _SECRET_WORD + r"[\w.\[\]-]*=)" + _NOT_MASKED + r"[^&\s#\"'<>;,]+",
            re.IGNORECASE,
        ),
        r"\1" + MASK,
    ),
    # httpx's Cookies repr: <Cookie name=value for host />
    (re.compile(r"(<Cookie\s+[^=\s]+=)" + _NOT_MASKED + r"[^\s]+", re.IGNORECASE), r"\1" + MASK),
]

_lock = threading.Lock()
_secrets: set[str] = set()
_secret_pattern: re.Pattern[str] | None = None
# Longest first, so a whole cookie header is masked before any of its parts.
_ordered: tuple[str, ...] = ()


def _variants(value: str) -> set[str]:
    found = {value, quote(value, safe=""), quote_plus(value, safe="")}
    # A cookie header: each cookie's value may show up alone.
    if "=" in value:
        for pair in value.split(";"):
            _, _, cookie_value = pair.partition("=")
            cookie_value = cookie_value.strip().strip('"')
            if len(cookie_value) >= MIN_SECRET_LENGTH:
                found.update({cookie_value, quote(cookie_value, safe="")})
    return {item for item in found if len(item) >= MIN_SECRET_LENGTH}


def register_secret(value: str | None) -> None:
    """Remember ``value`` so :func:`redact` replaces it wherever it appears.

    Values shorter than :data:`MIN_SECRET_LENGTH` characters are ignored.
    """
    global _secret_pattern, _ordered
    if not value or not isinstance(value, str) or len(value.strip()) < MIN_SECRET_LENGTH:
        return
    new = _variants(value.strip()) - _secrets
    if not new:
        return
    with _lock:
        _secrets.update(new)
        _ordered = tuple(sorted(_secrets, key=len, reverse=True))
        _secret_pattern = re.compile("|".join(re.escape(item) for item in _ordered))


def forget_registered_secrets() -> None:
    """Drop every registered value (sign-out, and tests)."""
    global _secret_pattern, _ordered
    with _lock:
        _secrets.clear()
        _secret_pattern = None
        _ordered = ()


def contains_registered_secret(text: str) -> bool:
    pattern = _secret_pattern
    return bool(pattern and isinstance(text, str) and pattern.search(text))


def redact(text: str) -> str:
    """``text`` with every secret it holds replaced by the mask."""
    if not text:
        return text
    text = redact_known_places(str(text), _ordered)
    for regex, replacement in _PATTERNS:
        text = regex.sub(replacement, text)
    return text
