"""The one request path every ShootProof call takes.

Each call carries ``method`` and ``access_token``. Reads go out as GET;
writes as POST (form-encoded, or multipart when a file is attached: the file is
streamed from disk by :class:`MultipartBody`, read in reader threads so a slow
disk never holds the event loop, and counted as the socket takes it). The JSON answer is checked (``stat``) and failures
become typed errors. Reads are retried on transient failures with exponential
backoff and full jitter, honouring ``Retry-After``; writes only when nothing
can have been applied (the connection never opened, or the server said 429);
a file upload is never sent twice once its body may have reached the server.
A 401 asks the token provider for a fresh token once and repeats the call.

Against a server no test here has met, every attempt has an overall deadline
(:class:`Deadlines`: a fixed bound for ordinary calls, one scaled by the file's
size for uploads) covering connect, send and the whole answer, so a server that
answers one byte at a time cannot hang a command; an answer is read in chunks and
refused once it passes a size no API answer reaches; a redirect from the API
address is a configuration error, raised at once and never retried.

The token is kept out of URLs where the API allows it (POST bodies), and out
of every log line and error message always.
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import io
import json
import logging
import os
import random
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import IO, Any, Protocol, runtime_checkable
from urllib.parse import urlencode, urljoin, urlsplit

from studio_desktop.api.errors import (
    AnswerTooLargeError,
    AuthenticationError,
    BadResponseError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    PlanLimitError,
    ShootProofError,
    TransientError,
    ValidationError,
)
from studio_desktop.api.models import field_errors
from studio_desktop.api.wire import (
    Answer,
    AnswerTimedOut,
    AnswerTooLarge,
    BadAddress,
    CannotConnect,
    ConnectTimedOut,
    LeanWire,
    PoolTimedOut,
    SendTimedOut,
    TimedOut,
    WireError,
    needs_httpx,
)
from studio_desktop.core.redaction import redact_known_places

log = logging.getLogger("studio_desktop.api.shootproof")

ProgressCallback = Callable[[int], None]

TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 507, 509, 520, 521, 522, 523, 524})
AUTH_CODES = frozenset({"invalid_token", "expired_token", "token_expired", "unauthorized", "invalid_grant"})


@runtime_checkable
class TokenProvider(Protocol):
    async def token(self) -> str: ...

    async def refresh_after_auth_failure(self) -> str | None: ...


class StaticToken:
    """A long-lived token pasted by the user: nothing to refresh."""

    def __init__(self, token: str):
        self._token = token

    async def token(self) -> str:
        return self._token

    async def refresh_after_auth_failure(self) -> str | None:
        return None

    def __repr__(self) -> str:
        return "StaticToken(<set>)" if self._token else "StaticToken(None)"


@dataclass(frozen=True)
class Deadlines:
    """How long one attempt of a call may take in all, and how big its answer may be.

    The per-read timeout of the connection restarts with every byte, so on its own a
    trickling server keeps a call alive for ever; these bound the whole attempt.
    An upload gets ``upload_fixed`` plus its size at ``upload_floor_rate``
    (bytes per second): slower than that, the link is not worth waiting on.
    ``max_answer_bytes`` is far above any real answer (a 100,000-photo page of
    JSON is ~60 MB at most at the API's largest page size).
    """

    call: float = 120.0
    upload_fixed: float = 120.0
    upload_floor_rate: float = 50_000.0
    max_answer_bytes: int = 64 * 1024 * 1024

    def for_upload(self, size: int) -> float:
        return self.upload_fixed + max(0, size) / self.upload_floor_rate

    def within_bandwidth(self, limit_kbps: float, concurrency: int) -> Deadlines:
        """These deadlines under a bandwidth limit the user set: the floor rate stays below each upload's share.

        Half the share, so uploads slowed by our own limit never run into their
        deadline; without a limit (0) nothing changes.
        """
        if limit_kbps <= 0:
            return self
        share = limit_kbps * 1000 / 8 / max(1, concurrency)
        return replace(self, upload_floor_rate=min(self.upload_floor_rate, share / 2))


# When a file part's size cannot be learned (a pipe), plan for the largest photo the API accepts.
_UNKNOWN_PART_SIZE = 50 * 1024 * 1024


def backoff_ceiling(retry_number: int, base_delay: float, max_delay: float) -> float:
    """Exponential backoff before jitter: ``base_delay`` doubled for each retry after the first, at most ``max_delay``.

    Shared with the upload engine's own retries (:mod:`studio_desktop.uploads.engine.retry`),
    which jitter it differently.
    """
    return min(max_delay, base_delay * 2.0 ** max(0, retry_number - 1))


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. ``attempts`` counts the first try; delays are in seconds.

    ``total_time`` bounds the time spent on one call across attempts;
    a ``Retry-After`` longer than ``max_retry_after`` is not waited for (the
    error carries it so the caller can schedule). ``sleep`` and ``random`` are
    injectable so tests run fast and can see the delays chosen.
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0
    total_time: float = 120.0
    max_retry_after: float = 60.0
    sleep: Callable[[float], Awaitable[Any]] = field(default=asyncio.sleep, repr=False, compare=False)
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def backoff(self, retry_number: int) -> float:
        """Full jitter: uniform in [0, min(max_delay, base_delay * 2**(retry_number - 1))]."""
        return self.random() * backoff_ceiling(retry_number, self.base_delay, self.max_delay)

    @classmethod
    def no_retries(cls) -> RetryPolicy:
        return cls(max_attempts=1)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, seconds) if seconds == seconds else None  # NaN check


#: Bytes read per chunk of a file part. Each chunk costs several trips through the loop (the reader
#: thread's hand-over, httpcore/h11's event, anyio's checkpoint and drain): whole-process throughput
#: went 44 -> 54 -> 66 -> 90 MB/s with 64 KiB, 256 KiB, 1 MiB and 4 MiB chunks (bench_whole_process.py
#: --chunks, a loaded machine). 1 MiB: progress still moves several times a second on a 20 Mbit/s
#: uplink, and 5 uploads hold ~10 MB of chunks. A bandwidth limit asks for 64 KiB (ratelimit.py).
UPLOAD_CHUNK = 1024 * 1024

_readers: ThreadPoolExecutor | None = None


def _reader_pool() -> ThreadPoolExecutor:
    """The threads that read (and open, measure and close) upload files, so a slow disk never holds the loop.

    Their own pool, not the loop's default one: a stalled share must not starve the store and the scanner.
    """
    global _readers
    if _readers is None:
        _readers = ThreadPoolExecutor(max_workers=32, thread_name_prefix="upload-read")
    return _readers


async def in_reader_thread(function: Callable[..., Any], *args: Any) -> Any:
    """Run a blocking file call (open, fstat, read, close) in an upload reader thread."""
    return await asyncio.wrap_future(_reader_pool().submit(function, *args))


class SourceFileChanged(Exception):
    """The file ended before, or went on past, the size it had when its upload began: it changed on disk.

    Not an :class:`ApiError`: nothing is wrong with the server; the caller compares the file with what it
    queued and says the file changed.
    """


class FileBody:
    """The bytes of one file part: read in a reader thread, hashed as read, counted as the socket takes them.

    At most one chunk is read ahead of the one being sent. ``sent`` (and the
    progress callback) move only once the HTTP connection has written a chunk
    and asks for the next one, so a pause or a cut connection mid-file leaves
    ``sent`` at what really left, never at what was read. The sha256 is of
    the bytes sent, taken while sending: the file may change on disk between a
    separate hashing read and the upload.
    """

    def __init__(self, part: FilePart, chunk_size: int | None = None):
        self._part = part
        self.chunk_size = chunk_size or UPLOAD_CHUNK
        self.sent = 0
        self.name = part.filename
        self._hash = hashlib.sha256()
        self._whole = False

    def hexdigest(self) -> str | None:
        """sha256 of the file's bytes once they all went out; ``None`` until then."""
        return self._hash.hexdigest() if self._whole else None

    async def _in_memory(self, data: bytes) -> AsyncIterator[bytes]:
        """A part already in memory: no reader thread; cut in chunks only under a bandwidth limit."""
        self._hash.update(data)  # at most UPLOAD_CHUNK bytes (~0.6 ms), so it may run on the loop
        on_progress = self._part.on_progress
        for start in range(0, len(data), self.chunk_size):
            chunk = data[start : start + self.chunk_size] if len(data) > self.chunk_size else data
            yield chunk
            self.sent += len(chunk)
            if on_progress is not None:
                on_progress(self.sent)
        self._whole = True

    def _read(self, size: int, rewind: bool) -> bytes:
        part = self._part
        with part.io_lock:  # never at the same time as the file's close (a send cancelled mid-file)
            if part.closed:
                return b""
            raw = part.fileobj
            if rewind:
                raw.seek(part.start)
            data = raw.read(size)
        if data:
            self._hash.update(data)  # here, not on the loop: hashing 5 MB takes ~3 ms
        return data

    async def chunks(self) -> AsyncIterator[bytes]:
        part = self._part
        if part.data is not None:
            async for chunk in self._in_memory(part.data):
                yield chunk
            return
        rewind = part.rewindable()
        remaining = part.size
        on_progress = part.on_progress

        def ask() -> int:
            # One byte past the expected end, so a file that grew shows without another read.
            if remaining is None:
                return self.chunk_size
            return remaining + 1 if remaining < self.chunk_size else self.chunk_size

        asked = ask()
        pending = _reader_pool().submit(self._read, asked, rewind)
        while True:
            # Read ahead, the chunk is mostly there already: taking it directly spares a trip through the loop.
            chunk = pending.result() if pending.done() else await asyncio.wrap_future(pending)
            got = len(chunk)
            if remaining is not None:
                if got > remaining:
                    raise SourceFileChanged(f"{part.filename} grew while it was being sent.")
                if got < asked and got < remaining:
                    raise SourceFileChanged(f"{part.filename} became shorter while it was being sent.")
                remaining -= got
            if not got:
                break
            last = remaining == 0 and asked > got if remaining is not None else False
            if not last:
                asked = ask()
                pending = _reader_pool().submit(self._read, asked, False)
            yield chunk
            # The connection asks for the next chunk only once it has written this one.
            self.sent += got
            if on_progress is not None:
                on_progress(self.sent)
            if last:
                break
        self._whole = True


# RFC 7578 / the HTML5 form encoding, as httpx writes names and file names.
_FORM_ESCAPES = {ord('"'): "%22", ord("\\"): "\\\\"} | {c: f"%{c:02X}" for c in range(0x20) if c != 0x1B}


def _form_param(key: str, value: str) -> bytes:
    return f'{key}="{value.translate(_FORM_ESCAPES)}"'.encode()


class Throttle(Protocol):
    """A bandwidth limit the upload bodies draw from (:class:`studio_desktop.uploads.ratelimit.TokenBucket`)."""

    @property
    def rate(self) -> float: ...

    async def take(self, amount: int) -> None: ...


#: Chunks of an upload under a bandwidth limit: the bucket is drawn on smoothly and progress moves often.
LIMITED_CHUNK = 64 * 1024


async def _throttled(body: AsyncIterator[bytes], throttle: Throttle) -> AsyncIterator[bytes]:
    async for chunk in body:
        await throttle.take(len(chunk))
        yield chunk


class MultipartBody:
    """A multipart/form-data body: the plain fields, then each file part streamed by its :class:`FileBody`."""

    def __init__(self, fields: Sequence[tuple[str, str]], files: Sequence[FilePart]):
        self.boundary = os.urandom(16).hex().encode()
        head = bytearray()
        for name, value in fields:
            head += b"--" + self.boundary + b"\r\nContent-Disposition: form-data; " + _form_param("name", name)
            head += b"\r\n\r\n" + value.encode() + b"\r\n"
        self._parts: list[tuple[bytes, FilePart]] = []
        for part in files:
            head += b"--" + self.boundary + b"\r\nContent-Disposition: form-data; " + _form_param("name", part.field)
            head += b"; " + _form_param("filename", part.filename)
            head += b"\r\nContent-Type: " + part.content_type.encode() + b"\r\n\r\n"
            self._parts.append((bytes(head), part))
            head = bytearray(b"\r\n")
        self._tail = bytes(head) + b"--" + self.boundary + b"--\r\n"
        sizes = [part.size for part in files]
        self.length = None if None in sizes else sum(len(h) for h, _ in self._parts) + sum(sizes) + len(self._tail)  # type: ignore[arg-type]
        self.chunk_size: int | None = None  # None: UPLOAD_CHUNK; a bandwidth limit asks for smaller ones
        for part in files:
            part.reader = FileBody(part)

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary.decode()}"

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for head, part in self._parts:
            yield head
            if self.chunk_size:
                part.reader.chunk_size = self.chunk_size  # type: ignore[union-attr]
            async for chunk in part.reader.chunks():  # type: ignore[union-attr]
                yield chunk
        yield self._tail


@dataclass
class FilePart:
    """A file field of a multipart request."""

    field: str
    fileobj: IO[bytes]
    filename: str
    content_type: str = "image/jpeg"
    on_progress: ProgressCallback | None = None
    #: the body of the latest attempt to send this part (set when the request is built)
    # `field` is dataclasses.field at run time (the `field` above is only annotated, never bound).
    reader: FileBody | None = field(default=None, repr=False)  # type: ignore[operator]
    #: where the part starts in ``fileobj`` and how many bytes it has (None: unknown, sent chunked);
    #: learned in a reader thread by :meth:`measure` before the first attempt
    start: int = 0
    size: int | None = None
    measured: bool = False
    #: held by each chunk's read and by :meth:`close`: a read ahead still running when a send is
    #: cancelled finishes before the file closes, and none starts after
    io_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)  # type: ignore[operator]
    closed: bool = False
    #: the whole part, when it was read before the request (a small file): sent from memory
    data: bytes | None = field(default=None, repr=False)  # type: ignore[operator]

    @classmethod
    def of_bytes(
        cls, field_name: str, data: bytes, filename: str, content_type: str, on_progress: ProgressCallback | None
    ) -> FilePart:
        return cls(
            field_name,
            io.BytesIO(data),
            filename,
            content_type,
            on_progress,
            size=len(data),
            measured=True,
            data=data,
        )

    def close(self) -> None:
        """Close the file once no chunk is being read (blocking: call it in a reader thread)."""
        with self.io_lock:
            self.closed = True
            self.fileobj.close()

    def release(self) -> None:
        """Read no more of a file the caller opened (and closes): waits out a chunk still being read."""
        with self.io_lock:
            self.closed = True

    def content_hash(self) -> str | None:
        """sha256 hex of the bytes the latest attempt sent whole, else ``None``."""
        return self.reader.hexdigest() if self.reader is not None else None

    def rewindable(self) -> bool:
        try:
            return bool(self.fileobj.seekable())
        except (AttributeError, OSError, ValueError):
            return False

    def measure(self) -> None:
        """Learn ``start`` and ``size`` (blocking: call it in a reader thread)."""
        self.measured = True
        raw = self.fileobj
        try:
            self.start = raw.tell() if self.rewindable() else 0
        except (AttributeError, OSError, ValueError):
            self.start = 0
        try:
            self.size = max(0, os.fstat(raw.fileno()).st_size - self.start)
            return
        except (AttributeError, OSError, ValueError):
            pass
        getbuffer = getattr(raw, "getbuffer", None)
        if getbuffer is not None:
            try:
                self.size = max(0, getbuffer().nbytes - self.start)
                return
            except (TypeError, ValueError):
                pass
        self.size = None


def flatten_params(params: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Form pairs with PHP-style brackets: ``address[city]``, ``contacts[0][email]``.

    ``None`` values are left out (so "not given" differs from an empty
    string, which some methods use to clear a field); booleans become 1/0.
    """
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if value is None:
            continue
        if isinstance(value, Mapping):
            pairs.extend(flatten_params(value, name))
        elif isinstance(value, (list, tuple)):
            pairs.extend(flatten_params({str(i): item for i, item in enumerate(value)}, name))
        elif isinstance(value, bool):
            pairs.append((name, "1" if value else "0"))
        else:
            pairs.append((name, str(value)))
    return pairs


def _is_html(text: str, content_type: str) -> bool:
    head = text.lstrip()[:200].lower()
    return "html" in content_type.lower() or head.startswith(("<!doctype", "<html", "<head", "<body"))


def _code_number(code: Any) -> int | None:
    if isinstance(code, bool):
        return None
    if isinstance(code, int):
        return code
    if isinstance(code, str) and code.strip().isdigit():
        return int(code.strip())
    return None


_STATUS_ERRORS: dict[int, type[ShootProofError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
}

_DEFAULT_MESSAGES = {
    400: "The server did not accept the values sent.",
    401: "The access token is not valid (it may have expired or been revoked). Please sign in again.",
    403: "This app was not given permission for that.",
    404: "That item does not exist (it may have been deleted).",
    409: "That conflicts with something that already exists.",
    429: "Too many requests at once; the server asked us to slow down.",
}


def error_class(code: Any, http_status: int | None, has_field_errors: bool) -> type[ShootProofError]:
    """The exception type for a ``stat: fail`` answer (by ``code``, then by HTTP status)."""
    if isinstance(code, str) and code.strip().lower() == "limit_reached":
        return PlanLimitError
    number = _code_number(code)
    if number is None and isinstance(code, str) and code.strip():
        if code.strip().lower() in AUTH_CODES:
            return AuthenticationError
        return ShootProofError  # a code we do not know: say so, do not guess from the status
    for candidate in (number, http_status):
        if candidate is None:
            continue
        if candidate in _STATUS_ERRORS:
            return _STATUS_ERRORS[candidate]
        if candidate in TRANSIENT_STATUSES or 500 <= candidate <= 599:
            return TransientError
    if has_field_errors:
        return ValidationError
    return ShootProofError


def _plain_transport_message(exc: WireError, host: str) -> str:
    detail = str(exc).strip()
    where = f"the server at {host}"
    if isinstance(exc, ConnectTimedOut):
        return f"Timed out connecting to {where}."
    if isinstance(exc, CannotConnect):
        return f"Could not connect to {where}" + (f" ({detail})." if detail else ".")
    if isinstance(exc, PoolTimedOut):
        return "Too many requests at once: timed out waiting for a free connection."
    if isinstance(exc, AnswerTimedOut):
        return f"{where[0].upper()}{where[1:]} took too long to answer."
    if isinstance(exc, SendTimedOut):
        return f"Timed out sending data to {where}."
    if isinstance(exc, TimedOut):
        return f"Timed out talking to {where}."
    return f"The connection to {where} was interrupted" + (f" ({detail})." if detail else ".")


@dataclass
class _Budget:
    """Time spent on one call: the clock, or the waits we asked for if more (an injected sleep may not wait)."""

    started: float
    waited: float = 0.0

    def spent(self) -> float:
        return max(time.monotonic() - self.started, self.waited)


class Wire(Protocol):
    """How a request reaches the server: :class:`~studio_desktop.api.wire.LeanWire`, or httpx's."""

    async def exchange(
        self,
        method: str,
        url: str,
        headers: Sequence[tuple[str, str]],
        body: bytes | AsyncIterator[bytes] | None = None,
        *,
        length: int | None = None,
        max_answer: int,
    ) -> Answer: ...

    async def aclose(self) -> None: ...


@dataclass(slots=True)
class _Request:
    method: str
    url: str
    headers: list[tuple[str, str]]
    body: bytes | AsyncIterator[bytes] | None = None
    length: int | None = None


def new_wire(api_url: str, http: Any = None) -> Wire:
    """The lean client, or httpx when one is handed in or the environment asks for a proxy to the API address.

    Given a plain ``http://`` API address (the sandbox, a local stand-in), no call can ever need TLS (redirects
    are refused), so httpx is made without loading certificates.
    """
    if http is None and not needs_httpx(api_url):
        return LeanWire()
    from studio_desktop.api.wire_httpx import HttpxWire, new_http_client

    if http is not None:
        return HttpxWire(http, owned=False)
    return HttpxWire(new_http_client(verify=urlsplit(api_url).scheme != "http"), owned=True)


class Transport:
    """Sends ``sp.*`` calls to one API endpoint with one token provider."""

    def __init__(
        self,
        api_url: str,
        tokens: TokenProvider,
        *,
        http: Any = None,
        retry: RetryPolicy | None = None,
        deadlines: Deadlines | None = None,
    ):
        self.api_url = api_url
        self.tokens = tokens
        self.retry = retry or RetryPolicy()
        self.deadlines = deadlines or Deadlines()
        self.wire: Wire = new_wire(api_url, http)
        self._host = urlsplit(api_url).netloc or api_url
        #: the bandwidth limit upload bodies draw from, if one is set (uploads.ratelimit.throttle_uploads)
        self.upload_throttle: Throttle | None = None

    async def aclose(self) -> None:
        await self.wire.aclose()

    async def probe(self, timeout: float) -> bool:
        """Does the API address answer at all (any HTTP status)? One try, a short timeout, no token sent."""
        try:
            async with asyncio.timeout(timeout):
                await self.wire.exchange("GET", self.api_url, [("Accept", "application/json")], max_answer=1 << 20)
        except (WireError, AnswerTooLarge, TimeoutError):
            return False
        return True

    def __repr__(self) -> str:
        return f"Transport({self.api_url!r})"

    async def call(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        write: bool = False,
        files: Sequence[FilePart] = (),
        json_body: Any = None,
        query: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Send one call and return its JSON answer (``stat == "ok"``), or raise a typed error.

        ``write`` selects POST and the write retry rules. ``json_body`` sends a
        JSON body (with ``params``/``query`` on the query string). ``files``
        makes it multipart; such a call is not re-sent once its body may have
        reached the server.
        """
        params = dict(params or {})
        budget = _Budget(time.monotonic())
        token = await self.tokens.token()
        auth_retried = False
        attempt = 0
        if files:
            if not all(part.measured for part in files):

                def measure_all() -> None:
                    for part in files:
                        part.measure()

                await in_reader_thread(measure_all)
            deadline = self.deadlines.for_upload(
                sum(_UNKNOWN_PART_SIZE if part.size is None else part.size for part in files)
            )
        else:
            deadline = self.deadlines.call
        while True:
            attempt += 1
            request = self._build(method, token, params, write=write, files=files, json_body=json_body, query=query)
            sent_at = time.monotonic()
            try:
                async with asyncio.timeout(deadline):
                    response, text = await self._exchange(method, request)
            except TimeoutError:
                error = TransientError(
                    f"The server at {self._host} did not finish answering within {deadline:.0f} s.",
                    method=method,
                    maybe_applied=write,
                )
                delay = None if write else self._retry_delay(error, attempt, budget)
                if delay is None:
                    raise error from None
                await self._wait(method, error, delay, attempt, budget)
                continue
            except BadAddress:
                raise ShootProofError(
                    f"The API address {self.api_url!r} is not a valid http(s) address; check the settings.",
                    method=method,
                ) from None
            except WireError as exc:
                elapsed_ms = (time.monotonic() - sent_at) * 1000
                log.debug("%s -> %s after %d ms", method, type(exc).__name__, elapsed_ms)
                nothing_sent = exc.nothing_sent
                error = TransientError(
                    redact_known_places(_plain_transport_message(exc, self._host), [token]),
                    method=method,
                    maybe_applied=write and not nothing_sent,
                )
                retryable = not write or nothing_sent
                if retryable and files and not all(part.rewindable() for part in files):
                    retryable = False
                delay = self._retry_delay(error, attempt, budget) if retryable else None
                if delay is None:
                    raise error from None
                await self._wait(method, error, delay, attempt, budget)
                continue

            elapsed_ms = (time.monotonic() - sent_at) * 1000
            log.debug("%s -> %s in %d ms", method, response.status, elapsed_ms)
            try:
                return self._parse(method, response, text, token)
            except AuthenticationError:
                if auth_retried or (files and not all(part.rewindable() for part in files)):
                    raise
                auth_retried = True
                fresh = await self.tokens.refresh_after_auth_failure()
                if not fresh or fresh == token:
                    raise
                log.info("%s: the access token was refused; retrying once with a fresh one", method)
                token = fresh
                continue
            except TransientError as error:
                status = response.status
                if write:
                    # A 429 is a refusal: nothing was applied. Anything else may have been.
                    error.maybe_applied = status != 429
                    retryable = status == 429 and not files
                else:
                    retryable = True
                delay = self._retry_delay(error, attempt, budget) if retryable else None
                if delay is None:
                    raise
                await self._wait(method, error, delay, attempt, budget)

    async def _exchange(self, method: str, request: _Request) -> tuple[Answer, str]:
        """Send, then read the answer up to the size limit; a redirect is refused before its body."""
        try:
            response = await self.wire.exchange(
                request.method,
                request.url,
                request.headers,
                request.body,
                length=request.length,
                max_answer=self.deadlines.max_answer_bytes,
            )
        except AnswerTooLarge as exc:
            raise self._too_large(method, exc.status) from None
        if 300 <= response.status < 400:
            where = response.header("Location")
            target = redact_known_places(urljoin(request.url, where)) if where else "another address"
            raise ConfigurationError(
                f"The API address redirects to {target}; check --api-url (or the API address in the settings).",
                method=method,
                http_status=response.status,
            )
        encoding = _charset(response.header("Content-Type")) or "utf-8"
        try:
            text = response.body.decode(encoding, errors="replace")
        except LookupError:
            text = response.body.decode("utf-8", errors="replace")
        return response, text

    def _too_large(self, method: str, status: int) -> AnswerTooLargeError:
        limit_mb = self.deadlines.max_answer_bytes / (1024 * 1024)
        return AnswerTooLargeError(
            f"The server at {self._host} sent an answer larger than {limit_mb:g} MB; it was not read. "
            "No ShootProof answer is that big: check the API address.",
            method=method,
            http_status=status,
        )

    def _retry_delay(self, error: TransientError, attempt: int, budget: _Budget) -> float | None:
        """How long to wait before the next attempt, or None to give up now."""
        policy = self.retry
        if attempt >= policy.max_attempts:
            return None
        if error.retry_after is not None:
            if error.retry_after > policy.max_retry_after:
                return None
            delay = error.retry_after
        else:
            delay = policy.backoff(attempt)
        if budget.spent() + delay > policy.total_time:
            return None
        return delay

    async def _wait(self, method: str, error: TransientError, delay: float, attempt: int, budget: _Budget) -> None:
        log.info(
            "%s: %s; retrying in %.2f s (attempt %d of %d)",
            method,
            error.msg,
            delay,
            attempt + 1,
            self.retry.max_attempts,
        )
        budget.waited += delay
        await self.retry.sleep(delay)

    def _url(self, pairs: Sequence[tuple[str, str]]) -> str:
        return f"{self.api_url}{'&' if '?' in self.api_url else '?'}{urlencode(pairs)}"

    def _build(
        self,
        method: str,
        token: str,
        params: Mapping[str, Any],
        *,
        write: bool,
        files: Sequence[FilePart],
        json_body: Any,
        query: Mapping[str, Any] | None,
    ) -> _Request:
        pairs = flatten_params(params)
        extra_query = flatten_params(query or {})
        accept = ("Accept", "application/json")
        if json_body is not None:
            return _Request(
                "POST",
                self._url([("method", method), ("access_token", token), *pairs, *extra_query]),
                [accept, ("Content-Type", "application/json")],
                json.dumps(json_body).encode(),
            )
        if not write and not files:
            return _Request(
                "GET", self._url([("method", method), ("access_token", token), *pairs, *extra_query]), [accept]
            )
        # POST: `method` on the query string (as the API's own curl sample does), the
        # token only in the body so it never shows in a URL.
        url = self._url([("method", method), *extra_query])
        body_pairs = [("method", method), ("access_token", token), *pairs]
        if files:
            body = MultipartBody(body_pairs, files)
            throttle = self.upload_throttle
            chunks: AsyncIterator[bytes]
            if throttle is not None and throttle.rate > 0:
                body.chunk_size = LIMITED_CHUNK
                chunks = _throttled(aiter(body), throttle)
            else:
                chunks = aiter(body)
            return _Request("POST", url, [accept, ("Content-Type", body.content_type)], chunks, body.length)
        return _Request(
            "POST",
            url,
            [accept, ("Content-Type", "application/x-www-form-urlencoded")],
            urlencode(body_pairs).encode(),
        )

    def _parse(self, method: str, response: Answer, text: str, token: str) -> dict[str, Any]:
        status = response.status
        retry_after = parse_retry_after(response.header("Retry-After") or None)
        content_type = response.header("Content-Type")
        try:
            data = json.loads(text) if text.strip() else None
        except ValueError:
            data = None
        if isinstance(data, dict) and data.get("stat") in ("ok", "fail"):
            if data["stat"] == "ok":
                return data
            code = data.get("code")
            errors = field_errors(data.get("validation_errors") or data.get("errors"))
            cls = error_class(code, status, bool(errors))
            msg = data.get("msg")
            msg = str(msg).strip() if msg else ""
            if not msg:
                msg = _DEFAULT_MESSAGES.get(_code_number(code) or status, f"The request failed (HTTP {status}).")
            kwargs: dict[str, Any] = dict(
                code=code,
                method=method,
                http_status=status,
                validation_errors={k: [redact_known_places(m, [token]) for m in v] for k, v in errors.items()},
            )
            if cls is TransientError:
                raise TransientError(redact_known_places(msg, [token]), retry_after=retry_after, **kwargs)
            raise cls(redact_known_places(msg, [token]), **kwargs)

        # Not a ShootProof answer. Judge by the HTTP status first: a proxy's
        # 502 page or a bare 503 is still worth another try.
        if not text.strip():
            what = "an empty answer"
        elif _is_html(text, content_type):
            what = "a web page instead of data"
        elif data is None:
            what = "something that is not JSON"
        elif not isinstance(data, dict):
            what = "JSON that is not an object"
        else:
            what = "JSON without a status ('stat')"
        msg = f"The server sent {what} (HTTP {status})."
        if status in TRANSIENT_STATUSES or 500 <= status <= 599:
            raise TransientError(msg, retry_after=retry_after, method=method, http_status=status)
        if status == 401:
            raise AuthenticationError(_DEFAULT_MESSAGES[401], method=method, http_status=status)
        if status == 404:
            msg += " Check the API address in the settings."
        raise BadResponseError(msg, method=method, http_status=status)


def _charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"') or None
    return None
