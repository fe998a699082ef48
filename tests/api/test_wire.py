"""The lean HTTP/1.1 client (api/wire.py) against raw asyncio servers that misbehave on purpose.

Each server here is a few lines of asyncio that answer with exactly the bytes a
test needs (keep-alive, close, chunked, gzip, garbage, silence), over real
sockets, so what is tested is the client's handling of what arrives.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import trustme
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio_desktop.api import wire
from studio_desktop.api.errors import AnswerTooLargeError, ConfigurationError, TransientError
from studio_desktop.api.transport import RetryPolicy, StaticToken, Transport, new_wire
from studio_desktop.api.wire import (
    AnswerTimedOut,
    AnswerTooLarge,
    CannotConnect,
    Interrupted,
    LeanWire,
)

pytestmark = pytest.mark.anyio

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class RawServer:
    """Counts connections; each one is served by ``handler``."""

    def __init__(self, handler: Handler):
        self.handler = handler
        self.connections = 0
        self.server: asyncio.Server | None = None
        self.url = ""
        self.tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> RawServer:
        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            task = asyncio.current_task()
            assert task is not None
            self.tasks.add(task)
            try:
                await self.handler(reader, writer)
            except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
                pass  # a handler still waiting when the test ends is cancelled: not an error of the server
            finally:
                writer.close()
                self.tasks.discard(task)

        self.server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/v2"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.server.wait_closed()


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """The head and the Content-Length body of one request."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return head, await reader.readexactly(length)


def ok_answer(payload: dict | None = None, *, extra: bytes = b"") -> bytes:
    body = json.dumps(payload or {"stat": "ok"}).encode()
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n"
        + extra
        + b"\r\n"
        + body
    )


async def keep_alive(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while True:
        try:
            await read_request(reader)
        except asyncio.IncompleteReadError:
            return
        writer.write(ok_answer())
        await writer.drain()


async def test_calls_share_one_keep_alive_connection():
    async with RawServer(keep_alive) as server:
        lean = LeanWire()
        try:
            for _ in range(5):
                answer = await lean.exchange("GET", server.url + "?method=x", [], max_answer=1000)
                assert answer.status == 200 and json.loads(answer.body) == {"stat": "ok"}
        finally:
            await lean.aclose()
    assert server.connections == 1


async def test_a_connection_the_server_closed_while_idle_is_not_used_again():
    async def one_answer_then_close(reader, writer):
        await read_request(reader)
        writer.write(ok_answer())
        await writer.drain()
        writer.close()  # no Connection: close header: the client learns of it only from the socket

    async with RawServer(one_answer_then_close) as server:
        lean = LeanWire()
        try:
            await lean.exchange("GET", server.url, [], max_answer=1000)
            await asyncio.sleep(0.05)  # the FIN arrives
            answer = await lean.exchange("POST", server.url, [], b"a=1", max_answer=1000)
        finally:
            await lean.aclose()
    assert answer.status == 200
    assert server.connections == 2


async def test_connection_close_in_the_answer_is_honoured():
    async def close_header(reader, writer):
        while True:
            try:
                await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            writer.write(ok_answer(extra=b"Connection: close\r\n"))
            await writer.drain()

    async with RawServer(close_header) as server:
        lean = LeanWire()
        try:
            for _ in range(3):
                await lean.exchange("GET", server.url, [], max_answer=1000)
        finally:
            await lean.aclose()
    assert server.connections == 3


async def test_a_chunked_and_gzipped_answer_is_read_whole():
    payload = {"stat": "ok", "photos": [{"id": i, "name": f"IMG_{i:04d}.jpg"} for i in range(500)]}
    packed = gzip.compress(json.dumps(payload).encode())

    async def chunked_gzip(reader, writer):
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n")
        for start in range(0, len(packed), 1000):
            piece = packed[start : start + 1000]
            writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            await writer.drain()
        writer.write(b"0\r\n\r\n")

    async with RawServer(chunked_gzip) as server:
        lean = LeanWire()
        try:
            answer = await lean.exchange("GET", server.url, [], max_answer=10**6)
        finally:
            await lean.aclose()
    assert json.loads(answer.body) == payload


async def test_an_answer_over_the_limit_is_refused_declared_or_not():
    async def big(reader, writer):
        while True:
            try:
                head, _ = await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            if b"declared" in head:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + b"x" * 5000)
            else:
                writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                for _ in range(5):
                    writer.write(b"3e8\r\n" + b"x" * 1000 + b"\r\n")
                writer.write(b"0\r\n\r\n")
            await writer.drain()

    async with RawServer(big) as server:
        lean = LeanWire()
        try:
            with pytest.raises(AnswerTooLarge):
                await lean.exchange("GET", server.url + "?declared", [], max_answer=4000)
            with pytest.raises(AnswerTooLarge):
                await lean.exchange("GET", server.url + "?chunked", [], max_answer=4000)
            assert (await lean.exchange("GET", server.url + "?declared", [], max_answer=5000)).body == b"x" * 5000
        finally:
            await lean.aclose()


async def test_a_silent_server_times_out(monkeypatch):
    monkeypatch.setattr(wire, "READ_TIMEOUT", 0.2)

    async def silent(reader, writer):
        await read_request(reader)
        await asyncio.sleep(5)

    async with RawServer(silent) as server:
        lean = LeanWire()
        try:
            with pytest.raises(AnswerTimedOut) as timed_out:
                await lean.exchange("GET", server.url, [], max_answer=1000)
        finally:
            await lean.aclose()
    assert not timed_out.value.nothing_sent


@pytest.mark.parametrize(
    "reply",
    [
        b"",  # closed at once
        b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"stat"',  # cut in the middle of the body
        b"SSH-2.0-OpenSSH_9.6\r\n\r\n",  # not HTTP at all
    ],
    ids=["closed", "cut", "not-http"],
)
async def test_a_broken_answer_is_an_interruption_that_may_have_been_applied(reply):
    async def broken(reader, writer):
        await read_request(reader)
        writer.write(reply)
        await writer.drain()

    async with RawServer(broken) as server:
        lean = LeanWire()
        try:
            with pytest.raises(Interrupted) as interrupted:
                await lean.exchange("POST", server.url, [], b"a=1", max_answer=1000)
        finally:
            await lean.aclose()
    assert not interrupted.value.nothing_sent


async def test_nothing_listening_is_a_connect_failure_with_nothing_sent():
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    lean = LeanWire()
    with pytest.raises(CannotConnect) as failed:
        await lean.exchange("GET", f"http://127.0.0.1:{port}/v2", [], max_answer=1000)
    await lean.aclose()
    assert failed.value.nothing_sent


async def test_a_body_cut_off_by_cancelling_leaves_no_connection_to_reuse():
    got_part = asyncio.Event()

    async def slow_reader(reader, writer):
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return
            if b"Content-Length: 3" in head:
                await reader.readexactly(3)
                writer.write(ok_answer())
                await writer.drain()
                continue
            await reader.readexactly(10)
            got_part.set()
            await reader.read()  # until the client goes away

    async def body() -> AsyncIterator[bytes]:
        yield b"0123456789"
        await asyncio.sleep(30)
        yield b"never"

    async with RawServer(slow_reader) as server:
        lean = LeanWire()
        try:
            send = asyncio.create_task(lean.exchange("POST", server.url, [], body(), length=15, max_answer=1000))
            await got_part.wait()
            send.cancel()
            with pytest.raises(asyncio.CancelledError):
                await send
            answer = await lean.exchange("POST", server.url, [], b"a=1", max_answer=1000)
        finally:
            await lean.aclose()
    assert answer.status == 200
    assert server.connections == 2  # the half-sent connection was dropped, not given the next request


async def test_an_early_answer_to_a_refused_upload_is_read():
    async def refuse_before_body(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(ok_answer({"stat": "fail", "code": 401, "msg": "no"}).replace(b"200 OK", b"401 Unauthorized"))
        await writer.drain()
        await reader.read()

    async def body() -> AsyncIterator[bytes]:
        for _ in range(4):
            yield b"x" * 1000
            await asyncio.sleep(0.01)

    async with RawServer(refuse_before_body) as server:
        lean = LeanWire()
        try:
            answer = await lean.exchange("POST", server.url, [], body(), length=4000, max_answer=1000)
        finally:
            await lean.aclose()
    assert answer.status == 401 and json.loads(answer.body)["code"] == 401


async def test_an_early_answer_is_read_even_when_the_server_closes_before_the_body_is_sent():
    async def refuse_and_close(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 413 Too Large\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
        await writer.drain()
        writer.close()

    async def body() -> AsyncIterator[bytes]:
        for _ in range(50):
            yield b"x" * 100_000
            await asyncio.sleep(0.01)

    async with RawServer(refuse_and_close) as server:
        lean = LeanWire()
        try:
            answer = await lean.exchange("POST", server.url, [], body(), length=5_000_000, max_answer=1000)
        finally:
            await lean.aclose()
    assert answer.status == 413 and answer.body == b"{}"


async def test_the_transport_refuses_a_redirect_and_a_huge_answer_over_the_lean_wire():
    async def answers(reader, writer):
        while True:
            try:
                head, _ = await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            if b"sp.event.info" in head:
                writer.write(b"HTTP/1.1 301 Moved\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n")
            else:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 999999999\r\n\r\n")
            await writer.drain()

    async with RawServer(answers) as server:
        transport = Transport(server.url, StaticToken("t0ken"), retry=RetryPolicy.no_retries())
        assert isinstance(transport.wire, LeanWire)
        try:
            with pytest.raises(ConfigurationError, match=r"redirects to http://127\.0\.0\.1"):
                await transport.call("sp.event.info", {"event_id": 1})
            with pytest.raises(AnswerTooLargeError):
                await transport.call("sp.album.info", {"album_id": 1})
        finally:
            await transport.aclose()


async def test_a_refused_connection_is_retried_by_the_transport_with_nothing_applied():
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    sleeps: list[float] = []

    async def sleep(delay: float) -> None:
        sleeps.append(delay)

    transport = Transport(
        f"http://127.0.0.1:{port}/v2", StaticToken("t0ken"), retry=RetryPolicy(max_attempts=3, sleep=sleep)
    )
    try:
        with pytest.raises(TransientError) as failed:
            await transport.call("sp.event.create", {"event_name": "x"}, write=True)
    finally:
        await transport.aclose()
    assert len(sleeps) == 2  # a write that never left is safe to send again
    assert not failed.value.maybe_applied
    assert "t0ken" not in str(failed.value)


def test_a_proxy_in_the_environment_sends_the_calls_through_httpx(monkeypatch):
    from studio_desktop.api.wire_httpx import HttpxWire

    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert isinstance(new_wire("https://api.shootproof.com/v2"), LeanWire)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert isinstance(new_wire("https://api.shootproof.com/v2"), HttpxWire)
    monkeypatch.setenv("NO_PROXY", "api.shootproof.com")
    assert isinstance(new_wire("https://api.shootproof.com/v2"), LeanWire)


# -- any well-framed answer, cut anywhere, is read whole ---------------------------------------


def _framed(body: bytes, mode: str, pieces: list[int], zipped: bool) -> bytes:
    """An HTTP/1.1 answer carrying ``body`` (gzipped if asked) by Content-Length or in chunks of ``pieces``."""
    payload = gzip.compress(body) if zipped else body
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + (b"Content-Encoding: gzip\r\n" if zipped else b"")
    if mode == "length":
        return head + b"Content-Length: " + str(len(payload)).encode() + b"\r\n\r\n" + payload
    out, at = bytearray(head + b"Transfer-Encoding: chunked\r\n\r\n"), 0
    for size in [*pieces, len(payload)]:
        piece = payload[at : at + max(1, size)]
        if not piece:
            break
        out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        at += len(piece)
    return bytes(out + b"0\r\n\r\n")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    bodies=st.lists(st.binary(max_size=20_000), min_size=1, max_size=3),
    mode=st.sampled_from(["length", "chunked"]),
    zipped=st.booleans(),
    pieces=st.lists(st.integers(1, 5_000), max_size=6),
    cuts=st.lists(st.integers(1, 2_000), min_size=1, max_size=12),
)
def test_any_answer_cut_anywhere_is_read_whole_on_one_kept_alive_connection(bodies, mode, zipped, pieces, cuts):
    """Answers written in arbitrary fragments (as a slow or proxied link delivers them) parse to the same body,
    and the connection is reused for the next call."""

    async def fragments(reader, writer):
        for body in bodies:
            await read_request(reader)
            answer, at, turn = _framed(body, mode, pieces, zipped), 0, 0
            while at < len(answer):
                size = cuts[turn % len(cuts)]
                writer.write(answer[at : at + size])
                await writer.drain()
                await asyncio.sleep(0)
                at, turn = at + size, turn + 1

    async def main() -> tuple[list[bytes], int]:
        async with RawServer(fragments) as server:
            lean = LeanWire()
            try:
                got = [(await lean.exchange("GET", server.url, [], max_answer=10**6)).body for _ in bodies]
            finally:
                await lean.aclose()
            return got, server.connections

    got, connections = asyncio.run(main())
    assert got == bodies
    assert connections == 1


# -- TLS, as ShootProof is reached -------------------------------------------------------------


async def _tls_server(ca, handler):
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server_context)
    server = RawServer(handler)
    tasks: set[asyncio.Task[None]] = server.tasks

    async def serve(reader, writer):
        server.connections += 1
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError, ssl.SSLError):
            pass
        finally:
            writer.close()
            tasks.discard(task)

    server.server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=server_context)
    server.url = f"https://localhost:{server.server.sockets[0].getsockname()[1]}/v2"
    return server


async def test_calls_go_over_tls_to_a_trusted_server_and_never_to_an_untrusted_one(tmp_path, monkeypatch):
    ca = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    got: list[bytes] = []

    async def answer(reader, writer):
        while True:
            try:
                _head, body = await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            got.append(body)
            writer.write(ok_answer())
            await writer.drain()

    server = await _tls_server(ca, answer)
    try:
        monkeypatch.setattr(wire, "_tls", None)  # made again, trusting the test's CA
        monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
        lean = LeanWire()
        try:
            for n in range(3):
                answer_ = await lean.exchange("POST", server.url, [], f"n={n}".encode(), max_answer=1000)
                assert answer_.status == 200
        finally:
            await lean.aclose()
        assert got == [b"n=0", b"n=1", b"n=2"] and server.connections == 1

        monkeypatch.setattr(wire, "_tls", None)  # now trusting only certifi's bundle: the test CA is unknown
        monkeypatch.delenv("SSL_CERT_FILE")
        monkeypatch.delenv("SSL_CERT_DIR", raising=False)
        lean = LeanWire()
        try:
            with pytest.raises(CannotConnect) as refused:
                await lean.exchange("POST", server.url, [], b"secret=1", max_answer=1000)
        finally:
            await lean.aclose()
        assert refused.value.nothing_sent and "certificate" in str(refused.value).lower()
        assert got == [b"n=0", b"n=1", b"n=2"], "nothing was sent to the untrusted server"
    finally:
        await server.__aexit__(None, None, None)
    monkeypatch.setattr(wire, "_tls", None)
