"""Upload engine throughput against a plain httpx baseline, and the cost of re-running a finished upload.

    .venv/bin/python tests/benchmarks/bench_upload.py [--quick] [--concurrency N]

The sandbox studio runs in a child process (its own GIL), as a real server
would. Each workload is uploaded twice into fresh events: once by the baseline
(the same files POSTed as multipart with plain httpx at the same concurrency,
no queue, no dedup, no store) and once by the engine (scan, store, dedup on,
progress, retries armed). Throughput is bytes per second of wall time from
"go" to "all uploaded"; the engine's time includes scanning the folder.
The sandbox's CPU share (CPU seconds it used / wall seconds) is printed beside
each ratio, so a server-bound measurement shows up as such.

Re-run cost: the small workload is uploaded again by a fresh engine on the same
store (as re-running `studio-desktop upload` does) and timed against its first run.

Targets: engine >= 0.9x baseline on big files, >= 0.8x on small ones;
re-run <= 5% of the first run's time.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path[:0] = [str(HERE.parents[2]), str(HERE.parents[1])]

import httpx  # noqa: E402
from imagegen import make_jpeg  # noqa: E402

from studio_desktop.api.shootproof import ShootProofClient  # noqa: E402
from studio_desktop.core import paths  # noqa: E402
from studio_desktop.core.store import Store  # noqa: E402
from studio_desktop.uploads.engine import UploadEngine  # noqa: E402

MB = 1_000_000


# -- the sandbox in its own process -------------------------------------------------------------


def _serve(conn, data_dir: str) -> None:
    from studio_desktop.sandbox.server import SandboxServer

    server = SandboxServer(Path(data_dir), seed="empty").start()
    conn.send((server.shootproof_api_url, server.access_token))
    try:
        while True:
            command, *args = conn.recv()
            if command == "cpu":
                conn.send(time.process_time())
            elif command == "count":
                conn.send(server.studio.count_photos(*args))
            elif command == "requests":
                conn.send(server.studio.count_requests())
            elif command == "stop":
                break
    finally:
        server.stop()
        conn.send("stopped")


class SandboxProcess:
    def __init__(self, data_dir: Path):
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, str(data_dir)), daemon=True)
        self.process.start()
        self.url, self.token = self._conn.recv()

    def ask(self, *command):
        self._conn.send(command)
        return self._conn.recv()

    def stop(self) -> None:
        self.ask("stop")
        self.process.join(10)


# -- files ------------------------------------------------------------------------------------


def make_files(folder: Path, count: int, low: int, high: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    files = []
    for i in range(count):
        size = rng.randint(low, high)
        files.append(make_jpeg(folder / f"IMG_{i:05d}.jpg", size=(64 + i % 50, 48), min_bytes=size))
    return files


# -- the two ways to upload -------------------------------------------------------------------


async def new_event(sandbox: SandboxProcess, name: str) -> int:
    async with ShootProofClient(sandbox.url, sandbox.token) as client:
        return (await client.event_create(name)).id


async def baseline(sandbox: SandboxProcess, event_id: int, files: list[Path], concurrency: int) -> None:
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2)
    async with httpx.AsyncClient(timeout=httpx.Timeout(60.0, write=None), limits=limits) as http:

        async def one(path: Path) -> None:
            async with gate:
                with path.open("rb") as handle:
                    response = await http.post(
                        sandbox.url,
                        params={"method": "sp.photo.upload"},
                        data={"method": "sp.photo.upload", "access_token": sandbox.token, "event_id": str(event_id)},
                        files={"photo": (path.name, handle, "image/jpeg")},
                    )
                response.raise_for_status()
                if response.json().get("stat") != "ok":
                    raise RuntimeError(response.text)

        await asyncio.gather(*(one(p) for p in files))


async def engine_upload(
    sandbox: SandboxProcess, store: Store, event_id: int, folder: Path, concurrency: int
) -> dict[str, int]:
    async with ShootProofClient(sandbox.url, sandbox.token) as client:
        engine = UploadEngine(client, store, concurrency=concurrency, dedup=True, batches=())
        await engine.start()
        try:
            await engine.enqueue([folder], event_id)
            await engine.wait_idle()
            return engine.snapshot().files
        finally:
            await engine.stop()


def measure(sandbox: SandboxProcess, run) -> tuple[float, float, int]:
    """(wall seconds, sandbox CPU seconds, requests) for one upload run."""
    cpu0, requests0 = sandbox.ask("cpu"), sandbox.ask("requests")
    began = time.perf_counter()
    run()
    wall = time.perf_counter() - began
    return wall, sandbox.ask("cpu") - cpu0, sandbox.ask("requests") - requests0


# -- the benchmark ------------------------------------------------------------------------------


def workload(sandbox, store, name, folder, files, concurrency, rounds, results) -> tuple[float, int]:
    """Baseline and engine in turns, in ABBA order (B E, E B, ...), so that a busy moment on the machine
    and whatever one run leaves behind (dirty pages being written out) hit both alike."""
    total = sum(f.stat().st_size for f in files)
    base = {"wall": 0.0, "cpu": 0.0}
    eng = {"wall": 0.0, "cpu": 0.0, "requests": 0}
    first_engine_wall, engine_event = 0.0, 0
    for round_number in range(rounds):
        base_event = asyncio.run(new_event(sandbox, f"{name} baseline {round_number}"))
        engine_event = asyncio.run(new_event(sandbox, f"{name} engine {round_number}"))
        counts: dict = {}

        def run_baseline(event_id: int) -> None:
            wall, cpu, _ = measure(sandbox, lambda: asyncio.run(baseline(sandbox, event_id, files, concurrency)))
            base["wall"] += wall
            base["cpu"] += cpu

        def run_engine(event_id: int, counts: dict) -> float:
            wall, cpu, requests = measure(
                sandbox,
                lambda: counts.update(asyncio.run(engine_upload(sandbox, store, event_id, folder, concurrency))),
            )
            eng["wall"] += wall
            eng["cpu"] += cpu
            eng["requests"] += requests
            return wall

        if round_number % 2 == 0:
            run_baseline(base_event)
            wall = run_engine(engine_event, counts)
        else:
            wall = run_engine(engine_event, counts)
            run_baseline(base_event)
        first_engine_wall = first_engine_wall or wall
        assert sandbox.ask("count", base_event) == len(files), "baseline lost photos"
        assert sandbox.ask("count", engine_event) == len(files), f"engine lost photos: {counts}"
    b_rate, e_rate = total * rounds / base["wall"], total * rounds / eng["wall"]
    ratio = e_rate / b_rate
    results.append((name, ratio))
    per = rounds * len(files)
    print(f"\n{name}: {len(files)} files, {total / MB:.1f} MB, concurrency {concurrency}, {rounds} rounds each")
    print(
        f"  baseline (plain httpx): {base['wall']:7.2f} s  {b_rate / MB:7.1f} MB/s  {per / base['wall']:7.1f} files/s"
        f"  sandbox CPU {base['cpu'] / base['wall']:4.0%} of a core"
    )
    print(
        f"  engine (dedup on):      {eng['wall']:7.2f} s  {e_rate / MB:7.1f} MB/s  {per / eng['wall']:7.1f} files/s"
        f"  sandbox CPU {eng['cpu'] / eng['wall']:4.0%} of a core  ({eng['requests'] / rounds:.0f} requests a run)"
    )
    print(f"  engine / baseline throughput: {ratio:.2f}x")
    return first_engine_wall, engine_event


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer files (a smoke run in well under a minute)")
    parser.add_argument("--concurrency", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2, help="baseline/engine turns per workload (default 2)")
    args = parser.parse_args()
    big_count, small_count = (30, 200) if args.quick else (200, 1000)

    root = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    try:
        paths.configure(root / "app").ensure()
        print(f"making {big_count} JPEGs of 2-8 MB and {small_count} small ones in {root} ...", flush=True)
        big_dir, small_dir = root / "big", root / "small"
        big = make_files(big_dir, big_count, 2 * MB, 8 * MB, seed=1)
        small = make_files(small_dir, small_count, 8_000, 40_000, seed=2)
        # The sandbox keeps its uploads in RAM where it can, so the disk's write-back is not what we measure.
        shm = Path("/dev/shm")
        server_root = (
            Path(tempfile.mkdtemp(prefix="bench-sandbox-", dir=shm))
            if shm.is_dir() and shutil.disk_usage(shm).free > 8 * 10**9
            else root
        )
        sandbox = SandboxProcess(server_root / "sandbox")
        store = Store()
        try:
            warm = root / "warm"
            make_files(warm, 5, 10_000, 20_000, seed=3)
            asyncio.run(
                baseline(sandbox, asyncio.run(new_event(sandbox, "warm-up")), sorted(warm.iterdir()), args.concurrency)
            )
            asyncio.run(
                engine_upload(sandbox, store, asyncio.run(new_event(sandbox, "warm-up 2")), warm, args.concurrency)
            )
            results: list[tuple[str, float]] = []
            workload(sandbox, store, "big files", big_dir, big, args.concurrency, args.rounds, results)
            first_wall, event_id = workload(
                sandbox, store, "small files", small_dir, small, args.concurrency, args.rounds, results
            )

            counts: dict = {}
            again_wall, _again_cpu, again_requests = measure(
                sandbox,
                lambda: counts.update(
                    asyncio.run(engine_upload(sandbox, store, event_id, small_dir, args.concurrency))
                ),
            )
            assert counts["duplicate"] == len(small), counts
            assert sandbox.ask("count", event_id) == len(small)
            print(f"\nre-run of the {len(small)} small files (fresh engine, same store):")
            print(
                f"  first run {first_wall:.2f} s, re-run {again_wall:.3f} s -> {again_wall / first_wall:.1%} of the "
                f"first run; {again_requests} HTTP requests; all {counts['duplicate']} skipped as duplicates"
            )

            print("\nsummary:")
            targets = {"big files": 0.9, "small files": 0.8}
            for name, ratio in results:
                print(
                    f"  {name:12s} engine/baseline {ratio:.2f}x  (target >= {targets[name]}x)"
                    f"  {'ok' if ratio >= targets[name] else 'BELOW TARGET'}"
                )
            share = again_wall / first_wall
            verdict = "ok" if share <= 0.05 else "ABOVE TARGET"
            print(f"  re-run       {share:.1%} of first run  (target <= 5%)  {verdict}")
        finally:
            store.close()
            sandbox.stop()
            if server_root != root:
                shutil.rmtree(server_root, ignore_errors=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
