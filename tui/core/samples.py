"""What history holds, without the database: one observation of one window (``Sample``, what
the ledger, alerts, projection and the estimate read) and one stored row as ``limitwatch
history`` prints it (``Reading``). Apart from ``core/history.py`` so that the commands that
only read them (``status``, ``statusline``) do not load SQLite."""

from __future__ import annotations

from datetime import datetime

from tui.record import record


@record(slots=True)
class Sample:
    """One recorded observation of one window."""

    at: datetime
    used_percent: float
    resets_at: datetime | None
    source: str


@record(slots=True)
class Reading:
    """One stored row as ``limitwatch history`` prints it."""

    at: datetime
    account: str
    window: str
    used_percent: float
    resets_at: datetime | None
    source: str
