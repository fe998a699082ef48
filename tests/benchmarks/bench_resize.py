"""Resize on the way up: photos per second for 24-megapixel JPEGs, and that resizing overlaps sending.

    .venv/bin/python tests/benchmarks/bench_resize.py [--quick] [--photos N] [--kbps N]

1. Throughput: ``resize.prepare`` (read + hash + draft decode + resample + encode
   with EXIF/ICC/XMP + write the temporary copy) on 6000x4000 camera-like JPEGs,
   with 1 and 2 worker threads, for "Web 2048 px" and "Fast 3600 px"; beside it,
   the same resize without ``draft()`` (full decode), to show what draft buys.
2. Overlap: the engine uploads the photos resized ("Web 2048 px") to the sandbox
   (its own process) under a bandwidth limit standing in for a hotel's Wi-Fi.
   Timed separately: resizing them all (2 threads) and sending ready-made copies
   at the same limit. If resizing overlaps sending, the resized upload takes
   about max(resize, send), not their sum. "Network busy" is the share of the
   resized upload's wall time with at least one photo's request in flight.
   The sandbox's CPU share is printed beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path[:0] = [str(HERE.parents[2]), str(HERE.parents[1]), str(HERE.parent)]

from bench_upload import SandboxProcess, new_event  # noqa: E402
from imagegen import make_exif  # noqa: E402
from PIL import Image, ImageChops, ImageCms  # noqa: E402
from PIL.JpegImagePlugin import JpegImageFile  # noqa: E402

from studio_desktop.api.shootproof import ShootProofClient  # noqa: E402
from studio_desktop.core import paths  # noqa: E402
from studio_desktop.core.store import Store  # noqa: E402
from studio_desktop.uploads import resize  # noqa: E402
from studio_desktop.uploads.engine import UploadEngine  # noqa: E402
from studio_desktop.uploads.shaping import UploadShape  # noqa: E402

SIZE = (6000, 4000)


def camera_like(path: Path, seed: int) -> Path:
    """Smooth colour fields plus fine grain: compresses like a photo (several MB at 24 MP), not like flat colour."""
    channels = []
    for c in range(3):
        coarse = Image.effect_noise((60 + seed % 7, 40 + c), 90).resize(SIZE, Image.Resampling.BICUBIC)
        channels.append(coarse)
    image = Image.merge("RGB", channels)
    grain = Image.merge("RGB", [Image.effect_noise(SIZE, 10)] * 3)
    image = ImageChops.add(image, grain, scale=1.0, offset=-128)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image.save(
        path, "JPEG", quality=92, exif=make_exif(orientation=6, make="Sony", model="A7 III").tobytes(), icc_profile=icc
    )
    return path


def throughput(files: list[Path], spec: resize.ResizeSpec, workers: int, temp: Path, draft: bool = True) -> float:
    """The same ``prepare`` either way; without draft, the JPEG decoder is asked for full size."""
    real = JpegImageFile.draft
    if not draft:
        JpegImageFile.draft = lambda self, mode, size: None
    try:
        start = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(lambda path: resize.prepare(path, spec, temp_dir=temp).cleanup(), files))
        return len(files) / (time.perf_counter() - start)
    finally:
        JpegImageFile.draft = real


async def upload(
    sandbox: SandboxProcess, store: Store, files: list[Path], kbps: int, shape: UploadShape | None
) -> tuple[float, float]:
    """(wall seconds, share of them with an upload request in flight)."""
    async with ShootProofClient(sandbox.url, sandbox.token) as client:
        event_id = await new_event(sandbox, f"bench {time.time()}")
        intervals: list[tuple[float, float]] = []
        real = client.photo_upload

        async def timed(*args, **kwargs):
            began = time.perf_counter()
            try:
                return await real(*args, **kwargs)
            finally:
                intervals.append((began, time.perf_counter()))

        client.photo_upload = timed
        engine = UploadEngine(client, store, concurrency=3, bandwidth_limit_kbps=kbps, batches=())
        await engine.start()
        start = time.perf_counter()
        try:
            await engine.enqueue(files, event_id, shape=shape)
            await engine.wait_idle()
        finally:
            wall = time.perf_counter() - start
            await engine.stop()
        assert engine.snapshot().files["done"] == len(files), engine.snapshot().files
    busy, end = 0.0, start
    for began, ended in sorted(intervals):
        began = max(began, end)
        if ended > began:
            busy += ended - began
            end = ended
    return wall, busy / wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--photos", type=int, default=None)
    parser.add_argument("--kbps", type=int, default=8_000, help="bandwidth limit for the overlap run (hotel Wi-Fi)")
    args = parser.parse_args()
    count = args.photos or (4 if args.quick else 10)
    root = Path(tempfile.mkdtemp(prefix="bench-resize-"))
    try:
        paths.configure(root / "app").ensure()
        src = root / "photos"
        src.mkdir()
        print(f"Making {count} camera-like 24 MP JPEGs ...", flush=True)
        files = [camera_like(src / f"DSC{i:05d}.jpg", i) for i in range(count)]
        mb = sum(f.stat().st_size for f in files) / count / 1e6
        print(f"  {mb:.1f} MB each on average; {os.cpu_count()} cores")
        temp = root / "tmp"
        print("\nResize throughput (photos per second; read, hash, decode, resample, encode, write):")
        for name in ("Web 2048 px", "Fast 3600 px"):
            spec = resize.PRESETS[name]
            one = throughput(files, spec, 1, temp)
            two = throughput(files, spec, 2, temp)
            full = throughput(files, spec, 2, temp, draft=False)
            print(
                f"  {name:13s}: {one:5.2f}/s on 1 thread, {two:5.2f}/s on 2 ({two / one:.2f}x); "
                f"without draft() {full:5.2f}/s on 2 (draft is {two / full:.2f}x)"
            )

        sandbox = SandboxProcess(root / "sandbox")
        try:
            spec = resize.PRESETS["Web 2048 px"]
            ready = root / "ready"
            ready.mkdir()
            start = time.perf_counter()
            with ThreadPoolExecutor(2) as pool:
                made = list(pool.map(lambda f: resize.prepare(f, spec, temp_dir=temp), files))
            t_resize = time.perf_counter() - start
            copies = []
            for f, p in zip(files, made, strict=True):
                copies.append(Path(shutil.move(p.path, ready / f.name)))
            with Store() as store:
                cpu0 = sandbox.ask("cpu")
                t_send, _ = asyncio.run(upload(sandbox, store, copies, args.kbps, None))
                t_both, busy = asyncio.run(upload(sandbox, store, files, args.kbps, UploadShape(resize=spec)))
                cpu = sandbox.ask("cpu") - cpu0
            copy_mb = sum(c.stat().st_size for c in copies) / len(copies) / 1e6
            print(f"\nOverlap at {args.kbps / 1000:g} Mbit/s, Web 2048 px ({copy_mb:.2f} MB copies), concurrency 3:")
            print(
                f"  resize alone {t_resize:5.2f} s, send ready copies alone {t_send:5.2f} s, "
                f"sum {t_resize + t_send:5.2f} s"
            )
            print(
                f"  resized upload {t_both:5.2f} s = {t_both / (t_resize + t_send):.2f} of the sum, "
                f"{t_both / max(t_resize, t_send):.2f}x the longer phase; network busy {busy:.0%} of it"
            )
            print(f"  sandbox CPU {cpu / (t_send + t_both):.0%} of a core over both uploads")
        finally:
            sandbox.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
