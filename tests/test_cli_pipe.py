"""A reader that goes away (``limitwatch status --json | head -1``) ends the command quietly:
no traceback on the terminal, the shell's SIGPIPE status."""

from __future__ import annotations

import os
import subprocess
import sys

from tui.cli import EXIT_READER_GONE


def test_a_closed_pipe_ends_the_command_without_a_traceback(isolated_paths) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will ever read: the first write fails with EPIPE
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tui", "explain", "--json", "You're out of extra usage"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=os.environ.copy(),
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in done.stderr
    assert "BrokenPipeError" not in done.stderr
    assert done.returncode == EXIT_READER_GONE
