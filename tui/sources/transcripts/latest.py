"""The latest error Claude Code showed, found cheaply, for the headless commands.

``status`` and ``statusline`` run for a fraction of a second and cannot scan a transcript tree
the way the live view does. ``latest_error`` looks only at transcript files written to
recently (by modification time: one stat per file), newest first, and reads each from its end
backwards in chunks until it meets an error row or a byte budget is spent. A file last written
before the newest error found so far cannot hold a newer one, so the search usually ends after
the first file or two. The row is read as the live view reads it (``rows.py``): the same
TranscriptError, the same rules (rows dated more than a day ahead are not believed).

With a ``TailMemo`` (``tails.py``), a file searched by an earlier run is read only from where
that search ended, and its last error row from the span kept: an unchanged tree costs a few
hundred bytes per file instead of a megabyte.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tui import paths
from tui.models import TranscriptError
from tui.sources.transcripts.rows import (
    FUTURE_SLACK_S,
    error_from_row,
    is_error_row,
    loads,
    parse_ts,
)
from tui.sources.transcripts.tails import Entry, TailMemo

RECENT = timedelta(days=1)  # files written to longer ago than this are not looked at
CHUNK = 256 * 1024
# The newest error sits near a session's end (Claude Code stops, or the user retries); an older
# one deep in a long session is the live view's to find. A warm `status` must stay cheap even
# when every file is recent: a few MB read at most.
FILE_BUDGET = 1024 * 1024  # bytes read from the end of one file at most
TOTAL_BUDGET = 4 * 1024 * 1024  # bytes read in all at most
MAX_LINE = 4 * 1024 * 1024  # an error row is small: a longer line is not assembled
_NEEDLE = b'isApiErrorMessage"'


def transcript_roots(configured_dir: str | None = None) -> list[Path]:
    """The ``projects`` folder of every Claude Code config folder."""
    return [d / "projects" for d in paths.claude_config_dirs(configured_dir)]


def latest_error(
    roots: Sequence[Path],
    now: datetime,
    *,
    since: datetime | None = None,
    file_budget: int = FILE_BUDGET,
    total_budget: int = TOTAL_BUDGET,
    memo: TailMemo | None = None,
) -> TranscriptError | None:
    """The newest error row dated from ``since`` (default: a day before ``now``) up to a day
    ahead of ``now``, in the files written to since then; None when there is none. Never
    raises for anything on disk. ``memo``: what earlier runs found (updated, not saved)."""
    start = (since or now - RECENT).timestamp()
    horizon = now.timestamp() + FUTURE_SLACK_S
    recent = sorted(_recent_files(roots, start), reverse=True)
    best: TranscriptError | None = None
    spent = 0
    for mtime, path, project, inode, size in recent:
        if best is not None and mtime < best.observed_at.timestamp():
            break  # written before the newest error found: nothing newer in it, nor after
        if spent >= total_budget:
            break
        budget = min(file_budget, total_budget - spent)
        known = memo.known(path, inode, size) if memo is not None else None
        # A file the memo answers is charged what reading it would cost, so that the memo makes
        # the search cheaper, never wider (the same files are looked at, the same answer).
        charge = 0 if known is None else min(budget, size - max(known[2], 0))
        if known is not None and known[1] == size and _nothing_newer(known, best, start):
            spent += charge  # unchanged since it was searched, and nothing newer in it
            continue
        found, used = _last_error_in(path, project, mtime, start, horizon, budget, memo)
        spent += max(used, charge)
        if found is not None and (best is None or found.observed_at > best.observed_at):
            best = found
    return best


def _nothing_newer(known: Entry, best: TranscriptError | None, since: float) -> bool:
    """Whether a file unchanged since its search cannot hold an error newer than ``best``
    dated from ``since`` on: it had no error row, or its last one is older than either."""
    if known[2] < 0:
        return True
    when = known[4]
    if when is None:
        return False  # the row is dated by the file: read it
    return when < since or (best is not None and when <= best.observed_at.timestamp())


def _recent_files(
    roots: Sequence[Path], since: float
) -> Iterator[tuple[float, str, str, int, int]]:
    """(mtime, path, project, inode, size) of every transcript under ``roots`` written to
    since ``since``."""
    seen: set[str] = set()
    for root in roots:
        try:
            key = os.path.realpath(root)
        except OSError:
            continue
        if key in seen:
            continue
        seen.add(key)
        yield from _walk(str(root), "", since, depth=0)


def _walk(
    folder: str, project: str, since: float, depth: int
) -> Iterator[tuple[float, str, str, int, int]]:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                if depth < 4:
                    yield from _walk(entry.path, project or entry.name, since, depth + 1)
            elif entry.name.endswith(".jsonl"):
                info = entry.stat()
                if info.st_mtime >= since:
                    yield info.st_mtime, entry.path, project, info.st_ino, info.st_size
        except OSError:
            continue


def _last_error_in(
    path: str,
    project: str,
    mtime: float,
    since: float,
    horizon: float,
    budget: int,
    memo: TailMemo | None = None,
) -> tuple[TranscriptError | None, int]:
    """The last error row of one file within the dates, reading from its end (with a memo:
    down to where an earlier search ended); and the bytes read."""
    session = os.path.basename(path)[: -len(".jsonl")]
    try:
        with open(path, "rb", buffering=0) as handle:
            info = os.fstat(handle.fileno())
            known = memo.known(path, info.st_ino, info.st_size) if memo is not None else None
            found = _search(handle, info.st_size, known[1] if known else 0, since, horizon, budget)
            if found.row is None and known is not None and known[2] >= 0:
                kept = _row_at(handle, known[2], known[3])
                if kept is None:  # not an error row there any more: the file was rewritten
                    if memo is not None:
                        memo.forget(path)
                    return _last_error_in(path, project, mtime, since, horizon, budget, None)
                found.row, found.when, found.span = kept[0], kept[1], (known[2], known[3])
                found.read += known[3] - known[2]
            if memo is not None and found.whole_lines_end is not None and not found.passed_over:
                memo.remember(path, info.st_ino, found.whole_lines_end, found.span, found.when)
    except OSError:
        return None, 0
    row, when = found.row, found.when
    if row is None or (when is not None and when < since):
        return None, found.read  # none, or older rows only from here on
    error = error_from_row(row, project=project, session=session, when=when, now=mtime)
    return error, found.read


class _Found:
    """What one search from a file's end met."""

    __slots__ = ("passed_over", "read", "row", "span", "when", "whole_lines_end")

    def __init__(self) -> None:
        self.row: dict[str, Any] | None = None
        self.when: float | None = None
        self.span: tuple[int, int] | None = None  # the row's bytes in the file
        self.read = 0
        self.whole_lines_end: int | None = None  # just past the file's last newline
        self.passed_over = False  # a row dated too far ahead was passed over


def _search(
    handle: Any, size: int, floor: int, since: float, horizon: float, budget: int
) -> _Found:
    """From the end of the file down to ``floor`` (a line's start) or the budget: the last
    error row dated up to ``horizon`` (it may be older than ``since``: the caller decides)."""
    found = _Found()
    pos = size
    tail = b""  # the start of a line that began in an earlier chunk
    if size == floor:
        found.whole_lines_end = floor
    while pos > floor and found.read < budget:
        begin = max(floor, pos - min(CHUNK, budget - found.read))
        handle.seek(begin)
        chunk = handle.read(pos - begin)
        if not chunk:
            break
        found.read += len(chunk)
        region = chunk + tail
        if found.whole_lines_end is None:
            newline = region.rfind(b"\n")
            if newline >= 0 or begin == floor:
                found.whole_lines_end = begin + newline + 1
        # The bytes before the region's first newline may be a line's end only
        lo = 0 if begin == floor else region.find(b"\n") + 1
        if begin > floor and lo == 0:  # no newline: one line spans the whole chunk
            tail = region if len(region) <= MAX_LINE else b""
            pos = begin
            continue
        hit = region.rfind(_NEEDLE, lo)
        while hit >= 0:
            first = region.rfind(b"\n", 0, hit) + 1
            last = region.find(b"\n", hit)
            end = last if last >= 0 else len(region)
            row, when = _error_row(region[first:end])
            if row is not None:
                if when is None or when <= horizon:
                    found.row, found.when, found.span = row, when, (begin + first, begin + end)
                    return found
                found.passed_over = True
            hit = region.rfind(_NEEDLE, lo, first)
        tail = region[:lo] if lo <= MAX_LINE else b""
        pos = begin
    return found


def _row_at(handle: Any, start: int, end: int) -> tuple[dict[str, Any], float | None] | None:
    """The error row kept at ``start:end``, re-read; None when it is not one any more."""
    if end - start > MAX_LINE:
        return None
    handle.seek(start)
    line = handle.read(end - start)
    row, when = _error_row(line)
    if row is None or len(line) != end - start:
        return None
    return row, when


def _error_row(line: bytes) -> tuple[dict[str, Any] | None, float | None]:
    """The row and its time when ``line`` is an error row Claude Code wrote."""
    try:
        row = loads(line)
    except (ValueError, RecursionError):
        return None, None
    if not is_error_row(row):
        return None, None
    return row, parse_ts(row.get("timestamp"))
