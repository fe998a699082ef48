"""XMP written the way the culling programs write it, for the picks tests.

The shapes follow what each program writes: Lightroom Classic puts simple
properties as attributes of one ``rdf:Description`` inside an xpacket;
Photo Mechanic writes its own namespace (colour class, tagged) beside
``xmp:Rating``; Capture One writes child elements; old Bridge/Photoshop CS
bound the same namespace to the prefix ``xap``.
"""

from __future__ import annotations

from pathlib import Path

from imagegen import jpeg_bytes, xmp_segment

XPACKET_BEGIN = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
XPACKET_END = '\n<?xpacket end="w"?>'


def lightroom(rating: int | None = None, label: str | None = None) -> str:
    attrs = []
    if rating is not None:
        attrs.append(f'xmp:Rating="{rating}"')
    if label is not None:
        attrs.append(f'xmp:Label="{label}"')
    return (
        XPACKET_BEGIN
        + '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.0-c000 1.000000, 0000/00/00-00:00:00">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n'
        '    xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '    xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/"\n'
        '    xmp:CreatorTool="Adobe Photoshop Lightroom Classic 13.0 (Macintosh)"\n'
        '    xmp:ModifyDate="2026-06-13T18:21:04+02:00"\n'
        f"    {' '.join(attrs)}\n"
        '    crs:Version="16.0" crs:Exposure2012="+0.35">\n'
        "   <dc:format>image/jpeg</dc:format>\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>" + " " * 200 + XPACKET_END
    )


def photo_mechanic(color_class: int | None = None, tagged: bool | None = None, rating: int | None = None) -> str:
    props = []
    if color_class is not None:
        props.append(f'photomechanic:ColorClass="{color_class}"')
    if tagged is not None:
        props.append(f'photomechanic:Tagged="{"True" if tagged else "False"}"')
    if rating is not None:
        props.append(f'xap:Rating="{rating}"')
    return (
        XPACKET_BEGIN + '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 5.1.2">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about=""\n'
        '  xmlns:photomechanic="http://ns.camerabits.com/photomechanic/1.0/"\n'
        '  xmlns:xap="http://ns.adobe.com/xap/1.0/"\n'
        f'  photomechanic:PMVersion="PM6" photomechanic:Prefs="0:{color_class or 0}:0:000024" {" ".join(props)}/>\n'
        "</rdf:RDF>\n</x:xmpmeta>" + XPACKET_END
    )


def capture_one(rating: int | None = None, label: str | None = None) -> str:
    children = []
    if rating is not None:
        children.append(f"   <xmp:Rating>{rating}</xmp:Rating>")
    if label is not None:
        children.append(f"   <xmp:Label>{label}</xmp:Label>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
        ' xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/">\n' + "\n".join(children) + "\n"
        "   <photoshop:DateCreated>2026-06-13T17:02:11.04</photoshop:DateCreated>\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
    )


def jpeg_with_xmp(path: Path, xmp: str | bytes | None, **options) -> Path:
    """A real JPEG with ``xmp`` in its APP1 packet (None: no packet at all)."""
    segments = [] if xmp is None else [xmp_segment(xmp)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(jpeg_bytes(extra_segments=segments, **options))
    return path
