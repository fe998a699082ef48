"""`studio-desktop`: the desktop app, and the headless commands that share its engine.

Each headless command lives in ``studio_desktop/commands/<name>.py`` and exposes
``add_parser(subparsers)`` and ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from studio_desktop import __version__
from studio_desktop.core import config, paths
from studio_desktop.core.logging_setup import setup_logging

COMMANDS = ("sandbox", "upload", "watch", "compare")
EXIT_BROKEN_PIPE = 141  # what a shell reports for a process ended by SIGPIPE


def _load_commands():
    modules = []
    for name in COMMANDS:
        try:
            modules.append(importlib.import_module(f"studio_desktop.commands.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"studio_desktop.commands.{name}":
                raise
    return modules


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="studio-desktop",
        description="Manage ShootProof galleries, upload shoots and watch hot folders.",
    )
    parser.add_argument("--version", action="version", version=f"studio-desktop {__version__}")
    parser.add_argument("--selftest", action="store_true",
                        help="start the sandbox, open the window offscreen, upload one photo, exit 0 if all worked")
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING or ERROR")
    config.add_arguments(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _load_commands():
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.selftest and not args.command:
        from studio_desktop.selftest import run_selftest

        return run_selftest(args)
    paths.configure(getattr(args, "data_dir", None)).ensure()
    if args.command:
        if not logging.getLogger().handlers:
            setup_logging(args.log_level, console=False)
        try:
            return int(args.run(args) or 0)
        except BrokenPipeError:
            # `studio-desktop upload --json | head` closed our stdout: the reader has what it wanted.
            # Point stdout at devnull so the interpreter's final flush does not raise again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_BROKEN_PIPE
    from studio_desktop.ui.app import run_gui

    return run_gui(args)


if __name__ == "__main__":
    sys.exit(main())
