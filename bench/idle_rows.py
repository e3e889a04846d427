"""The idle section's rows for two accounts and for ``limitwatch export``, from the turns
``idle.measure_idle_all`` measured (every app in the same runs).

Targets where the issue gave none, chosen here: two accounts at rest cost at most 1.5x one
account's CPU (plus 0.05 point of noise) and at most 10 MB more memory (a second monitor holds
its own HTTPS client, about 7 MB with its TLS context); a scrape of /metrics answers within
50 ms (a one-minute scrape interval never notices it). The export agent's CPU at rest: no
more than the floor, as for the live view.
"""

from __future__ import annotations

from collections.abc import Callable

from bench import table
from bench.export_idle import SCRAPE_TARGET_S
from bench.table import NO_TARGET, Row, median, verdict

TWO_ACCOUNTS_CPU_TIMES = 1.5
TWO_ACCOUNTS_CPU_NOISE = 0.05
TWO_ACCOUNTS_RSS_MB = 10.0

FIGURES = (
    "idle: two accounts, CPU",
    "idle: two accounts, RSS",
    "export: idle CPU (Prometheus + OTLP)",
    "export: idle RSS",
    "export: /metrics scrape",
)

Results = dict[str, list[dict[str, float]]]


def extra_rows(results: Results, cpu_ok: Callable[[float, float], bool]) -> list[Row]:
    """``cpu_ok(ours, floor)``: the idle section's "no more than the floor" rule."""

    def med(name: str, key: str) -> float:
        return median(r[key] for r in results[name])

    def spread(name: str, key: str, fmt: Callable[[float], str]) -> str:
        values = [r[key] for r in results[name]]
        return fmt(min(values)) if len(values) == 1 else f"{fmt(min(values))}-{fmt(max(values))}"

    two = "limitwatch-two-accounts"
    one_cpu, two_cpu = med("limitwatch", "cpu_percent"), med(two, "cpu_percent")
    one_rss, two_rss = med("limitwatch", "rss_mb"), med(two, "rss_mb")
    floor_cpu, floor_rss = med("floor", "cpu_percent"), med("floor", "rss_mb")
    exp_cpu, exp_rss = med("export", "cpu_percent"), med("export", "rss_mb")
    scrape, static = med("export", "scrape_s"), med("export", "static_s")
    scrape_max = max(r["scrape_max_s"] for r in results["export"])
    size = med("export", "metrics_bytes")
    pushes = max(r["otlp_posts"] for r in results["export"])
    cpu_limit = one_cpu * TWO_ACCOUNTS_CPU_TIMES + TWO_ACCOUNTS_CPU_NOISE
    return [
        Row(
            FIGURES[0],
            f"{table.pct(two_cpu)} (runs {spread(two, 'cpu_percent', table.pct)})",
            f"one account {table.pct(one_cpu)}; floor {table.pct(floor_cpu)}",
            f"<= {TWO_ACCOUNTS_CPU_TIMES:g}x one account",
            verdict(two_cpu <= cpu_limit),
        ),
        Row(
            FIGURES[1],
            table.mb(two_rss),
            f"one account {table.mb(one_rss)}; floor {table.mb(floor_rss)}",
            f"<= one account + {TWO_ACCOUNTS_RSS_MB:g} MB",
            verdict(two_rss <= one_rss + TWO_ACCOUNTS_RSS_MB),
        ),
        Row(
            FIGURES[2],
            f"{table.pct(exp_cpu)} (runs {spread('export', 'cpu_percent', table.pct)}; "
            f"{pushes:.0f} OTLP pushes received)",
            f"floor {table.pct(floor_cpu)}; live view {table.pct(one_cpu)}",
            "<= floor",
            verdict(cpu_ok(exp_cpu, floor_cpu)),
        ),
        Row(
            FIGURES[3],
            table.mb(exp_rss),
            f"floor {table.mb(floor_rss)}; live view {table.mb(one_rss)}",
            "-",
            NO_TARGET,
        ),
        Row(
            FIGURES[4],
            f"{table.secs(scrape)} median, {table.secs(scrape_max)} max ({size / 1024:.1f} KB)",
            f"the same bytes as a static file from python -m http.server {table.secs(static)}",
            f"< {SCRAPE_TARGET_S * 1000:.0f} ms",
            verdict(scrape < SCRAPE_TARGET_S),
        ),
    ]
