"""limitwatch doctor: what it found, in plain words; exit 0 when all is well, 1 otherwise."""

from __future__ import annotations

import re

from tests.test_status import _login
from tui.cli import main
from tui.simulator import SIM_API_KEY, SIM_OAUTH_TOKEN, Simulator

NO_CREDENTIALS = (
    "  ! no credentials found: log in with `claude` (Claude Code), or set ANTHROPIC_API_KEY; "
    "`limitwatch --demo` shows limitwatch without any"
)


def _masked(secret: str) -> str:
    return f"{secret[:7]}...{secret[-4:]}"


def test_no_credentials_is_a_problem_and_says_how_to_fix_it(capsys) -> None:
    code = main(["doctor"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert NO_CREDENTIALS in lines
    assert lines[-1] == "1 problem(s) found."


def test_healthy_login_is_all_good(isolated_paths, monkeypatch, capsys) -> None:
    with Simulator("healthy") as sim:
        base_url = sim.base_url
        monkeypatch.setenv("ANTHROPIC_BASE_URL", base_url)
        _login(isolated_paths)
        code = main(["doctor"])
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert code == 0, out
    assert lines[-1] == "All good."
    credentials = isolated_paths.claude / ".credentials.json"
    # the token is shown masked, and recognisable by its ends
    assert (
        f"  Claude sign-in: {_masked(SIM_OAUTH_TOKEN)} from {credentials} "
        "(max, tier default_claude_max_5x)"
    ) in lines
    assert SIM_OAUTH_TOKEN not in out
    assert f"  endpoint {base_url} (ANTHROPIC_BASE_URL)" in lines
    [usage] = [line for line in lines if line.startswith("  oauth_usage:")]
    assert re.fullmatch(
        r"  oauth_usage: ok updated \d\d:\d\d \(3 windows\); next call at \d\d:\d\d; "
        r"next call allowed \d\d:\d\d",
        usage,
    ), usage


def test_api_key_alongside_a_login_is_pointed_out(isolated_paths, monkeypatch, capsys) -> None:
    with Simulator("healthy") as sim:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", sim.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", SIM_API_KEY)
        _login(isolated_paths)
        main(["doctor"])
    out = capsys.readouterr().out
    assert (
        "  note: ANTHROPIC_API_KEY is set alongside a Claude subscription login. Claude Code "
        "run from this environment bills the API key, not your plan."
    ) in out.splitlines()
    assert SIM_API_KEY not in out


def test_revoked_token_is_a_problem(isolated_paths, monkeypatch, capsys) -> None:
    with Simulator("token-revoked") as sim:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", sim.base_url)
        _login(isolated_paths)
        code = main(["doctor"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert [line for line in lines if line.startswith("  !")] == ["  ! oauth_usage: Login revoked"]
    assert lines[-1] == "1 problem(s) found."


def test_corrupt_credentials_file_is_explained(isolated_paths, capsys) -> None:
    isolated_paths.claude.mkdir(parents=True, exist_ok=True)
    credentials = isolated_paths.claude / ".credentials.json"
    credentials.write_text("{not json")
    code = main(["doctor"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert [line for line in lines if line.startswith("  !")] == [
        f"  ! corrupt ({credentials}): Claude Code's credentials are not valid JSON (line 1); "
        "sign in again with `claude`.",
        NO_CREDENTIALS,
    ]


def test_plain_http_to_a_remote_host_is_refused(monkeypatch, capsys) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://api.example.com")
    code = main(["doctor"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    at = lines.index("Network")
    assert lines[at + 1] == (
        "  ! base URL 'http://api.example.com' uses plain http to api.example.com: credentials "
        "would travel unencrypted; use https (plain http is only allowed to localhost / "
        "127.0.0.1 / ::1)"
    )
    assert lines[-1] == "2 problem(s) found."  # and no credentials either
