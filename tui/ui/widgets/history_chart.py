"""Charts drawn with textual-plotext: a window's used % over time, tokens per five-hour block.

``WindowChart`` draws a ``WindowSeries`` (tui.core.charts): the current instance bright, the
previous ones dim, the warning and critical thresholds as horizontal lines and each reset as a
vertical line; the x axis is local clock time (days for weekly windows). ``compact=True`` drops
the axis words and keeps three y ticks, for the main screen's spare rows. ``BlockChart`` stacks
tokens per model family in each five-hour block. Both take plain values and decide nothing;
``show`` replaces the data and repaints only when it changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any

from textual_plotext import PlotextPlot

from tui.core.charts import BlockBar, WindowSeries
from tui.models import window_length_seconds

# Plotext takes colour names, not CSS: these are the bars' level colours in plotext's palette.
CURRENT = "cyan"
PREVIOUS = "gray"
WARNING = "orange"
CRITICAL = "red"
RESET = "gray"
FAMILY_COLOURS = {"opus": "magenta", "sonnet": "cyan", "haiku": "green", "other": "gray"}


def _hours(when: datetime, now: datetime) -> float:
    return (when - now).total_seconds() / 3600


def time_ticks(
    start: datetime, end: datetime, now: datetime, width: int, tz: tzinfo | None
) -> tuple[list[float], list[str]]:
    """A few x ticks on round local times between ``start`` and ``end``, as hours from now."""
    span = end - start
    count = max(2, min(6, width // 11))
    steps = [timedelta(hours=h) for h in (1, 2, 3, 4, 6, 12, 24, 48, 72, 168)]
    step = next((s for s in steps if span / s <= count), steps[-1])
    local_start = start.astimezone(tz)
    if step >= timedelta(days=1):
        tick = local_start.replace(hour=0, minute=0, second=0, microsecond=0)
        form = "day"
    else:
        hours = int(step.total_seconds() // 3600)
        tick = local_start.replace(minute=0, second=0, microsecond=0)
        tick = tick.replace(hour=tick.hour - tick.hour % hours)
        form = "%H:%M"
    positions: list[float] = []
    labels: list[str] = []
    while tick <= end:
        if tick >= start:
            positions.append(_hours(tick, now))
            labels.append(f"{tick:%a} {tick.day}" if form == "day" else tick.strftime(form))
        tick += step
    return positions, labels


class _Chart(PlotextPlot):
    """Draws only when what it shows or its size changed: ``_draw`` fills plotext's figure
    for the data named by ``_drawn_key``; a repaint with the same key reuses the figure."""

    _drawn_for: tuple[object, ...] | None = None

    def _drawn_key(self) -> tuple[object, ...]:
        raise NotImplementedError

    def _draw(self) -> None:
        raise NotImplementedError

    def render(self) -> object:  # type: ignore[override]
        key = (*self._drawn_key(), self.size.width, self.size.height)
        if key != self._drawn_for:
            self._draw()
            self._drawn_for = key
        return super().render()


class WindowChart(_Chart):
    """Used % of one window over its current and previous instances."""

    DEFAULT_CSS = """
    WindowChart { height: 12; min-height: 6; }
    WindowChart.-compact { height: 1fr; min-height: 5; }
    """

    def __init__(
        self,
        series: WindowSeries | None = None,
        *,
        now: datetime,
        tz: tzinfo | None = None,
        compact: bool = False,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.series = series
        self.now = now
        self.tz = tz
        self.compact = compact
        self.set_class(compact, "-compact")

    def show(self, series: WindowSeries | None, now: datetime) -> None:
        """New data; repaints only if the series or the minute changed."""
        if series == self.series and now.replace(second=0, microsecond=0) == self.now.replace(
            second=0, microsecond=0
        ):
            return
        self.series, self.now = series, now
        self.refresh()

    def _drawn_key(self) -> tuple[object, ...]:
        return (self.series, self.now)

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_figure()
        series = self.series
        plt.ylim(0, 100)
        plt.yticks([0, 50, 100] if self.compact or self.size.height < 10 else [0, 25, 50, 75, 100])
        if series is None or not series.instances:
            plt.title("no readings stored yet")
            return
        now = self.now
        first = series.instances[0]
        length = timedelta(seconds=window_length_seconds(series.window_id))
        start = first.points[0][0]
        if first.resets_at is not None:
            start = min(start, first.resets_at - length)
        current = series.instances[-1]
        end = max(now, current.resets_at or now)
        for index, instance in enumerate(series.instances):
            xs = [_hours(at, now) for at, _ in instance.points]
            ys = [pct for _, pct in instance.points]
            colour = CURRENT if index == len(series.instances) - 1 else PREVIOUS
            plt.plot(xs, ys, color=colour, marker="braille")
            if instance.resets_at is not None and start <= instance.resets_at <= end:
                plt.vline(_hours(instance.resets_at, now), RESET)
        plt.hline(series.warning, WARNING)
        plt.hline(series.critical, CRITICAL)
        plt.xlim(_hours(start, now), _hours(end, now))
        positions, labels = time_ticks(start, end, now, self.size.width, self.tz)
        plt.xticks(positions, labels)
        if not self.compact:
            plt.ylabel("% used")


class BlockChart(_Chart):
    """Tokens per five-hour block, stacked by model family, the newest blocks that fit."""

    DEFAULT_CSS = "BlockChart { height: 14; min-height: 8; }"

    def __init__(
        self,
        bars: Sequence[BlockBar] = (),
        *,
        tz: tzinfo | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.bars = tuple(bars)
        self.tz = tz

    def show(self, bars: Sequence[BlockBar]) -> None:
        if tuple(bars) != self.bars:
            self.bars = tuple(bars)
            self.refresh()

    def _drawn_key(self) -> tuple[object, ...]:
        return (self.bars,)

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_figure()
        fits = max(2, (self.size.width - 8) // 7)
        bars = [bar for bar in self.bars if bar.total > 0][-fits:]
        if not bars:
            plt.title("no Claude Code usage in the transcripts yet")
            return
        top = max(bar.total for bar in bars)
        scale, unit = (1e6, "M") if top >= 1e6 else (1e3, "k") if top >= 1e3 else (1.0, "")
        form = "%H:%M" if self.size.width < 60 else "%a %H:%M"
        labels = [bar.start.astimezone(self.tz).strftime(form) for bar in bars]
        families = [family for family, _ in bars[0].tokens]
        shown = [f for f in families if any(dict(bar.tokens)[f] for bar in bars)]
        data = [[dict(bar.tokens)[f] / scale for bar in bars] for f in shown]
        # plotext takes ``labels`` and a colour per series here; its stub says otherwise.
        legend: dict[str, Any] = {"labels": shown, "color": [FAMILY_COLOURS[f] for f in shown]}
        plt.stacked_bar(labels, data, width=0.6, **legend)
        plt.ylabel(f"{unit} tokens".strip())
