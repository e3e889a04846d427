"""``limitwatch config init|path|show|validate``.

Problems go to stderr, one per line, with exit 2. Only ``init`` writes, and only through
``tui.config`` (validated, atomic); every other action only reads.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from tui import config as cfg
from tui import paths
from tui.config.template import toml_value

if TYPE_CHECKING:
    import argparse

EXIT_OK = 0
EXIT_CONFIG = 2

_ORIGIN_WORDS = {
    "--config": "chosen by --config",
    "LIMITWATCH_CONFIG": "chosen by $LIMITWATCH_CONFIG",
    "default": "the default location",
}


def run(args: argparse.Namespace) -> int:
    explicit = getattr(args, "config", None)
    path, origin = paths.config_file(explicit)
    command = getattr(args, "config_command", None)
    try:
        if command == "init":
            return _init(path, force=bool(getattr(args, "force", False)))
        if command == "path":
            return _path(path, origin)
        if command == "show":
            return _show(path, origin)
        if command == "validate":
            return _validate(path)
    except cfg.ConfigError as error:
        _print_problems(error)
        return EXIT_CONFIG
    print(f"limitwatch: unknown config action {command!r}", file=sys.stderr)
    return EXIT_CONFIG


def _print_problems(error: cfg.ConfigError) -> None:
    for problem in error.problems:
        print(problem, file=sys.stderr)
    if len(error.problems) > 1:
        print(f"limitwatch: {len(error.problems)} problems in the config", file=sys.stderr)


def _state(path: Path) -> str:
    if path.is_dir():
        return "is a folder, not a file"
    if path.is_file():
        return "exists"
    return "does not exist: defaults are in use (limitwatch config init writes one)"


def _path(path: Path, origin: str) -> int:
    print(path)
    print(f"# {_state(path)}; {_ORIGIN_WORDS.get(origin, origin)}")
    return EXIT_OK


def _init(path: Path, *, force: bool) -> int:
    existed = path.exists()
    cfg.write_default_config(path, force=force)
    verb = "replaced" if existed else "wrote"
    print(f"{verb} {path} (the defaults, commented; edit it, then: limitwatch config validate)")
    return EXIT_OK


def _validate(path: Path) -> int:
    cfg.load_config(path)
    note = "" if path.is_file() else " (no file: defaults are in use)"
    print(f"ok: {path}{note}")
    return EXIT_OK


def _mask_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.password is None:
        return value
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


_ELEMENT = re.compile(r"([A-Za-z_]+)\[\d+\](.*)")


def _table_header(table: str) -> str:
    """The TOML header of a row's table: ``[thresholds."odd id"]``, ``[[accounts]]``.

    ``accounts[2]`` (an array element) is ``[[accounts]]``; its sub-tables lose the index.
    """
    element = _ELEMENT.fullmatch(table)
    if element is not None:
        if not element.group(2):
            return f"[[{element.group(1)}]]"
        table = element.group(1) + element.group(2)
    head, _, rest = table.partition(".")
    if head == "accounts":
        sub, _, rest = rest.partition(".")
        head = f"{head}.{sub}"
    if not rest or re.fullmatch(r"[A-Za-z0-9_-]+", rest):
        return f"[{table}]"
    return f"[{head}.{json.dumps(rest, ensure_ascii=False)}]"


def _show(path: Path, origin: str) -> int:
    config = cfg.load_config(path)
    rows = cfg.explain_sources(config, path)
    print(f"# config file: {path}")
    print(f"# {_state(path)}; {_ORIGIN_WORDS.get(origin, origin)}")
    section = None
    for row in rows:
        table, name = row.key.rsplit(".", 1)
        if table != section:
            print()
            print(_table_header(table))
            section = table
        value = row.value
        if isinstance(value, str) and row.key == "sources.base_url":
            value = _mask_url(value)
        if value is None:
            line = f"# {name} is not set"
        else:
            line = f"{name} = {toml_value(value)}"
        print(f"{line:<44}  # {row.origin}")
    if not config.accounts:
        _show_watched(config)
    return EXIT_OK


def _show_watched(config: cfg.Config) -> None:
    """Without [[accounts]] tables: the accounts the folders in use make, and their names."""
    accounts = cfg.resolve_accounts(config)
    print()
    print(f"# accounts watched: from {accounts[0].origin} ([[accounts]] tables would replace it)")
    width = max(len(account.name) for account in accounts)
    for account in accounts:
        print(f"#   {account.name:<{width}}  {account.config_dir}")
