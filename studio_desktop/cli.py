"""`studio-desktop`: the desktop app, and the headless commands that share its engine.

Each headless command lives in ``studio_desktop/commands/<name>.py`` and exposes
``add_parser(subparsers)`` and ``run(args) -> int``. A run imports only the
command it names (start-up is most of a re-run of a finished folder); all of
them only when none is named (the window, ``--help``, a mistyped command).

An expected failure never ends in a traceback: the service's errors are worded
by the commands (exit 2), and failures of this computer (a damaged store, a full
disk, a folder that cannot be written) are worded here (exit 3). A store found
damaged mid-run is set aside, kept for recovery, so the next run starts afresh.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from studio_desktop import __version__
from studio_desktop.commands.exit_codes import (
    EXIT_BROKEN_PIPE,
    EXIT_CANNOT_START,
    EXIT_CODES_HELP,
    EXIT_INTERRUPTED,
    EXIT_LOCAL_PROBLEM,
)
from studio_desktop.commands.help_format import HelpFormatter
from studio_desktop.core import config, local_failures, paths
from studio_desktop.core.logging_setup import setup_logging

COMMANDS = ("sandbox", "upload", "watch", "compare", "doctor")

log = logging.getLogger(__name__)


def commands_named(argv: Sequence[str]) -> tuple[str, ...]:
    """The commands whose modules a run with ``argv`` needs: those named in it, or all if none is.

    Any word that is a command's name counts (an option's value or a path may
    be one): loading one too many costs a little time, one too few would turn a
    valid command line into an argparse error.
    """
    named = tuple(name for name in COMMANDS if name in argv)
    return named or COMMANDS


def _load_commands(names: Sequence[str] = COMMANDS) -> list[ModuleType]:
    modules: list[ModuleType] = []
    for name in names:
        try:
            modules.append(importlib.import_module(f"studio_desktop.commands.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"studio_desktop.commands.{name}":
                raise
    return modules


def build_parser(commands: Sequence[str] = COMMANDS) -> argparse.ArgumentParser:
    """The command line's parser, with the subcommands in ``commands`` (see :func:`commands_named`)."""
    parser = argparse.ArgumentParser(
        prog="studio-desktop",
        description="Manage ShootProof galleries, upload shoots and watch hot folders.",
        epilog=EXIT_CODES_HELP,
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"studio-desktop {__version__}")
    parser.add_argument(
        "--selftest",
        action="store_true",
        help="start the sandbox, open the window offscreen, upload one photo, exit 0 if all worked",
    )
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING or ERROR")
    config.add_arguments(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _load_commands(commands):
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(commands_named(argv))
    args = parser.parse_args(argv)
    if args.selftest and not args.command:
        from studio_desktop.selftest import run_selftest

        return run_selftest(args)
    name = f"studio-desktop {args.command}" if args.command else "Studio Desktop"
    try:
        paths.configure(getattr(args, "data_dir", None)).ensure()
        if args.command:
            if not logging.getLogger().handlers:
                setup_logging(args.log_level, console=False)
            return int(args.run(args) or 0)
    except BrokenPipeError:
        # `studio-desktop upload --json | head` closed our stdout: the reader has what it wanted.
        # Point stdout at devnull so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - expected failures are worded; anything else is re-raised
        return _expected_failure(name, exc)
    from studio_desktop.ui.app import run_gui

    return run_gui(args)


def _expected_failure(name: str, exc: Exception) -> int:
    """One sentence and an exit code for a failure the user can act on; re-raise anything else."""
    from studio_desktop.api.errors import ApiError

    if isinstance(exc, ApiError):
        print(f"{name}: {exc.msg}", file=sys.stderr)
        return EXIT_CANNOT_START
    local = local_failures.unwrap(exc)
    message = local_failures.describe(local)
    if message is None:
        raise exc
    if local_failures.is_damage(local):
        from studio_desktop.core.store import set_aside_damaged

        try:
            kept = set_aside_damaged()
        except OSError:
            kept = None
        message = local_failures.damaged_store_message(paths.current().store_file, str(local), kept)
    if logging.getLogger().handlers:  # else Python's last-resort handler would print the traceback
        with _QuietLogging():
            log.error("%s: %s", name, message, exc_info=(type(exc), exc, exc.__traceback__))
    print(f"{name}: {message}", file=sys.stderr)
    return EXIT_LOCAL_PROBLEM


class _QuietLogging:
    """Logging the failure must not fail in turn when the log file is what cannot be written."""

    def __enter__(self) -> None:
        self._raise, logging.raiseExceptions = logging.raiseExceptions, False

    def __exit__(self, *exc: object) -> bool:
        logging.raiseExceptions = self._raise
        return True


if __name__ == "__main__":
    sys.exit(main())
