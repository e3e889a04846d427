"""The recorded status line feed as a Source: windows, Claude Code's version, staleness."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tui.clock import ManualClock
from tui.sources import statusline
from tui.sources.base import Source
from tui.sources.statusline import StatuslineSource

NOW = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)


def render(
    path: Path, when: datetime, five: float, version: object = "2.1.144", mtime: int | None = None
) -> None:
    """What `limitwatch statusline` records when Claude Code renders its status line."""
    data = {
        "version": version,
        "model": {"display_name": "Opus 4.5"},
        "rate_limits": {
            "five_hour": {"used_percentage": five, "resets_at": int(when.timestamp()) + 3600}
        },
    }
    statusline.record(statusline.parse_feed(data, when), path)
    if mtime is not None:
        os.utime(path, ns=(mtime, mtime))


async def test_fetch_returns_the_recorded_windows_and_version(tmp_path) -> None:
    path = tmp_path / "statusline.json"
    clock = ManualClock(NOW)
    source: Source = StatuslineSource(path, clock=clock, interval=5)
    render(path, NOW - timedelta(seconds=30), 42.0)
    result = await source.fetch(None)
    assert result.source == "statusline"
    assert [(w.id, w.used_percent, w.source) for w in result.windows] == [
        ("five_hour", 42.0, "statusline")
    ]
    assert result.windows[0].observed_at == NOW - timedelta(seconds=30)
    assert result.claude_code_version == "2.1.144"
    assert result.state.state == "ok"
    assert result.state.last_success_at == NOW - timedelta(seconds=30)


async def test_file_read_again_only_when_it_changed(tmp_path) -> None:
    path = tmp_path / "statusline.json"
    clock = ManualClock(NOW)
    source = StatuslineSource(path, clock=clock)
    render(path, NOW, 10.0, mtime=1_000_000_000)
    await source.fetch(None)
    # a file with the same mtime and size is not read again
    render(path, NOW, 20.0, mtime=1_000_000_000)
    assert (await source.fetch(None)).windows[0].used_percent == 10.0
    render(path, NOW, 30.0, mtime=2_000_000_000)
    assert (await source.fetch(None)).windows[0].used_percent == 30.0


async def test_stale_after_fifteen_minutes_without_a_render(tmp_path) -> None:
    path = tmp_path / "statusline.json"
    clock = ManualClock(NOW)
    source = StatuslineSource(path, clock=clock)
    render(path, NOW, 10.0)
    assert (await source.fetch(None)).state.state == "ok"
    clock.advance(14 * 60)
    assert (await source.fetch(None)).state.state == "ok"
    clock.advance(2 * 60)
    result = await source.fetch(None)
    assert result.state.state == "stale"
    assert result.state.detail == "no status line render recently (Claude Code not running?)"
    assert result.windows[0].observed_at == NOW  # the windows keep the render's time
    render(path, clock.now(), 12.0)
    assert (await source.fetch(None)).state.state == "ok"


async def test_no_feed_recorded_says_how_to_set_it_up(isolated_paths) -> None:
    source = StatuslineSource(clock=ManualClock(NOW))  # the default file in the data folder
    assert source.state().state == "stale"
    result = await source.fetch(None)
    assert result.windows == () and result.claude_code_version is None
    assert result.state.state == "unavailable"
    assert "limitwatch statusline" in result.state.detail


async def test_schedule_and_manual_refresh(tmp_path) -> None:
    source = StatuslineSource(tmp_path / "none.json", clock=ManualClock(NOW), interval=5)
    assert source.is_due(NOW)
    await source.fetch(None)
    assert source.next_attempt_at() == NOW + timedelta(seconds=5)
    assert not source.is_due(NOW + timedelta(seconds=1))
    assert source.manual_allowed(NOW) == (True, None)


async def test_a_version_that_is_not_a_version_is_dropped(tmp_path) -> None:
    path = tmp_path / "statusline.json"
    source = StatuslineSource(path, clock=ManualClock(NOW))
    render(path, NOW, 10.0, version="2.1\x1b[31m")
    assert (await source.fetch(None)).claude_code_version is None
    render(path, NOW, 11.0, version=2144)
    assert (await source.fetch(None)).claude_code_version is None
