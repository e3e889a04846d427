"""``limitwatch status``: one snapshot for scripts and prompts; no Textual on this path.

It runs one poll of the cheap sources through the monitor (so the usage endpoint's shared
cache and polling policy apply: it never bypasses the throttle) and prints a table or the
schema-1 JSON.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from tui import text as fmt
from tui.cli.common import load_config_or_say
from tui.clock import Clock, SystemClock
from tui.config import Config
from tui.core.report import exit_code, snapshot_to_json
from tui.models import Snapshot

if TYPE_CHECKING:
    import argparse

    from tui.core.monitor import Monitor
    from tui.sources.credentials import CredentialStore

EXIT_USAGE = 2


def headless_monitor(
    config: Config,
    *,
    clock: Clock,
    credentials: CredentialStore,
    base_url: str,
    include_probe: bool,
    persist_last_error: bool = True,
) -> Monitor:
    """One account's monitor for one-shot commands: no transcripts scan, no notifications, and
    unless asked, no probe (it costs tokens) and no admin reports."""
    from tui.core.wiring import create_monitor

    monitor = create_monitor(
        config,
        clock=clock,
        credentials=credentials,
        base_url=base_url,
        use_transcripts=False,
        notify=False,
        network=("oauth_usage", "probe", "admin") if include_probe else ("oauth_usage",),
        recent_errors=True,
    )
    monitor.persist_last_error = persist_last_error
    return monitor


async def collect_snapshot(
    config: Config,
    *,
    clock: Clock,
    include_probe: bool = False,
    env: Any = None,
    account: str | None = None,
) -> Snapshot:
    """One snapshot of every account (or the one named), respecting every polling policy.
    Raises UnknownAccount for a name that is not configured."""
    from tui.core.fleet import account_plans, build_fleet, select
    from tui.sources.http import resolve_base_url

    plans = select(account_plans(config, env), account)
    base_url, _origin = resolve_base_url(config, env)
    fleet = build_fleet(
        plans,
        clock=clock,
        base_url=base_url,
        env=env,
        headless=True,
        include_probe=include_probe,
    )
    try:
        return await fleet.poll()
    finally:
        await fleet.aclose()


def run_status(
    args: argparse.Namespace,
    *,
    clock: Clock | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    config = load_config_or_say(args, err)
    if config is None:
        return EXIT_USAGE
    from tui.config import UnknownAccount
    from tui.core.loop import run_coroutine
    from tui.sources.http import InsecureBaseURL

    include_probe = getattr(args, "probe", False)
    poll = collect_snapshot(
        config,
        clock=clock or SystemClock(),
        include_probe=include_probe,
        account=getattr(args, "account", None),
    )
    try:
        if include_probe:  # the probe always sends: straight into an event loop
            import asyncio

            snapshot = asyncio.run(poll)
        else:  # a warm cache answers without an event loop (no asyncio, no ssl)
            snapshot = run_coroutine(poll)
    except (InsecureBaseURL, UnknownAccount) as exc:
        print(f"limitwatch: {exc}", file=err)
        return EXIT_USAGE
    if getattr(args, "json", False):
        # One write: the masking stream then sees each secret whole (and it is faster).
        out.write(json.dumps(snapshot_to_json(snapshot), indent=2) + "\n")
    else:
        out.write(render_table(snapshot))
    return exit_code(snapshot)


def render_table(snapshot: Snapshot) -> str:
    """A short human table: one line per window, then extra usage, limits, the last error.

    Every line is cleaned of escape sequences and control characters (labels, details and
    messages can come from a server) and masked by value."""
    from tui.secrets import mask

    return "".join(fmt.clean(mask(line)) + "\n" for line in _table_lines(snapshot))


def _table_lines(snapshot: Snapshot) -> list[str]:
    now = snapshot.generated_at
    lines: list[str] = []
    plan = snapshot.account.plan or "unknown plan"
    lines.append(
        f"limitwatch · {plan}" + (f" ({snapshot.account.tier})" if snapshot.account.tier else "")
    )
    if not snapshot.windows and not snapshot.rate_limits and snapshot.extra_usage is None:
        lines.append("no data yet: run `limitwatch doctor` to see which sources were found")
    for view in snapshot.windows:
        window = view.window
        if window.not_started:
            value = "not started"
        elif window.used_percent is None:
            value = "no data"
        else:
            value = fmt.percent(window.used_percent)
        reset = ""
        if window.resets_at is not None:
            reset = (
                f"resets in {fmt.countdown_until(window.resets_at, now)}"
                f" ({fmt.local_time(window.resets_at, now)})"
            )
        level = "" if view.level in ("ok", "unknown") else view.level.upper()
        stale = " STALE" if view.stale else ""
        origin = f"{window.source} {fmt.age(window.observed_at, now)}{stale}"
        lines.append(f"{window.label:<18} {value:>11} {level:<9} {reset:<30} {origin}".rstrip())
        if view.pace_message:
            lines.append(f"{'':<18} {view.pace_message}")
    extra = snapshot.extra_usage
    if extra is not None:
        if not extra.enabled:
            value = "off" + (f" ({extra.disabled_reason})" if extra.disabled_reason else "")
        else:
            value = fmt.money_of(extra.used, extra.limit, extra.currency)
            if extra.used_percent is not None:
                value += f" ({fmt.percent(extra.used_percent)})"
        lines.append(f"{'Extra usage':<18} {value}")
    for limit in snapshot.rate_limits:
        label = fmt.rate_limit_label(limit.id)
        lines.append(f"{label:<18} {limit.remaining} of {limit.limit} left")
    error = snapshot.last_error
    if error is not None:
        lines.append("")
        lines.append(f"Last error: {error.title} ({fmt.age(error.observed_at, now)})")
        lines.append(f"  {error.explanation}")
    for alert in snapshot.alerts:
        lines.append(f"! {alert.message}")
    for state in snapshot.sources:
        if state.state not in ("ok",):
            lines.append(f"source {state.id}: {state.state} {state.detail}".rstrip())
    return lines
