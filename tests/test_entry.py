"""The process entry (``limitwatch``, ``python -m tui``) ends a one-shot command as soon as
its answer is written, skipping the interpreter's teardown: the answer must still be whole,
the exit status the command's, and exit handlers must still run."""

from __future__ import annotations

import json
import os
import subprocess
import sys

ENTRY = (
    "import atexit, sys\n"
    "atexit.register(lambda: print('EXIT HANDLER RAN', file=sys.stderr))\n"
    "sys.argv = ['limitwatch', *sys.argv[1:]]\n"
    "import tui.__main__ as entry\n"
    "entry.run()\n"
)


def _entry(*argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", ENTRY, *argv],
        input=stdin,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )


def test_a_one_shot_answer_is_whole_and_exit_handlers_run(isolated_paths) -> None:
    done = _entry("explain", "--json", "You're out of extra usage")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["class"]  # flushed whole before the process ended
    assert "EXIT HANDLER RAN" in done.stderr


def test_the_exit_status_is_the_commands(isolated_paths) -> None:
    done = _entry("explain", stdin="")  # no text given: a usage error
    assert done.returncode == 2
    assert "EXIT HANDLER RAN" in done.stderr


def test_a_long_running_command_ends_the_ordinary_way(isolated_paths) -> None:
    done = _entry("simulate", "--list")
    assert done.returncode == 0
    assert "healthy" in done.stdout
    assert "EXIT HANDLER RAN" in done.stderr
