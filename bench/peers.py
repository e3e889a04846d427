"""What users would pick instead: ccusage (npm) and claude-monitor (PyPI), when installed.

Both are optional. ``find_*`` return the command to run or None; every ``run_*`` runs the
peer against the sandboxed world (its HOME and CLAUDE_CONFIG_DIR), so it reads the same
generated tree as limitwatch and nothing of the user's. Besides PATH, the throwaway install
locations that bench/README.md names are searched, so its one-liners work as they are.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any

from bench.sandbox import World

# Where bench/README.md's one-liners put the peers (never committed, never needed).
EXTRA_DIRS = ("/tmp/peers-venv/bin", "/tmp/peers-npm/node_modules/.bin")
CLAUDE_MONITOR_MARKER = "USAGE MONITOR"  # on the first frame of its live view


@dataclass
class Peer:
    name: str
    argv: list[str] | None  # None: not installed
    version: str = ""
    problem: str = ""  # installed but not runnable (e.g. missing native binary)

    @property
    def available(self) -> bool:
        return self.argv is not None and not self.problem

    @property
    def why_not(self) -> str:
        return self.problem or "not installed"


@dataclass
class PeerRun:
    seconds: float
    tokens: dict[str, int] = field(default_factory=dict)  # input, output, cc, cr, total
    raw: Any = None
    cpu_s: float = 0.0  # user + system CPU of the whole run (its threads and children too)


def _which(name: str) -> str | None:
    path = os.pathsep.join([os.environ.get("PATH", ""), *EXTRA_DIRS])
    return shutil.which(name, path=path)


def _version(argv: list[str]) -> tuple[str, str]:
    try:
        done = subprocess.run(
            [*argv, "--version"],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return "", f"cannot run: {exc}"
    text = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        return "", text.splitlines()[0] if text else f"--version exited {done.returncode}"
    return text.splitlines()[-1] if text else "", ""


def find_ccusage() -> Peer:
    path = _which("ccusage")
    argv: list[str] | None = [path] if path else None
    if argv is None and shutil.which("npx"):
        probe = ["npx", "--no-install", "ccusage"]
        try:
            done = subprocess.run(
                [*probe, "--version"],
                capture_output=True,
                timeout=60,
                stdin=subprocess.DEVNULL,
            )
            if done.returncode == 0:
                argv = probe
        except (OSError, subprocess.TimeoutExpired):
            pass
    if argv is None:
        return Peer("ccusage", None)
    version, problem = _version(argv)
    return Peer("ccusage", argv, version, problem)


def find_claude_monitor() -> Peer:
    path = _which("claude-monitor")
    if path is None:
        return Peer("claude-monitor", None)
    version, problem = _version([path])
    return Peer("claude-monitor", [path], version, problem)


def peer_env(world: World) -> dict[str, str]:
    env = dict(world.env)
    env.pop("PYTHONPATH", None)  # the peers run in their own environments
    return env


def claude_monitor_live_argv(peer: Peer, world: World) -> list[str]:
    """Its live view (the realtime view, default refresh), reading the sandbox tree."""
    assert peer.argv is not None
    return [*peer.argv, "--plan", "max20", "--data-paths", str(world.projects)]


def _run(argv: list[str], env: dict[str, str], timeout: float) -> tuple[float, Any, float]:
    """Run a peer, time it (wall and CPU), parse its JSON. Its exit code may carry a status
    (claude-monitor exits 11 on "limit_hit", like ``limitwatch status``): valid JSON on
    stdout is success."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    try:
        return seconds, json.loads(done.stdout), cpu
    except ValueError:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"{argv[0]} exited {done.returncode}: {' / '.join(tail)}") from None


def run_ccusage_daily(peer: Peer, world: World, timeout: float = 600) -> PeerRun:
    """``ccusage daily --offline --json``: all days, token totals over the whole tree."""
    assert peer.argv is not None
    env = peer_env(world)
    env["NO_COLOR"] = "1"
    seconds, data, cpu = _run([*peer.argv, "daily", "--offline", "--json"], env, timeout)
    totals = data.get("totals", {})
    tokens = {
        "input": int(totals.get("inputTokens", 0)),
        "output": int(totals.get("outputTokens", 0)),
        "cache_creation": int(totals.get("cacheCreationTokens", 0)),
        "cache_read": int(totals.get("cacheReadTokens", 0)),
    }
    tokens["total"] = int(totals.get("totalTokens", sum(tokens.values())))
    return PeerRun(seconds, tokens, data, cpu)


def run_claude_monitor_once(peer: Peer, world: World, timeout: float = 600) -> PeerRun:
    """``claude-monitor --once --output json``: its ``local_history`` total over what it loads."""
    assert peer.argv is not None
    argv = [*peer.argv, "--once", "--output", "json", "--data-paths", str(world.projects)]
    seconds, data, cpu = _run(argv, peer_env(world), timeout)
    history = data.get("local_history") or {}
    local = (data.get("local") or {}).get("tokens") or {}
    tokens = {
        "total": int(history.get("total_tokens") or 0),
        "session_total": int(local.get("total_tokens") or 0),
    }
    return PeerRun(seconds, tokens, data, cpu)
