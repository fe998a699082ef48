"""Real photo files for tests, made with Pillow in a test's tmp folder.

Shared by every test that needs files on disk (scanner, images, upload engine,
hot folders). Everything here writes only where it is told to, and is fast:
small images, and sparse files for big ones. Import it as `from imagegen import
make_jpeg` (pytest puts tests/ on sys.path because of tests/conftest.py).

    make_jpeg(tmp_path / "IMG_0001.jpg")                      # 64x48 red JPEG
    make_jpeg(p, size=(80, 40), right_color=BLUE, exif_orientation=6)
    make_jpeg(p, min_bytes=2_000_000)                         # a 2 MB valid JPEG
    make_truncated_jpeg(p, keep_fraction=0.5)                 # a copy still in progress
    make_sparse_jpeg(p, 60 * 1024 * 1024)                     # a "60 MB" JPEG, no disk cost
    write_fake(p, "heic")                                     # first bytes of another format
"""

from __future__ import annotations

import os
from datetime import datetime
from io import BytesIO
from pathlib import Path

from PIL import Image

RED = (220, 20, 20)
BLUE = (20, 20, 220)
GREEN = (20, 200, 20)
WHITE = (255, 255, 255)

XMP_ID = b"http://ns.adobe.com/xap/1.0/\x00"

Color = tuple[int, int, int]


def _segment(marker: int, payload: bytes) -> bytes:
    if len(payload) > 65533:
        raise ValueError("a JPEG segment holds at most 65533 bytes")
    return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload


def insert_segments(jpeg: bytes, segments: list[bytes]) -> bytes:
    """Put ready-made segments (see `app_segment`) right after the JPEG's SOI marker."""
    assert jpeg[:2] == b"\xff\xd8", "not a JPEG"
    return jpeg[:2] + b"".join(segments) + jpeg[2:]


def app_segment(n: int, payload: bytes) -> bytes:
    """An APPn segment (n from 0 to 15) holding `payload`."""
    return _segment(0xE0 + n, payload)


def xmp_segment(xmp: str | bytes) -> bytes:
    """The APP1 segment that carries an XMP packet."""
    body = xmp.encode() if isinstance(xmp, str) else xmp
    return app_segment(1, XMP_ID + body)


def make_exif(
    *,
    orientation: int | None = None,
    taken_at: datetime | str | None = None,
    make: str | None = None,
    model: str | None = None,
    lens: str | None = None,
    offset: str | None = None,
) -> Image.Exif:
    """EXIF with the given fields; `taken_at` goes to DateTimeOriginal, `offset` ("+02:00") beside it."""
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if make is not None:
        exif[0x010F] = make
    if model is not None:
        exif[0x0110] = model
    sub = exif.get_ifd(0x8769)
    if taken_at is not None:
        sub[0x9003] = taken_at if isinstance(taken_at, str) else taken_at.strftime("%Y:%m:%d %H:%M:%S")
    if offset is not None:
        sub[0x9011] = offset
    if lens is not None:
        sub[0xA434] = lens
    return exif


def make_rgb_image(size: tuple[int, int], color: Color, right_color: Color | None = None) -> Image.Image:
    """A flat image; with `right_color` its right half differs, so rotations show in pixels."""
    image = Image.new("RGB", size, color)
    if right_color is not None:
        width, height = size
        image.paste(right_color, (width // 2, 0, width, height))
    return image


def jpeg_bytes(
    size: tuple[int, int] = (64, 48),
    color: Color = RED,
    *,
    right_color: Color | None = None,
    exif_orientation: int | None = None,
    taken_at: datetime | str | None = None,
    make: str | None = None,
    model: str | None = None,
    lens: str | None = None,
    quality: int = 90,
    progressive: bool = False,
    extra_segments: list[bytes] | None = None,
    embedded_preview: bool = False,
    min_bytes: int | None = None,
) -> bytes:
    """The bytes of a complete, valid JPEG.

    `embedded_preview` adds a small whole JPEG inside an APP15 segment, as
    camera firmwares embed previews in the header: its end marker (FFD9) then
    appears near the start of the file. `min_bytes` pads the header with
    comment segments so the file is at least that big and still valid (the
    padding comes before the image data, so cutting the file anywhere before
    its end leaves no end marker).
    """
    exif = make_exif(orientation=exif_orientation, taken_at=taken_at, make=make, model=model, lens=lens)
    image = make_rgb_image(size, color, right_color)
    out = BytesIO()
    options = {"quality": quality, "progressive": progressive}
    if len(exif):
        options["exif"] = exif.tobytes()
    image.save(out, "JPEG", **options)
    data = out.getvalue()
    segments = list(extra_segments or [])
    if embedded_preview:
        preview = BytesIO()
        make_rgb_image((16, 12), color, right_color).save(preview, "JPEG", quality=70)
        segments.append(app_segment(15, b"PREVIEW\x00" + preview.getvalue()))
    if segments:
        data = insert_segments(data, segments)
    if min_bytes is not None and len(data) < min_bytes:
        padding = []
        missing = min_bytes - len(data)
        while missing > 0:
            chunk = min(65533, max(missing - 4, 1))
            padding.append(_segment(0xFE, b"\x00" * chunk))
            missing -= chunk + 4
        data = insert_segments(data, padding)
    return data


def make_jpeg(path: Path | str, size: tuple[int, int] = (64, 48), color: Color = RED, **options) -> Path:
    """Write a complete JPEG (see `jpeg_bytes` for the options); parent folders are created."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(jpeg_bytes(size, color, **options))
    return path


def make_image(
    path: Path | str, fmt: str, size: tuple[int, int] = (64, 48), color: Color = GREEN, *, alpha: int | None = None
) -> Path:
    """Write an image in any format Pillow writes ("PNG", "GIF", "WEBP", "TIFF", "BMP"...).

    With `alpha` (0-255) the image is RGBA with that opacity everywhere.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, color) if alpha is None else Image.new("RGBA", size, (*color, alpha))
    image.save(path, fmt)
    return path


def make_png(path: Path | str, size: tuple[int, int] = (64, 48), color: Color = GREEN) -> Path:
    return make_image(path, "PNG", size, color)


def make_text_file(path: Path | str, text: str = "Not a photo.\nJust some words.\n") -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_truncated_jpeg(path: Path | str, keep_fraction: float = 0.6, **options) -> Path:
    """A JPEG cut off part-way through (as while a camera or a copy is still writing it)."""
    data = jpeg_bytes(**{"size": (160, 120), "quality": 95, **options})
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data[: max(4, int(len(data) * keep_fraction))])
    return path


def append_bytes(path: Path | str, data: bytes) -> Path:
    """Add `data` after the end of a file (padding, camera trailers, a motion-photo video)."""
    with open(path, "ab") as f:
        f.write(data)
    return Path(path)


def make_sparse_jpeg(path: Path | str, total_bytes: int, *, end_marker: bool = True, **options) -> Path:
    """A JPEG of `total_bytes` that costs almost no disk: a real header, a hole, then FFD9.

    Made with `truncate`, so a "60 MB" photo takes a few KB. With `end_marker`
    False the file ends in the hole, like a cut-short copy.
    """
    data = jpeg_bytes(**options)
    if total_bytes < len(data):
        raise ValueError(f"total_bytes must be at least {len(data)}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(data[:-2])
        f.truncate(total_bytes)
        if end_marker:
            f.seek(total_bytes - 2)
            f.write(b"\xff\xd9")
    return path


FAKE_HEADERS: dict[str, bytes] = {
    "heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 40,
    "avif": b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\x00" * 40,
    "cr3": b"\x00\x00\x00\x18ftypcrx \x00\x00\x00\x01crx isom" + b"\x00" * 40,
    "cr2": b"II*\x00\x10\x00\x00\x00CR\x02\x00\x00\x00\x00\x00" + b"\x00" * 40,
    "raf": b"FUJIFILMCCD-RAW 0201FF383501" + b"\x00" * 40,
    "orf": b"IIRO\x08\x00\x00\x00" + b"\x00" * 40,
    "rw2": b"IIU\x00\x18\x00\x00\x00" + b"\x00" * 40,
    "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    "mp4": b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00" * 40,
    "mov": b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00" * 40,
    "html": b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head></html>\n",
    "zip": b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 40,
    "zeros": b"\x00" * 8192,
    "binary": bytes(range(7, 256)) * 8,
}
"""First bytes of files of other kinds, for tests of sniffing and rejection."""


def tiff_with_ifd0(entries: list[tuple[int, int, int, bytes]], *, strings: bytes = b"") -> bytes:
    """A little-endian TIFF header whose IFD0 holds `entries` (tag, type, count, 4-byte value).

    `strings` is placed right after the IFD; refer to it from an entry with
    `tiff_string_offset(len(entries))`. Enough to tell a RAW file from a TIFF.
    """
    ifd = len(entries).to_bytes(2, "little")
    for tag, kind, count, value in sorted(entries):
        ifd += tag.to_bytes(2, "little") + kind.to_bytes(2, "little") + count.to_bytes(4, "little")
        ifd += value.ljust(4, b"\x00")
    ifd += b"\x00\x00\x00\x00"
    return b"II*\x00" + (8).to_bytes(4, "little") + ifd + strings


def tiff_string_offset(entry_count: int) -> bytes:
    """The 4-byte offset of `strings` in `tiff_with_ifd0` with that many entries."""
    return (8 + 2 + 12 * entry_count + 4).to_bytes(4, "little")


def write_fake(path: Path | str, kind: str) -> Path:
    """Write a file that starts like `kind` (a key of `FAKE_HEADERS`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(FAKE_HEADERS[kind])
    return path


def read_bytes_so_far() -> int | None:
    """Bytes this process has read through read() calls so far (Linux `/proc/self/io` rchar).

    Lets a test check how much of a file a function reads without timing it.
    None where /proc is not available.
    """
    try:
        with open("/proc/self/io", encoding="ascii") as f:
            for line in f:
                if line.startswith("rchar:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def pixel_is(image: Image.Image, xy: tuple[int, int], color: Color, tolerance: int = 40) -> bool:
    """Is the pixel at `xy` within `tolerance` of `color` on every channel (JPEG is lossy)?"""
    actual = image.convert("RGB").getpixel(xy)
    return all(abs(a - b) <= tolerance for a, b in zip(actual, color, strict=False))


def chmod_blocks_reads() -> bool:
    """Does chmod 000 stop this process from reading? Not as root (CI runs as root)."""
    return hasattr(os, "geteuid") and os.geteuid() != 0
