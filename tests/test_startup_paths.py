"""Startup paths a user waits for: a warm ``status`` and the live view's first frame.

A warm ``status --json`` answers from the shared usage cache without an event loop, so it loads
neither httpx, ssl nor asyncio (one account or several); a cold one still calls once and
answers the same. The live view paints the last known numbers before its first poll runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests import fakes
from tests.fakes import FakeMonitor, bar_text, make_app
from tests.test_status import _login
from tui.simulator import SIM_OAUTH_TOKEN, SIM_OAUTH_TOKEN_2, Simulator

STATUS_AND_MODULES = (
    "import json, sys\n"
    "from tui.cli import main\n"
    "rc = main(['status', '--json'])\n"
    "heavy = sorted(m for m in ('httpx', 'ssl', 'asyncio') if m in sys.modules)\n"
    "print('LOADED', json.dumps(heavy), file=sys.stderr)\n"
)


def _status(env: dict[str, str]) -> tuple[dict[str, object], list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", STATUS_AND_MODULES],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    loaded = [line for line in done.stderr.splitlines() if line.startswith("LOADED ")]
    assert loaded, done.stderr
    return json.loads(done.stdout), json.loads(loaded[-1].removeprefix("LOADED "))


def _numbers(report: dict[str, object]) -> dict[str, object]:
    windows = report["windows"]
    assert isinstance(windows, list)
    return {window["id"]: window["used_percent"] for window in windows}


def test_a_warm_status_loads_neither_httpx_ssl_nor_asyncio(isolated_paths, monkeypatch) -> None:
    with Simulator("healthy") as sim:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", sim.base_url)
        _login(isolated_paths)
        cold, cold_loaded = _status(dict(os.environ))
        warm, warm_loaded = _status(dict(os.environ))
        calls = [r for r in sim.requests if r.path == "/api/oauth/usage"]
    assert "httpx" in cold_loaded  # the first run had to call (finished in an event loop)
    assert warm_loaded == []
    assert _numbers(warm) == _numbers(cold)
    assert _numbers(warm)["five_hour"] == 12.0
    assert len(calls) == 1  # the warm run answered from the shared cache


def _sign_in(folder: Path, token: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    creds = {
        "claudeAiOauth": {
            "accessToken": token,
            "refreshToken": "sk-ant-ort01-not-used",
            "expiresAt": int((time.time() + 86400) * 1000),
            "scopes": ["user:profile", "user:inference"],
            "subscriptionType": "max",
        }
    }
    (folder / ".credentials.json").write_text(json.dumps(creds))
    return folder


def test_a_warm_status_of_two_accounts_stays_loop_free(isolated_paths, monkeypatch) -> None:
    home = Path(isolated_paths.claude).parent
    folders = [
        _sign_in(home / ".claude-personal", SIM_OAUTH_TOKEN),
        _sign_in(home / ".claude-work", SIM_OAUTH_TOKEN_2),
    ]
    with Simulator("healthy") as sim:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", sim.base_url)
        monkeypatch.setenv("CLAUDE_CONFIG_DIR", ",".join(str(f) for f in folders))
        cold, _ = _status(dict(os.environ))
        warm, warm_loaded = _status(dict(os.environ))
        calls = [r for r in sim.requests if r.endpoint == "usage"]
    assert warm_loaded == []
    accounts = warm["accounts"]
    assert isinstance(accounts, list) and isinstance(cold["accounts"], list)
    assert [a["name"] for a in accounts] == ["personal", "work"]
    assert [_numbers(a) for a in accounts] == [_numbers(a) for a in cold["accounts"]]
    assert all(_numbers(a) for a in accounts)  # each account has its own numbers
    assert len(calls) == 2  # one per account, by the cold run only


DRIVE = """
import sys
from tui.core.loop import run_coroutine

async def answer():
    return 42

print("plain", run_coroutine(answer()), "asyncio" in sys.modules)

async def waits_in_a_thread():
    import asyncio
    task = asyncio.ensure_future(asyncio.to_thread(lambda: 7))
    return await asyncio.shield(task) + 1

print("suspended", run_coroutine(waits_in_a_thread()))
import asyncio
print("loop left running", asyncio.events._get_running_loop() is not None)
"""


def test_a_poll_that_never_waits_runs_without_an_event_loop_and_one_that_waits_finishes() -> None:
    done = subprocess.run([sys.executable, "-c", DRIVE], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "plain 42 False"
    assert lines[1] == "suspended 8"
    assert lines[2] == "loop left running False"
    assert "Task was destroyed" not in done.stderr and "never awaited" not in done.stderr


async def test_the_first_frame_shows_the_last_known_numbers_before_the_first_poll() -> None:
    import asyncio

    monitor = FakeMonitor(fakes.healthy())
    monitor.poll_gate = asyncio.Event()  # the first poll (network, first scan) is slow
    painted_before_poll: list[str] = []
    real_poll = monitor.poll

    async def poll():  # type: ignore[no-untyped-def]
        painted_before_poll.append(bar_text(app, "window:five_hour"))
        return await real_poll()

    monitor.poll = poll  # type: ignore[method-assign]
    app = make_app(monitor)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "33%" in bar_text(app, "window:five_hour")  # shown while the poll still waits
        assert monitor.polls == 1
        monitor.poll_gate.set()
        await pilot.pause()
    assert painted_before_poll and "33%" in painted_before_poll[0]
