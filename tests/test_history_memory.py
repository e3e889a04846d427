"""The history's SQLite connection stays small in a process open for days, however large the
file grows within its retention period (the hourly prune reads the whole table)."""

from __future__ import annotations

import ctypes
import ctypes.util
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from tui import paths
from tui.clock import ManualClock
from tui.core.history import History
from tui.core.history_schema import create_schema
from tui.models import Window

T0 = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)


def sqlite_memory_used() -> Callable[[], int]:
    """SQLite's own count of the bytes it holds (page caches, statements), process-wide."""
    name = ctypes.util.find_library("sqlite3") or "libsqlite3.so.0"
    try:
        used = ctypes.CDLL(name).sqlite3_memory_used
    except (OSError, AttributeError):
        pytest.skip("SQLite's library is not loadable here")
    used.restype = ctypes.c_int64
    probe = sqlite3.connect(":memory:")
    probe.execute("CREATE TABLE t (x)")
    counted = used() > 0
    probe.close()
    if not counted:
        pytest.skip("Python's SQLite is not the library found here (statically linked)")
    return lambda: int(used())


def test_the_page_cache_stays_small_as_the_file_grows(isolated_paths) -> None:
    used = sqlite_memory_used()
    db = paths.history_db()
    # 35 days of readings: three windows every five minutes and the probe's every minute.
    rows = []
    start = (T0 - timedelta(days=35)).timestamp()
    for minute in range(35 * 24 * 60):
        at = start + 60 * minute
        rows.append(("default", "five_hour", "probe", at, minute % 100, at + 3600, None))
        if minute % 5 == 0:
            for window in ("five_hour", "seven_day", "seven_day_opus"):
                rows.append(("default", window, "oauth_usage", at, minute % 100, at + 3600, None))
    with sqlite3.connect(db) as conn:
        create_schema(conn)
        conn.executemany(
            "INSERT INTO samples (account, window, source, at, used_percent, resets_at, scope)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    conn.close()
    assert db.stat().st_size > 4_000_000

    before = used()
    clock = ManualClock(T0 + timedelta(days=1))
    history = History(db, clock=clock, retention_days=35)
    for step in range(12):  # an hour of usage polls; the first one prunes (a full scan)
        window = Window("five_hour", float(step), T0, "oauth_usage", clock.now())
        assert history.record([window]) == 1
        clock.advance(300)
    assert history.prune() > 0
    assert len(history.samples("five_hour", T0 - timedelta(days=2))) > 1000
    assert history.latest()
    grown = used() - before
    history.close()
    assert grown < 600_000, f"SQLite holds {grown / 1e6:.2f} MB for one history connection"
