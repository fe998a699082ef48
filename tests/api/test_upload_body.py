"""The upload body stream: the file's bytes exactly, read off the loop, counted as the socket takes them."""

from __future__ import annotations

import asyncio
import email.parser
import hashlib
import io
import os
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from studio_desktop.api.shootproof import ShootProofClient
from studio_desktop.api.transport import UPLOAD_CHUNK, FilePart, RetryPolicy, SourceFileChanged
from studio_desktop.uploads.ratelimit import LIMITED_CHUNK, TokenBucket, throttle_uploads

pytestmark = pytest.mark.anyio

MINIMAL_SERVER = Path(__file__).resolve().parents[1] / "benchmarks" / "minimal_server.py"


@pytest.fixture
def minimal_server(tmp_path):
    """The benchmarks' minimal ShootProof stand-in, keeping every upload body it gets."""
    kept = tmp_path / "bodies"
    kept.mkdir()
    with subprocess.Popen(
        [sys.executable, str(MINIMAL_SERVER), "--keep-bodies", str(kept)], stdout=subprocess.PIPE, text=True
    ) as server:  # leaving the block closes the pipe
        try:
            yield server.stdout.readline().strip(), kept
        finally:
            server.terminate()
            server.wait(10)


def photo_part(kept: Path, photo_id: int) -> tuple[bytes, str, dict[str, str]]:
    """The photo part's bytes and file name, and the plain fields, of the body the server kept."""
    content_type = (kept / f"{photo_id}.type").read_text()
    body = (kept / f"{photo_id}.body").read_bytes()
    message = email.parser.BytesParser().parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    fields, photo, name = {}, None, None
    for part in message.get_payload():
        if part.get_filename() is not None:
            photo, name = part.get_payload(decode=True), part.get_filename()
        else:
            fields[part.get_param("name", header="content-disposition")] = part.get_payload()
    return photo, name, fields


def random_bytes(size: int, seed: int = 7) -> bytes:
    return hashlib.shake_256(str(seed).encode()).digest(size) if size else b""


@pytest.mark.parametrize(
    "size", [0, 1, UPLOAD_CHUNK - 1, UPLOAD_CHUNK, UPLOAD_CHUNK + 1, 3 * UPLOAD_CHUNK, 2 * UPLOAD_CHUNK + 12_345]
)
async def test_the_bytes_on_the_wire_are_the_file(minimal_server, tmp_path, size):
    url, kept = minimal_server
    data = random_bytes(size)
    path = tmp_path / 'Ünïcode "quoted" name.jpg'
    path.write_bytes(data)
    progress: list[int] = []
    async with ShootProofClient(url, "tok", retry=RetryPolicy.no_retries()) as client:
        result = await client.photo_upload(42, path, album_id=7, on_progress=progress.append)
    photo, _name, fields = photo_part(kept, result.photo_id)
    assert photo == data
    # UTF-8 in the header, a quote escaped as httpx (and browsers) do
    assert 'filename="Ünïcode %22quoted%22 name.jpg"'.encode() in (kept / f"{result.photo_id}.body").read_bytes()
    assert fields == {"method": "sp.photo.upload", "access_token": "tok", "event_id": "42", "album_id": "7"}
    assert result.content_hash == hashlib.sha256(data).hexdigest()
    assert progress == sorted(progress) and (progress[-1] if progress else 0) == size


@pytest.mark.parametrize("size", [0, 1, 50_000, UPLOAD_CHUNK])
async def test_a_small_file_read_whole_by_the_engine_goes_out_from_memory(minimal_server, size, monkeypatch):
    url, kept = minimal_server
    data = random_bytes(size, seed=size)
    threads: list[str] = []
    real_submit = ThreadPoolExecutor.submit

    def noting_submit(self, fn, /, *args, **kwargs):
        threads.append(getattr(fn, "__qualname__", str(fn)))
        return real_submit(self, fn, *args, **kwargs)

    progress: list[int] = []
    async with ShootProofClient(url, "tok", retry=RetryPolicy.no_retries()) as client:
        monkeypatch.setattr(ThreadPoolExecutor, "submit", noting_submit)
        result = await client.photo_upload(42, data, file_name="IMG_0042.jpg", on_progress=progress.append)
        monkeypatch.undo()
    photo, name, _fields = photo_part(kept, result.photo_id)
    assert photo == data and name == "IMG_0042.jpg"
    assert result.content_hash == hashlib.sha256(data).hexdigest()
    assert (progress[-1] if progress else 0) == size
    assert not [t for t in threads if "FileBody" in t or "FilePart" in t]  # no reader-thread trip for the body


async def test_an_open_file_measured_by_the_caller_is_not_measured_again(minimal_server, tmp_path, monkeypatch):
    """The engine stats each file as it opens it and passes the size: no second trip to measure it."""
    url, kept = minimal_server
    data = random_bytes(2 * UPLOAD_CHUNK + 99)
    path = tmp_path / "measured.jpg"
    path.write_bytes(data)
    measured: list[object] = []
    original = FilePart.measure
    monkeypatch.setattr(FilePart, "measure", lambda part: (measured.append(part), original(part))[1])
    async with ShootProofClient(url, "tok", retry=RetryPolicy.no_retries()) as client:
        with path.open("rb") as handle:
            result = await client.photo_upload(42, handle, size=os.fstat(handle.fileno()).st_size)
        assert measured == []
        assert photo_part(kept, result.photo_id)[0] == data
        assert result.content_hash == hashlib.sha256(data).hexdigest()
        with path.open("rb") as handle:  # without the size, the client measures it itself
            again = await client.photo_upload(42, handle)
        assert len(measured) == 1
        assert photo_part(kept, again.photo_id)[0] == data


async def test_uploads_from_open_files_and_memory_send_from_where_they_stand(minimal_server, tmp_path):
    url, kept = minimal_server
    data = random_bytes(UPLOAD_CHUNK + 100)
    path = tmp_path / "a.jpg"
    path.write_bytes(data)
    async with ShootProofClient(url, "tok") as client:
        with path.open("rb") as handle:
            from_file = await client.photo_upload(1, handle, file_name="b.jpg")
        from_memory = await client.photo_upload(1, io.BytesIO(data), file_name="c.jpg")
    assert photo_part(kept, from_file.photo_id)[:2] == (data, "b.jpg")
    assert photo_part(kept, from_memory.photo_id)[:2] == (data, "c.jpg")


class Recorded:
    """A file object that notes which thread each call came from, and how far it has been read."""

    def __init__(self, handle, on_read=None):
        self.handle, self.name, self.on_read = handle, handle.name, on_read
        self.threads: set[str] = set()
        self.read_to = 0

    def _note(self) -> None:
        self.threads.add(threading.current_thread().name)

    def read(self, size=-1):
        self._note()
        data = self.handle.read(size)
        self.read_to += len(data)
        if self.on_read is not None:
            self.on_read(self)
        return data

    def seek(self, *args):
        self._note()
        return self.handle.seek(*args)

    def tell(self):
        self._note()
        return self.handle.tell()

    def fileno(self):
        self._note()
        return self.handle.fileno()

    def seekable(self):
        return True


def mock_client(received: list[bytes]) -> ShootProofClient:
    def handler(request: httpx.Request) -> httpx.Response:
        received.append(request.read())
        return httpx.Response(200, json={"stat": "ok", "photo_id": 5, "photos_used": 1, "photos_allowed": 9})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return ShootProofClient("https://api.test/v2", "tok", http=http, retry=RetryPolicy.no_retries())


async def test_the_event_loop_thread_opens_measures_and_reads_no_file(tmp_path, monkeypatch):
    data = random_bytes(3 * UPLOAD_CHUNK + 5)
    path = tmp_path / "IMG_0001.jpg"
    path.write_bytes(data)
    loop_thread = threading.current_thread().name
    opened_in: list[str] = []
    fstat_in: list[str] = []

    def audit(event: str, args) -> None:
        if event == "open" and args and str(args[0]) == str(path):
            opened_in.append(threading.current_thread().name)

    sys.addaudithook(audit)  # cannot be removed; it only looks at this test's file
    real_fstat = os.fstat
    monkeypatch.setattr(os, "fstat", lambda fd: (fstat_in.append(threading.current_thread().name), real_fstat(fd))[1])

    received: list[bytes] = []
    async with mock_client(received) as client:
        await client.photo_upload(1, path)  # the client opens the path itself
        client_opened = list(opened_in)
        with path.open("rb") as handle:
            recorded = Recorded(handle)
            await client.photo_upload(1, recorded, file_name="IMG_0001.jpg")
    assert all(data in body for body in received) and len(received) == 2
    assert client_opened and loop_thread not in client_opened
    assert fstat_in and loop_thread not in fstat_in
    assert recorded.threads and loop_thread not in recorded.threads


def grow_by_1000(path: Path) -> None:
    with path.open("ab") as handle:
        handle.write(b"\0" * 1000)


async def test_a_file_that_shrinks_or_grows_while_it_is_sent_is_a_typed_error(tmp_path):
    for change, words in (
        (lambda p: os.truncate(p, UPLOAD_CHUNK + 10), "shorter"),
        (grow_by_1000, "grew"),
    ):
        path = tmp_path / f"{words}.jpg"
        path.write_bytes(random_bytes(3 * UPLOAD_CHUNK))
        changed: list[bool] = []

        def after_read(recorded, path=path, change=change, changed=changed):
            if not changed:
                changed.append(True)
                change(path)

        async with mock_client([]) as client:
            with path.open("rb") as handle:
                with pytest.raises(SourceFileChanged, match=words):
                    await client.photo_upload(1, Recorded(handle, after_read), file_name=path.name)


async def test_a_file_that_vanishes(tmp_path):
    gone = tmp_path / "gone.jpg"
    async with mock_client([]) as client:
        with pytest.raises(FileNotFoundError):
            await client.photo_upload(1, gone)

    # Removed once open: what was opened is what is sent (the name is gone, not the bytes).
    data = random_bytes(2 * UPLOAD_CHUNK + 3)
    path = tmp_path / "removed.jpg"
    path.write_bytes(data)
    received: list[bytes] = []
    async with mock_client(received) as client:
        with path.open("rb") as handle:
            result = await client.photo_upload(
                1, Recorded(handle, lambda r: path.unlink(missing_ok=True)), file_name=path.name
            )
    assert data in received[0] and result.content_hash == hashlib.sha256(data).hexdigest()


class StallingServer:
    """Takes a request's head and ``limit`` bytes of its body, then stops reading (a stalled uplink)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.received = 0
        self.head_end: int | None = None
        self.stalled = asyncio.Event()
        self.done = asyncio.Event()

    async def start(self) -> str:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 * 1024)  # small, so it fills soon
        listener.bind(("127.0.0.1", 0))
        self.server = await asyncio.start_server(self._serve, sock=listener)
        return f"http://127.0.0.1:{listener.getsockname()[1]}/v2"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            seen = bytearray()
            while self.received < self.limit:
                chunk = await reader.read(16 * 1024)
                if not chunk:
                    return
                self.received += len(chunk)
                if self.head_end is None:
                    seen += chunk
                    end = seen.find(b"filename=")
                    if end >= 0 and seen.find(b"\r\n\r\n", end) >= 0:
                        self.head_end = seen.find(b"\r\n\r\n", end) + 4
            self.stalled.set()
            await self.done.wait()
        finally:
            writer.close()

    async def stop(self) -> None:
        self.done.set()
        self.server.close()
        await self.server.wait_closed()

    def file_bytes_received(self) -> int:
        return self.received - (self.head_end or 0)


async def test_progress_counts_what_the_socket_took_and_a_pause_mid_file_knows_it_was_half_sent(tmp_path):
    data = random_bytes(12 * UPLOAD_CHUNK)
    path = tmp_path / "IMG_0001.jpg"
    path.write_bytes(data)
    server = StallingServer(limit=int(3.5 * UPLOAD_CHUNK))
    url = await server.start()
    transport = httpx.AsyncHTTPTransport(socket_options=[(socket.SOL_SOCKET, socket.SO_SNDBUF, 32 * 1024)])
    progress: list[int] = []
    async with ShootProofClient(
        url, "tok", http=httpx.AsyncClient(transport=transport), retry=RetryPolicy.no_retries()
    ) as client:
        with path.open("rb") as handle:
            recorded = Recorded(handle)
            upload = asyncio.ensure_future(
                client.photo_upload(1, recorded, file_name=path.name, on_progress=progress.append)
            )
            await asyncio.wait_for(server.stalled.wait(), 30)
            await asyncio.sleep(0.3)  # let every chunk the socket can take go
            sent = progress[-1]
            received = server.file_bytes_received()
            # Counted once written: never ahead of what reached the server by more than the socket
            # buffers in between, nor behind it by a whole chunk.
            assert sent <= received + 256 * 1024
            assert sent >= received - UPLOAD_CHUNK - 256 * 1024
            assert 0 < sent < len(data)
            # Read ahead by one chunk at most, beyond the one being written.
            assert recorded.read_to <= sent + 2 * UPLOAD_CHUNK + 1

            upload.cancel()  # what a pause does
            with pytest.raises(asyncio.CancelledError):
                await upload
            assert progress[-1] == sent  # still known half-sent, never counted as all gone
    await server.stop()


class CountingBucket(TokenBucket):
    def __init__(self, rate: float):
        super().__init__(rate)
        self.taken: list[int] = []

    async def take(self, amount: int) -> None:
        self.taken.append(amount)
        await super().take(amount)


async def test_a_bandwidth_limit_draws_every_byte_in_small_chunks(tmp_path):
    data = random_bytes(UPLOAD_CHUNK + 77)
    path = tmp_path / "IMG_0001.jpg"
    path.write_bytes(data)
    received: list[bytes] = []
    bucket = CountingBucket(rate=50e6)  # a limit, high enough not to slow the test
    async with mock_client(received) as client:
        undo = throttle_uploads(client.transport, bucket)
        progress: list[int] = []
        await client.photo_upload(1, path, on_progress=progress.append)
        undo()
        await client.photo_upload(1, path)
    assert sum(bucket.taken) == len(received[0])
    assert max(bucket.taken) <= LIMITED_CHUNK + 1
    assert len(progress) >= len(data) // LIMITED_CHUNK
    assert received[1] != received[0] and data in received[1]  # without the limit: not drawn, same bytes
    assert sum(bucket.taken) == len(received[0])
