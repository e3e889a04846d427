"""Issue 14, item 2: secrets masked by value wherever limitwatch prints or writes, whatever
their shape; a credential holding a control character refused before any request."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tui import paths, secrets
from tui.cli import main
from tui.simulator import Fault, Simulator

GATEWAY_TOKEN = "gw-7f3a9c1e5b2d4f6a8c0e1b3d5f7a9c2e"
REFRESH_TOKEN = "rt-0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d"


@pytest.fixture(autouse=True)
def _fresh_registry():
    secrets.forget_all()
    yield
    secrets.forget_all()


def _login(claude_dir: Path, token: str) -> None:
    claude_dir.mkdir(parents=True, exist_ok=True)
    expires = datetime.now(UTC) + timedelta(hours=24)
    (claude_dir / ".credentials.json").write_text(
        json.dumps(
            {
                "claudeAiOauth": {
                    "accessToken": token,
                    "refreshToken": REFRESH_TOKEN,
                    "expiresAt": int(expires.timestamp() * 1000),
                    "scopes": ["user:inference", "user:profile"],
                    "subscriptionType": "max",
                }
            }
        )
    )


def _everything_written(isolated_paths) -> str:
    """Every file limitwatch wrote in its data and cache folders."""
    texts = []
    for folder in (isolated_paths.data, isolated_paths.cache):
        for path in folder.rglob("*"):
            if path.is_file() and not path.name.endswith(".sqlite3"):
                texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts)


def test_a_server_echoing_a_gateway_token_never_gets_it_printed_or_stored(
    isolated_paths, monkeypatch, capsys
):
    with Simulator("healthy") as sim:
        sim.set_fault("*", Fault(kind="echo_credential"))
        monkeypatch.setenv("ANTHROPIC_BASE_URL", sim.base_url)
        _login(isolated_paths.claude, GATEWAY_TOKEN)
        main(["status", "--json"])
        json_out = capsys.readouterr()
        main(["status"])
        table_out = capsys.readouterr()
        assert any(r.endpoint == "usage" for r in sim.requests)
    data = json.loads(json_out.out)
    # The server's message did reach the user, masked.
    assert "bad credential" in json.dumps(data)
    assert paths.last_error_file().is_file()
    written = _everything_written(isolated_paths)
    assert "bad credential" in written
    for text in (json_out.out, json_out.err, table_out.out, table_out.err, written):
        assert GATEWAY_TOKEN not in text
        assert GATEWAY_TOKEN[3:20] not in text


def test_mask_replaces_every_registered_value_whatever_its_shape_and_keeps_the_pattern():
    secrets.register(GATEWAY_TOKEN)
    secrets.register("short")  # too short to be a credential: ordinary words stay readable
    text = f"bad credential: Bearer {GATEWAY_TOKEN}; key sk-ant-api03-abcdefghijklmnop; short"
    masked = secrets.mask(text)
    assert GATEWAY_TOKEN not in masked
    assert "...9c2e" in masked  # still recognisable, never usable
    assert "abcdefghijklmnop" not in masked and "sk-ant-...mnop" in masked
    assert masked.endswith("; short")


def test_every_state_file_is_masked_by_value(tmp_path):
    from tui.state_file import write_json

    secrets.register(REFRESH_TOKEN)
    write_json(tmp_path / "x.json", {"last_detail": [f"echo {REFRESH_TOKEN}"]}, prefix=".x-")
    assert REFRESH_TOKEN not in (tmp_path / "x.json").read_text()


def test_a_token_with_a_control_character_is_refused_before_any_request(
    isolated_paths, monkeypatch, capsys
):
    token = "sk-ant-oat01-secretpart\nX-Injected: yes"
    with Simulator("healthy") as sim:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", sim.base_url)
        _login(isolated_paths.claude, token)
        main(["status", "--json"])
        status = capsys.readouterr()
        main(["doctor"])
        doctor = capsys.readouterr()
        assert sim.requests == []
    assert "control character" in doctor.out
    written = _everything_written(isolated_paths)
    for text in (status.out, status.err, doctor.out, doctor.err, written):
        assert "secretpart" not in text
        assert "X-Injected" not in text
