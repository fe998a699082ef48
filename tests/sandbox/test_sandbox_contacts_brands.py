"""Contacts (addresses, tags, one email per brand, bulk create), brands, settings, commerce lists."""

from __future__ import annotations

import pytest


def _contact(brand_id, **extra):
    return {"brand_id": brand_id, "first_name": "Ana", "last_name": "Lima", "email": "ana@example.com", **extra}


def test_contact_create_with_address_and_tags(sp):
    body = sp.ok(
        "sp.contact.create",
        verb="POST",
        **_contact(
            sp.ids["brand_default"],
            phone="555-0100",
            tags="wedding, vip,wedding",
            **{
                "address[address_1]": "1 Rua Augusta",
                "address[city]": "Lisboa",
                "address[state_other]": "Lisboa",
                "address[country]": "PT",
                "address[zip_postal]": "1100-053",
            },
        ),
    )
    contact = body["contact"]
    assert body["msg"]
    assert contact["tags"] == ["wedding", "vip"]
    assert contact["brand_name"] == "Lumen & Grain Photography"
    address = contact["address"]
    assert (address["street_line_1"], address["state_province"], address["postal_code"], address["country"]) == (
        "1 Rua Augusta",
        "Lisboa",
        "1100-053",
        "PT",
    )
    assert isinstance(address["id"], int)
    assert sp.ok("sp.contact.info", contact_id=contact["id"])["contact"] == contact


@pytest.mark.parametrize(
    "change, field",
    [
        ({"first_name": ""}, "first_name"),
        ({"email": "nope"}, "email"),
        ({"email": ""}, "email"),
        ({"brand_id": "1"}, "brand_id"),
        ({"address[city]": "Oslo"}, "address[country]"),
    ],
)
def test_contact_create_validation(shared_sp, change, field):
    sp = shared_sp
    body = sp.fail("sp.contact.create", 400, verb="POST", **{**_contact(sp.ids["brand_default"]), **change})
    assert field in body["validation_errors"]


def test_one_email_per_brand(sp):
    body = sp.fail(
        "sp.contact.create", 400, verb="POST", **_contact(sp.ids["brand_default"], email="HARPER.LEWIS@example.com")
    )
    assert "already exists" in body["validation_errors"]["email"][0]
    third = sp.ok("sp.contact.create", verb="POST", **_contact(sp.ids["brand_third"], email="harper.lewis@example.com"))
    assert third["contact"]["brand_id"] == sp.ids["brand_third"]


def test_contact_info_by_email_returns_an_array_when_several_match(shared_sp):
    sp = shared_sp
    several = sp.ok("sp.contact.info", contact_email="harper.lewis@example.com")["contact"]
    assert isinstance(several, list) and {c["id"] for c in several} == {sp.ids["harper"], sp.ids["harper2"]}
    one = sp.ok("sp.contact.info", contact_email="harper.lewis@example.com", brand_id=sp.ids["brand_second"])
    assert one["contact"]["id"] == sp.ids["harper2"]
    assert sp.fail("sp.contact.info", 404, contact_email="ghost@example.com")
    assert sp.fail("sp.contact.info", 400)["validation_errors"]
    assert sp.fail("sp.contact.info", 404, contact_id=sp.ids["harper"], brand_id=sp.ids["brand_second"])


def test_contact_update_keeps_what_was_not_sent(sp):
    harper = sp.ok("sp.contact.info", contact_id=sp.ids["harper"])["contact"]
    updated = sp.ok(
        "sp.contact.update",
        verb="POST",
        contact_id=harper["id"],
        brand_id=harper["brand_id"],
        first_name="Harper",
        email=harper["email"],
        last_name="Lewis-Carter",
        notes="",
    )["contact"]
    assert updated["last_name"] == "Lewis-Carter" and updated["notes"] is None
    assert updated["phone"] == harper["phone"] and updated["tags"] == harper["tags"]
    assert updated["address"] == harper["address"]
    moved = sp.ok(
        "sp.contact.update",
        verb="POST",
        contact_id=harper["id"],
        brand_id=harper["brand_id"],
        first_name="Harper",
        email=harper["email"],
        tags="",
        **{"address[address_1]": "9 New Rd", "address[country]": "US"},
    )["contact"]
    assert moved["tags"] == [] and moved["address"]["street_line_1"] == "9 New Rd"
    assert moved["address"]["id"] == harper["address"]["id"] and moved["address"]["city"] is None
    body = sp.fail(
        "sp.contact.update",
        400,
        verb="POST",
        contact_id=harper["id"],
        brand_id=harper["brand_id"],
        first_name="Harper",
        email="liam.carter@example.com",
    )
    assert "email" in body["validation_errors"]
    assert sp.fail(
        "sp.contact.update",
        404,
        verb="POST",
        contact_id=1,
        brand_id=harper["brand_id"],
        first_name="x",
        email="x@example.com",
    )


def test_contact_delete_unlinks_events(sp):
    body = sp.ok("sp.contact.delete", verb="POST", contact_id=sp.ids["jordan"])
    assert body["contact_id"] == sp.ids["jordan"]
    event = sp.ok("sp.event.info", event_id=sp.ids["event_corporate"])["event"]
    assert event["contact_id"] is None
    assert sp.fail("sp.contact.info", 404, contact_id=sp.ids["jordan"])


def test_bulk_create_reports_each_row(sp):
    brand = sp.ids["brand_default"]
    rows = [
        {
            "brand_id": brand,
            "first_name": "Joe",
            "last_name": "Shmoe",
            "email": "joe@example.org",
            "tags": "wedding,groom",
            "address[address_1]": "123 Main Street",
            "address[city]": "Jacksonville",
            "address[state]": "FL",
            "address[country]": "US",
            "address[zip_postal]": "32099",
        },
        {"brand_id": brand, "first_name": "", "last_name": "Bob", "email": "billy@example.org"},
        {"brand_id": brand, "first_name": "Dup", "email": "JOE@example.org"},
        {"brand_id": brand, "first_name": "Lee", "email": "lee@example.org"},
    ]
    params = {}
    for n, row in enumerate(rows):
        for key, value in row.items():
            name, _, sub = key.partition("[")
            params[f"contacts[{n}][{name}]" + (f"[{sub}" if sub else "")] = value
    body = sp.ok("sp.contact.bulk_create", verb="POST", **params)
    assert body["num_contacts_submitted"] == 4
    assert body["num_valid_contacts"] == 3 and body["num_invalid_contacts"] == 1
    assert body["num_contacts_created"] == 2 and body["num_errors"] == 2
    results = body["contacts"]
    assert results[0]["email"] == "joe@example.org" and results[0]["address"]["city"] == "Jacksonville"
    assert results[1] == {"contact_index": 1, "errors": {"first_name": results[1]["errors"]["first_name"]}}
    assert results[2]["contact_index"] == 2 and "email" in results[2]["errors"]
    assert results[3]["first_name"] == "Lee"


def test_bulk_create_accepts_at_most_50(sp):
    params = {}
    for n in range(51):
        params.update(
            {
                f"contacts[{n}][brand_id]": sp.ids["brand_default"],
                f"contacts[{n}][first_name]": "P",
                f"contacts[{n}][email]": f"p{n}@example.com",
            }
        )
    body = sp.fail("sp.contact.bulk_create", 400, verb="POST", **params)
    assert "contacts" in body["validation_errors"]
    with sp.studio.db.read() as c:
        assert c.execute("SELECT COUNT(*) FROM contacts WHERE email LIKE 'p%@example.com'").fetchone()[0] == 0
    assert sp.fail("sp.contact.bulk_create", 400, verb="POST")["validation_errors"]["contacts"]


def test_brand_create_validation_matches_the_reference_example(sp):
    body = sp.fail("sp.brand.create", 400, verb="POST")
    assert body["code"] == 400 and body["msg"] == "invalid brand values provided"
    assert {
        "name",
        "email",
        "address[address_1]",
        "address[city]",
        "address[country]",
        "address[zip_postal]",
        "address[state]",
    } <= set(body["validation_errors"])
    brand = sp.ok(
        "sp.brand.create",
        verb="POST",
        name="Lumen and Grain",
        email="b@example.com",
        phone="423-555-1212",
        website="http://www.my-brand.com",
        **{
            "address[address_1]": "123 Main St.",
            "address[city]": "Chattanooga",
            "address[state]": "TN",
            "address[country]": "US",
            "address[zip_postal]": "37401",
        },
    )["brand"]
    assert brand["subdomain"] == "lumenandgrain2" and brand["is_default"] is False
    assert brand["address"]["zip_postal"] == "37401" and brand["locale"] == "en_US"
    brands = sp.ok("sp.brand.get_list")
    assert brands["total_results"] == 4 == brands["results_returned"]
    defaults = sp.ok("sp.brand.get_event_defaults", brand_id=brand["id"])["event_defaults"]
    assert [d["is_default"] for d in defaults] == [True]
    event = sp.ok("sp.event.create", verb="POST", event_name="In new brand", brand_id=brand["id"])["event"]
    assert event["brand_id"] == brand["id"]


def test_brand_info_and_defaults(shared_sp):
    sp = shared_sp
    info = sp.ok("sp.brand.info", brand_id=sp.ids["brand_third"])["brand"]
    assert info["name"] == "Atelier Lumière" and info["is_default"] is False and info["homepage_url"]
    defaults = sp.ok("sp.brand.get_event_defaults", brand_id=sp.ids["brand_default"])["event_defaults"]
    assert len(defaults) == 3 and defaults[0]["is_default"] is True
    assert sp.fail("sp.brand.info", 404, brand_id=sp.ids["event_wedding"])


def test_studio_settings(sp):
    assert sp.ok("sp.studio.get_setting", setting_key="sales_tax_rate")["setting_value"] == "7.25"
    assert sp.ok("sp.studio.get_setting", setting_key="order_postback_url")["setting_value"] == ""
    sp.ok(
        "sp.studio.set_setting",
        verb="POST",
        setting_key="order_postback_url",
        setting_value="https://hooks.example/orders",
    )
    assert (
        sp.ok("sp.studio.get_setting", setting_key="order_postback_url")["setting_value"]
        == "https://hooks.example/orders"
    )
    assert sp.fail("sp.studio.set_setting", 400, verb="POST", setting_key="sales_tax_rate", setting_value="9")
    assert sp.fail("sp.studio.set_setting", 400, verb="POST", setting_key="event_postback_url", setting_value="ftp://x")
    assert sp.fail("sp.studio.get_setting", 400, setting_key="password")
    sp.ok("sp.studio.set_setting", verb="POST", setting_key="order_postback_url", setting_value="")
    assert sp.ok("sp.studio.get_setting", setting_key="order_postback_url")["setting_value"] == ""


def test_orders_invoices_and_mobile_apps(shared_sp):
    sp = shared_sp
    orders = sp.ok("sp.order.get_list", limit=4)
    assert orders["total_results"] == 6 and orders["total_pages"] == 2 and orders["results_returned"] == 4
    dates = [o["order_date"] for o in orders["orders"]]
    assert dates == sorted(dates, reverse=True)
    wedding_orders = sp.ok("sp.order.get_list", event_id=sp.ids["event_wedding"])["orders"]
    assert len(wedding_orders) == 3 and all(o["event_name"] == "Harper & Liam Wedding" for o in wedding_orders)
    refunded = next(o for o in wedding_orders if o["order_status"] == "Refunded")
    details = sp.ok("sp.order.get_details", order_id=refunded["order_id"])["order"]
    assert details["refund_transaction"]["amount"] == 26.81 and details["grand_total"] == refunded["grand_total"]
    assert sp.fail("sp.order.get_details", 404, order_id=1)
    invoices = sp.ok("sp.invoice.get_list", brand_id=sp.ids["brand_default"])
    assert invoices["total_results"] == 2 and all(
        i["brand_id"] == sp.ids["brand_default"] for i in invoices["invoices"]
    )
    euro = sp.ok("sp.invoice.get_list", brand_id=sp.ids["brand_third"])["invoices"][0]
    assert euro["currency_code"] == "EUR" and euro["client_contact"]["first_name"] == "Chloé"
    assert sp.fail("sp.invoice.info", 404, invoice_id=1)
    apps = sp.ok("sp.mobile_app.get_list")
    assert apps["total_results"] == 3
    first = apps["mobile_apps"][0]
    assert first["num_photos"] == 25 and first["event_name"] == "Harper & Liam Wedding" and first["links"]
    assert sp.ok("sp.mobile_app.get_list", brand_id=sp.ids["brand_second"])["total_results"] == 1
    photos = sp.ok("sp.mobile_app.get_photos", mobile_app_id=first["id"])
    assert photos["total_results"] == 25 == len(photos["photos"])
    assert sp.fail("sp.mobile_app.get_photos", 404, mobile_app_id=1)


def test_the_empty_studio(sp_empty):
    info = sp_empty.ok("sp.studio.info")
    assert info["plan"]["used"] == 0
    brands = sp_empty.ok("sp.brand.get_list")["brands"]
    assert len(brands) == 1 and brands[0]["is_default"] is True
    assert len(sp_empty.ok("sp.brand.get_event_defaults", brand_id=brands[0]["id"])["event_defaults"]) == 1
    events = sp_empty.ok("sp.event.get_list", include_archived=1)
    assert events["events"] == [] and events["total_results"] == 0 and events["total_pages"] == 0
    assert sp_empty.ok("sp.order.get_list")["total_results"] == 0
    assert sp_empty.ok("sp.category.get_list")["category"] == []
    event = sp_empty.ok("sp.event.create", verb="POST", event_name="First shoot")["event"]
    assert event["brand_id"] == brands[0]["id"] and event["id"] >= 3_141_000
