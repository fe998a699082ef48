"""The bandwidth limit: one token bucket shared by every upload, applied to the bytes as they go out.

An httpx request hook wraps each upload's body stream in an async iterator
that waits for tokens before handing the next chunk to the socket: the loop
stays free, and progress (counted as the connection takes each chunk) follows
what really left. Under a limit the body is cut in small chunks, so the bucket
is drawn on smoothly and progress moves often; without one the hook costs
nothing per chunk.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

from studio_desktop.api.transport import MultipartBody

#: Chunks of an upload under a bandwidth limit (without one, transport.UPLOAD_CHUNK).
LIMITED_CHUNK = 64 * 1024


class TokenBucket:
    """``rate`` bytes per second for everyone together; 0 means unlimited.

    Takers may go into debt and then sleep it off, so a 64 KiB chunk never waits
    for a bucket smaller than itself and the long-run rate is exact.
    """

    def __init__(self, rate: float = 0.0, *, burst_seconds: float = 0.25):
        self._burst_seconds = burst_seconds
        self.rate = 0.0
        self._tokens = 0.0
        self._stamp = time.monotonic()
        self.set_rate(rate)

    def set_rate(self, rate: float) -> None:
        self._refill()
        self.rate = max(0.0, float(rate))
        self._tokens = min(self._tokens, self._burst)

    @property
    def _burst(self) -> float:
        return max(64 * 1024, self.rate * self._burst_seconds)

    def _refill(self) -> None:
        now = time.monotonic()
        if self.rate > 0:
            self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    async def take(self, amount: int) -> None:
        if self.rate <= 0 or amount <= 0:
            return
        self._refill()
        self._tokens -= amount
        if self._tokens < 0:
            await asyncio.sleep(-self._tokens / self.rate)


def kbps_to_bytes(kbps: float) -> float:
    """The settings speak kilobits per second (as ISPs do); the bucket counts bytes."""
    return max(0.0, float(kbps)) * 1000 / 8


class _ThrottledStream(httpx.AsyncByteStream):
    def __init__(self, inner: Any, bucket: TokenBucket):
        self._inner = inner
        self._bucket = bucket

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            await self._bucket.take(len(chunk))
            yield chunk

    async def aclose(self) -> None:
        close = getattr(self._inner, "aclose", None)
        if close is not None:
            await close()


def throttle_uploads(http: httpx.AsyncClient, bucket: TokenBucket) -> Callable[[], None]:
    """Make every multipart POST sent through ``http`` draw from ``bucket``; returns an undo function."""

    async def hook(request: httpx.Request) -> None:
        if bucket.rate <= 0:
            return
        if request.method == "POST" and request.headers.get("content-type", "").startswith("multipart/"):
            if isinstance(request.stream, MultipartBody):
                request.stream.chunk_size = LIMITED_CHUNK
            request.stream = _ThrottledStream(request.stream, bucket)

    hooks = http.event_hooks
    hooks["request"] = [*hooks.get("request", []), hook]
    http.event_hooks = hooks

    def undo() -> None:
        current = http.event_hooks
        current["request"] = [h for h in current.get("request", []) if h is not hook]
        http.event_hooks = current

    return undo
