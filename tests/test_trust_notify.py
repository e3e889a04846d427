"""Issue 14, item 5: the notify command cannot eat memory, hang past a sane bound, outlive the
app, or fail where nobody sees it."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tui.config import NotifyConfig
from tui.core.notify import MAX_COMMAND_TIMEOUT, STDERR_KEEP, Notifier
from tui.models import Alert

ALERT = Alert(
    "five_hour",
    "critical",
    "threshold",
    "5h at 91%",
    datetime(2026, 4, 14, 9, 30, tzinfo=UTC),
)


def _notifier(command: str, timeout: float = 10.0) -> Notifier:
    return Notifier(
        NotifyConfig(bell=False, command=command, command_timeout=timeout),
        which=lambda _n: None,
        env={},
    )


async def test_a_flood_on_stderr_keeps_only_its_tail_and_reports_its_last_line():
    # 20 MB of noise, then the line that says what went wrong.
    command = (
        "head -c 20000000 /dev/zero | tr '\\0' x >&2; echo >&2; echo 'quota hook: 403' >&2; exit 4"
    )
    notifier = _notifier(command)
    tracemalloc.start()
    try:
        problems = await notifier.notify(ALERT)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert problems == ["notify command failed with exit status 4: head (quota hook: 403)"]
    assert peak < 2_000_000  # a few kB of stderr kept, not 20 MB
    assert STDERR_KEEP <= 8192


async def test_problems_wait_for_whoever_shows_them_each_once():
    notifier = _notifier("echo 'no webhook' >&2; exit 1")
    await notifier.notify(ALERT)
    await notifier.notify(ALERT)
    assert notifier.take_problems() == [
        "notify command failed with exit status 1: echo (no webhook)"
    ]
    assert notifier.take_problems() == []


def test_an_absurd_command_timeout_is_bounded():
    assert _notifier("true", 1e308).command_timeout == MAX_COMMAND_TIMEOUT
    assert _notifier("true", float("inf")).command_timeout == MAX_COMMAND_TIMEOUT
    assert _notifier("true", float("nan")).command_timeout == 10.0


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A group of zombies still answers; count only live members.
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


@pytest.mark.skipif(not Path("/proc").is_dir() or not hasattr(os, "killpg"), reason="POSIX")
@pytest.mark.parametrize("how", ["cancel", "aclose"])
async def test_quitting_ends_the_command_and_everything_it_started(tmp_path, how):
    pid_file = tmp_path / "pid"
    command = f"sleep 27.18 & sleep 27.18 & echo $$ > {pid_file}; sleep 27.18"
    notifier = _notifier(command, timeout=60)
    task = asyncio.create_task(notifier.notify(ALERT))
    for _ in range(200):
        if pid_file.exists() and pid_file.read_text().strip():
            break
        await asyncio.sleep(0.02)
    pgid = int(pid_file.read_text())
    assert _group_alive(pgid)
    try:
        if how == "cancel":
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        else:
            await notifier.aclose()
        deadline = time.monotonic() + 5
        while _group_alive(pgid) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert not _group_alive(pgid), "the command's processes outlived the app"
    finally:
        if _group_alive(pgid):
            os.killpg(pgid, signal.SIGKILL)
        if not task.done():
            task.cancel()
