"""The ``limitwatch`` command line: dispatch, one module per command (parsing: ``parser``,
and ``quick`` for the commonest one-shot lines).

Each sub-command lives in its own module and is imported only when used, so that
``limitwatch status`` never loads Textual. Config errors go to stderr with exit 2.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tui.cli import quick

if TYPE_CHECKING:
    import argparse


# Commands whose output is plain text on stdout/stderr: everything they print is masked by
# value (tui.secrets), whatever a server or a file put into a message, and (but for the status
# line, whose format may hold the user's own colours) cleaned of escape sequences and control
# characters. The live view draws through Textual (its widgets mask and clean), and
# ``simulate`` prints only its own fake credentials.
_MASKED_COMMANDS = frozenset({"status", "statusline", "doctor", "config", "explain"})
_CLEANED_COMMANDS = frozenset({"status", "doctor", "config", "explain"})


_ran: str | None = None  # the command main() ran last


def ran_one_shot() -> bool:
    """Whether the command ``main`` ran last is one-shot (tui/__main__.py then ends the
    process at once)."""
    return _ran in _ONE_SHOT_COMMANDS


def main(argv: Sequence[str] | None = None) -> int:
    global _ran
    words = sys.argv[1:] if argv is None else list(argv)
    args = quick.parse(words)
    if args is None:
        from tui.cli.parser import build_parser, command_in

        args = build_parser(command_in(words)).parse_args(words)
    _ran = args.command
    if args.command is not None and args.command not in _ONE_SHOT_COMMANDS:
        gc.enable()  # export, simulate: they run for hours (see tui/__main__.py); the live
        # view turns it on once its start is done (cli/live.py: its imports make no garbage)
    try:
        if args.command in _MASKED_COMMANDS:
            return _masked(args)
        return _dispatch(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_gone()


# Commands that answer and end within seconds: started as ``limitwatch`` they run without the
# cycle collector (tui/__main__.py), which had nothing to free and cost 5% of a warm `status`.
_ONE_SHOT_COMMANDS = frozenset({"status", "statusline", "doctor", "config", "explain", "history"})


EXIT_READER_GONE = 141  # what a shell reports for a process ended by SIGPIPE


def _reader_gone() -> int:
    """The reader of our output went away (``limitwatch status --json | head -1``): no
    traceback, and nothing more written (what is still buffered goes to the null device)."""
    import os

    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return EXIT_READER_GONE


def _masked(args: argparse.Namespace) -> int:
    from typing import TextIO, cast

    from tui.secrets import MaskingWriter
    from tui.text import clean

    def keep_lines(text: str) -> str:
        return clean(text, keep_newlines=True)

    cleaner = keep_lines if args.command in _CLEANED_COMMANDS else None
    out, err = sys.stdout, sys.stderr
    sys.stdout = cast(TextIO, MaskingWriter(out, cleaner))
    sys.stderr = cast(TextIO, MaskingWriter(err, cleaner))
    try:
        return _dispatch(args)
    finally:
        sys.stdout, sys.stderr = out, err


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command
    if command == "config":
        from tui.cli import config as config_command

        return config_command.run(args)
    if command == "simulate":
        from tui.simulator import cli as simulator_cli

        return simulator_cli.run(args)
    if command == "status":
        from tui.cli import status
        from tui.sources.http import COMMAND_BUDGET_SECONDS, time_budget

        with time_budget(COMMAND_BUDGET_SECONDS):
            return status.run_status(args)
    if command == "statusline":
        from tui.cli import statusline

        return statusline.run_statusline(args)
    if command == "explain":
        from tui.cli import explain
        from tui.sources.http import COMMAND_BUDGET_SECONDS, time_budget

        with time_budget(COMMAND_BUDGET_SECONDS):
            return explain.run(args)
    if command == "doctor":
        from tui.cli import doctor
        from tui.sources.http import COMMAND_BUDGET_SECONDS, time_budget

        with time_budget(COMMAND_BUDGET_SECONDS):
            return doctor.run(args)
    if command == "history":
        from tui.cli import history

        return history.run(args)
    if command == "export":
        from tui.cli import export

        return export.run(args)
    from tui.cli import live

    return live.run(args)
