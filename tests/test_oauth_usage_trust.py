"""The shared usage cache under stress: five processes at once, absurd waits, clocks that jump,
a cache folder that cannot be written. Each against the simulator, counting its requests."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.test_oauth_usage_sim import STEADY, make_source, usage_calls, write_credentials
from tui.clock import ManualClock, SystemClock
from tui.config import Config
from tui.simulator import Fault, Simulator
from tui.simulator.scenario import loads_scenario
from tui.sources.credentials import CredentialStore
from tui.sources.http import make_client
from tui.sources.oauth import cache as cache_module
from tui.sources.oauth.cache import CacheEntry, UsageCache

OLD_PAYLOAD = {
    "five_hour": {"utilization": 12.0, "resets_at": None},
    "seven_day": {"utilization": 4.0, "resets_at": None},
}


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def creds(isolated_paths, clock):
    return write_credentials(isolated_paths.claude, clock)


def seed_cache(clock, **fields):
    """Write the account's shared cache as another (earlier) process would have left it."""
    key = CredentialStore(Config(), clock=clock).oauth().account_key
    entry = CacheEntry(
        payload=fields.pop("payload", OLD_PAYLOAD),
        fetched_at=fields.pop("fetched_at", None),
        next_allowed_at=fields.pop("next_allowed_at", None),
        **fields,
    )
    cache = UsageCache(key, clock=clock)
    assert cache.write(entry)
    return cache


def throttled(retry_after):
    return loads_scenario(
        STEADY.replace(
            "[[state]]\nat = 0",
            "[[state]]\nat = 0\nusage = "
            f'{{ error = "usage_throttled", retry_after = "{retry_after}" }}',
        )
    )


# -- five at once -------------------------------------------------------------------------


def test_five_panes_at_once_with_a_slow_endpoint_make_one_call(creds, clock, monkeypatch):
    """The lock stays busy while one pane waits on a slow answer: the others answer from the
    cache (stale, with its age) within their short wait, and make no call of their own."""
    monkeypatch.setattr(cache_module, "LOCK_TIMEOUT_SECONDS", 0.3)
    seed_cache(clock, fetched_at=clock.now() - timedelta(minutes=10))
    results = []
    barrier = threading.Barrier(5)

    def pane(base_url):
        async def run():
            barrier.wait(5)
            started = time.monotonic()
            async with make_client(base_url) as client:
                result = await make_source(clock).fetch(client)
            return result, time.monotonic() - started

        results.append(asyncio.run(run()))

    with Simulator(loads_scenario(STEADY), clock=clock) as sim:
        sim.set_fault("usage", Fault(kind="delay", seconds=2.0))
        threads = [threading.Thread(target=pane, args=(sim.base_url,)) for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert len(usage_calls(sim)) == 1
    called = [r for r, _ in results if not r.from_cache]
    waited = [(r, took) for r, took in results if r.from_cache]
    assert len(called) == 1 and called[0].state.state == "ok"
    assert len(waited) == 4
    for result, took in waited:
        assert took < 1.8  # did not sit out the slow call
        assert result.state.state == "stale"
        assert "another limitwatch is calling the usage endpoint" in result.state.detail
        assert "showing values from 10 min ago" in result.state.detail
        assert {w.id: w.used_percent for w in result.windows} == {
            "five_hour": 12.0,
            "seven_day": 4.0,
        }
        assert all(w.observed_at == clock.now() - timedelta(minutes=10) for w in result.windows)
        assert result.state.next_attempt_at == clock.now() + timedelta(seconds=30)


def test_five_status_commands_at_once_make_one_call(isolated_paths):
    """`limitwatch status --json` five times at once, the endpoint answering after 8 s: one
    calls; the others answer from the cache within their few seconds' wait."""
    now = SystemClock().now()
    write_credentials(isolated_paths.claude, SystemClock())
    seed_cache(ManualClock(now), fetched_at=now - timedelta(minutes=10))
    with Simulator(loads_scenario(STEADY)) as sim:
        sim.set_fault("usage", Fault(kind="delay", seconds=8.0))
        env = dict(os.environ, ANTHROPIC_BASE_URL=sim.base_url)
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "tui", "status", "--json"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for _ in range(5)
        ]
        outputs = [p.communicate(timeout=60) for p in procs]
    assert len(usage_calls(sim)) == 1
    answered_from_cache = 0
    for out, err in outputs:
        report = json.loads(out)
        (usage,) = [s for s in report["sources"] if s["id"] == "oauth_usage"]
        fives = [w["used_percent"] for w in report["windows"] if w["id"] == "five_hour"]
        if usage["state"] == "stale":
            answered_from_cache += 1
            assert "another limitwatch is calling" in usage["detail"]
            assert "showing values from 10 min ago" in usage["detail"]
            assert fives == [12.0], err
    assert answered_from_cache >= 1


# -- waits a server or the cache can impose -----------------------------------------------


@pytest.mark.parametrize("header", ["1e9", "inf"])
async def test_absurd_retry_after_stops_updates_for_thirty_minutes_only(creds, clock, header):
    with Simulator(throttled(header), clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            source = make_source(clock)
            result = await source.fetch(client)
            assert result.state.next_attempt_at == clock.now() + timedelta(minutes=30)
            clock.advance(29 * 60)
            assert not source.is_due(clock.now())
            clock.advance(60)
            assert source.is_due(clock.now())
            # a second process reads the same (bounded) wait from the shared cache
            other = await make_source(clock).fetch(client)
    assert len(usage_calls(sim)) == 2
    assert other.state.next_attempt_at is not None
    assert other.state.next_attempt_at <= clock.now() + timedelta(minutes=30)


async def test_a_wait_past_midnight_is_shown_with_its_day(isolated_paths):
    local_evening = datetime(2026, 4, 14, 23, 50).astimezone()
    clock = ManualClock(local_evening.astimezone(UTC))
    write_credentials(isolated_paths.claude, clock)
    with Simulator(throttled("1e9"), clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            result = await make_source(clock).fetch(client)
    tomorrow = (local_evening + timedelta(minutes=30)).strftime("%a %H:%M")
    assert f"(429) until {tomorrow}" in result.state.detail


async def test_a_cache_wait_a_year_ahead_is_not_obeyed(creds, clock):
    """The clock jumped (or an old version wrote it): the call is made per policy."""
    seed_cache(
        clock,
        fetched_at=clock.now() - timedelta(days=1),
        next_allowed_at=clock.now() + timedelta(days=365),
        last_ok=False,
        last_detail="throttled by the usage endpoint (429) until 09:00",
    )
    source = make_source(clock)
    assert source.manual_allowed(clock.now()) == (True, None)
    with Simulator(loads_scenario(STEADY), clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            result = await source.fetch(client)
    assert len(usage_calls(sim)) == 1
    assert result.state.state == "ok" and not result.from_cache
    assert result.state.next_attempt_at == clock.now() + timedelta(seconds=300)


async def test_cached_values_from_the_future_are_not_shown_as_fresh(creds, clock):
    seed_cache(
        clock,
        fetched_at=clock.now() + timedelta(days=365),
        next_allowed_at=clock.now() + timedelta(days=365),
    )
    with Simulator(throttled("0"), clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            result = await make_source(clock).fetch(client)
    assert len(usage_calls(sim)) == 1  # the call is made
    assert result.state.state == "error"
    assert result.windows == ()  # values of unknown age are not shown
    assert "no values yet" in result.state.detail


async def test_status_json_ages_windows_by_their_fetch_time(creds, clock, monkeypatch):
    """A cache that claims a later wait does not make old values fresh: `stale` is age."""
    from tui.cli.status import collect_snapshot
    from tui.core.report import snapshot_to_json

    seed_cache(
        clock,
        fetched_at=clock.now() - timedelta(hours=2),
        next_allowed_at=clock.now() + timedelta(minutes=20),
        backoff_step=3,
        last_ok=False,
        last_detail="throttled by the usage endpoint (429)",
    )
    with Simulator(loads_scenario(STEADY), clock=clock) as sim:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", sim.base_url)
        report = snapshot_to_json(await collect_snapshot(Config(), clock=clock))
    assert usage_calls(sim) == []  # the shared backoff is obeyed: it is within the ceiling
    windows = {w["id"]: w for w in report["windows"]}
    assert windows["five_hour"]["stale"] is True
    assert windows["five_hour"]["used_percent"] == 12.0


# -- sharing off ---------------------------------------------------------------------------


async def test_an_unwritable_cache_folder_is_said_in_the_source_detail(
    creds, clock, monkeypatch, tmp_path
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("LIMITWATCH_CACHE_DIR", str(blocker / "cache"))
    with Simulator(loads_scenario(STEADY), clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            result = await make_source(clock).fetch(client)
    assert result.state.state == "ok" and result.windows
    assert "cannot share usage answers" in result.state.detail
    assert str(blocker / "cache") in result.state.detail
    assert "cannot share usage answers" in cache_module.sharing_problem()
