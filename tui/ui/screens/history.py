"""The history screen (``h``): each window's used % over this instance and the one before, with
thresholds and resets; tokens per five-hour block by model; burn rates; the estimate's error.

``HistoryScreen`` takes plain values (stored readings per window, transcript blocks,
thresholds, running errors) and draws them once; ``history_screen`` gathers those values from a
monitor that has them (``history``, ``transcripts``, ``estimator``), reading nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from tui import text as fmt
from tui.config import Thresholds
from tui.core.charts import (
    Block,
    Reading,
    block_bars,
    tokens_per_hour,
    window_series,
)
from tui.core.history import DEFAULT_ACCOUNT
from tui.models import Snapshot, window_length_seconds
from tui.ui.widgets.history_chart import BlockChart, WindowChart

LEGEND = "cyan: this window · grey: the one before · orange/red lines: warning/critical · │ reset"


def window_title(label: str, current: float | None, burn: float | None, error: float | None) -> str:
    parts = [label]
    if current is not None:
        parts.append(f"{fmt.percent(current)} now")
    if burn is not None:
        parts.append(f"burning {burn:.1f}%/h")
    if error is not None:
        parts.append(f"estimate ±{error:.1f} pts")
    else:
        parts.append("no estimate yet")
    return " · ".join(parts)


class HistoryScreen(Screen[None]):
    DEFAULT_CSS = """
    HistoryScreen #history-body { padding: 0 1; }
    HistoryScreen .history-title { text-style: bold; margin-top: 1; }
    HistoryScreen .history-note { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back"),
        Binding("h", "close", "Back", show=False),
    ]

    def __init__(
        self,
        readings: Mapping[str, Sequence[Reading]],
        blocks: Sequence[Block] = (),
        *,
        now: datetime,
        thresholds: Mapping[str, Thresholds] | None = None,
        running_errors: Mapping[str, float | None] | None = None,
        tz: tzinfo | None = None,
    ) -> None:
        """``readings``: window id -> its stored readings (oldest first), in display order."""
        super().__init__(id="history")
        thresholds = thresholds or {}
        errors = running_errors or {}
        self.now = now
        self.tz = tz
        self.series = [
            window_series(
                window_id,
                rows,
                now=now,
                warning=thresholds.get(window_id, Thresholds()).warning,
                critical=thresholds.get(window_id, Thresholds()).critical,
                running_error=errors.get(window_id),
            )
            for window_id, rows in readings.items()
        ]
        self.bars = block_bars(blocks)

    def compose(self) -> ComposeResult:
        yield Header(icon="◔")
        with VerticalScroll(id="history-body"):
            yield Static(LEGEND, id="history-legend", classes="history-note")
            if not self.series:
                yield Static("No readings stored yet.", classes="history-title")
            for series in self.series:
                title = window_title(
                    series.label, series.current, series.burn_per_hour, series.running_error
                )
                yield Static(title, classes="history-title")
                yield WindowChart(series, now=self.now, tz=self.tz, id=f"chart-{series.window_id}")
            yield Static("Tokens per 5-hour block, by model", classes="history-title")
            yield BlockChart(self.bars, tz=self.tz, id="blocks")
            yield Static(self._block_note(), id="block-note", classes="history-note")
        yield Footer()

    def _block_note(self) -> str:
        if not self.bars:
            return "No Claude Code usage found in the transcripts."
        last = self.bars[-1]
        rate = tokens_per_hour(last, self.now)
        if rate is None:
            return f"Last block: {fmt.compact_count(last.total)} tokens."
        return (
            f"This block: {fmt.compact_count(last.total)} tokens,"
            f" {fmt.compact_count(int(rate))} tokens/h"
        )

    def action_close(self) -> None:
        self.dismiss(None)


def history_screen(
    monitor: Any,
    snapshot: Snapshot | None,
    *,
    now: datetime,
    thresholds_for: Any = None,
    tz: tzinfo | None = None,
    account: str | None = None,
) -> HistoryScreen:
    """Gather the screen's values from a monitor, duck-typed: ``history`` (the SQLite store),
    ``transcripts`` (``blocks()``) and ``estimator`` (``running_error(window)``), each optional.
    A fleet (``members``) gives the member named ``account``, else its first. The windows are
    the account's snapshot's that have a number, else whatever the store has for it."""
    name = DEFAULT_ACCOUNT
    members = getattr(monitor, "members", None)
    if members:
        member = next((m for m in members if m.name == account), members[0])
        monitor, name = member.monitor, member.name
        for item in snapshot.accounts if snapshot else ():
            if item.name == name:
                snapshot = item.snapshot
    store = getattr(monitor, "history", None)
    window_ids = [
        view.window.id
        for view in (snapshot.windows if snapshot else ())
        if view.window.used_percent is not None
    ]
    if not window_ids and store is not None:
        window_ids = sorted({w.id for w in store.latest(account=name)})
    readings: dict[str, Sequence[Reading]] = {}
    for window_id in window_ids:
        span = timedelta(seconds=2 * window_length_seconds(window_id)) + timedelta(hours=1)
        if store is not None:
            readings[window_id] = store.samples(window_id, now - span, account=name)
        else:  # no history file (the demo): the readings the monitor keeps in memory
            kept = getattr(getattr(monitor, "ledger", None), "samples", {})
            readings[window_id] = [s for s in kept.get(window_id, ()) if s.at >= now - span]
    transcripts = getattr(monitor, "transcripts", None)
    blocks = transcripts.blocks() if transcripts is not None else ()
    estimator = getattr(monitor, "estimator", None)
    errors = {w: estimator.running_error(w) for w in window_ids} if estimator else {}
    thresholds = {w: thresholds_for(w) for w in window_ids} if thresholds_for else {}
    return HistoryScreen(
        readings, blocks, now=now, thresholds=thresholds, running_errors=errors, tz=tz
    )
