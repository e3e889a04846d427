"""Transcripts: limitwatch's first scan and incremental refresh beside ccusage and claude-monitor.

limitwatch's figures come from ``bench.transcripts.measure`` (first scan, a 10 KB append,
incremental scan), run in a fresh process each time. Each peer is run on the same tree before
that append (a first run) and after it (its "refresh": neither peer reads incrementally, so
it reads everything again). Token totals are taken once, on the tree as generated: limitwatch's
(``TranscriptSource`` over the whole tree), each peer's, and the generator's own count.
All readers see a warm OS file cache (the tree was just written).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from bench.peers import Peer, PeerRun, run_ccusage_daily, run_claude_monitor_once
from bench.sandbox import World

_OURS_TOKENS = """
import json, sys
from pathlib import Path
from tui.clock import SystemClock
from tui.sources.transcripts.source import TranscriptSource
source = TranscriptSource([Path(sys.argv[1])], clock=SystemClock(), keep_hours=24 * 365 * 30)
source.scan()
acc = [0, 0, 0, 0]
for block in source.blocks():
    for _model, *counts in block.tokens_by_model:
        for i, value in enumerate(counts):
            acc[i] += value
print(json.dumps({"input": acc[0], "output": acc[1], "cache_creation": acc[2],
                  "cache_read": acc[3], "total": sum(acc)}))
"""

_MEASURE = """
import json, sys
from pathlib import Path
from bench.transcripts import measure
print(json.dumps(measure(Path(sys.argv[1]))))
"""


def _python(code: str, world: World, cwd: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", code, str(world.projects)],
        env=world.env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "failed")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def expected_tokens(generated: dict[str, Any]) -> dict[str, int]:
    acc = [0, 0, 0, 0]
    for counts in generated.get("tokens", {}).values():
        for i, value in enumerate(counts):
            acc[i] += int(value)
    return {
        "input": acc[0],
        "output": acc[1],
        "cache_creation": acc[2],
        "cache_read": acc[3],
        "total": sum(acc),
    }


def measure_transcripts(
    world: World,
    peers: list[Peer],
    *,
    runs: int,
    cwd: str,
    progress: Callable[[str], None] = lambda _s: None,
) -> dict[str, Any]:
    runners: dict[str, Callable[[Peer, World], PeerRun]] = {
        "ccusage": run_ccusage_daily,
        "claude-monitor": run_claude_monitor_once,
    }
    progress("transcripts: token totals")
    tokens: dict[str, Any] = {"limitwatch": _python(_OURS_TOKENS, world, cwd)}
    ours: list[dict[str, Any]] = []
    first: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    after: dict[str, list[float]] = {}
    for run in range(runs):
        for peer in peers:
            if peer.available:
                progress(f"transcripts: {peer.name} run {run + 1}/{runs}")
                result = runners[peer.name](peer, world)
                first.setdefault(peer.name, []).append(result.seconds)
                cpu.setdefault(peer.name, []).append(result.cpu_s)
                if run == 0:
                    tokens[peer.name] = result.tokens
        progress(f"transcripts: limitwatch run {run + 1}/{runs}")
        ours.append(_python(_MEASURE, world, cwd))  # appends 10 KB to one file
        for peer in peers:
            if peer.available:
                after.setdefault(peer.name, []).append(runners[peer.name](peer, world).seconds)
    return {
        "ours": ours,
        "peer_first_s": first,
        "peer_first_cpu_s": cpu,
        "peer_after_append_s": after,
        "tokens": tokens,
    }


def measure_first_scans(
    world: World,
    peers: list[Peer],
    *,
    runs: int,
    cwd: str,
    progress: Callable[[str], None] = lambda _s: None,
) -> dict[str, Any]:
    """limitwatch's first scan and each peer's first run, on the tree as it is (the second
    key order's row: speed only)."""
    ours: list[dict[str, Any]] = []
    first: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    for run in range(runs):
        for peer in peers:
            if peer.available and peer.name == "ccusage":
                progress(f"transcripts: {peer.name} run {run + 1}/{runs}")
                result = run_ccusage_daily(peer, world)
                first.setdefault(peer.name, []).append(result.seconds)
                cpu.setdefault(peer.name, []).append(result.cpu_s)
        progress(f"transcripts: limitwatch run {run + 1}/{runs}")
        ours.append(_python(_MEASURE, world, cwd))
    return {"ours": ours, "peer_first_s": first, "peer_first_cpu_s": cpu}
