"""Words and numbers the upload side shows: state names, sizes, rates, time left and batch summaries.

Plain functions (no Qt), so the wording is the same in the queue, the tray and the tests.
"""

from __future__ import annotations

from collections.abc import Mapping

from studio_desktop.core import bidi
from studio_desktop.uploads.progress import human_bytes
from studio_desktop.uploads.records import queue as q
from studio_desktop.uploads.shaping import UploadShape

STATE_TEXT = {
    q.QUEUED: "Waiting",
    q.CHECKING: "Checking",
    q.UPLOADING: "Uploading",
    q.DONE: "Uploaded",
    q.DUPLICATE: "Duplicate",
    q.FAILED: "Failed",
    q.CANCELLED: "Cancelled",
    q.PAUSED: "Paused",
    q.SKIPPED: "Skipped (not a photo)",
    q.FILTERED: "Left out (filter)",
}


def state_text(state: str, message: str | None = None) -> str:
    """What the State column says; a queued item waiting out a retry or the network says so."""
    if state == q.QUEUED and message:
        if message.startswith("Retrying"):
            return "Retrying"
        if message.startswith("Waiting for the network"):
            return "Waiting for network"
    return STATE_TEXT.get(state, state.capitalize())


def plural(count: int, word: str, plural_word: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (plural_word or word + 's')}"


def size_text(size: int | None) -> str:
    return "" if size is None else human_bytes(size)


def rate_text(rate: float | None) -> str:
    if not rate or rate <= 0:
        return ""
    return f"{human_bytes(rate)}/s"


def eta_text(seconds: float | None) -> str:
    """``about 2 min left`` (rounded the way people say it), or empty when unknown."""
    if seconds is None:
        return ""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return "less than a minute left" if seconds > 5 else "a few seconds left"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min left"
    hours, minutes = divmod(minutes, 60)
    return f"about {hours} h {minutes:02d} min left"


def quoted(name: str) -> str:
    # Isolated inside the quotes: a right-to-left name must not pull the quotes or the sentence around.
    name = name if name.startswith(bidi.FSI) else bidi.isolate(name)
    return f"\u2018{name}\u2019" if "'" in name else f"'{name}'"


def batch_summary(counts: Mapping[str, int], target_name: str | None) -> str:
    """``Uploaded 312 photos to 'Smith Wedding' — 4 skipped as duplicates, 1 failed``.

    Photos the picks filter left out (never sent) are said apart from duplicates and failures.
    """
    done = int(counts.get(q.DONE, 0))
    duplicates = int(counts.get(q.DUPLICATE, 0))
    failed = int(counts.get(q.FAILED, 0))
    cancelled = int(counts.get(q.CANCELLED, 0))
    skipped = int(counts.get(q.SKIPPED, 0))
    left_out = int(counts.get(q.FILTERED, 0))
    where = f" to {quoted(target_name)}" if target_name else ""
    if done:
        head = f"Uploaded {plural(done, 'photo')}{where}"
    elif duplicates and not failed and not cancelled:
        head = f"Nothing new to upload{where}"
    else:
        head = f"No photos uploaded{where}"
    extras = []
    if duplicates:
        extras.append(f"{duplicates:,} skipped as duplicate{'s' if duplicates != 1 else ''}")
    if failed:
        extras.append(f"{failed:,} failed")
    if cancelled:
        extras.append(f"{cancelled:,} cancelled")
    if skipped:
        extras.append(f"{plural(skipped, 'file')} skipped (not {'a photo' if skipped == 1 else 'photos'})")
    if left_out:
        extras.append(f"{left_out:,} left out by the picks filter")
    return head + (" \u2014 " + ", ".join(extras) if extras else "")


def totals_text(
    files: Mapping[str, int], bytes_done: int, bytes_to_do: int, rate: float, eta: float | None, held: str | None = None
) -> str:
    """The queue's footer line: files, bytes, speed and time left.

    ``held`` says why nothing moves ("paused", "waiting for the network"...); it replaces speed and time left.
    """
    total = sum(files.values())
    if total == 0:
        return "The upload queue is empty. Drop photos or folders on a gallery to upload them."
    finished = files.get(q.DONE, 0) + files.get(q.DUPLICATE, 0)
    active = sum(files.get(s, 0) for s in (q.QUEUED, q.CHECKING, q.UPLOADING))
    wanted = finished + active + files.get(q.PAUSED, 0)
    parts = [f"{finished:,} of {plural(wanted, 'file')} done"]
    if bytes_to_do:
        parts.append(f"{human_bytes(bytes_done)} of {human_bytes(bytes_to_do)}")
    if held and (active or files.get(q.PAUSED)):
        parts.append(held)
    elif active:
        if rate > 0:
            parts.append(rate_text(rate))
        left = eta_text(eta)
        if left:
            parts.append(left)
    problems = []
    if files.get(q.FAILED):
        problems.append(f"{files[q.FAILED]:,} failed")
    if files.get(q.DUPLICATE):
        problems.append(f"{files[q.DUPLICATE]:,} duplicate{'s' if files[q.DUPLICATE] != 1 else ''}")
    if files.get(q.CANCELLED):
        problems.append(f"{files[q.CANCELLED]:,} cancelled")
    if files.get(q.SKIPPED):
        problems.append(f"{files[q.SKIPPED]:,} skipped (not {'a photo' if files[q.SKIPPED] == 1 else 'photos'})")
    if files.get(q.FILTERED):
        problems.append(f"{files[q.FILTERED]:,} left out by the picks filter")
    text = " \u00b7 ".join(parts)
    if problems:
        text += " \u2014 " + ", ".join(problems)
    return text


def shape_words(shape: UploadShape) -> list[str]:
    """``["picks: at least 3★, no rejects", "resize 2048 px"]``: the options a hot folder or a target has."""
    picks = []
    if shape.picks.min_rating is not None:
        picks.append(f"at least {shape.picks.min_rating}★")
    if shape.picks.labels:
        picks.append("labels " + "/".join(shape.picks.labels))
    if shape.picks.skip_rejects:
        picks.append("no rejects")
    words = [f"picks: {', '.join(picks)}"] if picks else []
    if shape.resize is not None and shape.resize.long_edge is not None:
        words.append(f"resize {shape.resize.long_edge} px")
    if shape.resize_oversize:
        words.append("over 50 MB resized")
    return words
