"""How long until the event tree shows a big studio: 2,000 events and 10,000 albums.

    .venv/bin/python tests/benchmarks/bench_tree.py [--events 2000] [--albums 10000] [--runs 3]

The sandbox studio is seeded straight into its database (one transaction), then
served from a separate process, so its CPU and memory do not count as the app's;
its CPU time is reported beside the figures. Each run starts a fresh app (as a
user opening it) on the same server and measures, offscreen:

- start → populated tree: from ``GuiSession.open`` until the tree model holds
  every event and the window has painted it (settings, store, window, studio
  info, brand list and the ``sp.brand.get_event_tree`` call included);
- the parts of it: the tree call over HTTP with JSON parsing, building the
  nodes, and the model reset with the view's layout and paint;
- a refresh (F5) of the same tree;
- the app process's peak RSS (``ru_maxrss``) at the end.

Target: start → populated tree under 1.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LANG", "C.UTF-8")

TARGET_SECONDS = 1.5


def seed(db_path: Path, brand_id: int, events: int, albums: int) -> None:
    """Insert ``events`` events and ``albums`` albums (nested up to 4 levels) for ``brand_id``."""
    rng = random.Random(7)
    conn = sqlite3.connect(db_path)
    try:
        with conn:
            event_rows = []
            for n in range(events):
                day = f"20{15 + n % 10:02d}-{1 + n % 12:02d}-{1 + n % 28:02d}"
                event_rows.append(
                    (
                        brand_id,
                        f"{rng.choice(SURNAMES)} {rng.choice(KINDS)} #{n + 1}",
                        int(n % 9 == 0),
                        "Archived" if n % 9 == 0 else "Active",
                        f"{day} 10:00:00",
                        f"{day} 12:00:00",
                        f"{day} 12:00:00",
                        rng.randint(0, 3000),
                    )
                )
            conn.executemany(
                "INSERT INTO events (brand_id, name, is_archived, status, event_date, created, last_updated, "
                "photo_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                event_rows,
            )
            event_ids = [
                row[0] for row in conn.execute("SELECT id FROM events WHERE brand_id = ? ORDER BY id", (brand_id,))
            ]
            per_event, extra = divmod(albums, len(event_ids))
            for index, event_id in enumerate(event_ids):
                count = per_event + (1 if index < extra else 0)
                parents: list[int | None] = [None]
                for order in range(count):
                    # Every fifth album starts a new top-level one; the rest nest under the last (max 4 deep).
                    parent = None if order % 5 == 0 or len(parents) > 4 else parents[-1]
                    cur = conn.execute(
                        "INSERT INTO albums (event_id, parent_id, name, display_order, photo_count, created) "
                        "VALUES (?, ?, ?, ?, ?, '2024-01-01 00:00:00')",
                        (event_id, parent, f"{rng.choice(ALBUMS)} {order + 1}", order + 1, rng.randint(0, 400)),
                    )
                    parents = [None, cur.lastrowid] if parent is None else [*parents, cur.lastrowid]
    finally:
        conn.close()


SURNAMES = ["Smith", "Garcia", "Okafor", "Nguyen", "Müller", "Rossi", "Kowalski", "Haddad", "Tanaka", "Silva"]
KINDS = ["Wedding", "Engagement", "Family Session", "Newborn", "Headshots", "Graduation", "Gala", "Mini Sessions"]
ALBUMS = ["Getting Ready", "Ceremony", "Reception", "Portraits", "Details", "Family", "Candids", "Dance"]


def serve(data_dir: str, pipe) -> None:
    """Child process: run the sandbox until the parent says stop; report its CPU time on the way out."""
    from studio_desktop.sandbox.server import SandboxServer

    with SandboxServer(data_dir, seed="empty") as server:
        pipe.send((server.shootproof_api_url, server.access_token))
        while True:
            message = pipe.recv()
            if message == "cpu":
                usage = resource.getrusage(resource.RUSAGE_SELF)
                pipe.send(usage.ru_utime + usage.ru_stime)
            elif message == "stop":
                break


async def one_run(endpoints, expected_events: int) -> dict[str, float]:
    from studio_desktop.gallery.tree_nodes import build_tree
    from studio_desktop.ui.app_wiring import GuiSession

    start = time.perf_counter()
    session = await GuiSession.open(endpoints, start_engine=False)
    try:
        window = session.window
        window.resize(1280, 800)
        window.show()
        model = window.tree_panel.model
        while model.event_count() < expected_events:
            await asyncio.sleep(0.001)
        window.tree_panel.tree.viewport().repaint()
        populated = time.perf_counter() - start

        client = session.services.shootproof
        brand = session.controller.current_brand()
        t0 = time.perf_counter()
        tree = await client.brand_get_event_tree(brand.id)
        t1 = time.perf_counter()
        root = build_tree(tree, brand)
        t2 = time.perf_counter()
        window.tree_panel.set_tree(root)
        window.tree_panel.tree.viewport().repaint()
        t3 = time.perf_counter()

        old_root = model.root
        t4 = time.perf_counter()
        window.actions.refresh.trigger()
        while model.root is old_root:
            await asyncio.sleep(0.001)
        window.tree_panel.tree.viewport().repaint()
        refresh = time.perf_counter() - t4
        albums = model.album_count()
        return {
            "populated": populated,
            "http_parse": t1 - t0,
            "build": t2 - t1,
            "reset_paint": t3 - t2,
            "refresh": refresh,
            "events": model.event_count(),
            "albums": albums,
        }
    finally:
        await session.aclose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--albums", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-tree-") as tmp:
        from studio_desktop.core import paths
        from studio_desktop.sandbox.app import SandboxStudio

        sandbox_dir = Path(tmp) / "sandbox"
        studio = SandboxStudio(sandbox_dir, seed="empty")
        brand_id = studio.demo_ids["brand_default"]
        db_path = studio.db_path
        studio.close()
        t = time.perf_counter()
        seed(db_path, brand_id, args.events, args.albums)
        print(f"seeded {args.events:,} events and {args.albums:,} albums in {time.perf_counter() - t:.2f} s")

        context = multiprocessing.get_context("spawn")
        parent_end, child_end = context.Pipe()
        child = context.Process(target=serve, args=(str(sandbox_dir), child_end), daemon=True)
        child.start()
        api_url, token = parent_end.recv()

        import qasync

        from studio_desktop.core.config import Endpoints
        from studio_desktop.ui import gc_guard
        from studio_desktop.ui.app import make_application

        app = make_application([sys.argv[0]])
        collector = gc_guard.install(app)
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        endpoints = Endpoints(api_url=api_url, access_token=token)
        results = []
        try:
            for run in range(args.runs):
                paths.configure(Path(tmp) / f"app-{run}").ensure()
                parent_end.send("cpu")
                cpu_before = parent_end.recv()
                wall = time.perf_counter()
                result = loop.run_until_complete(one_run(endpoints, args.events))
                wall = time.perf_counter() - wall
                parent_end.send("cpu")
                result["sandbox_cpu_share"] = (parent_end.recv() - cpu_before) / wall
                results.append(result)
                print(
                    f"run {run + 1}: start → populated tree {result['populated']:.3f} s "
                    f"(tree call {result['http_parse']:.3f} s, build {result['build']:.3f} s, "
                    f"reset+paint {result['reset_paint']:.3f} s); refresh {result['refresh']:.3f} s; "
                    f"sandbox CPU {result['sandbox_cpu_share']:.0%} of the run's wall time"
                )
        finally:
            loop.close()
            collector.stop()
            parent_end.send("stop")
            child.join(timeout=10)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    median = statistics.median(r["populated"] for r in results)
    last = results[-1]
    print()
    print(f"tree: {last['events']:,} events, {last['albums']:,} albums")
    print(
        f"start → populated tree, median of {len(results)}: {median:.3f} s "
        f"(target < {TARGET_SECONDS} s: {'met' if median < TARGET_SECONDS else 'MISSED'})"
    )
    for key, label in (
        ("http_parse", "tree call (HTTP + JSON + models)"),
        ("build", "build nodes"),
        ("reset_paint", "model reset + layout + paint"),
        ("refresh", "F5 refresh"),
    ):
        print(f"  {label:34s} median {statistics.median(r[key] for r in results):.3f} s")
    print(f"peak RSS of the app process: {peak_mb:.0f} MB (sandbox runs in its own process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
