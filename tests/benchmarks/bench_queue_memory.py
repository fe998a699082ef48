"""Peak memory of a queue of 100,000 photos: enqueue, count, upload for a while, cancel the rest.

    .venv/bin/python tests/benchmarks/bench_queue_memory.py [--quick] [--upload-seconds N]

The files are hard links to small JPEGs (100 folders of 1,000 links to one
photo each), so the scanner really walks and checks 100,000 paths while the
disk holds 100 photos.
The sandbox runs in a child process, so the figures are the uploader's own.
Target: peak RSS under 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path[:0] = [str(HERE.parents[2]), str(HERE.parents[1]), str(HERE.parent)]

from bench_upload import SandboxProcess, new_event  # noqa: E402
from imagegen import make_jpeg  # noqa: E402

from studio_desktop.api.shootproof import ShootProofClient  # noqa: E402
from studio_desktop.core import paths  # noqa: E402
from studio_desktop.core.store import Store  # noqa: E402
from studio_desktop.uploads.engine import UploadEngine  # noqa: E402
from studio_desktop.uploads.records import queue as q  # noqa: E402

MB = 1024 * 1024


def rss_now() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB


def rss_peak() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def report(stage: str, began: float) -> None:
    print(
        f"  {stage:44s} {time.perf_counter() - began:7.2f} s   RSS now {rss_now():6.1f} MB   peak {rss_peak():6.1f} MB",
        flush=True,
    )


def make_tree(root: Path, total: int) -> None:
    per_folder = 1000
    for folder_number in range((total + per_folder - 1) // per_folder):
        folder = root / "shoot" / f"Card {folder_number:03d}"
        folder.mkdir(parents=True)
        # One photo per folder: file systems cap the links to one file (ext4: 65,000).
        source = make_jpeg(root / "sources" / f"{folder_number:03d}.jpg", size=(32, 24))
        for i in range(min(per_folder, total - folder_number * per_folder)):
            os.link(source, folder / f"IMG_{folder_number:03d}_{i:04d}.jpg")


async def run(args, root: Path, sandbox: SandboxProcess) -> None:
    store = Store()
    event_id = await new_event(sandbox, "Memory")
    async with ShootProofClient(sandbox.url, sandbox.token) as client:
        engine = UploadEngine(client, store, concurrency=5)
        began = time.perf_counter()
        batch = await engine.enqueue([root / "shoot"], event_id)
        report(f"enqueued {args.count:,} files (engine idle)", began)

        began = time.perf_counter()
        counts = await store.read(q.counts)
        page = await store.read(lambda conn: q.items(conn, batch_ids=[batch], limit=500))
        report(f"counted ({counts[q.QUEUED][0]:,} queued), first page of {len(page)}", began)

        began = time.perf_counter()
        await engine.start()
        await asyncio.sleep(args.upload_seconds)
        snapshot = engine.snapshot()
        report(f"uploading for {args.upload_seconds:g} s ({snapshot.files[q.DONE]:,} done)", began)

        began = time.perf_counter()
        engine.pause()
        await engine.wait_idle()
        await engine.resume()
        await asyncio.sleep(0.5)
        report("paused all, resumed all", began)

        began = time.perf_counter()
        cancelled = await engine.cancel()
        await engine.wait_idle()
        report(f"cancelled the remaining {len(cancelled):,}", began)
        await engine.stop()
        final = await store.read(q.counts, [batch])
        print(
            f"  final: {final[q.DONE][0]:,} done, {final[q.CANCELLED][0]:,} cancelled; "
            f"{sandbox.ask('count', event_id):,} photos on the server"
        )
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 files instead of 100,000")
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument("--upload-seconds", type=float, default=None)
    args = parser.parse_args()
    args.count = args.count or (20_000 if args.quick else 100_000)
    args.upload_seconds = args.upload_seconds if args.upload_seconds is not None else (3.0 if args.quick else 10.0)

    root = Path(tempfile.mkdtemp(prefix="bench-queue-"))
    try:
        paths.configure(root / "app").ensure()
        began = time.perf_counter()
        make_tree(root, args.count)
        print(f"{args.count:,} files (hard links) made in {time.perf_counter() - began:.1f} s")
        sandbox = SandboxProcess(root / "sandbox")
        print(
            f"  {'after imports, before the queue':44s} {'':9s}   "
            f"RSS now {rss_now():6.1f} MB   peak {rss_peak():6.1f} MB"
        )
        try:
            asyncio.run(run(args, root, sandbox))
        finally:
            sandbox.stop()
        peak = rss_peak()
        print(
            f"\npeak RSS {peak:.1f} MB for a queue of {args.count:,} (target < 300 MB): "
            f"{'ok' if peak < 300 else 'ABOVE TARGET'}"
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
