"""OAuth: authorize page, code exchange, refresh rotation, expiry, redirect_uri=self; registered redirect
URIs only, a CSRF token on the approve form, and token answers in ShootProof's shape."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

CLIENT = "studio-desktop-tests"
CALLBACK = "http://127.0.0.1:8765/callback?from=app"
SCOPE = "sp.studio.info sp.event.get_list"


def authorize_params(**overrides):
    return {
        "response_type": "code",
        "client_id": CLIENT,
        "redirect_uri": CALLBACK,
        "scope": SCOPE,
        "state": "xyz-123",
        **overrides,
    }


TOKEN_FIELDS = {"stat", "access_token", "refresh_token", "token_type", "expires_in"}


def consent_form(sp, **overrides) -> dict[str, str]:
    """Open the authorize page the way a browser does (keeping its cookie); the form's hidden fields."""
    page = sp.http.get(f"{sp.server.oauth_url}/new", params=authorize_params(**overrides))
    assert page.status_code == 200, page.text[:300]
    return {
        html.unescape(k): html.unescape(v)
        for k, v in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page.text)
    }


def approve(sp, decision="approve", **overrides):
    return sp.http.post(f"{sp.server.oauth_url}/new", data={**consent_form(sp, **overrides), "decision": decision})


def code_from(response):
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    return location, parse_qs(location.query)


def exchange(sp, code, redirect_uri=CALLBACK, client_id=CLIENT):
    return sp.http.post(
        f"{sp.server.oauth_url}/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "client_id": client_id},
    )


def refresh(sp, refresh_token):
    return sp.http.post(
        f"{sp.server.oauth_url}/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": CLIENT},
    )


def test_authorize_page_shows_an_approve_form(sp):
    page = sp.http.get(f"{sp.server.oauth_url}/new", params=authorize_params())
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert 'method="post"' in page.text and 'value="approve"' in page.text
    assert "sp.event.get_list" in page.text and "Maya Okafor" in page.text
    assert 'name="state" value="xyz-123"' in page.text


def test_code_flow_with_state_and_single_use_codes(sp):
    location, query = code_from(approve(sp))
    assert f"{location.scheme}://{location.netloc}{location.path}" == "http://127.0.0.1:8765/callback"
    assert query["state"] == ["xyz-123"] and query["from"] == ["app"]
    code = query["code"][0]
    response = exchange(sp, code)
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    tokens = response.json()
    assert set(tokens) == TOKEN_FIELDS and tokens["stat"] == "ok"
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 14 * 24 * 3600
    assert tokens["access_token"] != tokens["refresh_token"]
    assert sp.get("sp.studio.info", token=tokens["access_token"]).status_code == 200
    assert sp.get("sp.brand.get_list", token=tokens["access_token"]).status_code == 403
    again = exchange(sp, code)
    assert again.status_code == 400
    assert again.json() == {
        "stat": "fail",
        "code": "invalid_grant",
        "msg": "The authorization code has already been used.",
    }


@pytest.mark.parametrize("change", [{"redirect_uri": "http://127.0.0.1:9/other"}, {"client_id": "someone-else"}])
def test_code_must_be_redeemed_by_the_same_client_and_redirect(sp, change):
    _, query = code_from(approve(sp))
    response = exchange(sp, query["code"][0], **change)
    assert response.status_code == 400 and response.json()["code"] == "invalid_grant"


def test_redirect_uri_self_shows_the_code_to_paste(sp):
    page = approve(sp, redirect_uri="self")
    assert page.status_code == 200
    code = re.search(r'<code id="authorization-code">([^<]+)</code>', page.text).group(1)
    tokens = exchange(sp, code, redirect_uri="self").json()
    assert sp.get("sp.studio.info", token=tokens["access_token"]).status_code == 200


def test_deny_and_bad_requests(sp):
    _, query = code_from(approve(sp, "deny"))
    assert query["error"] == ["access_denied"] and query["state"] == ["xyz-123"]
    _, query = code_from(sp.http.get(f"{sp.server.oauth_url}/new", params=authorize_params(scope="sp.nope")))
    assert query["error"] == ["invalid_scope"]
    _, query = code_from(sp.http.get(f"{sp.server.oauth_url}/new", params=authorize_params(response_type="token")))
    assert query["error"] == ["unsupported_response_type"]
    assert sp.http.get(f"{sp.server.oauth_url}/new", params=authorize_params(client_id="")).status_code == 400
    assert sp.http.get(f"{sp.server.oauth_url}/new", params=authorize_params(redirect_uri="")).status_code == 400
    bad_grant = sp.http.post(f"{sp.server.oauth_url}/token", data={"grant_type": "password"})
    assert bad_grant.status_code == 400 and bad_grant.json()["code"] == "unsupported_grant_type"
    missing = sp.http.post(f"{sp.server.oauth_url}/token", data={"grant_type": "authorization_code"})
    assert missing.json()["stat"] == "fail" and missing.json()["code"] == "invalid_request"


def test_refresh_rotates_the_refresh_token(sp):
    _, query = code_from(approve(sp))
    first = exchange(sp, query["code"][0]).json()
    second = refresh(sp, first["refresh_token"])
    assert second.status_code == 200
    second = second.json()
    assert second["refresh_token"] != first["refresh_token"] and second["access_token"] != first["access_token"]
    assert set(second) == TOKEN_FIELDS
    assert sp.get("sp.brand.get_list", token=second["access_token"]).status_code == 403  # same scope as before
    reused = refresh(sp, first["refresh_token"])
    assert reused.status_code == 400 and reused.json()["code"] == "invalid_grant"
    assert sp.get("sp.studio.info", token=second["access_token"]).status_code == 200
    assert refresh(sp, second["refresh_token"]).status_code == 200
    assert [outcome for grant, outcome in sp.studio.oauth_log if grant == "refresh_token"] == [
        "issued",
        "invalid_grant",
        "issued",
    ]


def test_access_tokens_expire_and_refresh_restores_access(sp):
    sp.studio.access_token_lifetime = 60
    _, query = code_from(approve(sp))
    tokens = exchange(sp, query["code"][0]).json()
    assert tokens["expires_in"] == 60
    assert sp.get("sp.studio.info", token=tokens["access_token"]).status_code == 200
    sp.studio.advance_clock(61)
    expired = sp.get("sp.studio.info", token=tokens["access_token"])
    assert expired.status_code == 401 and "expired" in expired.json()["msg"]
    fresh = refresh(sp, tokens["refresh_token"]).json()
    assert sp.get("sp.studio.info", token=fresh["access_token"]).status_code == 200


def test_issued_tokens_and_hooks(sp):
    issued = sp.studio.issue_token(lifetime_seconds=5)
    assert "access_token" not in repr(issued) and issued.access_token not in repr(issued)
    assert sp.get("sp.studio.info", token=issued.access_token).status_code == 200
    assert sp.studio.expire_token(issued.access_token)
    assert sp.get("sp.studio.info", token=issued.access_token).status_code == 401
    other = sp.studio.issue_token()
    assert sp.studio.revoke_token(other.refresh_token)
    assert sp.get("sp.studio.info", token=other.access_token).status_code == 401
    assert refresh(sp, other.refresh_token).status_code == 400


def test_codes_expire_after_ten_minutes(sp):
    _, query = code_from(approve(sp))
    sp.studio.advance_clock(601)
    response = exchange(sp, query["code"][0])
    assert response.status_code == 400 and "expired" in response.json()["msg"]


def test_demo_token_survives_restarts_and_is_remade_after_deauthorize(sandbox_factory, tmp_path, http):
    first = sandbox_factory("demo", name="kept")
    token = first.access_token
    first.stop()
    second = sandbox_factory("demo", name="kept")
    assert second.access_token == token
    url = second.shootproof_api_url
    assert http.post(url, data={"method": "sp.auth.deauthorize", "access_token": token}).status_code == 200
    second.stop()
    third = sandbox_factory("demo", name="kept")
    assert third.access_token != token
    assert (
        http.get(
            third.shootproof_api_url, params={"method": "sp.studio.info", "access_token": third.access_token}
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example/callback",
        "http://evil.example:8765/callback",
        "http://127.0.0.1.evil.example/cb",
        "http://user@127.0.0.1:8765/cb",
        "https://127.0.0.1:8765/cb",
        "myapp://callback",
        "javascript:alert(1)",
        "http://127.0.0.1:notaport/cb",
        "http://127.0.0.1:8765/cb#frag",
        "/relative",
    ],
)
def test_unregistered_redirect_uris_are_refused_and_never_followed(sp, redirect_uri):
    page = sp.http.get(f"{sp.server.oauth_url}/new", params=authorize_params(redirect_uri=redirect_uri))
    assert page.status_code == 400 and "location" not in page.headers
    assert "not registered" in page.text and "approve" not in page.text
    posted = sp.http.post(
        f"{sp.server.oauth_url}/new", data={**authorize_params(redirect_uri=redirect_uri), "decision": "approve"}
    )
    assert posted.status_code == 400 and "location" not in posted.headers
    with sp.studio.db.read() as c:
        assert c.execute("SELECT COUNT(*) FROM oauth_codes").fetchone()[0] == 0


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://127.0.0.1:51234/cb",
        "http://localhost:8080/oauth/done?x=1",
        "http://[::1]:9000/cb",
        "http://127.0.0.1/cb",
    ],
)
def test_loopback_redirect_uris_on_any_port_are_accepted(sp, redirect_uri):
    location, query = code_from(approve(sp, redirect_uri=redirect_uri))
    assert location.geturl().startswith(redirect_uri.split("?")[0]) and query["code"]


def _post_form(sp, fields, **changes):
    return sp.http.post(f"{sp.server.oauth_url}/new", data={**fields, "decision": "approve", **changes})


def _codes(sp) -> int:
    with sp.studio.db.read() as c:
        return c.execute("SELECT COUNT(*) FROM oauth_codes").fetchone()[0]


def test_approve_without_the_forms_csrf_token_is_refused(sp):
    fields = consent_form(sp)
    token = fields["csrf_token"]
    altered = token[:-1] + ("0" if token[-1] != "0" else "1")
    for forged in (
        {k: v for k, v in fields.items() if k != "csrf_token"},
        {**fields, "csrf_token": "x.1.y"},
        {**fields, "csrf_token": altered},
    ):
        refused = sp.http.post(f"{sp.server.oauth_url}/new", data={**forged, "decision": "approve"})
        assert refused.status_code == 403 and "location" not in refused.headers
    assert _codes(sp) == 0
    assert [outcome for what, outcome in sp.studio.oauth_log if what == "authorize"] == ["csrf_refused"] * 3
    assert _post_form(sp, fields).status_code == 302  # the page's own form still works


def test_csrf_token_is_bound_to_the_browser_the_request_and_one_use(sp):
    fields = consent_form(sp)
    with httpx.Client(timeout=30) as other_browser:  # an attacker's page: the token, but not the victim's cookie
        stranger = other_browser.post(f"{sp.server.oauth_url}/new", data={**fields, "decision": "approve"})
        assert stranger.status_code == 403
    changed = _post_form(sp, fields, redirect_uri="http://127.0.0.1:1/elsewhere")
    assert changed.status_code == 403
    widened = _post_form(sp, fields, scope="sp.studio.info sp.event.delete")
    assert widened.status_code == 403
    assert _codes(sp) == 0
    assert _post_form(sp, fields).status_code == 302
    assert _post_form(sp, fields).status_code == 403  # used once already
    assert _codes(sp) == 1


def test_csrf_token_expires(sp):
    fields = consent_form(sp)
    sp.studio.advance_clock(3601)
    assert _post_form(sp, fields).status_code == 403
    assert _post_form(sp, consent_form(sp)).status_code == 302


def test_token_endpoint_failures_use_shootproofs_shape(sp):
    for form in (
        {"grant_type": "refresh_token", "refresh_token": "nope"},
        {"grant_type": "nope"},
        {"grant_type": "authorization_code", "code": "nope", "redirect_uri": "self", "client_id": CLIENT},
    ):
        answer = sp.http.post(f"{sp.server.oauth_url}/token", data=form)
        body = answer.json()
        assert answer.status_code == 400 and set(body) == {"stat", "code", "msg"}, body
        assert body["stat"] == "fail" and isinstance(body["code"], str) and body["msg"]
