"""The TOML config's public face: load it, and every name the rest of the package imports.

The work lives in small modules named for what they hold, re-exported here so that
``from tui.config import ...`` keeps working:

- ``tui.config.model``: every key declared once (name, type, default, kind, comment) in the
  frozen dataclasses (``Config`` ...); ``Problem``, ``ConfigError``, ``Origin``;
- ``tui.config.kinds``: the kinds of value a key holds, each with its check and wording;
- ``tui.config.read``: the file's text and TOML (``read_raw``);
- ``tui.config.check`` (with ``check_thresholds``, ``collect``): validation against the
  declarations, every problem at once with its file, line and key;
- ``tui.config.write``: writing (validated first, atomic, mode 0600);
- ``tui.config.template``: the commented default file, made from the declarations;
- ``tui.config.explain``: ``explain_sources`` for ``config show``;
- ``tui.config.accounts``: which Claude Code accounts to watch (``resolve_accounts``).

Loading never writes anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tui import paths
from tui.config.accounts import (
    AccountSpec,
    UnknownAccount,
    discover_config_dirs,
    pick_account,
    resolve_accounts,
    suggested_account_lines,
)
from tui.config.check import (
    MAX_INTERVAL,
    STATUSLINE_PLACEHOLDERS,
    build_config,
    config_from_mapping,
    mask_secrets,
    statusline_format_problems,
)
from tui.config.kinds import parse_host_port
from tui.config.model import (
    DEFAULT_MODEL,
    DEFAULT_PROMETHEUS,
    MAX_COMMAND_TIMEOUT,
    AccountConfig,
    Config,
    ConfigError,
    ExportConfig,
    HistoryConfig,
    NotifyConfig,
    Origin,
    PollConfig,
    ProbeConfig,
    Problem,
    SourcesConfig,
    StatuslineConfig,
    ThresholdOverride,
    Thresholds,
)
from tui.config.read import parse_toml, read_raw, read_text

if TYPE_CHECKING:
    from tui.config.explain import ENV_FALLBACKS, explain_sources
    from tui.config.template import default_config_text
    from tui.config.write import (
        config_to_mapping,
        save_thresholds,
        write_config_file,
        write_config_text,
        write_default_config,
    )

# Writing and explaining the file (`config init`, `config show`, the thresholds editor) load
# on first use: a `status` start reads the config and needs none of them, nor tomli_w.
_ON_FIRST_USE = {
    "ENV_FALLBACKS": "tui.config.explain",
    "explain_sources": "tui.config.explain",
    "default_config_text": "tui.config.template",
    "config_to_mapping": "tui.config.write",
    "save_thresholds": "tui.config.write",
    "write_config_file": "tui.config.write",
    "write_config_text": "tui.config.write",
    "write_default_config": "tui.config.write",
}


def __getattr__(name: str) -> object:
    module = _ON_FIRST_USE.get(name)
    if module is None:
        raise AttributeError(f"module 'tui.config' has no attribute {name!r}")
    value = getattr(__import__(module, fromlist=[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_PROMETHEUS",
    "ENV_FALLBACKS",
    "MAX_COMMAND_TIMEOUT",
    "MAX_INTERVAL",
    "STATUSLINE_PLACEHOLDERS",
    "AccountConfig",
    "AccountSpec",
    "Config",
    "ConfigError",
    "ExportConfig",
    "HistoryConfig",
    "NotifyConfig",
    "Origin",
    "PollConfig",
    "ProbeConfig",
    "Problem",
    "SourcesConfig",
    "StatuslineConfig",
    "ThresholdOverride",
    "Thresholds",
    "UnknownAccount",
    "config_from_mapping",
    "config_to_mapping",
    "default_config_text",
    "discover_config_dirs",
    "explain_sources",
    "load_config",
    "mask_secrets",
    "parse_host_port",
    "pick_account",
    "read_raw",
    "resolve_accounts",
    "save_thresholds",
    "statusline_format_problems",
    "suggested_account_lines",
    "write_config_file",
    "write_config_text",
    "write_default_config",
]


def load_config(path: Path | None = None, *, explicit: str | None = None) -> Config:
    """The config in force. A missing file means defaults (``Config.path`` still set).

    ``path`` None: resolved by ``paths.config_file(explicit)`` (``--config``,
    ``LIMITWATCH_CONFIG``, the platform folder). Raises ``ConfigError`` with every problem.
    Never writes anything.
    """
    if path is None:
        path, _origin = paths.config_file(explicit)
    text = read_text(path)
    if text is None:
        return Config(path=path)
    return build_config(parse_toml(text, path), path, text)
