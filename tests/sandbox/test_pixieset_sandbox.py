"""The sandbox's Pixieset side over real HTTP, spoken to with plain httpx."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from studio_desktop.sandbox.pixieset import COOKIE_NAME, PixiesetSandbox

ID = re.compile(r"^cl_[A-Za-z0-9]{30}$")


@pytest.fixture
def http(pixieset_server):
    headers = {"X-Requested-With": "XMLHttpRequest", "Cookie": pixieset_server.cookie, "Accept": "application/json"}
    with httpx.Client(base_url=pixieset_server.api_url, headers=headers, timeout=10) as client:
        yield client


def all_pages(http, path="/clients/", **params):
    people, page = [], 1
    while True:
        body = http.get(path, params={**params, "page": page}).json()
        people.extend(body["data"])
        if page >= body["meta"]["last_page"]:
            return people, body["meta"]
        page += 1


def test_demo_studio_is_large_and_varied(http):
    people, meta = all_pages(http, per_page=100)
    assert meta["total"] == len(people) >= 120
    assert len({person["id"] for person in people}) == len(people)
    assert all(ID.match(person["id"]) for person in people)
    assert {person["type"] for person in people} == {"client", "lead", "other"}
    assert {person["status_name"] for person in people} == {"Active", "Archived"}
    names = " ".join(f"{p['first_name']} {p['last_name']}" for p in people)
    assert re.search(r"[éëøłåöüçñ]", names)
    assert any(person["email"] is None for person in people)
    assert any(person["address_info"]["country_id"] is None for person in people)
    countries = {p["address_info"]["country_id"]: p["address_info"]["country"] for p in people}
    assert countries[223] == "United States"
    with_collections = [p for p in people if http.get(f"/clients/{p['id']}/cgCollections/").json()["meta"]["total"]]
    assert len(with_collections) >= 20


def test_empty_seed_has_nobody(pixieset_host, tmp_path):
    with pixieset_host.serve(tmp_path / "empty", seed="empty") as pixieset_server:
        body = httpx.get(
            pixieset_server.api_url + "/clients/",
            headers={"X-Requested-With": "XMLHttpRequest", "Cookie": pixieset_server.cookie},
        ).json()
    assert body["data"] == []
    assert body["meta"]["total"] == 0
    assert body["meta"]["last_page"] == 1
    assert body["meta"]["from"] is None and body["meta"]["to"] is None


def test_list_meta_is_laravel_pagination(http, pixieset_server):
    body = http.get("/clients/", params={"page": 2, "per_page": 10}).json()
    meta = body["meta"]
    assert len(body["data"]) == 10
    assert (meta["current_page"], meta["from"], meta["to"], meta["per_page"]) == (2, 11, 20, 10)
    assert meta["last_page"] == -(-meta["total"] // 10)
    assert meta["client_statuses"] == {"1": "Active", "2": "Archived"}
    assert meta["csv_url"] == pixieset_server.api_url + "/clients/download_csv"
    assert body["links"]["prev"].endswith("page=1") and body["links"]["next"].endswith("page=3")
    beyond = http.get("/clients/", params={"page": meta["last_page"] + 1, "per_page": 10}).json()
    assert beyond["data"] == [] and beyond["meta"]["from"] is None
    default = http.get("/clients").json()
    assert default["meta"]["per_page"] == 25 and len(default["data"]) == 25


def test_list_is_newest_first_and_pages_do_not_overlap(http):
    people, meta = all_pages(http, per_page=7)
    assert len(people) == meta["total"]
    stamps = [person["created_at"] for person in people]
    assert stamps == sorted(stamps, reverse=True)


@pytest.mark.parametrize("types", ["client", "lead", "other"])
def test_type_filter(http, types):
    people, _meta = all_pages(http, types=types, per_page=100)
    assert people and {person["type"] for person in people} == {types}
    assert {person["type_formatted"] for person in people} == {types.title()}


def test_combined_type_filter_adds_up(http):
    totals = {
        kind: http.get("/clients/", params={"types": kind}).json()["meta"]["total"]
        for kind in ("client", "lead", "other", "client,lead")
    }
    everyone = http.get("/clients/").json()["meta"]["total"]
    assert totals["client,lead"] == totals["client"] + totals["lead"]
    assert everyone == totals["client,lead"] + totals["other"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"types": "vip"}, "types"),
        ({"per_page": 101}, "per_page"),
        ({"per_page": 0}, "per_page"),
        ({"page": 0}, "page"),
        ({"page": "two"}, "page"),
        ({"page": 10**30}, "page"),
    ],
)
def test_bad_list_parameters_are_422_per_field(http, params, field):
    response = http.get("/clients/", params=params)
    assert response.status_code == 422
    assert list(response.json()["details"]) == [field]
    assert response.json()["message"] == response.json()["details"][field][0]


def test_search_ignores_accents_and_case_and_matches_every_word(http):
    zoes = http.get("/clients/search", params={"q": "ZOE", "types": "all"}).json()
    assert zoes["data"] and all("zo" in person["first_name"].lower() for person in zoes["data"])
    assert any(person["first_name"] == "Zoë" for person in zoes["data"])
    first = zoes["data"][0]
    both = http.get("/clients/search", params={"q": f"zoe {first['last_name']}"}).json()
    assert first["id"] in [person["id"] for person in both["data"]]
    assert all(person["last_name"] == first["last_name"] for person in both["data"])
    nobody = http.get("/clients/search", params={"q": "zoe xylophone"}).json()
    assert nobody["data"] == [] and nobody["meta"]["total"] == 0
    for wildcard in ("%", "_", "\\"):
        assert http.get("/clients/search", params={"q": wildcard}).json()["meta"]["total"] == 0


def test_search_by_email_part_and_phone_digits(http):
    person = next(
        p for p in http.get("/clients/", params={"per_page": 100}).json()["data"] if p["email"] and p["phone"]
    )
    by_email = http.get("/clients/search", params={"q": person["email"].split("@")[0]}).json()["data"]
    assert person["id"] in [p["id"] for p in by_email]
    digits = re.sub(r"\D", "", person["phone"])[-7:]
    by_phone = http.get("/clients/search", params={"q": digits}).json()["data"]
    assert person["id"] in [p["id"] for p in by_phone]


def test_search_types_and_paging(http):
    leads = http.get("/clients/search", params={"q": "", "types": "lead", "pageSize": 100}).json()
    total_leads = http.get("/clients/", params={"types": "lead"}).json()["meta"]["total"]
    assert leads["meta"]["total"] == total_leads
    assert {person["type"] for person in leads["data"]} == {"lead"}
    page2 = http.get("/clients/search", params={"q": "", "types": "all", "pageSize": 5, "page": 2}).json()
    assert len(page2["data"]) == 5 and page2["meta"]["from"] == 6
    too_big = http.get("/clients/search", params={"q": "a", "pageSize": 101})
    assert too_big.status_code == 422 and "pageSize" in too_big.json()["details"]


def test_get_client_and_unknown_id(http):
    person = http.get("/clients/").json()["data"][3]
    one = http.get(f"/clients/{person['id']}")
    assert one.status_code == 200 and one.json()["data"] == person
    missing = http.get("/clients/cl_" + "x" * 30)
    assert missing.status_code == 404 and "No query results" in missing.json()["message"]


def test_create_then_find_it_everywhere(http):
    before = http.get("/clients/").json()["meta"]["total"]
    created = http.post(
        "/clients/",
        json={
            "first_name": " Inès ",
            "last_name": "Nørgaard",
            "email": "ines@example.dk",
            "phone": "+45 12 34 56 78",
            "address_info": {
                "address_line_1": "Jægersborggade 7",
                "city": "København",
                "postal_code": "2200",
                "country_id": 57,
            },
            "unknown_field": "ignored",
        },
    )
    assert created.status_code == 201
    person = created.json()["data"]
    assert ID.match(person["id"])
    assert person["first_name"] == "Inès"  # trimmed, as Laravel's TrimStrings does
    assert (person["type"], person["status_name"], person["sample"]) == ("client", "Active", False)
    assert person["address_info"]["country"] == "Denmark"
    assert person["created_at"].endswith("Z")
    listing = http.get("/clients/").json()
    assert listing["meta"]["total"] == before + 1
    assert listing["data"][0]["id"] == person["id"]
    assert [p["id"] for p in http.get("/clients/search", params={"q": "ines norgaard"}).json()["data"]] == [
        person["id"]
    ]
    assert http.get(f"/clients/{person['id']}").json()["data"] == person


def test_create_with_only_an_email_as_a_lead(http):
    person = http.post("/clients", json={"email": "just.an.email@example.com", "type": "lead"}).json()["data"]
    assert person["first_name"] is None and person["type_formatted"] == "Lead"
    assert person["address_info"] == {key: None for key in person["address_info"]}


def test_create_validation_is_422_per_field_and_creates_nothing(http):
    before = http.get("/clients/").json()["meta"]["total"]
    response = http.post(
        "/clients/",
        json={
            "email": "not-an-email",
            "type": "vip",
            "first_name": 42,
            "address_info": {"country_id": 999},
        },
    )
    assert response.status_code == 422
    body = response.json()
    assert body["details"] == {
        "first_name": ["The first name field must be a string."],
        "email": ["The email field must be a valid email address."],
        "type": ["The selected type is invalid."],
        "address_info.country_id": ["The selected address info.country id is invalid."],
    }
    assert body["message"] == "The first name field must be a string. (and 3 more errors)"
    assert http.get("/clients/").json()["meta"]["total"] == before


def test_create_needs_a_first_name_or_an_email(http):
    details = http.post("/clients/", json={"last_name": "Nobody", "email": "  "}).json()["details"]
    assert set(details) == {"first_name", "email"}
    assert "required when email is not present" in details["first_name"][0]


def test_duplicate_email_is_refused_ignoring_case(http):
    existing = next(p for p in http.get("/clients/").json()["data"] if p["email"])
    response = http.post("/clients/", json={"first_name": "Twin", "email": existing["email"].upper()})
    assert response.status_code == 422
    assert response.json()["details"] == {"email": ["The email has already been taken."]}


@pytest.mark.parametrize("country_id", ["abc", 12.5, True])
def test_country_id_must_be_an_integer(http, country_id):
    response = http.post("/clients/", json={"first_name": "A", "address_info": {"country_id": country_id}})
    assert response.status_code == 422
    assert response.json()["details"] == {
        "address_info.country_id": ["The address info.country id field must be an integer."]
    }


def test_update_changes_only_what_is_sent(http):
    person = next(
        p
        for p in http.get("/clients/", params={"types": "client"}).json()["data"]
        if p["phone"] and p["address_info"]["city"]
    )
    response = http.put(
        f"/clients/{person['id']}",
        json={
            "last_name": "Ó Súilleabháin",
            "notes": "VIP client",
            "type": "lead",
            "status_name": "Archived",
            "address_info": {"city": "Cork", "country_id": "103"},
        },
    )
    assert response.status_code == 200
    updated = response.json()["data"]
    assert updated["last_name"] == "Ó Súilleabháin" and updated["notes"] == "VIP client"
    assert (updated["type"], updated["status_name"]) == ("lead", "Archived")
    assert updated["address_info"]["city"] == "Cork"
    assert updated["address_info"]["country"] == "Ireland" and updated["address_info"]["country_id"] == 103
    assert updated["phone"] == person["phone"] and updated["first_name"] == person["first_name"]
    assert updated["address_info"]["address_line_1"] == person["address_info"]["address_line_1"]
    assert http.get(f"/clients/{person['id']}").json()["data"] == updated
    cleared = http.put(f"/clients/{person['id']}", json={"address_info": None, "notes": ""}).json()["data"]
    assert cleared["address_info"]["city"] is None and cleared["notes"] is None


def test_update_validation_and_unknown_id(http):
    person = next(p for p in http.get("/clients/").json()["data"] if p["email"] and p["first_name"])
    keep_one = http.put(f"/clients/{person['id']}", json={"first_name": None})
    assert keep_one.status_code == 200
    neither = http.put(f"/clients/{person['id']}", json={"email": ""})
    assert neither.status_code == 422 and set(neither.json()["details"]) == {"first_name", "email"}
    bad = http.put(f"/clients/{person['id']}", json={"email": "a@b", "address_info": "Main St"})
    assert bad.status_code == 422
    assert set(bad.json()["details"]) == {"email", "address_info"}
    assert http.get(f"/clients/{person['id']}").json()["data"]["email"] == person["email"]
    assert http.put("/clients/cl_missing", json={"first_name": "X"}).status_code == 404


def test_a_body_that_is_not_a_json_object_is_400(http):
    response = http.post("/clients/", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and "not valid JSON" in response.json()["message"]
    assert http.post("/clients/", json=["a"]).status_code == 400


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Requested-With": "XMLHttpRequest"},
        {"X-Requested-With": "XMLHttpRequest", "Cookie": f"{COOKIE_NAME}=wrong"},
        {"X-Requested-With": "XMLHttpRequest", "Cookie": "other=1"},
        {"Cookie": "COOKIE"},
    ],
)
def test_signed_out_is_401_unauthenticated(pixieset_server, headers):
    headers = {key: value.replace("COOKIE", pixieset_server.cookie) for key, value in headers.items()}
    for path in ("/clients/", "/clients/search?q=a", "/clients/cl_x", "/clients/cl_x/documents"):
        response = httpx.get(pixieset_server.api_url + path, headers=headers)
        assert response.status_code == 401, path
        assert response.json() == {"message": "Unauthenticated."}
    refused = httpx.post(pixieset_server.api_url + "/clients/", headers=headers, json={"first_name": "X"})
    assert refused.status_code == 401


def test_cookie_is_found_among_other_cookies_and_sign_out_ends_it(pixieset_server):
    old = pixieset_server.cookie
    headers = {"X-Requested-With": "XMLHttpRequest", "Cookie": f"theme=dark; {old}; _ga=GA1.2"}
    assert httpx.get(pixieset_server.api_url + "/clients/", headers=headers).status_code == 200
    pixieset_server.sandbox.sign_out()
    assert pixieset_server.cookie != old
    assert httpx.get(pixieset_server.api_url + "/clients/", headers=headers).status_code == 401
    fresh = {"X-Requested-With": "XMLHttpRequest", "Cookie": pixieset_server.cookie}
    assert httpx.get(pixieset_server.api_url + "/clients/", headers=fresh).status_code == 200


def test_collections_paging_and_404(http):
    people, _ = all_pages(http, types="client", per_page=100)
    counts = {p["id"]: http.get(f"/clients/{p['id']}/cgCollections/").json()["meta"]["total"] for p in people}
    busiest = max(counts, key=counts.get)
    assert counts[busiest] >= 3
    first = http.get(f"/clients/{busiest}/cgCollections/", params={"page_size": 2}).json()
    second = http.get(f"/clients/{busiest}/cgCollections", params={"page_size": 2, "page": 2}).json()
    assert len(first["data"]) == 2 and first["meta"]["last_page"] == -(-counts[busiest] // 2)
    ids = [c["id"] for c in first["data"] + second["data"]]
    assert len(set(ids)) == len(ids) == min(4, counts[busiest])
    collection = first["data"][0]
    assert collection["client_id"] == busiest and collection["name"] and collection["photo_count"] > 0
    assert http.get("/clients/cl_missing/cgCollections/").status_code == 404


def test_documents_expand_gift_card_activities(http):
    people, _ = all_pages(http, per_page=100)
    documents = []
    for person in people:
        documents += http.get(f"/clients/{person['id']}/documents").json()["data"]
    assert {d["type"] for d in documents} == {"invoice", "contract", "quote"}
    assert all("gift_card_activities" not in d for d in documents)
    invoice_owner = next(d["client_id"] for d in documents if d["type"] == "invoice")
    expanded = http.get(f"/clients/{invoice_owner}/documents", params={"expand": "gift_card_activities"}).json()
    assert all(isinstance(d["gift_card_activities"], list) for d in expanded["data"])
    assert http.get("/clients/cl_missing/documents").status_code == 404


def test_documents_paging(http):
    people, _ = all_pages(http, types="client", per_page=100)
    owner = max(people, key=lambda p: http.get(f"/clients/{p['id']}/documents").json()["meta"]["total"])
    total = http.get(f"/clients/{owner['id']}/documents").json()["meta"]["total"]
    assert total >= 2
    first = http.get(f"/clients/{owner['id']}/documents", params={"per_page": 1}).json()
    last = http.get(f"/clients/{owner['id']}/documents", params={"per_page": 1, "page": total}).json()
    assert first["meta"]["last_page"] == total
    assert first["data"][0]["id"] != last["data"][0]["id"]


def test_csv_export_is_a_real_csv_of_everyone(pixieset_server, http):
    csv_url = http.get("/clients/").json()["meta"]["csv_url"]
    # A download link: the browser sends the cookie but no X-Requested-With.
    response = httpx.get(csv_url, headers={"Cookie": pixieset_server.cookie})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    people, meta = all_pages(http, per_page=100)
    assert len(rows) == meta["total"]
    by_email = {p["email"]: p for p in people if p["email"]}
    row = next(r for r in rows if r["Email"] in by_email and by_email[r["Email"]]["address_info"]["country"])
    person = by_email[row["Email"]]
    assert (row["First Name"], row["Country"], row["Type"], row["Status"]) == (
        person["first_name"],
        person["address_info"]["country"],
        person["type_formatted"],
        person["status_name"],
    )
    assert any(re.search(r"[éëøłåöüçñ]", r["First Name"] + r["Last Name"]) for r in rows)
    leads = list(
        csv.DictReader(
            io.StringIO(httpx.get(csv_url, params={"types": "lead"}, headers={"Cookie": pixieset_server.cookie}).text)
        )
    )
    assert leads and {r["Type"] for r in leads} == {"Lead"}
    assert httpx.get(csv_url).status_code == 401


def test_state_persists_in_its_own_sqlite_file_and_reset_wipes_it(pixieset_host, tmp_path):
    data_dir = tmp_path / "persist"
    with pixieset_host.serve(data_dir) as pixieset_server:
        cookie = pixieset_server.cookie
        headers = {"X-Requested-With": "XMLHttpRequest", "Cookie": cookie}
        made = httpx.post(pixieset_server.api_url + "/clients/", headers=headers, json={"first_name": "Kept"}).json()[
            "data"
        ]
    assert (data_dir / "pixieset.sqlite3").is_file()
    with pixieset_host.serve(data_dir) as pixieset_server:
        assert pixieset_server.cookie == cookie
        again = httpx.get(f"{pixieset_server.api_url}/clients/{made['id']}", headers=headers)
        assert again.status_code == 200 and again.json()["data"]["first_name"] == "Kept"
    wiped = PixiesetSandbox(data_dir, "demo", reset=True)
    try:
        assert wiped.store.get_person(made["id"]) is None
        assert len(wiped.store.all_people(None)) >= 120
        assert wiped.cookie != cookie
    finally:
        wiped.close()


@pytest.mark.parametrize("damage", [b"this is not a database", None])
def test_an_unreadable_or_older_database_is_replaced(tmp_path, damage):
    path = tmp_path / "pixieset.sqlite3"
    if damage is None:
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE people (id TEXT)")
        db.close()
    else:
        path.write_bytes(damage)
    sandbox = PixiesetSandbox(tmp_path, "demo")
    try:
        assert len(sandbox.store.all_people(None)) >= 120
    finally:
        sandbox.close()


def test_unknown_seed_is_refused(tmp_path):
    with pytest.raises(ValueError, match="demo"):
        PixiesetSandbox(tmp_path, "lots")


def test_concurrent_creates_from_many_threads(pixieset_server):
    headers = {"X-Requested-With": "XMLHttpRequest", "Cookie": pixieset_server.cookie}

    def create(n: int) -> str:
        with httpx.Client(headers=headers) as client:
            response = client.post(
                pixieset_server.api_url + "/clients/",
                json={"first_name": f"Thread {n}", "email": f"thread{n}@example.com"},
            )
            assert response.status_code == 201
            return response.json()["data"]["id"]

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(create, range(24)))
    assert len(set(ids)) == 24
    found = httpx.get(
        pixieset_server.api_url + "/clients/search", params={"q": "thread", "pageSize": 100}, headers=headers
    ).json()
    assert found["meta"]["total"] == 24


def test_unknown_routes_and_methods_answer_json(http):
    assert http.get("/nothing-here").json() == {"message": "Not Found."}
    response = http.delete("/clients/cl_x")
    assert response.status_code == 405 and "DELETE method is not supported" in response.json()["message"]


def test_injected_answers_come_first_and_requests_are_recorded(pixieset_server, http):
    pixieset_server.sandbox.inject(200, "<html>Log in</html>", content_type="text/html")
    pixieset_server.sandbox.inject(503, method="POST")
    page = http.get("/clients/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert http.get("/clients/").json()["data"]
    assert http.post("/clients/", json={"first_name": "Later"}).status_code == 503
    assert http.post("/clients/", json={"first_name": "Later"}).status_code == 201
    assert pixieset_server.sandbox.requests[-4:] == [
        ("GET", "/clients/"),
        ("GET", "/clients/"),
        ("POST", "/clients/"),
        ("POST", "/clients/"),
    ]
