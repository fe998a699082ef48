"""What a hot folder did, in the words the terminal and the window both use.

A file that did not reach the gallery must never read as if it were safe: a
photo skipped because the very same photo is there is fine, a file refused
because it is not a photo needs exporting, and a photo not uploaded because a
*different* photo already has its name needs renaming. Each is counted apart,
with what to do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    key: str  # in HotFolderWatcher.counts
    label: str  # the terminal's words
    short: str  # the window's status column
    advice: str | None  # what to do, when there is something to do


CATEGORIES = (
    Category("uploaded", "uploaded", "uploaded", None),
    Category(
        "changed",
        "changed after upload",
        "changed",
        "the gallery keeps the earlier version of those not replaced; rename one that is another photo "
        "to upload it beside the first, or use --replace-changed for edits of the same photo",
    ),
    Category("skipped", "skipped: same photo already in the gallery", "already there", None),
    Category("left_out", "left out by the picks filter", "left out", None),
    Category(
        "rejected",
        "refused: not a photo",
        "not a photo",
        "only whole JPEGs go to ShootProof: export the others as JPEG into the folder",
    ),
    Category(
        "name_taken",
        "not uploaded: name taken by a different photo",
        "name taken",
        "rename those files and they are uploaded at once (or put them in subfolders and watch with --mirror-folders)",
    ),
    Category("failed", "failed", "failed", "see the lines above; fix what they say, and restart to try again"),
)


def summary(counts: Mapping[str, int], retries: int = 0) -> str:
    """``"3 uploaded, 1 changed after upload (1 replaced), ..., 0 failed; 2 retries."``"""
    parts = []
    for category in CATEGORIES:
        n = counts.get(category.key, 0)
        if n or category.key in ("uploaded", "failed"):
            text = f"{n:,} {category.label}"
            if category.key == "changed" and counts.get("replaced"):
                text += f" ({counts['replaced']:,} replaced)"
            parts.append(text)
    tail = f"; {retries:,} {'retry' if retries == 1 else 'retries'}" if retries else ""
    return ", ".join(parts) + tail + "."


def advice(counts: Mapping[str, int]) -> list[str]:
    """One line of what to do per category that has files and something to do."""
    lines = []
    for category in CATEGORIES:
        n = counts.get(category.key, 0)
        if category.key == "changed":
            n -= counts.get("replaced", 0)
        if n > 0 and category.advice:
            lines.append(f"{category.label}: {category.advice}.")
    return lines


def status(counts: Mapping[str, int]) -> str:
    """The window's short form: ``"12 uploaded · 1 name taken"`` (categories with files only)."""
    return " · ".join(f"{counts[c.key]:,} {c.short}" for c in CATEGORIES if counts.get(c.key, 0))
