"""Build the one-folder bundle with PyInstaller (into tmp) and run the bundle's own --version and --selftest."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from studio_desktop import __version__

from .conftest import ROOT, run_app

SPEC = ROOT / "packaging" / "studio-desktop.spec"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def test_the_bundle_builds_and_passes_its_selftest(app_env, tmp_path):
    dist, work = tmp_path / "dist", tmp_path / "build"
    build = run_app(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
            str(SPEC),
        ],
        app_env,
        timeout=800,
    )
    assert build.returncode == 0, build.stderr[-4000:]

    bundle = dist / "studio-desktop"
    name = "studio-desktop-console.exe" if sys.platform == "win32" else "studio-desktop"
    executable = bundle / name
    assert executable.is_file()
    bundled_resources = bundle / "_internal" / "resources"
    for part in (
        "icons/studio-desktop-256.png",
        "icons/studio-desktop.svg",
        "linux/studio-desktop.desktop",
        "linux/studio-desktop.metainfo.xml",
    ):
        assert (bundled_resources / part).is_file(), part
    assert not list((bundle / "_internal").glob("PySide6/Qt/lib/libQt6Quick*")), "unused Qt modules were bundled"

    version = run_app([str(executable), "--version"], app_env, timeout=120)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"studio-desktop {__version__}"

    selftest = run_app([str(executable), "--selftest"], app_env, timeout=300)
    assert selftest.returncode == 0, selftest.stdout + selftest.stderr
    # The bundle's own copy of resources/, not the checkout's, proves resource_path works frozen.
    assert f"resources: icons load from {bundled_resources}" in selftest.stdout
    assert re.search(r"upload: selftest-[\d-]+\.jpg \([\d,]+ bytes\) sent through the upload engine", selftest.stdout)
    assert "photo arrived: photo_exists says yes" in selftest.stdout
    assert selftest.stdout.splitlines()[-1].startswith("Self-test passed: 6 checks")
    assert not list(Path(app_env["TMPDIR"]).glob("studio-desktop-selftest-*"))
