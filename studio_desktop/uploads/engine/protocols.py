"""The engine's seams, typed: the client it needs, and the engine as hot folders and the UI see it.

The engine is handed a ShootProof client, or anything with these methods (the
tests' fakes). Hot folders and the UI hold an engine through the narrower
views below, so they can be given a stand-in too.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol, runtime_checkable

from studio_desktop.api.transport import Transport

if TYPE_CHECKING:
    import asyncio

    from studio_desktop.api.models import Album, Photo, UploadResult
    from studio_desktop.core.store import Store
    from studio_desktop.uploads import events as ev
    from studio_desktop.uploads.engine._snapshot import DryRunEntry, Snapshot
    from studio_desktop.uploads.shaping import UploadShape


class UploadClient(Protocol):
    """The ShootProof calls the engine makes (:class:`~studio_desktop.api.shootproof.ShootProofClient` has them)."""

    async def event_photo_exists(
        self,
        event_id: int,
        *,
        photo_name: str | None = None,
        photo_id: int | None = None,
        album_id: int | None = None,
    ) -> bool: ...

    async def photo_upload(
        self,
        event_id: int,
        path_or_fileobj: BinaryIO | bytes,
        *,
        album_id: int | None = None,
        watermark_id: int | str | None = None,
        file_name: str | None = None,
        on_progress: Callable[[int], None] | None = None,
        size: int | None = None,
    ) -> UploadResult: ...

    async def album_create(
        self,
        event_id: int,
        album_name: str,
        *,
        password: str | None = None,
        parent_id: int | None = None,
    ) -> Album: ...

    async def album_get_list(self, event_id: int) -> list[Album]: ...

    # Only for an empty album this engine just made, when another computer made one of that name at once.
    async def album_delete(self, album_id: int, *, only_empty: bool = False) -> None: ...

    def iter_event_photos(self, event_id: int, *, limit: int | None = None) -> AsyncIterator[Photo]: ...

    def iter_album_photos(self, album_id: int, *, limit: int | None = None) -> AsyncIterator[Photo]: ...

    async def studio_info(self) -> object: ...

    # Only for a second copy of a name this engine uploaded itself (see ``_doubles``).
    async def photo_delete(self, photo_id: int) -> bool: ...

    # Not called by the engine: hot folders replace a changed photo through ``engine.client``.
    async def photo_update(self, photo_id: int, path_or_fileobj: Path, /) -> UploadResult: ...


@runtime_checkable
class _HasTransport(Protocol):
    transport: object


def transport_of(client: object) -> Transport | None:
    """The transport under a ShootProof client (bandwidth limit, network probe); None for a fake."""
    transport = client.transport if isinstance(client, _HasTransport) else None
    return transport if isinstance(transport, Transport) else None


class EngineForUi(Protocol):
    """What the GUI and the terminal commands drive: queueing, events, lifetime, controls, settings and numbers.

    Hot folders see the engine through their own, narrower
    :class:`~studio_desktop.uploads.hotfolders.engine_seam.HotFolderEngine`; the check at
    the end of this module keeps :class:`~studio_desktop.uploads.engine.UploadEngine`
    satisfying both.
    """

    @property
    def store(self) -> Store: ...

    @property
    def client(self) -> UploadClient: ...

    def subscribe(self, callback: Callable[[ev.Event], None]) -> Callable[[], None]: ...

    def note_moved(self, old: str, new: str | None) -> None: ...

    async def enqueue(
        self,
        paths: Iterable[str | os.PathLike[str]],
        event_id: int,
        album_id: int | None = None,
        mirror_folders: bool = False,
        label: str | None = None,
        options: dict[str, Any] | None = None,
        root: str | os.PathLike[str] | None = None,
        shape: UploadShape | None = None,
    ) -> int: ...

    async def list_names(self, event_id: int, album_id: int | None) -> dict[str, list[int]]: ...

    dedup: bool
    watermark_id: int | str | None
    plan: ev.PlanUsage | None
    local_failure: BaseException | None

    @property
    def running(self) -> bool: ...

    @property
    def concurrency(self) -> int: ...

    @property
    def bandwidth_limit_kbps(self) -> float: ...

    async def start(self) -> None: ...

    async def stop(self, grace: float = 0.0) -> None: ...

    async def wait_idle(self) -> None: ...

    def snapshot(self) -> Snapshot: ...

    def set_concurrency(self, value: int) -> None: ...

    def set_bandwidth_limit(self, kbps: float) -> None: ...

    def pause(self, item_ids: Sequence[int] | None = None) -> asyncio.Future[list[int]]: ...

    def resume(self, item_ids: Sequence[int] | None = None) -> asyncio.Future[list[int]]: ...

    def cancel(self, item_ids: Sequence[int] | None = None) -> asyncio.Future[list[int]]: ...

    def retry(self, item_ids: Sequence[int] | None = None) -> asyncio.Future[list[int]]: ...

    def dry_run(
        self,
        paths: Iterable[str | os.PathLike[str]],
        event_id: int | None,
        album_id: int | None = None,
        mirror_folders: bool = False,
        shape: UploadShape | None = None,
    ) -> AsyncIterator[DryRunEntry]: ...


if TYPE_CHECKING:
    from studio_desktop.uploads.engine import UploadEngine
    from studio_desktop.uploads.hotfolders.engine_seam import HotFolderEngine

    def _engine_fits_its_seams(engine: UploadEngine) -> tuple[HotFolderEngine, EngineForUi]:
        """Never called: mypy checks here that the engine satisfies the views hot folders and the UI hold."""
        return engine, engine
