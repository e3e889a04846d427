"""``limitwatch history``: what is stored, for people (a table) and tools (CSV, JSON)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from tui import paths
from tui.cli import history as history_cli
from tui.cli import main
from tui.cli.parser import build_parser
from tui.clock import ManualClock
from tui.core.history import History
from tui.models import Window

NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)
RESET = NOW + timedelta(hours=2)


def store() -> None:
    h = History(paths.history_db(), clock=ManualClock(NOW))
    old = NOW - timedelta(days=9)
    h.record([Window("five_hour", 3.0, old + timedelta(hours=4), "oauth_usage", old)])
    h.record(
        [
            Window("five_hour", 41.0, RESET, "oauth_usage", NOW - timedelta(hours=2)),
            Window("seven_day", 17.5, None, "oauth_usage", NOW - timedelta(hours=2)),
        ]
    )
    h.record([Window("five_hour", 88.0, RESET, "oauth_usage", NOW - timedelta(hours=1))], "work")
    h.record([Window("five_hour", 44.0, RESET, "statusline", NOW - timedelta(minutes=30))])
    h.close()


def run(*argv: str) -> tuple[int, str, str]:
    args = build_parser().parse_args(["history", *argv])
    out, err = io.StringIO(), io.StringIO()
    code = history_cli.run(args, clock=ManualClock(NOW), out=out, err=err, tz=UTC)
    return code, out.getvalue(), err.getvalue()


def test_csv_has_the_header_and_one_row_per_reading_of_the_last_7_days():
    store()
    code, out, _ = run("--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["time", "account", "window", "used_percent", "resets_at", "source"]
    assert rows[1:] == [
        ["2026-04-20T10:00:00Z", "default", "five_hour", "41.0", "2026-04-20T14:00:00Z",
         "oauth_usage"],
        ["2026-04-20T10:00:00Z", "default", "seven_day", "17.5", "", "oauth_usage"],
        ["2026-04-20T11:00:00Z", "work", "five_hour", "88.0", "2026-04-20T14:00:00Z",
         "oauth_usage"],
        ["2026-04-20T11:30:00Z", "default", "five_hour", "44.0", "2026-04-20T14:00:00Z",
         "statusline"],
    ]  # fmt: skip


def test_json_is_a_list_of_objects_and_the_filters_narrow_it():
    store()
    code, out, _ = run("--format", "json", "--account", "default", "--window", "five_hour")
    assert code == 0
    data = json.loads(out)
    assert data == [
        {
            "time": "2026-04-20T10:00:00Z",
            "account": "default",
            "window": "five_hour",
            "used_percent": 41.0,
            "resets_at": "2026-04-20T14:00:00Z",
            "source": "oauth_usage",
        },
        {
            "time": "2026-04-20T11:30:00Z",
            "account": "default",
            "window": "five_hour",
            "used_percent": 44.0,
            "resets_at": "2026-04-20T14:00:00Z",
            "source": "statusline",
        },
    ]
    _, out, _ = run("--format", "json", "--since", "10d")
    assert [r["used_percent"] for r in json.loads(out)] == [3.0, 41.0, 17.5, 88.0, 44.0]
    _, out, _ = run("--format", "json", "--since", "45m")
    assert [r["used_percent"] for r in json.loads(out)] == [44.0]


def test_without_a_format_people_get_a_table_with_labels_and_local_times():
    store()
    code, out, _ = run()
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["time", "account", "window", "used", "resets", "source"]
    assert "2026-04-20 10:00  default  5-hour session    41%  2026-04-20 14:00  oauth_usage" in out
    assert "Weekly" in lines[2] and "17.5%" in lines[2]
    assert len(lines) == 5


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--since", "7 days"], "not a duration"),
        (["--since", "7x"], "e.g. 90m, 12h, 7d"),
        (["--since", "0d"], "not a duration"),
        (["--format", "xml"], "choose csv or json"),
    ],
)
def test_a_bad_option_exits_2_with_a_clear_message(argv, says):
    code, out, err = run(*argv)
    assert code == 2 and out == "" and says in err


def test_reading_when_nothing_was_ever_stored_creates_no_database(capsys):
    code = main(["history", "--format", "json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out) == []
    assert not paths.history_db().exists()
    assert run()[1] == "no readings stored for that period\n"


def test_a_broken_config_exits_2_and_names_it(isolated_paths, capsys):
    isolated_paths.config_file.write_text("[thresholds]\nwarnign = 3\n")
    assert main(["history", "--config", str(isolated_paths.config_file)]) == 2
    assert "warnign" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90m", 5400), ("12h", 43200), ("7d", 604800), ("2w", 1209600), ("1d12h", 129600),
     ("1.5h", 5400), ("30s", 30)],
)  # fmt: skip
def test_durations(text, seconds):
    assert history_cli.parse_duration(text) == timedelta(seconds=seconds)


def test_a_damaged_database_is_moved_aside_and_said_so():
    db = paths.history_db()
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(b"not a database at all\n" * 100)
    code, out, err = run("--format", "csv")
    assert code == 0
    assert out.splitlines() == [",".join(history_cli.COLUMNS)]
    assert "moved it to history.sqlite3.corrupt-" in err
    assert len(list(db.parent.glob("history.sqlite3.corrupt-*"))) == 1
