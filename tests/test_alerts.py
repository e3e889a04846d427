"""Levels, views and alerts: the user is told before the wall, once, early enough to act."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tui.config import Config, Thresholds
from tui.core.alerts import AlertTracker, build_view
from tui.core.levels import window_level as level_for
from tui.core.samples import Sample
from tui.models import Window, WindowView

NOW = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)  # Tuesday
WEEK_RESET = datetime(2026, 4, 16, 9, 0, tzinfo=UTC)  # Thursday
SESSION_RESET = NOW + timedelta(hours=4)
DEFAULT = Thresholds()  # warning 75, critical 90


def win(used, *, window_id="seven_day", resets=WEEK_RESET, at=NOW, **kw) -> Window:
    return Window(window_id, used, resets, kw.pop("source", "oauth_usage"), at, **kw)


LEVEL_TABLE = [
    # (used, extra window fields, thresholds, level)
    (None, {}, DEFAULT, "unknown"),
    (0.0, {}, DEFAULT, "ok"),
    (74.9, {}, DEFAULT, "ok"),
    (75.0, {}, DEFAULT, "warning"),
    (89.9, {}, DEFAULT, "warning"),
    (90.0, {}, DEFAULT, "critical"),
    (99.9, {}, DEFAULT, "critical"),
    (100.0, {}, DEFAULT, "exhausted"),
    (130.0, {}, DEFAULT, "exhausted"),
    (10.0, {}, Thresholds(warning=5, critical=50), "warning"),
    (None, {"not_started": True}, DEFAULT, "ok"),
    (None, {"server_status": "rejected"}, DEFAULT, "exhausted"),
    (20.0, {"server_status": "rejected"}, DEFAULT, "exhausted"),
    (None, {"server_status": "allowed_warning"}, DEFAULT, "warning"),
    (40.0, {"server_status": "allowed_warning"}, DEFAULT, "warning"),
    (95.0, {"server_status": "allowed_warning"}, DEFAULT, "critical"),
    (None, {"server_status": "allowed"}, DEFAULT, "ok"),
    (None, {"surpassed_threshold": 0.9}, DEFAULT, "critical"),
    (None, {"surpassed_threshold": 0.5}, DEFAULT, "ok"),
    (50.0, {"surpassed_threshold": 0.75}, DEFAULT, "warning"),
    (None, {"surpassed_threshold": 1.0}, DEFAULT, "exhausted"),
]


@pytest.mark.parametrize(("used", "extra", "thresholds", "level"), LEVEL_TABLE)
def test_level_table(used, extra, thresholds, level):
    assert level_for(win(used, **extra), thresholds) == level


def test_per_window_thresholds_from_config():
    config = Config(window_thresholds={"seven_day": Thresholds(warning=60, critical=80)})
    w7 = win(65.0)
    w5 = win(65.0, window_id="five_hour", resets=SESSION_RESET)
    assert level_for(w7, config.thresholds_for("seven_day")) == "warning"
    assert level_for(w5, config.thresholds_for("five_hour")) == "ok"


# -- build_view --------------------------------------------------------------------------------


def test_view_carries_level_staleness_projection_and_sparkline():
    # Session 09:00-14:00 burning 30%/h since 09:00 -> 60% at 11:00, full at 12:20.
    start = NOW
    reset = start + timedelta(hours=5)
    samples = [
        Sample(start + timedelta(minutes=10 * i), 5.0 * i, reset, "oauth_usage") for i in range(13)
    ]
    now = start + timedelta(hours=2)
    window = win(60.0, window_id="five_hour", resets=reset, at=now - timedelta(seconds=30))
    view = build_view(window, DEFAULT, samples, now, stale_after=600, tz=UTC)
    assert view.level == "ok"
    assert not view.stale
    assert view.projected_full_at is not None
    assert abs(view.projected_full_at - (start + timedelta(hours=3, minutes=20))) < timedelta(
        minutes=2
    )
    assert 2 <= len(view.sparkline) <= 24
    assert view.sparkline[-1] == 60.0
    # 60% at 40% elapsed (read 30 s ago): at that rate full at 12:19, a third of the window early.
    assert view.pace_message == "on pace to run out at 12:19, 1 h 41 min before the reset"
    assert view.pace_text == view.pace_message


def test_view_has_a_pace_sentence_when_pace_does_not_warn():
    start = NOW
    now = start + timedelta(hours=2, minutes=30)
    window = win(30.0, window_id="five_hour", resets=start + timedelta(hours=5), at=now)
    view = build_view(window, DEFAULT, [], now, stale_after=600, tz=UTC)
    assert view.pace_message is None
    assert view.pace_text == "on track: 30% used, 50% of the window gone"


def test_view_of_old_reading_is_stale_and_unknown_has_no_extras():
    window = win(None, at=NOW - timedelta(hours=1))
    view = build_view(window, DEFAULT, [], NOW, stale_after=900)
    assert view.stale
    assert view.level == "unknown"
    assert view.projected_full_at is None and view.sparkline == () and view.pace_message is None


def test_view_of_a_fresh_pane_uses_only_the_current_reading_for_the_sparkline():
    view = build_view(win(30.0), DEFAULT, [], NOW, stale_after=600)
    assert view.sparkline == (30.0,)
    assert view.projected_full_at is None


def test_view_pace_message_when_running_hot():
    # The week resets Thursday 09:00; 80% used 4 days in (57% elapsed, Monday 09:00) passes
    # Claude Code's "75% by 60%" row: at that average rate it is full after 5 days.
    at = WEEK_RESET - timedelta(days=3)
    view = build_view(win(80.0, at=at), DEFAULT, [], at, stale_after=600, tz=UTC)
    assert view.pace_message == "on pace to run out Tuesday 09:00, 2 days before the reset"


# -- AlertTracker ------------------------------------------------------------------------------


def feed(tracker: AlertTracker, percents, *, resets=WEEK_RESET, window_id="seven_day"):
    """Feed one reading per minute; return every alert produced."""
    out = []
    for i, p in enumerate(percents):
        at = NOW + timedelta(minutes=i)
        w = win(p, window_id=window_id, resets=resets, at=at)
        view = WindowView(w, level_for(w, tracker.thresholds_for(window_id)))
        out.extend(tracker.update([view], at))
    return out


def test_value_hovering_around_the_threshold_notifies_once():
    tracker = AlertTracker(DEFAULT, tz=UTC)
    alerts = feed(tracker, [70, 74.5, 75.2, 74.6, 75.0, 74.0, 76.0, 73.5, 75.1, 74.9, 75.3])
    assert [(a.level, a.reason) for a in alerts] == [("warning", "threshold")]
    assert alerts[0].message == "Weekly at 75.2% (warning at 75%), resets Thu 09:00"


def test_falling_back_past_the_margin_rearms():
    tracker = AlertTracker(DEFAULT, hysteresis=2.0, tz=UTC)
    alerts = feed(tracker, [76, 72.9, 76])
    assert [a.level for a in alerts] == ["warning", "warning"]


def test_each_upward_crossing_once_and_a_jump_says_only_the_highest():
    tracker = AlertTracker(DEFAULT, tz=UTC)
    alerts = feed(tracker, [50, 80, 91, 89, 91, 100, 99.5, 100])
    assert [a.level for a in alerts] == ["warning", "critical", "exhausted"]
    jump = AlertTracker(DEFAULT, tz=UTC)
    alerts = feed(jump, [10, 95])
    assert [a.level for a in alerts] == ["critical"]
    assert alerts[0].message == "Weekly at 95% (critical at 90%), resets Thu 09:00"


def test_exhausted_message_and_server_rejection():
    tracker = AlertTracker(DEFAULT, tz=UTC)
    [used_up] = feed(tracker, [100])
    assert used_up.message == "Weekly is used up (100%), resets Thu 09:00"
    other = AlertTracker(DEFAULT, tz=UTC)
    w = win(None, server_status="rejected", window_id="five_hour", resets=NOW + timedelta(hours=2))
    [refused] = other.update([WindowView(w, level_for(w, DEFAULT))], NOW)
    assert refused.level == "exhausted"
    assert refused.message == (
        "5-hour session limit reached: the server is refusing requests, resets 11:00"
    )


def test_window_reset_rearms_even_without_falling_back():
    tracker = AlertTracker(DEFAULT, tz=UTC)
    first = feed(tracker, [80, 80])
    # A week later the next window is already at 80% by the first reading we get.
    second = feed(tracker, [80], resets=WEEK_RESET + timedelta(days=7))
    assert len(first) == 1 and len(second) == 1


def test_reset_time_jitter_is_not_a_reset():
    tracker = AlertTracker(DEFAULT, tz=UTC)
    alerts = feed(tracker, [80]) + feed(tracker, [80], resets=WEEK_RESET + timedelta(seconds=70))
    assert len(alerts) == 1


def test_missing_data_neither_alerts_nor_rearms():
    tracker = AlertTracker(DEFAULT, tz=UTC)
    alerts = feed(tracker, [80, None, None, 80])
    assert len(alerts) == 1


def test_thresholds_per_window_and_replaced_at_runtime():
    config = Config(window_thresholds={"seven_day": Thresholds(warning=60, critical=80)})
    tracker = AlertTracker(config.thresholds_for, tz=UTC)
    alerts = feed(tracker, [65])
    assert alerts[0].message.endswith("(warning at 60%), resets Thu 09:00")
    tracker.thresholds = Thresholds(warning=50, critical=70)
    assert [a.level for a in feed(tracker, [72])] == ["critical"]


def _hot_week_view(at: datetime, used: float, resets: datetime = WEEK_RESET) -> WindowView:
    w = win(used, at=at, resets=resets)
    return build_view(w, DEFAULT, [], at, stale_after=600, tz=UTC)


def test_pace_alert_once_per_window_instance():
    tracker = AlertTracker(DEFAULT, tz=UTC)
    at = WEEK_RESET - timedelta(days=5)  # 2 days into the week (29%)
    first = tracker.update([_hot_week_view(at, 55.0)], at)  # 55% by 29%: off track, level ok
    assert [(a.reason, a.level) for a in first] == [("pace", "warning")]
    assert first[0].message.startswith("Weekly: on pace to run out ")
    later = at + timedelta(hours=1)
    assert tracker.update([_hot_week_view(later, 56.0)], later) == []
    # The next week, running hot again: told again.
    nxt = at + timedelta(days=7)
    again = tracker.update([_hot_week_view(nxt, 55.0, WEEK_RESET + timedelta(days=7))], nxt)
    assert [a.reason for a in again] == ["pace"]


def test_projection_alert_once_when_full_well_before_the_reset():
    tracker = AlertTracker(DEFAULT, tz=UTC)
    reset = NOW + timedelta(hours=3)
    w = win(50.0, window_id="five_hour", resets=reset)
    view = WindowView(w, "ok", projected_full_at=NOW + timedelta(hours=1))
    [alert] = tracker.update([view], NOW)
    assert alert.reason == "projection"
    assert alert.message == (
        "5-hour session: at the current rate full at 10:00, 2 h before the reset"
    )
    assert tracker.update([view], NOW + timedelta(minutes=1)) == []


def test_projection_just_before_the_reset_is_not_worth_a_notification():
    tracker = AlertTracker(DEFAULT, tz=UTC)
    reset = NOW + timedelta(hours=3)
    w = win(50.0, window_id="five_hour", resets=reset)
    view = WindowView(w, "ok", projected_full_at=reset - timedelta(minutes=5))
    assert tracker.update([view], NOW) == []


def test_active_lists_what_is_in_force_without_edges():
    tracker = AlertTracker(DEFAULT, tz=UTC)
    reset = NOW + timedelta(hours=3)
    hot = WindowView(
        win(92.0, window_id="five_hour", resets=reset),
        "critical",
        projected_full_at=NOW + timedelta(minutes=20),
    )
    calm = WindowView(win(10.0), "ok")
    used_up = WindowView(win(100.0, window_id="seven_day_opus"), "exhausted")
    for _ in range(2):  # the same answer every time: no edge logic
        active = tracker.active([hot, calm, used_up])
        assert [(a.window, a.reason, a.level) for a in active] == [
            ("five_hour", "threshold", "critical"),
            ("five_hour", "projection", "critical"),
            ("seven_day_opus", "threshold", "exhausted"),
        ]


def test_history_window_covers_the_sparkline_and_the_rate():
    from tui.core.alerts import history_since

    assert NOW - history_since("five_hour", NOW) == timedelta(hours=5)
    assert NOW - history_since("seven_day_opus", NOW) == timedelta(hours=24)


def test_alert_logic_never_loads_textual():
    import subprocess
    import sys

    code = (
        "import sys, tui.core.alerts, tui.core.history, tui.core.notify, tui.core.pace; "
        "import tui.core.projection; "
        "print('textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
