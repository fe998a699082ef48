"""Reading a ``/v2`` request: query string, form or multipart body, or a JSON body.

Multipart bodies are parsed as they stream in and file parts go straight to a
file under ``incoming/`` (writes batched and done in a worker thread), so a
50 MB upload never sits in memory and never blocks the server's loop.
Bracketed names (``address[city]``, ``contacts[0][email]``) are nested by
:func:`nest`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import parse_qsl

import anyio.to_thread
import python_multipart
from python_multipart.multipart import parse_options_header
from starlette.requests import Request
from starlette.types import Receive

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

FILE_FIELDS = frozenset({"photo"})
MAX_FIELD_BYTES = 1024 * 1024
MAX_FORM_BYTES = 16 * 1024 * 1024
MAX_FIELDS = 5000
FLUSH_BYTES = 1024 * 1024
HEAD_BYTES = 64

# HTML5 form encoding (what browsers and httpx send) escapes these in file names.
_FILENAME_ESCAPES = (("%22", '"'), ("%0D", "\r"), ("%0A", "\n"))


class PayloadError(ValueError):
    """The request body cannot be read; the message is safe to show."""


@dataclass
class IncomingFile:
    field: str
    filename: str
    content_type: str
    path: Path
    size: int = 0
    head: bytes = b""
    too_large: bool = False


@dataclass
class Payload:
    params: dict[str, str] = field(default_factory=dict, repr=False)  # holds the access token
    files: dict[str, IncomingFile] = field(default_factory=dict)
    json_body: Any = None
    json_error: str | None = None

    def cleanup(self) -> None:
        """Delete uploaded files that no handler took (moved files are already gone)."""
        for incoming in self.files.values():
            incoming.path.unlink(missing_ok=True)


class ClientGone(Exception):
    """The client disconnected before its request body arrived."""


class BodyStream:
    """The request body as it arrives; remembers whether it was read to the end.

    Starlette's ``request.stream()`` cannot be resumed after an error, and a
    response sent before the body is read makes clients that are still sending
    see a broken connection instead of the answer, so errors drain the rest.
    """

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.done = False

    async def chunks(self) -> AsyncIterator[bytes]:
        while not self.done:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                self.done = True
                raise ClientGone()
            self.done = not message.get("more_body", False)
            body = message.get("body", b"")
            if body:
                yield body

    async def drain(self) -> None:
        async for _ in self.chunks():
            pass


async def read_payload(request: Request, body: BodyStream, incoming_dir: Path, max_file_bytes: int) -> Payload:
    payload = Payload(params=dict(parse_qsl(request.url.query, keep_blank_values=True)))
    if request.method != "POST":
        await body.drain()
        return payload
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    if content_type == b"multipart/form-data":
        boundary = options.get(b"boundary")
        if not boundary:
            raise PayloadError("the multipart body has no boundary")
        reader = _MultipartReader(payload, incoming_dir, max_file_bytes)
        await reader.read(body, boundary)
        return payload
    data = await _read_limited(body, MAX_FORM_BYTES)
    if not data.strip():
        return payload
    if content_type == b"application/x-www-form-urlencoded":
        text = data.decode("utf-8", errors="replace")
        try:
            payload.params.update(parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS))
        except ValueError:
            raise PayloadError("the request has too many fields") from None
        return payload
    try:
        payload.json_body = json.loads(data)
    except ValueError:
        payload.json_error = "the request body is not valid JSON"
    return payload


async def _read_limited(body: BodyStream, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in body.chunks():
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
    if size > limit:
        raise PayloadError(f"the request body is larger than {limit // (1024 * 1024)} MB")
    return b"".join(chunks)


def _decode(raw: bytes, charset: str = "utf-8") -> str:
    try:
        return raw.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return raw.decode("latin-1")


def clean_filename(raw: str) -> str:
    for escaped, char in _FILENAME_ESCAPES:
        raw = raw.replace(escaped, char)
    return raw.replace("\\", "/").rsplit("/", 1)[-1].strip()


class _MultipartReader:
    def __init__(self, payload: Payload, incoming_dir: Path, max_file_bytes: int):
        self.payload = payload
        self.incoming_dir = incoming_dir
        self.max_file_bytes = max_file_bytes
        self.header_name = b""
        self.header_value = b""
        self.headers: dict[bytes, bytes] = {}
        self.name = ""
        self.data = bytearray()
        self.file: IncomingFile | None = None
        self.handle: BinaryIO | None = None
        self.pending = bytearray()
        # (file, bytes, close?) writes waiting for the worker thread, in order
        self.writes: list[tuple[BinaryIO, bytes, bool]] = []
        self.fields = 0

    def on_part_begin(self) -> None:
        self.headers = {}
        self.name = ""
        self.data = bytearray()
        self.file = None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self.header_name.lower()] = self.header_value
        self.header_name = self.header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.name = _decode(options.get(b"name", b""))
        self.fields += 1
        if self.fields > MAX_FIELDS:
            raise PayloadError("the request has too many fields")
        if b"filename" in options or self.name in FILE_FIELDS:
            filename = clean_filename(_decode(options.get(b"filename", b"")))
            content_type = _decode(self.headers.get(b"content-type", b"application/octet-stream"))
            path = self.incoming_dir / f"{uuid.uuid4().hex}.part"
            self.file = IncomingFile(self.name, filename, content_type, path)
            previous = self.payload.files.get(self.name)
            if previous is not None:
                previous.path.unlink(missing_ok=True)
            self.payload.files[self.name] = self.file
            self.handle = open(path, "wb")  # noqa: SIM115 - closed by the last queued write
            self.pending = bytearray()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.file is None:
            if len(self.data) + (end - start) > MAX_FIELD_BYTES:
                raise PayloadError(f"the field {self.name!r} is larger than 1 MB")
            self.data += data[start:end]
            return
        incoming = self.file
        if len(incoming.head) < HEAD_BYTES:
            incoming.head += data[start : min(end, start + HEAD_BYTES - len(incoming.head))]
        incoming.size += end - start
        if incoming.size > self.max_file_bytes:
            incoming.too_large = True
            return
        self.pending += data[start:end]

    def on_part_end(self) -> None:
        if self.file is None:
            self.payload.params[self.name] = _decode(bytes(self.data))
        elif self.handle is not None:
            self.writes.append((self.handle, bytes(self.pending), True))
            self.handle = None
            self.pending = bytearray()

    async def read(self, body: BodyStream, boundary: bytes) -> None:
        callbacks: MultipartCallbacks = {
            "on_part_begin": self.on_part_begin,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
        }
        parser = python_multipart.MultipartParser(boundary, callbacks)
        try:
            async for chunk in body.chunks():
                try:
                    parser.write(chunk)
                except python_multipart.exceptions.MultipartParseError:
                    raise PayloadError("the multipart body is malformed") from None
                if self.handle is not None and len(self.pending) >= FLUSH_BYTES:
                    self.writes.append((self.handle, bytes(self.pending), False))
                    self.pending = bytearray()
                if self.writes:
                    writes, self.writes = self.writes, []
                    await anyio.to_thread.run_sync(_write_all, writes)
            parser.finalize()
            if self.handle is not None:
                raise PayloadError("the multipart body ended in the middle of a file")
        except BaseException:
            for handle in [h for h, _, _ in self.writes] + ([self.handle] if self.handle else []):
                handle.close()
            self.payload.cleanup()
            raise


def _write_all(writes: list[tuple[BinaryIO, bytes, bool]]) -> None:
    for handle, data, close in writes:
        if data:
            handle.write(data)
        if close:
            handle.close()


def nest(params: dict[str, str]) -> dict[str, Any]:
    """``{"address[city]": "X", "contacts[0][email]": "e"}`` -> nested dicts; all-digit keys become lists."""
    root: dict[str, Any] = {}
    for key, value in params.items():
        if "[" not in key or not key.endswith("]"):
            if not isinstance(root.get(key), dict):
                root[key] = value
            continue
        head, _, rest = key.partition("[")
        parts = [head, *rest[:-1].split("][")]
        node = root
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        node[parts[-1]] = value
    # Top-level keys are parameter names: only nested levels may become lists.
    return {key: _listify(value) for key, value in root.items()}


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: _listify(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted
