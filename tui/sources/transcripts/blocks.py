"""Token usage per hour, and the five-hour blocks built from those hours.

A response is counted once (message id + request id: one response spans several rows, and
resumed sessions copy old rows), in the hour it was written. Only hours inside the retention
window are kept, each with the ids seen in it, so memory stays bounded; the running totals
per model and kind of token are kept apart and never decrease when old hours are pruned.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when blocks are built: a scanning helper process stays lean
    from tui.models import UsageBlock

HOUR = 3600
BLOCK_SECONDS = 5 * HOUR
TOKEN_KINDS = ("input", "output", "cache_creation", "cache_read")

# (hour start, first entry, last entry, entries, tokens by model), for building blocks
HourRow = tuple[int, float, float, int, dict[str, list[int]]]


class Hour:
    """One hour's usage: tokens by model, entries, first and last entry, ids counted."""

    __slots__ = ("entries", "first", "last", "models", "seen")

    def __init__(self) -> None:
        self.models: dict[str, list[int]] = {}
        self.entries = 0
        self.first = float("inf")
        self.last = float("-inf")
        self.seen: set[int] = set()


class Hours:
    """Usage counted per hour (not thread-safe: the reader holds its lock around it)."""

    def __init__(self) -> None:
        self.hours: dict[int, Hour] = {}
        self.totals: dict[str, list[int]] = {}  # since the start: model -> four counts

    def add(
        self,
        ids: tuple[str, str] | None,
        when: float,
        model: str,
        counts: tuple[int, int, int, int],
    ) -> bool:
        """Count one response once (message id + request id), in its hour."""
        hour_key = int(when // HOUR) * HOUR
        bucket = self.hours.get(hour_key)
        if bucket is None:
            bucket = self.hours[hour_key] = Hour()
        if ids is not None:
            key = hash(ids)
            if key in bucket.seen:
                return False
            before = self.hours.get(hour_key - HOUR)
            if before is not None and key in before.seen:
                return False
            bucket.seen.add(key)
        acc = bucket.models.get(model)
        if acc is None:
            acc = bucket.models[model] = [0, 0, 0, 0]
        total = self.totals.get(model)
        if total is None:
            total = self.totals[model] = [0, 0, 0, 0]
        a, b, c, d = counts  # unrolled: this runs once per response of a first scan
        acc[0] += a
        acc[1] += b
        acc[2] += c
        acc[3] += d
        total[0] += a
        total[1] += b
        total[2] += c
        total[3] += d
        bucket.entries += 1
        if when < bucket.first:
            bucket.first = when
        if when > bucket.last:
            bucket.last = when
        return True

    def add_many(
        self,
        entries: Iterable[tuple[tuple[str, str] | None, float, str, tuple[int, int, int, int]]],
    ) -> int:
        """``add`` for each entry (ids, time, model, counts), in order; how many counted."""
        add = self.add
        return sum(1 for ids, when, model, counts in entries if add(ids, when, model, counts))

    def prune(self, cut: float) -> None:
        """Forget the hours that ended before ``cut`` (the totals keep what they counted)."""
        for hour_key in [h for h in self.hours if h + HOUR <= cut]:
            del self.hours[hour_key]

    def rows(self) -> list[HourRow]:
        """A copy of the hours with entries, oldest first (take it under the reader's lock)."""
        hours = sorted((k, v) for k, v in self.hours.items() if v.entries)
        return [(k, v.first, v.last, v.entries, dict(v.models)) for k, v in hours]

    def token_totals(self) -> tuple[tuple[str, str, int], ...]:
        """(model, kind, tokens) since the start, by model then kind."""
        return tuple(
            (model, kind, counts[i])
            for model, counts in sorted(self.totals.items())
            for i, kind in enumerate(TOKEN_KINDS)
        )


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
