"""Servers no test studio behaves like: a trickling answer, a flood of JSON, an API address that redirects.

Each runs a real socket server (tests/api/raw_server.py) so httpx's own timeouts
and streaming are what is exercised, not a mock of them.
"""

from __future__ import annotations

import asyncio
import logging
import tracemalloc

import pytest
from raw_server import raw_server

from studio_desktop.api.errors import AnswerTooLargeError, ConfigurationError, TransientError
from studio_desktop.api.shootproof import ShootProofClient
from studio_desktop.api.transport import Deadlines, RetryPolicy

pytestmark = pytest.mark.anyio

TOKEN = "tok-SECRET-trickle-0123456789"
# A hang guard only: the deadlines under test are a few seconds, the old code never returned.
HANG_GUARD = 60


def retrying(sleeps) -> RetryPolicy:
    return RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.01, total_time=30.0, sleep=sleeps)


async def trickle_body(head: bytes, writer: asyncio.StreamWriter, server) -> None:
    await server.write(writer, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n")
    for byte in (b'{"stat": "ok", "data": "' + b"x" * 4096)[:4096]:
        await server.write(writer, bytes([byte]))
        await asyncio.sleep(1.0)


async def trickle_head(head: bytes, writer: asyncio.StreamWriter, server) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + b"X-Pad: " + b"y" * 4096:
        await server.write(writer, bytes([byte]))
        await asyncio.sleep(1.0)


@pytest.mark.parametrize("handler", [trickle_body, trickle_head], ids=["body", "headers"])
async def test_a_server_answering_one_byte_a_second_meets_the_calls_deadline(handler, sleeps):
    async with raw_server(handler) as server:
        async with ShootProofClient(
            server.url, TOKEN, retry=RetryPolicy.no_retries(), deadlines=Deadlines(call=2.0)
        ) as client:
            with pytest.raises(TransientError) as caught:
                async with asyncio.timeout(HANG_GUARD):
                    await client.studio_info()
    # Every byte came within a second: the httpx read timeout alone (60 s per read) never fires.
    assert "did not finish answering within 2 s" in caught.value.msg
    assert TOKEN not in str(caught.value)


async def test_a_read_past_its_deadline_is_retried_within_the_budget(sleeps):
    async with raw_server(trickle_body) as server:
        async with ShootProofClient(server.url, TOKEN, retry=retrying(sleeps), deadlines=Deadlines(call=1.5)) as client:
            with pytest.raises(TransientError):
                async with asyncio.timeout(HANG_GUARD):
                    await client.studio_info()
    assert len(server.requests) == 4
    assert len(sleeps.delays) == 3


async def test_an_upload_past_its_deadline_is_not_sent_again(tmp_path, sleeps):
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(b"\xff\xd8" + b"\0" * 20_000 + b"\xff\xd9")
    async with raw_server(trickle_body) as server:
        # 20 KB at a floor of 20 KB/s plus one second: two seconds for the whole upload.
        deadlines = Deadlines(upload_fixed=1.0, upload_floor_rate=20_000)
        async with ShootProofClient(server.url, TOKEN, retry=retrying(sleeps), deadlines=deadlines) as client:
            with pytest.raises(TransientError) as caught:
                async with asyncio.timeout(HANG_GUARD):
                    await client.photo_upload(1, photo)
    assert caught.value.maybe_applied is True
    assert "within 2 s" in caught.value.msg
    assert len(server.requests) == 1


def test_an_uploads_deadline_grows_with_its_size():
    deadlines = Deadlines(upload_fixed=120, upload_floor_rate=50_000)
    assert deadlines.for_upload(0) == 120
    assert deadlines.for_upload(50_000_000) == 120 + 1000


TOTAL_FLOOD = 200 * 1024 * 1024
CHUNK = b"1234567," * 8192  # 64 KiB of array elements


async def flood(head: bytes, writer: asyncio.StreamWriter, server) -> None:
    """A 200 MB JSON answer, chunked so no Content-Length warns the client."""
    await server.write(
        writer, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )

    async def chunk(data: bytes) -> None:
        await server.write(writer, b"%x\r\n%s\r\n" % (len(data), data))

    await chunk(b'{"stat": "ok", "data": [')
    sent = 0
    while sent < TOTAL_FLOOD:
        await chunk(CHUNK)
        sent += len(CHUNK)
    await chunk(b"0]}")
    await server.write(writer, b"0\r\n\r\n")


async def test_a_huge_json_answer_is_refused_without_being_read_whole(sleeps):
    limit = 4 * 1024 * 1024
    async with raw_server(flood) as server:
        async with ShootProofClient(
            server.url, TOKEN, retry=retrying(sleeps), deadlines=Deadlines(max_answer_bytes=limit)
        ) as client:
            tracemalloc.start()
            try:
                with pytest.raises(AnswerTooLargeError) as caught:
                    await client.studio_info()
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
    assert "larger than 4 MB" in caught.value.msg
    assert peak < 4 * limit  # the old code held all 200 MB (and its text) at once
    assert server.bytes_written < TOTAL_FLOOD / 4  # it stopped reading early
    assert len(server.requests) == 1  # too big is not a passing fault: no retry


async def test_a_declared_length_over_the_limit_is_refused_before_reading():
    async def declared(head, writer, server):
        await server.write(
            writer,
            b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 900000000\r\n\r\n{"stat": "ok"',
        )
        await asyncio.sleep(3600)

    async with raw_server(declared) as server:
        async with ShootProofClient(
            server.url, TOKEN, retry=RetryPolicy.no_retries(), deadlines=Deadlines(max_answer_bytes=1024 * 1024)
        ) as client:
            with pytest.raises(AnswerTooLargeError):
                async with asyncio.timeout(HANG_GUARD):
                    await client.studio_info()


def redirect_to(location: bytes):
    async def handler(head, writer, server):
        await server.write(
            writer, b"HTTP/1.1 301 Moved Permanently\r\nLocation: " + location + b"\r\nContent-Length: 0\r\n\r\n"
        )

    return handler


@pytest.mark.parametrize("write", [False, True], ids=["read", "write"])
async def test_a_redirecting_api_address_is_a_configuration_error_at_once(write, sleeps):
    async with raw_server(redirect_to(b"https://api.example.test/v2")) as server:
        async with ShootProofClient(server.url, TOKEN, retry=retrying(sleeps)) as client:
            with pytest.raises(ConfigurationError) as caught:
                if write:
                    await client.event_create("Smith Wedding")
                else:
                    await client.studio_info()
    assert caught.value.msg.startswith("The API address redirects to https://api.example.test/v2; check --api-url")
    assert len(server.requests) == 1
    assert sleeps.delays == []


async def test_a_relative_redirect_names_the_full_address(sleeps):
    async with raw_server(redirect_to(b"/api/v2/?access_token=" + TOKEN.encode())) as server:
        async with ShootProofClient(server.url, TOKEN, retry=retrying(sleeps)) as client:
            with pytest.raises(ConfigurationError) as caught:
                await client.studio_info()
    assert f"{server.url.rsplit('/', 1)[0]}/api/v2/" in caught.value.msg
    assert TOKEN not in str(caught.value)


async def test_an_upload_to_a_redirecting_address_stops_the_queue_with_its_message(tmp_path, app_paths, caplog):
    """Defect 10: the engine took the redirect for a passing fault and tried each photo 6 times (~24 s each);
    then it failed each photo once. It is about the settings: the queue stops, as for a full plan."""
    from imagegen import make_jpeg

    from studio_desktop.core.store import Store
    from studio_desktop.uploads.engine import EngineTiming, UploadEngine
    from studio_desktop.uploads.events import QueueStopped
    from studio_desktop.uploads.records import queue as q

    caplog.set_level(logging.WARNING, logger="studio_desktop.uploads.engine")  # "uploads stopped: ..."
    folder = tmp_path / "shoot"
    folder.mkdir()
    for i in range(3):
        make_jpeg(folder / f"IMG_{i:04d}.jpg")
    timing = EngineTiming(max_attempts=6, base_delay=0.005, max_delay=0.02, probe_delay=0.05, probe_max_delay=0.2)
    async with raw_server(redirect_to(b"https://api.example.test/v2")) as server:
        with Store() as store:
            async with ShootProofClient(server.url, TOKEN) as client:
                engine = UploadEngine(client, store, concurrency=1, timing=timing)
                stops: list = []
                engine.subscribe(lambda event: isinstance(event, QueueStopped) and stops.append(event.reason))
                await engine.start()
                try:
                    batch = await engine.enqueue([str(folder)], 7)
                    async with asyncio.timeout(HANG_GUARD):
                        await engine.wait_idle()
                finally:
                    await engine.stop()
            items = list(q.iter_items(store, batch_ids=[batch]))
    assert len(stops) == 1
    assert stops[0].startswith("The API address redirects to https://api.example.test/v2; check --api-url")
    assert [item.state for item in items] == [q.QUEUED] * 3  # nothing failed: they go once the address is right
    assert all(item.attempts == 0 for item in items)
    assert len(server.requests) == 1  # the first answer stopped it


def test_a_bandwidth_limit_lowers_the_floor_rate_below_each_uploads_share():
    deadlines = Deadlines(upload_floor_rate=50_000)
    assert deadlines.within_bandwidth(0, 5) == deadlines
    limited = deadlines.within_bandwidth(400, 5)  # 400 kbit/s over 5 uploads: 10 kB/s each
    assert limited.upload_floor_rate == 5_000
    assert limited.for_upload(10_000_000) > 10_000_000 / 10_000  # a 10 MB photo at its share finishes in time
    assert deadlines.within_bandwidth(100_000, 1) == deadlines  # a generous limit changes nothing
