"""Claude Code's own transcripts as a source: the errors a user saw, tokens per five-hour block.

Claude Code writes one JSONL file per session under ``<config dir>/projects/<project>/``.
``TranscriptSource.scan`` follows those files by byte offset (``reader.py``): the first scan
reads every file written to within the retention window (a large tree with every core,
``parallel.py``; an older file is followed from its end, since nothing in it would be kept),
later scans stat the files written lately (all of them once a minute, or at once when a folder
changed) and read only the bytes appended since (a file that shrank or was replaced is read
again from the start). Usage is summed per hour and built into blocks (``blocks.py``).

``fetch`` is the ``Source`` protocol: it returns what a scan found, unclassified (the core
classifies every error in one place).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tui import paths
from tui.models import SourceResult, SourceState, TranscriptError, UsageBlock
from tui.record import record
from tui.sources.base import LocalSchedule
from tui.sources.transcripts.blocks import BLOCK_SECONDS, build_blocks
from tui.sources.transcripts.hours import HOUR
from tui.sources.transcripts.parallel import scan_in_parallel
from tui.sources.transcripts.reader import CHUNK_SIZE, MAX_LINE_BYTES, Reader, new_totals

if TYPE_CHECKING:
    import httpx

    from tui.clock import Clock

# Every file is stat'ed once a minute (and whenever a folder changes: a new session); in
# between only files written to in the last hours are, so a large tree costs nothing at rest.
WALK_SECONDS = 60.0
HOT_SECONDS = 3 * HOUR
# A first scan larger than this is read by this process and a helper per other core, taking
# batches of files (about PARALLEL_BATCH_BYTES each, largest first) from a shared counter.
PARALLEL_MIN_BYTES = 96 * 1024 * 1024
PARALLEL_BATCH_BYTES = 8 * 1024 * 1024
DEFAULT_INTERVAL = 5.0  # seconds between scans (config: poll.transcripts_interval)


@record
class TranscriptScan:
    """What one scan found. ``first_scan``: the errors are history, not news."""

    new_errors: tuple[TranscriptError, ...]
    files_seen: int
    bytes_read: int
    malformed_lines: int
    duration_s: float
    first_scan: bool = False
    usage_rows: int = 0  # usage rows counted (after de-duplication) in this scan
    processes: int = 1  # processes that read it (a large first scan uses every core)
    helper_bytes: int = 0  # bytes of it read by helper processes
    long_lines: int = 0  # lines over the length limit, skipped


def give_back_heap() -> None:
    """Return the C heap's free pages to the system (glibc's ``malloc_trim``), after a large
    first scan in the live view: its lines and the helpers' answers came and went in the C
    heap, which keeps the pages of what was freed in between what is kept (a few MB the view
    would hold at rest for nothing). Nothing to do without glibc."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):  # musl and the like: no malloc_trim
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)


class TranscriptSource(LocalSchedule):
    """Incremental reader of Claude Code's JSONL transcripts. ``scan`` is sync (``fetch`` runs
    the first one in a thread); the other methods are cheap and safe to call from any thread."""

    id = "transcripts"

    def __init__(
        self,
        roots: Sequence[Path] | None = None,
        *,
        clock: Clock,
        interval: float = DEFAULT_INTERVAL,
        configured_dir: str | None = None,
        keep_hours: int = 8 * 24,
        max_errors: int = 50,
        max_blocks: int = 48,
        chunk_size: int = CHUNK_SIZE,
        max_line_bytes: int = MAX_LINE_BYTES,
    ) -> None:
        if roots is None:
            roots = [d / "projects" for d in paths.claude_config_dirs(configured_dir)]
        self.roots: tuple[Path, ...] = tuple(Path(r) for r in roots)
        self.interval = interval
        self._clock = clock
        self._keep = keep_hours * HOUR
        self._max_errors = max_errors
        self._max_blocks = max_blocks
        self._reader = Reader(
            chunk_size=chunk_size, max_errors=max_errors, max_line_bytes=max_line_bytes
        )
        self._lock = self._reader.lock
        self._scan_lock = threading.Lock()  # one scan at a time
        self._scans = 0
        self._last_scan_at: datetime | None = None
        self._next_at: datetime | None = None
        self._failed = False
        self._found_root = False
        self.malformed_total = 0
        self.long_lines_total = 0
        self._walked_at: float | None = None
        self._dir_mtimes: dict[str, int] = {}
        self.parallel_min_bytes = PARALLEL_MIN_BYTES
        self.parallel_batch_bytes = PARALLEL_BATCH_BYTES
        self.parallel_here = True  # this process reads batches too while workers start
        # Blocks and token totals are built again only when a scan changed the hours (counted
        # a row or dropped an hour): at rest a scan every few seconds finds nothing new.
        self._hours_generation = 0
        self._built_blocks: tuple[int, float, float, tuple[UsageBlock, ...]] | None = None
        self._built_totals: tuple[int, tuple[tuple[str, str, int], ...]] | None = None

    # -- the Source protocol -----------------------------------------------------------------

    async def fetch(
        self, client: httpx.AsyncClient | None = None, *, manual: bool = False
    ) -> SourceResult:
        """One scan (the first in a thread: it can read gigabytes; later ones here: they read
        a few appended bytes in milliseconds). Never raises for anything on disk."""
        self._schedule_next()
        if self._scans == 0 or self._scan_lock.locked():
            scan = await asyncio.to_thread(self.scan)
            if scan.first_scan and scan.bytes_read >= self.parallel_min_bytes:
                give_back_heap()
        else:
            scan = self.scan()
        return SourceResult(
            source=self.id,
            state=self.state(),
            transcript_errors=scan.new_errors,
            history_only=scan.first_scan,
            token_totals=self.token_totals(),
            blocks=self.blocks(),
            claude_code_version=self.claude_code_version(),
        )

    # -- scanning ----------------------------------------------------------------------------

    def _walk(self) -> Iterator[tuple[str, str, str]]:
        """(file, project, session) for every transcript under every root. Plain strings:
        a ``Path`` per file at every walk would intern its parts again and again, churning
        the interpreter's table of interned strings (it grows in steps of megabytes)."""
        seen_roots: set[str] = set()
        found = False
        for root in self.roots:
            try:
                key = os.path.realpath(root)
            except OSError:
                continue
            if key in seen_roots or not os.path.isdir(root):
                continue
            seen_roots.add(key)
            found = True
            for folder, dirs, files in os.walk(root):
                dirs.sort()
                with contextlib.suppress(OSError):
                    self._dir_mtimes[folder] = os.stat(folder).st_mtime_ns
                rel = os.path.relpath(folder, root)
                project = rel.split(os.sep)[0] if rel != "." else ""
                for name in sorted(files):
                    if name.endswith(".jsonl"):
                        yield os.path.join(folder, name), project, name[: -len(".jsonl")]
        self._found_root = found

    def scan(self) -> TranscriptScan:
        """Read what is new since the last scan. Never raises for anything on disk."""
        reader = self._reader
        with self._scan_lock:
            started = time.perf_counter()
            first = self._scans == 0
            totals = {**new_totals(), "processes": 1, "helper_bytes": 0}
            new_errors: list[TranscriptError] = []
            files_seen = 0
            hours_before = len(reader.hours.hours)
            try:
                now_s = self._clock.now().timestamp()
                reader.begin(now_s, now_s - self._keep)
                if first or self._walk_due(now_s):
                    self._dir_mtimes = {}
                    found = list(self._walk())
                    self._walked_at = now_s
                    files_seen = len(found)
                    alive = {key for key, _, _ in found}
                    if not (first and self._scan_parallel(found, totals, new_errors)):
                        reader.scan_batch(found, totals, new_errors)
                    for gone in set(reader.files) - alive:
                        del reader.files[gone]
                else:
                    # Between walks only the files written to lately can grow: stat those.
                    files_seen = len(reader.files)
                    hot = [
                        (key, st.project, st.session)
                        for key, st in reader.files.items()
                        if st.mtime >= now_s - HOT_SECONDS
                    ]
                    reader.scan_batch(hot, totals, new_errors)
                reader.prune()
                self._failed = False
                reader.last_problem = ""
            except Exception as exc:  # a bug must not stop the monitor
                self._failed = True
                reader.last_problem = f"{type(exc).__name__}: {exc}"
            reader.end()
            if first or totals["usage"] or len(reader.hours.hours) != hours_before:
                self._hours_generation += 1  # after the change: see ``blocks``
            self._scans += 1
            self._last_scan_at = self._clock.now()
            self.malformed_total += totals["malformed"]
            self.long_lines_total += totals["long_lines"]
            new_errors.sort(key=lambda e: e.observed_at)
            return TranscriptScan(
                new_errors=tuple(new_errors[-self._max_errors :]),
                files_seen=files_seen,
                bytes_read=totals["bytes"],
                malformed_lines=totals["malformed"],
                duration_s=time.perf_counter() - started,
                first_scan=first,
                usage_rows=totals["usage"],
                processes=totals["processes"],
                helper_bytes=totals["helper_bytes"],
                long_lines=totals["long_lines"],
            )

    def _scan_parallel(
        self,
        found: list[tuple[str, str, str]],
        totals: dict[str, int],
        new_errors: list[TranscriptError],
    ) -> bool:
        """Read a large first scan with helper processes beside this one; False: read it here
        alone (``parallel.py``)."""
        return scan_in_parallel(
            self._reader,
            found,
            totals,
            new_errors,
            min_bytes=self.parallel_min_bytes,
            batch_bytes=self.parallel_batch_bytes,
            here_too=self.parallel_here,
        )

    def _walk_due(self, now: float) -> bool:
        """A full walk every WALK_SECONDS, or at once when a folder changed (a new file)."""
        if self._walked_at is None or now - self._walked_at >= WALK_SECONDS:
            return True
        for folder, seen in self._dir_mtimes.items():
            try:
                if os.stat(folder).st_mtime_ns != seen:
                    return True
            except OSError:
                return True
        return False

    # -- results -----------------------------------------------------------------------------

    def errors(self) -> tuple[TranscriptError, ...]:
        """Recent error rows, oldest first, newest last (bounded)."""
        with self._lock:
            ordered = sorted(self._reader.errors, key=lambda e: e.observed_at)
        return tuple(ordered[-self._max_errors :])

    def last_error(self) -> TranscriptError | None:
        errors = self.errors()
        return errors[-1] if errors else None

    def blocks(self) -> tuple[UsageBlock, ...]:
        """Five-hour blocks, oldest first, at most ``max_blocks`` (see ``build_blocks``): the
        same tuple again until a scan changes the hours or a block stops being active."""
        now = self._clock.now().timestamp()
        generation = self._hours_generation  # read before the hours: a scan bumps it after
        built = self._built_blocks
        if built is not None and built[0] == generation and built[1] <= now < built[2]:
            return built[3]
        with self._lock:
            rows = self._reader.hours.rows()
        blocks = build_blocks(rows, now, self._max_blocks)
        self._built_blocks = (generation, now, _active_until(blocks), blocks)
        return blocks

    def token_totals(self) -> tuple[tuple[str, str, int], ...]:
        """(model, kind, tokens) counted since this source started; never decreases. The
        same tuple again until a scan counts a row."""
        generation = self._hours_generation
        built = self._built_totals
        if built is not None and built[0] == generation:
            return built[1]
        with self._lock:
            totals = self._reader.hours.token_totals()
        self._built_totals = (generation, totals)
        return totals

    def claude_code_version(self) -> str | None:
        """The Claude Code version that wrote the newest row read, if any row said."""
        return self._reader.version

    @property
    def files_followed(self) -> int:
        return len(self._reader.files)

    def state(self) -> SourceState:
        last = self._last_scan_at
        if self._scans == 0:
            return SourceState(self.id, "stale", detail="Not scanned yet")
        problem = self._reader.last_problem
        if self._failed:
            return SourceState(self.id, "error", next_attempt_at=self._next_at, detail=problem)
        if not self._found_root:
            where = ", ".join(str(r) for r in self.roots)
            return SourceState(
                self.id,
                "unavailable",
                next_attempt_at=self._next_at,
                detail=f"No Claude Code transcripts in {where}",
            )
        detail = f"{len(self._reader.files)} transcript files"
        if self.malformed_total:
            detail += f", {self.malformed_total} malformed lines skipped"
        if self.long_lines_total:
            detail += f", {self.long_lines_total} over-long lines skipped"
        if problem:
            detail += f"; {problem}"
        return SourceState(
            self.id, "ok", last_success_at=last, next_attempt_at=self._next_at, detail=detail
        )


def _active_until(blocks: Sequence[UsageBlock]) -> float:
    """When the first active block stops being active (its five hours end, or five hours pass
    without an entry: ``build_blocks``), as a timestamp; a millisecond early, so that rounding
    in the blocks' datetimes can never keep a block active too long."""
    until = float("inf")
    for block in blocks:
        if block.active:
            ends = min(block.end.timestamp(), block.last_entry_at.timestamp() + BLOCK_SECONDS)
            until = min(until, ends - 0.001)
    return until
