"""Reset times the way a user reads them: "resets 5am" means the next 5am, in that zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tui.times import (
    from_epoch,
    next_time_of_day,
    parse_reset_header,
    parse_reset_text,
    parse_retry_after,
)

NOW = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)
LA = ZoneInfo("America/Los_Angeles")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Claude AI usage limit reached|1755615600", datetime(2025, 8, 19, 15, 0, tzinfo=UTC)),
        ("Claude AI usage limit reached|1755615600000", datetime(2025, 8, 19, 15, 0, tzinfo=UTC)),
        ("5-hour limit reached ∙ resets 5am", datetime(2026, 4, 15, 5, 0, tzinfo=UTC)),
        ("limit reached ∙ resets 11am", datetime(2026, 4, 14, 11, 0, tzinfo=UTC)),
        (
            "You've hit your session limit · resets 12:50am (America/Los_Angeles)",
            datetime(2026, 4, 15, 7, 50, tzinfo=UTC),
        ),
        (
            "You've hit your limit · resets 10pm (America/New_York)",
            datetime(2026, 4, 15, 2, 0, tzinfo=UTC),
        ),
        ("resets 9:50pm (Asia/Saigon)", datetime(2026, 4, 14, 14, 50, tzinfo=UTC)),
        ("resets 9 a.m. (UTC)", datetime(2026, 4, 15, 9, 0, tzinfo=UTC)),
        ("resets 17:30", datetime(2026, 4, 14, 17, 30, tzinfo=UTC)),
        ("resets Apr 17, 9am (Europe/Berlin)", datetime(2026, 4, 17, 7, 0, tzinfo=UTC)),
        ("resets Jan 3 at 9am (UTC)", datetime(2027, 1, 3, 9, 0, tzinfo=UTC)),
        (
            "Your limit will reset at 5pm (America/New_York).",
            datetime(2026, 4, 14, 21, 0, tzinfo=UTC),
        ),
        (
            "You will regain access on 2026-05-01 at 00:00 UTC.",
            datetime(2026, 5, 1, 0, 0, tzinfo=UTC),
        ),
        ("You will regain access on May 1, 2026.", datetime(2026, 5, 1, 0, 0, tzinfo=UTC)),
    ],
)
def test_wordings_of_every_era(text: str, expected: datetime) -> None:
    assert parse_reset_text(text, NOW) == expected


@pytest.mark.parametrize(
    "text",
    ["resets in 5 hours", "resets 13pm", "resets 25:00", "resets Feb 30, 9am", "no time here", ""],
)
def test_nonsense_gives_no_time(text: str) -> None:
    assert parse_reset_text(text, NOW) is None


def test_time_without_zone_uses_the_users_zone() -> None:
    # 09:00 UTC is 02:00 in Los Angeles: the next 5am there is three hours away
    assert parse_reset_text("resets 5am", NOW, LA) == NOW + timedelta(hours=3)


def test_unknown_zone_falls_back_to_the_users_zone() -> None:
    assert parse_reset_text("resets 5am (Mars/Olympus)", NOW, LA) == NOW + timedelta(hours=3)


def test_a_time_just_passed_means_tomorrow() -> None:
    assert parse_reset_text("resets 9am (UTC)", NOW) == NOW + timedelta(days=1)
    assert parse_reset_text("resets 9:01am (UTC)", NOW) == NOW + timedelta(minutes=1)


def test_next_time_across_a_daylight_saving_change() -> None:
    # US clocks jump forward on 2026-03-08: 3am PDT that day is 10:00 UTC, not 11:00
    before = datetime(2026, 3, 8, 8, 0, tzinfo=UTC)  # midnight PST
    assert next_time_of_day(3, 0, LA, before) == datetime(2026, 3, 8, 10, 0, tzinfo=UTC)


def test_reset_is_resolved_from_when_the_message_was_shown() -> None:
    shown = datetime(2026, 4, 10, 23, 0, tzinfo=UTC)
    assert parse_reset_text("resets 5am", shown) == datetime(2026, 4, 11, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30", NOW + timedelta(seconds=30)),
        ("0", None),
        ("-4", None),
        ("", None),
        (None, None),
        ("soon", None),
        ("Tue, 14 Apr 2026 09:30:00 GMT", datetime(2026, 4, 14, 9, 30, tzinfo=UTC)),
    ],
)
def test_retry_after(value: str | None, expected: datetime | None) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_reset_headers_take_epoch_or_rfc3339() -> None:
    assert parse_reset_header("1776157200") == datetime(2026, 4, 14, 9, 0, tzinfo=UTC)
    assert parse_reset_header("2026-04-14T09:00:30Z") == datetime(2026, 4, 14, 9, 0, 30, tzinfo=UTC)
    assert parse_reset_header("later") is None
    assert from_epoch("1e400") is None
    assert from_epoch("nan") is None
