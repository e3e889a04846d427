"""A fake monitor and ready-made snapshots for the app tests (fixed clock, no network)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tui.clock import ManualClock
from tui.models import (
    Account,
    Alert,
    Classification,
    Event,
    ExtraUsage,
    RateLimit,
    Snapshot,
    SourceState,
    Window,
    WindowView,
)

T0 = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)  # a Tuesday


def clock() -> ManualClock:
    return ManualClock(T0)


def view(
    window_id: str,
    used: float | None,
    *,
    level: str = "ok",
    resets_in: timedelta | None = timedelta(hours=2, minutes=13),
    source: str = "oauth_usage",
    age: timedelta = timedelta(minutes=3),
    stale: bool = False,
    not_started: bool = False,
    projected_full_at: datetime | None = None,
    pace_message: str | None = None,
    sparkline: tuple[float, ...] = (),
    now: datetime = T0,
) -> WindowView:
    window = Window(
        id=window_id,
        used_percent=used,
        resets_at=None if resets_in is None else now + resets_in,
        source=source,
        observed_at=now - age,
        not_started=not_started,
    )
    return WindowView(
        window=window,
        level=level,  # type: ignore[arg-type]
        stale=stale,
        projected_full_at=projected_full_at,
        pace_message=pace_message,
        sparkline=sparkline,
    )


def _as_the_ledger_gives_it(build: Callable[..., Snapshot]) -> Callable[..., Snapshot]:
    """The built snapshot with the bar levels the ledger decides (default thresholds)."""

    def wrapped(now: datetime = T0) -> Snapshot:
        return levelled(build(now))

    return wrapped


def sources_ok(now: datetime = T0) -> tuple[SourceState, ...]:
    return (
        SourceState(
            id="oauth_usage",
            state="ok",
            last_success_at=now - timedelta(minutes=3),
            next_attempt_at=now + timedelta(minutes=2),
        ),
        SourceState(id="probe", state="disabled", detail="opt-in for subscriptions"),
        SourceState(id="transcripts", state="ok", detail="watching 2 projects"),
    )


@_as_the_ledger_gives_it
def healthy(now: datetime = T0) -> Snapshot:
    return Snapshot(
        generated_at=now,
        account=Account(plan="max"),
        windows=(
            view("five_hour", 33.0),
            view("seven_day", 13.0, resets_in=timedelta(days=2, hours=16)),
            view("seven_day_sonnet", 1.0, resets_in=timedelta(days=2, hours=23)),
        ),
        extra_usage=ExtraUsage(
            enabled=True,
            used=3.25,
            limit=20.0,
            currency="USD",
            used_percent=16.25,
            observed_at=now - timedelta(minutes=3),
        ),
        sources=sources_ok(now),
        events=(Event(at=now - timedelta(minutes=10), kind="info", text="limitwatch started"),),
    )


@_as_the_ledger_gives_it
def approaching(now: datetime = T0) -> Snapshot:
    return replace(
        healthy(now),
        windows=(
            view(
                "five_hour",
                92.0,
                level="critical",
                resets_in=timedelta(minutes=48),
                projected_full_at=now + timedelta(minutes=20),
            ),
            view(
                "seven_day",
                78.0,
                level="warning",
                resets_in=timedelta(days=1, hours=3),
                pace_message="on pace to run out Wed 14:00",
            ),
            view("seven_day_opus", 100.0, level="exhausted", resets_in=timedelta(days=3)),
        ),
        alerts=(
            Alert(
                window="five_hour",
                level="critical",
                reason="threshold",
                message="5-hour session at 92%",
                at=now,
            ),
        ),
        events=(
            Event(
                now - timedelta(minutes=1), "level", "5-hour session: up to critical", "critical"
            ),
            Event(now - timedelta(minutes=30), "level", "Weekly: up to warning", "warning"),
        ),
    )


def extra_usage_error(now: datetime = T0) -> Classification:
    return Classification(
        class_id="extra_usage_exhausted",
        title="Out of extra usage, not out of plan",
        explanation=(
            "Your plan windows still have room (5-hour 6%, weekly 15%). The request was billed "
            "to extra usage, whose monthly cap is spent. Long-context requests always bill extra "
            "usage."
        ),
        actions=(
            "Raise the extra-usage cap at claude.ai/settings/usage",
            "Or switch to a model / context size your plan covers",
        ),
        message=(
            'API Error: 400 {"type":"error","error":{"type":"invalid_request_error",'
            '"message":"You\'re out of extra usage. Add more at claude.ai/settings/usage and '
            'keep going."}}'
        ),
        source="transcripts",
        observed_at=now - timedelta(minutes=2),
        status=400,
        error_type="invalid_request_error",
        is_limit=True,
        plan_has_headroom=True,
        project="~/code/shop",
    )


@_as_the_ledger_gives_it
def seed_error(now: datetime = T0) -> Snapshot:
    """The case limitwatch exists for: 'out of extra usage' while the plan shows 6% / 15%."""
    error = extra_usage_error(now)
    return replace(
        healthy(now),
        windows=(
            view("five_hour", 6.0, resets_in=timedelta(hours=4, minutes=1)),
            view("seven_day", 15.0, resets_in=timedelta(days=4, hours=2)),
        ),
        extra_usage=ExtraUsage(
            enabled=True,
            used=20.0,
            limit=20.0,
            currency="USD",
            used_percent=100.0,
            observed_at=now - timedelta(minutes=3),
            disabled_reason=None,
        ),
        last_error=error,
        events=(
            Event(error.observed_at, "error", "transcripts: Out of extra usage, not out of plan"),
        ),
    )


@_as_the_ledger_gives_it
def throttled(now: datetime = T0) -> Snapshot:
    throttle = Classification(
        class_id="usage_endpoint_throttled",
        title="Usage endpoint throttled",
        explanation="The usage endpoint limits how often it may be asked. Your quota is fine.",
        actions=("Wait; limitwatch retries on its own",),
        message="Rate limited. Please try again later.",
        source="oauth_usage",
        observed_at=now - timedelta(minutes=1),
        status=429,
        error_type="rate_limit_error",
        retry_at=now + timedelta(minutes=28),
    )
    return replace(
        healthy(now),
        windows=(
            view("five_hour", 41.0, age=timedelta(minutes=26), stale=True),
            view(
                "seven_day",
                18.0,
                age=timedelta(minutes=26),
                stale=True,
                resets_in=timedelta(days=2),
            ),
        ),
        extra_usage=None,
        last_error=throttle,
        sources=(
            SourceState(
                id="oauth_usage",
                state="stale",
                last_success_at=now - timedelta(minutes=26),
                next_attempt_at=now + timedelta(minutes=28),
                error=throttle,
            ),
            SourceState(id="transcripts", state="ok"),
        ),
        events=(
            Event(now - timedelta(minutes=1), "throttle", "oauth_usage: Usage endpoint throttled"),
        ),
    )


@_as_the_ledger_gives_it
def api_key(now: datetime = T0) -> Snapshot:
    return Snapshot(
        generated_at=now,
        account=Account(plan="api"),
        rate_limits=(
            RateLimit("requests", limit=50, remaining=45, resets_at=None, observed_at=now),
            RateLimit("tokens", limit=40000, remaining=4000, resets_at=None, observed_at=now),
        ),
        sources=(SourceState(id="probe", state="ok", next_attempt_at=now + timedelta(seconds=60)),),
    )


def levelled(snapshot: Snapshot, config=None) -> Snapshot:
    """The snapshot with the bar levels the real ledger decides (``core.levels``) under the
    config's thresholds: the fakes above only say the window levels."""
    from tui.config import Config
    from tui.core.levels import extra_usage_level, rate_limit_level

    thresholds = (config or Config()).thresholds
    extra = snapshot.extra_usage
    return replace(
        snapshot,
        extra_usage_level=extra_usage_level(extra, thresholds) if extra else "unknown",
        rate_limit_levels=tuple(
            (limit.id, rate_limit_level(limit, thresholds)) for limit in snapshot.rate_limits
        ),
    )


class FakeMonitor:
    """MonitorLike over a list of snapshots: each poll() returns the next one (the last repeats).

    Like the real monitor, a poll's snapshot carries as ``new_alerts`` the alerts that were not
    in force in the previous one, and bar levels follow the thresholds of ``set_config``.

    ``usage_allowed_at`` / ``probe_allowed_at``: when set, the manual refresh is refused with
    that time. ``poll_gate``: an Event a poll waits on (to test overlapping ticks).
    """

    def __init__(self, *snapshots: Snapshot, clock: ManualClock | None = None) -> None:
        self.clock = clock or ManualClock(T0)
        self.snapshots = list(snapshots) or [Snapshot(generated_at=self.clock.now())]
        self.current = self.snapshots[0]
        self.polls = 0
        self.usage_calls = 0
        self.probe_calls = 0
        self.closed = False
        self._paused = False
        self.usage_allowed_at: datetime | None = None
        self.usage_refused = False
        self.probe_allowed_at: datetime | None = None
        self.probe_refused = False
        self.poll_gate: asyncio.Event | None = None
        self.poll_error: Callable[[], Exception] | None = None
        self.wakeup_in = timedelta(seconds=30)
        self.on_manual: Snapshot | None = None
        self.config = None

    def set_config(self, config) -> None:
        """Like the real Monitor: levels and alerts follow the new thresholds."""
        self.config = config

    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        self._paused = True

    def resume(self) -> None:
        self._paused = False

    def snapshot(self) -> Snapshot:
        return levelled(replace(self.current, new_alerts=()), self.config)

    def next_wakeup(self) -> datetime | None:
        return None if self._paused else self.clock.now() + self.wakeup_in

    async def poll(self) -> Snapshot:
        self.polls += 1
        if self.poll_gate is not None:
            await self.poll_gate.wait()
        if self.poll_error is not None:
            raise self.poll_error()
        if self._paused:
            return self.snapshot()
        index = min(self.polls - 1, len(self.snapshots) - 1)
        before = {(a.window, a.level, a.reason) for a in self.current.alerts}
        if self.polls == 1:
            before = set()
        self.current = self.snapshots[index]
        new = tuple(a for a in self.current.alerts if (a.window, a.level, a.reason) not in before)
        return levelled(replace(self.current, new_alerts=new), self.config)

    async def refresh_usage(self) -> tuple[bool, datetime | None]:
        self.usage_calls += 1
        if self.usage_refused or self.usage_allowed_at is not None:
            return False, self.usage_allowed_at
        if self.on_manual is not None:
            self.current = self.on_manual
        return True, None

    async def reprobe(self) -> tuple[bool, datetime | None]:
        self.probe_calls += 1
        if self.probe_refused or self.probe_allowed_at is not None:
            return False, self.probe_allowed_at
        if self.on_manual is not None:
            self.current = self.on_manual
        return True, None

    async def aclose(self) -> None:
        self.closed = True


# -- helpers for Pilot tests ------------------------------------------------------------------


def make_app(monitor: FakeMonitor, config=None, config_path=None, **kwargs):
    from tui.config import Config
    from tui.ui.app import LimitwatchApp

    return LimitwatchApp(monitor, monitor.clock, config or Config(), config_path, tz=UTC, **kwargs)


async def settle(pilot) -> None:
    """Let workers finish and their messages land."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def screen_text(app) -> str:
    """The plain text of every widget on the current screen, as laid out now."""
    from textual.widgets import Static

    from tui.ui.widgets.base import TextWidget

    parts: list[str] = []
    for widget in app.screen.query("*"):
        if not widget.display:
            continue
        if isinstance(widget, TextWidget):
            parts.append(widget.build(widget.content_region.width or 78).plain)
        elif isinstance(widget, Static):
            parts.append(str(widget.render()))
    return "\n".join(parts)


def bar(app, key: str):
    """The bar on screen that shows ``key`` (``window:five_hour``, ``extra``, ``rate:tokens``)."""
    from tui.ui.widgets.quota_bar import QuotaBar

    found = [widget for widget in app.screen.query(QuotaBar) if widget.row.key == key]
    assert len(found) == 1, f"{len(found)} bars show {key}"
    return found[0]


def bar_text(app, key: str) -> str:
    shown = bar(app, key)
    return shown.build(shown.content_region.width).plain


def toasts(app) -> list[str]:
    return [n.message for n in app._notifications]
