"""The bench cannot rot: ``python -m bench --smoke`` runs every section and prints every row.

It starts the real TUI in a pseudo-terminal against the simulator, runs the poll loop on an
accelerated clock and scans a generated transcript tree, all at tiny sizes. Smoke mode exits
0 even when a target is missed (its figures are too small to judge), but a measurement that
could not be made at all is an ERROR row and exit 2.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.__main__ import FIGURES, SECTIONS

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_smoke_run_prints_every_row_of_the_table() -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    out = done.stdout
    assert done.returncode == 0, f"exit {done.returncode}\n{out}\n{done.stderr[-3000:]}"
    assert "| figure" in out and "| verdict" in out
    table_rows = [line for line in out.splitlines() if line.startswith("| ")]
    for section in SECTIONS:
        for figure in FIGURES[section]:
            matching = [line for line in table_rows if line.startswith(f"| {figure} ")]
            assert matching, f"row {figure!r} missing from:\n{out}"
            cells = [c.strip() for c in matching[0].strip("|").split("|")]
            assert cells[4] in ("ok", "MISSED", "-") or cells[4].startswith("n/a"), matching[0]
            assert cells[1] and not cells[1].startswith("error"), matching[0]
    assert "peer ccusage:" in out and "peer claude-monitor:" in out


def test_only_rejects_an_unknown_section() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "idle,nap"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert "nap" in done.stderr
