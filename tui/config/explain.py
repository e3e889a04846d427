"""``config show``: every effective value with where it came from (file, default, env).

The rows follow the model's declarations; an ``[[accounts]]`` table's rows are keyed
``accounts[n]...`` (n from 1), its thresholds shown as they resolve for that account.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tui.config.collect import element_key
from tui.config.model import (
    SECTION_TYPES,
    THRESHOLD_KEYS,
    AccountConfig,
    Config,
    Origin,
    keys_of,
)
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
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, Mapping):
                    keys |= _given_keys(item, f"{element_key(dotted, index)}.")
    return keys


def _account_rows(config: Config, given: set[str]) -> list[Origin]:
    rows: list[Origin] = []
    for index, account in enumerate(config.accounts):
        prefix = element_key("accounts", index)
        for item, _ in keys_of(AccountConfig):
            dotted = f"{prefix}.{item.name}"
            where = "file" if dotted in given else "default"
            rows.append(Origin(dotted, getattr(account, item.name), where))
        has_table = any(k.startswith(f"{prefix}.thresholds.") for k in given)
        if not has_table:
            continue
        for window_id in (None, *account.window_thresholds):
            table = f"{prefix}.thresholds" + ("" if window_id is None else f".{window_id}")
            inherited = config.thresholds
            if window_id is not None:
                inherited = config.window_thresholds.get(window_id, config.thresholds)
            levels = account.resolve(window_id, inherited)
            for key in THRESHOLD_KEYS:
                dotted = f"{table}.{key}"
                if dotted in given:
                    where = "file"
                elif window_id is not None and f"{prefix}.thresholds.{key}" in given:
                    where = "[accounts.thresholds]"
                elif window_id is not None and window_id in config.window_thresholds:
                    where = f"[thresholds.{window_id}]"
                else:
                    where = "[thresholds]"
                rows.append(Origin(dotted, getattr(levels, key), where))
    return rows


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
    for name, cls in SECTION_TYPES.items():
        section = getattr(config, name)
        for item, _ in keys_of(cls):
            dotted = f"{name}.{item.name}"
            value = getattr(section, item.name)
            where = origin(dotted)
            env_name = ENV_FALLBACKS.get(dotted)
            if where == "default" and value is None and env_name and env.get(env_name):
                value, where = env[env_name], f"env {env_name}"
            rows.append(Origin(dotted, value, where))
    return rows + _account_rows(config, given)
