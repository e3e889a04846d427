"""A real HTTP server on loopback that plays Anthropic's endpoints, driven by scenarios.

    from tui.simulator import Simulator, SIM_OAUTH_TOKEN, SIM_API_KEY, SIM_ADMIN_KEY

    with Simulator("session-exhausted", clock=clock) as sim:
        ...  # point a client at sim.base_url; inspect sim.requests

Nothing here imports Textual or httpx.
"""

from __future__ import annotations

from tui.simulator.endpoints import (
    OAUTH_BETA,
    SIM_ADMIN_KEY,
    SIM_API_KEY,
    SIM_OAUTH_TOKEN,
    SIM_OAUTH_TOKEN_2,
)
from tui.simulator.faults import Fault
from tui.simulator.scenario import Scenario, ScenarioError, builtin_scenario_names, load_scenario
from tui.simulator.server import Simulator
from tui.simulator.wire import RecordedRequest

__all__ = [
    "OAUTH_BETA",
    "SIM_ADMIN_KEY",
    "SIM_API_KEY",
    "SIM_OAUTH_TOKEN",
    "SIM_OAUTH_TOKEN_2",
    "Fault",
    "RecordedRequest",
    "Scenario",
    "ScenarioError",
    "Simulator",
    "builtin_scenario_names",
    "load_scenario",
]
