"""Is the window responsive during a big upload? The longest event-loop stall while 500 photos upload.

    .venv/bin/python tests/benchmarks/bench_ui_stall.py [--photos 500] [--quick] [--slow-disk MS]

The app runs offscreen exactly as a user starts it (``GuiSession.open`` with the
upload engine on), against the demo sandbox studio served from a separate
process, so the server's work never holds the app's GIL. The demo wedding
gallery is open in the grid with its thumbnails showing; then the photos are
queued into that gallery (as a drop on it would) and, while they upload, the
grid is reloaded every second and scrolled to the bottom, so pages and
thumbnails of the new photos are fetched during the upload, as a user watching
the gallery fill would cause. The measurement ends once the finished batch has
refreshed the tree and the grid.

A 5 ms precise ``QTimer`` on the GUI thread records the gaps between its ticks:
any gap much longer than 5 ms is time the loop could not answer the user.
Printed: the worst gap, p99/p95/p50 of the gaps, how many exceeded 50 ms (and
when the worst ones happened), upload throughput, the sandbox's CPU share (from
``/proc/<pid>/stat``) and the app's, what every other process on the machine
used meanwhile (``/proc/stat``; a busy neighbour shows up as stalls, so such a
run is flagged), and the app process's peak RSS (``ru_maxrss``).

Target: worst gap under 50 ms.

Photos are noisy JPEGs of 4-7 megapixels and 0.6-3.7 MB (1.9 MB on average),
made with Pillow once, in child processes, into ``/tmp/studio-bench-photos/``
and reused. Before measuring, the script waits (up to a few minutes) for the
1-minute load average to drop below 1.5; ``--quick`` (100 photos) does not wait.
``--debug-slow`` also logs every asyncio callback that ran longer than 20 ms
(qasync's debug mode; it slows the loop a little, so not for the figures).
``--trace-gaps MS`` says what each gap over MS ms was made of: the garbage
collections in it, samples of the GUI thread's Python stack, and how long the GUI
thread was on a CPU and how long it waited for one (Linux schedstat). On this
shared 2-core machine, under load most of a long gap is the wait for a CPU.

``--slow-disk MS`` serves the photo folder through ``slow_disk.py`` (a FUSE
passthrough that waits MS milliseconds on every open and every read), so the
loop's stalls from file I/O show: 10 ms is a NAS over Wi-Fi or a USB 2 card
reader, 100 ms a disk spinning up. Target there too: worst gap under 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import itertools
import logging
import multiprocessing
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LANG", "C.UTF-8")

TARGET_MS = 50.0
TICK_MS = 5
CACHE_DIR = Path(tempfile.gettempdir()) / "studio-bench-photos"
GALLERY = "Harper & Liam Wedding"
RELOAD_EVERY_S = 1.0
#: Other processes' CPU use (cores) during the upload above which the run is called not quiet.
OTHERS_LIMIT = 0.25
MB = 1_000_000


# -- photos -----------------------------------------------------------------------------------------


def _make_photo(job: tuple[Path, int]) -> int:
    """One noisy JPEG (0.6-3.7 MB): coloured noise over gradients, so it does not compress to nothing."""
    from PIL import Image

    path, seed = job
    rng = random.Random(seed)
    width, height = rng.choice([(3000, 2000), (2000, 3000), (2400, 1600), (3200, 2133)])
    sigma = rng.uniform(25, 55)
    noise = Image.merge(
        "RGB",
        [
            Image.effect_noise((width // 2, height // 2), sigma).resize((width, height), Image.Resampling.BILINEAR)
            for _ in range(3)
        ],
    )
    ramp = Image.linear_gradient("L").resize((width, height))
    colour = Image.merge(
        "RGB", [ramp, ramp.transpose(Image.Transpose.FLIP_LEFT_RIGHT), ramp.transpose(Image.Transpose.FLIP_TOP_BOTTOM)]
    )
    image = Image.blend(noise, colour, rng.uniform(0.3, 0.6))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=rng.randint(86, 94))
    tmp = path.with_suffix(".part")
    tmp.write_bytes(out.getvalue())
    os.replace(tmp, path)
    return len(out.getvalue())


def ensure_photos(count: int, folder: Path = CACHE_DIR) -> list[Path]:
    """``count`` photos in ``folder``, made (in two child processes) only where they are missing."""
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / f"IMG_{n:05d}.jpg" for n in range(1, count + 1)]
    missing = [(path, n) for n, path in enumerate(files, 1) if not path.is_file()]
    if missing:
        print(f"making {len(missing)} photos of about 2 MB in {folder} (once; later runs reuse them) ...", flush=True)
        began = time.perf_counter()
        with multiprocessing.get_context("spawn").Pool(2) as pool:
            for done, _ in enumerate(pool.imap_unordered(_make_photo, missing, chunksize=4), 1):
                if done % 100 == 0:
                    print(f"  {done}/{len(missing)}", flush=True)
        print(f"  made in {time.perf_counter() - began:.0f} s", flush=True)
    return files


# -- the machine ------------------------------------------------------------------------------------


def wait_for_quiet(limit: float, tries: int) -> tuple[float, float, float]:
    """The load averages once the 1-minute one is below ``limit`` (or after ``tries`` waits of a minute)."""
    load = os.getloadavg()
    for attempt in range(tries):
        if load[0] <= limit:
            break
        print(
            f"load average {load[0]:.2f} (above {limit}): another job is running; waiting a minute "
            f"({attempt + 1}/{tries}) ...",
            flush=True,
        )
        time.sleep(60)
        load = os.getloadavg()
    return load


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (all its threads), from /proc."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        fields = handle.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds spent by every process on the machine since boot (all cores), from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    # guest time is already counted in user time
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- the sandbox in its own process -------------------------------------------------------------------


def serve(data_dir: str, pipe) -> None:
    """Child process: the demo studio, answering photo counts until told to stop."""
    from studio_desktop.sandbox.server import SandboxServer

    with SandboxServer(data_dir, seed="demo") as server:
        pipe.send((server.shootproof_api_url, server.access_token))
        while True:
            command, *args = pipe.recv()
            if command == "count":
                pipe.send(server.studio.count_photos(*args))
            elif command == "stop":
                break


class Sandbox:
    def __init__(self, data_dir: Path):
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self.process = context.Process(target=serve, args=(str(data_dir), child), daemon=True)
        self.process.start()
        self.url, self.token = self._pipe.recv()

    @property
    def pid(self) -> int:
        return self.process.pid

    def count(self, event_id: int) -> int:
        self._pipe.send(("count", event_id))
        return self._pipe.recv()

    def stop(self) -> None:
        try:
            self._pipe.send(("stop",))
        except OSError:
            pass
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.terminate()


# -- the stall meter ----------------------------------------------------------------------------------


def read_schedstat() -> tuple[int, int]:
    """The GUI (main) thread's time on a CPU and time waiting for one, in ns (Linux ``schedstat``)."""
    with open(f"/proc/self/task/{os.getpid()}/schedstat", encoding="ascii") as handle:
        on_cpu, waiting, _ = handle.read().split()
    return int(on_cpu), int(waiting)


class StallMeter:
    """A 5 ms precise timer on the GUI thread; the gaps between its ticks are how long the loop was busy."""

    def __init__(self):
        from PySide6.QtCore import Qt, QTimer

        self.ticks: list[float] = []
        self.marks: list[tuple[float, str]] = []
        #: With ``--trace-gaps``: the GUI thread's (ns on a CPU, ns waiting for one) at each tick.
        self.schedstat: list[tuple[int, int]] | None = None
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        self.ticks.append(time.perf_counter())
        if self.schedstat is not None:
            self.schedstat.append(read_schedstat())

    def start(self) -> None:
        self.ticks = [time.perf_counter()]
        if self.schedstat is not None:
            self.schedstat = [read_schedstat()]
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def mark(self, what: str) -> None:
        """Note a moment (upload queued, grid reloaded...), to tell when the worst gaps happened."""
        self.marks.append((time.perf_counter(), what))

    def gaps(self) -> list[tuple[float, float]]:
        """(gap in ms, when it ended in seconds since start) for every pair of ticks."""
        start = self.ticks[0]
        return [((b - a) * 1000, b - start) for a, b in itertools.pairwise(self.ticks)]

    def context(self, at: float) -> str:
        """The last mark before ``at`` seconds since start."""
        start = self.ticks[0]
        label = "before any mark"
        for moment, what in self.marks:
            if moment - start <= at:
                label = f"{what} +{at - (moment - start):.2f} s"
        return label


class GapTracer:
    """What held the GUI thread during each gap over ``after_ms`` (``--trace-gaps MS``; investigation only).

    A watchdog thread samples the GUI thread's Python stack (``sys._current_frames``) every few
    ms while it has not ticked for ``after_ms``; the garbage collections are timed through
    ``gc.callbacks``. A sample needs the GIL, which the GUI thread keeps while Qt's C++ runs
    (layout, painting) or the collector works: a gap with few samples was spent there.
    (``faulthandler.dump_traceback_later`` needs no GIL, but re-armed at every tick it crashed.)
    """

    def __init__(self, meter: StallMeter, after_ms: float, every_ms: float = 3.0):
        import threading

        self.meter = meter
        self.after = after_ms / 1000
        self.every = every_ms / 1000
        self.main_id = threading.main_thread().ident
        self.samples: list[tuple[float, str]] = []  # (when, stack, innermost call first)
        #: (end, wall ms, generation, collected, CPU ms of the GUI thread, objects in the generations collected)
        self.collections: list[tuple[float, float, int, int, float, int]] = []
        self._gc_began = (0.0, 0.0, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="gap-tracer", daemon=True)

    def _gc(self, phase: str, info: dict) -> None:
        import gc

        if phase == "start":
            generation = info["generation"]
            size = sum(len(gc.get_objects(g)) for g in range(generation + 1))
            self._gc_began = (time.perf_counter(), time.thread_time(), size)
        else:
            now, cpu = time.perf_counter(), time.thread_time()
            began, cpu0, size = self._gc_began
            self.collections.append(
                (now, (now - began) * 1000, info["generation"], info["collected"], (cpu - cpu0) * 1000, size)
            )

    def start(self) -> None:
        import gc

        gc.callbacks.append(self._gc)
        self._thread.start()

    def stop(self) -> None:
        import gc

        gc.callbacks.remove(self._gc)
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        import traceback

        while not self._stop.wait(self.every):
            ticks = self.meter.ticks
            if not ticks or time.perf_counter() - ticks[-1] < self.after:
                continue
            frame = sys._current_frames().get(self.main_id)
            if frame is None:
                continue
            stack = [
                f"      {Path(f.filename).name}:{f.lineno} {f.name}"
                for f in reversed(traceback.extract_stack(frame))
                if "qasync" not in f.filename and "/asyncio/" not in f.filename
            ]
            self.samples.append((time.perf_counter(), "\n".join(stack[:14])))

    def report(self) -> None:
        import collections

        by_generation: dict[int, list[float]] = collections.defaultdict(list)
        for _, ms, generation, *_ in self.collections:
            by_generation[generation].append(ms)
        print()
        for generation, times in sorted(by_generation.items()):
            print(
                f"gc generation {generation}: {len(times)} collections, worst {max(times):.1f} ms, "
                f"total {sum(times):.0f} ms"
            )
        ticks = self.meter.ticks
        start = ticks[0]
        print(f"what the GUI thread ran during gaps over {self.after * 1000:.0f} ms:")
        sched = self.meter.schedstat or []
        for index, (a, b) in enumerate(itertools.pairwise(ticks)):
            gap = (b - a) * 1000
            if gap < self.after * 1000:
                continue
            inside = [text for at, text in self.samples if a < at <= b]
            where = ""
            if index + 1 < len(sched):
                cpu, wait = (sched[index + 1][k] - sched[index][k] for k in (0, 1))
                where = f"; GUI thread on a CPU {cpu / 1e6:.1f} ms, waiting for a CPU {wait / 1e6:.1f} ms"
            print(f"  gap {gap:6.1f} ms ending at {b - start:6.2f} s ({self.meter.context(b - start)}{where})")
            for at, ms, generation, collected, cpu, size in self.collections:
                if a < at <= b:
                    print(
                        f"    gc of generation {generation}: {ms:.1f} ms ({cpu:.1f} ms CPU of the GUI thread; "
                        f"{size:,} objects looked at, {collected} collected)"
                    )
            for text, n in collections.Counter(inside).most_common(3):
                print(f"    x{n}:\n{text}")


def percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(share * (len(sorted_values) - 1))))
    return sorted_values[index]


# -- the run ------------------------------------------------------------------------------------------


async def until(condition, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        await asyncio.sleep(0.02)


def visible_rows(view, model) -> list[int]:
    rect = view.viewport().rect()
    return [row for row in range(model.rowCount()) if view.visualRect(model.index(row, 0)).intersects(rect)]


def thumbnails_shown(view, model) -> bool:
    from studio_desktop.ui.gallery.grid_model import PhotoRole, ThumbnailState

    rows = visible_rows(view, model)
    return bool(rows) and all(
        model.index(row, 0).data(PhotoRole.ThumbnailStateRole) != ThumbnailState.LOADING for row in rows
    )


async def watch_gallery(window, meter: StallMeter, finished: asyncio.Event) -> int:
    """What a user watching the gallery fill does: reload it every second and scroll to the newest photos."""
    model, view = window.grid_model, window.grid_view
    reloads = 0
    while not finished.is_set():
        try:
            await asyncio.wait_for(finished.wait(), RELOAD_EVERY_S)
            break
        except TimeoutError:
            pass
        model.reload()
        reloads += 1
        meter.mark(f"grid reload {reloads}")
        # Scrolling to the bottom asks the model for the next page (fetchMore), page after page.
        while not finished.is_set() and (model.is_loading or model.canFetchMore()):
            if not model.is_loading:
                view.scrollToBottom()
                if model.canFetchMore():
                    model.fetchMore()
            await asyncio.sleep(0.05)
        view.scrollToBottom()
    return reloads


async def run(endpoints, sandbox: Sandbox, files: list[Path], timeout: float, trace_ms: float = 0.0) -> dict:
    from studio_desktop.gallery.tree_nodes import EVENT
    from studio_desktop.ui.app_wiring import GuiSession

    session = await GuiSession.open(endpoints)
    try:
        window = session.window
        window.resize(1280, 800)
        window.show()
        panel = window.tree_panel
        await until(lambda: panel.model.event_count() > 0, "the event tree", 30)
        event = next(node for node in panel.model.root.children if node.name == GALLERY)
        panel.tree.select(EVENT, event.id)
        model, view = window.grid_model, window.grid_view
        await until(
            lambda: model.target is not None and model.rowCount() > 0 and not model.is_loading,
            "the wedding gallery's first page",
            30,
        )
        await until(lambda: thumbnails_shown(view, model), "the gallery's thumbnails", 60)
        target = model.target
        before = sandbox.count(target.event_id)
        total_bytes = sum(path.stat().st_size for path in files)

        meter = StallMeter()
        tracer = GapTracer(meter, trace_ms) if trace_ms else None
        if tracer is not None:
            meter.schedstat = []
        meter.start()
        if tracer is not None:
            tracer.start()
        await asyncio.sleep(1.0)
        meter.mark("idle, gallery shown")
        idle_ticks = len(meter.ticks)

        finished = asyncio.Event()
        announced: dict = {}

        def batch_done(batch_id: int, counts: dict, message: str) -> None:
            announced.update(counts=counts, message=message, at=time.perf_counter())
            finished.set()

        session.uploads.announcements.batch_announced.connect(batch_done)
        sandbox_cpu0, app_cpu0, machine0 = cpu_seconds(sandbox.pid), own_cpu_seconds(), machine_busy_seconds()
        began = time.perf_counter()
        meter.mark("upload queued")
        if not session.uploads.choosing.upload(files, target, mirror=False):
            raise RuntimeError("the upload was not queued (no engine?)")
        watcher = asyncio.ensure_future(watch_gallery(window, meter, finished))
        try:
            await asyncio.wait_for(finished.wait(), timeout)
        finally:
            finished.set()
            reloads = await watcher
        upload_wall = announced["at"] - began
        sandbox_cpu = cpu_seconds(sandbox.pid) - sandbox_cpu0
        app_cpu = own_cpu_seconds() - app_cpu0
        others_cpu = max(0.0, machine_busy_seconds() - machine0 - sandbox_cpu - app_cpu)
        meter.mark("batch finished (tree and grid refresh)")
        # The finished batch refreshes the tree and the grid: part of the upload as the user sees it.
        await asyncio.sleep(0.2)
        await until(lambda: not model.is_loading and thumbnails_shown(view, model), "the refreshed grid", 60)
        await asyncio.sleep(0.5)
        meter.stop()
        if tracer is not None:
            tracer.stop()
            tracer.report()
        after = sandbox.count(target.event_id)
        return {
            "meter": meter,
            "idle_ticks": idle_ticks,
            "counts": announced["counts"],
            "message": announced["message"],
            "upload_wall": upload_wall,
            "total_bytes": total_bytes,
            "landed": after - before,
            "sandbox_cpu": sandbox_cpu,
            "app_cpu": app_cpu,
            "others_cpu": others_cpu,
            "reloads": reloads,
            "thumbnails": session.thumbnails.stats,
            "grid_rows": model.rowCount(),
        }
    finally:
        await session.aclose()


def report(result: dict, files: int, load: tuple[float, float, float]) -> None:
    meter: StallMeter = result["meter"]
    gaps = meter.gaps()
    idle = sorted(g for g, _ in gaps[: result["idle_ticks"] - 1])
    busy = gaps[result["idle_ticks"] - 1 :]
    values = sorted(g for g, _ in busy)
    over = [(g, at) for g, at in busy if g > TARGET_MS]
    worst = values[-1] if values else 0.0
    wall = result["upload_wall"]
    counts = {k: v for k, v in result["counts"].items() if v}
    stats = result["thumbnails"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print()
    print(f"load average before the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1/5/15 min), 2 cores")
    print(
        f"uploaded {files} photos ({result['total_bytes'] / MB:.0f} MB) into {GALLERY!r}: {counts}; "
        f"{result['landed']} new photos in the gallery"
    )
    print(f'  "{result["message"]}"')
    print(
        f"grid: reloaded {result['reloads']} times during the upload, {result['grid_rows']} photos at the end; "
        f"thumbnails: {stats.downloads} downloaded, {stats.disk_hits} from disk, {stats.memory_hits} memory hits, "
        f"{stats.failures} failed"
    )
    print()
    print(
        f"event-loop gaps ({TICK_MS} ms timer, {len(values):,} ticks over {busy[-1][1] - busy[0][1]:.1f} s "
        f"from queueing to the refreshed grid):"
    )
    print(f"  worst {worst:6.1f} ms   (target < {TARGET_MS:.0f} ms: {'met' if worst < TARGET_MS else 'MISSED'})")
    for name, share in (("p99", 0.99), ("p95", 0.95), ("p50", 0.50)):
        print(f"  {name}   {percentile(values, share):6.1f} ms")
    print(f"  gaps over {TARGET_MS:.0f} ms: {len(over)}" + (f" (sum {sum(g for g, _ in over):.0f} ms)" if over else ""))
    print("  the longest five, and what was going on:")
    for gap, at in sorted(busy, reverse=True)[:5]:
        print(f"    {gap:6.1f} ms ending at {at:5.2f} s ({meter.context(at)})")
    if idle:
        print(
            f"  for comparison, idle with the gallery shown: worst {idle[-1]:.1f} ms, "
            f"p50 {percentile(idle, 0.5):.1f} ms"
        )
    print()
    print(
        f"upload throughput: {result['total_bytes'] / MB / wall:.1f} MB/s, {files / wall:.1f} photos/s "
        f"({wall:.1f} s from queueing to the batch's end)"
    )
    print(
        f"sandbox CPU (separate process): {result['sandbox_cpu']:.1f} s = "
        f"{result['sandbox_cpu'] / wall:.0%} of a core; app CPU (all threads): {result['app_cpu']:.1f} s = "
        f"{result['app_cpu'] / wall:.0%} of a core"
    )
    others = result["others_cpu"] / wall
    print(
        f"other processes on the machine during the upload: {others:.0%} of a core"
        + (" -- NOT QUIET: the figures include their load; run again when it is" if others > OTHERS_LIMIT else "")
    )
    print(f"peak RSS of the app process: {peak_mb:.0f} MB (ru_maxrss; the sandbox runs in its own process)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=None, help="photos to upload (default 500; 100 with --quick)")
    parser.add_argument("--quick", action="store_true", help="100 photos and no waiting for a quiet machine")
    parser.add_argument("--max-load", type=float, default=1.5, help="wait while the 1-minute load is above this")
    parser.add_argument("--load-tries", type=int, default=4, help="minutes to wait at most for a quiet machine")
    parser.add_argument("--timeout", type=float, default=900.0, help="give up on the upload after this many seconds")
    parser.add_argument(
        "--debug-slow",
        action="store_true",
        help="log asyncio callbacks over 20 ms (investigation only; not for the figures)",
    )
    parser.add_argument(
        "--trace-gaps",
        type=float,
        default=0.0,
        metavar="MS",
        help="sample the GUI thread's stack during every gap over MS ms (investigation only)",
    )
    parser.add_argument(
        "--slow-disk",
        type=float,
        default=0.0,
        metavar="MS",
        help="serve the photos through a FUSE passthrough that waits MS ms on every open and read",
    )
    args = parser.parse_args(argv)
    count = args.photos or (100 if args.quick else 500)
    if count < 1:
        parser.error("--photos must be at least 1")

    files = ensure_photos(count)
    load = os.getloadavg() if args.quick else wait_for_quiet(args.max_load, args.load_tries)
    if load[0] > args.max_load:
        print(f"note: the machine is still busy (load {load[0]:.2f}); the figures include that.", flush=True)

    shm = Path("/dev/shm")
    # The sandbox keeps its photos in RAM where it can, so its disk writes do not stall the app's store.
    server_parent = (
        shm if shm.is_dir() and shutil.disk_usage(shm).free > 3 * sum(p.stat().st_size for p in files) else None
    )
    with (
        tempfile.TemporaryDirectory(prefix="bench-ui-stall-") as tmp,
        tempfile.TemporaryDirectory(prefix="bench-ui-stall-sandbox-", dir=server_parent) as server_dir,
        contextlib.ExitStack() as stack,
    ):
        if args.slow_disk > 0:
            from slow_disk import mounted

            slow = stack.enter_context(mounted(CACHE_DIR, args.slow_disk))
            files = [slow / path.name for path in files]
            print(f"photos served through a slow disk: {args.slow_disk:g} ms per open and per read", flush=True)
        from studio_desktop.core import paths

        paths.configure(Path(tmp) / "app").ensure()
        sandbox = Sandbox(Path(server_dir) / "sandbox")
        import qasync

        from studio_desktop.core.config import Endpoints
        from studio_desktop.ui import gc_guard
        from studio_desktop.ui.app import make_application

        app = make_application([sys.argv[0]])
        collector = gc_guard.install(app)
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        if args.debug_slow:
            logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
            loop.set_debug(True)
            loop.slow_callback_duration = 0.02
        try:
            print(f"uploading {count} photos with the wedding gallery open ...", flush=True)
            result = loop.run_until_complete(
                run(
                    Endpoints(api_url=sandbox.url, access_token=sandbox.token),
                    sandbox,
                    files,
                    args.timeout,
                    args.trace_gaps,
                )
            )
        finally:
            loop.close()
            asyncio.set_event_loop(None)
            collector.stop()
            sandbox.stop()
    report(result, count, load)
    return 0


if __name__ == "__main__":
    sys.exit(main())
