"""Claude Code's transcripts, followed as they grow: the user's last error and burn rate."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tui.clock import ManualClock
from tui.explain import UsageContext, classify
from tui.models import Window
from tui.sources.transcripts.source import TranscriptSource

NOW = datetime(2026, 4, 14, 15, 0, tzinfo=UTC)
OUT_OF_EXTRA = (
    'API Error: 400 {"type":"error","error":{"type":"invalid_request_error","message":'
    '"You\'re out of extra usage. Add more at claude.ai/settings/usage and keep going."},'
    '"request_id":"req_011CUabc"}'
)


def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def usage_row(
    when: datetime,
    msg: str,
    req: str | None = None,
    model: str = "claude-sonnet-4-5",
    inp: int = 10,
    out: int = 100,
    cc: int = 1000,
    cr: int = 5000,
) -> str:
    return json.dumps(
        {
            "parentUuid": None,
            "sessionId": "sess-1",
            "type": "assistant",
            "message": {
                "id": msg,
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [{"type": "text", "text": 'he said "usage" \n twice'}],
                "usage": {
                    "input_tokens": inp,
                    "cache_creation_input_tokens": cc,
                    "cache_read_input_tokens": cr,
                    "output_tokens": out,
                },
            },
            "requestId": req or msg.replace("msg", "req"),
            "timestamp": stamp(when),
        }
    )


def error_row(when: datetime, text: str, status: int = 429, session: str = "sess-1") -> str:
    return json.dumps(
        {
            "type": "assistant",
            "sessionId": session,
            "isApiErrorMessage": True,
            "error": "rate_limit" if status == 429 else "invalid_request",
            "apiErrorStatus": status,
            "message": {
                "model": "<synthetic>",
                "role": "assistant",
                "content": [{"type": "text", "text": text}],
                "usage": {"input_tokens": 0, "output_tokens": 0},
            },
            "timestamp": stamp(when),
        }
    )


def user_row(when: datetime, size: int = 200) -> str:
    return json.dumps(
        {
            "type": "user",
            "sessionId": "sess-1",
            "message": {"role": "user", "content": "x" * size},
            "toolUseResult": {"usage": {"input_tokens": 999999}},  # a Task result: not ours
            "timestamp": stamp(when),
        }
    )


def write(path: Path, *rows: str, mode: str = "w") -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(r + "\n" for r in rows)
    with open(path, mode, encoding="utf-8") as handle:
        handle.write(data)
    return len(data.encode())


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


def source_for(projects: Path, clock: ManualClock, **kw) -> TranscriptSource:
    return TranscriptSource([projects], clock=clock, **kw)


def total(source: TranscriptSource) -> int:
    return sum(b.total_tokens for b in source.blocks())


def test_finds_every_claude_config_folder(isolated_paths, monkeypatch, clock) -> None:
    a, b = isolated_paths.root / "work-a", isolated_paths.root / "work-b"
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", f"{a}, {b}")
    home = isolated_paths.home
    for i, root in enumerate((a, b, home / ".config" / "claude", home / ".claude")):
        write(root / "projects" / f"proj{i}" / "s.jsonl", error_row(NOW, f"error {i}"))
    source = TranscriptSource(clock=clock)
    scan = source.scan()
    assert scan.files_seen == 4
    assert {e.text for e in scan.new_errors} == {"error 0", "error 1", "error 2", "error 3"}
    assert {e.project for e in scan.new_errors} == {"proj0", "proj1", "proj2", "proj3"}
    assert source.state().state == "ok"


def test_configured_dir_wins_over_environment(isolated_paths, clock) -> None:
    mine = isolated_paths.root / "mine"
    write(mine / "projects" / "p" / "s.jsonl", error_row(NOW, "from config"))
    source = TranscriptSource(clock=clock, configured_dir=str(mine))
    assert [e.text for e in source.scan().new_errors] == ["from config"]


def test_no_transcripts_anywhere_is_unavailable_and_says_where_it_looked(projects, clock):
    source = source_for(projects, clock)
    scan = source.scan()
    assert scan.files_seen == 0 and scan.new_errors == ()
    state = source.state()
    assert state.state == "unavailable"
    assert str(projects) in state.detail


def test_growing_file_reads_only_the_new_bytes(projects, clock) -> None:
    path = projects / "-home-me-app" / "sess-1.jsonl"
    write(
        path, user_row(NOW - timedelta(minutes=9)), usage_row(NOW - timedelta(minutes=8), "msg_1")
    )
    source = source_for(projects, clock)
    first = source.scan()
    assert first.first_scan and first.new_errors == ()
    assert total(source) == 6110

    appended = write(
        path,
        usage_row(NOW - timedelta(minutes=2), "msg_2"),
        error_row(NOW - timedelta(minutes=1), "You've hit your session limit · resets 5pm (UTC)"),
        mode="a",
    )
    second = source.scan()
    assert second.bytes_read == appended
    assert not second.first_scan
    assert [e.text for e in second.new_errors] == [
        "You've hit your session limit · resets 5pm (UTC)"
    ]
    assert second.new_errors[0].project == "-home-me-app"
    assert second.new_errors[0].session == "sess-1"
    assert total(source) == 2 * 6110

    quiet = source.scan()
    assert quiet.bytes_read == 0 and quiet.new_errors == ()
    assert source.last_error() == second.new_errors[0]


def test_a_new_file_appearing_later_is_read(projects, clock) -> None:
    write(projects / "p" / "a.jsonl", usage_row(NOW, "msg_a"))
    source = source_for(projects, clock)
    source.scan()
    size = write(projects / "p" / "b.jsonl", error_row(NOW, "Overloaded", 529))
    scan = source.scan()
    assert scan.files_seen == 2 and scan.bytes_read == size
    assert [e.status for e in scan.new_errors] == [529]


def test_truncated_file_is_read_again_from_the_start(projects, clock) -> None:
    path = projects / "p" / "s.jsonl"
    write(path, *[usage_row(NOW - timedelta(minutes=30 - i), f"msg_{i}") for i in range(20)])
    source = source_for(projects, clock)
    source.scan()
    size = write(path, error_row(NOW, "You've hit your weekly limit · resets Apr 17, 9am"))
    scan = source.scan()
    assert scan.bytes_read == size
    assert len(scan.new_errors) == 1
    assert total(source) == 20 * 6110  # what was counted stays counted, once


def test_rotated_file_with_a_new_inode_is_read_again(projects, clock, tmp_path) -> None:
    path = projects / "p" / "s.jsonl"
    write(path, usage_row(NOW - timedelta(minutes=5), "msg_1"), user_row(NOW, 4000))
    source = source_for(projects, clock)
    source.scan()
    replacement = tmp_path / "new.jsonl"
    size = write(
        replacement,
        usage_row(NOW - timedelta(minutes=5), "msg_1"),  # the same response again: not twice
        usage_row(NOW - timedelta(minutes=1), "msg_2"),
        error_row(NOW, "API Error: 500 Internal server error", 500),
    )
    os.replace(replacement, path)
    scan = source.scan()
    assert scan.bytes_read == size
    assert [e.status for e in scan.new_errors] == [500]
    assert total(source) == 2 * 6110


def test_partial_last_line_waits_for_its_end(projects, clock) -> None:
    path = projects / "p" / "s.jsonl"
    whole = error_row(NOW, "You've hit your session limit · resets 5pm")
    path.parent.mkdir(parents=True)
    path.write_text(usage_row(NOW, "msg_1") + "\n" + whole[:40], encoding="utf-8")
    source = source_for(projects, clock)
    first = source.scan()
    assert first.new_errors == () and first.malformed_lines == 0
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(whole[40:] + "\n")
    second = source.scan()
    assert [e.text for e in second.new_errors] == ["You've hit your session limit · resets 5pm"]
    assert second.malformed_lines == 0
    assert total(source) == 6110


def test_malformed_lines_are_skipped_and_counted(projects, clock) -> None:
    write(
        projects / "p" / "s.jsonl",
        '{"type": "assistant", "message": {"usage": {"input_tokens": 5',
        '{"isApiErrorMessage": true, "message": {"content": "cut off here',  # a torn row
        '["usage"]',
        "",
        "\x00\xff garbage",
        usage_row(NOW, "msg_ok"),
        error_row(NOW, "still found"),
    )
    source = source_for(projects, clock)
    scan = source.scan()
    assert scan.malformed_lines == 3
    assert [e.text for e in scan.new_errors] == ["still found"]
    assert total(source) == 6110
    assert "3 malformed lines skipped" in source.state().detail


def test_invalid_utf8_and_binary_junk_do_not_stop_the_scan(projects, clock) -> None:
    path = projects / "p" / "s.jsonl"
    path.parent.mkdir(parents=True)
    path.write_bytes(b'\xff\xfe"usage"\xff\n' + (error_row(NOW, "after junk") + "\n").encode())
    scan = source_for(projects, clock).scan()
    assert scan.malformed_lines == 1
    assert [e.text for e in scan.new_errors] == ["after junk"]


def test_streamed_and_resumed_rows_count_once(projects, clock) -> None:
    t = NOW - timedelta(hours=1)
    rows = [usage_row(t + timedelta(milliseconds=100 * i), "msg_s", "req_s") for i in range(3)]
    write(projects / "p" / "first.jsonl", *rows)
    write(projects / "p" / "resumed.jsonl", rows[0], usage_row(t + timedelta(minutes=3), "msg_n"))
    source = source_for(projects, clock)
    scan = source.scan()
    assert scan.usage_rows == 2
    [block] = source.blocks()
    assert block.entries == 2 and block.total_tokens == 2 * 6110


def test_synthetic_rows_are_not_usage(projects, clock) -> None:
    write(
        projects / "p" / "s.jsonl",
        usage_row(NOW, "msg_syn", model="<synthetic>", inp=500, out=500, cc=0, cr=0),
        usage_row(NOW, "msg_real"),
    )
    source = source_for(projects, clock)
    source.scan()
    [block] = source.blocks()
    assert [m[0] for m in block.tokens_by_model] == ["claude-sonnet-4-5"]


def test_five_hour_blocks_per_model(projects, clock) -> None:
    day = datetime(2026, 4, 14, 0, 0, tzinfo=UTC)
    write(
        projects / "p" / "s.jsonl",
        usage_row(day.replace(hour=1, minute=10), "m1", model="claude-opus-4-1", out=7),
        usage_row(day.replace(hour=3, minute=30), "m2"),
        usage_row(day.replace(hour=5, minute=59), "m3", model="claude-opus-4-1", out=7),
        usage_row(day.replace(hour=6, minute=5), "m4"),  # 5 h after 01:00: a new block
        usage_row(day.replace(hour=14, minute=20), "m5"),  # 8 h gap: a new block
    )
    clock.set(day.replace(hour=15))
    source = source_for(projects, clock)
    source.scan()
    blocks = source.blocks()
    assert [(b.start.hour, b.entries) for b in blocks] == [(1, 3), (6, 1), (14, 1)]
    first = blocks[0]
    assert first.end == day.replace(hour=6)
    assert first.last_entry_at == day.replace(hour=5, minute=59)
    opus = next(m for m in first.tokens_by_model if m[0] == "claude-opus-4-1")
    assert opus[1:] == (20, 14, 2000, 10000)
    assert [b.active for b in blocks] == [False, False, True]


def test_old_usage_outside_retention_is_dropped(projects, clock) -> None:
    write(
        projects / "p" / "s.jsonl",
        usage_row(NOW - timedelta(days=20), "msg_old"),
        usage_row(NOW - timedelta(hours=1), "msg_new"),
    )
    source = source_for(projects, clock, keep_hours=24)
    source.scan()
    assert total(source) == 6110
    clock.advance(2 * 24 * 3600)
    source.scan()
    assert source.blocks() == ()


def test_blocks_are_bounded(projects, clock) -> None:
    rows = [usage_row(NOW - timedelta(hours=6 * i), f"msg_{i}") for i in range(30)]
    write(projects / "p" / "s.jsonl", *rows)
    source = source_for(projects, clock, max_blocks=10)
    source.scan()
    blocks = source.blocks()
    assert len(blocks) == 10
    assert blocks[-1].last_entry_at == NOW


def test_errors_are_bounded_and_newest_last(projects, clock) -> None:
    rows = [error_row(NOW - timedelta(minutes=i), f"error {i}") for i in range(100)]
    write(projects / "p" / "s.jsonl", *rows)  # written newest first
    source = source_for(projects, clock, max_errors=10)
    scan = source.scan()
    assert len(scan.new_errors) == 10
    errors = source.errors()
    assert [e.text for e in errors] == [f"error {i}" for i in range(9, -1, -1)]
    assert source.last_error().text == "error 0"


def test_error_rows_come_unclassified_and_classify_with_what_limitwatch_knows(
    projects, clock
) -> None:
    write(projects / "-home-me-app" / "sess-9.jsonl", error_row(NOW, OUT_OF_EXTRA, 400, "sess-9"))
    context = UsageContext(
        windows=(
            Window("five_hour", 6.0, NOW + timedelta(hours=2), "oauth_usage", NOW),
            Window("seven_day", 15.0, NOW + timedelta(days=2), "oauth_usage", NOW),
        )
    )
    [error] = source_for(projects, clock).scan().new_errors
    event = classify(error, context=context, now=NOW)  # as the core does, in one place
    assert event.class_id == "extra_usage_exhausted"
    assert event.plan_has_headroom is True
    assert event.status == 400
    assert (event.project, event.session) == ("-home-me-app", "sess-9")
    assert "6%" in event.explanation


def test_bench_tree_totals_match_what_was_written(tmp_path, clock) -> None:
    from bench.transcripts import generate_tree

    root = tmp_path / "projects"
    info = generate_tree(root, 3, seed=7)
    source = TranscriptSource([root], clock=clock, keep_hours=24 * 365 * 30)
    scan = source.scan()
    assert scan.files_seen == info["files"]
    assert scan.bytes_read == info["bytes"]
    assert len(source.errors()) == min(50, info["error_rows"])
    assert scan.usage_rows == info["unique_messages"]
    got: dict[str, list[int]] = {}
    for block in source.blocks():
        for model, *counts in block.tokens_by_model:
            acc = got.setdefault(model, [0, 0, 0, 0])
            for i, value in enumerate(counts):
                acc[i] += value
    assert got == info["tokens"]


@pytest.mark.slow
def test_a_100_mb_transcript_then_a_small_append(projects, clock) -> None:
    path = projects / "big" / "huge.jsonl"
    path.parent.mkdir(parents=True)
    filler = user_row(NOW - timedelta(hours=2), 20_000) + "\n"
    unit = filler * 40 + usage_row(NOW - timedelta(hours=1), "msg_same") + "\n"
    chunk = unit.encode() * 66  # ~53 MB per write, every usage row is the same response
    with open(path, "wb") as handle:
        for _ in range(2):
            handle.write(chunk)
        handle.write((error_row(NOW - timedelta(minutes=30), "Overloaded", 529) + "\n").encode())
    size = path.stat().st_size
    assert size >= 100 * 1024 * 1024
    source = source_for(projects, clock, chunk_size=4 * 1024 * 1024)
    first = source.scan()
    assert first.bytes_read == size
    assert first.usage_rows == 1 and total(source) == 6110
    assert [e.status for e in first.new_errors] == [529]
    appended = write(path, usage_row(NOW, "msg_tail"), mode="a")
    second = source.scan()
    assert second.bytes_read == appended
    assert total(source) == 2 * 6110


def _totals(source: TranscriptSource) -> dict[str, list[int]]:
    got: dict[str, list[int]] = {}
    for block in source.blocks():
        for model, *counts in block.tokens_by_model:
            acc = got.setdefault(model, [0, 0, 0, 0])
            for i, value in enumerate(counts):
                acc[i] += value
    return got


@pytest.mark.parametrize("here", [False, True], ids=["helpers-only", "helpers-and-here"])
def test_parallel_first_scan_counts_exactly_what_a_serial_scan_counts(
    tmp_path, clock, here
) -> None:
    from bench.transcripts import generate_tree

    root = tmp_path / "projects"
    info = generate_tree(root, 4, seed=3)
    # A response copied into another file (a resumed session) must still count once.
    first_file = sorted(root.rglob("*.jsonl"))[0]
    copied = [line for line in first_file.read_text().splitlines() if '"usage"' in line][:5]
    write(root / "-home-user-project0" / "resumed.jsonl", *copied)
    serial = TranscriptSource([root], clock=clock, keep_hours=24 * 365 * 30)
    serial.parallel_min_bytes = 1 << 62
    parallel = TranscriptSource([root], clock=clock, keep_hours=24 * 365 * 30)
    parallel.parallel_min_bytes = 1
    parallel.parallel_batch_bytes = 64 * 1024
    parallel.parallel_here = here
    a, b = serial.scan(), parallel.scan()
    assert (b.bytes_read, b.usage_rows, b.files_seen) == (a.bytes_read, a.usage_rows, a.files_seen)
    if not here:  # every byte went through a helper process and back
        assert b.helper_bytes == b.bytes_read and b.processes >= 1
    assert a.helper_bytes == 0 and a.processes == 1
    assert a.usage_rows == info["unique_messages"]
    assert _totals(parallel) == _totals(serial) == info["tokens"]
    assert [e.text for e in parallel.errors()] == [e.text for e in serial.errors()]
    # ...and afterwards it follows the files by offset like any scan.
    appended = write(first_file, usage_row(NOW, "msg_after_parallel"), mode="a")
    again = parallel.scan()
    assert again.bytes_read == appended
    assert again.usage_rows == 1
    assert parallel.scan().bytes_read == 0


def test_between_walks_only_recently_written_files_are_looked_at(projects, clock) -> None:
    """A large tree costs nothing at rest: old sessions are stat'ed once a minute, not every
    few seconds; what Claude Code is writing now is followed on every scan."""
    import os

    from tui.sources.transcripts.source import WALK_SECONDS

    old = projects / "p" / "old-session.jsonl"
    live = projects / "p" / "live-session.jsonl"
    write(old, usage_row(NOW - timedelta(hours=30), "msg_old"))
    write(live, usage_row(NOW - timedelta(minutes=5), "msg_live"))
    long_ago = (clock.now() - timedelta(hours=30)).timestamp()
    os.utime(old, (long_ago, long_ago))
    os.utime(live, (clock.now().timestamp(), clock.now().timestamp()))
    source = source_for(projects, clock)
    source.scan()
    clock.advance(5)
    grown_live = write(live, usage_row(NOW, "msg_live_2"), mode="a")
    grown_old = write(old, usage_row(NOW, "msg_old_2"), mode="a")
    quick = source.scan()
    assert quick.bytes_read == grown_live  # the cold file waits for the next walk
    clock.advance(WALK_SECONDS)
    walk = source.scan()
    assert walk.bytes_read == grown_old


def test_a_new_session_file_is_found_at_once(projects, clock) -> None:
    write(projects / "p" / "first.jsonl", usage_row(NOW - timedelta(minutes=5), "msg_a"))
    source = source_for(projects, clock)
    source.scan()
    clock.advance(5)
    size = write(projects / "p" / "second.jsonl", error_row(NOW, "Overloaded", 529))
    scan = source.scan()
    assert scan.bytes_read == size
    assert [e.text for e in scan.new_errors] == ["Overloaded"]


def test_sessions_untouched_since_before_the_retention_window_are_not_read(projects, clock) -> None:
    """Months of old sessions cost a stat each, not a read; one resumed later is followed."""
    from tui.sources.transcripts.source import WALK_SECONDS

    old = projects / "p" / "old.jsonl"
    recent = projects / "p" / "recent.jsonl"
    long_ago = NOW - timedelta(days=10)
    write(old, usage_row(long_ago, "msg_old"), error_row(long_ago, "ancient history"))
    size = write(recent, usage_row(NOW - timedelta(hours=1), "msg_new", inp=1, out=2, cc=3, cr=4))
    os.utime(old, (long_ago.timestamp(), long_ago.timestamp()))
    source = source_for(projects, clock)  # keeps 8 days
    scan = source.scan()
    assert (scan.bytes_read, scan.files_seen, scan.new_errors) == (size, 2, ())
    assert total(source) == 10
    appended = write(old, usage_row(NOW, "msg_resumed"), error_row(NOW, "fresh"), mode="a")
    clock.advance(WALK_SECONDS)
    again = source.scan()
    assert again.bytes_read == appended
    assert [e.text for e in again.new_errors] == ["fresh"]
    assert total(source) == 10 + 6110
