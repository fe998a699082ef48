"""Helpers for talking to the sandbox studio over real HTTP in these tests."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image


class Api:
    """Calls ``/v2`` of one sandbox with its demo token (unless told otherwise)."""

    def __init__(self, server, client: httpx.Client):
        self.server = server
        self.studio = server.studio
        self.ids = server.studio.demo_ids
        self.url = server.shootproof_api_url
        self.token = server.access_token
        self.http = client

    def get(self, method: str, *, token: str | None = None, **params) -> httpx.Response:
        params = {"method": method, "access_token": token or self.token, **params}
        return self.http.get(self.url, params=params)

    def post(self, method: str, *, token: str | None = None, files=None, **params) -> httpx.Response:
        data = {"method": method, "access_token": token or self.token, **{k: str(v) for k, v in params.items()}}
        return self.http.post(self.url, data=data, files=files)

    def ok(self, method: str, *, verb: str = "GET", **params) -> dict:
        response = self.get(method, **params) if verb == "GET" else self.post(method, **params)
        body = response.json()
        assert response.status_code == 200 and body["stat"] == "ok", (method, response.status_code, body)
        return body

    def fail(self, method: str, status: int, *, verb: str = "GET", **params) -> dict:
        response = self.get(method, **params) if verb == "GET" else self.post(method, **params)
        body = response.json()
        assert response.status_code == status, (method, response.status_code, body)
        assert body["stat"] == "fail" and body["msg"], body
        return body

    def photo(self, n: int) -> int:
        """The id of the demo studio's ``n``-th photo in upload order (0 is ``photo_first``)."""
        return self.studio.photos()[n].id

    def upload(self, event_id: int, content: bytes, name: str = "IMG_0001.jpg", **params) -> httpx.Response:
        files = {"photo": (name, io.BytesIO(content), "image/jpeg")}
        return self.post("sp.photo.upload", files=files, event_id=event_id, **params)


def jpeg_bytes(width: int = 64, height: int = 48, color=(200, 80, 40), exif_orientation: int | None = None) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", (width, height), color)
    if exif_orientation is None:
        image.save(buffer, "JPEG", quality=90)
    else:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        image.save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    return buffer.getvalue()


@pytest.fixture
def jpeg():
    return jpeg_bytes


@pytest.fixture
def http():
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.fixture
def sp(sandbox, http) -> Api:
    return Api(sandbox, http)


@pytest.fixture
def sp_empty(empty_sandbox, http) -> Api:
    return Api(empty_sandbox, http)


@pytest.fixture(scope="module")
def shared_sp(tmp_path_factory):
    """One demo sandbox for a whole module: for tests that only read, make calls that are refused, or
    (in test_sandbox_methods) make calls that stay valid whatever ran before them.

    Starting a sandbox per test costs about a quarter of a second, mostly waiting for uvicorn to stop.
    """
    from studio_desktop.sandbox.server import SandboxServer

    with SandboxServer(tmp_path_factory.mktemp("shared-sandbox")) as server, httpx.Client(timeout=30) as client:
        yield Api(server, client)
