"""The headless commands' view of the transcripts: only the latest error Claude Code showed.

``status`` and ``statusline`` do not scan transcripts; this source reads the ends of the files
written to lately (``latest.latest_error``: a few milliseconds on a gigabyte tree) and hands
the newest error row to the ledger like the live view's scan would: as history, classified
there with the numbers of the moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from tui.models import SourceResult, SourceState
from tui.sources.transcripts.latest import latest_error
from tui.sources.transcripts.tails import TailMemo

if TYPE_CHECKING:
    import httpx

    from tui.clock import Clock

SOURCE_ID = "transcripts"
# As far back as the live view's last error could come from: a day of transcripts.
LOOK_BACK = timedelta(days=1)


class RecentErrorSource:
    """One look at the ends of the recent transcripts per fetch; due once."""

    id = SOURCE_ID

    def __init__(self, roots: Sequence[Path], *, clock: Clock, memo: Path | None = None) -> None:
        self.roots = tuple(roots)
        self._memo_path = memo  # where earlier runs' findings are kept (tails.TailMemo)
        self._clock = clock
        self._looked_at: datetime | None = None
        self._detail = "not looked at yet"

    def state(self) -> SourceState:
        if self._looked_at is None:
            return SourceState(self.id, "stale", detail=self._detail)
        return SourceState(self.id, "ok", last_success_at=self._looked_at, detail=self._detail)

    def next_attempt_at(self) -> datetime | None:
        return None if self._looked_at is not None else self._clock.now()

    def is_due(self, now: datetime) -> bool:
        return self._looked_at is None

    def manual_allowed(self, now: datetime) -> tuple[bool, datetime | None]:
        return True, None

    async def fetch(
        self, client: httpx.AsyncClient | None = None, *, manual: bool = False
    ) -> SourceResult:
        now = self._clock.now()
        memo = TailMemo(self._memo_path) if self._memo_path is not None else None
        found = latest_error(self.roots, now, since=now - LOOK_BACK, memo=memo)
        if memo is not None:
            memo.save()
        self._looked_at = now
        self._detail = (
            "the latest error in the recent transcripts"
            if found is not None
            else "no error in the transcripts of the last day"
        )
        return SourceResult(
            source=self.id,
            state=self.state(),
            transcript_errors=(found,) if found is not None else (),
            history_only=True,
        )
