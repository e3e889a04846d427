"""``limitwatch`` / ``python -m tui``: hand argv to the command line (``tui.cli``).

``run`` is the process's entry. A one-shot command (``status``, ``statusline``, ...) ends the
process as soon as its answer is written: exit handlers run and the output is flushed, but
the interpreter does not take its 170 modules apart one object at a time, with a last full
collection (8% of a warm ``status``). Nothing is left to save by then: files are written
whole and closed, the history database is closed by the command.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from typing import NoReturn


def main(argv: Sequence[str] | None = None) -> int:
    # `status` and `statusline` (run by Claude Code at every turn) answer and end within
    # seconds, making tens of thousands of objects and no garbage worth a collection: no cycle
    # collector for them (5% of a warm `status`). The commands that run for hours turn it back
    # on as soon as they are known (tui.cli.main).
    gc.disable()
    from tui.cli import main as cli_main

    return cli_main(argv)


def run() -> NoReturn:
    """Run the command line and end the process with its exit status."""
    code = main()
    from tui import cli

    if cli.ran_one_shot():
        _end_now(code)
    sys.exit(code)


def _end_now(code: int) -> NoReturn:
    import atexit
    import os

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # the reader went away: the shell's SIGPIPE status
            from tui.cli import EXIT_READER_GONE

            code = EXIT_READER_GONE
        except (OSError, ValueError):  # closed or failing: nothing more can be said on it
            pass
    os._exit(code)


if __name__ == "__main__":
    run()
