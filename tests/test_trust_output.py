"""Issue 14, item 6: text from outside never reaches a terminal with escape sequences, absurd
numbers print short, and ``statusline`` neither hangs on an open stdin nor needs its data folder."""

from __future__ import annotations

import io
import json
import os
import threading
import time
from argparse import Namespace
from datetime import UTC, datetime, timedelta

from tui import text as fmt
from tui.cli.status import render_table
from tui.cli.statusline import run_statusline
from tui.clock import ManualClock
from tui.models import Account, Event, Snapshot, SourceState

NOW = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)
EVIL = "Opus\x1b]0;pwned\x07\x1b[2J\x1b[31m 4.5\x9b1m\r\n"


def _feed(model: str = "Opus 4.5") -> dict[str, object]:
    return {
        "model": {"id": "claude-opus-4-5", "display_name": model},
        "rate_limits": {
            "five_hour": {
                "used_percentage": 33.0,
                "resets_at": int((NOW + timedelta(hours=2)).timestamp()),
            }
        },
    }


def test_percent_never_prints_hundreds_of_digits():
    assert fmt.percent(1e308) == ">999%"
    assert len(fmt.percent(1e308)) < 8
    assert fmt.percent(float("inf")) == "—"
    assert fmt.percent(float("nan")) == "—"
    assert fmt.percent(999.4) == "999%"
    assert fmt.percent(-3) == "0%"


def test_clean_removes_escape_sequences_and_control_characters_but_keeps_text():
    assert fmt.clean(EVIL) == "Opus 4.5  "
    assert fmt.clean("naïve ✓ 日本") == "naïve ✓ 日本"
    assert fmt.clean("line\nbreak", keep_newlines=True) == "line\nbreak"
    assert "\x1b" not in fmt.clean("\x1bPq#0;2;0;0;0\x1b\\after") and "after" in fmt.clean(
        "\x1bP\x1b\\after"
    )


def _run_statusline(stdin) -> str:
    out = io.StringIO()
    run_statusline(
        Namespace(config=None, format=None), clock=ManualClock(NOW), stdin=stdin, out=out
    )
    return out.getvalue()


def test_statusline_strips_escape_sequences_from_the_model_name():
    out = _run_statusline(io.StringIO(json.dumps(_feed(EVIL))))
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert out.count("\n") == 1 and "Opus" in out and "33%" in out


def test_statusline_answers_promptly_when_stdin_is_never_closed():
    read_end, write_end = os.pipe()
    os.write(write_end, json.dumps(_feed()).encode())
    stdin = os.fdopen(read_end, "r")
    try:
        began = time.monotonic()
        result: list[str] = []
        worker = threading.Thread(target=lambda: result.append(_run_statusline(stdin)), daemon=True)
        worker.start()
        worker.join(timeout=5)
        took = time.monotonic() - began
    finally:
        os.close(write_end)
    assert result, "statusline still waiting on stdin after 5 s"
    assert took < 2.0
    assert "Opus 4.5" in result[0] and "5h 33%" in result[0]


def test_statusline_waits_at_most_its_deadline_for_a_partial_feed():
    read_end, write_end = os.pipe()
    os.write(write_end, b'{"model": {"display_name": "Opus')  # never completed, never closed
    stdin = os.fdopen(read_end, "r")
    try:
        began = time.monotonic()
        result: list[str] = []
        worker = threading.Thread(target=lambda: result.append(_run_statusline(stdin)), daemon=True)
        worker.start()
        worker.join(timeout=5)
        took = time.monotonic() - began
    finally:
        os.close(write_end)
    assert result and result[0] == "limitwatch: no data\n"
    assert took < 2.5


def test_statusline_prints_from_its_input_when_the_data_folder_is_not_writable(
    isolated_paths, monkeypatch
):
    blocker = isolated_paths.root / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("LIMITWATCH_DATA_DIR", str(blocker / "data"))
    out = _run_statusline(io.StringIO(json.dumps(_feed())))
    assert "Opus 4.5" in out and "5h 33%" in out


def test_status_table_cleans_server_text():
    snapshot = Snapshot(
        generated_at=NOW,
        account=Account(plan="max"),
        sources=(SourceState("oauth_usage", "error", detail="HTTP 502: \x1b[2J\x1b]0;x\x07bad"),),
    )
    table = render_table(snapshot)
    assert "\x1b" not in table and "\x07" not in table
    assert "HTTP 502: bad" in table


def test_event_log_and_source_status_draw_no_escape_sequences():
    from tui.ui.widgets.event_log import event_lines
    from tui.ui.widgets.source_status import source_line

    lines = event_lines([Event(at=NOW, kind="error", text="server said \x1b[31mred\x1b[0m")], UTC)
    assert lines[0][1] == "server said red"
    state = SourceState("probe", "stale", detail="\x1b]8;;http://x\x1b\\click\x1b]8;;\x1b\\")
    _, text, _ = source_line(state, NOW, UTC)
    assert "\x1b" not in text and "click" in text


def test_doctor_and_status_print_no_escape_sequence_a_server_sent(
    isolated_paths, monkeypatch, capsys
):
    from tui.cli import main
    from tui.simulator import SIM_OAUTH_TOKEN, Simulator
    from tui.simulator.scenario import loads_scenario

    isolated_paths.claude.mkdir(parents=True, exist_ok=True)
    (isolated_paths.claude / ".credentials.json").write_text(
        json.dumps({"claudeAiOauth": {"accessToken": SIM_OAUTH_TOKEN, "scopes": ["user:profile"]}})
    )
    scenario = loads_scenario(
        "[[state]]\nat = 0\n"
        'usage = { error = { status = 500, type = "api_error", '
        'message = "\\u001b]0;pwned\\u0007\\u001b[2Jboom" } }\n'
    )
    with Simulator(scenario) as sim:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", sim.base_url)
        main(["doctor"])
        doctor = capsys.readouterr().out
        main(["status"])
        status = capsys.readouterr().out
    assert "boom" in doctor and "boom" in status
    for out in (doctor, status):
        assert "\x1b" not in out and "\x07" not in out
