"""The live view driving the real Monitor against simulator scenarios on loopback.

Time is a ManualClock shared by the simulator and the monitor; each step advances it and asks
for a poll, as the poll timer would.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import UTC

import pytest

from tests.fakes import T0, bar, bar_text, screen_text, settle, toasts
from tui.clock import ManualClock
from tui.config import Config, PollConfig, ProbeConfig
from tui.core.monitor import Monitor
from tui.simulator import SIM_API_KEY, SIM_OAUTH_TOKEN, Fault, Simulator
from tui.sources.credentials import ApiKey, CredentialStore, OAuthCredentials
from tui.sources.http import make_client
from tui.ui.app import LimitwatchApp

OAUTH = OAuthCredentials(SIM_OAUTH_TOKEN, None, ("user:profile",), "max", None, "test")
API = ApiKey(SIM_API_KEY, "ANTHROPIC_API_KEY", "api")


@asynccontextmanager
async def live(scenario: str, *, probe: bool = True, api: bool = False, size=(100, 40)):
    clock = ManualClock(T0)
    config = Config(probe=ProbeConfig(enabled=probe), poll=PollConfig(probe_interval=60))
    credentials = CredentialStore.fixed(oauth=None if api else OAUTH, api_key=API if api else None)
    with Simulator(scenario, clock=clock) as sim:
        monitor = Monitor(
            config,
            clock=clock,
            credentials=credentials,
            base_url=sim.base_url,
            # Short timeouts: the `timeout` fault must not hold a test for 15 real seconds.
            client_factory=lambda url: make_client(url, timeout=0.5),
        )
        app = LimitwatchApp(monitor, clock, config, None, tz=UTC)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            yield app, pilot, sim, clock


async def step(app, pilot, clock: ManualClock, seconds: float) -> None:
    clock.advance(seconds)
    app.request_poll()
    await settle(pilot)


async def test_healthy_account_shows_its_windows_and_sources() -> None:
    async with live("healthy") as (app, _pilot, _sim, _clock):
        assert "12%" in bar_text(app, "window:five_hour")
        assert "35%" in bar_text(app, "window:seven_day")
        assert "oauth_usage" in bar_text(app, "window:seven_day")
        assert "$3.25 of $20.00" in bar_text(app, "extra")
        text = screen_text(app)
        assert "oauth_usage ok · next call 09:05" in text
        assert "No errors seen." in text


async def test_usage_climbing_turns_bars_warning_then_critical_with_one_toast_each() -> None:
    async with live("approaching-limits", probe=False) as (app, pilot, _sim, clock):
        shown = bar(app, "window:five_hour")
        assert shown.has_class("-ok")
        for _ in range(6):  # 30 minutes: 76%
            await step(app, pilot, clock, 300)
        assert shown.has_class("-warning")
        assert "warning" in bar_text(app, "window:five_hour")
        for _ in range(12):  # one more hour: past 90%
            await step(app, pilot, clock, 300)
        assert bar(app, "window:five_hour").has_class("-critical")
        # One toast per level a window reaches: not one per poll, nor one per alert reason.
        five_hour = [t for t in toasts(app) if t.startswith("5-hour session")]
        assert len(five_hour) == 2
        assert "5-hour session at 91% (critical at 90%), resets 11:30" in five_hour


async def test_the_seed_case_out_of_extra_usage_while_the_plan_is_low() -> None:
    async with live("extra-usage-misbilled") as (app, pilot, _sim, clock):
        await step(app, pilot, clock, 60)  # the next probe knows the plan numbers
        assert "6%" in bar_text(app, "window:five_hour")
        assert "15%" in bar_text(app, "window:seven_day")
        assert bar(app, "extra").has_class("-exhausted")
        error = app.main.snapshot.last_error
        assert error is not None and error.class_id == "extra_usage_exhausted"
        assert error.title in screen_text(app)
        await pilot.press("e")
        await pilot.pause()
        detail = screen_text(app)
        assert "extra_usage_exhausted" in detail
        assert "You're out of extra usage" in detail
        assert "400 / invalid_request_error" in detail


async def test_a_throttled_usage_endpoint_keeps_the_last_numbers_marked_stale() -> None:
    async with live("healthy", probe=False) as (app, pilot, sim, clock):
        sim.set_scenario("usage-throttled")
        for _ in range(4):
            await step(app, pilot, clock, 300)
        five = bar_text(app, "window:five_hour")
        assert "12%" in five  # the last good value, not the throttled nothing
        assert "STALE" in five
        assert "throttled" in screen_text(app)
        assert "oauth_usage: " in screen_text(app)  # the event log names it


async def test_u_right_after_a_poll_says_when_usage_may_be_asked_again() -> None:
    async with live("healthy", probe=False) as (app, pilot, sim, _clock):
        calls = len([r for r in sim.requests if r.path == "/api/oauth/usage"])
        await pilot.press("u")
        await settle(pilot)
        assert len([r for r in sim.requests if r.path == "/api/oauth/usage"]) == calls
        assert any(t.startswith("usage refresh allowed at 09:") for t in toasts(app))
        assert any("(the endpoint throttles)" in t for t in toasts(app))


async def test_r_reprobes_now_when_allowed() -> None:
    async with live("api-key-per-minute", api=True) as (app, pilot, sim, clock):
        clock.advance(120)
        before = len([r for r in sim.requests if r.path == "/v1/messages"])
        await pilot.press("r")
        await settle(pilot)
        assert len([r for r in sim.requests if r.path == "/v1/messages"]) == before + 1
        assert "requests/min" in bar_text(app, "rate:requests")


async def test_r_with_the_probe_off_says_so() -> None:
    async with live("healthy", probe=False) as (app, pilot, _sim, _clock):
        await pilot.press("r")
        await settle(pilot)
        assert any("re-probe not available" in t for t in toasts(app))


async def test_an_expired_token_is_explained() -> None:
    async with live("token-expired", probe=False) as (app, _pilot, _sim, _clock):
        error = app.main.snapshot.last_error
        assert error is not None and error.class_id == "token_expired"
        assert error.title in screen_text(app)


async def test_pause_stops_calls_and_resume_restarts_them() -> None:
    async with live("healthy", probe=False) as (app, pilot, sim, clock):
        await pilot.press("p")
        await settle(pilot)
        count = len(sim.requests)
        await step(app, pilot, clock, 900)
        assert len(sim.requests) == count
        assert "PAUSED" in app.sub_title
        await pilot.press("p")
        await settle(pilot)
        assert len(sim.requests) > count


FAULTS = [
    Fault(kind="delay", seconds=0.2),
    Fault(kind="timeout"),
    Fault(kind="reset"),
    Fault(kind="html_5xx", status=502),
    Fault(kind="malformed_json"),
    Fault(kind="huge_body", size_mb=5),
    Fault(kind="wrong_content_type"),
]


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.kind)
async def test_the_app_survives_every_simulator_fault(fault: Fault) -> None:
    async with live("healthy", size=(80, 24)) as (app, pilot, sim, clock):
        sim.set_fault("*", fault)
        for _ in range(2):
            await step(app, pilot, clock, 300)
        assert app.is_running
        assert app.main.snapshot is not None
        if fault.kind != "delay":
            error = app.main.snapshot.last_error
            assert error is not None
            assert error.title in screen_text(app)
        await pilot.press("e")
        await pilot.pause()
        assert app.is_running
        await pilot.press("escape")
        sim.set_fault("*", None)
        await step(app, pilot, clock, 1800)
        assert "12%" in bar_text(app, "window:five_hour")


async def test_every_scenario_renders_without_crashing() -> None:
    from tui.simulator import builtin_scenario_names

    for name in builtin_scenario_names():
        async with live(name, size=(40, 20)) as (app, pilot, _sim, clock):
            await step(app, pilot, clock, 300)
            assert app.is_running, name
            assert app.main.snapshot is not None
