"""The GUI thread's garbage collector: start-up objects frozen once, cycles still freed, full collections rare."""

from __future__ import annotations

import gc
import weakref

import pytest

from studio_desktop.ui.gc_guard import MainThreadGarbageCollector

NEVER_MS = 3_600_000  # the tests call check() themselves


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cycle collector frees it


class Leaf:
    pass


@pytest.fixture
def collector(qapp):
    thresholds = gc.get_threshold()
    gc.set_threshold(0, 1, 1)  # every check() after an allocation collects something
    made = MainThreadGarbageCollector(interval_ms=NEVER_MS)
    try:
        yield made
    finally:
        made.stop()
        gc.set_threshold(*thresholds)
        gc.disable()  # as the GUI tests' own fixture keeps it


def churn(collector: MainThreadGarbageCollector, times: int = 40) -> None:
    """Allocate (a net gain, as the thresholds count) and let the collector look, ``times`` times."""
    young = []
    for _ in range(times):
        young.append(Leaf())  # not from a free list: empty lists and dicts would not count
        collector.check()


def test_settle_freezes_what_exists_and_stop_gives_it_back(collector):
    collector.settle()
    assert gc.get_freeze_count() > 0
    assert len(gc.get_objects(2)) < gc.get_freeze_count()
    collector.stop()
    assert gc.get_freeze_count() == 0


def test_cycles_made_after_settling_are_freed_by_the_checks(collector):
    collector.settle()
    node = Node()
    gone = weakref.ref(node)
    del node
    churn(collector)
    assert gone() is None


def test_a_frozen_cycle_is_freed_when_the_collector_stops(collector):
    node = Node()
    gone = weakref.ref(node)
    collector.settle()
    del node
    churn(collector)
    assert gone() is not None  # frozen: never walked again while the app runs
    collector.stop()
    assert gone() is None


def test_the_oldest_generation_is_collected_only_when_it_has_grown_by_a_quarter(collector):
    collector.settle()
    kept = [Node() for _ in range(2_000)]  # long-lived: they end up in the oldest generation
    churn(collector)
    assert collector.full_collections >= 1
    settled = collector.full_collections
    a_few_more = [Node() for _ in range(10)]
    churn(collector, 200)
    assert collector.full_collections == settled
    many_more = [Node() for _ in range(2_000)]
    churn(collector)
    assert collector.full_collections > settled
    assert len(kept) + len(a_few_more) + len(many_more) == 4_010
