"""Claude Code's own transcripts: the last error a user saw, and tokens per five-hour block.

Claude Code writes one JSONL file per session under ``<config dir>/projects/<project>/``.
``TranscriptSource.scan`` follows those files by byte offset: the first scan reads every file
written to within the retention window (a large tree with every core; an older file is
followed from its end, since nothing in it would be kept), later scans stat the files written
lately (all of them once a minute) and read only the bytes appended since (a file that shrank
or was replaced is read again from the start). Only lines that can matter are parsed: a long
user row (a tool result) is passed over from its head, and any other line without the key
``"usage"`` or ``"isApiErrorMessage"`` is skipped after one bytes search. A malformed line
among those is counted and skipped, never fatal.

Token usage is de-duplicated on message id + request id (one response spans several rows, and
resumed sessions copy old rows) and summed per hour; five-hour blocks are built from those
hours. Memory stays bounded: only hours inside the retention window are kept, each with the
ids seen in it.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui import paths
from tui.models import Classification, SourceState, TranscriptError

if TYPE_CHECKING:
    from tui.clock import Clock
    from tui.explain import UsageContext
    from tui.sources.transcripts.parallel import Part

HOUR = 3600
BLOCK_SECONDS = 5 * HOUR
CHUNK_SIZE = 1024 * 1024
# One bytes search finds both keys that make a line worth parsing: ``"usage"`` and
# ``"isApiErrorMessage"`` both end in ``sage"`` (a search costs about the same for any needle,
# so one pass instead of two halves the searching). ``"message"`` ends so too and is told apart
# by what precedes the hit.
_TAIL = b'sage"'
_USAGE_HEAD = b'"u'  # the two bytes before the tail in "usage"
_ERROR_HEAD = b"isApiErrorMes"  # the bytes before it in isApiErrorMessage
_ERROR_KEY = b'isApiErrorMessage"'
# Most of a transcript's bytes are user rows (tool results), which carry neither: a long line
# whose top-level "type" is "user" is passed over without searching it (see _user_row).
_TYPE_KEY = b'"type":"'
_USER_VALUE = b'user"'
USER_CHECK_MIN = 2048  # a shorter line is searched whole: cheaper than looking at its head
USER_CHECK_HEAD = 4096  # how far into a line its top-level "type" is looked for
_MESSAGE_ID_KEY = b'"message":{"id":"msg_'
_REQUEST_ID = b'"requestId":"'
_KEY_OPENERS = b",{"  # what precedes a key's opening quote
# From after a value to the row's end, nothing nested: no brackets, and the row's own "}" last.
_SCALARS_TO_END = re.compile(rb'"[^{}\[\]]*\}\s*')
RECENT_IDS = 256  # streamed rows of one response sit next to each other
# Every file is stat'ed once a minute (and whenever a folder changes: a new session); in
# between only files written to in the last hours are, so a large tree costs nothing at rest.
WALK_SECONDS = 60.0
HOT_SECONDS = 3 * HOUR
# A first scan larger than this is read by this process and a helper per other core, taking
# batches of files (about PARALLEL_BATCH_BYTES each, largest first) from a shared counter.
PARALLEL_MIN_BYTES = 96 * 1024 * 1024
PARALLEL_BATCH_BYTES = 8 * 1024 * 1024

# (message id, request id) or None, time (epoch s), model, (input, output, cache write, read)
UsageEntry = tuple[tuple[str, str] | None, float, str, tuple[int, int, int, int]]


@dataclass(frozen=True)
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
    events: tuple[Classification, ...] = ()  # new_errors, classified with the scan's context


@dataclass(frozen=True)
class UsageBlock:
    """A five-hour block of Claude Code usage (the convention ccusage and others use)."""

    start: datetime
    end: datetime
    last_entry_at: datetime
    # (model, input, output, cache_creation, cache_read), largest total first
    tokens_by_model: tuple[tuple[str, int, int, int, int], ...]
    total_tokens: int
    entries: int
    active: bool = False  # the block is still open at the source clock's now


@dataclass
class _FileState:
    offset: int
    inode: int
    dev: int
    project: str
    session: str
    mtime: float = 0.0  # at the last stat: "hot" files are looked at on every scan


@dataclass
class _Hour:
    models: dict[str, list[int]] = field(default_factory=dict)
    entries: int = 0
    first: float = float("inf")
    last: float = float("-inf")
    seen: set[int] = field(default_factory=set)


# (hour start, first entry, last entry, entries, tokens by model), for building blocks
_HourRow = tuple[int, float, float, int, dict[str, list[int]]]


_DECODE = json.JSONDecoder().raw_decode


def _loads(line: bytearray) -> Any:
    """``json.loads(line)``, a little faster for a well-formed row (most of them)."""
    try:
        text = line.decode()
        row, end = _DECODE(text)
        if end == len(text):
            return row
    except ValueError:
        pass
    return json.loads(line)  # its rules for spaces around and its error for the rest


def _parse_ts(value: object) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _error_text(message: object) -> str:
    if isinstance(message, dict):
        content = message.get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            parts = [
                part["text"]
                for part in content
                if isinstance(part, dict) and isinstance(part.get("text"), str)
            ]
            return "\n".join(parts)
    return ""


class TranscriptSource:
    """Incremental reader of Claude Code's JSONL transcripts. ``scan`` is sync (run it in a
    thread); the other methods are cheap and safe to call from any thread."""

    id = "transcripts"

    def __init__(
        self,
        roots: Sequence[Path] | None = None,
        *,
        clock: Clock,
        configured_dir: str | None = None,
        keep_hours: int = 8 * 24,
        max_errors: int = 50,
        max_blocks: int = 48,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        if roots is None:
            roots = [d / "projects" for d in paths.claude_config_dirs(configured_dir)]
        self.roots: tuple[Path, ...] = tuple(Path(r) for r in roots)
        self._clock = clock
        self._keep = keep_hours * HOUR
        self._max_errors = max_errors
        self._max_blocks = max_blocks
        self._chunk = max(4096, chunk_size)
        self._files: dict[str, _FileState] = {}
        self._hours: dict[int, _Hour] = {}
        self._errors: list[TranscriptError] = []
        self._error_keys: OrderedDict[tuple[str, str, int], None] = OrderedDict()
        self._lock = threading.Lock()
        self._scan_lock = threading.Lock()
        self._scans = 0
        self._last_scan_at: datetime | None = None
        self._last_problem = ""
        self._failed = False
        self._found_root = False
        self.malformed_total = 0
        self._cut = 0.0
        # In a worker of the parallel first scan: every counted usage row, to merge later.
        self._collect: list[UsageEntry] | None = None
        self._collect_errors: list[tuple[TranscriptError, str]] | None = None
        self._walked_at: float | None = None
        # The ids (after "msg_") of the last responses counted, as they appear in a row's bytes.
        self._recent_ids: OrderedDict[tuple[bytes, bytes], None] = OrderedDict()
        self._buffer: bytearray | None = None  # the read buffer, during a scan
        self._dir_mtimes: dict[str, int] = {}
        self.parallel_min_bytes = PARALLEL_MIN_BYTES
        self.parallel_batch_bytes = PARALLEL_BATCH_BYTES
        self.parallel_here = True  # this process reads batches too while workers start

    # -- reading -----------------------------------------------------------------------------

    def _walk(self) -> Iterator[tuple[Path, str, str]]:
        """(file, project, session) for every transcript under every root."""
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
                        yield Path(folder) / name, project, name[: -len(".jsonl")]
        self._found_root = found

    def scan(self, *, context: UsageContext | None = None) -> TranscriptScan:
        """Read what is new since the last scan. Never raises for anything on disk."""
        with self._scan_lock:
            started = time.perf_counter()
            first = self._scans == 0
            totals = {"bytes": 0, "malformed": 0, "usage": 0, "processes": 1, "helper_bytes": 0}
            new_errors: list[TranscriptError] = []
            files_seen = 0
            try:
                self._cut = self._clock.now().timestamp() - self._keep
                now_s = self._clock.now().timestamp()
                if first or self._walk_due(now_s):
                    self._dir_mtimes = {}
                    found = [(str(p), project, session) for p, project, session in self._walk()]
                    self._walked_at = now_s
                    files_seen = len(found)
                    alive = {key for key, _, _ in found}
                    if not (first and self._scan_parallel(found, totals, new_errors)):
                        self._scan_batch(found, totals, new_errors)
                    for gone in set(self._files) - alive:
                        del self._files[gone]
                else:
                    # Between walks only the files written to lately can grow: stat those.
                    files_seen = len(self._files)
                    hot = [
                        (key, st.project, st.session)
                        for key, st in self._files.items()
                        if st.mtime >= now_s - HOT_SECONDS
                    ]
                    for key, project, session in hot:
                        self._scan_file(key, project, session, totals, new_errors)
                self._prune()
                self._failed = False
                self._last_problem = ""
            except Exception as exc:  # a bug must not stop the monitor
                self._failed = True
                self._last_problem = f"{type(exc).__name__}: {exc}"
            self._buffer = None  # memory at rest holds no read buffer
            self._scans += 1
            self._last_scan_at = self._clock.now()
            self.malformed_total += totals["malformed"]
            new_errors.sort(key=lambda e: e.observed_at)
            new_errors = new_errors[-self._max_errors :]
            events: tuple[Classification, ...] = ()
            if new_errors:
                from tui.explain import classify

                now = self._clock.now()
                events = tuple(classify(e, context=context, now=now) for e in new_errors)
            return TranscriptScan(
                new_errors=tuple(new_errors),
                files_seen=files_seen,
                bytes_read=totals["bytes"],
                malformed_lines=totals["malformed"],
                duration_s=time.perf_counter() - started,
                first_scan=first,
                usage_rows=totals["usage"],
                processes=totals["processes"],
                helper_bytes=totals["helper_bytes"],
                events=events,
            )

    def _scan_file(
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
        state = self._files.get(key)
        if state is None or state.inode != st.st_ino or state.dev != st.st_dev:
            # A file last written before the retention window holds nothing it would keep:
            # followed from its end, unread (months of old sessions cost a stat each).
            start = st.st_size if st.st_mtime < self._cut else 0
            state = _FileState(start, st.st_ino, st.st_dev, project, session)
            self._files[key] = state
        elif st.st_size < state.offset:  # truncated: read it again
            state.offset = 0
        state.mtime = st.st_mtime
        if st.st_size == state.offset:
            return
        try:
            with open(key, "rb", buffering=0) as handle:
                handle.seek(state.offset)
                self._read(handle, st.st_size - state.offset, state, totals, new_errors)
        except OSError as exc:
            self._last_problem = f"{os.path.basename(key)}: {exc.strerror or exc}"

    def _read(
        self,
        handle: io.FileIO,
        expected: int,
        state: _FileState,
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
        try:
            while True:
                if filled == len(buf):  # one line longer than the buffer: make room
                    view.release()
                    buf.extend(bytes(len(buf)))
                    view = memoryview(buf)
                count = handle.readinto(view[filled:])
                if not count:
                    break
                totals["bytes"] += count
                top = filled + count
                end = buf.rfind(b"\n", filled, top)
                if end < 0:
                    filled = top
                    continue
                with self._lock:
                    self._lines(buf, end + 1, state, totals, new_errors)
                state.offset += end + 1
                filled = top - end - 1
                if filled:
                    buf[:filled] = buf[end + 1 : top]
        finally:
            view.release()

    def _lines(
        self,
        buf: bytearray,
        limit: int,
        state: _FileState,
        totals: dict[str, int],
        new_errors: list[TranscriptError],
    ) -> None:
        """Handle the complete lines in ``buf[:limit]`` that mention usage or an API error."""
        find, rfind = buf.find, buf.rfind
        pos = 0
        while pos < limit:
            stop = find(b"\n", pos, limit)
            if stop < 0:
                stop = limit
            if stop - pos >= USER_CHECK_MIN and _user_row(buf, pos, stop):
                pos = stop + 1
                continue
            # From the end: Claude Code writes the message's usage last in it, near the line's end.
            hit = rfind(_TAIL, pos, stop)
            while hit >= 0:
                if hit >= 2 and buf[hit - 2 : hit] == _USAGE_HEAD:
                    if self._counted_before(buf, pos, stop, hit):
                        break  # a streamed repeat of a response counted already
                    ids = self._line(buf[pos:stop], state, totals, new_errors)
                    if ids is not None and ids[0].startswith("msg_"):
                        self._remember((ids[0][4:].encode(), ids[1].encode()))
                    break
                if hit >= 13 and buf[hit - 13 : hit] == _ERROR_HEAD:
                    self._line(buf[pos:stop], state, totals, new_errors)
                    break
                hit = rfind(_TAIL, pos, hit)  # "message" or another word ending so
            pos = stop + 1

    def _counted_before(self, buf: bytearray, start: int, stop: int, hit: int) -> bool:
        """True when the row ``buf[start:stop]`` (its last usage key at ``hit``) is a streamed
        repeat of a response counted already: the same message id + request id as one of the
        last rows counted. Those are passed over unparsed; they would not count again.

        The ids are read from the bytes as Claude Code writes them, and a row is passed over
        only where they are provably its own: ``"message":{"id":"msg_..."`` with no object
        opened before it in the row, and ``"requestId":"..."`` a key of the row itself, before
        the message or after it with nothing nested after it; ids without escapes; and no
        ``isApiErrorMessage`` key (after ``hit`` the search from the end would have met it).
        Anything else is parsed."""
        find = buf.find
        m = find(_MESSAGE_ID_KEY, start, stop)
        if m < 0:
            return False
        m_id = m + len(_MESSAGE_ID_KEY)
        m_end = find(b'"', m_id, stop)
        if m_end < 0:
            return False
        r = find(_REQUEST_ID, start, m)
        before = r >= 0
        if not before:
            r = buf.rfind(_REQUEST_ID, m_end, stop)
            if r < 0:
                return False
        r_id = r + len(_REQUEST_ID)
        r_end = find(b'"', r_id, stop)
        if r_end < 0:
            return False
        if (bytes(buf[m_id:m_end]), bytes(buf[r_id:r_end])) not in self._recent_ids:
            return False  # the usual answer: the checks below only guard a skip
        return (
            m > start
            and buf[m - 1] in _KEY_OPENERS
            and find(b"{", start + 1, m) < 0
            and buf[m_end - 1] != 0x5C  # a backslash: the id goes on
            and buf[r_end - 1] != 0x5C
            and (
                buf[r - 1] in _KEY_OPENERS
                if before
                else buf[r - 1] == 0x2C and _SCALARS_TO_END.fullmatch(buf, r_end, stop) is not None
            )
            and find(_ERROR_KEY, start, hit) < 0
        )

    def _remember(self, key: tuple[bytes, bytes]) -> None:
        recent = self._recent_ids
        recent[key] = None
        if len(recent) > RECENT_IDS:
            recent.popitem(last=False)

    def _line(
        self,
        line: bytearray,
        state: _FileState,
        totals: dict[str, int],
        new_errors: list[TranscriptError],
    ) -> tuple[str, str] | None:
        """Parse one row and count what it holds; the message id + request id when it was
        counted as usage with both."""
        try:
            row = _loads(line)
        except (ValueError, RecursionError):
            totals["malformed"] += 1
            return None
        if not isinstance(row, dict):
            totals["malformed"] += 1
            return None
        if row.get("type") == "user":  # a tool result quoting usage or an error is neither
            return None
        if row.get("isApiErrorMessage") is True:
            self._error_row(row, state, new_errors)
            return None
        message = row.get("message")
        if row.get("type") != "assistant" or not isinstance(message, dict):
            return None
        usage = message.get("usage")
        if not isinstance(usage, dict):
            return None
        model = message.get("model")
        if not isinstance(model, str) or not model or model == "<synthetic>":
            return None
        added, ids = self._usage_row(row, message, usage, model)
        if added:
            totals["usage"] += 1
            return ids
        return None

    def _error_row(
        self, row: dict[str, Any], state: _FileState, new_errors: list[TranscriptError]
    ) -> None:
        text = _error_text(row.get("message"))
        stamp = row.get("timestamp")
        when = _parse_ts(stamp)
        session = row.get("sessionId")
        session = session if isinstance(session, str) and session else state.session
        raw_stamp = stamp if isinstance(stamp, str) else ""
        if not self._new_error_key(session, raw_stamp, text):
            return
        status = row.get("apiErrorStatus")
        kind = row.get("error")
        error = TranscriptError(
            text=text,
            error=kind if isinstance(kind, str) else None,
            status=status if isinstance(status, int) and not isinstance(status, bool) else None,
            observed_at=datetime.fromtimestamp(when, UTC)
            if when is not None
            else self._clock.now(),
            project=state.project,
            session=session,
        )
        new_errors.append(error)
        self._keep_error(error)
        if self._collect_errors is not None:
            self._collect_errors.append((error, raw_stamp))

    def _keep_error(self, error: TranscriptError) -> None:
        self._errors.append(error)
        if len(self._errors) > 2 * self._max_errors:
            self._errors.sort(key=lambda e: e.observed_at)
            del self._errors[: -self._max_errors]

    def _new_error_key(self, session: str, stamp: str, text: str) -> bool:
        """False when this error row was already surfaced (resumed sessions copy rows)."""
        dedupe = (session, stamp, hash(text))
        if dedupe in self._error_keys:
            return False
        self._error_keys[dedupe] = None
        if len(self._error_keys) > 4 * self._max_errors + 1000:
            self._error_keys.popitem(last=False)
        return True

    def _usage_row(
        self, row: dict[str, Any], message: dict[str, Any], usage: dict[str, Any], model: str
    ) -> tuple[bool, tuple[str, str] | None]:
        """Count a usage row: (whether it was counted, its message id + request id)."""
        when = _parse_ts(row.get("timestamp"))
        if when is None or when < self._cut:
            return False, None
        mid, rid = message.get("id"), row.get("requestId")
        ids = (mid, rid) if isinstance(mid, str) and isinstance(rid, str) and mid and rid else None
        counts = (
            _int(usage.get("input_tokens")),
            _int(usage.get("output_tokens")),
            _int(usage.get("cache_creation_input_tokens")),
            _int(usage.get("cache_read_input_tokens")),
        )
        added = self._add_usage(ids, when, model, counts)
        if added and self._collect is not None:
            self._collect.append((ids, when, model, counts))
        return added, ids

    def _add_usage(
        self,
        ids: tuple[str, str] | None,
        when: float,
        model: str,
        counts: tuple[int, int, int, int],
    ) -> bool:
        """Count one response once (message id + request id), in its hour."""
        hour_key = int(when // HOUR) * HOUR
        bucket = self._hours.get(hour_key)
        if bucket is None:
            bucket = self._hours[hour_key] = _Hour()
        if ids is not None:
            key = hash(ids)
            if key in bucket.seen:
                return False
            before = self._hours.get(hour_key - HOUR)
            if before is not None and key in before.seen:
                return False
            bucket.seen.add(key)
        acc = bucket.models.get(model)
        if acc is None:
            acc = bucket.models[model] = [0, 0, 0, 0]
        for i in range(4):
            acc[i] += counts[i]
        bucket.entries += 1
        bucket.first = min(bucket.first, when)
        bucket.last = max(bucket.last, when)
        return True

    def _prune(self) -> None:
        with self._lock:
            for hour_key in [h for h in self._hours if h + HOUR <= self._cut]:
                del self._hours[hour_key]
            self._errors.sort(key=lambda e: e.observed_at)
            del self._errors[: -self._max_errors]

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

    # -- the parallel first scan (tui/sources/transcript_workers.py) ---------------------------

    def _scan_batch(
        self,
        batch: list[tuple[str, str, str]],
        totals: dict[str, int],
        new_errors: list[TranscriptError],
    ) -> None:
        for key, project, session in batch:
            self._scan_file(key, project, session, totals, new_errors)

    def _scan_parallel(
        self,
        found: list[tuple[str, str, str]],
        totals: dict[str, int],
        new_errors: list[TranscriptError],
    ) -> bool:
        """Read a large first scan with helper processes beside this one; False: read it here
        alone (``tui/sources/transcript_workers.py``)."""
        from tui.sources.transcripts.parallel import scan_in_parallel

        return scan_in_parallel(self, found, totals, new_errors)

    def _adopt(self, part: Part, totals: dict[str, int], new_errors: list[TranscriptError]) -> None:
        """Take in what a helper process read: its files' offsets and, row by row, what it
        counted (so a response also read here, or by another helper, counts once)."""
        with self._lock:
            for key, offset, inode, dev, project, session, mtime in part.files:
                self._files[key] = _FileState(offset, inode, dev, project, session, mtime)
            for ids, when, model, counts in part.usage:
                if self._add_usage(ids, when, model, counts):
                    totals["usage"] += 1
            for error, stamp in part.errors:
                if self._new_error_key(error.session, stamp, error.text):
                    new_errors.append(error)
                    self._keep_error(error)
            totals["bytes"] += part.bytes_read
            totals["helper_bytes"] += part.bytes_read
            totals["malformed"] += part.malformed
            if part.problem:
                self._last_problem = part.problem

    # -- results -----------------------------------------------------------------------------

    def errors(self) -> tuple[TranscriptError, ...]:
        """Recent error rows, oldest first, newest last (bounded)."""
        with self._lock:
            ordered = sorted(self._errors, key=lambda e: e.observed_at)
        return tuple(ordered[-self._max_errors :])

    def last_error(self) -> TranscriptError | None:
        errors = self.errors()
        return errors[-1] if errors else None

    def blocks(self) -> tuple[UsageBlock, ...]:
        """Five-hour blocks, oldest first, at most ``max_blocks``.

        A block starts at its first entry's hour; an entry 5 h or more after the block start,
        or more than 5 h after the previous entry, starts a new block.
        """
        with self._lock:
            hours = sorted((k, v) for k, v in self._hours.items() if v.entries)
            snapshot = [(k, v.first, v.last, v.entries, dict(v.models)) for k, v in hours]
        now = self._clock.now().timestamp()
        blocks: list[UsageBlock] = []
        current: list[_HourRow] = []
        for item in snapshot:
            if current:
                start = current[0][0]
                if item[0] >= start + BLOCK_SECONDS or item[1] - current[-1][2] > BLOCK_SECONDS:
                    blocks.append(_block(current, now))
                    current = []
            current.append(item)
        if current:
            blocks.append(_block(current, now))
        return tuple(blocks[-self._max_blocks :])

    def state(self) -> SourceState:
        last = self._last_scan_at
        if self._scans == 0:
            return SourceState(self.id, "stale", detail="Not scanned yet")
        if self._failed:
            return SourceState(self.id, "error", detail=self._last_problem)
        if not self._found_root:
            where = ", ".join(str(r) for r in self.roots)
            return SourceState(
                self.id, "unavailable", detail=f"No Claude Code transcripts in {where}"
            )
        detail = f"{len(self._files)} transcript files"
        if self.malformed_total:
            detail += f", {self.malformed_total} malformed lines skipped"
        if self._last_problem:
            detail += f"; {self._last_problem}"
        return SourceState(self.id, "ok", last_success_at=last, detail=detail)


def _user_row(buf: bytearray, start: int, stop: int) -> bool:
    """True when the line ``buf[start:stop]`` is a row whose top-level "type" is "user", as
    Claude Code writes it: ``{"parentUuid":...,"type":"user","message":...}``.

    Sound for any valid JSON line: the first ``"type":"`` comes after a comma (so its quote
    opens a string: inside one it would be escaped, and the string is the key ``type``) and no
    ``{`` but the line's own opens before it (so it is a key of the row itself, not of an
    object nested in it)."""
    if buf[start] != 0x7B:  # "{"
        return False
    found = buf.find(_TYPE_KEY, start, min(stop, start + USER_CHECK_HEAD))
    return (
        found > start
        and buf[found - 1] == 0x2C  # ","
        and buf.startswith(_USER_VALUE, found + len(_TYPE_KEY))
        and buf.find(b"{", start + 1, found) < 0
    )


def _block(
    items: list[tuple[int, float, float, int, dict[str, list[int]]]], now: float
) -> UsageBlock:
    start = items[0][0]
    last = max(i[2] for i in items)
    per_model: dict[str, list[int]] = {}
    entries = 0
    for _, _, _, count, models in items:
        entries += count
        for model, counts in models.items():
            acc = per_model.setdefault(model, [0, 0, 0, 0])
            for i in range(4):
                acc[i] += counts[i]
    rows = sorted(
        ((m, c[0], c[1], c[2], c[3]) for m, c in per_model.items()),
        key=lambda r: -(r[1] + r[2] + r[3] + r[4]),
    )
    total = sum(r[1] + r[2] + r[3] + r[4] for r in rows)
    end = start + BLOCK_SECONDS
    return UsageBlock(
        start=datetime.fromtimestamp(start, UTC),
        end=datetime.fromtimestamp(end, UTC),
        last_entry_at=datetime.fromtimestamp(last, UTC),
        tokens_by_model=tuple(rows),
        total_tokens=total,
        entries=entries,
        active=now < end and now - last < BLOCK_SECONDS,
    )


__all__ = ["TranscriptScan", "TranscriptSource", "UsageBlock"]
