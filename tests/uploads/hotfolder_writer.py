"""A stand-in for a tethered camera: writes JPEGs into a folder the way capture software does.

Run as a separate process (``python hotfolder_writer.py FOLDER COUNT SEED``) so the
hot folder sees writes from another process, as it would from the real thing:

- each photo (noise, so 20-200 KB) is written in small chunks with uneven pauses;
- every third one is written under a temporary name and renamed when done;
- every fifth one goes into a subfolder (for --mirror-folders), some two levels deep;
- now and then a burst of several photos lands with no pause at all.

Prints one JSON line per photo once it is in place: relative path, size, sha256, and
``written_at`` (``time.time()`` right after its last write, or its rename into place).
An optional fourth argument paces the shoot: the mean pause between photos, in seconds.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import sys
import time
from pathlib import Path

from PIL import Image

SUBFOLDERS = ("Ceremony", "Reception", os.path.join("Portraits", "Family"))


def photo_bytes(rng: random.Random, index: int) -> bytes:
    width = rng.randint(170, 520)
    height = rng.randint(130, 400)
    noise = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    # A flat band with the index keeps every photo distinct even if the noise repeated.
    noise.paste((index % 256, (index * 7) % 256, (index * 13) % 256), (0, 0, width, 4))
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=rng.choice((85, 92, 97)))
    return out.getvalue()


def write_in_chunks(path: Path, data: bytes, rng: random.Random, slow: bool) -> None:
    with open(path, "wb") as writer:
        position = 0
        while position < len(data):
            chunk = rng.randint(4_096, 32_768)
            writer.write(data[position : position + chunk])
            writer.flush()
            position += chunk
            if slow:
                time.sleep(rng.choice((0, 0, 0, 0.001, 0.003, 0.01, 0.02)))


def main(folder: Path, count: int, seed: int, pace: float | None = None) -> None:
    rng = random.Random(seed)
    burst_left = 0
    for index in range(count):
        sub = SUBFOLDERS[(index // 5) % len(SUBFOLDERS)] if index % 5 == 4 else ""
        target_dir = folder / sub
        target_dir.mkdir(parents=True, exist_ok=True)
        name = f"IMG_{index:04d}.jpg"
        final = target_dir / name
        data = photo_bytes(rng, index)
        if burst_left == 0 and rng.random() < 0.05:
            burst_left = rng.randint(5, 15)
        slow = burst_left == 0
        if index % 3 == 0:
            temp = target_dir / f".{name}.part"
            write_in_chunks(temp, data, rng, slow)
            os.rename(temp, final)
        else:
            write_in_chunks(final, data, rng, slow)
        written_at = time.time()
        print(
            json.dumps(
                {
                    "path": os.path.join(sub, name),
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "written_at": written_at,
                }
            ),
            flush=True,
        )
        if burst_left:
            burst_left -= 1
        elif pace is not None:
            time.sleep(rng.uniform(0, 2 * pace))
        else:
            time.sleep(rng.choice((0, 0.005, 0.01, 0.02, 0.04)))


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]) if len(sys.argv) > 4 else None)
