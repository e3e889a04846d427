"""Notifications: bell, desktop, and the user's own command, none of which may harm the app."""

from __future__ import annotations

import json
import stat
import time
from datetime import UTC, datetime
from pathlib import Path

from tui.config import NotifyConfig
from tui.core.notify import Notifier, alert_json, sanitize
from tui.models import Alert

AT = datetime(2026, 4, 14, 9, 30, tzinfo=UTC)
ALERT = Alert(
    "seven_day", "warning", "threshold", "Weekly at 76% (warning at 75%), resets Thu 09:00", AT
)
NO_DESKTOP_ENV: dict[str, str] = {}


def no_which(_name: str) -> str | None:
    return None


class Terminal:
    def __init__(self) -> None:
        self.written: list[str] = []

    def __call__(self, text: str) -> None:
        self.written.append(text)


async def test_bell_rings_and_nothing_else_by_default():
    term = Terminal()
    n = Notifier(NotifyConfig(), write_terminal=term, which=no_which, env=NO_DESKTOP_ENV)
    assert await n.notify(ALERT) == []
    assert term.written == ["\a"]


async def test_bell_can_be_turned_off():
    term = Terminal()
    n = Notifier(NotifyConfig(bell=False), write_terminal=term, which=no_which, env={})
    assert await n.notify(ALERT) == []
    assert term.written == []


async def test_desktop_notification_through_the_terminal():
    term = Terminal()
    n = Notifier(
        NotifyConfig(bell=False, desktop=True), write_terminal=term, which=no_which, env={}
    )
    await n.notify(ALERT)
    assert term.written == [f"\x1b]777;notify;limitwatch;{ALERT.message}\x07"]


async def test_iterm_gets_osc_9_and_tmux_gets_it_passed_through():
    term = Terminal()
    env = {"TERM_PROGRAM": "iTerm.app"}
    n = Notifier(
        NotifyConfig(bell=False, desktop=True), write_terminal=term, which=no_which, env=env
    )
    await n.notify(ALERT)
    assert term.written == [f"\x1b]9;{ALERT.message}\x07"]
    tmux = Notifier(NotifyConfig(desktop=True), which=no_which, env={"TMUX": "/tmp/tmux-1/default"})
    seq = tmux.osc_sequence("hi")
    assert seq == "\x1bPtmux;\x1b\x1b]777;notify;limitwatch;hi\x07\x1b\\"


async def test_escape_sequences_in_a_message_cannot_reach_the_terminal():
    term = Terminal()
    nasty = Alert("x", "warning", "threshold", "evil\x1b]0;pwned\x07 \x9b2J\nnext line", AT)
    n = Notifier(
        NotifyConfig(bell=False, desktop=True), write_terminal=term, which=no_which, env={}
    )
    await n.notify(nasty)
    [seq] = term.written
    body = seq.removeprefix("\x1b]777;notify;limitwatch;").removesuffix("\x07")
    assert body == "evil]0;pwned 2J next line"
    assert sanitize("a" * 500).endswith("…") and len(sanitize("a" * 500)) == 240


def _fake_notify_send(tmp_path: Path) -> Path:
    log = tmp_path / "notify-send.log"
    script = tmp_path / "notify-send"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{log}"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


async def test_notify_send_on_a_desktop_session_instead_of_escape_codes(tmp_path: Path):
    script = _fake_notify_send(tmp_path)
    term = Terminal()
    n = Notifier(
        NotifyConfig(bell=False, desktop=True),
        write_terminal=term,
        which=lambda name: str(script) if name == "notify-send" else None,
        env={"DISPLAY": ":0"},
    )
    critical = Alert("five_hour", "critical", "threshold", "5-hour session at 91%", AT)
    assert await n.notify(critical) == []
    args = (tmp_path / "notify-send.log").read_text().splitlines()
    assert args == [
        "--app-name=limitwatch",
        "--urgency=critical",
        "limitwatch",
        "5-hour session at 91%",
    ]
    assert term.written == []  # no double notification


async def test_command_receives_the_alert_as_json(tmp_path: Path):
    out = tmp_path / "alert.json"
    n = Notifier(NotifyConfig(bell=False, command=f"cat > '{out}'"), which=no_which, env={})
    assert await n.notify(ALERT) == []
    got = json.loads(out.read_text())
    assert got == {
        "window": "seven_day",
        "level": "warning",
        "reason": "threshold",
        "message": "Weekly at 76% (warning at 75%), resets Thu 09:00",
        "at": "2026-04-14T09:30:00Z",
        "account": "default",  # which sign-in, when several are watched
    }
    assert json.loads(alert_json(ALERT)) == got


async def test_failing_command_is_reported_once():
    n = Notifier(
        NotifyConfig(bell=False, command="echo 'webhook said no' >&2; exit 3"),
        which=no_which,
        env={},
    )
    first = await n.notify(ALERT)
    assert first == ["notify command failed with exit status 3: echo (webhook said no)"]
    assert await n.notify(ALERT) == []
    assert n.problems == first


async def test_missing_command_is_reported_once_and_names_only_the_program():
    n = Notifier(
        NotifyConfig(bell=False, command="no-such-limitwatch-hook --token s3cret"),
        which=no_which,
        env={},
    )
    [problem] = await n.notify(ALERT)
    assert problem.startswith("notify command not found: no-such-limitwatch-hook")
    assert "s3cret" not in problem.split("(")[0]
    assert await n.notify(ALERT) == []


def _running_with_cmdline(cmdline: bytes) -> bool:
    """Whether a live (non-zombie) process runs exactly this command line."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "cmdline").read_bytes() == cmdline:
                    return True
            except OSError:
                continue
    return False


async def test_hanging_command_is_stopped_after_the_timeout():
    term = Terminal()
    # An unusual duration so the check below finds only this test's sleep.
    n = Notifier(
        NotifyConfig(command="sleep 31.4159; echo done", command_timeout=0.2),
        write_terminal=term,
        which=no_which,
        env={},
    )
    started = time.monotonic()
    problems = await n.notify(ALERT)
    assert time.monotonic() - started < 5
    assert problems == ["notify command did not finish within 0.2 s and was stopped: sleep"]
    assert term.written == ["\a"]  # the bell still rang, before the command ran
    if Path("/proc/self/cmdline").exists():
        for _ in range(100):  # the shell's child is gone too, not left behind
            if not _running_with_cmdline(b"sleep\x0031.4159\x00"):
                break
            time.sleep(0.02)
        else:
            raise AssertionError("the hanging command is still running")
    # The same hang again is not reported twice.
    assert await n.notify(ALERT) == []


async def test_a_broken_terminal_writer_is_reported_not_raised():
    def broken(_text: str) -> None:
        raise OSError("terminal gone")

    n = Notifier(NotifyConfig(desktop=True), write_terminal=broken, which=no_which, env={})
    problems = await n.notify(ALERT)
    assert problems == ["could not write to the terminal: terminal gone"]
