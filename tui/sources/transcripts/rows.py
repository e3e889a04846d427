"""One transcript row, parsed: JSON, timestamps, token counts, and the error a row carries.

Shared by the incremental reader (``reader.py``) and the quick look for the latest error
(``latest.py``), so both read a row the same way. Text kept from a row is data from outside:
control characters are stripped before it is kept.
"""

from __future__ import annotations

from tui.sources.transcripts.scanner import scan_once

# Not typing's: a helper process of the first scan starts without importing typing.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import UTC, datetime
    from typing import Any

    # imported when an error row is met: a scanning helper process stays lean
    from tui.models import TranscriptError
else:
    try:  # the C module behind datetime: a scanning helper starts without datetime.py
        from _datetime import UTC, datetime
    except ImportError:  # pragma: no cover - an interpreter without it
        from datetime import UTC, datetime

# A row dated further ahead of now than this is not believed (a clock gone wrong, a damaged
# file): it is neither the last error nor counted as usage.
FUTURE_SLACK_S = 24 * 3600
VERSION_MAX = 40  # characters kept of a row's "version"
_EARLIEST = datetime(1970, 1, 2, tzinfo=UTC).timestamp()
_LATEST = datetime(9999, 1, 1, tzinfo=UTC).timestamp()
_INF = float("inf")
_FROM_ISO = datetime.fromisoformat

# C0 controls but tab and newline, DEL, and C1 controls: an escape sequence in a transcript
# must not reach a terminal.
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)])


def clean(text: str) -> str:
    """``text`` without control characters (tab and newline are kept)."""
    if text.isprintable():  # none at all (the usual text): nothing to take out, no lookups
        return text
    return text.translate(_CONTROLS)


def loads(line: bytes | bytearray) -> Any:
    """``json.loads(line)``, a little faster for a well-formed row (most of them): the C
    scanner straight away, with json's own rules (spaces around, errors) for the rest."""
    try:
        text = line.decode()
        row, end = scan_once(text, 0)
        if end == len(text):
            return row
    except (ValueError, StopIteration):
        pass
    import json

    return json.loads(line)


def parse_ts(value: object) -> float | None:
    """Epoch seconds of an ISO 8601 timestamp (``inf`` for one past year 9999), or None.
    (Once per response of a first scan: no call it can do without.)"""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = _FROM_ISO(value)
        stamp = (when if when.tzinfo is not None else when.replace(tzinfo=UTC)).timestamp()
    except (ValueError, OverflowError):
        return None
    # Kept far enough from datetime's ends that any block or window built on it stays in
    # range: a time past the end is "infinitely ahead" (never believed), one before is early.
    if stamp > _LATEST:
        return _INF
    return stamp if stamp > _EARLIEST else _EARLIEST


def positive_int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def version_of(row: dict[str, Any]) -> str | None:
    """The Claude Code version a row was written by (``"version":"2.1.144"``), or None."""
    value = row.get("version")
    if not isinstance(value, str):
        return None
    value = clean(value).strip()[:VERSION_MAX]
    return value or None


def error_text(message: object) -> str:
    if isinstance(message, dict):
        content = message.get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            parts = [
                part["text"]
                for part in content
                if isinstance(part, dict) and isinstance(part.get("text"), str)
            ]
            return "\n".join(parts)
    return ""


def is_error_row(row: object) -> bool:
    """An API error Claude Code showed: ``"isApiErrorMessage": true`` on a row not a user's."""
    return (
        isinstance(row, dict) and row.get("type") != "user" and row.get("isApiErrorMessage") is True
    )


def error_from_row(
    row: dict[str, Any], *, project: str, session: str, when: float | None, now: float
) -> TranscriptError:
    """The TranscriptError of an error row (``is_error_row``), its text cleaned. ``when``: the
    row's time (``parse_ts`` of its timestamp); None takes ``now``."""
    from tui.models import TranscriptError

    sid = row.get("sessionId")
    status = row.get("apiErrorStatus")
    kind = row.get("error")
    return TranscriptError(
        text=clean(error_text(row.get("message"))),
        error=clean(kind) if isinstance(kind, str) else None,
        status=status if isinstance(status, int) and not isinstance(status, bool) else None,
        observed_at=datetime.fromtimestamp(now if when is None else when, UTC),
        project=clean(project),
        session=clean(sid if isinstance(sid, str) and sid else session),
    )
