"""Scenario files: the built-ins load, the timeline interpolates, bad files name the key."""

from __future__ import annotations

import pytest

from tui.simulator.scenario import (
    ScenarioError,
    builtin_dir,
    builtin_scenario_names,
    load_scenario,
    loads_scenario,
)

REQUIRED = {
    "healthy",
    "approaching-limits",
    "session-exhausted",
    "weekly-exhausted",
    "extra-usage-misbilled",
    "third-party-billing",
    "api-key-per-minute",
    "usage-throttled",
    "token-expired",
    "token-revoked",
    "overloaded",
    "new-account-shape",
    "newest-usage-shape",
    "enterprise-nulls",
    "flaky-network",
    "demo",
}

BASE = """
[[state]]
at = 0
five_hour = { utilization = 10.0, resets_at = 3600 }
"""


def problem(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text, source="my.toml")
    return info.value


def test_every_required_builtin_ships_inside_the_package_and_loads():
    assert set(builtin_scenario_names()) >= REQUIRED
    assert builtin_dir().parent.name == "simulator"
    for name in builtin_scenario_names():
        scenario = load_scenario(name)
        assert scenario.name == name
        assert scenario.description, f"{name} needs a description for --list"


def test_ramp_interpolates_between_states():
    scenario = loads_scenario(
        BASE
        + """
[[state]]
at = 1000
ramp = true
five_hour = { utilization = 90.0 }
"""
    )
    at = {t: scenario.view(t).state.window("five_hour") for t in (0, 250, 999, 1000, 5000)}
    assert at[0].utilization == 10.0
    assert at[250].utilization == pytest.approx(30.0)
    assert 89 < at[999].utilization < 90
    assert at[1000].utilization == at[5000].utilization == 90.0
    assert at[250].resets_at == 3600  # unset fields carry over


def test_steps_without_ramp_and_behaviours_do_not_carry_over():
    scenario = loads_scenario(
        BASE
        + """
messages = { error = "overloaded" }

[[state]]
at = 100
five_hour = { utilization = 50.0 }
"""
    )
    assert scenario.view(99).state.window("five_hour").utilization == 10.0
    assert scenario.view(99).behavior("messages").error.status == 529
    assert scenario.view(100).state.window("five_hour").utilization == 50.0
    assert scenario.view(100).behavior("messages") is None


def test_loop_repeats_the_timeline():
    scenario = load_scenario("api-key-per-minute")
    assert scenario.view(10).state.bucket("input_tokens").remaining == 0
    assert scenario.view(50).state.bucket("input_tokens").remaining == 30000
    assert scenario.view(70).state.bucket("input_tokens").remaining == 0
    assert scenario.view(70).state.bucket("input_tokens").resets_at == 100


def test_passed_resets_roll_forward_by_the_window_length():
    scenario = loads_scenario(BASE)
    assert scenario.view(3599).state.window("five_hour").resets_at == 3600
    assert scenario.view(3601).state.window("five_hour").resets_at == 3600 + 5 * 3600


def test_unknown_key_is_named_with_a_hint():
    err = problem(BASE.replace("utilization", "utilisation"))
    assert err.key == "state[0].five_hour.utilisation"
    assert 'did you mean "utilization"' in str(err)
    assert str(err).startswith("my.toml: state[0].five_hour.utilisation")


def test_every_problem_is_reported_with_its_key():
    err = problem(
        """
[[states]]
at = 0

[[state]]
at = 0
five_hour = { utilization = "high" }
token = "stale"
usage = { error = "rate_limited_badly" }
messages = { fault = { kind = "html_5xx", status = 404 } }
"""
    )
    keys = [k for k, _ in err.problems]
    assert keys == [
        "states",
        "state[0].five_hour.utilization",
        "state[0].token",
        "state[0].usage.error",
        "state[0].messages.fault.status",
    ]
    text = str(err)
    assert 'did you mean "state"' in text
    assert "expected a number from 0 to 150" in text
    assert "expected one of valid, expired, revoked" in text
    assert "expected a 5xx status" in text


def test_timeline_order_and_start_are_checked():
    err = problem(
        """
[[state]]
at = 10

[[state]]
at = 5
"""
    )
    assert [k for k, _ in err.problems] == ["state[1].at", "state[0].at"]
    assert problem("loop = true\n" + BASE).key == "duration"
    assert problem("description = 'x'\n").key == "state"


def test_a_bad_file_names_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(BASE + "extra_usage = { is_enabled = 'yes' }\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(path) in str(info.value)
    assert info.value.key == "state[0].extra_usage.is_enabled"
    path.write_text("[[state]\nat = 0\n")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(str(path))
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "missing.toml")


def test_unknown_builtin_suggests_the_near_name():
    with pytest.raises(ScenarioError, match='did you mean "healthy"'):
        load_scenario("healthyy")


def test_newer_usage_shapes_load_and_carry_over():
    scenario = loads_scenario(
        BASE
        + """
seven_day_fable = { utilization = 3.0, resets_at = 9000 }
extra_usage = { is_enabled = true, monthly_limit = 5000, used_credits = 100, decimal_places = 3 }
spend = { enabled = true, used = 1234, limit = "null", currency = "EUR", exponent = 2 }
other_keys = { iguana_necktie = { a = "null", b = [1, 2] } }

[[state]]
at = 100
spend = { used = 2000 }
"""
    )
    later = scenario.view(100).state
    assert later.window("seven_day_fable").utilization == 3.0
    assert later.extra_usage.decimal_places == 3
    assert (later.spend.used, later.spend.limit, later.spend.currency) == (2000, None, "EUR")
    assert later.other_keys == (("iguana_necktie", {"a": None, "b": [1, 2]}),)


def test_newer_usage_shapes_name_their_bad_keys():
    err = problem(
        BASE
        + """
extra_usage = { is_enabled = true, decimal_places = 12 }
spend = { enabled = "yes", used = -1, currency = "euro", exponent = 99, amount = 1 }
other_keys = { seven_day_fable = { utilization = 1 }, spend = 1 }
"""
    )
    keys = [k for k, _ in err.problems]
    assert keys == [
        "state[0].extra_usage.decimal_places",
        "state[0].spend.amount",
        "state[0].spend.enabled",
        "state[0].spend.used",
        "state[0].spend.currency",
        "state[0].spend.exponent",
        "state[0].other_keys.seven_day_fable",
        "state[0].other_keys.spend",
    ]
    assert "expected an ISO 4217 code like USD" in str(err)
    assert "has its own key in a state" in str(err)
