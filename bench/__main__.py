"""``python -m bench``: what limitwatch costs, each figure beside its comparison, one table.

    python -m bench                       the full run (several minutes; RESULTS.md figures)
    python -m bench --smoke               tiny sizes, a few seconds (CI): checks that it runs
    python -m bench --only idle,startup   some sections only
    options: --runs N  --idle-seconds N  --transcripts-mb N  --day-cycles N

Every figure is a median over ``--runs`` runs, measured in the same run as its comparison.
Exit status: 0 when every target is met (smoke: whenever everything ran), 1 when a target was
missed (full run only), 2 when a measurement could not be made at all.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bench import idle_rows, status_rows, table
from bench.peers import Peer, find_ccusage, find_claude_monitor
from bench.sandbox import REPO, World, generate_transcripts, make_world, temp_root
from bench.table import ERROR, MISSED, NO_TARGET, Row, median, verdict

SECTIONS = ("startup", "status", "idle", "day", "transcripts", "estimate")
# Startup targets are ratios to a comparison measured in the same run (issue 19): the
# machine's speed drifts, a ratio does not.
FIRST_FRAME_TARGET_RATIO = 1.5  # x the bare Textual app's first frame
STATUS_TARGET_RATIO = 5.0  # x `python -c pass`
DAY_RSS_GROWTH_TARGET_MB = 2.0
# Idle RSS must not grow with the transcript tree: beyond the data it keeps (a few hours of
# per-hour totals), the same as the same user with no transcripts at all.
RSS_NOISE_MB = 3.0
INCREMENTAL_TARGET_S = 0.020
FIRST_SCAN_TIMES_CCUSAGE = 2.0  # the first scan at least twice as fast as ccusage's native one
IDLE_NOISE = 0.10  # CPU within 10% of the floor counts as "no more than the floor"


@dataclass
class Settings:
    smoke: bool
    runs: int
    idle_seconds: float
    transcripts_mb: float
    day_cycles: int
    settle_max: float
    only: tuple[str, ...]


@dataclass
class Context:
    settings: Settings
    world: World
    ccusage: Peer
    claude_monitor: Peer
    generated: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def cwd(self) -> str:
        return str(REPO)


def progress(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes; never fails on targets")
    parser.add_argument("--only", default="", help="comma-separated: " + ",".join(SECTIONS))
    parser.add_argument("--runs", type=int, default=None, help="runs per figure (median)")
    parser.add_argument("--idle-seconds", type=float, default=None)
    parser.add_argument("--transcripts-mb", type=float, default=None)
    parser.add_argument("--day-cycles", type=int, default=None)
    args = parser.parse_args(argv)
    only = tuple(s.strip() for s in args.only.split(",") if s.strip()) or SECTIONS
    unknown = [s for s in only if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    smoke = args.smoke

    def pick(value: Any, small: Any, full: Any) -> Any:
        return value if value is not None else (small if smoke else full)

    return Settings(
        smoke=smoke,
        runs=max(1, pick(args.runs, 1, 3)),
        idle_seconds=pick(args.idle_seconds, 2.0, 60.0),
        transcripts_mb=pick(args.transcripts_mb, 1.0, 500.0),
        day_cycles=pick(args.day_cycles, 300, 10_000),
        settle_max=3.0 if smoke else 60.0,
        only=only,
    )


# -- sections ------------------------------------------------------------------------------


def section_startup(ctx: Context) -> list[Row]:
    from bench.startup import measure_startup

    progress("startup: first frame and status --json")
    r = measure_startup(ctx.world, runs=ctx.settings.runs, cwd=ctx.cwd)
    frame = median(r["first_frame_s"])
    floor = median(r["floor_first_frame_s"])
    status = median(r["status_s"])
    bare = median(r["python_bare_s"])
    httpx = median(r["python_httpx_s"])
    imports = r["imports"]
    heavy = ", ".join(imports["heavy_loaded"]) or "none"
    top = ", ".join(f"{n} {ms} ms" for n, ms in imports["top_imports_ms"])
    ctx.notes.append(f"status --json loads: {heavy}; costliest imports: {top}")
    frame_ratio = frame / floor if floor > 0 else float("inf")
    status_ratio = status / bare if bare > 0 else float("inf")
    frames = ", ".join(table.secs(s) for s in sorted(r["first_frame_s"]))
    floors = ", ".join(table.secs(s) for s in sorted(r["floor_first_frame_s"]))
    ctx.notes.append(f"first frames: limitwatch {frames}; bare Textual app {floors}")
    statuses = ", ".join(table.secs(s) for s in sorted(r["status_s"]))
    bares = ", ".join(table.secs(s) for s in sorted(r["python_bare_s"]))
    ctx.notes.append(f"status --json runs: {statuses}; python -c pass: {bares}")
    return [
        Row(
            "startup: first frame, 100x30",
            f"{table.secs(frame)} ({frame_ratio:.2f}x)",
            f"bare Textual app {table.secs(floor)}",
            f"<= {FIRST_FRAME_TARGET_RATIO:g}x bare app",
            verdict(frame_ratio <= FIRST_FRAME_TARGET_RATIO),
        ),
        Row(
            "startup: status --json, warm cache",
            f"{table.secs(status)} ({status_ratio:.1f}x)",
            f"python -c pass {table.secs(bare)}; import httpx {table.secs(httpx)}",
            f"<= {STATUS_TARGET_RATIO:g}x python -c pass",
            verdict(status_ratio <= STATUS_TARGET_RATIO),
        ),
    ]


def section_idle(ctx: Context) -> list[Row]:
    from bench.idle import measure_idle_all

    s = ctx.settings
    results = measure_idle_all(
        ctx.world,
        ctx.claude_monitor,
        runs=s.runs,
        seconds=s.idle_seconds,
        settle_max=s.settle_max,
        cwd=ctx.cwd,
        smoke=s.smoke,
        progress=progress,
    )

    def med(name: str, key: str) -> float:
        return median(r[key] for r in results[name])

    cm = "claude-monitor" in results
    cm_why = ctx.claude_monitor.why_not
    cpu, floor_cpu = med("limitwatch", "cpu_percent"), med("floor", "cpu_percent")
    rss, floor_rss = med("limitwatch", "rss_mb"), med("floor", "rss_mb")
    bare_rss = med("limitwatch-no-tree", "rss_mb")
    out, floor_out = med("limitwatch", "out_bytes_per_s"), med("floor", "out_bytes_per_s")

    def beside(floor_text: str, key: str, fmt: Callable[[float], str]) -> str:
        other = fmt(med("claude-monitor", key)) if cm else cm_why
        return f"floor {floor_text}; claude-monitor {other}"

    label = f"{s.idle_seconds:.0f} s, {s.transcripts_mb:g} MB tree"
    ctx.notes.append(f"idle: each app watched {label} after settling, {s.runs} run(s)")
    return [
        Row(
            "idle: CPU (% of one core)",
            table.pct(cpu),
            beside(table.pct(floor_cpu), "cpu_percent", table.pct),
            "<= floor",
            verdict(_no_more_than_floor(cpu, floor_cpu)),
        ),
        Row(
            "idle: RSS",
            table.mb(rss),
            f"no transcripts {table.mb(bare_rss)}; "
            + beside(table.mb(floor_rss), "rss_mb", table.mb),
            "same as with no tree",
            verdict(rss <= bare_rss * (1 + IDLE_NOISE) + RSS_NOISE_MB),
        ),
        Row(
            "idle: bytes drawn per second",
            f"{out:.0f} B/s",
            beside(f"{floor_out:.0f} B/s", "out_bytes_per_s", lambda v: f"{v:.0f} B/s"),
            "-",
            NO_TARGET,
        ),
        *idle_rows.extra_rows(results, _no_more_than_floor),
    ]


def _no_more_than_floor(cpu: float, floor_cpu: float) -> bool:
    return cpu <= floor_cpu * (1 + IDLE_NOISE) + 0.02


def section_status(ctx: Context) -> list[Row]:
    from bench.status_rows import status_rows

    progress("status: status --json warm, a doubled transcript tree and two accounts")
    return status_rows(ctx.world, runs=ctx.settings.runs, cwd=ctx.cwd, notes=ctx.notes)


def section_day(ctx: Context) -> list[Row]:
    import json
    import subprocess

    s = ctx.settings
    progress(f"day: {s.day_cycles} poll cycles on an accelerated clock")
    root = temp_root("lw-bench-day-")
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.day",
                "--json",
                "--cycles",
                str(s.day_cycles),
                "--transcripts-mb",
                "1" if s.smoke else "5",
                "--dir",
                str(root),
            ],
            env=ctx.world.env,
            cwd=ctx.cwd,
            capture_output=True,
            text=True,
            timeout=3600,
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "failed")
    r = json.loads(done.stdout.strip().splitlines()[-1])
    growth = r["rss_growth_mb"]
    usage = r["calls"].get("usage", 0)
    expected = r["expected_usage_calls"]
    others = ", ".join(f"{k} {v}" for k, v in sorted(r["calls"].items()) if k != "usage")
    growing = r["growing_types"]
    grow_text = ", ".join(f"{k} {a}->{b}" for k, (a, b) in growing.items()) or "none"
    bounded = r.get("growing_but_bounded") or {}
    if bounded:
        ctx.notes.append(
            "day: grew but held in deques with a maxlen (bounded): "
            + ", ".join(f"{k} {a}->{b}" for k, (a, b) in bounded.items())
        )
    errors = ", ".join(f"{k}: {v}" for k, v in r["error_statuses"].items())
    if errors:
        ctx.notes.append(f"day: error answers during the day: {errors}")
    ctx.notes.append(
        f"day: {r['cycles']} cycles x {r['step_s']:g} s = {r['clock_hours']} h of clock in "
        f"{r['wall_s']} s ({r['ms_per_cycle']} ms per cycle); monitor structures at the end: "
        + ", ".join(f"{k}={v}" for k, v in r["structures"].items() if not k.startswith("base"))
    )
    return [
        Row(
            "day: RSS start -> end",
            f"{r['rss_start_mb']:.1f} -> {r['rss_end_mb']:.1f} MB ({growth:+.2f})",
            f"{r['cycles']} cycles, {r['clock_hours']} h",
            f"growth < {DAY_RSS_GROWTH_TARGET_MB:g} MB",
            verdict(growth < DAY_RSS_GROWTH_TARGET_MB),
        ),
        Row(
            "day: object types still growing",
            grow_text,
            "gc census after warm-up vs end",
            "none",
            verdict(not growing),
        ),
        Row(
            "day: history file",
            f"{r['history_bytes'] / 1e6:.2f} MB",
            f"{r['clock_hours']} h of samples",
            "-",
            NO_TARGET,
        ),
        Row(
            "day: usage calls",
            str(usage),
            f"1 per {r['usage_interval_s']} s = {expected}; other calls: {others or 'none'}",
            "1 per interval",
            verdict(expected - 1 <= usage <= expected + 1),
        ),
    ]


def section_transcripts(ctx: Context) -> list[Row]:
    from bench.scan import expected_tokens, measure_transcripts

    s = ctx.settings
    peers = [ctx.ccusage, ctx.claude_monitor]
    r = measure_transcripts(ctx.world, peers, runs=s.runs, cwd=ctx.cwd, progress=progress)
    ours = r["ours"]
    mb = median(o["first_scan_mb"] for o in ours)
    incremental = median(o["incremental_s"] for o in ours)
    read = median(o["incremental_bytes_read"] for o in ours)
    appended = median(o["appended_bytes"] for o in ours)

    def peer_text(source: dict[str, list[float]], with_rate: bool) -> str:
        parts = []
        for peer in peers:
            if peer.name in source:
                t = median(source[peer.name])
                extra = f" = {mb / t:.0f} MB/s" if with_rate and t > 0 else ""
                parts.append(f"{peer.name} {table.secs(t)}{extra}")
            else:
                parts.append(f"{peer.name} {peer.why_not}")
        return "; ".join(parts)

    tokens = r["tokens"]
    truth = expected_tokens(ctx.generated)
    ours_total = tokens["limitwatch"]["total"]
    token_parts = [f"generator {truth['total']:,}"]
    for peer in peers:
        if peer.name in tokens:
            token_parts.append(f"{peer.name} {tokens[peer.name]['total']:,}")
        else:
            token_parts.append(f"{peer.name} {peer.why_not}")
    _explain_tokens(ctx, truth, tokens)
    return [
        _first_scan_row(ctx, "transcripts: first scan", r, peer_text(r["peer_first_s"], True)),
        Row(
            "transcripts: refresh after 10 KB append",
            f"{table.secs(incremental)} ({read:.0f} B read of {appended:.0f} B appended)",
            peer_text(r["peer_after_append_s"], False),
            f"< {INCREMENTAL_TARGET_S * 1000:.0f} ms",
            verdict(incremental < INCREMENTAL_TARGET_S),
        ),
        Row(
            "transcripts: token total",
            f"{ours_total:,}",
            "; ".join(token_parts),
            "= generator",
            verdict(ours_total == truth["total"]),
        ),
        _first_scan_type_after_message(ctx),
    ]


def _first_scan_type_after_message(ctx: Context) -> Row:
    """The first scan again on a tree of the same size whose rows put "type" after "message"
    (valid JSON, another key order): the scan's speed must not depend on it."""
    from bench.scan import measure_first_scans

    world = ctx.world
    kept = world.projects.with_name("projects.claude_code")
    world.projects.rename(kept)
    try:
        progress("transcripts: a tree with type after message")
        generate_transcripts(world, ctx.settings.transcripts_mb, layout="type_after_message")
        r = measure_first_scans(
            world, [ctx.ccusage], runs=ctx.settings.runs, cwd=ctx.cwd, progress=progress
        )
    finally:
        shutil.rmtree(world.projects, ignore_errors=True)
        kept.rename(world.projects)
    mb = median(o["first_scan_mb"] for o in r["ours"])
    cc = r["peer_first_s"].get("ccusage")
    if cc:
        cc_s = median(cc)
        peer = f"ccusage {table.secs(cc_s)} = {mb / cc_s:.0f} MB/s"
    else:
        peer = f"ccusage {ctx.ccusage.why_not}"
    return _first_scan_row(ctx, "transcripts: first scan, type after message", r, peer)


def _first_scan_row(ctx: Context, figure: str, r: dict[str, Any], peers: str) -> Row:
    """A first-scan row: our median rate beside the peers', the target against ccusage's
    median in the same run; the ranges and CPU times go to the notes."""
    ours = r["ours"]
    mb = median(o["first_scan_mb"] for o in ours)
    times = [o["first_scan_s"] for o in ours]
    first = median(times)
    rate = mb / first if first > 0 else float("inf")
    processes = _processes(max(o.get("processes", 1) for o in ours))
    cc = r["peer_first_s"].get("ccusage")
    ours_cpu = [o.get("first_scan_cpu_s", 0.0) for o in ours]
    if cc:
        cc_cpu = r.get("peer_first_cpu_s", {}).get("ccusage", [])
        ctx.notes.append(
            f"{figure}: limitwatch {_range(times)} (CPU {_range(ours_cpu)}, helpers included), "
            f"ccusage {_range(cc)} (CPU {_range(cc_cpu)}); ccusage / limitwatch "
            f"{median(cc) / first:.2f}x wall, {median(cc_cpu) / median(ours_cpu):.2f}x CPU"
        )
    return Row(
        figure,
        f"{rate:.0f} MB/s ({table.secs(first)} for {mb:.0f} MB, {processes})",
        peers,
        f">= {FIRST_SCAN_TIMES_CCUSAGE:g}x ccusage (native)",
        verdict(first * FIRST_SCAN_TIMES_CCUSAGE <= median(cc)) if cc else "n/a: no ccusage",
    )


def _range(values: list[float]) -> str:
    if not values:
        return "n/a"
    low, high = min(values), max(values)
    return table.secs(low) if low == high else f"{table.secs(low)}-{table.secs(high)}"


def _explain_tokens(ctx: Context, truth: dict[str, int], tokens: dict[str, Any]) -> None:
    for name, counts in tokens.items():
        if counts.get("total") == truth["total"]:
            continue
        diffs = [
            f"{key} {counts[key] - truth[key]:+,}"
            for key in ("input", "output", "cache_creation", "cache_read")
            if key in counts and counts[key] != truth[key]
        ]
        detail = ", ".join(diffs) if diffs else "per-kind split not reported"
        ctx.notes.append(
            f"tokens: {name} counts {counts.get('total', 0):,} vs the generator's "
            f"{truth['total']:,} ({detail})"
        )


def section_estimate(ctx: Context) -> list[Row]:
    from bench.estimate import estimate_row

    progress("estimate: half-way between polls, seeded worlds")
    return [estimate_row(seeds=5 if ctx.settings.smoke else 50)]


RUNNERS: dict[str, Callable[[Context], list[Row]]] = {
    "startup": section_startup,
    "status": section_status,
    "idle": section_idle,
    "day": section_day,
    "transcripts": section_transcripts,
    "estimate": section_estimate,
}

FIGURES = {
    "startup": ("startup: first frame, 100x30", "startup: status --json, warm cache"),
    "status": (status_rows.DOUBLED_FIGURE, status_rows.TWO_ACCOUNTS_FIGURE),
    "idle": (
        "idle: CPU (% of one core)",
        "idle: RSS",
        "idle: bytes drawn per second",
        *idle_rows.FIGURES,
    ),
    "day": (
        "day: RSS start -> end",
        "day: object types still growing",
        "day: history file",
        "day: usage calls",
    ),
    "transcripts": (
        "transcripts: first scan",
        "transcripts: refresh after 10 KB append",
        "transcripts: token total",
        "transcripts: first scan, type after message",
    ),
    "estimate": ("estimate: error half-way between polls",),
}


# -- the run -------------------------------------------------------------------------------


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        import textual

        textual_version = getattr(textual, "__version__", "?")
    except ImportError:
        textual_version = "missing"
    return (
        f"{model}, {os.cpu_count()} cores, Linux {platform.release()}, "
        f"Python {platform.python_version()}, Textual {textual_version}"
    )


def run(settings: Settings) -> int:
    from tui.simulator import SIM_API_KEY, SIM_OAUTH_TOKEN, Simulator

    started = time.perf_counter()
    progress("looking for peers (ccusage, claude-monitor)")
    ccusage, claude_monitor = find_ccusage(), find_claude_monitor()
    rows: list[Row] = []
    notes: list[str] = []
    root = temp_root("lw-bench-")
    sim = Simulator("healthy").start()
    try:
        world = make_world(
            root, base_url=sim.base_url, oauth_token=SIM_OAUTH_TOKEN, api_key=SIM_API_KEY
        )
        generated: dict[str, Any] = {}
        if set(settings.only) & {"startup", "status", "idle", "transcripts"}:
            progress(f"generating a {settings.transcripts_mb:g} MB transcript tree")
            generated = generate_transcripts(world, settings.transcripts_mb)
            if generated.get("normalized"):
                notes.append(
                    "the generated tree was normalised by the bench: "
                    f"{generated['normalized']} (see bench/README.md)"
                )
        ctx = Context(settings, world, ccusage, claude_monitor, generated, notes)
        for name in SECTIONS:
            if name not in settings.only:
                continue
            try:
                rows.extend(RUNNERS[name](ctx))
            except Exception as exc:
                progress(f"{name} failed:\n{traceback.format_exc()}")
                for figure in FIGURES[name]:
                    rows.append(Row(figure, f"error: {exc}"[:120], "-", "-", ERROR))
    finally:
        sim.stop()
        shutil.rmtree(root, ignore_errors=True)
    mode = "smoke" if settings.smoke else "full"
    print(
        f"limitwatch bench ({mode}, {settings.runs} run(s) per figure, medians), "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    print(f"machine: {machine()}")
    for peer in (ccusage, claude_monitor):
        state = f"{peer.version or 'installed'}" if peer.available else peer.why_not
        print(f"peer {peer.name}: {state}")
    print()
    print(table.render(rows))
    if notes:
        print()
        for note in notes:
            print(f"- {note}")
    print(f"\n({time.perf_counter() - started:.0f} s)")
    if any(row.verdict == ERROR for row in rows):
        return 2
    if not settings.smoke and any(row.verdict == MISSED for row in rows):
        return 1
    return 0


def _processes(count: int) -> str:
    return f"{count} process" if count == 1 else f"{count} processes"


def main(argv: list[str] | None = None) -> int:
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
