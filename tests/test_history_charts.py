"""What the history charts are made of: instances cut at resets, burn rates, blocks by model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests import fakes
from tui.core.charts import (
    block_bars,
    burn_rate,
    most_constrained,
    split_instances,
    tokens_per_hour,
    window_series,
)
from tui.core.samples import Sample
from tui.models import Estimate, UsageBlock

NOW = datetime(2026, 4, 14, 12, 0, tzinfo=UTC)


def s(minutes_ago: float, used: float, resets: datetime | None) -> Sample:
    return Sample(NOW - timedelta(minutes=minutes_ago), used, resets, "oauth_usage")


def test_a_reset_starts_a_new_instance():
    first_reset = NOW - timedelta(hours=1)
    second_reset = NOW + timedelta(hours=4)
    rows = [
        s(200, 10.0, first_reset),
        s(100, 60.0, first_reset),
        s(50, 2.0, second_reset),
        s(10, 9.0, second_reset + timedelta(seconds=1)),  # the same reset, a second apart
    ]
    instances = split_instances(rows)
    assert [[p for _, p in i.points] for i in instances] == [[10.0, 60.0], [2.0, 9.0]]
    assert instances[0].resets_at == first_reset
    # Without reset times, a fall of more than a couple of points is a reset too.
    bare = [s(30, 50.0, None), s(20, 51.0, None), s(10, 3.0, None)]
    assert len(split_instances(bare)) == 2


def test_the_series_keeps_this_instance_and_the_one_before_with_its_thresholds():
    rows = []
    for k, reset_hours in enumerate((-13, -8, -3, 2)):  # four five-hour windows
        resets = NOW + timedelta(hours=reset_hours)
        rows += [s(-60 * (reset_hours + h), 10.0 * k + h + 5, resets) for h in (-4, -3, -2)]
    series = window_series("five_hour", rows, now=NOW, warning=60, critical=85, running_error=1.5)
    assert len(series.instances) == 2
    assert [p for _, p in series.instances[0].points] == [21.0, 22.0, 23.0]
    assert series.instances[-1].resets_at == NOW + timedelta(hours=2)
    assert series.label == "5-hour session" and series.current == 33.0
    assert (series.warning, series.critical, series.running_error) == (60, 85, 1.5)
    assert series.burn_per_hour == pytest.approx(1.0)  # 32% an hour ago, 33% now


def test_burn_rate_is_points_per_hour_over_the_last_hour():
    resets = NOW + timedelta(hours=2)
    instance = split_instances([s(90, 10.0, resets), s(60, 20.0, resets), s(0, 32.0, resets)])[0]
    assert burn_rate(instance, NOW) == pytest.approx(12.0)
    assert burn_rate(instance, resets + timedelta(minutes=1)) is None  # the window is over
    lone = split_instances([s(5, 10.0, resets)])[0]
    assert burn_rate(lone, NOW) is None


def test_blocks_sum_every_kind_by_model_family():
    block = UsageBlock(
        start=NOW - timedelta(hours=2),
        end=NOW + timedelta(hours=3),
        last_entry_at=NOW,
        tokens_by_model=(
            ("claude-opus-4-5", 10, 20, 30, 40),
            ("claude-sonnet-4-5", 1, 2, 3, 4),
            ("claude-3-5-haiku", 5, 5, 0, 0),
            ("claude-sonnet-4", 100, 0, 0, 0),
        ),
        total_tokens=220,
        entries=4,
        active=True,
    )
    (bar,) = block_bars([block])
    assert dict(bar.tokens) == {"opus": 100, "sonnet": 110, "haiku": 10, "other": 0}
    assert bar.total == 220
    assert tokens_per_hour(bar, NOW) == pytest.approx(110.0)


def test_the_most_constrained_window_is_the_worst_level_then_the_highest_number():
    views = fakes.approaching().windows
    assert most_constrained(views) == "seven_day_opus"  # exhausted
    healthy = fakes.healthy().windows
    assert most_constrained(healthy) == "five_hour"
    # An estimate above the others' numbers counts.
    weekly = healthy[1]
    ahead = type(weekly)(weekly.window, "ok", estimate=Estimate(80.0, 1.0, NOW))
    assert most_constrained((healthy[0], ahead)) == "seven_day"
    assert most_constrained((fakes.view("five_hour", None),)) is None
