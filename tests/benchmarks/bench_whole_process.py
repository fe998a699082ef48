"""`studio-desktop upload` as a whole process, against a plain httpx script and curl, on a minimal server.

    .venv/bin/python tests/benchmarks/bench_whole_process.py [--quick] [--rounds N] [--folders DIR]

The server is ``minimal_server.py`` in its own process (it reads and hashes
each body, nothing more), so the clients are what is timed. Each contender is
a whole process timed from start to exit, as a user runs it, at concurrency 5:

- ``studio-desktop upload FOLDER --event N`` with a fresh store each run (scan,
  store, dedup, progress, retries: all of it);
- a ~20-line asyncio + httpx script that POSTs each file as multipart;
- curl ``--parallel --parallel-max 5``, one multipart POST per file (if curl is
  installed): the nearest thing to the physical limit here.

Runs alternate A B C C B A so a drift in the machine's load falls on all alike;
the best and the median of each are printed, with the ratios of the medians
(throughput: higher is better for us). Then the finished folder is uploaded
again on the same store: its time as a share of the first run's, and the
requests it sent (it should send none per file).

Targets (issue 11): engine >= 1.0x the script, >= 0.6x curl; re-run <= 3 %.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path[:0] = [str(HERE.parents[1])]

from imagegen import make_jpeg  # noqa: E402

MB = 1_000_000
CONCURRENCY = 5
TOKEN = "bench-token"

FOLDERS = {
    # name: (big photos, small photos)
    "60+400": (60, 400),
    "150+1500": (150, 1500),
}

PLAIN_SCRIPT = """
import asyncio, os, sys
import httpx

async def main(url, folder, event_id, concurrency):
    files = sorted(os.path.join(root, n) for root, _, names in os.walk(folder) for n in names)
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=120) as http:
        async def one(path):
            async with gate:
                with open(path, "rb") as handle:
                    data = {"method": "sp.photo.upload", "event_id": event_id, "access_token": "bench-token"}
                    response = await http.post(url, params={"method": "sp.photo.upload"}, data=data,
                                               files={"photo": (os.path.basename(path), handle, "image/jpeg")})
                    response.raise_for_status()
        await asyncio.gather(*(one(p) for p in files))

asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
"""


# `studio-desktop upload` with another upload chunk size (for --chunks).
CHUNK_RUNNER = """
import sys
from studio_desktop.api import transport
transport.UPLOAD_CHUNK = int(sys.argv[1])
from studio_desktop.cli import main
sys.exit(main(sys.argv[2:]))
"""


def build_folder(folder: Path, big: int, small: int, seed: int = 11) -> tuple[int, int]:
    """``big`` photos of 3-6 MB and ``small`` of 10-50 kB, made once and kept (a marker file says done)."""
    marker = folder / ".complete"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        rng = random.Random(seed)
        for i in range(big):
            make_jpeg(folder / f"BIG_{i:05d}.jpg", size=(64 + i % 50, 48), min_bytes=rng.randint(3 * MB, 6 * MB))
        for i in range(small):
            make_jpeg(folder / f"SMALL_{i:05d}.jpg", size=(64 + i % 50, 48), min_bytes=rng.randint(10_000, 50_000))
        marker.write_text("")
    files = [p for p in folder.iterdir() if p.suffix == ".jpg"]
    return len(files), sum(p.stat().st_size for p in files)


class MinimalServer:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(HERE.parent / "minimal_server.py")], stdout=subprocess.PIPE, text=True
        )
        self.url = self.process.stdout.readline().strip()

    def stats(self) -> dict:
        with urllib.request.urlopen(self.url.removesuffix("/v2") + "/__stats") as answer:
            return json.load(answer)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


class Contenders:
    def __init__(self, server: MinimalServer, work: Path):
        self.server = server
        self.work = work
        self.event = 10_000
        self.script = work / "plain_httpx.py"
        self.script.write_text(PLAIN_SCRIPT)
        self.cli = Path(sys.executable).with_name("studio-desktop")
        self.curl = shutil.which("curl")

    def _event(self) -> int:
        self.event += 1
        return self.event

    def engine(self, folder: Path, data_dir: Path | None = None, chunk: int | None = None) -> float:
        data_dir = data_dir or Path(tempfile.mkdtemp(prefix="store-", dir=self.work))
        env = {**os.environ, "STUDIO_DESKTOP_DATA_DIR": str(data_dir), "STUDIO_DESKTOP_ACCESS_TOKEN": TOKEN}
        arguments = [
            "upload",
            str(folder),
            "--event",
            str(self._event()),
            "--concurrency",
            str(CONCURRENCY),
            "--api-url",
            self.server.url,
        ]
        if chunk is None:
            return _timed([str(self.cli), *arguments], env)
        return _timed([sys.executable, "-c", CHUNK_RUNNER, str(chunk), *arguments], env)

    def plain(self, folder: Path) -> float:
        return _timed(
            [sys.executable, str(self.script), self.server.url, str(folder), str(self._event()), str(CONCURRENCY)],
            os.environ,
        )

    def curl_parallel(self, folder: Path) -> float:
        config = self.work / "curl.conf"
        event = self._event()
        lines = []
        for path in sorted(folder.glob("*.jpg")):
            lines += [
                f'url = "{self.server.url}?method=sp.photo.upload"',
                'form = "method=sp.photo.upload"',
                f'form = "event_id={event}"',
                f'form = "access_token={TOKEN}"',
                f'form = "photo=@{path};type=image/jpeg"',
                'output = "/dev/null"',
                "next",
            ]
        config.write_text("\n".join(lines[:-1]) + "\n")
        return _timed(
            [self.curl, "--parallel", "--parallel-max", str(CONCURRENCY), "-s", "-S", "-f", "-K", str(config)],
            os.environ,
        )


def _timed(command: list[str], env) -> float:
    # As a user runs it: an installed app has its bytecode cached (this machine's shells turn that off).
    env = {key: value for key, value in env.items() if key != "PYTHONDONTWRITEBYTECODE"}
    started = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed


def compare(contenders: Contenders, name: str, folder: Path, count: int, size: int, rounds: int) -> dict:
    runs = {"engine": contenders.engine, "plain httpx": contenders.plain}
    if contenders.curl:
        runs["curl"] = contenders.curl_parallel
    times: dict[str, list[float]] = {key: [] for key in runs}
    order = list(runs)
    for _ in range(rounds):
        for key in order + order[::-1]:  # A B C C B A
            times[key].append(runs[key](folder))
    print(f"\n{name}: {count} files, {size / MB:.0f} MB, concurrency {CONCURRENCY}, {2 * rounds} runs each")
    medians = {key: statistics.median(value) for key, value in times.items()}
    for key, value in times.items():
        print(
            f"  {key:12s} median {medians[key]:6.2f} s  best {min(value):6.2f} s  "
            f"({size / MB / medians[key]:6.1f} MB/s)  runs: {' '.join(f'{t:.2f}' for t in value)}"
        )
    ratios = {"engine / plain": medians["plain httpx"] / medians["engine"]}
    if "curl" in medians:
        ratios["engine / curl"] = medians["curl"] / medians["engine"]
        ratios["plain / curl"] = medians["curl"] / medians["plain httpx"]
    for key, value in ratios.items():
        print(f"  throughput {key}: {value:.2f}x")
    return {"medians": medians, "ratios": ratios}


def chunk_sizes(contenders: Contenders, name: str, folder: Path, size: int, chunks: list[int], rounds: int) -> None:
    """The engine alone with each upload chunk size, alternating A B C C B A."""
    times: dict[int, list[float]] = {chunk: [] for chunk in chunks}
    for _ in range(rounds):
        for chunk in chunks + chunks[::-1]:
            times[chunk].append(contenders.engine(folder, chunk=chunk))
    print(f"\n{name}: engine by upload chunk size ({2 * rounds} runs each)")
    for chunk, value in times.items():
        median = statistics.median(value)
        print(
            f"  {chunk // 1024:6d} KiB  median {median:6.2f} s ({size / MB / median:6.1f} MB/s)  "
            f"runs: {' '.join(f'{t:.2f}' for t in value)}"
        )


def rerun(contenders: Contenders, folder: Path, count: int) -> float:
    """The share of the first run's time a second run of the finished folder takes, on the same store."""
    data_dir = Path(tempfile.mkdtemp(prefix="store-", dir=contenders.work))
    env = {**os.environ, "STUDIO_DESKTOP_DATA_DIR": str(data_dir), "STUDIO_DESKTOP_ACCESS_TOKEN": TOKEN}
    event = contenders._event()
    command = [
        str(contenders.cli),
        "upload",
        str(folder),
        "--event",
        str(event),
        "--concurrency",
        str(CONCURRENCY),
        "--api-url",
        contenders.server.url,
    ]
    first = _timed(command, env)
    before = sum(contenders.server.stats()["requests"].values())
    again = min(_timed(command, env) for _ in range(3))
    requests = (sum(contenders.server.stats()["requests"].values()) - before) / 3
    share = again / first
    print(
        f"\nre-run of the finished {count}-file folder: first {first:.2f} s, again {again:.3f} s "
        f"= {100 * share:.1f} % of the first run; {requests:.0f} request(s) per re-run"
    )
    return share


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the smaller folder, one round")
    parser.add_argument("--rounds", type=int, default=1, help="A B C C B A rounds per folder (default 1)")
    parser.add_argument(
        "--folders",
        type=Path,
        default=Path(tempfile.gettempdir()) / "studio-bench-folders",
        help="where the photo folders are made once and kept",
    )
    parser.add_argument("--only", choices=sorted(FOLDERS), help="one folder only")
    parser.add_argument(
        "--chunks", help="instead: time the engine alone with these upload chunk sizes (bytes, comma-separated)"
    )
    args = parser.parse_args()
    names = [args.only] if args.only else (["60+400"] if args.quick else list(FOLDERS))
    server = MinimalServer()
    work = Path(tempfile.mkdtemp(prefix="bench-whole-"))
    try:
        contenders = Contenders(server, work)
        for name in names:
            folder = args.folders / f"{name}-v2"
            count, size = build_folder(folder, *FOLDERS[name])
            if args.chunks:
                chunk_sizes(contenders, name, folder, size, [int(c) for c in args.chunks.split(",")], args.rounds)
                continue
            compare(contenders, name, folder, count, size, args.rounds)
        if args.chunks:
            return 0
        big = names[-1]
        rerun(contenders, args.folders / f"{big}-v2", FOLDERS[big][0] + FOLDERS[big][1])
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
