"""The redaction patterns and the registry of secret values."""

from __future__ import annotations

import pytest

from studio_desktop.core import redaction
from studio_desktop.core.redaction import MIN_SECRET_LENGTH, contains_registered_secret, redact, register_secret


@pytest.fixture(autouse=True)
def _fresh_registry():
    redaction.forget_registered_secrets()
    yield
    redaction.forget_registered_secrets()


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("GET https://api.test/v2?method=sp.studio.info&access_token=tok123abc", "tok123abc"),
        ("grant_type=refresh_token&refresh_token=rt-987zyx&client_id=a", "rt-987zyx"),
        ("https://app.test/cb?code=authcode-55&state=s", "authcode-55"),
        ("Authorization: Bearer eyJ.abc.def", "eyJ.abc.def"),
        ("{'Authorization': 'Bearer eyJ.ghi', 'Accept': '*/*'}", "eyJ.ghi"),
        ("Cookie: laravel_session=sess-123; XSRF-TOKEN=xs-456", "sess-123"),
        ("Set-Cookie: pixieset_session=ps-789; Path=/", "ps-789"),
        ('{"access_token": "json-at-1", "expires_in": 3600}', "json-at-1"),
        ("Endpoints(api_url='x', access_token='repr-at-2')", "repr-at-2"),
        ("<Cookies[<Cookie laravel_session=httpx-c-3 for studio.test />]>", "httpx-c-3"),
        ("retrying with bearer standalone-tok-4", "standalone-tok-4"),
        ("cookies: a=1; my_session_id=sid-5; theme=dark", "sid-5"),
    ],
)
def test_patterns_mask_secrets_where_they_travel(text, secret):
    assert secret not in redact(text)
    assert redact(redact(text)) == redact(text)


@pytest.mark.parametrize(
    "text",
    [
        "GET https://api.test/v2?method=sp.event.get_list&page=2",
        "uploaded IMG_0001.jpg (5242880 bytes) to event 123",
        '{"stat": "ok", "photo_id": 99}',
    ],
)
def test_ordinary_text_is_left_alone(text):
    assert redact(text) == text


def test_registered_values_are_masked_in_plain_and_url_encoded_form():
    register_secret("abc/def+ghi=jkl")
    assert redact("x abc/def+ghi=jkl y") == "x *** y"
    assert redact("x abc%2Fdef%2Bghi%3Djkl y") == "x *** y"
    assert contains_registered_secret("...abc/def+ghi=jkl...")


def test_each_value_of_a_registered_cookie_header_is_masked_alone():
    register_secret("laravel_session=first-cookie-value; other=second-cookie-value")
    assert redact("saw second-cookie-value") == "saw ***"


def test_short_values_are_not_registered():
    register_secret("x" * (MIN_SECRET_LENGTH - 1))
    register_secret(None)
    register_secret("")
    assert redact("x" * (MIN_SECRET_LENGTH - 1)) == "x" * (MIN_SECRET_LENGTH - 1)
    assert not contains_registered_secret("x" * 20)
