"""The TOML config: read (tomllib), validate (every problem at once), write (tomli_w, atomic).

The dataclasses below are the contract the rest of the package uses. Loading and validation
report every problem at once as ``ConfigError`` with one ``Problem`` per key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

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
