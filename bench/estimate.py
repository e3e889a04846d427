"""The estimate between polls: how far from the truth it is half-way between two polls.

In a seeded world whose five-hour percentage is a hidden weighting of the transcripts' tokens
plus noise (``tui.simulator.weighted_usage``), the estimator sees each official reading and
the token totals; half-way to the next reading its estimate is compared with the truth, from
the 12th reading on. Beside it: the error of the last official number, which is what a monitor
without an estimate shows at that moment.

    python -m bench.estimate [--seeds N]    prints the figures as JSON
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

from bench.table import Row, verdict
from tui.core.estimate import Estimator
from tui.simulator.weighted_usage import weighted_usage

AFTER_POLLS = 12
TARGET_POINTS = 3.0


def midway_errors(seed: int, after: int = AFTER_POLLS) -> tuple[list[float | None], list[float]]:
    """For one world: (estimate - truth, or None when there was no estimate) and (last
    official - truth), half-way between polls, from the ``after``-th poll on."""
    world = weighted_usage(seed)
    estimator = Estimator()
    estimates: list[float | None] = []
    stale: list[float] = []
    for index, reading in enumerate(world.readings):
        estimator.observe(
            "five_hour", reading.used_percent, reading.resets_at, reading.at, reading.totals
        )
        if index + 1 >= after and index < len(world.midpoints):
            mid = world.midpoints[index]
            got = estimator.estimate("five_hour", mid.at, mid.totals)
            estimates.append(None if got is None else got.used_percent - mid.true_percent)
            stale.append(reading.used_percent - mid.true_percent)
    return estimates, stale


def measure_estimate(seeds: int) -> dict[str, Any]:
    started = time.perf_counter()
    ours: list[float] = []
    stale: list[float] = []
    missing = 0
    for seed in range(seeds):
        estimates, last = midway_errors(seed)
        missing += sum(1 for e in estimates if e is None)
        ours.extend(abs(e) for e in estimates if e is not None)
        stale.extend(abs(s) for s in last)
    ours.sort()
    stale.sort()

    def p95(values: list[float]) -> float:
        return values[min(len(values) - 1, int(0.95 * len(values)))] if values else float("nan")

    return {
        "seeds": seeds,
        "midpoints": len(ours) + missing,
        "without_estimate": missing,
        "median": statistics.median(ours) if ours else float("nan"),
        "p95": p95(ours),
        "max": max(ours, default=float("nan")),
        "within_target": sum(1 for e in ours if e <= TARGET_POINTS),
        "stale_median": statistics.median(stale) if stale else float("nan"),
        "stale_p95": p95(stale),
        "stale_max": max(stale, default=float("nan")),
        "wall_s": round(time.perf_counter() - started, 3),
    }


def estimate_row(seeds: int) -> Row:
    """The bench row: our error beside the stale official number's, in the same worlds."""
    r = measure_estimate(seeds)
    shown = r["midpoints"] - r["without_estimate"]
    met = r["max"] <= TARGET_POINTS and shown >= 0.95 * r["midpoints"]
    return Row(
        "estimate: error half-way between polls",
        f"median {r['median']:.2f}, p95 {r['p95']:.2f}, max {r['max']:.2f} points"
        f" ({shown} of {r['midpoints']} midpoints had an estimate)",
        f"last official number: median {r['stale_median']:.2f}, p95 {r['stale_p95']:.2f},"
        f" max {r['stale_max']:.2f} ({seeds} worlds, from poll {AFTER_POLLS})",
        f"<= {TARGET_POINTS:g} points",
        verdict(met),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.estimate")
    parser.add_argument("--seeds", type=int, default=50)
    args = parser.parse_args(argv)
    print(json.dumps(measure_estimate(args.seeds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
