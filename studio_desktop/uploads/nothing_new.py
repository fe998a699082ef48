"""A re-run with nothing new: is every file under the given paths already uploaded to that very target?

Re-running ``studio-desktop upload FOLDER --event N`` on a finished folder is a
no-op: each file is a ledger hit (this very file, same path, size and
modification time, already went to that target; see
:mod:`studio_desktop.uploads.records.ledger`), which the engine would count as a
duplicate without any request. :func:`already_uploaded` finds that out before
anything else starts (no client, no engine, no queue rows), so such a re-run
costs a scan and a few reads of the store.

It answers ``None`` as soon as one file is not such a hit -- new, changed
(same name, another size or time: another version), a damaged or unreadable
JPEG, in an album this computer has not mapped, or uploaded only to another
target -- and the caller then runs the normal upload, which decides about every
file itself. Files the scan skips quietly (sidecars, hidden and system files)
are not counted, as in a normal run. Files that are not photos at all (a RAW
beside its JPEG, a text file) are never sent or retried: they are listed as
the normal run lists them (:class:`NotAPhoto`), and do not stop the answer.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from studio_desktop.uploads.records.ledger import ledger_in_event, mapped_album, uploaded_before

if TYPE_CHECKING:
    from studio_desktop.core.store import Store
    from studio_desktop.uploads import scanner

# Named tuples, not dataclasses: one is made per file of the folder (thousands on a re-run, whose
# time is mostly start-up and this scan), and a named tuple is cheaper to make and to define.


class KnownFile(NamedTuple):
    """A file the ledger says is in the target already: ``reason`` as the engine words a ledger hit."""

    path: str
    name: str
    size: int
    mtime_ns: int
    rel_album_path: tuple[str, ...]
    photo_id: int | None
    reason: str


class NotAPhoto(NamedTuple):
    """A file whose contents are not a photo: the scan's reason as the queue words it; size 0 as it lists one."""

    path: str
    name: str
    reason: str
    size: int = 0


class NothingNew(NamedTuple):
    """The files already in the target, and the files that are not photos."""

    known: list[KnownFile]
    not_photos: list[NotAPhoto]


def already_uploaded(
    store: Store,
    paths: Sequence[str],
    event_id: int,
    album_id: int | None = None,
    mirror_folders: bool = False,
) -> NothingNew | None:
    """Every file under ``paths`` as the ledger knows it in the target, or None if any is not known there.

    The target is ``album_id`` of the event (None: the event's root), or with
    ``mirror_folders`` the album each folder was mapped to. None too when there
    is no photo at all (the normal run says so).
    """
    from studio_desktop.uploads import scanner

    rows: dict[tuple[str, int, int], dict[int, int | None]] = {}

    def known(versions: list[tuple[str, int, int]]) -> set[tuple[str, int, int]]:
        found = store.read_sync(ledger_in_event, event_id, versions)
        rows.update(found)
        return set(found)

    # Each path scanned on its own, as the engine's queueing does (a folder given twice counts twice).
    # The scan reads only the files the ledger does not know (to tell a photo from a RAW or a text
    # file), and the answer stops at the first photo among them: one file read for a new folder.
    found = (
        entry for given in paths for entry in scanner.iter_scan([given], mirror_folders=mirror_folders, known=known)
    )
    return _known_files(store, found, event_id, album_id, rows)


def _known_files(
    store: Store,
    found: Iterable[scanner.ScanEvent],
    event_id: int,
    album_id: int | None,
    rows: dict[tuple[str, int, int], dict[int, int | None]],
) -> NothingNew | None:
    from studio_desktop.uploads import scanner

    targets: dict[tuple[str, ...], tuple[bool, int | None]] = {}
    files: list[KnownFile] = []
    not_photos: list[NotAPhoto] = []
    for entry in found:
        if not isinstance(entry, scanner.ScanItem):  # the common case in one test
            if isinstance(entry, scanner.Rejected):
                if not entry.not_a_photo:
                    return None  # damaged, cut short, unreadable: it may become whole, the normal run retries it
                path = os.path.abspath(os.fspath(entry.path))
                name = scanner.upload_name(os.path.basename(path))
                not_photos.append(NotAPhoto(path, name, scanner.sentence(entry.reason)))
            continue  # an Ignored file is not counted
        rel = entry.rel_album_path
        if rel not in targets:
            targets[rel] = store.read_sync(mapped_album, event_id, album_id, rel) if rel else (True, album_id)
        mapped, target = targets[rel]
        path = entry.abspath
        reached = rows.get((path, entry.size, entry.mtime_ns))
        if not mapped or reached is None or (target or 0) not in reached:
            return None
        photo_id = reached[target or 0]
        files.append(KnownFile(path, entry.name, entry.size, entry.mtime_ns, rel, photo_id, uploaded_before(photo_id)))
    return NothingNew(files, not_photos) if files else None
