"""Scrub secrets (access/refresh tokens, OAuth codes, cookies) from text before it is logged or shown.

Use :func:`redact` on anything that may hold a URL, a header dump or a form
body; pass the secret values you know about as ``secrets`` to catch them
wherever they appear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "***"

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


def redact(text: object, secrets: Iterable[str | None] = ()) -> str:
    """``text`` as a string with every known secret replaced by ``***``."""
    result = str(text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            result = result.replace(secret, MASK)
    result = _PARAM_RE.sub(lambda m: f"{m['key']}{m['sep']}{MASK}", result)
    result = _JSON_RE.sub(lambda m: f"{m['key']}{m['quote']}{MASK}{m['quote']}", result)
    result = _HEADER_RE.sub(lambda m: f"{m['key']}{MASK}", result)
    return result


def mask(secret: str | None) -> str:
    """How a secret shows in a repr: set or not, never its value."""
    return "<set>" if secret else "None"
