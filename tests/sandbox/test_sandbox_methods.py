"""Every one of the 54 methods answers with the properties the reference documents, and the rules
every call shares: token, verb, scope, required parameters, unknown methods."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from studio_desktop.sandbox.registry import REGISTRY, UPGRADE_SCOPE, load_handlers

# A copy of the API reference, so the tables below are checked against its text.
REFERENCE = (Path(__file__).parent / "reference" / "shootproof-api-v2.txt").read_text(encoding="utf-8")

REFERENCE_METHODS = [
    "sp.auth.deauthorize",
    "sp.studio.info",
    "sp.studio.get_setting",
    "sp.studio.set_setting",
    "sp.event.get_list",
    "sp.event.info",
    "sp.event.create",
    "sp.event.update",
    "sp.event.delete",
    "sp.event.rename",
    "sp.event.set_access_level",
    "sp.event.photo_exists",
    "sp.event.get_photos",
    "sp.event.set_category",
    "sp.event.set_contact",
    "sp.event.gallery_visitors",
    "sp.event.gallery_visitor_photos",
    "sp.event.bulk_email_add",
    "sp.category.get_list",
    "sp.category.create",
    "sp.category.rename",
    "sp.album.get_list",
    "sp.album.create",
    "sp.album.delete",
    "sp.album.move",
    "sp.album.rename",
    "sp.album.get_photos",
    "sp.album.info",
    "sp.photo.upload",
    "sp.photo.add_to_album",
    "sp.photo.remove_from_album",
    "sp.photo.info",
    "sp.photo.delete",
    "sp.photo.update",
    "sp.watermark.get_list",
    "sp.cover_photo.set",
    "sp.cover_photo.delete",
    "sp.mobile_app.get_list",
    "sp.mobile_app.get_photos",
    "sp.order.get_list",
    "sp.order.get_details",
    "sp.brand.get_list",
    "sp.brand.create",
    "sp.brand.info",
    "sp.brand.get_event_defaults",
    "sp.brand.get_event_tree",
    "sp.contact.info",
    "sp.contact.create",
    "sp.contact.update",
    "sp.contact.delete",
    "sp.contact.bulk_create",
    "sp.contact.get_event_list",
    "sp.invoice.get_list",
    "sp.invoice.info",
]

# What the reference says may only be sent over HTTP POST; every other method also takes GET.
POST_ONLY = frozenset(
    {
        "sp.photo.upload",
        "sp.photo.update",
        "sp.cover_photo.set",
        "sp.cover_photo.delete",
        "sp.brand.create",
        "sp.contact.create",
        "sp.contact.update",
        "sp.contact.bulk_create",
        "sp.event.bulk_email_add",
    }
)

PAGING = {"page", "results_returned", "total_pages", "total_results"}
EVENT_LIST = {
    "id",
    "brand_id",
    "name",
    "password",
    "category_id",
    "is_archived",
    "status",
    "view_url",
    "created",
    "event_date",
    "release_date",
    "gallery_expiration_date",
    "contact_id",
    "last_updated",
    "cover_photo",
    "photo_count",
}
EVENT_WRITE = {
    "id",
    "name",
    "password",
    "category_id",
    "status",
    "view_url",
    "created",
    "event_date",
    "release_date",
    "gallery_expiration_date",
    "contact_id",
    "brand_id",
    "url_slug",
    "cover_photo",
    "photo_count",
}
PHOTO = {"id", "name", "mime_type", "width", "height", "url"}
PHOTO_SIZES = {"small", "medium", "medium_large", "large", "x_large", "2x_large", "3x_large", "original"}
ALBUM = {"id", "name", "password", "display_order", "parent_id", "cover_photo_url", "photo_count"}
CONTACT = {
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "business_name",
    "notes",
    "third_party_id",
    "brand_id",
    "brand_name",
    "address",
    "tags",
}
ADDRESS = {"street_line_1", "street_line_2", "city", "state_province", "postal_code", "country", "id"}


def _jpeg_file(jpeg, name="cover.jpg"):
    return {"photo": (name, io.BytesIO(jpeg()), "image/jpeg")}


def calls(sp, jpeg):
    """method -> (verb, params, files, top-level keys of the answer besides stat).

    Each call is valid on a fresh demo studio and after every call listed before it, so the
    parametrized test can share one sandbox.
    """
    i = sp.ids
    photo = i["photo_first"]
    contact = {
        "brand_id": i["brand_default"],
        "first_name": "Nia",
        "email": "nia@example.com",
        "address[country]": "US",
        "address[city]": "Austin",
        "tags": "a, b",
    }
    bulk = {**contact, "email": "bulk@example.com"}
    return {
        "sp.auth.deauthorize": ("POST", {"access_token": sp.studio.issue_token().access_token}, None, {"msg"}),
        "sp.studio.info": ("GET", {}, None, {"name", "user", "homepage_url", "plan"}),
        "sp.studio.get_setting": ("GET", {"setting_key": "sales_tax_rate"}, None, {"setting_value"}),
        "sp.studio.set_setting": (
            "POST",
            {"setting_key": "event_postback_url", "setting_value": "https://hooks.example/e"},
            None,
            {"msg"},
        ),
        "sp.event.get_list": ("GET", {}, None, {"events"} | PAGING),
        "sp.event.info": ("GET", {"event_id": i["event_wedding"]}, None, {"event"}),
        "sp.event.create": ("POST", {"event_name": "New"}, None, {"event"}),
        "sp.event.update": ("POST", {"event_id": i["event_family"], "event_name": "Renamed"}, None, {"event"}),
        "sp.event.delete": ("POST", {"event_id": i["event_empty"]}, None, {"event"}),
        "sp.event.rename": ("POST", {"event_id": i["event_family"], "event_name": "Again"}, None, {"event"}),
        "sp.event.set_access_level": (
            "POST",
            {"event_id": i["event_family"], "access_level": "public_no_password"},
            None,
            {"event"},
        ),
        "sp.event.photo_exists": (
            "GET",
            {"event_id": i["event_wedding"], "photo_name": "IMG_0001.jpg"},
            None,
            {"photo_exists"},
        ),
        "sp.event.get_photos": ("GET", {"event_id": i["event_wedding"]}, None, {"photos"} | PAGING),
        "sp.event.set_category": (
            "POST",
            {"event_id": i["event_kim"], "category_id": i["cat_weddings"]},
            None,
            {"event"},
        ),
        "sp.event.set_contact": (
            "POST",
            {"event_id": i["event_kim"], "contact_id": i["grace"]},
            None,
            {"event_id", "contact_id"},
        ),
        "sp.event.gallery_visitors": ("GET", {"event_id": i["event_wedding"]}, None, {"gallery_visitors"}),
        "sp.event.gallery_visitor_photos": (
            "GET",
            {"event_id": i["event_wedding"], "email_address": "harper.lewis@example.com"},
            None,
            {"favorites", "labeled"},
        ),
        "sp.category.get_list": ("GET", {}, None, {"category"}),
        "sp.category.create": ("POST", {"name": "Boudoir"}, None, {"category"}),
        "sp.category.rename": ("POST", {"category_id": i["cat_weddings"], "name": "Wedding days"}, None, {"category"}),
        "sp.album.get_list": ("GET", {"event_id": i["event_wedding"]}, None, {"albums"}),
        "sp.album.create": ("POST", {"event_id": i["event_wedding"], "album_name": "Dessert"}, None, {"album"}),
        "sp.album.delete": ("POST", {"album_id": i["album_empty"]}, None, set()),
        "sp.album.move": (
            "POST",
            {"album_id": i["album_reception"], "parent_id": i["album_ceremony"]},
            None,
            {"album"},
        ),
        "sp.album.rename": ("POST", {"album_id": i["album_ceremony"], "album_name": "Vows"}, None, {"album"}),
        "sp.album.get_photos": ("GET", {"album_id": i["album_ceremony"]}, None, {"photos"} | PAGING),
        "sp.album.info": ("GET", {"album_id": i["album_level4"]}, None, {"album"}),
        "sp.photo.upload": (
            "POST",
            {"event_id": i["event_kim"]},
            _jpeg_file(jpeg, "a.jpg"),
            {"photo_id", "photos_allowed", "photos_used"},
        ),
        "sp.photo.add_to_album": ("POST", {"album_id": i["album_ceremony"], "photo_id": photo}, None, set()),
        "sp.photo.remove_from_album": ("POST", {"album_id": i["album_level1"], "photo_id": sp.photo(6)}, None, set()),
        "sp.photo.info": ("GET", {"photo_id": photo}, None, PHOTO),
        "sp.photo.delete": ("POST", {"photo_id": photo}, None, {"deleted", "photo_id"}),
        "sp.photo.update": (
            "POST",
            {"photo_id": sp.photo(1)},
            _jpeg_file(jpeg, "b.jpg"),
            {"photo_id", "photos_allowed", "photos_used"},
        ),
        "sp.watermark.get_list": (
            "GET",
            {"brand_id": i["brand_default"]},
            None,
            {"apply_default_to_new_uploads", "watermarks"},
        ),
        "sp.cover_photo.set": (
            "POST",
            {"event_id": i["event_wedding"], "photo_id": sp.photo(2)},
            None,
            {"cover_photo"},
        ),
        "sp.cover_photo.delete": ("POST", {"event_id": i["event_wedding"]}, None, set()),
        "sp.mobile_app.get_list": ("GET", {}, None, {"mobile_apps"} | PAGING),
        "sp.mobile_app.get_photos": (
            "GET",
            {"mobile_app_id": i["mobile_app_first"]},
            None,
            {"photos", "total_results"},
        ),
        "sp.order.get_list": ("GET", {}, None, {"orders"} | PAGING),
        "sp.order.get_details": ("GET", {"order_id": i["order_first"]}, None, {"order"}),
        "sp.brand.get_list": ("GET", {}, None, {"brands", "results_returned", "total_results"}),
        "sp.brand.create": (
            "POST",
            {
                "name": "Third Eye",
                "email": "t@example.com",
                "address[address_1]": "1 A St",
                "address[city]": "Austin",
                "address[state]": "TX",
                "address[country]": "US",
                "address[zip_postal]": "73301",
            },
            None,
            {"brand"},
        ),
        "sp.brand.info": ("GET", {"brand_id": i["brand_second"]}, None, {"brand"}),
        "sp.brand.get_event_defaults": ("GET", {"brand_id": i["brand_default"]}, None, {"event_defaults"}),
        "sp.brand.get_event_tree": ("GET", {"brand_id": i["brand_default"]}, None, {"events"}),
        "sp.contact.info": ("GET", {"contact_id": i["sam"]}, None, {"contact"}),
        "sp.contact.create": ("POST", contact, None, {"msg", "contact"}),
        "sp.contact.update": (
            "POST",
            {**contact, "email": "sam.o@example.com", "contact_id": i["sam"]},
            None,
            {"msg", "contact"},
        ),
        "sp.contact.delete": ("POST", {"contact_id": i["sam"]}, None, {"msg", "contact_id"}),
        "sp.contact.bulk_create": (
            "POST",
            {f"contacts[0][{k}]": v for k, v in bulk.items()},
            None,
            {
                "msg",
                "num_contacts_submitted",
                "num_valid_contacts",
                "num_invalid_contacts",
                "num_contacts_created",
                "num_errors",
                "contacts",
            },
        ),
        "sp.contact.get_event_list": ("GET", {"contact_id": i["harper"]}, None, {"events"}),
        "sp.invoice.get_list": ("GET", {}, None, {"invoices"} | PAGING),
        "sp.invoice.info": ("GET", {"invoice_id": i["invoice_first"]}, None, {"invoice"}),
    }


def _reference_sections() -> dict[str, str]:
    parts = re.split(r"^(sp\.[a-z_]+\.[a-z_]+)[ \t]*$", REFERENCE, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_the_registry_holds_exactly_the_reference_methods():
    load_handlers()
    sections = _reference_sections()
    assert "NOT a directly callable method" in sections.pop(UPGRADE_SCOPE)
    assert len(REFERENCE_METHODS) == 54
    assert set(REGISTRY) == set(REFERENCE_METHODS) == set(sections)


def test_post_only_methods_are_the_ones_the_reference_names():
    sections = _reference_sections()
    named = {
        method
        for method, text in sections.items()
        if "can only be used over HTTP POST" in text or "HTTP POST request body must be" in text
    }
    assert named == POST_ONLY and len(POST_ONLY) == 9
    load_handlers()
    assert {method for method, spec in REGISTRY.items() if spec.post_only} == POST_ONLY


@pytest.mark.parametrize("method", [m for m in REFERENCE_METHODS if m != "sp.event.bulk_email_add"])
def test_every_method_answers_with_its_documented_properties(shared_sp, jpeg, method):
    sp = shared_sp
    verb, params, files, keys = calls(sp, jpeg)[method]
    if verb == "GET":
        response = sp.get(method, **params)
    else:
        response = sp.post(method, files=files, **params)
    body = response.json()
    assert response.status_code == 200, body
    assert body["stat"] == "ok"
    assert set(body) == {"stat"} | keys
    assert sp.studio.request_log[-1] == (method, verb)


def test_bulk_email_add_takes_a_json_array_with_event_id_on_the_query_string(sp):
    event_id = sp.ids["event_family"]
    response = sp.http.post(
        sp.url,
        params={"method": "sp.event.bulk_email_add", "access_token": sp.token, "event_id": event_id},
        content=json.dumps(["a@example.org", "bob@example.com", "not-an-email", 7]),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200
    assert response.json() == {"stat": "ok", "num_email_addresses_submitted": 4, "num_email_addresses_added": 2}
    with sp.studio.db.read() as c:
        stored = {r[0] for r in c.execute("SELECT email FROM event_emails WHERE event_id = ?", (event_id,))}
    assert stored == {"a@example.org", "bob@example.com"}
    bad = sp.http.post(
        sp.url,
        params={"method": "sp.event.bulk_email_add", "access_token": sp.token, "event_id": event_id},
        content=b'{"emails": 1}',
        headers={"Content-Type": "application/json"},
    )
    assert bad.status_code == 400 and "body" in bad.json()["validation_errors"]


def test_object_shapes_follow_each_methods_reference(sp):
    i = sp.ids
    listed = sp.ok("sp.event.get_list", limit=1)["events"][0]
    assert set(listed) == EVENT_LIST
    info = sp.ok("sp.event.info", event_id=i["event_wedding"])["event"]
    assert set(info) == EVENT_LIST - {"last_updated"}
    assert info["cover_photo"]["id"] == i["photo_first"]
    assert set(info["cover_photo"]) == {"id", "large", "x_large"}
    assert info["is_archived"] is False and info["status"] == "Active" and info["password"] == "HL2024"
    created = sp.ok("sp.event.create", verb="POST", event_name="Shape")["event"]
    assert set(created) == EVENT_WRITE
    photo = sp.ok("sp.event.get_photos", event_id=i["event_wedding"], limit=1)["photos"][0]
    assert set(photo) == PHOTO and set(photo["url"]) == PHOTO_SIZES
    albums = sp.ok("sp.album.get_list", event_id=i["event_wedding"])["albums"]
    assert set(albums[0]) == ALBUM | {"sub_albums"}
    assert set(sp.ok("sp.album.info", album_id=i["album_level2"])["album"]) == ALBUM | {"view_url"}
    contact = sp.ok("sp.contact.info", contact_id=i["harper"])["contact"]
    assert set(contact) == CONTACT and set(contact["address"]) == ADDRESS
    assert contact["tags"] == ["wedding", "bride"]
    tree = sp.ok("sp.brand.get_event_tree", brand_id=i["brand_default"])["events"]
    wedding = next(e for e in tree if e["id"] == i["event_wedding"])
    assert set(wedding["albums"][0]) == {"id", "name", "sub_albums"}
    order = sp.ok("sp.order.get_details", order_id=i["order_first"])["order"]
    assert {"billing_address", "payment", "items", "grand_total", "sales_tax"} <= set(order)
    assert set(order["items"][0]["photo"]) == PHOTO
    app_photos = sp.ok("sp.mobile_app.get_photos", mobile_app_id=i["mobile_app_first"])["photos"]
    assert set(app_photos[0]["url"]) == {"small", "medium", "large"}
    invoice = sp.ok("sp.invoice.info", invoice_id=i["invoice_first"])["invoice"]
    assert set(invoice["client_contact"]) == CONTACT and invoice["items"]


@pytest.mark.parametrize("token, message", [("", "required"), ("0" * 40, "not valid")])
def test_missing_or_unknown_token_is_401(shared_sp, token, message):
    sp = shared_sp
    response = sp.http.get(sp.url, params={"method": "sp.studio.info", "access_token": token})
    assert response.status_code == 401
    body = response.json()
    assert body["stat"] == "fail" and body["code"] == 401 and message in body["msg"]


def test_the_token_travels_only_as_a_parameter(shared_sp):
    sp = shared_sp
    response = sp.http.get(sp.url, params={"method": "sp.studio.info"}, headers={"Authorization": f"Bearer {sp.token}"})
    assert response.status_code == 401


def test_unknown_or_missing_method_is_400(shared_sp):
    sp = shared_sp
    body = sp.fail("sp.event.explode", 400)
    assert body["code"] == 400 and "Unknown method" in body["msg"]
    response = sp.http.get(sp.url, params={"access_token": sp.token})
    assert response.status_code == 400 and "method" in response.json()["validation_errors"]


@pytest.mark.parametrize("method", sorted(POST_ONLY))
def test_post_only_methods_refuse_get_with_405(shared_sp, method):
    sp = shared_sp
    photos = sp.studio.count_photos()
    contacts = sp.ok("sp.contact.info", contact_id=sp.ids["harper"])["contact"]
    body = sp.fail(
        method,
        405,
        event_id=sp.ids["event_wedding"],
        photo_id=sp.photo(3),
        name="x",
        contact_id=sp.ids["harper"],
        first_name="x",
        email="x@example.com",
    )
    assert body["code"] == 405 and "POST" in body["msg"]
    assert sp.studio.count_photos() == photos
    assert sp.ok("sp.contact.info", contact_id=sp.ids["harper"])["contact"] == contacts


def test_every_other_method_is_allowed_over_get(sp):
    """Methods the reference does not mark POST-only may be sent over GET; none answers 405."""
    for method in sorted(set(REFERENCE_METHODS) - POST_ONLY):
        response = sp.get(method)
        assert response.status_code != 405 and response.json()["stat"] in ("ok", "fail"), (method, response.text)


def test_writing_methods_take_effect_over_get(sp):
    event = sp.ok("sp.event.create", event_name="Over GET")["event"]
    album = sp.ok("sp.album.create", event_id=event["id"], album_name="Also GET")["album"]
    assert [a["id"] for a in sp.ok("sp.album.get_list", event_id=event["id"])["albums"]] == [album["id"]]
    photo = sp.photo(3)
    sp.ok("sp.photo.delete", photo_id=photo)
    assert photo not in {p.id for p in sp.studio.photos()}
    sp.ok("sp.contact.delete", contact_id=sp.ids["sam"])
    assert sp.fail("sp.contact.info", 404, contact_id=sp.ids["sam"])
    assert sp.studio.request_log[-1] == ("sp.contact.info", "GET")
    assert ("sp.event.create", "GET") in sp.studio.request_log


def test_contact_delete_without_contact_id_deletes_nothing(sp):
    """The reference marks ``contact_id`` optional: the call is valid and removes no contact."""
    before = sp.ok("sp.contact.info", contact_id=sp.ids["sam"])["contact"]
    body = sp.ok("sp.contact.delete", verb="POST")
    assert body["contact_id"] is None and body["msg"]
    assert sp.ok("sp.contact.info", contact_id=sp.ids["sam"])["contact"] == before


def test_other_http_verbs_are_refused(shared_sp):
    sp = shared_sp
    response = sp.http.put(sp.url, params={"method": "sp.studio.info", "access_token": sp.token})
    assert response.status_code == 405 and response.json()["stat"] == "fail"


def test_scopes_limit_what_a_token_may_call(shared_sp):
    sp = shared_sp
    token = sp.studio.issue_token(scopes=["sp.studio.info", "sp.event.get_list"]).access_token
    assert sp.get("sp.studio.info", token=token).status_code == 200
    response = sp.get("sp.event.info", token=token, event_id=sp.ids["event_wedding"])
    assert response.status_code == 403
    assert response.json()["code"] == 403 and "sp.event.info" in response.json()["msg"]


def test_missing_required_parameters_list_every_field(shared_sp):
    sp = shared_sp
    body = sp.fail("sp.album.create", 400, verb="POST")
    assert body["code"] == 400
    assert set(body["validation_errors"]) == {"event_id", "album_name"}
    assert all(isinstance(v, list) and v for v in body["validation_errors"].values())


def test_ids_must_be_numbers_and_must_exist(shared_sp):
    sp = shared_sp
    body = sp.fail("sp.event.info", 400, event_id="abc")
    assert "event_id" in body["validation_errors"]
    body = sp.fail("sp.event.info", 404, event_id=sp.ids["album_level1"])
    assert body["code"] == 404


def test_post_parameters_may_mix_query_string_and_multipart(shared_sp):
    sp = shared_sp
    response = sp.http.post(
        sp.url,
        params={"method": "sp.category.create"},
        files={"access_token": (None, sp.token), "name": (None, "Pets")},
    )
    assert response.status_code == 200 and response.json()["category"]["name"] == "Pets"


def test_deauthorize_revokes_the_token(shared_sp):
    sp = shared_sp
    token = sp.studio.issue_token().access_token
    sp.ok("sp.auth.deauthorize", verb="POST", token=token)
    assert sp.get("sp.studio.info", token=token).status_code == 401
    assert sp.get("sp.studio.info").status_code == 200


def test_request_log_counts_calls(shared_sp):
    sp = shared_sp
    sp.studio.clear_request_log()
    sp.ok("sp.studio.info")
    sp.ok("sp.studio.info")
    sp.fail("sp.contact.create", 405)
    assert sp.studio.request_log == [("sp.studio.info", "GET")] * 2 + [("sp.contact.create", "GET")]
    assert sp.studio.count_requests("sp.studio.info") == 2
    assert [c.status for c in sp.studio.calls] == [200, 200, 405]
