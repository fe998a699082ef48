"""The CLI imports only the command a run names: start-up is most of a re-run of a finished folder."""

from __future__ import annotations

import subprocess
import sys

from studio_desktop import cli


def test_commands_named_picks_the_named_ones_or_all() -> None:
    assert cli.commands_named(["upload", "shoot", "--event", "7"]) == ("upload",)
    assert cli.commands_named(["--log-level", "DEBUG", "watch", "hot"]) == ("watch",)
    # A path or an option value that is a command's name loads that one too: never one too few.
    assert set(cli.commands_named(["upload", "watch"])) == {"upload", "watch"}
    assert cli.commands_named([]) == cli.COMMANDS
    assert cli.commands_named(["--help"]) == cli.COMMANDS
    assert cli.commands_named(["uplaod"]) == cli.COMMANDS  # a typo gets the full list of choices


def test_an_upload_run_imports_no_other_command() -> None:
    code = (
        "import sys\n"
        "from studio_desktop import cli\n"
        "args = cli.build_parser(cli.commands_named(['upload', 'x', '--event', '1'])).parse_args("
        "['upload', 'x', '--event', '1'])\n"
        "assert args.command == 'upload', args\n"
        "others = ('sandbox', 'watch', 'compare', 'doctor')\n"
        "print(sorted(n for n in others if 'studio_desktop.commands.' + n in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_help_still_lists_every_command() -> None:
    parser = cli.build_parser(cli.commands_named(["--help"]))
    text = parser.format_help()
    for name in cli.COMMANDS:
        assert name in text
