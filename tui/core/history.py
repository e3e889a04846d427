"""Every observation of every window, in SQLite in the user data folder.

One row per observation: account, window id, source, time, percent, reset time (times as epoch
floats). A database from before accounts gets the ``account`` column in place (every old row
belongs to ``default``).
The database is in WAL mode with a busy timeout and short transactions, so several limitwatch
processes (the TUI, ``limitwatch statusline`` run by Claude Code, ``status``) can write at once.
It survives restarts, so a freshly opened pane already knows the burn rate.

Nothing here raises to the caller: a locked or unwritable database makes ``record`` return 0 and
queries return nothing, with the reason in ``problem``; a corrupted file is moved aside
(``history.sqlite3.corrupt-<time>``) and a fresh one started.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from _thread import allocate_lock
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from tui.clock import Clock
from tui.core.history_schema import create_schema
from tui.core.samples import Reading, Sample
from tui.models import Window

T = TypeVar("T")

DEDUPE_SECONDS = 60.0  # an identical reading within this long of the last one is not written
PRUNE_EVERY_SECONDS = 3600.0
BUSY_TIMEOUT_MS = 5000
# SQLite's page cache for this connection (SQLite's default is 2 MB). The hourly prune reads the
# whole table, so with the default the cache grows with the file (about 5 MB after the 35 days
# kept) up to 2 MB, in a process that stays open for days. Writes and the monitor's reads
# touch a few pages at the end of the table and its indexes; the OS caches the file anyway.
CACHE_KIB = 256
MAX_SAMPLES = 20000  # the most rows ``samples`` returns (the newest ones)

DEFAULT_ACCOUNT = "default"

_CORRUPT_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB


def _epoch(dt: datetime) -> float:
    return dt.timestamp()


def _dt(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and (code & 0xFF) in _CORRUPT_CODES:
        return True
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def _enable_wal(conn: sqlite3.Connection) -> None:
    """Switch the file to WAL (persistent once done).

    The switch needs the file to itself and SQLite does not wait for that (no busy handler), so
    two processes creating the database at once retry briefly; if it still can't be done the
    connection carries on in the default mode, which is slower but just as safe.
    """
    deadline = time.monotonic() + 2.0
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            text = str(exc).lower()
            if "locked" not in text and "busy" not in text:
                raise
            if time.monotonic() > deadline:
                return
            time.sleep(0.01)


class History:
    """The sample store. Open lazily; safe to share between threads of one process."""

    def __init__(self, path: Path, *, retention_days: int = 35, clock: Clock) -> None:
        self.path = Path(path)
        self.retention_days = max(1, int(retention_days))
        self.clock = clock
        self.problem: str | None = None  # the last thing that went wrong, for the UI
        self._conn: sqlite3.Connection | None = None
        self._lock = allocate_lock()  # threading.Lock (threading itself: 1 ms of a status)
        self._last_prune: float | None = None

    # -- connection ---------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if self._conn is not None:
            return self._conn
        folder = self.path.parent
        if not folder.exists():
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.path.exists():
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        with contextlib.suppress(OSError):
            os.chmod(self.path, 0o600)
        conn = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            _enable_wal(conn)
            conn.execute("PRAGMA synchronous = NORMAL")
            create_schema(conn)
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        return conn

    def _drop_connection(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

    def _move_aside(self) -> None:
        """Rename a corrupted database (and its WAL files) so a fresh one can start."""
        self._drop_connection()
        stamp = self.clock.now().strftime("%Y%m%dT%H%M%S")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        with contextlib.suppress(OSError):
            os.replace(self.path, target)
        for suffix in ("-wal", "-shm"):
            extra = self.path.with_name(self.path.name + suffix)
            with contextlib.suppress(OSError):
                if extra.exists():
                    os.replace(extra, target.with_name(target.name + suffix))
        self.problem = f"history database was damaged; moved it to {target.name} and started anew"

    def _run(
        self, what: str, op: Callable[[sqlite3.Connection], T], fallback: T, *, create: bool = True
    ) -> T:
        """Run ``op`` on the connection; corruption -> move aside and retry once; never raise.
        ``create=False`` (reading): no file yet means nothing recorded, and none is made."""
        with self._lock:
            if not create and self._conn is None and not self.path.exists():
                return fallback
            for attempt in range(2):
                try:
                    result = op(self._connect())
                except sqlite3.DatabaseError as exc:
                    if attempt == 0 and _is_corruption(exc):
                        self._move_aside()
                        continue
                    self._drop_connection()
                    self.problem = f"history {what} failed: {exc}"
                    return fallback
                except (OSError, ValueError) as exc:
                    self._drop_connection()
                    self.problem = f"history {what} failed: {exc}"
                    return fallback
                return result
            return fallback

    # -- writing ------------------------------------------------------------------------

    def record(self, windows: Iterable[Window], account: str = DEFAULT_ACCOUNT) -> int:
        """Store each window's reading for ``account``; returns how many rows were written.

        Skipped: windows without a percentage; a reading not newer than the last stored one
        for that account, window and source; one identical to it (percent and reset) within a
        minute.
        """
        rows = [
            (
                account,
                w.id,
                w.source,
                _epoch(w.observed_at),
                float(w.used_percent),
                _epoch(w.resets_at) if w.resets_at is not None else None,
                w.scope,
            )
            for w in windows
            if w.used_percent is not None
        ]
        if not rows:
            return 0

        def op(conn: sqlite3.Connection) -> int:
            written = 0
            conn.execute("BEGIN IMMEDIATE")
            try:
                for row in rows:
                    name, window_id, source, at, percent, resets, _scope = row
                    last = conn.execute(
                        "SELECT at, used_percent, resets_at FROM samples WHERE account = ?"
                        " AND window = ? AND source = ? ORDER BY at DESC LIMIT 1",
                        (name, window_id, source),
                    ).fetchone()
                    if last is not None:
                        last_at, last_percent, last_resets = last
                        if at <= last_at:
                            continue
                        same = last_percent == percent and (
                            (last_resets is None and resets is None)
                            or (
                                last_resets is not None
                                and resets is not None
                                and abs(last_resets - resets) < 1.0
                            )
                        )
                        if same and at - last_at < DEDUPE_SECONDS:
                            continue
                    conn.execute(
                        "INSERT INTO samples"
                        " (account, window, source, at, used_percent, resets_at, scope)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        row,
                    )
                    written += 1
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
            return written

        written = self._run("write", op, 0)
        if written:
            self._maybe_prune()
        return written

    def _maybe_prune(self) -> None:
        mono = self.clock.monotonic()
        if self._last_prune is None or mono - self._last_prune >= PRUNE_EVERY_SECONDS:
            self.prune()

    def prune(self) -> int:
        """Delete rows older than the retention period; returns how many were deleted."""
        self._last_prune = self.clock.monotonic()
        cutoff = _epoch(self.clock.now() - timedelta(days=self.retention_days))

        def op(conn: sqlite3.Connection) -> int:
            cur = conn.execute("DELETE FROM samples WHERE at < ?", (cutoff,))
            return int(cur.rowcount)

        return self._run("prune", op, 0)

    # -- reading ------------------------------------------------------------------------

    def samples(
        self,
        window_id: str,
        since: datetime,
        *,
        account: str = DEFAULT_ACCOUNT,
        limit: int = MAX_SAMPLES,
    ) -> list[Sample]:
        """Readings of one window of one account (every source) since ``since``, oldest first
        (at most ``limit``, the newest kept)."""

        def op(conn: sqlite3.Connection) -> list[Sample]:
            rows = conn.execute(
                "SELECT at, used_percent, resets_at, source FROM samples"
                " WHERE account = ? AND window = ? AND at >= ? ORDER BY at DESC LIMIT ?",
                (account, window_id, _epoch(since), int(limit)),
            ).fetchall()
            return [
                Sample(
                    at=_dt(at),
                    used_percent=float(pct),
                    resets_at=_dt(resets) if resets is not None else None,
                    source=str(source),
                )
                for at, pct, resets, source in reversed(rows)
            ]

        return self._run("read", op, [], create=False)

    def latest(self, account: str = DEFAULT_ACCOUNT) -> list[Window]:
        """The last reading of each window and source of ``account``, to show something
        before any fetch."""

        def op(conn: sqlite3.Connection) -> list[Window]:
            rows = conn.execute(
                "SELECT window, source, MAX(at), used_percent, resets_at, scope FROM samples"
                " WHERE account = ? GROUP BY window, source ORDER BY window, source",
                (account,),
            ).fetchall()
            return [
                Window(
                    id=str(window_id),
                    used_percent=float(pct),
                    resets_at=_dt(resets) if resets is not None else None,
                    source=str(source),
                    observed_at=_dt(at),
                    scope=scope,
                )
                for window_id, source, at, pct, resets, scope in rows
            ]

        return self._run("read", op, [], create=False)

    def readings(
        self,
        since: datetime,
        *,
        account: str | None = None,
        window_id: str | None = None,
        limit: int = MAX_SAMPLES * 10,
    ) -> list[Reading]:
        """Every stored row since ``since`` (optionally of one account and/or window), oldest
        first, at most ``limit`` (the newest kept): what ``limitwatch history`` prints."""
        where: list[str] = ["at >= ?"]
        args: list[object] = [_epoch(since)]
        if account is not None:
            where.append("account = ?")
            args.append(account)
        if window_id is not None:
            where.append("window = ?")
            args.append(window_id)
        sql = (
            "SELECT at, account, window, used_percent, resets_at, source FROM samples WHERE "
            + " AND ".join(where)
            + " ORDER BY at DESC, id DESC LIMIT ?"
        )

        def op(conn: sqlite3.Connection) -> list[Reading]:
            rows = conn.execute(sql, (*args, int(limit))).fetchall()
            return [
                Reading(
                    at=_dt(at),
                    account=str(name),
                    window=str(window_id),
                    used_percent=float(pct),
                    resets_at=_dt(resets) if resets is not None else None,
                    source=str(source),
                )
                for at, name, window_id, pct, resets, source in reversed(rows)
            ]

        return self._run("read", op, [], create=False)

    def close(self) -> None:
        with self._lock:
            self._drop_connection()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
