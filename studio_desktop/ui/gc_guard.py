"""Run Python's cycle collector on the GUI thread only, in small steps.

CPython collects cycles in whichever thread happens to allocate when a threshold
is crossed. In this app that can be the sandbox server's thread or a worker
thread; if the garbage holds Qt objects (a widget in a cycle with a lambda), they
are then destroyed off the GUI thread and the process crashes. So automatic
collection is switched off and a timer on the GUI thread collects instead,
generation by generation, when the same thresholds are crossed.

A collection holds the GUI thread for as long as it takes to walk the objects of
the generations it collects, so each one is kept small:

- the timer looks often (``INTERVAL_MS``), so a young generation never holds more
  than a moment's survivors;
- :func:`settle`, called once the window is built, collects everything once and
  freezes what is left (``gc.freeze``): the tens of thousands of objects of the
  modules, the window and its services are never walked again. (Measured: the
  first generation-1 collection after start-up walked 51,000 of them, 25 ms on a
  quiet machine and 60-80 ms under load: a visible stall.)
- the oldest generation is collected only when it has grown by a quarter since the
  last full collection, as CPython's own collector decides, not every tenth
  generation-1 collection.

A frozen object that later becomes part of a garbage cycle is not freed until
:meth:`MainThreadGarbageCollector.stop` (objects freed by their reference count,
the usual case, are freed at once as always).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 100
#: The oldest generation is collected once it has grown by this share since its last collection.
GROWTH_FOR_FULL = 0.25


class MainThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        self._long_lived = len(gc.get_objects(2))
        self.full_collections = 0
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(interval_ms)

    def check(self) -> None:
        count0, count1, count2 = gc.get_count()
        threshold0, threshold1, threshold2 = self._thresholds
        if count0 <= threshold0:
            return
        if count1 < threshold1:
            gc.collect(0)
        elif count2 < threshold2 or not self._old_generation_grew():
            gc.collect(1)
        else:
            self._collect_all()

    def _old_generation_grew(self) -> bool:
        return len(gc.get_objects(2)) > self._long_lived * (1 + GROWTH_FOR_FULL)

    def _collect_all(self) -> None:
        gc.collect(2)
        self._long_lived = len(gc.get_objects(2))
        self.full_collections += 1

    def settle(self) -> None:
        """Start-up is over: collect once, then never walk what survived again (``gc.freeze``)."""
        gc.collect(2)
        gc.freeze()
        self._long_lived = len(gc.get_objects(2))

    def stop(self) -> None:
        """Collect once more, here (frozen objects too), and give collection back to CPython."""
        self._timer.stop()
        gc.unfreeze()
        gc.collect()
        if self._was_enabled:
            gc.enable()


_installed: MainThreadGarbageCollector | None = None


def install(parent: QObject | None = None) -> MainThreadGarbageCollector:
    """Install the collector once per process (call on the GUI thread, after the QApplication exists)."""
    global _installed
    if _installed is None:
        _installed = MainThreadGarbageCollector(parent)
    return _installed


def settle() -> None:
    """Tell the installed collector that start-up is over (nothing when none is installed, as in tests)."""
    if _installed is not None:
        _installed.settle()
