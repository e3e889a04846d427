"""The shape every network source has, so the monitor can drive them alike."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from tui.models import SourceResult, SourceState

if TYPE_CHECKING:
    import httpx


class Source(Protocol):
    id: str

    def state(self) -> SourceState:
        """The current state (ok / stale / error / disabled / unavailable) and next attempt."""
        ...

    def is_due(self, now: datetime) -> bool:
        """True when the polling policy allows a call now."""
        ...

    def next_attempt_at(self) -> datetime | None:
        """When the next call is allowed (None: not scheduled, e.g. disabled)."""
        ...

    def manual_allowed(self, now: datetime) -> tuple[bool, datetime | None]:
        """A fetch by hand now: (True, None), or (False, when it will be allowed / None)."""
        ...

    async def fetch(self, client: httpx.AsyncClient, *, manual: bool = False) -> SourceResult:
        """One call. Never raises for anything the network sends: errors become the result."""
        ...
