"""After a transient failure: retry in N seconds, give up, or wait for the network. A pure decision.

The engine gathers the facts (the error, how many attempts the item has had,
whether the network answered a probe) and acts on the answer; nothing here
awaits, sleeps or writes. Pacing (:mod:`studio_desktop.uploads.concurrency`,
:mod:`studio_desktop.uploads.ratelimit`) is apart: the decision only says
whether the server asked us to slow down.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from studio_desktop.api.errors import TransientError
from studio_desktop.api.transport import backoff_ceiling
from studio_desktop.api.wire import TimedOut
from studio_desktop.uploads.engine._timing import EngineTiming


@dataclass(frozen=True, slots=True)
class RetryIn:
    """Queue the item again and try it after ``delay`` seconds."""

    delay: float
    slow_down: bool = False


@dataclass(frozen=True, slots=True)
class GiveUp:
    """The item has had its ``attempts``: it fails with the last error."""

    attempts: int
    slow_down: bool = False


@dataclass(frozen=True, slots=True)
class WaitForNetwork:
    """The server cannot be reached: the item waits in the queue until the network is back (no attempt counted)."""


Decision = RetryIn | GiveUp | WaitForNetwork


def overload(exc: TransientError) -> bool:
    """Did the server say it is busy (429, a 5xx) or take too long to answer? Then fewer uploads at once."""
    if exc.http_status is not None and (exc.http_status == 429 or exc.http_status >= 500):
        return True
    context = exc.__context__
    return isinstance(context, TimedOut)


def backoff(attempt: int, timing: EngineTiming, rand: Callable[[], float] = random.random) -> float:
    """Exponential, with jitter between half and all of it so retries do not arrive together."""
    return backoff_ceiling(attempt, timing.base_delay, timing.max_delay) * (0.5 + rand() / 2)


def decide(
    exc: TransientError,
    attempts: int,
    timing: EngineTiming,
    *,
    network_up: bool = True,
    rand: Callable[[], float] = random.random,
) -> Decision:
    """What to do after ``exc``, the item's ``attempts``-th failed attempt (this one included).

    ``network_up``: False when the request never reached the server and a probe
    found it unreachable too.
    """
    if not network_up:
        return WaitForNetwork()
    slow_down = overload(exc)
    if attempts >= timing.max_attempts:
        return GiveUp(attempts, slow_down)
    delay = backoff(attempts, timing, rand)
    if exc.retry_after is not None:
        delay = max(delay, min(exc.retry_after, timing.max_retry_after))
    return RetryIn(delay, slow_down)


class RefusalRun:
    """The server's latest permanent refusals, while they are all the same answer for different photos.

    The same refusal for :data:`~studio_desktop.uploads.engine._state.REFUSALS_TO_STOP`
    photos in a row stops the queue instead of failing them one by one.
    """

    def __init__(self) -> None:
        self._answer: tuple[str, str, str] | None = None
        self._items: set[int] = set()

    def add(self, answer: tuple[str, str, str], item_id: int) -> int:
        """Count one refusal; returns how many different photos got this same answer in a row."""
        if answer != self._answer:
            self._answer = answer
            self._items = set()
        self._items.add(item_id)
        return len(self._items)

    def clear(self) -> None:
        self._answer = None
        self._items = set()
