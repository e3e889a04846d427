"""Claude Code's status line feed: parse it, record it, read it back.

Claude Code (2.1.80+) writes a JSON object to the status line command's stdin on every render.
For subscribers it carries ``rate_limits.five_hour`` / ``rate_limits.seven_day`` with
``used_percentage`` (0-100) and ``resets_at`` (epoch seconds). That is a free and fresh
source: ``limitwatch statusline`` records it here, the TUI and ``status`` read it back.
``StatuslineSource`` is the recorded feed as a ``Source``: it re-reads the file when it changed
and goes stale when Claude Code has not rendered its status line for a while.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui import paths
from tui.models import SourceResult, SourceState, Window
from tui.patterns import lazy
from tui.record import record as value_class
from tui.sources.base import LocalSchedule
from tui.state_file import write_json
from tui.times import parse_reset_header

SOURCE = "statusline"
MAX_FEED_BYTES = 1_000_000
_GLITCH_PERCENT = 101.0  # a used_percentage above this once carried the epoch: drop it
_VERSION = lazy(r"[0-9A-Za-z][0-9A-Za-z.+_-]{0,39}")
STALE_AFTER = timedelta(minutes=15)  # no render for this long: Claude Code is not running
DEFAULT_INTERVAL = 5.0  # seconds between looks at the recorded file

if TYPE_CHECKING:
    import httpx

    from tui.clock import Clock


@value_class
class Feed:
    """What one status line render told us."""

    windows: tuple[Window, ...]
    model: str | None
    observed_at: datetime
    session_id: str | None = None
    version: str | None = None  # Claude Code's version ("2.1.144"), when the feed says


def _version(value: Any) -> str | None:
    """A version string as Claude Code writes it; anything else (or any control character)
    is dropped."""
    return value if isinstance(value, str) and _VERSION.fullmatch(value) else None


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
    version: str | None = None
    if isinstance(data, dict):
        version = _version(data.get("version"))
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
    return Feed(tuple(windows), model, observed_at, session, version)


def record(feed: Feed, path: Path | None = None) -> None:
    """Store the windows of the latest feed atomically (no secrets are in a feed)."""
    target = path or paths.statusline_file()
    payload = {
        "observed_at": feed.observed_at.timestamp(),
        "model": feed.model,
        "version": feed.version,
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
    return Feed(
        tuple(windows),
        model if isinstance(model, str) else None,
        observed,
        version=_version(data.get("version")),
    )


class StatuslineSource(LocalSchedule):
    """The recorded status line feed as a Source: read again whenever the file changed; every
    fetch returns the latest feed's windows (stamped with the render's time) and version."""

    id = SOURCE

    def __init__(
        self, path: Path | None = None, *, clock: Clock, interval: float = DEFAULT_INTERVAL
    ) -> None:
        self.path = path
        self.interval = interval
        self._clock = clock
        self._feed: Feed | None = None
        self._seen: tuple[int, int] | None = None  # (mtime ns, size) of the file last read
        self._reads = 0
        self._next_at: datetime | None = None

    async def fetch(
        self, client: httpx.AsyncClient | None = None, *, manual: bool = False
    ) -> SourceResult:
        """Read the recorded feed if it changed (a stat otherwise). Never raises."""
        self._schedule_next()
        self._read()
        feed = self._feed
        return SourceResult(
            source=self.id,
            state=self.state(),
            windows=feed.windows if feed else (),
            claude_code_version=feed.version if feed else None,
            from_cache=True,  # `limitwatch statusline` recorded these (and their history)
        )

    def _read(self) -> None:
        target = self.path or paths.statusline_file()
        self._reads += 1
        try:
            st = os.stat(target)
        except OSError:
            return  # never recorded, or removed: the last feed read ages into "stale"
        seen = (st.st_mtime_ns, st.st_size)
        if seen == self._seen:
            return
        feed = read_recorded(target)
        if feed is not None:
            self._seen = seen
            self._feed = feed

    def state(self) -> SourceState:
        feed = self._feed
        if feed is None:
            if not self._reads:
                return SourceState(self.id, "stale", detail="Not read yet")
            return SourceState(
                self.id,
                "unavailable",
                next_attempt_at=self._next_at,
                detail="no status line feed recorded "
                "(set `limitwatch statusline` as Claude Code's status line command)",
            )
        if self._clock.now() - feed.observed_at > STALE_AFTER:
            return SourceState(
                self.id,
                "stale",
                last_success_at=feed.observed_at,
                next_attempt_at=self._next_at,
                detail="no status line render recently (Claude Code not running?)",
            )
        return SourceState(
            self.id,
            "ok",
            last_success_at=feed.observed_at,
            next_attempt_at=self._next_at,
            detail="recorded by `limitwatch statusline`",
        )
