"""resource_path: the checkout's resources/, a bundle's, or an explicit override; and what resources/ holds."""

from __future__ import annotations

import sys

from PIL import Image

from studio_desktop.resources import RESOURCES_ENV, resource_path

from .conftest import ROOT

ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)


def test_from_a_checkout_it_is_the_top_level_folder(monkeypatch):
    monkeypatch.delenv(RESOURCES_ENV, raising=False)
    assert resource_path() == ROOT / "resources"
    assert resource_path("linux", "studio-desktop.desktop") == ROOT / "resources" / "linux" / "studio-desktop.desktop"


def test_inside_a_bundle_it_is_the_bundles_copy(monkeypatch, tmp_path):
    monkeypatch.delenv(RESOURCES_ENV, raising=False)
    (tmp_path / "resources" / "icons").mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resource_path("icons", "a.png") == tmp_path / "resources" / "icons" / "a.png"


def test_an_override_wins_and_a_missing_one_is_skipped(monkeypatch, tmp_path):
    monkeypatch.setenv(RESOURCES_ENV, str(tmp_path))
    assert resource_path("x") == tmp_path / "x"
    monkeypatch.setenv(RESOURCES_ENV, str(tmp_path / "not-there"))
    assert resource_path("x") == ROOT / "resources" / "x"


def test_the_app_icon_exists_at_every_size():
    for size in ICON_SIZES:
        with Image.open(resource_path("icons", f"studio-desktop-{size}.png")) as image:
            assert image.format == "PNG" and image.size == (size, size) and image.mode == "RGBA"
    assert resource_path("icons", "studio-desktop.svg").read_text(encoding="utf-8").lstrip().startswith("<svg")
    with Image.open(resource_path("icons", "studio-desktop.ico")) as ico:
        assert ico.format == "ICO" and (256, 256) in ico.info["sizes"]
    with Image.open(resource_path("icons", "studio-desktop.icns")) as icns:
        assert icns.format == "ICNS"
