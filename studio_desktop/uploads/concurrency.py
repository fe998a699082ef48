"""How many uploads run at once: the user's setting, lowered when the server struggles.

Additive increase, multiplicative decrease (as TCP does): a 5xx, a timeout or a
429 halves the number of uploads in flight; a run of successes adds one back,
never above what the user chose.
"""

from __future__ import annotations

import asyncio

from studio_desktop.api.limits import MAX_CONCURRENCY, MIN_CONCURRENCY


def clamp_concurrency(value: int) -> int:
    return max(MIN_CONCURRENCY, min(MAX_CONCURRENCY, int(value)))


class AdaptiveLimiter:
    """A semaphore whose size moves between 1 and the user's setting."""

    def __init__(self, limit: int, *, grow_after: int = 8):
        self.user_limit = clamp_concurrency(limit)
        self.current = self.user_limit
        self.active = 0
        self.grow_after = max(1, grow_after)
        self._successes = 0
        self._waiters: list[asyncio.Future[None]] = []

    async def acquire(self) -> None:
        while self.active >= self.current:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
        self.active += 1

    def release(self) -> None:
        self.active = max(0, self.active - 1)
        self._wake()

    def set_limit(self, limit: int) -> None:
        self.user_limit = clamp_concurrency(limit)
        self.current = self.user_limit
        self._successes = 0
        self._wake()

    def overloaded(self) -> None:
        """The server said "too much": halve."""
        self.current = max(MIN_CONCURRENCY, self.current // 2)
        self._successes = 0

    def succeeded(self) -> None:
        self._successes += 1
        if self.current < self.user_limit and self._successes >= self.grow_after:
            self.current += 1
            self._successes = 0
            self._wake()

    def _wake(self) -> None:
        # Everyone re-checks; a handful of waiters at most, so no need to be clever.
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
