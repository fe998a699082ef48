"""What the upload engine tells its observers (the terminal progress bar, the GUI).

Small immutable objects, delivered on the event loop's thread to callbacks
registered with ``engine.subscribe``. Progress is throttled per item.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ItemStateChanged:
    """``message`` says why, in plain words, for failed, duplicate and retrying items."""

    item_id: int
    batch_id: int
    name: str
    state: str
    message: str | None = None
    photo_id: int | None = None
    path: str | None = None


@dataclass(frozen=True, slots=True)
class ItemProgress:
    item_id: int
    bytes_sent: int
    size: int


@dataclass(frozen=True, slots=True)
class ItemsAdded:
    """Files were added to a batch (sent per chunk while a big folder is being scanned)."""

    batch_id: int
    added: int
    rejected: int
    bytes: int


@dataclass(frozen=True, slots=True)
class BatchFinished:
    batch_id: int
    counts: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class QueueStopped:
    """Uploading stopped until the user acts (e.g. the plan is full); items stay queued."""

    reason: str


@dataclass(frozen=True, slots=True)
class PlanUsage:
    photos_used: int | None
    photos_allowed: int | None


@dataclass(frozen=True, slots=True)
class NeedsSignIn:
    """The access token was refused; the queue is paused until ``resume()`` after signing in."""

    message: str


@dataclass(frozen=True, slots=True)
class NetworkDown:
    message: str


@dataclass(frozen=True, slots=True)
class NetworkUp:
    pass


@dataclass(frozen=True, slots=True)
class ConcurrencyChanged:
    """The adaptive limit moved (the server struggled, or recovered)."""

    current: int
    user_limit: int


@dataclass(frozen=True, slots=True)
class DoubleLeft:
    """A photo may be in a gallery twice (two computers uploaded it at once) and was left for the user to act on."""

    message: str


Event = (
    ItemStateChanged
    | ItemProgress
    | ItemsAdded
    | BatchFinished
    | QueueStopped
    | PlanUsage
    | NeedsSignIn
    | NetworkDown
    | NetworkUp
    | ConcurrencyChanged
    | DoubleLeft
)
