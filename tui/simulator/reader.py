"""The value checks every scenario table goes through, collecting problems with their keys.

``Reader`` walks parsed TOML: each check returns the value or None and records a problem named
by its dotted key (``state[2].five_hour.utilization``); unknown keys get a "did you mean" hint.
The table readers (``validate``, ``validate_usage``, ``validate_behavior``) build on it.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from typing import Any

NULL = "null"  # TOML has no null: this string stands for it where a value may be null


def kw(name: str, value: object) -> dict[str, Any]:
    return {name: value}


def join(key: str, sub: str) -> str:
    return f"{key}.{sub}" if key else sub


def show(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)


class Reader:
    """Collects every problem with its key; each check returns the value or None."""

    def __init__(self) -> None:
        self.problems: list[tuple[str | None, str]] = []

    def bad(self, key: str, message: str) -> None:
        self.problems.append((key, message))

    def keys(self, table: Mapping[str, object], key: str, allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        for k in table:
            if k not in allowed:
                hint = difflib.get_close_matches(k, allowed, n=1)
                did = f' (did you mean "{hint[0]}"?)' if hint else ""
                self.bad(join(key, k), f"unknown key{did}")

    def table(self, value: object, key: str) -> Mapping[str, object] | None:
        if isinstance(value, dict):
            return value
        self.bad(key, f"expected a table, got {show(value)}")
        return None

    def number(
        self,
        value: object,
        key: str,
        *,
        lo: float | None = None,
        hi: float | None = None,
        nullable: bool = False,
    ) -> float | None:
        if nullable and value == NULL:
            return None
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and isinstance(value, int | float):
            num = float(value)
            if math.isfinite(num) and (lo is None or num >= lo) and (hi is None or num <= hi):
                return num
        want = "a number"
        if lo is not None and hi is not None:
            want = f"a number from {lo:g} to {hi:g}"
        elif lo is not None:
            want = f"a number of at least {lo:g}"
        if nullable:
            want += ' or "null"'
        self.bad(key, f"expected {want}, got {show(value)}")
        return None

    def integer(self, value: object, key: str, *, lo: int = 0) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool) and value >= lo:
            return value
        self.bad(key, f"expected a whole number of at least {lo}, got {show(value)}")
        return None

    def string(
        self,
        value: object,
        key: str,
        *,
        choices: Iterable[str] | None = None,
        nullable: bool = False,
    ) -> str | None:
        if nullable and value == NULL:
            return None
        if isinstance(value, str) and value:
            options = list(choices) if choices is not None else None
            if options is None or value in options:
                return value
            hint = difflib.get_close_matches(value, options, n=1)
            did = f' (did you mean "{hint[0]}"?)' if hint else ""
            self.bad(key, f"expected one of {', '.join(options)}, got {show(value)}{did}")
            return None
        self.bad(key, f"expected text, got {show(value)}")
        return None

    def boolean(self, value: object, key: str) -> bool | None:
        if isinstance(value, bool):
            return value
        self.bad(key, f"expected true or false, got {show(value)}")
        return None
