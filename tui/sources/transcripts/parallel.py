"""The first scan of a large transcript tree, shared between this process and helpers.

The files are cut into batches, largest first. Spawned helper processes (never forked: the TUI
has threads) and the scanning process take the next batch nobody has taken from one shared
counter, so the scanning process is busy while the helpers start (about 0.1 s) and all finish
together on the small batches at the end. Helpers return what they counted row by row
(``Part``), and ``adopt`` takes it into the scanning process's ``Reader``, so a response
copied into files read by different processes still counts once. Anything that goes wrong
with the helpers (no processes in a sandbox, one that dies) leaves their batches to the
scanning process.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from typing import Any

from tui.models import TranscriptError
from tui.sources.transcripts.reader import FileItem, FileState, Reader, UsageEntry, new_totals

MAX_HELPERS = 4


@dataclass(frozen=True)
class Part:
    """What one helper process read and counted."""

    files: list[tuple[str, int, int, int, str, str, float, bool]]
    usage: list[UsageEntry]
    errors: list[tuple[TranscriptError, str]]
    bytes_read: int
    malformed: int
    problem: str
    pid: int  # the helper process that read it
    batches: list[int]  # which batches it read
    version: tuple[float, str | None] = (float("-inf"), None)  # newest row's time, version
    long_lines: int = 0


def scan_in_parallel(
    reader: Reader,
    found: list[FileItem],
    totals: dict[str, int],
    new_errors: list[TranscriptError],
    *,
    min_bytes: int,
    batch_bytes: int,
    here_too: bool = True,
) -> bool:
    """Read ``found`` into ``reader`` with helpers, one per core beside this one (all cores
    when ``here_too`` is off); False when the tree is smaller than ``min_bytes`` or there is
    one core: read it there alone."""
    cores = os.cpu_count() or 1
    sizes: list[tuple[int, FileItem]] = []
    for item in found:
        try:
            st = os.stat(item[0])
        except OSError:
            continue
        # A file older than the retention window is not read (see Reader.scan_file)
        sizes.append((st.st_size if st.st_mtime >= reader.cut else 0, item))
    if cores < 2 or sum(size for size, _ in sizes) < min_bytes:
        return False
    batches = batched(sizes, batch_bytes)
    helpers = min(cores - 1 if here_too else cores, MAX_HELPERS)
    try:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("spawn")
        claims = context.Value("i", 0)  # the next batch nobody has taken
        pool = ProcessPoolExecutor(
            max_workers=helpers, mp_context=context, initializer=_helper_init, initargs=(claims,)
        )
    except Exception:
        return False  # no processes here (sandbox, frozen app): read them in this one
    parts: list[Part] = []
    read_here: set[int] = set()
    try:
        futures = []
        for _ in range(helpers):
            with contextlib.suppress(Exception):  # a pool that cannot start: read it here
                futures.append(pool.submit(_read_claimed, batches, reader.now, reader.cut))
        while here_too or not futures:
            index = _claim(claims, len(batches))
            if index is None:
                break
            read_here.add(index)
            reader.scan_batch(batches[index], totals, new_errors)
        for future in futures:
            with contextlib.suppress(Exception):  # a helper died: its batches are read below
                parts.append(future.result())
    finally:
        pool.shutdown(wait=False)  # the helpers have nothing left to do and exit by themselves
    done = read_here.union(*(part.batches for part in parts))
    for index, batch in enumerate(batches):
        if index not in done:
            read_here.add(index)
            reader.scan_batch(batch, totals, new_errors)
    totals["processes"] = len({part.pid for part in parts}) + (1 if read_here else 0)
    for part in parts:
        adopt(reader, part, totals, new_errors)
    return True


def adopt(
    reader: Reader, part: Part, totals: dict[str, int], new_errors: list[TranscriptError]
) -> None:
    """Take in what a helper process read: its files' offsets and, row by row, what it
    counted (so a response also read here, or by another helper, counts once)."""
    with reader.lock:
        for key, offset, inode, dev, project, session, mtime, skipping in part.files:
            reader.files[key] = FileState(offset, inode, dev, project, session, mtime, skipping)
        for ids, when, model, counts in part.usage:
            if reader.hours.add(ids, when, model, counts):
                totals["usage"] += 1
        for error, stamp in part.errors:
            if reader.new_error_key(error.session, stamp, error.text):
                new_errors.append(error)
                reader.keep_error(error)
        reader.note_version(*part.version)
        totals["bytes"] += part.bytes_read
        totals["helper_bytes"] += part.bytes_read
        totals["malformed"] += part.malformed
        totals["long_lines"] += part.long_lines
        if part.problem:
            reader.last_problem = part.problem


def batched(sizes: list[tuple[int, FileItem]], target: int) -> list[list[FileItem]]:
    """Files in batches of about ``target`` bytes, largest files first (a file is never cut)."""
    batches: list[list[FileItem]] = []
    batch: list[FileItem] = []
    held = 0
    for size, item in sorted(sizes, key=lambda pair: -pair[0]):
        batch.append(item)
        held += size
        if held >= target:
            batches.append(batch)
            batch, held = [], 0
    if batch:
        batches.append(batch)
    return batches


def _claim(claims: Any, count: int) -> int | None:
    """The next batch nobody has taken, or None. Batches come largest first, so every process
    ends on small ones and they finish together."""
    with claims.get_lock():
        index = int(claims.value)
        if index >= count:
            return None
        claims.value = index + 1
        return index


_claims: Any = None  # in a helper process: the shared counter


def _helper_init(claims: Any) -> None:
    global _claims
    _claims = claims


def _read_claimed(batches: list[list[FileItem]], now: float, cut: float) -> Part:
    """In a helper process: read batches until none is left; return what was counted."""
    reader = Reader()
    reader.begin(now, cut)
    usage: list[UsageEntry] = []
    collected: list[tuple[TranscriptError, str]] = []
    reader.collect = usage
    reader.collect_errors = collected
    totals = new_totals()
    errors: list[TranscriptError] = []
    read: list[int] = []
    while (index := _claim(_claims, len(batches))) is not None:
        read.append(index)
        reader.scan_batch(batches[index], totals, errors)
    files = [
        (key, st.offset, st.inode, st.dev, st.project, st.session, st.mtime, st.skipping)
        for key, st in reader.files.items()
    ]
    return Part(
        files=files,
        usage=usage,
        errors=collected,
        bytes_read=totals["bytes"],
        malformed=totals["malformed"],
        problem=reader.last_problem,
        pid=os.getpid(),
        batches=read,
        version=(reader.version_at, reader.version),
        long_lines=totals["long_lines"],
    )
