"""The text a user reads next to each bar: countdowns, local times, ages, money."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tui import text as fmt

NOW = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)  # a Tuesday


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "now"),
        (-5, "now"),
        (0.2, "1s"),
        (45, "45s"),
        (60, "1m"),
        (65, "1m 5s"),
        (119.5, "2m"),
        (120, "2m"),
        (13 * 60 + 59, "13m"),
        (3600, "1h"),
        (2 * 3600 + 13 * 60 + 40, "2h 13m"),
        (86400, "1d"),
        (2 * 86400 + 16 * 3600 + 59 * 60, "2d 16h"),
    ],
)
def test_countdown(seconds: float, text: str) -> None:
    assert fmt.countdown(seconds) == text


def test_countdown_needs_seconds_only_under_two_minutes() -> None:
    assert fmt.needs_seconds(NOW + timedelta(seconds=119), NOW)
    assert not fmt.needs_seconds(NOW + timedelta(seconds=120), NOW)
    assert not fmt.needs_seconds(NOW - timedelta(seconds=5), NOW)  # already reset
    assert not fmt.needs_seconds(None, NOW)


def test_tick_period_is_a_minute_unless_a_countdown_shows_seconds() -> None:
    far = NOW + timedelta(hours=2)
    assert fmt.tick_period([far, None], NOW) == 60.0
    assert fmt.tick_period([far, NOW + timedelta(seconds=90)], NOW) == 1.0
    assert fmt.tick_period([], NOW) == 60.0


def test_local_time_today_is_just_the_time() -> None:
    assert fmt.local_time(NOW + timedelta(hours=2, minutes=13), NOW, UTC) == "11:13"


def test_local_time_another_day_has_the_weekday() -> None:
    assert fmt.local_time(NOW + timedelta(days=2), NOW, UTC) == "Thu 09:00"
    assert fmt.local_time(NOW - timedelta(days=1), NOW, UTC) == "Mon 09:00"


def test_local_time_beyond_a_week_has_the_date() -> None:
    assert fmt.local_time(NOW + timedelta(days=9), NOW, UTC) == "Thu 23 Apr 09:00"


def test_local_time_uses_the_local_day_not_the_utc_day() -> None:
    tokyo = timezone(timedelta(hours=9))
    # 09:00 UTC is 18:00 in Tokyo; 16:00 UTC is already 01:00 Wednesday there.
    assert fmt.local_time(NOW + timedelta(hours=7), NOW, tokyo) == "Wed 01:00"
    assert fmt.local_time(NOW + timedelta(hours=2), NOW, tokyo) == "20:00"


@pytest.mark.parametrize(
    ("ago", "text"),
    [
        (timedelta(seconds=0), "just now"),
        (timedelta(seconds=59), "just now"),
        (timedelta(minutes=3, seconds=30), "3 min ago"),
        (timedelta(minutes=59), "59 min ago"),
        (timedelta(hours=2, minutes=5), "2 h ago"),
        (timedelta(days=3), "3 d ago"),
    ],
)
def test_age(ago: timedelta, text: str) -> None:
    assert fmt.age(NOW - ago, NOW) == text


def test_money() -> None:
    assert fmt.money(3.25) == "$3.25"
    assert fmt.money(1234.5, "EUR") == "€1,234.50"
    assert fmt.money(12, "CHF") == "12.00 CHF"
    assert fmt.money_of(3.25, 20.0, "USD") == "$3.25 of $20.00"
    assert fmt.money_of(3.25, None, "USD") == "$3.25 spent · no cap"
    assert fmt.money_of(None, 20.0, "USD") == "$0.00 of $20.00"


def test_percent_never_shows_no_data_as_zero() -> None:
    assert fmt.percent(None) == "—"
    assert fmt.percent(0) == "0%"
    assert fmt.percent(0.4) == "0.4%"
    assert fmt.percent(15.4) == "15%"
    assert fmt.percent(100) == "100%"


@pytest.mark.parametrize(
    ("window_id", "label", "short"),
    [
        ("five_hour", "5-hour session", "5h"),
        ("seven_day", "Weekly", "7d"),
        ("seven_day_opus", "Weekly Opus", "7d Opus"),
        ("seven_day_fable", "Weekly Fable", "7d Fable"),
        ("monthly", "Monthly", "Monthly"),
    ],
)
def test_short_labels_for_narrow_panes(window_id: str, label: str, short: str) -> None:
    assert fmt.short_label(window_id, label) == short


def test_rate_limit_labels() -> None:
    assert fmt.rate_limit_label("requests") == "requests/min"
    assert fmt.rate_limit_label("output_tokens", short=True) == "out tok/min"
    assert fmt.rate_limit_label("images") == "images/min"


@pytest.mark.parametrize(
    ("fraction", "width", "filled"),
    [
        (0.0, 10, ""),
        (0.5, 10, "█████"),
        (1.0, 10, "██████████"),
        (1.7, 10, "██████████"),
        (-1, 10, ""),
        (0.33, 10, "███▎"),
    ],
)
def test_bar_cells(fraction: float, width: int, filled: str) -> None:
    full, empty = fmt.bar_cells(fraction, width)
    assert full == filled
    assert len(full) + len(empty) == width
    assert set(empty) <= {"░"}


def test_compact_count() -> None:
    assert fmt.compact_count(950) == "950"
    assert fmt.compact_count(4000) == "4.0k"
    assert fmt.compact_count(40000) == "40k"
    assert fmt.compact_count(1_250_000) == "1.2M"


def test_format_does_not_import_textual() -> None:
    import subprocess
    import sys

    code = "import sys, tui.text; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_wrap_hanging_indents_continuation_lines() -> None:
    lines = fmt.wrap_hanging("probe: Out of extra usage, not out of plan", 24, 6)
    assert lines == ["probe: Out of", "      extra usage, not", "      out of plan"]
    assert all(len(line.removeprefix("      ")) <= 24 - 6 for line in lines)
    assert fmt.wrap_hanging("", 40, 6) == [""]


def test_sparkline_maps_percent_to_eight_levels_and_keeps_the_newest() -> None:
    assert fmt.sparkline((0.0, 50.0, 100.0), 10) == "▁▅█"
    assert fmt.sparkline(tuple(float(i) for i in range(30)), 4) == "▃▃▃▃"  # the newest 4
    assert fmt.sparkline((42.0,), 8) == ""  # one point is not a trend
    assert fmt.sparkline((), 8) == ""
