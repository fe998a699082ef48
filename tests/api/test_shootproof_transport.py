"""The request path, for answers the sandbox cannot produce (proxy pages, broken JSON, unknown codes).

These use ``httpx.MockTransport``: the server side here is a few lines
returning exactly the bad answer under test.
"""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import parse_qs

import httpx
import pytest

from studio_desktop.api.errors import (
    AuthenticationError,
    BadResponseError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    PlanLimitError,
    ShootProofError,
    TransientError,
    ValidationError,
)
from studio_desktop.api.shootproof import ShootProofClient
from studio_desktop.api.transport import RetryPolicy, flatten_params, parse_retry_after
from studio_desktop.core.redaction import redact_known_places

pytestmark = pytest.mark.anyio

TOKEN = "tok-SECRET-0123456789abcdef"
API = "https://api.example.test/v2"


def policy(sleeps, **kwargs) -> RetryPolicy:
    settings = dict(max_attempts=4, base_delay=0.1, max_delay=1.0, total_time=30.0, sleep=sleeps)
    settings.update(kwargs)
    return RetryPolicy(**settings)


def make_client(handler, retry: RetryPolicy | None = None, token=TOKEN) -> ShootProofClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return ShootProofClient(API, token, http=http, retry=retry or RetryPolicy.no_retries())


def ok(**body) -> httpx.Response:
    return httpx.Response(200, json={"stat": "ok", **body})


def fail(status: int, code, msg: str = "", **extra) -> httpx.Response:
    return httpx.Response(status, json={"stat": "fail", "code": code, "msg": msg, **extra})


def request_params(request: httpx.Request) -> dict[str, list[str]]:
    params = parse_qs(request.url.query.decode(), keep_blank_values=True)
    if request.method == "POST" and request.headers.get("content-type", "").startswith("application/x-www-form"):
        for key, values in parse_qs(request.content.decode(), keep_blank_values=True).items():
            params.setdefault(key, []).extend(values)
    return params


# --- bad answers ------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (
            httpx.Response(
                200, text="<!DOCTYPE html><html><body>Welcome</body></html>", headers={"Content-Type": "text/html"}
            ),
            "a web page instead of data (HTTP 200)",
        ),
        (httpx.Response(200, text=""), "an empty answer (HTTP 200)"),
        (httpx.Response(200, text="stat=ok"), "something that is not JSON (HTTP 200)"),
        (httpx.Response(200, json=["stat", "ok"]), "JSON that is not an object (HTTP 200)"),
        (httpx.Response(200, json={"name": "Studio"}), "JSON without a status ('stat') (HTTP 200)"),
        (httpx.Response(404, text="<html>Not Found</html>"), "a web page instead of data (HTTP 404)"),
    ],
)
async def test_bad_answers_become_bad_response_errors(response, expected):
    async with make_client(lambda request: response) as client:
        with pytest.raises(BadResponseError) as caught:
            await client.studio_info()
    assert expected in caught.value.msg
    assert caught.value.method == "sp.studio.info"
    assert caught.value.http_status == response.status_code


async def test_a_proxy_error_page_is_transient_and_read_is_retried(sleeps):
    answers = iter(
        [
            httpx.Response(502, text="<html><h1>502 Bad Gateway</h1></html>", headers={"Content-Type": "text/html"}),
            ok(name="Studio", plan={"type": "pro", "used": 3, "allowed": 10}),
        ]
    )
    async with make_client(lambda request: next(answers), policy(sleeps)) as client:
        info = await client.studio_info()
    assert info.name == "Studio" and info.plan.remaining == 7
    assert len(sleeps.delays) == 1


async def test_a_proxy_error_page_on_every_attempt_gives_a_plain_transient_error(sleeps):
    page = httpx.Response(502, text="<html>Bad Gateway</html>", headers={"Content-Type": "text/html"})
    async with make_client(lambda request: page, policy(sleeps)) as client:
        with pytest.raises(TransientError) as caught:
            await client.event_get_list()
    assert caught.value.msg == "The server sent a web page instead of data (HTTP 502)."
    assert caught.value.http_status == 502
    assert len(sleeps.delays) == 3  # four attempts


async def test_unknown_failure_code_is_a_generic_error_with_code_and_msg():
    async with make_client(lambda r: fail(200, "galaxy_misaligned", "The stars are wrong")) as client:
        with pytest.raises(ShootProofError) as caught:
            await client.event_info(1)
    error = caught.value
    assert type(error) is ShootProofError
    assert (error.code, error.msg) == ("galaxy_misaligned", "The stars are wrong")
    assert "The stars are wrong" in str(error) and "galaxy_misaligned" in str(error)


@pytest.mark.parametrize(
    ("response", "cls"),
    [
        (fail(401, 401, "Invalid access token"), AuthenticationError),
        (fail(200, "invalid_token", "Invalid access token"), AuthenticationError),
        (fail(403, 403, "Scope not granted"), PermissionDeniedError),
        (fail(404, 404, "Event not found"), NotFoundError),
        (fail(409, 409, "url_slug is a duplicate"), ConflictError),
        (fail(400, 400, "invalid values", validation_errors={"name": ["Required"]}), ValidationError),
        (fail(422, "", "bad"), ValidationError),
        (fail(200, "", "bad", validation_errors={"email": "Not an email"}), ValidationError),
        (fail(403, "limit_reached", "Your plan is full"), PlanLimitError),
        (fail(200, 500, "Oops"), TransientError),
    ],
)
async def test_failure_codes_map_to_typed_errors(response, cls):
    async with make_client(lambda r: response) as client:
        with pytest.raises(cls):
            await client.album_info(3)


async def test_validation_errors_are_kept_per_field():
    response = fail(
        400,
        400,
        "invalid brand values provided",
        validation_errors={
            "email": ["Please enter the email address for the studio."],
            "name": ["Please enter the name of the brand."],
        },
    )
    async with make_client(lambda r: response) as client:
        with pytest.raises(ValidationError) as caught:
            await client.brand_create(
                "", "", {"address_1": "1 Main St", "city": "X", "country": "US", "zip_postal": "1", "state": "TN"}
            )
    assert caught.value.validation_errors == {
        "email": ["Please enter the email address for the studio."],
        "name": ["Please enter the name of the brand."],
    }
    assert "email: Please enter the email address for the studio." in str(caught.value)


async def test_missing_required_field_in_an_ok_answer_is_a_bad_response():
    async with make_client(lambda r: ok(event={"name": "No id"})) as client:
        with pytest.raises(BadResponseError, match="event has no 'id'"):
            await client.event_info(5)
    async with make_client(lambda r: ok(page=1)) as client:
        with pytest.raises(BadResponseError, match="'events' is missing"):
            await client.event_get_list()
    async with make_client(lambda r: ok(photo_id="not-a-number")) as client:
        with pytest.raises(BadResponseError, match="photo_id"):
            await client.photo_upload(1, io.BytesIO(b"\xff\xd8\xff"), file_name="a.jpg")


async def test_extra_and_missing_optional_fields_are_tolerated():
    body = ok(
        event={
            "id": "12",
            "name": "Smith Wedding",
            "brand_new_field": {"x": 1},
            "photo_count": "40",
            "cover_photo": {"id": 3, "large": "L", "x_large": "XL"},
            "is_archived": "0",
        }
    )
    async with make_client(lambda r: body) as client:
        event = await client.event_info(12)
    assert event.id == 12 and event.photo_count == 40 and event.is_archived is False
    assert event.cover_photo.large == "L" and event.event_date is None and event.contact_id is None


# --- requests as sent -------------------------------------------------------


async def test_reads_are_get_with_method_and_token_and_writes_are_post_with_token_in_body():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.params.get("method") == "sp.album.get_list":
            return ok(albums=[])
        return ok(album={"id": 1, "name": "Ceremony"})

    async with make_client(handler) as client:
        await client.album_get_list(7)
        await client.album_create(7, "Ceremony", parent_id=None, password="")
    read, write = seen
    assert read.method == "GET"
    assert read.url.params["method"] == "sp.album.get_list" and read.url.params["access_token"] == TOKEN
    assert write.method == "POST"
    assert "access_token" not in str(write.url)
    body = parse_qs(write.content.decode(), keep_blank_values=True)
    assert body["access_token"] == [TOKEN] and body["method"] == ["sp.album.create"]
    assert body["album_name"] == ["Ceremony"] and body["password"] == [""] and "parent_id" not in body


async def test_nested_params_are_bracketed():
    seen: list[httpx.Request] = []

    def handler(request):
        seen.append(request)
        return ok(num_contacts_submitted=2, contacts=[])

    async with make_client(handler) as client:
        await client.contact_bulk_create(
            [
                {
                    "brand_id": 1,
                    "first_name": "Joe",
                    "email": "joe@example.org",
                    "tags": ["wedding", "groom"],
                    "address": {"address_1": "123 Main Street", "city": "Jacksonville", "country": "US"},
                },
                {"brand_id": 1, "first_name": "", "email": "billy@example.org"},
            ]
        )
    params = request_params(seen[0])
    assert params["contacts[0][email]"] == ["joe@example.org"]
    assert params["contacts[0][tags]"] == ["wedding,groom"]
    assert params["contacts[0][address][city]"] == ["Jacksonville"]
    assert params["contacts[1][first_name]"] == [""]
    assert flatten_params({"tags": ["a", "b"], "flag": True, "skip": None}) == [
        ("tags[0]", "a"),
        ("tags[1]", "b"),
        ("flag", "1"),
    ]


async def test_bulk_email_add_sends_a_json_array_with_event_id_on_the_query():
    seen: list[httpx.Request] = []

    def handler(request):
        seen.append(request)
        return ok(num_email_addresses_submitted=2, num_email_addresses_added=1)

    async with make_client(handler) as client:
        result = await client.event_bulk_email_add(9, ["alice@example.org", "not-an-email"])
    request = seen[0]
    assert request.method == "POST" and request.url.params["event_id"] == "9"
    assert request.url.params["method"] == "sp.event.bulk_email_add"
    assert json.loads(request.content) == ["alice@example.org", "not-an-email"]
    assert result.num_email_addresses_added == 1


# --- retries ----------------------------------------------------------------


async def test_reads_are_retried_through_connection_failures_with_growing_jittered_delays(sleeps):
    calls = 0

    def handler(request):
        nonlocal calls
        calls += 1
        if calls < 4:
            raise httpx.ReadError("connection reset by peer")
        return ok(categories=[{"id": 1, "name": "Weddings"}])

    retry = policy(sleeps, random=lambda: 1.0)  # jitter at its ceiling, to see the growth
    async with make_client(handler, retry) as client:
        categories = await client.category_get_list()
    assert [c.name for c in categories] == ["Weddings"]
    assert sleeps.delays == [0.1, 0.2, 0.4]


async def test_backoff_is_capped_and_jittered():
    retry = RetryPolicy(base_delay=1.0, max_delay=5.0, random=lambda: 0.5)
    assert [retry.backoff(n) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 2.5, 2.5]
    assert RetryPolicy(random=lambda: 0.0).backoff(3) == 0.0


async def test_retry_after_seconds_is_honoured(sleeps):
    answers = iter(
        [
            httpx.Response(429, json={"stat": "fail", "code": 429, "msg": "slow down"}, headers={"Retry-After": "3"}),
            ok(setting_value="8.25"),
        ]
    )
    async with make_client(lambda r: next(answers), policy(sleeps)) as client:
        assert await client.studio_get_setting("sales_tax_rate") == "8.25"
    assert sleeps.delays == [3.0]


async def test_retry_after_http_date_is_honoured():
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after(format_datetime(now + timedelta(seconds=7), usegmt=True), now=now) == 7.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=7), usegmt=True), now=now) == 0.0
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


async def test_a_retry_after_longer_than_the_budget_is_not_waited_for(sleeps):
    response = httpx.Response(503, text="", headers={"Retry-After": "3600"})
    async with make_client(lambda r: response, policy(sleeps)) as client:
        with pytest.raises(TransientError) as caught:
            await client.studio_info()
    assert caught.value.retry_after == 3600 and sleeps.delays == []


async def test_the_total_time_budget_bounds_retries(sleeps):
    answers = [httpx.Response(503, text="")] * 10
    retry = policy(sleeps, max_attempts=10, total_time=1.0, base_delay=0.3, random=lambda: 1.0)
    async with make_client(lambda r: answers.pop(), retry) as client:
        with pytest.raises(TransientError):
            await client.studio_info()
    assert sleeps.delays == [0.3, 0.6]  # the next wait (capped at 1 s) would take the total past 1 s


async def test_writes_are_not_retried_after_the_request_may_have_arrived(sleeps):
    calls = 0

    def handler(request):
        nonlocal calls
        calls += 1
        return httpx.Response(503, json={"stat": "fail", "code": 503, "msg": "busy"})

    async with make_client(handler, policy(sleeps)) as client:
        with pytest.raises(TransientError) as caught:
            await client.event_create("Smith Wedding")
    assert calls == 1 and caught.value.maybe_applied is True


async def test_writes_are_retried_when_nothing_was_sent_or_on_429(sleeps):
    calls = 0

    def handler(request):
        nonlocal calls
        calls += 1
        if calls == 1:
            raise httpx.ConnectError("connection refused")
        if calls == 2:
            return httpx.Response(429, json={"stat": "fail", "code": 429, "msg": "slow"}, headers={"Retry-After": "0"})
        return ok(category={"id": 4, "name": "Portraits"})

    async with make_client(handler, policy(sleeps)) as client:
        category = await client.category_create("Portraits")
    assert category.id == 4 and calls == 3


async def test_upload_is_not_resent_once_the_body_may_have_arrived(sleeps):
    calls = 0

    def handler(request):
        nonlocal calls
        calls += 1
        request.read()
        raise httpx.ReadError("connection reset")

    async with make_client(handler, policy(sleeps)) as client:
        with pytest.raises(TransientError) as caught:
            await client.photo_upload(1, io.BytesIO(b"\xff\xd8\xff" + b"x" * 1000), file_name="a.jpg")
    assert calls == 1 and caught.value.maybe_applied is True
    assert "a.jpg" not in caught.value.msg


async def test_upload_429_is_not_resent_but_reported_as_not_applied(sleeps):
    calls = 0

    def handler(request):
        nonlocal calls
        calls += 1
        return httpx.Response(429, json={"stat": "fail", "code": 429, "msg": "slow"}, headers={"Retry-After": "2"})

    async with make_client(handler, policy(sleeps)) as client:
        with pytest.raises(TransientError) as caught:
            await client.photo_upload(1, io.BytesIO(b"\xff\xd8\xff"), file_name="a.jpg")
    assert calls == 1 and caught.value.maybe_applied is False and caught.value.retry_after == 2


async def test_upload_is_retried_when_the_connection_never_opened(sleeps):
    bodies: list[bytes] = []

    def handler(request):
        if not bodies:
            bodies.append(b"")
            raise httpx.ConnectError("connection refused")
        bodies.append(request.read())
        return ok(photo_id=77, photos_used=1, photos_allowed=100)

    data = b"\xff\xd8\xff" + bytes(range(256)) * 300
    async with make_client(handler, policy(sleeps)) as client:
        result = await client.photo_upload(1, io.BytesIO(data), file_name="a.jpg")
    assert result.photo_id == 77 and data in bodies[1]


# --- authentication ---------------------------------------------------------


class RefreshingTokens:
    def __init__(self, first: str, fresh: str | None):
        self.current, self.fresh, self.refreshes = first, fresh, 0

    async def token(self) -> str:
        return self.current

    async def refresh_after_auth_failure(self) -> str | None:
        self.refreshes += 1
        if self.fresh:
            self.current = self.fresh
        return self.fresh


async def test_a_401_refreshes_once_and_repeats_the_call():
    used: list[str] = []

    def handler(request):
        token = request.url.params.get("access_token")
        used.append(token)
        if token != "new-token-abcdef":
            return fail(401, 401, "Invalid access token")
        return ok(name="Studio")

    tokens = RefreshingTokens("old-token-abcdef", "new-token-abcdef")
    async with make_client(handler, token=tokens) as client:
        assert (await client.studio_info()).name == "Studio"
    assert used == ["old-token-abcdef", "new-token-abcdef"] and tokens.refreshes == 1


async def test_a_401_without_a_fresh_token_raises_and_does_not_loop():
    calls = 0

    def handler(request):
        nonlocal calls
        calls += 1
        return fail(401, 401, "Invalid access token")

    tokens = RefreshingTokens("old-token-abcdef", None)
    async with make_client(handler, token=tokens) as client:
        with pytest.raises(AuthenticationError):
            await client.studio_info()
    assert calls == 1 and tokens.refreshes == 1

    always = RefreshingTokens("old-token-abcdef", "another-token-abcdef")
    calls = 0
    async with make_client(handler, token=always) as client:
        with pytest.raises(AuthenticationError):
            await client.studio_info()
    assert calls == 2 and always.refreshes == 1


# --- secrets ----------------------------------------------------------------


async def test_the_token_never_shows_in_errors_or_logs(caplog, sleeps):
    caplog.set_level(logging.DEBUG)

    def handler(request):
        if request.url.params.get("method") == "sp.event.info":
            raise httpx.ConnectError(f"failed to connect to {request.url}")
        return fail(404, 404, f"No such album (you sent access_token={TOKEN})")

    async with make_client(handler, policy(sleeps)) as client:
        with pytest.raises(TransientError) as transient:
            await client.event_info(1)
        with pytest.raises(NotFoundError) as missing:
            await client.album_info(1)
    for error in (transient.value, missing.value):
        assert TOKEN not in str(error) and TOKEN not in repr(error) and TOKEN not in error.msg
    assert TOKEN not in caplog.text
    assert "sp.event.info -> CannotConnect" in caplog.text
    assert "sp.album.info -> 404 in" in caplog.text
    assert TOKEN not in repr(client) and TOKEN not in repr(client.transport.tokens)


def test_redact_hides_tokens_in_urls_json_headers_and_known_values():
    text = (
        f"GET https://api.example.test/v2?method=sp.studio.info&access_token={TOKEN}&x=1 "
        '{"refresh_token": "r-123456", "code": "c-abcdef"} '
        "Cookie: pixieset_studio_session=abcdef123\n"
        "Authorization: Bearer zzz999\n"
        "my secret is s3cr3t-value and postcode=12345"
    )
    clean = redact_known_places(text, ["s3cr3t-value"])
    for secret in (TOKEN, "r-123456", "c-abcdef", "abcdef123", "zzz999", "s3cr3t-value"):
        assert secret not in clean
    assert "method=sp.studio.info" in clean and "x=1" in clean and "postcode=12345" in clean


async def test_a_malformed_api_address_is_a_plain_error_not_a_retry_loop(sleeps):
    async with ShootProofClient("api.shootproof.com/v2", TOKEN, retry=policy(sleeps)) as client:
        with pytest.raises(ShootProofError, match="not a valid http") as caught:
            await client.studio_info()
    assert not isinstance(caught.value, TransientError) and sleeps.delays == []
