"""One item from its claim to its outcome: check, look before re-sending, send, record, or retry.

The steps of the exactly-once contract (see the package docstring) happen here:
the album is resolved before any check, the name is locked per target, a
ledger hit or a same-named photo in the target makes a duplicate, an upload
that may have landed is looked for before it is sent again, and nothing counts
as uploaded without a photo id from the server.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO

from studio_desktop.api.errors import (
    ApiError,
    AuthenticationError,
    BadResponseError,
    ConfigurationError,
    NotFoundError,
    PlanLimitError,
    TransientError,
    ValidationError,
)
from studio_desktop.api.limits import MAX_UPLOAD_BYTES
from studio_desktop.api.transport import UPLOAD_CHUNK, SourceFileChanged, in_reader_thread
from studio_desktop.uploads import events as ev
from studio_desktop.uploads.engine import _network, retry
from studio_desktop.uploads.engine._dedup import NameKey
from studio_desktop.uploads.engine._doubles import DoublesMixin
from studio_desktop.uploads.engine._network import connect_failure
from studio_desktop.uploads.engine._outcomes import file_facts, log, log_outcome, plain, replace, sentence
from studio_desktop.uploads.engine._state import (
    CHANGED_SINCE_QUEUED,
    REFUSALS_TO_STOP,
    STARTS_OVER,
    Claim,
    Running,
    Stop,
    resize_dir,
)
from studio_desktop.uploads.engine._writes import record, set_outcome
from studio_desktop.uploads.records import queue as q
from studio_desktop.uploads.records.ledger import ledger_lookup, ledger_reason, mapped_album, nfc
from studio_desktop.uploads.shaping import UploadShape

if TYPE_CHECKING:
    from studio_desktop.uploads.resize import Prepared


class AttemptMixin(DoublesMixin):
    """The per-item state machine of :class:`UploadEngine` (each item runs :meth:`_run` in its own task)."""

    async def _run(self, running: Running) -> None:
        item = running.item
        running.started = True
        try:
            if running.intent is not None:  # paused, cancelled or stopped before it began
                await self._settle_interrupted(running)
                return
            self._tally.move(item, q.QUEUED, q.CHECKING)
            running.state = q.CHECKING
            self._state_event(item, q.CHECKING)
            await self._process(running)
        except Stop:
            pass
        except asyncio.CancelledError:
            await self._settle_interrupted(running)
        except Exception as exc:
            if self._store_failed(exc):
                return  # the item keeps its state in the store and is checked again on the next run
            log.exception("upload of %s failed unexpectedly", item.path)
            with contextlib.suppress(Exception):
                await self._finish(running, q.FAILED, f"Unexpected error: {plain(exc)}")
        finally:
            if running.name_key is not None:
                self._landings.settled(running.name_key, item.id)
            if running.has_slot:
                running.has_slot = False
                self._limiter.release()
            self._running.pop(item.id, None)
            self._poke()
            self._update_idle()

    async def _settle_interrupted(self, running: Running) -> None:
        """Paused, cancelled or stopped mid-way: write what was asked for (the upload may have landed)."""
        if running.concluding is not None:
            # The outcome was already on its way to the store: let it land and report it.
            future, on_commit = running.concluding
            running.concluding = None
            with contextlib.suppress(Exception):
                await future
                on_commit()
                return
        intent = running.intent or q.QUEUED
        item = running.item
        verify = item.verify or running.may_have_landed
        message = {q.CANCELLED: "Cancelled.", q.PAUSED: "Paused."}.get(intent)
        if intent in (q.QUEUED, q.PAUSED) and running.sent > 0 and not verify:
            message = STARTS_OVER

        if await self.store.write(q.settle_interrupted, item.id, intent, verify, message):
            self._tally.move(item, running.state, intent)
            running.state = intent
            self._state_event(item, intent, message)
            if intent in q.FINISHED:
                await self._check_batch_finished(item.batch_id)

    async def _process(self, running: Running) -> None:
        while True:
            try:
                await self._attempt(running)
                return
            except ApiError as exc:
                if running.intent is not None:
                    await self._settle_interrupted(running)  # paused or cancelled while its answer was awaited
                    return
                if not await self._after_error(running, exc):
                    return

    async def _after_error(self, running: Running, exc: ApiError) -> bool:
        """Turn an API error into a retry (True), a failure, or a queue-wide stop."""
        if isinstance(exc, TransientError):
            await self._after_transient(running, exc)
            return True
        if isinstance(exc, PlanLimitError):
            await self._requeue(running, None)
            self._stop_queue(f"Your ShootProof plan is full: {plain(exc)}")
        elif isinstance(exc, AuthenticationError):
            await self._requeue(running, None)
            self._sign_in_needed(exc)
        elif isinstance(exc, ConfigurationError):
            # About the settings, not the photo: every other photo would fail the same way.
            await self._requeue(running, None)
            self._stop_queue(plain(exc))
        elif isinstance(exc, NotFoundError):
            if running.item.rel_album_path and not running.refreshed_albums:
                # An album we remembered was deleted on the server: look again, once.
                running.refreshed_albums = True
                await self._albums.forget(running.item.event_id)
                return True
            await self._finish(
                running, q.FAILED, f"The gallery or album it was going to no longer exists ({plain(exc)})."
            )
        elif isinstance(exc, BadResponseError):
            await self._after_transient(
                running,
                TransientError(
                    plain(exc), method=exc.method, http_status=exc.http_status, maybe_applied=running.may_have_landed
                ),
            )
            return True
        elif (
            exc.method in (None, "sp.photo.upload")
            and self._refusals.add((type(exc).__name__, str(exc.code), exc.msg), running.item.id) >= REFUSALS_TO_STOP
        ):
            # Kept after the stop: items still in flight, and the first after a resume,
            # that get the same answer go back to the queue instead of failing.
            await self._requeue(running, None)
            self._stop_queue(
                f"ShootProof refused {REFUSALS_TO_STOP} photos in a row with the same answer, "
                f"so the others would be refused too: {exc.msg}"
            )
        elif isinstance(exc, ValidationError):
            await self._finish(running, q.FAILED, f"ShootProof refused this photo: {plain(exc)}")
        else:
            await self._finish(running, q.FAILED, plain(exc))
        return False

    async def _attempt(self, running: Running) -> None:
        item = running.item
        claim, running.claim = running.claim, None
        # The claim (one trip to the writer thread) brought the file's size and
        # modification time, and any ledger hit, with it.
        facts = claim.facts if claim is not None else await asyncio.to_thread(file_facts, item.path)
        if isinstance(facts, str):
            await self._finish(running, q.FAILED, facts)
            raise Stop
        if facts != (item.size, item.mtime_ns):
            await self._finish(running, q.FAILED, CHANGED_SINCE_QUEUED)
            raise Stop
        # The album is resolved (created if need be) before any check, so that the
        # checks and the upload are about one and the same target.
        final, _ = await self._albums.album_for(item, create=True)
        key = running.name_key = (item.event_id, final or 0, nfc(item.name))
        waited = False
        while True:
            async with self._names.name_lock(key):
                if self.dedup:
                    entry = claim.ledger if claim is not None else None
                    # The claim's answer stands if it asked about this very target and no photo of this name
                    # has been seen there since (another item of this file may have just gone up): one trip less.
                    settled = (
                        claim is not None
                        and claim.looked_in == (final or 0)
                        and (entry is not None or self._names.known_photo_id(item, final) is None)
                    )
                    if not settled:
                        entry = await self.store.read(
                            ledger_lookup, item.path, item.size, item.mtime_ns, item.event_id, final
                        )
                    if entry is not None:
                        await self._finish(running, q.DUPLICATE, ledger_reason(entry), photo_id=entry.photo_id)
                        return
                if item.verify:
                    landed = await self._verify_landed(running, final)
                    self._landings.settled(key, item.id)
                    if landed:
                        return
                    await self.store.write(q.clear_verify, item.id)
                    running.item = item = replace(item, verify=False)
                # Without dedup it would be sent all the same, and then two landings of one name in
                # one target, neither known, could not be told apart: wait for the other's look.
                blocked = not self.dedup and self._landings.blocked(key, item.id)
                if not blocked:
                    if self._landings.any(key) or waited:
                        # Another item's upload of this name may have landed here without our
                        # knowing: look on the server before deciding, or it would go twice.
                        await self._names.refresh(item.event_id, final)
                    if self.dedup:
                        reason = await self._names.duplicate_reason(item, final, ledger=False)
                        if reason is not None:
                            await self._finish(
                                running, q.DUPLICATE, reason, photo_id=self._names.known_photo_id(item, final)
                            )
                            return
                    if item.prior_photo_ids is None or waited:
                        # After a wait the other's photo may be there: it is not this item's (whose
                        # earlier attempts, if any, did not land: it is not flagged to verify).
                        names = await self._names.remote_names(item.event_id, final)
                        prior = tuple(names.get(nfc(item.name), ()))
                        await self.store.write(q.set_prior_photo_ids, item.id, prior)
                        running.item = item = replace(item, prior_photo_ids=prior)
                    await self._send(running, final)
                    return
            await self._wait_settled(running, key)
            waited = True

    async def _verify_landed(self, running: Running, final: int | None) -> bool:
        """An earlier attempt may have reached the gallery: did it? If so, record it (with its photo id).

        It landed if the target now holds a photo of this name that was not there
        before the item was first sent. An item without that list was never sent
        (it is written before the first send; a run killed between its claim and
        its send leaves such items): nothing of it can have landed, and a photo of
        its name is another's (with dedup on, the check that follows makes the
        item a duplicate of it, never "uploaded" as it).
        """
        item = running.item
        if item.prior_photo_ids is None:
            self._crash_leftovers.pop(item.id, None)
            return False
        landed = await self._landed_ids(item, final)
        saved = self._crash_leftovers.pop(item.id, None)
        if not landed and saved is not None:
            wait = saved + self.timing.landing_grace - time.time()
            if wait > 0:
                log.info(
                    "%s was being sent when the last run was killed; looking again in %.0f s before sending it again",
                    item.name,
                    wait,
                )
                await asyncio.sleep(wait)
                landed = await self._landed_ids(item, final)
        if not landed:
            return False
        # Several new photos of its name: another computer sent it at the same moment, and which is
        # ours cannot be told. The highest is taken: the check after sending keeps the lowest id of a
        # name, so if the highest is the other's, it is the copy the rule removes anyway, and ours
        # (unrecorded) is the one kept; were the lowest taken and it were theirs, ours would stay
        # unowned next to it, removed by nobody.
        await self._record_uploaded(
            running,
            final,
            max(landed),
            "An earlier attempt had already reached the gallery.",
            content_hash=running.content_hash,
        )
        return True

    async def _landed_ids(self, item: q.Item, final: int | None) -> list[int]:
        """Photos of the item's name in its target that were not there before it was first sent, nor another's."""
        if not await self.client.event_photo_exists(item.event_id, photo_name=item.name, album_id=final):
            return []  # not even in the event (or the album): certainly not landed
        fresh = await self._names.refresh(item.event_id, final)
        before = set(item.prior_photo_ids or ())
        new = [
            pid
            for pid in fresh.get(nfc(item.name), ())
            if pid not in before and self._photo_owner.get(pid, item.id) == item.id
        ]
        if new:  # recorded for another item by an earlier run: that one's, not this one's
            taken = await self.store.read(q.photos_of_others, new, item.id)
            new = [pid for pid in new if pid not in taken]
        return new

    def _maybe_landed(self, running: Running, verify: bool) -> None:
        """Note that this item's name in its target is uncertain until it has looked (see ``_landings``)."""
        if verify and running.name_key is not None:
            self._landings.mark(running.name_key, running.item.id)

    async def _wait_settled(self, running: Running, key: NameKey) -> None:
        """Until no other item's landing of this name here is uncertain; without a slot, which the other needs."""
        if running.has_slot:
            running.has_slot = False
            self._limiter.release()
        await self._landings.wait(key, running.item.id)
        while not self._gate_open():
            await asyncio.sleep(0.2)
        await self._limiter.acquire()
        running.has_slot = True

    async def _send(self, running: Running, final: int | None) -> None:
        item = running.item
        # The store hears "uploading" with the first progress save (at most 0.5 s
        # later; a small photo goes from "checking" straight to "done"): a crash
        # in between finds the item "checking", recovered just as carefully.
        self._tally.move(item, running.state, q.UPLOADING)
        running.state = q.UPLOADING
        self._state_event(item, q.UPLOADING)
        prepared = await self._resized(running)
        on_progress = (
            (lambda sent: self._on_progress(running, sent))
            if prepared is None
            # Counted in the original's bytes, so the totals (queued as originals) add up.
            else (lambda sent: self._on_progress(running, sent * item.size // max(1, prepared.size)))
        )
        try:
            # Opened and measured in a reader thread: on a slow disk (a share, a card spinning up) either may take long.
            handle, st, whole = await _open_in_reader_thread(item.path if prepared is None else prepared.path)
        except OSError as exc:
            if prepared is not None:
                await in_reader_thread(prepared.cleanup)
            await self._finish(running, q.FAILED, sentence(f"cannot be read: {(exc.strerror or str(exc)).lower()}"))
            raise Stop from None
        except BaseException:
            if prepared is not None:
                await in_reader_thread(prepared.cleanup)
            raise
        try:
            if prepared is None and (st.st_size, st.st_mtime_ns) != (item.size, item.mtime_ns):
                await self._finish(running, q.FAILED, CHANGED_SINCE_QUEUED)
                raise Stop
            if whole is not None and len(whole) != st.st_size:  # rewritten while it was read
                await self._finish(running, q.FAILED, CHANGED_SINCE_QUEUED)
                raise Stop
            running.sent = 0
            running.sending = True
            try:
                result = await self.client.photo_upload(
                    item.event_id,
                    whole if whole is not None else _opened_file(handle),
                    album_id=final,
                    watermark_id=self.watermark_id,
                    file_name=item.name,
                    on_progress=on_progress,
                    size=st.st_size,  # measured as opened: no second trip to a reader thread
                )
            except ApiError as exc:
                running.content_hash = getattr(exc, "content_hash", None) or running.content_hash
                if prepared is not None and running.content_hash is not None:
                    running.content_hash = prepared.source_sha256
                raise
            except SourceFileChanged:
                # It ended before, or went on past, the size it had when opened: rewritten while read.
                await self._finish(running, q.FAILED, CHANGED_SINCE_QUEUED)
                raise Stop from None
            finally:
                running.sending = False
        except BadResponseError as exc:
            raise TransientError(
                plain(exc), maybe_applied=True, method=exc.method, http_status=exc.http_status
            ) from None
        except OSError as exc:
            await self._finish(running, q.FAILED, sentence(f"cannot be read: {(exc.strerror or str(exc)).lower()}"))
            raise Stop from None
        finally:
            # One trip, submitted at once: it runs even if this task is cancelled again while it waits.
            if handle is not None or prepared is not None:
                await in_reader_thread(_close_and_clean, handle, prepared)
        if prepared is not None:
            result = dataclasses.replace(result, content_hash=prepared.source_sha256)
        self._limiter.succeeded()
        if running.has_slot:  # the slot is for talking to the server; the next file can go now
            running.has_slot = False
            self._limiter.release()
        await self._record_uploaded(running, final, result.photo_id, None, content_hash=result.content_hash)
        self._plan_seen(ev.PlanUsage(result.photos_used, result.photos_allowed))

    async def _resized(self, running: Running) -> Prepared | None:
        """The smaller copy to send in place of the original (a ``resize.Prepared``), or None: send the original.

        Made in the resize pool; the ledger keeps the original's identity and hash (see :mod:`shaping`).
        """
        from studio_desktop.uploads import resize

        item = running.item
        shape = self._shapes.get(item.batch_id)
        if shape is None:
            batch = await self.store.read(q.get_batch, item.batch_id)
            shape = self._shapes[item.batch_id] = UploadShape.from_options(batch.options if batch else None)
        spec = shape.spec_for(item.size)
        if spec is None:
            return None
        job = self._resize_pool().submit(
            resize.prepare,
            item.path,
            spec,
            expected=(item.size, item.mtime_ns),
            max_bytes=MAX_UPLOAD_BYTES,
            temp_dir=resize_dir(),
        )
        try:
            prepared = await asyncio.wrap_future(job)
        except asyncio.CancelledError:
            # Paused or cancelled mid-resize: the worker still finishes its copy; delete it then.
            job.add_done_callback(_clean_up_when_done)
            raise
        except resize.FileChanged:
            await self._finish(running, q.FAILED, CHANGED_SINCE_QUEUED)
            raise Stop from None
        except resize.CannotResize as exc:
            await self._finish(running, q.FAILED, sentence(str(exc)))
            raise Stop from None
        except OSError as exc:
            await self._finish(running, q.FAILED, sentence(f"cannot be read: {(exc.strerror or str(exc)).lower()}"))
            raise Stop from None
        return prepared if prepared.resized else None

    def _on_progress(self, running: Running, sent: int) -> None:
        delta = sent - running.sent
        running.sent = sent
        if delta > 0:
            self._meter.add(delta)
        now = time.monotonic()
        if self._subscribers and (
            now - running.last_event >= self.timing.progress_event_interval or sent >= running.item.size
        ):
            running.last_event = now
            self._emit(ev.ItemProgress(running.item.id, sent, running.item.size))

    async def _conclude(
        self,
        running: Running,
        state: str,
        write: Callable[..., Any],
        *args: Any,
        message: str | None = None,
        photo_id: int | None = None,
    ) -> None:
        """Write an item's outcome (batched with others), and only once it is committed, tell everyone."""
        item = running.item

        def committed() -> None:
            log_outcome(item, state, message, photo_id)
            self._tally.move(item, running.state, state)
            running.state = state
            self._state_event(item, state, message, photo_id)

        future = self._writes.write(write, *args)
        running.concluding = (future, committed)
        await asyncio.shield(future)
        running.concluding = None
        committed()
        await self._check_batch_finished(item.batch_id)

    async def _record_uploaded(
        self,
        running: Running,
        final: int | None,
        photo_id: int | None,
        message: str | None,
        *,
        content_hash: str | None = None,
    ) -> None:
        item = running.item
        self._refusals.clear()
        if photo_id is not None:
            self._photo_owner.setdefault(photo_id, item.id)
            self._names.note_uploaded(item, final, photo_id)  # now, so a same-named file waiting for the lock sees it
            self._note_sent(item, final, photo_id)  # checked for another computer's copy when the batch finishes
        await self._conclude(
            running, q.DONE, record, item, final, photo_id, message, content_hash, message=message, photo_id=photo_id
        )

    async def _finish(self, running: Running, state: str, message: str | None, *, photo_id: int | None = None) -> None:
        state, message = await self._moved_outcome(running.item, state, message)
        await self._conclude(
            running, state, set_outcome, running.item.id, state, message, photo_id, message=message, photo_id=photo_id
        )

    async def _requeue(
        self, running: Running, message: str | None, *, attempts: int | None = None, verify: bool | None = None
    ) -> None:
        item = running.item
        verify = verify if verify is not None else (item.verify or running.may_have_landed)
        await self.store.write(
            lambda conn: q.set_state(conn, item.id, q.QUEUED, last_error=message, attempts=attempts, verify=verify)
        )
        self._tally.move(item, running.state, q.QUEUED)
        running.state = q.QUEUED
        running.item = item = replace(item, attempts=item.attempts if attempts is None else attempts, verify=verify)
        self._state_event(item, q.QUEUED, message)

    async def _after_transient(self, running: Running, exc: TransientError) -> None:
        """Retry later, fail for good, or wait for the network, depending on what went wrong."""
        item = running.item
        verify = item.verify or (exc.maybe_applied and running.may_have_landed)
        network_up = not connect_failure(exc) or await _network.probe(self.client, self.timing.probe_timeout)
        decision = retry.decide(exc, item.attempts + 1, self.timing, network_up=network_up)
        if isinstance(decision, retry.WaitForNetwork):
            await self._requeue(running, f"Waiting for the network: {plain(exc)}", verify=verify)
            self._network_lost(exc)
            raise Stop
        if decision.slow_down:
            before = self._limiter.current
            self._limiter.overloaded()
            if self._limiter.current != before:
                self._emit(ev.ConcurrencyChanged(self._limiter.current, self._limiter.user_limit))
        if isinstance(decision, retry.GiveUp):
            attempts = decision.attempts
            message = f"Gave up after {attempts} attempts: {plain(exc)}"
            await self.store.write(
                lambda conn: q.set_state(conn, item.id, q.FAILED, attempts=attempts, verify=verify, last_error=message)
            )
            self._tally.move(item, running.state, q.FAILED)
            running.state = q.FAILED
            self._state_event(item, q.FAILED, message)
            await self._check_batch_finished(item.batch_id)
            raise Stop
        attempts, delay = item.attempts + 1, decision.delay
        self._maybe_landed(running, verify)  # until this task looks (or ends): see _landings
        await self._requeue(running, f"Retrying in {delay:.0f} s: {plain(exc)}", attempts=attempts, verify=verify)
        if running.has_slot:
            running.has_slot = False
            self._limiter.release()
        await asyncio.sleep(delay)
        while not self._gate_open():
            await asyncio.sleep(0.2)  # only items caught mid-retry by an outage or a full plan wait here
        await self._limiter.acquire()
        running.has_slot = True
        claim = await self.store.write(claim_item, item.id, self.dedup)
        if claim is None:
            raise Stop
        running.item = fresh = claim.item
        running.claim = claim
        self._tally.move(fresh, q.QUEUED, q.CHECKING)
        running.state = q.CHECKING
        self._state_event(fresh, q.CHECKING)


#: Files up to this size are read whole, and closed, in the trip to the reader thread that opens them,
#: then sent from memory: one trip instead of three (open, read, close). A thread trip costs far more than
#: it seems on 2 cores: each wakes a thread that must take the GIL back from the loop (~20 futex calls).
WHOLE_FILE_BYTES = UPLOAD_CHUNK

Opened = tuple[BinaryIO | None, os.stat_result, bytes | None]


async def _open_in_reader_thread(path: str) -> Opened:
    """Open and stat ``path`` in a reader thread; a cancel (a pause) while it opens closes the file once open.

    A small file comes back read whole and already closed: (None, stat, its bytes).
    """
    opening = asyncio.ensure_future(in_reader_thread(_open_and_stat, path))
    try:
        return await asyncio.shield(opening)
    except asyncio.CancelledError:
        opening.add_done_callback(_close_opened)
        raise


def _close_opened(opening: asyncio.Future[Opened]) -> None:
    if not opening.cancelled() and opening.exception() is None:
        handle = opening.result()[0]
        if handle is not None:
            handle.close()  # rare (a pause just as a file opened): not worth another thread trip


def _open_and_stat(path: str) -> Opened:
    handle = open(path, "rb")  # noqa: SIM115 - closed here (a small file) or by _close_and_clean
    try:
        st = os.fstat(handle.fileno())
        if st.st_size > WHOLE_FILE_BYTES:
            return handle, st, None
        whole = handle.read(st.st_size + 1)  # a byte more: a file that grew shows as longer than its stat
    except BaseException:
        handle.close()
        raise
    handle.close()
    return None, st, whole


def _opened_file(handle: BinaryIO | None) -> BinaryIO:
    assert handle is not None, "a file not read whole stays open"
    return handle


def _close_and_clean(handle: BinaryIO | None, prepared: Prepared | None) -> None:
    try:
        if handle is not None:
            handle.close()
    finally:
        if prepared is not None:
            prepared.cleanup()


def claim_item(conn: Any, item_id: int, dedup: bool, item: q.Item | None = None) -> Claim | None:
    """Take a queued item, and look at its file and the ledger while on the writer thread anyway.

    ``item``: the row as just read in this transaction (saves reading it again).
    """
    if not q.claim(conn, item_id):
        return None
    item = dataclasses.replace(item, state=q.CHECKING) if item is not None else q.get_item(conn, item_id)
    if item is None:
        return None
    ledger = looked_in = None
    if dedup:
        known, album_id = mapped_album(conn, item.event_id, item.album_id, item.rel_album_path)
        if known:
            ledger = ledger_lookup(conn, item.path, item.size, item.mtime_ns, item.event_id, album_id)
            looked_in = album_id or 0
    return Claim(item, file_facts(item.path), ledger, looked_in)


def _clean_up_when_done(done: concurrent.futures.Future[Prepared]) -> None:
    """A resize that finished after its upload was paused or cancelled: delete its copy."""
    if not done.cancelled() and done.exception() is None:
        done.result().cleanup()
