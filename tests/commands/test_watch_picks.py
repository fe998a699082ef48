"""`studio-desktop watch --min-rating`: a hot folder delivers only the picks and says what it left out."""

from __future__ import annotations

import signal

from command_support import new_event
from test_watch_command import Watch
from xmp_samples import jpeg_with_xmp, lightroom

from studio_desktop import cli


def test_watch_uploads_only_the_picks(server, tmp_path):
    event_id = new_event(server, "Tethered picks")
    folder = tmp_path / "tether"
    jpeg_with_xmp(folder / "keeper.jpg", lightroom(rating=4))
    jpeg_with_xmp(folder / "outtake.jpg", lightroom(rating=1))
    watch = Watch(
        server, str(folder), "--event", str(event_id), "--settle", "0.3", "--min-rating", "3", "--resize", "web"
    )
    try:
        watch.expect("Watching")
        watch.expect("uploaded  keeper.jpg")
        assert (
            watch.expect("skipped   outtake.jpg")
            == "skipped   outtake.jpg: Left out by filter: rated 1 star, below 3 stars."
        )
        jpeg_with_xmp(folder / "outtake.jpg", lightroom(rating=5))  # re-rated in Lightroom, metadata saved
        watch.expect("uploaded  outtake.jpg")
        assert watch.finish(signal.SIGINT) == 0
    finally:
        watch.stop_now()
    assert server.studio.count_photos(event_id) == 2


def test_watch_refuses_a_bad_resize(server, tmp_path, capsys):
    (tmp_path / "w").mkdir()
    code = cli.main(
        ["watch", str(tmp_path / "w"), "--event", "1", "--resize", "12", "--api-url", server.shootproof_api_url]
    )
    assert code == 2 and "--resize" in capsys.readouterr().err
