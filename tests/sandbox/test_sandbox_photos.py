"""Uploads land as the exact bytes sent, the plan limit holds, renditions are real JPEGs."""

from __future__ import annotations

import concurrent.futures
import html
import io
import os
import re

import httpx
from PIL import Image


def test_upload_stores_the_exact_bytes_and_reads_only_the_header(sp, jpeg):
    event_id = sp.ids["event_empty"]
    content = jpeg(320, 200)
    response = sp.upload(event_id, content, "Bride & Groom (1).jpg")
    body = response.json()
    assert response.status_code == 200 and body["stat"] == "ok"
    assert body["photos_used"] == 262 and body["photos_allowed"] == 25_000
    photo_id = body["photo_id"]
    assert sp.studio.photo_file(photo_id).read_bytes() == content
    info = sp.ok("sp.photo.info", photo_id=photo_id)
    assert (info["name"], info["width"], info["height"], info["mime_type"]) == (
        "Bride & Groom (1).jpg",
        320,
        200,
        "image/jpeg",
    )
    event = sp.ok("sp.event.info", event_id=event_id)["event"]
    assert event["photo_count"] == 1
    assert sp.ok("sp.event.photo_exists", event_id=event_id, photo_name="Bride & Groom (1).jpg")["photo_exists"]
    assert not list(sp.studio.storage.incoming.iterdir())


def test_exif_orientation_swaps_reported_dimensions(sp, jpeg):
    body = sp.upload(sp.ids["event_empty"], jpeg(300, 100, exif_orientation=6), "rotated.jpg").json()
    info = sp.ok("sp.photo.info", photo_id=body["photo_id"])
    assert (info["width"], info["height"]) == (100, 300)
    large = Image.open(io.BytesIO(sp.http.get(info["url"]["large"]).content))
    assert large.size == (100, 300)


def test_names_keep_accents_quotes_and_folders_are_dropped(sp, jpeg):
    event_id = sp.ids["event_empty"]
    for sent, stored in [
        ("Église – entrée №1.jpg", "Église – entrée №1.jpg"),
        ('say "cheese".jpg', 'say "cheese".jpg'),
        ("C:\\shoot\\DSC_1234.JPG", "DSC_1234.JPG"),
    ]:
        photo_id = sp.upload(event_id, jpeg(), sent).json()["photo_id"]
        assert sp.ok("sp.photo.info", photo_id=photo_id)["name"] == stored
        assert sp.ok("sp.event.photo_exists", event_id=event_id, photo_name=stored)["photo_exists"]


def test_same_name_in_the_same_event_is_allowed(sp, jpeg):
    event_id = sp.ids["event_empty"]
    first = sp.upload(event_id, jpeg(), "IMG_0001.jpg").json()["photo_id"]
    second = sp.upload(event_id, jpeg(), "IMG_0001.jpg").json()["photo_id"]
    assert first != second
    assert [p.name for p in sp.studio.photos(event_id)] == ["IMG_0001.jpg", "IMG_0001.jpg"]


def test_upload_into_an_album(sp, jpeg):
    album_id = sp.ids["album_level4"]
    photo_id = sp.upload(sp.ids["event_wedding"], jpeg(), "ring.jpg", album_id=album_id).json()["photo_id"]
    assert sp.studio.count_photos(album_id=album_id) == 6
    assert sp.ok("sp.album.info", album_id=album_id)["album"]["photo_count"] == 6
    assert sp.ok("sp.event.photo_exists", event_id=sp.ids["event_wedding"], photo_name="ring.jpg", album_id=album_id)[
        "photo_exists"
    ]
    assert photo_id in [p["id"] for p in sp.ok("sp.album.get_photos", album_id=album_id)["photos"]]
    response = sp.upload(sp.ids["event_family"], jpeg(), "x.jpg", album_id=album_id)
    assert response.status_code == 400 and "album_id" in response.json()["validation_errors"]


def test_files_that_are_not_jpeg_are_refused(shared_sp, jpeg):
    sp = shared_sp
    event_id = sp.ids["event_empty"]
    png = io.BytesIO()
    Image.new("RGB", (10, 10)).save(png, "PNG")
    for content, name in [
        (png.getvalue(), "fake.jpg"),
        (b"hello", "notes.jpg"),
        (b"", "empty.jpg"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 40, "broken.jpg"),
    ]:
        response = sp.upload(event_id, content, name)
        body = response.json()
        assert response.status_code == 400, name
        assert "not a valid image" in body["validation_errors"]["photo"][0]
    assert sp.studio.count_photos(event_id) == 0
    assert not list(sp.studio.storage.incoming.iterdir())


def test_upload_needs_the_photo_field_and_post(shared_sp, jpeg):
    sp = shared_sp
    body = sp.fail("sp.photo.upload", 400, verb="POST", event_id=sp.ids["event_empty"])
    assert "photo" in body["validation_errors"]
    assert sp.fail("sp.photo.upload", 405, event_id=sp.ids["event_empty"])["code"] == 405
    response = sp.post(
        "sp.photo.upload", files={"picture": ("a.jpg", jpeg(), "image/jpeg")}, event_id=sp.ids["event_empty"]
    )
    assert response.status_code == 400 and "photo" in response.json()["validation_errors"]
    assert sp.upload(1, jpeg()).status_code == 404


def test_plan_limit_is_reported_and_enforced(sp, jpeg):
    event_id = sp.ids["event_empty"]
    sp.studio.set_plan_limit(262)
    body = sp.upload(event_id, jpeg(), "last.jpg").json()
    assert (body["photos_used"], body["photos_allowed"]) == (262, 262)
    plan = sp.ok("sp.studio.info")["plan"]
    assert (plan["used"], plan["allowed"]) == (262, 262)
    response = sp.upload(event_id, jpeg(), "one-too-many.jpg")
    failure = response.json()
    assert response.status_code == 400
    assert failure["stat"] == "fail" and failure["code"] == "limit_reached"
    assert sp.studio.count_photos(event_id) == 1
    sp.ok("sp.photo.delete", verb="POST", photo_id=sp.ids["photo_first"])
    assert sp.upload(event_id, jpeg(), "fits-again.jpg").status_code == 200
    sp.studio.set_plan_limit(None)
    assert sp.ok("sp.studio.info")["plan"]["allowed"] is None


def test_the_upgrade_scope_lifts_the_limit_instead(sp, jpeg):
    sp.studio.set_plan_limit(261)
    token = sp.studio.issue_token(scopes=["sp.photo.upload", "sp.account.upgrade"]).access_token
    files = {"photo": ("up.jpg", jpeg(), "image/jpeg")}
    body = sp.post("sp.photo.upload", token=token, files=files, event_id=sp.ids["event_empty"]).json()
    assert body["stat"] == "ok" and body["photos_allowed"] == 1_000 and body["photos_used"] == 262


def test_watermark_choice(sp, jpeg):
    event_b2 = sp.ids["event_newborn"]
    default = sp.upload(event_b2, jpeg(), "a.jpg").json()["photo_id"]
    none = sp.upload(event_b2, jpeg(), "b.jpg", watermark_id="no").json()["photo_id"]
    with sp.studio.db.read() as c:
        marks = dict(c.execute("SELECT id, watermark_id FROM photos WHERE id IN (?, ?)", (default, none)).fetchall())
    assert marks == {default: sp.ids["watermark_b2"], none: None}
    response = sp.upload(event_b2, jpeg(), "c.jpg", watermark_id=sp.ids["watermark_b1"])
    assert response.status_code == 400 and "watermark_id" in response.json()["validation_errors"]
    wm = sp.ok("sp.watermark.get_list", brand_id=sp.ids["brand_second"])
    assert wm["apply_default_to_new_uploads"] is True
    assert [w["id"] for w in wm["watermarks"] if w["is_default"]] == [sp.ids["watermark_b2"]]


def test_large_upload_streams_to_disk(sp, tmp_path):
    big = tmp_path / "big.jpg"
    with open(big, "wb") as f:
        f.write(_jpeg_with_padding(55 * 1024 * 1024))
    with open(big, "rb") as f:
        response = sp.post(
            "sp.photo.upload", files={"photo": ("big.jpg", f, "image/jpeg")}, event_id=sp.ids["event_empty"]
        )
    assert response.status_code == 200, response.text
    stored = sp.studio.photo_file(response.json()["photo_id"])
    assert stored.stat().st_size == big.stat().st_size
    with open(big, "rb") as a, open(stored, "rb") as b:
        while chunk := a.read(1 << 20):
            assert chunk == b.read(1 << 20)


def _jpeg_with_padding(size: int) -> bytes:
    head = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(head, "JPEG")
    data = head.getvalue()
    return data + os.urandom(1024) * ((size - len(data)) // 1024)


def test_uploads_over_the_size_limit_are_refused(sp, jpeg):
    sp.studio.max_upload_bytes = 1000
    response = sp.upload(sp.ids["event_empty"], jpeg(200, 200) + b"\0" * 2000, "big.jpg")
    assert response.status_code == 400 and "limit" in response.json()["validation_errors"]["photo"][0]
    assert sp.studio.count_photos(sp.ids["event_empty"]) == 0


def test_photo_update_replaces_the_file_and_bumps_urls(sp, jpeg):
    photo_id = sp.ids["photo_first"]
    old_url = sp.ok("sp.photo.info", photo_id=photo_id)["url"]["medium"]
    assert sp.http.get(old_url).status_code == 200
    content = jpeg(90, 60, color=(0, 255, 0))
    body = sp.post("sp.photo.update", files={"photo": ("new.jpg", content, "image/jpeg")}, photo_id=photo_id).json()
    assert body["photo_id"] == photo_id and body["photos_used"] == 261
    info = sp.ok("sp.photo.info", photo_id=photo_id)
    assert (info["width"], info["height"], info["name"]) == (90, 60, "Bride & Groom (1).jpg")
    assert info["url"]["medium"] != old_url
    assert sp.studio.photo_file(photo_id).read_bytes() == content
    medium = Image.open(io.BytesIO(sp.http.get(info["url"]["medium"]).content)).convert("RGB")
    assert medium.size == (90, 60) and medium.getpixel((45, 30))[1] > 200


def test_photo_delete_add_and_remove_album(sp):
    photo_id = sp.ids["photo_first"]
    ceremony = sp.ids["album_ceremony"]
    sp.ok("sp.photo.add_to_album", verb="POST", album_id=ceremony, photo_id=photo_id)
    assert sp.ok("sp.album.info", album_id=ceremony)["album"]["photo_count"] == 21
    sp.ok("sp.photo.add_to_album", verb="POST", album_id=sp.ids["album_reception"], photo_id=photo_id)
    assert sp.ok("sp.album.info", album_id=ceremony)["album"]["photo_count"] == 20
    body = sp.fail("sp.photo.remove_from_album", 400, verb="POST", album_id=ceremony, photo_id=photo_id)
    assert "photo_id" in body["validation_errors"]
    sp.ok("sp.photo.remove_from_album", verb="POST", album_id=sp.ids["album_reception"], photo_id=photo_id)
    assert sp.studio.photos(sp.ids["event_wedding"])[0].album_id is None
    other_event_album = sp.ids["album_empty"]
    assert sp.fail("sp.photo.add_to_album", 400, verb="POST", album_id=other_event_album, photo_id=photo_id)
    deleted = sp.ok("sp.photo.delete", verb="POST", photo_id=photo_id)
    assert deleted["deleted"] is True and deleted["photo_id"] == photo_id
    assert sp.fail("sp.photo.info", 404, photo_id=photo_id)
    assert sp.fail("sp.photo.delete", 404, verb="POST", photo_id=photo_id)


def test_renditions_are_jpegs_of_the_right_size(shared_sp):
    sp = shared_sp
    info = sp.ok("sp.photo.info", photo_id=sp.photo(1))
    assert (info["width"], info["height"]) == (1800, 1200)
    for size, edge in [("small", 240), ("medium", 480), ("large", 1024), ("2x_large", 1800), ("original", 1800)]:
        response = sp.http.get(info["url"][size])
        assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
        image = Image.open(io.BytesIO(response.content))
        assert image.format == "JPEG" and max(image.size) == edge, size
    again = sp.http.get(info["url"]["small"])
    assert again.content == sp.http.get(info["url"]["small"]).content
    base, token = sp.server.url, {"access_token": sp.token}
    assert sp.http.get(f"{base}/media/photos/{info['id']}/v1/huge.jpg", params=token).status_code == 404
    assert sp.http.get(f"{base}/media/photos/1/v1/small.jpg", params=token).status_code == 404


def test_demo_photos_are_drawn_deterministically_on_first_use(sp, sandbox_factory):
    photo_id = sp.ids["photo_first"]
    assert not sp.studio.storage.photo_path(photo_id).exists()
    first = sp.studio.photo_file(photo_id).read_bytes()
    other = sandbox_factory("demo", name="other").studio.photo_file(photo_id).read_bytes()
    assert first == other and first[:3] == b"\xff\xd8\xff"


def test_cover_photo_from_the_gallery_or_uploaded(sp, jpeg):
    event_id = sp.ids["event_family"]
    photo = sp.studio.photos(event_id)[3]
    sizes = sp.ok("sp.cover_photo.set", verb="POST", event_id=event_id, photo_id=photo.id)["cover_photo"]["sizes"]
    assert set(sizes) == {"l", "xl"}
    assert sp.ok("sp.event.info", event_id=event_id)["event"]["cover_photo"]["id"] == photo.id
    other = sp.studio.photos(sp.ids["event_wedding"])[0].id
    assert (
        "photo_id"
        in sp.fail("sp.cover_photo.set", 400, verb="POST", event_id=event_id, photo_id=other)["validation_errors"]
    )
    album_id = sp.ids["album_level1"]
    files = {"photo": ("cover.jpg", jpeg(400, 300), "image/jpeg")}
    sizes = sp.post("sp.cover_photo.set", files=files, album_id=album_id).json()["cover_photo"]["sizes"]
    image = Image.open(io.BytesIO(sp.http.get(sizes["xl"]).content))
    assert image.format == "JPEG" and image.size == (400, 300)
    assert sp.ok("sp.album.info", album_id=album_id)["album"]["cover_photo_url"] == sizes["l"]
    sp.ok("sp.cover_photo.delete", verb="POST", album_id=album_id)
    assert sp.ok("sp.album.info", album_id=album_id)["album"]["cover_photo_url"] is None
    assert sp.http.get(sizes["xl"]).status_code == 404
    sp.ok("sp.cover_photo.delete", verb="POST", event_id=event_id)
    assert sp.ok("sp.event.info", event_id=event_id)["event"]["cover_photo"] is None
    assert sp.fail("sp.cover_photo.set", 400, verb="POST", event_id=event_id)
    assert sp.fail("sp.cover_photo.delete", 400, verb="POST")


def test_gallery_pages_and_home_are_served(sp):
    event = sp.ok("sp.event.info", event_id=sp.ids["event_family"])["event"]
    page = sp.http.get(event["view_url"])
    assert page.status_code == 200 and html.escape(event["name"]) in page.text and "<img" in page.text
    tile = re.search(r'<img src="([^"]+)"', page.text).group(1)
    assert sp.http.get(html.unescape(tile)).headers["content-type"] == "image/jpeg"
    home = sp.http.get(sp.ok("sp.studio.info")["homepage_url"])
    assert home.status_code == 200 and "Lumen &amp; Grain" in home.text
    token = {"access_token": sp.token}
    assert sp.http.get(f"{sp.server.url}/gallery/no-such-gallery", params=token).status_code == 404


def test_concurrent_uploads_all_land(sp, jpeg):
    event_id = sp.ids["event_empty"]

    def send(n: int) -> int:
        with httpx.Client(timeout=30) as client:
            files = {"photo": (f"IMG_{n:04d}.jpg", jpeg(50 + n, 40), "image/jpeg")}
            data = {"method": "sp.photo.upload", "access_token": sp.token, "event_id": str(event_id)}
            return client.post(sp.url, data=data, files=files).json()["photo_id"]

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        ids = list(pool.map(send, range(24)))
    assert len(set(ids)) == 24
    assert sorted(p.name for p in sp.studio.photos(event_id)) == [f"IMG_{n:04d}.jpg" for n in range(24)]
    assert sp.ok("sp.studio.info")["plan"]["used"] == 261 + 24


def test_a_photo_deleted_while_its_thumbnail_is_made_answers_404_and_leaves_no_files(sp, monkeypatch):
    """The gallery asks for thumbnails while a delete runs: the delete removes the row, then the files,
    and a request that had read the row resized (or sent) a file that was gone: a 500. It is a 404 now,
    and nothing is drawn again for a photo that is no more."""
    from studio_desktop.sandbox import media

    photo_id = sp.ids["photo_first"]
    url = sp.ok("sp.photo.info", photo_id=photo_id)["url"]["small"]
    real = media.make_rendition
    deleted = []

    def delete_first(source, dest, *args, **kwargs):
        if not deleted:  # the delete lands between the request's look at the row and its resize
            deleted.append(sp.ok("sp.photo.delete", photo_id=photo_id))
        return real(source, dest, *args, **kwargs)

    monkeypatch.setattr(media, "make_rendition", delete_first)
    response = sp.http.get(url)
    assert deleted and response.status_code == 404
    storage = sp.studio.state.storage
    assert not storage.photo_path(photo_id).exists()
    assert not storage.rendition_dir(photo_id).exists()
