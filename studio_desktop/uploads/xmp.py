"""Culling marks from XMP: star rating, colour label and pick/reject flag.

Lightroom, Bridge, Capture One and Photo Mechanic write these into the JPEG's
XMP packet (an APP1 segment named ``http://ns.adobe.com/xap/1.0/``) and/or a
``.xmp`` sidecar beside it. A sidecar wins over the embedded packet, as in
Lightroom: it is what the culling program wrote last.

Only the packet is read: the JPEG's segments are walked up to the start of the
image data, the pixels are never decoded. XMP comes from other programs'
files, so it is parsed with defusedxml (no entity expansion, no DTD, no
external references) and size-limited; anything wrong is an :class:`XmpError`
whose message says what, in words for a per-file reason.

Namespaces are matched by URI, never by prefix: ``xmp:Rating``,
``xap:Rating`` and ``ns0:Rating`` are the same property when bound to the
same URI.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

NS_XMP = "http://ns.adobe.com/xap/1.0/"
NS_PHOTO_MECHANIC = "http://ns.camerabits.com/photomechanic/1.0/"
NS_DYNAMIC_MEDIA = "http://ns.adobe.com/xmp/1.0/DynamicMedia/"
XMP_APP1_ID = NS_XMP.encode() + b"\x00"

# A sidecar of a JPEG is a few kilobytes; Lightroom's with a long develop history
# stays well under a megabyte. Larger is not a culling sidecar.
MAX_SIDECAR_BYTES = 4 * 1024 * 1024
# Segments before the image data; a real JPEG has a handful.
_MAX_SEGMENTS = 1000

# Photo Mechanic's colour classes (the defaults; the names are the user's to change).
PHOTO_MECHANIC_CLASSES = {
    1: "Winner",
    2: "Winner alt",
    3: "Superior",
    4: "Superior alt",
    5: "Typical",
    6: "Typical alt",
    7: "Extras",
    8: "Trash",
}


class XmpError(Exception):
    """The photo's XMP cannot be read; the message says why, for the user."""


@dataclass(frozen=True, slots=True)
class Marks:
    """What the culling program said about one photo (``None``: not set).

    ``rating``: -1 (rejected) to 5. ``label``: ``xmp:Label`` as written.
    ``color_class``: Photo Mechanic's colour class number (1-8; 0 is none).
    ``pick``: True picked/tagged, False rejected by flag.
    ``source``: "sidecar", "embedded" or None (no XMP at all).
    """

    rating: int | None = None
    label: str | None = None
    color_class: int | None = None
    pick: bool | None = None
    source: str | None = None

    @property
    def rejected(self) -> bool:
        return self.rating == -1 or self.pick is False

    def label_names(self) -> set[str]:
        """Every name a ``--label`` may use for this photo, casefolded."""
        names = set()
        if self.label:
            names.add(self.label.strip().casefold())
        if self.color_class:
            names.add(str(self.color_class))
            if self.color_class in PHOTO_MECHANIC_CLASSES:
                names.add(PHOTO_MECHANIC_CLASSES[self.color_class].casefold())
        return names


def read_marks(path: str | os.PathLike[str]) -> Marks:
    """The photo's marks: from its sidecar when there is one, else from its embedded packet."""
    sidecar = find_sidecar(path)
    if sidecar is not None:
        try:
            size = sidecar.stat().st_size
            if size > MAX_SIDECAR_BYTES:
                raise XmpError(f"its XMP sidecar {sidecar.name} is too big to be one ({size // 1024} KB)")
            data = sidecar.read_bytes()
        except OSError as exc:
            raise XmpError(
                f"its XMP sidecar {sidecar.name} cannot be read: {(exc.strerror or str(exc)).lower()}"
            ) from None
        return _parse(data, f"its XMP sidecar {sidecar.name}", "sidecar")
    try:
        packet = read_embedded_packet(path)
    except OSError as exc:
        raise XmpError(f"it cannot be read: {(exc.strerror or str(exc)).lower()}") from None
    if packet is None:
        return Marks()
    return _parse(packet, "its embedded XMP", "embedded")


def find_sidecar(path: str | os.PathLike[str]) -> Path | None:
    """``IMG_1.xmp`` (Lightroom, Photo Mechanic, Capture One) or ``IMG_1.jpg.xmp`` (darktable), any case."""
    photo = Path(path)
    for candidate in (
        photo.with_suffix(".xmp"),
        photo.with_suffix(".XMP"),
        photo.with_name(photo.name + ".xmp"),
        photo.with_name(photo.name + ".XMP"),
    ):
        if candidate.is_file():
            return candidate
    return None


_PHOTO_SUFFIXES = (".jpg", ".jpeg")


def is_sidecar(path: str | os.PathLike[str]) -> bool:
    return os.fspath(path).casefold().endswith(".xmp")


def photos_of_sidecar(sidecar: str | os.PathLike[str]) -> list[Path]:
    """The photos beside ``sidecar`` whose marks it holds (the reverse of :func:`find_sidecar`).

    Found by name in a listing of the folder, so a deleted sidecar still finds its
    photos and the names come spelt as on disk (``IMG_1.JPG`` for ``IMG_1.xmp``
    on a case-insensitive disk too).
    """
    side = Path(sidecar)
    if not is_sidecar(side):
        return []
    stem = side.name[: -len(".xmp")]
    if stem.casefold().endswith(_PHOTO_SUFFIXES):
        wanted = {stem.casefold()}  # IMG_1.jpg.xmp (darktable)
    else:
        wanted = {(stem + suffix).casefold() for suffix in _PHOTO_SUFFIXES}
    try:
        names = os.listdir(side.parent)
    except OSError:
        return []
    return sorted(side.parent / name for name in names if name.casefold() in wanted)


def read_embedded_packet(path: str | os.PathLike[str]) -> bytes | None:
    """The XMP packet from the JPEG's APP1 segment, or None; stops at the image data."""
    with open(path, "rb") as f:
        if f.read(2) != b"\xff\xd8":
            return None
        for _ in range(_MAX_SEGMENTS):
            head = f.read(2)
            while head[:1] == b"\xff" and head[1:2] == b"\xff":  # fill bytes before a marker
                head = head[1:] + f.read(1)
            if len(head) < 2 or head[0] != 0xFF:
                return None
            marker = head[1]
            if marker in (0xD9, 0xDA):  # end of image, start of scan: no more metadata
                return None
            if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
                continue
            size_bytes = f.read(2)
            if len(size_bytes) < 2:
                raise XmpError("its XMP is cut short (the file ends inside its header)")
            length = int.from_bytes(size_bytes, "big") - 2
            if length < 0:
                return None
            if marker == 0xE1:
                payload = f.read(length)
                if len(payload) < length:
                    raise XmpError("its XMP is cut short (the file ends inside its header)")
                if payload.startswith(XMP_APP1_ID):
                    return payload[len(XMP_APP1_ID) :]
            else:
                f.seek(length, os.SEEK_CUR)
    return None


def _parse(data: bytes, where: str, source: str) -> Marks:
    text = data.rstrip(b"\x00 \t\r\n")
    if not text.strip():
        raise XmpError(f"{where} is empty")
    try:
        root = fromstring(text, forbid_dtd=True)
    except DefusedXmlException:
        raise XmpError(f"{where} uses XML entities or a DTD, which XMP never needs (refused as unsafe)") from None
    except ParseError as exc:
        raise XmpError(f"{where} is not well-formed XML ({_parse_problem(exc)})") from None
    return _marks(root, where, source)


def _parse_problem(exc: ParseError) -> str:
    text = str(exc)
    return "cut short" if "no element found" in text or "unclosed token" in text else text


def _marks(root: Element, where: str, source: str) -> Marks:
    found: dict[str, str] = {}
    wanted = {
        f"{{{NS_XMP}}}Rating": "rating",
        f"{{{NS_XMP}}}Label": "label",
        f"{{{NS_PHOTO_MECHANIC}}}ColorClass": "color_class",
        f"{{{NS_PHOTO_MECHANIC}}}Tagged": "tagged",
        f"{{{NS_DYNAMIC_MEDIA}}}pick": "pick",
    }
    for element in root.iter():
        # RDF allows a simple property as an attribute of rdf:Description or as a child element.
        for key, value in element.attrib.items():
            if key in wanted:
                found.setdefault(wanted[key], value)
        if element.tag in wanted and element.text is not None and element.text.strip():
            found.setdefault(wanted[element.tag], element.text)
    rating = _number(found.get("rating"), where, "rating")
    if rating is not None and not -1 <= rating <= 5:
        raise XmpError(f"{where} has a rating of {rating}, outside -1 to 5")
    color_class = _number(found.get("color_class"), where, "colour class")
    pick: bool | None = None
    tagged = found.get("tagged", "").strip().lower()
    if tagged in ("true", "1", "yes"):
        pick = True
    dm_pick = _number(found.get("pick"), where, "pick flag")
    if dm_pick is not None and dm_pick != 0:
        pick = dm_pick > 0
    label = found.get("label")
    return Marks(
        rating=rating,
        label=label.strip() if label and label.strip() else None,
        color_class=color_class or None,
        pick=pick,
        source=source,
    )


def _number(text: str | None, where: str, what: str) -> int | None:
    if text is None or not text.strip():
        return None
    try:
        return int(float(text.strip()))
    except ValueError:
        raise XmpError(f"{where} has a {what} that is not a number ({text.strip()[:20]!r})") from None
