"""Thumbnail files on disk: Pillow scaling and the cache folder. No Qt here; runs in a worker thread.

Cached thumbnails are JPEGs at a fixed long edge (big enough for the largest grid
size), named by photo id plus a hash of the rendition URL's path: a replaced
photo gets a new URL, so its old thumbnail is never shown. Query strings are left
out of the hash because hosting services sign them and the signature changes.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image, ImageOps

#: Long edge of cached thumbnails, in pixels.
CACHE_EDGE = 320
JPEG_QUALITY = 85


@dataclass(frozen=True)
class RawImage:
    """Decoded RGB pixels, ready to wrap in a QImage on the UI thread."""

    width: int
    height: int
    rgb: bytes

    @property
    def bytes_per_line(self) -> int:
        return self.width * 3


def cache_name(photo_id: int, url: str) -> str:
    parts = urlsplit(url)
    digest = hashlib.sha1(f"{parts.netloc}{parts.path}".encode()).hexdigest()[:12]
    return f"{photo_id}-{digest}.jpg"


def cache_path(cache_dir: Path, photo_id: int, url: str) -> Path:
    # Two-level fan-out keeps folders small for studios with 100,000-photo galleries.
    name = cache_name(photo_id, url)
    return cache_dir / name[-6:-4] / name


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def scale(data: bytes, edge: int = CACHE_EDGE) -> tuple[RawImage, bytes]:
    """Decode ``data`` (any format Pillow reads), apply EXIF orientation, fit in ``edge`` x ``edge``.

    Returns the pixels and a JPEG of them for the disk cache. Raises ``ValueError``
    with a plain message when the data is not a readable image.
    """
    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.draft("RGB", (edge, edge))  # JPEG: decode at reduced scale, much faster
            image = ImageOps.exif_transpose(opened)
            image.thumbnail((edge, edge), Image.Resampling.LANCZOS)
            image = _to_rgb(image)
            out = io.BytesIO()
            image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
            return RawImage(image.width, image.height, image.tobytes()), out.getvalue()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValueError(f"not a readable image ({type(exc).__name__})") from None


def read_cached(path: Path) -> RawImage | None:
    """The cached thumbnail's pixels, or None if it is missing or damaged (a damaged one is removed)."""
    try:
        with Image.open(path) as opened:
            image = _to_rgb(opened)
            image.load()
            return RawImage(image.width, image.height, image.tobytes())
    except FileNotFoundError:
        return None
    except (OSError, SyntaxError, ValueError):
        with contextlib.suppress(OSError):
            path.unlink()
        return None


def write_cached(path: Path, jpeg: bytes) -> None:
    """Write atomically so a crash never leaves half a thumbnail that later reads as damaged."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        tmp.write_bytes(jpeg)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def scale_and_store(data: bytes, path: Path, edge: int = CACHE_EDGE) -> RawImage:
    raw, jpeg = scale(data, edge)
    with contextlib.suppress(OSError):  # a full or read-only cache must not stop the grid
        write_cached(path, jpeg)
    return raw


def prune(cache_dir: Path, max_bytes: int) -> int:
    """Delete the least recently used thumbnails until the cache fits in ``max_bytes``; returns files removed."""
    entries: list[tuple[float, int, Path]] = []
    total = 0
    try:
        for path in cache_dir.rglob("*.jpg"):
            with contextlib.suppress(OSError):
                st = path.stat()
                entries.append((max(st.st_atime, st.st_mtime), st.st_size, path))
                total += st.st_size
    except OSError:
        return 0
    removed = 0
    for _, size, path in sorted(entries):
        if total <= max_bytes:
            break
        with contextlib.suppress(OSError):
            path.unlink()
            total -= size
            removed += 1
    return removed
