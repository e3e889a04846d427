"""A helper process of the parallel first scan (``parallel.py``), kept lean to start fast.

Started as ``python -c HELPER_CODE``: it reads its job from stdin (``marshal``, built in and
fast; both sides run the same interpreter: the scanning
process's ``sys.path``, the read end of the claims pipe, the batches, the scan's clock),
claims batches from the pipe until none is left, and writes what it counted to stdout
(plain values: no class of this package crosses, so neither side imports more than the
reader). It imports neither ``tui.models`` nor ``dataclasses``: error rows go back as
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


def read_claimed(fd: int, batches: list[list[FileItem]], now: float, cut: float) -> tuple[Any, ...]:
    """Read batches until none is left; what was counted, as plain values (see ``Part``): a
    few large ones (packed numbers, each hour's entries marshalled apart), not an object per
    row or per file, so that taking them in leaves nothing scattered in the scanning
    process's memory."""
    reader = Reader()
    _KEPT.append(reader)  # see _KEPT
    reader.begin(now, cut)
    reader.hours = Hours(keep_rows=True)
    reader.collect_errors = []
    totals = new_totals()
    read: list[int] = []
    while (index := claim(fd)) is not None:
        read.append(index)
        reader.scan_batch(batches[index], totals, [])
    # Each file followed, by where it sits in the batches (the scanning process has them).
    where = {item[0]: (b, i) for b in read for i, item in enumerate(batches[b])}
    numbers: list[int] = []
    mtimes: list[float] = []
    for key, st in reader.files.items():
        numbers.extend((*where[key], st.offset, st.inode, st.dev, st.skipping))
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
        os.getpid(),
        read,
        (reader.version_at, reader.version),
        totals["long_lines"],
    )


def main(job: tuple[Any, ...]) -> None:
    _path, fd, batches, now, cut = job
    out = read_claimed(fd, batches, now, cut)
    sys.stdout.buffer.write(marshal.dumps(out))
    sys.stdout.buffer.flush()
    # The scanning process reads to the end of this pipe: closed now, not at the exit, which
    # closes files only after giving the process's memory back.
    os.close(sys.stdout.fileno())
    # Gone at once: a normal exit would first free every object of the scan.
    os._exit(0)
