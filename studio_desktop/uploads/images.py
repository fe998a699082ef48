"""What a photo file is, whether it is whole, and the Pillow work done on it.

The cheap checks (`sniff_kind`, `has_jpeg_end_marker`, `validate_jpeg`) run on
every file of a drop or a hot folder, so they read very little of each file:

- the first 4 KB (`HEAD_BYTES`): the magic number and, for JPEGs, usually the
  whole header;
- for JPEGs, the 4-byte headers of the segments before the image data (seeking
  over their bodies, reading 4 KB blocks only where a header lies outside what
  was already read) and the 5 bytes of the frame header that hold the size;
- the last 4 KB, then only if the end marker is not there the rest of the last
  64 KB (`TAIL_BYTES`);
- the APP2 `MPF` segment when there is one (Multi-Picture JPEGs: the index of
  the images appended after the primary one, hence the file's full length);
- only if there is no end marker in the last 64 KB, and the XMP packet says a
  motion-photo video was appended after the picture: that packet (at most
  64 KB) and 64 KB just before where the video starts.

Nothing else is read, and no pixel is decoded. Pixels are decoded only by
`make_thumbnail`, with Pillow's `draft()` so that a JPEG is decoded at a
reduced scale.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal

from studio_desktop.api.limits import MAX_UPLOAD_BYTES

if TYPE_CHECKING:
    # Pillow is loaded by the thumbnail and photo-info functions, not on import: checking a JPEG
    # (every upload's scan) reads its bytes and needs none of it.
    from PIL import Image

HEAD_BYTES = 4096
TAIL_BYTES = 64 * 1024
_FIRST_TAIL_BYTES = 4096
_BLOCK_BYTES = 4096
_MAX_SEGMENTS = 10_000

_EOI = b"\xff\xd9"
_SOS = 0xDA
_APP1 = 0xE1
_APP2 = 0xE2
_MPF_ID = b"MPF\x00"
_MP_ENTRY_TAG = 0xB002
_STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD8)})
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_XMP_ID = b"http://ns.adobe.com/xap/1.0/\x00"

CUT_SHORT = "the JPEG is cut short (no end marker); it may still be copying"
CUT_SHORT_MULTI_PICTURE = "the JPEG is cut short (its multi-picture index lists more images); it may still be copying"

KIND_DESCRIPTIONS = {
    "jpeg": "a JPEG image",
    "png": "a PNG image",
    "heic": "a HEIC image",
    "avif": "an AVIF image",
    "tiff": "a TIFF image",
    "gif": "a GIF image",
    "webp": "a WebP image",
    "raw": "a camera RAW file",
    "bmp": "a BMP image",
    "psd": "a Photoshop document",
    "jxl": "a JPEG XL image",
    "jpeg2000": "a JPEG 2000 image",
}
"""Every value `sniff_kind` can return, with the words used in messages."""


class ImageFileError(Exception):
    """A photo that Pillow cannot read; the message is plain words for the user."""


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """The outcome of `validate_jpeg`: `reason` says in plain words why it is not ok.

    `size` and `mtime_ns` come from the open file (so they describe the bytes
    that were checked); `width` and `height` are the stored pixel size, before
    any EXIF rotation, when the JPEG header gives them.
    """

    ok: bool
    reason: str | None = None
    kind: str | None = None
    size: int | None = None
    mtime_ns: int | None = None
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True, slots=True)
class ExifSummary:
    """What the photo-info panel shows. `width`/`height` are as displayed (EXIF rotation applied)."""

    width: int
    height: int
    orientation: int = 1
    captured_at: datetime | None = None
    camera: str | None = None
    lens: str | None = None


class _NotRegular(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@contextmanager
def _open_regular(path: str | os.PathLike[str], buffering: int = 0) -> Iterator[tuple[BinaryIO, os.stat_result]]:
    """Open a regular file for reading without ever blocking (think of a FIFO named x.jpg).

    Yields the binary file and its `fstat`; raises `_NotRegular` for folders,
    pipes and devices.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise _NotRegular("not a file — it is a folder")
        if not stat.S_ISREG(st.st_mode):
            raise _NotRegular("not a regular file (it is a device, pipe or socket)")
        f = open(fd, "rb", buffering=buffering)  # noqa: SIM115 -- the `with f:` below closes it; until then fd is ours
    except BaseException:
        os.close(fd)
        raise
    with f:
        yield f, st


# --- sniffing ---------------------------------------------------------------------------

_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_GENERIC_HEIF_BRANDS = frozenset({b"mif1", b"msf1"})
_RAW_MAKERS = (
    "nikon",
    "sony",
    "canon",
    "pentax",
    "ricoh",
    "olympus",
    "om digital",
    "panasonic",
    "leica",
    "fujifilm",
    "hasselblad",
    "phase one",
    "samsung",
    "sigma",
    "minolta",
    "konica",
    "kodak",
    "mamiya",
    "leaf",
    "epson",
)


def sniff_bytes(head: bytes) -> str | None:
    """The kind of image (a key of `KIND_DESCRIPTIONS`) that starts with `head`, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        return _sniff_iso_media(head)
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "raw" if _tiff_is_raw(head) else "tiff"
    if head[:4] in (b"IIRO", b"IIRS", b"MMOR", b"IIU\x00") or head.startswith(
        (b"FUJIFILMCCD-RAW", b"FOVb", b"\x00MRM")
    ):
        return "raw"
    if head[:4] == b"8BPS":
        return "psd"
    if (
        head[:2] == b"BM"
        and len(head) >= 18
        and int.from_bytes(head[14:18], "little")
        in (
            12,
            40,
            52,
            56,
            64,
            108,
            124,
        )
    ):
        return "bmp"
    if head.startswith((b"\xff\x0a", b"\x00\x00\x00\x0cJXL \r\n\x87\n")):
        return "jxl"
    if head.startswith((b"\x00\x00\x00\x0cjP  \r\n\x87\n", b"\xff\x4f\xff\x51")):
        return "jpeg2000"
    return None


def sniff_kind(path: str | os.PathLike[str]) -> str | None:
    """The kind of image in `path`, judged from its first bytes (never its extension).

    Returns None for anything else, and for files that cannot be read.
    """
    try:
        with _open_regular(path) as (f, _st):
            return sniff_bytes(_read_fully(f, 0, HEAD_BYTES))
    except (OSError, _NotRegular):
        return None


def _sniff_iso_media(head: bytes) -> str | None:
    box_size = int.from_bytes(head[0:4], "big")
    end = min(len(head), box_size if box_size >= 16 else 16)
    brands = {head[8:12]} | {head[i : i + 4] for i in range(16, end - 3, 4)}
    if b"crx " in brands:
        return "raw"
    if brands & _AVIF_BRANDS:
        return "avif"
    if brands & (_HEIF_BRANDS | _GENERIC_HEIF_BRANDS):
        return "heic"
    return None


def _tiff_is_raw(head: bytes) -> bool:
    """Camera RAW files are TIFF inside; tell them from plain TIFFs by what IFD0 holds.

    CR2 marks itself at byte 8; DNG has a DNGVersion tag; NEF, ARW, PEF and the
    like name a camera maker and keep the raw data in a sub-IFD (or make IFD0 a
    reduced-size preview), which a TIFF exported by an editor does not.
    """
    if head[8:10] == b"CR":
        return True
    order: Literal["little", "big"] = "little" if head[:2] == b"II" else "big"
    ifd = int.from_bytes(head[4:8], order)
    if ifd < 8 or ifd + 2 > len(head):
        return False
    count = int.from_bytes(head[ifd : ifd + 2], order)
    make = b""
    sub_ifds = False
    reduced = False
    for i in range(min(count, 512)):
        entry = head[ifd + 2 + 12 * i : ifd + 14 + 12 * i]
        if len(entry) < 12:
            break
        tag = int.from_bytes(entry[0:2], order)
        if tag == 0xC612:
            return True
        if tag == 0x014A:
            sub_ifds = True
        elif tag == 0x00FE:
            is_short = int.from_bytes(entry[2:4], order) == 3
            reduced = int.from_bytes(entry[8:10] if is_short else entry[8:12], order) & 1 == 1
        elif tag == 0x010F:
            length = int.from_bytes(entry[4:8], order)
            if length <= 4:
                make = entry[8 : 8 + length]
            else:
                offset = int.from_bytes(entry[8:12], order)
                make = head[offset : offset + min(length, 64)]
    maker = make.decode("latin-1").strip("\x00 ").lower()
    return bool(maker) and maker.startswith(_RAW_MAKERS) and (sub_ifds or reduced)


def _describe_other(head: bytes) -> str:
    """Plain words for what a file that is not a known image seems to be."""
    stripped = head.lstrip(b"\xef\xbb\xbf").lstrip()
    lowered = stripped[:256].lower()
    if head.startswith(b"%PDF-"):
        return "it looks like a PDF document"
    if head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free") or (head[:4] == b"RIFF" and head[8:12] == b"AVI "):
        return "it looks like a video"
    if head.startswith(b"PK\x03\x04"):
        return "it looks like a ZIP archive"
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered:
        return "it is a web page (HTML)"
    if head and head.count(0) == len(head):
        return "it contains only zero bytes; the copy may have failed"
    if _looks_like_text(head):
        return "it is a text file"
    return "its contents are not a kind of file we recognise"


_TEXT_CONTROL_BYTES = frozenset(b"\t\n\f\r")
_BINARY_BYTES = frozenset(range(32)) - _TEXT_CONTROL_BYTES | {0x7F}


def _looks_like_text(head: bytes) -> bool:
    """UTF-8 (or UTF-16 with a BOM) that is nearly all printable, or 8-bit text with no control bytes."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return not _BINARY_BYTES.intersection(head)
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\t\r\n\f")
    return printable >= 0.95 * len(text)


def describe_not_jpeg(head: bytes) -> str:
    """The reason given for a file whose first bytes are not a JPEG's."""
    kind = sniff_bytes(head)
    if kind is not None:
        return f"not a JPEG — it looks like {KIND_DESCRIPTIONS[kind]}"
    return f"not a JPEG — {_describe_other(head)}"


# --- reading JPEG structure cheaply ----------------------------------------------------


class _Reader:
    """Positioned reads from an open file that reuse the head and one cached block."""

    def __init__(self, f: BinaryIO, size: int, head: bytes) -> None:
        self._f = f
        self.size = size
        self.head = head
        self._block_start = -1
        self._block = b""

    def read_at(self, offset: int, n: int) -> bytes:
        end = min(offset + n, self.size)
        if offset < 0 or offset >= end:
            return b""
        if end <= len(self.head):
            return self.head[offset:end]
        if self._block_start <= offset and end <= self._block_start + len(self._block):
            start = offset - self._block_start
            return self._block[start : start + (end - offset)]
        if end - offset <= _BLOCK_BYTES:
            self._block = _read_fully(self._f, offset, _BLOCK_BYTES)
            self._block_start = offset
            return self._block[: end - offset]
        return _read_fully(self._f, offset, end - offset)


def _read_fully(f: BinaryIO, offset: int, n: int) -> bytes:
    """Read `n` bytes at `offset`, or up to the end of the file; unbuffered reads may come back short."""
    f.seek(offset)
    chunks = []
    while n > 0:
        chunk = f.read(n)
        if not chunk:
            break
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


@dataclass(slots=True)
class _Structure:
    status: str  # "ok", "truncated" or "damaged"
    scan_data_start: int = 0
    width: int | None = None
    height: int | None = None
    app1_offsets: tuple[int, ...] = ()
    app2_offsets: tuple[int, ...] = ()


def _walk_segments(reader: _Reader) -> _Structure:
    """Follow the JPEG segment headers from SOI to the first SOS, seeking over bodies."""
    pos = 2
    width = height = None
    app1: list[int] = []
    app2: list[int] = []
    for _ in range(_MAX_SEGMENTS):
        header = reader.read_at(pos, 4)
        if len(header) < 2:
            return _Structure("truncated")
        if header[0] != 0xFF:
            return _Structure("damaged")
        marker = header[1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in _STANDALONE_MARKERS:
            pos += 2
            continue
        if marker in (0xD8, 0xD9):
            return _Structure("damaged")
        if len(header) < 4:
            return _Structure("truncated")
        length = int.from_bytes(header[2:4], "big")
        if length < 2:
            return _Structure("damaged")
        if pos + 2 + length > reader.size:
            return _Structure("truncated")
        if marker in _SOF_MARKERS:
            frame = reader.read_at(pos + 5, 4)
            if len(frame) == 4:
                height = int.from_bytes(frame[0:2], "big") or None
                width = int.from_bytes(frame[2:4], "big") or None
        elif marker == _APP1:
            app1.append(pos)
        elif marker == _APP2:
            app2.append(pos)
        if marker == _SOS:
            return _Structure("ok", pos + 2 + length, width, height, tuple(app1), tuple(app2))
        pos += 2 + length
    return _Structure("damaged")


def _end_marker_present(reader: _Reader, structure: _Structure) -> bool:
    """Is there an end marker after the start of the image data, near the end of the file?

    Inside entropy-coded image data every 0xFF byte is followed by 0x00 (or a
    restart marker), so an FFD9 after the first scan starts can only be the end
    of the image; whatever follows it (zero padding, camera trailers) does not
    matter. Starting the search after the scan header is what keeps the EXIF
    thumbnail's own end marker, near the start of the file, from counting.
    """
    floor = structure.scan_data_start
    size = reader.size
    for window in (_FIRST_TAIL_BYTES, TAIL_BYTES):
        start = max(floor, size - window)
        if reader.read_at(start, size - start).rfind(_EOI) >= 0:
            return True
        if start == floor:
            return False
    video_start = _motion_photo_video_start(reader, structure)
    if video_start is None or video_start <= floor:
        return False
    start = max(floor, video_start - TAIL_BYTES)
    return reader.read_at(start, video_start - start).rfind(_EOI) >= 0


def multi_picture_length(reader: _Reader, structure: _Structure) -> int | None:
    """The full length a Multi-Picture (MPF) JPEG declares: the end of its last image.

    Cameras (Canon, Nikon, Sony) and phones write a primary JPEG followed by more
    images (large previews, depth maps) and index them in an APP2 ``MPF``
    segment: a TIFF-style IFD whose MP Entry tag (0xB002) lists each image's
    size and offset, offsets counted from the start of that TIFF header. A file
    shorter than the end of its last image is still being written, however
    complete its primary image looks. None when there is no usable index.
    """
    for pos in structure.app2_offsets:
        length = int.from_bytes(reader.read_at(pos + 2, 2), "big")
        if reader.read_at(pos + 4, 4) != _MPF_ID:
            continue
        base = pos + 8
        body = reader.read_at(base, length - 6)
        end = _mp_entries_end(body, base)
        if end is not None:
            return end
    return None


def _mp_entries_end(tiff: bytes, base: int) -> int | None:
    if tiff[:4] == b"II*\x00":
        order = "little"
    elif tiff[:4] == b"MM\x00*":
        order = "big"
    else:
        return None

    def number(at: int, size: int) -> int | None:
        raw = tiff[at : at + size]
        return int.from_bytes(raw, order) if len(raw) == size else None  # type: ignore[arg-type]

    ifd = number(4, 4)
    count = number(ifd, 2) if ifd is not None else None
    if ifd is None or count is None:
        return None
    for i in range(min(count, 64)):
        entry = ifd + 2 + 12 * i
        if number(entry, 2) != _MP_ENTRY_TAG:
            continue
        entries_size, entries_at = number(entry + 4, 4), number(entry + 8, 4)
        if entries_size is None or entries_at is None:
            return None
        end = 0
        for first in range(entries_at, entries_at + entries_size - 15, 16):
            size, offset = number(first + 4, 4), number(first + 8, 4)
            if size is None or offset is None:
                return None
            # The primary image's offset is 0: it starts the file, not the TIFF header.
            start = base + offset if offset else 0
            end = max(end, start + size)
        # An index pointing far past anything ShootProof takes is damaged, not a promise.
        return end if 0 < end <= MAX_UPLOAD_BYTES else None
    return None


_MICRO_VIDEO_OFFSET = re.compile(rb"MicroVideoOffset(?:=\"|>)\s*(\d+)")
_ITEM_LENGTH = re.compile(rb"Item:Length(?:=\"|>)\s*(\d+)")


def _motion_photo_video_start(reader: _Reader, structure: _Structure) -> int | None:
    """Where an appended motion-photo video starts, as the XMP packet declares it.

    Google's formats: the older `GCamera:MicroVideoOffset` (bytes from the end
    of the file) and the Container directory, whose items after the primary
    image give their lengths. Padding between items is left out: the end
    marker is searched for in the 64 KB before the computed start anyway.
    """
    for pos in structure.app1_offsets:
        length = int.from_bytes(reader.read_at(pos + 2, 2), "big")
        if reader.read_at(pos + 4, len(_XMP_ID)) != _XMP_ID:
            continue
        xmp = reader.read_at(pos + 4 + len(_XMP_ID), length - 2 - len(_XMP_ID))
        found = _MICRO_VIDEO_OFFSET.search(xmp)
        if found:
            return reader.size - int(found.group(1))
        trailing = sum(int(item_length) for item_length in _ITEM_LENGTH.findall(xmp))
        if trailing:
            return reader.size - trailing
    return None


def has_jpeg_end_marker(path: str | os.PathLike[str]) -> bool:
    """Does the JPEG at `path` end with its end marker (FFD9)?

    Zero padding or a trailer after the marker is allowed, as long as the
    marker is in the last 64 KB, or in the 64 KB before a motion-photo video
    that the XMP packet declares (such a file missing only its last few bytes
    of video still counts as whole: the picture itself is).
    False for anything that is not a readable JPEG. Reads only what the module
    docstring lists.
    """
    try:
        with _open_regular(path) as (f, st):
            head = _read_fully(f, 0, HEAD_BYTES)
            if sniff_bytes(head) != "jpeg":
                return False
            reader = _Reader(f, st.st_size, head)
            structure = _walk_segments(reader)
            return (
                structure.status == "ok"
                and _end_marker_present(reader, structure)
                and st.st_size >= (multi_picture_length(reader, structure) or 0)
            )
    except (OSError, _NotRegular):
        return False


# --- validation ------------------------------------------------------------------------


def format_megabytes(size: int) -> str:
    """`size` in MB (2**20 bytes) with one decimal, as ShootProof counts its limit."""
    return f"{size / (1024 * 1024):.1f} MB"


def _too_large_reason(size: int) -> str:
    shown = format_megabytes(size)
    if shown == format_megabytes(MAX_UPLOAD_BYTES):
        shown = f"{size:,} bytes"
    return f"larger than ShootProof's {MAX_UPLOAD_BYTES // (1024 * 1024)} MB limit ({shown})"


def _open_error_reason(path: str | os.PathLike[str], error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "a broken link" if os.path.islink(path) else "the file is gone"
    if isinstance(error, PermissionError):
        return "cannot be read: permission denied"
    if isinstance(error, IsADirectoryError):
        return "not a file — it is a folder"
    if error.errno == errno.ELOOP:
        return "a link loop (the link leads back to itself)"
    words = (error.strerror or error.__class__.__name__).lower()
    return f"cannot be read: {words}"


def validate_jpeg(path: str | os.PathLike[str], *, max_bytes: int | None = MAX_UPLOAD_BYTES) -> ValidationResult:
    """Is `path` a whole JPEG that ShootProof will take? Cheap: never decodes pixels.

    The checks, in order: the file can be opened and is a regular file, it is
    not empty, its first bytes are a JPEG's (whatever its name), it is within
    `MAX_UPLOAD_BYTES`, its header is well formed and its end marker is there
    (see `has_jpeg_end_marker`). Never raises for a bad file.
    ``max_bytes`` None: any size (a photo to be resized below the limit before sending).
    """
    try:
        with _open_regular(path) as (f, st):
            size = st.st_size
            if size == 0:
                return ValidationResult(False, "empty file (0 bytes)", size=0, mtime_ns=st.st_mtime_ns)
            head = _read_fully(f, 0, HEAD_BYTES)
            if not head:
                return ValidationResult(False, "empty file (0 bytes)", size=0, mtime_ns=st.st_mtime_ns)
            kind = sniff_bytes(head)
            if kind != "jpeg":
                return ValidationResult(False, describe_not_jpeg(head), kind, size, st.st_mtime_ns)
            if max_bytes is not None and size > max_bytes:
                return ValidationResult(False, _too_large_reason(size), kind, size, st.st_mtime_ns)
            reader = _Reader(f, size, head)
            structure = _walk_segments(reader)
            if structure.status == "damaged":
                reason = "the JPEG is damaged (its header cannot be read)"
            elif structure.status == "truncated" or not _end_marker_present(reader, structure):
                reason = CUT_SHORT
            elif size < (multi_picture_length(reader, structure) or 0):
                reason = CUT_SHORT_MULTI_PICTURE
            else:
                reason = None
            return ValidationResult(
                reason is None, reason, kind, size, st.st_mtime_ns, structure.width, structure.height
            )
    except _NotRegular as error:
        return ValidationResult(False, error.reason)
    except OSError as error:
        return ValidationResult(False, _open_error_reason(path, error))


# --- Pillow: thumbnails and photo info ----------------------------------------------------


@contextmanager
def _open_image(path: Path) -> Iterator[Image.Image]:
    """Open `path` with Pillow (lazily: header only), turning every failure into plain words."""
    from PIL import Image, UnidentifiedImageError

    try:
        with _open_regular(path, buffering=-1) as (f, _st):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                    image = Image.open(f)
            except Image.DecompressionBombError as error:
                raise ImageFileError(f"{path.name}: the image is too large to preview") from error
            except UnidentifiedImageError as error:
                f.seek(0)
                kind = sniff_bytes(f.read(HEAD_BYTES))
                what = (
                    f"it looks like {KIND_DESCRIPTIONS[kind]}, which cannot be previewed"
                    if kind
                    else "it is not an image, or it is damaged"
                )
                raise ImageFileError(f"{path.name}: cannot be read as an image: {what}") from error
            with image:
                yield image
    except _NotRegular as error:
        raise ImageFileError(f"{path.name}: {error.reason}") from error
    except OSError as error:
        raise ImageFileError(f"{path.name}: {_open_error_reason(path, error)}") from error


def make_thumbnail(src: str | os.PathLike[str], dest: str | os.PathLike[str], max_px: int) -> Path:
    """Write a JPEG preview of `src`, at most `max_px` on its longer side, upright.

    JPEGs are decoded at a reduced scale (`draft`), so a 50-megapixel photo
    costs little. EXIF orientation is applied. `dest` is replaced atomically.
    Raises `ImageFileError` (plain words) for a missing, damaged, cut-short or
    unknown file.
    """
    from PIL import Image, ImageOps

    if max_px < 1:
        raise ValueError("max_px must be at least 1")
    src, dest = Path(src), Path(dest)
    with _open_image(src) as image:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                image.draft("RGB", (max_px, max_px))
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
                thumb = _as_rgb(upright)
        # Decoders raise OSError, SyntaxError, ValueError, struct.error... on bad data.
        except Exception as error:
            detail = "it is cut short" if "truncated" in str(error) else "it is damaged"
            raise ImageFileError(f"{src.name}: cannot make a preview: {detail}") from error
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".thumb-", suffix=".jpg", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            thumb.save(out, "JPEG", quality=85)
        os.replace(tmp_name, dest)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return dest


def _as_rgb(image: Image.Image) -> Image.Image:
    from PIL import Image

    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        return image.convert("I").point(lambda v: v * (1 / 256)).convert("L").convert("RGB")
    return image.convert("RGB")


def read_exif_summary(path: str | os.PathLike[str]) -> ExifSummary:
    """Capture time, camera, lens and displayed size of a photo, without decoding pixels.

    Missing or malformed EXIF fields are None. Raises `ImageFileError` when the
    file is not an image Pillow can open.
    """
    from PIL import ExifTags, Image

    datetimes = (
        (ExifTags.Base.DateTimeOriginal, ExifTags.Base.OffsetTimeOriginal, ExifTags.Base.SubsecTimeOriginal),
        (ExifTags.Base.DateTimeDigitized, ExifTags.Base.OffsetTimeDigitized, ExifTags.Base.SubsecTimeDigitized),
    )
    path = Path(path)
    with _open_image(path) as image:
        try:
            exif = image.getexif()
            sub = exif.get_ifd(ExifTags.IFD.Exif)
        except Exception:  # Pillow raises many types on malformed EXIF; it is only metadata.
            exif, sub = Image.Exif(), {}
        width, height = image.size
    orientation = exif.get(ExifTags.Base.Orientation)
    orientation = orientation if isinstance(orientation, int) and 1 <= orientation <= 8 else 1
    if orientation >= 5:
        width, height = height, width
    captured = None
    for when, offset, subsec in datetimes:
        captured = _parse_exif_datetime(sub.get(when), sub.get(offset), sub.get(subsec))
        if captured:
            break
    else:
        captured = _parse_exif_datetime(exif.get(ExifTags.Base.DateTime), None, None)
    return ExifSummary(
        width=width,
        height=height,
        orientation=orientation,
        captured_at=captured,
        camera=_camera_name(_exif_text(exif.get(ExifTags.Base.Make)), _exif_text(exif.get(ExifTags.Base.Model))),
        lens=_exif_text(sub.get(ExifTags.Base.LensModel)),
    )


def _exif_text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    text = " ".join(value.replace("\x00", " ").split())
    return text or None


def _camera_name(make: str | None, model: str | None) -> str | None:
    """ "Canon" + "Canon EOS R5" -> "Canon EOS R5"; "SONY" + "ILCE-7M3" -> "SONY ILCE-7M3"."""
    if not model:
        return make
    if not make:
        return model
    brand = make.split()[0].casefold()
    if model.casefold().startswith(brand):
        return model
    return f"{make} {model}"


def _parse_exif_datetime(value: object, offset: object, subsec: object) -> datetime | None:
    text = _exif_text(value)
    if not text:
        return None
    try:
        moment = datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    digits = _exif_text(subsec)
    if digits and digits.isdigit():
        moment = moment.replace(microsecond=int(digits[:6].ljust(6, "0")))
    zone = _exif_text(offset)
    match = re.fullmatch(r"([+-])(\d{2}):(\d{2})", zone or "")
    if match:
        delta = timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
        moment = moment.replace(tzinfo=timezone(delta if match.group(1) == "+" else -delta))
    return moment
