"""Where the last error row of each recent transcript was, kept between headless runs.

Without it, every ``status`` (a prompt may run one every few seconds) reads the last megabyte
of each recent file again: 4 MB, a tenth of a warm ``status``. The memo keeps, per file, its
inode, how far it held whole lines when it was searched, and the byte span of its last error
row (or none). The next run reads only the lines appended since, and, when none of them is an
error, the one row at the kept span. It holds offsets only, never a byte of the files; a
damaged memo is ignored, and a file that was replaced or cut short is searched anew.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from tui.state_file import FileRefused, read_bounded, write_json

MAX_FILES = 256  # files remembered at most (the newest searched)
MAX_BYTES = 256 * 1024
VERSION = 1

# path -> (inode, searched: whole lines up to this offset, error row start, end, its time);
# start and end -1: no error row; time None: the row has none
Entry = tuple[int, int, int, int, float | None]


class TailMemo:
    """The memo file's entries, read once; ``save`` writes them back when something changed."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._entries: dict[str, Entry] = {}
        self._changed = False
        if path is not None:
            self._entries = _read(path)

    def known(self, path: str, inode: int, size: int) -> Entry | None:
        """The entry of ``path`` when it is the file searched before and has only grown
        since; None when it must be searched anew."""
        entry = self._entries.get(path)
        if entry is None or entry[0] != inode or entry[1] > size:
            return None
        return entry

    def remember(
        self, path: str, inode: int, searched: int, span: tuple[int, int] | None, when: float | None
    ) -> None:
        start, end = span if span is not None else (-1, -1)
        entry = (inode, searched, start, end, when if span is not None else None)
        if self._entries.get(path) != entry:
            self._changed = True
        self._entries.pop(path, None)
        self._entries[path] = entry  # last: the newest searched are kept

    def forget(self, path: str) -> None:
        if self._entries.pop(path, None) is not None:
            self._changed = True

    def save(self) -> None:
        if not self._changed or self.path is None:
            return
        kept = dict(list(self._entries.items())[-MAX_FILES:])
        with contextlib.suppress(OSError):  # a cache: losing it costs one longer search
            write_json(self.path, {"version": VERSION, "files": kept}, prefix=".tails-")
        self._changed = False


def _read(path: Path) -> dict[str, Entry]:
    try:
        data = json.loads(read_bounded(path, limit=MAX_BYTES))
    except (OSError, FileRefused, ValueError, RecursionError):
        return {}
    files = data.get("files") if isinstance(data, dict) and data.get("version") == VERSION else None
    if not isinstance(files, dict):
        return {}
    entries: dict[str, Entry] = {}
    for name, value in files.items():
        if _valid(value):
            entries[name] = (value[0], value[1], value[2], value[3], value[4])
    return entries


def _valid(value: object) -> bool:
    if not isinstance(value, list) or len(value) != 5:
        return False
    if not all(type(v) is int for v in value[:4]):
        return False
    inode, searched, start, end, when = value
    if when is not None and (type(when) not in (int, float) or when != when):
        return False
    if inode < 0 or searched < 0:
        return False
    return (start, end) == (-1, -1) or 0 <= start < end <= searched
