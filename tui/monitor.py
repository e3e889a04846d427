"""The poll loop's core, shared by the TUI, ``status`` and the benchmarks.

It owns the sources, runs the ones that are due (one fetch per source at a time), keeps the
last good values, classifies errors, records history, evaluates alerts and produces one
frozen ``Snapshot``. It never imports Textual.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tui.models import Snapshot


class MonitorLike(Protocol):
    """What the TUI needs from the monitor (tests may supply a fake)."""

    @property
    def paused(self) -> bool: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def snapshot(self) -> Snapshot:
        """The latest snapshot, without any I/O."""
        ...

    def next_wakeup(self) -> datetime | None:
        """The earliest time any source is due (None: nothing scheduled)."""
        ...

    async def poll(self) -> Snapshot:
        """Fetch every source that is due now; returns the new snapshot. Never raises."""
        ...

    async def refresh_usage(self) -> tuple[bool, datetime | None]:
        """Manual usage refresh ('u'): (done, None) or (False, when it will be allowed)."""
        ...

    async def reprobe(self) -> tuple[bool, datetime | None]:
        """Manual probe ('r'): (done, None) or (False, when it will be allowed / None if off)."""
        ...

    async def aclose(self) -> None: ...
