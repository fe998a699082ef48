"""Run Python's cycle collector on the GUI thread only.

CPython collects cycles in whichever thread happens to allocate when a threshold
is crossed. In this app that can be the sandbox server's thread or a worker
thread; if the garbage holds Qt objects (a widget in a cycle with a lambda), they
are then destroyed off the GUI thread and the process crashes. So automatic
collection is switched off and a timer on the GUI thread collects instead,
generation by generation, when the same thresholds are crossed.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class MainThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(interval_ms)

    def check(self) -> None:
        count0, count1, count2 = gc.get_count()
        threshold0, threshold1, threshold2 = self._thresholds
        if count0 > threshold0:
            gc.collect(0)
            if count1 > threshold1:
                gc.collect(1)
                if count2 > threshold2:
                    gc.collect(2)

    def stop(self) -> None:
        """Collect once more, here, and give collection back to CPython."""
        self._timer.stop()
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
