"""The one shape every source has (network, local files and the status line feed alike), so
the monitor drives them all the same way: ask when it is due, fetch, fold the result in."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from tui.models import SourceResult, SourceState

if TYPE_CHECKING:
    import httpx

    from tui.clock import Clock


class Source(Protocol):
    id: str

    def state(self) -> SourceState:
        """The current state (ok / stale / error / disabled / unavailable) and next attempt."""
        ...

    def next_attempt_at(self) -> datetime | None:
        """When the next call is allowed (None: now, or not scheduled, e.g. disabled)."""
        ...

    def is_due(self, now: datetime) -> bool:
        """True when the polling policy allows a call now."""
        ...

    def manual_allowed(self, now: datetime) -> tuple[bool, datetime | None]:
        """A fetch by hand now: (True, None), or (False, when it will be allowed / None)."""
        ...

    async def fetch(self, client: httpx.AsyncClient, *, manual: bool = False) -> SourceResult:
        """One call (``client`` unused by local sources). Never raises for anything the
        network or a file sends: errors become the result, unclassified."""
        ...


class LocalSchedule:
    """The schedule of a local source (the transcripts, the status line feed): due every
    ``interval`` seconds from its last fetch, and a read by hand is always allowed."""

    interval: float
    _clock: Clock
    _next_at: datetime | None

    def next_attempt_at(self) -> datetime | None:
        return self._next_at

    def is_due(self, now: datetime) -> bool:
        return self._next_at is None or now >= self._next_at

    def manual_allowed(self, now: datetime) -> tuple[bool, datetime | None]:
        """A local read: always allowed."""
        return True, None

    def _schedule_next(self) -> None:
        self._next_at = self._clock.now() + timedelta(seconds=self.interval)
