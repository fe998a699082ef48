"""The commands' help layout, without loading :mod:`shutil` on every start.

argparse makes a help formatter for every ``add_argument`` (to check the
argument's metavar), and the stock one asks ``shutil.get_terminal_size`` for
the width each time: importing :mod:`shutil` (with bz2 and lzma) is ~2 ms of
every command's start, though help is printed on few of them. This formatter
finds the width the same way with :mod:`os` alone.
"""

from __future__ import annotations

import argparse
import os
import sys


def terminal_columns(fallback: int = 80) -> int:
    """The terminal's width as ``shutil.get_terminal_size().columns`` gives it: $COLUMNS, stdout's size, or 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        size = os.get_terminal_size(sys.__stdout__.fileno())  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return fallback
    return size.columns or fallback


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """``RawDescriptionHelpFormatter`` (descriptions and epilogs keep their lines), sized without shutil."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None):
        super().__init__(prog, indent_increment, max_help_position, terminal_columns() - 2 if width is None else width)
