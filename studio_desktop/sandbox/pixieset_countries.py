"""The sandbox studio's own table of Pixieset country ids, written from the contract, not taken from the client.

Pixieset stores an address's country as a number (``country_id``) and answers with
the name beside it. The contract (``pixieset-clients-api.txt``) fixes 223 as the
United States; the numbering is the OpenCart-style one Pixieset's own forms use
(175 Romania, 176 Russian Federation, 222 United Kingdom...). The sandbox checks ids
against this table and names them from it, so a client table that numbers a
country wrongly is caught (``tests/sandbox/test_sandbox_countries.py``) instead of
being agreed with.
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
