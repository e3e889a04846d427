"""Injected time. Tests use ``ManualClock``; nothing else calls ``datetime.now`` directly."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware UTC wall time."""
        ...

    def monotonic(self) -> float:
        """Seconds, for measuring intervals."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class ManualClock:
    """A clock that only moves when told to: ``advance(seconds)`` or ``set(dt)``."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 4, 14, 9, 0, tzinfo=UTC)
        self._mono = 1000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._mono += seconds

    def set(self, when: datetime) -> None:
        delta = (when - self._now).total_seconds()
        self._now = when
        self._mono += max(0.0, delta)


class ScaledClock:
    """Real time running ``speed`` times faster from ``start`` (the demo and the simulator)."""

    def __init__(self, speed: float = 1.0, start: datetime | None = None) -> None:
        self.speed = speed
        self._start_wall = start or datetime.now(UTC)
        self._start_mono = time.monotonic()

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._start_mono) * self.speed
        return self._start_wall + timedelta(seconds=elapsed)

    def monotonic(self) -> float:
        return (time.monotonic() - self._start_mono) * self.speed
