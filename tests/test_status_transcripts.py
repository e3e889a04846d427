"""status and statusline see the error Claude Code showed, from its transcripts, without the
live view being open."""

from __future__ import annotations

import io
import json
from argparse import Namespace
from datetime import UTC, datetime, timedelta

import pytest

from tests.test_status import _login
from tui.cli import main
from tui.cli.statusline import run_statusline
from tui.clock import ManualClock
from tui.simulator import Simulator


def _error_row(text: str, at: datetime, status: int = 429, kind: str = "rate_limit") -> dict:
    return {
        "type": "assistant",
        "isApiErrorMessage": True,
        "error": kind,
        "apiErrorStatus": status,
        "timestamp": at.isoformat().replace("+00:00", "Z"),
        "sessionId": "s1",
        "version": "2.1.150",
        "message": {"model": "<synthetic>", "content": [{"type": "text", "text": text}]},
    }


def _write(folder, *rows) -> None:
    session = folder / "projects" / "-home-u-app" / "s1.jsonl"
    session.parent.mkdir(parents=True, exist_ok=True)
    with session.open("a") as handle:
        for row in rows:
            handle.write(json.dumps(row, separators=(",", ":")) + "\n")


OUT_OF_EXTRA = (
    'API Error: 400 {"type":"error","error":{"type":"invalid_request_error","message":'
    '"You\'re out of extra usage. Add more at claude.ai/settings/usage and keep going."}}'
)


@pytest.mark.parametrize(
    ("text", "status", "kind", "class_id"),
    [
        (OUT_OF_EXTRA, 400, "invalid_request", "extra_usage_exhausted"),
        (
            "You've hit your session limit · resets 3pm (Europe/Berlin)",
            429,
            "rate_limit",
            "plan_limit_reached",
        ),
        (
            "You're out of extra usage · resets 9am (America/Cordoba)",
            429,
            "rate_limit",
            "extra_usage_exhausted",
        ),
        ("You're out of usage credits · resets 9am", 429, "rate_limit", "extra_usage_exhausted"),
    ],
)
def test_status_json_shows_the_error_claude_code_wrote(
    isolated_paths, monkeypatch, capsys, text, status, kind, class_id
) -> None:
    _write(
        isolated_paths.claude,
        _error_row(text, datetime.now(UTC) - timedelta(minutes=5), status, kind),
    )
    with Simulator("healthy") as sim:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", sim.base_url)
        _login(isolated_paths)
        main(["status", "--json"])
    data = json.loads(capsys.readouterr().out)
    error = data["last_error"]
    assert error is not None, data["sources"]
    assert error["class"] == class_id
    assert error["source"] == "transcripts"
    assert data["accounts"][0]["last_error"]["class"] == class_id


def test_an_old_transcript_error_is_not_the_last_error(isolated_paths, monkeypatch, capsys):
    _write(
        isolated_paths.claude,
        _error_row(OUT_OF_EXTRA, datetime.now(UTC) - timedelta(days=3), 400, "invalid_request"),
    )
    with Simulator("healthy") as sim:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", sim.base_url)
        _login(isolated_paths)
        main(["status", "--json"])
    assert json.loads(capsys.readouterr().out)["last_error"] is None


def test_the_status_line_names_the_error_of_the_last_hour(isolated_paths) -> None:
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    _write(
        isolated_paths.claude,
        _error_row(
            "You've hit your session limit · resets 3pm (Europe/Berlin)",
            clock.now() - timedelta(minutes=10),
        ),
    )
    feed = {
        "model": {"display_name": "Opus"},
        "rate_limits": {
            "five_hour": {"used_percentage": 100, "resets_at": int(clock.now().timestamp()) + 3600}
        },
    }
    out = io.StringIO()
    run_statusline(
        Namespace(config=None), clock=clock, stdin=io.StringIO(json.dumps(feed)), out=out
    )
    line = out.getvalue().strip()
    assert line.startswith("Opus · 5h 100%")
    assert "limit" in line.split(" · ")[-1].lower()
