"""Culling marks read from real XMP (embedded and sidecar), and the picks filter's verdicts."""

from __future__ import annotations

import pytest
from xmp_samples import capture_one, jpeg_with_xmp, lightroom, photo_mechanic

from studio_desktop.uploads.picks import FILTER_PREFIX, PickFilter
from studio_desktop.uploads.xmp import Marks, XmpError, read_embedded_packet, read_marks


def test_lightroom_embedded_rating_and_label(tmp_path):
    photo = jpeg_with_xmp(tmp_path / "IMG_0001.jpg", lightroom(rating=4, label="Red"))
    assert read_marks(photo) == Marks(rating=4, label="Red", source="embedded")


def test_photo_mechanic_colour_class_tag_and_xap_prefix(tmp_path):
    photo = jpeg_with_xmp(tmp_path / "DSC_0002.jpg", photo_mechanic(color_class=1, tagged=True, rating=3))
    marks = read_marks(photo)
    assert (marks.rating, marks.color_class, marks.pick) == (3, 1, True)
    assert {"1", "winner"} <= marks.label_names()


def test_capture_one_sidecar_child_elements(tmp_path):
    photo = jpeg_with_xmp(tmp_path / "C1_0003.jpg", None)
    (tmp_path / "C1_0003.xmp").write_text(capture_one(rating=5, label="Green"), encoding="utf-8")
    assert read_marks(photo) == Marks(rating=5, label="Green", source="sidecar")


def test_sidecar_wins_over_embedded_packet(tmp_path):
    photo = jpeg_with_xmp(tmp_path / "IMG_0004.jpg", lightroom(rating=5, label="Green"))
    (tmp_path / "IMG_0004.XMP").write_text(lightroom(rating=-1), encoding="utf-8")
    marks = read_marks(photo)
    assert marks.source == "sidecar" and marks.rating == -1 and marks.rejected


def test_darktable_style_sidecar_name(tmp_path):
    photo = jpeg_with_xmp(tmp_path / "IMG_0005.jpg", None)
    (tmp_path / "IMG_0005.jpg.xmp").write_text(lightroom(rating=2), encoding="utf-8")
    assert read_marks(photo).rating == 2


def test_unusual_prefix_is_matched_by_namespace(tmp_path):
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:ns0="http://ns.adobe.com/xap/1.0/" ns0:Rating="3" ns0:Label="Blue"/>'
        "</rdf:RDF></x:xmpmeta>"
    )
    photo = jpeg_with_xmp(tmp_path / "IMG_0006.jpg", xmp)
    assert (read_marks(photo).rating, read_marks(photo).label) == (3, "Blue")


def test_no_xmp_at_all_means_no_marks(tmp_path):
    photo = jpeg_with_xmp(tmp_path / "IMG_0007.jpg", None, exif_orientation=6)
    assert read_embedded_packet(photo) is None
    assert read_marks(photo) == Marks()


def test_packet_after_large_exif_and_padding_is_found(tmp_path):
    photo = jpeg_with_xmp(tmp_path / "IMG_0008.jpg", lightroom(rating=1), min_bytes=300_000, make="Canon")
    assert read_marks(photo).rating == 1


@pytest.mark.parametrize(
    ("xmp", "words"),
    [
        (lightroom(rating=4)[:180], "not well-formed"),
        (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/">&b;</x:xmpmeta>',
            "entities or a DTD",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/">&e;</x:xmpmeta>',
            "entities or a DTD",
        ),
        (lightroom(rating=9), "outside -1 to 5"),
        (lightroom(rating=4).replace('xmp:Rating="4"', 'xmp:Rating="four"'), "not a number"),
        ("   \n  ", "empty"),
    ],
)
def test_bad_embedded_xmp_gives_a_reason(tmp_path, xmp, words):
    photo = jpeg_with_xmp(tmp_path / "BAD.jpg", xmp)
    with pytest.raises(XmpError, match=words) as caught:
        read_marks(photo)
    assert "embedded XMP" in str(caught.value)


def test_huge_sidecar_is_refused_without_parsing(tmp_path):
    photo = jpeg_with_xmp(tmp_path / "IMG_0009.jpg", None)
    with open(tmp_path / "IMG_0009.xmp", "wb") as f:
        f.truncate(5 * 1024 * 1024)
    with pytest.raises(XmpError, match=r"IMG_0009\.xmp is too big"):
        read_marks(photo)


def test_header_cut_short_inside_the_packet(tmp_path):
    photo = jpeg_with_xmp(tmp_path / "IMG_0010.jpg", lightroom(rating=3))
    data = photo.read_bytes()
    photo.write_bytes(data[: data.index(b"xmp:Rating")])
    with pytest.raises(XmpError, match="cut short"):
        read_marks(photo)


# -- the filter --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flt", "marks", "reason"),
    [
        (PickFilter(min_rating=3), Marks(rating=4), None),
        (PickFilter(min_rating=3), Marks(rating=2), "rated 2 stars, below 3 stars"),
        (PickFilter(min_rating=1), Marks(), "not rated, below 1 star"),
        (PickFilter(min_rating=1), Marks(rating=-1), "rejected (rated -1), below 1 star"),
        (PickFilter(skip_rejects=True), Marks(rating=-1), "rejected (rated -1)"),
        (PickFilter(skip_rejects=True), Marks(rating=5, pick=False), "rejected (flagged as a reject)"),
        (PickFilter(skip_rejects=True), Marks(rating=0), None),
        (PickFilter(labels=("green", "Blue")), Marks(label="Green"), None),
        (PickFilter(labels=("Green",)), Marks(label="Red"), "label Red is not one of: Green"),
        (PickFilter(labels=("Green",)), Marks(), "no colour label (wanted: Green)"),
        (PickFilter(labels=("Winner",)), Marks(color_class=1), None),
        (PickFilter(labels=("2",)), Marks(color_class=2), None),
    ],
)
def test_filter_verdicts(flt, marks, reason):
    assert flt.verdict(marks) == reason


def test_filter_check_on_files(tmp_path):
    flt = PickFilter(min_rating=3, skip_rejects=True)
    keep = jpeg_with_xmp(tmp_path / "keep.jpg", lightroom(rating=3))
    low = jpeg_with_xmp(tmp_path / "low.jpg", lightroom(rating=1))
    bad = jpeg_with_xmp(tmp_path / "bad.jpg", lightroom(rating=3)[:100])
    assert flt.check(keep) == ("keep", None)
    assert flt.check(low) == ("filtered", FILTER_PREFIX + "rated 1 star, below 3 stars.")
    outcome, reason = flt.check(bad)
    assert outcome == "unreadable" and "not well-formed" in reason
    assert PickFilter().check(bad) == ("keep", None), "no filter: the XMP is not even read"


def test_filter_round_trips_through_batch_options():
    flt = PickFilter(min_rating=2, labels=("Red", "Winner"), skip_rejects=True)
    assert PickFilter.from_options(flt.to_options()) == flt
