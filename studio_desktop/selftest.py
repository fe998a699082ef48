"""``studio-desktop --selftest``: prove that this installation works, end to end, in a throwaway folder.

It runs the real app (``run_gui``) against the sandbox studio, with every
folder in a new temporary directory and the window offscreen (unless
``QT_QPA_PLATFORM`` says otherwise). The checks themselves need the open
window, so they live in :mod:`studio_desktop.ui.selftest_checks`; this module sets the
stage, keeps the clock and prints the verdict. It works the same from a
checkout and from the PyInstaller bundle, which is the point: it is how a
build is checked before it ships and how a user's installation is checked
when something seems wrong.

Exit codes: 0 every check passed; 1 a check failed, the app could not start,
or it did not finish within the time limit (the reason is printed, and the
temporary folder with the log is kept).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from studio_desktop import APP_NAME, __version__
from studio_desktop.core import config, paths
from studio_desktop.core.redaction import redact

DEFAULT_TIMEOUT = 120.0
TIMEOUT_ENV = "STUDIO_DESKTOP_SELFTEST_TIMEOUT"
EXIT_PASSED = 0
EXIT_FAILED = 1

# A real token or URL in the environment must not leak into (or break) a sandbox run.
_CONNECTION_ENV = (
    config.ENV_ACCESS_TOKEN,
    config.ENV_CLIENT_ID,
    config.ENV_API_URL,
    config.ENV_OAUTH_URL,
    config.ENV_PIXIESET_URL,
)


class SelfTestFailure(Exception):
    """A check failed; the message says what, in plain words."""


class SelfTestReport:
    """Prints one line per check as it passes, and remembers which one is running (for the time limit)."""

    def __init__(self, out: TextIO | None = None):
        self._out = out
        self._lock = threading.Lock()
        self.current = "starting"
        self.passed: list[str] = []
        self.failure: str | None = None
        self.started = time.monotonic()

    def _print(self, line: str) -> None:
        out = self._out if self._out is not None else sys.stdout
        if out is None:  # a windowed build on Windows has no console
            return
        with self._lock:
            try:
                out.write(line + "\n")
                out.flush()
            except (OSError, ValueError):
                pass

    def header(self) -> None:
        self._print(f"{APP_NAME} {__version__} self-test")

    def step(self, name: str) -> None:
        self.current = name

    def ok(self, detail: str) -> None:
        self.passed.append(self.current)
        self._print(f"  ok      {self.current}: {detail}")

    def fail(self, reason: str) -> None:
        reason = redact(reason)
        if self.failure is None:
            self.failure = reason
        self._print(f"  FAILED  {self.current}: {reason}")

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def verdict(self, passed: bool, log_file: Path | None = None) -> None:
        if passed:
            self._print(f"Self-test passed: {len(self.passed)} checks in {self.elapsed():.1f} s.")
            return
        self._print(f'Self-test FAILED at "{self.current}": {self.failure or "see the messages above"}')
        if log_file is not None:
            self._print(f"The log is kept in {log_file}")


_active: SelfTestReport | None = None


def active_report() -> SelfTestReport:
    """The report of the self-test now running (the UI checks write to it); a fresh one otherwise."""
    global _active
    if _active is None:
        _active = SelfTestReport()
    return _active


def _timeout(env: Mapping[str, str]) -> float:
    try:
        value = float(env.get(TIMEOUT_ENV, "") or DEFAULT_TIMEOUT)
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


def _give_up(report: SelfTestReport, limit: float, log_file: Path) -> None:
    """Runs on the timer thread: the app is stuck somewhere, so say where and end the process now."""
    report.fail(f"did not finish within {limit:g} s")
    report.verdict(False, log_file)
    os._exit(EXIT_FAILED)


def run_selftest(args: argparse.Namespace) -> int:
    """Run the self-test in a fresh temporary folder; returns the exit code."""
    global _active
    report = _active = SelfTestReport()
    report.header()
    limit = _timeout(os.environ)
    root = Path(tempfile.mkdtemp(prefix="studio-desktop-selftest-"))
    folders = paths.configure(root).ensure()
    os.environ[paths.DATA_DIR_ENV] = str(root)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    for name in _CONNECTION_ENV:
        os.environ.pop(name, None)
    watchdog = threading.Timer(limit, _give_up, args=(report, limit, folders.log_file))
    watchdog.daemon = True
    watchdog.start()
    code = EXIT_FAILED
    try:
        gui_args = argparse.Namespace(**vars(args))
        gui_args.selftest = True
        gui_args.sandbox = True
        for name in ("access_token", "api_url", "oauth_url", "pixieset_url"):
            setattr(gui_args, name, None)
        report.step("loading the user interface")
        try:
            from studio_desktop.ui.app import run_gui
        except ImportError as exc:
            report.fail(
                f"Qt could not be loaded ({exc}); on Linux, install the system libraries Qt needs (see the README)"
            )
            return code
        report.step("starting the app on the sandbox studio")
        code = int(run_gui(gui_args) or 0)
        if code != EXIT_PASSED and report.failure is None:
            report.fail(f"the app stopped with exit code {code} (its reason is printed above)")
        if code == EXIT_PASSED and report.failure is not None:
            code = EXIT_FAILED
    except BaseException as exc:  # noqa: BLE001 - any escape is a failed self-test, said in words
        report.fail(f"{type(exc).__name__}: {exc}")
        code = EXIT_FAILED
    finally:
        watchdog.cancel()
        _active = None
        report.verdict(code == EXIT_PASSED, None if code == EXIT_PASSED else folders.log_file)
        if code == EXIT_PASSED:
            _remove(root)
    return code


def _remove(root: Path) -> None:
    from studio_desktop.core.logging_setup import teardown_logging

    teardown_logging()  # the log file lives in the folder about to go
    shutil.rmtree(root, ignore_errors=True)
