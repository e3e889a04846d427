"""The bench's one table: figure | limitwatch | comparison | target | verdict."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

OK = "ok"
MISSED = "MISSED"
NO_TARGET = "-"
ERROR = "ERROR"

HEADERS = ("figure", "limitwatch", "comparison", "target", "verdict")


@dataclass(frozen=True)
class Row:
    figure: str
    ours: str
    comparison: str
    target: str
    verdict: str

    def cells(self) -> tuple[str, str, str, str, str]:
        return (self.figure, self.ours, self.comparison, self.target, self.verdict)


def verdict(met: bool | None) -> str:
    if met is None:
        return NO_TARGET
    return OK if met else MISSED


def median(values: Iterable[float]) -> float:
    items = list(values)
    return statistics.median(items) if items else float("nan")


def render(rows: Sequence[Row]) -> str:
    """A plain-text table (also valid Markdown, for bench/RESULTS.md)."""
    widths = [len(h) for h in HEADERS]
    for row in rows:
        for i, cell in enumerate(row.cells()):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [line(HEADERS), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out.extend(line(row.cells()) for row in rows)
    return "\n".join(out)


def mb(value: float) -> str:
    return f"{value:.1f} MB"


def pct(value: float) -> str:
    return f"{value:.2f}%"


def secs(value: float) -> str:
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"
