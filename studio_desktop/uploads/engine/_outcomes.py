"""How outcomes read: errors and file troubles in plain sentences, and the log line of each outcome."""

from __future__ import annotations

import dataclasses
import logging
import os
import stat
from typing import Any

from studio_desktop.api.errors import ApiError
from studio_desktop.uploads.records import queue as q
from studio_desktop.uploads.scanner import sentence as sentence  # the engine's parts import it from here

# One logger for the whole engine, named as before the package split (diagnostics and filters rely on it).
log = logging.getLogger("studio_desktop.uploads.engine")


def plain(exc: BaseException) -> str:
    if isinstance(exc, ApiError):
        text = exc.msg
        fields = exc.field_messages()
        if fields:
            text += " (" + "; ".join(fields) + ")"
        return text
    return str(exc) or type(exc).__name__


def file_facts(path: str) -> tuple[int, int] | str:
    """Just before sending: still there, still a file? (size, mtime_ns), or the reason in plain words."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "The file is no longer there (moved or deleted after it was queued)."
    except PermissionError:
        return "Cannot be read: permission denied."
    except OSError as exc:
        return sentence(f"cannot be read: {(exc.strerror or str(exc)).lower()}")
    if not stat.S_ISREG(st.st_mode):
        return "It is no longer a regular file."
    return st.st_size, st.st_mtime_ns


def replace(item: q.Item, **changes: Any) -> q.Item:
    return dataclasses.replace(item, **changes)


def log_outcome(item: q.Item, state: str, message: str | None, photo_id: int | None = None) -> None:
    """Each outcome goes to the log, so Copy Diagnostics has the upload history; failures stand out as warnings.

    Uploaded, duplicate and cancelled photos are debug lines (the batch's summary counts them): a wedding of
    5,000 would otherwise push everything else out of the log's tail.
    """
    where = f"event {item.event_id}" + (f", album {item.album_id}" if item.album_id is not None else "")
    if item.rel_album_path:
        where += " › " + " › ".join(item.rel_album_path)
    if state == q.FAILED:
        log.warning("upload failed: %s (batch %d, %s): %s", item.name, item.batch_id, where, message)
    elif state == q.SKIPPED:
        log.info("upload skipped, not a photo: %s (batch %d): %s", item.name, item.batch_id, message)
    elif state == q.FILTERED:
        log.debug("upload left out: %s (batch %d): %s", item.name, item.batch_id, message)
    elif state == q.DUPLICATE:
        log.debug("upload skipped as a duplicate: %s (batch %d, %s): %s", item.name, item.batch_id, where, message)
    elif state == q.DONE:
        log.debug("uploaded %s (batch %d, %s) as photo %s", item.name, item.batch_id, where, photo_id)
    elif state == q.CANCELLED:
        log.debug("upload cancelled: %s (batch %d)", item.name, item.batch_id)
