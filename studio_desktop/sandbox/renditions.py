"""Pixels: reading upload headers, drawing demo photos, making resized renditions.

Uploads are never decoded on ingest (only their header is read), as a real
server's ingest stores first and processes later; renditions are made on first
request and cached. Demo photos have no file until someone asks for one; then
a deterministic picture (a gradient with the photo's name on it) is drawn.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont, ImageOps

JPEG_MAGIC = b"\xff\xd8\xff"

# Long edge in pixels of each size a photo's ``url`` object lists.
RENDITION_SIZES: dict[str, int] = {
    "small": 240,
    "medium": 480,
    "medium_large": 640,
    "large": 1024,
    "x_large": 1280,
    "2x_large": 2048,
    "3x_large": 3072,
}
PHOTO_URL_SIZES = ("small", "medium", "medium_large", "large", "x_large", "2x_large", "3x_large", "original")
COVER_SIZES = {"l": 1280, "xl": 2048}


class NotAnImage(ValueError):
    pass


def jpeg_dimensions(path: Path, head: bytes | None = None) -> tuple[int, int]:
    """Width and height of a JPEG as displayed (EXIF orientation applied), from its header only."""
    if head is None:
        with open(path, "rb") as f:
            head = f.read(len(JPEG_MAGIC))
    if not head.startswith(JPEG_MAGIC):
        raise NotAnImage("not a valid image: only JPEG photos can be uploaded")
    try:
        with Image.open(path) as im:
            # Pillow calls a camera's Multi-Picture JPEG "MPO"; it is still a JPEG ShootProof takes.
            if im.format not in ("JPEG", "MPO"):
                raise NotAnImage("not a valid image: only JPEG photos can be uploaded")
            width, height = im.size
            orientation = im.getexif().get(0x0112, 1)
    except NotAnImage:
        raise
    except Exception:
        raise NotAnImage("not a valid image: the JPEG header cannot be read") from None
    if width <= 0 or height <= 0:
        raise NotAnImage("not a valid image: it has no pixels")
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return width, height


def _atomic_save(image: Image.Image, dest: Path, **options: Any) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            image.save(f, "JPEG", **options)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def draw_demo_photo(dest: Path, photo_id: int, name: str, width: int, height: int) -> None:
    """A deterministic picture for a demo photo: a gradient in colours picked from its ID, and its name."""
    digest = hashlib.sha256(f"{photo_id}:{name}".encode()).digest()
    top = tuple(40 + b % 180 for b in digest[:3])
    bottom = tuple(40 + b % 180 for b in digest[3:6])
    mask = Image.linear_gradient("L").resize((width, height))
    image = Image.composite(Image.new("RGB", (width, height), bottom), Image.new("RGB", (width, height), top), mask)
    draw = ImageDraw.Draw(image)
    cx, cy = width // 2, height // 2
    radius = min(width, height) // 5
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), outline=(255, 255, 255), width=6)
    font = ImageFont.load_default(size=max(18, min(width, height) // 16))
    small = ImageFont.load_default(size=max(12, min(width, height) // 40))
    draw.text((cx, cy + radius + 20), name, font=font, fill=(255, 255, 255), anchor="mt")
    draw.text((24, height - 24), f"sandbox photo {photo_id}", font=small, fill=(255, 255, 255), anchor="ls")
    _atomic_save(image, dest, quality=88)


def make_rendition(source: Path, dest: Path, long_edge: int, watermark: str | None = None) -> None:
    """A resized copy (never larger than the source), upright, optionally with a watermark drawn on."""
    with Image.open(source) as im:
        im.draft("RGB", (long_edge, long_edge))
        image = ImageOps.exif_transpose(im.convert("RGB"))
    image.thumbnail((long_edge, long_edge), Image.Resampling.LANCZOS)
    if watermark:
        _draw_watermark(image, watermark)
    _atomic_save(image, dest, quality=85, optimize=False)


def _draw_watermark(image: Image.Image, text: str) -> None:
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    font = ImageFont.load_default(size=max(14, image.width // 14))
    draw.text((image.width // 2, image.height // 2), text, font=font, fill=(255, 255, 255, 110), anchor="mm")
    image.paste(Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB"))
