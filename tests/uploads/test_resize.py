"""Resizing for upload: dimensions, orientation, ICC, EXIF and XMP of the copy; the original untouched."""

from __future__ import annotations

import hashlib
import io
import os
import time

import pytest
from imagegen import BLUE, RED, make_exif, make_rgb_image, pixel_is
from PIL import Image, ImageCms
from xmp_samples import lightroom

from studio_desktop.uploads import resize
from studio_desktop.uploads.resize import PRESETS, CannotResize, FileChanged, ResizeSpec, parse_spec, prepare

ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def camera_jpeg(path, size=(4000, 3000), orientation=6, xmp: str | None = None, quality=92):
    """A camera-like JPEG: left half red, right half blue, EXIF with orientation and pixel size, ICC."""
    image = make_rgb_image(size, RED, BLUE)
    exif = make_exif(orientation=orientation, make="Canon", model="EOS R6")
    sub = exif.get_ifd(0x8769)
    sub[0xA002], sub[0xA003] = size
    options = {"quality": quality, "exif": exif.tobytes(), "icc_profile": ICC}
    if xmp is not None:
        options["xmp"] = xmp.encode()
    image.save(path, "JPEG", **options)
    return path


def test_web_preset_shrinks_applies_orientation_and_keeps_metadata(tmp_path):
    xmp = (
        lightroom(rating=5, label="Green")
        .replace('xmp:Rating="5"', 'xmp:Rating="5" tiff:Orientation="6"')
        .replace("xmlns:dc=", 'xmlns:tiff="http://ns.adobe.com/tiff/1.0/" xmlns:dc=')
    )
    src = camera_jpeg(tmp_path / "IMG_0001.jpg", xmp=xmp)
    before = (src.read_bytes(), os.stat(src).st_mtime_ns)
    st = os.stat(src)
    prepared = prepare(src, PRESETS["Web 2048 px"], expected=(st.st_size, st.st_mtime_ns), temp_dir=tmp_path / "t")
    try:
        assert prepared.resized and prepared.path != str(src)
        assert prepared.source_sha256 == hashlib.sha256(before[0]).hexdigest()
        with Image.open(prepared.path) as out:
            # 4000x3000 turned by orientation 6 is 3000x4000 upright: the long edge is now the height.
            assert out.size == (1536, 2048) == (prepared.width, prepared.height)
            exif = out.getexif()
            assert exif[0x0112] == 1
            assert exif[0x0110] == "EOS R6"
            assert exif.get_ifd(0x8769)[0xA002] == 1536
            assert out.info["icc_profile"] == ICC
            assert b'xmp:Rating="5"' in out.info["xmp"] and b'tiff:Orientation="1"' in out.info["xmp"]
            # Rotated 90 degrees clockwise: the red left half is now on top, the blue right half below.
            rgb = out.convert("RGB")
            assert pixel_is(rgb, (768, 200), RED) and pixel_is(rgb, (768, 1848), BLUE)
        assert os.path.getsize(prepared.path) == prepared.size
    finally:
        prepared.cleanup()
    assert not os.path.exists(prepared.path)
    assert (src.read_bytes(), os.stat(src).st_mtime_ns) == before, "the original is never touched"


def test_photo_within_the_long_edge_is_sent_as_it_is(tmp_path):
    src = camera_jpeg(tmp_path / "small.jpg", size=(1600, 1200))
    prepared = prepare(src, PRESETS["Web 2048 px"], temp_dir=tmp_path / "t")
    assert not prepared.resized and prepared.path == str(src)
    prepared.cleanup()
    assert src.exists()
    assert not (tmp_path / "t").exists() or not os.listdir(tmp_path / "t")


def test_over_the_byte_limit_is_reencoded_even_within_the_long_edge(tmp_path):
    src = camera_jpeg(tmp_path / "big.jpg", size=(1200, 900), orientation=None, quality=100)
    limit = os.path.getsize(src) - 1
    prepared = prepare(src, ResizeSpec(None, 80), max_bytes=limit, temp_dir=tmp_path)
    try:
        assert prepared.resized and prepared.size <= limit
        with Image.open(prepared.path) as out:
            assert out.size == (1200, 900)
    finally:
        prepared.cleanup()


def test_a_changed_original_is_refused(tmp_path):
    src = camera_jpeg(tmp_path / "IMG_0002.jpg", size=(800, 600))
    st = os.stat(src)
    with pytest.raises(FileChanged):
        prepare(src, PRESETS["Web 2048 px"], expected=(st.st_size + 1, st.st_mtime_ns))


def test_a_damaged_photo_gives_a_reason(tmp_path):
    src = tmp_path / "broken.jpg"
    data = io.BytesIO()
    make_rgb_image((3000, 2000), RED).save(data, "JPEG")
    src.write_bytes(data.getvalue()[:400])
    with pytest.raises(CannotResize, match="cannot be resized"):
        prepare(src, PRESETS["Web 2048 px"], temp_dir=tmp_path)


@pytest.mark.parametrize(
    ("text", "quality", "spec"),
    [
        ("web", None, ResizeSpec(2048, 85)),
        ("Fast 3600 px", None, ResizeSpec(3600, 90)),
        ("original", None, ResizeSpec(None, 95)),
        ("3000", 80, ResizeSpec(3000, 80)),
        ("2500px", None, ResizeSpec(2500, 90)),
    ],
)
def test_parse_spec(text, quality, spec):
    assert parse_spec(text, quality) == spec


@pytest.mark.parametrize(("text", "quality"), [("tiny", None), ("100", None), ("web", 0), ("web", 101)])
def test_parse_spec_refuses(text, quality):
    with pytest.raises(ValueError):
        parse_spec(text, quality)


def test_leftover_copies_of_a_crashed_run_are_cleaned(tmp_path):
    old = tmp_path / (resize.TEMP_PREFIX + "old.jpg")
    fresh = tmp_path / (resize.TEMP_PREFIX + "fresh.jpg")
    other = tmp_path / "IMG_0001.jpg"
    for path in (old, fresh, other):
        path.write_bytes(b"x")
    day_ago = time.time() - 2 * resize.LEFTOVER_AGE
    os.utime(old, (day_ago, day_ago))
    os.utime(other, (day_ago, day_ago))
    assert resize.clean_leftovers(tmp_path) == 1
    assert not old.exists() and fresh.exists() and other.exists()
