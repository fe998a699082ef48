"""`studio-desktop compare FOLDER --event ID`: is everything there? Read-only unless --upload-missing.

Exit codes: 0 the folder and the gallery agree (nothing only on one side, no
changed files, no renamed copies) -- with --upload-missing: every missing
photo is now uploaded; 1 they differ (with --upload-missing: some uploads did
not finish); 2 the compare could not start. Nothing in the
gallery is ever deleted or changed by a compare.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from typing import Any, TextIO

from studio_desktop.commands.common import (
    EXIT_CANNOT_START,
    EXIT_CODES_HELP,
    CannotStart,
    announce_store,
    check_album,
    log_to_file,
    positive_int,
    signed_in,
)
from studio_desktop.commands.help_format import HelpFormatter
from studio_desktop.core import config
from studio_desktop.uploads.compare import CompareReport, as_path, compare_folder, describe_entry, describe_target

EXIT_SAME = 0
EXIT_DIFFERENT = 1

_HEADINGS = (
    ("only_local", "Only in the folder"),
    ("only_gallery", "Only in the gallery"),
    ("different", "Changed since uploaded (a new version)"),
    ("renamed", "Same photo as one in the gallery under another name"),
)


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "compare",
        help="compare a folder with an event's gallery (read-only)",
        description="List, per album, the photos only in the folder, only in the gallery, and in both but "
        "changed since they were uploaded. Nothing is uploaded or deleted unless --upload-missing.",
        epilog=EXIT_CODES_HELP.replace(
            "  0    done: everything asked for is in place\n"
            "  1    finished, but not everything: some files failed or are still waiting\n"
            "       (running the same command again retries them)",
            "  0    the folder and the gallery agree (with --upload-missing: every\n"
            "       missing photo is now uploaded)\n"
            "  1    they differ (with --upload-missing: some uploads did not finish)",
        ),
        formatter_class=HelpFormatter,
    )
    parser.add_argument("folder", metavar="FOLDER", help="the folder of photos")
    parser.add_argument("--event", type=positive_int, required=True, metavar="ID", help="the event (gallery)")
    parser.add_argument("--album", type=positive_int, metavar="ID", help="compare with this album of the event")
    parser.add_argument(
        "--mirror-folders", action="store_true", help="subfolders are albums (as uploaded with --mirror-folders)"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    parser.add_argument(
        "--upload-missing",
        action="store_true",
        help="then upload the photos only in the folder (never deletes anything)",
    )
    config.add_arguments(parser, subcommand=True)
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    log_to_file(args)
    if not os.path.isdir(args.folder):
        print(f"studio-desktop compare: {args.folder}: no such folder", file=sys.stderr)
        return EXIT_CANNOT_START
    try:
        with signed_in(config.resolve(args)) as connected:
            return asyncio.run(_main(args, connected))
    except CannotStart as exc:
        print(f"studio-desktop compare: {exc}", file=sys.stderr)
        return EXIT_CANNOT_START


async def _main(args: argparse.Namespace, endpoints: config.Endpoints) -> int:
    from studio_desktop.api.errors import ApiError, NotFoundError
    from studio_desktop.api.shootproof import ShootProofClient
    from studio_desktop.core.store import Store, StoreError

    try:
        store = Store()
    except StoreError as exc:
        raise CannotStart(str(exc)) from None
    announce_store(store, sys.stderr)
    try:
        async with ShootProofClient(endpoints.api_url, endpoints.access_token or "") as client:
            try:
                await client.event_info(args.event)
                if args.album is not None:
                    await check_album(client, args.album, args.event)
                report = await compare_folder(
                    client, store, args.folder, args.event, album_id=args.album, mirror_folders=args.mirror_folders
                )
            except NotFoundError:
                what = f"album {args.album}" if args.album is not None else f"event {args.event}"
                raise CannotStart(f"there is no {what} in this studio") from None
            except ApiError as exc:
                raise CannotStart(exc.msg) from None
            out = sys.stderr if args.json else sys.stdout
            if args.json:
                json.dump(report_json(report), sys.stdout, indent=2, ensure_ascii=False)
                sys.stdout.write("\n")
            print_report(report, out)
            if args.upload_missing:
                return await _upload_missing(args, client, store, report, out)
            return EXIT_SAME if report.in_order else EXIT_DIFFERENT
    finally:
        store.close()


async def _upload_missing(args: argparse.Namespace, client: Any, store: Any, report: CompareReport, out: TextIO) -> int:
    from studio_desktop.uploads.engine import UploadEngine
    from studio_desktop.uploads.records import queue as q

    missing = report.missing_paths()
    if not missing:
        print("Nothing to upload.", file=out)
        return EXIT_SAME
    engine = UploadEngine(client, store, batches=())
    await engine.start()
    try:
        batch = await engine.enqueue(
            missing,
            args.event,
            album_id=args.album,
            mirror_folders=args.mirror_folders,
            root=report.folder,
            label=f"compare: missing from event {args.event}",
        )
        await engine.wait_idle()
    finally:
        await engine.stop()
    states = [item.state for item in q.iter_items(store, batch_ids=[batch])]
    done = sum(1 for s in states if s in (q.DONE, q.DUPLICATE))
    print(f"Uploaded the missing photos: {done} of {len(missing)}.", file=out)
    return EXIT_SAME if done == len(missing) else EXIT_DIFFERENT


def report_json(report: CompareReport) -> dict[str, Any]:
    def local(photo: Any) -> dict[str, Any]:
        return {"path": photo.path, "name": photo.name, "size": photo.size}

    return {
        "folder": report.folder,
        "event_id": report.event_id,
        "in_order": report.in_order,
        "counts": report.counts,
        "albums": [
            {
                "album_id": t.album_id,
                "path": list(t.album_path),
                "exists": t.exists,
                "counts": t.counts,
                "only_in_folder": [local(p) for p in t.only_local],
                "only_in_gallery": [{"name": r.name, "photo_id": r.photo_id} for r in t.only_gallery],
                "different": [{**local(p), "photo_id": pid} for p, pid in t.different],
                "same_photo_as": [{**local(p), "as": r.name, "photo_id": r.photo_id} for p, r in t.renamed],
                "unverified": [{**local(p), "photo_id": pid} for p, pid in t.unverified],
            }
            for t in report.targets
        ],
        "unusable": [{"path": path, "reason": reason} for path, reason in report.unusable],
    }


def print_report(report: CompareReport, out: TextIO) -> None:
    for target in report.targets:
        c = target.counts
        print(
            f"{describe_target(target)}: {c['same']} same, {c['only_in_folder']} only in the folder, "
            f"{c['only_in_gallery']} only in the gallery, {c['different']} changed, "
            f"{c['same_photo_as']} renamed copies"
            + (f", {c['unverified']} not uploaded from here (contents not compared)" if c["unverified"] else ""),
            file=out,
        )
        for key, heading in _HEADINGS:
            entries = getattr(target, key)
            if not entries:
                continue
            print(f"  {heading}:", file=out)
            for entry in entries:
                print(f"    {describe_entry(key, entry, report.folder)}", file=out)
    if report.unusable:
        print(f"Not photos ShootProof takes: {len(report.unusable)}", file=out)
        for path, reason in report.unusable:
            print(f"  {as_path(path, report.folder)}: {reason}", file=out)
    print(
        "Everything is there." if report.in_order else "The folder and the gallery differ (nothing was changed).",
        file=out,
    )
