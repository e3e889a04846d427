"""The history screen (``h``) and the compact chart, as a person sees them at 40 and 100 columns."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from textual.app import App, ComposeResult

from tests import fakes
from tests.fakes import T0, FakeMonitor, make_app, settle
from tui import paths
from tui.config import Config, Thresholds
from tui.core.charts import window_series
from tui.core.history import History, Sample
from tui.models import UsageBlock, Window
from tui.ui.screens.history import HistoryScreen
from tui.ui.widgets.history_chart import BlockChart, WindowChart

BRAILLE = range(0x2800, 0x2900)


class Transcripts:
    def __init__(self, blocks):
        self._blocks = blocks

    def blocks(self):
        return self._blocks


class Estimator:
    def running_error(self, window_id: str) -> float | None:
        return {"five_hour": 1.24}.get(window_id)


def block(hours_ago: float, opus: int, sonnet: int, *, active: bool = False) -> UsageBlock:
    start = T0 - timedelta(hours=hours_ago)
    return UsageBlock(
        start=start,
        end=start + timedelta(hours=5),
        last_entry_at=start + timedelta(hours=1),
        tokens_by_model=(
            ("claude-opus-4-5", opus // 4, opus // 4, opus // 4, opus // 4),
            ("claude-sonnet-4-5", sonnet, 0, 0, 0),
        ),
        total_tokens=opus + sonnet,
        entries=10,
        active=active,
    )


def stored_history() -> History:
    """Two five-hour windows: the last one reset at 08:00 (T0 is 09:00) at 70%; this one at
    33%, 12 points more than 47 minutes ago. The weekly window: 13%."""
    h = History(paths.history_db(), clock=fakes.clock())
    reset_before = T0 - timedelta(hours=1)
    reset_now = T0 + timedelta(hours=4)
    for minutes in range(0, 300, 15):
        at = reset_before - timedelta(hours=5) + timedelta(minutes=minutes)
        h.record([Window("five_hour", round(minutes / 300 * 70), reset_before, "oauth_usage", at)])
    for minutes, used in ((10, 21.0), (30, 27.0), (45, 30.0), (57, 33.0)):
        at = reset_before + timedelta(minutes=minutes)
        h.record([Window("five_hour", used, reset_now, "oauth_usage", at)])
    week_reset = T0 + timedelta(days=2, hours=16)
    for day in range(5):
        at = T0 - timedelta(days=4 - day, minutes=3)
        h.record([Window("seven_day", 3.0 + 2.5 * day, week_reset, "oauth_usage", at)])
    return h


def monitor_with_history() -> FakeMonitor:
    monitor = FakeMonitor(fakes.healthy())
    monitor.history = stored_history()  # type: ignore[attr-defined]
    blocks = [block(5 * i + 1, 400_000 * i, 900_000) for i in range(8, 0, -1)]
    monitor.transcripts = Transcripts([*blocks, block(1, 200_000, 1_000_000, active=True)])  # type: ignore[attr-defined]
    monitor.estimator = Estimator()  # type: ignore[attr-defined]
    return monitor


def chart_lines(widget) -> list[str]:
    return widget.render().plain.splitlines()


def texts(app) -> str:
    from textual.widgets import Static

    return "\n".join(str(w.render()) for w in app.screen.query(Static) if w.display)


def plot_rows(lines: list[str]) -> list[str]:
    """The cells inside the plot frame (without its four edges)."""
    top = next(i for i, line in enumerate(lines) if "┌" in line)
    bottom = next(i for i, line in enumerate(lines) if "└" in line)
    left = lines[top].index("┌")
    right = lines[top].index("┐")
    return [line[left + 1 : right] for line in lines[top + 1 : bottom]]


def horizontal_lines(lines: list[str]) -> int:
    return sum(1 for row in plot_rows(lines) if row.count("─") + row.count("┼") > 0.8 * len(row))


def vertical_lines(lines: list[str]) -> int:
    rows = plot_rows(lines)
    width = min(len(row) for row in rows)
    return sum(1 for col in range(width) if sum(row[col] in "│┼" for row in rows) > 0.8 * len(rows))


@pytest.mark.parametrize("width", [40, 100])
async def test_h_shows_each_window_over_time_with_thresholds_resets_blocks_and_errors(width):
    config = Config(thresholds=Thresholds(warning=60.0, critical=85.0))
    app = make_app(monitor_with_history(), config=config)
    async with app.run_test(size=(width, 60)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        text = texts(app)
        assert "5-hour session · 33% now · burning 15.3%/h · estimate ±1.2 pts" in text
        assert "Weekly · 13% now · no estimate yet" in text
        assert "This block: 1.2M tokens" in text  # the open block, and its tokens per hour
        five = chart_lines(app.screen.query_one("#chart-five_hour", WindowChart))
        assert all(len(line) <= width - 2 for line in five)
        assert any(ord(c) in BRAILLE for line in five for c in line)  # the line is drawn
        assert horizontal_lines(five) == 2  # warning 60 and critical 85
        assert vertical_lines(five) == 2  # the reset at 08:00, and the coming one at 13:00
        assert "08:00" in five[-2] or "08:00" in five[-1]  # local clock times on the x axis
        blocks = chart_lines(app.screen.query_one(BlockChart))
        assert "opus" in "\n".join(blocks) and "sonnet" in "\n".join(blocks)
        assert "M tokens" in blocks[-1]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main


async def test_at_40_columns_only_the_newest_blocks_are_drawn_and_labels_stay_whole():
    app = make_app(monitor_with_history())
    async with app.run_test(size=(40, 60)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await pilot.pause()
        blocks = chart_lines(app.screen.query_one(BlockChart))
        labels = blocks[-2].split()
        assert 2 <= len(labels) <= 5 and all(len(label) == 5 and ":" in label for label in labels)
        assert labels[-1] == "08:00"  # the open block is the last one drawn
        assert all(len(line) <= 38 for line in blocks)


async def test_without_any_history_the_screen_says_so():
    app = make_app(FakeMonitor(fakes.healthy()))
    async with app.run_test(size=(60, 30)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await pilot.pause()
        text = texts(app)
        # The snapshot's windows are listed, with nothing stored for them yet.
        assert "5-hour session · 33% now · no estimate yet" not in text
        assert "no estimate yet" in text
        assert "No Claude Code usage found in the transcripts." in text
        chart = chart_lines(app.screen.query_one("#chart-five_hour", WindowChart))
        assert "no readings stored yet" in "\n".join(chart)
        await pilot.press("h")  # h again closes it
        await pilot.pause()
        assert app.screen is app.main


class ChartApp(App[None]):
    def __init__(self, chart: WindowChart) -> None:
        super().__init__()
        self.chart = chart

    def compose(self) -> ComposeResult:
        yield self.chart


async def test_the_compact_chart_fits_the_main_screens_spare_rows():
    resets = T0 + timedelta(hours=3)
    rows = [
        Sample(T0 - timedelta(minutes=90 - 10 * i), 20.0 + 4 * i, resets, "oauth_usage")
        for i in range(10)
    ]
    series = window_series("five_hour", rows, now=T0, warning=75, critical=90)
    chart = WindowChart(series, now=T0, compact=True)
    app = ChartApp(chart)
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        lines = chart_lines(chart)
        assert len(lines) == 8 and all(len(line) <= 40 for line in lines)
        labels = [m.group(1) for line in lines if (m := re.match(r"\s*(\d+)[┤├]", line))]
        assert labels == ["100", "50", "0"]
        assert "% used" not in "\n".join(lines)
        assert any(ord(c) in BRAILLE for line in lines for c in line)
        before = chart.render().plain
        # The same data a few seconds later: no repaint; a new reading: a new line.
        chart.show(series, T0 + timedelta(seconds=5))
        assert chart.render().plain == before
        more = window_series(
            "five_hour",
            [*rows, Sample(T0, 80.0, resets, "oauth_usage")],
            now=T0,
            warning=75,
            critical=90,
        )
        chart.show(more, T0)
        await pilot.pause()
        assert chart.render().plain != before


def test_with_several_accounts_the_screen_shows_the_focused_accounts_readings():
    from dataclasses import replace

    from tui.core.fleet import Member
    from tui.models import AccountSnapshot
    from tui.ui.screens.history import history_screen

    store = stored_history()
    reset = T0 + timedelta(hours=4)
    store.record(
        [Window("five_hour", 71.0, reset, "oauth_usage", T0 - timedelta(minutes=2))], "work"
    )
    home, work = FakeMonitor(fakes.healthy()), FakeMonitor(fakes.healthy())
    home.history = work.history = store  # type: ignore[attr-defined]

    class Fleet:
        members = [Member("default", "", home), Member("work", "", work)]

    snapshot = fakes.healthy()
    only_five = replace(snapshot, windows=snapshot.windows[:1])
    snapshot = replace(
        snapshot,
        accounts=(
            AccountSnapshot("default", "", snapshot),
            AccountSnapshot("work", "", only_five),
        ),
    )
    screen = history_screen(Fleet(), snapshot, now=T0, account="work")
    assert [(s.window_id, s.current) for s in screen.series] == [("five_hour", 71.0)]
    first = history_screen(Fleet(), snapshot, now=T0)
    assert [s.window_id for s in first.series][:2] == ["five_hour", "seven_day"]
    assert first.series[0].current == 33.0


async def test_against_the_simulator_the_polls_it_stored_are_what_h_draws(isolated_paths):
    from datetime import UTC

    from tests.test_app_sim import OAUTH
    from tui.config import PollConfig, ProbeConfig
    from tui.core.monitor import Monitor
    from tui.simulator import Simulator
    from tui.sources.credentials import CredentialStore
    from tui.ui.app import LimitwatchApp

    clock = fakes.clock()
    config = Config(probe=ProbeConfig(enabled=False), poll=PollConfig(probe_interval=60))
    with Simulator("approaching-limits", clock=clock) as sim:
        monitor = Monitor(
            config,
            clock=clock,
            credentials=CredentialStore.fixed(oauth=OAUTH),
            base_url=sim.base_url,
            history=History(paths.history_db(), clock=clock),
        )
        app = LimitwatchApp(monitor, clock, config, None, tz=UTC)
        async with app.run_test(size=(40, 50)) as pilot:
            await settle(pilot)
            for _ in range(6):  # half an hour of polls: 50% climbing to 76%
                clock.advance(300)
                app.request_poll()
                await settle(pilot)
            await pilot.press("h")
            await pilot.pause()
            text = texts(app)
            assert "5-hour session · 76% now · burning 52.0%/h" in text  # 50% half an hour ago
            five = chart_lines(app.screen.query_one("#chart-five_hour", WindowChart))
            assert any(ord(c) in BRAILLE for line in five for c in line)
            assert horizontal_lines(five) == 2  # the default thresholds, 75 and 90
