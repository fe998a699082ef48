"""Upload only the picks: a filter on the culling marks (:mod:`xmp`) and the reasons it gives.

A photo left out by the filter is not a failure and not a duplicate: the
summary counts it apart, with the reason (``left out by filter: rated 2 stars,
below 3``). A photo whose XMP cannot be read cannot be judged: it is refused
with the XMP's problem as reason (uploading it could deliver a reject; leaving
it out quietly could lose a pick), so the user sees it and can fix it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # XMP is parsed only when a picks filter is on
    from studio_desktop.uploads.xmp import Marks

FILTER_PREFIX = "Left out by filter: "


@dataclass(frozen=True, slots=True)
class PickFilter:
    """``min_rating``: at least this many stars (no rating counts as 0).
    ``labels``: only these colour labels (``xmp:Label``, or Photo Mechanic's
    colour class by name or number), case-insensitive; empty means any.
    ``skip_rejects``: leave out photos rated -1 or flagged rejected.
    """

    min_rating: int | None = None
    labels: tuple[str, ...] = ()
    skip_rejects: bool = False

    @property
    def active(self) -> bool:
        return self.min_rating is not None or bool(self.labels) or self.skip_rejects

    def verdict(self, marks: Marks) -> str | None:
        """None: the photo goes up; otherwise why it is left out (no prefix)."""
        if self.skip_rejects and marks.rejected:
            return "rejected (rated -1)" if marks.rating == -1 else "rejected (flagged as a reject)"
        if self.min_rating is not None:
            stars = marks.rating if marks.rating is not None else 0
            if stars == -1:
                return f"rejected (rated -1), below {_stars(self.min_rating)}"
            if stars < self.min_rating:
                rated = "not rated" if marks.rating is None else f"rated {_stars(stars)}"
                return f"{rated}, below {_stars(self.min_rating)}"
        if self.labels:
            wanted = {label.strip().casefold() for label in self.labels}
            if not wanted & marks.label_names():
                shown = ", ".join(self.labels)
                if marks.label is None and not marks.color_class:
                    return f"no colour label (wanted: {shown})"
                have = marks.label or f"colour class {marks.color_class}"
                return f"label {have} is not one of: {shown}"
        return None

    def check(self, path: str | os.PathLike[str]) -> tuple[str, str | None]:
        """``("keep", None)``, ``("filtered", reason)`` or ``("unreadable", reason)`` for one photo."""
        if not self.active:
            return "keep", None
        from studio_desktop.uploads.xmp import XmpError, read_marks

        try:
            marks = read_marks(path)
        except XmpError as exc:
            return "unreadable", f"Cannot apply the picks filter: {exc}."
        reason = self.verdict(marks)
        return ("keep", None) if reason is None else ("filtered", FILTER_PREFIX + reason + ".")

    def to_options(self) -> dict[str, Any]:
        """For the batch's options in the store (and for the GUI to remember per target)."""
        return {"min_rating": self.min_rating, "labels": list(self.labels), "skip_rejects": self.skip_rejects}

    @classmethod
    def from_options(cls, options: dict[str, Any] | None) -> PickFilter:
        options = options or {}
        rating = options.get("min_rating")
        return cls(
            min_rating=None if rating is None else int(rating),
            labels=tuple(str(x) for x in options.get("labels") or ()),
            skip_rejects=bool(options.get("skip_rejects")),
        )


def _stars(n: int) -> str:
    return f"{n} star" if n == 1 else f"{n} stars"
