"""The stability gate, driven by a fake clock over real files."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from studio_desktop.uploads.hotfolders.gate import Ready, Rejected, StabilityGate

from .hotfolder_harness import deny_unreadable_files_even_for_root


def jpeg_bytes(seed: int = 0, size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, (seed * 37 % 256, seed * 91 % 256, 120))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def gate(clock) -> StabilityGate:
    return StabilityGate(settle=1.0, incomplete_after=5.0, clock=clock)


def ready_paths(verdicts) -> list[Path]:
    return [v.path for v in verdicts if isinstance(v, Ready)]


def rejected(verdicts) -> dict[Path, str]:
    return {v.path: v.reason for v in verdicts if isinstance(v, Rejected)}


def test_a_written_file_is_ready_only_after_the_settle_time(tmp_path, gate, clock):
    photo = tmp_path / "IMG_0001.jpg"
    data = jpeg_bytes(1)
    photo.write_bytes(data)
    assert gate.seen(photo)
    assert gate.check() == []
    clock.advance(0.9)
    assert gate.check() == []
    assert photo in gate
    clock.advance(0.1)
    verdicts = gate.check()
    assert verdicts == [Ready(photo, len(data), photo.stat().st_mtime_ns)]
    assert photo not in gate and len(gate) == 0


def test_a_file_that_keeps_changing_is_never_ready_while_it_changes(tmp_path, gate, clock):
    photo = tmp_path / "slow.jpg"
    data = jpeg_bytes(2)
    with open(photo, "wb") as writer:
        for start in range(0, len(data), 200):
            writer.write(data[start : start + 200])
            writer.flush()
            gate.seen(photo)
            clock.advance(0.7)
            assert gate.check() == [], "a half-written file must not come out of the gate"
    clock.advance(0.5)
    assert ready_paths(gate.check()) == [photo]


def test_a_change_without_an_event_restarts_the_wait(tmp_path, gate, clock):
    """Polling and missed events: the size/mtime comparison catches what no event told us."""
    photo = tmp_path / "quiet.jpg"
    data = jpeg_bytes(3)
    photo.write_bytes(data[: len(data) // 2])
    gate.seen(photo)
    clock.advance(1.0)
    with open(photo, "ab") as writer:
        writer.write(data[len(data) // 2 :])
    assert gate.check() == []
    clock.advance(0.5)
    assert gate.check() == []
    clock.advance(0.5)
    assert ready_paths(gate.check()) == [photo]
    assert photo.read_bytes() == data


def test_a_close_does_not_cut_the_settle_time(tmp_path, gate, clock):
    # Tethering software closes, then reopens within a second to add EXIF/XMP:
    # the close is not the end, --settle is.
    photo = tmp_path / "tethered.jpg"
    photo.write_bytes(jpeg_bytes(4))
    gate.seen(photo)
    clock.advance(0.02)
    gate.closed(photo)
    assert gate.next_check_at() == pytest.approx(clock.now + 1.0)
    clock.advance(0.5)
    assert gate.check() == []
    clock.advance(0.5)
    assert ready_paths(gate.check()) == [photo]


def test_a_write_after_the_close_needs_the_full_settle_time_again(tmp_path, gate, clock):
    photo = tmp_path / "reopened.jpg"
    data = jpeg_bytes(5)
    photo.write_bytes(data)
    gate.closed(photo)
    clock.advance(0.05)
    with open(photo, "ab") as writer:  # e.g. the tethering app patching metadata
        writer.write(b"\0" * 10)
    gate.seen(photo)
    clock.advance(0.2)
    assert gate.check() == []
    clock.advance(0.8)
    assert ready_paths(gate.check()) == [photo]


def test_a_jpeg_without_its_end_marker_waits_and_is_reported_if_it_never_finishes(tmp_path, gate, clock):
    photo = tmp_path / "cut.jpg"
    data = jpeg_bytes(6, (200, 150))
    photo.write_bytes(data[:-200])
    gate.closed(photo)
    for _ in range(4):
        clock.advance(1.0)
        assert gate.check() == [], "an unfinished JPEG is never ready"
    clock.advance(1.0)
    reasons = rejected(gate.check())
    assert "cut short" in reasons[photo] and "has not changed for 5 s" in reasons[photo]
    assert photo not in gate


def test_a_jpeg_finished_late_is_ready_once_whole(tmp_path, gate, clock):
    photo = tmp_path / "late.jpg"
    data = jpeg_bytes(7, (200, 150))
    photo.write_bytes(data[:-300])
    gate.closed(photo)
    clock.advance(2.0)
    assert gate.check() == []
    with open(photo, "ab") as writer:
        writer.write(data[-300:])
    gate.closed(photo)
    clock.advance(1.0)
    assert ready_paths(gate.check()) == [photo]


def test_an_empty_file_waits(tmp_path, gate, clock):
    photo = tmp_path / "empty.jpg"
    photo.touch()
    gate.seen(photo)
    clock.advance(2.0)
    assert gate.check() == []
    photo.write_bytes(jpeg_bytes(8))
    gate.closed(photo)
    clock.advance(1.0)
    assert ready_paths(gate.check()) == [photo]


def test_non_jpegs_are_rejected_in_plain_words(tmp_path, gate, clock):
    png = tmp_path / "screenshot.jpg"
    Image.new("RGB", (20, 20)).save(png, "PNG")
    text = tmp_path / "notes.jpg"
    text.write_text("call the bride's mother\n" * 20)
    for path in (png, text):
        gate.closed(path)
    clock.advance(1.0)
    reasons = rejected(gate.check())
    assert "PNG" in reasons[png] and "not a JPEG" in reasons[png]
    assert "text" in reasons[text] and "not a JPEG" in reasons[text]
    assert len(gate) == 0


def test_temporary_and_hidden_files_are_ignored(tmp_path, gate, clock):
    names = [".IMG_0001.jpg", "IMG_0002.jpg.part", "IMG_0003.jpg.tmp", "~IMG_0004.jpg", ".DS_Store"]
    for name in names:
        (tmp_path / name).write_bytes(jpeg_bytes(9))
        assert not gate.seen(tmp_path / name)
        assert not gate.closed(tmp_path / name)
    clock.advance(5)
    assert gate.check() == [] and len(gate) == 0


def test_a_temp_file_renamed_to_its_final_name_is_followed(tmp_path, gate, clock):
    temp = tmp_path / "IMG_0005.jpg.part"
    final = tmp_path / "IMG_0005.jpg"
    temp.write_bytes(jpeg_bytes(10))
    gate.seen(temp)
    os.rename(temp, final)
    gate.moved(temp, final)
    assert final in gate and temp not in gate
    clock.advance(1.0)
    assert ready_paths(gate.check()) == [final]


def test_a_candidate_renamed_away_or_deleted_is_dropped(tmp_path, gate, clock):
    kept = tmp_path / "a.jpg"
    deleted = tmp_path / "b.jpg"
    for path in (kept, deleted):
        path.write_bytes(jpeg_bytes(11))
        gate.seen(path)
    deleted.unlink()
    outside = tmp_path.parent / f"{tmp_path.name}-moved.jpg"
    gate.moved(kept, None)
    clock.advance(2)
    assert gate.check() == [] and len(gate) == 0
    assert not outside.exists()


def test_a_deleted_file_leaves_the_gate_without_a_message(tmp_path, gate, clock):
    photo = tmp_path / "gone.jpg"
    photo.write_bytes(jpeg_bytes(12))
    gate.seen(photo)
    photo.unlink()
    clock.advance(1.0)
    assert gate.check() == []
    assert len(gate) == 0


def test_forget_below_drops_a_vanished_subfolder(tmp_path, gate, clock):
    sub = tmp_path / "ceremony"
    sub.mkdir()
    inside = sub / "x.jpg"
    other = tmp_path / "y.jpg"
    for path in (inside, other):
        path.write_bytes(jpeg_bytes(13))
        gate.seen(path)
    gate.forget_below(sub)
    assert gate.pending() == [other]


def test_an_unreadable_file_is_rejected_with_the_reason(tmp_path, gate, clock, monkeypatch):
    photo = tmp_path / "locked.jpg"
    photo.write_bytes(jpeg_bytes(14))
    photo.chmod(0)
    deny_unreadable_files_even_for_root(monkeypatch)
    gate.closed(photo)
    clock.advance(1.0)
    reasons = rejected(gate.check())
    assert reasons[photo] == "cannot be read: permission denied"


def test_a_self_referencing_link_is_rejected_not_raised(tmp_path, gate, clock):
    loop = tmp_path / "loop.jpg"
    loop.symlink_to(loop)
    gate.seen(loop)
    clock.advance(1.0)
    reasons = rejected(gate.check())
    assert reasons[loop] == "a link that loops back on itself"
    assert len(gate) == 0


def test_files_found_by_a_scan_count_their_age_as_quiet_time(tmp_path, gate, clock):
    old = tmp_path / "old.jpg"
    fresh = tmp_path / "fresh.jpg"
    for path in (old, fresh):
        path.write_bytes(jpeg_bytes(15))
    an_hour_ago = os.stat(old).st_mtime - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    assert gate.found(old) and gate.found(fresh)
    clock.advance(0.1)
    assert ready_paths(gate.check()) == [old]
    clock.advance(0.9)
    assert ready_paths(gate.check()) == [fresh]


def test_late_events_from_polling_are_dated_by_the_mtime_within_their_bound(tmp_path, clock):
    """A poller reports a write up to one interval late; the mtime dates it, but never beyond that bound."""
    wall = [0.0]
    gate = StabilityGate(settle=1.0, clock=clock, wall_clock=lambda: wall[0], event_delay=0.5)
    recent, behind, ahead = tmp_path / "recent.jpg", tmp_path / "behind.jpg", tmp_path / "ahead.jpg"
    for path in (recent, behind, ahead):
        path.write_bytes(jpeg_bytes(17))
    written = os.stat(recent).st_mtime
    os.utime(behind, (written - 3600, written - 3600))  # a share whose clock is an hour behind ours
    os.utime(ahead, (written + 3600, written + 3600))  # ...or an hour ahead
    wall[0] = written + 0.3  # the poll saw them 0.3 s after the write
    for path in (recent, behind, ahead):
        gate.seen(path)
    clock.advance(0.5)
    assert ready_paths(gate.check()) == [behind], "an hour-old mtime counts for no more than the poll interval"
    clock.advance(0.2)
    assert ready_paths(gate.check()) == [recent], "settle time counted from the write the mtime dates"
    clock.advance(0.29)
    assert gate.check() == []
    clock.advance(0.01)
    assert ready_paths(gate.check()) == [ahead], "an mtime from the future gives no head start"


def test_an_event_during_a_check_wins_over_the_check(tmp_path, clock):
    """The check reads the disk without the lock; a newer event must not be overruled."""
    photo = tmp_path / "racing.jpg"
    photo.write_bytes(jpeg_bytes(16))
    from studio_desktop.uploads.images import validate_jpeg

    def validate(path):
        result = validate_jpeg(path)
        gate.seen(path)  # as if the observer thread reported a write right now
        return result

    gate = StabilityGate(settle=1.0, clock=clock, validate=validate)
    gate.closed(photo)
    clock.advance(1.0)
    assert gate.check() == []
    assert photo in gate
    assert gate.next_check_at() == pytest.approx(clock.now + 1.0)


def test_negative_settle_is_refused():
    with pytest.raises(ValueError):
        StabilityGate(settle=-1)
