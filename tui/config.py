"""The TOML config: read (tomllib), validate (every problem at once), write (tomli_w, atomic).

The dataclasses below are the contract the rest of the package uses. Loading and validation
report every problem at once as ``ConfigError`` with one ``Problem`` per key. Nothing here
writes unless asked to: every write goes through ``_atomic_write`` (temp file in the same
folder, fsync, ``os.replace``, mode 0600), and only after the new content has been validated.
"""

from __future__ import annotations

import codecs
import contextlib
import difflib
import math
import os
import re
import string
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, NamedTuple
from urllib.parse import urlsplit

import tomli_w

from tui import paths
from tui.config_template import DEFAULT_CONFIG_TEXT

DEFAULT_MODEL = "claude-haiku-4-5"

STATUSLINE_PLACEHOLDERS = (
    "model",
    "five_hour",
    "seven_day",
    "five_hour_reset",
    "seven_day_reset",
    "error",
)

# Environment variables that stand in for a config key the file leaves out.
ENV_FALLBACKS = {
    "sources.base_url": "ANTHROPIC_BASE_URL",
    "sources.claude_config_dir": "CLAUDE_CONFIG_DIR",
}

MAX_INTERVAL = 86_400  # one day: longer intervals are almost surely a typo


@dataclass(frozen=True)
class Thresholds:
    warning: float = 75.0
    critical: float = 90.0


@dataclass(frozen=True)
class PollConfig:
    usage_interval: int = 300  # seconds, >= 60
    probe_interval: int = 60
    transcripts_interval: int = 5


@dataclass(frozen=True)
class ProbeConfig:
    enabled: Literal["auto"] | bool = "auto"
    model: str = DEFAULT_MODEL


@dataclass(frozen=True)
class NotifyConfig:
    bell: bool = True
    desktop: bool = False
    command: str | None = None
    command_timeout: float = 10.0


@dataclass(frozen=True)
class SourcesConfig:
    base_url: str | None = None
    claude_config_dir: str | None = None
    api_key_env: str = "ANTHROPIC_API_KEY"
    admin_key_env: str = "ANTHROPIC_ADMIN_KEY"


@dataclass(frozen=True)
class HistoryConfig:
    retention_days: int = 35


@dataclass(frozen=True)
class StatuslineConfig:
    format: str = "{model} · 5h {five_hour} · 7d {seven_day}{error}"


@dataclass(frozen=True)
class Config:
    thresholds: Thresholds = field(default_factory=Thresholds)
    window_thresholds: Mapping[str, Thresholds] = field(default_factory=dict)
    poll: PollConfig = field(default_factory=PollConfig)
    probe: ProbeConfig = field(default_factory=ProbeConfig)
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    sources: SourcesConfig = field(default_factory=SourcesConfig)
    history: HistoryConfig = field(default_factory=HistoryConfig)
    statusline: StatuslineConfig = field(default_factory=StatuslineConfig)
    path: Path | None = None

    def thresholds_for(self, window_id: str) -> Thresholds:
        return self.window_thresholds.get(window_id, self.thresholds)


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a config: where (file, dotted key, line if known) and what."""

    file: Path | None
    key: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = str(self.file) if self.file is not None else ""
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"line {self.line}"
        parts = [p for p in (where, self.key, self.message) if p]
        return ": ".join(parts)


class ConfigError(Exception):
    """Every problem found in one config, reported together."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class Origin(NamedTuple):
    """One effective value for ``config show``: dotted key, value, where it came from."""

    key: str
    value: object
    origin: str


# --------------------------------------------------------------------------- value checks

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

_SECTION_TYPES: dict[str, type[Any]] = {
    "poll": PollConfig,
    "probe": ProbeConfig,
    "notify": NotifyConfig,
    "sources": SourcesConfig,
    "history": HistoryConfig,
    "statusline": StatuslineConfig,
}

_THRESHOLD_KEYS = ("warning", "critical")
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
        if key in _THRESHOLD_KEYS:
            value, message = _PERCENT(raw)
            if message is not None:
                out.add(dotted, message)
                ok = False
            else:
                values[key] = value
        elif allow_windows and isinstance(raw, Mapping):
            windows[key] = raw
        else:
            hint = _did_you_mean(key, _THRESHOLD_KEYS)
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
            inherited=[k for k in _THRESHOLD_KEYS if k not in given],
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
        inherited = [k for k in _THRESHOLD_KEYS if k not in w_given]
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
        if name in _THRESHOLD_KEYS:
            return f" (did you mean {name} under [thresholds]?)"
    return _did_you_mean(name, _TOP_LEVEL, template="[{}]")


def _build(data: Mapping[str, object], path: Path | None, text: str | None) -> Config:
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
            kwargs[name] = _SECTION_TYPES[name](**values)
    if failed or out.problems:
        raise ConfigError(out.problems)
    return Config(path=path, **kwargs)


def config_from_mapping(data: Mapping[str, Any], path: Path | None = None) -> Config:
    """Validates a parsed TOML mapping; raises ``ConfigError`` listing every problem."""
    if not isinstance(data, Mapping):
        raise ConfigError([Problem(path, "", "the config must be a table")])
    return _build(data, path, None)


# --------------------------------------------------------------------------- reading

_AT_LINE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_AT_END = re.compile(r"\s*\(at end of document\)\s*$")
_BAREWORD_VALUE = re.compile(r"=\s*([A-Za-z][A-Za-z0-9_-]*)\s*(?:#.*)?$")


def _os_reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()


def _blocking_file(path: Path) -> Path:
    """The first folder on the way to ``path`` that is really a file."""
    return next((p for p in reversed(path.parents) if p.is_file()), path.parent)


def _read_text(path: Path) -> str | None:
    """The file's text; None when it does not exist; ConfigError when it cannot be used."""
    try:
        if path.is_dir():
            raise ConfigError([Problem(path, "", "is a folder, not a config file")])
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        message = f"cannot be read: {_blocking_file(path)} is a file, not a folder"
        raise ConfigError([Problem(path, "", message)]) from None
    except IsADirectoryError:
        raise ConfigError([Problem(path, "", "is a folder, not a config file")]) from None
    except PermissionError:
        message = "cannot be read: permission denied"
        raise ConfigError([Problem(path, "", message)]) from None
    except OSError as error:
        message = f"cannot be read: {_os_reason(error)}"
        raise ConfigError([Problem(path, "", message)]) from None
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        message = f"is not UTF-8 text (byte 0x{raw[error.start]:02x}); save the file as UTF-8"
        raise ConfigError([Problem(path, "", message, line)]) from None


def _parse(text: str, path: Path | None) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        line: int | None = None
        column = ""
        found = _AT_LINE.search(message)
        if found:
            line = int(found.group(1))
            column = f" (column {found.group(2)})"
            message = message[: found.start()]
        elif _AT_END.search(message):
            message = _AT_END.sub("", message) + " at the end of the file"
            line = max(1, len(text.splitlines()))
        hint = ""
        if line is not None and message.startswith("Invalid value"):
            lines = text.splitlines()
            if 0 < line <= len(lines):
                bare = _BAREWORD_VALUE.search(lines[line - 1])
                if bare:
                    hint = f'; text needs quotes, e.g. "{bare.group(1)}"'
        problem = Problem(path, "", f"not valid TOML: {message}{column}{hint}", line)
        raise ConfigError([problem]) from None


def load_config(path: Path | None = None, *, explicit: str | None = None) -> Config:
    """The config in force. A missing file means defaults (``Config.path`` still set).

    ``path`` None: resolved by ``paths.config_file(explicit)`` (``--config``,
    ``LIMITWATCH_CONFIG``, the platform folder). Raises ``ConfigError`` with every problem.
    Never writes anything.
    """
    if path is None:
        path, _origin = paths.config_file(explicit)
    text = _read_text(path)
    if text is None:
        return Config(path=path)
    return _build(_parse(text, path), path, text)


def read_raw(path: Path) -> dict[str, Any] | None:
    """The file's parsed TOML (unvalidated); None when it does not exist."""
    text = _read_text(path)
    return None if text is None else _parse(text, path)


# --------------------------------------------------------------------------- writing


def _toml_number(value: float | int) -> float | int:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _window_table(window: Thresholds, base: Thresholds) -> dict[str, float | int]:
    """Only the keys that differ from the global pair; the others are inherited."""
    table: dict[str, float | int] = {}
    for key in _THRESHOLD_KEYS:
        value = getattr(window, key)
        if value != getattr(base, key):
            table[key] = _toml_number(value)
    return table


def _thresholds_table(
    thresholds: Thresholds, window_thresholds: Mapping[str, Thresholds], *, full: bool
) -> dict[str, Any]:
    table: dict[str, Any] = {}
    default = Thresholds()
    for key in _THRESHOLD_KEYS:
        value = getattr(thresholds, key)
        if full or value != getattr(default, key):
            table[key] = _toml_number(value)
    for window_id, window in window_thresholds.items():
        table[window_id] = _window_table(window, thresholds)
    return table


def config_to_mapping(config: Config, *, only_changed: bool = False) -> dict[str, Any]:
    """A TOML-ready mapping; ``config_from_mapping`` of it equals ``config`` (except path).

    Keys whose value is None are left out (TOML has no null). ``only_changed`` leaves out
    values equal to the defaults, and sections left empty.
    """
    out: dict[str, Any] = {}
    thresholds = _thresholds_table(
        config.thresholds, config.window_thresholds, full=not only_changed
    )
    if thresholds or not only_changed:
        out["thresholds"] = thresholds
    for name in _SECTIONS:
        section = getattr(config, name)
        default = _SECTION_TYPES[name]()
        table: dict[str, Any] = {}
        for item in fields(section):
            value = getattr(section, item.name)
            if value is None:
                continue
            if only_changed and value == getattr(default, item.name):
                continue
            table[item.name] = _toml_number(value) if isinstance(value, float) else value
        if table or not only_changed:
            out[name] = table
    return out


def _write_problem(path: Path, error: OSError) -> ConfigError:
    if isinstance(error, NotADirectoryError | FileExistsError):
        message = f"cannot be written: {_blocking_file(path)} is a file, not a folder"
    else:
        message = f"cannot be written: {_os_reason(error)}"
    return ConfigError([Problem(path, "", message)])


def _atomic_write(path: Path, text: str) -> None:
    """The one place that writes a config: temp file, fsync, os.replace, mode 0600."""
    target = path.resolve() if path.is_symlink() else path  # keep a dotfile manager's link
    if target.is_dir():
        raise ConfigError([Problem(path, "", "is a folder, not a config file")])
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise _write_problem(path, error) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            os.chmod(tmp_name, 0o600)
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(error, OSError):
            raise _write_problem(path, error) from None
        raise
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def write_config_text(path: Path, text: str) -> Config:
    """Validates TOML text and writes it atomically; the file is untouched if invalid."""
    config = _build(_parse(text, path), path, text)
    _atomic_write(path, text)
    return config


def write_config_file(path: Path, data: Mapping[str, Any]) -> None:
    """Validates ``data`` and writes it as TOML (tomli_w) atomically, mode 0600.

    Raises ``ConfigError`` (and writes nothing) when ``data`` is not a valid config or the
    file cannot be written.
    """
    config_from_mapping(data, path)
    text = tomli_w.dumps(data)
    write_config_text(path, text)


def save_thresholds(
    path: Path, thresholds: Thresholds, window_thresholds: Mapping[str, Thresholds]
) -> Config:
    """Replaces only the thresholds tables of the file at ``path``; keeps all other values.

    The current file must be valid (else ``ConfigError``, nothing written). Comments and
    formatting are not kept. Per-window tables hold only the keys that differ from the
    global pair. Returns the config as now saved.
    """
    text = _read_text(path)
    data: dict[str, Any] = {}
    if text is not None:
        data = _parse(text, path)
        _build(data, path, text)
    data["thresholds"] = _thresholds_table(thresholds, window_thresholds, full=True)
    write_config_file(path, data)
    return config_from_mapping(data, path)


def default_config_text() -> str:
    """The commented default file that ``limitwatch config init`` writes."""
    return DEFAULT_CONFIG_TEXT


def write_default_config(path: Path, *, force: bool = False) -> None:
    """``config init``: writes the commented defaults; refuses an existing file unless force."""
    if path.is_dir():
        raise ConfigError([Problem(path, "", "is a folder, not a config file")])
    if not force and (path.exists() or path.is_symlink()):
        message = "already exists; add --force to replace it with the defaults"
        raise ConfigError([Problem(path, "", message)])
    write_config_text(path, default_config_text())


# --------------------------------------------------------------------------- explaining


def _given_keys(data: Mapping[str, Any], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        keys.add(dotted)
        if isinstance(value, Mapping):
            keys |= _given_keys(value, f"{dotted}.")
    return keys


def explain_sources(
    config: Config,
    path: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> list[Origin]:
    """Every effective value with its origin: "default", "file", "env NAME" or "[thresholds]".

    ``path`` (default ``config.path``) is read again to tell file values from defaults;
    raises ``ConfigError`` if it cannot be read. Environment fallbacks (``ENV_FALLBACKS``)
    apply only to keys the file leaves unset.
    """
    env = os.environ if environ is None else environ
    source = path if path is not None else config.path
    raw = read_raw(source) if source is not None else None
    given = _given_keys(raw or {})
    rows: list[Origin] = []

    def origin(key: str) -> str:
        return "file" if key in given else "default"

    for key in _THRESHOLD_KEYS:
        dotted = f"thresholds.{key}"
        rows.append(Origin(dotted, getattr(config.thresholds, key), origin(dotted)))
    for window_id, window in config.window_thresholds.items():
        for key in _THRESHOLD_KEYS:
            dotted = f"thresholds.{window_id}.{key}"
            where = "file" if dotted in given else "[thresholds]"
            rows.append(Origin(dotted, getattr(window, key), where))
    for name in _SECTIONS:
        section = getattr(config, name)
        for item in fields(section):
            dotted = f"{name}.{item.name}"
            value = getattr(section, item.name)
            where = origin(dotted)
            env_name = ENV_FALLBACKS.get(dotted)
            if where == "default" and value is None and env_name and env.get(env_name):
                value, where = env[env_name], f"env {env_name}"
            rows.append(Origin(dotted, value, where))
    return rows
