"""The stability gate: a file in a hot folder is handed on only once it is complete.

A tethered camera, a card reader or an export writes a photo in chunks, sometimes
under a temporary name that is renamed at the end. Uploading too early sends half a
photo, so a file is *ready* only when

- its size and mtime have been quiet for the settle time (1 s by default), whatever
  events say: tethering and import software write, close, then reopen the file
  within a second to add EXIF/XMP or a trailer, so a close-after-write event
  (inotify gives one; polling does not) is not proof that the writer is done;
- it is a JPEG (the only kind ShootProof takes), whole (its end-of-image marker is
  there, and it is as long as its multi-picture index says) and within the size limit:
  :func:`studio_desktop.uploads.images.validate_jpeg`.

The gate is pure bookkeeping over ``os.stat`` and a few bytes of the file: events come
in through :meth:`StabilityGate.seen`, :meth:`closed`, :meth:`moved`, :meth:`gone`,
and :meth:`check` says what is ready. Time comes from an injectable clock so tests can
drive it. It is thread-safe: events may arrive while a check runs in a worker thread;
a file that changed during its check is simply looked at again later.
"""

from __future__ import annotations

import errno
import itertools
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_SETTLE = 1.0
#: A file found by a scan (already old) is stat'ed again this much later, in case it is being written now.
RESTAT_AFTER = 0.1
#: How long a file may stay empty or a JPEG may lack its end marker before we say so.
DEFAULT_INCOMPLETE_AFTER = 30.0

Signature = tuple[int, int]  # (size, mtime_ns)

_EPSILON = 1e-6  # clock values are floats: "due at t" must hold at t


@dataclass(frozen=True)
class Ready:
    """A complete JPEG, with the size and mtime it had when it was found complete."""

    path: Path
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Rejected:
    """A file the gate will not hand on (until it changes again), and why, in plain words.

    ``reason`` does not repeat the file's name: whoever shows it puts the name first.
    """

    path: Path
    reason: str
    signature: Signature | None = None


Verdict = Ready | Rejected


@dataclass
class _Candidate:
    path: Path
    signature: Signature | None
    last_change: float
    due: float
    generation: int = 0


def _default_ignore(path: Path) -> str | None:
    from studio_desktop.uploads.scanner import is_ignored

    return is_ignored(path)


def _default_validate(path: Path) -> Any:
    from studio_desktop.uploads.images import validate_jpeg

    return validate_jpeg(path)


def _cut_short() -> dict[str, str]:
    from studio_desktop.uploads.images import CUT_SHORT, CUT_SHORT_MULTI_PICTURE

    return {
        CUT_SHORT: "the JPEG is cut short (no end marker)",
        CUT_SHORT_MULTI_PICTURE: "the JPEG is cut short (its multi-picture index lists more images)",
    }


def describe_os_error(exc: OSError) -> str:
    """Plain words for the errors a hot folder meets."""
    if exc.errno == errno.ELOOP:
        return "a link that loops back on itself"
    if isinstance(exc, PermissionError):
        return "permission denied (the file is locked or not readable by you)"
    if isinstance(exc, FileNotFoundError):
        return "it is gone"
    if isinstance(exc, IsADirectoryError):
        return "it is a folder"
    return exc.strerror or str(exc)


class StabilityGate:
    def __init__(
        self,
        *,
        settle: float = DEFAULT_SETTLE,
        incomplete_after: float = DEFAULT_INCOMPLETE_AFTER,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        ignore: Callable[[Path], str | None] | None = None,
        validate: Callable[[Path], Any] | None = None,
        event_delay: float = 0.0,
    ) -> None:
        """``event_delay``: how late events may come after the write they report (a polling
        observer's interval; 0 for inotify). The file's mtime then dates the write, within
        that bound, so polling does not add its interval to the settle time.
        """
        if settle < 0:
            raise ValueError("the settle time cannot be negative")
        self.settle = float(settle)
        self.restat_after = min(self.settle, RESTAT_AFTER)
        self.incomplete_after = max(incomplete_after, self.settle)
        self._clock = clock
        self._wall_clock = wall_clock
        self.event_delay = max(0.0, event_delay)
        self._ignore = ignore or _default_ignore
        self._validate = validate or _default_validate
        self._lock = threading.Lock()
        self._candidates: dict[Path, _Candidate] = {}
        self._generations = itertools.count(1)

    # -- events ---------------------------------------------------------------

    def seen(self, path: Path | str, now: float | None = None) -> bool:
        """Something was written to ``path`` (created, modified, attributes changed).

        Returns False when the file is ignored (temporary, hidden...).
        """
        path = Path(path)
        if self._ignore(path):
            return False
        now = self._now(now)
        signature = _signature(path)
        last_change = now
        if self.event_delay and signature is not None:
            # The write happened after the previous poll (which did not see it), so at most
            # event_delay ago; the mtime says when within that window. Clamped both ways, a
            # wrong mtime (another machine's clock, FAT's 2 s steps) cannot stretch it further.
            age = self._wall_clock() - signature[1] / 1e9
            last_change = now - min(max(age, 0.0), self.event_delay)
        with self._lock:
            candidate = self._candidates.get(path)
            if candidate is None:
                candidate = self._candidates[path] = _Candidate(path, signature, now, now)
            candidate.signature = signature
            candidate.last_change = last_change
            candidate.due = last_change + self.settle
            candidate.generation = next(self._generations)
        return True

    def closed(self, path: Path | str, now: float | None = None) -> bool:
        """The writer closed ``path`` after writing: a write like any other, the settle time still applies."""
        return self.seen(path, now)

    def found(self, path: Path | str, now: float | None = None, signature: Signature | None = None) -> bool:
        """A file found by a scan rather than an event: its age counts as quiet time.

        A file last modified an hour ago needs no settle wait, but it is still stat'ed
        twice a short time apart, in case something is writing it right now. A scan
        that already stat'ed the file off the loop passes that ``signature``, so a
        share with thousands of files is not stat'ed again on the loop.
        """
        path = Path(path)
        if self._ignore(path):
            return False
        now = self._now(now)
        if signature is None:
            signature = _signature(path)
        if signature is None:
            return False
        age = max(0.0, self._wall_clock() - signature[1] / 1e9)
        with self._lock:
            if path in self._candidates:
                return True
            last_change = now - age
            due = max(now + self.restat_after, last_change + self.settle)
            self._candidates[path] = _Candidate(path, signature, last_change, due, generation=next(self._generations))
        return True

    def moved(self, src: Path | str, dest: Path | str | None, now: float | None = None) -> bool:
        """A rename: the source stops being a candidate, the destination (if any) becomes one.

        Writers that save under a temporary name and rename when done are common; the
        destination is settled like any write, since some rename and then patch it.
        """
        src = Path(src)
        with self._lock:
            self._candidates.pop(src, None)
        if dest is None:
            return False
        return self.seen(dest, now)

    def gone(self, path: Path | str) -> None:
        """``path`` was deleted (or its folder was): forget it."""
        path = Path(path)
        with self._lock:
            self._candidates.pop(path, None)

    def forget_below(self, folder: Path | str) -> None:
        """Forget every candidate inside ``folder`` (deleted, moved away, unmounted)."""
        folder = Path(folder)
        with self._lock:
            for path in [p for p in self._candidates if p == folder or folder in p.parents]:
                del self._candidates[path]

    def clear(self) -> None:
        with self._lock:
            self._candidates.clear()

    # -- checking ---------------------------------------------------------------

    def next_check_at(self) -> float | None:
        with self._lock:
            return min((c.due for c in self._candidates.values()), default=None)

    def pending(self) -> list[Path]:
        with self._lock:
            return sorted(self._candidates)

    def __len__(self) -> int:
        with self._lock:
            return len(self._candidates)

    def __contains__(self, path: object) -> bool:
        with self._lock:
            return Path(path) in self._candidates  # type: ignore[arg-type]

    def check(self, now: float | None = None) -> list[Verdict]:
        """Look at every candidate whose time has come; return what is ready or rejected.

        Files reported here leave the gate; the next event for the same path brings
        them back (a rejected file that is fixed, or an uploaded file that changes).
        """
        now = self._now(now)
        with self._lock:
            due = [(c.path, c.generation) for c in self._candidates.values() if c.due <= now + _EPSILON]
        verdicts: list[Verdict] = []
        for path, generation in due:
            outcome = self._examine(path)
            with self._lock:
                candidate = self._candidates.get(path)
                if candidate is None or candidate.generation != generation:
                    continue  # it changed while we looked: the newer event decides
                verdict = self._apply(candidate, outcome, now)
                if verdict is not None:
                    del self._candidates[path]
                    verdicts.append(verdict)
        return verdicts

    def _examine(self, path: Path) -> _Outcome:
        """The part of a check that touches the disk; runs without the lock."""
        try:
            st = path.stat()
        except FileNotFoundError:
            return _Outcome("gone")
        except OSError as exc:
            words = describe_os_error(exc)
            return _Outcome("unreadable", reason=words if exc.errno == errno.ELOOP else f"cannot be read: {words}")
        if not stat.S_ISREG(st.st_mode):
            return _Outcome("gone")
        if st.st_size == 0:
            return _Outcome("incomplete", (0, st.st_mtime_ns), reason="the file is empty")
        result = self._validate(path)
        if result.size is None or result.mtime_ns is None:
            if not path.exists():
                return _Outcome("gone")
            return _Outcome("bad", (st.st_size, st.st_mtime_ns), reason=result.reason or "cannot be read")
        signature = (result.size, result.mtime_ns)
        if result.ok:
            return _Outcome("ready", signature)
        if result.size == 0:
            return _Outcome("incomplete", signature, reason="the file is empty")
        cut_short = _cut_short()
        if result.kind == "jpeg" and result.reason in cut_short:
            return _Outcome("incomplete", signature, reason=cut_short[result.reason])
        return _Outcome("bad", signature, reason=result.reason or "not a photo ShootProof takes")

    def _apply(self, c: _Candidate, outcome: _Outcome, now: float) -> Verdict | None:
        if outcome.status == "gone":
            del self._candidates[c.path]
            return None
        if outcome.status == "unreadable":
            return Rejected(c.path, outcome.reason)
        if outcome.signature != c.signature:
            # It changed without telling us (polling, mmap writes, an event we missed).
            c.signature = outcome.signature
            c.last_change = now
            c.due = now + self.settle
            return None
        quiet_until = c.last_change + self.settle
        if now + _EPSILON < quiet_until:
            c.due = quiet_until
            return None
        if outcome.status == "bad":
            return Rejected(c.path, outcome.reason, outcome.signature)
        if outcome.status == "incomplete":
            # Quiet but unfinished: some writers pause longer than the settle time.
            quiet_for = now - c.last_change
            if quiet_for + _EPSILON >= self.incomplete_after:
                return Rejected(
                    c.path,
                    f"{outcome.reason} and has not changed for {_duration(quiet_for)}; "
                    "it will be uploaded once it is written completely",
                    outcome.signature,
                )
            c.due = min(now + self.settle, c.last_change + self.incomplete_after)
            return None
        size, mtime_ns = outcome.signature  # type: ignore[misc]
        return Ready(c.path, size, mtime_ns)

    def _now(self, now: float | None) -> float:
        return self._clock() if now is None else now


@dataclass(frozen=True)
class _Outcome:
    status: str  # gone | unreadable (cannot even stat) | bad | incomplete | ready
    signature: Signature | None = None
    reason: str = ""


def _signature(path: Path) -> Signature | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"
