"""Queueing: folders scanned in a worker thread into a new batch while the first files already upload; dry runs."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio_desktop.api.limits import MAX_ALBUM_DEPTH
from studio_desktop.uploads import events as ev
from studio_desktop.uploads.engine._outcomes import log, log_outcome, sentence
from studio_desktop.uploads.engine._snapshot import DryRunEntry
from studio_desktop.uploads.engine._state import EngineState
from studio_desktop.uploads.records import queue as q
from studio_desktop.uploads.records.ledger import ledger_known_versions
from studio_desktop.uploads.shaping import FilteredFile, UploadShape, rejected_rel

if TYPE_CHECKING:
    from studio_desktop.uploads import scanner

ADD_CHUNK = 500
FIRST_CHUNK = 20


class EnqueueMixin(EngineState):
    """How files get into the queue of :class:`UploadEngine`."""

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
    ) -> int:
        """Add files and folders (scanned in a worker thread) as a new batch; returns the batch id.

        A failure of this computer while queueing (a full disk, a damaged store)
        stops the queue as one while uploading does, so a watcher's caller hears
        of it; the error is raised to the caller all the same.
        """
        try:
            return await self._enqueue_batch(paths, event_id, album_id, mirror_folders, label, options, root, shape)
        except Exception as exc:
            self._store_failed(exc)
            raise

    async def _enqueue_batch(
        self,
        paths: Iterable[str | os.PathLike[str]],
        event_id: int,
        album_id: int | None = None,
        mirror_folders: bool = False,
        label: str | None = None,
        options: dict[str, Any] | None = None,
        root: str | os.PathLike[str] | None = None,
        shape: UploadShape | None = None,
    ) -> int:
        """Add files and folders (scanned in a worker thread) as a new batch; returns the batch id.

        Files the scanner refuses become failed items carrying its reason, so the
        user sees them. Uploading starts while a big folder is still being scanned.
        ``root``: with ``mirror_folders``, album paths are taken from the folders
        between ``root`` and each path (a hot folder hands over single files).
        ``options`` are kept with the batch (e.g. the ``--new-event`` name).
        ``shape``: the picks filter and resizing (:mod:`shaping`), kept with the batch too;
        photos the filter leaves out are added as ``filtered`` items with the reason, never sent.
        """
        texts = [os.fspath(p) for p in paths]
        root_text = os.fspath(root) if root is not None else None
        if shape is None:  # a hot folder hands its shape over among the batch options
            shape = UploadShape.from_options(options)
        batch_options = {
            "mirror_folders": bool(mirror_folders),
            "paths": texts[:20],
            "path_count": len(texts),
            **({"root": root_text} if root_text else {}),
            **shape.to_options(),
            **(options or {}),
        }
        batch_id = await self.store.write(q.create_batch, event_id, album_id, batch_options, label)
        log.info(
            "upload batch %d: %d path(s) for event %d%s%s",
            batch_id,
            len(texts),
            event_id,
            f", album {album_id}" if album_id is not None else "",
            ", folders as albums" if mirror_folders else "",
        )
        if self._scope is not None:
            self._scope.append(batch_id)
        self._shapes[batch_id] = shape
        if options and "hot_folder" in options:
            self._hot_batches.add(batch_id)
        self._enqueuing.add(batch_id)
        self._idle_clear()
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(
                self._scan_pool(), self._scan_into, batch_id, texts, mirror_folders, root_text, loop, shape
            )
        finally:
            self._enqueuing.discard(batch_id)
        await self._check_batch_finished(batch_id)
        self._poke()
        return batch_id

    def _scan_into(
        self,
        batch_id: int,
        paths: list[str],
        mirror_folders: bool,
        root: str | None,
        loop: asyncio.AbstractEventLoop,
        shape: UploadShape | None = None,
    ) -> None:
        chunk: list[q.NewItem] = []
        size = FIRST_CHUNK  # a small first chunk, so that uploading starts while the scan goes on
        for entry in scan(paths, mirror_folders, root, shape, known=self._known_files()):
            if not self._accepting:
                return  # stopped mid-scan: what is queued stays queued for next time
            if isinstance(entry, FilteredFile):
                entry = q.NewItem(
                    entry.path,
                    entry.name,
                    entry.size,
                    entry.mtime_ns,
                    entry.rel_album_path,
                    error=entry.reason,
                    left_out=True,
                )
            chunk.append(entry)
            if len(chunk) >= size:
                self._add_chunk(batch_id, chunk, loop)
                chunk = []
                size = ADD_CHUNK
        if chunk:
            self._add_chunk(batch_id, chunk, loop)

    def _known_files(self) -> scanner.KnownFiles | None:
        """With dedup: a batched ledger lookup, so the files of a finished folder are not read again."""
        if not self.dedup:
            return None
        store = self.store
        return lambda versions: store.read_sync(ledger_known_versions, versions)

    def _add_chunk(self, batch_id: int, chunk: list[q.NewItem], loop: asyncio.AbstractEventLoop) -> None:
        result = self.store.write_sync(q.add_items, batch_id, chunk, dedup=self.dedup)
        with contextlib.suppress(RuntimeError):  # the loop is gone: the rows are saved all the same
            loop.call_soon_threadsafe(self._after_add, batch_id, result, len(chunk))

    def files_queued(self, batch_id: int) -> int:
        """How many files this engine's scans put into the batch (some may since have moved to another run's)."""
        return self._queued_files.get(batch_id, 0)

    def _after_add(self, batch_id: int, result: q.AddResult, files: int = 0) -> None:
        self._queued_files[batch_id] = self._queued_files.get(batch_id, 0) + files
        adopted_bytes = 0
        for _, old_batch, old_state, new_state, size in result.adopted_moves:
            adopted_bytes += size
            if self._scope is None or old_batch in self._scope:
                self._tally.count(old_state, -1, -size)
            self._tally.count(new_state, 1, size)
        self._tally.count(q.QUEUED, result.added, result.bytes - adopted_bytes)
        self._tally.count(q.FAILED, result.rejected, 0)
        moved = {q.SKIPPED: [0, 0], q.FILTERED: [0, 0]}
        for _, old_batch, state, size in result.refused_moves:
            if state in moved:
                moved[state][0] += 1
                moved[state][1] += size
            if self._scope is not None and old_batch not in self._scope:
                self._tally.count(state, 1, size)  # already counted when its batch was in scope
        self._tally.count(q.SKIPPED, len(result.skipped_items) - moved[q.SKIPPED][0], 0)
        self._tally.count(
            q.FILTERED,
            len(result.filtered_items) - moved[q.FILTERED][0],
            sum(i.size for i in result.filtered_items) - moved[q.FILTERED][1],
        )
        self._tally.count(q.DUPLICATE, len(result.duplicate_items), sum(i.size for i in result.duplicate_items))
        added = result.added + result.adopted + len(result.duplicate_items)
        self._emit(
            ev.ItemsAdded(batch_id, added, result.rejected, result.bytes + sum(i.size for i in result.duplicate_items))
        )
        for item in result.rejected_items:
            log_outcome(item, q.FAILED, item.last_error)
            self._state_event(item, q.FAILED, item.last_error)
        for item in result.skipped_items:
            log_outcome(item, q.SKIPPED, item.last_error)
            self._state_event(item, q.SKIPPED, item.last_error)
        for item in result.filtered_items:
            log_outcome(item, q.FILTERED, item.last_error)
            self._state_event(item, q.FILTERED, item.last_error)
        for item in result.duplicate_items:
            self._state_event(item, q.DUPLICATE, item.last_error, item.photo_id)
        self._poke()

    async def dry_run(
        self,
        paths: Iterable[str | os.PathLike[str]],
        event_id: int | None,
        album_id: int | None = None,
        mirror_folders: bool = False,
        shape: UploadShape | None = None,
    ) -> AsyncIterator[DryRunEntry]:
        """What an upload would do, without sending or changing anything (albums are not created)."""
        texts = [os.fspath(p) for p in paths]
        loop = asyncio.get_running_loop()
        entries = await loop.run_in_executor(self._scan_pool(), lambda: list(scan(texts, mirror_folders, None, shape)))
        for entry in entries:
            if isinstance(entry, FilteredFile):
                yield DryRunEntry(entry.path, entry.name, entry.size, "filtered", entry.reason)
                continue
            if entry.error is not None:
                yield DryRunEntry(entry.path, entry.name, entry.size, "rejected", entry.error)
                continue
            if event_id is None:  # an event still to be created holds nothing yet
                yield DryRunEntry(entry.path, entry.name, entry.size, "upload")
                continue
            item = q.Item(
                0,
                0,
                entry.path,
                entry.name,
                entry.size,
                entry.mtime_ns,
                event_id,
                album_id,
                entry.rel_album_path,
                q.QUEUED,
            )
            final, exists = await self._albums.album_for(item, create=False)
            reason = None
            if exists and self.dedup:
                reason = await self._names.duplicate_reason(item, final)
            yield DryRunEntry(entry.path, entry.name, entry.size, "duplicate" if reason else "upload", reason)


def scan(
    paths: list[str],
    mirror_folders: bool,
    root: str | None = None,
    shape: UploadShape | None = None,
    *,
    known: scanner.KnownFiles | None = None,
) -> Iterable[q.NewItem | FilteredFile]:
    """The scanner's findings as rows to add (refused files carry the scanner's reason).

    With a ``shape``, photos over the size limit are taken when they may be resized,
    and the picks filter leaves photos out (:class:`FilteredFile`).

    ``root`` (hot folders): the given paths lie below it, and with mirroring the
    folders between ``root`` and each file are the album path.
    """
    if shape is None or not shape.active:
        return scan_files(paths, mirror_folders, root, None, known)
    return shape.sift(scan_files(paths, mirror_folders, root, shape if shape.resize_oversize else None, known))


def scan_files(
    paths: list[str],
    mirror_folders: bool,
    root: str | None,
    shape: UploadShape | None,
    known: scanner.KnownFiles | None = None,
) -> Iterator[q.NewItem]:
    from studio_desktop.uploads import scanner

    for given in paths:
        prefix: tuple[str, ...] = ()
        if root is not None and mirror_folders:
            try:
                relative = Path(os.path.abspath(given)).relative_to(os.path.abspath(root))
            except ValueError:
                relative = None
            if relative is not None:
                prefix = relative.parts if os.path.isdir(given) else relative.parts[:-1]
        unfolded = mirror_folders and bool(prefix)
        found = scanner.iter_scan(
            [given],
            mirror_folders=mirror_folders,
            max_album_depth=10_000 if unfolded else MAX_ALBUM_DEPTH,
            known=known,
        )
        for entry in found:
            if isinstance(entry, scanner.Rejected):
                path = os.path.abspath(os.fspath(entry.path))
                name = scanner.upload_name(Path(path).name)
                taken = None
                if shape is not None:
                    rel = rejected_rel(path, given, mirror_folders, 10_000 if unfolded else MAX_ALBUM_DEPTH)
                    if unfolded:
                        rel = scanner.album_path_for((*prefix, *rel), MAX_ALBUM_DEPTH)
                    taken = shape.accept_oversize(path, name, rel)
                yield taken or q.NewItem(
                    path=path, name=name, error=sentence(entry.reason), not_a_photo=entry.not_a_photo
                )
            elif isinstance(entry, scanner.ScanItem):
                rel = tuple(entry.rel_album_path or ())
                if unfolded:
                    rel = scanner.album_path_for((*prefix, *rel), MAX_ALBUM_DEPTH)
                yield q.NewItem(
                    path=entry.abspath,
                    name=entry.name,
                    size=entry.size,
                    mtime_ns=entry.mtime_ns,
                    rel_album_path=rel,
                )
