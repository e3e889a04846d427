"""Time and number formats of the simulated bodies and headers (pure)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime


def at(start: datetime, offset: float) -> datetime:
    return start + timedelta(seconds=offset)


def rfc3339_micro(when: datetime) -> str:
    """``2026-04-11T07:00:00.528743+00:00``: the usage endpoint's format."""
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def rfc3339_z(when: datetime) -> str:
    """``2026-04-11T07:00:00Z``: the rate-limit headers' format."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch(when: datetime) -> int:
    return math.ceil(when.timestamp())


def http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC), usegmt=True)


def num(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


def whole(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 2)
