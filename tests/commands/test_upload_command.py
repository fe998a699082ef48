"""`studio-desktop upload` in-process and as a real process that gets killed mid-run."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from command_support import REPO, command_env, command_line, new_event
from imagegen import make_jpeg, make_text_file

from studio_desktop import cli
from studio_desktop.api.shootproof import ShootProofClient
from studio_desktop.core import config
from studio_desktop.core.store import Store
from studio_desktop.uploads.records import queue as q


def upload(server, *args: str) -> int:
    return cli.main(["upload", *args, "--api-url", server.shootproof_api_url])


def shoot(folder: Path, count: int) -> list[Path]:
    return [make_jpeg(folder / f"IMG_{i:04d}.jpg", size=(24 + i % 5, 24)) for i in range(count)]


def test_upload_prints_a_summary_and_a_rerun_skips_everything(server, tmp_path, capsys):
    event_id = new_event(server)
    shoot(tmp_path / "shoot", 5)
    assert upload(server, str(tmp_path / "shoot"), "--event", str(event_id)) == 0
    out = capsys.readouterr().out
    assert "Uploaded: 5 file(s)" in out
    assert server.studio.count_photos(event_id) == 5

    server.studio.clear_request_log()
    assert upload(server, str(tmp_path / "shoot"), "--event", str(event_id), "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["counts"] == {"uploaded": 0, "duplicates": 5, "failed": 0, "pending": 0, "cancelled": 0}
    assert all(d["reason"].startswith("Uploaded before from this file") for d in result["duplicates"])
    assert server.studio.count_requests("sp.photo.upload") == 0
    assert server.studio.count_requests() <= 3, "a re-run costs a handful of requests, not one per photo"


def test_failures_are_listed_with_reasons_and_the_exit_code_says_so(server, tmp_path, capsys):
    event_id = new_event(server)
    shoot(tmp_path / "shoot", 2)
    make_text_file(tmp_path / "shoot" / "notes.jpg")
    code = upload(server, str(tmp_path / "shoot"), "--event", str(event_id), "--json")
    captured = capsys.readouterr()
    assert code == 1
    result = json.loads(captured.out)
    assert result["counts"]["uploaded"] == 2 and result["counts"]["failed"] == 1
    (failure,) = result["failed"]
    assert failure["path"].endswith("notes.jpg") and "text file" in failure["reason"]
    assert "notes.jpg" in captured.err and "text file" in captured.err


def test_new_event_is_created_once_and_reused_by_a_rerun(server, tmp_path, capsys):
    shoot(tmp_path / "shoot", 2)
    assert upload(server, str(tmp_path / "shoot"), "--new-event", "Jones Engagement", "--json") == 0
    first = json.loads(capsys.readouterr().out)["event_id"]
    make_jpeg(tmp_path / "shoot" / "IMG_9999.jpg")
    assert upload(server, str(tmp_path / "shoot"), "--new-event", "Jones Engagement", "--json") == 0
    second = json.loads(capsys.readouterr().out)
    assert second["event_id"] == first
    assert second["counts"]["uploaded"] == 1 and second["counts"]["duplicates"] == 2
    assert server.studio.count_photos(first) == 3


def test_dry_run_checks_without_creating_or_sending_anything(server, tmp_path, capsys):
    event_id = new_event(server)
    files = shoot(tmp_path / "shoot" / "Ceremony", 3)
    make_text_file(tmp_path / "shoot" / "notes.jpg")

    async def one_there_already():
        async with ShootProofClient(server.shootproof_api_url, server.access_token) as client:
            await client.photo_upload(event_id, files[0])

    asyncio.run(one_there_already())
    server.studio.clear_request_log()
    code = upload(server, str(tmp_path / "shoot"), "--event", str(event_id), "--dry-run", "--json")
    result = json.loads(capsys.readouterr().out)
    assert code == 1, "a file that cannot be uploaded is a failure, even in a dry run"
    assert result["counts"] == {"upload": 2, "duplicate": 1, "rejected": 1}
    assert result["duplicates"][0]["reason"].startswith("Already in the gallery as photo")
    assert "text file" in result["rejected"][0]["reason"]

    code = upload(server, str(tmp_path / "shoot" / "Ceremony"), "--event", str(event_id), "--dry-run")
    assert code == 0
    assert "Would upload: 2 file(s)" in capsys.readouterr().out

    upload(server, str(tmp_path / "shoot"), "--event", str(event_id), "--dry-run", "--mirror-folders")
    assert "Would upload: 3 file(s)" in capsys.readouterr().out, "the album Ceremony does not exist yet"
    assert server.studio.count_requests("sp.album.create") == 0
    assert server.studio.count_requests("sp.photo.upload") == 0
    with Store() as store:
        assert store.read_sync(q.list_batches) == [], "a dry run queues nothing"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--event", "424242"], "there is no event 424242"),
        (["--event", "{event}", "--album", "515151"], "there is no album 515151"),
    ],
)
def test_unknown_targets_are_refused_before_anything_is_queued(server, tmp_path, capsys, args, message):
    event_id = new_event(server)
    shoot(tmp_path / "shoot", 1)
    args = [a.format(event=event_id) for a in args]
    assert upload(server, str(tmp_path / "shoot"), *args) == 2
    assert message in capsys.readouterr().err
    assert server.studio.count_requests("sp.photo.upload") == 0


def test_no_token_or_missing_paths_are_plain_errors(server, tmp_path, capsys, monkeypatch):
    assert upload(server, str(tmp_path / "nowhere"), "--event", "1") == 2
    assert "no such file or folder" in capsys.readouterr().err
    monkeypatch.delenv(config.ENV_ACCESS_TOKEN)
    shoot(tmp_path / "shoot", 1)
    assert upload(server, str(tmp_path / "shoot"), "--event", "1") == 2
    assert "no access token" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        upload(server, str(tmp_path / "shoot"), "--event", "1", "--concurrency", "40")
    assert exit_info.value.code == 2
    assert "between 1 and 16" in capsys.readouterr().err


# -- killed mid-run ----------------------------------------------------------------------------


def _command(server, folder: Path, event_id: int) -> list[str]:
    return command_line(server, "upload", str(folder), "--event", str(event_id), "--concurrency", "4", "--json")


def test_killed_runs_are_finished_by_running_the_same_command_again(server, tmp_path):
    count = 60
    event_id = new_event(server)
    shoot(tmp_path / "shoot", count)
    # Slow uploads down so that the kills land while several are on the wire.
    server.faults.configure(latency=0.05, only_methods="sp.photo.upload")
    command = _command(server, tmp_path / "shoot", event_id)
    kills = []
    for threshold in (3, 15, 35):
        process = subprocess.Popen(
            command, env=command_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO
        )
        deadline = time.monotonic() + 60
        while server.studio.count_photos(event_id) < threshold and process.poll() is None:
            assert time.monotonic() < deadline, "the upload made no progress"
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stderr.close()
        kills.append(server.studio.count_photos(event_id))
        names = Counter(p.name for p in server.studio.photos(event_id))
        assert set(names.values()) <= {1}, "nothing doubled, even by a kill mid-upload"
    assert kills[0] < count, "the first kill landed mid-run"

    finished = subprocess.run(command, env=command_env(), capture_output=True, text=True, cwd=REPO, timeout=120)
    assert finished.returncode == 0, finished.stderr
    result = json.loads(finished.stdout)
    assert result["counts"]["failed"] == result["counts"]["pending"] == 0
    assert result["counts"]["uploaded"] + result["counts"]["duplicates"] == count
    names = Counter(p.name for p in server.studio.photos(event_id))
    assert len(names) == count and set(names.values()) == {1}
    with Store() as store:
        assert store.read_sync(q.counts)[q.DONE][0] == count


def test_ctrl_c_stops_cleanly_and_the_same_command_finishes_later(server, tmp_path):
    event_id = new_event(server)
    shoot(tmp_path / "shoot", 20)
    server.faults.configure(latency=0.1, only_methods="sp.photo.upload")
    command = _command(server, tmp_path / "shoot", event_id)
    process = subprocess.Popen(
        command, env=command_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO
    )
    deadline = time.monotonic() + 60
    while server.studio.count_photos(event_id) < 2:
        assert time.monotonic() < deadline and process.poll() is None, "the upload made no progress"
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Run the same command again" in err
    with Store() as store:
        left = store.read_sync(q.counts)
        assert left[q.CHECKING][0] == left[q.UPLOADING][0] == 0, "nothing is left half-way"
        assert left[q.QUEUED][0] > 0
    server.faults.clear()
    finished = subprocess.run(command, env=command_env(), capture_output=True, text=True, cwd=REPO, timeout=120)
    assert finished.returncode == 0, finished.stderr
    names = Counter(p.name for p in server.studio.photos(event_id))
    assert len(names) == 20 and set(names.values()) == {1}
