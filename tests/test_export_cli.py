"""``limitwatch export`` as a user runs it: against the simulator, scraped, stopped by SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.export_helpers import OtlpReceiver, full_snapshot, otlp_points, scrape
from tui.cli import main
from tui.cli.export import MAX_SLEEP_S, MIN_SLEEP_S, outputs, serve, sleep_seconds
from tui.cli.parser import build_parser
from tui.clock import ManualClock, SystemClock
from tui.config import Config, ExportConfig
from tui.export import per_account
from tui.models import AccountSnapshot
from tui.simulator import SIM_OAUTH_TOKEN, Simulator


@pytest.fixture(autouse=True)
def no_otel_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("OTEL_"):
            monkeypatch.delenv(name)


def _login(isolated_paths) -> None:
    isolated_paths.claude.mkdir(parents=True, exist_ok=True)
    expires = datetime.now(UTC) + timedelta(hours=24)
    (isolated_paths.claude / ".credentials.json").write_text(
        json.dumps(
            {
                "claudeAiOauth": {
                    "accessToken": SIM_OAUTH_TOKEN,
                    "expiresAt": int(expires.timestamp() * 1000),
                    "scopes": ["user:inference", "user:profile"],
                    "subscriptionType": "max",
                }
            }
        )
    )


class _Lines:
    """A child's stderr, read line by line in a thread so the test can wait with a deadline."""

    def __init__(self, stream) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream) -> None:
        for line in stream:
            self._queue.put(line)

    def wait_for(self, pattern: str, timeout: float = 30.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while True:
            for line in self.seen:
                found = re.search(pattern, line)
                if found:
                    return found
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {pattern!r} in {self.seen}")
            try:
                self.seen.append(self._queue.get(timeout=left))
            except queue.Empty:
                continue

    def rest(self) -> str:
        while not self._queue.empty():
            self.seen.append(self._queue.get())
        return "".join(self.seen)


def _used_ratio(text: str) -> dict[str, float]:
    return {
        s.labels["window"]: s.value
        for f in text_string_to_metric_families(text)
        if f.name == "limitwatch_window_used_ratio"
        for s in f.samples
    }


def test_export_scrapes_and_pushes_the_simulator_numbers_then_stops_on_sigterm(
    isolated_paths,
) -> None:
    sim = Simulator("healthy").start()
    receiver = OtlpReceiver()
    _login(isolated_paths)
    env = dict(os.environ)
    env["ANTHROPIC_BASE_URL"] = sim.base_url
    env["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.base_url
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "export", "--prometheus", "127.0.0.1:0", "--otlp"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines = _Lines(proc.stderr)
    try:
        url = lines.wait_for(r"Prometheus metrics at (http://127\.0\.0\.1:\d+/metrics)").group(1)
        lines.wait_for(rf"OTLP metrics to {re.escape(receiver.base_url)}/v1/metrics")
        deadline = time.monotonic() + 30
        ratios: dict[str, float] = {}
        while "five_hour" not in ratios and time.monotonic() < deadline:
            ratios = _used_ratio(scrape(url))
            time.sleep(0.1)
        assert ratios == {"five_hour": 0.12, "seven_day": 0.35, "seven_day_sonnet": 0.08}
        assert receiver.bodies == []  # 60 s interval: the push comes on stop
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        sim.stop()
        receiver.stop()
    assert "stopped" in lines.rest()
    assert receiver.wait_for(1, timeout=1)
    pushed = otlp_points(receiver.requests()[-1])
    assert {a["window"]: v for a, v, _ in pushed["limitwatch.window.used_ratio"]} == ratios
    # The token never reaches stderr or an attribute.
    assert SIM_OAUTH_TOKEN not in lines.rest()
    assert all(SIM_OAUTH_TOKEN.encode() not in body for body in receiver.bodies)


def test_without_the_extras_it_says_what_to_install() -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('prometheus_client', 'opentelemetry'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from tui.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    for argv in (["export"], ["export", "--otlp"]):
        result = subprocess.run(
            [sys.executable, "-c", code, *argv],
            capture_output=True,
            text=True,
            env=dict(os.environ),
            timeout=60,
        )
        assert result.returncode == 2, result.stderr
        assert "pip install 'limitwatch[export]'" in result.stderr
        assert "Traceback" not in result.stderr


def test_status_and_importing_the_export_package_load_neither_library() -> None:
    code = (
        "import sys, io, contextlib\n"
        "import tui.export, tui.cli.export\n"
        "from tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['status', '--json'])\n"
        "print(sorted(m for m in sys.modules\n"
        "             if m.split('.')[0] in ('prometheus_client', 'opentelemetry')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ),
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_an_unknown_account_exits_2_and_lists_the_names(capsys) -> None:
    assert main(["export", "--account", "work"]) == 2
    err = capsys.readouterr().err
    assert 'no account is named "work"; the accounts are: default' in err


def test_a_bad_address_exits_2_with_the_reason(capsys) -> None:
    assert main(["export", "--prometheus", "127.0.0.1:70000"]) == 2
    assert "port must be a number from 0 to 65535" in capsys.readouterr().err


def test_flags_mean_what_the_help_says() -> None:
    parse = build_parser().parse_args
    bare = parse(["export"])
    assert (bare.prometheus, bare.otlp, bare.account) == (None, False, None)
    assert parse(["export", "--prometheus"]).prometheus == ""
    assert parse(["export", "--prometheus", "--otlp"]).otlp is True
    assert parse(["export", "--prometheus", "0.0.0.0:9100"]).prometheus == "0.0.0.0:9100"


def test_without_flags_the_export_section_decides() -> None:
    parse = build_parser().parse_args
    default = Config()
    assert outputs(parse(["export"]), default) == ("127.0.0.1:9464", False)
    otlp_only = Config(export=ExportConfig(prometheus=False, otlp=True))
    assert outputs(parse(["export"]), otlp_only) == (None, True)
    elsewhere = Config(export=ExportConfig(prometheus="127.0.0.1:9100"))
    assert outputs(parse(["export"]), elsewhere) == ("127.0.0.1:9100", False)
    # Flags win; --prometheus without a value takes the configured address.
    assert outputs(parse(["export", "--otlp"]), elsewhere) == (None, True)
    assert outputs(parse(["export", "--prometheus"]), elsewhere) == ("127.0.0.1:9100", False)
    assert outputs(parse(["export", "--prometheus"]), otlp_only) == ("", False)
    assert outputs(parse(["export", "--prometheus", ":9200"]), elsewhere) == (":9200", False)


def test_a_config_that_turns_both_off_exits_2_and_says_what_to_pass(isolated_paths, capsys) -> None:
    isolated_paths.config_file.write_text("[export]\nprometheus = false\notlp = false\n")
    assert main(["export"]) == 2
    err = capsys.readouterr().err
    assert "nothing to export" in err and "--prometheus or --otlp" in err
    assert str(isolated_paths.config_file) in err


def test_every_account_of_the_snapshot_is_exported_under_its_name() -> None:
    work = full_snapshot(windows=())
    combined = full_snapshot(
        accounts=(
            AccountSnapshot("default", "", full_snapshot()),
            AccountSnapshot("work", "/home/me/.claude-work", work),
        )
    )
    assert [name for name, _ in per_account(combined)] == ["default", "work"]
    assert per_account(combined)[1][1] is work
    assert per_account(full_snapshot())[0][0] == "default"


# -- the loop: asleep until the monitor is due ---------------------------------------------------


class _FakeMonitor:
    def __init__(self, clock, due_in: float) -> None:
        self.clock = clock
        self.due_in = due_in
        self.polls = 0

    async def poll(self):
        self.polls += 1
        return full_snapshot()

    def next_wakeup(self):
        return self.clock.now() + timedelta(seconds=self.due_in)


class _FakeExporter:
    def __init__(self) -> None:
        self.updates: list[object] = []

    def update_all(self, snapshot) -> None:
        self.updates.append(per_account(snapshot))


@pytest.mark.parametrize("due_in", [30.0, -5.0])
async def test_the_loop_sleeps_until_the_next_wakeup_and_stops_at_once(due_in) -> None:
    monitor, exporter = _FakeMonitor(SystemClock(), due_in), _FakeExporter()
    stop = asyncio.Event()
    task = asyncio.create_task(serve(monitor, exporter, SystemClock(), stop))
    await asyncio.sleep(0.3)
    started = time.monotonic()
    stop.set()
    await asyncio.wait_for(task, timeout=2)
    assert time.monotonic() - started < 0.5  # Ctrl-C does not wait for the sleep to end
    # Due in 30 s, or overdue (never a busy loop): one poll, one update, in 0.3 s.
    assert monitor.polls == 1
    assert len(exporter.updates) == 1
    assert exporter.updates[0][0][0] == "default"


def test_sleep_is_bounded() -> None:
    clock = ManualClock()
    assert sleep_seconds(clock.now() + timedelta(seconds=42), clock) == 42
    assert sleep_seconds(clock.now() - timedelta(seconds=42), clock) == MIN_SLEEP_S
    assert sleep_seconds(clock.now() + timedelta(days=1), clock) == MAX_SLEEP_S
    assert sleep_seconds(None, clock) == MAX_SLEEP_S
