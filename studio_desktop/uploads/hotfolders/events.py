"""What a hot-folder watcher tells its owner (the CLI's output, the GUI's notifications and list).

Small immutable objects passed to the watcher's ``on_event`` callback on the event
loop's thread. Messages and reasons are plain words for the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class HotFolderEvent:
    folder: Path


@dataclass(frozen=True)
class HotFolderStarted(HotFolderEvent):
    """Watching (again). ``observer`` is ``"inotify"`` (or the platform's native name) or ``"polling"``."""

    observer: str


@dataclass(frozen=True)
class HotFolderStopped(HotFolderEvent):
    pass


@dataclass(frozen=True)
class HotFolderBatch(HotFolderEvent):
    """Files handed to the engine in one go: what a desktop notification summarises."""

    batch_id: int | None
    files: int
    already_uploaded: int = 0
    changed: int = 0


@dataclass(frozen=True)
class HotFolderFileUploaded(HotFolderEvent):
    path: Path
    photo_id: int | None
    moved_to: Path | None = None


@dataclass(frozen=True)
class HotFolderFileSkipped(HotFolderEvent):
    """Not uploaded because the photo is already there (in the ledger or on the server)."""

    path: Path
    reason: str


@dataclass(frozen=True)
class HotFolderFileNameTaken(HotFolderEvent):
    """Not uploaded: a *different* photo of the same name is already in the target (``photo_id``).

    Never taken for "already uploaded": the ledger's hash of what was sent differs.
    """

    path: Path
    photo_id: int | None
    reason: str


@dataclass(frozen=True)
class HotFolderFileRejected(HotFolderEvent):
    """Not uploaded because of the file itself (not a JPEG, unreadable, cut off)."""

    path: Path
    reason: str


@dataclass(frozen=True)
class HotFolderFileFailed(HotFolderEvent):
    path: Path
    message: str


@dataclass(frozen=True)
class HotFolderChangedAfterUpload(HotFolderEvent):
    """A file changed after it was uploaded; ``replaced`` says whether the gallery copy was updated."""

    path: Path
    photo_id: int | None
    replaced: bool
    message: str


@dataclass(frozen=True)
class HotFolderProblem(HotFolderEvent):
    message: str
    path: Path | None = None


@dataclass(frozen=True)
class HotFolderRecovered(HotFolderEvent):
    message: str
