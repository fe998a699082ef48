"""What hot folders use of the upload engine and of the ShootProof client, and nothing more.

A watcher hands files to an engine that is already running (it never starts or stops
it), hears of each item through :meth:`HotFolderEngine.subscribe`, reads and writes the
upload ledger through the engine's store, and asks for the target's photo names before
each batch. It replaces a photo changed after its upload with the client's
``photo_update``. :class:`~studio_desktop.uploads.engine.UploadEngine` and
:class:`~studio_desktop.api.shootproof.ShootProofClient` satisfy these protocols.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from studio_desktop.core.store import Store


class ReplacedPhoto(Protocol):
    @property
    def content_hash(self) -> str | None:
        """sha256 hex of the bytes sent."""


class PhotoReplacer(Protocol):
    async def photo_update(self, photo_id: int, path: Path, /) -> ReplacedPhoto:
        """Replace the image of ``photo_id`` in the gallery with the file at ``path``."""


class HotFolderEngine(Protocol):
    """The upload engine as a hot folder sees it."""

    @property
    def store(self) -> Store:
        """The local store: the ledger of what was uploaded, and the queue."""

    @property
    def client(self) -> PhotoReplacer:
        """Used to replace changed photos when the watcher is given no client of its own."""

    def subscribe(self, callback: Callable[[Any], None]) -> Callable[[], None]:
        """``callback(event)`` for every engine event, on the loop's thread; returns the unsubscribe function.

        The watcher follows :class:`~studio_desktop.uploads.events.ItemStateChanged` of its own batches.
        """

    def note_moved(self, old: str, new: str | None) -> None:
        """The file of a queued item moved (its folder renamed) to ``new`` (None: out of the folder).

        Its old path then ends quietly (cancelled, ``MOVED_BEFORE_SENT``), not as a failure.
        """

    async def enqueue(
        self,
        paths: Iterable[str | os.PathLike[str]],
        event_id: int,
        album_id: int | None = None,
        mirror_folders: bool = False,
        label: str | None = None,
        options: dict[str, Any] | None = None,
        root: str | os.PathLike[str] | None = None,
    ) -> int:
        """Add files as a new batch; returns its id (item events may come before it returns)."""

    async def list_names(self, event_id: int, album_id: int | None) -> dict[str, list[int]]:
        """Name (NFC) -> photo ids of the target (an album, or the event's root) as the server has it now."""
