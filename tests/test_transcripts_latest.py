"""The latest error Claude Code showed, found cheaply for `status` and `statusline`."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

from tests.test_transcripts import NOW, error_row, stamp, usage_row, user_row, write
from tui.clock import ManualClock
from tui.sources.transcripts import latest
from tui.sources.transcripts.latest import latest_error
from tui.sources.transcripts.source import TranscriptSource


def touch(path: Path, when) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()))


def test_newest_error_across_recent_files_with_its_project_and_session(projects) -> None:
    a = projects / "-home-me-app" / "sess-a.jsonl"
    b = projects / "-home-me-web" / "sess-b.jsonl"
    write(a, error_row(NOW - timedelta(minutes=30), "older"), usage_row(NOW, "msg_1"))
    write(b, error_row(NOW - timedelta(minutes=5), "You've hit your session limit", 429, "sess-b"))
    touch(a, NOW)
    touch(b, NOW - timedelta(minutes=5))
    error = latest_error([projects], NOW)
    assert error is not None
    assert error.text == "You've hit your session limit"
    assert (error.project, error.session, error.status) == ("-home-me-web", "sess-b", 429)
    assert error.observed_at == NOW - timedelta(minutes=5)


def test_files_not_written_recently_are_not_read(projects) -> None:
    path = projects / "p" / "s.jsonl"
    write(path, error_row(NOW - timedelta(hours=1), "stale file"))
    touch(path, NOW - timedelta(days=2))
    assert latest_error([projects], NOW) is None
    assert latest_error([projects], NOW, since=NOW - timedelta(days=3)) is not None


def test_errors_older_than_since_are_not_the_latest(projects) -> None:
    path = projects / "p" / "s.jsonl"
    write(path, error_row(NOW - timedelta(days=3), "resumed session copied it"))
    touch(path, NOW)
    assert latest_error([projects], NOW) is None


def test_quoted_errors_future_rows_and_a_partial_last_line_are_passed_over(projects) -> None:
    path = projects / "p" / "s.jsonl"
    quoted = json.loads(user_row(NOW))
    quoted["message"]["content"] = error_row(NOW, "a tool result quoting an error")
    future = error_row(NOW, "year 9999").replace(stamp(NOW), "9999-01-01T00:00:00.000Z")
    write(path, error_row(NOW - timedelta(minutes=1), "the real one"), json.dumps(quoted), future)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(error_row(NOW, "being written")[:60])  # no end yet
    touch(path, NOW)
    error = latest_error([projects], NOW)
    assert error is not None and error.text == "the real one"


def test_rows_across_chunk_boundaries_and_control_characters(projects, monkeypatch) -> None:
    monkeypatch.setattr(latest, "CHUNK", 97)
    path = projects / "p" / "s.jsonl"
    write(
        path,
        error_row(NOW - timedelta(minutes=9), "first"),
        error_row(NOW - timedelta(minutes=2), "out of \x1b[31mextra\x1b[0m usage"),
        *[usage_row(NOW - timedelta(minutes=1), f"msg_{i}") for i in range(5)],
    )
    touch(path, NOW)
    error = latest_error([projects], NOW)
    assert error is not None and error.text == "out of [31mextra[0m usage"


def test_a_file_is_read_from_its_end_within_a_budget(projects) -> None:
    path = projects / "p" / "s.jsonl"
    filler = [usage_row(NOW - timedelta(minutes=1), f"msg_{i}") for i in range(3000)]
    write(path, error_row(NOW - timedelta(minutes=2), "far from the end"), *filler)
    touch(path, NOW)
    size = path.stat().st_size
    assert latest_error([projects], NOW, file_budget=size // 2) is None
    found = latest_error([projects], NOW, file_budget=size)
    assert found is not None and found.text == "far from the end"


def test_no_transcripts_at_all(tmp_path) -> None:
    assert latest_error([tmp_path / "missing"], NOW) is None
    assert latest_error([], NOW) is None


def test_agrees_with_the_live_views_last_error_on_a_generated_tree(tmp_path) -> None:
    from bench.transcripts import END, generate_tree

    root = tmp_path / "projects"
    info = generate_tree(root, 2, seed=3)
    assert info["error_rows"] > 0
    source = TranscriptSource([root], clock=ManualClock(END), keep_hours=24 * 30)
    source.scan()
    expected = source.last_error()
    found = latest_error([root], END, since=END - timedelta(days=30))
    assert expected is not None and found is not None
    assert (found.observed_at, found.text, found.session) == (
        expected.observed_at,
        expected.text,
        expected.session,
    )
