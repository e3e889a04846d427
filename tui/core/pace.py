"""Pace: is a window being used up faster than its time runs out? Plus time in plain words.

At the average rate so far, a window with ``used`` of its quota gone after ``elapsed`` of its
time is full at ``elapsed / used`` of its length. Pace warns when that is well before the reset:
at least ``LEAD_SHARE`` (a quarter) of the window early, once enough of it has passed to judge
(``MIN_ELAPSED_SHARE`` of its time and ``MIN_USED_PERCENT`` of its quota). Claude Code's own
rows (five-hour window: 90% used with at most 72% of its time gone; weekly windows: 75% by 60%,
50% by 35%, 25% by 15%) warn too, so limitwatch never stays quiet where Claude Code speaks.
Examples: five-hour 60% used at 10% elapsed warns (full after 50 min, 3 h 40 min early); 30% at
25% does not (full 50 min early); weekly 50% at 20% warns (full on day 3).
Pure functions; no I/O, no Textual.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from tui import text as fmt
from tui.models import Window, window_length_seconds
from tui.record import record

# (used percent at least, elapsed percent at most): Claude Code's rows; any match warns.
FIVE_HOUR_RULES: tuple[tuple[float, float], ...] = ((90.0, 72.0),)
WEEKLY_RULES: tuple[tuple[float, float], ...] = ((75.0, 60.0), (50.0, 35.0), (25.0, 15.0))
# limitwatch's rule: full this share of the window before the reset, judged once this much of
# the window's time and of its quota are gone.
LEAD_SHARE = 0.25
MIN_ELAPSED_SHARE = 0.10
MIN_USED_PERCENT = 20.0


@record
class Pace:
    """Shares are fractions 0..1; ``runs_out_at`` is set when the average rate so far would
    fill the window before it resets. ``warns`` when that is well before the reset (or a row
    of Claude Code's table matches); ``message`` is always one sentence, warning or not."""

    used_share: float
    elapsed_share: float
    on_track: bool
    runs_out_at: datetime | None
    message: str
    warns: bool = False


def rules_for(window_id: str) -> tuple[tuple[float, float], ...]:
    """Claude Code's pace rows for a window: the five-hour one for short windows, else weekly."""
    if window_length_seconds(window_id) <= 5 * 3600:
        return FIVE_HOUR_RULES
    return WEEKLY_RULES


def warns_at(window_id: str, used_pct: float, elapsed_pct: float) -> bool:
    """The rule, on percentages: Claude Code's rows, or full well before the reset."""
    if any(used_pct >= u and elapsed_pct <= e for u, e in rules_for(window_id)):
        return True
    if used_pct < MIN_USED_PERCENT or elapsed_pct < MIN_ELAPSED_SHARE * 100.0:
        return False
    full_at = elapsed_pct / used_pct  # share of the window gone when it is full
    return 1.0 - full_at >= LEAD_SHARE


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
    runs_out_at: datetime | None = None
    if used_share > 0:
        full = start + timedelta(seconds=elapsed / used_share)
        if full < window.resets_at:
            runs_out_at = max(full, at)
    warns = runs_out_at is not None and warns_at(
        window.id, used_share * 100.0, elapsed_share * 100.0
    )
    shares = (
        f"{fmt.percent(used_share * 100.0)} used, "
        f"{fmt.percent(elapsed_share * 100.0)} of the window gone"
    )
    judged = used_share * 100.0 >= MIN_USED_PERCENT and elapsed_share >= MIN_ELAPSED_SHARE
    if runs_out_at is None:
        message = f"on track: {shares}"
    elif not warns and not judged:
        message = f"too early to judge: {shares}"
    else:
        lead = duration_words((window.resets_at - runs_out_at).total_seconds())
        when = when_words(runs_out_at, now, tz=tz, long=True)
        if warns:
            message = f"on pace to run out {when}, {lead} before the reset"
        else:
            message = f"close to the line: {shares}; at this rate full {when}, {lead} early"
    return Pace(
        used_share=used_share,
        elapsed_share=elapsed_share,
        on_track=not warns,
        runs_out_at=runs_out_at,
        message=message,
        warns=warns,
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
