"""A window's percentage between polls, calibrated against the official numbers.

The usage endpoint answers every few minutes; the transcripts grow every few seconds. For each
window, ``Estimator`` learns from consecutive official readings of the same window instance how
many points each kind of token moves it (16 weights: opus/sonnet/haiku/other x input, output,
cache creation, cache read). The fit is non-negative least squares pulled towards the public
price ratios (``fit_weights``), so a dozen readings are enough and more readings let the
weights depart from prices. Between readings the estimate is the last official number plus
the weighted tokens logged since.

Each new official number is first compared with what the estimate said at that moment (before
refitting): that error is recorded, and its running RMS is both the estimate's stated
uncertainty and the test of the fit. No estimate is given while there are too few intervals to
fit, or while the running error is large. One ``Estimator`` per account; pure (no I/O, time
given by the caller).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Protocol

from tui.core.nnls import nnls
from tui.models import Estimate
from tui.record import field, record

TokenTotals = Mapping[tuple[str, str], int]  # (model, kind) -> cumulative tokens

KINDS = ("input", "output", "cache_creation", "cache_read")
FAMILIES = ("opus", "sonnet", "haiku", "other")
FEATURES = tuple((family, kind) for family in FAMILIES for kind in KINDS)

MIN_INTERVALS = 4  # intervals with tokens in them before any estimate
MAX_ERROR = 5.0  # points: a running error above this means the fit is poor
MIN_ERRORS = 3  # recorded errors before the running error is trusted over the fit's residual
KEEP_INTERVALS = 96  # the fit uses the most recent ones (weights drift with plans and models)
KEEP_ERRORS = 6  # the running error: the last half hour at 5-minute polls
FLOOR_ERROR = 0.5  # official numbers are whole percents: never claim better than this
SAME_RESET_SECONDS = 600.0  # reset times closer than this are the same window instance
DROP_IS_RESET = 2.0  # a fall of more than this many points is a new instance


# What a token of each kind and family costs, relative to a Sonnet input token (public API
# prices). Usage limits are believed to track cost, so the fit starts from "every weighted token
# moves the window alike" and departs from it as far as the readings show.
FAMILY_PRICE = {"opus": 5 / 3, "sonnet": 1.0, "haiku": 1 / 3, "other": 1.0}
KIND_PRICE = {"input": 1.0, "output": 5.0, "cache_creation": 1.25, "cache_read": 0.1}
PRICE = tuple(FAMILY_PRICE[family] * KIND_PRICE[kind] for family, kind in FEATURES)
PRIOR_INTERVALS = 10.0  # how many intervals' worth of evidence the price prior counts for


def model_family(model: str) -> str:
    """opus, sonnet, haiku or other, from a model id such as ``claude-sonnet-4-5``."""
    name = model.lower()
    for family in FAMILIES[:3]:
        if family in name:
            return family
    return "other"


def features(totals: TokenTotals) -> tuple[float, ...]:
    """Cumulative tokens per (family, kind), in ``FEATURES`` order."""
    sums = dict.fromkeys(FEATURES, 0.0)
    for (model, kind), count in totals.items():
        key = (model_family(model), kind)
        if key in sums:
            sums[key] += float(count)
    return tuple([sums[key] for key in FEATURES])  # a list first: see ``_delta``


class TokenBlock(Protocol):
    """What ``token_totals`` needs of a transcripts ``UsageBlock``."""

    @property
    def tokens_by_model(self) -> tuple[tuple[str, int, int, int, int], ...]: ...


def token_totals(blocks: Iterable[TokenBlock]) -> dict[tuple[str, str], int]:
    """Cumulative tokens by (model, kind) over the transcripts' blocks: what ``observe`` and
    ``estimate`` take. Old blocks age out of the transcripts source; the estimator notices the
    totals going down and skips that interval."""
    totals: dict[tuple[str, str], int] = {}
    for block in blocks:
        for model, *counts in block.tokens_by_model:
            for kind, count in zip(KINDS, counts, strict=True):
                totals[(model, kind)] = totals.get((model, kind), 0) + count
    return totals


@record
class _Reading:
    at: datetime
    used_percent: float
    resets_at: datetime | None
    x: tuple[float, ...]


@record(frozen=False)
class _Fit:
    last: _Reading | None = None
    rows: deque[tuple[tuple[float, ...], float]] = field(
        default_factory=lambda: deque(maxlen=KEEP_INTERVALS)
    )
    weights: list[float] | None = None
    residual: float = math.inf  # RMS of the fit's own residuals, in points
    mean_step: float = 0.0  # mean predicted move per interval, in points
    errors: deque[float] = field(default_factory=lambda: deque(maxlen=KEEP_ERRORS))


def _same_instance(last: _Reading, used_percent: float, resets_at: datetime | None) -> bool:
    if used_percent < last.used_percent - DROP_IS_RESET:
        return False
    if last.resets_at is None or resets_at is None:
        return last.resets_at is None and resets_at is None
    return abs((resets_at - last.resets_at).total_seconds()) <= SAME_RESET_SECONDS


def _delta(now: tuple[float, ...], then: tuple[float, ...]) -> tuple[float, ...] | None:
    """Tokens logged in between; None when a total went down (the transcripts were re-read
    or pruned), which makes the interval unusable."""
    # From a list, not a generator: CPython 3.11 builds tuple(generator) at 10 items and
    # resizes it, then frees it into the free list of its final size, which thus fills up to
    # 2000 tuples a size over hours of polls (memory held until a full collection).
    delta = tuple([a - b for a, b in zip(now, then, strict=True)])
    return None if any(d < 0 for d in delta) else delta


def _dot(weights: list[float], x: tuple[float, ...]) -> float:
    return sum(w * v for w, v in zip(weights, x, strict=True))


def fit_weights(
    rows: list[tuple[tuple[float, ...], float]], prior_intervals: float = PRIOR_INTERVALS
) -> list[float]:
    """Points per token for each feature, from (tokens, points) intervals.

    In cost units (tokens x price) the weights are pulled towards one common value, the one
    that best explains the intervals' total cost, by ``prior_intervals`` intervals' worth of
    evidence per feature; non-negative least squares on the readings plus that pull.
    """
    costs = [[v * p for v, p in zip(x, PRICE, strict=True)] for x, _ in rows]
    targets = [dp for _, dp in rows]
    totals = [sum(c) for c in costs]
    energy = sum(t * t for t in totals)
    common = (
        max(0.0, sum(t * y for t, y in zip(totals, targets, strict=True)) / energy)
        if energy
        else 0.0
    )
    n = len(PRICE)
    pull_rows: list[list[float]] = []
    pull_targets: list[float] = []
    for j in range(n):
        strength = math.sqrt(prior_intervals * sum(c[j] ** 2 for c in costs) / len(costs))
        if strength > 0:
            pull_rows.append([strength if k == j else 0.0 for k in range(n)])
            pull_targets.append(strength * common)
    per_cost = nnls(costs + pull_rows, targets + pull_targets)
    return [w * p for w, p in zip(per_cost, PRICE, strict=True)]


class Estimator:
    """Per-window fits for one account. Feed it every official reading with ``observe``."""

    def __init__(
        self,
        *,
        min_intervals: int = MIN_INTERVALS,
        max_error: float = MAX_ERROR,
        prior_intervals: float = PRIOR_INTERVALS,
    ) -> None:
        self.min_intervals = min_intervals
        self.prior_intervals = prior_intervals
        self.max_error = max_error
        self._fits: dict[str, _Fit] = {}

    def observe(
        self,
        window_id: str,
        used_percent: float,
        resets_at: datetime | None,
        at: datetime,
        token_totals: TokenTotals,
    ) -> float | None:
        """Take one official reading; returns the error (estimate - official, points) it
        revealed, when there was an estimate to compare."""
        fit = self._fits.setdefault(window_id, _Fit())
        x = features(token_totals)
        last = fit.last
        if last is not None and at <= last.at:
            return None  # the same reading again, or an older one
        error: float | None = None
        if last is not None and _same_instance(last, used_percent, resets_at):
            delta = _delta(x, last.x)
            if delta is not None:
                if fit.weights is not None and self._enough(fit):
                    predicted = min(100.0, last.used_percent + _dot(fit.weights, delta))
                    error = predicted - used_percent
                    fit.errors.append(error)
                fit.rows.append((delta, used_percent - last.used_percent))
                self._refit(fit)
        fit.last = _Reading(at, float(used_percent), resets_at, x)
        return error

    def _enough(self, fit: _Fit) -> bool:
        return sum(1 for x, _ in fit.rows if any(x)) >= self.min_intervals

    def _refit(self, fit: _Fit) -> None:
        rows = list(fit.rows)
        weights = fit_weights(rows, self.prior_intervals)
        fit.weights = weights
        residuals = [_dot(weights, x) - dp for x, dp in rows]
        active = sum(1 for w in weights if w > 0)
        dof = max(1, len(rows) - active)
        fit.residual = math.sqrt(sum(r * r for r in residuals) / dof)
        fit.mean_step = sum(_dot(weights, x) for x, _ in rows) / len(rows)

    def running_error(self, window_id: str) -> float | None:
        """RMS of the recorded errors (points), or None before any was recorded."""
        fit = self._fits.get(window_id)
        if fit is None or not fit.errors:
            return None
        return math.sqrt(sum(e * e for e in fit.errors) / len(fit.errors))

    def errors(self, window_id: str) -> tuple[float, ...]:
        """The recorded errors, oldest first (estimate minus official, points)."""
        fit = self._fits.get(window_id)
        return tuple(fit.errors) if fit is not None else ()

    def _uncertainty(self, fit: _Fit) -> float | None:
        if len(fit.errors) >= MIN_ERRORS:
            base = math.sqrt(sum(e * e for e in fit.errors) / len(fit.errors))
        else:
            base = fit.residual
        if not math.isfinite(base) or base > self.max_error:
            return None  # the fit is poor: better no estimate than a wrong one
        return max(FLOOR_ERROR, base)

    def estimate(self, window_id: str, now: datetime, token_totals: TokenTotals) -> Estimate | None:
        """The window's percentage at ``now``, or None while the fit is poor, before any
        reading, after the last reading's reset time, or when the token totals went down."""
        fit = self._fits.get(window_id)
        if fit is None or fit.last is None or fit.weights is None or not self._enough(fit):
            return None
        last = fit.last
        if now < last.at or (last.resets_at is not None and now >= last.resets_at):
            return None
        base = self._uncertainty(fit)
        delta = _delta(features(token_totals), last.x)
        if base is None or delta is None:
            return None
        moved = _dot(fit.weights, delta)
        # Far more tokens than an interval usually brings (polls stopped): less certain.
        stretch = math.sqrt(moved / fit.mean_step) if fit.mean_step > 0 else 1.0
        value = max(0.0, min(100.0, last.used_percent + moved))
        return Estimate(used_percent=value, error_percent=base * max(1.0, stretch), as_of=now)
