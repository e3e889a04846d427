"""Every file location limitwatch uses, in one place.

This module is the single seam tests patch (see ``tests/conftest.py``): nothing else in the
package may call platformdirs or read ``$HOME`` on its own.

On Linux the user's folders follow the XDG rules as platformdirs reads them, written out here
(``_xdg_user_dir``): importing platformdirs loads ``tempfile``, ``shutil`` with three
compressors, ``random`` and ``copy``, 25 modules and a tenth of a warm ``status``.
``tests/test_paths_xdg.py`` checks the two agree for every mix of ``HOME`` and ``XDG_*``
values, against the platformdirs installed. Elsewhere, platformdirs answers.

Environment overrides (for power users and tests):
    LIMITWATCH_CONFIG      the config file
    LIMITWATCH_DATA_DIR    history database and statusline records
    LIMITWATCH_CACHE_DIR   the shared usage cache and its lock
    CLAUDE_CONFIG_DIR      Claude Code's config folder(s); may be a comma-separated list
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tui.digest import sha256_hex

APP_NAME = "limitwatch"


_XDG = {  # kind -> (variable, default under the home folder), as platformdirs' Unix class
    "config": ("XDG_CONFIG_HOME", "~/.config"),
    "data": ("XDG_DATA_HOME", "~/.local/share"),
    "cache": ("XDG_CACHE_HOME", "~/.cache"),
}


def _plain_linux() -> bool:
    """Linux that platformdirs treats as plain Unix (not an Android app)."""
    android = os.environ.get("ANDROID_DATA") == "/data" and os.environ.get("ANDROID_ROOT") == (
        "/system"
    )
    return sys.platform == "linux" and not android and not hasattr(sys, "getandroidapilevel")


def _expand_home(path: str) -> str:
    """``~/...`` under the home folder; a relative ``$HOME`` counts as unset (platformdirs)."""
    home = os.environ.get("HOME")
    if home is not None and not home.startswith("/"):
        expanded = path
        try:
            import pwd

            expanded = pwd.getpwuid(os.getuid()).pw_dir.rstrip("/") + path[1:] or "/"
        except (ImportError, KeyError):
            pass
    else:
        expanded = os.path.expanduser(path)
    if not expanded.startswith("/"):
        raise RuntimeError(
            f"could not determine the home directory for {path!r}, "
            "set an absolute HOME or XDG variable"
        )
    return expanded


def _xdg_user_dir(kind: str) -> Path:
    """The user's config, data or cache folder for limitwatch, by the XDG rules: the variable
    when it holds an absolute path, else the default under the home folder."""
    variable, default = _XDG[kind]
    base = os.environ.get(variable, "")
    if not base.startswith("/"):
        base = _expand_home(default)
    return Path(os.path.join(base, APP_NAME))


def _user_dir(kind: str) -> Path:
    if _plain_linux():
        return _xdg_user_dir(kind)
    import platformdirs

    if kind == "config":
        return platformdirs.user_config_path(APP_NAME)
    if kind == "data":
        return platformdirs.user_data_path(APP_NAME)
    return platformdirs.user_cache_path(APP_NAME)


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def home_dir() -> Path:
    """The user's home folder (patched in tests)."""
    return Path.home()


def default_config_file() -> Path:
    """The config file used when neither ``--config`` nor ``LIMITWATCH_CONFIG`` is given."""
    return _user_dir("config") / "config.toml"


def config_file(explicit: str | os.PathLike[str] | None = None) -> tuple[Path, str]:
    """The config file in force and where that choice came from.

    Order: ``--config`` argument, ``LIMITWATCH_CONFIG``, the platform's config folder.
    """
    if explicit is not None and str(explicit) != "":
        return Path(explicit).expanduser(), "--config"
    env = _env_path("LIMITWATCH_CONFIG")
    if env is not None:
        return env, "LIMITWATCH_CONFIG"
    return default_config_file(), "default"


def data_dir() -> Path:
    """History database and recorded status-line feeds."""
    return _env_path("LIMITWATCH_DATA_DIR") or _user_dir("data")


def cache_dir() -> Path:
    """The usage cache shared between limitwatch processes, and its lock file."""
    return _env_path("LIMITWATCH_CACHE_DIR") or _user_dir("cache")


def history_db() -> Path:
    return data_dir() / "history.sqlite3"


def usage_cache_file(account_key: str) -> Path:
    """One cache file per account; ``account_key`` is a hash, never a token."""
    return cache_dir() / f"usage-{account_key}.json"


def usage_lock_file(account_key: str) -> Path:
    return cache_dir() / f"usage-{account_key}.lock"


def transcript_tails_file() -> Path:
    """Where the headless commands last found an error row in each recent transcript
    (offsets only; ``sources.transcripts.tails``)."""
    return cache_dir() / "transcript-tails.json"


def account_suffix(config_dir: Path | None) -> str:
    """How an account's own state files are told apart: nothing for the default folder
    (``~/.claude``, the files single-account users already have), else ``-`` and 8 hex chars
    of the folder's path (stable when the account is renamed in the config)."""
    if config_dir is None:
        return ""
    folder = Path(config_dir).expanduser()
    if folder == home_dir() / ".claude":
        return ""
    digest = sha256_hex(str(folder).encode("utf-8", "surrogateescape"))
    return "-" + digest[:8]


def statusline_file(config_dir: Path | None = None) -> Path:
    """The last status-line feed recorded by ``limitwatch statusline`` for that account."""
    return data_dir() / f"statusline{account_suffix(config_dir)}.json"


def claude_config_dirs(configured: str | None = None) -> list[Path]:
    """Claude Code's config folders, most specific first, without duplicates.

    ``configured`` is ``[sources] claude_config_dir`` from our config; it wins over the
    environment. Both may be comma-separated lists.
    """
    found: list[Path] = []
    raw = configured if configured else os.environ.get("CLAUDE_CONFIG_DIR", "")
    for part in raw.split(","):
        part = part.strip()
        if part:
            found.append(Path(part).expanduser())
    home = home_dir()
    found.append(home / ".config" / "claude")
    found.append(home / ".claude")
    unique: list[Path] = []
    for path in found:
        if path not in unique:
            unique.append(path)
    return unique


def primary_claude_config_dir(configured: str | None = None) -> Path:
    """Where Claude Code keeps ``.credentials.json``: the first configured folder or ~/.claude."""
    raw = configured if configured else os.environ.get("CLAUDE_CONFIG_DIR", "")
    for part in raw.split(","):
        part = part.strip()
        if part:
            return Path(part).expanduser()
    return home_dir() / ".claude"


def last_error_file(config_dir: Path | None = None) -> Path:
    """The account's last classified error, kept so that ``status`` and ``statusline`` can show
    it."""
    return data_dir() / f"last_error{account_suffix(config_dir)}.json"


def estimate_file(config_dir: Path | None = None) -> Path:
    """The account's estimate quality (running error per window), for ``doctor``."""
    return data_dir() / f"estimate{account_suffix(config_dir)}.json"
