"""Test-wide fixtures.

``isolated_paths`` is autouse: every path limitwatch could touch (config, data, cache, Claude
Code's folder, $HOME) points into a temporary folder, and every environment variable that
could leak a developer's real credentials or endpoints is removed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tui import paths

_ENV_TO_CLEAR = (
    "LIMITWATCH_CONFIG",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_ADMIN_KEY",
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_AUTH_TOKEN",
    "CLAUDE_CODE_OAUTH_TOKEN",
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "ALL_PROXY",
    "https_proxy",
    "http_proxy",
    "all_proxy",
    "NO_COLOR",
)


@dataclass
class IsolatedPaths:
    root: Path
    home: Path
    config_file: Path
    data: Path
    cache: Path
    claude: Path


@pytest.fixture(autouse=True)
def isolated_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[IsolatedPaths]:
    root = tmp_path / "lw-root"
    home = root / "home"
    config_dir = root / "config"
    data = root / "data"
    cache = root / "cache"
    claude = home / ".claude"
    for folder in (home, config_dir, data, cache):
        folder.mkdir(parents=True)
    for name in _ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(root / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(root / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / "xdg-cache"))
    monkeypatch.setenv("LIMITWATCH_DATA_DIR", str(data))
    monkeypatch.setenv("LIMITWATCH_CACHE_DIR", str(cache))
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(claude))
    config_file = config_dir / "config.toml"
    monkeypatch.setattr(paths, "default_config_file", lambda: config_file)
    monkeypatch.setattr(paths, "home_dir", lambda: home)
    yield IsolatedPaths(
        root=root, home=home, config_file=config_file, data=data, cache=cache, claude=claude
    )


@pytest.fixture
def projects(isolated_paths: IsolatedPaths) -> Path:
    """Claude Code's transcript folder of the isolated user (it may not exist yet)."""
    return isolated_paths.claude / "projects"
