"""The latest error Claude Code showed, found cheaply, for the headless commands.

``status`` and ``statusline`` run for a fraction of a second and cannot scan a transcript tree
the way the live view does. ``latest_error`` looks only at transcript files written to
recently (by modification time: one stat per file), newest first, and reads each from its end
backwards in chunks until it meets an error row or a byte budget is spent. A file last written
before the newest error found so far cannot hold a newer one, so the search usually ends after
the first file or two. The row is read as the live view reads it (``rows.py``): the same
TranscriptError, the same rules (rows dated more than a day ahead are not believed).
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
) -> TranscriptError | None:
    """The newest error row dated from ``since`` (default: a day before ``now``) up to a day
    ahead of ``now``, in the files written to since then; None when there is none. Never
    raises for anything on disk."""
    start = (since or now - RECENT).timestamp()
    horizon = now.timestamp() + FUTURE_SLACK_S
    recent = sorted(_recent_files(roots, start), reverse=True)
    best: TranscriptError | None = None
    spent = 0
    for mtime, path, project in recent:
        if best is not None and mtime < best.observed_at.timestamp():
            break  # written before the newest error found: nothing newer in it, nor after
        if spent >= total_budget:
            break
        found, used = _last_error_in(
            path, project, mtime, start, horizon, min(file_budget, total_budget - spent)
        )
        spent += used
        if found is not None and (best is None or found.observed_at > best.observed_at):
            best = found
    return best


def _recent_files(roots: Sequence[Path], since: float) -> Iterator[tuple[float, str, str]]:
    """(mtime, path, project) of every transcript under ``roots`` written to since ``since``."""
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


def _walk(folder: str, project: str, since: float, depth: int) -> Iterator[tuple[float, str, str]]:
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
                mtime = entry.stat().st_mtime
                if mtime >= since:
                    yield mtime, entry.path, project
        except OSError:
            continue


def _last_error_in(
    path: str, project: str, mtime: float, since: float, horizon: float, budget: int
) -> tuple[TranscriptError | None, int]:
    """The last error row of one file within the dates, reading from its end; and the bytes
    read."""
    session = os.path.basename(path)[: -len(".jsonl")]
    read = 0
    try:
        with open(path, "rb", buffering=0) as handle:
            pos = os.fstat(handle.fileno()).st_size
            tail = b""  # the start of a line that began in an earlier chunk
            while pos > 0 and read < budget:
                begin = max(0, pos - min(CHUNK, budget - read))
                handle.seek(begin)
                chunk = handle.read(pos - begin)
                if not chunk:
                    break
                read += len(chunk)
                region = chunk + tail
                # The bytes before the region's first newline may be a line's end only
                lo = 0 if begin == 0 else region.find(b"\n") + 1
                if begin > 0 and lo == 0:  # no newline: one line spans the whole chunk
                    tail = region if len(region) <= MAX_LINE else b""
                    pos = begin
                    continue
                hit = region.rfind(_NEEDLE, lo)
                while hit >= 0:
                    first = region.rfind(b"\n", 0, hit) + 1
                    last = region.find(b"\n", hit)
                    row, when = _error_row(region[first : last if last >= 0 else len(region)])
                    if row is not None and (when is None or when <= horizon):
                        if when is not None and when < since:
                            return None, read  # older rows only from here on
                        return (
                            error_from_row(
                                row, project=project, session=session, when=when, now=mtime
                            ),
                            read,
                        )
                    hit = region.rfind(_NEEDLE, lo, first)
                tail = region[:lo] if lo <= MAX_LINE else b""
                pos = begin
    except OSError:
        pass
    return None, read


def _error_row(line: bytes) -> tuple[dict[str, Any] | None, float | None]:
    """The row and its time when ``line`` is an error row Claude Code wrote."""
    try:
        row = loads(line)
    except (ValueError, RecursionError):
        return None, None
    if not is_error_row(row):
        return None, None
    return row, parse_ts(row.get("timestamp"))
