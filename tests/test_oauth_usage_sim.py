"""Subscription usage against the simulator: values, call spacing, shared calls, faults, secrets."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
import threading
from datetime import timedelta

import pytest

from tui.clock import ManualClock
from tui.config import Config, PollConfig, ProbeConfig
from tui.models import ErrorResponse, TransportError
from tui.simulator import SIM_ADMIN_KEY, SIM_API_KEY, SIM_OAUTH_TOKEN, Fault, Simulator
from tui.simulator.scenario import builtin_scenario_names, loads_scenario
from tui.sources.credentials import CredentialStore
from tui.sources.http import claude_code_user_agent, make_client
from tui.sources.oauth.cache import UsageCache
from tui.sources.oauth.source import OAuthUsageSource

STEADY = """
[[state]]
at = 0
five_hour = { utilization = 33.0, resets_at = 7200 }
seven_day = { utilization = 13.0, resets_at = 300000 }
seven_day_sonnet = { utilization = 1.0, resets_at = 300000 }
extra_usage = { is_enabled = true, monthly_limit = 2000, used_credits = 325.0 }
"""

# Fine at first, then the endpoint throttles (Retry-After 0) from 250 s to 2400 s.
THROTTLED = (
    STEADY
    + """
[[state]]
at = 250
usage = { error = "usage_throttled", retry_after = "0" }

[[state]]
at = 2400
five_hour = { utilization = 40.0 }
"""
)


def write_credentials(folder, clock, token=SIM_OAUTH_TOKEN, *, hours=24, scopes=None):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".credentials.json"
    oauth = {
        "accessToken": token,
        "refreshToken": "sk-ant-ort01-never-used-by-limitwatch-000000000000000000",
        "expiresAt": int((clock.now() + timedelta(hours=hours)).timestamp() * 1000),
        "scopes": scopes or ["user:inference", "user:profile"],
        "subscriptionType": "max",
        "rateLimitTier": "default_claude_max_20x",
    }
    path.write_text(json.dumps({"claudeAiOauth": oauth}))
    return path


def make_source(clock, config=None):
    config = config or Config()
    return OAuthUsageSource(CredentialStore(config, clock=clock), config=config, clock=clock)


def usage_calls(sim):
    return [r for r in sim.requests if r.endpoint == "usage"]


async def drive(source, client, clock, *, seconds, step=30.0):
    """What the monitor does: fetch whenever the source is due, time moving in steps."""
    results = []
    end = clock.now() + timedelta(seconds=seconds)
    while clock.now() <= end:
        if source.is_due(clock.now()):
            results.append(await source.fetch(client))
        clock.advance(step)
    return results


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def creds(isolated_paths, clock):
    return write_credentials(isolated_paths.claude, clock)


async def test_request_is_exactly_what_claude_code_sends(creds, clock):
    with Simulator(loads_scenario(STEADY), clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            result = await make_source(clock).fetch(client)
    (call,) = usage_calls(sim)
    assert call.method == "GET" and call.path == "/api/oauth/usage"
    assert call.auth == "bearer" and call.auth_ok
    assert call.beta == "oauth-2025-04-20"
    assert call.user_agent == claude_code_user_agent()
    assert call.user_agent.startswith("claude-code/")
    assert call.header("accept") == "application/json"
    assert result.state.state == "ok" and result.error is None


async def test_values_reach_the_result_in_percent_and_money(creds, clock):
    with Simulator(loads_scenario(STEADY), clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            result = await make_source(clock).fetch(client)
        start = sim.started_at
    windows = {w.id: w for w in result.windows}
    assert set(windows) == {"five_hour", "seven_day", "seven_day_sonnet"}
    assert windows["five_hour"].used_percent == 33.0
    assert windows["five_hour"].resets_at == start + timedelta(seconds=7200)
    assert windows["seven_day"].used_percent == 13.0
    extra = result.extra_usage
    assert extra is not None and (extra.used, extra.limit, extra.currency) == (3.25, 20.0, "USD")
    assert result.account is not None and result.account.plan == "max"
    assert result.state.next_attempt_at == clock.now() + timedelta(seconds=300)


async def test_polls_every_300_seconds_and_never_faster(creds, clock):
    with Simulator(loads_scenario(STEADY), clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            await drive(make_source(clock), client, clock, seconds=1500, step=30)
    times = [r.at for r in usage_calls(sim)]
    assert len(times) == 6  # at 0, 300, ..., 1500
    gaps = {(b - a).total_seconds() for a, b in itertools.pairwise(times)}
    assert gaps == {300.0}


async def test_throttle_backs_off_exponentially_and_recovers(creds, clock):
    with Simulator(loads_scenario(THROTTLED), clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            source = make_source(clock)
            results = await drive(source, client, clock, seconds=2600, step=30)
        start = sim.started_at
    calls = usage_calls(sim)
    offsets = [(r.at - start).total_seconds() for r in calls]
    statuses = [r.status for r in calls]
    # 429 with Retry-After 0 still waits 300 s, then 600 s, then 1200 s; the next call succeeds
    assert offsets == [0, 300, 600, 1200, 2400]
    assert statuses == [200, 429, 429, 429, 200]
    throttled = results[1]
    assert throttled.state.state == "error"
    assert isinstance(throttled.error, ErrorResponse) and throttled.error.status == 429
    assert throttled.error.error_type == "rate_limit_error"
    assert "throttled by the usage endpoint (429) until" in throttled.state.detail
    assert "showing values from 5 min ago" in throttled.state.detail
    assert throttled.state.next_attempt_at == start + timedelta(seconds=600)
    # the last good values come along, with their age visible in observed_at
    assert throttled.from_cache and throttled.windows[0].observed_at == start
    recovered = results[-1]
    assert recovered.state.state == "ok"
    assert {w.id: w.used_percent for w in recovered.windows}["five_hour"] == 40.0


async def test_a_longer_retry_after_is_honoured(creds, clock):
    scenario = loads_scenario(
        STEADY.replace(
            "[[state]]\nat = 0",
            '[[state]]\nat = 0\nusage = { error = "usage_throttled", retry_after = 900 }',
        )
    )
    with Simulator(scenario, clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            await drive(make_source(clock), client, clock, seconds=1000, step=30)
    offsets = [(r.at - sim.started_at).total_seconds() for r in usage_calls(sim)]
    assert offsets == [0, 900]


async def test_failures_never_retry_faster_than_success(creds, clock):
    with Simulator(loads_scenario(STEADY), clock=clock) as sim:
        sim.set_fault("usage", Fault(kind="html_5xx", status=502))
        async with make_client(sim.base_url) as client:
            await drive(make_source(clock), client, clock, seconds=900, step=30)
    calls = usage_calls(sim)
    assert [c.status for c in calls] == [502] * 4
    gaps = {(b.at - a.at).total_seconds() for a, b in itertools.pairwise(calls)}
    assert gaps == {300.0}


async def test_manual_refresh_only_when_allowed_and_says_when(creds, clock):
    with Simulator(loads_scenario(STEADY), clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            source = make_source(clock)
            await source.fetch(client)
            first = clock.now()
            clock.advance(60)
            assert source.manual_allowed(clock.now()) == (False, first + timedelta(seconds=300))
            refused = await source.fetch(client, manual=True)
            assert len(usage_calls(sim)) == 1
            assert "refresh not allowed until" in refused.state.detail
            assert refused.state.next_attempt_at == first + timedelta(seconds=300)
            assert refused.windows  # the values are still shown
            clock.advance(240)
            assert source.manual_allowed(clock.now()) == (True, None)
            done = await source.fetch(client, manual=True)
            assert done.state.state == "ok" and not done.from_cache
            assert len(usage_calls(sim)) == 2


async def test_a_new_process_starts_with_the_cached_answer(creds, clock):
    with Simulator(loads_scenario(STEADY), clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            await make_source(clock).fetch(client)
            clock.advance(120)
            later = await make_source(clock).fetch(client)  # a second pane opened later
    assert len(usage_calls(sim)) == 1
    assert later.from_cache and later.state.state == "ok"
    assert "values from 2 min ago" in later.state.detail
    assert later.state.next_attempt_at == sim.started_at + timedelta(seconds=300)
    assert {w.id for w in later.windows} == {"five_hour", "seven_day", "seven_day_sonnet"}


async def test_backoff_is_shared_between_processes(creds, clock):
    scenario = loads_scenario(
        STEADY.replace(
            "[[state]]\nat = 0", '[[state]]\nat = 0\nusage = { error = "usage_throttled" }'
        )
    )
    with Simulator(scenario, clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            first = await make_source(clock).fetch(client)
            clock.advance(60)
            other = await make_source(clock).fetch(client)
    assert len(usage_calls(sim)) == 1
    assert isinstance(first.error, ErrorResponse)
    assert other.state.state == "error" and other.error is None
    assert "throttled" in other.state.detail
    assert other.state.next_attempt_at == first.state.next_attempt_at


def test_two_processes_share_one_call_while_it_is_in_flight(creds, clock):
    """Two panes due at the same moment: one calls (slowly), the other waits and reuses it."""
    results = []
    barrier = threading.Barrier(2)

    def pane(base_url):
        async def run():
            barrier.wait(5)
            async with make_client(base_url) as client:
                return await make_source(clock).fetch(client)

        results.append(asyncio.run(run()))

    with Simulator(loads_scenario(STEADY), clock=clock) as sim:
        sim.set_fault("usage", Fault(kind="delay", seconds=0.4))
        threads = [threading.Thread(target=pane, args=(sim.base_url,)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
    assert len(usage_calls(sim)) == 1
    assert sorted(r.from_cache for r in results) == [False, True]
    assert all(r.state.state == "ok" for r in results)
    assert results[0].windows == results[1].windows


_PANE = """
import asyncio, json
from tui.clock import SystemClock
from tui.config import Config
from tui.sources.credentials import CredentialStore
from tui.sources.http import make_client
from tui.sources.oauth.source import OAuthUsageSource

async def main():
    clock = SystemClock()
    source = OAuthUsageSource(CredentialStore(Config(), clock=clock), config=Config(), clock=clock)
    async with make_client({base_url!r}) as client:
        r = await source.fetch(client)
    print(json.dumps({{"state": r.state.state, "cached": r.from_cache,
                      "five": [w.used_percent for w in r.windows if w.id == "five_hour"]}}))

asyncio.run(main())
"""


def test_real_processes_share_one_call(isolated_paths):
    """Two real limitwatch processes (real time) make one call between them."""
    from tui.clock import SystemClock

    write_credentials(isolated_paths.claude, SystemClock())
    with Simulator(loads_scenario(STEADY)) as sim:
        sim.set_fault("usage", Fault(kind="delay", seconds=1.0))
        code = _PANE.format(base_url=sim.base_url)
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", code],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=dict(os.environ),
            )
            for _ in range(2)
        ]
        outputs = [p.communicate(timeout=60) for p in procs]
    for out, err in outputs:
        assert SIM_OAUTH_TOKEN not in out + err
    answers = [json.loads(out) for out, _ in outputs]
    assert len(usage_calls(sim)) == 1
    assert sorted(a["cached"] for a in answers) == [False, True]
    assert all(a["state"] == "ok" and a["five"] == [33.0] for a in answers)


async def test_changed_credentials_file_is_picked_up_without_restart(isolated_paths, clock):
    path = write_credentials(isolated_paths.claude, clock, token="sk-ant-oat01-" + "x" * 60)
    with Simulator(loads_scenario(STEADY), clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            source = make_source(clock)
            bad = await source.fetch(client)
            assert isinstance(bad.error, ErrorResponse) and bad.error.status == 401
            assert not source.is_due(clock.now() + timedelta(seconds=10))
            write_credentials(isolated_paths.claude, clock)  # Claude Code signed in again
            st = path.stat()
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000))
            clock.advance(10)
            assert source.is_due(clock.now())
            good = await source.fetch(client)
    assert good.state.state == "ok" and good.windows
    assert [c.auth_ok for c in usage_calls(sim)] == [False, True]


async def test_expired_sign_in_makes_no_call_and_says_run_claude(isolated_paths, clock):
    write_credentials(isolated_paths.claude, clock, hours=-1)
    with Simulator(loads_scenario(STEADY), clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            result = await make_source(clock).fetch(client)
    assert usage_calls(sim) == []
    assert result.state.state == "error"
    assert "run `claude`" in result.state.detail
    assert result.state.next_attempt_at is not None


async def test_server_says_token_expired(creds, clock):
    scenario = loads_scenario(STEADY + '\ntoken = "expired"\n')
    with Simulator(scenario, clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            result = await make_source(clock).fetch(client)
    assert isinstance(result.error, ErrorResponse)
    assert (result.error.status, result.error.error_type) == (401, "authentication_error")
    assert "expired" in (result.error.message or "")
    assert result.state.next_attempt_at == clock.now() + timedelta(seconds=300)


async def test_setup_token_is_not_used_for_usage(isolated_paths, clock, monkeypatch):
    monkeypatch.setenv("CLAUDE_CODE_OAUTH_TOKEN", SIM_OAUTH_TOKEN)
    with Simulator(loads_scenario(STEADY), clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            result = await make_source(clock).fetch(client)
    assert usage_calls(sim) == []
    assert result.state.state == "unavailable"
    assert "cannot" in result.state.detail or "only send messages" in result.state.detail


async def test_no_credentials_is_unavailable_not_an_error(isolated_paths, clock):
    source = make_source(clock)
    with Simulator(loads_scenario(STEADY), clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            result = await source.fetch(client)
    assert result.state.state == "unavailable" and "claude" in result.state.detail
    assert usage_calls(sim) == []


async def test_corrupt_credentials_file_is_a_clear_state(isolated_paths, clock):
    isolated_paths.claude.mkdir(parents=True)
    (isolated_paths.claude / ".credentials.json").write_text("{oops")
    with Simulator(loads_scenario(STEADY), clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            result = await make_source(clock).fetch(client)
    assert result.state.state == "error"
    assert "not valid JSON" in result.state.detail
    assert ".credentials.json" in result.state.detail


FAULTS = [
    (Fault(kind="delay", seconds=3.0), TransportError, "timeout"),
    (Fault(kind="timeout"), TransportError, "timeout"),
    (Fault(kind="reset"), TransportError, "reset"),
    (Fault(kind="html_5xx", status=503), ErrorResponse, None),
    (Fault(kind="malformed_json"), TransportError, "decode"),
    (Fault(kind="huge_body", size_mb=3), TransportError, "too_large"),
    (Fault(kind="wrong_content_type"), TransportError, "decode"),
]


@pytest.mark.parametrize(
    ("fault", "kind_type", "kind"), FAULTS, ids=lambda v: getattr(v, "kind", "")
)
async def test_every_fault_is_a_result_never_an_exception(creds, clock, fault, kind_type, kind):
    with Simulator(loads_scenario(STEADY), clock=clock) as sim:
        sim.set_fault("usage", fault)
        async with make_client(sim.base_url, timeout=0.5) as client:
            result = await make_source(clock).fetch(client)
    assert result.state.state == "error"
    assert isinstance(result.error, kind_type)
    if kind is not None:
        assert result.error.kind == kind
    else:
        assert result.error.status == 503 and result.error.error_type is None
        assert "<html>" in result.error.body
    assert result.state.next_attempt_at == clock.now() + timedelta(seconds=300)


async def test_connection_refused_is_a_result(creds, clock):
    with Simulator(loads_scenario(STEADY), clock=clock) as sim:
        url = sim.base_url
    async with make_client(url, timeout=1) as client:  # nothing listens there any more
        result = await make_source(clock).fetch(client)
    assert isinstance(result.error, TransportError) and result.error.kind == "connect"
    assert result.state.state == "error" and "could not connect" in result.state.detail


async def test_no_secret_in_results_cache_or_output(creds, clock, capsys, caplog, isolated_paths):
    caplog.set_level("DEBUG")
    with Simulator(loads_scenario(THROTTLED), clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            source = make_source(clock)
            results = await drive(source, client, clock, seconds=700, step=60)
            sim.set_fault("usage", Fault(kind="reset"))
            clock.advance(1800)
            results.append(await source.fetch(client))
    written = "".join(
        p.read_text(errors="replace") for p in isolated_paths.cache.rglob("*") if p.is_file()
    )
    assert written  # the cache was written
    out = capsys.readouterr()
    everything = " ".join(
        [written, out.out, out.err, caplog.text]
        + [repr(r) for r in results]
        + [str(r) for r in results]
        + [repr(source.state())]
    )
    for secret in (SIM_OAUTH_TOKEN, SIM_API_KEY, "sk-ant-ort01"):
        assert secret not in everything
    assert all(r.error is None or "Bearer" not in repr(r.error) for r in results)


async def test_usage_cache_injected_is_used(creds, clock, isolated_paths):
    cache = UsageCache("fixed-key-for-test", clock=clock)
    config = Config(poll=PollConfig(usage_interval=600))
    store = CredentialStore(config, clock=clock)
    source = OAuthUsageSource(store, config=config, clock=clock, cache=cache)
    with Simulator(loads_scenario(STEADY), clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            result = await source.fetch(client)
    assert cache.path.exists() and cache.read() is not None
    assert result.state.next_attempt_at == clock.now() + timedelta(seconds=600)


async def test_new_account_shape_reads_per_model_windows_from_limits(creds, clock):
    with Simulator("new-account-shape", clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            result = await make_source(clock).fetch(client)
    windows = {w.id: w for w in result.windows}
    assert windows["five_hour"].used_percent == 22.0
    assert windows["seven_day"].used_percent == 9.0
    assert windows["seven_day_fable"].used_percent == 5
    assert windows["seven_day_fable"].label == "Weekly Fable"
    assert windows["seven_day_opus"].used_percent == 31  # legacy key null: the list fills in
    assert windows["seven_day_opus"].scope == "Opus"
    extra = result.extra_usage
    assert extra is not None and (extra.currency, extra.used, extra.limit) == ("EUR", 12.5, 50.0)


async def test_enterprise_nulls_are_no_data_not_zero(creds, clock):
    with Simulator("enterprise-nulls", clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            result = await make_source(clock).fetch(client)
    assert result.state.state == "ok"
    assert result.windows == () and result.extra_usage is None


@pytest.mark.parametrize("name", builtin_scenario_names())
async def test_every_builtin_scenario_gives_results_never_exceptions(creds, clock, name):
    """Each source over each scenario's first hour: results only, states from the known set."""
    from tui.sources.admin import AdminSource
    from tui.sources.credentials import ApiKey
    from tui.sources.probe import ProbeSource

    config = Config(probe=ProbeConfig(enabled=True))
    store = CredentialStore.fixed(
        oauth=CredentialStore(config, clock=clock).oauth(),
        admin_key=ApiKey(SIM_ADMIN_KEY, "ANTHROPIC_ADMIN_KEY", "admin"),
    )
    sources = [
        OAuthUsageSource(store, config=config, clock=clock),
        ProbeSource(store, config=config, clock=clock),
        AdminSource(store, config=config, clock=clock),
    ]
    with Simulator(name, clock=clock) as sim:
        async with make_client(sim.base_url, timeout=0.5) as client:
            for _ in range(12):
                for source in sources:
                    if source.is_due(clock.now()):
                        result = await source.fetch(client)
                        assert result.state.state in ("ok", "stale", "error")
                        assert result.state.next_attempt_at is not None
                        assert (result.state.state == "error") == (result.error is not None) or (
                            result.from_cache
                        )
                clock.advance(300)
    assert sim.errors == []
    assert {r.endpoint for r in sim.requests} >= {"usage", "messages", "admin_usage"}


async def test_demo_credentials_keep_the_cache_in_memory(isolated_paths, clock):
    """A fixed store (the demo) never writes to the user's cache folder, yet still obeys 300 s."""
    from tui.sources.credentials import OAuthCredentials

    oauth = OAuthCredentials(SIM_OAUTH_TOKEN, None, ("user:profile",), "max", None, "demo")
    store = CredentialStore.fixed(oauth=oauth)
    source = OAuthUsageSource(store, config=Config(), clock=clock)
    with Simulator(loads_scenario(STEADY), clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            await drive(source, client, clock, seconds=400, step=30)
    assert len(usage_calls(sim)) == 2  # at 0 and 300
    assert list(isolated_paths.cache.iterdir()) == []
