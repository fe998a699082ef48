"""Two processes opening the same fresh store at the same moment (issue 16, defect 5).

Both used to read "version 0" and create the tables: one failed with "table
upload_batch already exists" or "database is locked". Real processes, started
together on a signal, several rounds.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from studio_desktop.core.store import Store, latest_version

REPO = Path(__file__).resolve().parents[2]

OPENER = """
import os, sys, time
sys.path.insert(0, sys.argv[3])
from studio_desktop.core.store import Store
go = sys.argv[2]
print("ready", flush=True)
while not os.path.exists(go):
    pass
with Store(sys.argv[1]) as store:
    print("version", store.version, flush=True)
"""

ROUNDS = 20


def test_two_processes_creating_the_store_at_once_both_open_it(tmp_path):
    failures = []
    for round_ in range(ROUNDS):
        store_path = tmp_path / f"round{round_}" / "studio.sqlite3"
        go = tmp_path / f"go{round_}"
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", OPENER, str(store_path), str(go), str(REPO)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready"
        go.touch()
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            if proc.returncode != 0 or out.strip() != f"version {latest_version()}":
                failures.append((round_, proc.returncode, out.strip(), err.strip().splitlines()[-1:]))
        with Store(store_path) as store:
            tables = store.read_sync(
                lambda conn: [
                    r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                ]
            )
            assert "upload_batch" in tables and "hot_folder" in tables
    assert failures == []
