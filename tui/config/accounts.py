"""Which Claude Code accounts limitwatch watches, and which other folders could be accounts.

Where accounts come from, first rule that gives any:

1. ``[[accounts]]`` tables in the config: they replace every other source of folders;
2. ``[sources] claude_config_dir``: one account per comma-separated folder;
3. ``$CLAUDE_CONFIG_DIR``: one account per comma-separated folder;
4. ``~/.claude``, named ``default``.

(The config file wins over the environment, as it does for ``base_url`` and as ``config show``
reports.) A folder found by rules 2-4 is named after itself: ``~/.claude`` is ``default``,
``~/.claude-work`` is ``work``, any other loses a leading ``.claude-`` or ``.``; a name taken
already gets ``-2``, ``-3``... The same folder twice is one account. With rules 2-4 the API key
(``[sources] api_key_env``) belongs to the first account only: one key, one account.

Nothing here reads a credential; ``discover_config_dirs`` only looks whether
``.credentials.json`` exists.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from tui import paths
from tui.config.model import Config, Thresholds
from tui.config.template import toml_value
from tui.record import field, record

FROM_TABLES = "[[accounts]]"
FROM_SOURCES = "[sources] claude_config_dir"
FROM_ENV = "CLAUDE_CONFIG_DIR"
FROM_DEFAULT = "the default folder"
DEFAULT_NAME = "default"
CREDENTIALS_FILE = ".credentials.json"


@record
class AccountSpec:
    """One account to watch: its name, its Claude Code folder, its key and its levels."""

    name: str
    config_dir: Path
    api_key_env: str | None
    origin: str  # FROM_TABLES, FROM_SOURCES, FROM_ENV or FROM_DEFAULT
    thresholds: Thresholds = field(default_factory=Thresholds)
    window_thresholds: Mapping[str, Thresholds] = field(default_factory=dict)

    def thresholds_for(self, window_id: str) -> Thresholds:
        """This account's levels for a window (as ``Config.thresholds_for`` with the account)."""
        return self.window_thresholds.get(window_id, self.thresholds)


class UnknownAccount(LookupError):
    """``--account NAME`` names no account; the message lists the names there are."""

    def __init__(self, name: str, names: Iterable[str]) -> None:
        self.name = name
        self.names = list(names)
        listed = ", ".join(self.names) or "none"
        super().__init__(f'no account is named "{name}"; the accounts are: {listed}')


def expand(raw: str, home: Path) -> Path:
    """A folder as the user wrote it, ``~`` meaning ``home``."""
    raw = raw.strip()
    if raw == "~":
        return home
    if raw.startswith("~/"):
        return home / raw[2:]
    return Path(raw).expanduser()


def split_folders(raw: str | None, home: Path) -> list[Path]:
    """A comma-separated list of folders, blanks and repeats left out."""
    found: list[Path] = []
    for part in (raw or "").split(","):
        if part.strip():
            folder = expand(part, home)
            if folder not in found:
                found.append(folder)
    return found


def name_for_folder(folder: Path) -> str:
    """``~/.claude`` -> ``default``, ``~/.claude-work`` -> ``work``, ``/x/.team`` -> ``team``."""
    name = folder.name
    if name == ".claude":
        return DEFAULT_NAME
    for prefix in (".claude-", "."):
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix) :]
            break
    name = "".join(c if c.isprintable() else "?" for c in name.strip(" ."))[:64]
    return name or "account"


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{name}-{number}"
    taken.add(candidate.casefold())
    return candidate


def _levels(config: Config, account: str | None) -> tuple[Thresholds, dict[str, Thresholds]]:
    """An account's pair and every window's levels, resolved once."""
    if account is None:
        return config.thresholds, dict(config.window_thresholds)
    table = next(a for a in config.accounts if a.name == account)
    window_ids = dict.fromkeys([*config.window_thresholds, *table.window_thresholds])
    pair = table.resolve(None, config.thresholds)
    windows = {w: config.thresholds_for(w, account) for w in window_ids}
    return pair, windows


def resolve_accounts(
    config: Config, env: Mapping[str, str] | None = None, *, home: Path | None = None
) -> list[AccountSpec]:
    """Every account to watch, the first one first (see the module's docstring for the rules).

    ``env`` defaults to ``os.environ``, ``home`` to ``paths.home_dir()``. Never empty.
    """
    env = os.environ if env is None else env
    home = paths.home_dir() if home is None else home
    if config.accounts:
        specs = []
        for table in config.accounts:
            pair, windows = _levels(config, table.name)
            folder = expand(table.claude_config_dir, home)
            specs.append(
                AccountSpec(table.name, folder, table.api_key_env, FROM_TABLES, pair, windows)
            )
        return specs
    origin = FROM_SOURCES
    folders = split_folders(config.sources.claude_config_dir, home)
    if not folders:
        origin, folders = FROM_ENV, split_folders(env.get("CLAUDE_CONFIG_DIR"), home)
    if not folders:
        origin, folders = FROM_DEFAULT, [home / ".claude"]
    pair, windows = _levels(config, None)
    taken: set[str] = set()
    return [
        AccountSpec(
            _unique(name_for_folder(folder), taken),
            folder,
            config.sources.api_key_env if index == 0 else None,
            origin,
            pair,
            windows,
        )
        for index, folder in enumerate(folders)
    ]


def pick_account(accounts: Iterable[AccountSpec], name: str) -> AccountSpec:
    """The account called ``name`` (``--account NAME``); raises ``UnknownAccount``."""
    accounts = list(accounts)
    for account in accounts:
        if account.name == name:
            return account
    raise UnknownAccount(name, [a.name for a in accounts])


def _looks_like_claude(folder: Path) -> bool:
    try:
        return "claude" in folder.name.lower() and (folder / CREDENTIALS_FILE).is_file()
    except OSError:
        return False


def discover_config_dirs(home: Path | None = None) -> list[Path]:
    """Folders under ``home`` (and ``home/.config``) that look like Claude Code config folders.

    A folder counts when its name holds "claude" and it holds a ``.credentials.json`` file
    (only its existence is checked). Sorted; unreadable folders are skipped.
    """
    home = paths.home_dir() if home is None else home
    found: list[Path] = []
    for parent in (home, home / ".config"):
        try:
            children = sorted(parent.iterdir())
        except OSError:
            continue
        found += [child for child in children if _looks_like_claude(child)]
    return found


def _shown(folder: Path, home: Path) -> str:
    """A folder as the user would write it: ``~/.claude-work`` when it is under home."""
    try:
        return "~/" + folder.relative_to(home).as_posix()
    except ValueError:
        return str(folder)


def _table(name: str, folder: Path, api_key_env: str | None, home: Path) -> list[str]:
    lines = ["[[accounts]]", f"name = {toml_value(name)}"]
    lines.append(f"claude_config_dir = {toml_value(_shown(folder, home))}")
    if api_key_env is not None:
        lines.append(f"api_key_env = {toml_value(api_key_env)}")
    return lines


def suggested_account_lines(
    config: Config,
    env: Mapping[str, str] | None = None,
    *,
    home: Path | None = None,
    found: Iterable[Path] | None = None,
) -> list[str]:
    """The TOML lines that add every discovered folder not watched yet; [] when none.

    ``[[accounts]]`` tables replace every other source, so when the config has none yet the
    lines start with the accounts watched now (keeping their names, and the API key
    variable of the first when that variable is set), then the new folders.
    ``found`` defaults to ``discover_config_dirs(home)``.
    """
    env = os.environ if env is None else env
    home = paths.home_dir() if home is None else home
    current = resolve_accounts(config, env, home=home)
    watched = {account.config_dir for account in current}
    new = [f for f in (discover_config_dirs(home) if found is None else found) if f not in watched]
    if not new:
        return []
    lines: list[str] = []
    taken = {account.name.casefold() for account in current}
    if not config.accounts:
        for account in current:
            key_env = account.api_key_env if env.get(account.api_key_env or "") else None
            lines += [*_table(account.name, account.config_dir, key_env, home), ""]
    for folder in new:
        name = _unique(name_for_folder(folder), taken)
        lines += [*_table(name, folder, None, home), ""]
    return lines[:-1]
