"""Fault injection for the sandbox's ``/v2`` endpoint.

Clients and the upload engine must survive what real networks do: 429 with
``Retry-After``, 5xx from the API or from a proxy in front of it, connections
that drop, and slow answers. The hard case for exactly-once uploads is a fault
*after* the server committed: the photo landed but the client never heard, so
a fault can happen before the handler runs or after it (``after_share``).
429 is always decided before the handler, as a rate limiter would.

Tests either configure a random mix (``configure(rate=...)``, optionally with a
``seed`` for a repeatable sequence) or queue exact faults (``queue(...)``), which
are served first, in order.
"""

from __future__ import annotations

import random
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_STATUSES = (500, 502, 503, 429)
ALLOWED_STATUSES = frozenset({408, 429, *range(500, 600)})
ENV_PREFIX = "STUDIO_DESKTOP_SANDBOX_FAULT_"


@dataclass(frozen=True)
class Fault:
    """One injected fault: an HTTP status, or a connection reset (``status is None``)."""

    status: int | None
    after: bool = False

    @property
    def reset(self) -> bool:
        return self.status is None

    @property
    def label(self) -> str:
        """``"503/before"``, ``"reset/after"``...: the key used in :attr:`Faults.counts`."""
        return f"{'reset' if self.status is None else self.status}/{'after' if self.after else 'before'}"


@dataclass
class _Queued:
    fault: Fault
    method: str | None
    times: int


class Faults:
    """What to inject into ``/v2`` calls, and what was injected. Thread-safe.

    ``configure(rate, statuses, reset_share, after_share, latency, retry_after, only_methods, seed)``
        rate: share of matching calls that fail (0..1).
        statuses: the HTTP statuses a failure picks from (uniformly).
        reset_share: share of failures that are connection resets instead of a status.
        after_share: share of 5xx and resets that happen after the handler committed
            (its response is lost); 429 and 408 always come before the handler.
        latency: seconds added to every matching call before it is handled.
        retry_after: the ``Retry-After`` header value (seconds) sent with 429 and 503.
        only_methods: method names (``"sp.photo.upload"``) the settings apply to; None = all.
        seed: seed of the random sequence, for repeatable runs.
    ``queue(status=None, *, reset=False, after=False, method=None, times=1)``
        inject exactly this fault into the next ``times`` calls (of ``method``, if given).
    ``clear()``
        no faults, no latency, empty queue, counters back to zero.
    Counters: ``calls_seen`` (calls that matched the settings or a queued fault),
    ``injected`` (total), ``counts`` ({label: n}, see :attr:`Fault.label`), ``log``
    ([(method, Fault)] in order).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._set_defaults()
        self._queue: deque[_Queued] = deque()
        self._counts: Counter[str] = Counter()
        self._log: list[tuple[str, Fault]] = []
        self._calls_seen = 0

    def _set_defaults(self) -> None:
        self._rate = 0.0
        self._statuses: tuple[int, ...] = DEFAULT_STATUSES
        self._reset_share = 0.0
        self._after_share = 0.5
        self._latency = 0.0
        self._retry_after = 1
        self._only: frozenset[str] | None = None
        self._rng = random.Random()

    def configure(
        self,
        rate: float = 0.0,
        statuses: Iterable[int] = DEFAULT_STATUSES,
        reset_share: float = 0.0,
        after_share: float = 0.5,
        latency: float = 0.0,
        retry_after: int = 1,
        only_methods: Iterable[str] | str | None = None,
        seed: int | None = None,
    ) -> None:
        statuses = tuple(int(s) for s in statuses)
        for name, share in (("rate", rate), ("reset_share", reset_share), ("after_share", after_share)):
            if not 0.0 <= float(share) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {share!r}")
        bad = [s for s in statuses if s not in ALLOWED_STATUSES]
        if bad:
            raise ValueError(f"fault statuses must be 408, 429 or 5xx, not {bad}")
        if not statuses and reset_share < 1.0 and rate > 0:
            raise ValueError("give at least one status, or reset_share=1 for resets only")
        if latency < 0 or retry_after < 0:
            raise ValueError("latency and retry_after cannot be negative")
        if isinstance(only_methods, str):
            only_methods = [only_methods]
        with self._lock:
            self._rate = float(rate)
            self._statuses = statuses
            self._reset_share = float(reset_share)
            self._after_share = float(after_share)
            self._latency = float(latency)
            self._retry_after = int(retry_after)
            self._only = frozenset(only_methods) if only_methods is not None else None
            self._rng = random.Random(seed)

    def queue(
        self,
        status: int | None = None,
        *,
        reset: bool = False,
        after: bool = False,
        method: str | None = None,
        times: int = 1,
    ) -> None:
        """Inject this exact fault into the next ``times`` calls (of ``method`` if given)."""
        if reset == (status is not None):
            raise ValueError("give either a status or reset=True")
        if status is not None and status not in ALLOWED_STATUSES:
            raise ValueError(f"fault statuses must be 408, 429 or 5xx, not {status}")
        if after and status in (408, 429):
            raise ValueError(f"{status} is decided before the handler runs")
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._queue.append(_Queued(Fault(status, after), method, times))

    def clear(self) -> None:
        with self._lock:
            self._set_defaults()
            self._queue.clear()
            self._counts.clear()
            self._log.clear()
            self._calls_seen = 0

    def configure_from_env(self, env: Mapping[str, str]) -> bool:
        """Apply ``STUDIO_DESKTOP_SANDBOX_FAULT_*`` variables; True if any was set."""
        settings = settings_from_env(env)
        if settings:
            self.configure(**settings)
        return bool(settings)

    @property
    def latency(self) -> float:
        with self._lock:
            return self._latency

    @property
    def retry_after(self) -> int:
        with self._lock:
            return self._retry_after

    def applies_to(self, method: str | None) -> bool:
        with self._lock:
            return self._matches(method)

    def _matches(self, method: str | None) -> bool:
        return self._only is None or method in self._only

    def decide(self, method: str | None) -> Fault | None:
        """The fault for this call, if any (called once per ``/v2`` call by the sandbox)."""
        method = method or ""
        with self._lock:
            for queued in self._queue:
                if queued.method is None or queued.method == method:
                    queued.times -= 1
                    if queued.times == 0:
                        self._queue.remove(queued)
                    self._calls_seen += 1
                    return self._record(method, queued.fault)
            if not self._matches(method) or (self._rate <= 0 and self._latency <= 0):
                return None
            self._calls_seen += 1
            if self._rate <= 0 or self._rng.random() >= self._rate:
                return None
            if self._rng.random() < self._reset_share or not self._statuses:
                fault = Fault(None, after=self._rng.random() < self._after_share)
            else:
                status = self._rng.choice(self._statuses)
                after = status >= 500 and self._rng.random() < self._after_share
                fault = Fault(status, after=after)
            return self._record(method, fault)

    def _record(self, method: str, fault: Fault) -> Fault:
        self._counts[fault.label] += 1
        self._log.append((method, fault))
        return fault

    @property
    def calls_seen(self) -> int:
        with self._lock:
            return self._calls_seen

    @property
    def injected(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    @property
    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    @property
    def log(self) -> list[tuple[str, Fault]]:
        with self._lock:
            return list(self._log)

    def __repr__(self) -> str:
        with self._lock:
            return (
                f"Faults(rate={self._rate}, statuses={self._statuses}, reset_share={self._reset_share}, "
                f"after_share={self._after_share}, latency={self._latency}, queued={len(self._queue)}, "
                f"injected={sum(self._counts.values())})"
            )


def settings_from_env(env: Mapping[str, str]) -> dict[str, Any]:
    """``configure()`` keyword arguments from ``STUDIO_DESKTOP_SANDBOX_FAULT_*`` variables."""
    parsers: dict[str, tuple[str, Callable[[str], object]]] = {
        "RATE": ("rate", float),
        "STATUSES": ("statuses", lambda v: [int(s) for s in v.replace(" ", "").split(",") if s]),
        "RESET_SHARE": ("reset_share", float),
        "AFTER_SHARE": ("after_share", float),
        "LATENCY": ("latency", float),
        "RETRY_AFTER": ("retry_after", int),
        "METHODS": ("only_methods", lambda v: [m for m in v.replace(" ", "").split(",") if m] or None),
        "SEED": ("seed", int),
    }
    settings: dict[str, Any] = {}
    for suffix, (name, parse) in parsers.items():
        raw = env.get(ENV_PREFIX + suffix)
        if raw is None or not raw.strip():
            continue
        try:
            settings[name] = parse(raw.strip())
        except ValueError:
            raise ValueError(f"{ENV_PREFIX + suffix}={raw!r} is not a valid value") from None
    return settings
