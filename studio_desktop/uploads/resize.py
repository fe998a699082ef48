"""Resize on the way up: a smaller JPEG in a temporary file, the original never touched.

A preset is a long edge in pixels and a JPEG quality. The copy keeps the
photo's EXIF, ICC profile and XMP. Orientation is applied to the pixels and
the tag reset to 1 (in EXIF and in XMP's ``tiff:Orientation``), so every
viewer shows the copy the same way up whatever it makes of the tag. A photo
already within the long edge is sent as it is (re-encoding would only lose
quality), unless it must shrink in bytes (over the 50 MB limit).

The original is read once, whole, and hashed while read: that sha256 is the
identity the ledger keeps for a resized upload (see :mod:`engine`), so
compare and same-photo checks work on the photographer's own file.
Decoding uses Pillow's ``draft()``, which makes the JPEG decoder itself scale
by 1/2, 1/4 or 1/8: a 24 MP photo going to 2048 px decodes about a sixteenth
of the pixels. Pillow releases the GIL while decoding and encoding, so a
thread pool of one worker per core resizes in parallel.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Pillow is imported when a photo is resized: a plain upload, or a re-run, never needs it
    from PIL import Image

ORIENTATION = 0x0112
EXIF_IFD = 0x8769
PIXEL_X = 0xA002
PIXEL_Y = 0xA003
TEMP_PREFIX = "studio-resize-"
LEFTOVER_AGE = 24 * 3600


@dataclass(frozen=True, slots=True)
class ResizeSpec:
    """``long_edge`` None: the original size (only re-encoded when it must shrink in bytes)."""

    long_edge: int | None
    quality: int = 90

    @property
    def label(self) -> str:
        for name, spec in PRESETS.items():
            if spec == self:
                return name
        size = "original size" if self.long_edge is None else f"{self.long_edge} px"
        return f"{size}, quality {self.quality}"

    def to_options(self) -> dict[str, int | None]:
        return {"long_edge": self.long_edge, "quality": self.quality}

    @classmethod
    def from_options(cls, options: dict[str, Any] | None) -> ResizeSpec | None:
        if not options:
            return None
        edge = options.get("long_edge")
        return cls(None if edge is None else int(edge), int(options.get("quality") or 90))


PRESETS: dict[str, ResizeSpec] = {
    "Original": ResizeSpec(None, 95),
    "Web 2048 px": ResizeSpec(2048, 85),
    "Fast 3600 px": ResizeSpec(3600, 90),
}
_SHORT_NAMES = {"original": "Original", "web": "Web 2048 px", "fast": "Fast 3600 px"}
#: what a photo over the upload limit is shrunk with when the user allows it and chose no size
OVERSIZE_DEFAULT = PRESETS["Fast 3600 px"]
MIN_LONG_EDGE = 256


def parse_spec(text: str, quality: int | None = None) -> ResizeSpec:
    """``web``, ``"Web 2048 px"``, ``fast``, ``original`` or a long edge in pixels; ``quality`` overrides."""
    key = text.strip()
    name = _SHORT_NAMES.get(key.lower()) or next((n for n in PRESETS if n.lower() == key.lower()), None)
    if name is not None:
        spec = PRESETS[name]
    else:
        digits = key.lower().removesuffix("px").strip()
        if not digits.isdigit():
            raise ValueError(f"expected a preset ({', '.join(_SHORT_NAMES)}) or a long edge in pixels, not {text!r}")
        edge = int(digits)
        if edge < MIN_LONG_EDGE:
            raise ValueError(f"a long edge under {MIN_LONG_EDGE} px is too small for a gallery, not {edge}")
        spec = ResizeSpec(edge, 90)
    if quality is not None:
        if not 1 <= quality <= 100:
            raise ValueError(f"JPEG quality goes from 1 to 100, not {quality}")
        spec = ResizeSpec(spec.long_edge, quality)
    return spec


class FileChanged(Exception):
    """The original is not the version that was queued (size or modification time differ)."""


class CannotResize(Exception):
    """The photo cannot be decoded or encoded; the message says why."""


@dataclass(frozen=True, slots=True)
class Prepared:
    """What to send: ``path`` is the temporary copy, or the original itself when ``resized`` is False."""

    path: str
    resized: bool
    size: int
    source_sha256: str
    width: int
    height: int

    def cleanup(self) -> None:
        if self.resized:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)


def needs_resize(width: int, height: int, spec: ResizeSpec) -> bool:
    return spec.long_edge is not None and max(width, height) > spec.long_edge


def prepare(
    src: str | os.PathLike[str],
    spec: ResizeSpec,
    *,
    expected: tuple[int, int] | None = None,
    max_bytes: int | None = None,
    temp_dir: str | os.PathLike[str] | None = None,
) -> Prepared:
    """Read the original once (hashing it) and make the copy to send, in the calling (worker) thread.

    ``expected``: the (size, mtime_ns) queued; another version raises :class:`FileChanged`.
    ``max_bytes``: the copy must fit (an original over it is re-encoded even within the long edge).
    """
    with open(src, "rb") as f:
        st = os.fstat(f.fileno())
        if expected is not None and (st.st_size, st.st_mtime_ns) != expected:
            raise FileChanged(os.fspath(src))
        data = f.read()
    digest = hashlib.sha256(data).hexdigest()
    from PIL import Image

    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        must_shrink = max_bytes is not None and len(data) > max_bytes
        if not needs_resize(width, height, spec) and not must_shrink:
            return Prepared(os.fspath(src), False, len(data), digest, width, height)
        out = _resized_bytes(image, spec)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise CannotResize(f"cannot be resized: {exc}") from None
    if max_bytes is not None and len(out[0]) > max_bytes:
        raise CannotResize(f"still over the upload limit after resizing ({len(out[0]) // (1024 * 1024)} MB)")
    folder = Path(temp_dir) if temp_dir is not None else Path(tempfile.gettempdir())
    folder.mkdir(parents=True, exist_ok=True)
    fd, temp_path = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".jpg", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(out[0])
    except BaseException:
        os.unlink(temp_path)
        raise
    return Prepared(temp_path, True, len(out[0]), digest, out[1], out[2])


def _resized_bytes(image: Image.Image, spec: ResizeSpec) -> tuple[bytes, int, int]:
    info = dict(image.info)
    exif = image.getexif()
    if spec.long_edge is not None:
        scale = spec.long_edge / max(image.size)
        if scale < 1:
            # draft() scales within the decoder; the size asked is a lower bound it keeps.
            image.draft("RGB", (max(1, int(image.width * scale)), max(1, int(image.height * scale))))
    from PIL import Image, ImageOps

    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB")
    if spec.long_edge is not None and max(image.size) > spec.long_edge:
        image.thumbnail((spec.long_edge, spec.long_edge), Image.Resampling.LANCZOS, reducing_gap=None)
    exif[ORIENTATION] = 1
    sub = exif.get_ifd(EXIF_IFD)
    if PIXEL_X in sub or PIXEL_Y in sub:
        sub[PIXEL_X], sub[PIXEL_Y] = image.width, image.height
    options: dict[str, Any] = {"quality": spec.quality, "exif": exif.tobytes()}
    if info.get("icc_profile"):
        options["icc_profile"] = info["icc_profile"]
    xmp = info.get("xmp")
    if xmp:
        options["xmp"] = _xmp_upright(xmp if isinstance(xmp, bytes) else str(xmp).encode())
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue(), image.width, image.height


_XMP_ORIENTATION = re.compile(rb"(Orientation(?:=[\"']|>))\s*[2-8]\s*([\"']|<)")


def _xmp_upright(xmp: bytes) -> bytes:
    """``tiff:Orientation`` in XMP says 1 too (any prefix; attribute or element form)."""
    return _XMP_ORIENTATION.sub(rb"\g<1>1\g<2>", xmp)


def clean_leftovers(temp_dir: str | os.PathLike[str], older_than: float = LEFTOVER_AGE) -> int:
    """Delete copies a crashed run left behind (old enough that no running upload still sends them)."""
    removed = 0
    cutoff = time.time() - older_than
    try:
        entries = list(os.scandir(temp_dir))
    except OSError:
        return 0
    for entry in entries:
        if entry.name.startswith(TEMP_PREFIX) and entry.is_file(follow_symlinks=False):
            try:
                if entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
                    removed += 1
            except OSError:
                pass
    return removed
