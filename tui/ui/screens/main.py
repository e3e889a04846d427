"""The main screen: limit bars, the last error, sources and the event log.

It holds ONE reactive, ``snapshot``. Setting it (and the once-a-minute tick) updates the
widgets in place: text and CSS classes only, no recompose.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, Static

from tui.core.fleet import most_constrained_first
from tui.models import AccountSnapshot, Classification, Snapshot, SourceState
from tui.record import replace
from tui.ui.widgets.error_panel import ErrorPanel, error_view
from tui.ui.widgets.event_log import EventLog, event_lines
from tui.ui.widgets.quota_bar import BarRow, QuotaBar, build_rows
from tui.ui.widgets.source_status import SourceStatus, source_lines

if TYPE_CHECKING:
    from tui.clock import Clock

NARROW_BELOW = 60
WIDE_FROM = 100
SHORT_BELOW = 16
TALL_FROM = 28  # rows from which the main screen has room for a chart


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
        self._chart_loaded = False  # the plotting library, loaded after the first frame
        self._chart_pending = False
        # Several accounts: a section of bars per account, the most constrained first.
        self._account_bars: dict[str, dict[str, QuotaBar]] = {}
        self._account_order: list[str] = []
        self._sections: dict[str, Vertical] = {}
        self.focused_account: str | None = None  # in a narrow pane only this one is shown

    def start_with(self, snapshot: Snapshot) -> None:
        """The snapshot to compose the screen with (before it is mounted; no watcher runs)."""
        self.set_reactive(MainScreen.snapshot, snapshot)

    def compose(self) -> ComposeResult:
        yield Header(icon="◔")
        first = self.snapshot
        rows = (
            []
            if first is None or len(first.accounts) > 1
            else build_rows(first, self.clock.now(), self.tz)
        )
        self._bars = {row.key: QuotaBar(row) for row in rows}
        with VerticalScroll(id="body"), Vertical(id="columns"):
            with Vertical(id="left"):
                with Vertical(id="limits", classes="section"):
                    yield Static("Waiting for the first numbers…", id="no-limits")
                    yield from self._bars.values()
                with Vertical(id="error-section", classes="section"):
                    yield ErrorPanel(id="error")
            with Vertical(id="right"):
                with Vertical(id="sources-section", classes="section"):
                    yield SourceStatus(id="sources")
                with Vertical(id="events-section", classes="section"):
                    yield EventLog(id="events")
                # The most constrained window's chart, in the rows a tall pane has spare
                # (mounted on first use: the plotting library is not needed before).
                yield Vertical(id="chart-section", classes="section")
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
        self.apply_size_classes(self.size.width, self.size.height)
        self._ready = True
        self.update_view()

    def on_resize(self) -> None:
        self.apply_size_classes(self.size.width, self.size.height)
        self._show_focused()
        self.update_view()

    def apply_size_classes(self, width: int, height: int) -> None:
        self.set_class(width < NARROW_BELOW, "-narrow")
        self.set_class(width >= WIDE_FROM, "-wide")
        self.set_class(height < SHORT_BELOW, "-short")
        self.set_class(height >= TALL_FROM, "-tall")

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
        error = snapshot.last_error
        sources = snapshot.sources
        if len(snapshot.accounts) > 1:
            self._sync_accounts(snapshot.accounts, now)
            self._sync_bars([])
            error, sources = _all_accounts(snapshot.accounts)
        else:
            self._sync_accounts((), now)
            self._sync_bars(build_rows(snapshot, now, self.tz))
        self.query_one(ErrorPanel).show(
            error_view(error, now, self.tz) if error is not None else None
        )
        self.query_one(SourceStatus).show(source_lines(sources, now, self.tz), self.paused)
        self.query_one(EventLog).show(event_lines(snapshot.events, self.tz))
        self._sync_chart(snapshot, now)

    def _sync_chart(self, snapshot: Snapshot, now: datetime) -> None:
        section = self.query_one("#chart-section")
        shown = snapshot.chart is not None and self.has_class("-tall")
        if shown and not self._chart_loaded:
            # The plotting library costs a fifth of the first frame: the chart is loaded and
            # drawn once the screen is up (one refresh later), the bars do not wait for it.
            section.display = False
            if not self._chart_pending:
                self._chart_pending = True
                self.call_after_refresh(self._load_chart)
            return
        section.display = shown
        if not shown or snapshot.chart is None:
            return
        from tui.ui.widgets.history_chart import WindowChart

        _set_title(section, f"{snapshot.chart.label} · this window and the last")
        charts = list(section.query(WindowChart))
        if charts:
            shown_series = charts[0].series
            series = snapshot.chart
            if shown_series is not None and (
                shown_series.window_id,
                shown_series.instances,
                shown_series.warning,
                shown_series.critical,
            ) == (series.window_id, series.instances, series.warning, series.critical):
                # What the chart draws is unchanged: no repaint (it moves with new readings,
                # not with the clock: nothing repaints at rest).
                series, now = shown_series, charts[0].now
            charts[0].show(series, now)
        elif section.is_attached:  # not while the app is closing
            section.mount(WindowChart(snapshot.chart, now=now, tz=self.tz, compact=True))

    def _load_chart(self) -> None:
        import tui.ui.widgets.history_chart  # noqa: F401  # the import is the point

        self._chart_loaded = True
        self.update_view()

    def next_account(self) -> str | None:
        """Focus the next account (key ``a``); in a narrow pane only it is shown."""
        if not self._account_order:
            return None
        order = self._account_order
        index = order.index(self.focused_account) if self.focused_account in order else -1
        self.focused_account = order[(index + 1) % len(order)]
        self._show_focused()
        return self.focused_account

    def _sync_accounts(self, accounts: Sequence[AccountSnapshot], now: datetime) -> None:
        """One "Limits" section per account, the most constrained first, named in its title."""
        ordered = most_constrained_first(accounts)
        names = [account.name for account in ordered]
        if names != self._account_order:
            for section in self._sections.values():
                section.remove()
            self._sections = {}
            self._account_bars = {}
            self._account_order = names
            before = self.query_one("#error-section")
            for account in ordered:
                section = Vertical(classes="section account-section")
                self._sections[account.name] = section
                self.query_one("#left").mount(section, before=before)
        for account in ordered:
            section = self._sections[account.name]
            plan = account.snapshot.account.plan
            _set_title(section, f"{account.name} · {plan}" if plan else account.name)
            self._sync_section(section, account, now)
        if self.focused_account not in names:
            self.focused_account = names[0] if names else None
        self._show_focused()

    def _sync_section(self, section: Vertical, account: AccountSnapshot, now: datetime) -> None:
        rows = build_rows(account.snapshot, now, self.tz)
        bars = self._account_bars.get(account.name, {})
        if [row.key for row in rows] == list(bars):
            for row in rows:
                bars[row.key].show(row)
            return
        for bar in bars.values():
            bar.remove()
        bars = {row.key: QuotaBar(row) for row in rows}
        self._account_bars[account.name] = bars
        if bars:
            section.mount_all(bars.values())

    def _show_focused(self) -> None:
        narrow = self.has_class("-narrow")
        for name, section in self._sections.items():
            section.display = not narrow or name == self.focused_account

    def _sync_bars(self, rows: list[BarRow]) -> None:
        keys = [row.key for row in rows]
        several = bool(self._account_order)
        self.query_one("#limits").display = not several
        self.query_one("#no-limits").display = not rows and not several
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


def _all_accounts(
    accounts: Sequence[AccountSnapshot],
) -> tuple[Classification | None, tuple[SourceState, ...]]:
    """The newest last error of any account, and every account's sources, each named."""
    errors = [a.snapshot.last_error for a in accounts if a.snapshot.last_error is not None]
    newest = max(errors, key=lambda error: error.observed_at) if errors else None
    sources = tuple(
        replace(state, id=f"{account.name} {state.id}")
        for account in accounts
        for state in account.snapshot.sources
    )
    return newest, sources


def _set_title(section: Widget, title: str) -> None:
    """A section's title, set only when it changes (setting it repaints the whole section)."""
    if section.border_title != title:
        section.border_title = title
