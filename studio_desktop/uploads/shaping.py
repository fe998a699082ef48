"""What a batch does to its files on the way up: leave out all but the picks, resize.

Kept with the batch (its options in the store), so a batch finished after a
crash, or by another run, is sent the way it was asked for.

Identity of a resized upload: the queue item and the ledger row describe the
**original** file (path, size, modification time), and the ledger's
``content_hash`` is the sha256 of the original's bytes (taken while they were
read to be resized), not of the smaller copy that went over the wire. So
re-running a resized upload skips what is there, a compare reports the file
as the same one as long as it is unchanged, and a renamed copy of the original
is recognised. The server's photo is the copy; nothing local describes it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio_desktop.api.limits import MAX_UPLOAD_BYTES
from studio_desktop.uploads.images import validate_jpeg
from studio_desktop.uploads.picks import PickFilter
from studio_desktop.uploads.records import queue as q
from studio_desktop.uploads.resize import OVERSIZE_DEFAULT, ResizeSpec


@dataclass(frozen=True, slots=True)
class FilteredFile:
    """A photo the picks filter left out: neither a failure nor a duplicate."""

    path: str
    name: str
    size: int
    reason: str
    mtime_ns: int = 0
    rel_album_path: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UploadShape:
    picks: PickFilter = PickFilter()
    resize: ResizeSpec | None = None
    resize_oversize: bool = False

    @property
    def active(self) -> bool:
        return self.picks.active or self.resize is not None or self.resize_oversize

    def to_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if self.picks.active:
            options["picks"] = self.picks.to_options()
        if self.resize is not None:
            options["resize"] = self.resize.to_options()
        if self.resize_oversize:
            options["resize_oversize"] = True
        return options

    @classmethod
    def from_options(cls, options: dict[str, Any] | None) -> UploadShape:
        options = options or {}
        return cls(
            PickFilter.from_options(options.get("picks")),
            ResizeSpec.from_options(options.get("resize")),
            bool(options.get("resize_oversize")),
        )

    def spec_for(self, size: int) -> ResizeSpec | None:
        """How to resize a file of ``size`` bytes before sending (None: send it as it is)."""
        oversize = self.resize_oversize and size > MAX_UPLOAD_BYTES
        if self.resize is not None and (self.resize.long_edge is not None or oversize):
            return self.resize
        return OVERSIZE_DEFAULT if oversize else None

    def accept_oversize(self, path: str, name: str, rel: tuple[str, ...]) -> q.NewItem | None:
        """A photo the scan refused only for being over the limit, taken when it may be resized."""
        if not self.resize_oversize:
            return None
        try:
            if os.path.getsize(path) <= MAX_UPLOAD_BYTES:
                return None
        except OSError:
            return None
        result = validate_jpeg(path, max_bytes=None)
        if not result.ok or result.size is None or result.mtime_ns is None:
            return None
        return q.NewItem(path=path, name=name, size=result.size, mtime_ns=result.mtime_ns, rel_album_path=rel)

    def sift(self, entries: Iterable[q.NewItem]) -> Iterator[q.NewItem | FilteredFile]:
        """The scan's rows with the picks filter applied (read in the scan thread)."""
        for entry in entries:
            if entry.error is not None or not self.picks.active:
                yield entry
                continue
            outcome, reason = self.picks.check(entry.path)
            if outcome == "filtered":
                yield FilteredFile(
                    entry.path, entry.name, entry.size, reason or "", entry.mtime_ns, entry.rel_album_path
                )
            elif outcome == "unreadable":
                # Like the scan's own refusals: no size, so the totals count only what may go up.
                yield q.NewItem(path=entry.path, name=entry.name, rel_album_path=entry.rel_album_path, error=reason)
            else:
                yield entry


def rejected_rel(path: str, given: str, mirror_folders: bool, max_depth: int) -> tuple[str, ...]:
    """The album path a refused file below a scanned folder would have had."""
    from studio_desktop.uploads.scanner import album_path_for_file

    if not mirror_folders or not os.path.isdir(given):
        return ()
    return album_path_for_file(Path(path), Path(os.path.abspath(given)), max_depth)
