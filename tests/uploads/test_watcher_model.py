"""Model-based test of hot folders: a camera, a photographer and a second watcher against one folder.

A Hypothesis state machine over a real watcher (inotify), a real engine and the
sandbox. Steps: a photo appears (written in chunks; sometimes reopened and
rewritten within a fraction of a second, as tethering software adds XMP), a
file is renamed or moved into a subfolder, a subfolder is renamed, a file is
touched (only its time changes), the watcher is stopped and started again, a
second watcher (its own data folder) tries to start on the same folder and must
be refused (``FolderInUse``: two would upload every photo twice). With
``after=move`` uploaded files leave the folder, so a later photo can reuse a
name (a new card, the counter rolled over).

At each quiet point, and at the end: every distinct photo written (identified
by its bytes; a rewrite within the settle time is the same photo) is in the
gallery exactly once, with its final bytes, in the album of one of the
folders it lived in (folders are mirrored); nothing in the gallery is bytes no
photo had (a half-written upload); and no photo that was in the gallery was
replaced by a different one, or sent again with the same bytes. A photo whose
album already had its name from an earlier photo need not land (the contract
calls it a duplicate), but must not land twice or replace the other.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field

import pytest
from hypothesis import note
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule, run_state_machine_as_test

from studio_desktop.core.store import Store
from studio_desktop.uploads.engine import UploadEngine
from studio_desktop.uploads.hotfolders.lock import FolderInUse
from studio_desktop.uploads.hotfolders.watcher import HotFolderWatcher

from .engine_support import FAST, client_for
from .hotfolder_harness import WATCHDOG_RACE
from .model_support import STATS, AlbumPath, Gallery, World, album_path_of, ci_settings, read_gallery, sha256, short

pytestmark = WATCHDOG_RACE

FOLDERS = ("", "One", "Two")
SUBFOLDERS = ("One", "Two", "One/y")
NAMES = ("IMG_0001.jpg", "IMG_0002.jpg")
RENAMES = ("IMG_0101.jpg", "IMG_0102.jpg")
FOLDER_RENAMES = ("Renamed", "Other")
SETTLE = 0.3
#: A rewrite this soon after the file was closed is part of writing it (well within ``SETTLE``).
RETOUCH_AFTER = 0.15
QUIET_TIMEOUT = 20.0

CI = ci_settings(12)


@dataclass(frozen=True)
class Shot:
    folder: str
    name: str
    chunks: int = 1
    retouch: bool = False


SHOTS = st.builds(Shot, st.sampled_from(FOLDERS), st.sampled_from(NAMES), st.integers(1, 4), st.booleans())


@dataclass
class Photo:
    """One picture as the photographer sees it: its versions' bytes, and the albums of the folders it lived in."""

    label: str
    versions: list[str]
    albums: set[AlbumPath]
    name_taken: bool = False
    names: set[str] = field(default_factory=set)

    @property
    def final(self) -> str:
        return self.versions[-1]


class Side:
    """A watcher with its own engine and store (a second one gets its own data folder)."""

    def __init__(self, world: World, store_path, options: dict):
        self.world = world
        self.store_path = store_path
        self.options = options
        self.store = None
        self.client = None
        self.engine = None
        self.watcher = None

    async def start(self) -> None:
        self.store_path.parent.mkdir(parents=True, exist_ok=True)
        self.store = Store(self.store_path)
        self.client = client_for(self.world.server)
        self.engine = UploadEngine(self.client, self.store, timing=FAST)
        await self.engine.start()
        self.watcher = HotFolderWatcher(
            self.world.root,
            self.world.event_id,
            self.engine,
            settle=SETTLE,
            health_interval=0.2,
            mirror_folders=True,
            **self.options,
        )
        try:
            await self.watcher.start()
        except FolderInUse:
            await self.stop()
            raise

    async def quiet(self) -> None:
        await self.watcher.wait_quiet(QUIET_TIMEOUT)
        await asyncio.wait_for(self.engine.wait_idle(), QUIET_TIMEOUT)
        await self.watcher.wait_quiet(QUIET_TIMEOUT)

    async def stop(self) -> None:
        try:
            if self.watcher is not None:
                await self.watcher.stop()
            if self.engine is not None:
                await self.engine.stop()
        finally:
            if self.client is not None:
                await self.client.aclose()
            if self.store is not None:
                self.store.close()
            self.watcher = self.engine = self.client = self.store = None


class WatcherModel(RuleBasedStateMachine):
    """One watcher, a camera writing (and rewriting) photos, restarts; the subclass adds moves and a second watcher."""

    #: The sandbox studio the examples share (each has its own event); set by the test.
    server = None
    WITH_MOVES = False

    def __init__(self):
        super().__init__()
        self.world = World(self.server, "watcher-model-")
        self.photos: list[Photo] = []
        self.by_sha: dict[str, Photo] = {}
        self.seen: dict[int, str] = {}  # photo id -> sha, from earlier checks
        self.sides: list[Side] = []
        self.plan: list[str] = []  # the steps so far, for failures Hypothesis cannot replay

    def _step(self, rule_name: str, /, **args) -> None:
        STATS[rule_name] += 1
        self.plan.append(f"{rule_name}({', '.join(f'{k}={v!r}' for k, v in args.items())})")

    def _note(self, text: str) -> None:
        note(text)
        self.plan.append(f"  # {text}")

    def teardown(self):
        try:
            if self.sides:
                self._check()
        finally:
            try:
                for side in self.sides:
                    self.world.run(side.stop())
            finally:
                self.world.close()

    # -- watchers ---------------------------------------------------------------------------------

    @initialize(move_after=st.booleans(), replace_changed=st.booleans())
    def start_watching(self, move_after, replace_changed):
        """``watch F --mirror-folders [--after move:D] [--replace-changed]``."""
        self._step("start_watching", move_after=move_after, replace_changed=replace_changed)
        self.options = {
            "replace_changed": replace_changed,
            "after": f"move:{self.world.base / 'done'}" if move_after else "leave",
        }
        first = Side(self.world, self.world.data / "data" / "studio.sqlite3", self.options)
        self.sides.append(first)
        self.world.run(first.start())

    @rule(change=st.sampled_from(("restart", "second")))
    def watchers(self, change):
        if change == "second" and not self.WITH_MOVES:
            change = "restart"
        self._watchers(change)

    def _watchers(self, change: str) -> None:
        """``restart``: the first watcher (and its engine) stopped and started again on the same store.
        ``second``: a second watcher with its own data folder tries to start on the same folder: it must be
        refused (it would not know what the first sent, and upload it again), and the first goes on."""
        self._step(f"watchers {change}", change=change)
        if change == "restart":
            side = self.sides[0]
            self.world.run(side.stop())
            self.world.run(side.start())
            return
        second = Side(self.world, self.world.base / "data2" / "studio.sqlite3", self.options)
        try:
            self.world.run(second.start())
        except FolderInUse:
            self._note("the second watcher was refused: the folder is watched")
            return
        self.sides.append(second)  # stopped at teardown
        raise AssertionError(
            "a second watcher (its own data folder) started on a watched folder\n"
            "steps of this example:\n  " + "\n  ".join(self.plan)
        )

    # -- the camera and the photographer -------------------------------------------------------------

    def _on_disk(self) -> dict[str, Photo]:
        """Files in the folder now, by relative path, with the photo each is (by its bytes)."""
        found = {}
        for dirpath, _, names in os.walk(self.world.root):
            for name in names:
                path = os.path.join(dirpath, name)
                try:
                    with open(path, "rb") as photo_file:
                        data = photo_file.read()
                except OSError:
                    continue
                photo = self.by_sha.get(sha256(data))
                if photo is not None:
                    found[os.path.relpath(path, self.world.root)] = photo
        return found

    def _taken(self, album: AlbumPath, name: str, photo: Photo | None = None) -> bool:
        return any(album in p.albums and name in p.names for p in self.photos if p is not photo)

    @rule(shot=SHOTS)
    def camera_writes(self, shot):
        """A new photo written in ``chunks`` (the first free name from ``name`` on); with ``retouch``,
        reopened and rewritten with its final bytes soon after it was first closed."""
        self._step("camera_writes", shot=shot)
        folder, name, chunks, retouch = shot.folder, shot.name, shot.chunks, shot.retouch
        on_disk = self._on_disk()
        free = [
            n
            for n in NAMES[NAMES.index(name) :] + NAMES[: NAMES.index(name)]
            if os.path.join(folder, n) not in on_disk and not (self.world.root / folder / n).exists()
        ]
        if not free:
            self._note("no free name there: nothing shot")
            return
        name = free[0]
        album = album_path_of(folder)
        first = self.world.fresh_content()
        versions = [sha256(first)]
        final = None
        if retouch:
            final = self.world.fresh_content()
            versions.append(sha256(final))
        photo = Photo(f"P{len(self.photos) + 1}", versions, {album}, self._taken(album, name), {name})
        self.photos.append(photo)
        for sha in versions:
            self.by_sha[sha] = photo
        path = self.world.root / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)

        async def write():
            step = -(-len(first) // chunks)
            with open(path, "wb") as out:
                for start in range(0, len(first), step):
                    out.write(first[start : start + step])
                    out.flush()
                    await asyncio.sleep(0.02)
            if final is not None:
                await asyncio.sleep(RETOUCH_AFTER)
                with open(path, "wb") as out:
                    out.write(final)

        self.world.run(write())
        self._note(
            f"{photo.label} = {os.path.join(folder, name)} {[short(v) for v in versions]}"
            f"{' (name taken in its album)' if photo.name_taken else ''}"
        )

    def _pick(self, data) -> tuple[str, Photo] | None:
        on_disk = self._on_disk()
        if not on_disk:
            return None
        rel = data.draw(st.sampled_from(sorted(on_disk)), label="file")
        return rel, on_disk[rel]

    def _moved(self, photo: Photo, rel: str) -> None:
        folder, name = os.path.split(rel)
        album = album_path_of(folder)
        if self._taken(album, name, photo):
            photo.name_taken = True
        photo.albums.add(album)
        photo.names.add(name)

    def _has_files(self) -> bool:
        return self.WITH_MOVES and bool(self._on_disk())

    @precondition(_has_files)
    @rule(data=st.data(), new_name=st.sampled_from(RENAMES))
    def rename_file(self, data, new_name):
        self._step("rename_file", new_name=new_name)
        picked = self._pick(data)
        if picked is None:
            return
        rel, photo = picked
        dest = os.path.join(os.path.dirname(rel), new_name)
        if (self.world.root / dest).exists():
            return
        os.rename(self.world.root / rel, self.world.root / dest)
        self._moved(photo, dest)
        self._note(f"{photo.label}: {rel} -> {dest}")

    @precondition(_has_files)
    @rule(data=st.data(), sub=st.sampled_from(SUBFOLDERS))
    def move_into_subfolder(self, data, sub):
        self._step("move_into_subfolder", sub=sub)
        picked = self._pick(data)
        if picked is None:
            return
        rel, photo = picked
        dest = os.path.join(sub, os.path.basename(rel))
        if (self.world.root / dest).exists() or os.path.dirname(rel) == sub:
            return
        (self.world.root / sub).mkdir(parents=True, exist_ok=True)
        os.rename(self.world.root / rel, self.world.root / dest)
        self._moved(photo, dest)
        self._note(f"{photo.label}: {rel} -> {dest}")

    @precondition(lambda self: bool(self._on_disk()))
    @rule(data=st.data())
    def touch_file(self, data):
        """Only the modification time changes (a backup tool, ``touch``): the same photo, the same bytes."""
        self._step("touch_file")
        on_disk = self._on_disk()
        rel = data.draw(st.sampled_from(sorted(on_disk)), label="file")
        path = self.world.root / rel
        stamp = path.stat().st_mtime_ns + 5_000_000_000
        os.utime(path, ns=(stamp, stamp))
        self._note(f"{on_disk[rel].label}: {rel} touched")

    @precondition(lambda self: self.WITH_MOVES and any((self.world.root / f).is_dir() for f in SUBFOLDERS[:2]))
    @rule(folder=st.sampled_from(SUBFOLDERS[:2]), new=st.sampled_from(FOLDER_RENAMES))
    def rename_folder(self, folder, new):
        self._step("rename_folder", folder=folder, new=new)
        source, dest = self.world.root / folder, self.world.root / new
        if not source.is_dir() or dest.exists():
            return
        before = self._on_disk()
        os.rename(source, dest)
        for rel, photo in self._on_disk().items():
            if rel.startswith(new + os.sep) and photo in before.values():
                self._moved(photo, rel)
        self._note(f"folder {folder} -> {new}")

    # -- quiet points ---------------------------------------------------------------------------------

    @precondition(lambda self: bool(self.photos))
    @rule()
    def check_when_quiet(self):
        self._step("check_when_quiet")
        self._check()

    def _album_names(self, gallery: Gallery, album: int) -> AlbumPath:
        names = []
        while album:
            row = gallery.albums[album]
            names.append(row.name)
            album = row.parent
        return tuple(reversed(names))

    def _check(self) -> None:
        async def quiet():
            for side in self.sides:
                await side.quiet()

        try:
            self.world.run(quiet())
        except TimeoutError:
            raise AssertionError(
                f"the watchers were not quiet after {QUIET_TIMEOUT} s\nsteps of this example:\n  "
                + "\n  ".join(self.plan)
            ) from None
        must_land = [p for p in self.photos if not p.name_taken]

        async def landed() -> Gallery:
            # Files the gate handed over after the last look are still on their way: wait for them.
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 5
            while True:
                gallery = await read_gallery(self.world.server, self.world.client(), self.world.event_id)
                shas = {p.sha for p in gallery.photos.values()}
                if all(p.final in shas for p in must_land) or loop.time() > deadline:
                    return gallery
                await asyncio.sleep(0.1)

        gallery = self.world.run(landed())
        problems = []
        rows_of: dict[str, list] = {}
        for row in sorted(gallery.photos.values(), key=lambda r: r.id):
            photo = self.by_sha.get(row.sha)
            if photo is None:
                problems.append(f"#{row.id} {row.name}={short(row.sha)} is bytes no photo had")
                continue
            rows_of.setdefault(photo.label, []).append(row)
        for photo in self.photos:
            rows = rows_of.get(photo.label, [])
            where = [
                f"#{r.id} {'/'.join(self._album_names(gallery, r.album)) or '(root)'}/{r.name}={short(r.sha)}"
                for r in rows
            ]
            if len(rows) > 1:
                problems.append(f"{photo.label} is in the gallery {len(rows)} times: {where}")
            if not photo.name_taken and not any(r.sha == photo.final for r in rows):
                problems.append(
                    f"{photo.label} (final {short(photo.final)}) is not in the gallery with its final "
                    f"bytes: {where or 'not at all'}"
                )
            for r in rows:
                album = self._album_names(gallery, r.album)
                if album not in photo.albums:
                    problems.append(
                        f"{photo.label} is in album {'/'.join(album) or '(root)'}, not one of its "
                        f"folders' {sorted('/'.join(a) or '(root)' for a in photo.albums)}"
                    )
        for photo_id, sha in self.seen.items():
            now = gallery.photos.get(photo_id)
            if now is not None and now.sha == sha:
                continue
            again = [r for r in gallery.photos.values() if r.sha == sha and r.id not in self.seen]
            if again:
                problems.append(
                    f"#{photo_id} ({self.by_sha[sha].label if sha in self.by_sha else short(sha)}) was "
                    f"sent again with the same bytes as #{again[0].id}"
                )
                continue
            was = self.by_sha.get(sha)
            if was is None or not any(self.by_sha.get(r.sha) is was for r in gallery.photos.values()):
                problems.append(
                    f"#{photo_id} ({was.label if was else short(sha)}) was in the gallery and is gone: "
                    f"replaced by {self.by_sha[now.sha].label if now and now.sha in self.by_sha else now}"
                )
        self.seen = {r.id: r.sha for r in gallery.photos.values()}
        if problems:
            photos = "\n".join(
                f"  {p.label}: {[short(v) for v in p.versions]} albums "
                f"{sorted('/'.join(a) or '(root)' for a in p.albums)} names {sorted(p.names)}"
                f"{' (name taken)' if p.name_taken else ''}"
                for p in self.photos
            )
            raise AssertionError(
                "the hot folder broke the contract:\n  "
                + "\n  ".join(problems)
                + f"\nphotos written:\n{photos}\ngallery:\n{gallery.describe()}"
                + "\nsteps of this example:\n  "
                + "\n  ".join(self.plan)
            )


class MovingWatcherModel(WatcherModel):
    """Also: files renamed and moved into subfolders, subfolders renamed, a second watcher on the folder."""

    WITH_MOVES = True


def _run(machine: type[WatcherModel], server) -> None:
    before = STATS["check_when_quiet"] + STATS["camera_writes"]
    machine.server = server
    try:
        run_state_machine_as_test(machine, settings=CI)
    finally:
        machine.server = None
    assert STATS["check_when_quiet"] + STATS["camera_writes"] > before


@pytest.mark.slow
def test_hot_folders_upload_every_photo_once_with_its_final_bytes(server, bounded_shrinking):
    _run(WatcherModel, server)


@pytest.mark.slow
def test_hot_folders_keep_photos_once_through_moves_renames_and_a_second_watcher(server, bounded_shrinking):
    _run(MovingWatcherModel, server)
