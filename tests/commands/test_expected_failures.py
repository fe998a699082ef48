"""Expected failures end in one sentence and a documented exit code, never a traceback (issue 10, defects 5 and 7).

Every test runs the real command as its own process: a server that lost the
answer to "create event", a damaged store, a full disk, folders it may not
write, an API address that redirects.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest
from command_support import command_env, command_line
from imagegen import make_jpeg

from studio_desktop.api.shootproof import ShootProofClient
from studio_desktop.commands.common import EXIT_CANNOT_START, EXIT_LOCAL_PROBLEM
from studio_desktop.core import paths
from studio_desktop.core.store import Store


def run(server, *args: str, timeout: float = 120, **popen) -> subprocess.CompletedProcess:
    return subprocess.run(
        command_line(server, "upload", *args),
        env=popen.pop("env", None) or command_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        **popen,
    )


def shoot(folder: Path, count: int) -> Path:
    for i in range(count):
        make_jpeg(folder / f"IMG_{i:04d}.jpg", size=(24 + i % 5, 24))
    return folder


def events_named(server, name: str) -> list[int]:
    async def listing() -> list[int]:
        async with ShootProofClient(server.shootproof_api_url, server.access_token) as client:
            page = await client.event_get_list(limit=100)
            return [event.id for event in page.items if event.name == name]

    return asyncio.run(listing())


def no_traceback(done: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("studio-desktop upload:")]
    assert len(lines) == 1, done.stderr


# -- defect 5: --new-event when "create event" fails after it took effect -------------------


def test_a_new_event_whose_answer_was_lost_is_made_once_across_reruns(server, tmp_path):
    folder = shoot(tmp_path / "shoot", 2)
    # Each run's first create lands on the server, then the answer is lost (a 500 after commit).
    server.faults.queue(500, after=True, method="sp.event.create", times=3)
    first = run(server, str(folder), "--new-event", "Lost Answer Wedding", "--json")
    server.faults.queue(500, after=True, method="sp.event.create", times=3)
    second = run(server, str(folder), "--new-event", "Lost Answer Wedding", "--json")

    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    assert "Traceback" not in first.stderr + second.stderr
    (event_id,) = events_named(server, "Lost Answer Wedding")
    assert json.loads(first.stdout)["event_id"] == event_id == json.loads(second.stdout)["event_id"]
    assert server.studio.count_photos(event_id) == 2


def test_a_new_event_that_cannot_be_created_is_one_sentence_and_json(server, tmp_path):
    folder = shoot(tmp_path / "shoot", 1)
    server.faults.queue(503, method="sp.event.create", times=20)
    done = run(server, str(folder), "--new-event", "Never Made", "--json")
    assert done.returncode == EXIT_CANNOT_START
    no_traceback(done)
    assert "could not be created" in done.stderr
    assert json.loads(done.stdout)["complete"] is False
    assert events_named(server, "Never Made") == []


# -- defect 7: the store and the disk ------------------------------------------------------


def damage_tables(store_file: Path) -> None:
    """Scribble over every page but the first (the schema), as a bad sector or a half-copied file would."""
    with sqlite3.connect(store_file) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(store_file.read_bytes())
    for offset in range(page_size, len(data), page_size):
        data[offset : offset + 64] = b"\xa5" * 64
    store_file.write_bytes(bytes(data))


def test_a_store_damaged_mid_run_is_kept_aside_and_the_next_run_starts_afresh(server, tmp_path, app_paths):
    from command_support import new_event

    event_id = new_event(server)
    folder = shoot(tmp_path / "shoot", 3)
    with Store() as store:  # an earlier run's queue, with enough rows to span pages
        store.write_sync(
            lambda conn: [
                conn.execute(
                    "INSERT INTO upload_batch (created, event_id, label) VALUES (1, ?, ?)", (event_id, "x" * 500)
                )
                for _ in range(200)
            ]
        )
    damage_tables(app_paths.store_file)

    done = run(server, str(folder), "--event", str(event_id))
    assert done.returncode == EXIT_LOCAL_PROBLEM, done.stderr
    no_traceback(done)
    assert "damaged" in done.stderr and "kept as" in done.stderr
    kept = list(app_paths.data_dir.glob("studio.sqlite3.damaged-*"))
    assert [p.name for p in kept if not p.name.endswith(("-wal", "-shm"))]
    assert str(kept[0]) in done.stderr or any(str(p) in done.stderr for p in kept)

    again = run(server, str(folder), "--event", str(event_id))
    assert again.returncode == 0, again.stderr
    assert server.studio.count_photos(event_id) == 3


def test_a_store_damaged_on_opening_is_announced_on_the_terminal_and_kept(server, tmp_path, app_paths):
    from command_support import new_event

    event_id = new_event(server)
    folder = shoot(tmp_path / "shoot", 1)
    app_paths.store_file.write_bytes(b"half a copied file" * 100)

    done = run(server, str(folder), "--event", str(event_id))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "The local store (the upload queue and its record of what was sent) was damaged" in done.stderr
    (kept,) = [p for p in app_paths.data_dir.glob("studio.sqlite3.damaged-*") if not p.name.endswith(("-wal", "-shm"))]
    assert str(kept) in done.stderr
    assert kept.read_bytes() == b"half a copied file" * 100


def small_disk(limit: int):
    """A disk that fills up: writing past ``limit`` bytes in any one file fails with EFBIG, as ENOSPC would."""

    def limit_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_files


# 1500 photos fill the disk while they are queued; 300 fit, and the disk fills while they upload (the engine
# then retried the store every second for ever).
@pytest.mark.parametrize("photos", [1500, 300], ids=["while-queueing", "while-uploading"])
def test_a_disk_filling_up_mid_run_is_one_sentence(server, tmp_path, app_paths, photos):
    from command_support import new_event

    event_id = new_event(server)
    folder = shoot(tmp_path / "shoot", photos)
    with Store():
        pass
    done = run(
        server,
        str(folder),
        "--event",
        str(event_id),
        "--concurrency",
        "1",
        preexec_fn=small_disk(256 * 1024),
        timeout=150,
    )
    assert done.returncode == EXIT_LOCAL_PROBLEM, done.stderr[-3000:]
    no_traceback(done)
    assert "The disk is full or refused a write" in done.stderr and "free some space" in done.stderr


def test_watch_stops_with_exit_3_when_the_disk_fills_up(server, tmp_path, app_paths):
    """It stopped the queue, printed a line and went on watching (exit 0 once stopped): the files that
    came next could not be queued, and whatever runs it could not tell that anything was wrong."""
    from command_support import new_event

    event_id = new_event(server)
    folder = shoot(tmp_path / "shoot", 300)
    with Store():
        pass
    done = subprocess.run(
        command_line(server, "watch", str(folder), "--event", str(event_id), "--settle", "0.2"),
        env=command_env(),
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=small_disk(256 * 1024),
    )
    assert done.returncode == EXIT_LOCAL_PROBLEM, done.stderr[-3000:]
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    assert "The disk is full or refused a write" in done.stderr and "free some space" in done.stderr
    assert "problem on this computer" in done.stdout


# -- folders the command may not write --------------------------------------------------------


def without_root_override(command: list[str]) -> list[str]:
    """Root ignores folder modes; run it without the capabilities that let it, so modes count as for a user."""
    if os.geteuid() != 0:
        return command
    setpriv = shutil.which("setpriv")
    assert setpriv, "running these tests as root needs setpriv (util-linux)"
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", *command]


@pytest.mark.skipif(os.name != "posix", reason="a read-only folder made with chmod modes is POSIX; Windows uses ACLs")
@pytest.mark.parametrize("locked", ["data_dir", "log_dir"])
def test_a_folder_it_may_not_write_is_one_sentence(server, tmp_path, locked):
    from command_support import new_event

    event_id = new_event(server)
    folder = shoot(tmp_path / "shoot", 1)
    root = tmp_path / "app-locked"
    app = paths.AppPaths.under(root).ensure()
    os.chmod(getattr(app, locked), 0o500)  # read-only: copied from a backup disk, or another user's
    env = command_env(STUDIO_DESKTOP_DATA_DIR=str(root))
    try:
        done = subprocess.run(
            without_root_override(command_line(server, "upload", str(folder), "--event", str(event_id))),
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        os.chmod(getattr(app, locked), 0o700)
    assert done.returncode == EXIT_LOCAL_PROBLEM, done.stderr
    no_traceback(done)
    assert "may not write to" in done.stderr and str(getattr(app, locked)) in done.stderr
    assert "--data-dir" in done.stderr
    assert server.studio.count_photos(event_id) == 0


# -- the API address and the exit codes in --help ---------------------------------------------


def test_help_lists_the_exit_codes(server):
    done = subprocess.run(
        [*command_line(server, "upload", "--help")[:4], "--help"],
        env=command_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    for line in ("exit codes:", "  0 ", "  1 ", "  2 ", "  3 ", "  130 "):
        assert line in done.stdout, line


# -- the service refusing: one sentence, exit 2 ------------------------------------------------


class FixedAnswer:
    """A real HTTP server that gives every request the same answer (a redirect, a refusal, an outage)."""

    def __init__(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        outer = self
        self.requests = 0

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                outer.requests += 1
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.shootproof_api_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v2"
        import threading

        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.parametrize(
    "status, body, headers, says",
    [
        (
            301,
            b"",
            {"Location": "https://api.example.test/v2"},
            "The API address redirects to https://api.example.test/v2; check --api-url",
        ),
        (
            403,
            b'{"stat": "fail", "code": 403, "msg": "This app may not upload photos."}',
            {},
            "This app may not upload photos.",
        ),
        (401, b'{"stat": "fail", "code": "invalid_token", "msg": "Token expired."}', {}, "Token expired."),
        (503, b"<html>Service Unavailable</html>", {"Content-Type": "text/html"}, "a web page instead of data"),
    ],
    ids=["redirect", "permission", "token", "outage"],
)
def test_the_service_refusing_is_one_sentence_and_exit_2(tmp_path, server, status, body, headers, says):
    folder = shoot(tmp_path / "shoot", 1)
    refusing = FixedAnswer(status, body, headers)
    try:
        for target in (["--event", "7"], ["--new-event", "Refused"]):
            done = run(refusing, str(folder), *target)
            assert done.returncode == EXIT_CANNOT_START, done.stderr
            no_traceback(done)
            assert says in done.stderr
    finally:
        refusing.close()
    if status == 301:
        assert refusing.requests <= 3  # one look per run: a redirect is not retried
