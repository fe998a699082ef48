"""`studio-desktop doctor`: check that the configured ShootProof account answers the way the app expects.

Read-only. It signs in, calls each read method the app depends on (on the first
brand, event and album it finds), and compares every answer with the shape the
app expects (:mod:`studio_desktop.api.answer_shapes`): keys missing, keys it
does not know, values of other types. The report holds method names, key paths
and type names only, never a value, a name or a token, so it can be sent as is.

Exit codes: 0 every answer looked as expected; 1 some answers differ or a call
failed; 2 could not start (no access token, sign-in refused, server unreachable);
3 a problem on this computer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from studio_desktop.api.answer_shapes import ANSWERS, Difference, compare
from studio_desktop.commands.common import (
    EXIT_CANNOT_START,
    EXIT_CODES_HELP,
    EXIT_INCOMPLETE,
    EXIT_OK,
    CannotStart,
    log_to_file,
    signed_in,
)
from studio_desktop.commands.help_format import HelpFormatter
from studio_desktop.core import config

#: The file name asked about with sp.event.photo_exists: an answer, never an upload.
PROBE_NAME = "studio-desktop-doctor-check.jpg"


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "doctor",
        help="check that your ShootProof account answers the way this app expects (changes nothing)",
        description="Sign in, call the read methods the app depends on, and report every answer whose shape "
        "differs from what the app expects: missing keys, unknown keys, values of other types. "
        "Nothing is changed, and the report holds no names, values or tokens.",
        epilog=EXIT_CODES_HELP.replace(
            "  0    done: everything asked for is in place",
            "  0    every answer looked as expected",
        ).replace(
            "  1    finished, but not everything: some files failed or are still waiting\n"
            "       (running the same command again retries them)",
            "  1    some answers differ from what the app expects, or a call failed",
        ),
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    config.add_arguments(parser, subcommand=True)
    parser.set_defaults(run=run)
    return parser


@dataclass
class Report:
    host: str
    checked: list[str] = field(default_factory=list)
    differences: dict[str, list[tuple[Difference, int]]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return not self.failed and not any(self.differences.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "api_host": self.host,
            "clean": self.clean,
            "checked": self.checked,
            "differences": [
                {
                    "method": method,
                    "path": d.path,
                    "problem": d.problem,
                    "expected": d.expected or None,
                    "got": d.got or None,
                    "times": times,
                }
                for method, found in self.differences.items()
                for d, times in found
            ],
            "failed_calls": [{"method": m, "error": e} for m, e in self.failed.items()],
            "not_checked": [{"method": m, "why": w} for m, w in self.skipped.items()],
        }

    def print(self, out: Any) -> None:
        print(f"Checked {len(self.checked)} answers from {self.host} against what Studio Desktop expects.", file=out)
        for method, found in self.differences.items():
            for difference, times in found:
                extra = f" ({times} times)" if times > 1 else ""
                print(f"  {method}: {difference.sentence()}{extra}", file=out)
        for method, error in self.failed.items():
            print(f"  {method}: the call failed: {error}", file=out)
        for method, why in self.skipped.items():
            print(f"  {method}: not checked ({why})", file=out)
        if self.clean:
            print("Every answer looked as expected.", file=out)
        else:
            print(
                "Some answers differ from what the app expects. These lines hold no names, values or tokens: "
                "please send them with your report.",
                file=out,
            )


def run(args: argparse.Namespace) -> int:
    log_to_file(args)
    endpoints = config.resolve(args)
    try:
        with signed_in(endpoints) as connected:
            report = asyncio.run(_check(connected))
    except CannotStart as exc:
        print(f"studio-desktop doctor: {exc}", file=sys.stderr)
        return EXIT_CANNOT_START
    if args.json:
        json.dump(report.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    report.print(sys.stderr if args.json else sys.stdout)
    return EXIT_OK if report.clean else EXIT_INCOMPLETE


async def _check(endpoints: config.Endpoints) -> Report:
    from studio_desktop.api.errors import ApiError, AuthenticationError, TransientError
    from studio_desktop.api.shootproof import ShootProofClient

    report = Report(urlsplit(endpoints.api_url).netloc or endpoints.api_url)
    async with ShootProofClient(endpoints.api_url, endpoints.access_token or "") as client:

        async def ask(method: str, **params: Any) -> Any:
            try:
                answer = await client.call(method, params)
            except AuthenticationError as exc:
                raise CannotStart(f"ShootProof did not accept the access token: {exc.msg}") from None
            except TransientError as exc:
                if not report.checked:
                    raise CannotStart(exc.msg) from None
                report.failed[method] = exc.msg
                return None
            except ApiError as exc:
                report.failed[method] = exc.msg
                return None
            report.checked.append(method)
            merged = dict(report.differences.get(method, []))
            for difference, times in compare(answer, ANSWERS[method]):
                merged[difference] = merged.get(difference, 0) + times
            report.differences[method] = sorted(merged.items(), key=lambda pair: (pair[0].path, pair[0].problem))
            return answer

        await ask("sp.studio.info")
        brand_id = _first_id(await ask("sp.brand.get_list"), "brands")
        if brand_id is not None:
            await ask("sp.brand.get_event_tree", brand_id=brand_id)
        else:
            report.skipped["sp.brand.get_event_tree"] = "no brand with a numeric id"
        event_ids = _ids(await ask("sp.event.get_list", limit=5), "events")
        album_id = None
        if event_ids:
            await ask("sp.event.info", event_id=event_ids[0])
            await ask("sp.event.get_photos", event_id=event_ids[0], limit=5)
            await ask("sp.event.photo_exists", event_id=event_ids[0], photo_name=PROBE_NAME)
            for event_id in event_ids:  # the first of these events that has an album
                album_id = _first_id(await ask("sp.album.get_list", event_id=event_id), "albums")
                if album_id is not None:
                    break
        else:
            for method in ("sp.event.info", "sp.event.get_photos", "sp.event.photo_exists", "sp.album.get_list"):
                report.skipped[method] = "no event with a numeric id in this account"
        if album_id is not None:
            await ask("sp.album.info", album_id=album_id)
            await ask("sp.album.get_photos", album_id=album_id, limit=5)
        else:
            for method in ("sp.album.info", "sp.album.get_photos"):
                report.skipped[method] = "no album with a numeric id found"
    return report


def _ids(answer: Any, key: str) -> list[int]:
    """The items' ids, read leniently (a numeric string will do) so one odd key does not stop the check."""
    items = answer.get(key) if isinstance(answer, dict) else None
    ids = []
    for item in items if isinstance(items, list) else []:
        value = item.get("id") if isinstance(item, dict) else None
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            ids.append(value)
        elif isinstance(value, str) and value.strip().isdigit():
            ids.append(int(value.strip()))
    return ids


def _first_id(answer: Any, key: str) -> int | None:
    ids = _ids(answer, key)
    return ids[0] if ids else None
