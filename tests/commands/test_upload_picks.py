"""`studio-desktop upload` with --min-rating/--label/--skip-rejects and --resize/--quality/--resize-oversize."""

from __future__ import annotations

import io
import json
import logging
import os

from command_support import new_event
from imagegen import make_exif, make_rgb_image, make_sparse_jpeg
from PIL import Image
from xmp_samples import jpeg_with_xmp, lightroom, photo_mechanic

from studio_desktop import cli
from studio_desktop.core.store import Store
from studio_desktop.uploads.records import queue as q


def upload(server, *args: str) -> int:
    return cli.main(["upload", *args, "--api-url", server.shootproof_api_url])


def culled_shoot(folder):
    jpeg_with_xmp(folder / "IMG_0001.jpg", lightroom(rating=5, label="Green"))
    jpeg_with_xmp(folder / "IMG_0002.jpg", lightroom(rating=3, label="Red"))
    jpeg_with_xmp(folder / "IMG_0003.jpg", lightroom(rating=1))
    jpeg_with_xmp(folder / "IMG_0004.jpg", lightroom(rating=4))
    (folder / "IMG_0004.xmp").write_text(lightroom(rating=-1), encoding="utf-8")
    jpeg_with_xmp(folder / "IMG_0005.jpg", photo_mechanic(color_class=1, rating=2))
    return folder


def landed_names(server, event_id):
    import asyncio

    from studio_desktop.api.shootproof import ShootProofClient

    async def names():
        async with ShootProofClient(server.shootproof_api_url, server.access_token) as client:
            return sorted([p.name async for p in client.iter_event_photos(event_id, limit=1000)])

    return asyncio.run(names())


def test_min_rating_and_skip_rejects_upload_only_the_picks_and_say_why(server, tmp_path, capsys):
    event_id = new_event(server)
    shoot = culled_shoot(tmp_path / "shoot")
    code = upload(server, str(shoot), "--event", str(event_id), "--min-rating", "3", "--skip-rejects", "--json")
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result = json.loads(captured.out)
    assert result["counts"]["uploaded"] == 2 and result["counts"]["left_out"] == 3
    assert result["counts"]["failed"] == 0 and result["counts"]["duplicates"] == 0
    reasons = {e["name"]: e["reason"] for e in result["left_out"]}
    assert reasons == {
        "IMG_0003.jpg": "Left out by filter: rated 1 star, below 3 stars.",
        "IMG_0004.jpg": "Left out by filter: rejected (rated -1).",
        "IMG_0005.jpg": "Left out by filter: rated 2 stars, below 3 stars.",
    }
    assert "Left out by the picks filter: 3 (2 below the minimum rating, 1 rejected)" in captured.err
    assert landed_names(server, event_id) == ["IMG_0001.jpg", "IMG_0002.jpg"]


def test_repeated_labels_and_dry_run(server, tmp_path, capsys):
    event_id = new_event(server)
    shoot = culled_shoot(tmp_path / "shoot")
    assert (
        upload(
            server, str(shoot), "--event", str(event_id), "--label", "green", "--label", "Winner", "--dry-run", "--json"
        )
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert sorted(e["name"] for e in result["would_upload"]) == ["IMG_0001.jpg", "IMG_0005.jpg"]
    assert len(result["left_out"]) == 3
    assert landed_names(server, event_id) == []


def test_resize_sends_smaller_copies_and_a_rerun_skips_them(server, tmp_path, capsys):
    event_id = new_event(server)
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    for i in range(3):
        make_rgb_image((3000, 2000), (200, 30 * i, 40)).save(
            shoot / f"DSC_{i}.jpg", "JPEG", quality=92, exif=make_exif(orientation=8).tobytes()
        )
    before = {p.name: (p.read_bytes(), os.stat(p).st_mtime_ns) for p in shoot.iterdir()}
    assert upload(server, str(shoot), "--event", str(event_id), "--resize", "2400", "--quality", "80") == 0
    assert "Uploaded: 3 file(s)" in capsys.readouterr().out
    with Store() as store:
        done = [i for i in q.iter_items(store) if i.state == q.DONE]
    assert len(done) == 3
    for item in done:
        with Image.open(io.BytesIO(server.studio.photo_file(item.photo_id).read_bytes())) as landed:
            assert landed.size == (1600, 2400) and landed.getexif()[0x0112] == 1
    assert {p.name: (p.read_bytes(), os.stat(p).st_mtime_ns) for p in shoot.iterdir()} == before

    server.studio.clear_request_log()
    assert upload(server, str(shoot), "--event", str(event_id), "--resize", "2400", "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["counts"]["duplicates"] == 3 and result["counts"]["uploaded"] == 0
    assert server.studio.count_requests("sp.photo.upload") == 0
    assert "left_out" not in result["counts"], "no picks filter asked for: the JSON keeps its usual keys"


def test_resize_oversize_takes_photos_over_the_limit(server, tmp_path, capsys, caplog):
    event_id = new_event(server)
    big = make_sparse_jpeg(tmp_path / "big" / "HUGE.jpg", 51 * 1024 * 1024, size=(900, 600))
    with caplog.at_level(logging.WARNING, logger="studio_desktop.uploads.engine"):  # "upload failed: HUGE.jpg"
        assert upload(server, str(big), "--event", str(event_id)) == 1
    assert "50 MB limit" in capsys.readouterr().out
    assert upload(server, str(big), "--event", str(event_id), "--resize-oversize") == 0
    assert landed_names(server, event_id) == ["HUGE.jpg"]


def test_bad_resize_options_refuse_to_start(server, tmp_path, capsys):
    event_id = new_event(server)
    jpeg_with_xmp(tmp_path / "a.jpg", None)
    assert upload(server, str(tmp_path), "--event", str(event_id), "--resize", "tiny") == 2
    assert "--resize" in capsys.readouterr().err
    assert upload(server, str(tmp_path), "--event", str(event_id), "--quality", "80") == 2
    assert "--quality goes with --resize" in capsys.readouterr().err
    assert landed_names(server, event_id) == []
