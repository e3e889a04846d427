"""The byte-level reader of Claude Code's transcripts: files followed by offset, lines filtered.

``Reader`` reads each file from where it stopped last time to its end, into one buffer reused
for a whole scan, and hands over whole lines (a partial last line stays for the next scan; a
line longer than ``max_line_bytes`` is skipped once, and where it ended is remembered, so it is
never read again). Only lines that can matter are parsed: a long user row (a tool result) is
passed over from its head, and any other line without the key ``"usage"`` or
``"isApiErrorMessage"`` is skipped after one bytes search. A malformed line among those is
counted and skipped, never fatal. Usage goes to ``Hours`` (``hours.py``), error rows to a
bounded list; rows dated more than a day ahead of now count as neither.
"""

from __future__ import annotations

import io
import os
from _thread import allocate_lock

from tui.sources.transcripts.filters import (
    BY_TAIL,
    ERROR_HEAD,
    TAIL,
    USER_CHECK_MIN,
    counted_before,
    repeat_key,
    user_row,
)
from tui.sources.transcripts.hours import Hours
from tui.sources.transcripts.rows import (
    FUTURE_SLACK_S,
    error_from_row,
    loads,
    parse_ts,
    version_of,
)

CHUNK_SIZE = 1024 * 1024
# A line longer than this is skipped (no row Claude Code writes that matters is near it; a
# damaged file can hold hundreds of MB without a newline).
MAX_LINE_BYTES = 32 * 1024 * 1024

# (path, project, session) of one transcript file
FileItem = tuple[str, str, str]
# In a helper process: an error row as read (its bytes), with its file's project and session
RawError = tuple[bytes, str, str]

# Not typing's: a helper process of the first scan starts without importing typing.
TYPE_CHECKING = False
if TYPE_CHECKING:  # no tui.models (nor dataclasses) in a scanning helper process
    from collections.abc import Iterable
    from typing import Any

    from tui.models import TranscriptError


class FileState:
    """Where a followed file was read to, and which file it is."""

    __slots__ = ("dev", "inode", "mtime", "offset", "project", "session", "skipping")

    def __init__(
        self,
        offset: int,
        inode: int,
        dev: int,
        project: str,
        session: str,
        mtime: float = 0.0,  # at the last stat: "hot" files are looked at on every scan
        skipping: bool = False,  # the offset is inside an over-long line: read on to its end
    ) -> None:
        self.offset = offset
        self.inode = inode
        self.dev = dev
        self.project = project
        self.session = session
        self.mtime = mtime
        self.skipping = skipping


def new_totals() -> dict[str, int]:
    """The counters one scan keeps."""
    return {"bytes": 0, "malformed": 0, "usage": 0, "long_lines": 0}


class Reader:
    """Files followed by offset, and what their rows held. One scan at a time; ``lock`` guards
    ``hours`` and ``errors`` for readers in other threads."""

    def __init__(
        self,
        *,
        chunk_size: int = CHUNK_SIZE,
        max_errors: int = 50,
        max_line_bytes: int = MAX_LINE_BYTES,
    ) -> None:
        self.files: dict[str, FileState] = {}
        self.hours = Hours()
        self.errors: list[TranscriptError] = []
        self.lock = allocate_lock()
        self.max_errors = max_errors
        self.last_problem = ""
        # The newest row's Claude Code version, and that row's time
        self.version: str | None = None
        self.version_at = float("-inf")
        self.cut = 0.0  # rows before this are not counted (the retention window)
        self.now = 0.0  # the scan's now: an error row without a time takes it
        self.horizon = float("inf")  # rows after this are not believed
        # In a helper of the parallel first scan: every error row as read, for the scanning
        # process to take in (its usage rows: ``Hours(keep_rows=True)``).
        self.collect_errors: list[RawError] | None = None
        self._chunk = max(4096, chunk_size)
        self._max_line = max(self._chunk, max_line_bytes)
        # Error rows surfaced, oldest first, by the hash of (session, time, text): a plain dict,
        # one small object each (an OrderedDict adds a node per key)
        self._error_keys: dict[int, None] = {}
        self._buffer: bytearray | None = None  # the read buffer, during a scan

    def begin(self, now: float, cut: float) -> None:
        """Set the scan's clock: ``now`` and the start of the retention window."""
        self.now = now
        self.cut = cut
        self.horizon = now + FUTURE_SLACK_S

    def end(self) -> None:
        """Memory at rest holds no read buffer."""
        self._buffer = None

    def scan_batch(
        self, batch: Iterable[FileItem], totals: dict[str, int], new_errors: list[TranscriptError]
    ) -> None:
        for key, project, session in batch:
            self.scan_file(key, project, session, totals, new_errors)

    def scan_file(
        self,
        key: str,
        project: str,
        session: str,
        totals: dict[str, int],
        new_errors: list[TranscriptError],
    ) -> None:
        try:
            st = os.stat(key)
        except OSError:
            return
        state = self.files.get(key)
        if state is None or state.inode != st.st_ino or state.dev != st.st_dev:
            # A file last written before the retention window holds nothing it would keep:
            # followed from its end, unread (months of old sessions cost a stat each).
            start = st.st_size if st.st_mtime < self.cut else 0
            state = FileState(start, st.st_ino, st.st_dev, project, session)
            self.files[key] = state
        elif st.st_size < state.offset:  # truncated: read it again
            state.offset = 0
            state.skipping = False
        state.mtime = st.st_mtime
        if st.st_size == state.offset:
            return
        try:
            with open(key, "rb", buffering=0) as handle:
                handle.seek(state.offset)
                self._read(handle, st.st_size - state.offset, state, totals, new_errors)
        except OSError as exc:
            self.last_problem = f"{os.path.basename(key)}: {exc.strerror or exc}"

    def _read(
        self,
        handle: io.FileIO,
        expected: int,
        state: FileState,
        totals: dict[str, int],
        new_errors: list[TranscriptError],
    ) -> None:
        """Read to the end of the file into one buffer reused for the whole scan (no new memory
        per chunk), handing over whole lines; a partial last line stays for the next scan."""
        buf = self._buffer
        if buf is None or len(buf) < min(self._chunk, expected):
            buf = self._buffer = bytearray(min(self._chunk, max(expected, 4096)))
        view = memoryview(buf)
        filled = 0  # bytes of a line begun in the previous chunk, at the buffer's start
        skipping = state.skipping
        try:
            while True:
                if filled == len(buf):  # one line longer than the buffer
                    if len(buf) >= self._max_line:  # too long: pass over the rest of it
                        state.offset += filled
                        filled = 0
                        skipping = True
                        totals["long_lines"] += 1
                    else:  # make room
                        view.release()
                        buf.extend(bytes(min(len(buf), self._max_line - len(buf))))
                        view = memoryview(buf)
                count = handle.readinto(view[filled:])
                if not count:
                    break
                totals["bytes"] += count
                top = filled + count
                start = 0
                if skipping:  # the first newline ends the over-long line
                    start = buf.find(b"\n", 0, top) + 1
                    if not start:
                        state.offset += top
                        continue
                    state.offset += start
                    skipping = False
                end = buf.rfind(b"\n", start, top)
                if end < 0:
                    filled = top - start
                    if start:
                        buf[:filled] = buf[start:top]
                    continue
                with self.lock:
                    self._lines(buf, start, end + 1, state, totals, new_errors)
                state.offset += end + 1 - start
                filled = top - end - 1
                if filled:
                    buf[:filled] = buf[end + 1 : top]
        finally:
            view.release()
            state.skipping = skipping

    def _lines(
        self,
        buf: bytearray,
        pos: int,
        limit: int,
        state: FileState,
        totals: dict[str, int],
        new_errors: list[TranscriptError],
    ) -> None:
        """Handle the complete lines in ``buf[pos:limit]`` that mention usage or an API error.

        A streamed repeat of a response sits right after the response's first row (or after
        another repeat), so only a line right after a usage row is compared with that row's
        ids: a response's first row is parsed straight away. (A repeat elsewhere is parsed,
        and counts once all the same.)"""
        find, rfind, startswith = buf.find, buf.rfind, buf.startswith
        tail_first = False  # the last long user row was proven from its end (user_row)
        after_usage = False  # the line before was a usage row...
        # ...with these ids, as its bytes hold them (``repeat_key``)
        last: tuple[bytes, bytes] | None = None
        while pos < limit:
            stop = find(b"\n", pos, limit)
            if stop < 0:
                stop = limit
            if stop - pos >= USER_CHECK_MIN:
                proved = user_row(buf, pos, stop, tail_first)
                if proved:
                    tail_first = proved == BY_TAIL
                    pos = stop + 1
                    after_usage = False
                    continue
            # From the end: Claude Code writes the message's usage last in it, near the line's end.
            hit = rfind(TAIL, pos, stop)
            usage_row = False
            while hit >= 0:
                if hit >= 2 and buf[hit - 1] == 0x75 and buf[hit - 2] == 0x22:  # "u: USAGE_HEAD
                    if after_usage and last and counted_before(buf, pos, stop, hit, last):
                        usage_row = True  # a streamed repeat of a response counted already
                        break
                    ids = self._line(buf[pos:stop], state, totals, new_errors)
                    if ids is not None:
                        usage_row = True
                        last = repeat_key(*ids)
                    break
                if hit >= 13 and startswith(ERROR_HEAD, hit - 13):
                    self._line(buf[pos:stop], state, totals, new_errors)
                    break
                hit = rfind(TAIL, pos, hit)  # "message" or another word ending so
            after_usage = usage_row
            pos = stop + 1

    def _line(
        self,
        line: bytearray,
        state: FileState,
        totals: dict[str, int],
        new_errors: list[TranscriptError],
    ) -> tuple[str, str] | None:
        """Parse one row and count what it holds; the message id + request id of a usage row
        that has both (counted now, or counted before). (Once per response of a first scan:
        the checks are inlined, ``type(x) is dict`` where JSON can give nothing else.)"""
        try:
            row = loads(line)
        except (ValueError, RecursionError):
            totals["malformed"] += 1
            return None
        if type(row) is not dict:
            totals["malformed"] += 1
            return None
        get = row.get
        kind = get("type")
        if kind == "user":  # a tool result quoting usage or an error is neither
            return None
        if get("isApiErrorMessage") is True:  # is_error_row
            if self.collect_errors is not None:  # a helper: the scanning process reads it
                self.collect_errors.append((bytes(line), state.project, state.session))
            else:
                self.error_row(row, state, new_errors)
            return None
        message = get("message")
        if kind != "assistant" or type(message) is not dict:
            return None
        usage = message.get("usage")
        if type(usage) is not dict:
            return None
        model = message.get("model")
        if type(model) is not str or not model or model == "<synthetic>":
            return None
        when = parse_ts(get("timestamp"))
        if when is None or when < self.cut or when > self.horizon:
            return None
        if when > self.version_at:
            self.note_version(when, version_of(row))
        mid, rid = message.get("id"), get("requestId")
        ids = (mid, rid) if type(mid) is str and type(rid) is str and mid and rid else None
        # positive_int, inlined; JSON gives exact ints (``type is int`` leaves out True, as
        # positive_int does).
        uget = usage.get
        a, b = uget("input_tokens"), uget("output_tokens")
        c, d = uget("cache_creation_input_tokens"), uget("cache_read_input_tokens")
        counts = (
            a if type(a) is int and a > 0 else 0,
            b if type(b) is int and b > 0 else 0,
            c if type(c) is int and c > 0 else 0,
            d if type(d) is int and d > 0 else 0,
        )
        if self.hours.add(ids, when, model, counts):
            totals["usage"] += 1
        return ids  # counted now or before: its streamed repeats need not be parsed

    def error_row(
        self, row: dict[str, Any], state: FileState, new_errors: list[TranscriptError]
    ) -> None:
        """Keep an error row (``is_error_row``) unless it was surfaced already."""
        stamp = row.get("timestamp")
        when = parse_ts(stamp)
        if when is not None and when > self.horizon:
            return  # dated ahead of now: not believed
        error = error_from_row(
            row, project=state.project, session=state.session, when=when, now=self.now
        )
        raw_stamp = stamp if isinstance(stamp, str) else ""
        if not self.new_error_key(error.session, raw_stamp, error.text):
            return
        if when is not None:
            self.note_version(when, version_of(row))
        new_errors.append(error)
        self.keep_error(error)

    def keep_error(self, error: TranscriptError) -> None:
        self.errors.append(error)
        if len(self.errors) > 2 * self.max_errors:
            self.errors.sort(key=lambda e: e.observed_at)
            del self.errors[: -self.max_errors]

    def new_error_key(self, session: str, stamp: str, text: str) -> bool:
        """False when this error row was already surfaced (resumed sessions copy rows)."""
        dedupe = hash((session, stamp, text))
        if dedupe in self._error_keys:
            return False
        self._error_keys[dedupe] = None
        if len(self._error_keys) > 4 * self.max_errors + 1000:
            del self._error_keys[next(iter(self._error_keys))]
        return True

    def note_version(self, when: float, version: str | None) -> None:
        """Keep the Claude Code version of the newest row."""
        if version is not None and when > self.version_at:
            self.version_at = when
            self.version = version

    def prune(self) -> None:
        """Drop the hours before the retention window and all but the newest errors; pack
        the ids counted (no object per response is left after a scan)."""
        with self.lock:
            self.hours.prune(self.cut)
            self.hours.pack()
            self.errors.sort(key=lambda e: e.observed_at)
            del self.errors[: -self.max_errors]
