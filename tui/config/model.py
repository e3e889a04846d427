"""The config's model: every key declared once, in the frozen dataclasses limitwatch uses.

A key is one dataclass field declared with ``key(default, kind, help)`` (or ``required(...)``):
its name, type, default, bounds (the ``kind``) and the comment ``config init`` writes above it.
Validation (``check``), the commented template (``template``), ``config show`` (``explain``),
writing (``write``) and the thresholds editor all read these declarations; adding a key to a
section is one line here.

``Problem`` / ``ConfigError`` report what is wrong with a config file (every problem at once);
``Origin`` is one row of ``config show``. Nothing here reads, checks or writes a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar

from tui.config.kinds import (
    MAX_INTERVAL,
    AutoOrBool,
    Boolean,
    EnvName,
    HostPortOrOff,
    Integer,
    Kind,
    Name,
    Number,
    StatuslineFormat,
    Text,
    Url,
)
from tui.record import MISSING, Field, field, fields, record

DEFAULT_MODEL = "claude-haiku-4-5"
DEFAULT_PROMETHEUS = "127.0.0.1:9464"
MAX_COMMAND_TIMEOUT = 300  # seconds: a hook that runs longer is stuck

T = TypeVar("T")

# --------------------------------------------------------------------------- declaring keys

_ABOUT = "limitwatch.key"


@record
class About:
    """What the model says about one key besides its name, type and default."""

    kind: Kind
    help: str  # the comment above the key in `config init`'s file; lines split on \n
    example: object = None  # shown commented out when the key has no default
    required: bool = False


def key(default: T, kind: Kind, help: str, *, example: object = None) -> T:
    """A config key with a default value."""
    return field(default=default, metadata={_ABOUT: About(kind, help, example)})


def required(kind: Kind, help: str, *, example: object) -> Any:
    """A config key the user must give (no default)."""
    return field(metadata={_ABOUT: About(kind, help, example, required=True)})


def keys_of(cls: type[Any]) -> list[tuple[Field, About]]:
    """The declared keys of a section's dataclass, in declaration order."""
    return [(f, f.metadata[_ABOUT]) for f in fields(cls) if _ABOUT in f.metadata]


def default_of(item: Field) -> Any:
    """A key's default (None when it has none)."""
    return None if item.default is MISSING else item.default


# --------------------------------------------------------------------------- the sections

_PERCENT = Number(0, 100, what="(percent used)")


@record
class Thresholds:
    warning: float = key(
        75.0,
        _PERCENT,
        "Percent of a limit window used at which a bar turns yellow and an alert fires.",
    )
    critical: float = key(
        90.0, _PERCENT, "Percent used at which a bar turns red. Must be above warning."
    )


THRESHOLD_KEYS = tuple(item.name for item, _ in keys_of(Thresholds))


@record
class PollConfig:
    usage_interval: int = key(
        300,
        Integer(60, MAX_INTERVAL, unit="seconds"),
        "Seconds between usage checks (the usage endpoint is throttled; at least 60).",
    )
    probe_interval: int = key(
        60,
        Integer(10, MAX_INTERVAL, unit="seconds"),
        "Seconds between probe requests, when the probe is on (at least 10).",
    )
    transcripts_interval: int = key(
        5,
        Integer(1, MAX_INTERVAL, unit="seconds"),
        "Seconds between reads of Claude Code's transcripts for new errors (at least 1).",
    )


@record
class ProbeConfig:
    enabled: Literal["auto"] | bool = key(
        "auto",
        AutoOrBool(),
        "Send a tiny request to read rate-limit headers and the live error:\n"
        '"auto" = only with an API key; true = also with a subscription (uses a little plan'
        " quota);\nfalse = never.",
    )
    model: str = key(DEFAULT_MODEL, Text(), "The model the probe asks (the cheapest one is best).")


@record
class NotifyConfig:
    bell: bool = key(True, Boolean(), "Ring the terminal bell when an alert fires.")
    desktop: bool = key(False, Boolean(), "Show a desktop notification when an alert fires.")
    command: str | None = key(
        None,
        Text(),
        "A command to run for each alert; it gets the alert as JSON on stdin.",
        example="notify-send limitwatch",
    )
    command_timeout: float = key(
        10.0,
        Number(0, MAX_COMMAND_TIMEOUT, lo_open=True, what="seconds"),
        f"Seconds the command may run before it is stopped (at most {MAX_COMMAND_TIMEOUT}).",
    )


@record
class SourcesConfig:
    base_url: str | None = key(
        None,
        Url(),
        "API base URL (default: $ANTHROPIC_BASE_URL, else Anthropic's API).",
        example="https://api.anthropic.com",
    )
    claude_config_dir: str | None = key(
        None,
        Text(),
        "Claude Code's config folder(s), comma separated (default: $CLAUDE_CONFIG_DIR, else"
        " ~/.claude).",
        example="~/.claude",
    )
    api_key_env: str = key(
        "ANTHROPIC_API_KEY", EnvName(), "Name of the environment variable holding an API key."
    )
    admin_key_env: str = key(
        "ANTHROPIC_ADMIN_KEY",
        EnvName(),
        "Name of the environment variable holding an admin key (organisation usage and cost).",
    )


@record
class HistoryConfig:
    retention_days: int = key(
        35, Integer(1, 3650, unit="days"), "Days of usage samples to keep (1 to 3650)."
    )


@record
class StatuslineConfig:
    format: str = key(
        "{model} · 5h {five_hour} · 7d {seven_day}{error}",
        StatuslineFormat(),
        "The line `limitwatch statusline` prints. Placeholders: {model} {five_hour} {seven_day}\n"
        "{five_hour_reset} {seven_day_reset} {error}. Write {{ or }} for a literal brace.",
    )


@record
class ExportConfig:
    prometheus: str | Literal[False] = key(
        DEFAULT_PROMETHEUS,
        HostPortOrOff(DEFAULT_PROMETHEUS),
        'Serve Prometheus metrics at http://HOST:PORT/metrics ("HOST:PORT"); false = none.\n'
        "A host other than loopback makes the metrics readable from the network.",
    )
    otlp: bool = key(
        False,
        Boolean(),
        "Push metrics over OTLP/HTTP, configured by the standard OTEL_EXPORTER_OTLP_* variables.",
    )
    in_live_view: bool = key(
        False,
        Boolean(),
        "Export from the open live view too (`limitwatch export` exports in any case).",
    )


@record
class ThresholdOverride:
    """The keys one ``[accounts.thresholds]`` table gives; None: not given, inherited."""

    warning: float | None = None
    critical: float | None = None


@record
class AccountConfig:
    """One ``[[accounts]]`` table: a Claude Code sign-in of its own."""

    name: str = required(
        Name(),
        "how the account is called on screen and in `status --json` (required, unique)",
        example="work",
    )
    claude_config_dir: str = required(
        Text(blank_hint=""), "its Claude Code config folder (required)", example="~/.claude-work"
    )
    api_key_env: str | None = key(
        None,
        EnvName(),
        "the environment variable holding its API key, if it has one",
        example="WORK_ANTHROPIC_API_KEY",
    )
    # [accounts.thresholds] and its per-window tables: only the keys the file gives.
    thresholds: ThresholdOverride = field(default_factory=ThresholdOverride)
    window_thresholds: Mapping[str, ThresholdOverride] = field(default_factory=dict)

    def resolve(self, window_id: str | None, inherited: Thresholds) -> Thresholds:
        """This account's levels for a window (None: its own pair, no window table).

        ``inherited`` is what ``[thresholds]`` (and its table for that window) says.
        """
        none = ThresholdOverride()
        window = none if window_id is None else self.window_thresholds.get(window_id, none)
        values: dict[str, float] = {}
        for name in THRESHOLD_KEYS:
            layers = (getattr(window, name), getattr(self.thresholds, name))
            values[name] = next((v for v in layers if v is not None), getattr(inherited, name))
        return Thresholds(**values)


@record
class Config:
    thresholds: Thresholds = field(default_factory=Thresholds)
    window_thresholds: Mapping[str, Thresholds] = field(default_factory=dict)
    poll: PollConfig = field(default_factory=PollConfig)
    probe: ProbeConfig = field(default_factory=ProbeConfig)
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    sources: SourcesConfig = field(default_factory=SourcesConfig)
    history: HistoryConfig = field(default_factory=HistoryConfig)
    statusline: StatuslineConfig = field(default_factory=StatuslineConfig)
    export: ExportConfig = field(default_factory=ExportConfig)
    accounts: tuple[AccountConfig, ...] = ()
    path: Path | None = None

    def thresholds_for(self, window_id: str, account: str | None = None) -> Thresholds:
        """The levels of one window; with ``account``, that [[accounts]] table's levels.

        Most specific first: the account's window table, the account's table,
        ``[thresholds.<window id>]``, ``[thresholds]``. An account not in ``accounts``
        (e.g. one found through CLAUDE_CONFIG_DIR) has the global levels.
        """
        inherited = self.window_thresholds.get(window_id, self.thresholds)
        for item in self.accounts:
            if account is not None and item.name == account:
                return item.resolve(window_id, inherited)
        return inherited


# The plain [section] tables (keys and values only), in file order, with their dataclass.
# [thresholds] (per-window tables) and [[accounts]] (an array) are handled beside them.
SECTION_TYPES: dict[str, type[Any]] = {
    "poll": PollConfig,
    "probe": ProbeConfig,
    "notify": NotifyConfig,
    "sources": SourcesConfig,
    "history": HistoryConfig,
    "statusline": StatuslineConfig,
    "export": ExportConfig,
}

# Every top-level table name, in the order `config init` writes them.
TOP_LEVEL = ("thresholds", *SECTION_TYPES, "accounts")


# --------------------------------------------------------------------------- problems


@record
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
