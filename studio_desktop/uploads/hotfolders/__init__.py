"""Hot folders: watch a folder a camera (or card reader, or export) writes into, upload what lands.

Pipeline: watchdog observer thread -> :class:`~.gate.StabilityGate` (is the file complete?)
-> batches of ready files -> the upload engine's ``enqueue`` -> engine events -> after-upload move.

The parts:

- ``watcher.py``: :class:`HotFolderWatcher` (lifetime, the loop's task, scans, batches
  handed to the engine), built from the two halves below;
- ``observing.py``: the folder's side: filesystem events on the observer thread,
  choosing and starting the observer (native or polling, network shares), folder health;
- ``outcomes.py``: the engine's side: what became of each file handed over (uploaded
  and moved, a duplicate, failed, changed after upload and replaced);
- ``shared.py``: :class:`~.shared.WatcherCore`, the state both sides share (declared once) and
  the helpers all three use (events out, tasks, posting from other threads to the loop);
- ``engine_seam.py``: :class:`HotFolderEngine`, exactly what hot folders use of the upload engine;
- ``gate.py``: the stability gate; ``files.py``: moves, walks, network-share detection;
  ``history.py``: what the upload ledger says of a file seen again; ``lock.py``: one watcher per folder;
- ``events.py``: what a watcher tells its owner; ``summary.py``: the same in the CLI's and the window's words;
- ``store.py``: saved hot folders (:class:`SavedHotFolder`, :class:`HotFolderRepository`), whose SQL
  lives in :mod:`studio_desktop.uploads.records.hot_folders`; ``manager.py``: runs the saved ones.

:class:`HotFolderWatcher` and :class:`HotFolderManager` are imported on first use: they bring
watchdog, which commands that never watch a folder need not load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from studio_desktop.uploads.hotfolders.events import (
    HotFolderBatch,
    HotFolderChangedAfterUpload,
    HotFolderEvent,
    HotFolderFileFailed,
    HotFolderFileNameTaken,
    HotFolderFileRejected,
    HotFolderFileSkipped,
    HotFolderFileUploaded,
    HotFolderProblem,
    HotFolderRecovered,
    HotFolderStarted,
    HotFolderStopped,
)
from studio_desktop.uploads.hotfolders.files import AfterUpload
from studio_desktop.uploads.hotfolders.lock import FolderInUse
from studio_desktop.uploads.hotfolders.store import (
    MAX_SETTLE,
    MIN_SETTLE,
    HotFolderConfigError,
    HotFolderRepository,
    SavedHotFolder,
)

if TYPE_CHECKING:
    from studio_desktop.uploads.hotfolders.manager import HotFolderManager
    from studio_desktop.uploads.hotfolders.watcher import HotFolderTarget, HotFolderWatcher

_LAZY = {
    "HotFolderWatcher": "watcher",
    "HotFolderTarget": "watcher",
    "HotFolderManager": "manager",
}

__all__ = [
    "MAX_SETTLE",
    "MIN_SETTLE",
    "AfterUpload",
    "FolderInUse",
    "HotFolderBatch",
    "HotFolderChangedAfterUpload",
    "HotFolderConfigError",
    "HotFolderEvent",
    "HotFolderFileFailed",
    "HotFolderFileNameTaken",
    "HotFolderFileRejected",
    "HotFolderFileSkipped",
    "HotFolderFileUploaded",
    "HotFolderManager",
    "HotFolderProblem",
    "HotFolderRecovered",
    "HotFolderRepository",
    "HotFolderStarted",
    "HotFolderStopped",
    "HotFolderTarget",
    "HotFolderWatcher",
    "SavedHotFolder",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
