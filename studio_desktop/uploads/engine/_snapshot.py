"""The engine's numbers: files and bytes per state, kept as items move, and the snapshot a progress bar reads."""

from __future__ import annotations

from dataclasses import dataclass

from studio_desktop.uploads.records import queue as q


@dataclass(frozen=True)
class Snapshot:
    """Totals for a progress bar: files and bytes per state, rate (bytes/s) and time left."""

    files: dict[str, int]
    bytes: dict[str, int]
    bytes_sent: int
    rate: float
    eta: float | None
    in_flight: int
    concurrency: int
    user_concurrency: int
    paused: bool
    stopped_reason: str | None
    needs_sign_in: bool
    network_down: bool

    @property
    def total_bytes(self) -> int:
        return sum(self.bytes.values())

    @property
    def pending_files(self) -> int:
        return sum(self.files[s] for s in q.PENDING)

    @property
    def bytes_done(self) -> int:
        """Bytes that no longer need sending: uploaded, duplicates, and what has gone out of the current ones."""
        return self.bytes[q.DONE] + self.bytes[q.DUPLICATE] + self.bytes_sent

    @property
    def bytes_to_do(self) -> int:
        """The bytes of everything uploaded or still to upload (failed and cancelled left out)."""
        return sum(self.bytes[s] for s in (q.DONE, q.DUPLICATE, q.QUEUED, q.CHECKING, q.UPLOADING))


@dataclass(frozen=True, slots=True)
class DryRunEntry:
    path: str
    name: str
    size: int
    outcome: str  # "upload" | "duplicate" | "rejected" | "filtered"
    reason: str | None = None


class Tally:
    """``{state: [files, bytes]}`` of the queue in the engine's scope, moved along with each item.

    Read from the store once at start; after that every change the engine makes
    is counted here as it is made, so a snapshot costs no query.
    """

    def __init__(self) -> None:
        self.counts: dict[str, list[int]] = {s: [0, 0] for s in q.STATES}

    def reset(self, counts: dict[str, tuple[int, int]]) -> None:
        self.counts = {s: [f, b] for s, (f, b) in counts.items()}

    def count(self, state: str, files: int, size: int) -> None:
        self.counts[state][0] += files
        self.counts[state][1] += size

    def move(self, item: q.Item, old: str, new: str) -> None:
        if old == new:
            return
        self.counts[old][0] -= 1
        self.counts[old][1] -= item.size
        self.counts[new][0] += 1
        self.counts[new][1] += item.size

    def files(self) -> dict[str, int]:
        return {s: max(0, c[0]) for s, c in self.counts.items()}

    def sizes(self) -> dict[str, int]:
        return {s: max(0, c[1]) for s, c in self.counts.items()}
