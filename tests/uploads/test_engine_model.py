"""Model-based test of the upload engine: random histories of a photo tree, albums and uploads.

A Hypothesis state machine (shrinking gives a short list of steps when
something fails). Each step is one of: write a new photo or re-export one (new
bytes, or the same bytes with a new time) in a small tree where names repeat
across folders and levels; make an album as another app would (including a
second one with a name that already exists under the same parent); put a photo
into a target from another app; run an upload (folders mirrored or not, dedup
on or off) while the sandbox fails writes before and after they take effect;
run ``studio-desktop upload`` as a process, SIGKILL it mid-run and let the
queue finish in a new engine working the whole queue (as the app does after a
crash; running the command again would be a second upload, which with
``--no-dedup`` is meant to send everything again).

After each upload, with everything quiet, the gallery as the API lists it is
compared with the exactly-once contract (see ``model_support.upload_outcome``).

Why Hypothesis stateful rather than a hand-rolled loop: the engine is async,
but each step here runs to quiescence on the example's event loop (an engine's
life ends with each upload, as a terminal run's does), so steps are plain
functions and Hypothesis's shrinking and step printing come for free.
Size: ``CI`` below; ``tests/benchmarks/bench_model.py`` runs more seeds and steps.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import note, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule, run_state_machine_as_test

from studio_desktop.core import config
from studio_desktop.core import paths as app_paths
from studio_desktop.core.store import Store
from studio_desktop.uploads.engine import EngineTiming
from studio_desktop.uploads.records import queue as q

from .engine_support import running
from .model_support import STATS, Gallery, World, ci_settings, ensure_album, local_files, read_gallery, upload_outcome

REPO = Path(__file__).resolve().parents[2]

FOLDERS = ("", "One", "Two", "One/y", "Two/y", "One/One")
NAMES = ("IMG_0001.jpg", "IMG_0002.jpg")
ALBUM_PATHS = ((), ("One",), ("Two",), ("One", "y"), ("One", "One"), ("y",))
WRITE_METHODS = ("sp.photo.upload", "sp.album.create")
#: Enough attempts that a fault rate of 0.35 never exhausts them (0.35**25 per item).
#: The sandbox's upload latency in the kill steps is 0.1 s: a killed run's last upload lands well within a second.
TIMING = EngineTiming(
    max_attempts=25,
    base_delay=0.002,
    max_delay=0.01,
    probe_delay=0.05,
    probe_max_delay=0.2,
    probe_timeout=2.0,
    landing_grace=1.0,
)

CI = ci_settings(25)


@dataclass(frozen=True)
class FaultPlan:
    """Random failures of write methods, half of them after the server committed."""

    rate: float
    methods: tuple[str, ...]
    seed: int

    def __repr__(self) -> str:
        return f"FaultPlan(rate={self.rate}, methods={self.methods}, seed={self.seed})"


@dataclass(frozen=True)
class Change:
    """Write ``rel``: new bytes (a new photo, or a re-export with edits), or its own bytes again."""

    rel: str
    same_bytes: bool = False

    def __repr__(self) -> str:
        return f"Change({self.rel!r}{', same_bytes=True' if self.same_bytes else ''})"


#: New photos or re-exports made before an upload (none is fine: the same tree uploaded again).
CHANGES = st.lists(
    st.builds(
        Change,
        st.builds(lambda f, n: f"{f}/{n}" if f else n, st.sampled_from(FOLDERS), st.sampled_from(NAMES)),
        st.booleans(),
    ),
    max_size=4,
)

FAULT_PLANS = st.builds(
    FaultPlan,
    rate=st.sampled_from((0.2, 0.35)),
    methods=st.sampled_from((("sp.photo.upload",), ("sp.album.create",), WRITE_METHODS)),
    seed=st.integers(0, 999),
)


class EngineModel(RuleBasedStateMachine):
    """Photos, albums from another app and plain uploads; subclasses upload under faults, or kill uploads
    (each instead of plain uploads, so that the three tests find different defects first)."""

    WITH_FAULTS = False
    WITH_KILLS = False

    #: The sandbox studio the examples share (each has its own event); set by the test.
    server = None

    def __init__(self):
        super().__init__()
        self.world = World(self.server, "engine-model-")
        self.uploads = 0
        self.plan: list[str] = []  # the steps so far, for failures Hypothesis cannot replay

    def _step(self, rule_name: str, /, **args) -> None:
        STATS[rule_name] += 1
        self.plan.append(f"{rule_name}({', '.join(f'{k}={v!r}' for k, v in args.items())})")

    def _note(self, text: str) -> None:
        note(text)
        self.plan.append(f"  # {text}")

    def teardown(self):
        self.world.close()

    # -- the photographer's disk -----------------------------------------------------------------

    def _write(self, rel: str, data: bytes) -> None:
        path = self.world.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        old = path.stat().st_mtime_ns if path.exists() else 0
        path.write_bytes(data)
        # A re-export always gets a newer time, even on a coarse-grained file system.
        stamp = max(time.time_ns(), old + 1_000_000_000)
        os.utime(path, ns=(stamp, stamp))

    def _apply(self, change: Change) -> None:
        path = self.world.root / change.rel
        same = change.same_bytes and path.exists()
        self._write(change.rel, path.read_bytes() if same else self.world.fresh_content())

    @initialize(changes=CHANGES.filter(bool))
    def shoot(self, changes):
        """The first photos of the tree."""
        self._step("shoot", changes=changes)
        self._apply_all(changes)

    def _apply_all(self, changes: list[Change]) -> None:
        for change in changes:
            self._apply(change)

    # -- another app on the same account ------------------------------------------------------------

    @rule(path=st.sampled_from(ALBUM_PATHS[1:]), duplicate=st.booleans())
    def album_elsewhere(self, path, duplicate):
        """Another app makes the albums of ``path``; with ``duplicate``, a second album of the last
        name even where one exists under that parent."""
        self._step("album_elsewhere", path=path, duplicate=duplicate)

        async def act():
            client = self.world.client()
            gallery = await read_gallery(self.world.server, client, self.world.event_id)
            await ensure_album(client, gallery, self.world.event_id, path, duplicate_leaf=duplicate)

        self.world.run(act())

    @rule(into=st.sampled_from(ALBUM_PATHS), name=st.sampled_from(NAMES))
    def photo_elsewhere(self, into, name):
        """Another app puts a photo of its own named ``name`` into ``into`` (() is the event's root)."""
        self._step("photo_elsewhere", into=into, name=name)

        async def act():
            client = self.world.client()
            gallery = await read_gallery(self.world.server, client, self.world.event_id)
            album = await ensure_album(client, gallery, self.world.event_id, into) if into else None
            source = self.world.scratch / name
            source.write_bytes(self.world.fresh_content())
            await client.photo_upload(self.world.event_id, source, album_id=album, file_name=name)

        self.world.run(act())

    # -- uploads --------------------------------------------------------------------------------------

    @precondition(lambda self: not (self.WITH_FAULTS or self.WITH_KILLS))
    @rule(changes=CHANGES, mirror=st.booleans(), dedup=st.booleans())
    def upload(self, changes, mirror, dedup):
        """Files changed (``changes``), then the root folder uploaded."""
        self._step("upload", changes=changes, mirror=mirror, dedup=dedup)
        self._apply_all(changes)
        self._upload(mirror, dedup, None)

    @precondition(lambda self: self.WITH_FAULTS)
    @rule(changes=CHANGES, mirror=st.booleans(), dedup=st.booleans(), faults=FAULT_PLANS)
    def upload_under_faults(self, changes, mirror, dedup, faults):
        """The same, while the sandbox fails some writes, before or after they took effect."""
        self._step("upload_under_faults", changes=changes, mirror=mirror, dedup=dedup, faults=faults)
        self._apply_all(changes)
        self._upload(mirror, dedup, faults)

    def _upload(self, mirror: bool, dedup: bool, faults: FaultPlan | None) -> None:
        world = self.world
        before = world.gallery()
        files = local_files(world.root)
        if faults is not None:
            world.server.faults.configure(
                rate=faults.rate,
                statuses=(500, 502, 503, 429),
                reset_share=0.3,
                after_share=0.5,
                retry_after=0,
                only_methods=faults.methods,
                seed=faults.seed,
            )

        async def run():
            with Store() as store:
                async with running(world.server, store, dedup=dedup, batches=(), timing=TIMING) as (engine, _):
                    batch = await engine.enqueue([world.root], world.event_id, mirror_folders=mirror)
                    await engine.wait_idle()
                return list(q.iter_items(store, batch_ids=[batch]))

        try:
            items = world.run(run())
        finally:
            injected = world.server.faults.counts
            world.server.faults.clear()
        if faults is not None:
            self._note(f"upload #{self.uploads + 1}: faults injected {injected}")
        self._check(before, files, mirror, dedup, items)

    @precondition(lambda self: self.WITH_KILLS)
    @rule(changes=CHANGES, mirror=st.booleans(), dedup=st.booleans(), kill_after=st.integers(1, 4))
    def upload_killed_then_resumed(self, changes, mirror, dedup, kill_after):
        """``studio-desktop upload`` SIGKILLed once ``kill_after`` photos landed; a new engine finishes the queue."""
        self._step("upload_killed_then_resumed", changes=changes, mirror=mirror, dedup=dedup, kill_after=kill_after)
        self._apply_all(changes)
        world = self.world
        before = world.gallery()
        files = local_files(world.root)
        with Store() as store:
            known = {i.id for i in q.iter_items(store)}
        # Slow uploads down so that the kill lands while some are on the wire.
        world.server.faults.configure(latency=0.1, only_methods="sp.photo.upload")
        command = [
            sys.executable,
            "-m",
            "studio_desktop",
            "upload",
            str(world.root),
            "--event",
            str(world.event_id),
            "--concurrency",
            "3",
            "--api-url",
            world.server.shootproof_api_url,
            *(["--mirror-folders"] if mirror else []),
            *([] if dedup else ["--no-dedup"]),
        ]
        env = {
            **os.environ,
            app_paths.DATA_DIR_ENV: str(world.data),
            config.ENV_ACCESS_TOKEN: world.server.access_token,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        }
        env.pop(config.ENV_API_URL, None)
        env.pop(config.ENV_SANDBOX, None)
        start = len(before.photos)
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
        try:
            deadline = time.monotonic() + 60
            while world.server.studio.count_photos(world.event_id) < start + kill_after and process.poll() is None:
                assert time.monotonic() < deadline, "the killed upload made no progress"
                time.sleep(0.005)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
            world.server.faults.clear()
        landed = world.server.studio.count_photos(world.event_id) - start
        self._note(f"upload #{self.uploads + 1}: killed after {landed} new photo(s) (exit {process.returncode})")

        async def resume():
            with Store() as store:
                async with running(world.server, store, dedup=dedup, timing=TIMING) as (engine, _):
                    await engine.wait_idle()
                return [i for i in q.iter_items(store) if i.id not in known]

        items = world.run(resume())
        self._check(before, files, mirror, dedup, items)

    def _check(self, before: Gallery, files, mirror: bool, dedup: bool, items) -> None:
        world = self.world
        after = world.gallery()
        self.uploads += 1
        problems = upload_outcome(before, after, files, mirror=mirror, dedup=dedup, items=items)
        if problems:
            local = "\n".join(f"  {f.rel}={f.sha[:8]}" for f in files)
            raise AssertionError(
                f"upload #{self.uploads} (mirror={mirror}, dedup={dedup}) broke the contract:\n  "
                + "\n  ".join(problems)
                + f"\nlocal files:\n{local}\ngallery before:\n{before.describe()}\ngallery after:\n{after.describe()}"
                + "\nsteps of this example:\n  "
                + "\n  ".join(self.plan)
            )


class EngineModelUnderFaults(EngineModel):
    WITH_FAULTS = True


class EngineModelKilled(EngineModel):
    WITH_KILLS = True


def _run(machine: type[EngineModel], server, chosen: settings = CI) -> None:
    before = sum(STATS.values())
    machine.server = server
    try:
        run_state_machine_as_test(machine, settings=chosen)
    finally:
        machine.server = None
    assert STATS["upload"] + STATS["upload_under_faults"] + STATS["upload_killed_then_resumed"] > 0
    assert sum(STATS.values()) > before


@pytest.mark.slow
def test_uploads_keep_the_exactly_once_contract(server, bounded_shrinking):
    _run(EngineModel, server)


@pytest.mark.slow
def test_uploads_keep_the_exactly_once_contract_under_faults(server, bounded_shrinking):
    _run(EngineModelUnderFaults, server)


@pytest.mark.slow
def test_uploads_keep_the_exactly_once_contract_when_killed(server, bounded_shrinking):
    # Each kill starts a `studio-desktop upload` process (about a second): fewer examples.
    _run(EngineModelKilled, server, settings(CI, max_examples=10))
