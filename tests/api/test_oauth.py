"""OAuth sign-in: the code flow against the sandbox's auth pages, refresh rotation, transparent refresh."""

from __future__ import annotations

import html
import logging
import re
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

from studio_desktop.api.errors import AuthenticationError, BadResponseError
from studio_desktop.api.oauth import (
    AuthorizationRequest,
    OAuthClient,
    OAuthError,
    OAuthInvalidGrantError,
    OAuthStateError,
    OAuthTokenProvider,
    Tokens,
)
from studio_desktop.api.shootproof import ShootProofClient
from studio_desktop.api.transport import RetryPolicy

pytestmark = pytest.mark.anyio

CLIENT_ID = "studio-desktop-tests"
SCOPE = ("sp.studio.info", "sp.event.get_list", "sp.event.create", "sp.auth.deauthorize")


# --- without a server -------------------------------------------------------


def test_authorize_url_carries_every_parameter_and_a_fresh_state():
    oauth = OAuthClient(
        CLIENT_ID, oauth_url="https://auth.example.test/oauth2/authorization", scope=SCOPE, http=httpx.AsyncClient()
    )
    first, second = oauth.start(), oauth.start(redirect_uri="http://127.0.0.1:8765/callback")
    url = urlsplit(first.url)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://auth.example.test/oauth2/authorization/new"
    assert query == {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": "self",
        "scope": " ".join(SCOPE),
        "state": first.state,
    }
    assert len(first.state) >= 20 and first.state != second.state
    assert parse_qs(urlsplit(second.url).query)["redirect_uri"] == ["http://127.0.0.1:8765/callback"]
    assert first.state not in repr(first)


def test_code_from_redirect_checks_state():
    request = AuthorizationRequest(url="x", state="expected-state", redirect_uri="http://127.0.0.1:1/cb")
    assert OAuthClient.code_from_redirect("http://127.0.0.1:1/cb?code=abc&state=expected-state", request) == "abc"
    with pytest.raises(OAuthStateError):
        OAuthClient.code_from_redirect("http://127.0.0.1:1/cb?code=abc&state=forged", request)
    with pytest.raises(OAuthStateError):
        OAuthClient.code_from_redirect("http://127.0.0.1:1/cb?code=abc", request)
    with pytest.raises(OAuthError, match="cancelled") as declined:
        OAuthClient.code_from_redirect("http://127.0.0.1:1/cb?error=access_denied&state=expected-state", request)
    assert declined.value.code == "access_denied"


def test_tokens_hide_their_secrets_and_round_trip():
    tokens = Tokens("access-SECRET-1234", "refresh-SECRET-5678", 1_700_000_000.0, ("sp.studio.info",))
    for text in (repr(tokens), str(tokens), repr(OAuthTokenProvider(object(), tokens))):
        assert "SECRET" not in text
    assert Tokens.from_dict(tokens.to_dict()) == tokens
    assert tokens.expires_within(60, now=1_700_000_000.0 - 30)
    assert not tokens.expires_within(60, now=1_700_000_000.0 - 600)
    with pytest.raises(ValueError):
        Tokens.from_dict({"refresh_token": "x"})


async def test_token_endpoint_errors_are_typed_and_redacted():
    def handler(request: httpx.Request) -> httpx.Response:
        form = parse_qs(request.content.decode())
        if form["grant_type"] == ["refresh_token"]:
            return httpx.Response(
                400,
                json={
                    "error": "invalid_grant",
                    "error_description": f"refresh token {form['refresh_token'][0]} revoked",
                },
            )
        if form["code"] == ["html"]:
            return httpx.Response(200, text="<html>login</html>")
        return httpx.Response(400, json={"error": "invalid_client", "error_description": "Unknown app"})

    oauth = OAuthClient(
        CLIENT_ID,
        oauth_url="https://auth.example.test/o",
        http=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )
    with pytest.raises(OAuthInvalidGrantError) as revoked:
        await oauth.refresh("refresh-SECRET-5678")
    assert isinstance(revoked.value, AuthenticationError)
    assert "refresh-SECRET-5678" not in str(revoked.value)
    with pytest.raises(OAuthError, match="Unknown app") as refused:
        await oauth.exchange_code("some-code")
    assert refused.value.code == "invalid_client"
    with pytest.raises(BadResponseError, match="web page"):
        await oauth.exchange_code("html")
    with pytest.raises(OAuthError, match="Paste the code"):
        await oauth.exchange_code("   ")
    await oauth.http.aclose()


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(
            {
                "stat": "ok",
                "access_token": "a-1",
                "refresh_token": "r-1",
                "token_type": "bearer",
                "expires_in": 1209600,
            },
            id="shootproof",
        ),
        pytest.param(
            {"access_token": "a-1", "refresh_token": "r-1", "token_type": "bearer", "expires_in": 1209600}, id="rfc6749"
        ),
    ],
)
async def test_token_answers_in_either_shape_are_read(answer):
    reply = httpx.MockTransport(lambda _: httpx.Response(200, json=answer))
    oauth = OAuthClient(
        CLIENT_ID,
        oauth_url="https://auth.example.test/o",
        scope=SCOPE,
        clock=lambda: 1000.0,
        http=httpx.AsyncClient(transport=reply),
    )
    tokens = await oauth.exchange_code("a-code")
    assert (tokens.access_token, tokens.refresh_token, tokens.expires_at) == ("a-1", "r-1", 1000.0 + 1209600)
    assert tokens.scope == SCOPE  # neither answer names a scope: the approved one is kept
    await oauth.http.aclose()


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(
            {"stat": "fail", "code": "invalid_grant", "msg": "The authorization code has expired."}, id="shootproof"
        ),
        pytest.param(
            {"error": "invalid_grant", "error_description": "The authorization code has expired."}, id="rfc6749"
        ),
    ],
)
async def test_token_refusals_in_either_shape_are_read(answer):
    reply = httpx.MockTransport(lambda _: httpx.Response(400, json=answer))
    oauth = OAuthClient(
        CLIENT_ID, oauth_url="https://auth.example.test/o", scope=SCOPE, http=httpx.AsyncClient(transport=reply)
    )
    with pytest.raises(OAuthInvalidGrantError, match="has expired") as refused:
        await oauth.exchange_code("a-code")
    assert refused.value.code == "invalid_grant"
    await oauth.http.aclose()


# --- against the sandbox ----------------------------------------------------


def _form_action_and_fields(page: str, base_url: str, button: str) -> tuple[str, dict[str, str]]:
    """The approve form on the authorize page: its action and its fields (hidden ones and the chosen button)."""
    forms = re.findall(r"<form\b([^>]*)>(.*?)</form>", page, re.IGNORECASE | re.DOTALL)
    assert forms, "the authorize page has no form"
    for attributes, body in forms:
        if button.lower() not in body.lower():
            continue
        action = re.search(r'action="([^"]*)"', attributes)
        fields: dict[str, str] = {}
        for tag in re.findall(r"<(?:input|button)\b[^>]*>", body, re.IGNORECASE):
            name = re.search(r'name="([^"]*)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            kind = re.search(r'type="([^"]*)"', tag)
            if not name:
                continue
            is_button = tag.lower().startswith("<button") or (kind and kind.group(1).lower() == "submit")
            if is_button and button.lower() not in (value.group(1).lower() if value else "") + tag.lower():
                continue
            fields[html.unescape(name.group(1))] = html.unescape(value.group(1)) if value else ""
        return urljoin(base_url, html.unescape(action.group(1)) if action else base_url), fields
    raise AssertionError(f"no form with a {button!r} button on the authorize page")


async def approve_in_browser(http: httpx.AsyncClient, request: AuthorizationRequest, button: str = "approve") -> str:
    """Do what the user does: open the authorize page, press the button; return where we end up (URL + page)."""
    page = await http.get(request.url)
    assert page.status_code == 200, page.text[:300]
    action, fields = _form_action_and_fields(page.text, str(page.url), button)
    answer = await http.post(action, data=fields, follow_redirects=False)
    if answer.is_redirect:
        return urljoin(str(answer.url), answer.headers["location"])
    assert answer.status_code == 200, answer.text[:300]
    return answer.text


def _code_on_page(page: str) -> str:
    """With ``redirect_uri=self`` the site shows the code for the user to copy."""
    match = re.search(r'<(?:code|input)[^>]*(?:id|name)="(?:code|authorization[-_]code|auth-code)"[^>]*>([^<]*)', page)
    if match and match.group(1).strip():
        return html.unescape(match.group(1).strip())
    match = re.search(r'(?:id|name)="(?:code|authorization[-_]code|auth-code)"[^>]*value="([^"]+)"', page)
    assert match, f"no code on the page: {page[:500]}"
    return html.unescape(match.group(1))


@pytest.fixture
async def browser():
    async with httpx.AsyncClient() as http:
        yield http


async def test_full_code_flow_with_a_loopback_redirect(sandbox, browser):
    oauth = OAuthClient(CLIENT_ID, oauth_url=sandbox.oauth_url, scope=SCOPE, http=browser)
    request = oauth.start(redirect_uri="http://127.0.0.1:9/callback")
    landed = await approve_in_browser(browser, request)
    assert landed.startswith("http://127.0.0.1:9/callback?")
    code = OAuthClient.code_from_redirect(landed, request)
    tokens = await oauth.exchange_code(code, redirect_uri=request.redirect_uri)
    assert tokens.access_token and tokens.refresh_token and tokens.expires_at
    assert set(SCOPE) <= set(tokens.scope)

    async with ShootProofClient(sandbox.shootproof_api_url, tokens.access_token, http=browser) as client:
        info = await client.studio_info()
        assert info.name

    with pytest.raises(OAuthInvalidGrantError):  # a code is good for one exchange only
        await oauth.exchange_code(code, redirect_uri=request.redirect_uri)


async def test_code_flow_with_redirect_self_shows_the_code(sandbox, browser):
    oauth = OAuthClient(CLIENT_ID, oauth_url=sandbox.oauth_url, scope=SCOPE, http=browser)
    request = oauth.start()
    page = await approve_in_browser(browser, request)
    tokens = await oauth.exchange_code(_code_on_page(page))
    async with ShootProofClient(sandbox.shootproof_api_url, tokens.access_token, http=browser) as client:
        assert (await client.event_get_list()).page == 1


async def test_declining_ends_with_access_denied(sandbox, browser):
    oauth = OAuthClient(CLIENT_ID, oauth_url=sandbox.oauth_url, scope=SCOPE, http=browser)
    request = oauth.start(redirect_uri="http://127.0.0.1:9/callback")
    landed = await approve_in_browser(browser, request, button="deny")
    with pytest.raises(OAuthError) as declined:
        OAuthClient.code_from_redirect(landed, request)
    assert declined.value.code == "access_denied"


async def _signed_in(sandbox, http) -> tuple[OAuthClient, Tokens]:
    oauth = OAuthClient(CLIENT_ID, oauth_url=sandbox.oauth_url, scope=SCOPE, http=http)
    request = oauth.start(redirect_uri="http://127.0.0.1:9/callback")
    code = OAuthClient.code_from_redirect(await approve_in_browser(http, request), request)
    return oauth, await oauth.exchange_code(code, redirect_uri=request.redirect_uri)


async def test_refresh_rotates_the_refresh_token(sandbox, browser):
    oauth, first = await _signed_in(sandbox, browser)
    second = await oauth.refresh(first)
    assert second.access_token != first.access_token
    assert second.refresh_token and second.refresh_token != first.refresh_token
    with pytest.raises(OAuthInvalidGrantError):  # the old refresh token is spent
        await oauth.refresh(first)
    third = await oauth.refresh(second)
    async with ShootProofClient(sandbox.shootproof_api_url, third.access_token, http=browser) as client:
        assert (await client.studio_info()).name


async def test_provider_refreshes_before_expiry_and_reports_new_tokens(sandbox, browser):
    oauth, tokens = await _signed_in(sandbox, browser)
    saved: list[Tokens] = []
    nearly_expired = Tokens(tokens.access_token, tokens.refresh_token, expires_at=0.0, scope=tokens.scope)

    async def store(new: Tokens) -> None:
        saved.append(new)

    provider = OAuthTokenProvider(oauth, nearly_expired, store)
    async with ShootProofClient(sandbox.shootproof_api_url, provider, http=browser) as client:
        await client.studio_info()
        await client.studio_info()
    assert len(saved) == 1 and provider.tokens == saved[0]
    assert saved[0].refresh_token != tokens.refresh_token


async def test_a_token_expired_on_the_server_is_refreshed_transparently(sandbox, browser, caplog):
    caplog.set_level(logging.DEBUG)
    oauth, tokens = await _signed_in(sandbox, browser)
    saved: list[Tokens] = []
    provider = OAuthTokenProvider(oauth, tokens, saved.append)
    async with ShootProofClient(
        sandbox.shootproof_api_url, provider, http=browser, retry=RetryPolicy.no_retries()
    ) as client:
        await client.studio_info()
        sandbox.studio.expire_token(tokens.access_token)
        info = await client.studio_info()
    assert info.name and len(saved) == 1
    for secret in (tokens.access_token, tokens.refresh_token, saved[0].access_token, saved[0].refresh_token):
        assert secret not in caplog.text


async def test_a_revoked_sign_in_surfaces_as_an_authentication_error(sandbox, browser, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.api.oauth")  # "the sign-in was refused"
    oauth, tokens = await _signed_in(sandbox, browser)
    provider = OAuthTokenProvider(oauth, tokens, lambda new: None)
    async with ShootProofClient(sandbox.shootproof_api_url, provider, http=browser) as client:
        await client.auth_deauthorize()
        with pytest.raises(AuthenticationError) as caught:
            await client.studio_info()
    assert tokens.access_token not in str(caught.value)
