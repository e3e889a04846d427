"""limitwatch statusline: Claude Code's status line command."""

from __future__ import annotations

import io
import json
from argparse import Namespace
from datetime import UTC, datetime, timedelta

from tui.cli.statusline import NEUTRAL_LINE, run_statusline
from tui.clock import ManualClock
from tui.sources import statusline

NOW = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)


def _feed(five: float | None = 33.0, seven: float | None = 12.5) -> dict[str, object]:
    limits: dict[str, object] = {}
    if five is not None:
        limits["five_hour"] = {
            "used_percentage": five,
            "resets_at": int((NOW + timedelta(hours=2, minutes=13)).timestamp()),
        }
    if seven is not None:
        limits["seven_day"] = {
            "used_percentage": seven,
            "resets_at": int((NOW + timedelta(days=3)).timestamp()),
        }
    return {
        "session_id": "abc",
        "model": {"id": "claude-opus-4-5", "display_name": "Opus 4.5"},
        "workspace": {"current_dir": "/home/u/project"},
        "rate_limits": limits,
    }


def _run(stdin_text: str, **kwargs: object) -> tuple[int, str]:
    out = io.StringIO()
    args = Namespace(config=None, format=kwargs.get("format"))
    code = run_statusline(args, clock=ManualClock(NOW), stdin=io.StringIO(stdin_text), out=out)
    return code, out.getvalue()


def test_real_looking_feed_prints_one_line_with_model_and_both_windows() -> None:
    code, out = _run(json.dumps(_feed()))
    assert code == 0
    assert out.count("\n") == 1
    assert "Opus 4.5" in out
    assert "5h 33%" in out
    assert "7d 12%" in out or "7d 13%" in out


def test_feed_is_recorded_for_the_tui(isolated_paths) -> None:
    _run(json.dumps(_feed(five=40.0)))
    recorded = statusline.read_recorded()
    assert recorded is not None
    five = {w.id: w for w in recorded.windows}["five_hour"]
    assert five.used_percent == 40.0
    assert five.source == "statusline"
    assert five.resets_at == NOW + timedelta(hours=2, minutes=13)


def test_garbage_stdin_prints_a_neutral_line_and_exits_zero() -> None:
    code, out = _run("this is {not json")
    assert code == 0
    assert out == NEUTRAL_LINE + "\n"


def test_empty_stdin_prints_a_neutral_line_and_exits_zero() -> None:
    code, out = _run("")
    assert (code, out) == (0, NEUTRAL_LINE + "\n")


def test_feed_without_rate_limits_still_names_the_model() -> None:
    feed = _feed()
    del feed["rate_limits"]
    code, out = _run(json.dumps(feed))
    assert code == 0
    assert "Opus 4.5" in out
    assert "5h —" in out


def test_glitched_percentage_is_dropped() -> None:
    feed = _feed(five=1755615600.0)
    code, out = _run(json.dumps(feed))
    assert code == 0
    assert "1755615600" not in out
    assert "5h —" in out


def test_custom_format() -> None:
    _code, out = _run(json.dumps(_feed()), format="{five_hour}|{five_hour_reset}")
    assert out.strip() == "33%|2h 13m"


def test_broken_config_does_not_break_claude_codes_screen(isolated_paths) -> None:
    isolated_paths.config_file.write_text("[thresholds\nwarning = 1\n")
    code, out = _run(json.dumps(_feed()))
    assert code == 0
    assert "config" in out
    assert out.count("\n") == 1


def test_parse_feed_tolerates_any_shape() -> None:
    for data in (None, [], "x", 5, {"rate_limits": []}, {"rate_limits": {"five_hour": 3}}):
        feed = statusline.parse_feed(data, NOW)
        assert feed.windows == ()


def _cache_for_the_sign_in(isolated_paths, fetched_at: datetime, five: float = 41.0) -> None:
    """What the live view or `status` leaves in the shared usage cache for the user."""
    from tests.test_status import _login
    from tui.config import Config
    from tui.sources.credentials import CredentialStore
    from tui.sources.oauth.cache import CacheEntry, UsageCache

    _login(isolated_paths)
    creds = CredentialStore(Config(), clock=ManualClock(NOW)).oauth()
    assert creds is not None
    payload = {
        "five_hour": {"utilization": five, "resets_at": (NOW + timedelta(hours=1)).isoformat()},
        "seven_day": {"utilization": 17.0, "resets_at": (NOW - timedelta(minutes=1)).isoformat()},
    }
    UsageCache(creds.account_key, clock=ManualClock(NOW)).write(
        CacheEntry(payload=payload, fetched_at=fetched_at, next_allowed_at=None)
    )


def test_without_rate_limits_the_shared_usage_cache_gives_the_numbers(isolated_paths) -> None:
    _cache_for_the_sign_in(isolated_paths, NOW - timedelta(minutes=4))
    feed = _feed()
    del feed["rate_limits"]
    code, out = _run(json.dumps(feed))
    assert code == 0
    assert "5h 41%" in out  # the official number limitwatch fetched 4 minutes ago
    assert "7d —" in out  # that window has reset since: its old number is not shown


def test_numbers_older_than_half_an_hour_are_not_shown(isolated_paths) -> None:
    _cache_for_the_sign_in(isolated_paths, NOW - timedelta(minutes=31))
    feed = _feed()
    del feed["rate_limits"]
    code, out = _run(json.dumps(feed))
    assert (code, "5h —" in out) == (0, True)


def test_the_feed_wins_over_the_cache(isolated_paths) -> None:
    _cache_for_the_sign_in(isolated_paths, NOW - timedelta(minutes=4))
    _code, out = _run(json.dumps(_feed(five=33.0)))
    assert "5h 33%" in out
