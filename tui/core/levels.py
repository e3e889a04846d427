"""One rule for levels: every bar (windows, extra usage, rate limits), alerts and exit codes.

``window_level`` turns a window and its thresholds into ok / warning / critical / exhausted /
unknown, counting the server's own signals (unified ``status`` and ``surpassed-threshold``);
``percent_level`` does the same for a plain percentage (extra usage, per-minute limits); the
exit code of ``limitwatch status`` is the worst of those levels. Pure; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable

from tui.config import Thresholds
from tui.models import LEVEL_ORDER, ExtraUsage, Level, RateLimit, Window

EXIT_OK = 0
EXIT_WARNING = 10
EXIT_CRITICAL = 11
EXIT_NO_DATA = 20


def max_level(a: Level, b: Level) -> Level:
    return a if LEVEL_ORDER[a] >= LEVEL_ORDER[b] else b


def percent_level(percent: float | None, thresholds: Thresholds) -> Level:
    """exhausted at 100% or more; critical / warning from the thresholds; unknown without a
    number."""
    if percent is None or percent != percent:
        return "unknown"
    if percent >= 100.0:
        return "exhausted"
    if percent >= thresholds.critical:
        return "critical"
    if percent >= thresholds.warning:
        return "warning"
    return "ok"


def effective_percent(window: Window) -> float | None:
    """The window's percentage, raised to the server's surpassed threshold when that is higher."""
    values = []
    if window.used_percent is not None:
        values.append(window.used_percent)
    if window.surpassed_threshold is not None:
        values.append(window.surpassed_threshold * 100.0)
    return max(values) if values else None


def window_level(window: Window, thresholds: Thresholds) -> Level:
    """The level of one window under ``thresholds``.

    exhausted: 100% or more, or the server rejected requests. ok: a window not started yet.
    unknown: no percentage and no server signal. ``allowed_warning`` means at least warning;
    ``surpassed_threshold`` (a fraction) counts as a percentage; a bare ``allowed`` with no
    percentage is ok (the server said so).
    """
    status = (window.server_status or "").lower()
    percent = effective_percent(window)
    if status == "rejected" or (percent is not None and percent >= 100.0):
        return "exhausted"
    if window.not_started:
        return "ok"
    if percent is None:
        if status == "allowed_warning":
            return "warning"
        if status == "allowed":
            return "ok"
        return "unknown"
    level = percent_level(percent, thresholds)
    if status == "allowed_warning":
        level = max_level(level, "warning")
    return level


def extra_usage_level(extra: ExtraUsage, thresholds: Thresholds) -> Level:
    """Extra usage off, or with no cap: no level of its own (unknown / ok)."""
    if not extra.enabled:
        return "unknown"
    if extra.limit is None:
        return "ok"
    percent = extra.used_percent
    if percent is None and extra.used is not None and extra.limit > 0:
        percent = 100.0 * extra.used / extra.limit
    return percent_level(percent, thresholds)


def rate_limit_level(limit: RateLimit, thresholds: Thresholds) -> Level:
    if limit.limit > 0 and limit.remaining <= 0:
        return "exhausted"
    return percent_level(limit.used_percent, thresholds)


def exit_code(levels: Iterable[Level]) -> int:
    """0 ok, 10 warning, 11 critical or exhausted, 20 no data (no known level at all)."""
    known = [level for level in levels if level != "unknown"]
    if not known:
        return EXIT_NO_DATA
    worst = max(known, key=lambda level: LEVEL_ORDER[level])
    if worst in ("critical", "exhausted"):
        return EXIT_CRITICAL
    if worst == "warning":
        return EXIT_WARNING
    return EXIT_OK
