"""Window views and edge-triggered alerts.

``build_view`` gives a window its level (``core.levels``, the one rule) and adds what history
knows (projection, sparkline) and pace. ``AlertTracker`` says each thing once: one alert per
upward crossing, re-armed only when the percentage fell back below the threshold by a margin or
the window reset. Pure logic; no Textual, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo

from tui.config import Thresholds
from tui.core.levels import effective_percent, max_level, window_level
from tui.core.pace import Pace, duration_words, pace, when_words
from tui.core.projection import lookback_for, project_full_at, sparkline
from tui.core.samples import Sample
from tui.models import LEVEL_ORDER, Alert, Level, Window, WindowView, window_length_seconds
from tui.record import record, replace

__all__ = [
    "AlertTracker",
    "Pace",
    "build_view",
    "history_since",
    "pace",
    "project_full_at",
    "sparkline_span",
]

HYSTERESIS_POINTS = 2.0
RESET_TOLERANCE = timedelta(minutes=5)
SPARKLINE_POINTS = 24
# A projection only alerts when the window would fill at least this share of its length early.
PROJECTION_MIN_LEAD_SHARE = 0.05


def sparkline_span(window_id: str) -> timedelta:
    """How much time the sparkline beside a bar covers: 5 h for the session, 24 h for weekly."""
    if window_length_seconds(window_id) <= 5 * 3600:
        return timedelta(hours=5)
    return timedelta(hours=24)


def history_since(window_id: str, now: datetime) -> datetime:
    """How far back ``History.samples`` should read for ``build_view`` (sparkline and rate)."""
    rate_span = lookback_for(float(window_length_seconds(window_id)))
    return now - max(sparkline_span(window_id), rate_span)


def _with_current(window: Window, samples: Sequence[Sample]) -> list[Sample]:
    """The samples plus the window's own reading when it is newer than all of them."""
    merged = list(samples)
    if window.used_percent is not None and (not merged or window.observed_at > merged[-1].at):
        merged.append(
            Sample(
                at=window.observed_at,
                used_percent=window.used_percent,
                resets_at=window.resets_at,
                source=window.source,
            )
        )
    return merged


def build_view(
    window: Window,
    thresholds: Thresholds,
    samples: Sequence[Sample],
    now: datetime,
    *,
    stale_after: float,
    tz: tzinfo | None = None,
) -> WindowView:
    """A window with its level, staleness, projection, pace message and sparkline."""
    level = window_level(window, thresholds)
    stale = (now - window.observed_at).total_seconds() > stale_after
    merged = sorted(_with_current(window, samples), key=lambda s: s.at)
    projected = None
    if level not in ("exhausted", "unknown") and not window.not_started:
        projected = project_full_at(merged, window.resets_at, now, window_id=window.id)
    found = pace(window, now, tz=tz)
    line = sparkline(merged, now, span=sparkline_span(window.id), points=SPARKLINE_POINTS)
    return WindowView(
        window=window,
        level=level,
        stale=stale,
        projected_full_at=projected,
        pace_message=found.message if found is not None and found.warns else None,
        sparkline=line,
        pace_text=found.message if found is not None else None,
    )


# -- alerts -----------------------------------------------------------------------------------


def _percent_words(value: float) -> str:
    return f"{value:.0f}%" if abs(value - round(value)) < 0.05 else f"{value:.1f}%"


def _resets_words(window: Window, now: datetime, tz: tzinfo | None) -> str:
    if window.resets_at is None:
        return ""
    return f", resets {when_words(window.resets_at, now, tz=tz).removeprefix('at ')}"


def threshold_message(
    window: Window, level: Level, thresholds: Thresholds, now: datetime, tz: tzinfo | None = None
) -> str:
    """E.g. "Weekly at 76% (warning at 75%), resets Thu 09:00"."""
    resets = _resets_words(window, now, tz)
    percent = effective_percent(window)
    status = (window.server_status or "").lower()
    if level == "exhausted":
        if percent is not None and percent >= 100.0:
            return f"{window.label} is used up ({_percent_words(percent)}){resets}"
        return f"{window.label} limit reached: the server is refusing requests{resets}"
    if percent is None:
        return f"{window.label}: the server warns this limit is getting close{resets}"
    limit = thresholds.critical if level == "critical" else thresholds.warning
    if level in ("warning", "critical") and percent < limit and status == "allowed_warning":
        return (
            f"{window.label} at {_percent_words(percent)}: "
            f"the server warns this limit is getting close{resets}"
        )
    return (
        f"{window.label} at {_percent_words(percent)} ({level} at {_percent_words(limit)}){resets}"
    )


def _projection_lead_ok(view: WindowView) -> bool:
    window = view.window
    if view.projected_full_at is None or window.resets_at is None:
        return False
    lead = (window.resets_at - view.projected_full_at).total_seconds()
    return lead >= PROJECTION_MIN_LEAD_SHARE * window_length_seconds(window.id)


def projection_message(view: WindowView, now: datetime, tz: tzinfo | None = None) -> str:
    """E.g. "5-hour session: at the current rate full at 13:40, 1 h 20 min before the reset"."""
    window = view.window
    assert view.projected_full_at is not None and window.resets_at is not None
    when = when_words(view.projected_full_at, now, tz=tz)
    lead = duration_words((window.resets_at - view.projected_full_at).total_seconds())
    return f"{window.label}: at the current rate full {when}, {lead} before the reset"


@record(frozen=False)
class _WindowState:
    resets_at: datetime | None
    notified: int  # LEVEL_ORDER of the highest level told in this instance (armed above it)
    forecast_told: bool = False  # a pace or projection alert was given in this instance
    forecast_level: int = 0  # LEVEL_ORDER of that forecast: a crossing to it is not news again


ThresholdSource = Thresholds | Callable[[str], Thresholds]


class AlertTracker:
    """Edge-triggered alerts with hysteresis, per window id.

    ``thresholds`` is one ``Thresholds`` or a function from window id to thresholds
    (``config.thresholds_for``); it may be replaced at any time (thresholds editor).
    Pace and projection share one "running out early" alert per window instance, so the
    user is told about it once, whichever notices first.
    """

    def __init__(
        self,
        thresholds: ThresholdSource | None = None,
        *,
        hysteresis: float = HYSTERESIS_POINTS,
        tz: tzinfo | None = None,
    ) -> None:
        self.thresholds: ThresholdSource = thresholds if thresholds is not None else Thresholds()
        self.hysteresis = hysteresis
        self.tz = tz
        self._state: dict[str, _WindowState] = {}

    def thresholds_for(self, window_id: str) -> Thresholds:
        if isinstance(self.thresholds, Thresholds):
            return self.thresholds
        return self.thresholds(window_id)

    def _rearm_level(self, view: WindowView, thresholds: Thresholds) -> int:
        """The level the window would have if it were ``hysteresis`` points higher."""
        window = view.window
        bumped = window
        if window.used_percent is not None:
            bumped = replace(window, used_percent=window.used_percent + self.hysteresis)
        if window.surpassed_threshold is not None:
            bumped = replace(
                bumped, surpassed_threshold=window.surpassed_threshold + self.hysteresis / 100.0
            )
        level = window_level(bumped, thresholds)
        return max(LEVEL_ORDER[level], LEVEL_ORDER[view.level])

    def update(self, views: Sequence[WindowView], now: datetime) -> list[Alert]:
        """New alerts since the last call: upward crossings and first forecasts only."""
        alerts: list[Alert] = []
        for view in views:
            window = view.window
            if view.level == "unknown":
                continue
            state = self._state.get(window.id)
            if state is None or self._has_reset(state, window):
                state = _WindowState(resets_at=window.resets_at, notified=LEVEL_ORDER["ok"])
                self._state[window.id] = state
            elif window.resets_at is not None:
                state.resets_at = window.resets_at
            thresholds = self.thresholds_for(window.id)
            state.notified = min(state.notified, self._rearm_level(view, thresholds))
            current = LEVEL_ORDER[view.level]
            if current > state.notified and current >= LEVEL_ORDER["warning"]:
                state.notified = current
                if current > state.forecast_level:  # else a forecast already said this level
                    text = threshold_message(window, view.level, thresholds, now, self.tz)
                    alerts.append(Alert(window.id, view.level, "threshold", text, now))
            if not state.forecast_told and view.level != "exhausted":
                forecast = self._forecast(view, now)
                if forecast is not None:
                    state.forecast_told = True
                    state.forecast_level = LEVEL_ORDER[forecast.level]
                    alerts.append(forecast)
        return alerts

    def _has_reset(self, state: _WindowState, window: Window) -> bool:
        if state.resets_at is None or window.resets_at is None:
            return False
        return window.resets_at > state.resets_at + RESET_TOLERANCE

    def _forecast(self, view: WindowView, now: datetime) -> Alert | None:
        level = max_level(view.level, "warning")
        window = view.window
        if view.pace_message is not None:
            text = f"{window.label}: {view.pace_message}"
            return Alert(window.id, level, "pace", text, now)
        if _projection_lead_ok(view):
            return Alert(
                window.id, level, "projection", projection_message(view, now, self.tz), now
            )
        return None

    def active(self, views: Sequence[WindowView]) -> list[Alert]:
        """Every alert in force now (for ``status --json``), without edge logic."""
        alerts: list[Alert] = []
        for view in views:
            window = view.window
            at = window.observed_at
            if LEVEL_ORDER[view.level] >= LEVEL_ORDER["warning"]:
                thresholds = self.thresholds_for(window.id)
                text = threshold_message(window, view.level, thresholds, at, self.tz)
                alerts.append(Alert(window.id, view.level, "threshold", text, at))
            if view.level == "exhausted":
                continue
            level = max_level(view.level, "warning")
            if view.pace_message is not None:
                text = f"{window.label}: {view.pace_message}"
                alerts.append(Alert(window.id, level, "pace", text, at))
            if _projection_lead_ok(view):
                text = projection_message(view, at, self.tz)
                alerts.append(Alert(window.id, level, "projection", text, at))
        return alerts
