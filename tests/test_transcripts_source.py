"""The transcripts as a Source: fetch, schedule, totals, version; and damaged transcripts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_transcripts import NOW, error_row, source_for, stamp, usage_row, write
from tui.clock import ManualClock
from tui.models import SourceResult
from tui.sources.base import Source
from tui.sources.transcripts.source import TranscriptSource


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


def with_version(row: str, version: str) -> str:
    data = json.loads(row)
    data["version"] = version
    return json.dumps(data)


def totals_of(result: SourceResult) -> dict[tuple[str, str], int]:
    return {(model, kind): n for model, kind, n in result.token_totals}


def test_transcript_source_is_a_source(projects, clock) -> None:
    source: Source = TranscriptSource([projects], clock=clock, interval=5)
    assert source.id == "transcripts"


async def test_fetch_returns_errors_unclassified_first_scan_as_history(projects, clock) -> None:
    path = projects / "p" / "s.jsonl"
    write(path, error_row(NOW - timedelta(hours=2), "old"), error_row(NOW, "newest"))
    source = source_for(projects, clock, interval=5)
    first = await source.fetch(None)
    assert first.source == "transcripts"
    assert first.history_only is True
    assert [e.text for e in first.transcript_errors] == ["old", "newest"]
    assert first.classification is None and first.state.error is None
    assert first.state.state == "ok"

    clock.advance(5)
    write(path, error_row(NOW + timedelta(seconds=5), "news"), mode="a")
    second = await source.fetch(None)
    assert second.history_only is False
    assert [e.text for e in second.transcript_errors] == ["news"]


async def test_due_every_interval_and_manual_always_allowed(projects, clock) -> None:
    source = source_for(projects, clock, interval=5)
    assert source.is_due(NOW) and source.next_attempt_at() is None
    await source.fetch(None)
    assert source.next_attempt_at() == NOW + timedelta(seconds=5)
    assert not source.is_due(NOW + timedelta(seconds=4))
    assert source.is_due(NOW + timedelta(seconds=5))
    assert source.manual_allowed(NOW) == (True, None)
    assert source.state().next_attempt_at == NOW + timedelta(seconds=5)


async def test_token_totals_count_each_response_once_and_never_decrease(projects, clock) -> None:
    path = projects / "p" / "s.jsonl"
    old = NOW - timedelta(hours=2)
    # one response streamed over two rows counts once
    write(path, usage_row(old, "msg_1", inp=10, out=100, cc=1000, cr=5000))
    write(path, usage_row(old, "msg_1", inp=10, out=100, cc=1000, cr=5000), mode="a")
    source = source_for(projects, clock, interval=5, keep_hours=3)
    first = totals_of(await source.fetch(None))
    assert first == {
        ("claude-sonnet-4-5", "input"): 10,
        ("claude-sonnet-4-5", "output"): 100,
        ("claude-sonnet-4-5", "cache_creation"): 1000,
        ("claude-sonnet-4-5", "cache_read"): 5000,
    }
    # two hours later the first hour is pruned from the blocks, not from the totals
    clock.advance(2 * 3600)
    later = NOW + timedelta(hours=2)
    opus = usage_row(later, "msg_2", model="claude-opus-4-1", inp=1, out=2, cc=3, cr=4)
    write(path, opus, mode="a")
    result = await source.fetch(None)
    assert [b.start for b in result.blocks] == [later.replace(minute=0, second=0, microsecond=0)]
    totals = totals_of(result)
    assert totals[("claude-sonnet-4-5", "output")] == 100
    assert totals[("claude-opus-4-1", "cache_read")] == 4


def test_token_totals_include_a_parallel_first_scan(projects, clock) -> None:
    for i in range(6):
        rows = [usage_row(NOW - timedelta(minutes=j), f"msg_{i}_{j}") for j in range(40)]
        write(projects / f"p{i}" / "s.jsonl", *rows)
    source = source_for(projects, clock)
    source.parallel_min_bytes = 1
    source.parallel_batch_bytes = 1
    source.parallel_here = False  # every batch read by a helper process
    scan = source.scan()
    assert scan.processes >= 1 and scan.helper_bytes == scan.bytes_read > 0
    totals = {(m, k): n for m, k, n in source.token_totals()}
    assert totals[("claude-sonnet-4-5", "output")] == 6 * 40 * 100
    assert sum(totals.values()) == sum(b.total_tokens for b in source.blocks())


async def test_claude_code_version_is_the_newest_rows(projects, clock) -> None:
    write(
        projects / "a" / "new.jsonl",
        with_version(usage_row(NOW - timedelta(minutes=1), "msg_b"), "2.1.144"),
    )
    write(
        projects / "b" / "old.jsonl",
        with_version(usage_row(NOW - timedelta(hours=1), "msg_a"), "2.1.3"),
    )
    source = source_for(projects, clock)
    assert (await source.fetch(None)).claude_code_version == "2.1.144"


def test_error_dated_far_ahead_is_ignored_and_blocks_still_build(projects, clock) -> None:
    far = error_row(NOW, "from the year 9999").replace(stamp(NOW), "9999-12-31T23:59:59.000Z")
    soon = error_row(NOW + timedelta(hours=3), "clock a little ahead")
    usage_far = usage_row(NOW, "msg_far").replace(stamp(NOW), "9999-12-31T23:59:59.000Z")
    write(projects / "p" / "s.jsonl", error_row(NOW, "real"), far, soon, usage_far)
    source = source_for(projects, clock)
    scan = source.scan()
    assert [e.text for e in scan.new_errors] == ["real", "clock a little ahead"]
    assert source.last_error().text == "clock a little ahead"
    assert source.blocks() == ()  # the year-9999 usage is not counted (and does not crash)


def test_over_long_line_is_skipped_once_and_never_read_again(projects, clock) -> None:
    path = projects / "p" / "s.jsonl"
    write(path, error_row(NOW - timedelta(minutes=2), "before"))
    with open(path, "a", encoding="utf-8") as handle:
        handle.write('{"type":"user","junk":"' + "x" * 300_000)  # no newline (yet)
    source = source_for(projects, clock, chunk_size=4096, max_line_bytes=65536)
    first = source.scan()
    assert [e.text for e in first.new_errors] == ["before"]
    assert first.long_lines == 1
    clock.advance(5)
    second = source.scan()
    assert second.bytes_read == 0  # not read again
    # the line ends later; the row after it is read
    write(path, "x" * 1000 + '"}', error_row(NOW, "after"), mode="a")
    clock.advance(5)
    third = source.scan()
    assert [e.text for e in third.new_errors] == ["after"]
    assert third.bytes_read < 5000
    assert "1 over-long lines skipped" in source.state().detail


def test_control_characters_are_stripped_from_error_text(projects, clock) -> None:
    nasty = "You've hit your limit \x1b]52;c;ZXZpbA==\x07\x1b[2J\x9b31m · resets 3pm\tnow\nok"
    row = json.loads(error_row(NOW, nasty))
    row["sessionId"] = "s\x1b[31m1"
    write(projects / "p\x1b" / "s.jsonl", json.dumps(row))
    [error] = source_for(projects, clock).scan().new_errors
    assert error.text == "You've hit your limit ]52;c;ZXZpbA==[2J31m · resets 3pm\tnow\nok"
    assert error.session == "s[31m1"
    assert error.project == "p"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lengths=st.lists(st.integers(0, 20_000), min_size=1, max_size=8),
    cuts=st.lists(st.integers(1, 60_000), max_size=4),
)
def test_over_long_lines_wherever_the_file_is_cut(
    lengths: list[int], cuts: list[int], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """However the bytes arrive between scans, every error row is found once, and exactly the
    lines of ``limit`` bytes or more are skipped."""
    limit = 8192
    projects = tmp_path_factory.mktemp("t") / "projects"
    rows: list[str] = []
    for i, length in enumerate(lengths):
        rows.append('{"j":"' + "x" * max(0, length - 8) + '"}')
        rows.append(error_row(NOW - timedelta(minutes=60 - i), f"error {i}"))
    data = "".join(r + "\n" for r in rows).encode()
    path = projects / "p" / "s.jsonl"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    clock = ManualClock(NOW)
    source = TranscriptSource([projects], clock=clock, chunk_size=4096, max_line_bytes=limit)
    found: list[str] = []
    long_lines = 0
    done = 0
    for cut in [*sorted(c % (len(data) + 1) for c in cuts), len(data)]:
        if cut > done:
            with open(path, "ab") as handle:
                handle.write(data[done:cut])
            done = cut
        scan = source.scan()
        found += [e.text for e in scan.new_errors]
        long_lines += scan.long_lines
        clock.advance(5)
    assert found == [f"error {i}" for i in range(len(lengths))]
    assert long_lines == sum(1 for r in rows if len(r) >= limit)
