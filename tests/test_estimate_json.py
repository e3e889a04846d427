"""``status --json``: ``windows[].estimate`` is the estimate between polls, or null."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tui.core.report import snapshot_to_json
from tui.models import Estimate, Snapshot, Window, WindowView

T0 = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)


def test_a_window_with_an_estimate_carries_it_and_one_without_says_null():
    five = Window("five_hour", 40.0, T0 + timedelta(hours=3), "oauth_usage", T0)
    week = Window("seven_day", 20.0, T0 + timedelta(days=3), "oauth_usage", T0)
    estimate = Estimate(used_percent=46.04, error_percent=1.234, as_of=T0 + timedelta(minutes=2))
    snapshot = Snapshot(
        generated_at=T0 + timedelta(minutes=2),
        windows=(WindowView(five, "ok", estimate=estimate), WindowView(week, "ok")),
    )
    data = json.loads(json.dumps(snapshot_to_json(snapshot)))
    first, second = data["windows"]
    assert first["used_percent"] == 40.0  # the official number stays what the server said
    assert first["estimate"] == {
        "used_percent": 46.0,
        "error_percent": 1.2,
        "as_of": "2026-04-14T09:02:00Z",
    }
    assert second["estimate"] is None
