"""Token usage per hour: each response counted once, in the hour it was written.

A response is counted once (message id + request id: one response spans several rows, and
resumed sessions copy old rows). Only hours inside the retention window are kept, each with
the ids counted in it, so memory stays bounded: after a scan those ids are packed, 8 bytes
each in one array per hour, so that a large first scan leaves no object per response behind
(scattered, such objects would keep the allocator's memory of the whole scan). The running
totals per model and kind of token are kept apart and never decrease when old hours are
pruned. Hours counted by a helper process of the first scan are taken in whole (``merge``).
"""

from __future__ import annotations

import marshal
from bisect import bisect_left
from itertools import chain

# Not typing's: a helper process of the first scan starts without importing typing.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

HOUR = 3600
TOKEN_KINDS = ("input", "output", "cache_creation", "cache_read")

# (hour start, first entry, last entry, entries, tokens by model), for building blocks
HourRow = tuple[int, float, float, int, dict[str, list[int]]]
# One response counted: (message id, request id) or None, time (epoch s), model, the four counts
Entry = tuple[tuple[str, str] | None, float, str, tuple[int, int, int, int]]
# One hour as a helper process counted it: (hour start, first entry, last entry, entries,
# tokens by model, the ids of its entries that have them, and its entries in the order they
# were counted: both marshalled, the entries read only where a response was counted on both
# sides)
HourPart = tuple[int, float, float, int, dict[str, list[int]], bytes, bytes]
_NO_KEYS: Sequence[int] = ()


def _packed_has(packed: Sequence[int], key: int) -> bool:
    i = bisect_left(packed, key)
    return i < len(packed) and packed[i] == key


class Hour:
    """One hour's usage: tokens by model, entries, first and last entry, the hashes of the
    ids counted (those of the current scan in a set, the others packed, sorted)."""

    __slots__ = ("entries", "first", "last", "models", "packed", "rows", "seen")

    def __init__(self, rows: list[Entry] | None = None) -> None:
        self.models: dict[str, list[int]] = {}
        self.entries = 0
        self.first = float("inf")
        self.last = float("-inf")
        self.seen: set[int] = set()  # counted since the last pack
        self.packed: Sequence[int] = _NO_KEYS  # sorted, 8 bytes each
        self.rows = rows  # in a helper process: every entry counted, for the scanning process

    def has(self, key: int) -> bool:
        return key in self.seen or (bool(self.packed) and _packed_has(self.packed, key))

    def pack(self) -> None:
        if self.seen:
            from array import array  # not at the top: array imports collections (a helper's start)

            self.packed = array("q", sorted(chain(self.packed, self.seen)))
            self.seen = set()


class Hours:
    """Usage counted per hour (not thread-safe: the reader holds its lock around it)."""

    def __init__(self, *, keep_rows: bool = False) -> None:
        self.hours: dict[int, Hour] = {}
        self.totals: dict[str, list[int]] = {}  # since the start: model -> four counts
        self.keep_rows = keep_rows  # a helper process: each hour keeps its entries (``parts``)

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
            bucket = self.hours[hour_key] = Hour([] if self.keep_rows else None)
        if ids is not None:
            key = hash(ids)
            if bucket.has(key):
                return False
            before = self.hours.get(hour_key - HOUR)
            if before is not None and before.has(key):
                return False
            bucket.seen.add(key)
        if bucket.rows is not None:
            bucket.rows.append((ids, when, model, counts))
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

    def add_many(self, entries: Iterable[Entry]) -> int:
        """``add`` for each entry (ids, time, model, counts), in order; how many counted."""
        add = self.add
        return sum(1 for ids, when, model, counts in entries if add(ids, when, model, counts))

    def parts(self) -> list[HourPart]:
        """The hours counted since the last call, for ``merge`` in another process (a
        helper's: ``keep_rows``), which takes its answer in pieces as it goes. Each hour's
        counts then start again; its ids stay, so a response counted before still counts
        once."""
        parts: list[HourPart] = []
        for key, h in self.hours.items():
            if not h.entries:
                continue
            rows = h.rows or []
            ids = marshal.dumps([e[0] for e in rows if e[0] is not None])
            parts.append((key, h.first, h.last, h.entries, h.models, ids, marshal.dumps(rows)))
            h.models, h.entries, h.first, h.last = {}, 0, float("inf"), float("-inf")
            if h.rows is not None:
                h.rows = []
        return parts

    def merge(self, parts: list[HourPart]) -> int:
        """Take in the hours a helper process counted as ``add_many`` of the entries it
        counted, in its order, would; how many entries counted.

        That process counted each response once already, so an entry is dropped here exactly
        when its ids were counted here before this merge, in its hour or the hour before (an
        earlier entry of the same process with those ids in either hour was dropped there).
        An hour without such an entry is added whole; the others entry by entry. The ids
        taken in join this scan's, packed with them when the scan ends (``pack``): a helper's
        answer comes in a piece per batch, and packing each would sort an hour's ids again and
        again."""
        hours = self.hours
        plan: list[tuple[HourPart, set[int], set[int]]] = []
        for part in parts:  # what is dropped, against this process's hours before the merge
            keys = set(map(hash, marshal.loads(part[5])))
            dropped: set[int] = set()
            for near in (hours.get(part[0]), hours.get(part[0] - HOUR)):
                if near is not None and keys:
                    dropped |= keys & near.seen
                    if near.packed:
                        dropped.update(k for k in keys if _packed_has(near.packed, k))
            plan.append((part, keys, dropped))
        counted = 0
        for (hour_key, first, last, entries_n, models, _, rows), keys, dropped in plan:
            bucket = hours.get(hour_key)
            if bucket is None:
                bucket = hours[hour_key] = Hour()
            if dropped:
                entries: list[Entry] = marshal.loads(rows)
                for ids, when, model, counts in entries:
                    if ids is None or hash(ids) not in dropped:
                        self._count(bucket, model, counts)
                        bucket.entries += 1
                        bucket.first = min(bucket.first, when)
                        bucket.last = max(bucket.last, when)
                        counted += 1
                keys -= dropped
            else:
                for model, sums in models.items():
                    self._count(bucket, model, sums)
                if entries_n:
                    bucket.entries += entries_n
                    bucket.first = min(bucket.first, first)
                    bucket.last = max(bucket.last, last)
                counted += entries_n
            bucket.seen |= keys
        return counted

    def _count(self, bucket: Hour, model: str, counts: Sequence[int]) -> None:
        for acc in (bucket.models, self.totals):
            mine = acc.get(model)
            if mine is None:
                mine = acc[model] = [0, 0, 0, 0]
            for i in range(4):
                mine[i] += counts[i]

    def pack(self) -> None:
        """Pack the ids counted since the last pack (after each scan)."""
        for hour in self.hours.values():
            hour.pack()

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
