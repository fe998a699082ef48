"""The check after sending: a photo this engine uploaded that another computer uploaded too, at the same time.

Two computers uploading the same folder into the same event each list a
target's names, then send what is not there. ShootProof has no idempotency
key, so when both send a name in the same moment (each listed before the
other's upload landed) the name lands twice. Re-listing stale names
(:attr:`EngineTiming.names_max_age`) makes that window small; this module
repairs what still slips through.

When a batch finishes, each target this engine uploaded into is listed again,
once. A name there that now has more than one photo, one of them this engine's
(recorded in this run), is resolved by a rule every computer reaches alone:
**the lowest photo id is kept**. This engine deletes (``sp.photo.delete``) only
its *own* copy, and only when a lower id of that name is in the same target;
it never deletes a photo it did not upload. Its item then reads as a duplicate
of the kept photo, and the ledger points at it.

- Both computers checking at once: each deletes only its own higher id; the
  lowest is deleted by nobody, so one copy survives, never none.
- Ours is the lowest and the other copy is nobody's here (the official app, or
  another computer that has not checked yet): ours stays, theirs is never
  touched; the double is reported (``double_warnings``) for the user to act on.
- A delete that fails is reported in plain words; nothing else stops. A delete
  whose answer was lost is looked for (``sp.event.photo_exists``) before it is
  sent again.
- ``--no-dedup`` runs are not checked: the user asked for copies. Names are
  compared per target only (the root and an album never make a double).
- Photo ids are not in upload order (the sandbox draws them at random, as a
  contract ShootProof does not promise otherwise), so the higher id may be the
  copy that landed first, whose computer may have checked before the other
  copy landed. Where photos that are not this engine's appeared in a target
  while it ran (another computer uploading there), its uploads of the last
  ``names_max_age + second_look_margin`` seconds are looked at once more, that
  long after they landed: the other computer listed before our copy landed (or
  it would not have sent), so it sent within ``names_max_age`` of that, and its
  copy landed within the margin (an upload slower than that can still leave a
  double, reported by the computer holding the lower id).
"""

from __future__ import annotations

import asyncio
import time

from studio_desktop.api.errors import ApiError, NotFoundError, TransientApiError
from studio_desktop.uploads import events as ev
from studio_desktop.uploads.engine._outcomes import log, plain, sentence
from studio_desktop.uploads.engine._state import EngineState, Sent
from studio_desktop.uploads.records import queue as q
from studio_desktop.uploads.records.ledger import nfc

#: Tries of a delete that failed before it is reported (a lost answer is looked for first).
DELETE_TRIES = 3

SECOND_COPY_REMOVED = "(uploaded by another computer at the same time); the second copy was removed."


class DoublesMixin(EngineState):
    """The check after sending of :class:`UploadEngine` (see the module docstring)."""

    def _note_sent(self, item: q.Item, final: int | None, photo_id: int) -> None:
        """Remember an upload this engine recorded, for the check when its batch finishes (not without dedup)."""
        if self.dedup:
            sent = Sent(item, final or 0, photo_id, time.monotonic())
            self._sent.setdefault((item.event_id, final or 0), []).append(sent)

    def _warn_double(self, text: str) -> None:
        """Kept for the run's summary, and said at once to whoever watches (the window, ``watch``)."""
        self.double_warnings.append(text)
        self._emit(ev.DoubleLeft(text))

    async def _check_doubles(self) -> None:
        """List each target uploaded into since the last check, once, and resolve its doubles.

        Where another computer was seen uploading, this engine's latest uploads there
        are looked at once more, once the other's copy of them would have landed
        (see :attr:`EngineTiming.second_look_margin`).
        """
        async with self._doubles_lock:
            sent, self._sent = self._sent, {}
            again: dict[tuple[int, int], list[Sent]] = {}
            for key, photos in sent.items():
                recent = await self._check_target(key, photos, last_look=False)
                if recent:
                    again[key] = recent
            if not again:
                return
            window = self.timing.names_max_age + self.timing.second_look_margin
            due = max(p.at for photos in again.values() for p in photos) + window
            log.info(
                "another computer is uploading into the same gallery: looking again in %.0f s for photos "
                "both sent at the same time",
                max(0.0, due - time.monotonic()),
            )
            if not await self._wait_for_second_look(due - time.monotonic()):
                return
            for key, photos in again.items():
                await self._check_target(key, photos, last_look=True)

    async def _wait_for_second_look(self, delay: float) -> bool:
        """Wait ``delay`` seconds; False if the engine stopped meanwhile (the look is then left out)."""
        if not self._started:
            return False
        self._second_look = asyncio.ensure_future(asyncio.sleep(max(0.0, delay)))
        try:
            await asyncio.wait([self._second_look])
            return not self._second_look.cancelled() and self._started
        finally:
            self._second_look = None

    async def _check_target(self, key: tuple[int, int], photos: list[Sent], *, last_look: bool) -> list[Sent]:
        """Resolve the doubles of these uploads in one target; returns those to look at again (see above)."""
        event_id, target = key
        where = "album" if target else "gallery"
        try:
            names = await self._names.refresh(event_id, target or None)
        except ApiError as exc:
            text = f"Could not check the {where} for photos uploaded twice by two computers at once: {plain(exc)}"
            log.info("%s (event %d, target %d)", text, event_id, target)
            self._warn_double(text)
            return []
        recent: list[Sent] = []
        if not last_look and self._names.others_uploading(event_id, target or None):
            window = self.timing.names_max_age + self.timing.second_look_margin
            now = time.monotonic()
            recent = [p for p in photos if now - p.at < window]
        looking_again = {id(p) for p in recent}
        for sent_photo in photos:
            await self._resolve(sent_photo, names, warn=id(sent_photo) not in looking_again)
        return recent

    async def _resolve(self, sent: Sent, names: dict[str, list[int]], *, warn: bool = True) -> None:
        item, photo_id = sent.item, sent.photo_id
        ids = names.get(nfc(item.name), [])
        if not ids or (photo_id in ids and len(ids) < 2):
            return  # no double (or the name is gone altogether: nothing to point at)
        where = "album" if sent.target else "gallery"
        async with self._names.name_lock((item.event_id, sent.target, nfc(item.name))):
            lowest = min(ids)
            if photo_id not in ids:
                # Ours is gone while the name is there: after a lost answer, each computer may have taken
                # the other's copy for its own, and the other removed it as its second copy. Point at the kept one.
                current = await self.store.read(q.get_item, item.id)
                if current is not None and current.state == q.DONE and current.photo_id == photo_id:
                    await self._record_second_copy(current, sent, lowest, photo_id, removed_here=False)
                return
            if lowest == photo_id:
                higher = [pid for pid in ids if pid != photo_id]
                ours = await self.store.read(q.photos_of_others, higher, item.id)
                theirs = [pid for pid in higher if pid not in ours]
                if theirs and warn:
                    text = (
                        f"{item.name} is in the {where} more than once (photos "
                        f"{', '.join(str(p) for p in sorted(ids))}); this computer's is photo {photo_id}, the lowest, "
                        f"and was kept. The other copies were not uploaded from here and were left alone: if no other "
                        f"computer is uploading this folder, delete them in ShootProof."
                    )
                    log.info("%s (event %d, target %d)", text, item.event_id, sent.target)
                    self._warn_double(text)
                return
            current = await self.store.read(q.get_item, item.id)
            if current is None or current.state != q.DONE or current.photo_id != photo_id:
                return  # no longer recorded as ours: never delete what is not
            try:
                await self._delete_own(item.event_id, photo_id)
            except ApiError as exc:
                text = (
                    f"{item.name} is in the {where} twice (photos {lowest} and {photo_id}); this computer's copy "
                    f"(photo {photo_id}) could not be removed: {sentence(plain(exc))} Delete photo {photo_id} in "
                    "ShootProof."
                )
                if not warn:  # it is looked at again shortly: said then if it still fails
                    log.info("%s (event %d, target %d); trying again shortly", text, item.event_id, sent.target)
                    return
                log.warning("%s (event %d, target %d)", text, item.event_id, sent.target)
                self._warn_double(text)
                return
            self._names.forget_photo(item.event_id, sent.target, item.name, photo_id)
            await self._record_second_copy(current, sent, lowest, photo_id, removed_here=True)

    async def _record_second_copy(
        self, item: q.Item, sent: Sent, kept: int, photo_id: int, *, removed_here: bool
    ) -> None:
        """The item reads as a duplicate of the kept photo, and its ledger row points at it."""
        where = "album" if sent.target else "gallery"
        message = f"Already in the {where} as photo {kept} {SECOND_COPY_REMOVED}"
        await self.store.write(q.record_uploaded, item, sent.target or None, kept, state=q.DUPLICATE, message=message)
        log.info(
            "%s (batch %d, event %d, target %d) was uploaded by another computer at the same time as photo %d: "
            "%s, photo %d, was removed",
            item.name,
            item.batch_id,
            item.event_id,
            sent.target,
            kept,
            "this computer's copy" if removed_here else "the copy recorded here",
            photo_id,
        )
        self._tally.move(item, q.DONE, q.DUPLICATE)
        self._state_event(item, q.DUPLICATE, message, kept)

    async def _delete_own(self, event_id: int, photo_id: int) -> None:
        """Delete a photo this engine uploaded; a try whose answer was lost is looked for before the next."""
        for attempt in range(1, DELETE_TRIES + 1):
            try:
                await self.client.photo_delete(photo_id)
                return
            except NotFoundError:
                return  # gone already: an earlier try took effect
            except TransientApiError as exc:
                if exc.maybe_applied:
                    try:
                        if not await self.client.event_photo_exists(event_id, photo_id=photo_id):
                            return
                    except ApiError:
                        pass  # not known: try the delete again (it fails plainly if the photo is gone)
                if attempt == DELETE_TRIES:
                    raise
                await asyncio.sleep(min(self.timing.max_delay, self.timing.base_delay * 2 ** (attempt - 1)))
        raise AssertionError("unreachable")
