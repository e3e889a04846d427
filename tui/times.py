"""Reset and retry times, from headers and from the words Claude Code prints.

Pure functions; every one returns None rather than raising on input it does not understand.

Wordings handled (every era of Claude Code):
    ``Claude AI usage limit reached|1755615600``            pipe and epoch seconds (or ms)
    ``5-hour limit reached ∙ resets 5am``                    time of day, no zone
    ``You've hit your session limit · resets 12:50am (America/Los_Angeles)``
    ``Your limit will reset at 5pm (America/New_York)``     older banner
    ``resets Oct 9, 5pm (Europe/Berlin)`` / ``resets Oct 9 at 5pm``   with a date
A time without a date is the next such time in that zone, after the reference moment.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo

from tui.patterns import lazy

_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for m in names
}

_PIPE_EPOCH = lazy(r"\|\s*(\d{9,13})\b")
_RESET_WORD = lazy(r"\breset(?:s|ting)?\b(?:\s+(?:at|on|in))?\s+", re.IGNORECASE)
_DATE = lazy(r"(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s*(?:at\s+)?")
_TIME = lazy(
    r"(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?(?![\w:])",
    re.IGNORECASE,
)
_ZONE = lazy(r"\s*\(\s*(?P<zone>[A-Za-z_]+(?:/[A-Za-z0-9_+\-]+)*|UTC|GMT)\s*\)")
_ISO = lazy(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?")
_REGAIN = lazy(r"regain access on\s+(?P<when>[^.\n]+?)(?:\.\s|\.$|$|\n)", re.IGNORECASE)


def aware(dt: datetime) -> datetime:
    """``dt`` as an aware datetime (naive values are taken as UTC)."""
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def from_epoch(value: object) -> datetime | None:
    """Epoch seconds (or milliseconds, when the number is that big) as aware UTC."""
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    if number != number or number <= 0:  # NaN or not a time
        return None
    if number > 1e11:  # milliseconds
        number /= 1000.0
    try:
        return datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def parse_retry_after(value: object, now: datetime) -> datetime | None:
    """``Retry-After``: delta seconds or an HTTP date. ``0``, negative or garbage give None."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = None
    if seconds is not None:
        if not seconds > 0 or seconds > 10 * 365 * 86400:
            return None
        return aware(now) + timedelta(seconds=seconds)
    from email.utils import parsedate_to_datetime  # HTTP dates are rare: import on use

    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    return aware(when).astimezone(UTC)


def parse_rfc3339(value: object) -> datetime | None:
    """RFC 3339 with or without fractions (any number of digits), ``Z``/``z`` or an offset."""
    text = str(value).strip().upper() if value is not None else ""
    if not text:
        return None
    try:
        return aware(datetime.fromisoformat(text.replace("Z", "+00:00"))).astimezone(UTC)
    except ValueError:
        return None


def parse_reset_header(value: object) -> datetime | None:
    """A reset header: epoch seconds (unified) or RFC 3339 (API-key limits)."""
    return from_epoch(value) or parse_rfc3339(value)


def _zone(name: str | None, fallback: tzinfo | None) -> tzinfo:
    if name:
        if name.upper() in ("UTC", "GMT"):
            return UTC
        from zoneinfo import ZoneInfo  # only for a named zone: its import reads sysconfig (3 ms)

        try:
            return ZoneInfo(name)
        except (ValueError, KeyError, OSError):
            pass
    return fallback if fallback is not None else UTC


def _hour24(hour: int, ampm: str | None) -> int | None:
    if ampm:
        if not 1 <= hour <= 12:
            return None
        pm = ampm.lower().startswith("p")
        return (hour % 12) + (12 if pm else 0)
    return hour if 0 <= hour <= 23 else None


def _local(day: date, hour: int, minute: int, zone: tzinfo) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(UTC)


def next_time_of_day(hour: int, minute: int, zone: tzinfo, after: datetime) -> datetime:
    """The first moment at ``hour:minute`` in ``zone`` that is later than ``after``."""
    local_day = aware(after).astimezone(zone).date()
    for offset in range(0, 3):
        candidate = _local(local_day + timedelta(days=offset), hour, minute, zone)
        if candidate > aware(after):
            return candidate
    return _local(local_day + timedelta(days=1), hour, minute, zone)  # pragma: no cover


def parse_reset_text(text: str, after: datetime, tz: tzinfo | None = None) -> datetime | None:
    """The reset time a Claude Code message names, or None.

    ``after`` is when the message was shown; ``tz`` is the zone for times printed without one.
    """
    try:
        return _parse_reset_text(text, aware(after), tz)
    except (ValueError, OverflowError, TypeError):
        return None


def _parse_reset_text(text: str, after: datetime, tz: tzinfo | None) -> datetime | None:
    pipe = _PIPE_EPOCH.search(text)
    if pipe:
        return from_epoch(pipe.group(1))
    regain = _REGAIN.search(text)
    if regain:
        return _parse_free_date(regain.group("when"), after, tz)
    for word in _RESET_WORD.finditer(text):
        rest = text[word.end() :]
        when = _parse_when(rest, after, tz)
        if when is not None:
            return when
    return None


def _parse_when(rest: str, after: datetime, tz: tzinfo | None) -> datetime | None:
    day: tuple[int, int] | None = None
    dmatch = _DATE.match(rest)
    if dmatch and dmatch.group("mon").lower() in _MONTHS:
        day = (_MONTHS[dmatch.group("mon").lower()], int(dmatch.group("day")))
        rest = rest[dmatch.end() :]
    tmatch = _TIME.match(rest)
    if not tmatch:
        return None
    if tmatch.group("m") is None and tmatch.group("ampm") is None:
        return None  # a bare number is not a time ("resets in 5 hours")
    hour = _hour24(int(tmatch.group("h")), tmatch.group("ampm"))
    minute = int(tmatch.group("m") or 0)
    if hour is None or minute > 59:
        return None
    zmatch = _ZONE.match(rest[tmatch.end() :])
    zone = _zone(zmatch.group("zone") if zmatch else None, tz)
    if day is None:
        return next_time_of_day(hour, minute, zone, after)
    return _dated(day, hour, minute, zone, after)


def _dated(day: tuple[int, int], hour: int, minute: int, zone: tzinfo, after: datetime) -> datetime:
    """A month/day without a year: this year's, or next year's when that is long past."""
    year = after.astimezone(zone).year
    for y in (year, year + 1):
        try:
            candidate = _local(date(y, day[0], day[1]), hour, minute, zone)
        except ValueError:
            continue
        if candidate > after - timedelta(days=2):
            return candidate
    raise ValueError("no such date")


def _parse_free_date(text: str, after: datetime, tz: tzinfo | None) -> datetime | None:
    """ "2026-05-01 at 00:00 UTC", "May 1, 2026", an RFC 3339 stamp."""
    text = text.strip().rstrip(".")
    iso = re.search(
        r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?", text
    )
    if iso:
        try:
            when = datetime.fromisoformat(iso.group(0).replace("Z", "+00:00"))
        except ValueError:
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=tz or UTC)
            return when.astimezone(UTC)
    named = re.search(r"([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", text)
    if named and named.group(1).lower() in _MONTHS:
        try:
            day = date(int(named.group(3)), _MONTHS[named.group(1).lower()], int(named.group(2)))
        except ValueError:
            return None
        return _local(day, 0, 0, tz or UTC)
    return None
