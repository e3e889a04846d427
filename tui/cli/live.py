"""Starting the TUI: ``limitwatch`` and ``limitwatch --demo``.

Textual, the monitor and the simulator are imported inside ``run`` so that importing this
module stays cheap.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.clock import Clock
    from tui.config import Config
    from tui.core.monitor import Monitor
    from tui.simulator import Simulator
    from tui.ui.app import LimitwatchApp

EXIT_USAGE = 2
DEFAULT_DEMO_SPEED = 60.0
MAX_DEMO_SPEED = 100_000.0


@dataclass
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
    from tui.core.monitor import Monitor
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
        monitor = Monitor.create(
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
    from tui.config import ConfigError, load_config

    try:
        config = load_config(explicit=getattr(args, "config", None))
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"limitwatch: {problem}", file=sys.stderr)
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

    def demo_starter() -> tuple[Any, Clock]:
        session = start_demo(config, speed)
        sessions.append(session)
        return session.monitor, session.clock

    try:
        if getattr(args, "demo", False):
            monitor, clock = demo_starter()
            app = LimitwatchApp(monitor, clock, config, config.path, demo=True)
        else:
            built = _live_app(config, demo_starter)
            if isinstance(built, int):
                return built
            app = built
        result = app.run()
    finally:
        for session in sessions:
            session.stop()
    return result if isinstance(result, int) else 0


def _live_app(config: Config, demo_starter: Any) -> LimitwatchApp | int:
    from tui.clock import SystemClock
    from tui.core.monitor import Monitor
    from tui.sources.credentials import CredentialStore
    from tui.sources.http import InsecureBaseURL, resolve_base_url
    from tui.ui.app import LimitwatchApp

    clock = SystemClock()
    try:
        base_url, _origin = resolve_base_url(config)
    except InsecureBaseURL as exc:
        print(f"limitwatch: {exc}", file=sys.stderr)
        return EXIT_USAGE
    credentials = CredentialStore(config, clock=clock)
    holder: list[LimitwatchApp] = []

    def write_terminal(text: str) -> None:
        if holder:
            holder[0].write_terminal(text)

    monitor = Monitor.create(
        config,
        clock=clock,
        credentials=credentials,
        base_url=base_url,
        write_terminal=write_terminal,
    )
    looked_for = None if _has_credentials(credentials) else credentials.findings()
    app = LimitwatchApp(
        monitor,
        clock,
        config,
        config.path,
        no_credentials=looked_for,
        start_demo=demo_starter,
    )
    holder.append(app)
    return app
