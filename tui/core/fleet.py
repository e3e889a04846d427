"""Several accounts at once: one Monitor per account, one Snapshot for all of them.

Each account is whole (its own credentials, usage cache, probe, transcripts, last error,
alerts, history rows); the fleet only polls them together and folds their snapshots into one:
the first account's snapshot, with every account (the first included) in ``accounts``. With one
account it is exactly that account's snapshot, so the common case stays as cheap as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, tzinfo
from pathlib import Path

from tui.clock import Clock
from tui.config import Config
from tui.config.accounts import UnknownAccount, resolve_accounts
from tui.core.loop import gather
from tui.core.monitor import Monitor
from tui.core.wiring import create_monitor
from tui.models import LEVEL_ORDER, AccountSnapshot, Snapshot
from tui.record import record, replace


@record(frozen=False)
class Member:
    """One watched account."""

    name: str
    config_dir: str
    monitor: Monitor


@record
class AccountPlan:
    """What watching one account takes: its name, its Claude Code folder and its own config
    (that folder in ``[sources]``, its API key variable, its thresholds)."""

    name: str
    config_dir: Path | None
    config: Config


def account_plans(config: Config, env: Mapping[str, str] | None = None) -> list[AccountPlan]:
    """The accounts to watch, the first one first (``tui.config.accounts`` says from where)."""
    plans = []
    for spec in resolve_accounts(config, env):
        sources = replace(
            config.sources,
            claude_config_dir=str(spec.config_dir),
            api_key_env=spec.api_key_env or "",  # "": this account has no API key
        )
        own = replace(
            config,
            sources=sources,
            thresholds=spec.thresholds,
            window_thresholds=dict(spec.window_thresholds),
        )
        plans.append(AccountPlan(spec.name, spec.config_dir, own))
    return plans


def select(plans: list[AccountPlan], name: str | None) -> list[AccountPlan]:
    """All plans, or the one named (``--account``); an unknown name raises UnknownAccount,
    whose message lists the names."""
    if name is None:
        return plans
    chosen = [plan for plan in plans if plan.name == name]
    if not chosen:
        raise UnknownAccount(name, [plan.name for plan in plans])
    return chosen


def build_fleet(
    plans: Sequence[AccountPlan],
    *,
    clock: Clock,
    base_url: str,
    env: Mapping[str, str] | None = None,
    headless: bool = False,
    include_probe: bool = True,
    notify: bool = True,
    write_terminal: Callable[[str], None] | None = None,
    tz: tzinfo | None = None,
) -> Fleet:
    """A monitor per account. ``headless`` (one-shot commands): no transcripts scan, no
    notifications, and unless ``include_probe``, no probe (it costs tokens) nor admin reports.
    ``notify`` False: no bell, desktop notification or command (a background agent)."""
    from tui.sources.credentials import CredentialStore

    several = len(plans) > 1
    network = ("oauth_usage", "probe", "admin") if include_probe else ("oauth_usage",)
    members: list[Member] = []
    for plan in plans:
        credentials = CredentialStore(plan.config, clock=clock, env=env)
        roots = [plan.config_dir / "projects"] if several and plan.config_dir else None
        monitor = create_monitor(
            plan.config,
            clock=clock,
            credentials=credentials,
            base_url=base_url,
            use_transcripts=not headless,
            notify=notify and not headless,
            write_terminal=write_terminal,
            config_dir=plan.config_dir,
            label=plan.name if several else "",
            transcript_roots=roots,
            network=network,
            tz=tz,
            account=plan.name,
            recent_errors=headless,
        )
        members.append(Member(plan.name, str(plan.config_dir or ""), monitor))
    return Fleet(members, env)


class Fleet:
    """The MonitorLike the live view, ``status`` and ``export`` use, over one or more accounts."""

    def __init__(self, members: Sequence[Member], env: Mapping[str, str] | None = None) -> None:
        if not members:
            raise ValueError("a fleet needs at least one account")
        self.members = list(members)
        self._env = env

    @property
    def names(self) -> list[str]:
        return [member.name for member in self.members]

    @property
    def first(self) -> Monitor:
        return self.members[0].monitor

    # -- MonitorLike ----------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self.first.paused

    def pause(self) -> None:
        for member in self.members:
            member.monitor.pause()

    def resume(self) -> None:
        for member in self.members:
            member.monitor.resume()

    def set_config(self, config: Config) -> None:
        """New thresholds from the editor: each account takes its own levels from it."""
        plans = {plan.name: plan for plan in account_plans(config, self._env)}
        for member in self.members:
            plan = plans.get(member.name)
            member.monitor.set_config(plan.config if plan is not None else config)

    def snapshot(self) -> Snapshot:
        return self._combine([member.monitor.snapshot() for member in self.members])

    def next_wakeup(self) -> datetime | None:
        times = [t for t in (m.monitor.next_wakeup() for m in self.members) if t is not None]
        return min(times) if times else None

    async def poll(self) -> Snapshot:
        snapshots = await gather([member.monitor.poll() for member in self.members])
        return self._combine(list(snapshots))

    async def refresh_usage(self) -> tuple[bool, datetime | None]:
        return await self._manual("usage")

    async def reprobe(self) -> tuple[bool, datetime | None]:
        return await self._manual("probe")

    async def aclose(self) -> None:
        await gather([member.monitor.aclose() for member in self.members])

    # -- helpers --------------------------------------------------------------------------

    async def _manual(self, kind: str) -> tuple[bool, datetime | None]:
        """Every account that allows it now; else the earliest time one will."""
        results = await gather(
            [
                m.monitor.refresh_usage() if kind == "usage" else m.monitor.reprobe()
                for m in self.members
            ]
        )
        if any(done for done, _ in results):
            return True, None
        times = [when for _, when in results if when is not None]
        return False, (min(times) if times else None)

    def _combine(self, snapshots: list[Snapshot]) -> Snapshot:
        accounts = tuple(
            AccountSnapshot(name=member.name, config_dir=member.config_dir, snapshot=snapshot)
            for member, snapshot in zip(self.members, snapshots, strict=True)
        )
        first = snapshots[0]
        if len(snapshots) == 1:
            return replace(first, accounts=accounts)
        # Several accounts: the event log and the new alerts of all of them (each names its
        # account), the first account's values for everything else.
        events = sorted(
            (event for snapshot in snapshots for event in snapshot.events),
            key=lambda event: event.at,
            reverse=True,
        )
        return replace(
            first,
            accounts=accounts,
            events=tuple(events[: len(first.events) or 50]),
            new_alerts=tuple(alert for snapshot in snapshots for alert in snapshot.new_alerts),
        )


def constraint(snapshot: Snapshot) -> tuple[int, float]:
    """How constrained an account is: its worst window level, then its fullest window."""
    worst = max((LEVEL_ORDER[view.level] for view in snapshot.windows), default=0)
    fullest = max((view.window.used_percent or 0.0 for view in snapshot.windows), default=0.0)
    return (worst, fullest)


def most_constrained_first(accounts: Sequence[AccountSnapshot]) -> list[AccountSnapshot]:
    return sorted(accounts, key=lambda account: constraint(account.snapshot), reverse=True)
