"""Projection against synthetic histories: when will the window be full at the current rate?"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tui.core.projection import current_instance, project_full_at, sparkline
from tui.core.samples import Sample

T0 = datetime(2026, 4, 14, 10, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def series(start, values, step=5 * MIN, resets_at=None, source="oauth_usage"):
    return [
        Sample(at=start + step * i, used_percent=float(v), resets_at=resets_at, source=source)
        for i, v in enumerate(values)
    ]


def linear(start, rate_per_hour, minutes, *, first=0.0, step_min=5, resets_at=None):
    n = minutes // step_min + 1
    values = [first + rate_per_hour * (i * step_min) / 60 for i in range(n)]
    return series(start, values, step=step_min * MIN, resets_at=resets_at)


SESSION_RESET = T0 + 5 * HOUR  # session 10:00-15:00


def test_linear_burn_projects_the_straight_line():
    # 25% an hour from 10:00; at 12:00 it is 50%; full at 14:00, an hour before the reset.
    samples = linear(T0, 25, 120, resets_at=SESSION_RESET)
    now = T0 + 2 * HOUR
    full = project_full_at(samples, SESSION_RESET, now, window_id="five_hour")
    assert full is not None
    assert abs(full - (T0 + 4 * HOUR)) < MIN


def test_slow_burn_resets_first():
    # 10% an hour: it would be full at 20:00, but the session resets at 15:00.
    samples = linear(T0, 10, 120, resets_at=SESSION_RESET)
    assert project_full_at(samples, SESSION_RESET, T0 + 2 * HOUR, window_id="five_hour") is None


def test_bursty_use_projects_the_average_rate():
    # +10 points in a burst every 20 minutes, flat in between, samples every minute: 30%/h.
    values = [10 * (1 + i // 20) for i in range(121)]  # 10..70 over two hours
    samples = series(T0, values, step=MIN, resets_at=SESSION_RESET)
    now = T0 + 2 * HOUR
    full = project_full_at(samples, SESSION_RESET, now, window_id="five_hour")
    assert full is not None
    expected = now + HOUR * (100 - 70) / 30  # 13:00
    assert abs(full - expected) < 15 * MIN


def test_entirely_idle_window_projects_nothing():
    samples = series(T0, [42] * 30, resets_at=SESSION_RESET)
    assert project_full_at(samples, SESSION_RESET, T0 + 2 * HOUR, window_id="five_hour") is None


def test_idle_night_does_not_dilute_the_morning():
    # Weekly window: flat at 30% for 20 hours, then 5% an hour for the last 2 hours (40% now).
    week_reset = T0 + timedelta(days=3)
    night = series(T0, [30] * 21, step=HOUR, resets_at=week_reset)
    morning = linear(T0 + 20 * HOUR, 5, 120, first=30, step_min=10, resets_at=week_reset)
    now = T0 + 22 * HOUR
    full = project_full_at(night + morning, week_reset, now, window_id="seven_day")
    assert full is not None
    assert abs(full - (now + 12 * HOUR)) < HOUR  # 60 points at 5%/h


def test_a_reset_in_the_middle_starts_over():
    # The previous session crawled up to 96% until it reset at 10:00; the new one burns
    # 40%/h from 10:05, so it is full at 12:35 whatever the old one did.
    old_reset = T0
    old = linear(T0 - 2 * HOUR, 3, 115, first=90, resets_at=old_reset)
    new = linear(T0 + 5 * MIN, 40, 60, resets_at=SESSION_RESET)
    now = T0 + 65 * MIN
    assert current_instance(old + new, SESSION_RESET, now) == new
    full = project_full_at(old + new, SESSION_RESET, now, window_id="five_hour")
    assert full is not None
    assert abs(full - (T0 + 5 * MIN + 2.5 * HOUR)) < MIN


def test_new_window_with_slow_start_resets_first():
    old = linear(T0 - 2 * HOUR, 40, 115, first=10, resets_at=T0)
    new = linear(T0 + 5 * MIN, 20, 60, resets_at=SESSION_RESET)
    # At 20%/h from 0 at 10:05 it would be full at 15:05: after the 15:00 reset.
    assert project_full_at(old + new, SESSION_RESET, T0 + 65 * MIN, window_id="five_hour") is None


def test_reset_seen_as_a_drop_when_no_reset_time_is_known():
    old = linear(T0 - HOUR, 30, 55, first=60)  # 60 -> 87.5
    new = linear(T0, 30, 60, first=0)  # 0 -> 30
    now = T0 + HOUR
    assert current_instance(old + new, None, now) == new
    full = project_full_at(old + new, None, now, window_id="five_hour")
    assert full is not None
    assert abs(full - (now + HOUR * 70 / 30)) < 2 * MIN


def test_reset_time_jitter_is_the_same_window():
    jittery = [
        Sample(T0 + 5 * MIN * i, 10.0 * i, SESSION_RESET + timedelta(seconds=(-1) ** i * 40), "x")
        for i in range(8)
    ]
    full = project_full_at(jittery, SESSION_RESET, T0 + 40 * MIN, window_id="five_hour")
    assert full is not None  # 120%/h: full long before the reset


@pytest.mark.parametrize(
    "samples",
    [
        [],
        series(T0, [20], resets_at=SESSION_RESET),
        series(T0, [20, 21], step=MIN, resets_at=SESSION_RESET),  # a minute is too short
        series(T0, [60, 40, 30], step=10 * MIN, resets_at=SESSION_RESET),  # falling
        series(T0, [90, 100, 100], step=10 * MIN, resets_at=SESSION_RESET),  # already full
    ],
)
def test_too_little_or_no_rise_projects_nothing(samples):
    assert project_full_at(samples, SESSION_RESET, T0 + HOUR, window_id="five_hour") is None


def test_future_samples_are_ignored():
    samples = linear(T0, 25, 60, resets_at=SESSION_RESET)
    future = series(T0 + 3 * HOUR, [99], resets_at=SESSION_RESET)
    now = T0 + HOUR
    assert project_full_at(samples + future, SESSION_RESET, now, window_id="five_hour") == (
        project_full_at(samples, SESSION_RESET, now, window_id="five_hour")
    )


def test_window_kind_is_guessed_from_the_reset_time():
    samples = linear(T0, 25, 120, resets_at=SESSION_RESET)
    now = T0 + 2 * HOUR
    assert project_full_at(samples, SESSION_RESET, now) == project_full_at(
        samples, SESSION_RESET, now, window_id="five_hour"
    )


def test_sparkline_resamples_the_last_hours():
    samples = linear(T0, 10, 240, step_min=1)  # 0 -> 40 over four hours
    now = T0 + 4 * HOUR
    line = sparkline(samples, now, span=4 * HOUR, points=8)
    assert len(line) == 8
    assert line == tuple(sorted(line))  # rising use reads as a rising line
    assert line[-1] == pytest.approx(40.0)
    assert line[0] == pytest.approx(5.0)  # the value half an hour in


def test_sparkline_leaves_out_time_before_the_first_sample():
    samples = linear(T0, 10, 60, step_min=1)
    now = T0 + HOUR
    line = sparkline(samples, now, span=4 * HOUR, points=8)
    assert line == (0.0, 5.0, 10.0)  # only the last hour of four has data
    assert sparkline([], now, span=HOUR) == ()
