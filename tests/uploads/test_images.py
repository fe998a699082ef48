"""Sniffing, end markers, validation, thumbnails and EXIF, on real files made with Pillow."""

from __future__ import annotations

import os
import random
import threading
from datetime import datetime, timedelta, timezone

import pytest
from imagegen import (
    BLUE,
    RED,
    WHITE,
    app_segment,
    append_bytes,
    chmod_blocks_reads,
    insert_segments,
    jpeg_bytes,
    make_exif,
    make_image,
    make_jpeg,
    make_png,
    make_sparse_jpeg,
    make_text_file,
    make_truncated_jpeg,
    pixel_is,
    read_bytes_so_far,
    tiff_string_offset,
    tiff_with_ifd0,
    write_fake,
    xmp_segment,
)
from PIL import Image

from studio_desktop.api.limits import MAX_UPLOAD_BYTES
from studio_desktop.uploads import images
from studio_desktop.uploads.images import (
    CUT_SHORT,
    CUT_SHORT_MULTI_PICTURE,
    ImageFileError,
    has_jpeg_end_marker,
    make_thumbnail,
    read_exif_summary,
    sniff_kind,
    validate_jpeg,
)

from .hotfolder_harness import mpo_jpeg

MB = 1024 * 1024


def noise_without_end_marker(n: int, seed: int = 1) -> bytes:
    """Random bytes (like a compressed video) with no FFD9 in them."""
    data = bytearray(random.Random(seed).randbytes(n))
    for i in range(len(data) - 1):
        if data[i] == 0xFF and data[i + 1] == 0xD9:
            data[i + 1] = 0xD8
    return bytes(data)


# --- sniffing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("maker", "expected"),
    [
        (lambda p: make_jpeg(p), "jpeg"),
        (lambda p: make_png(p), "png"),
        (lambda p: make_image(p, "GIF"), "gif"),
        (lambda p: make_image(p, "WEBP"), "webp"),
        (lambda p: make_image(p, "TIFF"), "tiff"),
        (lambda p: make_image(p, "BMP"), "bmp"),
        (lambda p: write_fake(p, "heic"), "heic"),
        (lambda p: write_fake(p, "avif"), "avif"),
        (lambda p: write_fake(p, "cr2"), "raw"),
        (lambda p: write_fake(p, "cr3"), "raw"),
        (lambda p: write_fake(p, "raf"), "raw"),
        (lambda p: write_fake(p, "orf"), "raw"),
        (lambda p: write_fake(p, "rw2"), "raw"),
        (lambda p: write_fake(p, "pdf"), None),
        (lambda p: write_fake(p, "mp4"), None),
        (lambda p: write_fake(p, "zeros"), None),
        (lambda p: make_text_file(p), None),
    ],
)
def test_sniff_judges_contents_never_the_extension(tmp_path, maker, expected):
    # Every file is named .jpg, and the JPEG case is also tried under a .png name.
    assert sniff_kind(maker(tmp_path / "photo.jpg")) == expected
    if expected == "jpeg":
        assert sniff_kind(maker(tmp_path / "photo.png")) == "jpeg"


def test_sniff_tells_camera_raw_from_a_plain_tiff(tmp_path):
    make = b"NIKON CORPORATION\x00"
    nef = tiff_with_ifd0(
        [(0x010F, 2, len(make), tiff_string_offset(2)), (0x014A, 4, 1, (4096).to_bytes(4, "little"))],
        strings=make,
    )
    dng = tiff_with_ifd0([(0xC612, 1, 4, b"\x01\x04\x00\x00")])
    exported = tiff_with_ifd0([(0x010F, 2, len(make), tiff_string_offset(1))], strings=make)
    (tmp_path / "a.nef").write_bytes(nef)
    (tmp_path / "b.dng").write_bytes(dng)
    (tmp_path / "c.tif").write_bytes(exported)

    assert sniff_kind(tmp_path / "a.nef") == "raw"
    assert sniff_kind(tmp_path / "b.dng") == "raw"
    assert sniff_kind(tmp_path / "c.tif") == "tiff"


def test_sniff_of_missing_file_or_pipe_is_none_and_never_blocks(tmp_path):
    os.mkfifo(tmp_path / "pipe.jpg")
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(sniff_kind(tmp_path / "pipe.jpg")), daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert result == [None]
    assert sniff_kind(tmp_path / "missing.jpg") is None


# --- end marker -------------------------------------------------------------------------


def test_end_marker_found_in_a_whole_jpeg_and_missing_in_cut_ones(tmp_path):
    assert has_jpeg_end_marker(make_jpeg(tmp_path / "whole.jpg"))
    assert has_jpeg_end_marker(make_jpeg(tmp_path / "progressive.jpg", size=(320, 200), progressive=True))
    for fraction in (0.3, 0.6, 0.9, 0.99):
        assert not has_jpeg_end_marker(make_truncated_jpeg(tmp_path / f"cut-{fraction}.jpg", fraction))


def test_end_marker_allows_padding_and_a_little_garbage_after_it(tmp_path):
    zeros = append_bytes(make_jpeg(tmp_path / "zeros.jpg"), b"\x00" * 20_000)
    garbage = append_bytes(make_jpeg(tmp_path / "garbage.jpg"), noise_without_end_marker(300))
    assert has_jpeg_end_marker(zeros)
    assert has_jpeg_end_marker(garbage)
    assert validate_jpeg(zeros).ok and validate_jpeg(garbage).ok


def test_end_marker_is_looked_for_only_in_the_last_64_kb(tmp_path):
    far = append_bytes(make_jpeg(tmp_path / "far.jpg"), b"\x00" * (images.TAIL_BYTES + 10))
    assert not has_jpeg_end_marker(far)


def test_embedded_preview_end_marker_does_not_make_a_cut_photo_whole(tmp_path):
    # Cameras embed small previews (with their own FFD9) in the header; in a
    # small cut file that FFD9 is inside the last 64 KB, but it is not the photo's.
    data = jpeg_bytes((200, 150), embedded_preview=True, quality=95)
    preview_end = data.index(b"\xff\xd9") + 2
    assert preview_end < len(data) - 100
    for cut in (preview_end, preview_end + 50, len(data) - 20, len(data) - 1):
        path = tmp_path / f"cut-{cut}.jpg"
        path.write_bytes(data[:cut])
        assert not has_jpeg_end_marker(path), cut
        assert validate_jpeg(path).reason == CUT_SHORT
    whole = tmp_path / "whole.jpg"
    whole.write_bytes(data)
    assert has_jpeg_end_marker(whole)


def test_a_multi_picture_jpeg_is_whole_only_with_every_image_its_index_lists(tmp_path):
    # Canon, Nikon and Sony append previews after the primary image; a file cut
    # anywhere after the primary's own end marker still ends with an FFD9 nearby.
    data, primary_end = mpo_jpeg(7)
    for cut in (primary_end, primary_end + 200, len(data) - 300, len(data) - 1):
        path = tmp_path / f"cut-{cut}.jpg"
        path.write_bytes(data[:cut])
        result = validate_jpeg(path)
        assert not result.ok and result.reason == CUT_SHORT_MULTI_PICTURE, cut
        assert not has_jpeg_end_marker(path), cut
    whole = tmp_path / "whole.jpg"
    whole.write_bytes(data)
    assert validate_jpeg(whole).ok and has_jpeg_end_marker(whole)
    padded = append_bytes(tmp_path / "whole.jpg", b"\x00" * 1000)
    assert validate_jpeg(padded).ok


def big_endian_mpf(primary: bytes, extra: bytes) -> bytes:
    """A Multi-Picture JPEG with a big-endian ("MM") index, as some cameras write it, built by hand."""

    def segment(primary_size: int, extra_offset: int) -> bytes:
        entries = (0).to_bytes(4, "big") + primary_size.to_bytes(4, "big") + (0).to_bytes(8, "big")
        entries += (0).to_bytes(4, "big") + len(extra).to_bytes(4, "big") + extra_offset.to_bytes(4, "big")
        entries += (0).to_bytes(4, "big")
        ifd = (2).to_bytes(2, "big")
        ifd += (0xB000).to_bytes(2, "big") + (7).to_bytes(2, "big") + (4).to_bytes(4, "big") + b"0100"
        entries_at = 8 + 2 + 2 * 12 + 4
        ifd += (0xB002).to_bytes(2, "big") + (7).to_bytes(2, "big") + len(entries).to_bytes(4, "big")
        ifd += entries_at.to_bytes(4, "big") + (0).to_bytes(4, "big")
        return app_segment(2, b"MPF\x00" + b"MM\x00*" + (8).to_bytes(4, "big") + ifd + entries)

    size = len(insert_segments(primary, [segment(0, 0)]))
    tiff_start = 2 + 4 + 4  # after SOI: the APP2 marker and length, then "MPF\0"
    return insert_segments(primary, [segment(size, size - tiff_start)]) + extra


def test_a_big_endian_multi_picture_index_is_read_too(tmp_path):
    data = big_endian_mpf(jpeg_bytes((120, 90), quality=95), jpeg_bytes((60, 45), quality=95))
    whole = tmp_path / "whole.jpg"
    whole.write_bytes(data)
    assert validate_jpeg(whole).ok
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[:-500])
    assert validate_jpeg(cut).reason == CUT_SHORT_MULTI_PICTURE


def test_end_marker_of_non_jpegs_is_false(tmp_path):
    assert not has_jpeg_end_marker(make_png(tmp_path / "a.jpg"))
    assert not has_jpeg_end_marker(tmp_path / "missing.jpg")
    assert not has_jpeg_end_marker(tmp_path)


MICRO_VIDEO_XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description xmlns:GCamera="http://ns.google.com/photos/1.0/camera/" GCamera:MicroVideo="1" '
    'GCamera:MicroVideoVersion="1" GCamera:MicroVideoOffset="{length}"/></rdf:RDF></x:xmpmeta>'
)
CONTAINER_XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description xmlns:Container="http://ns.google.com/photos/1.0/container/" '
    'xmlns:Item="http://ns.google.com/photos/1.0/container/item/" GCamera:MotionPhoto="1">'
    "<Container:Directory><rdf:Seq>"
    '<rdf:li rdf:parseType="Resource"><Container:Item Item:Mime="image/jpeg" Item:Semantic="Primary" '
    'Item:Length="0" Item:Padding="0"/></rdf:li>'
    '<rdf:li rdf:parseType="Resource"><Container:Item Item:Mime="video/mp4" Item:Semantic="MotionPhoto" '
    'Item:Length="{length}"/></rdf:li>'
    "</rdf:Seq></Container:Directory></rdf:Description></rdf:RDF></x:xmpmeta>"
)


@pytest.mark.parametrize("template", [MICRO_VIDEO_XMP, CONTAINER_XMP], ids=["MicroVideo", "Container"])
def test_motion_photo_with_a_long_video_after_the_picture_is_whole(tmp_path, template):
    video = noise_without_end_marker(200_000)
    xmp = template.format(length=len(video))
    path = make_jpeg(tmp_path / "PXL_0001.MP.jpg", extra_segments=[xmp_segment(xmp)])
    append_bytes(path, video)

    assert has_jpeg_end_marker(path)
    assert validate_jpeg(path).ok

    still_copying = tmp_path / "copying.jpg"
    still_copying.write_bytes(path.read_bytes()[:-120_000])
    assert not has_jpeg_end_marker(still_copying)


# --- validation ---------------------------------------------------------------------------


def test_a_good_jpeg_is_ok_with_size_time_and_dimensions(tmp_path):
    path = make_jpeg(tmp_path / "IMG_0001.JPG", size=(120, 80), exif_orientation=6)
    result = validate_jpeg(path)
    st = path.stat()
    assert result.ok and result.reason is None and result.kind == "jpeg"
    assert (result.size, result.mtime_ns) == (st.st_size, st.st_mtime_ns)
    assert (result.width, result.height) == (120, 80)


@pytest.mark.parametrize(
    ("maker", "reason"),
    [
        (lambda p: make_png(p), "not a JPEG — it looks like a PNG image"),
        (lambda p: make_text_file(p), "not a JPEG — it is a text file"),
        (lambda p: p.write_bytes("Légende: café\r\n".encode("cp1252") * 50), "not a JPEG — it is a text file"),
        (lambda p: write_fake(p, "heic"), "not a JPEG — it looks like a HEIC image"),
        (lambda p: write_fake(p, "cr2"), "not a JPEG — it looks like a camera RAW file"),
        (lambda p: write_fake(p, "html"), "not a JPEG — it is a web page (HTML)"),
        (lambda p: write_fake(p, "pdf"), "not a JPEG — it looks like a PDF document"),
        (lambda p: write_fake(p, "mov"), "not a JPEG — it looks like a video"),
        (lambda p: write_fake(p, "zeros"), "not a JPEG — it contains only zero bytes; the copy may have failed"),
        (lambda p: write_fake(p, "binary"), "not a JPEG — its contents are not a kind of file we recognise"),
        (lambda p: p.write_bytes(b""), "empty file (0 bytes)"),
        (lambda p: make_truncated_jpeg(p), CUT_SHORT),
        (lambda p: make_sparse_jpeg(p, 45 * MB, end_marker=False), CUT_SHORT),
        (lambda p: p.write_bytes(b"\xff\xd8\xff\xe1\x80\x00Exif\x00\x00" + b"\x00" * 100), CUT_SHORT),
        (
            lambda p: p.write_bytes(
                b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"junk" * 200
            ),
            "the JPEG is damaged (its header cannot be read)",
        ),
        (lambda p: make_sparse_jpeg(p, int(61.2 * MB)), "larger than ShootProof's 50 MB limit (61.2 MB)"),
        # Too big and not a JPEG: the kind is what the user needs to hear.
        pytest.param(
            lambda p: os.truncate(make_png(p), 60 * MB), "not a JPEG — it looks like a PNG image", id="60 MB PNG"
        ),
        (lambda p: p.mkdir(), "not a file — it is a folder"),
        (lambda p: os.mkfifo(p), "not a regular file (it is a device, pipe or socket)"),
        (lambda p: None, "the file is gone"),
        (lambda p: os.symlink(p.parent / "elsewhere.jpg", p), "a broken link"),
        (lambda p: os.symlink(p, p), "a link loop (the link leads back to itself)"),
    ],
)
def test_validate_explains_each_problem_in_plain_words(tmp_path, maker, reason):
    path = tmp_path / "photo.jpg"
    maker(path)
    result = validate_jpeg(path)
    assert not result.ok
    assert result.reason == reason


def test_size_limit_is_inclusive_and_the_first_byte_over_is_shown_exactly(tmp_path):
    assert validate_jpeg(make_sparse_jpeg(tmp_path / "at.jpg", MAX_UPLOAD_BYTES)).ok
    over = validate_jpeg(make_sparse_jpeg(tmp_path / "over.jpg", MAX_UPLOAD_BYTES + 1))
    assert over.reason == "larger than ShootProof's 50 MB limit (52,428,801 bytes)"


def test_validate_reads_only_the_head_and_tail_of_a_big_file(tmp_path):
    whole = make_sparse_jpeg(tmp_path / "whole.jpg", 45 * MB)
    cut = make_sparse_jpeg(tmp_path / "cut.jpg", 45 * MB, end_marker=False)
    before = read_bytes_so_far()
    assert validate_jpeg(whole).ok
    assert validate_jpeg(cut).reason == CUT_SHORT
    assert not has_jpeg_end_marker(cut)
    read = read_bytes_so_far() - before
    # head (4 KB) + tail (at most 64 KB) per call, plus reading /proc itself
    assert read < 3 * (images.HEAD_BYTES + images.TAIL_BYTES) + 8192


def test_permission_denied_is_reported(tmp_path, monkeypatch):
    path = make_jpeg(tmp_path / "locked.jpg")
    real_open = os.open

    def deny(target, *args, **kwargs):
        if os.fspath(target) == os.fspath(path):
            raise PermissionError(13, "Permission denied", os.fspath(target))
        return real_open(target, *args, **kwargs)

    # Root (as in CI) reads any file whatever its mode, so the refusal is simulated here...
    monkeypatch.setattr(images.os, "open", deny)
    assert validate_jpeg(path).reason == "cannot be read: permission denied"
    assert not has_jpeg_end_marker(path)
    with pytest.raises(ImageFileError, match="permission denied"):
        make_thumbnail(path, tmp_path / "t.jpg", 64)


def test_chmod_000_file_is_judged_by_what_this_user_can_really_read(tmp_path):
    # ...and here it is real: refused for a normal user, readable (so ok) for root.
    path = make_jpeg(tmp_path / "locked.jpg")
    path.chmod(0)
    try:
        result = validate_jpeg(path)
    finally:
        path.chmod(0o644)
    if chmod_blocks_reads():
        assert result.reason == "cannot be read: permission denied"
    else:
        assert result.ok


# --- thumbnails -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("orientation", "size", "probes"),
    [
        (1, (64, 32), {(8, 16): RED, (56, 16): BLUE}),
        (3, (64, 32), {(8, 16): BLUE, (56, 16): RED}),
        (6, (32, 64), {(16, 8): RED, (16, 56): BLUE}),
        (8, (32, 64), {(16, 8): BLUE, (16, 56): RED}),
    ],
)
def test_thumbnail_is_upright_by_exif_orientation(tmp_path, orientation, size, probes):
    # Stored left red, right blue; orientation 6 means "turn 90° clockwise to view".
    src = make_jpeg(
        tmp_path / "rotated.jpg", size=(640, 320), color=RED, right_color=BLUE, exif_orientation=orientation
    )
    dest = make_thumbnail(src, tmp_path / "thumbs" / "rotated.jpg", 64)
    with Image.open(dest) as thumb:
        assert thumb.format == "JPEG"
        assert thumb.size == size
        for xy, color in probes.items():
            assert pixel_is(thumb, xy, color), (xy, thumb.getpixel(xy))


def test_thumbnail_fits_max_px_and_replaces_the_old_one_cleanly(tmp_path):
    src = make_jpeg(tmp_path / "big.jpg", size=(3000, 2000))
    dest = tmp_path / "t" / "big.jpg"
    dest.parent.mkdir()
    dest.write_bytes(b"old thumbnail")
    assert make_thumbnail(src, dest, 256) == dest
    with Image.open(dest) as thumb:
        assert max(thumb.size) == 256 and thumb.size[0] > thumb.size[1]
    assert sorted(p.name for p in dest.parent.iterdir()) == ["big.jpg"]


def test_thumbnail_of_a_transparent_png_is_a_jpeg_on_white(tmp_path):
    src = make_image(tmp_path / "logo.png", "PNG", (40, 40), color=(0, 0, 0), alpha=0)
    dest = make_thumbnail(src, tmp_path / "logo-thumb.jpg", 32)
    with Image.open(dest) as thumb:
        assert thumb.mode == "RGB"
        assert pixel_is(thumb, (16, 16), WHITE, tolerance=8)


@pytest.mark.parametrize(
    ("maker", "words"),
    [
        (lambda p: make_text_file(p), "cannot be read as an image: it is not an image, or it is damaged"),
        (
            lambda p: write_fake(p, "heic"),
            "cannot be read as an image: it looks like a HEIC image, which cannot be previewed",
        ),
        (lambda p: make_truncated_jpeg(p, 0.7), "cannot make a preview: it is cut short"),
        (lambda p: None, "the file is gone"),
        (lambda p: p.mkdir(), "not a file — it is a folder"),
    ],
)
def test_thumbnail_of_a_bad_file_raises_a_clear_error(tmp_path, maker, words):
    src = tmp_path / "bad.jpg"
    maker(src)
    with pytest.raises(ImageFileError) as caught:
        make_thumbnail(src, tmp_path / "out" / "bad.jpg", 64)
    assert str(caught.value) == f"bad.jpg: {words}"
    assert not (tmp_path / "out" / "bad.jpg").exists()


def test_thumbnail_of_an_image_too_large_to_decode_safely_is_refused(tmp_path, monkeypatch):
    # Pillow refuses images over twice MAX_IMAGE_PIXELS (decompression bombs);
    # the limit is lowered so that a small file stands for a huge one.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    src = make_jpeg(tmp_path / "huge.jpg", size=(64, 48))
    with pytest.raises(ImageFileError, match=r"^huge\.jpg: the image is too large to preview$"):
        make_thumbnail(src, tmp_path / "t.jpg", 32)


# --- EXIF summary -----------------------------------------------------------------------------


def test_exif_summary_reads_time_camera_lens_and_displayed_size(tmp_path):
    path = make_jpeg(
        tmp_path / "a.jpg",
        size=(120, 80),
        exif_orientation=6,
        taken_at=datetime(2024, 6, 1, 15, 30, 5),
        make="Canon",
        model="Canon EOS R5",
        lens="RF24-70mm F2.8 L IS USM",
    )
    summary = read_exif_summary(path)
    assert summary.captured_at == datetime(2024, 6, 1, 15, 30, 5)
    assert summary.camera == "Canon EOS R5"
    assert summary.lens == "RF24-70mm F2.8 L IS USM"
    assert (summary.width, summary.height, summary.orientation) == (80, 120, 6)


@pytest.mark.parametrize(
    ("make", "model", "camera"),
    [
        ("SONY", "ILCE-7M3", "SONY ILCE-7M3"),
        ("NIKON CORPORATION", "NIKON Z 6_2", "NIKON Z 6_2"),
        ("FUJIFILM", None, "FUJIFILM"),
        (None, "X100V", "X100V"),
        ("  ", "  ", None),
    ],
)
def test_camera_name_avoids_repeating_the_brand(tmp_path, make, model, camera):
    path = make_jpeg(tmp_path / "a.jpg", make=make, model=model)
    assert read_exif_summary(path).camera == camera


def test_exif_time_with_offset_is_aware_and_a_blank_time_is_none(tmp_path):
    exif = make_exif(taken_at="2023:12:31 23:59:58", offset="-05:00")
    path = tmp_path / "tz.jpg"
    Image.new("RGB", (10, 10)).save(path, "JPEG", exif=exif.tobytes())
    assert read_exif_summary(path).captured_at == datetime(
        2023, 12, 31, 23, 59, 58, tzinfo=timezone(-timedelta(hours=5))
    )
    blank = make_jpeg(tmp_path / "blank.jpg", taken_at="0000:00:00 00:00:00")
    assert read_exif_summary(blank).captured_at is None


def test_exif_summary_without_exif_and_of_a_non_image(tmp_path):
    plain = read_exif_summary(make_png(tmp_path / "p.png", size=(30, 20)))
    assert (plain.width, plain.height, plain.orientation, plain.captured_at, plain.camera) == (30, 20, 1, None, None)
    with pytest.raises(ImageFileError, match="cannot be read as an image"):
        read_exif_summary(make_text_file(tmp_path / "notes.jpg"))
