"""Startup: time to the TUI's first painted frame, and ``status --json`` start to exit.

First frame: from spawn until the pseudo-terminal has received a frame holding a string the
main screen draws (the "Limits" section title), beside the bare Textual app's first frame.
``status --json``: one run warms the shared usage cache, then each timed run should answer
from it without a network call; beside it, the bare interpreter (``python -c pass``) and
``python -c "import httpx"``, timed the same way. ``-X importtime`` of one status run tells
which heavy modules it loaded.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from typing import Any

from bench.pty_run import PtyProcess
from bench.sandbox import World, floor_argv, tui_argv

TUI_MARKER = "Limits"  # the limits section's border title, on the main screen's first frame
FLOOR_MARKER = "floor"
FRAME_TIMEOUT = 30.0
HEAVY = (
    "httpx",
    "textual",
    "sqlite3",
    "rich",
    "anyio",
    "h11",
    "ssl",
    "asyncio",
    "dataclasses",
    "inspect",
)


def first_frame(argv: list[str], marker: str, env: dict[str, str], cwd: str) -> float:
    with PtyProcess(argv, cols=100, rows=30, env=env, cwd=cwd) as proc:
        seconds = proc.wait_for(marker, FRAME_TIMEOUT)
        if seconds is None:
            tail = proc.text()[-600:].strip()
            raise RuntimeError(f"no frame with {marker!r} within {FRAME_TIMEOUT:.0f} s: {tail}")
        return seconds


def timed_run(argv: list[str], env: dict[str, str], cwd: str, ok: tuple[int, ...]) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        argv, env=env, cwd=cwd, capture_output=True, timeout=60, stdin=subprocess.DEVNULL
    )
    seconds = time.perf_counter() - started
    if done.returncode not in ok:
        err = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise RuntimeError(f"{' '.join(argv[-3:])} exited {done.returncode}: {' / '.join(err)}")
    return seconds


def status_argv() -> list[str]:
    return [*tui_argv(), "status", "--json"]


STATUS_OK = (0, 10, 11, 20)


def import_profile(world: World, cwd: str) -> dict[str, Any]:
    """Which heavy modules one warm ``status --json`` imports, and the costliest imports."""
    argv = [sys.executable, "-X", "importtime", "-m", "tui", "status", "--json"]
    done = subprocess.run(argv, env=world.env, cwd=cwd, capture_output=True, text=True, timeout=60)
    rows: list[tuple[int, str]] = []
    loaded: set[str] = set()
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if not match:
            continue
        name = match.group(4)
        loaded.add(name.split(".")[0])
        if len(match.group(3)) <= 2:  # top-level imports only (no double counting)
            rows.append((int(match.group(2)), name))
    rows.sort(reverse=True)
    return {
        "heavy_loaded": [m for m in HEAVY if m in loaded],
        "top_imports_ms": [(name, round(us / 1000, 1)) for us, name in rows[:6]],
    }


def measure_startup(world: World, *, runs: int, cwd: str) -> dict[str, Any]:
    env = world.env
    tui: list[float] = []
    floor: list[float] = []
    for _ in range(runs):
        tui.append(first_frame(tui_argv(), TUI_MARKER, env, cwd))
        floor.append(first_frame(floor_argv(), FLOOR_MARKER, env, cwd))
    # Warm the shared usage cache (and the OS's file cache) once.
    timed_run(status_argv(), env, cwd, STATUS_OK)
    status: list[float] = []
    bare: list[float] = []
    httpx: list[float] = []
    for _ in range(max(3, runs * 2)):
        status.append(timed_run(status_argv(), env, cwd, STATUS_OK))
        bare.append(timed_run([sys.executable, "-c", "pass"], env, cwd, (0,)))
        httpx.append(timed_run([sys.executable, "-c", "import httpx"], env, cwd, (0,)))
    return {
        "first_frame_s": tui,
        "floor_first_frame_s": floor,
        "status_s": status,
        "python_bare_s": bare,
        "python_httpx_s": httpx,
        "imports": import_profile(world, cwd),
    }
