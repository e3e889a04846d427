"""Idle: the TUI open at rest, 100x30 in a pseudo-terminal, against the simulator's
``healthy`` scenario at default intervals, beside the floor (a bare Textual app updating one
label a second) and claude-monitor's live view where it is installed.

Each app is started, waited for until its first frame is on screen, allowed to settle (the
first transcript scan, the first polls), then watched for ``seconds``: CPU as % of one core
(utime + stime of the whole process tree over wall time), RSS at the end, and bytes written
to the terminal per second (how often it repaints). Apps take turns within each run so that
all see the same machine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench.peers import CLAUDE_MONITOR_MARKER, Peer, claude_monitor_live_argv, peer_env
from bench.pty_run import PtyProcess, measure_idle
from bench.sandbox import World, floor_argv, tui_argv
from bench.startup import FLOOR_MARKER, TUI_MARKER

FRAME_TIMEOUT = 60.0


@dataclass(frozen=True)
class Contender:
    name: str
    argv: list[str]
    marker: str
    env: dict[str, str]


def contenders(world: World, claude_monitor: Peer) -> list[Contender]:
    found = [
        Contender("limitwatch", tui_argv(), TUI_MARKER, world.env),
        Contender("limitwatch-no-tree", tui_argv(), TUI_MARKER, _without_transcripts(world)),
        Contender("floor", floor_argv(), FLOOR_MARKER, world.env),
    ]
    if claude_monitor.available:
        found.append(
            Contender(
                "claude-monitor",
                claude_monitor_live_argv(claude_monitor, world),
                CLAUDE_MONITOR_MARKER,
                peer_env(world),
            )
        )
    return found


def _without_transcripts(world: World) -> dict[str, str]:
    """The same user with an empty Claude Code folder (the sign-in only): the RSS baseline
    that tells whether memory grows with the size of the transcript tree."""
    import shutil

    empty = world.root / "claude-no-tree"
    (empty / "projects").mkdir(parents=True, exist_ok=True)
    shutil.copy2(world.claude / ".credentials.json", empty / ".credentials.json")
    return {**world.env, "CLAUDE_CONFIG_DIR": str(empty)}


def measure_one(who: Contender, *, seconds: float, settle_max: float, cwd: str) -> dict[str, float]:
    with PtyProcess(who.argv, cols=100, rows=30, env=who.env, cwd=cwd) as proc:
        if proc.wait_for(who.marker, FRAME_TIMEOUT) is None:
            tail = proc.text()[-600:].strip()
            raise RuntimeError(f"{who.name}: no frame with {who.marker!r}: {tail}")
        settled = proc.settle(max_seconds=settle_max)
        result = measure_idle(proc, seconds)
        result["settle_s"] = settled
        return result


def measure_idle_all(
    world: World,
    claude_monitor: Peer,
    *,
    runs: int,
    seconds: float,
    settle_max: float,
    cwd: str,
    progress: Callable[[str], None] = lambda _s: None,
) -> dict[str, list[dict[str, float]]]:
    results: dict[str, list[dict[str, float]]] = {}
    for run in range(runs):
        for who in contenders(world, claude_monitor):
            progress(f"idle {who.name} run {run + 1}/{runs} ({seconds:.0f} s)")
            results.setdefault(who.name, []).append(
                measure_one(who, seconds=seconds, settle_max=settle_max, cwd=cwd)
            )
    return results
