"""Every ``sp.*`` method of the client against the sandbox studio, over real HTTP, with real files."""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import logging
from collections import Counter
from urllib.parse import urlsplit

import pytest
from imagegen import BLUE, make_jpeg, make_text_file

from studio_desktop.api.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    PlanLimitError,
    ValidationError,
)
from studio_desktop.api.models import Address, EventTree, Page
from studio_desktop.api.shootproof import METHODS, WRITE_METHODS, ShootProofClient
from studio_desktop.api.transport import UPLOAD_CHUNK, RetryPolicy
from studio_desktop.sandbox.registry import REGISTRY, load_handlers

pytestmark = pytest.mark.anyio

FAST = RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.01, total_time=10.0)


@pytest.fixture
async def client(sandbox):
    async with ShootProofClient(sandbox.shootproof_api_url, sandbox.access_token, retry=FAST) as client:
        yield client


def ids(sandbox) -> dict[str, int]:
    return sandbox.studio.demo_ids


# --- the method table -------------------------------------------------------


def test_methods_table_names_every_api_method_and_each_is_implemented():
    load_handlers()
    sp_names = [sp for sp, _ in METHODS]
    assert len(METHODS) == 54 and len(set(sp_names)) == 54
    assert set(sp_names) == set(REGISTRY)  # the sandbox serves the reference's methods
    for sp_name, python_name in METHODS:
        _, group, name = sp_name.split(".")
        assert python_name == f"{group}_{name}"
        assert inspect.iscoroutinefunction(getattr(ShootProofClient, python_name)), python_name
    assert set(sp_names) >= WRITE_METHODS
    post_only = {name for name, spec in REGISTRY.items() if spec.post_only}
    assert post_only <= WRITE_METHODS


async def test_every_method_is_exercised_against_the_sandbox(sandbox, client, tmp_path):
    """One tour through all 54 methods; the sandbox's request log proves each was called and answered."""
    d = ids(sandbox)
    brand = d["brand_default"]
    jpeg = make_jpeg(tmp_path / "IMG_9001.jpg", size=(120, 80))
    other = make_jpeg(tmp_path / "IMG_9002.jpg", size=(90, 60), color=BLUE)

    assert (await client.studio_info()).plan is not None
    await client.studio_set_setting("event_postback_url", "https://example.org/hook")
    assert await client.studio_get_setting("event_postback_url") == "https://example.org/hook"

    assert any(b.id == brand for b in await client.brand_get_list())
    assert (await client.brand_info(brand)).id == brand
    assert await client.brand_get_event_defaults(brand)
    assert (await client.brand_get_event_tree(brand)).events
    assert (await client.watermark_get_list(brand)).watermarks
    new_brand = await client.brand_create(
        "Tour Brand",
        "tour@example.org",
        {"address_1": "1 Main St", "city": "Chattanooga", "state": "TN", "country": "US", "zip_postal": "37401"},
    )

    category = await client.category_create("Tour")
    await client.category_rename(category.id, "Tour 2")
    assert any(c.id == category.id for c in await client.category_get_list())

    event = await client.event_create("Tour Event", brand_id=brand)
    await client.event_update(event.id, event_date="2025-06-02 00:00:00")
    await client.event_rename(event.id, "Tour Event Renamed")
    await client.event_set_access_level(event.id, "private_password", password="tour")
    await client.event_set_category(event.id, category.id)
    assert (await client.event_info(event.id)).name == "Tour Event Renamed"
    assert (await client.event_get_list(limit=5)).items

    album = await client.album_create(event.id, "Tour Album")
    child = await client.album_create(event.id, "Tour Child")
    await client.album_move(child.id, parent_id=album.id)
    await client.album_rename(child.id, "Tour Child 2")
    assert (await client.album_info(album.id)).id == album.id
    assert (await client.album_get_list(event.id))[0].sub_albums

    uploaded = await client.photo_upload(event.id, jpeg, album_id=album.id)
    assert await client.event_photo_exists(event.id, photo_name="IMG_9001.jpg")
    assert (await client.event_get_photos(event.id)).total_results == 1
    assert (await client.album_get_photos(album.id)).total_results == 1
    await client.photo_update(uploaded.photo_id, other)
    assert (await client.photo_info(uploaded.photo_id)).width == 90
    await client.photo_add_to_album(child.id, uploaded.photo_id)
    await client.photo_remove_from_album(child.id, uploaded.photo_id)
    await client.cover_photo_set(event_id=event.id, photo_id=uploaded.photo_id)
    await client.cover_photo_delete(event_id=event.id)

    contact = await client.contact_create(brand, "Tour", "tour.contact@example.org")
    await client.contact_update(contact.id, brand, "Tour", "tour.contact@example.org", last_name="Guide")
    assert (await client.contact_info(contact_id=contact.id))[0].last_name == "Guide"
    await client.event_set_contact(event.id, contact.id)
    assert [e.id for e in await client.contact_get_event_list(contact.id)] == [event.id]
    bulk = await client.contact_bulk_create([{"brand_id": brand, "first_name": "Bulk", "email": "bulk@example.org"}])
    assert bulk.num_contacts_created == 1

    wedding = d["event_wedding"]
    visitors = await client.event_gallery_visitors(wedding)
    await client.event_gallery_visitor_photos(wedding, visitors[0].email_address)
    await client.event_bulk_email_add(event.id, ["guest@example.org"])

    apps = await client.mobile_app_get_list()
    await client.mobile_app_get_photos(apps.items[0].id)
    orders = await client.order_get_list()
    await client.order_get_details(orders.items[0].id)
    invoices = await client.invoice_get_list()
    await client.invoice_info(invoices.items[0].id)

    await client.photo_delete(uploaded.photo_id)
    await client.album_delete(child.id)
    await client.contact_delete(contact.id)
    await client.event_delete(event.id)
    await client.auth_deauthorize()
    assert new_brand.id and bulk

    calls = sandbox.studio.calls
    answered = Counter(record.method for record in calls if record.status == 200)
    missing = [sp for sp, _ in METHODS if answered[sp] == 0]
    assert missing == []
    for record in calls:
        assert record.verb == ("POST" if record.method in WRITE_METHODS else "GET"), record


# --- studio and brands ------------------------------------------------------


async def test_studio_info_and_settings(sandbox, client):
    info = await client.studio_info()
    used, allowed = sandbox.studio.plan()
    assert info.name and info.user and info.user.first_name
    assert (info.plan.used, info.plan.allowed) == (used, allowed)
    await client.studio_set_setting("order_postback_url", "https://example.org/orders")
    assert await client.studio_get_setting("order_postback_url") == "https://example.org/orders"
    with pytest.raises(ValidationError):
        await client.studio_get_setting("no_such_setting")


async def test_brands(sandbox, client):
    d = ids(sandbox)
    brands = await client.brand_get_list()
    assert {d["brand_default"], d["brand_second"], d["brand_third"]} <= {b.id for b in brands}
    assert [b.id for b in brands if b.is_default] == [d["brand_default"]]
    info = await client.brand_info(d["brand_second"])
    assert info.name == "Little Sprouts Portraits"
    defaults = await client.brand_get_event_defaults(d["brand_default"])
    assert d["defaults_wedding"] in {x.id for x in defaults} and any(x.is_default for x in defaults)
    watermarks = await client.watermark_get_list(d["brand_default"])
    assert watermarks.default is not None and watermarks.default.id == d["watermark_b1"]

    created = await client.brand_create(
        "Harbor Light Studio",
        "hello@harborlight.example",
        {"address_1": "9 Pier Rd", "city": "Portland", "state": "ME", "country": "US", "zip_postal": "04101"},
        phone="207-555-0100",
        website="https://harborlight.example",
    )
    assert created.name == "Harbor Light Studio" and created.address.city == "Portland"
    assert (await client.brand_info(created.id)).name == "Harbor Light Studio"
    with pytest.raises(NotFoundError):
        await client.brand_info(999_999_999)


async def test_brand_create_validation_errors_name_each_field(client):
    with pytest.raises(ValidationError) as caught:
        await client.brand_create("", "", {"address_1": "", "city": "X", "country": "US", "zip_postal": "1"})
    error = caught.value
    assert error.http_status == 400 and error.code == 400
    assert {"name", "email"} <= set(error.validation_errors)
    assert all(error.validation_errors[field] for field in error.validation_errors)


async def test_event_tree_holds_nested_albums(sandbox, client):
    d = ids(sandbox)
    tree = await client.brand_get_event_tree(d["brand_default"])
    assert isinstance(tree, EventTree) and tree.brand_id == d["brand_default"]
    wedding = tree.event(d["event_wedding"])
    assert wedding is not None
    album_ids = [a.id for a in wedding.walk_albums()]
    for level in ("album_level1", "album_level2", "album_level3", "album_level4"):
        assert d[level] in album_ids
    level1 = next(a for a in wedding.albums if a.id == d["album_level1"])
    assert level1.sub_albums[0].sub_albums[0].sub_albums[0].id == d["album_level4"]
    assert tree.event(d["event_b3"]) is None  # another brand's event


# --- events -----------------------------------------------------------------


async def test_event_lists_page_and_iterate(sandbox, client):
    first = await client.event_get_list(limit=3)
    assert isinstance(first, Page) and first.page == 1 and len(first.items) == 3
    assert first.total_pages == -(-first.total_results // 3)
    everything = [e async for e in client.iter_events(limit=3)]
    assert len(everything) == first.total_results
    assert len({e.id for e in everything}) == len(everything)
    with_archived = [e async for e in client.iter_events(include_archived=True, limit=50)]
    assert ids(sandbox)["event_archived"] in {e.id for e in with_archived}
    assert ids(sandbox)["event_archived"] not in {e.id for e in everything}
    by_brand = [e async for e in client.iter_events(brand_id=ids(sandbox)["brand_third"])]
    assert by_brand and all(e.brand_id == ids(sandbox)["brand_third"] for e in by_brand)
    by_name = await client.event_get_list(order_by="name", limit=100)
    names = [e.name.lower() for e in by_name.items]
    assert names == sorted(names)


async def test_event_lifecycle(sandbox, client):
    d = ids(sandbox)
    event = await client.event_create(
        "Okafor Family Session", brand_id=d["brand_second"], url_slug="okafor-2025", event_date="2025-05-03 15:00:00"
    )
    assert event.name == "Okafor Family Session" and event.brand_id == d["brand_second"]
    assert event.url_slug == "okafor-2025" and urlsplit(event.view_url).path.endswith("/okafor-2025")
    info = await client.event_info(event.id)
    assert info.event_date.startswith("2025-05-03") and info.photo_count == 0

    renamed = await client.event_rename(event.id, "Okafor Family — Fall")
    assert renamed.name == "Okafor Family — Fall"
    updated = await client.event_update(event.id, url_slug="")
    assert updated.url_slug is None and urlsplit(updated.view_url).path.endswith(f"/{event.id}")
    private = await client.event_set_access_level(event.id, "private_password", password="leaves")
    assert private.password == "leaves"
    with pytest.raises(ValidationError):
        await client.event_set_access_level(event.id, "open_to_everyone")

    category = await client.category_create("Families 2025")
    assert (await client.event_set_category(event.id, category.id)).category_id == category.id
    assert (await client.category_rename(category.id, "Families")).name == "Families"
    assert "Families" in {c.name for c in await client.category_get_list()}

    assert await client.event_delete(event.id) == event.id
    with pytest.raises(NotFoundError):
        await client.event_info(event.id)


async def test_duplicate_url_slug_is_a_conflict(client):
    await client.event_create("First", url_slug="smith-wedding-2025")
    with pytest.raises(ConflictError) as caught:
        await client.event_create("Second", url_slug="smith-wedding-2025")
    assert caught.value.http_status == 409 and "smith-wedding-2025" in caught.value.msg


async def test_only_empty_delete_keeps_a_gallery_with_photos(sandbox, client):
    d = ids(sandbox)
    with pytest.raises(ValidationError):
        await client.event_delete(d["event_family"], only_empty=True)
    assert (await client.event_info(d["event_family"])).id == d["event_family"]
    assert await client.event_delete(d["event_empty"], only_empty=True) == d["event_empty"]


async def test_event_contact_visitors_and_emails(sandbox, client):
    d = ids(sandbox)
    wedding = d["event_wedding"]
    visitors = await client.event_gallery_visitors(wedding)
    harper = next(v for v in visitors if v.email_address == "harper.lewis@example.com")
    assert harper.favorites == 12 and harper.event_id == wedding
    photos = await client.event_gallery_visitor_photos(wedding, "harper.lewis@example.com")
    assert len(photos.favorites) == 12
    assert {label.name: len(label.photos) for label in photos.labeled} == {"Album picks": 8, "Print": 3}

    result = await client.event_bulk_email_add(wedding, ["new.guest@example.org", "not an email", "x@example.com"])
    assert (result.num_email_addresses_submitted, result.num_email_addresses_added) == (3, 2)

    contact = await client.contact_create(d["brand_default"], "Lena", "lena@example.org")
    assert await client.event_set_contact(wedding, contact.id) == contact.id
    assert (await client.event_info(wedding)).contact_id == contact.id
    assert await client.event_set_contact(wedding, None) is None
    assert (await client.event_info(wedding)).contact_id is None


# --- albums -----------------------------------------------------------------


async def test_albums_nest_move_rename_and_delete(sandbox, client):
    event = await client.event_create("Album Test")
    top = await client.album_create(event.id, "Ceremony", password="rings")
    assert top.password == "rings" and top.parent_id is None
    chain = [top]
    for name in ("Level 2", "Level 3", "Level 4"):
        chain.append(await client.album_create(event.id, name, parent_id=chain[-1].id))
    with pytest.raises(ValidationError):  # albums nest at most four levels
        await client.album_create(event.id, "Level 5", parent_id=chain[-1].id)

    albums = await client.album_get_list(event.id)
    assert [a.id for a in albums[0].walk()] == [a.id for a in chain]

    moved = await client.album_move(chain[3].id, parent_id=top.id)
    assert moved.parent_id == top.id
    to_top = await client.album_move(chain[3].id)
    assert to_top.parent_id is None
    assert (await client.album_rename(to_top.id, "Portraits")).name == "Portraits"
    info = await client.album_info(to_top.id)
    assert info.name == "Portraits" and info.view_url

    await client.album_delete(to_top.id)
    with pytest.raises(NotFoundError):
        await client.album_info(to_top.id)
    with pytest.raises(NotFoundError):
        await client.album_get_list(999_999_999)


async def test_album_photos_page_and_iterate(sandbox, client):
    ceremony = ids(sandbox)["album_ceremony"]
    page = await client.album_get_photos(ceremony, limit=7)
    assert len(page.items) == min(7, page.total_results) and page.total_results > 7
    everything = [p async for p in client.iter_album_photos(ceremony, limit=7)]
    assert len(everything) == page.total_results == sandbox.studio.count_photos(album_id=ceremony)
    assert all(p.url.original or p.url.large for p in everything)


# --- photos -----------------------------------------------------------------


async def test_upload_streams_the_file_and_reports_progress(sandbox, client, tmp_path):
    event = await client.event_create("Upload Test")
    album = await client.album_create(event.id, "Picks")
    path = make_jpeg(tmp_path / "IMG_4242.jpg", size=(300, 200), min_bytes=UPLOAD_CHUNK * 2 + 400_000)
    progress: list[int] = []
    result = await client.photo_upload(
        event.id, path, album_id=album.id, watermark_id="no", on_progress=progress.append
    )

    size = path.stat().st_size
    assert progress and progress[-1] == size and progress == sorted(progress) and len(progress) > 1
    assert result.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    stored = sandbox.studio.photos(event_id=event.id)
    assert [(p.id, p.name, p.album_id) for p in stored] == [(result.photo_id, "IMG_4242.jpg", album.id)]
    assert sandbox.studio.photo_file(result.photo_id).read_bytes() == path.read_bytes()
    assert result.photos_used == sandbox.studio.plan()[0]

    assert await client.event_photo_exists(event.id, photo_name="IMG_4242.jpg")
    assert await client.event_photo_exists(event.id, photo_name="IMG_4242.jpg", album_id=album.id)
    assert await client.event_photo_exists(event.id, photo_id=result.photo_id)
    assert not await client.event_photo_exists(event.id, photo_name="IMG_0000.jpg")
    with pytest.raises(ValueError):
        await client.event_photo_exists(event.id)

    info = await client.photo_info(result.photo_id)
    assert (info.id, info.name, info.width, info.height) == (result.photo_id, "IMG_4242.jpg", 300, 200)
    assert info.mime_type == "image/jpeg" and info.url.best()


async def test_upload_from_an_open_file_with_a_chosen_name(sandbox, client, tmp_path):
    event = await client.event_create("Fileobj Upload")
    path = make_jpeg(tmp_path / "camera-dump.bin")
    with path.open("rb") as handle:
        result = await client.photo_upload(event.id, handle, file_name="DSC_0007.jpg")
    assert [p.name for p in sandbox.studio.photos(event_id=event.id)] == ["DSC_0007.jpg"]
    assert result.photo_id


class ReadRecorder:
    """A file that notes each read: uploads must stream in chunks, never read the whole file at once."""

    def __init__(self, handle):
        self.handle, self.sizes, self.name = handle, [], handle.name

    def read(self, size=-1):
        data = self.handle.read(size)
        self.sizes.append((size, len(data)))
        return data

    def seek(self, *args):
        return self.handle.seek(*args)

    def tell(self):
        return self.handle.tell()

    def fileno(self):
        return self.handle.fileno()

    def seekable(self):
        return True


async def test_uploads_stream_in_chunks_and_run_sixteen_at_once(sandbox, client, tmp_path):
    event = await client.event_create("Streaming")
    big = make_jpeg(tmp_path / "BIG_0001.jpg", min_bytes=1_000_000)
    with big.open("rb") as handle:
        recorder = ReadRecorder(handle)
        await client.photo_upload(event.id, recorder)
    assert all(0 < asked <= UPLOAD_CHUNK + 1 for asked, _ in recorder.sizes)
    assert sum(got for _, got in recorder.sizes) == big.stat().st_size

    paths = [make_jpeg(tmp_path / f"IMG_{n:04d}.jpg", size=(40 + n, 30)) for n in range(16)]
    results = await asyncio.gather(*(client.photo_upload(event.id, path) for path in paths))
    assert len({r.photo_id for r in results}) == 16
    stored = {p.name: p.width for p in sandbox.studio.photos(event_id=event.id)}
    assert stored == {"BIG_0001.jpg": stored["BIG_0001.jpg"], **{p.name: 40 + n for n, p in enumerate(paths)}}


async def test_upload_of_something_that_is_not_a_photo_is_refused(client, tmp_path):
    event = await client.event_create("Bad Upload")
    with pytest.raises(ValidationError) as caught:
        await client.photo_upload(event.id, make_text_file(tmp_path / "notes.jpg"))
    assert "photo" in caught.value.validation_errors


async def test_event_photos_page_and_iterate(sandbox, client):
    wedding = ids(sandbox)["event_wedding"]
    first = await client.event_get_photos(wedding, limit=25)
    assert first.total_results == sandbox.studio.count_photos(event_id=wedding) > 25
    walked = [p async for p in client.iter_event_photos(wedding, limit=25)]
    assert sorted(p.id for p in walked) == sorted(p.id for p in sandbox.studio.photos(event_id=wedding))
    assert len(walked) == len({p.id for p in walked})
    second = await client.event_get_photos(wedding, page=2, limit=25)
    assert second.page == 2 and not {p.id for p in second.items} & {p.id for p in first.items}


async def test_photo_album_membership_update_and_delete(sandbox, client, tmp_path):
    event = await client.event_create("Photo Ops")
    one = await client.album_create(event.id, "One")
    result = await client.photo_upload(event.id, make_jpeg(tmp_path / "a.jpg"))
    await client.photo_add_to_album(one.id, result.photo_id)
    assert [p.album_id for p in sandbox.studio.photos(event_id=event.id)] == [one.id]
    await client.photo_remove_from_album(one.id, result.photo_id)
    assert [p.album_id for p in sandbox.studio.photos(event_id=event.id)] == [None]

    replacement = make_jpeg(tmp_path / "b.jpg", size=(50, 70), color=BLUE)
    progress: list[int] = []
    updated = await client.photo_update(result.photo_id, replacement, on_progress=progress.append)
    assert updated.photo_id == result.photo_id and progress[-1] == replacement.stat().st_size
    assert updated.content_hash == hashlib.sha256(replacement.read_bytes()).hexdigest() != result.content_hash
    assert sandbox.studio.photo_file(result.photo_id).read_bytes() == replacement.read_bytes()
    assert ((await client.photo_info(result.photo_id)).width, sandbox.studio.photos(event_id=event.id)[0].version) == (
        50,
        2,
    )

    assert await client.photo_delete(result.photo_id) is True
    with pytest.raises(NotFoundError):
        await client.photo_info(result.photo_id)


async def test_cover_photos(sandbox, client, tmp_path):
    event = await client.event_create("Covers")
    album = await client.album_create(event.id, "A")
    photo = await client.photo_upload(event.id, make_jpeg(tmp_path / "c.jpg"))
    cover = await client.cover_photo_set(event_id=event.id, photo_id=photo.photo_id)
    assert cover.large and cover.x_large
    assert (await client.event_info(event.id)).cover_photo is not None

    uploaded_cover = await client.cover_photo_set(album_id=album.id, photo=make_jpeg(tmp_path / "cover.jpg"))
    assert uploaded_cover.large and (await client.album_info(album.id)).cover_photo_url

    await client.cover_photo_delete(album_id=album.id)
    assert (await client.album_info(album.id)).cover_photo_url is None
    await client.cover_photo_delete(event_id=event.id)
    assert (await client.event_info(event.id)).cover_photo is None
    with pytest.raises(ValueError):
        await client.cover_photo_set(event_id=event.id)


async def test_plan_limit_is_a_plan_limit_error(sandbox, client, tmp_path):
    used, _ = sandbox.studio.plan()
    sandbox.studio.set_plan_limit(used)
    event = await client.event_create("Full Plan")
    with pytest.raises(PlanLimitError) as caught:
        await client.photo_upload(event.id, make_jpeg(tmp_path / "full.jpg"))
    assert caught.value.code == "limit_reached"
    assert sandbox.studio.count_photos(event_id=event.id) == 0


# --- contacts ---------------------------------------------------------------


async def test_contacts_round_trip(sandbox, client):
    brand = ids(sandbox)["brand_default"]
    contact = await client.contact_create(
        brand,
        "Adaeze",
        "adaeze@example.org",
        last_name="Okafor",
        phone="404-555-0199",
        business_name="Okafor Events",
        notes="Prefers email",
        third_party_id="crm-77",
        tags=["family", "fall"],
        address={
            "address_1": "12 Peachtree St",
            "city": "Atlanta",
            "state": "GA",
            "country": "US",
            "zip_postal": "30303",
        },
    )
    assert contact.tags == ("family", "fall") and contact.brand_id == brand
    assert contact.address.city == "Atlanta" and contact.address.street_line_1 == "12 Peachtree St"

    by_id = await client.contact_info(contact_id=contact.id)
    by_email = await client.contact_info(contact_email="ADAEZE@example.org")
    assert by_id == by_email == [contact]

    edited_address = Address(
        street_line_1="99 Oak Ave", city="Decatur", state_province="GA", postal_code="30030", country="US"
    )
    updated = await client.contact_update(
        contact.id, brand, "Adaeze", "adaeze@example.org", last_name="Okafor-Lee", tags="family", address=edited_address
    )
    assert updated.last_name == "Okafor-Lee" and updated.tags == ("family",)
    assert (updated.address.street_line_1, updated.address.city, updated.address.postal_code) == (
        "99 Oak Ave",
        "Decatur",
        "30030",
    )

    event = await client.event_create("Okafor Session")
    await client.event_set_contact(event.id, contact.id)
    assert [e.id for e in await client.contact_get_event_list(contact.id)] == [event.id]

    assert await client.contact_delete(contact.id) == contact.id
    with pytest.raises(NotFoundError):
        await client.contact_info(contact_id=contact.id)


async def test_contact_validation_and_duplicates(sandbox, client):
    brand = ids(sandbox)["brand_default"]
    with pytest.raises(ValidationError) as caught:
        await client.contact_create(brand, "", "not-an-email")
    assert {"first_name", "email"} <= set(caught.value.validation_errors)
    await client.contact_create(brand, "Sam", "sam.dup@example.org")
    with pytest.raises(ValidationError) as duplicate:
        await client.contact_create(brand, "Sam", "sam.dup@example.org")
    assert "email" in duplicate.value.validation_errors


async def test_bulk_create_reports_errors_per_row(sandbox, client):
    brand = ids(sandbox)["brand_default"]
    result = await client.contact_bulk_create(
        [
            {
                "brand_id": brand,
                "first_name": "Joe",
                "last_name": "Shmoe",
                "email": "joe@example.org",
                "tags": ["wedding", "groom"],
                "address": {
                    "address_1": "123 Main Street",
                    "city": "Jacksonville",
                    "state": "FL",
                    "country": "US",
                    "zip_postal": "32099",
                },
            },
            {"brand_id": brand, "first_name": "", "last_name": "Bob", "email": "billy@example.org"},
            {"brand_id": brand, "first_name": "Ana", "email": "ana@example.org"},
        ]
    )
    assert (result.num_contacts_submitted, result.num_contacts_created, result.num_errors) == (3, 2, 1)
    assert [c.first_name for c in result.contacts] == ["Joe", "Ana"]
    assert result.contacts[0].tags == ("wedding", "groom") and result.contacts[0].address.city == "Jacksonville"
    assert [(e.contact_index, list(e.errors)) for e in result.errors] == [(1, ["first_name"])]
    with pytest.raises(ValueError):
        await client.contact_bulk_create([{"brand_id": brand, "first_name": "x", "email": "x@example.org"}] * 51)


# --- commerce ---------------------------------------------------------------


async def test_orders(sandbox, client):
    page = await client.order_get_list(limit=2)
    everything = [o async for o in client.iter_orders(limit=2)]
    assert len(everything) == page.total_results > 2
    first = ids(sandbox)["order_first"]
    details = await client.order_get_details(first)
    assert details.id == first and details.items and details.grand_total is not None
    assert details.items[0].photo is not None and details.items[0].products
    assert details.billing_address is not None and details.payment is not None
    wedding_orders = [o async for o in client.iter_orders(event_id=ids(sandbox)["event_wedding"])]
    assert wedding_orders and all(o.event_id == ids(sandbox)["event_wedding"] for o in wedding_orders)
    with pytest.raises(NotFoundError):
        await client.order_get_details(1)


async def test_invoices(sandbox, client):
    page = await client.invoice_get_list(limit=2)
    everything = [i async for i in client.iter_invoices(limit=2)]
    assert len(everything) == page.total_results >= 2
    first = await client.invoice_info(ids(sandbox)["invoice_first"])
    assert first.id == ids(sandbox)["invoice_first"] and first.items and first.client_contact is not None
    assert first.total is not None
    second_brand = [i async for i in client.iter_invoices(brand_id=ids(sandbox)["brand_second"])]
    assert all(i.brand_id == ids(sandbox)["brand_second"] for i in second_brand)


async def test_mobile_apps(sandbox, client):
    page = await client.mobile_app_get_list(limit=1)
    everything = [a async for a in client.iter_mobile_apps(limit=1)]
    assert len(everything) == page.total_results >= 1
    first = ids(sandbox)["mobile_app_first"]
    photos = await client.mobile_app_get_photos(first)
    app = next(a for a in everything if a.id == first)
    assert 0 < len(photos) <= 40 and app.num_photos == len(photos)
    assert all(p.url.small or p.url.medium or p.url.large for p in photos)


# --- authentication ---------------------------------------------------------


async def test_an_unknown_token_is_an_authentication_error(sandbox):
    async with ShootProofClient(sandbox.shootproof_api_url, "not-a-real-token-123456", retry=FAST) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.studio_info()
    assert caught.value.http_status == 401 and "not-a-real-token-123456" not in str(caught.value)


async def test_deauthorize_ends_the_token(sandbox):
    issued = sandbox.studio.issue_token()
    async with ShootProofClient(sandbox.shootproof_api_url, issued.access_token, retry=FAST) as client:
        await client.studio_info()
        await client.auth_deauthorize()
        with pytest.raises(AuthenticationError):
            await client.studio_info()


async def test_a_method_outside_the_granted_scope_is_refused(sandbox):
    issued = sandbox.studio.issue_token(scopes=["sp.studio.info"])
    async with ShootProofClient(sandbox.shootproof_api_url, issued.access_token, retry=FAST) as client:
        assert (await client.studio_info()).name
        with pytest.raises(PermissionDeniedError):
            await client.event_get_list()


async def test_a_server_refusing_pages_of_1000_is_walked_with_smaller_pages(sandbox, client, monkeypatch, caplog):
    from studio_desktop.sandbox import registry

    wedding = ids(sandbox)["event_wedding"]
    expected = sorted(p.id for p in sandbox.studio.photos(event_id=wedding))
    monkeypatch.setattr(registry, "MAX_LIMIT", 10)  # a server whose largest page is smaller than ours
    with pytest.raises(ValidationError):
        await client.event_get_photos(wedding, limit=1000)
    with caplog.at_level(logging.WARNING, logger="studio_desktop.api.shootproof"):
        walked = [p.id async for p in client.iter_event_photos(wedding, limit=1000)]
    assert len(expected) > 10 and sorted(walked) == expected and len(walked) == len(set(walked))
    assert "refused pages of 1000" in caplog.text
    sandbox.studio.clear_request_log()
    again = [p.id async for p in client.iter_event_photos(wedding, limit=1000)]
    assert sorted(again) == expected
    assert sandbox.studio.count_requests("sp.event.get_photos") == -(-len(expected) // 10), (
        "the page size the server took is remembered: no refused call first"
    )
