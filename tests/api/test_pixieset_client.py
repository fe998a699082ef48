"""PixiesetClient against the sandbox's Pixieset side over real HTTP."""

from __future__ import annotations

import csv
import logging
import socket
import traceback
from dataclasses import replace
from datetime import date, datetime

import httpx
import pytest

from studio_desktop.api.errors import ApiError
from studio_desktop.api.pixieset import FAST_RETRY, PixiesetClient, RetryPolicy
from studio_desktop.api.pixieset_errors import (
    SIGNED_OUT_MESSAGE,
    PixiesetAuthError,
    PixiesetBadResponseError,
    PixiesetError,
    PixiesetNotFoundError,
    PixiesetTransientError,
    PixiesetValidationError,
)
from studio_desktop.api.pixieset_models import AddressInfo, Client, ClientDraft, ClientPage

pytestmark = pytest.mark.anyio


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def policy(sleeps):
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return RetryPolicy(attempts=4, base_delay=0.5, max_delay=4.0, jitter=0.0, max_retry_after=30.0, sleep=sleep)


@pytest.fixture
async def api(pixieset_server, policy):
    async with PixiesetClient(pixieset_server.api_url, pixieset_server.cookie, retry=policy) as client:
        yield client


def read_csv(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def posts(pixieset_server) -> int:
    return sum(1 for method, _ in pixieset_server.sandbox.requests if method == "POST")


# -- reading -----------------------------------------------------------------------------------
async def test_list_clients_gives_a_typed_page(api, pixieset_server):
    page = await api.list_clients(page=2, per_page=10)
    assert isinstance(page, ClientPage)
    assert (page.current_page, page.per_page, len(page.items)) == (2, 10, 10)
    assert page.total >= 120 and page.last_page == -(-page.total // 10) and page.has_next
    assert page.csv_url == pixieset_server.api_url + "/clients/download_csv"
    assert page.statuses == {1: "Active", 2: "Archived"}
    client = page.items[0]
    assert isinstance(client, Client) and client.id.startswith("cl_")
    assert isinstance(client.created_at, datetime) and client.created_at.tzinfo is not None
    assert isinstance(client.address_info, AddressInfo)


async def test_iter_clients_walks_every_page_once(api):
    total = (await api.list_clients()).total
    people = [client async for client in api.iter_clients(per_page=9)]
    assert len(people) == total
    assert len({client.id for client in people}) == total


async def test_iter_clients_stops_when_the_server_repeats_a_page(api, pixieset_server):
    stuck = {"data": [{"id": "cl_same"}], "meta": {"current_page": 1, "last_page": 5, "per_page": 1, "total": 5}}
    pixieset_server.sandbox.inject(200, stuck, times=3)
    assert [client.id async for client in api.iter_clients(per_page=1)] == ["cl_same"]
    assert len(pixieset_server.sandbox.requests) == 2


async def test_type_filters(api):
    clients = [c async for c in api.iter_clients(types="client")]
    leads = [c async for c in api.iter_clients(types=["lead"])]
    both = await api.list_clients(types=("client", "lead"))
    assert {c.type for c in clients} == {"client"} and {c.type for c in leads} == {"lead"}
    assert both.total == len(clients) + len(leads)
    assert {c.type_formatted for c in leads} == {"Lead"}


async def test_bad_arguments_are_refused_before_sending(api, pixieset_server):
    seen = len(pixieset_server.sandbox.requests)
    with pytest.raises(ValueError, match="unknown client type"):
        await api.list_clients(types="vip")
    with pytest.raises(ValueError, match="between 1 and 100"):
        await api.search_clients("a", page_size=101)
    with pytest.raises(ValueError, match="start at 1"):
        await api.client_documents("cl_x", page=0)
    with pytest.raises(ValueError, match="client id"):
        await api.get_client(" ")
    assert len(pixieset_server.sandbox.requests) == seen


async def test_search_clients(api):
    found = await api.search_clients("zoe")
    assert found.items and any(c.first_name == "Zoë" for c in found.items)
    leads = await api.search_clients("", types="lead", page_size=100)
    assert leads.total == (await api.list_clients(types="lead")).total
    second = await api.search_clients("", page=2, page_size=5)
    assert second.current_page == 2 and len(second.items) == 5
    assert (await api.search_clients("nobody-is-called-this")).items == ()


async def test_get_client_and_not_found(api):
    listed = (await api.list_clients(per_page=5)).items[2]
    assert await api.get_client(listed.id) == listed
    with pytest.raises(PixiesetNotFoundError) as caught:
        await api.get_client("cl_" + "Z" * 30)
    assert caught.value.http_status == 404
    assert isinstance(caught.value, ApiError)


# -- writing -----------------------------------------------------------------------------------
async def test_create_client_from_a_draft(api):
    draft = ClientDraft(
        first_name="Maëlle",
        last_name="Lefèvre",
        email="maelle@example.fr",
        phone="+33 6 12 34 56 78",
        address_info=AddressInfo(address_line_1="12 Rue des Martyrs", city="Paris", postal_code="75009", country_id=73),
        type="lead",
    )
    created = await api.create_client(draft)
    assert created.id.startswith("cl_") and len(created.id) == 33
    assert (created.first_name, created.type, created.status_name) == ("Maëlle", "lead", "Active")
    assert created.address_info.country == "France"
    assert created.address_info.lines() == ["12 Rue des Martyrs", "Paris 75009", "France"]
    assert (await api.search_clients("maelle@example.fr")).items == (created,)


async def test_create_client_from_fields(api):
    created = await api.create_client({"email": "only@example.com"}, type="other")
    assert created.email == "only@example.com" and created.type == "other"
    assert created.display_name == "only@example.com"


async def test_validation_errors_come_back_per_field(api):
    before = (await api.list_clients()).total
    with pytest.raises(PixiesetValidationError) as caught:
        await api.create_client(ClientDraft(email="nope", address_info=AddressInfo(country_id=4242)))
    error = caught.value
    assert error.http_status == 422
    assert error.field_errors == {
        "email": ["The email field must be a valid email address."],
        "address_info.country_id": ["The selected address info.country id is invalid."],
    }
    assert "valid email address" in str(error)
    with pytest.raises(PixiesetValidationError) as caught:
        await api.create_client(last_name="Nameless")
    assert set(caught.value.field_errors) == {"first_name", "email"}
    assert (await api.list_clients()).total == before


async def test_update_client_with_fields_and_with_a_draft(api):
    person = next(
        c for c in (await api.list_clients(types="client", per_page=50)).items if c.phone and c.email and c.first_name
    )
    updated = await api.update_client(
        person.id, {"notes": "VIP client", "address_info": AddressInfo(city="Auckland", country_id=153)}
    )
    assert updated.notes == "VIP client" and updated.phone == person.phone
    assert (updated.address_info.city, updated.address_info.country) == ("Auckland", "New Zealand")
    draft = ClientDraft.from_client(updated)
    cleared = await api.update_client(person.id, replace(draft, phone=None, last_name="Núñez"))
    assert cleared.phone is None and cleared.last_name == "Núñez" and cleared.notes == "VIP client"
    assert await api.get_client(person.id) == cleared
    with pytest.raises(PixiesetValidationError) as caught:
        await api.update_client(person.id, type="lead", email="broken")
    assert list(caught.value.field_errors) == ["email"]
    with pytest.raises(ValueError, match="unknown client type"):
        await api.update_client(person.id, type="vip")
    with pytest.raises(PixiesetNotFoundError):
        await api.update_client("cl_" + "Q" * 30, first_name="X")


# -- collections and documents ---------------------------------------------------------------
async def test_client_collections(api):
    people = [c async for c in api.iter_clients(types="client")]
    pages = [await api.client_collections(c.id, page_size=2) for c in people]
    busiest_page, owner = max(zip(pages, people, strict=True), key=lambda pair: pair[0].total)
    assert busiest_page.total >= 3 and busiest_page.last_page == 2 and len(busiest_page.items) == 2
    second = await api.client_collections(owner.id, page=2, page_size=2)
    assert {c.id for c in busiest_page.items}.isdisjoint({c.id for c in second.items})
    collection = busiest_page.items[0]
    assert collection.name and collection.photo_count and isinstance(collection.event_date, date)
    assert collection.client_id == owner.id
    assert any(page.total == 0 for page in pages)
    with pytest.raises(PixiesetNotFoundError):
        await api.client_collections("cl_" + "N" * 30)


async def test_client_documents_with_and_without_expand(api):
    owner = None
    async for client in api.iter_clients(types="client"):
        page = await api.client_documents(client.id)
        if any(d.type == "invoice" for d in page.items):
            owner = client
            break
    assert owner is not None
    plain = await api.client_documents(owner.id)
    assert all(d.gift_card_activities is None for d in plain.items)
    invoice = next(d for d in plain.items if d.type == "invoice")
    assert invoice.amount and invoice.amount > 0 and invoice.currency == "USD"
    assert isinstance(invoice.due_date, date) and invoice.number
    expanded = await api.client_documents(owner.id, expand=["gift_card_activities"])
    assert all(isinstance(d.gift_card_activities, tuple) for d in expanded.items)
    with pytest.raises(PixiesetNotFoundError):
        await api.client_documents("cl_" + "N" * 30)


# -- CSV export ------------------------------------------------------------------------------
async def test_export_csv_streams_a_file_that_parses_back(api, tmp_path):
    await api.create_client(first_name="Søren", last_name="Håkansson", email="soren@example.se")
    dest = tmp_path / "clients.csv"
    assert await api.export_csv(dest) == dest
    rows = read_csv(dest)
    assert len(rows) == (await api.list_clients()).total
    assert {"First Name", "Last Name", "Email", "Country", "Type", "Status"} <= set(rows[0])
    assert any(r["First Name"] == "Søren" and r["Last Name"] == "Håkansson" for r in rows)
    assert not (tmp_path / "clients.csv.part").exists()


async def test_export_csv_with_a_given_url(api, tmp_path):
    page = await api.list_clients()
    dest = await api.export_csv(tmp_path / "given.csv", csv_url=page.csv_url + "?types=lead")
    rows = read_csv(dest)
    assert rows and {r["Type"] for r in rows} == {"Lead"}


async def test_export_csv_never_sends_the_cookie_to_another_host(api, tmp_path, pixieset_server):
    seen = len(pixieset_server.sandbox.requests)
    with pytest.raises(PixiesetBadResponseError, match="another site"):
        await api.export_csv(tmp_path / "x.csv", csv_url="https://evil.example.com/clients/download_csv")
    assert len(pixieset_server.sandbox.requests) == seen
    assert not (tmp_path / "x.csv").exists()


async def test_export_csv_answered_with_a_login_page_leaves_no_file(api, tmp_path, pixieset_server):
    pixieset_server.sandbox.inject(200, "<!doctype html><title>Log in</title>", content_type="text/html")
    dest = tmp_path / "clients.csv"
    with pytest.raises(PixiesetBadResponseError, match="other than a CSV file"):
        await api.export_csv(dest, csv_url=pixieset_server.api_url + "/clients/download_csv")
    assert not dest.exists() and not (tmp_path / "clients.csv.part").exists()


# -- signed out --------------------------------------------------------------------------------
async def test_wrong_cookie_is_signed_out(pixieset_server, policy):
    async with PixiesetClient(pixieset_server.api_url, "pixieset_studio_session=stale", retry=policy) as api:
        with pytest.raises(PixiesetAuthError) as caught:
            await api.list_clients()
    assert caught.value.msg == SIGNED_OUT_MESSAGE == "Your Pixieset session has ended; sign in again."
    assert caught.value.http_status == 401


@pytest.mark.parametrize("cookie", ["", "   ", None])
async def test_no_cookie_is_signed_out_without_a_request(pixieset_server, cookie):
    async with PixiesetClient(pixieset_server.api_url, lambda: cookie) as api:
        with pytest.raises(PixiesetAuthError, match="not signed in"):
            await api.list_clients()
    assert pixieset_server.sandbox.requests == []


async def test_a_cookie_with_line_breaks_is_refused_before_sending(pixieset_server):
    async with PixiesetClient(pixieset_server.api_url, pixieset_server.cookie + "\r\nX-Evil: 1") as api:
        with pytest.raises(PixiesetAuthError, match="not valid"):
            await api.list_clients()
    assert pixieset_server.sandbox.requests == []


async def test_cookie_provider_is_asked_each_call_so_signing_in_again_works(pixieset_server, policy):
    current = {"cookie": "Cookie: " + pixieset_server.cookie}

    async def provider() -> str:
        return current["cookie"]

    async with PixiesetClient(pixieset_server.api_url, provider, retry=policy) as api:
        assert (await api.list_clients()).items
        pixieset_server.sandbox.sign_out()
        with pytest.raises(PixiesetAuthError):
            await api.list_clients()
        current["cookie"] = pixieset_server.cookie
        assert (await api.list_clients()).items


async def test_signing_out_during_iteration_stops_it_with_an_auth_error(api, pixieset_server):
    seen = []
    with pytest.raises(PixiesetAuthError):
        async for client in api.iter_clients(per_page=10):
            seen.append(client)
            if len(seen) == 15:
                pixieset_server.sandbox.sign_out()
    assert len(seen) == 20


async def test_a_redirect_to_the_login_page_is_signed_out(api, pixieset_server):
    pixieset_server.sandbox.inject(
        302, "", content_type="text/html", headers={"Location": "https://accounts.pixieset.com/login/"}
    )
    with pytest.raises(PixiesetAuthError):
        await api.list_clients()


async def test_419_session_expired_is_signed_out(api, pixieset_server):
    pixieset_server.sandbox.inject(419, {"message": "CSRF token mismatch."}, method="PUT")
    person = (await api.list_clients()).items[0]
    with pytest.raises(PixiesetAuthError):
        await api.update_client(person.id, notes="x")


# -- bad answers -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body, content_type, match",
    [
        ("<!DOCTYPE html><html><body>Log in to Pixieset</body></html>", "text/html; charset=UTF-8", "web page"),
        ("<html>no content type</html>", "application/octet-stream", "web page"),
        ('{"data": [', "application/json", "not valid JSON"),
        ('["a", "b"]', "application/json", "unexpected shape"),
        ('{"meta": {}}', "application/json", "without its items"),
        ('{"data": [{"email": "no-id@example.com"}]}', "application/json", "unexpected shape"),
        ('{"data": ["just a string"]}', "application/json", "unexpected shape"),
    ],
)
async def test_bad_answers_are_bad_response_errors(api, pixieset_server, body, content_type, match):
    pixieset_server.sandbox.inject(200, body, content_type=content_type)
    with pytest.raises(PixiesetBadResponseError, match=match):
        await api.list_clients()


async def test_single_client_answer_without_data_is_a_bad_response(api, pixieset_server):
    pixieset_server.sandbox.inject(200, {"client": {"id": "cl_x"}})
    with pytest.raises(PixiesetBadResponseError):
        await api.get_client("cl_x")


async def test_missing_and_extra_fields_are_tolerated(api, pixieset_server):
    pixieset_server.sandbox.inject(
        200,
        {
            "data": [
                {"id": "cl_minimal"},
                {
                    "id": 12345,
                    "first_name": "Numbered",
                    "avatar_color": "7",
                    "created_at": "not a date",
                    "address_info": "oops",
                    "brand_new_field": {"nested": True},
                    "sample": True,
                },
            ]
        },
    )
    page = await api.list_clients(per_page=25)
    minimal, odd = page.items
    assert minimal == Client(id="cl_minimal", type="client", type_formatted="Client")
    assert (odd.id, odd.avatar_color, odd.created_at, odd.sample) == ("12345", 7, None, True)
    assert odd.address_info == AddressInfo()
    assert (page.total, page.last_page, page.current_page, page.csv_url, page.statuses) == (2, 1, 1, None, {})


async def test_unexpected_statuses_are_plain_pixieset_errors(api, pixieset_server):
    pixieset_server.sandbox.inject(403, {"message": "This action is unauthorized."})
    with pytest.raises(PixiesetError, match="unauthorized") as caught:
        await api.list_clients()
    assert type(caught.value) is PixiesetError and caught.value.http_status == 403


# -- retries -------------------------------------------------------------------------------------
async def test_reads_are_retried_through_transient_failures(api, pixieset_server, sleeps):
    pixieset_server.sandbox.inject(503, times=2)
    pixieset_server.sandbox.inject(502, "<html>Bad Gateway</html>", content_type="text/html")
    page = await api.list_clients()
    assert page.items
    assert sleeps == [0.5, 1.0, 2.0]
    assert [method for method, _ in pixieset_server.sandbox.requests] == ["GET"] * 4


async def test_reads_give_up_after_the_last_attempt(api, pixieset_server, sleeps):
    pixieset_server.sandbox.inject(500, times=4)
    with pytest.raises(PixiesetTransientError) as caught:
        await api.get_client("cl_whatever")
    assert caught.value.http_status == 500 and len(sleeps) == 3
    assert len(pixieset_server.sandbox.requests) == 4


async def test_retry_after_is_honoured_and_a_long_one_is_not_waited_for(api, pixieset_server, sleeps):
    pixieset_server.sandbox.inject(429, {"message": "Too Many Attempts."}, headers={"Retry-After": "3"})
    assert (await api.search_clients("a")).items
    assert sleeps == [3.0]
    pixieset_server.sandbox.inject(429, headers={"Retry-After": "120"})
    with pytest.raises(PixiesetTransientError) as caught:
        await api.search_clients("a")
    assert caught.value.retry_after == 120.0 and sleeps == [3.0]


async def test_a_write_that_may_have_landed_is_not_retried(api, pixieset_server, sleeps):
    pixieset_server.sandbox.inject(503, method="POST")
    with pytest.raises(PixiesetTransientError) as caught:
        await api.create_client(first_name="Once")
    assert caught.value.maybe_applied is True
    assert posts(pixieset_server) == 1 and sleeps == []


async def test_a_refused_write_is_retried(api, pixieset_server, sleeps):
    pixieset_server.sandbox.inject(429, method="POST", headers={"Retry-After": "1"})
    created = await api.create_client(first_name="Twice", email="twice@example.com")
    assert created.email == "twice@example.com"
    assert posts(pixieset_server) == 2 and sleeps == [1.0]
    assert (await api.search_clients("twice@example.com")).total == 1


async def test_unreachable_server_is_transient_after_retries(sleeps, policy):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with PixiesetClient(f"http://127.0.0.1:{port}/pixieset/api/v1", "a=b", retry=policy) as api:
        with pytest.raises(PixiesetTransientError, match="Could not connect") as caught:
            await api.list_clients()
        assert caught.value.maybe_applied is False and len(sleeps) == 3
        with pytest.raises(PixiesetTransientError):
            await api.create_client(first_name="Nobody home")
        assert len(sleeps) == 6  # never sent, so a write may be retried too


@pytest.mark.parametrize("base_url", ["ftp://127.0.0.1/pixieset", "studio.pixieset.com/api/v1"])
async def test_an_unusable_address_is_a_plain_error(base_url):
    async with PixiesetClient(base_url, "a=b", retry=FAST_RETRY) as api:
        with pytest.raises(PixiesetError, match="not a valid web address") as caught:
            await api.list_clients()
    assert not isinstance(caught.value, PixiesetTransientError)


def test_backoff_grows_is_capped_and_jittered():
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0, jitter=0.5, rng=lambda: 1.0)
    assert [policy.delay(n) for n in range(5)] == [1.5, 3.0, 6.0, 7.5, 7.5]
    low = RetryPolicy(base_delay=1.0, max_delay=5.0, jitter=0.5, rng=lambda: 0.0)
    assert [low.delay(n) for n in range(4)] == [0.5, 1.0, 2.0, 2.5]
    assert low.delay(0, retry_after=4.0) == 4.0
    assert FAST_RETRY.delay(3) == 0.0 and FAST_RETRY.delay(0, retry_after=1.0) is None


# -- the cookie stays secret ---------------------------------------------------------------------
async def test_the_cookie_never_shows_in_errors_reprs_or_logs(pixieset_server, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    token = pixieset_server.cookie.split("=", 1)[1]
    errors: list[BaseException] = []
    async with PixiesetClient(pixieset_server.api_url, pixieset_server.cookie, retry=FAST_RETRY) as api:
        assert token not in repr(api)
        await api.list_clients()
        for status, body in (
            (503, None),
            (422, {"message": "bad", "details": {"email": ["bad"]}}),
            (200, "<html>login</html>"),
            (404, {"message": "gone"}),
            (419, {}),
        ):
            pixieset_server.sandbox.inject(
                status,
                body,
                content_type="text/html" if status == 200 else "application/json",
                times=4 if status == 503 else 1,
            )
            try:
                await api.create_client(first_name="X") if status == 422 else await api.list_clients()
            except PixiesetError as exc:
                errors.append(exc)
        pixieset_server.sandbox.sign_out()
        try:
            await api.export_csv(tmp_path / "out.csv")
        except PixiesetError as exc:
            errors.append(exc)
    tokens = [token, pixieset_server.cookie.split("=", 1)[1]]
    async with PixiesetClient("http://127.0.0.1:1/pixieset/api/v1", pixieset_server.cookie, retry=FAST_RETRY) as api:
        try:
            await api.list_clients()
        except PixiesetError as exc:
            errors.append(exc)
    assert len(errors) == 7
    for error in errors:
        text = "".join(traceback.format_exception(error)) + repr(error) + str(error)
        assert not any(secret in text for secret in tokens)
        chained = error.__cause__ or error.__context__
        assert not isinstance(chained, httpx.HTTPError)  # those hold the request, headers and all
    assert caplog.records and not any(secret in caplog.text for secret in tokens)


async def test_a_shared_http_client_is_not_closed(pixieset_server):
    async with httpx.AsyncClient() as shared:
        async with PixiesetClient(pixieset_server.api_url, pixieset_server.cookie, http=shared) as api:
            assert (await api.list_clients()).items
        assert not shared.is_closed
        assert (
            await shared.get(
                pixieset_server.api_url + "/clients/",
                headers={"Cookie": pixieset_server.cookie, "X-Requested-With": "XMLHttpRequest"},
            )
        ).status_code == 200


# -- inside the full sandbox studio ------------------------------------------------------------
async def test_the_full_sandbox_studio_serves_pixieset(sandbox, tmp_path):
    async with PixiesetClient(sandbox.pixieset_api_url, sandbox.pixieset_cookie, retry=FAST_RETRY) as api:
        first = await api.list_clients(per_page=100)
        assert first.total >= 120
        assert first.csv_url == sandbox.pixieset_api_url + "/clients/download_csv"
        assert len([c async for c in api.iter_clients()]) == first.total
        created = await api.create_client(first_name="Ngozi", last_name="Okafor-Ōtsuka", email="ngozi@example.ng")
        assert await api.get_client(created.id) == created
        dest = await api.export_csv(tmp_path / "all.csv")
        assert len(read_csv(dest)) == first.total + 1
    async with PixiesetClient(sandbox.pixieset_api_url, "pixieset_studio_session=nope", retry=FAST_RETRY) as api:
        with pytest.raises(PixiesetAuthError):
            await api.list_clients()


async def test_the_empty_sandbox_studio_has_no_clients(empty_sandbox):
    async with PixiesetClient(empty_sandbox.pixieset_api_url, empty_sandbox.pixieset_cookie) as api:
        page = await api.list_clients()
    assert (page.items, page.total, page.last_page) == ((), 0, 1)
