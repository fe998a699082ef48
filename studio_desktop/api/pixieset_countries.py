"""Pixieset's country ids.

Pixieset stores an address's country as a number (``country_id``; 223 is the
United States) and answers with the name beside it. The numbering follows the
OpenCart-style table Pixieset's own forms use; the client needs it to offer a
country picker and to name an id Pixieset sent without its name. The sandbox
keeps its own copy (``sandbox/pixieset_countries.py``), written from the contract,
so a wrong id here is caught by a test rather than agreed with.
"""

from __future__ import annotations

COUNTRIES: dict[int, str] = {
    10: "Argentina",
    13: "Australia",
    14: "Austria",
    21: "Belgium",
    30: "Brazil",
    38: "Canada",
    43: "Chile",
    44: "China",
    47: "Colombia",
    53: "Croatia",
    56: "Czech Republic",
    57: "Denmark",
    63: "Egypt",
    72: "Finland",
    73: "France",
    81: "Germany",
    84: "Greece",
    96: "Hong Kong",
    97: "Hungary",
    98: "Iceland",
    99: "India",
    100: "Indonesia",
    103: "Ireland",
    104: "Israel",
    105: "Italy",
    107: "Japan",
    129: "Malaysia",
    138: "Mexico",
    144: "Morocco",
    150: "Netherlands",
    153: "New Zealand",
    160: "Norway",
    168: "Philippines",
    170: "Poland",
    171: "Portugal",
    175: "Romania",
    188: "Singapore",
    193: "South Africa",
    195: "Spain",
    203: "Sweden",
    204: "Switzerland",
    209: "Thailand",
    215: "Turkey",
    221: "United Arab Emirates",
    222: "United Kingdom",
    223: "United States",
    230: "Vietnam",
}


def country_name(country_id: int | None) -> str | None:
    """The country's name, or None when the id is unknown or missing."""
    if country_id is None:
        return None
    return COUNTRIES.get(country_id)
