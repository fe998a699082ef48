"""`studio-desktop watch` as a real process (signals included), and its refusals in-process."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import threading
import time

import pytest
from command_support import REPO, command_env, command_line, new_event
from imagegen import jpeg_bytes, make_jpeg

from studio_desktop import cli
from studio_desktop.core import paths

TIMESTAMP = re.compile(r"\d\d:\d\d:\d\d ")


class Watch:
    """The command in its own process; stdout read line by line on a thread, stderr whole on another.

    Each reader closes its pipe at the end of the output, so no pipe is left to the garbage collector
    (a ResourceWarning, an error in this suite); draining stderr also keeps a chatty command from blocking.
    """

    def __init__(self, server, *args: str, env: dict[str, str] | None = None):
        self.process = subprocess.Popen(
            command_line(server, "watch", *args),
            cwd=REPO,
            env=command_env(PYTHONUNBUFFERED="1", **(env or {})),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self.untimed: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._errors: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self._error_reader = threading.Thread(target=self._read_errors, daemon=True)
        self._error_reader.start()

    def _read(self) -> None:
        """Lines as the tests match them: without their leading time, which every line must have."""
        with self.process.stdout:
            for line in self.process.stdout:
                line = line.rstrip("\n")
                timed = TIMESTAMP.match(line)
                if timed is None:
                    self.untimed.append(line)
                self._queue.put(line[timed.end() :] if timed else line)
        self._queue.put(None)

    def _read_errors(self) -> None:
        with self.process.stderr:
            self._errors.append(self.process.stderr.read())

    def stderr(self, timeout: float = 10.0) -> str:
        """What the command wrote to stderr (all of it, once the command has ended)."""
        self._error_reader.join(timeout)
        return "".join(self._errors)

    def expect(self, start: str, timeout: float = 30.0) -> str:
        """The first line (read so far, or coming within ``timeout``) that starts with ``start``."""
        for line in self.lines:
            if line.startswith(start):
                return line
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                break
            self.lines.append(line)
            if line.startswith(start):
                return line
        self.stop_now()
        raise AssertionError(f"no line starting {start!r}; got {self.lines}; stderr: {self.stderr()}")

    def finish(self, sig: int, timeout: float = 30.0) -> int:
        self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop_now()
            raise AssertionError(f"did not stop on signal {sig}; output: {self.lines}") from None
        while (line := self._queue.get(timeout=5)) is not None:
            self.lines.append(line)
        return code

    def stop_now(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


def test_watch_uploads_a_dropped_photo_and_stops_cleanly_on_ctrl_c(server, tmp_path):
    event_id = new_event(server, "Tethered portraits")
    folder = tmp_path / "tether"
    folder.mkdir()
    make_jpeg(folder / "there-before.jpg", size=(40, 30))
    watch = Watch(server, str(folder), "--event", str(event_id), "--settle", "0.3")
    try:
        watch.expect("Watching")
        watch.expect("uploaded  there-before.jpg")
        data = jpeg_bytes((64, 48))
        (folder / "IMG_0001.jpg").write_bytes(data)
        (folder / "notes.txt").write_text("not a photo")
        line = watch.expect("uploaded  IMG_0001.jpg")
        refused = watch.expect("refused   notes.txt")
        code = watch.finish(signal.SIGINT)
    finally:
        watch.stop_now()
    assert code == 0, watch.stderr()
    assert not watch.untimed, watch.untimed
    assert "Stopped. 2 uploaded, 1 refused: not a photo, 0 failed." in watch.lines, watch.lines
    assert any(line.startswith("  refused: not a photo: only whole JPEGs") for line in watch.lines), watch.lines
    photos = {p.name: p for p in server.studio.photos(event_id=event_id)}
    assert sorted(photos) == ["IMG_0001.jpg", "there-before.jpg"]
    assert f"(photo {photos['IMG_0001.jpg'].id})" in line
    assert refused == "refused   notes.txt: not a JPEG — it is a text file"
    assert server.studio.photo_file(photos["IMG_0001.jpg"].id).read_bytes() == data


def test_ctrl_c_lets_the_upload_in_flight_finish(server, tmp_path):
    event_id = new_event(server, "Tethered portraits")
    folder = tmp_path / "tether"
    folder.mkdir()
    server.faults.configure(latency=2.0, only_methods="sp.photo.upload")
    watch = Watch(server, str(folder), "--event", str(event_id), "--settle", "0.3")
    try:
        watch.expect("Watching")
        make_jpeg(folder / "last-shot.jpg", size=(40, 30))
        deadline = time.monotonic() + 20
        while server.studio.count_requests("sp.photo.upload") == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert server.studio.count_requests("sp.photo.upload") == 1, watch.lines
        code = watch.finish(signal.SIGINT)
    finally:
        watch.stop_now()
    assert code == 0
    stopping = next(i for i, line in enumerate(watch.lines) if line.startswith("Stopping"))
    assert any(line.startswith("uploaded  last-shot.jpg") for line in watch.lines[stopping:]), watch.lines
    assert [p.name for p in server.studio.photos(event_id=event_id)] == ["last-shot.jpg"]


def test_watch_new_event_moves_uploaded_files_and_stops_on_sigterm(server, tmp_path):
    folder, done = tmp_path / "hot", tmp_path / "done"
    (folder / "Ceremony").mkdir(parents=True)
    watch = Watch(
        server,
        str(folder),
        "--new-event",
        "Garden party",
        "--mirror-folders",
        "--after",
        f"move:{done}",
        "--settle",
        "0.3",
    )
    try:
        created = watch.expect("Created the event")
        watch.expect("Watching")
        make_jpeg(folder / "Ceremony" / "vows.jpg", size=(40, 30))
        watch.expect("uploaded  Ceremony/vows.jpg")
        code = watch.finish(signal.SIGTERM)
    finally:
        watch.stop_now()
    assert code == 0
    event_id = int(created.rsplit("id ", 1)[1].rstrip(")."))
    [photo] = server.studio.photos(event_id=event_id)
    assert photo.name == "vows.jpg" and photo.album_id is not None
    assert (done / "Ceremony" / "vows.jpg").exists() and not (folder / "Ceremony" / "vows.jpg").exists()


def test_watch_refuses_a_folder_that_does_not_exist(server, tmp_path, capsys):
    code = cli.main(["watch", str(tmp_path / "nowhere"), "--event", "1", "--api-url", server.shootproof_api_url])
    assert code == 2
    assert "no such folder" in capsys.readouterr().err


def test_watch_refuses_an_unknown_event(server, tmp_path, capsys):
    code = cli.main(["watch", str(tmp_path), "--event", "987654", "--api-url", server.shootproof_api_url])
    assert code == 2
    assert "not found" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args, words",
    [
        (["--settle", "0"], "between"),
        (["--settle", "soon"], "number of seconds"),
        (["--after", "delete"], "leave' or 'move:FOLDER"),
    ],
)
def test_watch_refuses_bad_options(server, tmp_path, capsys, args, words):
    with pytest.raises(SystemExit) as exited:
        cli.main(["watch", str(tmp_path), "--event", "1", *args])
    assert exited.value.code == 2
    assert words in capsys.readouterr().err


def test_watch_refuses_to_move_files_into_the_watched_folder(server, tmp_path, capsys):
    code = cli.main(
        ["watch", str(tmp_path), "--event", "1", "--after", f"move:{tmp_path}", "--api-url", server.shootproof_api_url]
    )
    assert code == 2
    assert "other than the watched one" in capsys.readouterr().err


def test_a_second_watcher_of_the_same_folder_refuses_and_names_the_first(server, tmp_path):
    # Separate data folders: neither ledger knows what the other sent, so two
    # watchers would upload all 30 photos twice.
    event_id = new_event(server, "Two laptops")
    folder = tmp_path / "shared"
    folder.mkdir()
    for i in range(30):
        make_jpeg(folder / f"IMG_{i:04d}.jpg", size=(40, 30), color=(i * 8, 100, 200 - i * 5))
    first = Watch(
        server,
        str(folder),
        "--event",
        str(event_id),
        "--settle",
        "0.3",
        env={paths.DATA_DIR_ENV: str(tmp_path / "laptop-a")},
    )
    try:
        first.expect("Watching")
        second = subprocess.run(
            command_line(server, "watch", str(folder), "--event", str(event_id), "--settle", "0.3"),
            cwd=REPO,
            env=command_env(**{paths.DATA_DIR_ENV: str(tmp_path / "laptop-b")}),
            capture_output=True,
            text=True,
            timeout=20,
        )
        assert second.returncode == 2, second.stdout
        assert "already watched by another Studio Desktop" in second.stderr
        assert f"process {first.process.pid} " in second.stderr, second.stderr
        assert str(tmp_path / "laptop-a") in second.stderr
        deadline = time.monotonic() + 30
        while len(server.studio.photos(event_id=event_id)) < 30 and time.monotonic() < deadline:
            time.sleep(0.05)
        code = first.finish(signal.SIGINT)
    finally:
        first.stop_now()
    assert code == 0
    names = [p.name for p in server.studio.photos(event_id=event_id)]
    assert len(names) == len(set(names)) == 30
    assert not [line for line in first.lines if ".studio-desktop-watch.lock" in line]


def test_the_summary_keeps_each_kind_of_unsent_file_apart_with_what_to_do(server, tmp_path):
    event_id = new_event(server, "Careful summary")
    folder = tmp_path / "tether"
    (folder / "card2").mkdir(parents=True)
    (folder / "copy").mkdir()
    first = jpeg_bytes((64, 48), color=(200, 10, 10))
    watch = Watch(server, str(folder), "--event", str(event_id), "--settle", "0.3")
    try:
        watch.expect("Watching")
        (folder / "IMG_0001.jpg").write_bytes(first)
        (folder / "notes.txt").write_text("not a photo")
        watch.expect("uploaded  IMG_0001.jpg")
        watch.expect("refused   notes.txt")
        (folder / "card2" / "IMG_0001.jpg").write_bytes(jpeg_bytes((64, 48), color=(10, 200, 10)))
        watch.expect("not sent  card2/IMG_0001.jpg: a different photo named IMG_0001.jpg")
        (folder / "copy" / "IMG_0001.jpg").write_bytes(first)
        watch.expect("skipped   copy/IMG_0001.jpg: The same photo is already in the gallery")
        (folder / "IMG_0001.jpg").write_bytes(jpeg_bytes((80, 60), color=(200, 10, 10)))  # the writer finishing
        watch.expect("changed   IMG_0001.jpg: IMG_0001.jpg was written again right after it was uploaded; replaced")
        code = watch.finish(signal.SIGINT)
    finally:
        watch.stop_now()
    assert code == 0
    assert not watch.untimed, watch.untimed
    summary = next(line for line in watch.lines if line.startswith("Stopped."))
    assert summary == (
        "Stopped. 1 uploaded, 1 changed after upload (1 replaced), "
        "1 skipped: same photo already in the gallery, 1 refused: not a photo, "
        "1 not uploaded: name taken by a different photo, 0 failed."
    )
    advice = watch.lines[watch.lines.index(summary) + 1 :]
    assert [line.split(":")[0] for line in advice] == ["  refused", "  not uploaded"], advice
    assert "rename those files" in advice[1]
    assert len(server.studio.photos(event_id=event_id)) == 1


def test_retries_are_shown_and_counted(server, tmp_path):
    event_id = new_event(server, "Flaky venue wifi")
    folder = tmp_path / "tether"
    folder.mkdir()
    server.faults.queue(503, method="sp.photo.upload")
    watch = Watch(server, str(folder), "--event", str(event_id), "--settle", "0.3")
    try:
        watch.expect("Watching")
        make_jpeg(folder / "IMG_0001.jpg", size=(40, 30))
        retry = watch.expect("retry     IMG_0001.jpg: Retrying in")
        watch.expect("uploaded  IMG_0001.jpg")
        code = watch.finish(signal.SIGINT)
    finally:
        watch.stop_now()
    assert code == 0
    assert "503" in retry or "unavailable" in retry.lower(), retry
    assert "Stopped. 1 uploaded, 0 failed; 1 retry." in watch.lines, watch.lines
    assert len(server.studio.photos(event_id=event_id)) == 1


def test_the_folder_lock_dies_with_its_watcher(server, tmp_path):
    event_id = new_event(server, "Crashed laptop")
    folder = tmp_path / "tether"
    folder.mkdir()
    first = Watch(server, str(folder), "--event", str(event_id), "--settle", "0.3")
    try:
        first.expect("Watching")
        first.process.kill()  # SIGKILL: no clean-up runs, the lock file stays behind
        first.process.wait(10)
    finally:
        first.stop_now()
    assert (folder / ".studio-desktop-watch.lock").exists()
    second = Watch(server, str(folder), "--event", str(event_id), "--settle", "0.3")
    try:
        second.expect("Watching")
        make_jpeg(folder / "IMG_0001.jpg", size=(40, 30))
        second.expect("uploaded  IMG_0001.jpg")
        assert second.finish(signal.SIGINT) == 0
    finally:
        second.stop_now()
    assert [p.name for p in server.studio.photos(event_id=event_id)] == ["IMG_0001.jpg"]
