"""``limitwatch simulate``: lists, refuses bad input with exit 2, serves quietly until stopped."""

from __future__ import annotations

import re
import threading

import httpx

from tui.cli import main
from tui.cli.parser import build_parser
from tui.simulator import OAUTH_BETA, SIM_OAUTH_TOKEN, builtin_scenario_names
from tui.simulator import cli as simulator_cli


def test_list_prints_every_builtin_with_its_description(capsys):
    assert main(["simulate", "--list"]) == 0
    out = capsys.readouterr().out
    for name in builtin_scenario_names():
        assert re.search(rf"^{re.escape(name)}\s+\S", out, re.M), name
    assert "out of extra usage" in out


def test_refuses_a_non_loopback_host(capsys):
    assert main(["simulate", "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert "0.0.0.0" in err and "loopback" in err


def test_refuses_a_speed_that_stops_the_clock(capsys):
    assert main(["simulate", "--speed", "0"]) == 2
    assert "--speed must be positive" in capsys.readouterr().err


def test_bad_scenario_file_names_file_and_key(tmp_path, capsys):
    path = tmp_path / "mine.toml"
    path.write_text("[[state]]\nat = 0\nfive_hour = { utilization = 120.0, reset_at = 60 }\n")
    assert main(["simulate", "--scenario", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: state[0].five_hour.reset_at: unknown key" in err
    assert 'did you mean "resets_at"' in err
    assert main(["simulate", "--scenario", "no-such-scenario"]) == 2


def test_serves_prints_how_to_connect_and_logs_requests_without_secrets(capsys):
    args = build_parser().parse_args(
        ["simulate", "--scenario", "session-exhausted", "--speed", "60"]
    )
    args.stop = threading.Event()
    ready = threading.Event()
    result = {}
    worker = threading.Thread(target=lambda: result.update(rc=simulator_cli.run(args, ready=ready)))
    worker.start()
    try:
        assert ready.wait(5)
        out = capsys.readouterr().out
        url = re.search(r"^ANTHROPIC_BASE_URL=(http://127\.0\.0\.1:\d+)$", out, re.M).group(1)
        assert re.search(r"^ANTHROPIC_API_KEY=sk-ant-api03-", out, re.M)
        assert re.search(r"^ANTHROPIC_ADMIN_KEY=sk-ant-admin01-", out, re.M)
        assert "x60" in out
        r = httpx.post(
            f"{url}/v1/messages",
            headers={
                "Authorization": f"Bearer {SIM_OAUTH_TOKEN}",
                "anthropic-beta": OAUTH_BETA,
                "anthropic-version": "2023-06-01",
            },
            json={
                "model": "claude-haiku-4-5",
                "max_tokens": 1,
                "messages": [{"role": "user", "content": "hi"}],
            },
            timeout=5,
        )
        assert r.status_code == 429
    finally:
        args.stop.set()
        worker.join(5)
    assert result == {"rc": 0}
    captured = capsys.readouterr()
    assert re.search(r"POST /v1/messages\s+auth=bearer\s+429", captured.out)
    assert SIM_OAUTH_TOKEN not in captured.out
    assert captured.err == ""  # no access log on stderr


def test_bad_numbers_are_a_clear_error_with_exit_2_never_a_traceback(capsys):
    import pytest

    bad = [
        ["simulate", "--port", "99999"],
        ["simulate", "--port", "-1"],
        ["simulate", "--speed", "nan"],
        ["simulate", "--speed", "1e308"],
        ["simulate", "--speed", "inf"],
        ["--demo", "--demo-speed", "nan"],
        ["--demo", "--demo-speed", "inf"],
    ]
    for argv in bad:
        with pytest.raises(SystemExit) as stopped:
            main(argv)
        assert stopped.value.code == 2, argv
        err = capsys.readouterr().err
        assert f"argument {argv[-2]}:" in err and "Traceback" not in err, argv


def test_the_banner_reaches_a_pipe_at_once(tmp_path):
    """``limitwatch simulate | tee log`` shows the banner while the simulator runs."""
    import subprocess
    import sys
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "simulate"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        began = time.monotonic()
        first = proc.stdout.readline()
        assert first.startswith("limitwatch simulator: scenario 'healthy' at http://127.0.0.1:")
        assert time.monotonic() - began < 10
        assert proc.poll() is None  # still serving: the line came before exit
    finally:
        proc.terminate()
        proc.wait(5)
