"""``limitwatch doctor``: what was found, what will be used, what is wrong, in plain words.

Exit 0 when all is well, 1 otherwise (2 for a bad invocation or config, as everywhere).
Secrets are only ever shown masked.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

from tui import paths
from tui import text as fmt
from tui.cli.common import load_config_or_say
from tui.clock import Clock, SystemClock
from tui.config import Config
from tui.record import field, record

if TYPE_CHECKING:
    import argparse

PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


@record(frozen=False)
class Report:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def say(self, text: str) -> None:
        self.lines.append(text)

    def problem(self, text: str) -> None:
        self.problems.append(text)
        self.lines.append(f"  ! {text}")


def run(
    args: argparse.Namespace,
    *,
    clock: Clock | None = None,
    env: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    clock = clock or SystemClock()
    env = os.environ if env is None else env
    report = Report()
    path, origin = paths.config_file(getattr(args, "config", None))
    report.say("Config")
    config = load_config_or_say(args, err)
    if config is None:
        return 2
    where = {"--config": "from --config", "LIMITWATCH_CONFIG": "from LIMITWATCH_CONFIG"}.get(
        origin, "default location"
    )
    state = "valid" if path.exists() else "not present, defaults in use"
    report.say(f"  {path} ({where}): {state}")
    asyncio.run(_check(config, clock, env, report))
    report.say("")
    if report.problems:
        report.say(f"{len(report.problems)} problem(s) found.")
    else:
        report.say("All good.")
    out.write("limitwatch doctor\n\n" + "\n".join(report.lines) + "\n")
    return 1 if report.problems else 0


def _accounts(config: Config, env: Mapping[str, str], report: Report) -> list[Config]:
    """Which accounts are watched (and from where), and other folders that could be; the
    config of each account."""
    from tui.config.accounts import suggested_account_lines
    from tui.core.fleet import account_plans

    plans = account_plans(config, env)
    report.say("")
    report.say("Accounts")
    for plan in plans:
        report.say(f"  {plan.name}: {plan.config_dir}")
    lines = suggested_account_lines(config, env)
    if lines:
        report.say("  other Claude Code folders were found; to watch them too, add to the config:")
        report.lines.extend(f"    {line}" for line in lines)
    return [plan.config for plan in plans]


def _estimate(config: Config, now: datetime, report: Report) -> None:
    """How close the estimate between polls has been (the live view measures it)."""
    from pathlib import Path

    from tui.core.last_error import read_estimate_errors

    folder = config.sources.claude_config_dir
    found = read_estimate_errors(paths.estimate_file(Path(folder) if folder else None))
    report.say("")
    report.say("Estimate between polls (calibrated on the transcripts' tokens)")
    if found is None or not found[1]:
        report.say("  not calibrated yet (the live view learns it from a few official readings)")
        return
    at, errors = found
    for window_id, error in sorted(errors.items()):
        report.say(f"  {window_id}: running error ±{error:.1f} points ({fmt.age(at, now)})")


async def _check(config: Config, clock: Clock, env: Mapping[str, str], report: Report) -> None:
    from tui.sources.credentials import CredentialStore
    from tui.sources.http import InsecureBaseURL, resolve_base_url
    from tui.sources.oauth.cache import sharing_problem

    now = clock.now()
    configs = _accounts(config, env, report)
    for other in configs[1:]:
        report.say("")
        report.say(f"Credentials of {other.sources.claude_config_dir}")
        store = CredentialStore(other, clock=clock, env=env)
        for line in store.findings():
            report.say(f"  {line}")
        trouble = store.oauth_problem()
        if trouble is not None:
            report.problem(f"{trouble.what} ({trouble.location}): {trouble.detail}")
    config = configs[0]
    credentials = CredentialStore(config, clock=clock, env=env)
    report.say("")
    report.say("Credentials")
    for line in credentials.findings():
        report.say(f"  {line}")
    oauth = credentials.oauth()
    problem = credentials.oauth_problem()
    if problem is not None:
        report.problem(f"{problem.what} ({problem.location}): {problem.detail}")
    api_key = credentials.api_key()
    admin_key = credentials.admin_key()
    if oauth is None and api_key is None and admin_key is None:
        report.problem(
            "no credentials found: log in with `claude` (Claude Code), or set "
            f"{config.sources.api_key_env}; `limitwatch --demo` shows limitwatch without any"
        )
    if oauth is not None and api_key is not None and api_key.origin.endswith("ANTHROPIC_API_KEY"):
        report.say(
            "  note: ANTHROPIC_API_KEY is set alongside a Claude subscription login. Claude Code "
            "run from this environment bills the API key, not your plan."
        )

    report.say("")
    report.say("Network")
    try:
        base_url, origin = resolve_base_url(config, env)
    except InsecureBaseURL as exc:
        report.problem(str(exc))
        return
    report.say(f"  endpoint {base_url} ({origin})")
    proxies = [f"{name}={env[name]}" for name in PROXY_VARS if env.get(name)]
    report.say("  proxies: " + (", ".join(proxies) if proxies else "none"))
    if origin != "default":
        report.say(
            "  note: a custom endpoint (proxy or gateway) can make Claude Code requests look "
            "like a third-party app, which bills them to extra usage"
        )

    sharing = sharing_problem()
    if sharing is not None:
        report.problem(f"{sharing}: every limitwatch process calls the usage endpoint itself")

    report.say("")
    report.say("Transcripts (Claude Code's local logs: the last error it showed you)")
    for root in paths.claude_config_dirs(config.sources.claude_config_dir):
        projects = root / "projects"
        if projects.is_dir():
            count = sum(1 for _ in projects.glob("*/*.jsonl"))
            report.say(f"  {projects}: {count} transcript file(s)")
        else:
            report.say(f"  {projects}: not present")

    _estimate(config, now, report)

    from tui.sources import statusline

    feed = statusline.read_recorded()
    report.say("")
    report.say("Status line feed")
    if feed is None:
        report.say("  never recorded (optional: set `limitwatch statusline` as Claude Code's")
        report.say("  statusLine command; see README)")
    else:
        report.say(f"  last render {fmt.age(feed.observed_at, now)}")

    if oauth is None and api_key is None and admin_key is None:
        return
    from tui.cli.status import headless_monitor

    monitor = headless_monitor(
        config,
        clock=clock,
        credentials=credentials,
        base_url=base_url,
        include_probe=False,
        persist_last_error=False,
    )
    try:
        snapshot = await monitor.poll()
    finally:
        await monitor.aclose()
    report.say("")
    report.say("Sources")
    for state in snapshot.sources:
        when = ""
        if state.next_attempt_at is not None:
            when = f"; next call allowed {fmt.local_time(state.next_attempt_at, now)}"
        report.say(f"  {state.id}: {state.state} {state.detail}{when}".rstrip())
        if state.state == "error":
            title = state.error.title if state.error is not None else state.detail
            report.problem(f"{state.id}: {title}")
    from tui.sources.probe import ProbeSource

    enabled, reason = ProbeSource(credentials, config=config, clock=clock).enabled()
    report.say(f"  probe: {'on' if enabled else 'off'}: {reason}")
