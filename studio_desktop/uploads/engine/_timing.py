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
    # A target's photo names are listed again before a dedup check once the listing is
    # older than this: another computer uploading the same folder into the same event
    # is then seen within this time, which shrinks the window for a double (ShootProof
    # has no idempotency key, so it cannot be zero; the check after each batch repairs
    # what slips through). 20 s: a re-list is one request per 1000 photos (for the root,
    # plus one per album), so at most a few requests every 20 s per target, never one
    # per file (issue 11); a folder sent in under 20 s is listed once, as before. Shorter
    # costs more requests on big events for a window the repair closes anyway; longer
    # leaves more doubles for the repair (each costs an upload and a delete).
    names_max_age: float = 20.0
    # Photo ids are not in upload order, so the copy with the higher id may be the one that
    # landed first, and its computer may have checked before the other landed. Another
    # computer sends a name at most ``names_max_age`` after it listed (and it listed before
    # our copy landed, or it would have seen it), plus the time its upload takes: when
    # another computer was seen uploading into a target, our uploads of the last
    # ``names_max_age + second_look_margin`` are looked at once more, that long after they landed.
    second_look_margin: float = 10.0
