"""The bandwidth limit: one token bucket shared by every upload, applied to the bytes as they go out.

The transport wraps each upload's body stream in an async iterator that
waits for tokens before handing the next chunk to the socket: the loop
stays free, and progress (counted as the connection takes each chunk) follows
what really left. Under a limit the body is cut in small chunks, so the bucket
is drawn on smoothly and progress moves often; without one the hook costs
nothing per chunk.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from studio_desktop.api.transport import LIMITED_CHUNK, Transport

__all__ = ["LIMITED_CHUNK", "TokenBucket", "kbps_to_bytes", "throttle_uploads"]


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


def throttle_uploads(transport: Transport, bucket: TokenBucket) -> Callable[[], None]:
    """Make every upload body sent through ``transport`` draw from ``bucket``; returns an undo function."""
    transport.upload_throttle = bucket

    def undo() -> None:
        if transport.upload_throttle is bucket:
            transport.upload_throttle = None

    return undo
