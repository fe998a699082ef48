"""Hypothesis fuzzing of the JPEG structure check (``validate_jpeg`` / ``has_jpeg_end_marker``).

The check decides whether a photo in a hot folder is whole enough to upload, so its two failure modes are
costly: calling a half-written file whole uploads a cut photo, and raising on odd bytes stops the scan. The
properties: any bytes give an answer (never an exception), the two functions agree, every valid JPEG (plain,
progressive, with EXIF, with an embedded preview, Multi-Picture) is whole, no cut of one is, and bytes after
the end marker keep today's rule (whole while the marker is within the last 64 KB).
"""

from __future__ import annotations

import tempfile
from functools import cache
from io import BytesIO
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from imagegen import jpeg_bytes, make_rgb_image

from studio_desktop.uploads.images import (
    CUT_SHORT_MULTI_PICTURE,
    TAIL_BYTES,
    ValidationResult,
    has_jpeg_end_marker,
    validate_jpeg,
)

from .model_support import ci_settings

SOI = b"\xff\xd8\xff"
EOI = b"\xff\xd9"


def _multi_picture() -> bytes:
    """Pillow's MPO writer: a primary JPEG, then a second one, indexed in an APP2 "MPF" segment."""
    out = BytesIO()
    make_rgb_image((96, 72), (200, 30, 30), (30, 30, 200)).save(
        out, "MPO", save_all=True, append_images=[make_rgb_image((48, 36), (30, 200, 30))], quality=90
    )
    return out.getvalue()


@cache
def valid_jpegs() -> dict[str, bytes]:
    return {
        "plain": jpeg_bytes((64, 48)),
        "progressive": jpeg_bytes((80, 60), right_color=(0, 0, 255), progressive=True),
        "exif": jpeg_bytes((64, 48), exif_orientation=6, make="Canon", model="EOS R5", taken_at="2024:05:01 10:00:00"),
        "embedded-preview": jpeg_bytes((64, 48), embedded_preview=True),
        "multi-picture": _multi_picture(),
    }


@pytest.fixture(scope="module")
def photo():
    """One file path the examples overwrite (Hypothesis examples cannot use function-scoped tmp_path)."""
    with tempfile.TemporaryDirectory(prefix="jpeg-fuzz-") as folder:
        path = Path(folder) / "photo.jpg"

        def write(data: bytes) -> Path:
            path.write_bytes(data)
            return path

        yield write


def check(path: Path) -> tuple[ValidationResult, bool]:
    result = validate_jpeg(path)
    whole = has_jpeg_end_marker(path)
    assert isinstance(result, ValidationResult) and isinstance(whole, bool)
    assert result.ok == whole, "validate_jpeg and has_jpeg_end_marker disagree"
    assert result.ok or (isinstance(result.reason, str) and result.reason)
    return result, whole


@ci_settings(max_examples=300)
@given(data=st.binary(max_size=2048))
def test_any_bytes_get_an_answer(photo, data):
    check(photo(data))


@ci_settings(max_examples=300)
@given(rest=st.binary(max_size=2048))
def test_any_bytes_behind_a_jpeg_signature_get_an_answer(photo, rest):
    check(photo(SOI + rest))


@ci_settings(max_examples=200)
@given(
    name=st.sampled_from(sorted(valid_jpegs())),
    flips=st.lists(st.tuples(st.integers(0), st.integers(0, 255)), min_size=1, max_size=8),
)
def test_a_valid_jpeg_with_bytes_changed_gets_an_answer(photo, name, flips):
    data = bytearray(valid_jpegs()[name])
    for at, value in flips:
        data[at % len(data)] = value
    check(photo(bytes(data)))


@pytest.mark.parametrize("name", sorted(valid_jpegs()))
def test_a_valid_jpeg_is_whole(photo, name):
    result, _ = check(photo(valid_jpegs()[name]))
    assert result.ok, result.reason


@ci_settings(max_examples=200)
@given(name=st.sampled_from(sorted(valid_jpegs())), keep=st.floats(0, 1, exclude_max=True))
def test_a_cut_jpeg_is_never_whole(photo, name, keep):
    data = valid_jpegs()[name]
    result, _ = check(photo(data[: int(len(data) * keep)]))
    assert not result.ok


@pytest.mark.parametrize("name", sorted(valid_jpegs()))
def test_every_cut_near_the_end_is_not_whole(photo, name):
    data = valid_jpegs()[name]
    for end in range(max(0, len(data) - 256), len(data)):
        assert not check(photo(data[:end]))[0].ok, end


def test_a_multi_picture_file_cut_in_its_second_image_is_caught_by_its_index(photo):
    data = valid_jpegs()["multi-picture"]
    assert validate_jpeg(photo(data[:-100])).reason == CUT_SHORT_MULTI_PICTURE


@ci_settings(max_examples=100)
@given(name=st.sampled_from(sorted(valid_jpegs())), trailer=st.binary(max_size=4096))
def test_a_short_trailer_after_the_end_marker_keeps_a_jpeg_whole(photo, name, trailer):
    result, _ = check(photo(valid_jpegs()[name] + trailer))
    assert result.ok, result.reason


@ci_settings(max_examples=20)
@given(name=st.sampled_from(sorted(valid_jpegs())), extra=st.integers(1, 4096), fill=st.integers(0, 255))
def test_a_trailer_longer_than_the_tail_window_hides_the_end_marker(photo, name, extra, fill):
    """Today's rule: the end marker must be within the last 64 KB (no motion-photo XMP here to say otherwise)."""
    trailer = bytes([fill]) * (TAIL_BYTES + extra)
    result, _ = check(photo(valid_jpegs()[name] + trailer))
    assert not result.ok
