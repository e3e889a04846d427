"""``config show``: every effective value with where it came from (file, default, env)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from tui.config.model import SECTION_TYPES, THRESHOLD_KEYS, Config, Origin
from tui.config.read import read_raw

# Environment variables that stand in for a config key the file leaves out.
ENV_FALLBACKS = {
    "sources.base_url": "ANTHROPIC_BASE_URL",
    "sources.claude_config_dir": "CLAUDE_CONFIG_DIR",
}


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

    for key in THRESHOLD_KEYS:
        dotted = f"thresholds.{key}"
        rows.append(Origin(dotted, getattr(config.thresholds, key), origin(dotted)))
    for window_id, window in config.window_thresholds.items():
        for key in THRESHOLD_KEYS:
            dotted = f"thresholds.{window_id}.{key}"
            where = "file" if dotted in given else "[thresholds]"
            rows.append(Origin(dotted, getattr(window, key), where))
    for name in SECTION_TYPES:
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
