"""Issue 14, item 7: `r` re-probes at once unless a probe ran within 10 s or the server's
Retry-After is in force; then it says when."""

from __future__ import annotations

from datetime import timedelta

from tui.clock import ManualClock
from tui.config import Config
from tui.simulator import SIM_API_KEY, Simulator
from tui.simulator.scenario import loads_scenario
from tui.sources.credentials import ApiKey, CredentialStore
from tui.sources.http import make_client
from tui.sources.probe import ProbeSource

KEY = ApiKey(SIM_API_KEY, "ANTHROPIC_API_KEY", "api")
RATE_LIMITED = """
[[state]]
at = 0
messages = { error = "requests_per_minute", retry_after = 45 }
"""


def _probe(clock) -> ProbeSource:
    return ProbeSource(CredentialStore.fixed(api_key=KEY), config=Config(), clock=clock)


async def test_r_probes_again_ten_seconds_after_the_last_probe_not_a_whole_interval():
    clock = ManualClock()
    probe = _probe(clock)
    assert probe.manual_allowed(clock.now()) == (True, None)
    with Simulator("healthy", clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            await probe.fetch(client)
    probed = clock.now()
    clock.advance(4)
    assert probe.manual_allowed(clock.now()) == (False, probed + timedelta(seconds=10))
    clock.advance(7)  # 11 s after the probe; the probe interval (60 s) has not passed
    assert not probe.is_due(clock.now())
    assert probe.manual_allowed(clock.now()) == (True, None)


async def test_r_waits_while_the_servers_retry_after_is_in_force():
    clock = ManualClock()
    probe = _probe(clock)
    with Simulator(loads_scenario(RATE_LIMITED), clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            result = await probe.fetch(client)
    assert result.error is not None
    probed = clock.now()
    clock.advance(20)
    assert probe.manual_allowed(clock.now()) == (False, probed + timedelta(seconds=45))
    clock.advance(26)
    assert probe.manual_allowed(clock.now()) == (True, None)
