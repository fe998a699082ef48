"""Files holding paths, contacts and logs are the user's alone: folders 0700, files 0600 (POSIX).

Issue 10, defect 8: the store and the logs were 0644 in 0755 folders. Each test
runs with the usual umask (022), so a mode the code does not choose would show.
"""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from studio_desktop.core import paths
from studio_desktop.core.logging_setup import PrivateRotatingFileHandler, setup_logging, teardown_logging
from studio_desktop.core.store import Store

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes; Windows keeps per-user ACLs")

REPO = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def loose(folder: Path) -> None:
    """What an earlier version left: folders 0755, files 0644."""
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)


def test_a_new_store_and_log_are_private(tmp_path):
    app = paths.configure(tmp_path / "fresh").ensure()
    with Store() as store:
        store.write_sync(lambda conn: conn.execute("INSERT INTO upload_batch (created, event_id) VALUES (1, 1)"))
        companions = [Path(str(store.path) + suffix) for suffix in ("", "-wal", "-shm")]
        assert all(path.exists() for path in companions)
        assert {path.name: mode(path) for path in companions} == {path.name: 0o600 for path in companions}
    setup_logging("INFO", console=False)
    try:
        logging.getLogger("studio_desktop.test").info("a line")
        assert mode(app.log_file) == 0o600
    finally:
        teardown_logging()
    for folder in (app.data_dir, app.config_dir, app.cache_dir, app.log_dir):
        assert mode(folder) == 0o700, folder


def test_files_and_folders_left_open_by_an_earlier_version_are_closed_on_open(tmp_path):
    root = tmp_path / "earlier"
    app = paths.configure(root).ensure()
    with Store() as store:
        store.write_sync(lambda conn: conn.execute("INSERT INTO upload_batch (created, event_id) VALUES (1, 1)"))
    app.log_file.write_text("old log\n")
    Path(f"{app.log_file}.1").write_text("older log\n")
    loose(root)
    assert mode(app.store_file) == 0o644 and mode(app.data_dir) == 0o755

    paths.configure(root).ensure()
    with Store():
        pass
    setup_logging("INFO", console=False)
    teardown_logging()

    assert mode(app.store_file) == 0o600
    assert mode(app.log_file) == 0o600
    assert mode(Path(f"{app.log_file}.1")) == 0o600
    for folder in (app.data_dir, app.config_dir, app.cache_dir, app.log_dir):
        assert mode(folder) == 0o700, folder
    assert mode(root) == 0o755  # the --data-dir root the user chose is theirs to set


def test_a_log_file_made_at_rollover_is_private(tmp_path):
    app = paths.configure(tmp_path / "rolling").ensure()
    setup_logging("INFO", console=False)
    try:
        handler = next(h for h in logging.getLogger().handlers if isinstance(h, PrivateRotatingFileHandler))
        logging.getLogger("studio_desktop.test").info("before")
        handler.doRollover()
        logging.getLogger("studio_desktop.test").info("after")
    finally:
        teardown_logging()
    assert mode(app.log_file) == 0o600
    assert mode(Path(f"{app.log_file}.1")) == 0o600


def test_a_real_upload_run_leaves_nothing_readable_by_others(sandbox_factory, tmp_path):
    """The whole command, as a user runs it: every file it wrote under the data folder is 0600."""
    from imagegen import make_jpeg

    server = sandbox_factory("empty")
    photo = make_jpeg(tmp_path / "shoot" / "IMG_0001.jpg")
    root = tmp_path / "cli"
    env = {**os.environ, "PYTHONPATH": str(REPO), "STUDIO_DESKTOP_ACCESS_TOKEN": server.access_token}
    env.pop("STUDIO_DESKTOP_DATA_DIR", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "studio_desktop",
            "upload",
            str(photo),
            "--new-event",
            "Private",
            "--api-url",
            server.shootproof_api_url,
            "--data-dir",
            str(root),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.umask(0o022),
    )
    assert done.returncode == 0, done.stderr
    written = [p for p in root.rglob("*")]
    assert any(p.name == "studio.sqlite3" for p in written) and any(p.suffix == ".log" for p in written)
    wrong = {str(p.relative_to(root)): oct(mode(p)) for p in written if mode(p) != (0o700 if p.is_dir() else 0o600)}
    assert wrong == {}
