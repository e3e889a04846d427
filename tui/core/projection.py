"""Projection: when will a window reach 100% at its recent rate? And sparkline resampling.

Only samples of the current window instance count: same ``resets_at`` (within a few minutes of
jitter), and nothing before the last visible reset (a drop of several points). The rate is a
least-squares slope over the recent span (two hours for the five-hour window, a day for weekly
ones), after trimming the idle stretch at its start, so an overnight pause doesn't dilute the
morning's burn. A window that is entirely idle, or that would reset before it fills, projects
None. Pure functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from tui.core.samples import Sample
from tui.models import window_length_seconds

SAME_INSTANCE_TOLERANCE = timedelta(minutes=5)
RESET_DROP_POINTS = 5.0  # a fall of more than this many points means the window reset
FLAT_EPSILON = 0.05  # percent points: changes below this are noise, not use

FIVE_HOUR = 5 * 3600


def lookback_for(window_length: float) -> timedelta:
    """How far back the rate is measured: 2 h for the session window, 24 h for weekly ones."""
    return timedelta(hours=2) if window_length <= FIVE_HOUR else timedelta(hours=24)


def min_span_for(window_length: float) -> timedelta:
    """The shortest stretch of samples worth extrapolating from."""
    return timedelta(minutes=5) if window_length <= FIVE_HOUR else timedelta(minutes=30)


def current_instance(
    samples: Sequence[Sample], resets_at: datetime | None, now: datetime
) -> list[Sample]:
    """The samples of the window instance that resets at ``resets_at``, oldest first."""
    kept = [s for s in samples if s.at <= now]
    if resets_at is not None:
        kept = [
            s
            for s in kept
            if s.resets_at is not None and abs(s.resets_at - resets_at) <= SAME_INSTANCE_TOLERANCE
        ]
    kept.sort(key=lambda s: s.at)
    start = 0
    peak = float("-inf")
    for i, s in enumerate(kept):
        if s.used_percent < peak - RESET_DROP_POINTS:
            start = i
            peak = s.used_percent
        else:
            peak = max(peak, s.used_percent)
    return kept[start:]


def _slope_per_second(points: Sequence[tuple[float, float]]) -> float:
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_p = sum(p for _, p in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var <= 0:
        return 0.0
    cov = sum((t - mean_t) * (p - mean_p) for t, p in points)
    return cov / var


def project_full_at(
    samples: Sequence[Sample],
    resets_at: datetime | None,
    now: datetime,
    *,
    window_id: str | None = None,
) -> datetime | None:
    """When the window reaches 100% at the recent rate, or None.

    None when: too few samples or too short a span, no rise (idle), already full, or full
    would come at or after ``resets_at``. ``window_id`` picks the lookback; without it the
    window is taken as a five-hour one when it resets within five hours.
    """
    if window_id is not None:
        length = float(window_length_seconds(window_id))
    elif resets_at is not None and resets_at - now <= timedelta(seconds=FIVE_HOUR):
        length = float(FIVE_HOUR)
    else:
        length = float(window_length_seconds("seven_day"))
    instance = current_instance(samples, resets_at, now)
    if len(instance) < 2:
        return None
    last = instance[-1]
    if last.used_percent >= 100.0:
        return None
    recent = [s for s in instance if s.at >= last.at - lookback_for(length)]
    # Trim the idle stretch at the start: keep only its last sample as the anchor.
    first_value = recent[0].used_percent
    begin = 0
    for i, s in enumerate(recent):
        if abs(s.used_percent - first_value) > FLAT_EPSILON:
            break
        begin = i
    else:
        return None  # entirely idle
    recent = recent[begin:]
    if len(recent) < 2 or recent[-1].at - recent[0].at < min_span_for(length):
        return None
    origin = recent[0].at
    points = [((s.at - origin).total_seconds(), s.used_percent) for s in recent]
    rate = _slope_per_second(points)
    if rate <= 0:
        return None
    full_at = last.at + timedelta(seconds=(100.0 - last.used_percent) / rate)
    if resets_at is not None and full_at >= resets_at:
        return None
    return full_at


def sparkline(
    samples: Sequence[Sample], now: datetime, *, span: timedelta, points: int = 24
) -> tuple[float, ...]:
    """``used_percent`` resampled to ``points`` evenly spaced moments over the last ``span``.

    Each point is the last value seen at or before its moment; moments before the first sample
    are left out, so a short history gives a shorter line rather than invented zeros.
    """
    ordered = sorted((s for s in samples if s.at <= now), key=lambda s: s.at)
    if not ordered or points < 1:
        return ()
    step = span / points
    out: list[float] = []
    idx = -1
    for k in range(points):
        moment = now - span + step * (k + 1)
        while idx + 1 < len(ordered) and ordered[idx + 1].at <= moment:
            idx += 1
        if idx >= 0:
            out.append(round(ordered[idx].used_percent, 2))
    return tuple(out)
