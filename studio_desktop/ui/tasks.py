"""Background coroutines started from the UI, with a reference kept to each one.

asyncio holds only weak references to tasks, so a task nobody keeps can vanish
mid-flight (FeelUOwn's ``run_afn_ref`` solves the same problem). Every
coroutine the UI starts goes through one :class:`TaskRunner`: it keeps the task
until it ends, hands the result or the error back on the UI thread (qasync runs
the loop there), reports unhandled errors in plain words, and cancels whatever
is left at shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from studio_desktop.api.errors import ApiError
from studio_desktop.wording import SHOOTPROOF, is_offline, is_signed_out, plain_message

log = logging.getLogger(__name__)

T = TypeVar("T")

# Its result is ignored: a handler may return what it reported (the gallery's failed() does).
ErrorCallback = Callable[[BaseException], object]


class TaskRunner(QObject):
    """Starts coroutines on the running loop and keeps them alive until they end.

    ``error_reported(message)`` carries a plain-words sentence for errors that no
    ``on_error`` callback took; ``connection_problem(kind)`` says "offline" or
    "signed_out" when an error shows that, whoever handled it.
    """

    error_reported = Signal(str)
    connection_problem = Signal(str)
    succeeded = Signal()
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._tasks: set[asyncio.Task] = set()
        self._closed = False

    @property
    def pending(self) -> int:
        return len(self._tasks)

    def tasks(self) -> list[asyncio.Task]:
        return list(self._tasks)

    def run(
        self,
        coro: Coroutine[Any, Any, T] | Awaitable[T],
        on_result: Callable[[T], None] | None = None,
        on_error: ErrorCallback | None = None,
        *,
        name: str | None = None,
        quiet: bool = False,
    ) -> asyncio.Task:
        """Run ``coro`` in the background; call ``on_result(value)`` or ``on_error(exc)`` when it ends.

        Without ``on_error`` the error is logged and reported through
        ``error_reported``; ``quiet=True`` logs it only (for background refreshes
        whose failure the user does not need to hear about twice).
        A cancelled task calls neither callback.
        """
        if self._closed:
            if asyncio.iscoroutine(coro):
                coro.close()
            raise RuntimeError("the app is shutting down; no new background work is accepted")
        task = asyncio.ensure_future(coro)
        if name:
            task.set_name(name)
        was_idle = not self._tasks
        self._tasks.add(task)
        if was_idle:
            self.busy_changed.emit(True)
        task.add_done_callback(lambda t: self._finished(t, on_result, on_error, quiet))
        return task

    def _finished(self, task: asyncio.Task, on_result, on_error, quiet: bool) -> None:
        self._tasks.discard(task)
        try:
            if task.cancelled():
                return
            error = task.exception()
            if error is None:
                self.succeeded.emit()
                if on_result is not None:
                    self._call(on_result, task.result())
                return
            if is_signed_out(error, SHOOTPROOF):  # Pixieset's sign-in has its own banner
                self.connection_problem.emit("signed_out")
            elif is_offline(error):
                self.connection_problem.emit("offline")
            if on_error is not None:
                self._call(on_error, error)
                return
            log.warning(
                "Background task %s failed: %s",
                task.get_name(),
                error,
                exc_info=(type(error), error, error.__traceback__) if not _expected(error) else None,
            )
            if not quiet:
                self.error_reported.emit(plain_message(error))
        finally:
            if not self._tasks:
                self.busy_changed.emit(False)

    def _call(self, callback: Callable[[Any], None], value: Any) -> None:
        """A failing callback is a bug in the UI code: log it and tell the user, never crash the loop."""
        try:
            callback(value)
        except Exception as exc:  # noqa: BLE001 - keep the app alive, but loudly
            log.exception("A callback of a background task failed")
            self.error_reported.emit(plain_message(exc))

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    async def shutdown(self, timeout: float = 5.0) -> None:
        """Refuse new work, cancel what runs and wait (up to ``timeout``) for it to unwind."""
        self._closed = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            _done, still_running = await asyncio.wait(tasks, timeout=timeout)
            for task in still_running:
                log.warning("Background task %s did not stop within %.0f s", task.get_name(), timeout)


def _expected(error: BaseException) -> bool:
    """Errors that are part of normal life (network, server refusals): no traceback needed in the log."""
    return isinstance(error, (ApiError, OSError))
