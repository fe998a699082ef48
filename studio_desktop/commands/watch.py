"""`studio-desktop watch`: upload every photo that lands in a folder, until stopped.

For tethered shooting (or a card reader, or a Lightroom / Capture One export
folder): photos are uploaded once they are completely written; photos that were
already there when the command started are picked up too (those uploaded
before are skipped). Ctrl-C or SIGTERM stops it: uploads in flight get a few
seconds to finish, anything left stays queued and is finished next time.

Prints one line per file (uploaded, skipped, refused, not sent, changed, failed),
per retry and per problem, in plain words, each starting with the time; the last
lines sum it up by kind, with what to do about each.
Exit codes: 0 stopped cleanly; 2 could not start (bad arguments, no access
token, unknown event or album, the folder does not exist); 3 a problem on this
computer (damaged store, full disk, unwritable folder); see ``EXIT_CODES_HELP``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from studio_desktop.commands.common import (
    EXIT_CANNOT_START,
    EXIT_CODES_HELP,
    CannotStart,
    add_target_arguments,
    announce_store,
    check_album,
    create_event,
    log_to_file,
    signed_in,
    target_event,
)
from studio_desktop.commands.help_format import HelpFormatter
from studio_desktop.commands.shape_options import add_shape_arguments, shape_from_args
from studio_desktop.core import config
from studio_desktop.uploads import events as ev
from studio_desktop.uploads.hotfolders import (
    MAX_SETTLE,
    MIN_SETTLE,
    AfterUpload,
    HotFolderBatch,
    HotFolderChangedAfterUpload,
    HotFolderEvent,
    HotFolderFileFailed,
    HotFolderFileNameTaken,
    HotFolderFileRejected,
    HotFolderFileSkipped,
    HotFolderFileUploaded,
    HotFolderProblem,
    HotFolderRecovered,
    HotFolderStarted,
)
from studio_desktop.uploads.hotfolders import summary as hotfolder_summary

log = logging.getLogger(__name__)

EXIT_OK = 0
#: Seconds in-flight uploads get to finish after Ctrl-C; a second Ctrl-C stops at once.
STOP_GRACE = 10.0


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "watch",
        help="watch a hot folder and upload every photo that lands in it",
        description="Watch FOLDER (and its subfolders) and upload each JPEG to a ShootProof event as soon as "
        "it is completely written: for tethered shooting, card readers and export folders. "
        "Runs until Ctrl-C.",
        epilog=EXIT_CODES_HELP,
        formatter_class=HelpFormatter,
    )
    parser.add_argument("folder", metavar="FOLDER", help="the folder to watch")
    add_target_arguments(parser)
    parser.add_argument(
        "--after",
        type=_after,
        default=AfterUpload(),
        metavar="leave|move:DIR",
        help="after a photo is uploaded, leave it (default) or move it below DIR, keeping subfolders",
    )
    parser.add_argument(
        "--settle",
        type=_settle,
        default=1.0,
        metavar="SECONDS",
        help="how long a file must stay unchanged before it counts as complete (default 1)",
    )
    parser.add_argument(
        "--polling",
        action="store_true",
        help="look for changes every moment instead of being told (for network shares)",
    )
    parser.add_argument(
        "--replace-changed",
        action="store_true",
        help="when an uploaded photo changes, replace it in the gallery (default: only report it)",
    )
    add_shape_arguments(parser)
    config.add_arguments(parser, subcommand=True)
    parser.set_defaults(run=run)
    return parser


def _after(text: str) -> AfterUpload:
    try:
        return AfterUpload.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _settle(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, not {text!r}") from None
    if not MIN_SETTLE <= value <= MAX_SETTLE:
        raise argparse.ArgumentTypeError(f"choose between {MIN_SETTLE:g} and {MAX_SETTLE:g} seconds, not {text}")
    return value


def run(args: argparse.Namespace) -> int:
    log_to_file(args)
    folder = Path(os.path.abspath(os.path.expanduser(args.folder)))
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "no such folder"
        print(f"studio-desktop watch: {args.folder}: {what}", file=sys.stderr)
        return EXIT_CANNOT_START
    if args.after.move_to is not None and os.path.abspath(args.after.move_to) == str(folder):
        print("studio-desktop watch: --after move: needs a folder other than the watched one", file=sys.stderr)
        return EXIT_CANNOT_START
    try:
        args.shape = shape_from_args(args)
    except CannotStart as exc:
        print(f"studio-desktop watch: {exc}", file=sys.stderr)
        return EXIT_CANNOT_START
    endpoints = config.resolve(args)
    try:
        with signed_in(endpoints) as connected:
            return asyncio.run(_main(args, folder, connected))
    except CannotStart as exc:
        print(f"studio-desktop watch: {exc}", file=sys.stderr)
        return EXIT_CANNOT_START
    except KeyboardInterrupt:  # only if the signal came before our handlers were in place
        print("Stopped.", file=sys.stderr)
        return EXIT_OK


async def _main(args: argparse.Namespace, folder: Path, endpoints: config.Endpoints) -> int:
    from studio_desktop.api.errors import ApiError, NotFoundError
    from studio_desktop.api.shootproof import ShootProofClient
    from studio_desktop.core.store import Store, StoreError
    from studio_desktop.uploads.engine import UploadEngine
    from studio_desktop.uploads.hotfolders import FolderInUse, HotFolderWatcher

    stop = StopSignal()
    stop.install()
    try:
        store = Store()
    except StoreError as exc:
        stop.uninstall()
        if exc.__cause__ is not None:
            raise  # a local failure (disk full, read-only folder): worded by the CLI, exit 3
        raise CannotStart(str(exc)) from None
    announce_store(store, sys.stderr)
    try:
        async with ShootProofClient(endpoints.api_url, endpoints.access_token or "") as client:
            try:
                event_id, new_event = await target_event(args, client, store)
                if args.album is not None:
                    await check_album(client, args.album, event_id)
                if event_id is None:
                    assert new_event is not None  # target_event names the event it leaves to be created
                    event_id = await create_event(client, new_event, sys.stdout)
            except NotFoundError as exc:
                what = f"album {args.album}" if args.album is not None and args.event is not None else "the event"
                raise CannotStart(f"{what} was not found: {exc.msg}") from None
            except ApiError as exc:
                raise CannotStart(exc.msg) from None

            engine = UploadEngine(client, store, batches=())
            out = Lines(sys.stdout, folder)
            unsubscribe = engine.subscribe(out.on_engine_event)
            watcher = HotFolderWatcher(
                folder,
                (event_id, args.album),
                engine,
                settle=args.settle,
                mirror_folders=args.mirror_folders,
                after=args.after,
                polling=args.polling,
                replace_changed=args.replace_changed,
                client=client,
                on_event=out.on_event,
                label=new_event or f"Hot folder {folder.name}",
                # lets a second `watch --new-event NAME` find the event the first one made
                batch_options={**({"new_event": new_event} if new_event else {}), **args.shape.to_options()} or None,
            )
            # A failure of this computer (damaged store, full disk) stops the queue for good: watching on
            # would only pile up files that cannot be queued, so the command stops too (exit 3).
            local_failure = asyncio.Event()

            def stop_on_local_failure(event: ev.Event) -> None:
                if isinstance(event, ev.QueueStopped) and engine.local_failure is not None:
                    local_failure.set()

            stop_on_failure = engine.subscribe(stop_on_local_failure)
            await engine.start()
            try:
                try:
                    await watcher.start()
                except FolderInUse as exc:
                    raise CannotStart(str(exc)) from None
                where = f"event {event_id}" + (f", album {args.album}" if args.album else "")
                out.line(f"Watching {folder} -> {where}. Press Ctrl-C to stop.")
                await _first(stop.wait(), local_failure.wait())
                if engine.local_failure is None:
                    out.line("Stopping: finishing the uploads in progress (Ctrl-C again to stop at once)...")
                else:
                    out.line("Stopping: uploads cannot go on because of a problem on this computer.")
            finally:
                await watcher.stop_watching()  # no new files; the ones in flight are still reported
                await _stop_engine(engine, stop, out)
                await watcher.stop()
                unsubscribe()
                stop_on_failure()
            if engine.local_failure is not None:
                out.finish(watcher.counts, 0)  # the store cannot say what stays queued now
                raise engine.local_failure  # worded by the CLI (exit 3)
            out.finish(watcher.counts, await watcher.still_queued())
            return EXIT_OK
    finally:
        stop.uninstall()
        store.close()


async def _first(*waits: Any) -> None:
    """Wait until the first of these coroutines is done; cancel the others."""
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


async def _stop_engine(engine: Any, stop: StopSignal, out: Lines) -> None:
    """Give uploads in flight a moment to finish; a second Ctrl-C puts them back in the queue at once."""
    finishing = asyncio.ensure_future(engine.stop(grace=STOP_GRACE if stop.count < 2 else 0.0))
    hurry = asyncio.ensure_future(stop.wait_again())
    try:
        done, _ = await asyncio.wait({finishing, hurry}, return_when=asyncio.FIRST_COMPLETED)
        if hurry in done and not finishing.done():
            out.line("Stopping now; the uploads in progress stay queued for next time.")
            engine.pause()
        await finishing
    finally:
        hurry.cancel()


class StopSignal:
    """SIGINT (Ctrl-C) and SIGTERM as an awaitable; counts repeats so a second Ctrl-C can hurry the exit."""

    def __init__(self) -> None:
        self.count = 0
        self._event = asyncio.Event()
        self._again = asyncio.Event()
        self._installed: list[int] = []
        self._previous: dict[int, Any] = {}

    def install(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self.trigger)
                self._installed.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):  # Windows: plain handlers
                self._previous[sig] = signal.signal(sig, lambda *_: loop.call_soon_threadsafe(self.trigger))

    def uninstall(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in self._installed:
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(sig)
        for sig, previous in self._previous.items():
            with contextlib.suppress(Exception):
                signal.signal(sig, previous)

    def trigger(self) -> None:
        self.count += 1
        if self.count > 1:
            self._again.set()
        self._event.set()

    async def wait(self) -> None:
        await self._event.wait()

    async def wait_again(self) -> None:
        await self._again.wait()


class Lines:
    """One plain line per file and per problem, each with the time, flushed at once (the output may be a pipe)."""

    def __init__(self, out: TextIO, folder: Path, clock: Any = None):
        self.out = out
        self.folder = folder
        self.retries = 0
        self._clock = clock or (lambda: datetime.now())

    def line(self, text: str) -> None:
        self.out.write(f"{self._clock():%H:%M:%S} {text}\n")
        self.out.flush()

    def _name(self, path: Path | str | None) -> str:
        if path is None:
            return "?"
        path = Path(path)
        try:
            return str(path.relative_to(self.folder))
        except ValueError:
            return str(path)

    def on_event(self, event: HotFolderEvent) -> None:
        if isinstance(event, HotFolderFileUploaded):
            moved = f", moved to {event.moved_to}" if event.moved_to else ""
            self.line(f"uploaded  {self._name(event.path)} (photo {event.photo_id}{moved})")
        elif isinstance(event, HotFolderFileSkipped):
            self.line(f"skipped   {self._name(event.path)}: {event.reason}")
        elif isinstance(event, HotFolderFileRejected):
            self.line(f"refused   {self._name(event.path)}: {event.reason}")
        elif isinstance(event, HotFolderFileNameTaken):
            self.line(f"not sent  {self._name(event.path)}: {event.reason}")
        elif isinstance(event, HotFolderFileFailed):
            self.line(f"failed    {self._name(event.path)}: {event.message}")
        elif isinstance(event, HotFolderChangedAfterUpload):
            self.line(f"changed   {self._name(event.path)}: {event.message}")
        elif isinstance(event, HotFolderProblem):
            self.line(f"problem   {event.message}")
        elif isinstance(event, HotFolderRecovered):
            self.line(f"ok        {event.message}")
        elif isinstance(event, HotFolderStarted) and event.observer == "polling":
            self.line(f"note      checking {self.folder} for new files regularly (polling)")
        elif isinstance(event, HotFolderBatch):
            log.info("hot folder batch %s: %d file(s)", event.batch_id, event.files)

    def on_engine_event(self, event: Any) -> None:
        if isinstance(event, ev.ItemStateChanged):
            if event.state == "queued" and (event.message or "").startswith("Retrying"):
                self.retries += 1
                self.line(f"retry     {self._name(event.path) if event.path else event.name}: {event.message}")
        elif isinstance(event, ev.QueueStopped):
            self.line(f"problem   uploads stopped: {event.reason}")
        elif isinstance(event, ev.DoubleLeft):
            self.line(f"warning   {event.message}")
        elif isinstance(event, ev.NeedsSignIn):
            self.line(f"problem   ShootProof refused the access token: {event.message}")
        elif isinstance(event, ev.NetworkDown):
            self.line(f"problem   network down ({event.message}); uploads wait for it to come back")
        elif isinstance(event, ev.NetworkUp):
            self.line("ok        network is back; continuing")

    def finish(self, counts: dict[str, int], still_queued: int) -> None:
        """The closing summary: every category apart, what to do about each, what stays queued."""
        self.line(f"Stopped. {hotfolder_summary.summary(counts, self.retries)}")
        for advice in hotfolder_summary.advice(counts):
            self.line(f"  {advice}")
        if still_queued:
            self.line(
                f"  {still_queued} file(s) stay queued: they are uploaded the next time this folder is watched "
                "(or an upload runs)."
            )
