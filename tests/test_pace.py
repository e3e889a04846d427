"""Pace: a window used up faster than its time runs out is called out, in plain words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tui.core.pace import duration_words, pace, when_words
from tui.models import Window

# Tuesday 14 April 2026.
TUE = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def window_at(
    window_id: str, used: float | None, elapsed_share: float, **kw
) -> tuple[Window, datetime]:
    """A window ``elapsed_share`` of the way through, observed now; returns (window, now)."""
    length = 5 * HOUR if window_id == "five_hour" else 7 * DAY
    start = TUE
    now = start + length * elapsed_share
    w = Window(window_id, used, start + length, "oauth_usage", now, **kw)
    return w, now


# Claude Code's own table: (window, used %, elapsed %, off track?)
PACE_TABLE = [
    ("five_hour", 90, 72, True),
    ("five_hour", 95, 50, True),
    ("five_hour", 90, 73, False),  # at the rule's edge, a little later: no warning
    ("five_hour", 89, 50, False),  # below 90% the session rule never fires
    ("five_hour", 30, 10, False),
    ("seven_day", 75, 60, True),
    ("seven_day", 75, 61, False),
    ("seven_day", 74, 50, False),  # past the 50-by-35 row's time, short of the 75 row
    ("seven_day", 50, 35, True),
    ("seven_day", 50, 36, False),
    ("seven_day", 25, 15, True),
    ("seven_day", 25, 16, False),
    ("seven_day", 24, 5, False),  # a quarter is the first row: a fast first hour is not news
    ("seven_day_opus", 60, 30, True),  # every weekly window uses the weekly rows
    ("seven_day_cowork", 30, 20, False),
]


@pytest.mark.parametrize(("window_id", "used", "elapsed", "off"), PACE_TABLE)
def test_pace_table_matches_claude_code(window_id, used, elapsed, off):
    w, now = window_at(window_id, used, elapsed / 100)
    p = pace(w, now, tz=UTC)
    assert p is not None
    assert p.on_track is (not off)
    assert (p.message is not None) is off
    assert p.used_share == pytest.approx(used / 100)
    assert p.elapsed_share == pytest.approx(elapsed / 100)


def test_weekly_message_names_the_day_and_the_lead():
    # The week resets Saturday 18 April 14:00; 75% used after 3.75 days means the average rate
    # fills it after 5 days: Thursday 16 April 14:00, two days before the reset.
    resets = datetime(2026, 4, 18, 14, 0, tzinfo=UTC)
    now = resets - 7 * DAY + timedelta(days=3.75)
    w = Window("seven_day", 75.0, resets, "oauth_usage", now)
    p = pace(w, now, tz=UTC)
    assert p is not None and not p.on_track
    assert p.runs_out_at == datetime(2026, 4, 16, 14, 0, tzinfo=UTC)
    assert p.message == "on pace to run out Thursday 14:00, 2 days before the reset"


def test_session_message_same_day_says_at_and_minutes():
    # Session 10:00-15:00, 90% used at 13:00: full at 13:20, 1 h 40 min before the reset.
    resets = datetime(2026, 4, 14, 15, 0, tzinfo=UTC)
    now = datetime(2026, 4, 14, 13, 0, tzinfo=UTC)
    p = pace(Window("five_hour", 90.0, resets, "statusline", now), now, tz=UTC)
    assert p is not None
    assert p.message == "on pace to run out at 13:20, 1 h 40 min before the reset"


def test_local_time_zone_is_used_for_words():
    resets = datetime(2026, 4, 14, 15, 0, tzinfo=UTC)
    now = datetime(2026, 4, 14, 13, 0, tzinfo=UTC)
    berlin = ZoneInfo("Europe/Berlin")
    p = pace(Window("five_hour", 90.0, resets, "statusline", now), now, tz=berlin)
    assert p is not None and p.message is not None
    assert "at 15:20" in p.message  # 13:20 UTC is 15:20 in Berlin in April


def test_on_track_window_has_no_message_but_may_still_run_out_later():
    w, now = window_at("five_hour", 60.0, 0.5)
    p = pace(w, now, tz=UTC)
    assert p is not None and p.on_track and p.message is None
    # 60% in half the time: the average rate fills it at 5/6 of the window, before the reset.
    assert p.runs_out_at == TUE + timedelta(hours=5) * (0.5 / 0.6)


def test_slow_use_never_runs_out():
    w, now = window_at("seven_day", 20.0, 0.5)
    p = pace(w, now, tz=UTC)
    assert p is not None and p.on_track and p.runs_out_at is None


@pytest.mark.parametrize(
    "kw",
    [
        {"used": None},
        {"used": 100.0},
        {"used": 120.0},
        {"used": None, "not_started": True},
    ],
)
def test_no_pace_without_a_meaningful_reading(kw):
    used = kw.pop("used")
    w, now = window_at("five_hour", used, 0.5, **kw)
    assert pace(w, now, tz=UTC) is None


def test_no_pace_without_a_reset_or_after_it():
    now = TUE
    assert pace(Window("five_hour", 50.0, None, "probe", now), now) is None
    w, now = window_at("five_hour", 95.0, 0.5)
    assert pace(w, w.resets_at + timedelta(seconds=1), tz=UTC) is None


def test_old_reading_is_judged_at_its_own_time():
    # 90% seen at 60% elapsed (off track); shown an hour later it is still the same reading.
    w, seen = window_at("five_hour", 90.0, 0.6)
    p = pace(w, seen + HOUR, tz=UTC)
    assert p is not None and not p.on_track
    assert p.elapsed_share == pytest.approx(0.6)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (20, "less than a minute"),
        (40 * 60, "40 min"),
        (3600, "1 h"),
        (3600 + 20 * 60, "1 h 20 min"),
        (26 * 3600, "1 day 2 h"),
        (24 * 3600, "1 day"),
        (2 * 86400, "2 days"),
        (2 * 86400 + 5 * 3600, "2 days"),
        (3 * 86400 - 3600, "3 days"),
        (-50, "less than a minute"),
    ],
)
def test_duration_words(seconds, words):
    assert duration_words(seconds) == words


@pytest.mark.parametrize(
    ("when", "long", "words"),
    [
        (datetime(2026, 4, 14, 17, 5, tzinfo=UTC), False, "at 17:05"),
        (datetime(2026, 4, 16, 9, 0, tzinfo=UTC), False, "Thu 09:00"),
        (datetime(2026, 4, 16, 9, 0, tzinfo=UTC), True, "Thursday 09:00"),
        (datetime(2026, 4, 21, 9, 0, tzinfo=UTC), False, "Tue 21 Apr 09:00"),
    ],
)
def test_when_words(when, long, words):
    assert when_words(when, TUE, tz=UTC, long=long) == words
