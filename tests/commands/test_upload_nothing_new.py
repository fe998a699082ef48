"""A re-run of a finished upload: nothing new, known from this computer's records without one request.

Every file under the paths is in the ledger as uploaded to that very target, so
the run sends nothing (not even the event check) and says so. A new, changed or
refused file, ``--no-dedup`` or another target runs the normal upload.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from command_support import REPO, command_env, new_event
from imagegen import make_jpeg, make_text_file, make_truncated_jpeg, write_fake

from studio_desktop import cli
from studio_desktop.api.shootproof import ShootProofClient
from studio_desktop.core.store import Store
from studio_desktop.uploads.records import queue as q


def upload(server, *args: str) -> int:
    return cli.main(["upload", *args, "--api-url", server.shootproof_api_url])


def shoot(folder: Path, count: int, prefix: str = "IMG") -> list[Path]:
    return [make_jpeg(folder / f"{prefix}_{i:04d}.jpg", size=(24 + i % 5, 24)) for i in range(count)]


def batches() -> int:
    with Store() as store:
        return len(store.read_sync(q.list_batches))


def test_a_finished_folder_again_sends_nothing_and_says_nothing_was_new(server, tmp_path, capsys):
    event_id = new_event(server)
    shoot(tmp_path / "shoot", 4)
    (tmp_path / "shoot" / "IMG_0000.xmp").write_text("<x/>")  # a sidecar: skipped quietly, as in any run
    assert upload(server, str(tmp_path / "shoot"), "--event", str(event_id)) == 0
    capsys.readouterr()
    queued_before = batches()

    server.studio.clear_request_log()
    assert upload(server, str(tmp_path / "shoot"), "--event", str(event_id)) == 0
    out = capsys.readouterr().out
    assert f"Nothing new: 4 file(s) already uploaded to event {event_id}, per this computer's records." in out
    assert server.studio.count_requests() == 0, server.studio.request_log
    assert batches() == queued_before, "nothing was queued"

    assert upload(server, str(tmp_path / "shoot"), "--event", str(event_id), "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["complete"] and result["nothing_new"] and result["batch_id"] is None
    assert result["counts"] == {"uploaded": 0, "duplicates": 4, "failed": 0, "pending": 0, "cancelled": 0}
    landed = {p.name: p.id for p in server.studio.photos(event_id)}
    for entry in result["duplicates"]:
        assert entry["reason"] == f"Uploaded before from this file (photo {landed[entry['name']]})."
        assert entry["photo_id"] == landed[entry["name"]]
        assert os.path.isabs(entry["path"])
    assert server.studio.count_requests() == 0


def test_albums_and_mirrored_folders_count_only_in_their_own_target(server, tmp_path, capsys):
    event_id = new_event(server)
    shoot(tmp_path / "shoot" / "Ceremony", 2, "CER")
    shoot(tmp_path / "shoot" / "Party", 2, "PTY")

    async def make_album() -> int:
        async with ShootProofClient(server.shootproof_api_url, server.access_token) as client:
            return (await client.album_create(event_id, "Portraits")).id

    album_id = asyncio.run(make_album())
    folder = str(tmp_path / "shoot")
    assert upload(server, folder, "--event", str(event_id), "--mirror-folders") == 0
    assert upload(server, str(tmp_path / "shoot" / "Party"), "--event", str(event_id), "--album", str(album_id)) == 0
    capsys.readouterr()

    server.studio.clear_request_log()
    assert upload(server, folder, "--event", str(event_id), "--mirror-folders") == 0
    assert "Nothing new: 4 file(s)" in capsys.readouterr().out
    party = str(tmp_path / "shoot" / "Party")
    assert upload(server, party, "--event", str(event_id), "--album", str(album_id)) == 0
    assert f"Nothing new: 2 file(s) already uploaded to album {album_id} of event {event_id}" in capsys.readouterr().out
    assert server.studio.count_requests() == 0

    # The same files to the event's root were never sent there: the normal run decides (and asks the server).
    assert upload(server, folder, "--event", str(event_id), "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert "nothing_new" not in result and result["counts"]["uploaded"] == 4
    assert server.studio.count_requests("sp.photo.upload") == 4


def test_a_new_or_changed_file_runs_the_normal_upload(server, tmp_path, capsys):
    event_id = new_event(server)
    files = shoot(tmp_path / "shoot", 3)
    assert upload(server, str(tmp_path / "shoot"), "--event", str(event_id)) == 0
    capsys.readouterr()

    make_jpeg(tmp_path / "shoot" / "IMG_0100.jpg")
    server.studio.clear_request_log()
    assert upload(server, str(tmp_path / "shoot"), "--event", str(event_id), "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert "nothing_new" not in result
    assert [u["name"] for u in result["uploaded"]] == ["IMG_0100.jpg"]
    assert result["counts"]["duplicates"] == 3
    assert server.studio.count_requests("sp.photo.upload") == 1

    # Another version of a file (same name, another size and time) is not the one the ledger knows.
    make_jpeg(files[0], size=(80, 60))
    os.utime(files[0], ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    server.studio.clear_request_log()
    assert upload(server, str(tmp_path / "shoot"), "--event", str(event_id), "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert "nothing_new" not in result
    assert server.studio.count_requests() > 0, "the normal run looked at the gallery"
    changed = [d for d in result["duplicates"] if d["name"] == files[0].name]
    assert changed and changed[0]["reason"].startswith("Already in the gallery"), changed


def test_no_dedup_uploads_copies_and_a_damaged_photo_runs_the_normal_upload(server, tmp_path, capsys, caplog):
    event_id = new_event(server)
    shoot(tmp_path / "shoot", 2)
    assert upload(server, str(tmp_path / "shoot"), "--event", str(event_id)) == 0
    capsys.readouterr()

    assert upload(server, str(tmp_path / "shoot"), "--event", str(event_id), "--no-dedup") == 0
    assert "Uploaded: 2 file(s)" in capsys.readouterr().out
    assert server.studio.count_photos(event_id) == 4, "the copies asked for were sent"

    # A cut-short JPEG may become whole (a copy still under way): the normal run looks at it each time.
    make_truncated_jpeg(tmp_path / "shoot" / "IMG_0100.jpg")
    with caplog.at_level(logging.WARNING, logger="studio_desktop.uploads.engine"):  # "upload failed: ..."
        assert upload(server, str(tmp_path / "shoot"), "--event", str(event_id)) == 1
        server.studio.clear_request_log()
        assert upload(server, str(tmp_path / "shoot"), "--event", str(event_id)) == 1
    out = capsys.readouterr().out
    assert "Nothing new" not in out and "IMG_0100.jpg" in out
    assert server.studio.count_requests() > 0


def test_files_that_are_not_photos_are_listed_and_do_not_stop_nothing_new(server, tmp_path, capsys):
    event_id = new_event(server)
    shoot(tmp_path / "shoot", 2)
    make_text_file(tmp_path / "shoot" / "notes.jpg")
    write_fake(tmp_path / "shoot" / "IMG_0000.CR2", "cr2")
    assert upload(server, str(tmp_path / "shoot"), "--event", str(event_id)) == 1, "not photos: listed as failed"
    first = capsys.readouterr().out

    server.studio.clear_request_log()
    assert upload(server, str(tmp_path / "shoot"), "--event", str(event_id)) == 1, "the same exit code"
    out = capsys.readouterr().out
    assert server.studio.count_requests() == 0
    assert out.startswith(f"Nothing new: 2 file(s) already uploaded to event {event_id}, per this computer's records.")
    failed_lines = [line for line in out.splitlines() if line.startswith("  ")]
    assert failed_lines == [line for line in first.splitlines() if line.startswith("  ")]
    assert len(failed_lines) == 2 and "Failed: 2" in out


def test_a_deleted_event_is_harmless_nothing_is_sent(server, tmp_path, capsys):
    event_id = new_event(server)
    shoot(tmp_path / "shoot", 2)
    assert upload(server, str(tmp_path / "shoot"), "--event", str(event_id)) == 0

    async def delete() -> None:
        async with ShootProofClient(server.shootproof_api_url, server.access_token) as client:
            await client.event_delete(event_id)

    asyncio.run(delete())
    capsys.readouterr()
    server.studio.clear_request_log()
    # This computer's records say both files went there; with nothing to send, nothing is asked either.
    assert upload(server, str(tmp_path / "shoot"), "--event", str(event_id)) == 0
    assert "Nothing new: 2 file(s)" in capsys.readouterr().out
    assert server.studio.count_requests() == 0
    # A new file runs the normal upload, which finds the event gone.
    make_jpeg(tmp_path / "shoot" / "IMG_0100.jpg")
    assert upload(server, str(tmp_path / "shoot"), "--event", str(event_id)) == 2
    assert f"there is no event {event_id}" in capsys.readouterr().err


#: Loaded by a normal upload, never by a re-run with nothing new (start-up is most of its time).
NOT_LOADED = (
    "PIL",
    "asyncio",
    "httpx",
    "studio_desktop.api.shootproof",
    "studio_desktop.api.models.commerce",
    "studio_desktop.uploads.engine",
    "studio_desktop.uploads.images",
    # start-up: the log file rotates without logging.handlers (socket, pickle), the limits load no settings,
    # argparse's formatter is sized without shutil (bz2, lzma)
    "logging.handlers",
    "studio_desktop.core.settings",
    "shutil",
)


@pytest.mark.parametrize("nothing_new", [True, False])
def test_a_rerun_with_nothing_new_loads_no_client_engine_or_imaging(server, tmp_path, nothing_new):
    event_id = new_event(server)
    shoot(tmp_path / "shoot", 2)
    assert upload(server, str(tmp_path / "shoot"), "--event", str(event_id)) == 0
    if not nothing_new:
        make_jpeg(tmp_path / "shoot" / "IMG_0100.jpg")
    code = (
        "import json, sys\n"
        "from studio_desktop import cli\n"
        "code = cli.main(sys.argv[1:])\n"
        f"print(json.dumps([code, sorted(m for m in {NOT_LOADED!r} if m in sys.modules)]), file=sys.stderr)\n"
    )
    args = ["upload", str(tmp_path / "shoot"), "--event", str(event_id), "--api-url", server.shootproof_api_url]
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        # without proxy settings, which would send the calls through httpx
        env={name: value for name, value in command_env().items() if not name.lower().endswith("_proxy")},
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    exit_code, loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert exit_code == 0, done.stderr
    if nothing_new:
        assert "Nothing new: 2 file(s)" in done.stdout
        assert loaded == []
    else:
        assert "Uploaded: 1 file(s)" in done.stdout
        assert {"studio_desktop.api.shootproof", "studio_desktop.uploads.engine"} <= set(loaded), "the check is real"
        # Nor does a normal upload make the commerce models or load Pillow (a JPEG check reads bytes).
        assert "studio_desktop.api.models.commerce" not in loaded
        assert "PIL" not in loaded
        # ShootProof calls go over api.wire: httpx (and anyio under it) are not loaded at all.
        assert "httpx" not in loaded


@pytest.mark.parametrize("mirror", [False, True])
def test_the_nothing_new_summary_is_what_the_normal_run_reports(server, tmp_path, capsys, monkeypatch, mirror):
    event_id = new_event(server)
    shoot(tmp_path / "shoot", 2)
    shoot(tmp_path / "shoot" / "Ceremony", 2, "CER")
    (tmp_path / "shoot" / ".DS_Store").write_bytes(b"\0")
    make_text_file(tmp_path / "shoot" / "Ceremony" / "notes.jpg")
    folder = str(tmp_path / "shoot")
    single = str(tmp_path / "shoot" / "IMG_0001.jpg")
    target = ["--event", str(event_id), *(["--mirror-folders"] if mirror else [])]
    assert upload(server, folder, *target) == 1
    capsys.readouterr()

    def summary() -> dict:
        assert upload(server, folder, single, folder, *target, "--json") == 1, "a text file is listed as failed"
        result = json.loads(capsys.readouterr().out)
        result["duplicates"].sort(key=lambda d: d["path"])
        return result

    fast = summary()
    from studio_desktop.commands import upload as upload_command

    monkeypatch.setattr(upload_command, "_may_be_nothing_new", lambda args, endpoints: False)
    normal = summary()
    assert fast.pop("nothing_new") is True and "nothing_new" not in normal
    assert fast.pop("batch_id") is None and normal.pop("batch_id") > 0
    assert fast.pop("plan") is None  # nothing was asked; the normal run may have learnt the plan
    normal.pop("plan")
    assert fast == normal
    assert fast["counts"]["duplicates"] == 9, "a path given twice counts twice, as in the normal run"
