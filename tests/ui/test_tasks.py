"""The background task helper: results and errors come back, nothing is lost, shutdown cancels."""

from __future__ import annotations

import asyncio
import gc
import logging

import httpx
import pytest

from studio_desktop.api.errors import AuthenticationError, NotFoundError
from studio_desktop.ui.tasks import TaskRunner


async def _value(value, delay=0.0):
    await asyncio.sleep(delay)
    return value


async def _fail(error):
    await asyncio.sleep(0)
    raise error


def test_result_reaches_the_callback_and_the_task_is_kept(qloop, qtbot):
    runner = TaskRunner()
    results = []
    task = runner.run(_value(42, 0.01), on_result=results.append)
    assert runner.pending == 1 and task in runner.tasks()
    del task
    gc.collect()  # the runner's reference alone keeps the task alive
    qtbot.waitUntil(lambda: results == [42])
    assert runner.pending == 0


def test_error_goes_to_on_error_or_to_the_status_bar_in_plain_words(qloop, qtbot, caplog):
    caplog.set_level(logging.WARNING, logger="studio_desktop.ui.tasks")  # "background task ... failed"
    runner = TaskRunner()
    errors = []
    runner.run(_fail(NotFoundError("That album no longer exists.")), on_error=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1)
    assert isinstance(errors[0], NotFoundError)
    with qtbot.waitSignal(runner.error_reported) as reported:
        runner.run(_fail(httpx.ConnectError("[Errno 111] Connection refused")))
    assert reported.args[0].startswith("Could not reach ShootProof")


def test_connection_problems_are_announced(qloop, qtbot):
    runner = TaskRunner()
    with qtbot.waitSignal(runner.connection_problem) as problem:
        runner.run(_fail(AuthenticationError("Invalid access token", http_status=401)), on_error=lambda e: None)
    assert problem.args == ["signed_out"]


def test_a_failing_callback_is_reported_not_raised(qloop, qtbot, caplog):
    caplog.set_level(logging.ERROR, logger="studio_desktop.ui.tasks")  # "a callback of a background task failed"
    runner = TaskRunner()

    def broken(value):
        raise ValueError("bug in a callback")

    with qtbot.waitSignal(runner.error_reported) as reported:
        runner.run(_value(1), on_result=broken)
    assert "ValueError" in reported.args[0]


def test_shutdown_cancels_and_refuses_new_work(qloop, run_async):
    runner = TaskRunner()
    called = []
    slow = runner.run(_value(1, 30), on_result=called.append, on_error=called.append)
    run_async(runner.shutdown(timeout=2))
    assert slow.cancelled() and called == [] and runner.pending == 0
    coro = _value(2)
    with pytest.raises(RuntimeError, match="shutting down"):
        runner.run(coro)
