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


# (window, used %, elapsed %, warns?)
PACE_TABLE = [
    # the issue's cases
    ("five_hour", 60, 10, True),  # full after 50 min, 4 h 10 min before the reset
    ("five_hour", 30, 25, False),  # full 50 min early: not well before the reset
    ("five_hour", 95, 96, False),  # behind the clock: never runs out
    ("seven_day", 50, 20, True),  # full on day 3 of 7
    # Claude Code's own rows still warn
    ("five_hour", 90, 72, True),
    ("seven_day", 75, 60, True),
    ("seven_day", 50, 35, True),
    ("seven_day", 25, 15, True),
    ("seven_day_opus", 60, 30, True),  # every weekly window uses the weekly rows
    # limitwatch's rule: full a quarter of the window early or more
    ("five_hour", 95, 50, True),
    ("five_hour", 89, 50, True),  # full at 56%: Claude Code's table stays quiet here
    ("five_hour", 30, 10, True),  # full after 1 h 40 min of 5 h
    ("seven_day", 74, 50, True),
    ("seven_day_cowork", 30, 20, True),
    ("five_hour", 80, 60, True),  # full at 75%: exactly a quarter early
    ("five_hour", 80, 61, False),  # a little later: less than a quarter early
    ("five_hour", 90, 73, False),
    ("seven_day", 75, 61, False),
    # not enough to judge: under 10% of the time, or under 20% of the quota
    ("five_hour", 40, 9, False),
    ("seven_day", 24, 5, False),
    ("five_hour", 19, 5, False),
    ("five_hour", 19, 12, False),
    # slower than the clock
    ("five_hour", 30, 50, False),
    ("seven_day", 10, 80, False),
]


@pytest.mark.parametrize(("window_id", "used", "elapsed", "warns"), PACE_TABLE)
def test_pace_table(window_id, used, elapsed, warns):
    w, now = window_at(window_id, used, elapsed / 100)
    p = pace(w, now, tz=UTC)
    assert p is not None
    assert p.warns is warns
    assert p.on_track is (not warns)
    assert p.message.startswith("on pace to run out") is warns
    assert p.used_share == pytest.approx(used / 100)
    assert p.elapsed_share == pytest.approx(elapsed / 100)


def test_the_issue_case_says_when_and_how_early():
    # Session 09:00-14:00; 60% used by 09:30: at that rate full at 09:50, 4 h 10 min early.
    w, now = window_at("five_hour", 60.0, 0.1)
    p = pace(w, now, tz=UTC)
    assert p is not None
    assert p.message == "on pace to run out at 09:50, 4 h 10 min before the reset"


@pytest.mark.parametrize(
    ("window_id", "used", "elapsed", "message"),
    [
        ("five_hour", 30, 50, "on track: 30% used, 50% of the window gone"),
        ("five_hour", 95, 96, "on track: 95% used, 96% of the window gone"),
        ("five_hour", 5, 3, "too early to judge: 5% used, 3% of the window gone"),
        (
            "five_hour",
            30,
            25,
            "close to the line: 30% used, 25% of the window gone; at this rate full at 13:10, "
            "50 min early",
        ),
    ],
)
def test_a_window_that_does_not_warn_still_has_a_sentence(window_id, used, elapsed, message):
    w, now = window_at(window_id, used, elapsed / 100)
    p = pace(w, now, tz=UTC)
    assert p is not None and not p.warns
    assert p.message == message


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


def test_a_window_on_track_may_still_run_out_a_little_early():
    w, now = window_at("five_hour", 60.0, 0.55)
    p = pace(w, now, tz=UTC)
    assert p is not None and p.on_track and not p.warns
    # 60% in 55% of the time: the average rate fills it at 11/12 of the window, before the reset.
    assert p.runs_out_at == TUE + timedelta(hours=5) * (0.55 / 0.6)
    assert "full at 13:35, 25 min early" in p.message


def test_slow_use_never_runs_out():
    w, now = window_at("seven_day", 20.0, 0.5)
    p = pace(w, now, tz=UTC)
    assert p is not None and p.on_track and p.runs_out_at is None
    assert p.message == "on track: 20% used, 50% of the window gone"


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
