"""Small checks shared by the handlers, with messages in plain words."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from urllib.parse import urlsplit

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
API_DATETIME = "%Y-%m-%d %H:%M:%S"
MAX_NAME = 255


def is_email(value: str) -> bool:
    return bool(EMAIL_RE.match(value)) and len(value) <= 254


def datetime_error(value: str) -> str | None:
    try:
        datetime.strptime(value, API_DATETIME)
    except ValueError:
        return 'Use a UTC date and time in the format "YYYY-MM-DD HH:MM:SS" (e.g. "2015-06-02 00:00:00").'
    return None


def slug_error(value: str) -> str | None:
    if len(value) > 100:
        return "The URL slug can be at most 100 characters long."
    if not SLUG_RE.match(value):
        return "The URL slug may contain only lowercase letters, digits and single hyphens between them."
    return None


def url_error(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "Enter a full http:// or https:// URL."
    return None


def name_error(value: str, what: str) -> str | None:
    if not value.strip():
        return f"Please enter the {what}."
    if len(value) > MAX_NAME:
        return f"The {what} can be at most {MAX_NAME} characters long."
    return None


def slugify(value: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", ascii_text.lower()) or "studio"


def split_tags(value: str | None) -> list[str]:
    if not value:
        return []
    seen: dict[str, None] = {}
    for tag in value.split(","):
        tag = tag.strip()
        if tag:
            seen.setdefault(tag, None)
    return list(seen)
