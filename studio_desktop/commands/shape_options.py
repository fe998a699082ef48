"""The picks and resize options that `upload` and `watch` share, and the summary lines they print."""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from studio_desktop.commands.common import CannotStart, whole_number

if TYPE_CHECKING:
    from studio_desktop.uploads.shaping import UploadShape


def add_shape_arguments(parser: argparse.ArgumentParser) -> None:
    picks = parser.add_argument_group("only the picks (from XMP: the photo's own or a .xmp sidecar beside it)")
    picks.add_argument(
        "--min-rating", type=_rating, metavar="N", help="only photos rated at least N stars (0-5; unrated counts as 0)"
    )
    picks.add_argument(
        "--label",
        action="append",
        default=[],
        metavar="NAME",
        help="only photos with this colour label (Lightroom/Capture One label, or Photo Mechanic "
        "colour class by name or number); repeat for several",
    )
    picks.add_argument("--skip-rejects", action="store_true", help="leave out photos rated -1 or flagged as rejects")
    size = parser.add_argument_group("resize on the way up (the original is never changed)")
    size.add_argument(
        "--resize", metavar="PRESET|PX", help="web (2048 px), fast (3600 px), original, or a long edge in pixels"
    )
    size.add_argument("--quality", type=whole_number, metavar="Q", help="JPEG quality of resized copies, 1-100")
    size.add_argument(
        "--resize-oversize",
        action="store_true",
        help="upload photos over the 50 MB limit resized instead of refusing them",
    )


def _rating(text: str) -> int:
    value = whole_number(text)
    if not 0 <= value <= 5:
        raise argparse.ArgumentTypeError(f"a rating goes from 0 to 5, not {value}")
    return value


def shape_requested(args: argparse.Namespace) -> bool:
    """Whether any picks or resize option was given (read without loading the picks and resize code)."""
    return bool(
        args.min_rating is not None
        or any(label.strip() for label in args.label)
        or args.skip_rejects
        or args.resize is not None
        or args.quality is not None
        or args.resize_oversize
    )


def shape_from_args(args: argparse.Namespace) -> UploadShape:
    """The shape the options ask for; :class:`CannotStart` for a bad value or combination."""
    from studio_desktop.uploads.picks import PickFilter
    from studio_desktop.uploads.resize import parse_spec
    from studio_desktop.uploads.shaping import UploadShape

    spec = None
    if args.resize is not None:
        try:
            spec = parse_spec(args.resize, args.quality)
        except ValueError as exc:
            raise CannotStart(f"--resize: {exc}") from None
    elif args.quality is not None:
        raise CannotStart("--quality goes with --resize")
    labels = tuple(label for label in (x.strip() for x in args.label) if label)
    return UploadShape(PickFilter(args.min_rating, labels, args.skip_rejects), spec, args.resize_oversize)


def print_left_out(entries: Sequence[Any], out: TextIO, *, verb: str = "Left out by the picks filter") -> None:
    """One line with the count and the commonest reasons (the reasons without their shared prefix)."""
    if not entries:
        return
    why = Counter(_kind(e.reason) for e in entries)
    detail = ", ".join(f"{n} {kind}" for kind, n in why.most_common(4))
    more = "" if len(why) <= 4 else ", ..."
    print(f"{verb}: {len(entries)} ({detail}{more})", file=out)


def _kind(reason: str) -> str:
    from studio_desktop.uploads.picks import FILTER_PREFIX

    text = reason.removeprefix(FILTER_PREFIX).rstrip(".")
    if text.startswith("rated") or text.startswith("not rated"):
        return "below the minimum rating"
    if text.startswith("rejected"):
        return "rejected"
    if "label" in text:
        return "without a chosen label"
    return text


def left_out_json(entries: Sequence[Any]) -> list[dict[str, Any]]:
    return [{"path": e.path, "name": e.name, "size": e.size, "reason": e.reason} for e in entries]
