"""The first scan of a large transcript tree, shared between this process and helpers.

The files are cut into batches, largest first, and every batch index is written at once to a
pipe whose write end is then closed: whoever reads the next record from it (this process or a
helper) reads that batch, so the scanning process is busy while the helpers start and all
finish together on the small batches at the end. Helpers are lean processes of their own
(``helper.py``: ``python -c``, never forked since the TUI has threads, and not
multiprocessing's spawn, whose start costs about twice as much); each returns what it counted
row by row, and ``adopt`` takes it into the scanning process's ``Reader``, so a response
copied into files read by different processes still counts once. Anything that goes wrong
with the helpers (no processes in a sandbox, one that dies) leaves their batches to the
scanning process.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import IO, TYPE_CHECKING

from tui.record import record
from tui.sources.transcripts.helper import CLAIM_BYTES, HELPER_CODE, claim
from tui.sources.transcripts.reader import (
    FileItem,
    FileState,
    RawError,
    Reader,
    UsageEntry,
)
from tui.sources.transcripts.rows import loads

if TYPE_CHECKING:
    import subprocess

    from tui.models import TranscriptError

MAX_HELPERS = 4
# Every batch index sits in the claims pipe from the start: their records must fit in its
# buffer (16 KB at least) without waiting for a reader.
MAX_BATCHES = 16 * 1024 // CLAIM_BYTES


@record
class Part:
    """What one helper process read and counted."""

    files: list[tuple[str, int, int, int, str, str, float, bool]]
    usage: list[UsageEntry]
    errors: list[RawError]
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
    while len(batches) > MAX_BATCHES:
        batch_bytes *= 2
        batches = batched(sizes, batch_bytes)
    helpers = min(cores - 1 if here_too else cores, MAX_HELPERS)
    try:
        claims, procs = _start_helpers(helpers, batches, reader.now, reader.cut)
    except Exception:
        return False  # no processes here (sandbox, frozen app): read them in this one
    parts: list[Part] = []
    read_here: set[int] = set()
    try:
        while here_too or not procs:
            index = claim(claims)
            if index is None:
                break
            read_here.add(index)
            reader.scan_batch(batches[index], totals, new_errors)
        for proc in procs:
            with contextlib.suppress(Exception):  # a helper died: its batches are read below
                parts.append(_collect(proc))
        done = read_here.union(*(part.batches for part in parts))
        for index, batch in enumerate(batches):
            if index not in done:
                read_here.add(index)
                reader.scan_batch(batch, totals, new_errors)
        totals["processes"] = len({part.pid for part in parts}) + (1 if read_here else 0)
        for part in parts:
            adopt(reader, part, totals, new_errors)
    finally:
        os.close(claims)
        for proc in procs:
            _reap(proc)
    return True


def _reap(proc: subprocess.Popen[bytes]) -> None:
    """A helper that answered has exited: wait for it; one that did not is killed first."""
    with contextlib.suppress(Exception):
        proc.kill()
        proc.wait()
    for pipe in (proc.stdin, proc.stdout):
        with contextlib.suppress(Exception):
            if pipe is not None:
                pipe.close()


def _start_helpers(
    helpers: int, batches: list[list[FileItem]], now: float, cut: float
) -> tuple[int, list[subprocess.Popen[bytes]]]:
    """The claims pipe's read end (every batch index in it) and the helper processes."""
    import marshal
    import subprocess
    import threading

    read_end, write_end = os.pipe()
    try:
        records = (i.to_bytes(CLAIM_BYTES, "little") for i in range(len(batches)))
        os.write(write_end, b"".join(records))
    finally:
        os.close(write_end)
    job = marshal.dumps((list(sys.path), read_end, batches, now, cut))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(helpers):
            proc = subprocess.Popen(
                [sys.executable, "-c", HELPER_CODE],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                pass_fds=(read_end,),
            )
            procs.append(proc)
            # The job is fed from a thread: this process reads batches meanwhile.
            threading.Thread(target=_feed, args=(proc.stdin, job), daemon=True).start()
    except Exception:
        if not procs:
            os.close(read_end)
            raise
    return read_end, procs


def _feed(pipe: IO[bytes] | None, job: bytes) -> None:
    if pipe is None:
        return
    with contextlib.suppress(OSError):
        pipe.write(job)
    with contextlib.suppress(OSError):
        pipe.close()


def _collect(proc: subprocess.Popen[bytes]) -> Part:
    """What a helper wrote, once it is done."""
    import marshal

    assert proc.stdout is not None
    data = proc.stdout.read()  # the helper exits once written; it is waited for later
    (files, usage, errors, bytes_read, malformed, problem, pid, read, version, long_lines) = (
        marshal.loads(data)
    )
    return Part(
        files=files,
        usage=usage,
        errors=errors,
        bytes_read=bytes_read,
        malformed=malformed,
        problem=problem,
        pid=pid,
        batches=read,
        version=version,
        long_lines=long_lines,
    )


def adopt(
    reader: Reader, part: Part, totals: dict[str, int], new_errors: list[TranscriptError]
) -> None:
    """Take in what a helper process read: its files' offsets and, row by row, what it
    counted (so a response also read here, or by another helper, counts once), and its error
    rows, read here as a scan of this process would read them."""
    with reader.lock:
        for key, offset, inode, dev, project, session, mtime, skipping in part.files:
            reader.files[key] = FileState(offset, inode, dev, project, session, mtime, skipping)
        totals["usage"] += reader.hours.add_many(part.usage)
        for line, project, session in part.errors:
            with contextlib.suppress(ValueError, RecursionError):
                row = loads(line)
                reader.error_row(row, FileState(0, 0, 0, project, session), new_errors)
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
