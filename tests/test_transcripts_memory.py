"""Memory after the first scan of a large tree: the live view gives the C heap's free pages
back once, after that scan, and keeps no object per response it counted."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.test_transcripts import NOW, source_for, usage_row, write
from tui.clock import ManualClock
from tui.sources.transcripts import source as source_module


@pytest.fixture
def projects(isolated_paths) -> Path:
    root: Path = isolated_paths.claude / "projects"
    for i in range(4):
        rows = [usage_row(NOW - timedelta(minutes=j), f"msg_{i}_{j}") for j in range(50)]
        write(root / f"p{i}" / "s.jsonl", *rows)
    return root


async def test_the_heap_is_given_back_once_after_a_large_first_scan(projects, monkeypatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(source_module, "give_back_heap", lambda: calls.append(1))
    source = source_for(projects, ManualClock(NOW))
    source.parallel_min_bytes = 1  # "large": read with a helper process
    first = await source.fetch()
    assert first.history_only and calls == [1]
    write(projects / "p0" / "s.jsonl", usage_row(NOW, "msg_new"), mode="a")
    await source.fetch()
    assert calls == [1]  # later scans read a few bytes: nothing to give back


async def test_a_small_first_scan_leaves_the_heap_alone(projects, monkeypatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(source_module, "give_back_heap", lambda: calls.append(1))
    await source_for(projects, ManualClock(NOW)).fetch()
    assert calls == []


def test_giving_back_the_heap_is_safe_here() -> None:
    source_module.give_back_heap()  # glibc here; elsewhere a no-op, never an error


def test_the_ids_counted_are_packed_after_a_scan(projects) -> None:
    source = source_for(projects, ManualClock(NOW))
    source.scan()
    hours = source._reader.hours.hours.values()
    assert sum(len(h.packed) for h in hours) == 200  # every response, 8 bytes each
    assert all(not h.seen for h in hours)  # no set of int objects left
