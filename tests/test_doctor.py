"""limitwatch doctor: what it found, in plain words; exit 0 when all is well, 1 otherwise."""

from __future__ import annotations

from tests.test_status import _login
from tui.cli import main
from tui.simulator import SIM_API_KEY, SIM_OAUTH_TOKEN, Simulator


def test_no_credentials_is_a_problem_and_says_how_to_fix_it(capsys) -> None:
    code = main(["doctor"])
    out = capsys.readouterr().out
    assert code == 1
    assert "no credentials found" in out
    assert "limitwatch --demo" in out


def test_healthy_login_is_all_good(isolated_paths, monkeypatch, capsys) -> None:
    with Simulator("healthy") as sim:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", sim.base_url)
        _login(isolated_paths)
        code = main(["doctor"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "All good." in out
    assert "oauth_usage: ok" in out
    assert "sk-ant-...0000" in out or "sk-ant-..." in out  # masked, recognisable
    assert SIM_OAUTH_TOKEN not in out
    assert "ANTHROPIC_BASE_URL" in out


def test_api_key_alongside_a_login_is_pointed_out(isolated_paths, monkeypatch, capsys) -> None:
    with Simulator("healthy") as sim:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", sim.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", SIM_API_KEY)
        _login(isolated_paths)
        main(["doctor"])
    out = capsys.readouterr().out
    assert "bills the API key, not your plan" in out
    assert SIM_API_KEY not in out


def test_revoked_token_is_a_problem(isolated_paths, monkeypatch, capsys) -> None:
    with Simulator("token-revoked") as sim:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", sim.base_url)
        _login(isolated_paths)
        code = main(["doctor"])
    out = capsys.readouterr().out
    assert code == 1
    assert "oauth_usage" in out and "!" in out


def test_corrupt_credentials_file_is_explained(isolated_paths, capsys) -> None:
    isolated_paths.claude.mkdir(parents=True, exist_ok=True)
    (isolated_paths.claude / ".credentials.json").write_text("{not json")
    code = main(["doctor"])
    out = capsys.readouterr().out
    assert code == 1
    assert ".credentials.json" in out


def test_plain_http_to_a_remote_host_is_refused(monkeypatch, capsys) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://api.example.com")
    code = main(["doctor"])
    out = capsys.readouterr().out
    assert code == 1
    assert "http" in out.lower()
