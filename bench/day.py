"""A day in minutes: the whole poll loop for thousands of cycles on an accelerated clock.

One ``ManualClock`` drives both the simulator (``healthy``) and the production ``Monitor``
(sources, classifier, alerts, history writes into a real SQLite file, transcripts). Each cycle
advances the clock ``step`` seconds and runs ``monitor.poll()``, as the TUI's timer would;
every five clock-minutes a few rows are appended to a transcript, as Claude Code would.

Run in its own process (the bench does: ``python -m bench.day --json``), so its RSS is the
loop's alone. It reports RSS at start and end, the history file's size, calls made per
source (from the simulator's request log, counted and cleared as it goes so the simulator's
own log does not weigh on the figure) and the object types whose count kept growing.

To find where memory goes: ``--tracemalloc`` (Python allocations still alive at the end that
were not at the start, by traceback) and ``--profile-every N`` (RSS beside glibc's heap, Python's
arenas and blocks, and SQLite's own heap, every N cycles and at the end).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import sys
import tempfile
import time
from collections import Counter, deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.pty_run import self_rss_bytes
from bench.sandbox import make_world

# Cycles run before RSS is first read: the first calls, the history file, the connection pool,
# the first alerts. The figure is the growth over the `cycles` measured after them.
WARMUP_CYCLES = 1000
TRACE_FRAMES = 12  # frames kept per allocation with --tracemalloc (the newest ones)
TRACE_TOP = 25  # places listed by --tracemalloc
ENDPOINTS = {
    "/api/oauth/usage": "usage",
    "/api/oauth/profile": "profile",
    "/v1/messages": "probe",
    "/v1/messages/count_tokens": "count_tokens",
    "/v1/models": "models",
    "/v1/organizations/usage_report/messages": "admin_usage",
    "/v1/organizations/cost_report": "admin_cost",
}


def _type_counts() -> Counter[str]:
    gc.collect()
    return Counter(type(o).__name__ for o in gc.get_objects())


def _malloc_state() -> dict[str, float]:
    """Where the process's memory is, in MB: RSS, glibc malloc (in use, free inside its heaps,
    mmapped blocks; all arenas, ``mallinfo2``) and Python's own allocator (blocks in use)."""
    state: dict[str, float] = {"rss": self_rss_bytes() / 1e6, "py_blocks": sys.getallocatedblocks()}
    info = _mallinfo2()
    if info is not None:
        state.update(info)
    state.update(_pymalloc())
    state.update(_mappings())
    sqlite = _sqlite_memory()
    if sqlite is not None:
        state["sqlite"] = sqlite
    return state


def _mappings() -> dict[str, float]:
    """RSS by kind of mapping (Linux ``/proc/self/smaps``), in MB: ``brk`` (malloc's main
    heap), ``anon`` (Python's arenas, large or threads' mallocs, thread stacks) and ``files``
    (the interpreter's and libraries' code and data, SQLite's shared memory file)."""
    totals = {"map_brk": 0.0, "map_anon": 0.0, "map_files": 0.0}
    try:
        text = Path("/proc/self/smaps").read_text()
    except OSError:
        return {}
    kind = "map_anon"
    for line in text.splitlines():
        head = line.split(None, 1)[0]
        if "-" in head and not head.endswith(":"):  # a mapping's first line: its address range
            fields = line.split()
            name = fields[5] if len(fields) > 5 else ""
            if name == "[heap]":
                kind = "map_brk"
            elif name.startswith("/"):
                kind = "map_files"
            else:
                kind = "map_anon"
        elif head == "Rss:":
            totals[kind] += int(line.split()[1]) / 1000
    return totals


def _sqlite_memory() -> float | None:
    """SQLite's own heap (page caches, statements) in MB, when its library can be found."""
    import ctypes
    import ctypes.util

    try:
        lib = ctypes.CDLL(ctypes.util.find_library("sqlite3") or "libsqlite3.so.0")
        used = lib.sqlite3_memory_used
    except (OSError, AttributeError):
        return None
    used.restype = ctypes.c_int64
    return float(used()) / 1e6


def _pymalloc() -> dict[str, float]:
    """Python's small-object allocator, from ``sys._debugmallocstats`` (written to fd 2): its
    arenas (1 MiB each), the bytes of its blocks in use and of its free blocks, in MB."""
    wanted = {
        "# arenas allocated current": "py_arenas",
        "# bytes in allocated blocks": "py_used",
        "# bytes in available blocks": "py_free",
    }
    with tempfile.TemporaryFile() as out:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            os.dup2(out.fileno(), 2)
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    found: dict[str, float] = {}
    for line in text.splitlines():
        name, _, value = line.partition("=")
        key = wanted.get(name.strip())
        if key is not None:
            number = float(value.strip().replace(",", ""))
            found[key] = number if key == "py_arenas" else number / 1e6
    return found


def _format_state(state: dict[str, float]) -> str:
    return ", ".join(
        f"{k} {v:.0f}" if k in ("py_blocks", "py_arenas") else f"{k} {v:.2f}"
        for k, v in state.items()
    )


def _mallinfo2() -> dict[str, float] | None:
    """glibc's ``mallinfo2`` (None elsewhere): heap bytes in use, free, and mmapped."""
    import ctypes
    import ctypes.util

    class MallInfo2(ctypes.Structure):
        _fields_ = [
            (name, ctypes.c_size_t)
            for name in (
                "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
                "uordblks", "fordblks", "keepcost",
            )
        ]  # fmt: skip

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        func = libc.mallinfo2
    except (OSError, AttributeError):
        return None
    func.restype = MallInfo2
    info = func()
    return {
        "heap": info.arena / 1e6,
        "in_use": info.uordblks / 1e6,
        "free": info.fordblks / 1e6,
        "mmapped": info.hblkhd / 1e6,
    }


def _append_activity(path: Path, when: datetime, n: int) -> None:
    """Two streamed rows of one assistant answer, compact JSON as Claude Code writes it."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    usage = {
        "input_tokens": 3,
        "cache_creation_input_tokens": 120,
        "cache_read_input_tokens": 4000,
        "output_tokens": 250,
    }
    rows = []
    for part in range(2):
        rows.append(
            {
                "type": "assistant",
                "sessionId": "bench-day",
                "uuid": f"day-{n}-{part}",
                "timestamp": stamp,
                "requestId": f"req_day_{n}",
                "message": {
                    "id": f"msg_day_{n}",
                    "role": "assistant",
                    "model": "claude-sonnet-4-5-20250929",
                    "content": [{"type": "text", "text": "ok"}],
                    "usage": usage,
                },
            }
        )
    with path.open("a") as handle:
        for row in rows:
            handle.write(json.dumps(row, separators=(",", ":")) + "\n")


async def run_day(
    root: Path,
    *,
    cycles: int,
    step: float,
    transcripts_mb: float,
    trace: bool = False,
    profile_every: int = 0,
    warmup_cycles: int | None = None,
) -> dict[str, Any]:
    from tui.clock import ManualClock
    from tui.simulator import SIM_API_KEY, SIM_OAUTH_TOKEN, Simulator

    start = datetime.now(UTC).replace(microsecond=0)
    clock = ManualClock(start)
    sim = Simulator("healthy", clock=clock).start()
    try:
        world = make_world(
            root,
            base_url=sim.base_url,
            oauth_token=SIM_OAUTH_TOKEN,
            api_key=SIM_API_KEY,
            # The token must outlive the accelerated day (the sim clock runs ahead of ours).
            valid_for=timedelta(seconds=cycles * step + 30 * 86400),
        )
        os.environ.update(world.env)
        if transcripts_mb > 0:
            from bench.sandbox import generate_transcripts

            generate_transcripts(world, transcripts_mb, now=start)
        activity = world.projects / "-home-user-bench-day" / "bench-day.jsonl"
        activity.parent.mkdir(parents=True, exist_ok=True)

        from tui import paths
        from tui.config import load_config
        from tui.core.wiring import create_monitor
        from tui.sources.credentials import CredentialStore

        config = load_config()
        credentials = CredentialStore(config, clock=clock)
        monitor = create_monitor(
            config,
            clock=clock,
            credentials=credentials,
            base_url=sim.base_url,
            write_terminal=lambda _text: None,
        )
        calls: Counter[str] = Counter()
        statuses: Counter[str] = Counter()

        def count_requests() -> None:
            for request in sim.requests:
                name = ENDPOINTS.get(request.path, request.path)
                calls[name] += 1
                if request.status >= 400:
                    statuses[f"{name} {request.status}"] += 1
            sim.clear_requests()

        rss_before = self_rss_bytes()
        started = time.perf_counter()
        rss_start = rss_before
        types_start: Counter[str] = Counter()
        trace_start: Any = None
        activity_every = max(1, round(300 / step))
        snapshot = None
        warmup = min(WARMUP_CYCLES, cycles // 10) if warmup_cycles is None else warmup_cycles
        profile: list[str] = []
        for cycle in range(cycles + warmup):
            if cycle == warmup:
                count_requests()
                calls.clear()  # the figure is the calls of the measured cycles
                statuses.clear()
                types_start = _type_counts()
                rss_start = self_rss_bytes()
                if trace:
                    import tracemalloc

                    tracemalloc.start(TRACE_FRAMES)
                    trace_start = tracemalloc.take_snapshot()
            clock.advance(step)
            if cycle % activity_every == 0:
                _append_activity(activity, clock.now(), cycle)
            snapshot = await monitor.poll()
            if cycle % 500 == 0:
                count_requests()
            if profile_every and cycle >= warmup and (cycle - warmup) % profile_every == 0:
                state = _malloc_state()
                profile.append(f"cycle {cycle - warmup}: " + _format_state(state))
        count_requests()
        wall = time.perf_counter() - started
        traced: list[str] = []
        if trace:
            import tracemalloc

            gc.collect()  # as before the first snapshot: garbage and free lists are not growth
            diff = tracemalloc.take_snapshot().compare_to(trace_start, "traceback")
            for stat in diff[:TRACE_TOP]:
                # Frames are stored oldest first: show where it was allocated, then its callers.
                where = " <- ".join(
                    f"{Path(f.filename).name}:{f.lineno}" for f in reversed(stat.traceback[-6:])
                )
                traced.append(f"{stat.size_diff / 1024:+.0f} KiB ({stat.count_diff:+d}) {where}")
            tracemalloc.stop()
        types_end = _type_counts()
        rss_end = self_rss_bytes()
        if profile_every:
            state = _malloc_state()
            profile.append("end, after gc: " + _format_state(state))
        await monitor.aclose()
        db = paths.history_db()
        history_bytes = sum(p.stat().st_size for p in db.parent.glob(db.name + "*") if p.is_file())
        bounded = _bounded_counts(monitor)
        growing = {
            name: [types_start[name], count]
            for name, count in types_end.items()
            if count - types_start[name] > 200 and count > 1.2 * types_start[name]
        }
        unbounded = {
            name: counts
            for name, counts in growing.items()
            if counts[1] - counts[0] > bounded.get(name, 0)
        }
        clock_seconds = cycles * step
        return {
            "cycles": cycles,
            "step_s": step,
            "clock_hours": round(clock_seconds / 3600, 1),
            "wall_s": round(wall, 2),
            "ms_per_cycle": round(1000 * wall / max(1, cycles), 3),
            "rss_before_mb": round(rss_before / 1e6, 2),
            "rss_start_mb": round(rss_start / 1e6, 2),
            "rss_end_mb": round(rss_end / 1e6, 2),
            "rss_growth_mb": round((rss_end - rss_start) / 1e6, 2),
            "history_bytes": history_bytes,
            "calls": dict(calls),
            "error_statuses": dict(statuses),
            "usage_interval_s": config.poll.usage_interval,
            "expected_usage_calls": math.ceil(clock_seconds / config.poll.usage_interval),
            "growing_types": unbounded,
            "growing_but_bounded": {k: v for k, v in growing.items() if k not in unbounded},
            "structures": _structure_sizes(monitor),
            "windows_shown": len(snapshot.windows) if snapshot is not None else 0,
            "tracemalloc_top": traced,
            "memory_profile": profile,
        }
    finally:
        sim.stop()


def _bounded_deques(obj: Any) -> list[deque[Any]]:
    """Deques with a maxlen among an object's attributes (and inside its dicts)."""
    found: list[deque[Any]] = []
    for value in vars(obj).values():
        items = value.values() if isinstance(value, dict) else [value]
        found.extend(v for v in items if isinstance(v, deque) and v.maxlen is not None)
    return found


def _bounded_counts(monitor: Any) -> Counter[str]:
    """Objects held by the monitor's bounded deques: growth there stops at ``maxlen``."""
    counts: Counter[str] = Counter()
    parts = (getattr(monitor, "ledger", None), getattr(monitor, "transcripts", None))
    holders = [monitor, *(x for x in parts if x is not None)]
    for holder in holders:
        for bucket in _bounded_deques(holder):
            counts.update(type(item).__name__ for item in bucket)
    return counts


def _structure_sizes(monitor: Any) -> dict[str, int]:
    """Lengths of the monitor's collections that could grow with time."""
    sizes: dict[str, int] = {}
    for name, value in vars(monitor).items():
        if isinstance(value, dict | list | set | tuple) or hasattr(value, "__len__"):
            try:
                sizes[name] = len(value)
            except TypeError:
                continue
            if isinstance(value, dict):
                inner = [len(v) for v in value.values() if isinstance(v, dict | list | set | deque)]
                if inner:
                    sizes[name + "[*] total"] = sum(inner)
    ledger = getattr(monitor, "ledger", None)
    if ledger is not None:
        for name, value in _structure_sizes(ledger).items():
            sizes[f"ledger.{name}"] = value
    transcripts = getattr(monitor, "transcripts", None)
    if transcripts is not None:
        _lengths(transcripts, "transcripts", sizes)
    return sizes


def _lengths(owner: Any, prefix: str, sizes: dict[str, int], depth: int = 0) -> None:
    """Lengths of ``owner``'s collections, and of the transcripts objects it holds (its
    reader, the reader's hours), as ``prefix.name``."""
    for name, value in vars(owner).items():
        if hasattr(value, "__len__") and not isinstance(value, str | bytes | Path):
            try:
                sizes[f"{prefix}.{name}"] = len(value)
            except TypeError:
                continue
        elif depth < 2 and type(value).__module__.startswith("tui.sources.transcripts"):
            _lengths(value, f"{prefix}.{name}", sizes, depth + 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.day")
    parser.add_argument("--cycles", type=int, default=10_000)
    parser.add_argument("--step", type=float, default=10.0, help="clock seconds per cycle")
    parser.add_argument("--transcripts-mb", type=float, default=2.0)
    parser.add_argument("--dir", type=Path, default=None, help="work folder (kept)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="list where memory grew (slower)"
    )
    parser.add_argument(
        "--profile-every",
        type=int,
        default=0,
        help="every N measured cycles, list RSS, malloc's heap and Python's blocks",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=None,
        help=f"cycles before the first reading (default {WARMUP_CYCLES}, at most a tenth of "
        "--cycles; a value given here is taken as it is)",
    )
    args = parser.parse_args(argv)
    root = args.dir or Path(tempfile.mkdtemp(prefix="lw-bench-day-"))
    try:
        result = asyncio.run(
            run_day(
                root,
                cycles=args.cycles,
                step=args.step,
                transcripts_mb=args.transcripts_mb,
                trace=args.tracemalloc,
                profile_every=args.profile_every,
                warmup_cycles=args.warmup,
            )
        )
    finally:
        if args.dir is None:
            import shutil

            shutil.rmtree(root, ignore_errors=True)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            if isinstance(value, list):
                print(f"{key}:")
                for item in value:
                    print(f"  {item}")
            else:
                print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
