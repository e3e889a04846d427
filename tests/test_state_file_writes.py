"""State files are replaced atomically, and only when what they hold changes: a prompt that
runs ``limitwatch status`` every few seconds must not rewrite the last error each time."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tui.state_file import write_json


def test_the_same_content_is_not_written_again(tmp_path: Path) -> None:
    target = tmp_path / "state" / "last_error.json"
    write_json(target, {"class": "plan_limit", "n": 1}, prefix=".t-")
    first = os.stat(target)
    write_json(target, {"class": "plan_limit", "n": 1}, prefix=".t-")
    again = os.stat(target)
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)
    write_json(target, {"class": "plan_limit", "n": 2}, prefix=".t-")
    assert json.loads(target.read_text()) == {"class": "plan_limit", "n": 2}
    assert os.stat(target).st_ino != first.st_ino  # replaced whole, never edited in place
    assert sorted(p.name for p in target.parent.iterdir()) == ["last_error.json"]
    assert os.stat(target).st_mode & 0o777 == 0o600


def test_a_damaged_or_foreign_file_is_replaced(tmp_path: Path) -> None:
    target = tmp_path / "last_error.json"
    target.write_text('{"class": "plan_limit", "n": 1')  # cut short
    write_json(target, {"class": "plan_limit", "n": 1}, prefix=".t-")
    assert json.loads(target.read_text()) == {"class": "plan_limit", "n": 1}
    target.unlink()
    os.mkfifo(target)  # never opened for reading: a FIFO would hang a reader
    write_json(target, {"n": 3}, prefix=".t-")
    assert json.loads(target.read_text()) == {"n": 3}


def test_the_estimate_errors_keep_the_time_they_last_changed(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from tui.core.last_error import read_estimate_errors, write_estimate_errors

    target = tmp_path / "estimate.json"
    first = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    write_estimate_errors({"five_hour": 1.234}, first, target)
    write_estimate_errors({"five_hour": 1.2341}, first + timedelta(minutes=5), target)
    assert read_estimate_errors(target) == (first, {"five_hour": 1.23})
    later = first + timedelta(minutes=9)
    write_estimate_errors({"five_hour": 0.8}, later, target)
    assert read_estimate_errors(target) == (later, {"five_hour": 0.8})
