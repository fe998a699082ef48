"""The sandbox's starting data: ``demo`` (a working studio) or ``empty`` (one brand, nothing else).

Each seed is built once per process into an in-memory database and kept as
bytes; a new sandbox just writes those bytes to its file, so a fresh studio
per test costs a few milliseconds. Demo photos carry no pixels until someone
asks for them (see :func:`renditions.draw_demo_photo`).
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeAlias

from studio_desktop.core.store import inserted_id
from studio_desktop.sandbox.db import create_schema, new_photo_key

SEEDS = ("demo", "empty")

_templates: dict[str, bytes] = {}
_templates_lock = threading.Lock()


def install(db_path: Path, seed: str) -> None:
    """Write a freshly seeded database file at ``db_path``."""
    if seed not in SEEDS:
        raise ValueError(f"unknown sandbox seed {seed!r}: use one of {', '.join(SEEDS)}")
    with _templates_lock:
        if seed not in _templates:
            _templates[seed] = _build(SEED_BUILDERS[seed], seed)
        data = _templates[seed]
    fd = os.open(db_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _build(builder: Callable[[sqlite3.Connection], dict[str, int]], seed: str) -> bytes:
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    try:
        create_schema(conn)
        conn.execute("PRAGMA foreign_keys=ON")
        demo_ids = builder(conn)
        conn.execute("INSERT INTO meta (key, value) VALUES ('seed', ?), ('demo_ids', ?)", (seed, json.dumps(demo_ids)))
        conn.commit()
        return conn.serialize()
    finally:
        conn.close()


def _insert(c: sqlite3.Connection, table: str, **values: Any) -> int:
    columns = ", ".join(values)
    cur = c.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(values))})", tuple(values.values()))
    return inserted_id(cur)


def _studio(c: sqlite3.Connection, name: str, first: str, last: str, subdomain: str) -> None:
    _insert(
        c,
        "studio",
        id=1,
        name=name,
        first_name=first,
        last_name=last,
        subdomain=subdomain,
        plan_type="Standard",
        photos_allowed=25_000,
    )
    c.executemany(
        "INSERT INTO settings (key, value) VALUES (?, ?)",
        [
            ("event_postback_url", ""),
            ("order_postback_url", ""),
            ("sales_tax_rate", "7.25"),
            ("sales_tax_on_digital_downloads", "1"),
            ("sales_tax_on_shipping", "0"),
            ("sales_tax_state", "TN"),
        ],
    )


def seed_empty(c: sqlite3.Connection) -> dict[str, int]:
    _studio(c, "My Photography Studio", "Alex", "Rivera", "myphotographystudio")
    brand = _insert(
        c,
        "brands",
        name="My Photography Studio",
        is_default=1,
        subdomain="myphotographystudio",
        locale="en_US",
        email="studio@example.com",
        address_1="1 Main St",
        city="Springfield",
        state="IL",
        country="US",
        zip_postal="62701",
    )
    defaults = _insert(
        c, "event_defaults", brand_id=brand, name="Default", is_default=1, access_level="private_no_password"
    )
    return {"brand_default": brand, "event_defaults_default": defaults}


# --- the demo studio -------------------------------------------------------------------------

CONTACTS = [
    # key, brand, first, last, email, phone, business, notes, tags, address (a1, city, state, zip, country) or None
    (
        "harper",
        "b1",
        "Harper",
        "Lewis",
        "harper.lewis@example.com",
        "423-555-0181",
        None,
        "Wedding 14 Sept 2024; loves candid shots",
        "wedding,bride",
        ("88 Riverfront Pkwy", "Chattanooga", "TN", "37402", "US"),
    ),
    ("liam", "b1", "Liam", "Carter", "liam.carter@example.com", "423-555-0199", None, None, "wedding,groom", None),
    (
        "adaeze",
        "b1",
        "Adaeze",
        "Okafor",
        "adaeze.okafor@example.net",
        "615-555-0110",
        None,
        None,
        "family,repeat",
        ("42 Belle Meade Blvd", "Nashville", "TN", "37205", "US"),
    ),
    (
        "zoe",
        "b1",
        "Zoë",
        "Ångström",
        "zoe.angstrom@example.se",
        "+46 8 555 0123",
        None,
        "Prefers golden hour",
        "engagement",
        ("Drottninggatan 12", "Stockholm", "", "111 51", "SE"),
    ),
    ("mateo", "b1", "Mateo", "Núñez", "mateo.nunez@example.com", None, None, None, "engagement", None),
    (
        "jordan",
        "b1",
        "Jordan",
        "Blake",
        "jordan.blake@acme.example.com",
        "404-555-0175",
        "Acme Corp",
        "Invoice to accounts payable",
        "corporate,preferred",
        ("500 Peachtree St NE", "Atlanta", "GA", "30308", "US"),
    ),
    ("sam", "b1", "Sam", "O'Neil", "sam.oneil@example.com", None, None, None, "", None),
    (
        "priya",
        "b2",
        "Priya",
        "Raman",
        "priya.raman@example.org",
        "312-555-0147",
        None,
        "Baby Noah born 2 March",
        "newborn",
        ("1200 N Lake Shore Dr", "Chicago", "IL", "60610", "US"),
    ),
    (
        "dana",
        "b2",
        "Dana",
        "Whitfield",
        "dana.whitfield@maplegrove.example.edu",
        "312-555-0100",
        "Maple Grove Elementary",
        "School office contact",
        "school,preferred",
        ("77 Maple Grove Rd", "Evanston", "IL", "60201", "US"),
    ),
    ("grace", "b2", "Grace", "Kim", "grace.kim@example.com", None, None, "Prefers morning sessions", "family", None),
    (
        "harper2",
        "b2",
        "Harper",
        "Lewis",
        "harper.lewis@example.com",
        None,
        None,
        "Newborn session booked",
        "newborn",
        None,
    ),
    (
        "chloe",
        "b3",
        "Chloé",
        "Dubois",
        "chloe.dubois@example.fr",
        "+33 4 55 55 01 23",
        None,
        None,
        "mariage",
        ("14 Rue de la République", "Lyon", "Auvergne-Rhône-Alpes", "69002", "FR"),
    ),
    ("antoine", "b3", "Antoine", "Girard", "antoine.girard@example.fr", None, None, None, "mariage", None),
]

# Album trees: (name, photo names generator key, children)
# name, photo count, sub-albums
AlbumSpec: TypeAlias = tuple[str, int, list["AlbumSpec"]]

WEDDING_ALBUMS: list[AlbumSpec] = [
    (
        "Getting Ready",
        8,
        [
            (
                "Bride",
                10,
                [
                    (
                        "Details",
                        6,
                        [
                            ("Rings & Shoes", 5, []),
                        ],
                    ),
                ],
            ),
            ("Groom", 8, []),
        ],
    ),
    ("Ceremony", 20, []),
    (
        "Reception",
        10,
        [
            ("First Dance", 8, []),
            ("Toasts", 6, []),
        ],
    ),
]


def _names(style: str, count: int, start: int = 1) -> list[str]:
    patterns = {
        "img": "IMG_{:04d}.jpg",
        "dsc": "DSC_{:04d}.JPG",
        "mg": "_MG_{:04d}.jpg",
        "portrait": "portrait {:02d}.jpeg",
        "bg": "Bride & Groom ({}).jpg",
        "zm": "Zoë & Mateo – {:03d}.jpg",
        "runner": "Runner #{}.jpg",
        "noah": "Noah_asleep_#{}.jpg",
        "student": "Student {:04d}.jpg",
        "kim": "Kim family {:02d}.JPG",
        "ceremonie": "Cérémonie {:02d}.jpg",
    }
    return [patterns[style].format(n) for n in range(start, start + count)]


class _DemoBuilder:
    def __init__(self, c: sqlite3.Connection):
        self.c = c
        self.rng = random.Random(20240914)
        self.ids: dict[str, int] = {}

    def photo(self, event: int, album: int | None, name: str, created: str) -> int:
        portrait = self.rng.random() < 0.25
        width, height = (1200, 1800) if portrait else (1800, 1200)
        photo_id, seq = new_photo_key(self.c)
        return _insert(
            self.c,
            "photos",
            id=photo_id,
            seq=seq,
            event_id=event,
            album_id=album,
            name=name,
            width=width,
            height=height,
            generated=1,
            created=created,
        )

    def photos(self, event: int, album: int | None, names: list[str], created: str) -> list[int]:
        return [self.photo(event, album, name, created) for name in names]

    def event(
        self,
        key: str,
        brand: str,
        name: str,
        created: str,
        *,
        category: str | None = None,
        contact: str | None = None,
        event_date: str | None = None,
        slug: str | None = None,
        archived: bool = False,
        status: str = "Active",
        access: str = "private_no_password",
        password: str | None = None,
        expires: str | None = None,
    ) -> int:
        event_id = _insert(
            self.c,
            "events",
            brand_id=self.ids[brand],
            name=name,
            password=password,
            access_level=access,
            category_id=self.ids.get(category) if category else None,
            is_archived=int(archived),
            status=status,
            url_slug=slug,
            created=created,
            event_date=event_date,
            gallery_expiration_date=expires,
            contact_id=self.ids[contact] if contact else None,
            last_updated=created,
        )
        self.ids[key] = event_id
        return event_id

    def album(
        self, event: int, parent: int | None, name: str, order: int, created: str, password: str | None = None
    ) -> int:
        return _insert(
            self.c,
            "albums",
            event_id=event,
            parent_id=parent,
            name=name,
            display_order=order,
            created=created,
            password=password,
        )

    def album_tree(
        self,
        event: int,
        tree: list[AlbumSpec],
        created: str,
        counter: list[int],
        parent: int | None = None,
        path: tuple[str, ...] = (),
    ) -> list[int]:
        photo_ids: list[int] = []
        for order, (name, count, children) in enumerate(tree, start=1):
            album = self.album(event, parent, name, order, created)
            self.ids["album:" + "/".join((*path, name))] = album
            style = "dsc" if name == "Ceremony" else "img"
            photo_ids += self.photos(event, album, _names(style, count, counter[0]), created)
            counter[0] += count
            photo_ids += self.album_tree(event, children, created, counter, album, (*path, name))
        return photo_ids

    def cover(self, table: str, owner: int, photo: int) -> None:
        self.c.execute(f"UPDATE {table} SET cover_photo_id = ? WHERE id = ?", (photo, owner))


def seed_demo(c: sqlite3.Connection) -> dict[str, int]:
    d = _DemoBuilder(c)
    _studio(c, "Lumen & Grain Photography", "Maya", "Okafor", "lumenandgrain")
    d.ids["b1"] = _insert(
        c,
        "brands",
        name="Lumen & Grain Photography",
        is_default=1,
        subdomain="lumenandgrain",
        locale="en_US",
        website="https://www.lumenandgrain.example",
        email="hello@lumenandgrain.example",
        phone="423-555-0142",
        address_1="214 Market St",
        city="Chattanooga",
        state="TN",
        country="US",
        zip_postal="37402",
    )
    d.ids["b2"] = _insert(
        c,
        "brands",
        name="Little Sprouts Portraits",
        subdomain="littlesprouts",
        locale="en_US",
        website="https://littlesprouts.example",
        email="hi@littlesprouts.example",
        phone="312-555-0190",
        address_1="9 Wells St",
        address_2="Suite 200",
        city="Chicago",
        state="IL",
        country="US",
        zip_postal="60606",
        watermark_new_uploads=1,
    )
    d.ids["b3"] = _insert(
        c,
        "brands",
        name="Atelier Lumière",
        subdomain="atelierlumiere",
        locale="fr_FR",
        custom_domain="photos.atelier-lumiere.example",
        email="bonjour@atelier-lumiere.example",
        address_1="3 Place Bellecour",
        city="Lyon",
        state_other="Auvergne-Rhône-Alpes",
        country="FR",
        zip_postal="69002",
    )
    for key, name in [
        ("cat_weddings", "Weddings"),
        ("cat_engagements", "Engagements"),
        ("cat_families", "Families"),
        ("cat_newborns", "Newborns"),
        ("cat_schools", "Schools"),
        ("cat_corporate", "Corporate"),
        ("cat_events", "Events"),
    ]:
        d.ids[key] = _insert(c, "categories", name=name, display_order=len([k for k in d.ids if k[:4] == "cat_"]) + 1)
    d.ids["defaults_b1"] = _insert(
        c, "event_defaults", brand_id=d.ids["b1"], name="Default", is_default=1, access_level="private_no_password"
    )
    d.ids["defaults_wedding"] = _insert(
        c,
        "event_defaults",
        brand_id=d.ids["b1"],
        name="Weddings – 90-day gallery",
        access_level="public_no_password",
        expiration_days=90,
        category_id=d.ids["cat_weddings"],
    )
    _insert(
        c,
        "event_defaults",
        brand_id=d.ids["b1"],
        name="Client proofing",
        access_level="private_password",
        password="proof2024",
    )
    _insert(c, "event_defaults", brand_id=d.ids["b2"], name="Default", is_default=1, access_level="private_no_password")
    _insert(
        c,
        "event_defaults",
        brand_id=d.ids["b2"],
        name="School picture day",
        access_level="private_password",
        password="smile",
        expiration_days=30,
        category_id=d.ids["cat_schools"],
    )
    _insert(
        c, "event_defaults", brand_id=d.ids["b3"], name="Par défaut", is_default=1, access_level="private_no_password"
    )
    d.ids["watermark_b1"] = _insert(
        c, "watermarks", brand_id=d.ids["b1"], name="Lumen & Grain logo", is_default=1, text="© Lumen & Grain"
    )
    _insert(c, "watermarks", brand_id=d.ids["b1"], name="PROOF", text="PROOF")
    d.ids["watermark_b2"] = _insert(
        c, "watermarks", brand_id=d.ids["b2"], name="Little Sprouts", is_default=1, text="Little Sprouts Portraits"
    )
    _insert(c, "watermarks", brand_id=d.ids["b3"], name="Atelier Lumière", is_default=1, text="Atelier Lumière")

    for n, (key, brand, first, last, email, phone, business, notes, tags, address) in enumerate(CONTACTS):
        values = dict(
            brand_id=d.ids[brand],
            first_name=first,
            last_name=last,
            email=email,
            phone=phone,
            business_name=business,
            notes=notes,
            third_party_id=f"crm-{1000 + n}" if n % 3 == 0 else None,
            tags=json.dumps([t for t in tags.split(",") if t]),
            created=f"2024-0{1 + n % 9}-1{n % 9} 10:00:00",
        )
        if address:
            a1, city, state, zip_code, country = address
            values.update(
                address_id=5_500_001 + n,
                street_line_1=a1,
                city=city,
                state_province=state or None,
                postal_code=zip_code,
                country=country,
            )
        d.ids["contact_" + key] = _insert(c, "contacts", **values)
    ids = {k[len("contact_") :]: v for k, v in d.ids.items() if k.startswith("contact_")}
    d.ids.update(ids)

    # Weddings: the full four levels of albums, a duplicate name in two albums, photos outside albums.
    created = "2024-09-16 09:12:00"
    wedding = d.event(
        "event_wedding",
        "b1",
        "Harper & Liam Wedding",
        created,
        category="cat_weddings",
        contact="harper",
        event_date="2024-09-14 16:00:00",
        slug="harper-liam-wedding",
        access="public_password",
        password="HL2024",
        expires="2025-12-14 00:00:00",
    )
    loose = d.photos(wedding, None, _names("bg", 6), created)
    wedding_photos = loose + d.album_tree(wedding, WEDDING_ALBUMS, created, [1])
    d.photo(wedding, d.ids["album:Getting Ready/Bride"], "IMG_0001.jpg", created)
    d.cover("events", wedding, loose[0])
    d.cover("albums", d.ids["album:Ceremony"], wedding_photos[20])

    created = "2024-10-05 18:40:00"
    family = d.event(
        "event_family",
        "b1",
        "Okafor Family Session",
        created,
        category="cat_families",
        contact="adaeze",
        event_date="2024-10-03 17:30:00",
    )
    beach = d.album(family, None, "Beach", 1, created)
    sunset = d.album(family, None, "Sunset", 2, created, password="golden")
    family_photos = (
        d.photos(family, beach, _names("mg", 12, 4501), created)
        + d.photos(family, sunset, _names("mg", 8, 4601), created)
        + d.photos(family, None, _names("mg", 4, 4701), created)
    )
    d.cover("events", family, family_photos[0])

    created = "2025-02-14 12:00:00"
    engagement = d.event(
        "event_engagement",
        "b1",
        "Zoë & Mateo Engagement",
        created,
        category="cat_engagements",
        contact="zoe",
        event_date="2025-02-12 17:00:00",
        slug="zoe-mateo",
        access="private_password",
        password="amor",
    )
    d.photos(engagement, None, _names("zm", 18), created)

    created = "2025-03-03 15:20:00"
    headshots = d.event(
        "event_corporate",
        "b1",
        "Acme Corp Headshots 2025",
        created,
        category="cat_corporate",
        contact="jordan",
        event_date="2025-03-03 09:00:00",
    )
    people = ["Jane O'Neil", "Raj Patel", "Émilie Rousseau", "Tom Nguyen", "Sara Ödegaard"]
    d.photos(headshots, None, [f"Headshot – {people[i % 5]} ({i // 5 + 1}).jpg" for i in range(15)], created)

    created = "2023-04-22 23:10:00"
    gala = d.event(
        "event_archived",
        "b1",
        "Spring Gala 2023",
        created,
        category="cat_events",
        event_date="2023-04-22 19:00:00",
        archived=True,
    )
    gala_photos = d.photos(gala, None, _names("dsc", 10, 1), created)
    created = "2022-12-10 20:00:00"
    d.event(
        "event_archived_2",
        "b1",
        "Winter Mini Sessions 2022",
        created,
        category="cat_families",
        event_date="2022-12-10 10:00:00",
        archived=True,
    )
    d.photos(d.ids["event_archived_2"], None, _names("portrait", 8), created)
    created = "2024-05-19 14:00:00"
    run = d.event(
        "event_inactive",
        "b1",
        "Riverside 5K Fun Run",
        created,
        category="cat_events",
        event_date="2024-05-18 08:00:00",
        status="Inactive",
        expires="2024-08-18 00:00:00",
        access="public_no_password",
    )
    d.photos(run, None, _names("runner", 12, 101), created)
    created = "2025-05-01 08:00:00"
    reunion = d.event("event_empty_album", "b1", "Smith Family Reunion", created, category="cat_families")
    d.ids["album_empty"] = d.album(reunion, None, "Day 1", 1, created)
    d.event("event_empty", "b1", "Test Gallery", "2025-05-20 11:00:00")

    created = "2025-03-10 10:30:00"
    newborn = d.event(
        "event_newborn",
        "b2",
        "Baby Noah – Newborn",
        created,
        category="cat_newborns",
        contact="priya",
        event_date="2025-03-09 10:00:00",
    )
    newborn_photos = d.photos(newborn, None, _names("noah", 20), created)
    d.cover("events", newborn, newborn_photos[2])
    created = "2024-09-30 16:00:00"
    school = d.event(
        "event_school",
        "b2",
        "Maple Grove Elementary – Picture Day 2024",
        created,
        category="cat_schools",
        contact="dana",
        event_date="2024-09-27 08:00:00",
        slug="maple-grove-2024",
        access="private_password",
        password="smile",
    )
    counter = 1
    for order, (grade, rooms) in enumerate(
        [("Kindergarten", ["Room 4"]), ("Grade 1", ["Room 12", "Room 14"]), ("Grade 2", [])], start=1
    ):
        grade_album = d.album(school, None, grade, order, created)
        d.photos(school, grade_album, _names("student", 4, counter), created)
        counter += 4
        for room_order, room in enumerate(rooms, start=1):
            room_album = d.album(school, grade_album, room, room_order, created)
            d.photos(school, room_album, _names("student", 8, counter), created)
            counter += 8
    created = "2024-11-02 13:00:00"
    kim = d.event(
        "event_kim",
        "b2",
        "Kim Family – Fall Minis",
        created,
        category="cat_families",
        contact="grace",
        event_date="2024-11-02 09:30:00",
    )
    d.photos(kim, None, _names("kim", 10), created)

    created = "2024-07-08 21:00:00"
    mariage = d.event(
        "event_b3",
        "b3",
        "Chloé & Antoine – Mariage",
        created,
        category="cat_weddings",
        contact="chloe",
        event_date="2024-07-06 15:00:00",
        slug="chloe-antoine-mariage",
    )
    eglise = d.album(mariage, None, "Église", 1, created)
    vin = d.album(mariage, None, "Vin d'honneur", 2, created)
    mariage_photos = d.photos(
        mariage, eglise, ["Église - entrée.jpg", "Église - vitraux.jpg", *_names("ceremonie", 8)], created
    ) + d.photos(mariage, vin, [f"Vin d'honneur {n:02d}.jpg" for n in range(1, 11)], created)
    d.cover("events", mariage, mariage_photos[0])
    c.execute("UPDATE categories SET cover_photo_id = ? WHERE id = ?", (loose[1], d.ids["cat_weddings"]))
    c.execute("UPDATE categories SET cover_photo_id = ? WHERE id = ?", (family_photos[3], d.ids["cat_families"]))

    _visitors(d, wedding, wedding_photos, family, family_photos, newborn, newborn_photos)
    _mobile_apps(d, wedding, wedding_photos, family, family_photos, newborn, newborn_photos)
    _orders(d, wedding, wedding_photos, family, family_photos, newborn, newborn_photos, gala, gala_photos)
    _invoices(d)
    keep = (
        "b1",
        "b2",
        "b3",
        "defaults_b1",
        "defaults_wedding",
        "watermark_b1",
        "watermark_b2",
        "cat_weddings",
        "event_wedding",
        "event_family",
        "event_engagement",
        "event_corporate",
        "event_archived",
        "event_archived_2",
        "event_inactive",
        "event_empty_album",
        "event_empty",
        "event_newborn",
        "event_school",
        "event_kim",
        "event_b3",
        "album_empty",
        "harper",
        "harper2",
        "liam",
        "adaeze",
        "zoe",
        "jordan",
        "sam",
        "priya",
        "dana",
        "grace",
        "chloe",
        "order_first",
        "invoice_first",
        "mobile_app_first",
    )
    result = {k: d.ids[k] for k in keep}
    result.update(
        {
            "brand_default": d.ids["b1"],
            "brand_second": d.ids["b2"],
            "brand_third": d.ids["b3"],
            "album_level1": d.ids["album:Getting Ready"],
            "album_level2": d.ids["album:Getting Ready/Bride"],
            "album_level3": d.ids["album:Getting Ready/Bride/Details"],
            "album_level4": d.ids["album:Getting Ready/Bride/Details/Rings & Shoes"],
            "album_ceremony": d.ids["album:Ceremony"],
            "album_reception": d.ids["album:Reception"],
            "photo_first": loose[0],
        }
    )
    return result


def _visitors(
    d: _DemoBuilder,
    wedding: int,
    wedding_photos: list[int],
    family: int,
    family_photos: list[int],
    newborn: int,
    newborn_photos: list[int],
) -> None:
    c = d.c
    specs = [
        (
            wedding,
            "harper.lewis@example.com",
            "2025-01-04 20:15:00",
            2,
            5,
            1,
            3,
            wedding_photos[:12],
            {"Album picks": wedding_photos[10:18], "Print": wedding_photos[30:33]},
        ),
        (wedding, "aunt.mary@example.com", "2024-12-24 08:02:00", 1, 0, 1, 0, wedding_photos[40:44], {}),
        (wedding, "best.man@example.com", "2024-09-20 22:45:00", 0, 2, 0, 0, [], {}),
        (
            family,
            "adaeze.okafor@example.net",
            "2024-10-09 19:30:00",
            0,
            12,
            1,
            0,
            family_photos[:6],
            {"Canvas": family_photos[2:4]},
        ),
        (newborn, "priya.raman@example.org", "2025-03-15 06:10:00", 3, 0, 0, 1, newborn_photos[:8], {}),
        (newborn, "grandma.raman@example.org", "2025-03-16 12:00:00", 0, 0, 0, 0, newborn_photos[5:7], {}),
    ]
    for event, email, accessed, cart, downloads, orders, hidden, favorites, labels in specs:
        visitor = _insert(
            c,
            "gallery_visitors",
            event_id=event,
            email=email,
            date_accessed=accessed,
            cart_items=cart,
            downloads=downloads,
            orders=orders,
            num_hidden_photos=hidden,
        )
        c.executemany(
            "INSERT INTO visitor_favorites (visitor_id, photo_id) VALUES (?, ?)", [(visitor, p) for p in favorites]
        )
        for label, photos in labels.items():
            c.executemany(
                "INSERT INTO visitor_labels (visitor_id, label, photo_id) VALUES (?, ?, ?)",
                [(visitor, label, p) for p in photos],
            )
    c.executemany(
        "INSERT INTO event_emails (event_id, email, added) VALUES (?, ?, ?)",
        [
            (wedding, e, "2024-09-16 09:30:00")
            for e in ("harper.lewis@example.com", "liam.carter@example.com", "aunt.mary@example.com")
        ],
    )


def _mobile_apps(
    d: _DemoBuilder,
    wedding: int,
    wedding_photos: list[int],
    family: int,
    family_photos: list[int],
    newborn: int,
    newborn_photos: list[int],
) -> None:
    apps = [
        ("b1", wedding, "Harper & Liam", 214, 1380, wedding_photos[:25]),
        ("b1", family, "The Okafors", 9, 77, family_photos[:12]),
        ("b2", newborn, "Welcome, Noah!", 31, 402, newborn_photos[:15]),
    ]
    for n, (brand, event, name, installs, views, photos) in enumerate(apps):
        app = _insert(
            d.c,
            "mobile_apps",
            brand_id=d.ids[brand],
            event_id=event,
            name=name,
            num_installs=installs,
            num_views=views,
            links=json.dumps([f"https://app.shootproof.example/{63000 + n}"]),
        )
        d.ids.setdefault("mobile_app_first", app)
        d.c.executemany(
            "INSERT INTO mobile_app_photos (app_id, photo_id, position) VALUES (?, ?, ?)",
            [(app, p, i) for i, p in enumerate(photos)],
        )


def _address(
    name: str, line1: str, city: str, state: str, postal: str, country: str = "US", line2: str | None = None
) -> dict[str, Any]:
    return {
        "name": name,
        "address_line_1": line1,
        "address_line_2": line2,
        "city": city,
        "state_province": state,
        "postal_code": postal,
        "country": country,
    }


def _product(
    name: str,
    size: str,
    quantity: int,
    unit: float,
    *,
    digital: bool = False,
    lab: bool = True,
    addons: Sequence[tuple[str, str, float]] = (),
) -> dict[str, Any]:
    return {
        "quantity": quantity,
        "item_name": name,
        "item_size": size,
        "is_digital_download": digital,
        "is_lab_fulfilled": lab and not digital,
        "lab_product_unit_price": round(unit * 0.35, 2) if lab else None,
        "addons": [
            {"label": label, "type": kind, "price": price, "quantity": quantity} for label, kind, price in addons
        ],
        "unit_price": unit,
        "original_price": unit,
        "item_total": round(unit * quantity, 2),
    }


def _orders(
    d: _DemoBuilder,
    wedding: int,
    wedding_photos: list[int],
    family: int,
    family_photos: list[int],
    newborn: int,
    newborn_photos: list[int],
    gala: int,
    gala_photos: list[int],
) -> None:
    harper = _address("Harper Lewis", "88 Riverfront Pkwy", "Chattanooga", "TN", "37402")
    mary = _address("Mary Lewis", "5 Elm Ct", "Knoxville", "TN", "37919")
    adaeze = _address("Adaeze Okafor", "42 Belle Meade Blvd", "Nashville", "TN", "37205")
    priya = _address("Priya Raman", "1200 N Lake Shore Dr", "Chicago", "IL", "60610", line2="Apt 18C")
    lab = _address("Lumen & Grain Photography", "214 Market St", "Chattanooga", "TN", "37402")
    none = {"gateway_transaction_id": None, "amount": None, "currency": None}
    orders: list[tuple[Any, ...]] = [
        (
            wedding,
            "Harper & Liam Wedding",
            "2024-10-01 19:22:00",
            4,
            "Completed",
            True,
            "USD",
            harper,
            "harper.lewis@example.com",
            "423-555-0181",
            [
                (wedding_photos[0], [_product("Print", "8x10", 2, 25.0, addons=[("Lustre", "Texture", 2.0)])]),
                (
                    wedding_photos[5],
                    [_product("Canvas", "16x20", 1, 149.0, addons=[("Float frame", "Mounting", 40.0)])],
                ),
                (wedding_photos[9], [_product("Digital download", "Original", 1, 15.0, digital=True, lab=False)]),
            ],
            {"gateway_transaction_id": "ch_3Pq8Lm2eZvKYlo2C1", "refund": None, "void": None},
            "Love these!",
            None,
        ),
        (
            wedding,
            "Harper & Liam Wedding",
            "2024-12-23 10:05:00",
            2,
            "Processing",
            True,
            "USD",
            mary,
            "aunt.mary@example.com",
            None,
            [(wedding_photos[41], [_product("Print", "5x7", 3, 12.0)])],
            {"gateway_transaction_id": "ch_3QxC2a2eZvKYlo2C9", "refund": None, "void": None},
            None,
            "Rush before Christmas",
        ),
        (
            family,
            "Okafor Family Session",
            "2024-10-12 08:45:00",
            3,
            "Shipped",
            True,
            "USD",
            adaeze,
            "adaeze.okafor@example.net",
            "615-555-0110",
            [
                (family_photos[2], [_product("Metal print", "11x14", 1, 89.0)]),
                (family_photos[3], [_product("Print", "4x6", 10, 4.5)]),
            ],
            {"gateway_transaction_id": "ch_3Q1aZ92eZvKYlo2D4", "refund": None, "void": None},
            None,
            None,
        ),
        (
            newborn,
            "Baby Noah – Newborn",
            "2025-03-16 13:12:00",
            1,
            "New",
            False,
            "USD",
            priya,
            "priya.raman@example.org",
            "312-555-0147",
            [(newborn_photos[0], [_product("Album", "10x10", 1, 320.0)])],
            {"gateway_transaction_id": None, "refund": None, "void": None},
            "Pay by check",
            None,
        ),
        (
            gala,
            "Spring Gala 2023",
            "2023-04-30 17:00:00",
            4,
            "Completed",
            True,
            "USD",
            lab,
            "events@example.org",
            None,
            [(gala_photos[1], [_product("Digital download", "Original", 4, 10.0, digital=True, lab=False)])],
            {"gateway_transaction_id": "ch_1N0xGala2023", "refund": None, "void": None},
            None,
            None,
        ),
        (
            wedding,
            "Harper & Liam Wedding",
            "2024-10-02 09:00:00",
            6,
            "Refunded",
            True,
            "USD",
            harper,
            "harper.lewis@example.com",
            None,
            [(wedding_photos[3], [_product("Print", "8x10", 1, 25.0)])],
            {"gateway_transaction_id": "ch_3Pq9Refund", "refund": 26.81, "void": None},
            "Ordered twice by mistake",
            "Refunded in full",
        ),
    ]
    for (
        event,
        event_name,
        date,
        status_id,
        status,
        paid,
        currency,
        address,
        email,
        phone,
        items,
        payment,
        client_notes,
        studio_notes,
    ) in orders:
        subtotal = round(
            sum(
                p["item_total"] + sum(a["price"] * a["quantity"] for a in p["addons"])
                for _, products in items
                for p in products
            ),
            2,
        )
        shipping = 0.0 if all(p["is_digital_download"] for _, products in items for p in products) else 9.95
        tax = round(subtotal * 0.0725, 2)
        total = round(subtotal + shipping + tax, 2)
        refund = (
            dict(none)
            if payment["refund"] is None
            else {
                "gateway_transaction_id": "re_" + payment["gateway_transaction_id"][3:],
                "amount": payment["refund"],
                "currency": currency,
            }
        )
        details = {
            "contact_information": {"phone": phone, "email": email},
            "billing_address": address,
            "shipping_address": address,
            "lab_shipping_address": lab,
            "payment": {"gateway_transaction_id": payment["gateway_transaction_id"]},
            "refund_transaction": refund,
            "void_transaction": {**none, "processing_fee": None},
            "client_notes": client_notes,
            "studio_notes": studio_notes,
            "items": [{"photo_id": photo, "product": products} for photo, products in items],
            "addons": [{"label": "Boutique packaging", "type": "Boutique packaging", "price": 12.0, "quantity": 1}]
            if total > 200
            else [],
            "redeemed_discounts": [],
            "order_adjustment": 0.0,
            "shipping_charge": shipping,
            "sales_tax": tax,
            "sales_tax_percent": 7.25,
            "sales_tax_on_digital_downloads": True,
            "sales_tax_on_shipping": False,
        }
        order = _insert(
            d.c,
            "orders",
            event_id=event,
            event_name=event_name,
            order_date=date,
            status_id=status_id,
            status_name=status,
            is_paid=int(paid),
            currency=currency,
            grand_total=total,
            details=json.dumps(details),
        )
        d.ids.setdefault("order_first", order)


def _invoices(d: _DemoBuilder) -> None:
    def item(
        n: int,
        name: str,
        description: str,
        quantity: int,
        price: float,
        taxable: bool = True,
        created: str = "2024-06-01 10:00:00",
    ) -> dict[str, Any]:
        return {
            "id": 880_000 + n,
            "name": name,
            "description": description,
            "quantity": quantity,
            "original_price": price,
            "price": price,
            "is_taxable": taxable,
            "display_order": n % 10,
            "created": created,
            "last_updated": created,
        }

    invoices = [
        (
            "b1",
            "harper",
            "LG-2024-031",
            3,
            "Paid",
            "2024-03-02 10:00:00",
            [
                item(1, "Wedding collection", "8 hours, two photographers, online gallery", 1, 4200.0),
                item(2, "Engagement session", "90 minutes, one location", 1, 450.0),
            ],
            "USD",
            "en",
            "2024-08-14",
            "Thank you! Your date is booked.",
            "Balance due 30 days before the wedding.",
        ),
        (
            "b1",
            "jordan",
            "LG-2025-007",
            2,
            "Sent",
            "2025-03-04 09:00:00",
            [
                item(3, "Corporate headshots", "Per person, retouched", 15, 85.0),
                item(4, "Travel", "On-site setup", 1, 120.0, taxable=False),
            ],
            "USD",
            "en",
            "2025-04-03",
            "Payment received, thank you.",
            None,
        ),
        (
            "b2",
            "priya",
            None,
            1,
            "Draft",
            "2025-03-10 11:00:00",
            [item(5, "Newborn session", "In-home, up to 3 hours", 1, 650.0)],
            "USD",
            "en",
            None,
            "Thanks!",
            "Includes 10 digital files.",
        ),
        (
            "b3",
            "chloe",
            "AL-2024-012",
            4,
            "Partially paid",
            "2024-01-15 15:00:00",
            [
                item(6, "Forfait mariage", "Journée complète", 1, 2900.0),
                item(7, "Album 30x30", "40 pages, lin naturel", 1, 690.0),
            ],
            "EUR",
            "fr",
            "2024-06-06",
            "Merci beaucoup !",
            "Acompte de 30 % reçu.",
        ),
    ]
    for (
        brand,
        contact,
        custom,
        status_id,
        status,
        created,
        items,
        currency,
        language,
        due,
        confirmation,
        note,
    ) in invoices:
        data = {
            "items": items,
            "allow_payment_cash_check": True,
            "allow_payment_credit_card": True,
            "sales_tax_percent": 7.25 if currency == "USD" else 20.0,
            "sales_tax_state": "TN" if brand == "b1" else ("IL" if brand == "b2" else None),
            "sales_tax_title": "Sales tax" if currency == "USD" else "TVA",
            "final_payment_due": due,
            "issued": created[:10] if status != "Draft" else None,
            "language_code": language,
            "currency_code": currency,
            "payment_confirmation_text": confirmation,
            "client_note": note,
            "invoice_template_id": 12 if brand == "b1" else 31,
        }
        invoice = _insert(
            d.c,
            "invoices",
            brand_id=d.ids[brand],
            contact_id=d.ids[contact],
            custom_invoice_id=custom,
            status_id=status_id,
            status_name=status,
            data=json.dumps(data),
            created=created,
            last_updated=created,
        )
        d.ids.setdefault("invoice_first", invoice)


SEED_BUILDERS: dict[str, Callable[[sqlite3.Connection], dict[str, int]]] = {
    "demo": seed_demo,
    "empty": seed_empty,
}
