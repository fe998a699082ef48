"""The client's Pixieset country table against the sandbox's own, written from the contract.

The sandbox does not import the client's table (it imports nothing from api/), so
an id the client numbers wrongly shows up here instead of being agreed with.
"""

from __future__ import annotations

from studio_desktop.api import pixieset_countries as client
from studio_desktop.sandbox import pixieset_countries as sandbox


def test_the_contracts_example_country():
    # pixieset-clients-api.txt: "country": "United States", "country_id": 223
    assert sandbox.COUNTRIES[223] == "United States"
    assert client.COUNTRIES[223] == "United States"


def test_every_country_the_client_offers_has_the_sandboxs_id_and_name():
    wrong = {
        country_id: (name, sandbox.COUNTRIES.get(country_id))
        for country_id, name in client.COUNTRIES.items()
        if sandbox.COUNTRIES.get(country_id) != name
    }
    assert wrong == {}


def test_the_client_offers_every_country_the_sandbox_knows():
    assert set(sandbox.COUNTRIES) - set(client.COUNTRIES) == set()


def test_names_are_unique_so_a_name_finds_one_id():
    for table in (client.COUNTRIES, sandbox.COUNTRIES):
        assert len(set(table.values())) == len(table)
