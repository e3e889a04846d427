"""Several accounts at once: each is whole, and the throttle stays one call per account."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tui.clock import ManualClock
from tui.config import Config, SourcesConfig, UnknownAccount
from tui.core.fleet import AccountPlan, build_fleet, select
from tui.core.report import exit_code, snapshot_to_json
from tui.simulator import SIM_OAUTH_TOKEN, SIM_OAUTH_TOKEN_2, Simulator


def sign_in(folder: Path, token: str, clock: ManualClock) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    expires = int((clock.now().timestamp() + 86400) * 1000)
    creds = {
        "claudeAiOauth": {
            "accessToken": token,
            "refreshToken": "sk-ant-ort01-not-used",
            "expiresAt": expires,
            "scopes": ["user:profile", "user:inference"],
            "subscriptionType": "max",
        }
    }
    (folder / ".credentials.json").write_text(json.dumps(creds))
    return folder


def two_plans(home: Path, clock: ManualClock) -> list[AccountPlan]:
    plans = []
    for name, token in (("personal", SIM_OAUTH_TOKEN), ("work", SIM_OAUTH_TOKEN_2)):
        folder = sign_in(home / f".claude-{name}", token, clock)
        config = Config(sources=SourcesConfig(claude_config_dir=str(folder)))
        plans.append(AccountPlan(name, folder, config))
    return plans


def usage_calls(sim: Simulator) -> dict[int, int]:
    calls: dict[int, int] = {1: 0, 2: 0}
    for request in sim.requests:
        if request.endpoint == "usage":
            calls[request.account] += 1
    return calls


async def test_two_accounts_each_show_their_own_usage(isolated_paths) -> None:
    clock = ManualClock()
    plans = two_plans(isolated_paths.home, clock)
    with Simulator("healthy", clock=clock, second="session-exhausted") as sim:
        fleet = build_fleet(plans, clock=clock, base_url=sim.base_url, headless=True)
        snapshot = await fleet.poll()
        await fleet.aclose()
    data = snapshot_to_json(snapshot)
    assert [a["name"] for a in data["accounts"]] == ["personal", "work"]
    by_name = {a["name"]: {w["id"]: w for w in a["windows"]} for a in data["accounts"]}
    assert by_name["personal"]["five_hour"]["level"] == "ok"
    assert by_name["work"]["five_hour"]["level"] == "exhausted"
    # The top-level keys are the first account's, as a one-account tool reads them.
    assert {w["id"]: w for w in data["windows"]}["five_hour"]["level"] == "ok"
    assert data["accounts"][0]["windows"] == data["windows"]
    # The exit code is the worst across accounts.
    assert exit_code(snapshot) == 11
    # Each account's alert names it.
    work_alerts = data["accounts"][1]["alerts"]
    assert work_alerts and all(a["level"] in ("critical", "exhausted") for a in work_alerts)
    assert all(alert.account == "work" for alert in snapshot.accounts[1].snapshot.alerts)


async def test_one_account_still_lists_itself_under_accounts(isolated_paths) -> None:
    clock = ManualClock()
    plan = two_plans(isolated_paths.home, clock)[0]
    with Simulator("healthy", clock=clock) as sim:
        fleet = build_fleet([plan], clock=clock, base_url=sim.base_url, headless=True)
        snapshot = await fleet.poll()
        await fleet.aclose()
    data = snapshot_to_json(snapshot)
    assert len(data["accounts"]) == 1
    assert data["accounts"][0]["name"] == "personal"
    assert data["accounts"][0]["windows"] == data["windows"]
    # One account: events and alerts are not prefixed with a name.
    assert not any(event.text.startswith("personal:") for event in snapshot.events)


async def test_two_live_views_and_a_status_make_one_usage_call_per_account(
    isolated_paths,
) -> None:
    """The usage endpoint's throttle is per token: every process shares one call per
    interval per account."""
    clock = ManualClock()
    plans = two_plans(isolated_paths.home, clock)
    with Simulator("healthy", clock=clock, second="approaching-limits") as sim:
        panes = [build_fleet(plans, clock=clock, base_url=sim.base_url) for _ in range(2)]
        for _ in range(4):  # 20 minutes
            for pane in panes:
                await pane.poll()
            status = build_fleet(plans, clock=clock, base_url=sim.base_url, headless=True)
            await status.poll()
            await status.aclose()
            clock.advance(300)
        for pane in panes:
            await pane.aclose()
        calls = usage_calls(sim)
    assert calls == {1: 4, 2: 4}


async def test_renaming_an_account_costs_no_extra_call(isolated_paths) -> None:
    clock = ManualClock()
    plans = two_plans(isolated_paths.home, clock)
    with Simulator("healthy", clock=clock) as sim:
        first = build_fleet(plans, clock=clock, base_url=sim.base_url, headless=True)
        await first.poll()
        await first.aclose()
        renamed = [replace(plan, name=plan.name + "-renamed") for plan in plans]
        second = build_fleet(renamed, clock=clock, base_url=sim.base_url, headless=True)
        snapshot = await second.poll()
        await second.aclose()
        calls = usage_calls(sim)
    assert calls == {1: 1, 2: 1}  # the cache is keyed by token, not by name
    assert [a.name for a in snapshot.accounts] == ["personal-renamed", "work-renamed"]


def test_an_unknown_account_name_lists_the_names(isolated_paths) -> None:
    plans = two_plans(isolated_paths.home, ManualClock())
    assert [p.name for p in select(plans, "work")] == ["work"]
    with pytest.raises(UnknownAccount) as caught:
        select(plans, "wrok")
    assert "the accounts are: personal, work" in str(caught.value)


async def test_each_account_keeps_its_own_last_error_file(isolated_paths) -> None:
    from tui import paths
    from tui.core.last_error import read_last_error

    clock = ManualClock()
    plans = two_plans(isolated_paths.home, clock)
    with Simulator("healthy", clock=clock, second="token-revoked") as sim:
        fleet = build_fleet(plans, clock=clock, base_url=sim.base_url, headless=True)
        await fleet.poll()
        await fleet.aclose()
    work_error = read_last_error(paths.last_error_file(plans[1].config_dir))
    assert work_error is not None and work_error.class_id == "token_revoked"
    assert read_last_error(paths.last_error_file(plans[0].config_dir)) is None


def test_statusline_records_under_the_account_claude_code_runs_as(
    isolated_paths, monkeypatch, capsys
) -> None:
    """The feed of the `work` sign-in lands in work's own file and history rows."""
    import io
    from argparse import Namespace

    from tui import paths
    from tui.cli.statusline import run_statusline
    from tui.core.history import History
    from tui.sources.statusline import read_recorded

    work = isolated_paths.home / ".claude-work"
    work.mkdir()
    config_file = isolated_paths.config_file
    config_file.write_text(
        '[[accounts]]\nname = "personal"\nclaude_config_dir = "~/.claude"\n\n'
        '[[accounts]]\nname = "work"\nclaude_config_dir = "~/.claude-work"\n'
    )
    clock = ManualClock()
    now = int(clock.now().timestamp())
    feed = {
        "model": {"display_name": "Opus"},
        "transcript_path": str(work / "projects" / "p" / "s.jsonl"),
        "rate_limits": {"five_hour": {"used_percentage": 42, "resets_at": now + 3600}},
    }
    monkeypatch.delenv("CLAUDE_CONFIG_DIR")
    out = io.StringIO()
    run_statusline(
        Namespace(config=None), clock=clock, stdin=io.StringIO(json.dumps(feed)), out=out
    )
    assert "5h 42%" in out.getvalue()
    recorded = read_recorded(paths.statusline_file(work))
    assert recorded is not None and recorded.windows[0].used_percent == 42
    assert read_recorded(paths.statusline_file(isolated_paths.claude)) is None
    history = History(paths.history_db(), clock=clock)
    try:
        assert [w.used_percent for w in history.latest(account="work")] == [42]
        assert history.latest(account="personal") == []
    finally:
        history.close()
