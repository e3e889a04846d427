"""Pace: is a window being used up faster than its time runs out? Plus time in plain words.

The share of the window used is compared with the share of its time elapsed. A window is
"off track" when it crosses one of the rows Claude Code itself warns at (five-hour window: 90%
used with at most 72% of its time gone; weekly windows: 75% by 60%, 50% by 35%, 25% by 15%).
When off track, the message says when it runs out at the average rate so far, and how long
before the reset that is. Pure functions; no I/O, no Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from tui.models import Window, window_length_seconds

# (used percent at least, elapsed percent at most): off track when any row matches.
FIVE_HOUR_RULES: tuple[tuple[float, float], ...] = ((90.0, 72.0),)
WEEKLY_RULES: tuple[tuple[float, float], ...] = ((75.0, 60.0), (50.0, 35.0), (25.0, 15.0))


@dataclass(frozen=True)
class Pace:
    """Shares are fractions 0..1; ``runs_out_at`` is set when the average rate so far would
    fill the window before it resets; ``message`` only when off track."""

    used_share: float
    elapsed_share: float
    on_track: bool
    runs_out_at: datetime | None
    message: str | None


def rules_for(window_id: str) -> tuple[tuple[float, float], ...]:
    """The pace table for a window: the five-hour rule for short windows, else the weekly one."""
    if window_length_seconds(window_id) <= 5 * 3600:
        return FIVE_HOUR_RULES
    return WEEKLY_RULES


def pace(window: Window, now: datetime, *, tz: tzinfo | None = None) -> Pace | None:
    """How the window's use compares with its elapsed time, or None when that can't be said.

    None for: no percentage, no reset time, a window not started, a window already used up
    (its level says it all), or a reset time already past (the numbers belong to an old window).
    Elapsed time is taken at the observation (clamped to ``now``), so an old reading is not
    mistaken for a slow one.
    """
    used = window.used_percent
    if used is None or window.resets_at is None or window.not_started or used >= 100.0:
        return None
    if now >= window.resets_at:
        return None
    length = float(window_length_seconds(window.id))
    start = window.resets_at - timedelta(seconds=length)
    at = min(window.observed_at, now)
    if at < start:
        at = now
    elapsed = (at - start).total_seconds()
    if elapsed <= 0:
        return None
    used_share = max(0.0, used) / 100.0
    elapsed_share = min(1.0, elapsed / length)
    used_pct = used_share * 100.0
    elapsed_pct = elapsed_share * 100.0
    off_track = any(used_pct >= u and elapsed_pct <= e for u, e in rules_for(window.id))
    runs_out_at: datetime | None = None
    if used_share > 0:
        full = start + timedelta(seconds=elapsed / used_share)
        if full < window.resets_at:
            runs_out_at = max(full, at)
    message: str | None = None
    if off_track and runs_out_at is not None:
        lead = duration_words((window.resets_at - runs_out_at).total_seconds())
        when = when_words(runs_out_at, now, tz=tz, long=True)
        message = f"on pace to run out {when}, {lead} before the reset"
    return Pace(
        used_share=used_share,
        elapsed_share=elapsed_share,
        on_track=not (off_track and runs_out_at is not None),
        runs_out_at=runs_out_at,
        message=message,
    )


def duration_words(seconds: float) -> str:
    """A lead time in words: "2 days", "1 day 5 h", "3 h", "1 h 20 min", "40 min"."""
    minutes = round(max(0.0, seconds) / 60.0)
    if minutes < 1:
        return "less than a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days >= 2:
        days = round(minutes / (24 * 60))
        return f"{days} days"
    if days == 1:
        return f"1 day {hours} h" if hours else "1 day"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


def when_words(
    when: datetime, now: datetime, *, tz: tzinfo | None = None, long: bool = False
) -> str:
    """A moment in local time: "at 14:00" today, "Thursday 14:00" within the week
    ("Thu 14:00" unless ``long``), with the date added further out."""
    local = when.astimezone(tz) if tz is not None else when.astimezone()
    today = now.astimezone(tz) if tz is not None else now.astimezone()
    clock = local.strftime("%H:%M")
    days_ahead = (local.date() - today.date()).days
    if days_ahead == 0:
        return f"at {clock}"
    day = local.strftime("%A" if long else "%a")
    if 0 < days_ahead < 7:
        return f"{day} {clock}"
    return f"{day} {local.day} {local.strftime('%b')} {clock}"
