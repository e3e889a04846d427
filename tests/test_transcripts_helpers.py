"""The parallel first scan when its helper processes fail: whatever they did not answer for
is read by the scanning process, so the totals and errors are exactly a serial scan's."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tui.clock import ManualClock
from tui.sources.transcripts import parallel
from tui.sources.transcripts.source import TranscriptSource

NOW = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)
KEEP = 24 * 365 * 30

# A helper that takes one batch (then two) from the claims pipe and dies without answering.
TAKES_AND_DIES = (
    "import marshal, os, sys\n"
    "job = marshal.loads(sys.stdin.buffer.read())\n"
    "os.read(job[1], 8)\n"
    "os._exit(3)\n"
)


def _totals(source: TranscriptSource) -> dict[str, list[int]]:
    got: dict[str, list[int]] = {}
    for block in source.blocks():
        for model, *counts in block.tokens_by_model:
            acc = got.setdefault(model, [0, 0, 0, 0])
            for i, value in enumerate(counts):
                acc[i] += value
    return got


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, dict[str, object]]:
    from bench.transcripts import generate_tree

    root = tmp_path / "projects"
    return root, generate_tree(root, 2, seed=5)


def _scan(root: Path, *, here: bool) -> TranscriptSource:
    source = TranscriptSource([root], clock=ManualClock(NOW), keep_hours=KEEP)
    source.parallel_min_bytes = 1
    source.parallel_batch_bytes = 32 * 1024
    source.parallel_here = here
    return source


# A helper that takes a batch and answers for it with a piece that is not an answer.
ANSWERS_GARBAGE = (
    "import marshal, os, sys\n"
    "job = marshal.loads(sys.stdin.buffer.read())\n"
    "os.read(job[1], 4)\n"
    "body = b'not an answer'\n"
    "os.write(job[5], len(body).to_bytes(8, 'little') + body)\n"
    "os._exit(0)\n"
)


@pytest.mark.parametrize(
    "code",
    [TAKES_AND_DIES, "import os\nos._exit(1)\n", "raise SystemExit(0)\n", ANSWERS_GARBAGE],
    ids=["claims-then-dies", "dies-at-once", "answers-nothing", "answers-garbage"],
)
@pytest.mark.parametrize("here", [False, True], ids=["helpers-only", "helpers-and-here"])
def test_a_helper_that_dies_loses_nothing(tree, monkeypatch, code, here) -> None:
    root, info = tree
    monkeypatch.setattr(parallel, "HELPER_CODE", code)
    serial = TranscriptSource([root], clock=ManualClock(NOW), keep_hours=KEEP)
    serial.parallel_min_bytes = 1 << 62
    source = _scan(root, here=here)
    a, b = serial.scan(), source.scan()
    assert (b.bytes_read, b.usage_rows, b.files_seen) == (a.bytes_read, a.usage_rows, a.files_seen)
    assert b.processes == 1 and b.helper_bytes == 0
    assert _totals(source) == _totals(serial) == info["tokens"]
    assert [e.text for e in source.errors()] == [e.text for e in serial.errors()]
    assert source.scan().bytes_read == 0  # and it follows every file by offset afterwards


def test_helpers_that_cannot_start_leave_the_scan_to_this_process(tree, monkeypatch) -> None:
    root, info = tree
    monkeypatch.setattr(parallel.sys, "executable", str(root / "no-such-python"))
    source = _scan(root, here=False)
    scan = source.scan()
    assert scan.processes == 1 and scan.helper_bytes == 0
    assert _totals(source) == info["tokens"]


def test_error_rows_read_by_a_helper_are_surfaced_once(tree) -> None:
    """Error rows travel back from a helper as bytes and are read by the scanning process;
    resumed sessions copy them, and a copy is not a second error."""
    root, _info = tree
    errors = [
        line
        for path in sorted(root.rglob("*.jsonl"))
        for line in path.read_text().splitlines()
        if "isApiErrorMessage" in line
    ]
    assert errors, "the generated tree has error rows"
    (root / "-home-user-project0" / "resumed.jsonl").write_text("\n".join(errors) + "\n")
    serial = TranscriptSource([root], clock=ManualClock(NOW), keep_hours=KEEP)
    serial.parallel_min_bytes = 1 << 62
    source = _scan(root, here=False)
    a, b = serial.scan(), source.scan()
    assert b.helper_bytes == b.bytes_read  # every row, error rows too, went through a helper
    assert sorted(e.text for e in b.new_errors) == sorted(e.text for e in a.new_errors)
    assert [e.status for e in source.errors()] == [e.status for e in serial.errors()]


# The real helper, which dies half-way through writing its third answer (one per batch).
ANSWERS_TWICE_THEN_DIES = (
    "import marshal, os, sys\n"
    "job = marshal.loads(sys.stdin.buffer.read())\n"
    "sys.path[:0] = [p for p in job[0] if p not in sys.path]\n"
    "from tui.sources.transcripts import helper\n"
    "sent = []\n"
    "def write_all(fd, data):\n"
    "    sent.append(data)\n"
    "    if len(sent) == 3:\n"
    "        os.write(fd, data[: len(data) // 2])\n"
    "        os._exit(3)\n"
    "    os.write(fd, data)\n"
    "helper.write_all = write_all\n"
    "helper.main(job)\n"
)


def test_a_helper_that_dies_mid_answer_keeps_what_it_answered(tree, monkeypatch) -> None:
    """The batches a helper answered for before it died are taken in, a half-written answer
    is not, and this process reads the rest: exactly a serial scan's totals."""
    root, info = tree
    monkeypatch.setattr(parallel, "HELPER_CODE", ANSWERS_TWICE_THEN_DIES)
    monkeypatch.setattr(parallel, "MAX_HELPERS", 1)
    serial = TranscriptSource([root], clock=ManualClock(NOW), keep_hours=KEEP)
    serial.parallel_min_bytes = 1 << 62
    source = _scan(root, here=False)  # this process reads only what the helper left
    a, b = serial.scan(), source.scan()
    assert 0 < b.helper_bytes < b.bytes_read == a.bytes_read
    assert b.processes == 2
    assert b.usage_rows == a.usage_rows
    assert _totals(source) == _totals(serial) == info["tokens"]
    assert [e.text for e in source.errors()] == [e.text for e in serial.errors()]
    assert source.scan().bytes_read == 0


def test_an_answer_is_read_in_whole_pieces_only() -> None:
    from tui.sources.transcripts.helper import frame, frames

    data = frame(b"one") + frame(b"") + frame(b"three")
    assert frames(data) == ([b"one", b"", b"three"], len(data))
    for cut in range(len(data)):  # a piece still being written (or never finished) waits
        got, used = frames(data[:cut])
        assert data[:used] == b"".join(frame(body) for body in got)
        assert got == [b"one", b"", b"three"][: len(got)]
        assert len(data[:cut]) - used < len(frame(b"three"))
