"""When the usage endpoint may be called again: the throttle's rules, pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tui.clock import ManualClock
from tui.sources.oauth import policy as p


def test_after_success_waits_the_interval():
    clock = ManualClock()
    d = p.after_success(clock.now(), 300)
    assert d.next_allowed_at == clock.now() + timedelta(seconds=300)
    assert d.backoff_step == 0


def test_throttle_waits_at_least_300s_even_when_retry_after_is_zero_or_absent():
    now = ManualClock().now()
    for ra in (None, 0.0, 5.0):
        d = p.after_throttle(now, 300, 0, ra)
        assert d.wait_seconds == 300
        assert d.backoff_step == 1


def test_throttle_honours_a_longer_retry_after_up_to_the_ceiling():
    now = ManualClock().now()
    assert p.after_throttle(now, 300, 0, 900.0).wait_seconds == 900
    # beyond the 30-minute ceiling a server cannot stop updates (issue 14 item 4)
    assert p.after_throttle(now, 300, 0, 3600.0).wait_seconds == 1800
    assert p.after_failure(now, 300, 0, retry_after=3600.0).wait_seconds == 1800
    # a longer interval the user chose is the ceiling then
    assert p.after_throttle(now, 3600, 0, 7200.0).wait_seconds == 3600


@pytest.mark.parametrize("header", ["1e9", "inf", "Infinity", "99999999999999999999"])
def test_absurd_retry_after_waits_thirty_minutes_not_a_day(header):
    now = ManualClock().now()
    seconds = p.parse_retry_after(header, now)
    decision = p.after_throttle(now, 300, 0, seconds)
    assert decision.next_allowed_at == now + timedelta(minutes=30)


def test_a_wait_beyond_any_rule_is_not_trusted():
    now = ManualClock().now()
    assert p.trusted_wait(None, now, 300)
    assert p.trusted_wait(now + timedelta(minutes=30), now, 300)
    assert not p.trusted_wait(now + timedelta(days=365), now, 300)
    assert not p.trusted_wait(now + timedelta(hours=2), now, 300)
    assert p.trusted_wait(now + timedelta(hours=2), now, 7200)  # the user's own interval
    assert p.trusted_past(now - timedelta(days=1), now)
    assert not p.trusted_past(now + timedelta(days=1), now)


def test_repeated_throttles_double_up_to_thirty_minutes():
    clock = ManualClock()
    step = 0
    waits = []
    for _ in range(6):
        d = p.after_throttle(clock.now(), 300, step, None)
        waits.append(d.wait_seconds)
        step = d.backoff_step
        clock.set(d.next_allowed_at)
    assert waits == [300, 600, 1200, 1800, 1800, 1800]
    # success resets the backoff
    assert p.after_success(clock.now(), 300).backoff_step == 0


def test_other_failures_never_retry_faster_than_success():
    now = ManualClock().now()
    d = p.after_failure(now, 300, 2)
    assert d.wait_seconds == 300
    assert d.backoff_step == 2  # the throttle's memory survives a network blip
    assert p.after_failure(now, 600, 0).wait_seconds == 600
    assert p.after_failure(now, 300, 0, retry_after=1000).wait_seconds == 1000


def test_a_long_interval_is_never_shortened_by_the_cap():
    now = ManualClock().now()
    assert p.after_throttle(now, 3600, 0, None).wait_seconds == 3600


def test_manual_refresh_only_when_the_policy_allows():
    clock = ManualClock()
    nxt = clock.now() + timedelta(seconds=120)
    assert p.manual_allowed(clock.now(), nxt) == (False, nxt)
    clock.advance(119)
    assert p.manual_allowed(clock.now(), nxt) == (False, nxt)
    clock.advance(1)
    assert p.manual_allowed(clock.now(), nxt) == (True, None)
    assert p.manual_allowed(clock.now(), None) == (True, None)


def test_retry_after_forms():
    now = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)
    assert p.parse_retry_after(None, now) is None
    assert p.parse_retry_after("", now) is None
    assert p.parse_retry_after("0", now) == 0
    assert p.parse_retry_after("120", now) == 120
    assert p.parse_retry_after("Tue, 14 Apr 2026 09:10:00 GMT", now) == 600
    assert p.parse_retry_after("Tue, 14 Apr 2026 08:00:00 GMT", now) == 0  # in the past
    assert p.parse_retry_after("soon", now) is None
    assert p.parse_retry_after("-5", now) == 0


def test_freshness():
    now = ManualClock().now()
    assert p.is_fresh(now - timedelta(seconds=299), now, 300)
    assert not p.is_fresh(now - timedelta(seconds=300), now, 300)
    assert not p.is_fresh(None, now, 300)
