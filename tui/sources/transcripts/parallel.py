"""The first scan of a large transcript tree, shared between this process and helpers.

The files are cut into batches, largest first, and every batch index is written at once to a
pipe whose write end is then closed: whoever reads the next record from it (this process or a
helper) reads that batch, so the scanning process is busy while the helpers start and all
finish together on the small batches at the end. Helpers are lean processes of their own
(``helper.py``: ``python -c``, never forked since the TUI has threads, and not
multiprocessing's spawn, whose start costs about twice as much). For each batch it reads, a
helper appends what it counted to its answer file (hour by hour, with the entries of each),
and the scanning process takes that in between its own batches (``adopt``: an hour in bulk,
entry by entry where a response it holds was counted here too), so a response copied into
files read by different processes still counts once, and little is left to take in once the
last batch is read. Anything that goes wrong with the helpers (no processes in a sandbox,
one that dies) leaves the batches they did not answer for to the scanning process.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import IO, TYPE_CHECKING

from tui.record import record
from tui.sources.transcripts.helper import (
    CLAIM_BYTES,
    HELPER_CODE,
    HELPER_FLAGS,
    claim,
    frames,
)
from tui.sources.transcripts.hours import HourPart
from tui.sources.transcripts.reader import FileItem, FileState, RawError, Reader
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
    """What a helper process read and counted in one batch (a piece of its answer)."""

    # Each file followed: (batch, place in it, offset, inode, dev, skipping) packed ("Q"),
    # and its mtime ("d")
    files: tuple[bytes, bytes]
    hours: list[HourPart]  # what it counted, hour by hour (``Hours.merge``)
    errors: list[RawError]
    bytes_read: int
    malformed: int
    problem: str
    pid: int  # the helper process that read it
    batch: int  # which batch it read
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
        claims, running = _start_helpers(helpers, batches, reader.now, reader.cut)
    except Exception:
        return False  # no processes here (sandbox, frozen app): read them in this one
    done: set[int] = set()  # batches read, here or by a helper (taken in)
    pids: set[int] = set()
    read_here = False

    def take_in(answers: list[Part]) -> None:
        for part in answers:
            adopt(reader, part, totals, new_errors, batches)
            done.add(part.batch)
            pids.add(part.pid)

    try:
        while here_too or not running:
            index = claim(claims)
            if index is None:
                break
            read_here = True
            done.add(index)
            reader.scan_batch(batches[index], totals, new_errors)
            for helper in running:  # what the helpers read meanwhile
                take_in(helper.answers())
        for helper in running:
            with contextlib.suppress(Exception):  # a helper died: its batches are read below
                helper.wait()
            take_in(helper.answers())
        for index, batch in enumerate(batches):
            if index not in done:
                read_here = True
                reader.scan_batch(batch, totals, new_errors)
        totals["processes"] = len(pids) + (1 if read_here else 0)
    finally:
        os.close(claims)
        for helper in running:
            helper.close()
    return True


class _Helper:
    """A helper process and its answer: a file it appends a piece to for each batch it reads
    (``helper.frame``), taken in here as the pieces come."""

    def __init__(self, proc: subprocess.Popen[bytes], answer: int) -> None:
        self.proc = proc
        self.answer = answer
        self._data = bytearray()  # read from the answer file, not yet taken in
        self._read = 0  # how far the answer file was read
        self._broken = False  # a piece could not be read: nothing more is taken from it

    def answers(self) -> list[Part]:
        """The pieces written since the last call (whole ones: one being written waits). A
        piece that cannot be read ends the answer: the batches from there on are read by the
        scanning process."""
        if self._broken:
            return []
        try:
            size = os.fstat(self.answer).st_size
            while self._read < size:
                chunk = os.pread(self.answer, size - self._read, self._read)
                if not chunk:
                    break
                self._data += chunk
                self._read += len(chunk)
        except OSError:
            return []
        bodies, used = frames(self._data)
        del self._data[:used]
        parts: list[Part] = []
        for body in bodies:
            try:
                parts.append(_part(body))
            except Exception:
                self._broken = True
                break
        return parts

    def wait(self) -> None:
        """Until the helper is done: it closes stdout after its last piece (or dies)."""
        assert self.proc.stdout is not None
        self.proc.stdout.read()

    def close(self) -> None:
        _reap(self.proc)
        with contextlib.suppress(OSError):
            os.close(self.answer)


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
) -> tuple[int, list[_Helper]]:
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
    running: list[_Helper] = []
    try:
        for _ in range(helpers):
            answer = _answer_file()
            try:
                proc = subprocess.Popen(
                    [sys.executable, *HELPER_FLAGS, "-c", HELPER_CODE],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    pass_fds=(read_end, answer),
                )
            except BaseException:
                os.close(answer)
                raise
            running.append(_Helper(proc, answer))
            job = marshal.dumps((list(sys.path), read_end, batches, now, cut, answer))
            # The job is fed from a thread: this process reads batches meanwhile.
            threading.Thread(target=_feed, args=(proc.stdin, job), daemon=True).start()
    except Exception:
        if not running:
            os.close(read_end)
            raise
    return read_end, running


def _answer_file() -> int:
    """An unnamed file for one helper's answer: in memory where the system has such files."""
    try:
        return os.memfd_create("limitwatch-scan", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        import tempfile

        with tempfile.TemporaryFile() as handle:
            return os.dup(handle.fileno())


def _feed(pipe: IO[bytes] | None, job: bytes) -> None:
    if pipe is None:
        return
    with contextlib.suppress(OSError):
        pipe.write(job)
    with contextlib.suppress(OSError):
        pipe.close()


def _part(body: bytes) -> Part:
    """One piece of a helper's answer: what one batch held."""
    import marshal

    (files, hours, errors, bytes_read, malformed, problem, pid, batch, version, long_lines) = (
        marshal.loads(body)
    )
    return Part(
        files=files,
        hours=hours,
        errors=errors,
        bytes_read=bytes_read,
        malformed=malformed,
        problem=problem,
        pid=pid,
        batch=batch,
        version=version,
        long_lines=long_lines,
    )


def adopt(
    reader: Reader,
    part: Part,
    totals: dict[str, int],
    new_errors: list[TranscriptError],
    batches: list[list[FileItem]],
) -> None:
    """Take in what a helper process read: its files' offsets and, hour by hour, what it
    counted (so a response also read here, or by another helper, counts once), and its error
    rows, read here as a scan of this process would read them."""
    from array import array

    numbers, mtimes = array("Q", part.files[0]), array("d", part.files[1])
    with reader.lock:
        for n, mtime in enumerate(mtimes):
            b, i, offset, inode, dev, skipping = numbers[6 * n : 6 * n + 6]
            key, project, session = batches[b][i]
            reader.files[key] = FileState(
                offset, inode, dev, project, session, mtime, bool(skipping)
            )
        totals["usage"] += reader.hours.merge(part.hours)
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
