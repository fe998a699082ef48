"""The engine's retry decision, alone: no engine, no server, no sleeping."""

from __future__ import annotations

from studio_desktop.api.errors import TransientError
from studio_desktop.api.wire import AnswerTimedOut
from studio_desktop.uploads.engine import EngineTiming
from studio_desktop.uploads.engine.retry import GiveUp, RefusalRun, RetryIn, WaitForNetwork, backoff, decide

TIMING = EngineTiming(max_attempts=4, base_delay=1.0, max_delay=8.0, max_retry_after=30.0)


def test_backoff_doubles_up_to_the_cap_with_jitter_between_half_and_all():
    assert [backoff(n, TIMING, rand=lambda: 1.0) for n in (1, 2, 3, 4, 5)] == [1.0, 2.0, 4.0, 8.0, 8.0]
    assert [backoff(n, TIMING, rand=lambda: 0.0) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]


def test_a_transient_failure_is_retried_until_the_attempts_run_out():
    error = TransientError("busy")
    assert decide(error, 1, TIMING, rand=lambda: 1.0) == RetryIn(1.0)
    assert decide(error, 3, TIMING, rand=lambda: 1.0) == RetryIn(4.0)
    assert decide(error, 4, TIMING) == GiveUp(4)


def test_retry_after_is_honoured_up_to_its_limit():
    assert decide(TransientError("later", retry_after=10.0), 1, TIMING, rand=lambda: 0.0) == RetryIn(10.0)
    assert decide(TransientError("much later", retry_after=600.0), 1, TIMING, rand=lambda: 0.0) == RetryIn(30.0)


def test_an_unreachable_server_waits_for_the_network_whatever_the_attempts():
    assert decide(TransientError("no route"), 99, TIMING, network_up=False) == WaitForNetwork()


def test_a_busy_or_slow_server_asks_for_fewer_uploads_at_once():
    assert decide(TransientError("slow down", http_status=429), 1, TIMING, rand=lambda: 1.0) == RetryIn(1.0, True)
    assert decide(TransientError("down", http_status=503), 4, TIMING) == GiveUp(4, True)
    try:
        raise AnswerTimedOut("slow")
    except AnswerTimedOut:
        try:
            raise TransientError("timed out")
        except TransientError as timed_out:
            assert decide(timed_out, 1, TIMING, rand=lambda: 1.0).slow_down
    assert not decide(TransientError("odd", http_status=409), 1, TIMING).slow_down


def test_the_same_refusal_counts_different_photos_in_a_row():
    run = RefusalRun()
    answer = ("ValidationError", "7", "Watermark not found")
    assert [run.add(answer, 1), run.add(answer, 1), run.add(answer, 2)] == [1, 1, 2]
    assert run.add(("ValidationError", "8", "Other"), 3) == 1, "another answer starts a new run"
    run.clear()
    assert run.add(answer, 4) == 1
