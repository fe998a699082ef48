"""The Linux desktop entry and AppStream metadata pass the freedesktop validators and agree with each other."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import xml.etree.ElementTree as ET

from studio_desktop import APP_ID, __version__
from studio_desktop.resources import resource_path

DESKTOP = resource_path("linux", "studio-desktop.desktop")
METAINFO = resource_path("linux", "studio-desktop.metainfo.xml")


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: install the Debian package {package} (./dev test does it when run as root)"
    return path


def test_desktop_file_validates():
    result = subprocess.run(
        [_tool("desktop-file-validate", "desktop-file-utils"), str(DESKTOP)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout + result.stderr


def test_appstream_metadata_validates():
    result = subprocess.run(
        [_tool("appstreamcli", "appstream"), "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_desktop_entry_and_metadata_agree_with_the_app():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(DESKTOP, encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Exec"].split()[0] == APP_ID  # the name `pip install` and the bundle give the program
    assert section["Icon"] == APP_ID
    assert resource_path("icons", f"{APP_ID}.svg").is_file()
    # Qt's desktop file name (setDesktopFileName) must match for the window to get this entry's icon.
    assert section["StartupWMClass"] == APP_ID

    root = ET.parse(METAINFO).getroot()
    assert root.findtext("launchable") == DESKTOP.name
    assert root.findtext("provides/binary") == APP_ID
    assert root.findtext("icon") == APP_ID
    assert next(release.get("version") for release in root.findall("releases/release")) == __version__
