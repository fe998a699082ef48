"""Demo people for the sandbox's Pixieset Studio: clients, leads and other contacts.

Generated from a fixed random seed, so every fresh sandbox holds the same
studio: 126 people across several countries (names with accents, some with a
missing email, phone or address), most clients with collections and
documents, a few archived. Plain rows, ready for ``executemany``.
"""

from __future__ import annotations

import json
import random
import string
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

DEMO_SIZE = 126
_ALNUM = string.ascii_letters + string.digits
# Fixed, so that the demo studio looks the same on every machine and every run.
_SEED = 20250806
_NOW = datetime(2025, 9, 15, 17, 30, tzinfo=UTC)

_PLACES: list[tuple[int, str, str, list[tuple[str, str | None, list[str]]]]] = [
    # country_id, postal code pattern, phone prefix, [(city, state, streets)]
    (
        223,
        "#####",
        "+1 ",
        [
            ("New York", "NY", ["Bleecker Street", "West 14th Street", "Atlantic Avenue"]),
            ("Los Angeles", "CA", ["Sunset Boulevard", "Hyperion Avenue"]),
            ("Austin", "TX", ["South Congress Avenue", "East Cesar Chavez Street"]),
            ("Portland", "OR", ["Alberta Street", "SE Division Street"]),
            ("Chicago", "IL", ["North Milwaukee Avenue", "West Armitage Avenue"]),
            ("Denver", "CO", ["Larimer Street", "South Pearl Street"]),
            ("Seattle", "WA", ["Pike Street", "Ballard Avenue NW"]),
            ("Boston", "MA", ["Newbury Street", "Tremont Street"]),
        ],
    ),
    (
        38,
        "A#A #A#",
        "+1 ",
        [
            ("Montréal", "QC", ["Rue Saint-Denis", "Boulevard Saint-Laurent"]),
            ("Toronto", "ON", ["Queen Street West", "Ossington Avenue"]),
            ("Vancouver", "BC", ["Commercial Drive", "Main Street"]),
        ],
    ),
    (
        222,
        "AA# #AA",
        "+44 ",
        [
            ("London", None, ["Columbia Road", "Upper Street"]),
            ("Edinburgh", None, ["Leith Walk", "Broughton Street"]),
            ("Bristol", None, ["Gloucester Road", "Park Street"]),
        ],
    ),
    (
        73,
        "#####",
        "+33 ",
        [("Paris", None, ["Rue des Martyrs", "Rue Oberkampf"]), ("Lyon", None, ["Rue de la République"])],
    ),
    (
        81,
        "#####",
        "+49 ",
        [("Berlin", None, ["Kastanienallee", "Oranienstraße"]), ("München", "Bayern", ["Türkenstraße"])],
    ),
    (
        195,
        "#####",
        "+34 ",
        [
            ("Barcelona", "Cataluña", ["Carrer de Verdi", "Passeig de Gràcia"]),
            ("Sevilla", "Andalucía", ["Calle Feria"]),
        ],
    ),
    (203, "### ##", "+46 ", [("Stockholm", None, ["Götgatan", "Hornsgatan"]), ("Göteborg", None, ["Linnégatan"])]),
    (57, "####", "+45 ", [("København", None, ["Jægersborggade", "Istedgade"])]),
    (
        13,
        "####",
        "+61 ",
        [
            ("Sydney", "NSW", ["King Street", "Crown Street"]),
            ("Melbourne", "VIC", ["Brunswick Street", "Smith Street"]),
        ],
    ),
    (153, "####", "+64 ", [("Wellington", None, ["Cuba Street"]), ("Auckland", None, ["Ponsonby Road"])]),
    (
        171,
        "####-###",
        "+351 ",
        [("Lisboa", None, ["Rua da Rosa", "Rua Augusta"]), ("Porto", None, ["Rua de Santa Catarina"])],
    ),
    (138, "#####", "+52 ", [("Ciudad de México", "CDMX", ["Calle Ámsterdam", "Avenida Álvaro Obregón"])]),
]

_FIRST = [
    "Amélie",
    "Jonas",
    "Zoë",
    "José",
    "Renée",
    "Chloé",
    "Søren",
    "Łukasz",
    "Åsa",
    "Björn",
    "François",
    "Inês",
    "Mateo",
    "Noémie",
    "Siobhán",
    "Aoife",
    "Radka",
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Ethan",
    "Mia",
    "Lucas",
    "Isabella",
    "Mason",
    "Sofía",
    "Logan",
    "Harper",
    "Elijah",
    "Amelia",
    "James",
    "Charlotte",
    "Benjamin",
    "Priya",
    "Arjun",
    "Hana",
    "Kenji",
    "Yuki",
    "Thandiwe",
    "Kwame",
    "Ngozi",
    "Matías",
    "Valentina",
    "Joaquín",
    "Camila",
    "Léa",
    "Hugo",
    "Maëlle",
    "Gaël",
    "Jürgen",
    "Käthe",
    "Malin",
    "Leif",
    "Ingrid",
    "Niamh",
    "Seán",
    "Rhiannon",
    "Dafydd",
    "Tomás",
    "Ximena",
    "Ana",
    "João",
    "Beatriz",
    "Rui",
    "Marta",
]
_LAST = [
    "Dubois",
    "Müller",
    "Núñez",
    "O'Connor",
    "Ó Súilleabháin",
    "Kowalski",
    "Dvořák",
    "Lindqvist",
    "Johansson",
    "Nørgaard",
    "García",
    "Martínez",
    "Fernández",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Martin",
    "Jackson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Hall",
    "Young",
    "Nakamura",
    "Tanaka",
    "Patel",
    "Sharma",
    "Okafor",
    "Mensah",
    "Nguyen",
    "Tremblay",
    "Gagnon",
    "Bélanger",
    "Lefèvre",
    "Rousseau",
    "Schäfer",
    "Weiß",
    "Öztürk",
    "Çelik",
    "Gonçalves",
    "Conceição",
    "Ramírez",
    "Peña",
    "Castañeda",
    "MacLeod",
    "Fitzgerald",
    "van der Berg",
    "de la Cruz",
    "Ahlström",
    "Håkansson",
]
_COMPANIES = [
    "Bloom & Bough Florals",
    "Maison Lumière Events",
    "Northfold Creative",
    "Studio Ocre",
    "Fernwood Weddings",
    "The Copper Kettle",
    "Åkerö Design",
    "Hearth & Harrow",
    "Café Olé",
    "Little Owl Yoga",
    "Kōwhai Architects",
    "Brightwater Realty",
]
_JOBS = [
    "Wedding Planner",
    "Marketing Director",
    "Founder",
    "Event Coordinator",
    "Art Director",
    "Owner",
    "Head of Communications",
]
_NOTES = [
    "Met at the Harbourview bridal fair. Prefers texts over calls.",
    "Referred by a past client. Wants a mostly candid, documentary style.",
    "Vegetarian: remember for the tasting day.",
    "Asked about a second shooter and a printed album.",
    "Family session every autumn; two kids and a very photogenic dog.",
    "Interested in headshots for the whole team (about 12 people).",
    "Budget-conscious; send the mini-session pricing guide.",
    "Mountain elopement at Lac Léman: check the permit dates.",
]
_EMAIL_DOMAINS = ["gmail.com", "outlook.com", "icloud.com", "proton.me", "yahoo.com", "fastmail.com"]

_COLLECTION_KINDS = [
    "Wedding",
    "Engagement Session",
    "Family Portraits",
    "Headshots",
    "Maternity Session",
    "Elopement",
    "Brand Shoot",
    "Newborn Session",
]
_INVOICE_TITLES = [
    "Wedding Photography Package",
    "Engagement Session",
    "Family Session",
    "Album Upgrade",
    "Second Shooter",
    "Headshot Session",
    "Print Order",
]
_CONTRACT_TITLES = [
    "Wedding Photography Agreement",
    "Portrait Session Contract",
    "Commercial Licensing Agreement",
    "Model Release",
]
_QUOTE_TITLES = ["Wedding Collection Proposal", "Brand Photography Quote", "Destination Elopement Quote"]


@dataclass
class DemoStudio:
    """Rows for the three tables, in column order of the store's inserts."""

    people: list[tuple[Any, ...]] = field(default_factory=list)
    collections: list[tuple[Any, ...]] = field(default_factory=list)
    documents: list[tuple[Any, ...]] = field(default_factory=list)


def random_id(prefix: str, rng: random.Random | None = None) -> str:
    """A Pixieset-style id: prefix + 30 letters and digits."""
    pick = (rng or random.SystemRandom()).choice
    return prefix + "".join(pick(_ALNUM) for _ in range(30))


def _past(moment: datetime) -> datetime:
    """Demo history ends at the demo's "now"."""
    return min(moment, _NOW)


def timestamp(moment: datetime) -> str:
    """Laravel's JSON datetime: microseconds, UTC, with a ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _ascii(text: str) -> str:
    for special, plain in (("ø", "o"), ("Ø", "O"), ("ł", "l"), ("Ł", "L"), ("ß", "ss"), ("æ", "ae")):
        text = text.replace(special, plain)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and (ch.isalnum()))


def _pattern(rng: random.Random, pattern: str) -> str:
    return "".join(
        rng.choice(string.digits) if ch == "#" else rng.choice(string.ascii_uppercase) if ch == "A" else ch
        for ch in pattern
    )


def _slug(text: str) -> str:
    return _ascii(text.replace(" ", "")).lower()


def build_demo() -> DemoStudio:
    """The demo studio's rows (fast: a few milliseconds)."""
    rng = random.Random(_SEED)
    studio = DemoStudio()
    used_emails: set[str] = set()
    collection_id = 40213000
    invoice_number = 1000
    for index in range(DEMO_SIZE):
        first = rng.choice(_FIRST)
        last = rng.choice(_LAST)
        roll = rng.random()
        kind = "client" if roll < 0.55 else "lead" if roll < 0.87 else "other"
        status_id = 2 if rng.random() < 0.14 else 1
        created = _NOW - timedelta(days=rng.randint(0, 3 * 365), seconds=rng.randint(0, 86399))
        country_id, postal, phone_prefix, cities = rng.choice(_PLACES)
        city, state, streets = rng.choice(cities)

        email: str | None = None
        if index % 23 != 5:  # a few people only ever gave a phone number
            local = f"{_ascii(first).lower()}.{_ascii(last).lower()}"
            email = f"{local}@{rng.choice(_EMAIL_DOMAINS)}"
            suffix = 2
            while email in used_emails:
                email = f"{local}{suffix}@{email.split('@', 1)[1]}"
                suffix += 1
            used_emails.add(email)
        if index % 31 == 7:
            last_name: str | None = None  # leads often leave only a first name
        else:
            last_name = last
        phone = None if rng.random() < 0.2 else phone_prefix + _pattern(rng, "### ### ####")
        has_address = kind == "client" or rng.random() < 0.3
        company = rng.choice(_COMPANIES) if rng.random() < 0.18 else None
        row = (
            random_id("cl_", rng),
            index,
            email,
            first,
            last_name,
            phone,
            company,
            rng.choice(_JOBS) if company and rng.random() < 0.7 else None,
            f"{rng.randint(1, 480)} {rng.choice(streets)}" if has_address else None,
            (f"Apt {rng.randint(1, 40)}{rng.choice('ABCD')}" if rng.random() < 0.25 else None) if has_address else None,
            city if has_address else None,
            _pattern(rng, postal) if has_address else None,
            state if has_address else None,
            country_id if has_address else None,
            rng.choice(_NOTES) if rng.random() < 0.3 else None,
            rng.randint(1, 10),
            timestamp(created),
            1 if index == 0 else 0,
            kind,
            status_id,
        )
        studio.people.append(row)
        client_id = row[0]

        if kind == "client" and rng.random() < 0.8:
            for _ in range(rng.randint(1, 4)):
                collection_id += rng.randint(3, 40)
                title = rng.choice(_COLLECTION_KINDS)
                name = f"{first} {last} — {title}" if rng.random() < 0.5 else f"{first} & {rng.choice(_FIRST)} {title}"
                event = (created + timedelta(days=rng.randint(10, 200))).date()
                slug = _slug(f"{first}{last}{title}")[:40] + str(collection_id)[-3:]
                studio.collections.append(
                    (
                        collection_id,
                        client_id,
                        name,
                        slug,
                        rng.choice(["published", "published", "published", "hidden", "draft"]),
                        rng.randint(12, 1800),
                        rng.randint(0, 6) if rng.random() < 0.2 else 0,
                        event.isoformat(),
                        f"https://demo-studio.pixieset.com/{slug}/",
                        timestamp(_past(created + timedelta(days=rng.randint(1, 60)))),
                    )
                )
        if kind in ("client", "lead") and rng.random() < 0.7:
            for _ in range(rng.randint(1, 5 if kind == "client" else 2)):
                doc_roll = rng.random()
                made = _past(created + timedelta(days=rng.randint(0, 120), seconds=rng.randint(0, 86399)))
                # prefix, type, title, number, status, amount, gift cards (JSON)
                doc: tuple[str, str, str, str | None, str, int | None, str | None]
                if kind == "lead" or doc_roll < 0.25:
                    doc = (
                        "qt_",
                        "quote",
                        rng.choice(_QUOTE_TITLES),
                        None,
                        rng.choice(["draft", "sent", "accepted"]),
                        rng.randint(8, 90) * 5000,
                        None,
                    )
                elif doc_roll < 0.55:
                    doc = (
                        "co_",
                        "contract",
                        rng.choice(_CONTRACT_TITLES),
                        None,
                        rng.choice(["draft", "sent", "signed", "signed"]),
                        None,
                        None,
                    )
                else:
                    invoice_number += 1
                    gift_cards = []
                    if rng.random() < 0.2:
                        gift_cards.append(
                            {
                                "id": random_id("gc_", rng),
                                "code": "GIFT-" + _pattern(rng, "AAAA-####"),
                                "amount": rng.choice([5000, 10000, 25000]),
                                "currency": "USD",
                                "created_at": timestamp(_past(made + timedelta(days=2))),
                            }
                        )
                    doc = (
                        "in_",
                        "invoice",
                        rng.choice(_INVOICE_TITLES),
                        f"{invoice_number:05d}",
                        rng.choice(["draft", "sent", "paid", "paid", "partially_paid", "overdue"]),
                        rng.randint(3, 120) * 2500,
                        json.dumps(gift_cards),
                    )
                prefix, doc_type, title, number, status, amount, gift_json = doc
                studio.documents.append(
                    (
                        random_id(prefix, rng),
                        client_id,
                        doc_type,
                        title,
                        number,
                        status,
                        amount,
                        "USD" if amount is not None else None,
                        (made + timedelta(days=30)).date().isoformat() if doc_type == "invoice" else None,
                        timestamp(made),
                        gift_json,
                    )
                )
    return studio
