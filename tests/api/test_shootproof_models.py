"""Models read what the server sends: extra fields ignored, missing optional ones None, missing ids refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from studio_desktop.api.errors import BadResponseError
from studio_desktop.api.models import (
    Address,
    Album,
    BulkContactResult,
    Contact,
    CoverPhoto,
    Event,
    Invoice,
    MobileApp,
    Order,
    OrderDetails,
    Page,
    Photo,
    PhotoUrls,
    StudioInfo,
    UploadResult,
)


def test_ids_and_numbers_arrive_as_strings_or_numbers():
    event = Event.from_json({"id": "42", "brand_id": 7, "photo_count": 12.0, "contact_id": "", "is_archived": "1"})
    assert (event.id, event.brand_id, event.photo_count, event.contact_id, event.is_archived) == (42, 7, 12, None, True)


@pytest.mark.parametrize("model", [Event, Album, Photo, Contact, Invoice, MobileApp, Order, OrderDetails])
def test_a_missing_id_is_a_bad_response(model):
    with pytest.raises(BadResponseError, match=r"has no 'id'|has no 'order_id'"):
        model.from_json({"name": "nameless"})


def test_malformed_values_are_bad_responses_not_crashes():
    with pytest.raises(BadResponseError, match="non-numeric 'id'"):
        Photo.from_json({"id": "IMG_1"})
    with pytest.raises(BadResponseError, match="non-numeric 'grand_total'"):
        Order.from_json({"order_id": 1, "grand_total": "lots"})
    with pytest.raises(BadResponseError, match="expected event data"):
        Event.from_json(["not", "an", "object"])
    with pytest.raises(BadResponseError, match="'sub_albums' is not a list"):
        Album.from_json({"id": 1, "sub_albums": "none"})
    with pytest.raises(BadResponseError, match="photo_id"):
        UploadResult.from_json({"photos_used": 3})


def test_photo_urls_use_the_api_names_and_accept_the_mobile_app_list_shape():
    urls = PhotoUrls.from_json({"small": "s", "2x_large": "xx", "3x_large": "xxx", "original": "o"})
    assert (urls.xx_large, urls.xxx_large, urls.original) == ("xx", "xxx", "o")
    assert urls.best() == "s" and urls.best(prefer_large=True) == "xxx"
    listed = PhotoUrls.from_json([{"small": "s"}, {"medium": "m"}, {"large": "l"}])
    assert (listed.small, listed.medium, listed.large) == ("s", "m", "l")
    assert Photo.from_json({"id": 1}).url == PhotoUrls()


def test_cover_photo_from_an_event_and_from_cover_photo_set():
    assert CoverPhoto.from_json({"id": "5", "large": "L", "x_large": "XL"}) == CoverPhoto(5, "L", "XL")
    assert CoverPhoto.from_json({"sizes": {"l": "L", "xl": "XL"}}) == CoverPhoto(None, "L", "XL")


def test_albums_nest():
    album = Album.from_json(
        {
            "id": 1,
            "name": "A",
            "parent_id": 0,
            "sub_albums": [{"id": 2, "sub_albums": [{"id": 3, "sub_albums": [{"id": 4}]}]}, {"id": 5}],
        }
    )
    assert [a.id for a in album.walk()] == [1, 2, 3, 4, 5]
    assert album.parent_id is None  # 0 means "top level"


def test_contacts_tags_and_address_shapes():
    contact = Contact.from_json(
        {
            "id": 3,
            "first_name": "Jo",
            "tags": "wedding, groom,",
            "address": {
                "street_line_1": "1 Main",
                "state_province": "GA",
                "postal_code": "30303",
                "country": "US",
                "id": "9",
            },
        }
    )
    assert contact.tags == ("wedding", "groom")
    assert contact.address.to_params() == {"address_1": "1 Main", "state": "GA", "zip_postal": "30303", "country": "US"}
    assert Contact.from_json({"id": 4, "tags": ["a", "", None, "b"]}).tags == ("a", "b")
    assert Contact.from_json({"id": 5, "email": "x@example.org"}).display_name == "x@example.org"
    assert Address.from_json({"address_1": "2 Oak", "zip_postal": "1"}).street_line_1 == "2 Oak"


def test_bulk_contact_result_splits_created_rows_from_rejected_ones():
    result = BulkContactResult.from_json(
        {
            "msg": "1 of 2 created",
            "num_contacts_submitted": "2",
            "num_contacts_created": 1,
            "num_errors": 1,
            "contacts": [
                {"id": 10, "first_name": "Joe"},
                {"contact_index": 1, "errors": {"first_name": ["Please enter a first name."], "email": "Bad"}},
            ],
        }
    )
    assert [c.id for c in result.contacts] == [10]
    assert result.errors[0].contact_index == 1
    assert result.errors[0].messages() == ["first_name: Please enter a first name.", "email: Bad"]


def test_order_details_money_and_items():
    details = OrderDetails.from_json(
        {
            "id": 8,
            "grand_total": "41.50",
            "sales_tax_percent": 7,
            "payment": {"is_paid": 1, "currency": "USD"},
            "items": [
                {
                    "photo": {"id": 2, "name": "a.jpg"},
                    "product": {"quantity": "2", "unit_price": "10.00", "addons": [{"label": "Mount", "price": "5"}]},
                },
                {"photo": None, "product": [{"item_name": "USB"}, {"item_name": "Box"}]},
            ],
            "refund_transaction": [],
        }
    )
    assert details.grand_total == Decimal("41.50") and details.sales_tax_percent == Decimal(7)
    assert details.payment.is_paid is True and details.refund_transaction is None
    assert details.items[0].products[0].addons[0].price == Decimal(5)
    assert [p.item_name for p in details.items[1].products] == ["USB", "Box"] and details.items[1].photo is None


def test_invoice_total_and_client_contact():
    invoice = Invoice.from_json(
        {
            "id": 1,
            "items": [{"price": "100", "quantity": 2}, {"price": "25.5"}],
            "client_contact": {"id": 4, "first_name": "Ann"},
        }
    )
    assert invoice.total == Decimal("225.5") and invoice.client_contact.first_name == "Ann"


def test_page_fills_in_what_the_server_left_out():
    page = Page.from_json({"photos": [{"id": 1}, {"id": 2}]}, "photos", Photo.from_json)
    assert (page.page, page.results_returned, page.total_pages, page.total_results) == (1, 2, 1, 2)
    assert not page.has_next
    with pytest.raises(BadResponseError, match="'photos' is missing"):
        Page.from_json({"page": 1}, "photos", Photo.from_json)


def test_studio_info_is_tolerant():
    info = StudioInfo.from_json({"name": "Lumen", "plan": {"type": "Pro", "used": "10", "allowed": None}, "x": 1})
    assert info.plan.used == 10 and info.plan.remaining is None and info.user is None
