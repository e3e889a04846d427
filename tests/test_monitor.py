"""The monitor's story against the simulator: what a user would see in the snapshot."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.monitor_helpers import sim_credentials, sim_monitor
from tui.clock import ManualClock
from tui.config import Config, ProbeConfig
from tui.core.last_error import read_last_error
from tui.simulator import Fault, Simulator


def _windows(snapshot):
    return {view.window.id: view for view in snapshot.windows}


async def test_seed_case_out_of_extra_usage_with_plan_headroom() -> None:
    clock = ManualClock()
    with Simulator("extra-usage-misbilled", clock=clock) as sim:
        monitor = sim_monitor(sim, clock)
        snapshot = await monitor.poll()
        await monitor.aclose()
    windows = _windows(snapshot)
    assert windows["five_hour"].window.used_percent == 6.0
    assert windows["seven_day"].window.used_percent == 15.0
    # The error never moves a bar by itself.
    assert windows["five_hour"].level == "ok"
    error = snapshot.last_error
    assert error is not None
    assert error.class_id == "extra_usage_exhausted"
    assert error.plan_has_headroom is True
    assert "6%" in error.explanation and "15%" in error.explanation
    assert any("Claude Code" in action for action in error.actions)
    # status and statusline can show it too.
    saved = read_last_error()
    assert saved is not None and saved.class_id == "extra_usage_exhausted"


async def test_session_exhausted_shows_exhausted_level_and_the_limit() -> None:
    clock = ManualClock()
    with Simulator("session-exhausted", clock=clock) as sim:
        monitor = sim_monitor(sim, clock, credentials=sim_credentials(clock, api_key=False))
        snapshot = await monitor.poll()
        await monitor.aclose()
    assert _windows(snapshot)["five_hour"].level == "exhausted"
    assert snapshot.last_error is not None
    assert snapshot.last_error.class_id == "plan_limit_reached"
    assert snapshot.last_error.plan_has_headroom is False
    assert any(alert.level == "exhausted" for alert in snapshot.alerts)


async def test_usage_throttle_keeps_last_values_with_their_age() -> None:
    clock = ManualClock()
    with Simulator("healthy", clock=clock) as sim:
        monitor = sim_monitor(sim, clock, probe=False)
        first = await monitor.poll()
        seen_at = _windows(first)["five_hour"].window.observed_at
        sim.set_fault("usage", None)
        sim.set_scenario("usage-throttled")
        clock.advance(301)
        second = await monitor.poll()
        await monitor.aclose()
    five = _windows(second)["five_hour"]
    assert five.window.used_percent is not None  # the last good number is kept
    assert five.window.observed_at == seen_at  # ...with its true age
    usage_state = {s.id: s for s in second.sources}["oauth_usage"]
    assert usage_state.state in ("error", "stale")
    assert usage_state.next_attempt_at is not None
    assert usage_state.next_attempt_at >= clock.now() + timedelta(seconds=300)
    assert any(e.kind == "throttle" for e in second.events)
    # The throttle is our polling's problem, never "limit reached".
    assert usage_state.error is None or usage_state.error.class_id == "usage_endpoint_throttled"


async def test_one_usage_call_per_interval_over_an_hour() -> None:
    clock = ManualClock()
    with Simulator("healthy", clock=clock) as sim:
        monitor = sim_monitor(sim, clock, probe=False)
        for _ in range(360):  # an hour in 10 s steps
            await monitor.poll()
            clock.advance(10)
        await monitor.aclose()
        calls = [r for r in sim.requests if r.path == "/api/oauth/usage"]
    assert 12 <= len(calls) <= 13


async def test_faults_become_source_states_never_exceptions() -> None:
    clock = ManualClock()
    kinds = ["reset", "html_5xx", "malformed_json", "wrong_content_type", "huge_body"]
    with Simulator("healthy", clock=clock) as sim:
        monitor = sim_monitor(sim, clock, probe=False)
        good = await monitor.poll()
        for kind in kinds:
            sim.set_fault("usage", Fault(kind=kind))
            clock.advance(3600)
            snapshot = await monitor.poll()
            state = {s.id: s for s in snapshot.sources}["oauth_usage"]
            assert state.state in ("error", "stale"), kind
            # the last good numbers stay on screen
            assert _windows(snapshot)["five_hour"].window.used_percent == (
                _windows(good)["five_hour"].window.used_percent
            )
        await monitor.aclose()


async def test_paused_monitor_makes_no_calls() -> None:
    clock = ManualClock()
    with Simulator("healthy", clock=clock) as sim:
        monitor = sim_monitor(sim, clock)
        await monitor.poll()
        before = len(sim.requests)
        monitor.pause()
        assert monitor.next_wakeup() is None
        clock.advance(3600)
        await monitor.poll()
        assert len(sim.requests) == before
        monitor.resume()
        await monitor.poll()
        assert len(sim.requests) > before
        await monitor.aclose()


async def test_manual_refresh_respects_the_usage_policy() -> None:
    clock = ManualClock()
    with Simulator("healthy", clock=clock) as sim:
        monitor = sim_monitor(sim, clock, probe=False)
        await monitor.poll()
        done, allowed_at = await monitor.refresh_usage()
        assert done is False
        assert allowed_at is not None and allowed_at > clock.now()
        clock.set(allowed_at)
        done, _ = await monitor.refresh_usage()
        assert done is True
        await monitor.aclose()


async def test_history_lets_a_new_monitor_start_with_numbers() -> None:
    clock = ManualClock()
    with Simulator("healthy", clock=clock) as sim:
        first = sim_monitor(sim, clock, probe=False)
        await first.poll()
        await first.aclose()
        clock.advance(60)
        second = sim_monitor(sim, clock, probe=False)
        calls_before = len(sim.requests)
        snapshot = second.snapshot()  # no poll: what a freshly opened pane shows at once
        assert len(sim.requests) == calls_before
        await second.aclose()
    assert _windows(snapshot)["five_hour"].window.used_percent is not None


async def test_transcript_error_becomes_the_last_error(tmp_path) -> None:
    clock = ManualClock()
    project = tmp_path / "projects" / "-home-u-app"
    project.mkdir(parents=True)
    log = project / "session-1.jsonl"
    log.write_text("")
    with Simulator("healthy", clock=clock) as sim:
        monitor = sim_monitor(sim, clock, probe=False, transcripts_root=tmp_path / "projects")
        await monitor.poll()
        row = {
            "type": "assistant",
            "isApiErrorMessage": True,
            "error": "rate_limit",
            "apiErrorStatus": 429,
            "timestamp": clock.now().isoformat().replace("+00:00", "Z"),
            "sessionId": "session-1",
            "message": {
                "model": "<synthetic>",
                "content": [
                    {
                        "type": "text",
                        "text": "You've hit your session limit · resets 12:50am (UTC)",
                    }
                ],
            },
        }
        with log.open("a") as handle:
            handle.write(json.dumps(row) + "\n")
        clock.advance(10)
        snapshot = await monitor.poll()
        await monitor.aclose()
    assert snapshot.last_error is not None
    assert snapshot.last_error.class_id == "plan_limit_reached"
    assert snapshot.last_error.window_id == "five_hour"
    assert snapshot.last_error.source == "transcripts"


async def test_probe_disabled_for_subscription_only_says_why() -> None:
    clock = ManualClock()
    with Simulator("healthy", clock=clock) as sim:
        monitor = sim_monitor(
            sim,
            clock,
            config=Config(probe=ProbeConfig(enabled="auto")),
            credentials=sim_credentials(clock, api_key=False),
        )
        snapshot = await monitor.poll()
        await monitor.aclose()
        assert not [r for r in sim.requests if r.path == "/v1/messages"]
    probe = {s.id: s for s in snapshot.sources}["probe"]
    assert probe.state == "disabled"
    assert "plan quota" in probe.detail


async def test_new_thresholds_apply_at_once() -> None:
    from dataclasses import replace

    from tui.config import Thresholds

    clock = ManualClock()
    with Simulator("healthy", clock=clock) as sim:
        monitor = sim_monitor(sim, clock, probe=False)
        before = await monitor.poll()
        assert _windows(before)["seven_day"].level == "ok"  # 35% of the week
        config = replace(monitor.config, thresholds=Thresholds(warning=30, critical=60))
        monitor.set_config(config)
        after = monitor.snapshot()
        await monitor.aclose()
    assert _windows(after)["seven_day"].level == "warning"
    assert any(a.window == "seven_day" and a.level == "warning" for a in after.alerts)


async def test_memory_per_window_stays_small_over_a_day_of_polling() -> None:
    """A pane open all day: the probe reports every minute, but a reading that says what the
    last one said a moment ago is not kept in memory again."""
    clock = ManualClock()
    with Simulator("healthy", clock=clock) as sim:
        monitor = sim_monitor(sim, clock)
        for _ in range(24 * 60):  # a day in one-minute steps
            await monitor.poll()
            clock.advance(60)
        snapshot = monitor.snapshot()
        kept = {window_id: len(samples) for window_id, samples in monitor.ledger.samples.items()}
        await monitor.aclose()
    assert kept["five_hour"] <= 24 * 12 + 5  # at most one per five minutes when flat
    five = _windows(snapshot)["five_hour"]
    assert len(five.sparkline) >= 2  # still enough for the sparkline
