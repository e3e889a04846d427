"""Between polls the bar shows the estimate, marked as one, beside the official number."""

from __future__ import annotations

from dataclasses import replace

from tests import fakes
from tests.fakes import FakeMonitor, bar_text, make_app, settle
from tui.models import Estimate


def _with_estimate():
    snapshot = fakes.healthy()
    five = snapshot.windows[0]
    estimate = Estimate(used_percent=47.0, error_percent=2.2, as_of=fakes.T0)
    return replace(snapshot, windows=(replace(five, estimate=estimate), *snapshot.windows[1:]))


async def test_the_bar_moves_with_the_estimate_and_keeps_the_official_number() -> None:
    app = make_app(FakeMonitor(_with_estimate()))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        text = bar_text(app, "window:five_hour")
        assert "~47%" in text
        assert "estimate ±2" in text
        assert "oauth_usage 33% 3 min ago" in text


async def test_at_40_columns_the_estimate_is_still_marked() -> None:
    app = make_app(FakeMonitor(_with_estimate()))
    async with app.run_test(size=(40, 30)) as pilot:
        await settle(pilot)
        text = bar_text(app, "window:five_hour")
        assert "~47%" in text
        assert "est. ±2, 33%" in text


def _with_chart():
    from tui.core.charts import window_series
    from tui.core.samples import Sample

    now = fakes.T0
    samples = [
        Sample(at=now.replace(hour=h), used_percent=p, resets_at=now.replace(hour=11), source="x")
        for h, p in ((6, 10.0), (7, 22.0), (8, 31.0))
    ]
    series = window_series("five_hour", samples, now=now, warning=75, critical=90)
    return replace(fakes.healthy(), chart=series)


async def test_a_tall_pane_uses_its_spare_rows_for_the_most_constrained_window() -> None:
    app = make_app(FakeMonitor(_with_chart()))
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        section = app.screen.query_one("#chart-section")
        assert section.display
        assert str(section.border_title).startswith("5-hour session")
        assert section.region.height >= 8


async def test_a_short_pane_keeps_its_rows_for_the_bars() -> None:
    app = make_app(FakeMonitor(_with_chart()))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.screen.query_one("#chart-section").display
