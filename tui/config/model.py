"""The config's data: the frozen dataclasses the rest of the package uses, and its problems.

``Problem`` / ``ConfigError`` report what is wrong with a config file (every problem at once);
``Origin`` is one row of ``config show``. Nothing here reads, checks or writes a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

DEFAULT_MODEL = "claude-haiku-4-5"


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


# The [section] tables besides [thresholds], in file order, with the dataclass each becomes.
SECTION_TYPES: dict[str, type[Any]] = {
    "poll": PollConfig,
    "probe": ProbeConfig,
    "notify": NotifyConfig,
    "sources": SourcesConfig,
    "history": HistoryConfig,
    "statusline": StatuslineConfig,
}

THRESHOLD_KEYS = ("warning", "critical")
