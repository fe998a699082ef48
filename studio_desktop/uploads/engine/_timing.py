"""The engine's delays and thresholds in one place; tests shrink the delays."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EngineTiming:
    """Retry and pacing knobs; tests shrink the delays. The backoff itself is :func:`retry.backoff`."""

    max_attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0
    max_retry_after: float = 300.0
    probe_delay: float = 2.0
    probe_max_delay: float = 60.0
    probe_timeout: float = 10.0
    progress_event_interval: float = 0.1
    progress_save_interval: float = 0.5
    write_batch_delay: float = 0.005
    grow_after: int = 8
    # A killed run's last upload may still be landing: the server goes on with a request
    # it has whole after the client is gone. A crash leftover not found in its target is
    # looked for again once this long after the crashed run last saved it.
    landing_grace: float = 5.0
