"""A seeded world whose usage percentage follows a hidden weighting of transcript tokens.

Claude Code sends requests at random moments (Opus, Sonnet, Haiku; each with input, output,
cache creation and cache read tokens); the server's five-hour percentage is a fixed, hidden
weighting of those tokens since the window began. Every ``interval`` the official number is
read (the truth plus noise, rounded to a whole percent, as the usage endpoint gives it). Between
two readings, ``Midpoint`` holds the truth and the token totals half-way: what an estimate
between polls is measured against (the estimator tests and ``bench/estimate.py``).

Pure and deterministic for a seed; imports nothing from the rest of limitwatch.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

KINDS = ("input", "output", "cache_creation", "cache_read")
MODELS = ("claude-opus-4-5", "claude-sonnet-4-5", "claude-haiku-4-5")
# Roughly what each token costs relative to a Sonnet input token: the hidden weights start
# from this and are then skewed at random, so no estimator can just know them.
_PRICE = {"input": 1.0, "output": 5.0, "cache_creation": 1.25, "cache_read": 0.1}
_MODEL_PRICE = {"claude-opus-4-5": 1.7, "claude-sonnet-4-5": 1.0, "claude-haiku-4-5": 0.33}
_MODEL_SHARE = (0.3, 0.6, 0.1)

Totals = dict[tuple[str, str], int]


@dataclass(frozen=True)
class Reading:
    """One official reading: what the endpoint said, the truth, and the tokens logged so far."""

    at: datetime
    used_percent: float
    true_percent: float
    resets_at: datetime
    totals: Totals


@dataclass(frozen=True)
class Midpoint:
    """Half-way between reading ``after`` and the next one."""

    after: int
    at: datetime
    true_percent: float
    totals: Totals


@dataclass(frozen=True)
class Request:
    """One response Claude Code logged: when, which model, tokens by kind (``KINDS``)."""

    at: datetime
    model: str
    tokens: dict[str, int]


@dataclass(frozen=True)
class WeightedUsage:
    readings: tuple[Reading, ...]
    midpoints: tuple[Midpoint, ...]
    weights: dict[tuple[str, str], float]  # percent per token, hidden from the estimator
    requests: tuple[Request, ...] = ()  # every response, oldest first (to write transcripts)


def _request(rng: random.Random) -> tuple[str, dict[str, int]]:
    model = rng.choices(MODELS, weights=_MODEL_SHARE)[0]
    tokens = {
        "input": int(rng.lognormvariate(6.5, 0.8)),
        "output": int(rng.lognormvariate(6.8, 0.9)),
        "cache_creation": int(rng.lognormvariate(8.0, 1.0)) if rng.random() < 0.4 else 0,
        "cache_read": int(rng.lognormvariate(10.5, 0.7)),
    }
    return model, tokens


def weighted_usage(
    seed: int,
    *,
    readings: int = 20,
    interval: timedelta = timedelta(minutes=5),
    percent_per_interval: float = 4.0,
    noise: float = 0.5,
    skew: float = 3.0,
    start: datetime = datetime(2026, 4, 14, 9, 0, tzinfo=UTC),
) -> WeightedUsage:
    """``readings`` official readings ``interval`` apart, the window starting at ``start``.

    Work comes in bursts (some intervals idle, some heavy) and averages about
    ``percent_per_interval`` points per interval; ``noise`` is the standard deviation, in
    points, added to each official number before rounding. Each hidden weight is its token's
    price times a factor between ``1 / skew`` and ``skew`` (log-uniform).
    """
    rng = random.Random(seed)
    weights = {
        (model, kind): _PRICE[kind] * _MODEL_PRICE[model] * skew ** rng.uniform(-1.0, 1.0)
        for model in MODELS
        for kind in KINDS
    }
    step = timedelta(seconds=20)
    steps_per_interval = int(interval / step)
    # Scale the weights so an average interval moves the window by about the target.
    sample = [_request(rng) for _ in range(400)]
    mean_cost = sum(weights[(m, k)] * n for m, toks in sample for k, n in toks.items()) / 400
    busy_rate = 0.35
    scale = percent_per_interval / (mean_cost * busy_rate * steps_per_interval)
    weights = {key: value * scale for key, value in weights.items()}

    totals: Totals = {(m, k): 0 for m in MODELS for k in KINDS}
    resets_at = start + timedelta(hours=5)
    truth = 0.0
    out: list[Reading] = []
    mids: list[Midpoint] = []
    requests: list[Request] = []
    at = start
    for index in range(readings):
        if index:
            intensity = rng.choice((0.0, 0.3, 1.0, 1.0, 2.0))  # idle, light, steady, heavy
            for k in range(steps_per_interval):
                at += step
                if rng.random() < busy_rate * intensity:
                    model, tokens = _request(rng)
                    requests.append(Request(at, model, tokens))
                    for kind, n in tokens.items():
                        totals[(model, kind)] += n
                        truth += weights[(model, kind)] * n
                if k + 1 == steps_per_interval // 2:
                    mids.append(Midpoint(index - 1, at, min(100.0, truth), dict(totals)))
        official = float(round(min(100.0, max(0.0, truth + rng.gauss(0.0, noise)))))
        out.append(Reading(at, official, min(100.0, truth), resets_at, dict(totals)))
    return WeightedUsage(tuple(out), tuple(mids), weights, tuple(requests))
