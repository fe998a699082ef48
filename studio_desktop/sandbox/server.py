"""Run the sandbox studio on 127.0.0.1 in a background thread of this process.

The GUI, the CLI and every test start it the same way: bind a free loopback port
in this thread (no race with other processes picking the same port), hand the
socket to uvicorn, and wait until it is serving.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn

if TYPE_CHECKING:
    from studio_desktop.sandbox.faults import Faults

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"


def bind_loopback(port: int = 0) -> socket.socket:
    """A listening TCP socket on 127.0.0.1 (``port`` 0: a free one)."""
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say TCP,
    # and without it every keep-alive request waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, port))
    sock.listen(512)
    return sock


def serve_in_thread(
    server: uvicorn.Server, sock: socket.socket, *, name: str, timeout: float
) -> tuple[threading.Thread, str | None]:
    """Run ``server`` on ``sock`` in a daemon thread with its own event loop, and wait until it serves.

    Returns the thread and, when the server did not start, why (the caller stops it).
    """
    started = threading.Event()
    failure: list[BaseException] = []

    def serve() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            task = loop.create_task(server.serve(sockets=[sock]))

            async def watch() -> None:
                while not server.started and not task.done():
                    await asyncio.sleep(0.01)
                started.set()

            # Held: the loop keeps only a weak reference to a task.
            watcher = loop.create_task(watch())
            loop.run_until_complete(task)
            watcher.cancel()
        except BaseException as exc:  # reported to the starting thread
            failure.append(exc)
        finally:
            started.set()
            loop.close()

    thread = threading.Thread(target=serve, name=name, daemon=True)
    thread.start()
    if not started.wait(timeout) or failure or not server.started:
        return thread, str(failure[0]) if failure else "timed out"
    return thread, None


class SandboxServer:
    """A running sandbox studio. Use as a context manager or call start()/stop()."""

    def __init__(self, data_dir: Path | str, *, port: int = 0, seed: str = "demo", reset: bool = False):
        from studio_desktop.sandbox.app import SandboxStudio

        self.data_dir = Path(data_dir)
        self._requested_port = port
        self.studio = SandboxStudio(self.data_dir, seed=seed, reset=reset)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.port: int | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("the sandbox studio is not running")
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def shootproof_api_url(self) -> str:
        return f"{self.url}/v2"

    @property
    def oauth_url(self) -> str:
        """Base of the OAuth endpoints: ``/new`` (authorize) and ``/token`` live below it."""
        return f"{self.url}/oauth2/authorization"

    @property
    def pixieset_api_url(self) -> str:
        return f"{self.url}/pixieset/api/v1"

    @property
    def home_url(self) -> str:
        """The studio's home page, as a signed link a browser can open for the next day."""
        from studio_desktop.sandbox.shapes import Urls

        return Urls(self.url, self.studio.state.signer).homepage()

    @property
    def access_token(self) -> str:
        """A long-lived demo access token, as a user could paste one."""
        return self.studio.demo_access_token

    @property
    def pixieset_cookie(self) -> str:
        """The demo Pixieset session cookie header value (``name=value``)."""
        return self.studio.demo_pixieset_cookie

    @property
    def faults(self) -> Faults:
        """Fault injection settings (see :class:`studio_desktop.sandbox.faults.Faults`)."""
        return self.studio.faults

    def start(self, timeout: float = 20.0) -> SandboxServer:
        sock = bind_loopback(self._requested_port)
        self._socket = sock
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.studio.asgi_app,
            log_level="warning",
            access_log=False,
            log_config=None,
            lifespan="off",
            timeout_keep_alive=30,
            # The app's own streaming parser handles large uploads; no h11 size cap.
            h11_max_incomplete_event_size=None,
        )
        self._server = uvicorn.Server(config)
        self._thread, failure = serve_in_thread(self._server, sock, name="sandbox-studio", timeout=timeout)
        if failure is not None:
            self.stop()
            raise RuntimeError(f"the sandbox studio did not start: {failure}")
        log.info("sandbox studio serving on %s", self.url)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None
        self.studio.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
