"""The retry policy against the sandbox's fault injection: reads get through, writes are never doubled."""

from __future__ import annotations

import logging
import socket
from collections import Counter

import httpx
import pytest
from imagegen import make_jpeg

from studio_desktop.api.errors import TransientError
from studio_desktop.api.shootproof import ShootProofClient
from studio_desktop.api.transport import RetryPolicy

pytestmark = pytest.mark.anyio


@pytest.fixture
async def client(sandbox, sleeps):
    retry = RetryPolicy(max_attempts=10, base_delay=0.001, max_delay=0.005, total_time=30.0, sleep=sleeps)
    async with ShootProofClient(sandbox.shootproof_api_url, sandbox.access_token, retry=retry) as client:
        yield client


def calls_of(sandbox, method: str) -> int:
    return sandbox.studio.count_requests(method)


async def test_reads_get_through_5xx_429_and_resets(sandbox, client, caplog):
    caplog.set_level(logging.DEBUG)
    wedding = sandbox.studio.demo_ids["event_wedding"]
    expected = await client.event_info(wedding)
    sandbox.faults.configure(rate=0.4, statuses=(500, 502, 503, 504, 429), reset_share=0.3, retry_after=0, seed=7)

    for _ in range(15):
        assert await client.event_info(wedding) == expected
    photos = [p.id async for p in client.iter_event_photos(wedding, limit=40)]
    assert len(photos) == sandbox.studio.count_photos(event_id=wedding)

    counts = sandbox.faults.counts
    assert sandbox.faults.injected >= 5
    assert any(label.startswith("reset") for label in counts) and any(label.startswith("429") for label in counts)
    assert sandbox.access_token not in caplog.text
    assert "sp.event.get_photos -> 200" in caplog.text  # the calls were logged, without the token
    assert "sp.event.info -> 200 in" in caplog.text


async def test_retry_after_from_the_server_is_waited_for(sandbox, client, sleeps):
    sandbox.faults.configure(retry_after=2)
    sandbox.faults.queue(429, method="sp.studio.info")
    sandbox.faults.queue(503, method="sp.studio.info")
    assert (await client.studio_info()).name
    assert sleeps.delays == [2.0, 2.0]
    assert calls_of(sandbox, "sp.studio.info") == 3


async def test_a_write_lost_after_commit_is_reported_not_repeated(sandbox, client):
    event = await client.event_create("Fault Gallery")
    sandbox.faults.queue(503, after=True, method="sp.album.create")
    with pytest.raises(TransientError) as caught:
        await client.album_create(event.id, "Ceremony")
    assert caught.value.maybe_applied is True
    assert calls_of(sandbox, "sp.album.create") == 1
    assert [a.name for a in await client.album_get_list(event.id)] == ["Ceremony"]  # it did land, once


async def test_a_write_refused_before_the_handler_is_not_repeated_either(sandbox, client):
    event = await client.event_create("Fault Gallery")
    sandbox.faults.queue(500, method="sp.album.create")
    with pytest.raises(TransientError) as caught:
        await client.album_create(event.id, "Ceremony")
    assert caught.value.maybe_applied is True  # the client cannot know it was not applied
    assert calls_of(sandbox, "sp.album.create") == 1
    assert await client.album_get_list(event.id) == []


async def test_a_reset_write_is_not_repeated(sandbox, client):
    sandbox.faults.queue(reset=True, after=True, method="sp.category.create")
    with pytest.raises(TransientError) as caught:
        await client.category_create("Reset Category")
    assert caught.value.maybe_applied is True
    assert calls_of(sandbox, "sp.category.create") == 1
    assert [c.name for c in await client.category_get_list()].count("Reset Category") == 1


async def test_a_429_write_is_retried_and_applied_once(sandbox, client):
    sandbox.faults.configure(retry_after=0)
    sandbox.faults.queue(429, method="sp.event.create", times=2)
    event = await client.event_create("Rate Limited Gallery")
    assert calls_of(sandbox, "sp.event.create") == 3
    names = [e.name async for e in client.iter_events(limit=100)]
    assert names.count("Rate Limited Gallery") == 1 and event.name == "Rate Limited Gallery"


async def test_random_write_faults_never_duplicate(sandbox, client):
    event = await client.event_create("Many Albums")
    sandbox.faults.configure(
        rate=0.4,
        statuses=(500, 503, 429),
        reset_share=0.3,
        after_share=0.5,
        retry_after=0,
        only_methods=["sp.album.create"],
        seed=11,
    )
    outcomes: Counter[str] = Counter()
    for n in range(20):
        try:
            await client.album_create(event.id, f"Album {n:02d}")
            outcomes["ok"] += 1
        except TransientError as error:
            assert error.maybe_applied
            outcomes["maybe"] += 1
    retried_429 = sandbox.faults.counts.get("429/before", 0)
    sandbox.faults.clear()
    names = [a.name for a in await client.album_get_list(event.id)]
    assert len(names) == len(set(names))  # never twice
    assert outcomes["ok"] <= len(names) <= outcomes["ok"] + outcomes["maybe"]
    assert outcomes["maybe"] > 0 and retried_429 > 0
    assert calls_of(sandbox, "sp.album.create") == 20 + retried_429  # only the 429s were sent again


async def test_upload_lost_after_commit_raises_maybe_applied_and_is_not_resent(sandbox, client, tmp_path):
    event = await client.event_create("Upload Faults")
    path = make_jpeg(tmp_path / "IMG_0100.jpg", min_bytes=300_000)
    sandbox.faults.queue(reset=True, after=True, method="sp.photo.upload")
    with pytest.raises(TransientError) as caught:
        await client.photo_upload(event.id, path)
    assert caught.value.maybe_applied is True
    assert calls_of(sandbox, "sp.photo.upload") == 1
    # What the upload engine does next: ask before sending it again.
    assert await client.event_photo_exists(event.id, photo_name="IMG_0100.jpg")
    assert sandbox.studio.count_photos(event_id=event.id) == 1


async def test_upload_failing_before_commit_is_not_resent_and_nothing_is_stored(sandbox, client, tmp_path):
    event = await client.event_create("Upload Faults")
    sandbox.faults.queue(502, method="sp.photo.upload")
    with pytest.raises(TransientError) as caught:
        await client.photo_upload(event.id, make_jpeg(tmp_path / "IMG_0101.jpg"))
    assert caught.value.maybe_applied is True and caught.value.http_status == 502
    assert calls_of(sandbox, "sp.photo.upload") == 1
    assert not await client.event_photo_exists(event.id, photo_name="IMG_0101.jpg")


async def test_upload_429_says_not_applied_with_the_wait(sandbox, client, tmp_path):
    event = await client.event_create("Upload Faults")
    sandbox.faults.configure(retry_after=3)
    sandbox.faults.queue(429, method="sp.photo.upload")
    with pytest.raises(TransientError) as caught:
        await client.photo_upload(event.id, make_jpeg(tmp_path / "IMG_0102.jpg"))
    assert caught.value.maybe_applied is False and caught.value.retry_after == 3.0
    assert calls_of(sandbox, "sp.photo.upload") == 1 and sandbox.studio.count_photos(event_id=event.id) == 0


async def test_a_slow_server_times_out_reads_retry_writes_do_not(sandbox, sleeps):
    sandbox.faults.configure(latency=0.3, only_methods=["sp.studio.info", "sp.category.create"])
    retry = RetryPolicy(max_attempts=2, base_delay=0.001, max_delay=0.001, sleep=sleeps)
    http = httpx.AsyncClient(timeout=httpx.Timeout(0.1))
    async with ShootProofClient(sandbox.shootproof_api_url, sandbox.access_token, http=http, retry=retry) as client:
        with pytest.raises(TransientError, match="took too long") as read:
            await client.studio_info()
        with pytest.raises(TransientError) as write:
            await client.category_create("Slow")
    await http.aclose()
    assert read.value.maybe_applied is False and write.value.maybe_applied is True
    assert len(sleeps.delays) == 1  # the read's one retry; none for the write


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_nothing_listening_retries_reads_and_writes_then_says_so(sleeps):
    retry = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.001, sleep=sleeps)
    url = f"http://127.0.0.1:{_closed_port()}/v2"
    async with ShootProofClient(url, "token-not-used-123456", retry=retry) as client:
        with pytest.raises(TransientError, match="Could not connect") as read:
            await client.studio_info()
        assert len(sleeps.delays) == 2
        with pytest.raises(TransientError) as write:
            await client.event_create("Never Sent")
        assert len(sleeps.delays) == 4
    assert read.value.maybe_applied is False and write.value.maybe_applied is False
    assert "token-not-used-123456" not in str(read.value)
