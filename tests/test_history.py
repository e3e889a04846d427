"""The history database: survives restarts, stays small, shared safely between processes."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tui import paths
from tui.clock import ManualClock
from tui.core.history import History
from tui.models import Window

T0 = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)
RESET = T0 + timedelta(hours=4)


def w(used, at, *, window_id="five_hour", source="oauth_usage", resets=RESET, **kw):
    return Window(window_id, used, resets, source, at, **kw)


def open_history(clock=None, path=None, **kw) -> History:
    return History(path or paths.history_db(), clock=clock or ManualClock(T0), **kw)


def test_readings_survive_a_restart_and_come_back_in_order():
    clock = ManualClock(T0)
    h = open_history(clock)
    for i in range(5):
        assert h.record([w(10.0 * i, T0 + timedelta(minutes=5 * i))]) == 1
    h.close()
    again = open_history(clock)
    got = again.samples("five_hour", T0 - timedelta(hours=1))
    assert [s.used_percent for s in got] == [0.0, 10.0, 20.0, 30.0, 40.0]
    assert got[-1].at == T0 + timedelta(minutes=20)
    assert got[0].resets_at == RESET and got[0].source == "oauth_usage"
    assert again.samples("five_hour", T0 + timedelta(minutes=12))[0].used_percent == 30.0
    assert again.samples("seven_day", T0 - timedelta(hours=1)) == []


def test_a_one_second_loop_does_not_grow_the_database():
    h = open_history()
    written = sum(h.record([w(42.0, T0 + timedelta(seconds=s))]) for s in range(120))
    # One row at the start, one more a minute later as a heartbeat; not 120.
    assert written == 2
    # The same observation handed in again (a cached window) is never written twice.
    assert h.record([w(42.0, T0 + timedelta(seconds=119))]) == 0
    # A change is written at once.
    assert h.record([w(43.0, T0 + timedelta(seconds=121))]) == 1


def test_windows_without_a_percentage_are_not_recorded():
    h = open_history()
    assert h.record([w(None, T0), w(None, T0, not_started=True, resets=None)]) == 0
    assert h.latest() == []


def test_latest_gives_the_last_reading_per_window_and_source():
    h = open_history()
    h.record([w(10.0, T0), w(30.0, T0, window_id="seven_day", resets=T0 + timedelta(days=3))])
    h.record([w(12.0, T0 + timedelta(minutes=2))])
    h.record([w(11.0, T0 + timedelta(minutes=3), source="statusline")])
    h.record([w(55.0, T0, window_id="seven_day_opus", scope="Opus", resets=None)])
    latest = {(x.id, x.source): x for x in h.latest()}
    assert set(latest) == {
        ("five_hour", "oauth_usage"),
        ("five_hour", "statusline"),
        ("seven_day", "oauth_usage"),
        ("seven_day_opus", "oauth_usage"),
    }
    five = latest[("five_hour", "oauth_usage")]
    assert five.used_percent == 12.0 and five.observed_at == T0 + timedelta(minutes=2)
    assert five.resets_at == RESET and five.label == "5-hour session"
    opus = latest[("seven_day_opus", "oauth_usage")]
    assert opus.resets_at is None and opus.scope == "Opus"


def test_old_rows_are_pruned_after_the_retention_period():
    clock = ManualClock(T0)
    h = open_history(clock, retention_days=35)
    for day in range(40):
        h.record([w(float(day), T0 + timedelta(days=day))])
    clock.set(T0 + timedelta(days=40))
    deleted = h.prune()
    assert deleted == 5  # days 0..4 are more than 35 days old
    kept = h.samples("five_hour", T0 - timedelta(days=100))
    assert kept[0].used_percent == 5.0 and len(kept) == 35


def test_recording_prunes_now_and_then_by_itself():
    clock = ManualClock(T0)
    h = open_history(clock, retention_days=1)
    h.record([w(1.0, T0)])
    clock.advance(2 * 86400)
    h.record([w(2.0, clock.now())])
    assert [s.used_percent for s in h.samples("five_hour", T0 - timedelta(days=9))] == [2.0]


def test_reading_before_anything_was_recorded_makes_no_file(tmp_path: Path):
    path = tmp_path / "data" / "history.sqlite3"
    h = open_history(path=path)
    assert h.latest() == [] and h.samples("five_hour", T0 - timedelta(days=1)) == []
    assert not path.parent.exists()
    assert h.record([w(5.0, T0)]) == 1
    assert [x.used_percent for x in h.latest()] == [5.0]


def test_folder_is_created_and_the_file_is_private(tmp_path: Path):
    db = tmp_path / "new" / "deeper" / "history.sqlite3"
    h = open_history(path=db)
    assert not db.exists()  # opened lazily
    h.record([w(5.0, T0)])
    assert db.exists()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    mode = sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    h.close()


def test_a_corrupted_file_is_moved_aside_and_a_fresh_one_started():
    db = paths.history_db()
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(b"this is not a database, it is a shopping list\n" * 200)
    h = open_history()
    assert h.latest() == []  # no crash
    assert h.record([w(7.0, T0)]) == 1
    assert [s.used_percent for s in h.samples("five_hour", T0)] == [7.0]
    aside = list(db.parent.glob("history.sqlite3.corrupt-*"))
    assert len(aside) == 1 and b"shopping list" in aside[0].read_bytes()
    assert h.problem is not None and "moved it to" in h.problem


def test_an_unusable_location_is_reported_not_raised(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    h = open_history(path=blocker / "history.sqlite3")  # parent is a file
    assert h.record([w(1.0, T0)]) == 0
    assert h.samples("five_hour", T0) == []
    assert h.problem is not None


_WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime, timedelta
    from pathlib import Path
    from tui.clock import ManualClock
    from tui.core.history import History
    from tui.models import Window

    path, source, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    t0 = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)
    h = History(path, clock=ManualClock(t0))
    written = 0
    for i in range(count):
        win = Window("five_hour", float(i % 100), None, source, t0 + timedelta(seconds=61 * i))
        written += h.record([win])
    h.close()
    print(written, h.problem)
    """
)


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path):
    db = tmp_path / "shared" / "history.sqlite3"
    count = 150
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(db), source, str(count)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for source in ("oauth_usage", "statusline")
    ]
    outputs = [p.communicate(timeout=60) for p in procs]
    for (out, err), p in zip(outputs, procs, strict=True):
        assert p.returncode == 0, err
        assert out.split() == [str(count), "None"]
    h = open_history(path=db)
    got = h.samples("five_hour", datetime(2000, 1, 1, tzinfo=UTC))
    assert len(got) == 2 * count
    assert {s.source for s in got} == {"oauth_usage", "statusline"}


def test_two_open_handles_dedupe_against_each_other():
    a, b = open_history(), open_history()
    assert a.record([w(20.0, T0)]) == 1
    # The same reading, from another process a few seconds later: not stored twice.
    assert b.record([w(20.0, T0 + timedelta(seconds=5))]) == 0
    assert len(a.samples("five_hour", T0)) == 1


def test_accounts_keep_their_own_readings():
    h = open_history()
    assert h.record([w(10.0, T0)]) == 1
    # The same window and source, same moment, another account: a reading of its own.
    assert h.record([w(70.0, T0)], account="work") == 1
    assert [s.used_percent for s in h.samples("five_hour", T0)] == [10.0]
    assert [s.used_percent for s in h.samples("five_hour", T0, account="work")] == [70.0]
    assert [x.used_percent for x in h.latest()] == [10.0]
    assert [x.used_percent for x in h.latest(account="work")] == [70.0]
    assert h.latest(account="nobody") == []


def test_readings_list_every_row_with_its_account_and_filter():
    h = open_history()
    h.record([w(10.0, T0), w(30.0, T0, window_id="seven_day", resets=None)])
    h.record([w(50.0, T0 + timedelta(minutes=1))], account="work")
    h.record([w(12.0, T0 + timedelta(minutes=5), source="statusline")])
    rows = h.readings(T0 - timedelta(hours=1))
    assert [(r.account, r.window, r.used_percent, r.source) for r in rows] == [
        ("default", "five_hour", 10.0, "oauth_usage"),
        ("default", "seven_day", 30.0, "oauth_usage"),
        ("work", "five_hour", 50.0, "oauth_usage"),
        ("default", "five_hour", 12.0, "statusline"),
    ]
    assert rows[0].at == T0 and rows[0].resets_at == RESET and rows[1].resets_at is None
    assert [r.used_percent for r in h.readings(T0, account="work")] == [50.0]
    assert [r.used_percent for r in h.readings(T0, window_id="seven_day")] == [30.0]
    assert [r.used_percent for r in h.readings(T0 + timedelta(minutes=2))] == [12.0]


def test_a_database_from_before_accounts_is_upgraded_in_place(tmp_path: Path):
    db = tmp_path / "history.sqlite3"
    old = sqlite3.connect(db)
    old.executescript(
        """
        CREATE TABLE samples (id INTEGER PRIMARY KEY, window TEXT NOT NULL,
            source TEXT NOT NULL, at REAL NOT NULL, used_percent REAL NOT NULL,
            resets_at REAL, scope TEXT);
        CREATE INDEX samples_window_at ON samples (window, at);
        CREATE INDEX samples_window_source_at ON samples (window, source, at);
        """
    )
    for i in range(3):
        at = (T0 + timedelta(minutes=5 * i)).timestamp()
        old.execute(
            "INSERT INTO samples (window, source, at, used_percent, resets_at, scope)"
            " VALUES ('five_hour', 'oauth_usage', ?, ?, ?, NULL)",
            (at, 10.0 * i, RESET.timestamp()),
        )
    old.commit()
    old.close()
    h = open_history(path=db)
    got = h.samples("five_hour", T0 - timedelta(hours=1))
    assert [s.used_percent for s in got] == [0.0, 10.0, 20.0]  # nothing lost
    assert {r.account for r in h.readings(T0 - timedelta(hours=1))} == {"default"}
    assert h.record([w(30.0, T0 + timedelta(minutes=15))], account="work") == 1
    assert h.problem is None
    h.close()
    assert not list(tmp_path.glob("*.corrupt-*"))  # upgraded, not moved aside
    again = open_history(path=db)  # opening an upgraded file again changes nothing
    assert len(again.readings(T0 - timedelta(hours=1))) == 4
