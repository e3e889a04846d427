"""The kinds of value a config key can hold, each with its check and its wording.

A kind turns a raw TOML value into the value the config keeps, or says what is wrong in the
words ``config validate`` prints. Kinds carry their bounds as data, so the template's comments
and the thresholds editor read the same numbers the checks use. Nothing here knows a key name.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

from tui.patterns import lazy
from tui.record import record

MAX_INTERVAL = 86_400  # one day: longer intervals are almost surely a typo

STATUSLINE_PLACEHOLDERS = (
    "model",
    "five_hour",
    "seven_day",
    "five_hour_reset",
    "seven_day_reset",
    "error",
)

Checked = tuple[Any, str | None]
"""(converted value, None) or (None, what is wrong)."""


class Kind(Protocol):
    """Checks one raw TOML value."""

    def check(self, value: object) -> Checked: ...


def describe(value: object) -> str:
    """A raw TOML value as a user reads it in a problem: ``"300" (a string)``."""
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a boolean)"
    if isinstance(value, int):
        return f"{value} (a whole number)"
    if isinstance(value, float):
        return f"{value} (a number with a fraction)"
    if isinstance(value, str):
        return f'"{value}" (a string)'
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return f"a {type(value).__name__}"


def num_text(value: float) -> str:
    """``75`` for 75.0, ``85.5`` for 85.5."""
    return str(int(value)) if float(value).is_integer() else str(value)


def did_you_mean(name: str, choices: Iterable[str], *, template: str = '"{}"') -> str:
    import difflib  # only when a name is wrong

    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {template.format(close[0])}?)" if close else ""


@record
class Number:
    """A finite number (whole or not) from ``lo`` to ``hi``; ``lo_open`` excludes ``lo``."""

    lo: float
    hi: float | None = None
    lo_open: bool = False
    what: str = ""

    def in_range(self, number: float) -> bool:
        too_low = number <= self.lo if self.lo_open else number < self.lo
        return not too_low and (self.hi is None or number <= self.hi)

    def range_text(self) -> str:
        """``0-100``: the bounds as the thresholds editor words them."""
        hi = "" if self.hi is None else num_text(self.hi)
        return f"{num_text(self.lo)}-{hi}"

    def check(self, value: object) -> Checked:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, f"must be a number, got {describe(value)}"
        number = float(value)
        if not math.isfinite(number):
            return None, f"must be a finite number, got {value}"
        if self.in_range(number):
            return number, None
        lo, what = num_text(self.lo), f" {self.what}" if self.what else ""
        if self.lo_open:
            if self.hi is None or number <= self.lo:
                return None, f"must be more than {lo}{what}, got {value}"
            return None, f"must be at most {num_text(self.hi)}{what}, got {value}"
        if self.hi is None:
            return None, f"must be at least {lo}{what}, got {value}"
        return None, f"must be between {lo} and {num_text(self.hi)}{what}, got {value}"


@record
class Integer:
    """A whole number of ``unit`` from ``lo`` to ``hi``."""

    lo: int
    hi: int
    unit: str

    def check(self, value: object) -> Checked:
        if isinstance(value, bool) or not isinstance(value, int):
            got = value if isinstance(value, float) else describe(value)
            return None, f"must be a whole number of {self.unit}, got {got}"
        if value < self.lo:
            return None, f"must be at least {self.lo} {self.unit}, got {value}"
        if value > self.hi:
            return None, f"must be at most {self.hi} {self.unit}, got {value}"
        return value, None


@record
class Boolean:
    def check(self, value: object) -> Checked:
        if isinstance(value, bool):
            return value, None
        return None, f"must be true or false, got {describe(value)}"


@record
class Text:
    """A string with something in it besides blanks."""

    blank_hint: str = " (leave the key out instead)"

    def check(self, value: object) -> Checked:
        if not isinstance(value, str):
            return None, f"must be a string, got {describe(value)}"
        if not value.strip():
            return None, f"must not be empty{self.blank_hint}"
        return value, None


@record
class Name:
    """A short name people type and read (``--account work``): no control characters."""

    longest: int = 64

    def check(self, value: object) -> Checked:
        if not isinstance(value, str):
            return None, f"must be a string, got {describe(value)}"
        if not value.strip():
            return None, "must not be empty"
        if value != value.strip() or any(ord(c) < 32 or ord(c) == 127 for c in value):
            return (
                None,
                f"must not start or end with blanks or hold control characters, got {value!r}",
            )
        if len(value) > self.longest:
            return None, f"must be at most {self.longest} characters, got {len(value)}"
        return value, None


_ENV_NAME = lazy(r"[A-Za-z_][A-Za-z0-9_]*")


@record
class EnvName:
    """The name of an environment variable (never the secret it holds)."""

    def check(self, value: object) -> Checked:
        if not isinstance(value, str):
            return None, f"must be the name of an environment variable, got {describe(value)}"
        if not _ENV_NAME.fullmatch(value):
            return None, (
                "must be the name of an environment variable (letters, digits and _, "
                f'not starting with a digit), got "{value}"; put the key itself in that variable'
            )
        return value, None


@record
class Url:
    """An http:// or https:// URL with a host."""

    def check(self, value: object) -> Checked:
        if not isinstance(value, str):
            return None, f"must be an http:// or https:// URL, got {describe(value)}"
        try:
            parts = urlsplit(value)
            _ = parts.port  # raises ValueError for a port that is not a number
        except ValueError:
            parts = None
        if (
            parts is None
            or parts.scheme not in ("http", "https")
            or not parts.hostname
            or any(c.isspace() for c in value)
        ):
            return None, f'must be an http:// or https:// URL, got "{value}"'
        return value, None


@record
class AutoOrBool:
    """``"auto"``, true or false."""

    def check(self, value: object) -> Checked:
        if isinstance(value, bool) or value == "auto":
            return value, None
        return None, f'must be "auto", true or false, got {describe(value)}'


def parse_host_port(value: str) -> tuple[str, int] | None:
    """``"127.0.0.1:9464"`` -> ("127.0.0.1", 9464); ``"[::1]:9464"`` -> ("::1", 9464).

    None when ``value`` is not a host and a port from 1 to 65535.
    """
    if not value or any(c.isspace() or c in "/?#@" for c in value):
        return None
    try:
        parts = urlsplit(f"//{value}")
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    if not host or port is None or not 1 <= port <= 65535:
        return None
    return host, port


@record
class HostPortOrOff:
    """``"HOST:PORT"`` (kept as written), or false to turn the thing off."""

    example: str

    def check(self, value: object) -> Checked:
        if value is False:
            return False, None
        if isinstance(value, str) and parse_host_port(value) is not None:
            return value, None
        got = f'"{value}"' if isinstance(value, str) else describe(value)
        return None, (
            f'must be "HOST:PORT" with a port from 1 to 65535 (e.g. "{self.example}"), '
            f"or false to turn it off, got {got}"
        )


def statusline_format_problems(fmt: str) -> list[str]:
    """What is wrong with a status line format (empty list: nothing). Used for --format too."""
    import string

    try:
        parsed = list(string.Formatter().parse(fmt))
    except ValueError:
        return ["has an unmatched { or }; write {{ or }} for a literal brace"]
    problems: list[str] = []
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in STATUSLINE_PLACEHOLDERS:
            allowed = " ".join("{" + p + "}" for p in STATUSLINE_PLACEHOLDERS)
            hint = did_you_mean(name, STATUSLINE_PLACEHOLDERS, template="{{{}}}")
            if not name:
                problems.append(f"has an empty placeholder {{}}; allowed: {allowed}")
            else:
                problems.append(f"unknown placeholder {{{name}}}{hint}; allowed: {allowed}")
        elif spec or conversion:
            problems.append(
                f"placeholder {{{name}}} cannot take a format spec or conversion; write {{{name}}}"
            )
    return problems


@record
class StatuslineFormat:
    def check(self, value: object) -> Checked:
        if not isinstance(value, str):
            return None, f"must be a string, got {describe(value)}"
        problems = statusline_format_problems(value)
        if problems:
            return None, "; ".join(problems)
        return value, None
