"""``limitwatch statusline``: Claude Code's status line command; no Textual on this path.

It records the feed Claude Code hands it (a free, fresh source) and prints one line. It must
never break Claude Code's screen, so every failure prints a neutral line and exits 0. Stdin is
read with a short deadline (a caller that never closes it does not hold the line); a data
folder that cannot be written only skips the recording; outside text (the model name, the
last error's title) is cleaned of escape sequences before it is printed.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import sys
import time
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from tui import paths
from tui import text as fmt
from tui.clock import Clock, SystemClock
from tui.config import Config, ConfigError, UnknownAccount, load_config
from tui.models import Classification

if TYPE_CHECKING:
    import argparse

STATUSLINE_ERROR_RECENT = timedelta(hours=1)
RECENT_NUMBERS = timedelta(minutes=30)  # older numbers (a feed, the usage cache) are not shown
MAX_STDIN = 1_000_000
STDIN_DEADLINE_SECONDS = 1.0  # Claude Code writes its JSON at once; never wait longer than this


NEUTRAL_LINE = "limitwatch: no data"


def run_statusline(
    args: argparse.Namespace,
    *,
    clock: Clock | None = None,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
) -> int:
    """Claude Code's status line command. Always exits 0 and prints exactly one line."""
    out = out or sys.stdout
    try:
        line = _statusline(args, clock or SystemClock(), stdin or sys.stdin)
    except Exception:  # a status line must never break Claude Code's screen
        line = NEUTRAL_LINE
    out.write(line.replace("\n", " ") + "\n")
    out.flush()
    return 0


def _statusline(args: argparse.Namespace, clock: Clock, stdin: TextIO) -> str:
    from tui.sources import statusline as feed_mod

    now = clock.now()
    try:
        config = load_config(explicit=getattr(args, "config", None))
    except ConfigError:
        return "limitwatch: config error (run `limitwatch config validate`)"
    raw = read_stdin(stdin)
    try:
        data = json.loads(raw) if raw.strip() else None
    except (ValueError, RecursionError):
        data = None
    feed = feed_mod.parse_feed(data, now)
    folder = claude_dir_of_feed(data, os.environ)
    try:
        account, folder = _account(config, folder, getattr(args, "account", None))
    except UnknownAccount as exc:
        return f"limitwatch: {exc}"  # one line, exit 0: a status line never breaks Claude Code
    if feed.windows:
        with contextlib.suppress(Exception):  # an unwritable data folder only skips recording
            feed_mod.record(feed, paths.statusline_file(folder))
        _record_history(config, clock, feed.windows, account)
    windows = {w.id: w for w in feed.windows}
    if not windows:
        recorded = feed_mod.read_recorded(paths.statusline_file(folder))
        if recorded is not None and (now - recorded.observed_at) < RECENT_NUMBERS:
            windows = {w.id: w for w in recorded.windows}
    if not windows:
        with contextlib.suppress(Exception):  # no numbers is a dash, never a broken line
            windows = _cached_windows(folder, clock)
    try:
        error = _recent_error(now, folder)
    except Exception:
        error = None
    fmt_string = getattr(args, "format", None) or config.statusline.format
    values = {
        "model": fmt.clean(feed.model or "") or "Claude",
        "five_hour": _pct(windows.get("five_hour")),
        "seven_day": _pct(windows.get("seven_day")),
        "five_hour_reset": _reset(windows.get("five_hour"), now),
        "seven_day_reset": _reset(windows.get("seven_day"), now),
        "error": f" · {fmt.clean(error.title)}" if error is not None else "",
    }
    if data is None and not windows:
        return NEUTRAL_LINE
    try:
        return fmt_string.format(**values)
    except (KeyError, IndexError, ValueError):
        return "{model} · 5h {five_hour} · 7d {seven_day}{error}".format(**values)


def read_stdin(stdin: TextIO, deadline: float = STDIN_DEADLINE_SECONDS) -> str:
    """What arrives on stdin within ``deadline`` seconds (until end of file, a complete JSON
    value, or ``MAX_STDIN`` characters, whichever comes first); "" for a terminal."""
    if stdin.isatty():
        return ""
    if sys.platform == "win32":  # select() takes only sockets there
        return stdin.read(MAX_STDIN)
    try:
        fd = stdin.fileno()
    except (OSError, ValueError, AttributeError):
        return stdin.read(MAX_STDIN)  # an in-memory stream (tests): it cannot block
    ends = time.monotonic() + deadline
    data = b""
    while len(data) < MAX_STDIN:
        left = ends - time.monotonic()
        if left <= 0:
            break
        try:
            ready, _, _ = select.select([fd], [], [], left)
        except (OSError, ValueError):
            break
        if not ready:
            break
        chunk = os.read(fd, min(65536, MAX_STDIN - len(data)))
        if not chunk:
            break
        data += chunk
        if _complete_json(data):
            break
    return data.decode("utf-8", errors="replace")


def _complete_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except (ValueError, RecursionError):
        return False
    return True


def _pct(window: Any) -> str:
    if window is None or window.used_percent is None:
        return "—"
    return fmt.percent(window.used_percent)


def _reset(window: Any, now: datetime) -> str:
    if window is None or window.resets_at is None:
        return ""
    return fmt.countdown_until(window.resets_at, now)


def _account(config: Config, folder: Path | None, name: str | None) -> tuple[str, Path | None]:
    """The account the feed belongs to: the one named by ``--account``, else the configured
    account whose folder Claude Code runs with (``default`` when none matches)."""
    from tui.config.accounts import pick_account, resolve_accounts

    accounts = resolve_accounts(config)
    if name is not None:
        chosen = pick_account(accounts, name)
        return chosen.name, chosen.config_dir
    wanted = (folder or paths.home_dir() / ".claude").expanduser()
    for account in accounts:
        if account.config_dir.expanduser() == wanted:
            return account.name, folder
    return "default", folder


def _cached_windows(folder: Path | None, clock: Clock) -> dict[str, Any]:
    """The official numbers another limitwatch process (the live view, ``status``, ``export``)
    left in the shared usage cache for this account, when fetched in the last 30 minutes;
    windows that have reset since are left out. Reads Claude Code's sign-in only to name the
    cache (never sends it: the status line makes no call)."""
    from tui.sources.credentials import CredentialStore
    from tui.sources.oauth.cache import UsageCache

    env = {k: v for k, v in os.environ.items() if k != "CLAUDE_CONFIG_DIR"}
    if folder is not None:
        env["CLAUDE_CONFIG_DIR"] = str(folder)
    # The feed's folder decides whose sign-in it is (not the config's own claude_config_dir).
    creds = CredentialStore(Config(), clock=clock, env=env).oauth()
    if creds is None:
        return {}
    entry = UsageCache(creds.account_key, clock=clock).read()
    now = clock.now()
    if entry is None or entry.fetched_at is None:
        return {}
    if not timedelta(0) <= now - entry.fetched_at < RECENT_NUMBERS:
        return {}
    windows, _extra = entry.values()
    return {
        w.id: w
        for w in windows
        if w.used_percent is not None and (w.resets_at is None or w.resets_at > now)
    }


def _record_history(config: Config, clock: Clock, windows: Any, account: str) -> None:
    try:
        from tui.core.history import History

        history = History(
            paths.history_db(), retention_days=config.history.retention_days, clock=clock
        )
        try:
            history.record(windows, account=account)
        finally:
            history.close()
    except Exception:
        pass  # the status line must print even when the history file is unusable


def claude_dir_of_feed(data: Any, env: Mapping[str, str]) -> Path | None:
    """The Claude Code folder of the account Claude Code runs as: the ``CLAUDE_CONFIG_DIR`` it
    passes to this command (the first of a list), else the folder of the ``transcript_path`` it
    sends (``<folder>/projects/<project>/<session>.jsonl``); None: the default folder."""
    configured = env.get("CLAUDE_CONFIG_DIR", "").split(",")[0].strip()
    if configured:
        return Path(configured).expanduser()
    transcript = data.get("transcript_path") if isinstance(data, dict) else None
    if isinstance(transcript, str) and transcript:
        parts = Path(transcript).expanduser().parents
        if len(parts) >= 3 and parts[1].name == "projects":
            return parts[2]
    return None


def _recent_error(now: datetime, folder: Path | None) -> Classification | None:
    """The last error of the last hour: the one limitwatch classified last, or a newer one
    Claude Code wrote to the account's transcripts (read from the ends of the recent files)."""
    from tui.core.last_error import read_last_error
    from tui.sources.transcripts.latest import latest_error, transcript_roots

    error = read_last_error(paths.last_error_file(folder))
    since = now - STATUSLINE_ERROR_RECENT
    if error is not None and error.observed_at < since:
        error = None
    roots = transcript_roots(str(folder) if folder is not None else None)
    row = latest_error(roots, now, since=since)
    if row is not None and (error is None or row.observed_at > error.observed_at):
        from tui.explain import classify

        return classify(row, now=now, source="transcripts")
    return error
