"""``studio-desktop --version`` and ``--selftest`` from the checkout, as separate processes."""

from __future__ import annotations

import re
from pathlib import Path

from studio_desktop import __version__

from .conftest import ROOT, checkout_command, run_app

CHECKS = ("resources", "main window", "upload", "photo arrived", "log and diagnostics", "no unexpected errors")


def _leftovers(env: dict[str, str]) -> list[Path]:
    return sorted(Path(env["TMPDIR"]).glob("studio-desktop-selftest-*"))


def test_version(app_env):
    result = run_app(checkout_command("--version"), app_env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"studio-desktop {__version__}\n"


def test_selftest_passes_and_leaves_nothing_behind(app_env):
    # A real sign-in in the environment must neither be used nor break the run.
    app_env["STUDIO_DESKTOP_ACCESS_TOKEN"] = "a-real-token-from-the-environment-0123"
    app_env["STUDIO_DESKTOP_API_URL"] = "http://127.0.0.1:9/v2"
    result = run_app(checkout_command("--selftest"), app_env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Studio Desktop {__version__} self-test"
    assert [re.match(r"  ok      ([^:]+):", line).group(1) for line in lines[1:-1]] == list(CHECKS)
    assert f"resources: icons load from {ROOT / 'resources'}" in result.stdout
    assert re.search(
        r"main window: open \(offscreen\), \d+ galleries listed from http://127\.0\.0\.1:\d+/v2", result.stdout
    )
    assert lines[-1].startswith(f"Self-test passed: {len(CHECKS)} checks in ")
    assert "a-real-token-from-the-environment-0123" not in result.stdout + result.stderr
    assert _leftovers(app_env) == []
    assert not (Path(app_env["HOME"]) / ".local" / "share" / "studio-desktop").exists()


def test_selftest_says_what_failed_and_keeps_the_log(app_env, tmp_path):
    empty = tmp_path / "no-resources"
    empty.mkdir()
    app_env["STUDIO_DESKTOP_RESOURCES"] = str(empty)
    result = run_app(checkout_command("--selftest"), app_env)
    assert result.returncode == 1
    expected = (
        f"  FAILED  resources: {empty / 'icons' / 'studio-desktop-256.png'} is missing: the installation is incomplete"
    )
    assert expected in result.stdout.splitlines()
    assert 'Self-test FAILED at "resources"' in result.stdout
    kept = re.search(r"^The log is kept in (.+)$", result.stdout, re.MULTILINE)
    assert kept, result.stdout
    log_file = Path(kept.group(1))
    assert log_file.is_file() and "Starting Studio Desktop" in log_file.read_text(encoding="utf-8")
    assert _leftovers(app_env) == [log_file.parent.parent]


def test_selftest_gives_up_at_its_time_limit(app_env):
    app_env["STUDIO_DESKTOP_SELFTEST_TIMEOUT"] = "0.05"
    result = run_app(checkout_command("--selftest"), app_env, timeout=60)
    assert result.returncode == 1
    assert "did not finish within 0.05 s" in result.stdout
    assert "Self-test FAILED at" in result.stdout
