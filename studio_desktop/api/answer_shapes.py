"""What the app expects each read answer to look like, for ``studio-desktop doctor``.

Key names follow the API reference's "Response Properties" for each method;
the types are the ones the client's models read. Every value may be null (the
reference does not say which may be). A shape is a type name (``"int"``,
``"str"``, ``"flag"``: a boolean or 0/1, ``"any"``), a dict of key -> shape (an
object), a one-element list ``[shape]`` (an array of that shape), or
:data:`ALBUM_TREE` (an album with its nested ``sub_albums``).

:func:`compare` walks an answer against a shape and returns the differences as
key paths and type names only, never a value, so a report can be sent as is.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

Shape = Any

ALBUM_TREE = "album-tree"

_PAGE = {"page": "int", "results_returned": "int", "total_pages": "int", "total_results": "int"}
_COVER = {"id": "int", "large": "str", "x_large": "str"}
_EVENT = {
    "id": "int",
    "brand_id": "int",
    "name": "str",
    "password": "str",
    "category_id": "int",
    "is_archived": "flag",
    "status": "str",
    "view_url": "str",
    "created": "str",
    "event_date": "str",
    "release_date": "str",
    "gallery_expiration_date": "str",
    "contact_id": "int",
    "cover_photo": _COVER,
    "photo_count": "int",
}
_PHOTO_URLS = {
    size: "str" for size in ("small", "medium", "medium_large", "large", "x_large", "2x_large", "3x_large", "original")
}
_PHOTO = {"id": "int", "name": "str", "mime_type": "str", "width": "int", "height": "int", "url": _PHOTO_URLS}
_ALBUM = {
    "id": "int",
    "name": "str",
    "password": "str",
    "display_order": "int",
    "parent_id": "int",
    "cover_photo_url": "str",
    "photo_count": "int",
}
_TREE_ALBUM = {"id": "int", "name": "str", "sub_albums": [ALBUM_TREE]}

ANSWERS: dict[str, Shape] = {
    "sp.studio.info": {
        "name": "str",
        "user": {"first_name": "str", "last_name": "str"},
        "homepage_url": "str",
        "plan": {"type": "str", "used": "int", "allowed": "int"},
    },
    "sp.brand.get_list": {
        "brands": [
            {
                "id": "int",
                "name": "str",
                "is_default": "flag",
                "subdomain": "str",
                "custom_domain": "str",
                "locale": "str",
            }
        ],
        "results_returned": "int",
        "total_results": "int",
    },
    "sp.brand.get_event_tree": {
        "events": [{**{k: v for k, v in _EVENT.items() if k != "is_archived"}, "albums": [_TREE_ALBUM]}],
    },
    "sp.event.get_list": {"events": [{**_EVENT, "last_updated": "str"}], **_PAGE},
    "sp.event.info": {"event": _EVENT},
    "sp.event.get_photos": {"photos": [_PHOTO], **_PAGE},
    "sp.event.photo_exists": {"photo_exists": "flag"},
    "sp.album.get_list": {"albums": [{**_ALBUM, "sub_albums": [ALBUM_TREE]}]},
    "sp.album.info": {"album": {**_ALBUM, "view_url": "str"}},
    "sp.album.get_photos": {"photos": [_PHOTO], **_PAGE},
}

#: Keys every answer carries, whatever the method.
ENVELOPE = frozenset({"stat"})


@dataclass(frozen=True)
class Difference:
    path: str
    problem: str  # "missing", "unexpected key" or "other type"
    expected: str = ""
    got: str = ""

    def sentence(self) -> str:
        if self.problem == "missing":
            return f"{self.path} is missing"
        if self.problem == "unexpected key":
            return f"{self.path} is a key the app does not know ({self.got})"
        return f"{self.path} is {self.got}, expected {self.expected}"


_SAFE_KEY = re.compile(r"[A-Za-z0-9_]{1,40}")


def safe_key(key: str) -> str:
    """A key name fit for a report: a key that looks like data (an e-mail, a number, a sentence) is not shown."""
    if key.isdigit():
        return "<number>"
    return key if _SAFE_KEY.fullmatch(key) else "<key>"


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _fits(kind: str, value: Any) -> bool:
    if kind == "any":
        return True
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str)
    if kind == "flag":
        return isinstance(value, bool) or (isinstance(value, int) and value in (0, 1))
    raise ValueError(f"unknown shape {kind!r}")


def _expected_name(shape: Shape) -> str:
    if isinstance(shape, dict) or shape == ALBUM_TREE:
        return "object"
    if isinstance(shape, list):
        return "array"
    return "bool or 0/1" if shape == "flag" else str(shape)


def compare(answer: Any, shape: Shape) -> list[tuple[Difference, int]]:
    """The differences between ``answer`` and ``shape``, each with how many times it occurred (array items)."""
    found: Counter[Difference] = Counter()
    _walk(answer, shape, "", found, top=True)
    return sorted(found.items(), key=lambda pair: (pair[0].path, pair[0].problem))


def _walk(value: Any, shape: Shape, path: str, found: Counter[Difference], *, top: bool = False) -> None:
    if value is None:
        return
    if shape == ALBUM_TREE:
        shape = _TREE_ALBUM
    where = path or "(the answer)"
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            found[Difference(where, "other type", "object", type_name(value))] += 1
            return
        for key, inner in shape.items():
            child = f"{path}.{key}" if path else key
            if key not in value:
                found[Difference(child, "missing")] += 1
            else:
                _walk(value[key], inner, child, found)
        for key in value:
            if key in shape or (top and key in ENVELOPE):
                continue
            child = f"{path}.{safe_key(str(key))}" if path else safe_key(str(key))
            found[Difference(child, "unexpected key", got=type_name(value[key]))] += 1
        return
    if isinstance(shape, list):
        if not isinstance(value, list):
            found[Difference(where, "other type", "array", type_name(value))] += 1
            return
        for item in value:
            _walk(item, shape[0], f"{path}[]", found)
        return
    if not _fits(shape, value):
        found[Difference(where, "other type", _expected_name(shape), type_name(value))] += 1
