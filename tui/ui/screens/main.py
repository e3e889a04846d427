"""The main screen: limit bars, the last error, sources and the event log.

It holds ONE reactive, ``snapshot``. Setting it (and the once-a-minute tick) updates the
widgets in place: text and CSS classes only, no recompose.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from tui.models import Snapshot
from tui.ui.widgets.error_panel import ErrorPanel, error_view
from tui.ui.widgets.event_log import EventLog, event_lines
from tui.ui.widgets.quota_bar import BarRow, QuotaBar, build_rows
from tui.ui.widgets.source_status import SourceStatus, source_lines

if TYPE_CHECKING:
    from tui.clock import Clock

NARROW_BELOW = 60
WIDE_FROM = 100
SHORT_BELOW = 16


class MainScreen(Screen[None]):
    # repaint=False: the widgets repaint themselves, and only when their text changed.
    snapshot: reactive[Snapshot | None] = reactive(
        None, always_update=False, init=False, repaint=False
    )

    def __init__(self, clock: Clock, tz: tzinfo | None = None) -> None:
        super().__init__(id="main")
        self.clock = clock
        self.tz = tz
        self.paused = False
        self._bars: dict[str, QuotaBar] = {}
        self._ready = False  # set once the widgets exist

    def compose(self) -> ComposeResult:
        yield Header(icon="◔")
        with VerticalScroll(id="body"), Vertical(id="columns"):
            with Vertical(id="left"):
                with Vertical(id="limits", classes="section"):
                    yield Static("Waiting for the first numbers…", id="no-limits")
                with Vertical(id="error-section", classes="section"):
                    yield ErrorPanel(id="error")
            with Vertical(id="right"):
                with Vertical(id="sources-section", classes="section"):
                    yield SourceStatus(id="sources")
                with Vertical(id="events-section", classes="section"):
                    yield EventLog(id="events")
        yield Footer()

    def on_mount(self) -> None:
        titles = {
            "#limits": "Limits",
            "#sources-section": "Sources",
            "#error-section": "Last error",
            "#events-section": "Events",
        }
        for selector, title in titles.items():
            self.query_one(selector).border_title = title
        self._apply_size_classes(self.size.width, self.size.height)
        self._ready = True
        self.update_view()

    def on_resize(self) -> None:
        self._apply_size_classes(self.size.width, self.size.height)

    def _apply_size_classes(self, width: int, height: int) -> None:
        self.set_class(width < NARROW_BELOW, "-narrow")
        self.set_class(width >= WIDE_FROM, "-wide")
        self.set_class(height < SHORT_BELOW, "-short")

    def watch_snapshot(self) -> None:
        self.update_view()

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self.update_view()

    def update_view(self, now: datetime | None = None) -> None:
        """Bring every widget up to date with the snapshot and the clock (cheap if unchanged)."""
        snapshot = self.snapshot
        if snapshot is None or not self._ready:
            return
        now = now or self.clock.now()
        self._sync_bars(build_rows(snapshot, now, self.tz))
        error = snapshot.last_error
        self.query_one(ErrorPanel).show(
            error_view(error, now, self.tz) if error is not None else None
        )
        self.query_one(SourceStatus).show(source_lines(snapshot.sources, now, self.tz), self.paused)
        self.query_one(EventLog).show(event_lines(snapshot.events, self.tz))

    def _sync_bars(self, rows: list[BarRow]) -> None:
        keys = [row.key for row in rows]
        self.query_one("#no-limits").display = not rows
        if keys == list(self._bars):
            for row in rows:
                self._bars[row.key].show(row)
            return
        # The set of windows changed (rare): rebuild the bars, keeping their order.
        limits = self.query_one("#limits")
        for bar in self._bars.values():
            bar.remove()
        self._bars = {row.key: QuotaBar(row) for row in rows}
        if self._bars:
            limits.mount_all(self._bars.values())
