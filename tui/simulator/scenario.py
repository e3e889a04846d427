"""Scenarios: a timeline of states the simulator plays, loaded from TOML and validated.

A scenario file::

    name = "approaching-limits"            # optional, defaults to the file name
    description = "one line for --list"
    loop = false                           # true: the timeline repeats every `duration` s
    duration = 3600                        # optional (required with loop)

    [account]                              # what GET /api/oauth/profile says
    organization_type = "claude_max"       # claude_pro | claude_max | claude_team | ...
    rate_limit_tier = "default_claude_max_5x"

    [admin]                                # admin reports: steady token rates
    input_tokens_per_hour = 200000

    [[state]]
    at = 0                                 # seconds from the scenario start
    five_hour = { utilization = 50.0, resets_at = 7200 }    # percent; resets_at: offset in s
    seven_day = { utilization = 60.0, resets_at = 300000 }
    seven_day_opus = "null"                # the literal string "null" stands for JSON null
    extra_usage = { is_enabled = true, monthly_limit = 2000, used_credits = 325.0 }  # cents
    rate_limits = { input_tokens = { limit = 30000, remaining = 0, resets_at = 40 } }
    token = "valid"                        # valid | expired | revoked (Bearer credential)
    messages = { error = "overloaded" }    # per endpoint: error, fault, retry_after, every, auth

    [[state]]
    at = 1800
    ramp = true                            # numbers climb linearly from the previous state
    five_hour = { utilization = 80.0 }     # unset fields are kept from the previous state

Data (windows, extra usage, limits, rate limits, unified overrides, token) carries over from
one state to the next; endpoint behaviours (errors, faults) hold only for the state that
declares them. A reset time that has passed rolls forward by the window's length (5 h for
five_hour and session limits, 7 days for other windows, 60 s for per-minute limits).
"""

from __future__ import annotations

import difflib
import tomllib
from importlib import resources
from pathlib import Path

from tui.simulator.spec import (
    ENDPOINTS,
    KNOWN_WINDOWS,
    Account,
    AdminSpec,
    Behavior,
    ErrorSpec,
    ExtraUsageSpec,
    Scenario,
    ScenarioError,
    State,
    View,
    WindowSpec,
)
from tui.simulator.validate import parse_scenario

__all__ = [
    "ENDPOINTS",
    "KNOWN_WINDOWS",
    "Account",
    "AdminSpec",
    "Behavior",
    "ErrorSpec",
    "ExtraUsageSpec",
    "Scenario",
    "ScenarioError",
    "State",
    "View",
    "WindowSpec",
    "builtin_dir",
    "builtin_scenario_names",
    "load_scenario",
    "loads_scenario",
    "parse_scenario",
]


def builtin_dir() -> Path:
    return Path(str(resources.files("tui.simulator").joinpath("scenarios")))


def builtin_scenario_names() -> list[str]:
    return sorted(p.stem for p in builtin_dir().glob("*.toml"))


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A built-in scenario by name, or a TOML file by path. Raises ScenarioError."""
    if isinstance(name_or_path, Path) or name_or_path.endswith(".toml") or "/" in name_or_path:
        path = Path(name_or_path)
        source = str(path)
    else:
        path = builtin_dir() / f"{name_or_path}.toml"
        source = f"built-in scenario {name_or_path!r}"
        if not path.is_file():
            names = builtin_scenario_names()
            hint = difflib.get_close_matches(name_or_path, names, n=1)
            did = f' (did you mean "{hint[0]}"?)' if hint else ""
            raise ScenarioError(
                name_or_path,
                [(None, f"no such built-in scenario{did}; built-in: {', '.join(names)}")],
            )
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(
            source, [(None, f"cannot read the file: {exc.strerror or exc}")]
        ) from exc
    return loads_scenario(text, source=source, default_name=path.stem)


def loads_scenario(
    text: str, *, source: str = "<string>", default_name: str = "custom"
) -> Scenario:
    """A scenario from TOML text. Raises ScenarioError naming ``source`` and the keys."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(source, [(None, f"not valid TOML: {exc}")]) from exc
    return parse_scenario(data, source=source, default_name=default_name)
