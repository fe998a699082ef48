"""Events and albums behave as the reference says: slugs, archives, pagination, nesting, emptiness."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest


def test_event_create_uses_the_default_brand_and_its_defaults(sp):
    event = sp.ok(
        "sp.event.create",
        verb="POST",
        event_name="  Patel Wedding ",
        event_date="2025-06-02 00:00:00",
        url_slug="patel-wedding",
        contact_id=sp.ids["harper"],
    )["event"]
    assert event["name"] == "Patel Wedding"
    assert event["brand_id"] == sp.ids["brand_default"]
    assert event["url_slug"] == "patel-wedding"
    assert urlsplit(event["view_url"]).path == "/gallery/patel-wedding"
    assert event["event_date"] == "2025-06-02 00:00:00"
    assert event["photo_count"] == 0 and event["status"] == "Active" and event["cover_photo"] is None
    assert event["id"] > sp.ids["event_b3"]
    info = sp.ok("sp.event.info", event_id=event["id"])["event"]
    assert info["is_archived"] is False and info["contact_id"] == sp.ids["harper"]


def test_event_create_with_event_defaults_and_archive(sp):
    event = sp.ok(
        "sp.event.create",
        verb="POST",
        event_name="June wedding",
        brand_event_default_id=sp.ids["defaults_wedding"],
        archive=1,
    )["event"]
    assert event["category_id"] == sp.ids["cat_weddings"]
    assert event["gallery_expiration_date"] is not None
    assert event["status"] == "Archived"
    open_ids = {e["id"] for e in sp.ok("sp.event.get_list", limit=1000)["events"]}
    assert event["id"] not in open_ids


@pytest.mark.parametrize(
    "params, field",
    [
        ({"event_name": ""}, "event_name"),
        ({"event_name": "x", "event_date": "2025-06-02"}, "event_date"),
        ({"event_name": "x", "url_slug": "Has Spaces"}, "url_slug"),
        ({"event_name": "x", "brand_id": 1}, "brand_id"),
        ({"event_name": "x", "contact_id": 1}, "contact_id"),
        ({"event_name": "x", "archive": "yes"}, "archive"),
    ],
)
def test_event_create_validation(shared_sp, params, field):
    sp = shared_sp
    body = sp.fail("sp.event.create", 400, verb="POST", **params)
    assert field in body["validation_errors"]


def test_contact_from_another_brand_is_refused(shared_sp):
    sp = shared_sp
    body = sp.fail(
        "sp.event.create", 400, verb="POST", event_name="x", brand_id=sp.ids["brand_third"], contact_id=sp.ids["priya"]
    )
    assert "contact_id" in body["validation_errors"]


def test_duplicate_url_slug_is_409_on_create_and_update(sp):
    body = sp.fail("sp.event.create", 409, verb="POST", event_name="Copy", url_slug="harper-liam-wedding")
    assert body["code"] == 409 and "url_slug" in body["validation_errors"]
    body = sp.fail("sp.event.update", 409, verb="POST", event_id=sp.ids["event_family"], url_slug="zoe-mateo")
    assert body["code"] == 409
    same = sp.ok("sp.event.update", verb="POST", event_id=sp.ids["event_wedding"], url_slug="harper-liam-wedding")
    assert same["event"]["url_slug"] == "harper-liam-wedding"


def test_update_with_empty_slug_removes_it(sp):
    event = sp.ok("sp.event.update", verb="POST", event_id=sp.ids["event_wedding"], url_slug="")["event"]
    assert event["url_slug"] is None
    assert urlsplit(event["view_url"]).path == f"/gallery/{sp.ids['event_wedding']}"
    assert event["name"] == "Harper & Liam Wedding"
    again = sp.ok("sp.event.create", verb="POST", event_name="Reuse", url_slug="harper-liam-wedding")
    assert again["event"]["url_slug"] == "harper-liam-wedding"


def test_event_list_paginates(sp):
    first = sp.ok("sp.event.get_list", limit=4, include_archived=1)
    assert first["page"] == 1 and first["results_returned"] == 4
    assert first["total_results"] == 13 and first["total_pages"] == 4
    seen = [e["id"] for e in first["events"]]
    for page in range(2, 5):
        body = sp.ok("sp.event.get_list", limit=4, page=page, include_archived=1)
        assert body["page"] == page
        seen += [e["id"] for e in body["events"]]
    assert len(seen) == len(set(seen)) == 13
    beyond = sp.ok("sp.event.get_list", limit=4, page=9, include_archived=1)
    assert beyond["events"] == [] and beyond["results_returned"] == 0 and beyond["total_results"] == 13


@pytest.mark.parametrize(
    "params, field",
    [({"limit": 0}, "limit"), ({"limit": 1001}, "limit"), ({"page": 0}, "page"), ({"limit": "ten"}, "limit")],
)
def test_bad_paging_is_a_validation_error(shared_sp, params, field):
    sp = shared_sp
    body = sp.fail("sp.event.get_list", 400, **params)
    assert field in body["validation_errors"]


def test_event_list_filters_and_orders(sp):
    open_events = sp.ok("sp.event.get_list")["events"]
    assert len(open_events) == 11 and not any(e["is_archived"] for e in open_events)
    with_archived = sp.ok("sp.event.get_list", include_archived=1)["events"]
    assert sum(e["is_archived"] for e in with_archived) == 2
    assert {e["status"] for e in with_archived} == {"Active", "Archived", "Inactive"}
    second = sp.ok("sp.event.get_list", brand_id=sp.ids["brand_second"])["events"]
    assert {e["brand_id"] for e in second} == {sp.ids["brand_second"]} and len(second) == 3
    names = [e["name"] for e in sp.ok("sp.event.get_list", order_by="name")["events"]]
    assert names == sorted(names, key=str.lower)
    reverse = [e["name"] for e in sp.ok("sp.event.get_list", order_by="name", order_by_descending=1)["events"]]
    assert reverse == names[::-1]
    sp.ok("sp.event.rename", verb="POST", event_id=sp.ids["event_archived"], event_name="Touched")
    newest = sp.ok("sp.event.get_list", order_by="last_updated", order_by_descending=1, include_archived=1)
    assert newest["events"][0]["id"] == sp.ids["event_archived"]
    assert sp.fail("sp.event.get_list", 400, order_by="size")["validation_errors"]["order_by"]


def test_access_level_and_password(sp):
    event_id = sp.ids["event_family"]
    body = sp.fail("sp.event.set_access_level", 400, verb="POST", event_id=event_id, access_level="public_password")
    assert "password" in body["validation_errors"]
    event = sp.ok(
        "sp.event.set_access_level", verb="POST", event_id=event_id, access_level="public_password", password="s3cret"
    )["event"]
    assert event["password"] == "s3cret"
    event = sp.ok(
        "sp.event.set_access_level",
        verb="POST",
        event_id=event_id,
        access_level="private_no_password",
        password="ignored",
    )["event"]
    assert event["password"] is None
    assert (
        "access_level"
        in sp.fail("sp.event.set_access_level", 400, verb="POST", event_id=event_id, access_level="everyone")[
            "validation_errors"
        ]
    )


def test_category_and_contact_of_an_event(sp):
    event_id = sp.ids["event_empty"]
    category = sp.ok("sp.category.create", verb="POST", name="Pets")["category"]
    assert (
        sp.ok("sp.event.set_category", verb="POST", event_id=event_id, category_id=category["id"])["event"][
            "category_id"
        ]
        == category["id"]
    )
    assert sp.fail("sp.event.set_category", 400, verb="POST", event_id=event_id, category_id=1)
    result = sp.ok("sp.event.set_contact", verb="POST", event_id=event_id, contact_id=sp.ids["sam"])
    assert result["event_id"] == event_id and result["contact_id"] == sp.ids["sam"]
    assert event_id in [e["id"] for e in sp.ok("sp.contact.get_event_list", contact_id=sp.ids["sam"])["events"]]
    cleared = sp.ok("sp.event.set_contact", verb="POST", event_id=event_id, contact_id="")
    assert cleared["contact_id"] is None
    assert sp.ok("sp.event.info", event_id=event_id)["event"]["contact_id"] is None


def test_categories_list_and_rename(sp):
    categories = sp.ok("sp.category.get_list")["category"]
    assert [c["display_order"] for c in categories] == sorted(c["display_order"] for c in categories)
    weddings = next(c for c in categories if c["id"] == sp.ids["cat_weddings"])
    assert weddings["cover_url"].startswith("http")
    renamed = sp.ok("sp.category.rename", verb="POST", category_id=weddings["id"], name="Weddings & Elopements")
    assert renamed["category"]["name"] == "Weddings & Elopements"
    assert sp.fail("sp.category.rename", 404, verb="POST", category_id=1, name="x")["code"] == 404


def test_photo_exists_by_name_album_and_id(shared_sp):
    sp = shared_sp
    event_id = sp.ids["event_wedding"]
    exists = lambda **p: sp.ok("sp.event.photo_exists", event_id=event_id, **p)["photo_exists"]  # noqa: E731
    assert exists(photo_name="Bride & Groom (1).jpg") is True
    assert exists(photo_name="bride & groom (1).jpg") is False
    assert exists(photo_name="IMG_0001.jpg", album_id=sp.ids["album_level1"]) is True
    assert exists(photo_name="IMG_0001.jpg", album_id=sp.ids["album_level2"]) is True
    assert exists(photo_name="IMG_0001.jpg", album_id=sp.ids["album_ceremony"]) is False
    assert exists(photo_id=sp.ids["photo_first"]) is True
    assert exists(photo_id=1) is False
    body = sp.fail("sp.event.photo_exists", 400, event_id=event_id)
    assert {"photo_name", "photo_id"} <= set(body["validation_errors"])
    other_album = sp.ok("sp.album.get_list", event_id=sp.ids["event_family"])["albums"][0]["id"]
    assert sp.fail("sp.event.photo_exists", 400, event_id=event_id, photo_name="x", album_id=other_album)


def test_event_photos_paginate_in_upload_order(shared_sp):
    sp = shared_sp
    event_id = sp.ids["event_wedding"]
    first = sp.ok("sp.event.get_photos", event_id=event_id)
    assert first["total_results"] == 88 and first["results_returned"] == 88 and first["total_pages"] == 1
    pages = [sp.ok("sp.event.get_photos", event_id=event_id, limit=25, page=p) for p in (1, 2, 3, 4)]
    assert [p["results_returned"] for p in pages] == [25, 25, 25, 13]
    assert all(p["total_pages"] == 4 for p in pages)
    ids = [photo["id"] for p in pages for photo in p["photos"]]
    assert ids == [photo["id"] for photo in first["photos"]] == [p.id for p in sp.studio.photos(event_id)]


def test_event_delete_only_empty(sp):
    body = sp.fail("sp.event.delete", 400, verb="POST", event_id=sp.ids["event_family"], only_empty=1)
    assert "not empty" in body["msg"]
    assert sp.ok("sp.event.delete", verb="POST", event_id=sp.ids["event_empty_album"], only_empty=1)
    photo_ids = [p.id for p in sp.studio.photos(sp.ids["event_family"])]
    path = sp.studio.photo_file(photo_ids[0])
    used_before = sp.ok("sp.studio.info")["plan"]["used"]
    assert sp.ok("sp.event.delete", verb="POST", event_id=sp.ids["event_family"])["event"] == {
        "id": sp.ids["event_family"]
    }
    assert sp.fail("sp.event.info", 404, event_id=sp.ids["event_family"])
    assert not path.exists()
    assert sp.ok("sp.studio.info")["plan"]["used"] == used_before - len(photo_ids)
    assert sp.studio.count_photos(sp.ids["event_family"]) == 0


def test_gallery_visitors_and_their_photos(shared_sp):
    sp = shared_sp
    visitors = sp.ok("sp.event.gallery_visitors", event_id=sp.ids["event_wedding"])["gallery_visitors"]
    assert len(visitors) == 3
    harper = next(v for v in visitors if v["email_address"] == "harper.lewis@example.com")
    assert harper["contact_id"] == sp.ids["harper"] and harper["favorites"] == 12
    assert harper["num_labeled_photos"] == 11 and harper["event_name"] == "Harper & Liam Wedding"
    mary = next(v for v in visitors if v["email_address"] == "aunt.mary@example.com")
    assert mary["contact_id"] is None and mary["num_hidden_photos"] is None
    photos = sp.ok(
        "sp.event.gallery_visitor_photos", event_id=sp.ids["event_wedding"], email_address="harper.lewis@example.com"
    )
    assert len(photos["favorites"]) == 12
    assert {label["name"]: len(label["photos"]) for label in photos["labeled"]} == {"Album picks": 8, "Print": 3}
    assert sp.fail(
        "sp.event.gallery_visitor_photos", 404, event_id=sp.ids["event_wedding"], email_address="nobody@example.com"
    )


def test_album_tree_nests_four_levels(shared_sp):
    sp = shared_sp
    albums = sp.ok("sp.album.get_list", event_id=sp.ids["event_wedding"])["albums"]
    assert [a["name"] for a in albums] == ["Getting Ready", "Ceremony", "Reception"]
    level4 = albums[0]["sub_albums"][0]["sub_albums"][0]["sub_albums"][0]
    assert level4["name"] == "Rings & Shoes" and level4["id"] == sp.ids["album_level4"]
    assert level4["sub_albums"] == [] and level4["parent_id"] == sp.ids["album_level3"]
    assert albums[1]["cover_photo_url"].startswith("http")


def test_album_create_refuses_a_fifth_level(sp):
    event_id = sp.ids["event_wedding"]
    body = sp.fail(
        "sp.album.create", 400, verb="POST", event_id=event_id, album_name="Too deep", parent_id=sp.ids["album_level4"]
    )
    assert "parent_id" in body["validation_errors"]
    ok = sp.ok(
        "sp.album.create",
        verb="POST",
        event_id=event_id,
        album_name="Veil",
        parent_id=sp.ids["album_level3"],
        password="lace",
    )["album"]
    assert ok["parent_id"] == sp.ids["album_level3"] and ok["password"] == "lace"
    assert ok["display_order"] == 2 and ok["photo_count"] == 0
    other = sp.ids["album_empty"]
    assert (
        "parent_id"
        in sp.fail("sp.album.create", 400, verb="POST", event_id=event_id, album_name="x", parent_id=other)[
            "validation_errors"
        ]
    )


def test_album_move_checks_depth_and_cycles(sp):
    event_id = sp.ids["event_wedding"]
    reception = sp.ids["album_reception"]
    body = sp.fail("sp.album.move", 400, verb="POST", album_id=reception, parent_id=sp.ids["album_level3"])
    assert "parent_id" in body["validation_errors"]
    body = sp.fail("sp.album.move", 400, verb="POST", album_id=sp.ids["album_level1"], parent_id=sp.ids["album_level3"])
    assert "itself" in body["validation_errors"]["parent_id"][0]
    moved = sp.ok("sp.album.move", verb="POST", album_id=reception, parent_id=sp.ids["album_level2"])["album"]
    assert moved["parent_id"] == sp.ids["album_level2"]
    top = sp.ok("sp.album.move", verb="POST", album_id=sp.ids["album_level3"])["album"]
    assert top["parent_id"] is None
    names = [a["name"] for a in sp.ok("sp.album.get_list", event_id=event_id)["albums"]]
    assert names == ["Getting Ready", "Ceremony", "Details"]


def test_album_rename_info_and_photos(sp):
    album_id = sp.ids["album_ceremony"]
    assert sp.ok("sp.album.rename", verb="POST", album_id=album_id, album_name="Vows")["album"]["name"] == "Vows"
    info = sp.ok("sp.album.info", album_id=album_id)["album"]
    assert info["photo_count"] == 20 and urlsplit(info["view_url"]).path.endswith(f"/albums/{album_id}")
    page = sp.ok("sp.album.get_photos", album_id=album_id, limit=15, page=2)
    assert page["results_returned"] == 5 and page["total_pages"] == 2 and page["total_results"] == 20
    assert all(p["name"].startswith("DSC_") for p in page["photos"])
    assert sp.fail("sp.album.rename", 400, verb="POST", album_id=album_id, album_name="  ")


def test_album_delete_only_empty_and_cascade(sp):
    body = sp.fail("sp.album.delete", 400, verb="POST", album_id=sp.ids["album_level2"], only_empty=1)
    assert "not empty" in body["msg"]
    assert sp.ok("sp.album.delete", verb="POST", album_id=sp.ids["album_empty"], only_empty=1)
    before = sp.studio.count_photos(sp.ids["event_wedding"])
    sp.ok("sp.album.delete", verb="POST", album_id=sp.ids["album_level2"])
    assert sp.studio.count_photos(sp.ids["event_wedding"]) == before - (11 + 6 + 5)
    for gone in ("album_level2", "album_level3", "album_level4"):
        assert sp.fail("sp.album.info", 404, album_id=sp.ids[gone])
    assert sp.ok("sp.event.info", event_id=sp.ids["event_wedding"])["event"]["photo_count"] == before - 22


def test_brand_tree_lists_every_event_with_albums(shared_sp):
    sp = shared_sp
    events = sp.ok("sp.brand.get_event_tree", brand_id=sp.ids["brand_second"])["events"]
    assert len(events) == 3
    school = next(e for e in events if e["id"] == sp.ids["event_school"])
    grade1 = next(a for a in school["albums"] if a["name"] == "Grade 1")
    assert [a["name"] for a in grade1["sub_albums"]] == ["Room 12", "Room 14"]
    all_b1 = sp.ok("sp.brand.get_event_tree", brand_id=sp.ids["brand_default"])["events"]
    assert any(e["status"] == "Archived" for e in all_b1)
    assert sp.fail("sp.brand.get_event_tree", 404, brand_id=1)
