"""The same exchange as :class:`~studio_desktop.api.wire.LeanWire`, over an httpx client.

Used where the lean client does not go: a proxy or CA bundle set in the
environment, and an httpx client handed in by the caller (tests that answer
with ``httpx.MockTransport``). Its errors become the wire's, so the transport
has one set of rules for both.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable, AsyncIterator, Sequence

import httpx

from studio_desktop.api.wire import (
    Answer,
    AnswerTimedOut,
    AnswerTooLarge,
    BadAddress,
    CannotConnect,
    ConnectTimedOut,
    Interrupted,
    PoolTimedOut,
    SendTimedOut,
    TimedOut,
    WireError,
)
from studio_desktop.core.redaction import redact_known_places

# connect 10 s; read 60 s; no write timeout so a 50 MB photo may crawl up a slow
# link; a generous pool wait so 16 concurrent uploads do not starve reads.
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=None, pool=60.0)
DEFAULT_LIMITS = httpx.Limits(max_connections=32, max_keepalive_connections=24, keepalive_expiry=5.0)


class _RedactingFilter(logging.Filter):
    """httpx logs each request URL at INFO; GET URLs hold the access token."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "access_token" in record.getMessage() or "refresh_token" in record.getMessage():
            record.msg = redact_known_places(record.getMessage())
            record.args = None
        return True


for _name in ("httpx", "httpcore"):
    if not any(isinstance(f, _RedactingFilter) for f in logging.getLogger(_name).filters):
        logging.getLogger(_name).addFilter(_RedactingFilter())


def new_http_client(verify: bool = True) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=DEFAULT_TIMEOUT, limits=DEFAULT_LIMITS, follow_redirects=False, verify=verify)


class _Stream(httpx.AsyncByteStream):
    def __init__(self, chunks: AsyncIterable[bytes]):
        self._chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._chunks:
            yield chunk


def wire_error(exc: httpx.HTTPError) -> WireError:
    """The wire's error for an httpx one (the caller raises it ``from`` the httpx error)."""
    detail = str(exc).strip()
    kind: type[WireError]
    if isinstance(exc, httpx.ConnectTimeout):
        kind = ConnectTimedOut
    elif isinstance(exc, httpx.ConnectError):
        kind = CannotConnect
    elif isinstance(exc, httpx.PoolTimeout):
        kind = PoolTimedOut
    elif isinstance(exc, httpx.ReadTimeout):
        kind = AnswerTimedOut
    elif isinstance(exc, httpx.WriteTimeout):
        kind = SendTimedOut
    elif isinstance(exc, httpx.TimeoutException):
        kind = TimedOut
    elif isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        kind = BadAddress
    else:
        kind = Interrupted
    return kind(detail)


class HttpxWire:
    def __init__(self, http: httpx.AsyncClient, *, owned: bool):
        self.http = http
        self._owned = owned

    async def aclose(self) -> None:
        if self._owned:
            await self.http.aclose()

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
        all_headers = dict(headers)
        stream: httpx.AsyncByteStream | None = None
        content: bytes | None = None
        if isinstance(body, bytes):
            content = body
        elif body is not None:
            stream = _Stream(body)
            if length is None:
                all_headers["Transfer-Encoding"] = "chunked"
            else:
                all_headers["Content-Length"] = str(length)
        try:
            request = self.http.build_request(method, url, headers=all_headers, content=content)
            if stream is not None:  # a Request made with a stream, so nothing of an empty body is kept
                request = httpx.Request(
                    method, request.url, headers=request.headers, stream=stream, extensions=request.extensions
                )
            response = await self.http.send(request, stream=True)
            try:
                answer_headers = {name.lower(): value for name, value in response.headers.items()}
                if 300 <= response.status_code < 400:
                    return Answer(response.status_code, answer_headers, b"")
                declared = response.headers.get("Content-Length", "")
                if declared.strip().isdigit() and int(declared) > max_answer:
                    raise AnswerTooLarge(response.status_code)
                received = bytearray()
                async for chunk in response.aiter_bytes():
                    received += chunk
                    if len(received) > max_answer:
                        raise AnswerTooLarge(response.status_code)
            finally:
                await response.aclose()
        except httpx.HTTPError as exc:
            raise wire_error(exc) from exc
        answer_headers.pop("content-encoding", None)  # httpx decoded it
        return Answer(response.status_code, answer_headers, bytes(received))
