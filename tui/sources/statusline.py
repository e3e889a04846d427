"""Claude Code's status line feed: parse it, record it, read it back.

Claude Code (2.1.80+) writes a JSON object to the status line command's stdin on every render.
For subscribers it carries ``rate_limits.five_hour`` / ``rate_limits.seven_day`` with
``used_percentage`` (0-100) and ``resets_at`` (epoch seconds). That is a free and fresh
source: ``limitwatch statusline`` records it here, the TUI and ``status`` read it back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tui import paths
from tui.models import Window
from tui.state_file import write_json
from tui.times import parse_reset_header

SOURCE = "statusline"
MAX_FEED_BYTES = 1_000_000
_GLITCH_PERCENT = 101.0  # a used_percentage above this once carried the epoch: drop it


@dataclass(frozen=True)
class Feed:
    """What one status line render told us."""

    windows: tuple[Window, ...]
    model: str | None
    observed_at: datetime
    session_id: str | None = None


def _epoch(value: Any) -> datetime | None:
    """Epoch seconds (Claude Code's ``resets_at``) or an RFC 3339 string."""
    if isinstance(value, bool):
        return None
    return parse_reset_header(value)


def _percent(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    if number != number or number < 0 or number > _GLITCH_PERCENT:
        return None
    return min(number, 100.0)


def parse_feed(data: Any, observed_at: datetime) -> Feed:
    """Tolerant: any shape gives a Feed, possibly with no windows."""
    windows: list[Window] = []
    model: str | None = None
    session: str | None = None
    if isinstance(data, dict):
        model_info = data.get("model")
        if isinstance(model_info, dict):
            name = model_info.get("display_name") or model_info.get("id")
            model = str(name) if isinstance(name, str) and name else None
        elif isinstance(model_info, str) and model_info:
            model = model_info
        sid = data.get("session_id")
        session = sid if isinstance(sid, str) else None
        limits = data.get("rate_limits")
        if isinstance(limits, dict):
            for window_id, entry in limits.items():
                if not isinstance(window_id, str) or not isinstance(entry, dict):
                    continue
                percent = _percent(entry.get("used_percentage"))
                if percent is None:
                    continue
                windows.append(
                    Window(
                        id=window_id,
                        used_percent=percent,
                        resets_at=_epoch(entry.get("resets_at")),
                        source=SOURCE,
                        observed_at=observed_at,
                    )
                )
    return Feed(tuple(windows), model, observed_at, session)


def record(feed: Feed, path: Path | None = None) -> None:
    """Store the windows of the latest feed atomically (no secrets are in a feed)."""
    target = path or paths.statusline_file()
    payload = {
        "observed_at": feed.observed_at.timestamp(),
        "model": feed.model,
        "windows": [
            {
                "id": w.id,
                "used_percent": w.used_percent,
                "resets_at": w.resets_at.timestamp() if w.resets_at else None,
            }
            for w in feed.windows
        ],
    }
    write_json(target, payload, prefix=".statusline-")


def read_recorded(path: Path | None = None) -> Feed | None:
    """The last recorded feed, or None when there is none or it is unreadable."""
    target = path or paths.statusline_file()
    try:
        raw = target.read_text(encoding="utf-8")
        data = json.loads(raw)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    observed = _epoch(data.get("observed_at"))
    if observed is None:
        return None
    windows: list[Window] = []
    entries = data.get("windows")
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            continue
        percent = _percent(entry.get("used_percent"))
        if percent is None:
            continue
        windows.append(
            Window(
                id=entry["id"],
                used_percent=percent,
                resets_at=_epoch(entry.get("resets_at")),
                source=SOURCE,
                observed_at=observed,
            )
        )
    model = data.get("model")
    return Feed(tuple(windows), model if isinstance(model, str) else None, observed)
