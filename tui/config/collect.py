"""Collecting problems while a config is checked: each with its file, line and key, secrets masked.

Keys are dotted paths (``poll.usage_interval``, ``thresholds.seven_day.warning``); the n-th
``[[accounts]]`` table is ``accounts[n]`` (counting from 1), so its keys read
``accounts[2].thresholds.critical``. Line numbers are best effort: None when unsure.
"""

from __future__ import annotations

import re
from pathlib import Path

from tui.config.model import Problem
from tui.patterns import lazy

_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"\\]*"|'[^']*')"""
_DOTTED = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_HEADER_RE = lazy(rf"^\s*\[\s*({_DOTTED})\s*\]\s*(?:#.*)?$")
_ARRAY_HEADER_RE = lazy(rf"^\s*\[\[\s*({_DOTTED})\s*\]\]\s*(?:#.*)?$")
_KEY_RE = lazy(rf"^\s*({_DOTTED})\s*=")


def element_key(array: str, index: int) -> str:
    """The dotted name of an array-of-tables element: ``accounts[1]`` for the first."""
    return f"{array}[{index + 1}]"


def _key_parts(dotted: str) -> list[str]:
    return [p.strip("\"'") for p in re.findall(_KEY_PART, dotted)]


def _with_elements(parts: list[str], arrays: dict[tuple[str, ...], int]) -> list[str]:
    """``["accounts", "thresholds"]`` -> ``["accounts[2]", "thresholds"]`` inside the 2nd."""
    out: list[str] = []
    for i, part in enumerate(parts):
        count = arrays.get(tuple(parts[: i + 1]))
        out.append(element_key(part, count - 1) if count else part)
    return out


def locate(text: str | None, key: str) -> int | None:
    """Best-effort line of a dotted key (a table header or ``key =``); None if unsure."""
    if not text or not key:
        return None
    target = key.split(".")
    table: list[str] = []
    arrays: dict[tuple[str, ...], int] = {}
    in_multiline: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline is not None:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        array = _ARRAY_HEADER_RE.match(line)
        if array:
            parts = _key_parts(array.group(1))
            arrays[tuple(parts)] = arrays.get(tuple(parts), 0) + 1
            table = _with_elements(parts, arrays)
            if table == target:
                return number
            continue
        header = _HEADER_RE.match(line)
        if header:
            table = _with_elements(_key_parts(header.group(1)), arrays)
            if table == target:
                return number
            continue
        assignment = _KEY_RE.match(line)
        if assignment and table + _key_parts(assignment.group(1)) == target:
            return number
        for quote in ('"""', "'''"):
            if line.count(quote) % 2 == 1:
                in_multiline = quote
                break
    return None


_SECRET = lazy(r"sk-[A-Za-z0-9_-]{8,}")


def mask_secrets(text: str) -> str:
    """Replaces anything that looks like an Anthropic key with ``sk-ant-...abcd``."""
    return _SECRET.sub(lambda m: f"{m.group(0)[:7]}...{m.group(0)[-4:]}", text)


class Collector:
    """Every problem found so far, in the order found."""

    def __init__(self, path: Path | None, text: str | None) -> None:
        self.path = path
        self.text = text
        self.problems: list[Problem] = []

    def add(self, key: str, message: str, *, at: str | None = None) -> None:
        """A problem with ``key``; its line is the line of ``at`` (default: ``key``)."""
        line = locate(self.text, key if at is None else at)
        self.problems.append(Problem(self.path, key, mask_secrets(message), line))
