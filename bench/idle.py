"""Idle: the TUI open at rest, 100x30 in a pseudo-terminal, against the simulator's
``healthy`` scenario at default intervals, beside the floor (a bare Textual app updating one
label a second) and claude-monitor's live view where it is installed; beside them the same
user with no transcripts (does memory grow with the tree?), with a second account (a second
Claude Code folder holding only its sign-in), and ``limitwatch export`` with Prometheus and
OTLP on (``export_idle.py``; after its idle window, /metrics is scraped).

Each app is started, waited for until its first frame is on screen, allowed to settle (the
first transcript scan, the first polls), then watched for ``seconds``: CPU as % of one core
(utime + stime of the whole process tree over wall time), RSS at the end, and bytes written
to the terminal per second (how often it repaints). Apps take turns within each run so that
all see the same machine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench.export_idle import (
    OtlpReceiver,
    export_argv,
    export_env,
    free_port,
    scrape_figures,
    wait_for_metrics,
)
from bench.peers import CLAUDE_MONITOR_MARKER, Peer, claude_monitor_live_argv, peer_env
from bench.pty_run import PtyProcess, measure_idle
from bench.sandbox import World, floor_argv, second_account, tui_argv
from bench.startup import FLOOR_MARKER, TUI_MARKER

FRAME_TIMEOUT = 60.0
EXPORT_MARKER = "watching"
SECOND_MARKER = "claude-second"  # the second account's section title (its folder's name)


@dataclass(frozen=True)
class Contender:
    name: str
    argv: list[str]
    marker: str
    env: dict[str, str]
    # Before settling: wait for more than the marker; after the idle window: more figures.
    ready: Callable[[PtyProcess], None] | None = None
    after: Callable[[PtyProcess], dict[str, float]] | None = None


def contenders(
    world: World, claude_monitor: Peer, receiver: OtlpReceiver, *, scrapes: int, smoke: bool
) -> list[Contender]:
    port = free_port()
    found = [
        Contender("limitwatch", tui_argv(), TUI_MARKER, world.env),
        Contender("limitwatch-no-tree", tui_argv(), TUI_MARKER, _without_transcripts(world)),
        # With several accounts each section is titled with its account's name.
        Contender("limitwatch-two-accounts", tui_argv(), SECOND_MARKER, second_account(world)),
        Contender(
            "export",
            export_argv(port),
            EXPORT_MARKER,
            export_env(world, receiver, smoke=smoke),
            ready=lambda proc: wait_for_metrics(port, proc),
            after=lambda _proc: {**scrape_figures(port, scrapes), "otlp_posts": receiver.posts},
        ),
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
        if who.ready is not None:
            who.ready(proc)
        settled = proc.settle(max_seconds=settle_max)
        result = measure_idle(proc, seconds)
        result["settle_s"] = settled
        if who.after is not None:
            result.update(who.after(proc))
        return result


def measure_idle_all(
    world: World,
    claude_monitor: Peer,
    *,
    runs: int,
    seconds: float,
    settle_max: float,
    cwd: str,
    smoke: bool = False,
    progress: Callable[[str], None] = lambda _s: None,
) -> dict[str, list[dict[str, float]]]:
    results: dict[str, list[dict[str, float]]] = {}
    with OtlpReceiver() as receiver:
        for run in range(runs):
            for who in contenders(
                world, claude_monitor, receiver, scrapes=5 if smoke else 30, smoke=smoke
            ):
                progress(f"idle {who.name} run {run + 1}/{runs} ({seconds:.0f} s)")
                results.setdefault(who.name, []).append(
                    measure_one(who, seconds=seconds, settle_max=settle_max, cwd=cwd)
                )
    return results
