"""Transfer rate and time left, smoothed over the last few seconds."""

from __future__ import annotations

import time
from collections import deque


class RateMeter:
    """Bytes per second over a sliding window, kept as half-second buckets (bounded memory)."""

    def __init__(self, window: float = 10.0, bucket: float = 0.5):
        self.window = window
        self.bucket = bucket
        self._buckets: deque[list[float]] = deque()
        self._first: float | None = None

    def add(self, amount: int, now: float | None = None) -> None:
        if amount <= 0:
            return
        now = time.monotonic() if now is None else now
        if self._first is None:
            self._first = now
        slot = now - (now % self.bucket)
        if self._buckets and self._buckets[-1][0] == slot:
            self._buckets[-1][1] += amount
        else:
            self._buckets.append([slot, float(amount)])
        self._trim(now)

    def _trim(self, now: float) -> None:
        while self._buckets and self._buckets[0][0] < now - self.window:
            self._buckets.popleft()

    def rate(self, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        self._trim(now)
        if not self._buckets or self._first is None:
            return 0.0
        span = min(self.window, max(now - self._first, self.bucket))
        return sum(b[1] for b in self._buckets) / span

    def reset(self) -> None:
        self._buckets.clear()
        self._first = None


def eta_seconds(remaining_bytes: int, rate: float) -> float | None:
    if remaining_bytes <= 0:
        return 0.0
    if rate <= 0:
        return None
    return remaining_bytes / rate


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def human_duration(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
