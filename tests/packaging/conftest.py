"""Run ``studio-desktop`` as a separate process whose every folder (home, temp, caches) is under tmp_path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_env(tmp_path) -> dict[str, str]:
    home = tmp_path / "home"
    temp = tmp_path / "tmp"
    for folder in (home, temp):
        folder.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("STUDIO_DESKTOP_", "XDG_", "PYINSTALLER_"))
    }
    env.update(
        {
            "HOME": str(home),
            "TMPDIR": str(temp),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_STATE_HOME": str(home / ".local" / "state"),
            "QT_QPA_PLATFORM": "offscreen",
            "LANG": "C.UTF-8",
            "PYINSTALLER_CONFIG_DIR": str(tmp_path / "pyinstaller-config"),
        }
    )
    return env


def run_app(command: list[str], env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def checkout_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "studio_desktop", *args]
