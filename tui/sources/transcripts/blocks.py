"""The five-hour blocks built from the usage counted per hour (``hours.py``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from tui.sources.transcripts.hours import HOUR, HourRow

if TYPE_CHECKING:  # imported when blocks are built: a scanning helper process stays lean
    from tui.models import UsageBlock

BLOCK_SECONDS = 5 * HOUR


def build_blocks(rows: list[HourRow], now: float, limit: int) -> tuple[UsageBlock, ...]:
    """Five-hour blocks, oldest first, at most ``limit``.

    A block starts at its first entry's hour; an entry 5 h or more after the block start,
    or more than 5 h after the previous entry, starts a new block.
    """
    blocks: list[UsageBlock] = []
    current: list[HourRow] = []
    for item in rows:
        if current:
            start = current[0][0]
            if item[0] >= start + BLOCK_SECONDS or item[1] - current[-1][2] > BLOCK_SECONDS:
                blocks.append(_block(current, now))
                current = []
        current.append(item)
    if current:
        blocks.append(_block(current, now))
    return tuple(blocks[-limit:])


def _block(items: list[HourRow], now: float) -> UsageBlock:
    from tui.models import UsageBlock

    start = items[0][0]
    last = max(i[2] for i in items)
    per_model: dict[str, list[int]] = {}
    entries = 0
    for _, _, _, count, models in items:
        entries += count
        for model, counts in models.items():
            acc = per_model.setdefault(model, [0, 0, 0, 0])
            for i in range(4):
                acc[i] += counts[i]
    rows = sorted(
        ((m, c[0], c[1], c[2], c[3]) for m, c in per_model.items()),
        key=lambda r: -(r[1] + r[2] + r[3] + r[4]),
    )
    total = sum(r[1] + r[2] + r[3] + r[4] for r in rows)
    end = start + BLOCK_SECONDS
    return UsageBlock(
        start=datetime.fromtimestamp(start, UTC),
        end=datetime.fromtimestamp(end, UTC),
        last_entry_at=datetime.fromtimestamp(last, UTC),
        tokens_by_model=tuple(rows),
        total_tokens=total,
        entries=entries,
        active=now < end and now - last < BLOCK_SECONDS,
    )
