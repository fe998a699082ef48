"""The engine's side of a hot-folder watcher: what became of each file handed over.

The engine reports each item's state; for the watcher's own files that means an
upload (then the after-upload move, with the ledger following the file), a
duplicate (the same photo already there, or another photo with its name), a
failure, a file left out by the picks filter, or one written again after it was
queued (back through the gate). A file changed after its upload is reported, or
replaced in the gallery when it was rewritten right away or the user asked.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

from studio_desktop.uploads.events import ItemStateChanged
from studio_desktop.uploads.hotfolders.events import (
    HotFolderChangedAfterUpload,
    HotFolderFileFailed,
    HotFolderFileNameTaken,
    HotFolderFileSkipped,
    HotFolderFileUploaded,
)
from studio_desktop.uploads.hotfolders.files import is_inside, move_keeping_subfolders, plain_os_error, stat_signature
from studio_desktop.uploads.hotfolders.gate import Ready
from studio_desktop.uploads.hotfolders.history import Judgement
from studio_desktop.uploads.hotfolders.shared import WatcherCore
from studio_desktop.uploads.records.ledger import LedgerEntry

log = logging.getLogger("studio_desktop.uploads.hotfolders.watcher")


class EngineOutcomes(WatcherCore):
    """The engine's half of :class:`~.watcher.HotFolderWatcher`, whose state it shares."""

    async def _move_known(self, path: Path) -> None:
        """A file the ledger says was uploaded before, still here: an earlier run could not move it."""
        moved_to = await self._move(path)
        if moved_to is not None:
            self._emit(HotFolderFileSkipped(self.folder, path, f"Uploaded before; moved to {moved_to}."))

    # -- engine events --------------------------------------------------------------------

    def _subscribe(self) -> None:
        if self._unsubscribe is None:
            self._unsubscribe = self.engine.subscribe(self._on_engine_event)

    def _on_engine_event(self, event: object) -> None:
        if self._loop is not None and _running_loop() is not self._loop:
            self._post(self._on_engine_event, event)
            return
        if not isinstance(event, ItemStateChanged) or event.path is None:
            return
        if event.batch_id not in self._batches:
            if self._enqueuing:
                self._early_events.append(event)
            return
        state = event.state
        path = Path(event.path)
        message = event.message
        if path in self._moved_in_flight and state in ("done", "duplicate", "failed", "cancelled"):
            moved_to = self._arrived_after_folder_move(path, state, event.photo_id, message)
            if moved_to is None:
                return
            path = moved_to
        if state == "done":
            self._finished(path)
            self.counts["uploaded"] += 1
            photo_id = event.photo_id
            if self.after.move_to is not None and is_inside(path, self.folder):
                self._spawn(self._move_and_report(path, photo_id))
            else:
                self._emit(HotFolderFileUploaded(self.folder, path, photo_id))
        elif state == "failed" and message == _changed_since_queued():
            # Written again after it was handed over: it goes through the gate once more.
            self._in_flight.pop(path, None)
            self._recheck_after_upload.discard(path)
            self.gate.found(path)
            self._set_wake()
        elif state == "failed" and not os.path.lexists(path):
            # Gone from where it was queued: deleted, or moved (a renamed folder); events about a
            # move may come after the engine's word. A moved file is found under its new path.
            self._finished(path)
            log.info("hot folder %s: %s left before it was sent (%s)", self.folder, path, message)
        elif state == "filtered":
            # Left out by the picks filter: settled as it is now; re-rated in the file, it is seen again.
            self._settled[path] = (self._in_flight.get(path) or stat_signature(path), state)
            self._finished(path)
            self.counts["left_out"] += 1
            self._emit(HotFolderFileSkipped(self.folder, path, message or "Left out by the picks filter."))
        elif state in ("duplicate", "failed", "cancelled"):
            self._settled[path] = (self._in_flight.get(path) or stat_signature(path), state)
            self._finished(path)
            if state == "duplicate":
                self._spawn(self._explain_duplicate(path, message, event.photo_id))
            else:
                self.counts["failed"] += 1
                self._emit(HotFolderFileFailed(self.folder, path, message or state))

    def _arrived_after_folder_move(
        self, path: Path, state: str, photo_id: int | None, message: str | None = None
    ) -> Path | None:
        """The engine's word on a file whose folder was renamed while it was in flight.

        Returns the path to go on with (its new one), or None when it is dealt with here.
        """
        signature = self._in_flight.pop(path, None)
        self._recheck_after_upload.discard(path)
        if state == "done":
            # Stays in _moved_in_flight until the ledger knows the new path, so that
            # the new path is not taken for a new photo meanwhile.
            self.counts["uploaded"] += 1
            self._spawn(self._uploaded_before_folder_move(path, signature, photo_id))
            return None
        moved_to = self._moved_in_flight.pop(path)
        if moved_to is None:
            return None  # moved out of the hot folder before it could be sent: no longer ours
        if state == "failed" or (state == "cancelled" and (message or "").startswith(_moved_before_sent())):
            # Gone from the old path (the engine knew of the move, or found out): send it from the new one.
            self.gate.found(moved_to)
            self._set_wake()
            return None
        if signature is not None:
            self._in_flight[moved_to] = signature
        return moved_to

    async def _uploaded_before_folder_move(
        self, path: Path, signature: tuple[int, int] | None, photo_id: int | None
    ) -> None:
        moved_to = self._moved_in_flight.get(path)
        try:
            if moved_to is not None and signature is not None:
                await self.ledger.follow(path, signature, moved_to)
        finally:
            self._moved_in_flight.pop(path, None)
        if moved_to is not None and self.after.move_to is not None:
            self._emit(HotFolderFileUploaded(self.folder, moved_to, photo_id, await self._move(moved_to)))
        else:
            self._emit(HotFolderFileUploaded(self.folder, moved_to or path, photo_id))

    async def _explain_duplicate(self, path: Path, message: str | None, photo_id: int | None) -> None:
        """The engine found the name in the target: the same photo, or a different one under that name?"""
        if message and message.startswith("Uploaded before from this file"):
            self.counts["skipped"] += 1
            self._emit(HotFolderFileSkipped(self.folder, path, message))
            return
        verdict = await self.ledger.same_name(path, photo_id)
        where = f"photo {photo_id}" if photo_id else "a photo"
        if verdict == "same":
            self.counts["skipped"] += 1
            self._emit(HotFolderFileSkipped(self.folder, path, f"The same photo is already in the gallery ({where})."))
        elif verdict == "different":
            self.counts["name_taken"] += 1
            elsewhere = "" if self.mirror_folders else ", or put it in a subfolder and watch with mirrored folders"
            self._emit(
                HotFolderFileNameTaken(
                    self.folder,
                    path,
                    photo_id,
                    f"a different photo named {path.name} is already there ({where}). "
                    f"Rename this file (for example {path.stem}-2{path.suffix}) and it will be uploaded{elsewhere}.",
                )
            )
        else:
            self.counts["skipped"] += 1
            self._emit(
                HotFolderFileSkipped(
                    self.folder,
                    path,
                    f"A photo named {path.name} is already in the gallery ({where}), not sent from this computer, "
                    "so it is taken to be this one. If it is a different photo, rename the file to upload it.",
                )
            )

    def _finished(self, path: Path) -> None:
        self._in_flight.pop(path, None)
        if path in self._recheck_after_upload:
            self._recheck_after_upload.discard(path)
            self.gate.found(path)
            self._set_wake()

    async def _move_and_report(self, path: Path, photo_id: int | None) -> None:
        moved_to = await self._move(path)
        self._emit(HotFolderFileUploaded(self.folder, path, photo_id, moved_to))

    async def _move(self, path: Path) -> Path | None:
        assert self.after.move_to is not None
        signature = stat_signature(path)
        try:
            moved_to = await asyncio.to_thread(move_keeping_subfolders, path, self.folder, self.after.move_to)
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._problem(
                f"Uploaded {path.name}, but could not move it to {self.after.move_to}: "
                f"{plain_os_error(exc)}. It stays where it is.",
                path,
            )
            return None
        if signature is not None:
            await self.ledger.follow(path, signature, moved_to)
        return moved_to

    # -- changed after upload ---------------------------------------------------------------

    def _changed_after_upload(self, path: Path, judgement: Judgement, item: Ready) -> None:
        entry = judgement.entry
        assert entry is not None
        signature = (item.size, item.mtime_ns)
        rewritten = judgement.kind == "rewritten"
        if (rewritten or self.replace_changed) and entry.photo_id is not None:
            self.counts["changed"] += 1
            self._in_flight[path] = signature
            self._spawn(self._replace(path, entry, item, rewritten=rewritten))
            return
        if self._settled.get(path) == (signature, "changed"):
            return  # told once per version; a restart tells again
        self._settled[path] = (signature, "changed")
        self.counts["changed"] += 1
        if entry.photo_id is None:
            advice = " Its photo id is unknown, so it cannot be replaced; delete it in the gallery to upload it again."
        else:
            advice = (
                " If it is another photo (a new card reusing the name), rename it to upload it beside the "
                "first; if it is an edit of the same photo, replacing changed photos (--replace-changed) "
                "sends it in its place."
            )
        self._emit(
            HotFolderChangedAfterUpload(
                self.folder,
                path,
                entry.photo_id,
                False,
                f"{path.name} changed after it was uploaded; the gallery still has the earlier version.{advice}",
            )
        )

    async def _replace(self, path: Path, entry: LedgerEntry, item: Ready, *, rewritten: bool = False) -> None:
        """``sp.photo.update`` with the new version, then remember that version as uploaded."""
        assert entry.photo_id is not None  # only photos with an id are replaced
        client = self._client or self.engine.client
        how = "was written again right after it was uploaded" if rewritten else "changed after it was uploaded"
        try:
            result = await client.photo_update(entry.photo_id, path)
        except asyncio.CancelledError:
            self._in_flight.pop(path, None)
            raise
        except Exception as exc:
            self._emit(
                HotFolderChangedAfterUpload(
                    self.folder,
                    path,
                    entry.photo_id,
                    False,
                    f"{path.name} {how}, and replacing it in the gallery failed: {_api_message(exc)}",
                )
            )
        else:
            await self.ledger.record_replaced(path, (item.size, item.mtime_ns), entry, result.content_hash)
            self.counts["replaced"] += 1
            self._emit(
                HotFolderChangedAfterUpload(
                    self.folder,
                    path,
                    entry.photo_id,
                    True,
                    f"{path.name} {how}; replaced it in the gallery with this version (photo {entry.photo_id}).",
                )
            )
        self._finished(path)


def _api_message(exc: BaseException) -> str:
    msg = getattr(exc, "msg", None)
    return str(msg or str(exc) or type(exc).__name__)


def _changed_since_queued() -> str:
    from studio_desktop.uploads.engine import CHANGED_SINCE_QUEUED

    return CHANGED_SINCE_QUEUED


def _moved_before_sent() -> str:
    from studio_desktop.uploads.engine import MOVED_BEFORE_SENT

    return MOVED_BEFORE_SENT


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
