"""Starting the TUI: ``limitwatch`` and ``limitwatch --demo``.

Textual, the monitor and the simulator are imported inside ``run`` so that importing this
module stays cheap.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tui.cli.common import load_config_or_say
from tui.record import record, replace

if TYPE_CHECKING:
    import argparse

    from tui.clock import Clock
    from tui.config import Config
    from tui.core.monitor import Monitor
    from tui.simulator import Simulator
    from tui.ui.app import LimitwatchApp

EXIT_USAGE = 2
DEFAULT_DEMO_SPEED = 60.0
MAX_DEMO_SPEED = 100_000.0


@record(frozen=False)
class DemoSession:
    """The simulator on loopback and a monitor pointed at it, with its fixed credentials."""

    simulator: Simulator
    monitor: Monitor
    clock: Clock

    def stop(self) -> None:
        self.simulator.stop()


def demo_config(config: Config) -> Config:
    """The user's config with the probe on (the tour includes errors only the probe sees)."""
    from tui.config import SourcesConfig

    return replace(
        config,
        probe=replace(config.probe, enabled=True),
        sources=SourcesConfig(),
    )


def start_demo(config: Config, speed: float) -> DemoSession:
    """Start the simulator's scripted tour; nothing is read from or written to the user's
    credentials, transcripts or history."""
    from tui.core.wiring import create_monitor
    from tui.simulator import SIM_ADMIN_KEY, SIM_OAUTH_TOKEN, Simulator
    from tui.sources.credentials import ApiKey, CredentialStore, OAuthCredentials

    simulator = Simulator("demo", speed=speed).start()
    try:
        credentials = CredentialStore.fixed(
            oauth=OAuthCredentials(
                access_token=SIM_OAUTH_TOKEN,
                expires_at=None,
                scopes=("user:profile", "user:inference"),
                subscription_type="max",
                rate_limit_tier="default_claude_max_5x",
                origin="demo",
            ),
            admin_key=ApiKey(value=SIM_ADMIN_KEY, origin="demo", kind="admin"),
        )
        monitor = create_monitor(
            demo_config(config),
            clock=simulator.clock,
            credentials=credentials,
            base_url=simulator.base_url,
            use_history=False,
            use_transcripts=False,
        )
        monitor.persist_last_error = False  # the demo's errors are not the user's
    except Exception:
        simulator.stop()
        raise
    return DemoSession(simulator=simulator, monitor=monitor, clock=simulator.clock)


def _has_credentials(credentials: Any) -> bool:
    return any(
        found is not None
        for found in (credentials.oauth(), credentials.api_key(), credentials.admin_key())
    )


def run(args: argparse.Namespace) -> int:

    config = load_config_or_say(args, sys.stderr)
    if config is None:
        return EXIT_USAGE
    speed = float(getattr(args, "demo_speed", None) or DEFAULT_DEMO_SPEED)
    if not math.isfinite(speed) or not 0 < speed <= MAX_DEMO_SPEED:
        print(
            f"limitwatch: --demo-speed must be above 0 and at most {MAX_DEMO_SPEED:g}",
            file=sys.stderr,
        )
        return EXIT_USAGE

    from tui.ui.app import LimitwatchApp

    sessions: list[DemoSession] = []
    closers: list[Callable[[], None]] = []

    def demo_starter() -> tuple[Any, Clock]:
        session = start_demo(config, speed)
        sessions.append(session)
        return session.monitor, session.clock

    try:
        if getattr(args, "demo", False):
            monitor, clock = demo_starter()
            app = LimitwatchApp(monitor, clock, config, config.path, demo=True)
        else:
            built = _live_app(config, demo_starter, getattr(args, "account", None), closers)
            if isinstance(built, int):
                return built
            app = built
        _freeze_startup_objects()
        result = app.run()
    finally:
        for session in sessions:
            session.stop()
        for close in closers:
            close()
    return result if isinstance(result, int) else 0


def _freeze_startup_objects() -> None:
    """Move what the imports and the wiring made (modules, classes, the config: tens of
    thousands of objects that live as long as the process, none of them garbage) out of the
    garbage collector's sight, then turn the collector on. It was off since the process
    started (tui/__main__.py): during the imports it ran 130 times, a tenth of the time to the
    first frame, and freed nothing. A full collection walked those objects during the first
    frame (25-35 ms of it); it, and every one after it all day at rest, no longer does."""
    import gc

    gc.freeze()
    gc.enable()


def _live_app(
    config: Config,
    demo_starter: Any,
    account: str | None = None,
    closers: list[Callable[[], None]] | None = None,
) -> LimitwatchApp | int:
    """The live view over every account (or the one named); ``closers`` gets what must be
    closed after the app ends (the exporter)."""
    closers = [] if closers is None else closers
    from tui.clock import SystemClock
    from tui.config import UnknownAccount
    from tui.core.fleet import account_plans, build_fleet, select
    from tui.sources.http import InsecureBaseURL, resolve_base_url
    from tui.ui.app import LimitwatchApp

    clock = SystemClock()
    try:
        base_url, _origin = resolve_base_url(config)
        plans = select(account_plans(config), account)
    except (InsecureBaseURL, UnknownAccount) as exc:
        print(f"limitwatch: {exc}", file=sys.stderr)
        return EXIT_USAGE
    holder: list[LimitwatchApp] = []

    def write_terminal(text: str) -> None:
        if holder:
            holder[0].write_terminal(text)

    fleet = build_fleet(plans, clock=clock, base_url=base_url, write_terminal=write_terminal)
    exporter = _exporter(config)
    stores = [member.monitor.credentials for member in fleet.members]
    found = any(_has_credentials(store) for store in stores)
    looked_for = None if found else stores[0].findings()
    app = LimitwatchApp(
        fleet,
        clock,
        config,
        config.path,
        no_credentials=looked_for,
        start_demo=demo_starter,
        on_snapshot=exporter.update_all if exporter is not None else None,
    )
    if exporter is not None:
        closers.append(exporter.close)
    holder.append(app)
    return app


def _exporter(config: Config) -> Any:
    """With ``[export] in_live_view = true``: the Prometheus endpoint and/or OTLP push, fed by
    the open live view. Without the extra installed it says what to install and goes on."""
    if not config.export.in_live_view:
        return None
    from tui.export import INSTALL_HINT, Exporter, ExportError
    from tui.export.exporter import missing_packages

    prometheus = config.export.prometheus or None
    otlp = config.export.otlp
    if prometheus is None and not otlp:
        return None
    missing = missing_packages(prometheus=prometheus is not None, otlp=otlp)
    if missing:
        print(f"limitwatch: export needs {' and '.join(missing)}: {INSTALL_HINT}", file=sys.stderr)
        return None
    try:
        return Exporter.start(prometheus, otlp)
    except ExportError as exc:
        print(f"limitwatch: export: {exc}", file=sys.stderr)
        return None
