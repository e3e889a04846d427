"""A warm ``status`` (a prompt may run one every few seconds) must not read the last megabyte
of every recent transcript again: what an earlier run found is kept as offsets, and only the
lines appended since are read. The answer must stay the one a full search gives."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import timedelta
from pathlib import Path

import pytest

from tests.test_transcripts import NOW, error_row, usage_row, write
from tui.clock import ManualClock
from tui.sources.transcripts import latest
from tui.sources.transcripts.latest import latest_error
from tui.sources.transcripts.recent import RecentErrorSource
from tui.sources.transcripts.tails import TailMemo


@pytest.fixture
def reads(monkeypatch) -> list[int]:
    """Bytes read from each file the search opened."""
    seen: list[int] = []
    search = latest._last_error_in

    def counting(*args, **kwargs):
        found, used = search(*args, **kwargs)
        seen.append(used)
        return found, used

    monkeypatch.setattr(latest, "_last_error_in", counting)
    return seen


def _padding(count: int, start: int = 0) -> list[str]:
    return [usage_row(NOW - timedelta(minutes=50), f"msg_{start + i}") for i in range(count)]


def _search(projects: Path, memo_file: Path):
    memo = TailMemo(memo_file)
    found = latest_error([projects], NOW, memo=memo)
    memo.save()
    return found


def test_an_unchanged_file_costs_one_row_the_second_time(projects, tmp_path, reads) -> None:
    session = projects / "-home-me-app" / "sess-1.jsonl"
    row = error_row(NOW - timedelta(minutes=10), "You've hit your session limit")
    write(session, *_padding(800), row, *_padding(400, 800))
    memo_file = tmp_path / "tails.json"
    first = _search(projects, memo_file)
    assert first is not None and first.text == "You've hit your session limit"
    assert reads[-1] > 100_000  # the rows after the error, read from the end
    again = _search(projects, memo_file)
    assert again == first
    assert reads[-1] == len(row)  # the error row only, at its kept offsets


def test_appended_lines_are_read_and_a_new_error_wins(projects, tmp_path, reads) -> None:
    session = projects / "-home-me-app" / "sess-1.jsonl"
    write(session, *_padding(300), error_row(NOW - timedelta(minutes=10), "first"))
    memo_file = tmp_path / "tails.json"
    assert _search(projects, memo_file).text == "first"
    added = write(session, *_padding(5, 300), mode="a")
    assert _search(projects, memo_file).text == "first"
    assert reads[-1] < added + 1000  # the new lines and the kept row, nothing older
    write(session, error_row(NOW - timedelta(minutes=1), "second"), mode="a")
    assert _search(projects, memo_file).text == "second"


def test_a_row_being_written_is_read_whole_once_it_ends(projects, tmp_path) -> None:
    session = projects / "-home-me-app" / "sess-1.jsonl"
    write(session, *_padding(50))
    row = error_row(NOW - timedelta(minutes=1), "You're out of usage credits")
    with open(session, "a", encoding="utf-8") as handle:
        handle.write(row[:40])  # Claude Code is in the middle of writing it
    memo_file = tmp_path / "tails.json"
    assert _search(projects, memo_file) is None
    with open(session, "a", encoding="utf-8") as handle:
        handle.write(row[40:] + "\n")
    found = _search(projects, memo_file)
    assert found is not None and found.text == "You're out of usage credits"


def test_a_replaced_or_rewritten_file_is_searched_anew(projects, tmp_path) -> None:
    session = projects / "-home-me-app" / "sess-1.jsonl"
    write(session, *_padding(20), error_row(NOW - timedelta(minutes=10), "old wording"))
    memo_file = tmp_path / "tails.json"
    assert _search(projects, memo_file).text == "old wording"
    replaced = session.with_name("new.tmp")
    write(replaced, error_row(NOW - timedelta(minutes=9), "replaced"))
    os.replace(replaced, session)  # a new file (inode), shorter
    assert _search(projects, memo_file).text == "replaced"
    with open(session, "r+", encoding="utf-8") as handle:  # the same file, other bytes
        handle.truncate(0)
        handle.write("".join(r + "\n" for r in _padding(40)))
        handle.write(error_row(NOW - timedelta(minutes=8), "rewritten in place") + "\n")
    assert _search(projects, memo_file).text == "rewritten in place"
    with open(session, "r+", encoding="utf-8") as handle:  # longer, and no error at all
        handle.truncate(0)
        handle.write("".join(r + "\n" for r in _padding(60)))
    assert _search(projects, memo_file) is None


@pytest.mark.parametrize(
    "damage",
    [
        b"not json",
        b'{"version": 1, "files": []}',
        b'{"version": 1, "files": {"x": [1, 2]}}',
        b'{"version": 1, "files": {"PATH": [0, 10, 400, 300, null]}}',  # past the search
        b'{"version": 1, "files": {"PATH": [true, 0, -1, -1, null]}}',
        b'{"version": 1, "files": {"PATH": [1, 0, -1, -1, "soon"]}}',
        b'{"version": 99, "files": {}}',
        b"[" * 100_000,
    ],
)
def test_a_damaged_memo_is_ignored_and_replaced(projects, tmp_path, damage: bytes) -> None:
    session = projects / "-home-me-app" / "sess-1.jsonl"
    write(session, *_padding(20), error_row(NOW - timedelta(minutes=10), "kept"))
    memo_file = tmp_path / "tails.json"
    memo_file.write_bytes(damage.replace(b"PATH", str(session).encode()))
    assert _search(projects, memo_file).text == "kept"
    files = json.loads(memo_file.read_text())["files"]
    assert files[str(session)][0] == os.stat(session).st_ino


def test_the_memo_holds_offsets_never_text(projects, tmp_path) -> None:
    session = projects / "-home-me-app" / "sess-1.jsonl"
    write(session, *_padding(5), error_row(NOW - timedelta(minutes=10), "secret-ish words"))
    memo_file = tmp_path / "tails.json"
    _search(projects, memo_file)
    text = memo_file.read_text()
    assert "secret-ish" not in text and "msg_" not in text
    assert os.stat(memo_file).st_mode & 0o777 == 0o600


def test_the_headless_source_keeps_its_memo_in_the_cache_folder(projects, isolated_paths) -> None:
    from tui import paths

    write(projects / "p" / "s.jsonl", error_row(NOW - timedelta(minutes=3), "limit reached"))
    source = RecentErrorSource(
        [projects], clock=ManualClock(NOW), memo=paths.transcript_tails_file()
    )
    result = asyncio.run(source.fetch())
    assert [e.text for e in result.transcript_errors] == ["limit reached"]
    assert paths.transcript_tails_file().parent == isolated_paths.cache
    assert paths.transcript_tails_file().exists()


def test_files_unchanged_since_their_search_are_not_opened(projects, tmp_path, reads) -> None:
    for i in range(6):  # written to after the newest error: each must be looked at
        session = projects / "-home-me-app" / f"sess-{i}.jsonl"
        rows = [error_row(NOW - timedelta(minutes=30), f"error {i}")] if i == 2 else []
        write(session, *rows, *_padding(3, 10 * i))
        os.utime(session, (NOW.timestamp() - i, NOW.timestamp() - i))
    memo_file = tmp_path / "tails.json"
    assert _search(projects, memo_file).text == "error 2"
    assert len(reads) == 6
    reads.clear()
    assert _search(projects, memo_file).text == "error 2"
    assert len(reads) == 1  # only the file holding the newest error, for its row


def test_the_memo_never_widens_the_search(projects, tmp_path) -> None:
    for i in range(4):  # 4 files of 40 KB, the newest first; an error at the oldest's end
        session = projects / "-home-me-app" / f"sess-{i}.jsonl"
        rows = [error_row(NOW - timedelta(minutes=30), "beyond the budget")] if i == 3 else []
        write(session, *_padding(100, 100 * i), *rows)
        os.utime(session, (NOW.timestamp() - i, NOW.timestamp() - i))
    budget = 2 * (projects / "-home-me-app" / "sess-0.jsonl").stat().st_size
    memo = TailMemo(tmp_path / "tails.json")
    for _ in range(3):  # the same answer as without a memo, run after run
        assert latest_error([projects], NOW, total_budget=budget, memo=memo) is None
    assert latest_error([projects], NOW, total_budget=budget) is None
