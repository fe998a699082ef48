"""Serve the sandbox's Pixieset side alone, over real HTTP on a free loopback port.

Mounted at ``/pixieset/api/v1`` as the full sandbox mounts it, so URLs look
the same; tests reach the :class:`PixiesetSandbox` itself for ``inject`` and
``requests``. Starting and stopping uvicorn costs far more than seeding a
sandbox, so one :class:`PixiesetHost` per test module serves a fresh sandbox
to each test.

A pytest plugin (the root conftest loads it): fixtures ``pixieset_host`` and
``pixieset_server``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

from studio_desktop.sandbox.pixieset import PixiesetSandbox
from studio_desktop.sandbox.server import LOOPBACK, bind_loopback, serve_in_thread

MOUNT = "/pixieset/api/v1"


@dataclass
class PixiesetServer:
    sandbox: PixiesetSandbox
    url: str

    @property
    def api_url(self) -> str:
        return self.url + MOUNT

    @property
    def cookie(self) -> str:
        return self.sandbox.cookie


class PixiesetHost:
    """A uvicorn server whose Pixieset sandbox can be swapped between tests."""

    def __init__(self) -> None:
        self.sandbox: PixiesetSandbox | None = None
        app = Starlette(routes=[Mount(MOUNT, app=self._dispatch)])
        self._socket = bind_loopback()
        self.url = f"http://{LOOPBACK}:{self._socket.getsockname()[1]}"
        self._server = uvicorn.Server(
            uvicorn.Config(app, log_level="warning", access_log=False, log_config=None, lifespan="off")
        )
        self._thread, failure = serve_in_thread(self._server, self._socket, name="pixieset-sandbox", timeout=20)
        if failure is not None:
            self.stop()
            raise RuntimeError(f"the Pixieset sandbox did not start: {failure}")

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.sandbox is not None, "no Pixieset sandbox attached"
        await self.sandbox.asgi_app(scope, receive, send)

    @contextmanager
    def serve(self, data_dir: Path, seed: str = "demo") -> Iterator[PixiesetServer]:
        sandbox = PixiesetSandbox(data_dir, seed)
        self.sandbox = sandbox
        try:
            yield PixiesetServer(sandbox, self.url)
        finally:
            self.sandbox = None
            sandbox.close()

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self._socket.close()


@pytest.fixture(scope="module")
def pixieset_host() -> Iterator[PixiesetHost]:
    """One host per test module (see the module docstring)."""
    host = PixiesetHost()
    try:
        yield host
    finally:
        host.stop()


@pytest.fixture
def pixieset_server(pixieset_host: PixiesetHost, tmp_path: Path) -> Iterator[PixiesetServer]:
    """A fresh demo Pixieset sandbox for this test, served by the module's :func:`pixieset_host`."""
    with pixieset_host.serve(tmp_path / "studio") as running:
        yield running
