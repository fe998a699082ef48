"""Hot-folder latency: from a photo's last write to its upload starting, and to it being on the server.

    .venv/bin/python tests/benchmarks/bench_hotfolder.py [--files 200] [--settle 1.0] [--pace 0.05]
                                                         [--modes inotify,polling]

A writer process (tests/uploads/hotfolder_writer.py) plays a tethered camera:
JPEGs of 20-260 KB written in chunks at uneven speeds, a third of them under a
temporary name renamed when done, a fifth into subfolders, with bursts, and a
mean pause of ``--pace`` seconds between photos. It stamps each photo with the
wall-clock time of its last write. This process runs the real watcher and upload
engine against the sandbox studio, which runs in a child process of its own
(its CPU share is printed, so a server-bound run shows up as such).

- start latency: last write -> the engine's "uploading" state for that file
  (the gate's wait, batching and queueing, dedup check);
- on-server latency: last write -> "done" (the server answered, the ledger row is written).

Target: p95 start latency <= settle + 0.5 s. Both modes wait the settle time
after the last write (a close is not proof the writer is done); "inotify" learns
of writes at once, "polling" (the network-share mode) within its interval.

Also printed: this process's resident memory before the shoot and after it,
and its CPU while the watcher idles for ``--idle`` seconds after the last upload.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path[:0] = [str(HERE.parents[2]), str(HERE.parents[1]), str(HERE.parent)]

from bench_upload import SandboxProcess  # noqa: E402

from studio_desktop.api.shootproof import ShootProofClient  # noqa: E402
from studio_desktop.core import paths  # noqa: E402
from studio_desktop.core.store import Store  # noqa: E402
from studio_desktop.uploads import events as ev  # noqa: E402
from studio_desktop.uploads.engine import UploadEngine  # noqa: E402
from studio_desktop.uploads.hotfolders.events import HotFolderBatch  # noqa: E402
from studio_desktop.uploads.hotfolders.watcher import HotFolderWatcher  # noqa: E402

WRITER = HERE.parents[1] / "uploads" / "hotfolder_writer.py"


def rss_mb() -> float:
    """Resident memory of this process now (Linux), in MB."""
    try:
        with open(f"/proc/{os.getpid()}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = share * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


async def run_mode(
    sandbox: SandboxProcess, root: Path, mode: str, files: int, settle: float, pace: float, idle: float
) -> dict:
    folder = root / f"hot-{mode}"
    folder.mkdir()
    started: dict[str, float] = {}
    done: dict[str, float] = {}
    failed: dict[str, str] = {}
    batches: list[int] = []

    def on_engine(event) -> None:
        if not isinstance(event, ev.ItemStateChanged) or event.path is None:
            return
        now = time.time()
        if event.state == "uploading":
            started.setdefault(event.path, now)
        elif event.state == "done":
            done.setdefault(event.path, now)
        elif event.state in ("failed", "duplicate"):
            failed[event.path] = event.message or event.state

    with Store(root / f"store-{mode}.sqlite3") as store:
        async with ShootProofClient(sandbox.url, sandbox.token) as client:
            event_id = (await client.event_create(f"Latency {mode}")).id
            engine = UploadEngine(client, store, batches=())
            engine.subscribe(on_engine)
            await engine.start()
            watcher = HotFolderWatcher(
                folder,
                event_id,
                engine,
                settle=settle,
                mirror_folders=True,
                polling=(mode == "polling"),
                on_event=lambda e: batches.append(e.files) if isinstance(e, HotFolderBatch) else None,
            )
            await watcher.start()
            rss_before = rss_mb()
            cpu0, wall0 = sandbox.ask("cpu"), time.monotonic()
            writer = await asyncio.create_subprocess_exec(
                sys.executable,
                str(WRITER),
                str(folder),
                str(files),
                "7",
                str(pace),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            out, err = await writer.communicate()
            if writer.returncode != 0:
                raise RuntimeError(err.decode())
            manifest = [json.loads(line) for line in out.decode().splitlines()]
            deadline = time.monotonic() + 120
            while len(done) + len(failed) < files and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            wall = time.monotonic() - wall0
            cpu = sandbox.ask("cpu") - cpu0
            await watcher.wait_quiet(30)
            rss_after = rss_mb()
            idle_cpu0, idle_wall0 = time.process_time(), time.monotonic()
            await asyncio.sleep(idle)  # the watcher keeps watching an unchanging folder
            idle_cpu = (time.process_time() - idle_cpu0) / (time.monotonic() - idle_wall0)
            await watcher.stop()
            await engine.stop()
            on_server = sandbox.ask("count", event_id)

    written = {str(folder / m["path"]): m["written_at"] for m in manifest}
    start_latency = [started[p] - t for p, t in written.items() if p in started]
    server_latency = [done[p] - t for p, t in written.items() if p in done]
    return {
        "mode": mode,
        "files": files,
        "uploaded": len(done),
        "failed": failed,
        "on_server": on_server,
        "start": start_latency,
        "server": server_latency,
        "batches": batches,
        "wall": wall,
        "sandbox_cpu_share": cpu / wall if wall else 0.0,
        "mean_size": statistics.mean(m["size"] for m in manifest),
        "rss": (rss_before, rss_after),
        "idle_cpu": idle_cpu,
        "idle": idle,
    }


def report(result: dict, settle: float) -> bool:
    start, server = result["start"], result["server"]
    target = settle + 0.5
    p95 = percentile(start, 0.95)
    ok = p95 <= target and result["uploaded"] == result["files"] == result["on_server"]
    print(
        f"\n[{result['mode']}] {result['files']} photos (mean {result['mean_size'] / 1000:.0f} KB), "
        f"settle {settle:g} s: {result['uploaded']} uploaded, {result['on_server']} on the server, "
        f"{len(result['failed'])} failed/duplicate"
    )
    print(f"  handed over in {len(result['batches'])} batches (largest {max(result['batches'], default=0)})")
    for label, values in (("last write -> upload starts", start), ("last write -> on the server", server)):
        print(
            f"  {label}:  p50 {percentile(values, 0.5):.3f} s   p95 {percentile(values, 0.95):.3f} s   "
            f"max {max(values, default=float('nan')):.3f} s"
        )
    print(f"  sandbox CPU {result['sandbox_cpu_share']:.0%} of a core over {result['wall']:.1f} s")
    print(
        f"  this process: {result['rss'][0]:.0f} -> {result['rss'][1]:.0f} MB resident; "
        f"idle CPU {result['idle_cpu']:.2%} of a core over {result['idle']:g} s"
    )
    print(f"  target p95 start <= {target:.2f} s: {'met' if ok else 'NOT met'} ({p95:.3f} s)")
    for path, why in list(result["failed"].items())[:5]:
        print(f"    {path}: {why}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--settle", type=float, default=1.0)
    parser.add_argument("--pace", type=float, default=0.05, help="mean pause between photos, seconds")
    parser.add_argument("--modes", default="inotify,polling")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idling measured after the shoot")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-hotfolder-") as tmp:
        root = Path(tmp)
        paths.configure(root / "app").ensure()
        sandbox = SandboxProcess(root / "sandbox")
        try:
            results = [
                asyncio.run(run_mode(sandbox, root, mode, args.files, args.settle, args.pace, args.idle))
                for mode in args.modes.split(",")
            ]
        finally:
            sandbox.stop()
    return 0 if all([report(r, args.settle) for r in results]) else 1


if __name__ == "__main__":
    sys.exit(main())
