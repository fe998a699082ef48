"""The one-shot listener on 127.0.0.1 that catches the browser coming back from ShootProof's authorize page."""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import secrets as _secrets
from urllib.parse import parse_qsl, urlsplit

from studio_desktop.api.oauth import AuthorizationRequest
from studio_desktop.core.logging_setup import register_secret

log = logging.getLogger(__name__)

LOOPBACK_HOST = "127.0.0.1"
LOOPBACK_PATH = "/callback"
MAX_REQUEST_BYTES = 16 * 1024

_DONE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:34em;margin:4em auto;color:#222}}
h1{{font-size:1.3em}}</style></head><body><h1>{title}</h1><p>{text}</p></body></html>"""


class LoopbackReceiver:
    """A one-shot HTTP listener on 127.0.0.1 that catches the browser coming back from the authorize page.

    It answers only ``GET /callback``; an answer whose ``state`` is not the one
    this sign-in sent is refused (and the listener keeps waiting), so another
    page cannot slip its own code in. It stops after the first real answer.
    """

    def __init__(self, host: str = LOOPBACK_HOST):
        self.host = host
        self._server: asyncio.AbstractServer | None = None
        self._answer: asyncio.Future[str] | None = None
        self._request: AuthorizationRequest | None = None
        self.port: int | None = None

    @property
    def redirect_uri(self) -> str:
        if self.port is None:
            raise RuntimeError("the loopback listener is not running")
        return f"http://{self.host}:{self.port}{LOOPBACK_PATH}"

    async def start(self) -> str:
        """Start listening on a free port; returns the ``redirect_uri`` to send."""
        self._answer = asyncio.get_running_loop().create_future()
        self._server = await asyncio.start_server(self._handle, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.redirect_uri

    def expect(self, request: AuthorizationRequest) -> None:
        self._request = request

    async def wait(self) -> str:
        """The URL the browser came back to (with ``code`` and ``state``), once it does."""
        if self._answer is None:
            raise RuntimeError("start() the loopback listener first")
        try:
            return await asyncio.shield(self._answer)
        finally:
            if self._answer.done():
                await self.close()

    async def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2.0)
        if self._answer is not None and not self._answer.done():
            self._answer.cancel()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10.0)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        try:
            status, title, text = self._answer_for(head[:MAX_REQUEST_BYTES])
            body = _DONE_PAGE.format(title=html.escape(title), text=html.escape(text)).encode("utf-8")
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
                "Cache-Control: no-store\r\nConnection: close\r\n\r\n".encode("ascii")
                + body
            )
            with contextlib.suppress(ConnectionError):
                await writer.drain()
        finally:
            writer.close()

    def _answer_for(self, head: bytes) -> tuple[str, str, str]:
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = line.split(" ")
        if len(parts) < 2 or parts[0] != "GET":
            return "405 Method Not Allowed", "Not here", "This address only takes the sign-in answer."
        target = urlsplit(parts[1])
        if target.path != LOOPBACK_PATH:
            return "404 Not Found", "Not here", "This address only takes the sign-in answer."
        query = dict(parse_qsl(target.query, keep_blank_values=True))
        code = query.get("code")
        if code:
            register_secret(code)
        expected = self._request.state if self._request is not None else ""
        if not expected or not _secrets.compare_digest(query.get("state", ""), expected):
            log.warning("Ignored a sign-in answer whose state does not match the sign-in in progress")
            return (
                "400 Bad Request",
                "This sign-in answer is not for this app",
                "It does not match the sign-in Studio Desktop started. Go back to the app and try again.",
            )
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(f"http://{self.host}:{self.port}{parts[1]}")
        if "error" in query:
            return "200 OK", "Sign-in cancelled", "You can close this window and return to Studio Desktop."
        return "200 OK", "Signed in", "Studio Desktop is now connected. You can close this window."
