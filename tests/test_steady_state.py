"""The poll loop at rest: a transcripts scan that finds nothing new rebuilds nothing, and
walking the folders or reading the status line feed again and again leaves the interpreter's
interned strings alone (a long day of polls every few seconds must not grow the process)."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.monitor_helpers import sim_credentials
from tests.test_transcripts import NOW, source_for, usage_row, write
from tui.clock import ManualClock
from tui.config import Config
from tui.core.ledger import Ledger
from tui.core.monitor import Monitor
from tui.models import RateLimit, SourceResult, SourceState, Window
from tui.sources.transcripts.source import WALK_SECONDS, TranscriptSource


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def newly_interned(monkeypatch) -> Iterator[list[str]]:
    """The strings ``sys.intern`` had to add to the interpreter's table (pathlib interns
    every part of every path it parses); a string already there is not listed."""
    added: list[str] = []
    real = sys.intern

    def counting(text: str) -> str:
        kept = real(text)
        if kept is text:
            added.append(text)
        return kept

    monkeypatch.setattr(sys, "intern", counting)
    yield added


async def test_a_scan_that_finds_nothing_new_hands_back_the_same_blocks_and_totals(
    projects, clock
) -> None:
    path = projects / "p" / "s.jsonl"
    write(path, usage_row(NOW - timedelta(minutes=30), "msg_1"))
    source = source_for(projects, clock, interval=5)
    first = await source.fetch(None)
    clock.advance(5)
    second = await source.fetch(None)
    assert second.blocks is first.blocks
    assert second.token_totals is first.token_totals

    clock.advance(5)
    write(path, usage_row(NOW, "msg_2", out=50), mode="a")
    third = await source.fetch(None)
    assert [b.entries for b in third.blocks] == [2]
    output = {kind: n for _model, kind, n in third.token_totals}["output"]
    assert output == 150


async def test_a_block_stops_being_active_at_its_end_without_any_new_row(projects, clock) -> None:
    # One entry at 14:30: its block runs 14:00-19:00 and is active until then.
    write(projects / "p" / "s.jsonl", usage_row(NOW - timedelta(minutes=30), "msg_1"))
    source = source_for(projects, clock, interval=5)
    assert [b.active for b in (await source.fetch(None)).blocks] == [True]
    clock.set(NOW + timedelta(hours=3, minutes=59, seconds=59))
    assert [b.active for b in (await source.fetch(None)).blocks] == [True]
    clock.advance(1)
    assert [b.active for b in (await source.fetch(None)).blocks] == [False]


async def test_a_clock_set_back_builds_the_blocks_again(projects, clock) -> None:
    write(projects / "p" / "s.jsonl", usage_row(NOW - timedelta(minutes=30), "msg_1"))
    source = source_for(projects, clock, interval=5)
    clock.advance(6 * 3600)
    assert [b.active for b in (await source.fetch(None)).blocks] == [False]
    clock.set(NOW)
    assert [b.active for b in (await source.fetch(None)).blocks] == [True]


def test_walking_the_folders_again_interns_no_new_strings(projects, clock, newly_interned) -> None:
    for project in range(3):
        for session in range(3):
            write(
                projects / f"project-{project}" / f"session-{session}.jsonl",
                usage_row(
                    NOW - timedelta(minutes=project * 10 + session), f"msg_{project}_{session}"
                ),
            )
    source = source_for(projects, clock, interval=5)
    source.scan()
    newly_interned.clear()
    for _ in range(20):
        clock.advance(WALK_SECONDS)  # every scan walks every folder again
        scan = source.scan()
        assert scan.files_seen == 9
    assert newly_interned == []


async def test_polls_at_rest_intern_no_new_strings(projects, clock, newly_interned) -> None:
    """The monitor's local sources (transcripts, the status line feed) every few seconds for
    an hour: nothing they read is new, and no path is parsed again."""
    write(projects / "p" / "s.jsonl", usage_row(NOW - timedelta(minutes=30), "msg_1"))
    config = Config()
    monitor = Monitor(
        config,
        clock=clock,
        credentials=sim_credentials(clock),
        base_url="http://127.0.0.1:9",
        network_sources=[],
        transcripts=TranscriptSource([projects], clock=clock),
        persist_last_error=False,
    )
    await monitor.poll()
    clock.advance(WALK_SECONDS)
    await monitor.poll()
    newly_interned.clear()
    for _ in range(360):
        clock.advance(10)
        snapshot = await monitor.poll()
    assert {s.id for s in snapshot.sources} == {"transcripts", "statusline"}
    assert newly_interned == []
    await monitor.aclose()


def test_snapshots_at_rest_do_not_pile_up_interpreter_memory() -> None:
    """Thousands of snapshots of the same state (every bar, the estimate between polls, the
    API key's four rate limits, twelve token counts) hold no more memory than the first ones:
    a tuple built from a generator at every poll would fill CPython's free list of its size
    (2000 tuples each) and hold that memory for hours."""
    start = NOW - timedelta(hours=1)
    ledger = Ledger(Config())
    models = ("claude-opus-4-1", "claude-sonnet-4-5", "claude-haiku-4-5")
    kinds = ("input", "output", "cache_creation", "cache_read")
    for poll in range(12):  # an hour of usage polls, tokens growing in between
        at = start + timedelta(minutes=5 * poll)
        tokens = tuple((m, k, 1000 * poll * (i + 1)) for i, m in enumerate(models) for k in kinds)
        window = Window("five_hour", 2.0 * poll, NOW + timedelta(hours=3), "oauth_usage", at)
        limits = tuple(RateLimit(name, 100, 60, at + timedelta(minutes=1), at) for name in kinds)
        ledger.absorb(
            [
                SourceResult("transcripts", SourceState("transcripts", "ok"), token_totals=tokens),
                SourceResult("oauth_usage", SourceState("oauth_usage", "ok"), windows=(window,)),
                SourceResult("probe", SourceState("probe", "ok"), rate_limits=limits),
            ],
            at,
        )
    now = start + timedelta(minutes=57)
    first = ledger.snapshot(now, (), raise_alerts=True)
    assert first.windows[0].estimate is not None  # the estimator is at work
    assert len(first.rate_limit_levels) == 4 and len(first.token_totals) == 12
    gc.collect()
    before = sys.getallocatedblocks()
    for _ in range(3000):
        ledger.snapshot(now, (), raise_alerts=True)
    assert sys.getallocatedblocks() - before < 500
