"""Which accounts limitwatch watches: [[accounts]], [sources], CLAUDE_CONFIG_DIR, ~/.claude.

Each rule of ``tui.config.accounts`` with the folders a user would have.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tui import config as cfg
from tui.config import AccountConfig, Config, SourcesConfig, ThresholdOverride, Thresholds
from tui.config.accounts import (
    FROM_DEFAULT,
    FROM_ENV,
    FROM_SOURCES,
    FROM_TABLES,
    UnknownAccount,
    discover_config_dirs,
    name_for_folder,
    pick_account,
    resolve_accounts,
    suggested_account_lines,
)

HOME = Path("/home/ada")


def names_and_dirs(config: Config, env: dict[str, str]) -> list[tuple[str, Path]]:
    return [(a.name, a.config_dir) for a in resolve_accounts(config, env, home=HOME)]


def load(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return cfg.load_config(path)


# --------------------------------------------------------------------------- where they come from


def test_nothing_configured_is_one_default_account_in_home() -> None:
    [account] = resolve_accounts(Config(), {}, home=HOME)
    assert (account.name, account.config_dir, account.origin) == (
        "default",
        HOME / ".claude",
        FROM_DEFAULT,
    )
    assert account.api_key_env == "ANTHROPIC_API_KEY"


def test_claude_config_dir_gives_one_account_per_folder_named_after_it() -> None:
    env = {"CLAUDE_CONFIG_DIR": "~/.claude-work, ~/.claude,/srv/team/.claude-max2"}
    assert names_and_dirs(Config(), env) == [
        ("work", HOME / ".claude-work"),
        ("default", HOME / ".claude"),
        ("max2", Path("/srv/team/.claude-max2")),
    ]
    accounts = resolve_accounts(Config(), env, home=HOME)
    assert {a.origin for a in accounts} == {FROM_ENV}
    # one API key, one account: the first
    assert [a.api_key_env for a in accounts] == ["ANTHROPIC_API_KEY", None, None]


def test_sources_claude_config_dir_wins_over_the_environment() -> None:
    config = Config(sources=SourcesConfig(claude_config_dir="~/.claude-personal,~/.claude"))
    env = {"CLAUDE_CONFIG_DIR": "/elsewhere/.claude-other"}
    assert names_and_dirs(config, env) == [
        ("personal", HOME / ".claude-personal"),
        ("default", HOME / ".claude"),
    ]
    assert resolve_accounts(config, env, home=HOME)[0].origin == FROM_SOURCES


def test_accounts_tables_replace_every_other_source(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        '[sources]\nclaude_config_dir = "~/.claude"\n'
        '[[accounts]]\nname = "Work seat"\nclaude_config_dir = "~/cc/work"\n'
        'api_key_env = "WORK_KEY"\n'
        '[[accounts]]\nname = "me"\nclaude_config_dir = "/opt/me"\n',
    )
    env = {"CLAUDE_CONFIG_DIR": "/from/env/.claude"}
    accounts = resolve_accounts(config, env, home=HOME)
    assert [(a.name, a.config_dir, a.api_key_env, a.origin) for a in accounts] == [
        ("Work seat", HOME / "cc" / "work", "WORK_KEY", FROM_TABLES),
        ("me", Path("/opt/me"), None, FROM_TABLES),
    ]


def test_blank_parts_and_the_same_folder_twice_make_one_account() -> None:
    env = {"CLAUDE_CONFIG_DIR": " , ~/.claude-work,,~/.claude-work/ ,"}
    assert names_and_dirs(Config(), env) == [("work", HOME / ".claude-work")]


def test_an_empty_claude_config_dir_falls_back_to_the_default() -> None:
    assert names_and_dirs(Config(), {"CLAUDE_CONFIG_DIR": " , "}) == [("default", HOME / ".claude")]


def test_folders_with_the_same_name_get_a_suffix() -> None:
    env = {"CLAUDE_CONFIG_DIR": "/a/.claude,/b/.claude,/c/.claude-default,/d/work,/e/Work"}
    assert [name for name, _ in names_and_dirs(Config(), env)] == [
        "default",
        "default-2",
        "default-3",
        "work",
        "Work-2",
    ]


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("~/.claude", "default"),
        ("~/.claude-work", "work"),
        ("~/.claude-", "claude-"),
        ("~/.team", "team"),
        ("/srv/claude/max", "max"),
        ("~/.config/claude", "claude"),
        ("/", "account"),
        ("/x/bad\x1bname", "bad?name"),
    ],
)
def test_account_names_from_folders(folder: str, name: str) -> None:
    assert name_for_folder(Path(folder)) == name


# --------------------------------------------------------------------------- thresholds


def test_an_account_without_thresholds_has_the_global_levels() -> None:
    config = Config(
        thresholds=Thresholds(70, 85),
        window_thresholds={"seven_day": Thresholds(60, 85)},
        accounts=(AccountConfig("work", "~/.claude-work"),),
    )
    [work] = resolve_accounts(config, {}, home=HOME)
    assert work.thresholds_for("five_hour") == Thresholds(70, 85)
    assert work.thresholds_for("seven_day") == Thresholds(60, 85)


def test_account_thresholds_most_specific_first(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        "[thresholds]\nwarning = 70\ncritical = 85\n"
        "[thresholds.seven_day]\nwarning = 60\n"
        "[thresholds.five_hour]\ncritical = 95\n"
        '[[accounts]]\nname = "work"\nclaude_config_dir = "~/.claude-work"\n'
        "[accounts.thresholds]\nwarning = 80\n"
        "[accounts.thresholds.seven_day_opus]\ncritical = 99\n"
        '[[accounts]]\nname = "home"\nclaude_config_dir = "~/.claude"\n',
    )
    work, home = resolve_accounts(config, {}, home=HOME)
    # the account's own table beats [thresholds.<window>]; missing keys come from there
    assert work.thresholds_for("five_hour") == Thresholds(80, 95)
    assert work.thresholds_for("seven_day") == Thresholds(80, 85)
    assert work.thresholds_for("seven_day_opus") == Thresholds(80, 99)
    assert work.thresholds_for("some_new_window") == Thresholds(80, 85)
    assert config.thresholds_for("seven_day_opus", "work") == Thresholds(80, 99)
    # the other account, and no account at all, keep the global levels
    assert home.thresholds_for("seven_day") == Thresholds(60, 85)
    assert config.thresholds_for("seven_day") == Thresholds(60, 85)
    assert config.thresholds_for("seven_day", "not-an-account") == Thresholds(60, 85)
    assert config.accounts[0].thresholds == ThresholdOverride(warning=80)


# --------------------------------------------------------------------------- --account NAME


def test_pick_account_by_name_and_an_unknown_name_lists_the_names() -> None:
    accounts = resolve_accounts(
        Config(), {"CLAUDE_CONFIG_DIR": "~/.claude,~/.claude-work"}, home=HOME
    )
    assert pick_account(accounts, "work").config_dir == HOME / ".claude-work"
    with pytest.raises(UnknownAccount) as caught:
        pick_account(accounts, "wrok")
    assert str(caught.value) == 'no account is named "wrok"; the accounts are: default, work'


# --------------------------------------------------------------------------- discovery


def _claude_folder(path: Path, *, credentials: bool = True) -> Path:
    path.mkdir(parents=True)
    if credentials:
        (path / ".credentials.json").write_text("{}")
    return path


def test_discover_lists_folders_holding_credentials(tmp_path: Path) -> None:
    home = tmp_path / "home"
    default = _claude_folder(home / ".claude")
    work = _claude_folder(home / ".claude-work")
    xdg = _claude_folder(home / ".config" / "claude")
    _claude_folder(home / ".claude-empty", credentials=False)  # never signed in
    _claude_folder(home / "projects")  # a credentials file, but not Claude Code's folder
    (home / ".claude-file").write_text("not a folder")
    odd = home / ".claude-odd"
    odd.mkdir()
    (odd / ".credentials.json").mkdir()  # not a regular file
    assert discover_config_dirs(home) == [default, work, xdg]


def test_discover_in_a_missing_home_finds_nothing(tmp_path: Path) -> None:
    assert discover_config_dirs(tmp_path / "nobody") == []


def test_suggested_lines_keep_the_current_account_and_add_the_new_folders(tmp_path) -> None:
    home = tmp_path / "home"
    _claude_folder(home / ".claude")
    _claude_folder(home / ".claude-work")
    env = {"ANTHROPIC_API_KEY": "sk-ant-secret-value"}
    lines = suggested_account_lines(Config(), env, home=home)
    assert lines == [
        "[[accounts]]",
        'name = "default"',
        'claude_config_dir = "~/.claude"',
        'api_key_env = "ANTHROPIC_API_KEY"',
        "",
        "[[accounts]]",
        'name = "work"',
        'claude_config_dir = "~/.claude-work"',
    ]
    assert "sk-ant-secret-value" not in "\n".join(lines)
    # pasted into the config, they watch both folders under those names
    config = load(tmp_path, "\n".join(lines) + "\n")
    resolved = resolve_accounts(config, env, home=home)
    assert [(a.name, a.config_dir) for a in resolved] == [
        ("default", home / ".claude"),
        ("work", home / ".claude-work"),
    ]
    assert suggested_account_lines(config, env, home=home) == []


def test_suggested_lines_with_accounts_tables_add_only_the_new_folder(tmp_path) -> None:
    home = tmp_path / "home"
    _claude_folder(home / ".claude")
    work = _claude_folder(home / ".claude-work")
    config = load(tmp_path, f'[[accounts]]\nname = "work"\nclaude_config_dir = "{work}"\n')
    lines = suggested_account_lines(config, {}, home=home)
    assert lines == ["[[accounts]]", 'name = "default"', 'claude_config_dir = "~/.claude"']
    merged = tomllib.loads(config.path.read_text() + "\n" + "\n".join(lines))  # type: ignore[union-attr]
    assert [a["name"] for a in merged["accounts"]] == ["work", "default"]


def test_suggested_names_never_clash_with_the_current_ones(tmp_path) -> None:
    home = tmp_path / "home"
    other = _claude_folder(home / ".claude-work")
    env = {"CLAUDE_CONFIG_DIR": "/elsewhere/.claude-work"}
    lines = suggested_account_lines(Config(), env, home=home, found=[other])
    assert [line for line in lines if line.startswith("name")] == [
        'name = "work"',
        'name = "work-2"',
    ]


def test_nothing_new_to_suggest_is_an_empty_list(tmp_path) -> None:
    home = tmp_path / "home"
    _claude_folder(home / ".claude")
    assert suggested_account_lines(Config(), {}, home=home) == []
