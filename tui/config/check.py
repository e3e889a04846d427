"""Validating a parsed config: value checks, did-you-mean hints, line numbers, secret masking.

``build_config`` turns a parsed TOML mapping into a ``Config`` or raises ``ConfigError`` with
one ``Problem`` per bad key (line number when it can be found, secrets masked).
"""

from __future__ import annotations

import difflib
import math
import re
import string
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tui.config.model import (
    SECTION_TYPES,
    THRESHOLD_KEYS,
    Config,
    ConfigError,
    Problem,
    Thresholds,
)

STATUSLINE_PLACEHOLDERS = (
    "model",
    "five_hour",
    "seven_day",
    "five_hour_reset",
    "seven_day_reset",
    "error",
)

MAX_INTERVAL = 86_400  # one day: longer intervals are almost surely a typo

# A check takes the raw TOML value and returns (converted value, None) or (None, message).
_Check = Callable[[object], tuple[Any, str | None]]


def _describe(value: object) -> str:
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


def _num_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _number(lo: float, hi: float | None, *, lo_open: bool, what: str) -> _Check:
    def check(value: object) -> tuple[Any, str | None]:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, f"must be a number, got {_describe(value)}"
        number = float(value)
        if not math.isfinite(number):
            return None, f"must be a finite number, got {value}"
        too_low = number <= lo if lo_open else number < lo
        too_high = hi is not None and number > hi
        if too_low or too_high:
            if hi is None:
                return None, f"must be more than {_num_text(lo)} {what}, got {value}"
            return None, f"must be between {_num_text(lo)} and {_num_text(hi)} {what}, got {value}"
        return number, None

    return check


def _integer(lo: int, hi: int, *, unit: str) -> _Check:
    def check(value: object) -> tuple[Any, str | None]:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float):
                return None, f"must be a whole number of {unit}, got {value}"
            return None, f"must be a whole number of {unit}, got {_describe(value)}"
        if value < lo:
            return None, f"must be at least {lo} {unit}, got {value}"
        if value > hi:
            return None, f"must be at most {hi} {unit}, got {value}"
        return value, None

    return check


def _boolean(value: object) -> tuple[Any, str | None]:
    if isinstance(value, bool):
        return value, None
    return None, f"must be true or false, got {_describe(value)}"


def _text(value: object) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, f"must be a string, got {_describe(value)}"
    if not value.strip():
        return None, "must not be empty (leave the key out instead)"
    return value, None


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _env_name(value: object) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, f"must be the name of an environment variable, got {_describe(value)}"
    if not _ENV_NAME.fullmatch(value):
        return None, (
            "must be the name of an environment variable (letters, digits and _, "
            f'not starting with a digit), got "{value}"; put the key itself in that variable'
        )
    return value, None


def _url(value: object) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, f"must be an http:// or https:// URL, got {_describe(value)}"
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


def _probe_enabled(value: object) -> tuple[Any, str | None]:
    if isinstance(value, bool) or value == "auto":
        return value, None
    return None, f'must be "auto", true or false, got {_describe(value)}'


def statusline_format_problems(fmt: str) -> list[str]:
    """What is wrong with a status line format (empty list: nothing). Used for --format too."""
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
            hint = _did_you_mean(name, STATUSLINE_PLACEHOLDERS, template="{{{}}}")
            if not name:
                problems.append(f"has an empty placeholder {{}}; allowed: {allowed}")
            else:
                problems.append(f"unknown placeholder {{{name}}}{hint}; allowed: {allowed}")
        elif spec or conversion:
            problems.append(
                f"placeholder {{{name}}} cannot take a format spec or conversion; write {{{name}}}"
            )
    return problems


def _statusline_format(value: object) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, f"must be a string, got {_describe(value)}"
    problems = statusline_format_problems(value)
    if problems:
        return None, "; ".join(problems)
    return value, None


_PERCENT = _number(0, 100, lo_open=False, what="(percent used)")

_SECTIONS: dict[str, dict[str, _Check]] = {
    "poll": {
        "usage_interval": _integer(60, MAX_INTERVAL, unit="seconds"),
        "probe_interval": _integer(10, MAX_INTERVAL, unit="seconds"),
        "transcripts_interval": _integer(1, MAX_INTERVAL, unit="seconds"),
    },
    "probe": {"enabled": _probe_enabled, "model": _text},
    "notify": {
        "bell": _boolean,
        "desktop": _boolean,
        "command": _text,
        "command_timeout": _number(0, None, lo_open=True, what="seconds"),
    },
    "sources": {
        "base_url": _url,
        "claude_config_dir": _text,
        "api_key_env": _env_name,
        "admin_key_env": _env_name,
    },
    "history": {"retention_days": _integer(1, 3650, unit="days")},
    "statusline": {"format": _statusline_format},
}

_TOP_LEVEL = ("thresholds", *_SECTIONS)


def _did_you_mean(name: str, choices: Iterable[str], *, template: str = '"{}"') -> str:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {template.format(close[0])}?)" if close else ""


# --------------------------------------------------------------------------- line numbers

_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"\\]*"|'[^']*')"""
_DOTTED = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_HEADER_RE = re.compile(rf"^\s*\[\s*({_DOTTED})\s*\]\s*(?:#.*)?$")
_KEY_RE = re.compile(rf"^\s*({_DOTTED})\s*=")


def _key_parts(dotted: str) -> list[str]:
    return [p.strip("\"'") for p in re.findall(_KEY_PART, dotted)]


def _locate(text: str | None, key: str) -> int | None:
    """Best-effort line of a dotted key (a ``[table]`` header or ``key =``); None if unsure."""
    if not text or not key:
        return None
    target = key.split(".")
    table: list[str] | None = []
    in_multiline: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline is not None:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        stripped = line.lstrip()
        if stripped.startswith("[["):
            table = None  # arrays of tables are not part of our schema
            continue
        header = _HEADER_RE.match(line)
        if header:
            table = _key_parts(header.group(1))
            if table == target:
                return number
            continue
        assignment = _KEY_RE.match(line)
        if assignment and table is not None and table + _key_parts(assignment.group(1)) == target:
            return number
        for quote in ('"""', "'''"):
            if line.count(quote) % 2 == 1:
                in_multiline = quote
                break
    return None


# --------------------------------------------------------------------------- validation


_SECRET = re.compile(r"sk-[A-Za-z0-9_-]{8,}")


def mask_secrets(text: str) -> str:
    """Replaces anything that looks like an Anthropic key with ``sk-ant-...abcd``."""
    return _SECRET.sub(lambda m: f"{m.group(0)[:7]}...{m.group(0)[-4:]}", text)


class _Collector:
    def __init__(self, path: Path | None, text: str | None) -> None:
        self.path = path
        self.text = text
        self.problems: list[Problem] = []

    def add(self, key: str, message: str) -> None:
        line = _locate(self.text, key)
        self.problems.append(Problem(self.path, key, mask_secrets(message), line))


def _check_section(
    name: str, table: Mapping[str, object], out: _Collector
) -> dict[str, Any] | None:
    schema = _SECTIONS[name]
    values: dict[str, Any] = {}
    ok = True
    for key, raw in table.items():
        dotted = f"{name}.{key}"
        check = schema.get(key)
        if check is None:
            out.add(dotted, "unknown key" + _did_you_mean(key, schema))
            ok = False
            continue
        value, message = check(raw)
        if message is not None:
            out.add(dotted, message)
            ok = False
        else:
            values[key] = value
    return values if ok else None


def _check_threshold_table(
    prefix: str, table: Mapping[str, object], out: _Collector, *, allow_windows: bool
) -> tuple[dict[str, float], dict[str, Mapping[str, object]], bool]:
    """Checks warning/critical in one table; returns (valid values, window tables, values ok).

    Unknown keys are reported but do not make the values unusable for the order check.
    """
    values: dict[str, float] = {}
    windows: dict[str, Mapping[str, object]] = {}
    ok = True
    for key, raw in table.items():
        dotted = f"{prefix}.{key}"
        if key in THRESHOLD_KEYS:
            value, message = _PERCENT(raw)
            if message is not None:
                out.add(dotted, message)
                ok = False
            else:
                values[key] = value
        elif allow_windows and isinstance(raw, Mapping):
            windows[key] = raw
        else:
            hint = _did_you_mean(key, THRESHOLD_KEYS)
            if not hint and allow_windows:
                hint = " (per-window overrides are tables: [thresholds.<window id>])"
            out.add(dotted, "unknown key" + hint)
    return values, windows, ok


def _order_problem(
    warning: float, critical: float, *, inherited: Iterable[str], source: str
) -> str | None:
    if critical > warning:
        return None
    inherited = set(inherited)

    def part(name: str, value: float) -> str:
        note = f", from {source}" if name in inherited else ""
        return f"{name} ({_num_text(value)}{note})"

    return f"{part('critical', critical)} must be above {part('warning', warning)}"


def _check_thresholds(
    table: Mapping[str, object], out: _Collector
) -> tuple[Thresholds, dict[str, Thresholds]] | None:
    given, windows, ok = _check_threshold_table("thresholds", table, out, allow_windows=True)
    default = Thresholds()
    warning = given.get("warning", default.warning)
    critical = given.get("critical", default.critical)
    if ok:
        message = _order_problem(
            warning,
            critical,
            inherited=[k for k in THRESHOLD_KEYS if k not in given],
            source="the defaults",
        )
        if message is not None:
            blame = "critical" if "critical" in given or "warning" not in given else "warning"
            out.add(f"thresholds.{blame}", message)
            ok = False
    global_ok = ok
    result: dict[str, Thresholds] = {}
    for window_id, window_table in windows.items():
        prefix = f"thresholds.{window_id}"
        w_given, _, w_ok = _check_threshold_table(prefix, window_table, out, allow_windows=False)
        if not w_ok:
            ok = False
            continue
        inherited = [k for k in THRESHOLD_KEYS if k not in w_given]
        if inherited and not global_ok:
            continue  # the global pair is already reported; do not pile on
        w_warning = w_given.get("warning", warning)
        w_critical = w_given.get("critical", critical)
        message = _order_problem(w_warning, w_critical, inherited=inherited, source="[thresholds]")
        if message is not None:
            blame = "critical" if "critical" in w_given else "warning"
            out.add(f"{prefix}.{blame}", message)
            ok = False
            continue
        result[window_id] = Thresholds(warning=w_warning, critical=w_critical)
    if not ok:
        return None
    return Thresholds(warning=warning, critical=critical), result


def _top_level_hint(name: str, value: object) -> str:
    if not isinstance(value, Mapping):
        for section, schema in _SECTIONS.items():
            if name in schema:
                return f" (did you mean {name} under [{section}]?)"
        if name in THRESHOLD_KEYS:
            return f" (did you mean {name} under [thresholds]?)"
    return _did_you_mean(name, _TOP_LEVEL, template="[{}]")


def build_config(data: Mapping[str, object], path: Path | None, text: str | None) -> Config:
    out = _Collector(path, text)
    kwargs: dict[str, Any] = {}
    failed = False
    for name, raw in data.items():
        if name not in _TOP_LEVEL:
            kind = "unknown section" if isinstance(raw, Mapping) else "unknown key"
            out.add(name, kind + _top_level_hint(name, raw))
            failed = True
            continue
        if not isinstance(raw, Mapping):
            out.add(name, f"must be a table ([{name}]), got {_describe(raw)}")
            failed = True
            continue
        if name == "thresholds":
            checked = _check_thresholds(raw, out)
            if checked is None:
                failed = True
            else:
                kwargs["thresholds"], kwargs["window_thresholds"] = checked
            continue
        values = _check_section(name, raw, out)
        if values is None:
            failed = True
        else:
            kwargs[name] = SECTION_TYPES[name](**values)
    if failed or out.problems:
        raise ConfigError(out.problems)
    return Config(path=path, **kwargs)


def config_from_mapping(data: Mapping[str, Any], path: Path | None = None) -> Config:
    """Validates a parsed TOML mapping; raises ``ConfigError`` listing every problem."""
    if not isinstance(data, Mapping):
        raise ConfigError([Problem(path, "", "the config must be a table")])
    return build_config(data, path, None)
