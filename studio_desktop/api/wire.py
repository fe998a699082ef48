"""The HTTP/1.1 client the ShootProof calls go over: one asyncio protocol per connection, h11 for the framing.

Why not httpx here: measured as a whole ``studio-desktop upload`` process against
``tests/benchmarks/minimal_server.py``, httpx/httpcore/anyio cost ~1.8 ms of loop
time per request (connection-pool bookkeeping, a ``select`` per reuse to see if the
socket expired, anyio checkpoints and stream wrappers per chunk) and ~55 ms of
imports, more than everything else the upload engine does per photo. A keep-alive
connection here is an :class:`asyncio.Protocol`, so a server that closes an idle
connection is seen when it happens (``eof_received``), not probed before each use.
h11 (already under httpcore) parses the answers and decides keep-alive; we
only move bytes.

What it does not do, so :mod:`studio_desktop.api.transport` falls back to httpx
for it: a proxy set in the environment (see :func:`needs_httpx`). Nor does it
do HTTP/2, cookies or redirects (the transport refuses redirects anyway).
Answers are asked for uncompressed; gzip or deflate sent anyway is undone.

Errors are :class:`WireError` subclasses that say whether any byte of the
request can have left (``nothing_sent``): that is what decides if a write may be
tried again.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import sys
import time
import zlib
from collections.abc import AsyncIterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import h11

# connect 10 s; 60 s without a byte of the answer; no send timeout (a 50 MB photo may crawl up a slow
# link: the transport's overall deadline bounds it); 60 s to wait for a free connection.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
POOL_TIMEOUT = 60.0
MAX_CONNECTIONS = 32
KEEPALIVE_EXPIRY = 5.0
# Bytes buffered in user space before a send waits for the socket: a chunk is counted as sent (progress)
# once the buffer is back under the low mark, so what is counted is at most this far ahead of the kernel.
_WRITE_HIGH = 256 * 1024
_WRITE_LOW = 64 * 1024

_USER_AGENT = b"studio-desktop/0.1"


class WireError(Exception):
    """The exchange failed below HTTP: no answer was read."""

    #: True when no byte of the request can have reached the server (it may be sent again safely).
    nothing_sent = False


class TimedOut(WireError):
    """A wait ran out (connecting, a free connection, the answer): the server may be overloaded."""


class CannotConnect(WireError):
    nothing_sent = True


class ConnectTimedOut(CannotConnect, TimedOut):
    pass


class PoolTimedOut(TimedOut):
    nothing_sent = True


class AnswerTimedOut(TimedOut):
    """The server sent nothing for :data:`READ_TIMEOUT` seconds."""


class SendTimedOut(TimedOut):
    """Only from httpx (this client has no send timeout: the transport's deadline bounds a send)."""


class Interrupted(WireError):
    """The connection closed or broke mid-exchange, or the server spoke something that is not HTTP/1.1."""


class BadAddress(WireError):
    nothing_sent = True


@dataclass(slots=True)
class Answer:
    status: int
    #: header names in lower case; a repeated header's values joined with ", "
    headers: dict[str, str]
    body: bytes

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)


class AnswerTooLarge(Exception):
    """The answer's body passed the size the caller allows; it was not read on (the connection is dropped)."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


def needs_httpx(url: str) -> bool:
    """True when the environment asks for a proxy to this address (httpx goes through proxies; this does not)."""
    if sys.platform.startswith("linux") and not any(name.lower().endswith("_proxy") for name in os.environ):
        return False  # proxies come only from the environment there: spares importing urllib.request (~14 ms)
    import urllib.request

    parts = urlsplit(url)
    proxies = urllib.request.getproxies()
    if not (proxies.get(parts.scheme) or proxies.get("all")):
        return False
    return not urllib.request.proxy_bypass(parts.hostname or "")


_tls: ssl.SSLContext | None = None


def _tls_context() -> ssl.SSLContext:
    """Made on the first https connection (loading the CA bundle costs 20-40 ms), trusting what httpx trusts.

    That is ``SSL_CERT_FILE`` or ``SSL_CERT_DIR`` when set (a company's own CA), else certifi's bundle.
    """
    global _tls
    if _tls is None:
        if os.environ.get("SSL_CERT_FILE"):
            context = ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
        elif os.environ.get("SSL_CERT_DIR"):
            context = ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
        else:
            import certifi

            context = ssl.create_default_context(cafile=certifi.where())
        context.set_alpn_protocols(["http/1.1"])
        _tls = context
    return _tls


class _Connection(asyncio.Protocol):
    """One keep-alive connection: bytes in go to h11, bytes out wait for the socket when it is full."""

    def __init__(self, key: tuple[str, str, int]) -> None:
        self.key = key
        self.h11 = h11.Connection(h11.CLIENT)
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.error: BaseException | None = None
        self.idle_since = time.monotonic()
        self._data_waiter: asyncio.Future[None] | None = None
        self._drain_waiter: asyncio.Future[None] | None = None
        self._paused = False

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.set_write_buffer_limits(high=_WRITE_HIGH, low=_WRITE_LOW)

    def data_received(self, data: bytes) -> None:
        try:
            self.h11.receive_data(data)
        except h11.RemoteProtocolError as exc:
            self.error = exc
        self._wake_reader()

    def eof_received(self) -> bool:
        try:
            self.h11.receive_data(b"")
        except h11.RemoteProtocolError as exc:
            self.error = exc
        self.closed = True
        self._wake_reader()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if exc is not None and self.error is None:
            self.error = exc
        self._wake_reader()
        waiter, self._drain_waiter = self._drain_waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def pause_writing(self) -> None:
        self._paused = True

    def resume_writing(self) -> None:
        self._paused = False
        waiter, self._drain_waiter = self._drain_waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # ours
    def _wake_reader(self) -> None:
        waiter, self._data_waiter = self._data_waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def reusable(self, now: float) -> bool:
        return (
            not self.closed
            and self.error is None
            and self.transport is not None
            and not self.transport.is_closing()
            and self.h11.our_state is h11.IDLE
            and self.h11.their_state is h11.IDLE
            and now - self.idle_since < KEEPALIVE_EXPIRY
        )

    def send(self, event: Any) -> None:
        data = self.h11.send(event)
        if self.closed or self.transport is None:
            raise Interrupted("the connection was closed by the server") from self.error
        if data:
            self.transport.write(data)

    async def drain(self) -> None:
        """Until the socket has taken all but :data:`_WRITE_LOW` bytes of what was written."""
        if self._paused and not self.closed:
            waiter = self._drain_waiter = asyncio.get_running_loop().create_future()
            await waiter
        if self.closed:
            raise Interrupted("the connection was closed while sending") from self.error

    async def next_event(self) -> Any:
        """The next h11 event of the answer, waiting at most :data:`READ_TIMEOUT` for each byte."""
        while True:
            if self.error is not None and not isinstance(self.error, OSError):
                raise Interrupted(f"the server's answer is not valid HTTP ({self.error})")
            try:
                event = self.h11.next_event()
            except h11.RemoteProtocolError as exc:
                raise Interrupted(f"the server's answer is not valid HTTP ({exc})") from None
            if event is not h11.NEED_DATA:
                return event
            if self.closed:
                raise Interrupted("the server closed the connection before it answered") from self.error
            loop = asyncio.get_running_loop()
            waiter = self._data_waiter = loop.create_future()
            timer = loop.call_later(READ_TIMEOUT, _time_out, waiter)
            try:
                await waiter
            finally:
                timer.cancel()

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()


def _time_out(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(AnswerTimedOut("the server sent nothing for a minute"))


class LeanWire:
    """Keep-alive connections to the API's host, shared by every call of one transport."""

    def __init__(self, *, max_connections: int = MAX_CONNECTIONS) -> None:
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._slots = asyncio.Semaphore(max_connections)  # bound to a loop at its first wait, not here
        self._closed = False

    async def aclose(self) -> None:
        self._closed = True
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()

    async def exchange(
        self,
        method: str,
        url: str,
        headers: Sequence[tuple[str, str]],
        body: bytes | AsyncIterable[bytes] | None = None,
        *,
        length: int | None = None,
        max_answer: int,
    ) -> Answer:
        """Send one request and read its whole answer (at most ``max_answer`` bytes of body)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BadAddress(f"{url!r} is not an http(s) address")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise BadAddress(f"{url!r} has a port that is not a number") from None
        key = (parts.scheme, parts.hostname, port)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host = parts.netloc.rpartition("@")[2]
        request_headers: list[tuple[bytes, bytes]] = [(b"Host", host.encode("idna"))]
        request_headers += [(name.encode(), value.encode()) for name, value in headers]
        request_headers += [(b"User-Agent", _USER_AGENT), (b"Accept-Encoding", b"identity")]
        if isinstance(body, bytes):
            request_headers.append((b"Content-Length", str(len(body)).encode()))
        elif body is not None:
            if length is None:
                request_headers.append((b"Transfer-Encoding", b"chunked"))
            else:
                request_headers.append((b"Content-Length", str(length).encode()))

        try:
            async with asyncio.timeout(POOL_TIMEOUT):
                await self._slots.acquire()
        except TimeoutError:
            raise PoolTimedOut("timed out waiting for a free connection") from None
        try:
            connection = await self._connection(key)
            try:
                answer = await self._exchange(connection, method, target, request_headers, body, max_answer)
            except BaseException:
                connection.close()  # cancelled or failed mid-exchange: never reused
                raise
            self._keep_or_close(key, connection)
            return answer
        finally:
            self._slots.release()

    def _keep_or_close(self, key: tuple[str, str, int], connection: _Connection) -> None:
        """Back to the idle connections after a whole exchange, unless either side said it closes."""
        state = connection.h11
        if self._closed or state.our_state is not h11.DONE or state.their_state is not h11.DONE:
            connection.close()  # a redirect's unread body, "Connection: close", or this wire closed meanwhile
            return
        try:
            state.start_next_cycle()
        except h11.LocalProtocolError:
            connection.close()
            return
        connection.idle_since = time.monotonic()
        self._idle.setdefault(key, []).append(connection)

    async def _connection(self, key: tuple[str, str, int]) -> _Connection:
        idle = self._idle.get(key)
        now = time.monotonic()
        while idle:
            connection = idle.pop()  # the most recently used: the least likely to have timed out
            if connection.reusable(now):
                return connection
            connection.close()
        scheme, hostname, port = key
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT):
                _, protocol = await loop.create_connection(
                    lambda: _Connection(key),
                    hostname,
                    port,
                    ssl=_tls_context() if scheme == "https" else None,
                    server_hostname=hostname if scheme == "https" else None,
                )
        except TimeoutError:
            raise ConnectTimedOut(f"timed out connecting to {hostname}") from None
        except (OSError, ssl.SSLError) as exc:
            detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise CannotConnect(detail or type(exc).__name__) from None
        return protocol

    async def _exchange(
        self,
        connection: _Connection,
        method: str,
        target: str,
        headers: list[tuple[bytes, bytes]],
        body: bytes | AsyncIterable[bytes] | None,
        max_answer: int,
    ) -> Answer:
        early: h11.Response | None = None
        try:
            connection.send(h11.Request(method=method, target=target, headers=headers))
            if isinstance(body, bytes):
                if body:
                    connection.send(h11.Data(data=body))
            elif body is not None:
                async for chunk in body:
                    if chunk:
                        connection.send(h11.Data(data=chunk))
                        await connection.drain()
            connection.send(h11.EndOfMessage())
            await connection.drain()
        except (h11.LocalProtocolError, Interrupted, OSError) as exc:
            # A server may answer before it has read the whole body (a refusal: 401, 413) and close the
            # connection: that answer is what the caller needs. Without one, the send's own failure is.
            early = _answer_waiting(connection)
            if early is None:
                detail = exc if isinstance(exc, Interrupted) else f"the connection broke while sending ({exc})"
                raise Interrupted(str(detail)) from None

        try:
            event = early or await connection.next_event()
            while isinstance(event, h11.InformationalResponse):
                event = await connection.next_event()
            if not isinstance(event, h11.Response):
                raise Interrupted(f"the server's answer is not valid HTTP ({type(event).__name__})")
            status = event.status_code
            answer_headers: dict[str, str] = {}
            for raw_name, raw_value in event.headers:
                name = raw_name.decode("latin-1")
                value = raw_value.decode("latin-1")
                answer_headers[name] = f"{answer_headers[name]}, {value}" if name in answer_headers else value
            if 300 <= status < 400:
                return Answer(status, answer_headers, b"")  # refused by the caller; its body is not wanted
            declared = answer_headers.get("content-length", "")
            if declared.strip().isdigit() and int(declared) > max_answer:
                raise AnswerTooLarge(status)
            decoder = _decoder(answer_headers.get("content-encoding", ""))
            received = bytearray()
            while True:
                event = await connection.next_event()
                if isinstance(event, h11.Data):
                    received += decoder.decompress(event.data) if decoder is not None else event.data
                    if len(received) > max_answer:
                        raise AnswerTooLarge(status)
                elif isinstance(event, h11.EndOfMessage):
                    break
                elif isinstance(event, h11.ConnectionClosed):
                    raise Interrupted("the server closed the connection in the middle of its answer")
            if decoder is not None:
                received += decoder.flush()
        except zlib.error as exc:
            raise Interrupted(f"the server's compressed answer is damaged ({exc})") from None
        except OSError as exc:
            raise Interrupted(f"the connection broke while reading the answer ({exc})") from None
        return Answer(status, answer_headers, bytes(received))


def _answer_waiting(connection: _Connection) -> h11.Response | None:
    """The head of an answer the server has already sent, looked for without waiting; else None."""
    try:
        event = connection.h11.next_event()
        while isinstance(event, h11.InformationalResponse):
            event = connection.h11.next_event()
    except h11.RemoteProtocolError:
        return None
    return event if isinstance(event, h11.Response) else None


def _decoder(encoding: str) -> Any:
    encoding = encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    return None
