"""A helper process of the parallel first scan (``parallel.py``), kept lean to start fast.

Started as ``python -c HELPER_CODE``: it reads its job from stdin (``marshal``, built in and
fast; both sides run the same interpreter: the scanning process's ``sys.path``, the read end
of the claims pipe, the batches, the scan's clock, the answer file), claims batches from the
pipe until none is left, appends what each batch held to the answer file as soon as it is
read, and closes stdout when it is done (plain values: no class of this package crosses, so
neither side imports more than the reader). The answer goes to a file, not a pipe, so that
writing it never waits for the scanning process, which takes it in between its own
batches. It imports neither ``tui.models`` nor ``dataclasses``: error rows go back as
bytes, for the scanning process to read.
"""

from __future__ import annotations

import marshal
import os
import struct
import sys

from tui.sources.transcripts.hours import Hours
from tui.sources.transcripts.reader import FileItem, Reader, new_totals

# Not typing's: a helper process of the first scan starts without importing typing.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CLAIM_BYTES = 4  # one batch index, little-endian, per record in the claims pipe
FRAME_HEAD = 8  # the length before each piece of an answer

# What a helper read stays until the process ends (``os._exit``, see ``main``): freeing its
# few hundred thousand objects first would only hold the answer back.
_KEPT: list[object] = []

# How: isolated (no environment, no user site, no current folder on sys.path) and without
# ``site`` (about a third of an interpreter's start): the job brings the scanning process's
# sys.path, so the package is found where that process found it.
HELPER_FLAGS = ("-I", "-S")
# What a helper is started with: sys.path first (the package may be there only), then main.
HELPER_CODE = (
    "import marshal, sys\n"
    "job = marshal.loads(sys.stdin.buffer.read())\n"
    "sys.path[:0] = [p for p in job[0] if p not in sys.path]\n"
    "from tui.sources.transcripts.helper import main\n"
    "main(job)\n"
)


def claim(fd: int) -> int | None:
    """The next batch nobody has taken (a record read from the claims pipe), or None. The
    pipe holds every index from the start and its write end is closed, so a read never
    waits; reads of a few bytes from a pipe are whole, whoever else reads it."""
    data = os.read(fd, CLAIM_BYTES)
    if len(data) < CLAIM_BYTES:
        return None
    return int.from_bytes(data, "little")


def read_claimed(
    fd: int, batches: list[list[FileItem]], now: float, cut: float, answer: int
) -> None:
    """Read batches until none is left, writing what each one held to the ``answer`` file as
    soon as it is read (``frame``), so that the scanning process takes it in while it reads
    too. Plain values (see ``Part``): a few large ones (packed numbers, each hour's entries
    marshalled apart), not an object per row or per file, so that taking them in leaves
    nothing scattered in the scanning process's memory."""
    reader = Reader()
    _KEPT.append(reader)  # see _KEPT
    reader.begin(now, cut)
    reader.hours = Hours(keep_rows=True)
    pid = os.getpid()
    while (index := claim(fd)) is not None:
        reader.files = {}
        reader.collect_errors = []
        reader.last_problem = ""
        totals = new_totals()
        reader.scan_batch(batches[index], totals, [])
        write_all(answer, frame(marshal.dumps(_answer(reader, index, batches, totals, pid))))


def _answer(
    reader: Reader, index: int, batches: list[list[FileItem]], totals: dict[str, int], pid: int
) -> tuple[Any, ...]:
    """What the batch ``index`` held (the fields of ``Part``, in order)."""
    where = {item[0]: i for i, item in enumerate(batches[index])}
    numbers: list[int] = []
    mtimes: list[float] = []
    for key, st in reader.files.items():
        numbers.extend((index, where[key], st.offset, st.inode, st.dev, st.skipping))
        mtimes.append(st.mtime)
    # As ``array("Q")`` and ``array("d")`` hold them (native order, 8 bytes each): the array
    # module imports collections, a tenth of this process's start.
    packed = (
        struct.pack(f"={len(numbers)}Q", *numbers),
        struct.pack(f"={len(mtimes)}d", *mtimes),
    )
    return (
        packed,
        reader.hours.parts(),
        reader.collect_errors,
        totals["bytes"],
        totals["malformed"],
        reader.last_problem,
        pid,
        index,
        (reader.version_at, reader.version),
        totals["long_lines"],
    )


def frame(body: bytes) -> bytes:
    """One piece of an answer: its length (8 bytes, little-endian), then the piece."""
    return len(body).to_bytes(FRAME_HEAD, "little") + body


def frames(data: bytes | bytearray) -> tuple[list[bytes], int]:
    """The whole pieces at the start of ``data``, and where the first unfinished one begins
    (a helper may be writing it, or may have died while it did)."""
    out: list[bytes] = []
    start = 0
    while start + FRAME_HEAD <= len(data):
        size = int.from_bytes(data[start : start + FRAME_HEAD], "little")
        end = start + FRAME_HEAD + size
        if end > len(data):
            break
        out.append(bytes(data[start + FRAME_HEAD : end]))
        start = end
    return out, start


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def main(job: tuple[Any, ...]) -> None:
    _path, fd, batches, now, cut, answer = job
    read_claimed(fd, batches, now, cut, answer)
    # Done: the scanning process waits for the end of stdout, closed now rather than at the
    # exit, which closes files only after giving the process's memory back.
    os.close(sys.stdout.fileno())
    # Gone at once: a normal exit would first free every object of the scan.
    os._exit(0)
