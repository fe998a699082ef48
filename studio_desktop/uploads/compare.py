"""Is everything there? A local folder against a gallery, per album. Read-only.

For each target (an album, or the event's root: the photos in no album) the
photos are sorted into:

- ``same``: in both, and the ledger says this file version is the one sent;
- ``different``: in both, but the file changed since it was sent (its sha256
  now is not the ledger's ``content_hash``): a new version;
- ``unverified``: in both by name, never sent from this computer (no ledger
  row), so the contents cannot be compared;
- ``renamed``: not in the gallery by name, but its bytes are those of a photo
  sent to this target under another name that is still there ("same photo as
  X"), e.g. a renamed re-export;
- ``only_local`` / ``only_gallery``: in one place only.

A folder with no album in the gallery yet has all its photos in ``only_local``.
Local files are hashed only when that decides something: a file whose size
and modification time are the ledger's is the version sent, unread. Nothing
here writes to the gallery or the store.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio_desktop.uploads.records import ledger

NAMES_PAGE = 1000
_HASH_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class LocalPhoto:
    path: str
    name: str
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class RemotePhoto:
    name: str
    photo_id: int


@dataclass
class TargetReport:
    """One album (``album_id`` None: the event's root); ``exists`` False: no such album in the gallery yet."""

    album_path: tuple[str, ...]
    album_id: int | None
    exists: bool = True
    #: the album's name in the gallery (for the base album, whose path is ())
    name: str | None = None
    same: list[tuple[LocalPhoto, int]] = field(default_factory=list)
    different: list[tuple[LocalPhoto, int]] = field(default_factory=list)
    unverified: list[tuple[LocalPhoto, int]] = field(default_factory=list)
    renamed: list[tuple[LocalPhoto, RemotePhoto]] = field(default_factory=list)
    only_local: list[LocalPhoto] = field(default_factory=list)
    only_gallery: list[RemotePhoto] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "same": len(self.same),
            "different": len(self.different),
            "unverified": len(self.unverified),
            "same_photo_as": len(self.renamed),
            "only_in_folder": len(self.only_local),
            "only_in_gallery": len(self.only_gallery),
        }

    @property
    def in_order(self) -> bool:
        return not (self.different or self.renamed or self.only_local or self.only_gallery)


@dataclass
class CompareReport:
    folder: str
    event_id: int
    targets: list[TargetReport] = field(default_factory=list)
    #: files in the folder that are not photos ShootProof takes: (path, reason)
    unusable: list[tuple[str, str]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for target in self.targets:
            for key, n in target.counts.items():
                total[key] = total.get(key, 0) + n
        total["unusable"] = len(self.unusable)
        return total

    @property
    def in_order(self) -> bool:
        return all(t.in_order for t in self.targets)

    def missing_paths(self) -> list[str]:
        """What ``--upload-missing`` queues: photos only in the folder (not renamed copies, not new versions)."""
        return [p.path for t in self.targets for p in t.only_local]


def sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def scan_folder(
    folder: str, mirror_folders: bool
) -> tuple[dict[tuple[str, ...], list[LocalPhoto]], list[tuple[str, str]]]:
    """The folder's photos by album path (all at () without mirroring), and the files refused."""
    from studio_desktop.uploads import scanner

    groups: dict[tuple[str, ...], list[LocalPhoto]] = {}
    refused: list[tuple[str, str]] = []
    for entry in scanner.iter_scan([folder], mirror_folders=mirror_folders):
        if isinstance(entry, scanner.ScanItem):
            rel = tuple(entry.rel_album_path or ()) if mirror_folders else ()
            groups.setdefault(rel, []).append(
                LocalPhoto(entry.abspath, ledger.nfc(entry.name), entry.size, entry.mtime_ns)
            )
        elif isinstance(entry, scanner.Rejected):
            refused.append((os.path.abspath(entry.path), entry.reason))
    return groups, refused


async def compare_folder(
    client: Any,
    store: Any,
    folder: str | os.PathLike[str],
    event_id: int,
    *,
    album_id: int | None = None,
    mirror_folders: bool = False,
) -> CompareReport:
    folder = os.path.abspath(os.fspath(folder))
    groups, refused = await asyncio.to_thread(scan_folder, folder, mirror_folders)
    report = CompareReport(folder, event_id, unusable=refused)
    tree = await client.album_get_list(event_id)
    chosen = ledger.choose_albums(_album_rows(tree))
    existing = {a.id for top in tree for a in top.walk()}
    # Every album below the base (the base itself when given, else the root) is a target to look at,
    # so photos in albums with no folder show as only in the gallery.
    targets: dict[int | None, tuple[str, ...]] = {album_id: ()}
    if mirror_folders:
        for path, found in _albums_below(tree, album_id):
            targets.setdefault(found, path)
    wanted: dict[tuple[str, ...], int | None] = {}
    for rel in groups:
        known, final = await store.read(ledger.mapped_album, event_id, album_id, rel)
        if not known or final not in existing:
            final = _follow(chosen, album_id, rel)
        wanted[rel] = final
        if final is not None or not rel:
            targets.setdefault(final, rel)
    photos_at = await _gallery_photos(client, event_id, list(targets))
    for target_id, rel in targets.items():
        here = [
            p for r, ps in groups.items() if wanted[r] == target_id and (target_id is not None or not r) for p in ps
        ]
        report.targets.append(
            await _compare_target(store, event_id, target_id, rel, here, photos_at.get(target_id, []))
        )
    for rel, final in wanted.items():
        if final is None and rel:
            report.targets.append(TargetReport(rel, None, exists=False, only_local=list(groups[rel])))
    names = {a.id: a.name for top in tree for a in top.walk()}
    for target in report.targets:
        target.name = names.get(target.album_id) if target.album_id is not None else None
    report.targets.sort(key=lambda t: (t.album_path, t.album_id or 0))
    return report


def _album_rows(tree: Iterable[Any]) -> list[ledger.AlbumRow]:
    rows: list[ledger.AlbumRow] = []

    def walk(nodes: Iterable[Any], parent: int | None) -> None:
        for album in nodes:
            rows.append(ledger.AlbumRow(parent, album.name or "", album.id, album.display_order))
            walk(album.sub_albums, album.id)

    walk(tree, None)
    return rows


def _albums_below(tree: Iterable[Any], base: int | None) -> list[tuple[tuple[str, ...], int]]:
    found: list[tuple[tuple[str, ...], int]] = []

    def walk(nodes: Iterable[Any], path: tuple[str, ...], inside: bool) -> None:
        for album in nodes:
            here = (*path, album.name or "") if inside else ()
            if inside:
                found.append((here, album.id))
            walk(album.sub_albums, here, inside or album.id == base)

    walk(tree, (), base is None)
    return found


def _follow(chosen: dict[tuple[int, str], int], base: int | None, rel: tuple[str, ...]) -> int | None:
    parent = base
    for name in rel:
        parent = chosen.get((parent or 0, ledger.nfc(name)))
        if parent is None:
            return None
    return parent


async def _gallery_photos(client: Any, event_id: int, targets: list[int | None]) -> dict[int | None, list[RemotePhoto]]:
    """Photos per target; the root is the event's photos in no album (every album is listed to know)."""
    found: dict[int | None, list[RemotePhoto]] = {}
    for album_id in targets:
        if album_id is not None:
            found[album_id] = [
                RemotePhoto(ledger.nfc(p.name or ""), p.id)
                async for p in client.iter_album_photos(album_id, limit=NAMES_PAGE)
            ]
    if None in targets:
        in_event = [p async for p in client.iter_event_photos(event_id, limit=NAMES_PAGE)]
        in_albums: set[int] = set()
        for album in (a for top in await client.album_get_list(event_id) for a in top.walk()):
            if album.id in found:
                in_albums.update(p.photo_id for p in found[album.id])
            elif album.photo_count != 0:
                in_albums.update([p.id async for p in client.iter_album_photos(album.id, limit=NAMES_PAGE)])
        found[None] = [RemotePhoto(ledger.nfc(p.name or ""), p.id) for p in in_event if p.id not in in_albums]
    return found


async def _compare_target(
    store: Any,
    event_id: int,
    album_id: int | None,
    rel: tuple[str, ...],
    local: list[LocalPhoto],
    remote: list[RemotePhoto],
) -> TargetReport:
    report = TargetReport(rel, album_id)
    by_name: dict[str, list[RemotePhoto]] = {}
    for remote_photo in remote:
        by_name.setdefault(remote_photo.name, []).append(remote_photo)
    recorded = await store.read(ledger.ledger_for_paths, [p.path for p in local], event_id, album_id or 0)
    remote_ids = {p.photo_id for p in remote}
    claimed: set[int] = set()
    for photo in sorted(local, key=lambda p: p.name):
        there = by_name.get(photo.name)
        if there:
            ids = [r.photo_id for r in there]
            rows = recorded.get(photo.path, [])
            verdict = await _same_version(photo, rows)
            pid = next((r.photo_id for r in rows if r.photo_id in ids), ids[0])
            claimed.add(pid)
            {"same": report.same, "different": report.different, "unverified": report.unverified}[verdict].append(
                (photo, pid)
            )
            continue
        digest = await asyncio.to_thread(sha256_file, photo.path)
        twins = [
            row
            for row in await store.read(ledger.ledger_by_hash, event_id, album_id, digest)
            if row.photo_id in remote_ids
        ]
        if twins:
            twin = next(r for r in remote if r.photo_id == twins[0].photo_id)
            claimed.add(twin.photo_id)
            report.renamed.append((photo, twin))
        else:
            report.only_local.append(photo)
    report.only_gallery = sorted(
        (r for r in remote if r.photo_id not in claimed and r.name not in {p.name for p in local}),
        key=lambda r: (r.name, r.photo_id),
    )
    return report


async def _same_version(photo: LocalPhoto, rows: list[ledger.LedgerEntry]) -> str:
    if not rows:
        return "unverified"
    if any((r.size, r.mtime_ns) == (photo.size, photo.mtime_ns) for r in rows):
        return "same"
    hashes = {r.content_hash for r in rows if r.content_hash}
    if not hashes:
        return "different"  # sent before, and the file's size or time changed since: a new version
    return "same" if await asyncio.to_thread(sha256_file, photo.path) in hashes else "different"


def describe_target(target: TargetReport) -> str:
    if target.album_id is None and not target.album_path:
        return "Event (photos in no album)"
    name = " / ".join(target.album_path) or target.name or f"album {target.album_id}"
    if not target.exists:
        return f"Album {name} (not in the gallery yet)"
    return f"Album {name} (id {target.album_id})"


def describe_entry(key: str, entry: Any, folder: str) -> str:
    """One line of a report section (``key`` as in ``CompareReport``), for the terminal and the window alike."""
    if key == "only_local":
        return as_path(entry.path, folder)
    if key == "only_gallery":
        return f"{entry.name} (photo {entry.photo_id})"
    if key == "renamed":
        photo, twin = entry
        return f"{as_path(photo.path, folder)}: same photo as {twin.name} (photo {twin.photo_id})"
    photo, photo_id = entry
    return f"{as_path(photo.path, folder)} (photo {photo_id})"


def as_path(path: str, folder: str) -> str:
    try:
        return str(Path(path).relative_to(folder))
    except ValueError:
        return path
