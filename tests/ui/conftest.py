"""Fixtures for GUI tests: a qasync loop that plain (sync) pytest-qt tests can drive, and a ready main window.

How to use them (STACK-NOTES "pattern C"):

- ``qloop``: a ``qasync.QEventLoop(qapp, already_running=True)`` set as the
  current loop. Coroutines started with ``asyncio.ensure_future`` make progress
  whenever Qt processes events, so a sync test can wait with
  ``qtbot.waitUntil(...)`` / ``qtbot.waitSignal(...)``. Never call those inside
  a coroutine. At teardown, leftover tasks are cancelled and drained.
- ``run_async``: ``run_async(coro, timeout=10.0)`` runs a coroutine to its end
  from a sync test (by waiting on Qt events) and returns its result or raises
  its exception.
- ``gui_session``: a :class:`GuiSession` built exactly as the app builds one,
  against the ``sandbox`` fixture (its ShootProof URL and demo token), with the
  window shown. Teardown closes it (tasks, thumbnails, engine, clients, store).
  ``gui_session_factory(sandbox=..., page_size=...)`` makes more, e.g. to
  re-create the window after closing one.
- ``main_window``: ``gui_session.window`` once the event tree has loaded.
- ``wait_for_tree(session)``: waits until the session's tree shows events.
- ``gallery``: the gallery commands on ``main_window``; ``sp``: a second
  ShootProof client on the sandbox; ``ids``: the demo data's ids.

Everything is offscreen (``QT_QPA_PLATFORM=offscreen`` from the root conftest)
and every folder is under the test's tmp_path (root ``app_paths`` fixture).
"""

from __future__ import annotations

import asyncio
import gc
import time

import httpx
import pytest

from studio_desktop.api.shootproof import ShootProofClient
from studio_desktop.core.config import Endpoints

DRAIN_SECONDS = 5.0


@pytest.fixture(autouse=True)
def gc_on_main_thread():
    """Collect cycles only here, on the GUI thread (as the app does; see ``ui/gc_guard.py``).

    Otherwise the sandbox's server thread may collect a cycle holding Qt objects
    and destroy them off the GUI thread, which crashes the process. The final
    collect also leaves no Qt garbage behind for later (non-UI) tests.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    yield
    gc.collect()
    if was_enabled:
        gc.enable()


def _closable_loop(qapp):
    """A qasync loop that counts as running inside the test's Qt event processing, and can end without Qt.

    Not ``loop.stop()`` at the end: it calls ``QApplication.exit()``, after which every nested Qt event
    loop (``qtbot.wait*``) of the later tests returns at once. ``finish()`` only stops the loop counting
    as running, so ``close()`` (which asks ``is_running()``) can release it.
    """
    import qasync

    class ClosableLoop(qasync.QEventLoop):
        finished = False

        def is_running(self) -> bool:
            return not self.finished and super().is_running()

        def finish(self) -> None:
            self.finished = True

    return ClosableLoop(qapp, already_running=True)


@pytest.fixture
def qloop(qapp):
    loop = _closable_loop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    deadline = time.monotonic() + DRAIN_SECONDS
    while any(not task.done() for task in pending) and time.monotonic() < deadline:
        qapp.processEvents()
        time.sleep(0.005)
    stuck = [task.get_name() for task in pending if not task.done()]
    loop.finish()
    asyncio.events._set_running_loop(None)  # undoes what already_running=True set
    loop.close()
    asyncio.set_event_loop(None)
    assert not stuck, f"background tasks ignored cancellation: {stuck}"


@pytest.fixture
def run_async(qloop, qtbot):
    """``run_async(coro, timeout=10.0)``: run ``coro`` to completion on the qasync loop from a sync test."""

    def run(coro, timeout: float = 10.0):
        task = asyncio.ensure_future(coro)
        qtbot.waitUntil(task.done, timeout=int(timeout * 1000))
        return task.result()

    return run


def endpoints_for(sandbox) -> Endpoints:
    return Endpoints(
        api_url=sandbox.shootproof_api_url,
        oauth_url=sandbox.oauth_url,
        pixieset_url=sandbox.pixieset_api_url,
        access_token=sandbox.access_token,
    )


@pytest.fixture
def gui_session_factory(run_async, qtbot, sandbox_factory):
    """Open GUI sessions; closed after the test, before the sandboxes they talk to stop
    (hence ``sandbox_factory``: a fixture set up first is torn down last)."""
    from studio_desktop.ui.app_wiring import GuiSession

    sessions: list[GuiSession] = []

    def make(
        sandbox=None, *, endpoints: Endpoints | None = None, show: bool = True, start_engine: bool = True, **kwargs
    ) -> GuiSession:
        if endpoints is None:
            endpoints = endpoints_for(sandbox)
        session = run_async(GuiSession.open(endpoints, start_engine=start_engine, **kwargs), timeout=20)
        sessions.append(session)
        if show:
            session.show()
            qtbot.waitExposed(session.window)
        return session

    yield make
    for session in reversed(sessions):
        run_async(session.aclose(), timeout=20)


@pytest.fixture
def gui_session(gui_session_factory, sandbox):
    return gui_session_factory(sandbox)


@pytest.fixture
def wait_for_tree(qtbot):
    def wait(session, timeout: float = 10.0):
        qtbot.waitUntil(lambda: session.window.tree_panel.model.event_count() > 0, timeout=int(timeout * 1000))
        return session.window.tree_panel

    return wait


@pytest.fixture
def main_window(gui_session, wait_for_tree):
    wait_for_tree(gui_session)
    return gui_session.window


@pytest.fixture
def gallery(gui_session, main_window):
    """The gallery commands on the session's window, with browser opening recorded in ``gallery.opened``."""
    from studio_desktop.ui.gallery.installer import install_gallery_actions

    installed = getattr(gui_session, "gallery", None) or install_gallery_actions(
        gui_session.window, gui_session.services, gui_session.controller
    )
    installed.opened = []
    installed.open_url = installed.opened.append
    return installed


@pytest.fixture
def sp(sandbox, run_async):
    """A second ShootProof client: how the tests check what the server really holds (and play "another app")."""
    http = httpx.AsyncClient(timeout=httpx.Timeout(20.0, connect=5.0))
    client = ShootProofClient(sandbox.shootproof_api_url, sandbox.access_token, http=http)
    yield client
    run_async(http.aclose())


@pytest.fixture
def ids(sandbox) -> dict[str, int]:
    return sandbox.studio.demo_ids
