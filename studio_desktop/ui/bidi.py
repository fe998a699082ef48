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
LRM = "\u200e"  # left-to-right mark
RLM = "\u200f"  # right-to-left mark


def isolate(name: str) -> str:
    return f"{FSI}{name}{PDI}" if name else name


def path(names: Iterable[str]) -> str:
    """``Gallery › Album › Sub-album``, each name isolated."""
    return PATH_SEPARATOR.join(isolate(name) for name in names)


def plain(text: str) -> str:
    """``text`` without the isolates and marks (for copying, comparing and logs)."""
    for mark in (FSI, PDI, LRM, RLM):
        text = text.replace(mark, "")
    return text


def in_direction(text: str, right_to_left: bool) -> str:
    """``text`` laid out in the window's direction even when it starts with a name in another script.

    A plain-text label takes its direction from the first letter it finds, isolates or not; a leading mark
    of the window's direction settles it.
    """
    return (RLM if right_to_left else LRM) + text if text else text
