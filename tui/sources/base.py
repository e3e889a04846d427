"""The one shape every source has (network, local files and the status line feed alike), so
the monitor drives them all the same way: ask when it is due, fetch, fold the result in."""

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
