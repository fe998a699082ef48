"""Who may see what: media, gallery pages and the studio home only with a token or a signed, expiring
link from an API answer; password galleries and albums only after the password; photo ids that cannot
be counted; database files only their owner can read."""

from __future__ import annotations

import html
import itertools
import os
import re
import stat
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from studio_desktop.sandbox.db import PHOTO_IDS
from studio_desktop.sandbox.signing import LINK_LIFETIME


def _unsigned(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _with(url: str, **query) -> str:
    return f"{_unsigned(url)}?{urlencode(query)}"


def _signature(url: str) -> tuple[str, str]:
    query = parse_qs(urlsplit(url).query)
    return query["expires"][0], query["sig"][0]


@pytest.fixture
def photo(sp):
    return sp.ok("sp.photo.info", photo_id=sp.ids["photo_first"])


@pytest.mark.parametrize("size", ["small", "original"])
def test_media_needs_a_token_or_the_signed_link(sp, photo, size):
    url = photo["url"][size]
    signed = sp.http.get(url)
    assert signed.status_code == 200 and signed.headers["content-type"] == "image/jpeg"
    bare = sp.http.get(_unsigned(url))
    assert bare.status_code == 401 and bare.headers["www-authenticate"] == "Bearer"
    expires, sig = _signature(url)
    assert sp.http.get(_with(url, expires=expires, sig="0" * len(sig))).status_code == 403
    assert sp.http.get(_with(url, expires=str(int(expires) + 3600), sig=sig)).status_code == 403
    assert sp.http.get(_with(url, expires=expires)).status_code == 403
    assert sp.http.get(_unsigned(url), params={"access_token": sp.token}).status_code == 200
    assert sp.http.get(_unsigned(url), headers={"Authorization": f"Bearer {sp.token}"}).status_code == 200
    assert sp.http.get(_unsigned(url), params={"access_token": "not-a-token"}).status_code == 401


def test_a_signature_is_for_one_path_only(sp, photo):
    expires, sig = _signature(photo["url"]["small"])
    other = photo["url"]["original"]
    assert sp.http.get(_with(other, expires=expires, sig=sig)).status_code == 403
    neighbour = _unsigned(photo["url"]["small"]).replace(f"/{photo['id']}/", f"/{sp.photo(1)}/")
    assert sp.http.get(_with(neighbour, expires=expires, sig=sig)).status_code == 403


def test_signed_links_expire(sp, photo):
    url = photo["url"]["large"]
    assert sp.http.get(url).status_code == 200
    sp.studio.advance_clock(25 * 3600)
    expired = sp.http.get(url)
    assert expired.status_code == 403 and "expired" in expired.text
    fresh = sp.ok("sp.photo.info", photo_id=photo["id"])["url"]["large"]
    assert fresh != url and sp.http.get(fresh).status_code == 200


def test_links_stay_the_same_for_up_to_an_hour_so_caches_by_url_keep_working(sp, photo):
    expires = int(_signature(photo["url"]["small"])[0])
    unchanged_for = expires - LINK_LIFETIME - sp.studio.clock.now()
    assert 0 < unchanged_for <= 3600
    sp.studio.advance_clock(unchanged_for / 2)
    assert sp.ok("sp.photo.info", photo_id=photo["id"])["url"] == photo["url"]
    sp.studio.advance_clock(unchanged_for)
    later = sp.ok("sp.photo.info", photo_id=photo["id"])["url"]["small"]
    assert later != photo["url"]["small"] and _unsigned(later) == _unsigned(photo["url"]["small"])


def test_revoked_and_expired_tokens_open_no_media(sp, photo):
    issued = sp.studio.issue_token()
    url = _unsigned(photo["url"]["small"])
    assert sp.http.get(url, params={"access_token": issued.access_token}).status_code == 200
    sp.studio.revoke_token(issued.access_token)
    assert sp.http.get(url, params={"access_token": issued.access_token}).status_code == 401
    other = sp.studio.issue_token()
    sp.studio.expire_token(other.access_token)
    assert sp.http.get(url, params={"access_token": other.access_token}).status_code == 401


def test_covers_need_a_token_or_the_signed_link(sp, jpeg):
    event_id = sp.ids["event_kim"]
    files = {"photo": ("cover.jpg", jpeg(), "image/jpeg")}
    url = sp.post("sp.cover_photo.set", files=files, event_id=event_id).json()["cover_photo"]["sizes"]["l"]
    assert sp.http.get(url).status_code == 200
    assert sp.http.get(_unsigned(url)).status_code == 401


def test_home_page_needs_the_signed_link_and_lists_only_public_galleries(sp):
    home_url = sp.ok("sp.studio.info")["homepage_url"]
    assert sp.http.get(_unsigned(home_url)).status_code == 401
    home = sp.http.get(home_url)
    assert home.status_code == 200
    assert "Riverside 5K Fun Run" in home.text and "Harper &amp; Liam Wedding" in home.text  # public
    assert "Okafor Family Session" not in home.text and "Engagement" not in home.text  # private


def _form_action(page: str) -> str:
    return html.unescape(re.search(r"<form method='post' action='([^']+)'", page).group(1))


def test_password_gallery_asks_for_its_password_first(sp):
    view_url = sp.ok("sp.event.info", event_id=sp.ids["event_wedding"])["event"]["view_url"]
    assert sp.http.get(_unsigned(view_url)).status_code == 401
    asked = sp.http.get(view_url)
    assert asked.status_code == 401 and "type='password'" in asked.text and "<img" not in asked.text
    action = sp.server.url + _form_action(asked.text)
    wrong = sp.http.post(action, data={"password": "hl2024"})
    assert wrong.status_code == 401 and "wrong-password" in wrong.text and "<img" not in wrong.text
    right = sp.http.post(action, data={"password": "HL2024"})
    assert right.status_code == 303 and right.headers["location"] == view_url
    page = sp.http.get(view_url)
    assert page.status_code == 200 and "<img" in page.text
    tile = html.unescape(re.search(r'<img src="([^"]+)"', page.text).group(1))
    assert sp.http.get(tile).status_code == 200


def test_a_changed_password_locks_the_gallery_again(sp):
    event_id = sp.ids["event_engagement"]
    view_url = sp.ok("sp.event.info", event_id=event_id)["event"]["view_url"]
    asked = sp.http.get(view_url)
    assert asked.status_code == 401
    sp.http.post(sp.server.url + _form_action(asked.text), data={"password": "amor"})
    assert sp.http.get(view_url).status_code == 200
    sp.ok("sp.event.set_access_level", event_id=event_id, access_level="private_password", password="nuevo")
    assert sp.http.get(view_url).status_code == 401


def test_a_password_album_asks_for_its_own_password(sp):
    albums = sp.ok("sp.album.get_list", event_id=sp.ids["event_family"])["albums"]
    sunset = next(a for a in albums if a["name"] == "Sunset")
    beach = next(a for a in albums if a["name"] == "Beach")
    album_url = sp.ok("sp.album.info", album_id=sunset["id"])["album"]["view_url"]
    assert sp.http.get(sp.ok("sp.album.info", album_id=beach["id"])["album"]["view_url"]).status_code == 200
    asked = sp.http.get(album_url)
    assert asked.status_code == 401 and "Sunset" in asked.text
    sp.http.post(sp.server.url + _form_action(asked.text), data={"password": "golden"})
    assert sp.http.get(album_url).status_code == 200


def test_the_studio_owners_token_opens_password_galleries(sp):
    view_url = sp.ok("sp.event.info", event_id=sp.ids["event_school"])["event"]["view_url"]
    page = sp.http.get(_unsigned(view_url), headers={"Authorization": f"Bearer {sp.token}"})
    assert page.status_code == 200 and "Picture Day" in page.text


def test_gallery_links_expire_and_are_for_their_own_gallery(sp):
    family = sp.ok("sp.event.info", event_id=sp.ids["event_family"])["event"]["view_url"]
    newborn = sp.ok("sp.event.info", event_id=sp.ids["event_newborn"])["event"]["view_url"]
    expires, sig = _signature(family)
    assert sp.http.get(_with(newborn, expires=expires, sig=sig)).status_code == 403
    sp.studio.advance_clock(25 * 3600)
    assert sp.http.get(family).status_code == 403


def test_photo_ids_are_not_sequential_and_keep_upload_order(sp_empty, jpeg):
    sp = sp_empty
    event_id = sp.ok("sp.event.create", verb="POST", event_name="Ids")["event"]["id"]
    ids = [sp.upload(event_id, jpeg(), name=f"IMG_{n:04d}.jpg").json()["photo_id"] for n in range(12)]
    assert all(isinstance(i, int) and i in PHOTO_IDS for i in ids)
    gaps = {b - a for a, b in itertools.pairwise(ids)}
    assert len(set(ids)) == 12 and 1 not in gaps and ids != sorted(ids)
    listed = sp.ok("sp.event.get_photos", event_id=event_id)["photos"]
    assert [p["id"] for p in listed] == ids
    assert [p["name"] for p in listed] == [f"IMG_{n:04d}.jpg" for n in range(12)]


def test_deleted_photo_ids_are_never_given_again(sp_empty, jpeg):
    sp = sp_empty
    event_id = sp.ok("sp.event.create", verb="POST", event_name="Ids")["event"]["id"]
    first = sp.upload(event_id, jpeg()).json()["photo_id"]
    sp.ok("sp.photo.delete", verb="POST", photo_id=first)
    with sp.studio.db.read() as c:
        given = {r[0] for r in c.execute("SELECT id FROM photo_ids_given")}
    assert first in given


@pytest.mark.skipif(os.name != "posix", reason="file modes are a POSIX notion; Windows keeps profile ACLs")
def test_databases_are_private_to_their_owner(sp, jpeg):
    sp.upload(sp.ids["event_kim"], jpeg())  # writes the WAL
    sp.studio.pixieset.store.set_meta("touched", "1")
    root = sp.studio.data_dir
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    databases = sorted(p.name for p in root.iterdir() if ".sqlite3" in p.name)
    assert {"shootproof.sqlite3", "shootproof.sqlite3-wal", "pixieset.sqlite3", "pixieset.sqlite3-wal"} <= set(
        databases
    )
    for name in databases:
        assert stat.S_IMODE((root / name).stat().st_mode) == 0o600, name
    for folder in (p for p in root.iterdir() if p.is_dir()):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder.name


@pytest.mark.skipif(os.name != "posix", reason="file modes are a POSIX notion; Windows keeps profile ACLs")
def test_an_older_world_readable_sandbox_is_narrowed_on_start(sandbox_factory):
    first = sandbox_factory("demo", name="old")
    root = first.studio.data_dir
    first.stop()
    os.chmod(root, 0o755)
    for path in root.iterdir():
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    again = sandbox_factory("demo", name="old")
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    for path in root.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path.name
    again.stop()
