"""limitwatch status [--json] against the simulator: schema, exit codes, no secrets."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tui.cli import main
from tui.simulator import SIM_API_KEY, SIM_OAUTH_TOKEN, Simulator
from tui.simulator.scenario import loads_scenario

WARNING_ONLY = """
[[state]]
at = 0
five_hour = { utilization = 80.0, resets_at = 10800 }
seven_day = { utilization = 30.0, resets_at = 259200 }
"""


def _login(isolated_paths, *, hours: float = 24) -> None:
    isolated_paths.claude.mkdir(parents=True, exist_ok=True)
    expires = datetime.now(UTC) + timedelta(hours=hours)
    (isolated_paths.claude / ".credentials.json").write_text(
        json.dumps(
            {
                "claudeAiOauth": {
                    "accessToken": SIM_OAUTH_TOKEN,
                    "refreshToken": "sk-ant-ort01-must-never-be-used-0000000000000000000",
                    "expiresAt": int(expires.timestamp() * 1000),
                    "scopes": ["user:inference", "user:profile"],
                    "subscriptionType": "max",
                    "rateLimitTier": "default_claude_max_5x",
                }
            }
        )
    )


@pytest.fixture
def sim_env(isolated_paths, monkeypatch):
    def start(scenario):
        sim = Simulator(scenario).start()
        monkeypatch.setenv("ANTHROPIC_BASE_URL", sim.base_url)
        _login(isolated_paths)
        return sim

    sims: list[Simulator] = []

    def factory(scenario):
        sim = start(scenario)
        sims.append(sim)
        return sim

    yield factory
    for sim in sims:
        sim.stop()


def _status_json(capsys) -> tuple[int, dict]:
    code = main(["status", "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


RFC3339_OR_NONE = (str, type(None))


def test_json_has_every_key_of_the_schema_with_the_right_types(sim_env, capsys) -> None:
    sim_env("healthy")
    code, data = _status_json(capsys)
    assert code == 0
    assert data["schema"] == 1
    assert isinstance(data["generated_at"], str)
    assert data["account"] == {"plan": "max", "tier": "default_claude_max_5x"}
    ids = [w["id"] for w in data["windows"]]
    assert ids[:2] == ["five_hour", "seven_day"]
    for window in data["windows"]:
        assert set(window) >= {
            "id",
            "label",
            "used_percent",
            "resets_at",
            "level",
            "source",
            "observed_at",
            "stale",
            "projected_full_at",
        }
        assert isinstance(window["label"], str)
        assert isinstance(window["used_percent"], float | type(None))
        assert isinstance(window["resets_at"], RFC3339_OR_NONE)
        assert window["level"] in ("ok", "warning", "critical", "exhausted", "unknown")
        assert window["source"] in ("oauth_usage", "statusline", "probe", "transcripts")
        assert isinstance(window["stale"], bool)
        assert isinstance(window["projected_full_at"], RFC3339_OR_NONE)
    five = data["windows"][0]
    assert five["used_percent"] == 12.0
    assert five["resets_at"].endswith("Z")
    extra = data["extra_usage"]
    assert extra["enabled"] is True
    assert extra["used"] == pytest.approx(3.25)
    assert extra["limit"] == pytest.approx(20.0)
    assert extra["currency"] == "USD"
    assert isinstance(data["rate_limits"], list)
    assert data["last_error"] is None
    assert isinstance(data["alerts"], list)
    states = {s["id"]: s for s in data["sources"]}
    assert states["oauth_usage"]["state"] == "ok"
    for state in data["sources"]:
        assert set(state) >= {"id", "state", "last_success_at", "next_attempt_at", "detail"}
        assert state["state"] in ("ok", "stale", "error", "disabled", "unavailable")


def test_exit_code_10_on_warning(sim_env, capsys) -> None:
    sim_env(loads_scenario(WARNING_ONLY, source="warning.toml"))
    code, data = _status_json(capsys)
    assert code == 10
    assert data["windows"][0]["level"] == "warning"
    assert data["alerts"][0]["window"] == "five_hour"


def test_exit_code_11_when_a_window_is_exhausted(sim_env, capsys) -> None:
    sim_env("session-exhausted")
    code, data = _status_json(capsys)
    assert code == 11
    assert data["windows"][0]["level"] == "exhausted"


def test_exit_code_20_when_every_window_is_null(sim_env, capsys) -> None:
    sim_env("enterprise-nulls")
    code, data = _status_json(capsys)
    assert code == 20
    assert data["windows"] == []


def test_exit_code_20_without_any_credentials(capsys) -> None:
    code, data = _status_json(capsys)
    assert code == 20
    assert data["account"]["plan"] is None


def test_status_never_bypasses_the_usage_throttle(sim_env, capsys) -> None:
    sim = sim_env("healthy")
    for _ in range(5):
        assert main(["status", "--json"]) == 0
        capsys.readouterr()
    assert len([r for r in sim.requests if r.path == "/api/oauth/usage"]) == 1


def test_probe_only_on_request(sim_env, capsys, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", SIM_API_KEY)
    sim = sim_env("healthy")
    main(["status", "--json"])
    capsys.readouterr()
    assert not [r for r in sim.requests if r.path == "/v1/messages"]
    _code, data = _status_json_probe(capsys)
    assert [r for r in sim.requests if r.path == "/v1/messages"]
    assert {r["id"] for r in data["rate_limits"]} >= {"requests", "tokens"}


def test_the_seed_case_in_json(sim_env, capsys, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", SIM_API_KEY)
    sim_env("extra-usage-misbilled")
    code, data = _status_json_probe(capsys)
    error = data["last_error"]
    assert error["class"] == "extra_usage_exhausted"
    assert error["plan_has_headroom"] is True
    assert error["status"] == 400
    assert isinstance(error["actions"], list) and error["actions"]
    assert code == 0  # the plan windows are fine: 6% and 15%


def _status_json_probe(capsys) -> tuple[int, dict]:
    code = main(["status", "--json", "--probe"])
    return code, json.loads(capsys.readouterr().out)


def test_no_secret_in_any_output_or_file(sim_env, capsys, monkeypatch, isolated_paths) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", SIM_API_KEY)
    sim_env("extra-usage-misbilled")
    main(["status", "--json", "--probe"])
    main(["status"])
    main(["doctor"])
    captured = capsys.readouterr()
    secrets = (SIM_OAUTH_TOKEN, SIM_API_KEY, SIM_OAUTH_TOKEN[10:40], SIM_API_KEY[10:40])
    for secret in secrets:
        assert secret not in captured.out
        assert secret not in captured.err
    for folder in (isolated_paths.data, isolated_paths.cache):
        for path in folder.rglob("*"):
            if path.is_file():
                blob = path.read_bytes()
                for secret in secrets:
                    assert secret.encode() not in blob, path


def test_human_table_names_windows_and_the_error(sim_env, capsys, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", SIM_API_KEY)
    sim_env("extra-usage-misbilled")
    code = main(["status", "--probe"])
    out = capsys.readouterr().out
    assert code == 0
    assert "5-hour session" in out and "6%" in out
    assert "Weekly" in out and "15%" in out
    assert "Last error:" in out


def test_bad_config_exits_2_and_names_the_key(isolated_paths, capsys) -> None:
    isolated_paths.config_file.write_text("[thresholds]\nwarnin = 70\n")
    code = main(["status", "--json"])
    err = capsys.readouterr().err
    assert code == 2
    assert "thresholds.warnin" in err and "warning" in err
    assert isolated_paths.config_file.read_text() == "[thresholds]\nwarnin = 70\n"
