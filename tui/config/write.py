"""Writing the config: ``save_thresholds``, the default file, whole files from text or a mapping.

Every write validates first and goes through ``_atomic_write`` (temp file in the same folder,
fsync, ``os.replace``, mode 0600); an invalid config leaves the file untouched.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w

from tui.config.check import build_config, config_from_mapping
from tui.config.model import (
    SECTION_TYPES,
    THRESHOLD_KEYS,
    AccountConfig,
    Config,
    ConfigError,
    Problem,
    ThresholdOverride,
    Thresholds,
    default_of,
    keys_of,
)
from tui.config.read import blocking_file, os_reason, parse_toml, read_text
from tui.config.template import default_config_text


def _toml_number(value: float | int) -> float | int:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _window_table(window: Thresholds, base: Thresholds) -> dict[str, float | int]:
    """Only the keys that differ from the global pair; the others are inherited."""
    table: dict[str, float | int] = {}
    for key in THRESHOLD_KEYS:
        value = getattr(window, key)
        if value != getattr(base, key):
            table[key] = _toml_number(value)
    return table


def _thresholds_table(
    thresholds: Thresholds, window_thresholds: Mapping[str, Thresholds], *, full: bool
) -> dict[str, Any]:
    table: dict[str, Any] = {}
    default = Thresholds()
    for key in THRESHOLD_KEYS:
        value = getattr(thresholds, key)
        if full or value != getattr(default, key):
            table[key] = _toml_number(value)
    for window_id, window in window_thresholds.items():
        table[window_id] = _window_table(window, thresholds)
    return table


def _override_table(override: ThresholdOverride) -> dict[str, float | int]:
    return {
        key: _toml_number(value)
        for key in THRESHOLD_KEYS
        if (value := getattr(override, key)) is not None
    }


def _account_table(account: AccountConfig) -> dict[str, Any]:
    table: dict[str, Any] = {
        item.name: value
        for item, _ in keys_of(AccountConfig)
        if (value := getattr(account, item.name)) is not None
    }
    thresholds: dict[str, Any] = _override_table(account.thresholds)
    for window_id, window in account.window_thresholds.items():
        thresholds[window_id] = _override_table(window)
    if thresholds:
        table["thresholds"] = thresholds
    return table


def config_to_mapping(config: Config, *, only_changed: bool = False) -> dict[str, Any]:
    """A TOML-ready mapping; ``config_from_mapping`` of it equals ``config`` (except path).

    Keys whose value is None are left out (TOML has no null). ``only_changed`` leaves out
    values equal to the defaults, and sections left empty. ``[[accounts]]`` tables are
    written when there are any.
    """
    out: dict[str, Any] = {}
    thresholds = _thresholds_table(
        config.thresholds, config.window_thresholds, full=not only_changed
    )
    if thresholds or not only_changed:
        out["thresholds"] = thresholds
    for name, cls in SECTION_TYPES.items():
        section = getattr(config, name)
        table: dict[str, Any] = {}
        for item, _ in keys_of(cls):
            value = getattr(section, item.name)
            if value is None:
                continue
            if only_changed and value == default_of(item):
                continue
            table[item.name] = _toml_number(value) if isinstance(value, float) else value
        if table or not only_changed:
            out[name] = table
    if config.accounts:
        out["accounts"] = [_account_table(account) for account in config.accounts]
    return out


def _write_problem(path: Path, error: OSError) -> ConfigError:
    if isinstance(error, NotADirectoryError | FileExistsError):
        message = f"cannot be written: {blocking_file(path)} is a file, not a folder"
    else:
        message = f"cannot be written: {os_reason(error)}"
    return ConfigError([Problem(path, "", message)])


def _atomic_write(path: Path, text: str) -> None:
    """The one place that writes a config: temp file, fsync, os.replace, mode 0600."""
    target = path.resolve() if path.is_symlink() else path  # keep a dotfile manager's link
    if target.is_dir():
        raise ConfigError([Problem(path, "", "is a folder, not a config file")])
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        import tempfile  # only when writing (it loads shutil and random)

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
    config = build_config(parse_toml(text, path), path, text)
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
    text = read_text(path)
    data: dict[str, Any] = {}
    if text is not None:
        data = parse_toml(text, path)
        build_config(data, path, text)
    data["thresholds"] = _thresholds_table(thresholds, window_thresholds, full=True)
    write_config_file(path, data)
    return config_from_mapping(data, path)


def write_default_config(path: Path, *, force: bool = False) -> None:
    """``config init``: writes the commented defaults; refuses an existing file unless force."""
    if path.is_dir():
        raise ConfigError([Problem(path, "", "is a folder, not a config file")])
    if not force and (path.exists() or path.is_symlink()):
        message = "already exists; add --force to replace it with the defaults"
        raise ConfigError([Problem(path, "", message)])
    write_config_text(path, default_config_text())
