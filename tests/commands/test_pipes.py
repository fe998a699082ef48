"""A command whose reader goes away early (`... --json | head`) ends quietly, without a traceback."""

from __future__ import annotations

import subprocess

from command_support import command_env, command_line, new_event
from imagegen import make_jpeg


def test_json_output_into_a_closed_pipe_ends_without_a_traceback(server, tmp_path):
    event_id = new_event(server)
    shoot = tmp_path / "shoot"
    # Enough files that the JSON report outgrows the pipe's buffer while nobody reads it.
    for n in range(600):
        make_jpeg(shoot / f"A_rather_long_file_name_for_a_wedding_photo_{n:04d}.jpg")
    process = subprocess.Popen(
        command_line(server, "upload", str(shoot), "--event", str(event_id), "--dry-run", "--json"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=command_env(),
    )
    with process:  # closes stderr too
        process.stdout.read(100)
        process.stdout.close()
        stderr = process.stderr.read().decode()
        assert process.wait(timeout=60) == 141
    assert "Traceback" not in stderr
    assert "BrokenPipeError" not in stderr
