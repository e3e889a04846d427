"""LimitwatchApp: timers, workers and key bindings. Wiring only.

A timer asks for a poll -> a worker (group "poll") awaits ``monitor.poll()`` -> the Snapshot
arrives in a ``SnapshotReady`` message -> the main screen's one reactive is set. The next poll
is a one-shot timer at ``monitor.next_wakeup()``; one app-wide timer ticks the countdowns.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Sequence
from datetime import datetime, tzinfo
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import WorkerState

from tui import paths
from tui import text as fmt
from tui.clock import Clock
from tui.config import Config
from tui.core.monitor import MonitorLike
from tui.models import Snapshot
from tui.ui.messages import SnapshotReady
from tui.ui.screens.main import MainScreen
from tui.ui.widgets.quota_bar import countdown_deadlines

# The other screens are imported when first shown: the first frame needs only the main one.

MIN_POLL_DELAY = 1.0
MAX_POLL_DELAY = 60.0
DemoStarter = Callable[[], tuple[MonitorLike, Clock]]


def poll_delay(next_wakeup: datetime | None, now: datetime, speed: float = 1.0) -> float:
    """Real seconds until the next poll: the monitor's wake-up, clamped to 1 s .. 60 s."""
    if next_wakeup is None:
        return MAX_POLL_DELAY
    seconds = (next_wakeup - now).total_seconds() / max(speed, 1e-6)
    return max(MIN_POLL_DELAY, min(MAX_POLL_DELAY, seconds))


def _later(work: Callable[[], Coroutine[Any, Any, None]]) -> Any:
    """Work for ``run_worker`` as a function: the coroutine is made when the worker starts (one
    made before, never started because the app quit first, is reported as "never awaited").
    Typed Any: mypy cannot pick run_worker's result type for an async function."""
    return work


class LimitwatchApp(App[int]):
    CSS_PATH = "limitwatch.tcss"  # beside this module, packaged with it
    TITLE = "limitwatch"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reprobe", "Re-probe"),
        Binding("u", "refresh_usage", "Usage"),
        Binding("p", "toggle_pause", "Pause"),
        Binding("e", "error_detail", "Error"),
        Binding("t", "thresholds", "Thresholds"),
        Binding("a", "next_account", "Account"),
        Binding("h", "history", "History", show=False),  # footer: when the snapshots are redone
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        monitor: MonitorLike,
        clock: Clock,
        config: Config,
        config_path: Path | None = None,
        *,
        tz: tzinfo | None = None,
        no_credentials: Sequence[str] | None = None,
        start_demo: DemoStarter | None = None,
        demo: bool = False,
        on_snapshot: Callable[[Snapshot], None] | None = None,
    ) -> None:
        super().__init__()
        self.monitor = monitor
        self.clock = clock
        self.config = config
        self.config_path = config_path or config.path or paths.config_file()[0]
        self.tz = tz
        self.no_credentials = no_credentials
        self.start_demo = start_demo
        self.mode_label = "demo" if demo else ""
        self.on_snapshot = on_snapshot  # e.g. the exporter, with [export] in_live_view
        self.main = MainScreen(clock, tz)
        self._poll_timer: Timer | None = None
        self._tick_timer: Timer | None = None
        self._tick_period = 0.0
        self._no_credentials_screen: Screen[str | None] | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def get_default_screen(self) -> Screen[None]:
        # The size classes (-narrow/-wide/-short) set before the screen is first styled:
        # set on mount, they would restyle every widget again before the first frame.
        width, height = self.size
        self.main.apply_size_classes(width, height)
        if self.no_credentials is None:
            # The last known numbers are composed with the screen: no bars mounted afterwards.
            self.main.start_with(self.monitor.snapshot())
        return self.main

    def on_mount(self) -> None:
        self._set_tick(60.0)
        if self.no_credentials is not None:
            from tui.ui.screens.no_credentials import NoCredentialsScreen

            screen = NoCredentialsScreen(self.no_credentials, can_demo=self.start_demo is not None)
            self._no_credentials_screen = screen
            self.push_screen(screen, self._after_no_credentials)
            return
        self._start()

    def _start(self) -> None:
        self.post_message(SnapshotReady(self.monitor.snapshot()))
        self._set_paused_display(self.monitor.paused)
        # The first poll (imports of the network stack, the first transcripts scan) runs
        # in the event loop: it waits until the last known numbers are on the screen.
        self.call_after_refresh(self.request_poll)

    def _after_no_credentials(self, choice: str | None) -> None:
        if choice != "demo" or self.start_demo is None:
            self.exit(0)
            return
        previous = self.monitor
        self.monitor, self.clock = self.start_demo()
        self.run_worker(_later(previous.aclose), group="close", exit_on_error=False)
        self.main.clock = self.clock
        self.mode_label = "demo"
        self._start()

    async def on_unmount(self) -> None:
        await self.monitor.aclose()

    def write_terminal(self, text: str) -> None:
        """For the notifier: the bell, or a desktop-notification escape sequence."""
        if text == "\a":
            self.bell()
        elif self._driver is not None:
            self._driver.write(text)

    # -- polling -------------------------------------------------------------------------

    def _busy(self, group: str) -> bool:
        return any(
            worker.group == group and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
            for worker in self.workers
        )

    def request_poll(self) -> None:
        """Start a poll unless one is still running (a tick is skipped, never cancels)."""
        if self._busy("poll"):
            return
        # The function, not a coroutine: one never started (the app quit first) would be
        # reported on the terminal as "never awaited".
        self.run_worker(_later(self._poll), name="poll", group="poll", exit_on_error=False)

    async def _poll(self) -> None:
        try:
            snapshot = await self.monitor.poll()
        except Exception as exc:  # the monitor should not raise; if it does, stay up
            self.notify(f"poll failed: {type(exc).__name__}: {exc}", severity="error")
        else:
            self.post_message(SnapshotReady(snapshot))
        finally:
            self._schedule_poll()

    def _schedule_poll(self) -> None:
        if self._poll_timer is not None:
            self._poll_timer.stop()
            self._poll_timer = None
        if self.monitor.paused:
            return
        try:
            wakeup = self.monitor.next_wakeup()
        except Exception:
            wakeup = None
        delay = poll_delay(wakeup, self.clock.now(), getattr(self.clock, "speed", 1.0))
        self._poll_timer = self.set_timer(delay, self.request_poll, name="next-poll")

    def on_snapshot_ready(self, message: SnapshotReady) -> None:
        several_before = self.main.snapshot is not None and len(self.main.snapshot.accounts) > 1
        with self.batch_update():
            self.main.snapshot = message.snapshot
        if several_before != (len(message.snapshot.accounts) > 1):
            self.refresh_bindings()
        if self.on_snapshot is not None:
            try:
                self.on_snapshot(message.snapshot)
            except Exception as exc:  # an export problem must not stop the view
                self.notify(f"export: {type(exc).__name__}: {exc}", severity="error")
                self.on_snapshot = None
        self._toast_new_alerts(message.snapshot)
        self._retune_tick(message.snapshot)

    def _toast_new_alerts(self, snapshot: Snapshot) -> None:
        """A toast for each alert the monitor raised in this poll (once per crossing); when a
        window crosses by threshold and pace at once, one toast says it."""
        order = {"threshold": 0, "pace": 1, "projection": 2}
        alerts = sorted(snapshot.new_alerts, key=lambda alert: order.get(alert.reason, 3))
        told: set[tuple[str, str]] = set()
        for alert in alerts:
            key = (alert.window, alert.level)
            if key in told:
                continue
            told.add(key)
            self.notify(
                alert.message,
                title=alert.level.upper(),
                severity="warning" if alert.level == "warning" else "error",
            )

    # -- the countdown tick --------------------------------------------------------------

    def _set_tick(self, period: float) -> None:
        if period == self._tick_period:
            return
        if self._tick_timer is not None:
            self._tick_timer.stop()
        self._tick_period = period
        self._tick_timer = self.set_interval(period, self._tick, name="countdown")

    def _retune_tick(self, snapshot: Snapshot | None) -> None:
        if snapshot is None:
            return
        period = fmt.tick_period(countdown_deadlines(snapshot), self.clock.now())
        self._set_tick(max(1.0, period / getattr(self.clock, "speed", 1.0)))

    def _tick(self) -> None:
        self.main.update_view()
        self._retune_tick(self.main.snapshot)

    # -- actions -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self._no_credentials_screen is not None and self.screen is self._no_credentials_screen:
            return action in ("quit", "help", "command_palette")
        if action == "next_account":  # only shown when several accounts are watched
            snapshot = self.main.snapshot
            return snapshot is not None and len(snapshot.accounts) > 1
        return True

    def action_next_account(self) -> None:
        name = self.main.next_account()
        if name is not None:
            self.notify(f"account: {name}", timeout=2)

    def action_refresh_usage(self) -> None:
        self._manual("usage")

    def action_reprobe(self) -> None:
        self._manual("probe")

    def _manual(self, kind: str) -> None:
        if self._busy(f"manual-{kind}"):
            return
        self.run_worker(
            _later(partial(self._run_manual, kind)),
            name=kind,
            group=f"manual-{kind}",
            exit_on_error=False,
        )

    async def _run_manual(self, kind: str) -> None:
        call = self.monitor.refresh_usage if kind == "usage" else self.monitor.reprobe
        what = "usage refresh" if kind == "usage" else "re-probe"
        try:
            done, allowed_at = await call()
        except Exception as exc:
            self.notify(f"{what} failed: {type(exc).__name__}: {exc}", severity="error")
            return
        if done:
            self.post_message(SnapshotReady(self.monitor.snapshot()))
            return
        if allowed_at is None:
            why = (
                "needs a Claude Code login"
                if kind == "usage"
                else "the probe is off ([probe] enabled in the config)"
            )
            self.notify(f"{what} not available: {why}", severity="warning")
            return
        now = self.clock.now()
        if kind == "usage":
            when = fmt.local_time(allowed_at, now, self.tz)
            self.notify(f"{what} allowed at {when} (the endpoint throttles)", severity="warning")
            return
        wait = (allowed_at - now).total_seconds()
        reason = "a probe ran moments ago" if wait <= 10 else "the server asked to wait"
        when = (
            f"in {fmt.countdown(wait)}"
            if wait < 3600
            else f"at {fmt.local_time(allowed_at, now, self.tz)}"
        )
        self.notify(f"{what} allowed {when} ({reason})", severity="warning")

    def action_toggle_pause(self) -> None:
        if self.monitor.paused:
            self.monitor.resume()
            self.request_poll()
        else:
            self.monitor.pause()
            self._schedule_poll()  # stops the pending poll timer
        self._set_paused_display(self.monitor.paused)
        self.post_message(SnapshotReady(self.monitor.snapshot()))

    def _set_paused_display(self, paused: bool) -> None:
        self.sub_title = "PAUSED" if paused else self.mode_label
        self.main.set_paused(paused)

    def action_error_detail(self) -> None:
        snapshot = self.main.snapshot
        error = snapshot.last_error if snapshot is not None else None
        from tui.ui.screens.error_detail import ErrorDetailScreen

        self.push_screen(ErrorDetailScreen(error, self.clock.now(), self.tz))

    def action_thresholds(self) -> None:
        snapshot = self.main.snapshot
        window_ids = [view.window.id for view in snapshot.windows] if snapshot else []
        from tui.ui.screens.thresholds import ThresholdsScreen

        screen = ThresholdsScreen(self.config, window_ids, self.config_path)
        self.push_screen(screen, self._thresholds_saved)

    def _thresholds_saved(self, config: Config | None) -> None:
        if config is None:
            return
        self.config = config
        set_config = getattr(self.monitor, "set_config", None)
        if set_config is not None:
            set_config(config)  # levels and alerts follow the new thresholds at once
        self.notify(f"thresholds saved to {self.config_path}")
        self.request_poll()

    def action_history(self) -> None:
        from tui.ui.screens.history import history_screen

        now = self.clock.now()
        thresholds_for = getattr(self.config, "thresholds_for", None)
        screen = history_screen(
            self.monitor,
            self.main.snapshot,
            now=now,
            thresholds_for=thresholds_for,
            tz=self.tz,
            account=getattr(self.main, "focused_account", None),
        )
        self.push_screen(screen)

    def action_help(self) -> None:
        from tui.ui.screens.help import KEYS, HelpScreen

        self.push_screen(HelpScreen(KEYS))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        from tui.ui.screens.help import KEYS

        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.action == "quit":
                continue
            text = dict(KEYS).get(binding.key_display or binding.key, binding.description)
            yield SystemCommand(binding.description, text, self._command(binding.action))

    def _command(self, action: str) -> Callable[[], object]:
        return lambda: self.run_action(action)
