"""Serve the sandbox's Pixieset side alone, over real HTTP on a free loopback port.

Mounted at ``/pixieset/api/v1`` as the full sandbox mounts it, so URLs look
the same; tests reach the :class:`PixiesetSandbox` itself for ``inject`` and
``requests``. Starting and stopping uvicorn costs far more than seeding a
sandbox, so one :class:`PixiesetHost` per test module serves a fresh sandbox
to each test.
"""

from __future__ import annotations

import asyncio
import socket
import threading
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
        # IPPROTO_TCP so that asyncio sets TCP_NODELAY (else ~40 ms per keep-alive request).
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(64)
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                                     log_config=None, lifespan="off"))
        started = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            try:
                task = loop.create_task(self._server.serve(sockets=[self._socket]))

                async def watch() -> None:
                    while not self._server.started and not task.done():
                        await asyncio.sleep(0.005)
                    started.set()

                loop.create_task(watch())
                loop.run_until_complete(task)
            finally:
                started.set()
                loop.close()

        self._thread = threading.Thread(target=serve, name="pixieset-sandbox", daemon=True)
        self._thread.start()
        if not started.wait(20) or not self._server.started:
            self.stop()
            raise RuntimeError("the Pixieset sandbox did not start")

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


@contextmanager
def pixieset_host() -> Iterator[PixiesetHost]:
    host = PixiesetHost()
    try:
        yield host
    finally:
        host.stop()


@pytest.fixture(scope="module")
def host() -> Iterator[PixiesetHost]:
    """The module's host; a test module imports this fixture (and :func:`server`) by name to use it."""
    with pixieset_host() as running:
        yield running


@pytest.fixture
def server(host: PixiesetHost, tmp_path: Path) -> Iterator[PixiesetServer]:
    """A fresh demo sandbox for this test, served by the module's :func:`host`."""
    with host.serve(tmp_path / "studio") as running:
        yield running
