"""A fast, minimal ShootProof stand-in for whole-process benchmarks (not the sandbox).

    .venv/bin/python tests/benchmarks/minimal_server.py [--port 0]

Prints ``http://127.0.0.1:PORT/v2`` on its first line of output, then serves
until killed. It answers only the few ``sp.*`` calls ``studio-desktop upload``
makes (event info and create, photo listings and exists checks, photo
uploads), in the reference's shapes, and ``{"stat": "ok"}`` to any other.
An upload's body is read and hashed (sha256, as a server that stores it
would), the event id and file name are picked from the head of the multipart
body, and nothing is written anywhere: so the client, not the server, is what
a benchmark against it measures. ``GET /__stats`` gives the requests per
method and the hashes of every upload body; ``--keep-bodies DIR`` also writes
each upload body (and its Content-Type) there, for tests of the bytes on the wire.

Raw asyncio (one protocol object per connection, HTTP/1.1 keep-alive,
Content-Length bodies only): h11 or an ASGI server would cost more CPU per
request than the clients it is used to time.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import sys
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

_FIELD = re.compile(rb'name="([^"]+)"(?:; filename="([^"]*)")?\r\n(?:[^\r\n]+\r\n)*\r\n')
_HEAD_KEEP = 8192  # enough of a multipart body to hold the fields before the photo and the photo's part header


class Studio:
    def __init__(self, keep: str | None = None) -> None:
        self.keep = keep
        self.requests: Counter[str] = Counter()
        self.next_photo = 1000
        self.next_event = 500
        self.names: dict[int, list[tuple[int, str]]] = {}
        self.uploads: list[dict] = []

    def answer(self, method: str, params: dict[str, str]) -> dict:
        self.requests[method] += 1
        if method == "sp.event.info":
            event_id = int(params.get("event_id") or 0)
            return {"stat": "ok", "event": self._event(event_id)}
        if method == "sp.event.create":
            self.next_event += 1
            self.names[self.next_event] = []
            return {"stat": "ok", "event": self._event(self.next_event, params.get("event_name"))}
        if method in ("sp.event.get_photos", "sp.album.get_photos"):
            photos = self.names.get(int(params.get("event_id") or 0), []) if method == "sp.event.get_photos" else []
            limit = int(params.get("limit") or 100)
            page = int(params.get("page") or 1)
            chunk = photos[(page - 1) * limit : page * limit]
            pages = max(1, -(-len(photos) // limit))
            listed = [{"id": pid, "name": name, "mime_type": "image/jpeg"} for pid, name in chunk]
            return {
                "stat": "ok",
                "photos": listed,
                "page": page,
                "results_returned": len(chunk),
                "total_pages": pages,
                "total_results": len(photos),
            }
        if method == "sp.event.photo_exists":
            name = params.get("photo_name")
            there = any(n == name for _, n in self.names.get(int(params.get("event_id") or 0), []))
            return {"stat": "ok", "photo_exists": there}
        if method == "sp.album.get_list":  # albums are never made here: every photo is at the event's root
            return {"stat": "ok", "albums": []}
        if method == "sp.studio.info":
            return {"stat": "ok", "studio": {"id": 1, "name": "Bench studio"}}
        if method not in ("sp.photo.upload",):
            print(f"minimal_server: answered unknown method {method} with ok", file=sys.stderr, flush=True)
        return {"stat": "ok"}

    def uploaded(self, fields: dict[str, str], filename: str, digest: str, size: int) -> dict:
        self.requests["sp.photo.upload"] += 1
        self.next_photo += 1
        event_id = int(fields.get("event_id") or 0)
        self.names.setdefault(event_id, []).append((self.next_photo, filename))
        self.uploads.append({"name": filename, "body_sha256": digest, "body_bytes": size})
        return {
            "stat": "ok",
            "photo_id": self.next_photo,
            "photos_allowed": 10_000_000,
            "photos_used": self.next_photo - 1000,
        }

    def _event(self, event_id: int, name: str | None = None) -> dict:
        return {
            "id": event_id,
            "brand_id": 1,
            "name": name or f"Event {event_id}",
            "status": "Active",
            "is_archived": False,
            "photo_count": len(self.names.get(event_id, [])),
            "view_url": "",
            "created": "2026-01-01 00:00:00",
        }


class Connection(asyncio.Protocol):
    def __init__(self, studio: Studio):
        self.studio = studio
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self._reset()

    def _reset(self) -> None:
        self.head: tuple[str, str, dict[str, str]] | None = None
        self.remaining = 0
        self.body_head = bytearray()
        self.kept: bytearray | None = bytearray() if self.studio.keep else None
        self.body_bytes = 0
        self.hash = hashlib.sha256()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self.head is not None:
            self._body(data)
            return
        self.buffer += data
        while self.head is None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
            rest = bytes(self.buffer[end + 4 :])
            self.buffer.clear()
            verb, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                key, _, value = line.partition(":")
                headers[key.strip().lower()] = value.strip()
            self.head = (verb, target, headers)
            self.remaining = int(headers.get("content-length") or 0)
            if headers.get("expect", "").lower() == "100-continue":
                self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            if self.remaining == 0:
                self._respond()
                if rest:
                    self.buffer += rest
                continue
            self._body(rest)
            return

    def _body(self, data: bytes) -> None:
        if not data:
            return
        take = data[: self.remaining] if len(data) > self.remaining else data
        self.remaining -= len(take)
        self.body_bytes += len(take)
        self.hash.update(take)
        if self.kept is not None:
            self.kept += take
        if len(self.body_head) < _HEAD_KEEP:
            self.body_head += take[: _HEAD_KEEP - len(self.body_head)]
        if self.remaining == 0:
            extra = data[len(take) :]
            self._respond()
            if extra:
                self.data_received(extra)

    def _respond(self) -> None:
        _verb, target, headers = self.head
        url = urlsplit(target)
        params = dict(parse_qsl(url.query))
        content_type = headers.get("content-type", "")
        if url.path == "/__stats":
            answer = {"requests": dict(self.studio.requests), "uploads": self.studio.uploads}
        elif content_type.startswith("multipart/"):
            fields, filename = _multipart_head(bytes(self.body_head))
            if params.get("method", fields.get("method")) == "sp.photo.upload":
                answer = self.studio.uploaded(fields, filename, self.hash.hexdigest(), self.body_bytes)
                if self.kept is not None:
                    stem = os.path.join(self.studio.keep, str(answer["photo_id"]))
                    with open(stem + ".type", "w") as out:
                        out.write(content_type)
                    with open(stem + ".body", "wb") as out:
                        out.write(self.kept)
            else:
                answer = self.studio.answer(params.get("method", fields.get("method", "")), {**fields, **params})
        else:
            if content_type.startswith("application/x-www-form-urlencoded"):
                params.update(parse_qsl(bytes(self.body_head).decode("utf-8", "replace")))
            answer = self.studio.answer(params.get("method", ""), params)
        body = json.dumps(answer).encode()
        self.transport.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        if headers.get("connection", "").lower() == "close":
            self.transport.close()
        self._reset()


def _multipart_head(head: bytes) -> tuple[dict[str, str], str]:
    """The plain fields before the file part, and the file part's name."""
    fields: dict[str, str] = {}
    for match in _FIELD.finditer(head):
        name = match.group(1).decode()
        if match.group(2) is not None:
            return fields, match.group(2).decode("utf-8", "replace")
        value_end = head.find(b"\r\n--", match.end())
        fields[name] = head[match.end() : value_end].decode("utf-8", "replace")
    return fields, "photo.jpg"


async def serve(port: int, keep: str | None = None) -> None:
    studio = Studio(keep)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Connection(studio), "127.0.0.1", port, backlog=256)
    print(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/v2", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--keep-bodies", metavar="DIR", help="write every upload body to DIR/<photo id>.body")
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.port, args.keep_bodies))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
