"""What the sign-in sessions tell their listeners, the listener list both keep, and their off-loop helper."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

SHOOTPROOF = "shootproof"
PIXIESET = "pixieset"


@dataclass(frozen=True)
class SessionEvent:
    """What listeners hear. ``kind``: ``signed_in``, ``signed_out``, ``sign_in_needed`` or ``refreshed``."""

    service: str
    kind: str
    message: str = ""


Listener = Callable[[SessionEvent], None]


class Listeners:
    """The listeners of one session: both sessions tell them of every change."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` on every change; returns a function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _emit(self, event: SessionEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("A sign-in listener failed")


async def off_loop(fn: Callable[..., Any], *args: Any) -> Any:
    """Credential store calls may block (keyring over D-Bus, file I/O)."""
    return await asyncio.get_running_loop().run_in_executor(None, fn, *args)
