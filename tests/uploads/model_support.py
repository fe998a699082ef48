"""What the model-based tests share: a studio of their own, local photo trees, and the gallery as the API lists it.

The model tests (``test_engine_model.py``, ``test_watcher_model.py``) are
Hypothesis state machines. Each example gets a :class:`World`: its own folder,
data folder and event (in a sandbox studio the examples of one test share),
because an example is a whole history (files written, albums made by another
app, uploads run, killed and resumed) and must not see another's.

"The gallery" is read through the API, as any other client would see it:
``sp.album.get_list`` for the albums, ``sp.event.get_photos`` and
``sp.album.get_photos`` for who is where (root = photos in no album). Only the
bytes come from the sandbox's own store, because that is cheaper than fetching
every original and says the same thing: what the server keeps.

Album targets follow the exactly-once contract (shared/DESIGN.md): a path of
folder names is resolved one level at a time, and among sibling albums with
the same name the first in the server's order wins (the sandbox lists by
display order, then id: the oldest).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings

from studio_desktop.api.shootproof import ShootProofClient
from studio_desktop.core import paths
from studio_desktop.sandbox.server import SandboxServer

from .engine_support import client_for
from .hotfolder_harness import noise_jpeg

#: How often each rule ran in this process (printed by the tests and the benchmark).
STATS: Counter[str] = Counter()

#: A folder path below the root, "" for the root itself; "One/y" is two levels down.
Folder = str
#: Album names from the root down; () is the event's root (photos in no album).
AlbumPath = tuple[str, ...]


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def short(digest: str) -> str:
    return digest[:8]


def album_path_of(folder: Folder) -> AlbumPath:
    return tuple(part for part in folder.split("/") if part)


# -- the world of one example ------------------------------------------------------------------


class World:
    """One example's folders, data folder (store, ledger) and event, in a studio shared by the examples.

    Steps run on one event loop for the whole example (``run``), so one API client serves them all.
    """

    def __init__(self, server: SandboxServer, prefix: str = "model-"):
        self.server = server
        self.base = Path(tempfile.mkdtemp(prefix=prefix))
        self.root = self.base / "R"
        self.root.mkdir()
        self.scratch = self.base / "scratch"
        self.scratch.mkdir()
        self.data = self.base / "data"
        paths.configure(self.data).ensure()
        self.loop = asyncio.new_event_loop()
        self._client: ShootProofClient | None = None
        self.event_id = self.run(self._new_event())
        self._next_content = 0

    async def _new_event(self) -> int:
        return (await self.client().event_create("Model wedding")).id

    def client(self) -> ShootProofClient:
        """The example's own API client (as another app, or the test, uses the account)."""
        if self._client is None:
            self._client = client_for(self.server)
        return self._client

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    def gallery(self) -> Gallery:
        return self.run(read_gallery(self.server, self.client(), self.event_id))

    def fresh_content(self) -> bytes:
        """JPEG bytes no earlier call returned (noise seeded by a counter)."""
        self._next_content += 1
        return noise_jpeg(self._next_content, size=(16 + self._next_content % 5, 12))

    def close(self) -> None:
        try:
            self.server.faults.clear()
            if self._client is not None:
                self.run(self._client.aclose())
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()
        finally:
            paths.configure(None)  # back to the test's own folders (its environment says where)
            shutil.rmtree(self.base, ignore_errors=True)


# -- the gallery as the API shows it -------------------------------------------------------------


@dataclass(frozen=True)
class AlbumRow:
    id: int
    parent: int  # 0: at the event's top level
    name: str
    order: int  # position in the server's listing


@dataclass(frozen=True)
class PhotoRow:
    id: int
    album: int  # 0: the event's root
    name: str
    sha: str


@dataclass
class Gallery:
    albums: dict[int, AlbumRow] = field(default_factory=dict)
    photos: dict[int, PhotoRow] = field(default_factory=dict)

    def children(self, parent: int, name: str) -> list[AlbumRow]:
        return sorted(
            (a for a in self.albums.values() if a.parent == parent and a.name == nfc(name)),
            key=lambda a: (a.order, a.id),
        )

    def resolve(self, path: AlbumPath) -> int | None:
        """The album a folder path goes to (0: the root); None when part of it does not exist."""
        current = 0
        for name in path:
            found = self.children(current, name)
            if not found:
                return None
            current = found[0].id
        return current

    def path_of(self, album: int) -> str:
        names = []
        while album:
            row = self.albums[album]
            names.append(f"{row.name}#{row.id}")
            album = row.parent
        return "/".join(reversed(names)) or "(root)"

    def in_target(self, album: int, name: str) -> list[PhotoRow]:
        return [p for p in self.photos.values() if p.album == album and p.name == nfc(name)]

    def describe(self) -> str:
        by_album: dict[int, list[str]] = {}
        for p in sorted(self.photos.values(), key=lambda p: p.id):
            by_album.setdefault(p.album, []).append(f"{p.name}={short(p.sha)}#{p.id}")
        lines = [f"  {self.path_of(a)}: {', '.join(names)}" for a, names in sorted(by_album.items())]
        empty = [self.path_of(a) for a in self.albums if a not in by_album]
        if empty:
            lines.append(f"  empty albums: {', '.join(sorted(empty))}")
        return "\n".join(lines) or "  (empty)"


async def read_gallery(server: SandboxServer, client: ShootProofClient, event_id: int) -> Gallery:
    """The event's albums and photos, never torn by an upload that lands while they are read.

    The checks read while late files may still be landing, so the event's photos come
    first, then the albums: a photo sent meanwhile is either not seen yet (the check looks
    again) or seen in its album. Albums first would count a photo sent into an album
    after its listing as in the root.
    """
    gallery = Gallery()
    order = 0
    photos = [photo async for photo in client.iter_event_photos(event_id, limit=1000)]

    def walk(nodes, parent: int) -> None:
        nonlocal order
        for album in nodes:
            gallery.albums[album.id] = AlbumRow(album.id, album.parent_id or parent, nfc(album.name or ""), order)
            order += 1
            walk(album.sub_albums, album.id)

    walk(await client.album_get_list(event_id), 0)
    where: dict[int, int] = {}
    for album_id in gallery.albums:
        async for photo in client.iter_album_photos(album_id, limit=1000):
            where[photo.id] = album_id
    for photo in photos:
        data = server.studio.photo_file(photo.id).read_bytes()
        gallery.photos[photo.id] = PhotoRow(photo.id, where.get(photo.id, 0), nfc(photo.name or ""), sha256(data))
    return gallery


async def ensure_album(
    client: ShootProofClient, gallery: Gallery, event_id: int, path: AlbumPath, *, duplicate_leaf: bool = False
) -> int:
    """The album at ``path`` (made as another app would where missing); with ``duplicate_leaf``
    a new album with the leaf's name is made even where one exists: a same-named sibling."""
    current = 0
    for depth, name in enumerate(path):
        found = gallery.resolve(path[: depth + 1])
        last = depth == len(path) - 1
        if found is None or (last and duplicate_leaf):
            album = await client.album_create(event_id, name, parent_id=current or None)
            gallery.albums[album.id] = AlbumRow(album.id, current, nfc(name), len(gallery.albums))
            found = album.id
        current = found
    return current


# -- the checks --------------------------------------------------------------------------------------


def unchanged_history(before: Gallery, after: Gallery) -> list[str]:
    """Nothing that was in the gallery went away or changed place, name or bytes."""
    problems = []
    for photo in before.photos.values():
        now = after.photos.get(photo.id)
        if now is None:
            problems.append(f"photo #{photo.id} {photo.name} in {before.path_of(photo.album)} is gone")
        elif now != photo:
            problems.append(
                f"photo #{photo.id} {photo.name}={short(photo.sha)} became {now.name}={short(now.sha)} "
                f"in {after.path_of(now.album)}"
            )
    for album in before.albums.values():
        if album.id not in after.albums:
            problems.append(f"album {before.path_of(album.id)} is gone")
    return problems


def new_albums_are_single(before: Gallery, after: Gallery, needed: set[AlbumPath]) -> list[str]:
    """New albums only where a needed path had none, and never a second one of a name under one parent."""
    problems = []
    made = Counter()
    wanted_ids = {after.resolve(p[:d]) for p in needed for d in range(1, len(p) + 1)}
    for album in after.albums.values():
        if album.id in before.albums:
            continue
        key = (album.parent, album.name)
        made[key] += 1
        if any(a.parent == album.parent and a.name == album.name for a in before.albums.values()):
            problems.append(f"album {after.path_of(album.id)} was made though {album.name!r} already existed there")
        elif album.id not in wanted_ids:
            problems.append(f"album {after.path_of(album.id)} was made but no file goes to it")
    for (parent, name), count in made.items():
        if count > 1:
            where = after.path_of(parent) if parent else "the top level"
            problems.append(f"{count} albums named {name!r} were made under {where}")
    return problems


@dataclass(frozen=True)
class LocalFile:
    rel: str  # "One/y/IMG_0001.jpg"
    name: str
    folder: Folder
    sha: str
    path: str  # absolute, as the engine keeps it

    def target(self, mirror: bool) -> AlbumPath:
        return album_path_of(self.folder) if mirror else ()


def local_files(root: Path) -> list[LocalFile]:
    found = []
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            folder = os.path.dirname(rel)
            found.append(LocalFile(rel, name, folder, sha256(path.read_bytes()), os.path.abspath(path)))
    return sorted(found, key=lambda f: f.rel)


def upload_outcome(
    before: Gallery, after: Gallery, files: list[LocalFile], *, mirror: bool, dedup: bool, items: list
) -> list[str]:
    """Compare one upload (however many kills and resumes it took) with what the contract says it must do.

    Per target (album or root) and name:
    - with dedup, a name already in the target before the upload gets nothing new; any other gets
      exactly one new photo, holding the bytes of one of the local files of that name;
    - without dedup, every local file of that name is there once more, with its bytes.
    Every new photo belongs to one of these. Every item is done or a duplicate, and a done item names
    a photo that is in its target with its file's bytes.
    """
    problems = unchanged_history(before, after)
    needed = {f.target(mirror) for f in files}
    problems += new_albums_are_single(before, after, needed)
    groups: dict[tuple[int, str], list[LocalFile]] = {}
    for f in files:
        album = after.resolve(f.target(mirror))
        if album is None:
            problems.append(f"{f.rel}: album {'/'.join(f.target(mirror))} does not exist after the upload")
            continue
        groups.setdefault((album, nfc(f.name)), []).append(f)
    new = {pid: p for pid, p in after.photos.items() if pid not in before.photos}
    accounted: set[int] = set()
    for (album, name), group in sorted(groups.items()):
        landed = [p for p in new.values() if p.album == album and p.name == name]
        accounted.update(p.id for p in landed)
        where = f"{after.path_of(album)}/{name}"
        local = sorted(short(f.sha) for f in group)
        got = sorted(short(p.sha) for p in landed)
        if dedup:
            if before.in_target(album, name):
                if landed:
                    problems.append(f"{where}: was already there, yet got {got} (local {local})")
            elif len(landed) != 1:
                problems.append(f"{where}: expected one new photo from {local}, got {got or 'none'}")
            elif landed[0].sha not in {f.sha for f in group}:
                problems.append(f"{where}: landed {got} is none of the local files {local}")
        elif got != local:
            problems.append(f"{where}: expected each local file once {local}, got {got or 'none'}")
    for p in new.values():
        if p.id not in accounted:
            problems.append(
                f"photo #{p.id} {p.name}={short(p.sha)} landed in {after.path_of(p.album)}, "
                f"which no local file of that name goes to"
            )
    by_path = {f.path: f for f in files}
    for item in items:
        problems += _item_outcome(item, after, by_path.get(item.path), mirror)
    return problems


def _item_outcome(item, after: Gallery, local: LocalFile | None, mirror: bool) -> list[str]:
    label = f"item {local.rel if local else item.path} ({item.state})"
    if item.state == "duplicate":
        return []
    if item.state != "done":
        return [f"{label}: not in the gallery: {item.last_error}"]
    if item.photo_id is None:
        return [f"{label}: counted as uploaded without a photo id"]
    photo = after.photos.get(item.photo_id)
    if photo is None:
        return [f"{label}: counted as uploaded as #{item.photo_id}, which is not in the event"]
    problems = []
    if local is not None:
        if photo.sha != local.sha:
            problems.append(
                f"{label}: counted as uploaded as #{photo.id}={short(photo.sha)}, but the file is "
                f"{short(local.sha)} ({item.last_error or 'sent'})"
            )
        if photo.album != after.resolve(local.target(mirror)):
            problems.append(
                f"{label}: counted as uploaded as #{photo.id} in {after.path_of(photo.album)}, not in its target"
            )
    return problems


#: Hypothesis stops shrinking after this long in CI (its own limit is 300 s).
SHRINK_SECONDS = 30


def ci_settings(max_examples: int) -> settings:
    """The CI size of a model test: fixed seeds, short runs, no example database."""
    return settings(
        max_examples=max_examples,
        stateful_step_count=10,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
