"""`studio-desktop upload`: send photos and folders to a gallery from the terminal.

The queue lives in the local store, so a run that was killed (or lost its
network, or filled the plan) is finished by running the same command again:
files already uploaded are skipped without being sent, interrupted ones are
checked on the server before being sent again. When every file is already in
the target per this computer's records (a finished folder run again), the run
sends no request at all and says "Nothing new" (:mod:`studio_desktop.uploads.nothing_new`).

Exit codes (``common.EXIT_CODES_HELP``): 0 everything is in the gallery
(uploaded or already there); 1 some files failed or are still waiting; 2 the
upload could not start (bad arguments, no access token, unknown event, ShootProof
refused or unreachable); 3 a problem on this computer (damaged store, full disk,
unwritable folder); 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from studio_desktop.api.limits import MAX_CONCURRENCY, MIN_CONCURRENCY
from studio_desktop.commands.common import (
    EXIT_CANNOT_START,
    EXIT_CODES_HELP,
    EXIT_INCOMPLETE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    CannotStart,
    add_target_arguments,
    announce_store,
    check_album,
    create_event,
    log_to_file,
    positive_int,
    signed_in,
    target_event,
    whole_number,
)
from studio_desktop.commands.help_format import HelpFormatter
from studio_desktop.commands.shape_options import (
    add_shape_arguments,
    left_out_json,
    print_left_out,
    shape_from_args,
    shape_requested,
)
from studio_desktop.core import config
from studio_desktop.uploads.progress import human_bytes, human_duration

if TYPE_CHECKING:
    # Loaded where used: a re-run with nothing new needs neither (start-up is most of its time).
    from studio_desktop.uploads.nothing_new import KnownFile, NotAPhoto, NothingNew
    from studio_desktop.uploads.records import queue as q

log = logging.getLogger(__name__)


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "upload",
        help="upload photos and folders to a ShootProof event",
        description="Upload JPEGs (files or whole folders) to a ShootProof event or album. "
        "Photos already in the gallery are skipped; run the same command again to finish "
        "an interrupted upload.",
        epilog=EXIT_CODES_HELP,
        formatter_class=HelpFormatter,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="photos or folders of photos")
    add_target_arguments(parser)
    parser.add_argument(
        "--watermark",
        type=_watermark,
        metavar="ID|no",
        help="watermark to apply (an id), or 'no' for none; default: the event's own setting",
    )
    parser.add_argument(
        "--concurrency",
        type=_concurrency,
        default=5,
        metavar="N",
        help=f"uploads at once, {MIN_CONCURRENCY}-{MAX_CONCURRENCY} (default 5)",
    )
    parser.add_argument(
        "--limit-kbps",
        type=_non_negative_int,
        default=0,
        metavar="N",
        help="bandwidth limit in kilobits per second (default: no limit)",
    )
    parser.add_argument(
        "--no-dedup", dest="dedup", action="store_false", help="upload even photos whose name is already in the gallery"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="only scan and check for duplicates; nothing is created or uploaded"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON on stdout")
    add_shape_arguments(parser)
    config.add_arguments(parser, subcommand=True)
    parser.set_defaults(run=run)
    return parser


def _non_negative_int(text: str) -> int:
    value = whole_number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, not {text!r}")
    return value


def _concurrency(text: str) -> int:
    value = positive_int(text)
    if not MIN_CONCURRENCY <= value <= MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(f"choose between {MIN_CONCURRENCY} and {MAX_CONCURRENCY}, not {value}")
    return value


def _watermark(text: str) -> int | str:
    if text.strip().lower() == "no":
        return "no"
    return positive_int(text)


def run(args: argparse.Namespace) -> int:
    log_to_file(args)
    missing = [p for p in args.paths if not os.path.lexists(p)]
    if missing:
        for path in missing:
            print(f"studio-desktop upload: {path}: no such file or folder", file=sys.stderr)
        return EXIT_CANNOT_START
    endpoints = config.resolve(args)
    if _may_be_nothing_new(args, endpoints):
        found = _already_uploaded(args)
        if found is not None:
            return _report_nothing_new(args, found)
    try:
        args.shape = shape_from_args(args)
    except CannotStart as exc:
        print(f"studio-desktop upload: {exc}", file=sys.stderr)
        return EXIT_CANNOT_START
    import asyncio  # here: a run with nothing new needs no event loop

    try:
        with signed_in(endpoints) as connected:
            return asyncio.run(_main(args, connected))
    except CannotStart as exc:
        print(f"studio-desktop upload: {exc}", file=sys.stderr)
        if args.json:
            import json  # only with --json: ~1 ms of every start otherwise

            json.dump({"complete": False, "error": str(exc), "exit_code": EXIT_CANNOT_START}, sys.stdout, indent=2)
            sys.stdout.write("\n")
        return EXIT_CANNOT_START
    except KeyboardInterrupt:
        print("\nStopped. Run the same command again to finish the upload.", file=sys.stderr)
        return EXIT_INTERRUPTED


async def _main(args: argparse.Namespace, endpoints: config.Endpoints) -> int:
    from studio_desktop.api.errors import ApiError, NotFoundError
    from studio_desktop.api.shootproof import ShootProofClient
    from studio_desktop.api.transport import Deadlines
    from studio_desktop.core.store import Store, StoreError
    from studio_desktop.uploads.engine import UploadEngine

    try:
        store = Store()
    except StoreError as exc:
        if exc.__cause__ is not None:
            raise  # a local failure (disk full, read-only folder): worded by the CLI, exit 3
        raise CannotStart(str(exc)) from None
    announce_store(store, sys.stderr)
    try:
        deadlines = Deadlines().within_bandwidth(args.limit_kbps, args.concurrency)
        async with ShootProofClient(endpoints.api_url, endpoints.access_token or "", deadlines=deadlines) as client:
            try:
                try:
                    event_id, new_event = await target_event(args, client, store)
                except NotFoundError:
                    raise CannotStart(f"there is no event {args.event} in this studio") from None
                if args.album is not None:
                    try:
                        await check_album(client, args.album, event_id)
                    except NotFoundError:
                        raise CannotStart(f"there is no album {args.album} in this studio") from None
            except ApiError as exc:
                raise CannotStart(exc.msg) from None
            engine = UploadEngine(
                client,
                store,
                concurrency=args.concurrency,
                bandwidth_limit_kbps=args.limit_kbps,
                dedup=args.dedup,
                watermark_id=args.watermark,
                batches=(),
            )
            if args.dry_run:
                return await _dry_run(args, engine, event_id)
            if event_id is None:
                assert new_event is not None  # target_event names the event it leaves to be created
                try:
                    event_id = await create_event(client, new_event, sys.stderr)
                except ApiError as exc:
                    raise CannotStart(f"the event {new_event!r} could not be created: {exc.msg}") from None
            return await _upload(args, engine, event_id, new_event)
    finally:
        store.close()


# -- nothing new ------------------------------------------------------------------------------


def _may_be_nothing_new(args: argparse.Namespace, endpoints: config.Endpoints) -> bool:
    """Whether a run may be a no-op known from this computer's records alone (see :mod:`uploads.nothing_new`).

    Only an upload to an existing ``--event`` with dedup, signed in, to the real
    service or one given by ``--api-url`` (the sandbox starts anyway), and no
    picks filter or resizing (what those leave out or send is decided per run).
    ``--new-event`` is not: its event may have been deleted, and the normal run
    then makes a new one and uploads everything there.
    """
    return (
        args.event is not None
        and args.dedup
        and not args.dry_run
        and not endpoints.sandbox
        and bool(endpoints.access_token)
        and not shape_requested(args)
    )


def _already_uploaded(args: argparse.Namespace) -> NothingNew | None:
    """The files (every photo already in the target, per the ledger), or None: the normal run decides."""
    from studio_desktop.core import paths

    if not paths.current().store_file.exists():
        return None  # nothing was ever uploaded from here
    import sqlite3

    from studio_desktop.core.store import Store, StoreError
    from studio_desktop.uploads.nothing_new import already_uploaded

    try:
        store = Store()
    except (StoreError, OSError, sqlite3.Error):
        return None  # the normal run opens it again and says what is wrong
    try:
        announce_store(store, sys.stderr)
        if store.damaged_copy is not None:
            return None  # a new, empty store: nothing is known
        return already_uploaded(store, args.paths, args.event, args.album, args.mirror_folders)
    except (OSError, sqlite3.Error):
        log.info("could not tell whether anything is new; uploading as usual", exc_info=True)
        return None
    finally:
        store.close()


def _report_nothing_new(args: argparse.Namespace, found: NothingNew) -> int:
    """The summary of a run that sent nothing because every photo is in the target already."""
    target = f"album {args.album} of event {args.event}" if args.album is not None else f"event {args.event}"
    summary = Summary(None, event_id=args.event, known=found.known, not_photos=found.not_photos, target=target)
    log.info(
        "upload to %s: nothing new, %d file(s) already uploaded, %d not a photo",
        target,
        len(found.known),
        len(found.not_photos),
    )
    if args.json:
        import json  # only with --json: ~1 ms of every start otherwise

        json.dump(summary.to_json(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    summary.print(sys.stderr if args.json else sys.stdout)
    return EXIT_OK if summary.complete else EXIT_INCOMPLETE


# -- uploading -------------------------------------------------------------------------------


async def _upload(args: argparse.Namespace, engine: Any, event_id: int, new_event: str | None) -> int:
    import asyncio

    display = Progress(sys.stderr, engine)
    unsubscribe = engine.subscribe(display.on_event)
    await engine.start()
    refresher = asyncio.create_task(display.refresh_loop())
    try:
        options = {"new_event": new_event} if new_event else {}
        label = new_event or f"upload to event {event_id}"
        batch_id = await engine.enqueue(
            args.paths,
            event_id,
            album_id=args.album,
            mirror_folders=args.mirror_folders,
            label=label,
            options=options,
            shape=args.shape,
        )
        await engine.wait_idle()
        snapshot = engine.snapshot()
    finally:
        refresher.cancel()
        await asyncio.gather(refresher, return_exceptions=True)
        await engine.stop()
        display.finish()
        unsubscribe()
    summary = await engine.store.read(_summarize, batch_id)
    summary.event_id = event_id
    # Files of this run that another run on this computer (sharing the data folder) took over while
    # both were queueing: they are in its batch now, and that run reports them.
    summary.moved_away = max(0, engine.files_queued(batch_id) - summary.files_in_batch)
    summary.warnings = list(engine.double_warnings)
    summary.stopped_reason = snapshot.stopped_reason or (
        "ShootProof refused the access token; sign in again" if snapshot.needs_sign_in else None
    )
    summary.plan = engine.plan
    summary.filtering = args.shape.picks.active or bool(summary.left_out)
    if args.json:
        import json  # only with --json: ~1 ms of every start otherwise

        json.dump(summary.to_json(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    summary.print(sys.stderr if args.json else sys.stdout)
    if engine.local_failure is not None:
        raise engine.local_failure  # worded by the CLI (exit 3): the store or the disk failed mid-run
    return EXIT_OK if summary.complete else EXIT_INCOMPLETE


@dataclass
class Summary:
    #: None when nothing was queued (``nothing_new``)
    batch_id: int | None
    event_id: int | None = None
    uploaded: list[q.Item] = field(default_factory=list)
    duplicates: list[q.Item] = field(default_factory=list)
    failed: list[q.Item] = field(default_factory=list)
    pending: list[q.Item] = field(default_factory=list)
    cancelled: list[q.Item] = field(default_factory=list)
    #: items still being checked or sent after this run stopped: another run on this computer has them
    elsewhere: list[q.Item] = field(default_factory=list)
    #: files this run queued that another run on this computer took into its own batch
    moved_away: int = 0
    files_in_batch: int = 0
    #: doubles left for the user (another app's copy, a delete that failed), in plain words
    warnings: list[str] = field(default_factory=list)
    stopped_reason: str | None = None
    plan: Any = None
    #: photos the picks filter left out (``filtered`` items, as ``shaping.FilteredFile``): not failures,
    #: not duplicates
    left_out: list[Any] = field(default_factory=list)
    #: a picks filter was asked for: the JSON then has "left_out" (count and list)
    filtering: bool = False
    #: a run with nothing new: every file was in the target already, per the ledger, and nothing was
    #: queued or asked (``nothing_new.KnownFile``, listed as duplicates)
    known: list[KnownFile] = field(default_factory=list)
    #: with ``known``: the files that are not photos (``nothing_new.NotAPhoto``), listed as failed as a
    #: normal run lists them
    not_photos: list[NotAPhoto] = field(default_factory=list)
    #: the target in words, for the "Nothing new" line
    target: str = ""

    @property
    def nothing_new(self) -> bool:
        return bool(self.known)

    @property
    def complete(self) -> bool:
        return not (self.failed or self.not_photos or self.pending or self.cancelled or self.elsewhere)

    @property
    def being_uploaded_elsewhere(self) -> int:
        return len(self.elsewhere) + self.moved_away

    def to_json(self) -> dict[str, Any]:
        def entry(item: q.Item | KnownFile | NotAPhoto, **extra: Any) -> dict[str, Any]:
            return {"path": item.path, "name": item.name, "size": item.size, **extra}

        return {
            "event_id": self.event_id,
            "batch_id": self.batch_id,
            "complete": self.complete,
            "counts": {
                "uploaded": len(self.uploaded),
                "duplicates": len(self.duplicates) + len(self.known),
                "failed": len(self.failed) + len(self.not_photos),
                "pending": len(self.pending),
                "cancelled": len(self.cancelled),
                **({"other_run": self.being_uploaded_elsewhere} if self.being_uploaded_elsewhere else {}),
                **({"left_out": len(self.left_out)} if self.filtering else {}),
            },
            "uploaded": [
                entry(i, photo_id=i.photo_id, **({"note": i.last_error} if i.last_error else {})) for i in self.uploaded
            ],
            "duplicates": [entry(i, photo_id=i.photo_id, reason=i.last_error) for i in self.duplicates]
            + [entry(k, photo_id=k.photo_id, reason=k.reason) for k in self.known],
            "failed": [entry(i, reason=i.last_error) for i in self.failed]
            + [entry(n, reason=n.reason) for n in self.not_photos],
            "pending": [entry(i, state=i.state) for i in self.pending],
            "cancelled": [entry(i) for i in self.cancelled],
            **({"other_run": [entry(i, state=i.state) for i in self.elsewhere]} if self.elsewhere else {}),
            "warnings": self.warnings,
            **({"left_out": left_out_json(self.left_out)} if self.filtering else {}),
            "stopped_reason": self.stopped_reason,
            "plan": None
            if self.plan is None
            else {"photos_used": self.plan.photos_used, "photos_allowed": self.plan.photos_allowed},
            **({"nothing_new": True} if self.nothing_new else {}),
        }

    def print(self, out: TextIO) -> None:
        if self.nothing_new:
            print(
                f"Nothing new: {len(self.known)} file(s) already uploaded to {self.target}, "
                "per this computer's records.",
                file=out,
            )
        else:
            size = sum(i.size for i in self.uploaded)
            print(f"Uploaded: {len(self.uploaded)} file(s), {human_bytes(size)}", file=out)
        if self.being_uploaded_elsewhere:
            print(
                f"{self.being_uploaded_elsewhere} file(s) were already being uploaded by another run on this "
                "computer; that run reports them.",
                file=out,
            )
        if self.duplicates:
            why = Counter(_duplicate_kind(i.last_error) for i in self.duplicates)
            detail = ", ".join(f"{n} {kind}" for kind, n in why.most_common())
            print(f"Skipped as duplicates: {len(self.duplicates)} ({detail})", file=out)
        print_left_out(self.left_out, out)
        failed = [(i.path, i.last_error) for i in self.failed] + [(n.path, n.reason) for n in self.not_photos]
        if failed:
            print(f"Failed: {len(failed)}", file=out)
            for path, reason in failed:
                print(f"  {path}: {reason or 'failed'}", file=out)
        if self.cancelled:
            print(f"Cancelled: {len(self.cancelled)}", file=out)
        if self.pending:
            print(f"Not uploaded yet: {len(self.pending)}", file=out)
        if self.stopped_reason:
            print(f"Stopped: {self.stopped_reason}", file=out)
        if self.plan is not None and self.plan.photos_allowed:
            print(f"Plan: {self.plan.photos_used} of {self.plan.photos_allowed} photos used", file=out)
        for warning in self.warnings:
            print(f"Warning: {warning}", file=out)
        if self.pending:
            print("Run the same command again to finish.", file=out)
        elif failed:
            print("Running the same command again tries the failed files again.", file=out)
        elif self.elsewhere:
            print("Once the other run has finished, running the same command again checks them.", file=out)


def _duplicate_kind(reason: str | None) -> str:
    text = (reason or "").lower()
    if text.startswith("uploaded before"):
        return "uploaded before from the same file"
    if text.startswith("already in the album"):
        return "already in the album"
    return "already in the gallery"


def _summarize(conn: Any, batch_id: int) -> Summary:
    from studio_desktop.uploads.records import queue as q
    from studio_desktop.uploads.shaping import FilteredFile

    summary = Summary(batch_id)
    for item in q.iter_items(conn, batch_ids=[batch_id]):
        summary.files_in_batch += 1
        if item.state in (q.CHECKING, q.UPLOADING):
            # This run's engine has stopped (its own items went back to the queue): another run has these.
            summary.elsewhere.append(item)
            continue
        if item.state == q.FILTERED:
            summary.left_out.append(FilteredFile(item.path, item.name, item.size, item.last_error or ""))
            continue
        bucket = {
            q.DONE: summary.uploaded,
            q.DUPLICATE: summary.duplicates,
            q.FAILED: summary.failed,
            q.SKIPPED: summary.failed,
            q.CANCELLED: summary.cancelled,
        }.get(item.state, summary.pending)
        bucket.append(item)
    return summary


# -- dry run ---------------------------------------------------------------------------------


async def _dry_run(args: argparse.Namespace, engine: Any, event_id: int | None) -> int:
    entries = [
        entry
        async for entry in engine.dry_run(
            args.paths, event_id, album_id=args.album, mirror_folders=args.mirror_folders, shape=args.shape
        )
    ]
    by = {k: [e for e in entries if e.outcome == k] for k in ("upload", "duplicate", "rejected")}
    filtered = [e for e in entries if e.outcome == "filtered"]
    if args.json:
        import json  # only with --json: ~1 ms of every start otherwise

        json.dump(
            {
                "event_id": event_id,
                "dry_run": True,
                "counts": {k: len(v) for k, v in by.items()},
                "would_upload": [{"path": e.path, "name": e.name, "size": e.size} for e in by["upload"]],
                "duplicates": [{"path": e.path, "name": e.name, "reason": e.reason} for e in by["duplicate"]],
                "rejected": [{"path": e.path, "name": e.name, "reason": e.reason} for e in by["rejected"]],
                **({"left_out": left_out_json(filtered)} if args.shape.picks.active else {}),
            },
            sys.stdout,
            indent=2,
            ensure_ascii=False,
        )
        sys.stdout.write("\n")
    out = sys.stderr if args.json else sys.stdout
    print(f"Would upload: {len(by['upload'])} file(s), {human_bytes(sum(e.size for e in by['upload']))}", file=out)
    if by["duplicate"]:
        why = Counter(_duplicate_kind(e.reason) for e in by["duplicate"])
        detail = ", ".join(f"{n} {kind}" for kind, n in why.most_common())
        print(f"Would skip as duplicates: {len(by['duplicate'])} ({detail})", file=out)
    print_left_out(filtered, out, verb="Would leave out by the picks filter")
    if by["rejected"]:
        print(f"Cannot be uploaded: {len(by['rejected'])}", file=out)
        for entry in by["rejected"]:
            print(f"  {entry.path}: {entry.reason}", file=out)
    print("Dry run: nothing was uploaded.", file=out)
    return EXIT_INCOMPLETE if by["rejected"] else EXIT_OK


# -- progress on the terminal -----------------------------------------------------------------


class Progress:
    """A one-line bar on a terminal; plain lines (every few seconds) when stderr is a file or pipe."""

    PLAIN_EVERY = 5.0

    def __init__(self, out: TextIO, engine: Any):
        self.out = out
        self.engine = engine
        self.tty = bool(getattr(out, "isatty", lambda: False)())
        self._drawn = False
        self._last_plain = 0.0

    def on_event(self, event: Any) -> None:
        from studio_desktop.uploads import events as ev
        from studio_desktop.uploads.records import queue as q

        if isinstance(event, ev.ItemStateChanged) and event.state == q.FAILED:
            self._line(f"failed: {event.path or event.name}: {event.message}")
        elif isinstance(event, ev.QueueStopped):
            self._line(f"stopped: {event.reason}")
        elif isinstance(event, ev.NeedsSignIn):
            self._line(f"sign-in needed: {event.message}")
        elif isinstance(event, ev.NetworkDown):
            self._line(f"network down ({event.message}); waiting for it to come back...")
        elif isinstance(event, ev.NetworkUp):
            self._line("network is back; continuing")

    def _line(self, text: str) -> None:
        if self.tty and self._drawn:
            self.out.write("\r\033[K")
        self.out.write(text + "\n")
        self.out.flush()
        if self.tty:
            self.draw()

    async def refresh_loop(self) -> None:
        import asyncio

        while True:
            await asyncio.sleep(0.2 if self.tty else 1.0)
            if self.tty:
                self.draw()
            elif time.monotonic() - self._last_plain >= self.PLAIN_EVERY:
                self._last_plain = time.monotonic()
                self.out.write(self.status() + "\n")
                self.out.flush()

    def status(self) -> str:
        from studio_desktop.uploads.records import queue as q

        s = self.engine.snapshot()
        files_total = s.files[q.DONE] + s.files[q.DUPLICATE] + s.pending_files
        files_done = s.files[q.DONE] + s.files[q.DUPLICATE]
        extra = f", {s.files[q.FAILED]} failed" if s.files[q.FAILED] else ""
        return (
            f"{files_done}/{files_total} files{extra}  {human_bytes(s.bytes_done)} / {human_bytes(s.bytes_to_do)}"
            f"  {human_bytes(s.rate)}/s  ETA {human_duration(s.eta)}"
        )

    def draw(self) -> None:
        s = self.engine.snapshot()
        import shutil  # for the progress line only: it brings bz2 and lzma (~2 ms of every start)

        width = shutil.get_terminal_size((80, 20)).columns
        text = self.status()
        bar_width = 24 if width >= len(text) + 28 else max(8, width - len(text) - 4)
        share = s.bytes_done / s.bytes_to_do if s.bytes_to_do else 0.0
        filled = int(bar_width * min(1.0, share))
        line = f"[{'#' * filled}{'.' * (bar_width - filled)}] {text}"
        self.out.write("\r\033[K" + line[: max(10, width - 1)])
        self.out.flush()
        self._drawn = True

    def finish(self) -> None:
        if self.tty and self._drawn:
            self.draw()
            self.out.write("\n")
            self.out.flush()
