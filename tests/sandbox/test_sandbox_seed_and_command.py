"""The demo and empty seeds, persistence across restarts, and the `studio-desktop sandbox` command."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from studio_desktop.sandbox.app import SandboxStudio
from studio_desktop.sandbox.server import SandboxServer

REPO = Path(__file__).resolve().parents[2]


def test_demo_seed_is_a_working_studio(sp):
    brands = sp.ok("sp.brand.get_list")["brands"]
    assert len(brands) >= 2
    events = sp.ok("sp.event.get_list", include_archived=1, limit=1000)["events"]
    assert len(events) >= 10
    assert sum(e["is_archived"] for e in events) >= 2
    assert len({e["category_id"] for e in events if e["category_id"]}) >= 5
    assert any(e["contact_id"] for e in events) and any(e["cover_photo"] for e in events)
    names = [p.name for p in sp.studio.photos()]
    assert len(names) >= 200
    for expected in (
        "IMG_0001.jpg",
        "DSC_0001.JPG",
        "Bride & Groom (1).jpg",
        "Église - entrée.jpg",
        "Noah_asleep_#3.jpg",
        "portrait 01.jpeg",
        "_MG_4501.jpg",
    ):
        assert expected in names
    assert any(ord(ch) > 127 for name in names for ch in name)
    assert sp.ok("sp.album.info", album_id=sp.ids["album_level4"])["album"]["parent_id"] == sp.ids["album_level3"]
    assert sp.ok("sp.order.get_list")["total_results"] >= 3
    assert sp.ok("sp.invoice.get_list")["total_results"] >= 3
    assert sp.ok("sp.mobile_app.get_list")["total_results"] >= 2
    assert sp.ok("sp.watermark.get_list", brand_id=brands[0]["id"])["watermarks"]
    assert sp.ok("sp.event.gallery_visitors", event_id=sp.ids["event_wedding"])["gallery_visitors"]


def test_a_studio_keeps_its_data_across_restarts_and_reset_wipes_it(tmp_path, jpeg, http):
    data = tmp_path / "studio"
    with SandboxServer(data) as server:
        token = server.access_token
        response = http.post(
            server.shootproof_api_url,
            data={
                "method": "sp.photo.upload",
                "access_token": token,
                "event_id": str(server.studio.demo_ids["event_empty"]),
            },
            files={"photo": ("kept.jpg", io.BytesIO(jpeg()), "image/jpeg")},
        )
        photo_id = response.json()["photo_id"]
        pixieset_cookie = server.pixieset_cookie
    with SandboxServer(data) as server:
        assert server.access_token == token and server.pixieset_cookie == pixieset_cookie
        assert server.studio.count_photos() == 262
        assert server.studio.photo_file(photo_id).read_bytes() == jpeg()
    with SandboxServer(data, seed="empty", reset=True) as server:
        assert server.studio.count_photos() == 0
        assert server.access_token != token
        assert not server.studio.storage.photo_path(photo_id).exists()


def test_an_older_schema_is_replaced_by_a_fresh_seed(tmp_path):
    studio = SandboxStudio(tmp_path / "old", seed="empty")
    studio.db.set_meta("schema_version", "0")
    studio.close()
    studio = SandboxStudio(tmp_path / "old", seed="demo")
    try:
        assert studio.count_photos() == 261
    finally:
        studio.close()


def test_unknown_seed_is_refused(tmp_path):
    with pytest.raises(ValueError, match="seed"):
        SandboxStudio(tmp_path / "x", seed="huge")


def _start_command(tmp_path, *extra):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "studio_desktop", "sandbox", "--data-dir", str(tmp_path / "cli"), *extra],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = []
    for line in process.stdout:
        lines.append(line)
        if "Ctrl-C" in line:
            break
    return process, "".join(lines)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_sandbox_command_serves_until_stopped(tmp_path, stop_signal):
    process, banner = _start_command(
        tmp_path,
        "--seed",
        "empty",
        "--fault-rate",
        "1",
        "--fault-statuses",
        "503",
        "--fault-methods",
        "sp.event.get_list",
    )
    try:
        api = re.search(r"ShootProof API:\s+(\S+)", banner).group(1)
        token = re.search(r"Demo access token:\s+(\S+)", banner).group(1)
        assert re.search(r"OAuth authorize:\s+http://127\.0\.0\.1:\d+/oauth2/authorization/new", banner)
        assert re.search(r"Pixieset API:\s+http://127\.0\.0\.1:\d+/pixieset/api/v1", banner)
        assert re.search(r"Demo Pixieset cookie:\s+\S+=\S+", banner)
        home = re.search(r"Studio home:\s+(\S+)", banner).group(1)
        assert httpx.get(home).status_code == 200
        info = httpx.get(api, params={"method": "sp.studio.info", "access_token": token})
        assert info.status_code == 200 and info.json()["plan"]["used"] == 0
        assert httpx.get(api, params={"method": "sp.event.get_list", "access_token": token}).status_code == 503
    finally:
        process.send_signal(stop_signal)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "stopped" in out
    assert (tmp_path / "cli" / "data" / "sandbox" / "shootproof.sqlite3").exists()


def test_sandbox_command_rejects_bad_fault_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "studio_desktop", "sandbox", "--data-dir", str(tmp_path / "c"), "--fault-rate", "2"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "Invalid fault settings" in result.stderr


def test_setup_hooks_make_events_and_albums(sp_empty, jpeg):
    studio = sp_empty.studio
    event_id = studio.create_event("Hook gallery")
    parent = studio.create_album(event_id, "Day 1")
    child = studio.create_album(event_id, "Ceremony", parent_id=parent)
    albums = sp_empty.ok("sp.album.get_list", event_id=event_id)["albums"]
    assert albums[0]["id"] == parent and albums[0]["sub_albums"][0]["id"] == child
    assert sp_empty.upload(event_id, jpeg(), "x.jpg", album_id=child).status_code == 200
    assert [(p.name, p.album_id) for p in studio.photos(event_id)] == [("x.jpg", child)]
    assert studio.plan() == (1, 25_000)
