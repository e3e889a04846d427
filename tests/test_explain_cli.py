"""``limitwatch explain [TEXT]``: paste an error, get the class, the story and what to do."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from tui.cli import main
from tui.simulator import SIM_OAUTH_TOKEN, Simulator

OUT_OF_EXTRA = "You're out of extra usage. Add more at claude.ai/settings/usage and keep going."
LAST_ERROR_KEYS = {
    "class",
    "status",
    "type",
    "message",
    "title",
    "explanation",
    "actions",
    "source",
    "observed_at",
    "plan_has_headroom",
    "is_limit",
    "window",
    "retry_at",
    "signals",
}


class _Stdin(io.StringIO):
    def __init__(self, text: str, tty: bool = False) -> None:
        super().__init__(text)
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@pytest.fixture
def offline(isolated_paths, monkeypatch):
    """No sign-in and an unroutable API: explain works on the words alone."""
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    return isolated_paths


@pytest.fixture
def signed_in(isolated_paths, monkeypatch):
    def start(scenario: str) -> Simulator:
        sim = Simulator(scenario).start()
        monkeypatch.setenv("ANTHROPIC_BASE_URL", sim.base_url)
        monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
        isolated_paths.claude.mkdir(parents=True, exist_ok=True)
        expires = datetime.now(UTC) + timedelta(hours=24)
        (isolated_paths.claude / ".credentials.json").write_text(
            json.dumps(
                {
                    "claudeAiOauth": {
                        "accessToken": SIM_OAUTH_TOKEN,
                        "refreshToken": "sk-ant-ort01-must-never-be-used-000000000000000000",
                        "expiresAt": int(expires.timestamp() * 1000),
                        "scopes": ["user:inference", "user:profile"],
                        "subscriptionType": "max",
                    }
                }
            )
        )
        sims.append(sim)
        return sim

    sims: list[Simulator] = []
    yield start
    for sim in sims:
        sim.stop()


def test_text_as_argument_prints_title_explanation_and_actions(offline, capsys) -> None:
    code = main(["explain", "You've hit your session limit · resets 3pm (Europe/Berlin)"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("5-hour limit reached  [plan_limit_reached]\n")
    assert "Claude stopped because your 5-hour session limit is used up." in out
    assert "What to do:\n  • Wait for the reset at" in out
    assert "Message:\n  You've hit your session limit · resets 3pm (Europe/Berlin)" in out


def test_text_on_stdin(offline, capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", _Stdin("API Error: 529 Overloaded\n"))
    assert main(["explain"]) == 0
    assert "[overloaded]" in capsys.readouterr().out


@pytest.mark.parametrize("stdin", [_Stdin("", tty=True), _Stdin("   \n")])
def test_no_text_is_exit_2_with_a_hint(offline, capsys, monkeypatch, stdin) -> None:
    monkeypatch.setattr("sys.stdin", stdin)
    assert main(["explain"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no error text" in captured.err and "stdin" in captured.err


def test_json_is_the_last_error_object_of_status(offline, capsys) -> None:
    code = main(["explain", "--json", OUT_OF_EXTRA])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(data) == LAST_ERROR_KEYS
    assert data["class"] == "extra_usage_exhausted"
    assert data["source"] == "pasted"
    assert data["message"] == OUT_OF_EXTRA
    assert data["is_limit"] is True
    assert data["plan_has_headroom"] is None  # no numbers without a sign-in


def test_json_with_the_current_numbers_from_the_usage_endpoint(signed_in, capsys) -> None:
    signed_in("extra-usage-misbilled")  # 6% / 15% used, extra usage spent
    code = main(["explain", "--json", OUT_OF_EXTRA])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["class"] == "extra_usage_exhausted"
    assert data["plan_has_headroom"] is True
    assert "6% used" in data["explanation"] and "15% used" in data["explanation"]


def test_unknown_leads_with_the_message_and_says_what_to_report(offline, capsys) -> None:
    code = main(["explain", 'API Error: 418 {"error":{"type":"teapot_error","message":"short"}}'])
    out = capsys.readouterr().out
    assert code == 0  # something was classified, even as unknown
    lines = out.splitlines()
    assert lines[0] == "Unrecognised error  [unknown]"
    assert lines[2] == "Message:"
    assert lines[3].startswith('  API Error: 418 {"error"')
    assert "limitwatch has no usage numbers yet." in out
    assert "Signals read:\n  HTTP status 418\n  error type teapot_error" in out
    assert "To report it:" in out and "limitwatch explain --json" in out


def test_escape_sequences_in_pasted_text_never_reach_the_terminal(offline, capsys) -> None:
    main(["explain", "weird \x1b[2J\x1b]0;title\x07 thing sk-ant-api03-abcdefghijklmnop1234"])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "abcdefghijklmnop" not in out and "sk-ant-...1234" in out


def test_a_broken_config_is_exit_2_naming_the_file(offline, capsys, tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[thresholds]\nwarning = 'x'\n")
    assert main(["explain", "--config", str(bad), "Overloaded"]) == 2
    assert "bad.toml" in capsys.readouterr().err
