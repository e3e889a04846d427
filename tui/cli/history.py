"""``limitwatch history``: the stored readings, as a table for people or CSV/JSON for tools.

One row per reading with ``time, account, window, used_percent, resets_at, source`` (CSV
header, or the keys of each JSON object; times RFC 3339 in UTC). Reading never creates the
database. A bad ``--since`` or ``--format`` exits 2 with a message saying what is accepted.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, TextIO

from tui import paths
from tui.cli.common import load_config_or_say
from tui.clock import Clock, SystemClock
from tui.core.history import History
from tui.core.report import rfc3339
from tui.core.samples import Reading
from tui.models import window_label

if TYPE_CHECKING:
    import argparse

EXIT_USAGE = 2
FORMATS = ("csv", "json")
COLUMNS = ("time", "account", "window", "used_percent", "resets_at", "source")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")


def parse_duration(text: str) -> timedelta | None:
    """``90m``, ``12h``, ``7d``, ``2w``, ``1d12h``; None for anything else."""
    value = text.strip().lower()
    if not value:
        return None
    seconds = 0.0
    position = 0
    for match in _PART.finditer(value):
        if match.start() != position:
            return None
        seconds += float(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    if position != len(value) or seconds <= 0:
        return None
    return timedelta(seconds=seconds)


def _row(reading: Reading) -> dict[str, Any]:
    return {
        "time": rfc3339(reading.at),
        "account": reading.account,
        "window": reading.window,
        "used_percent": reading.used_percent,
        "resets_at": rfc3339(reading.resets_at),
        "source": reading.source,
    }


def _local(when: datetime | None, tz: tzinfo | None) -> str:
    if when is None:
        return "-"
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def render_table(readings: list[Reading], tz: tzinfo | None = None) -> str:
    """Aligned columns in local time, the window by its label; one line when there is none."""
    if not readings:
        return "no readings stored for that period\n"
    rows = [("time", "account", "window", "used", "resets", "source")]
    for r in readings:
        used = f"{r.used_percent:.0f}%" if r.used_percent.is_integer() else f"{r.used_percent}%"
        label = window_label(r.window)
        rows.append((_local(r.at, tz), r.account, label, used, _local(r.resets_at, tz), r.source))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        pairs = enumerate(zip(row, widths, strict=True))
        cells = [cell.rjust(w) if i == 3 else cell.ljust(w) for i, (cell, w) in pairs]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def write(readings: list[Reading], fmt: str | None, out: TextIO, tz: tzinfo | None) -> None:
    if fmt == "json":
        json.dump([_row(r) for r in readings], out, indent=2)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for r in readings:
            writer.writerow({k: "" if v is None else v for k, v in _row(r).items()})
    else:
        out.write(render_table(readings, tz))


def run(
    args: argparse.Namespace,
    *,
    clock: Clock | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    tz: tzinfo | None = None,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    since_text = getattr(args, "since", None) or "7d"
    span = parse_duration(since_text)
    if span is None:
        print(
            f"limitwatch history: --since {since_text!r} is not a duration;"
            " use a number and a unit (s, m, h, d, w), e.g. 90m, 12h, 7d or 1d12h",
            file=err,
        )
        return EXIT_USAGE
    fmt = getattr(args, "format", None)
    if fmt is not None and fmt not in FORMATS:
        print(f"limitwatch history: --format {fmt!r}: choose csv or json", file=err)
        return EXIT_USAGE
    config = load_config_or_say(args, err)
    if config is None:
        return EXIT_USAGE
    clock = clock or SystemClock()
    history = History(paths.history_db(), retention_days=config.history.retention_days, clock=clock)
    try:
        readings = history.readings(
            clock.now() - span,
            account=getattr(args, "account", None),
            window_id=getattr(args, "window", None),
        )
    finally:
        history.close()
    if history.problem:
        print(f"limitwatch history: {history.problem}", file=err)
    try:
        write(readings, fmt, out, tz)
        out.flush()
    except BrokenPipeError:  # `limitwatch history | head`
        return 0
    return 0
