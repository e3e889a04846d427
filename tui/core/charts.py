"""What the history charts show, as plain values: pure, no Textual.

``window_series`` cuts a window's stored readings into instances (a reset starts a new one),
keeps the current and previous ones, and adds the thresholds, the burn rate over the last hour
and the estimator's running error. ``block_bars`` turns the transcripts' five-hour blocks into
tokens per model family. The widgets only draw these.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from tui.core.estimate import FAMILIES, model_family

# Instance and WindowSeries are plain data kept in tui.models, so that a Snapshot can carry one.
from tui.models import LEVEL_ORDER, WindowView, window_label
from tui.models import Instance as Instance
from tui.models import WindowSeries as WindowSeries
from tui.record import record

SAME_RESET_SECONDS = 600.0  # reset times closer than this belong to one instance
DROP_IS_RESET = 2.0  # a fall of more points than this is a reset even without reset times
BURN_SPAN = timedelta(hours=1)


class Reading(Protocol):
    """A stored reading (``tui.core.history.Sample`` is one)."""

    @property
    def at(self) -> datetime: ...
    @property
    def used_percent(self) -> float: ...
    @property
    def resets_at(self) -> datetime | None: ...


class Block(Protocol):
    """A five-hour block of transcript usage (``UsageBlock`` of the transcripts source)."""

    @property
    def start(self) -> datetime: ...
    @property
    def tokens_by_model(self) -> tuple[tuple[str, int, int, int, int], ...]: ...
    @property
    def active(self) -> bool: ...


@record
class BlockBar:
    start: datetime
    tokens: tuple[tuple[str, int], ...]  # (family, tokens) in FAMILIES order
    active: bool

    @property
    def total(self) -> int:
        return sum(n for _, n in self.tokens)


def _new_instance(last: Reading, reading: Reading) -> bool:
    if reading.used_percent < last.used_percent - DROP_IS_RESET:
        return True
    if last.resets_at is not None and reading.at >= last.resets_at:
        return True
    if last.resets_at is None or reading.resets_at is None:
        return False
    return abs((reading.resets_at - last.resets_at).total_seconds()) > SAME_RESET_SECONDS


def split_instances(readings: Iterable[Reading]) -> list[Instance]:
    """Readings (oldest first) cut into window instances."""
    groups: list[list[Reading]] = []
    for reading in readings:
        if groups and not _new_instance(groups[-1][-1], reading):
            groups[-1].append(reading)
        else:
            groups.append([reading])
    return [
        Instance(
            points=tuple([(r.at, r.used_percent) for r in group]),  # see estimate._delta
            resets_at=next((r.resets_at for r in reversed(group) if r.resets_at), None),
        )
        for group in groups
    ]


def burn_rate(instance: Instance, now: datetime, span: timedelta = BURN_SPAN) -> float | None:
    """Points per hour over the last ``span`` of the instance; None with less than two
    readings in it, or when it has ended."""
    if instance.resets_at is not None and now >= instance.resets_at:
        return None
    recent = [(at, pct) for at, pct in instance.points if now - span <= at <= now]
    if len(recent) < 2:
        return None
    hours = (recent[-1][0] - recent[0][0]).total_seconds() / 3600
    if hours <= 0:
        return None
    return max(0.0, (recent[-1][1] - recent[0][1]) / hours)


def window_series(
    window_id: str,
    readings: Sequence[Reading],
    *,
    now: datetime,
    warning: float,
    critical: float,
    running_error: float | None = None,
    keep: int = 2,
) -> WindowSeries:
    """The current and ``keep - 1`` previous instances of a window, ready to draw."""
    instances = split_instances(sorted(readings, key=lambda r: r.at))[-keep:]
    burn = burn_rate(instances[-1], now) if instances else None
    return WindowSeries(
        window_id=window_id,
        label=window_label(window_id),
        instances=tuple(instances),
        warning=warning,
        critical=critical,
        burn_per_hour=burn,
        running_error=running_error,
    )


def block_bars(blocks: Iterable[Block]) -> list[BlockBar]:
    """Tokens per model family in each block (all four kinds counted), oldest first."""
    bars = []
    for block in blocks:
        sums = dict.fromkeys(FAMILIES, 0)
        for model, *kinds in block.tokens_by_model:
            sums[model_family(model)] += sum(kinds)
        bars.append(BlockBar(block.start, tuple(sums.items()), block.active))
    return bars


def tokens_per_hour(bar: BlockBar, now: datetime) -> float | None:
    """The burn rate of the block still open at ``now``, in tokens per hour."""
    hours = (now - bar.start).total_seconds() / 3600
    if not bar.active or hours <= 0:
        return None
    return bar.total / hours


def most_constrained(views: Iterable[WindowView]) -> str | None:
    """The window to chart when there is room for one: the highest level, then the highest
    percentage (the estimate's when there is one); None when no window has a number."""
    best: tuple[int, float] | None = None
    chosen: str | None = None
    for view in views:
        used = view.estimate.used_percent if view.estimate else view.window.used_percent
        if used is None:
            continue
        key = (LEVEL_ORDER.get(view.level, 0), used)
        if best is None or key > best:
            best, chosen = key, view.window.id
    return chosen
