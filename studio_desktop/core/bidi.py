"""Names in any script inside the app's own sentences and paths, kept in the order they were written.

A Hebrew album inside a Hebrew gallery, shown as ``A › B`` in an English
window, would otherwise come out as ``B › A``: the separator between two
right-to-left names takes their direction. Wrapping each name in Unicode
isolates (FSI … PDI) keeps every name's direction to itself.
"""

from __future__ import annotations

from collections.abc import Iterable

FSI = "\u2068"  # first strong isolate: the name's own first letter decides its direction
PDI = "\u2069"  # pop directional isolate
PATH_SEPARATOR = " › "


def isolate(name: str) -> str:
    return f"{FSI}{name}{PDI}" if name else name


def path(names: Iterable[str]) -> str:
    """``Gallery › Album › Sub-album``, each name isolated."""
    return PATH_SEPARATOR.join(isolate(name) for name in names)


def plain(text: str) -> str:
    """``text`` without the isolates (for copying, comparing and logs)."""
    return text.replace(FSI, "").replace(PDI, "")
