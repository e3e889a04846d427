"""The keys added for several accounts and for export, and the model as the one declaration.

[[accounts]] (name, claude_config_dir, api_key_env, [accounts.thresholds]), [export]
(prometheus, otlp, in_live_view), the bound on notify.command_timeout; and a key added to the
model reaching `config init`, `config validate` and `config show` with no other edit.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from tui import config as cfg
from tui.cli import main
from tui.config import (
    AccountConfig,
    Config,
    ConfigError,
    ExportConfig,
    Problem,
    ThresholdOverride,
    Thresholds,
    model,
)
from tui.config.kinds import Boolean, Integer
from tui.record import record


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(ConfigError) as caught:
        cfg.load_config(path)
    return caught.value.problems


def lines_of(problems: list[Problem]) -> list[str]:
    return [str(p).split(": ", 1)[1] for p in problems]


WORK = '[[accounts]]\nname = "work"\nclaude_config_dir = "~/.claude-work"\n'


# --------------------------------------------------------------------------- [[accounts]]


def test_accounts_tables_load_in_order(tmp_path):
    path = write(
        tmp_path,
        WORK + "[accounts.thresholds]\nwarning = 60\n[accounts.thresholds.seven_day]\n"
        "critical = 80\n"
        '[[accounts]]\nname = "home"\nclaude_config_dir = "~/.claude"\napi_key_env = "HOME_KEY"\n',
    )
    config = cfg.load_config(path)
    assert config.accounts == (
        AccountConfig(
            "work",
            "~/.claude-work",
            thresholds=ThresholdOverride(warning=60),
            window_thresholds={"seven_day": ThresholdOverride(critical=80)},
        ),
        AccountConfig("home", "~/.claude", api_key_env="HOME_KEY"),
    )


def test_an_account_needs_a_name_and_a_folder(tmp_path):
    path = write(tmp_path, '[poll]\nusage_interval = 120\n[[accounts]]\napi_key_env = "K"\n')
    problems = problems_of(path)
    assert [str(p) for p in problems] == [
        f"{path}:3: accounts[1].name: is required in every [[accounts]] table",
        f"{path}:3: accounts[1].claude_config_dir: is required in every [[accounts]] table",
    ]


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            '[[accounts]]\nname = ""\nclaude_config_dir = "~/.c"\n',
            "accounts[1].name: must not be empty",
        ),
        (
            '[[accounts]]\nname = "work"\nclaude_config_dir = "  "\n',
            "accounts[1].claude_config_dir: must not be empty",
        ),
        (
            '[[accounts]]\nname = " work"\nclaude_config_dir = "~/.c"\n',
            "accounts[1].name: must not start or end with blanks or hold control characters, "
            "got ' work'",
        ),
        (
            '[[accounts]]\nname = "a\\u001b[2J"\nclaude_config_dir = "~/.c"\n',
            "accounts[1].name: must not start or end with blanks or hold control characters, "
            "got 'a\\x1b[2J'",
        ),
        (
            '[[accounts]]\nname = 5\nclaude_config_dir = "~/.c"\n',
            "accounts[1].name: must be a string, got 5 (a whole number)",
        ),
        (
            WORK + 'api_key_env = "sk-ant-api03-abcdefgh12345678"\n',
            "accounts[1].api_key_env: must be the name of an environment variable (letters, "
            'digits and _, not starting with a digit), got "sk-ant-...5678"; put the key '
            "itself in that variable",
        ),
        (WORK + "folder = 1\n", "accounts[1].folder: unknown key"),
        (
            WORK + "nmae = 1\n",
            'accounts[1].nmae: unknown key (did you mean "name"?)',
        ),
        ('[accounts]\nname = "work"\n', "accounts: must be tables ([[accounts]]), got a table"),
        (
            'claude_config_dir = "~/.claude-work"\n',
            "claude_config_dir: unknown key (did you mean claude_config_dir under [sources]?)",
        ),
        ('name = "work"\n', "name: unknown key (did you mean name under [[accounts]]?)"),
        ("accounts = [1, 2]\n", "accounts: must be tables ([[accounts]]), got an array"),
        (
            WORK + "thresholds = 5\n",
            "accounts[1].thresholds: must be a table ([accounts.thresholds]), got 5 (a whole "
            "number)",
        ),
    ],
)
def test_bad_account_keys_name_the_account_and_the_key(tmp_path, toml, expected):
    [problem] = problems_of(write(tmp_path, toml))
    assert str(problem).split(": ", 1)[1] == expected


def test_names_and_folders_must_differ_between_accounts(tmp_path):
    path = write(
        tmp_path,
        WORK
        + '[[accounts]]\nname = "Work"\nclaude_config_dir = "/other"\n'
        + '[[accounts]]\nname = "third"\nclaude_config_dir = "~/.claude-work/"\n',
    )
    problems = problems_of(path)
    assert [(p.key, p.line) for p in problems] == [
        ("accounts[2].name", 5),
        ("accounts[3].claude_config_dir", 9),
    ]
    assert lines_of(problems) == [
        "accounts[2].name: is the name of accounts[1] already; each account needs its own name",
        "accounts[3].claude_config_dir: is the folder of accounts[1] already; each account "
        "needs its own folder",
    ]


def test_account_threshold_values_are_checked_like_thresholds(tmp_path):
    path = write(
        tmp_path,
        WORK + "[accounts.thresholds]\nwarning = 101\nwarnin = 3\n"
        "[accounts.thresholds.seven_day]\ncritical = true\n",
    )
    assert [(p.key, p.line, p.message) for p in problems_of(path)] == [
        (
            "accounts[1].thresholds.warning",
            5,
            "must be between 0 and 100 (percent used), got 101",
        ),
        ("accounts[1].thresholds.warnin", 6, 'unknown key (did you mean "warning"?)'),
        (
            "accounts[1].thresholds.seven_day.critical",
            8,
            "must be a number, got true (a boolean)",
        ),
    ]


def test_an_account_pair_out_of_order_with_the_global_one(tmp_path):
    path = write(
        tmp_path, "[thresholds]\ncritical = 80\n" + WORK + "[accounts.thresholds]\nwarning = 85\n"
    )
    [problem] = problems_of(path)
    assert (problem.key, problem.line) == ("accounts[1].thresholds.warning", 7)
    assert problem.message == "critical (80, from [thresholds]) must be above warning (85)"


def test_an_account_pair_out_of_order_with_a_global_window(tmp_path):
    path = write(
        tmp_path,
        "[thresholds.seven_day]\ncritical = 78\n" + WORK + "[accounts.thresholds]\nwarning = 80\n",
    )
    [problem] = problems_of(path)
    assert problem.key == "accounts[1].thresholds.warning"
    assert problem.message == (
        "critical (78, from [thresholds.seven_day]) must be above warning (80)"
    )


def test_an_account_window_out_of_order_with_the_account_pair(tmp_path):
    path = write(
        tmp_path,
        WORK + "[accounts.thresholds]\nwarning = 60\ncritical = 70\n"
        "[accounts.thresholds.five_hour]\nwarning = 72\n",
    )
    [problem] = problems_of(path)
    assert (problem.key, problem.line) == ("accounts[1].thresholds.five_hour.warning", 8)
    assert problem.message == (
        "critical (70, from [accounts.thresholds]) must be above warning (72)"
    )


def test_account_problems_come_in_file_order_with_the_others(tmp_path):
    path = write(tmp_path, WORK + "nmae = 1\n[poll]\nusage_interval = 1\n")
    assert [p.key for p in problems_of(path)] == ["accounts[1].nmae", "poll.usage_interval"]


def test_a_broken_global_pair_is_reported_once_not_again_per_account(tmp_path):
    path = write(
        tmp_path,
        "[thresholds]\nwarning = 95\n" + WORK + "[accounts.thresholds]\nwarning = 50\n",
    )
    assert [p.key for p in problems_of(path)] == ["thresholds.warning"]


# --------------------------------------------------------------------------- [export]


def test_export_defaults_are_loopback_prometheus_and_nothing_in_the_live_view():
    assert Config().export == ExportConfig("127.0.0.1:9464", otlp=False, in_live_view=False)
    assert cfg.parse_host_port(Config().export.prometheus or "") == ("127.0.0.1", 9464)


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ('"0.0.0.0:9100"', "0.0.0.0:9100"),
        ('"localhost:1"', "localhost:1"),
        ('"[::1]:65535"', "[::1]:65535"),
        ("false", False),
    ],
)
def test_prometheus_takes_host_port_or_false(tmp_path, value, kept):
    path = write(tmp_path, f"[export]\nprometheus = {value}\notlp = true\nin_live_view = true\n")
    assert cfg.load_config(path).export == ExportConfig(kept, otlp=True, in_live_view=True)


@pytest.mark.parametrize(
    ("value", "got"),
    [
        ('"9464"', '"9464"'),
        ('"127.0.0.1"', '"127.0.0.1"'),
        ('":9464"', '":9464"'),
        ('"127.0.0.1:0"', '"127.0.0.1:0"'),
        ('"127.0.0.1:99999"', '"127.0.0.1:99999"'),
        ('"http://127.0.0.1:9464"', '"http://127.0.0.1:9464"'),
        ('"127.0.0.1:9464/metrics"', '"127.0.0.1:9464/metrics"'),
        ("true", "true (a boolean)"),
        ("9464", "9464 (a whole number)"),
    ],
)
def test_a_bad_prometheus_address_says_what_is_wanted(tmp_path, value, got):
    [problem] = problems_of(write(tmp_path, f"[export]\nprometheus = {value}\n"))
    assert (problem.key, problem.line) == ("export.prometheus", 2)
    assert problem.message == (
        'must be "HOST:PORT" with a port from 1 to 65535 (e.g. "127.0.0.1:9464"), or false to '
        f"turn it off, got {got}"
    )


def test_otlp_is_true_or_false(tmp_path):
    [problem] = problems_of(write(tmp_path, '[export]\notlp = "yes"\n'))
    assert str(problem).split(": ", 1)[1] == (
        'export.otlp: must be true or false, got "yes" (a string)'
    )


# --------------------------------------------------------------------------- command_timeout


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1e308", "must be at most 300 seconds, got 1e+308"),
        ("301", "must be at most 300 seconds, got 301"),
        ("inf", "must be a finite number, got inf"),
        ("0", "must be more than 0 seconds, got 0"),
    ],
)
def test_command_timeout_is_bounded(tmp_path, value, message):
    [problem] = problems_of(write(tmp_path, f"[notify]\ncommand_timeout = {value}\n"))
    assert (problem.key, problem.message) == ("notify.command_timeout", message)


def test_command_timeout_of_exactly_300_is_fine(tmp_path):
    path = write(tmp_path, "[notify]\ncommand_timeout = 300\n")
    assert cfg.load_config(path).notify.command_timeout == 300.0


# --------------------------------------------------------------------------- writing


def test_accounts_and_export_survive_write_and_load(tmp_path):
    config = Config(
        thresholds=Thresholds(70, 85),
        export=ExportConfig(prometheus=False, otlp=True),
        accounts=(
            AccountConfig(
                "work",
                "~/.claude-work",
                api_key_env="WORK_KEY",
                thresholds=ThresholdOverride(critical=95.5),
                window_thresholds={"seven_day": ThresholdOverride(warning=50, critical=60)},
            ),
            AccountConfig("home", "~/.claude"),
        ),
    )
    path = tmp_path / "out" / "config.toml"
    for only_changed in (False, True):
        cfg.write_config_file(path, cfg.config_to_mapping(config, only_changed=only_changed))
        assert cfg.load_config(path) == replace(config, path=path)
    data = tomllib.loads(path.read_text())
    assert data["accounts"][1] == {"name": "home", "claude_config_dir": "~/.claude"}
    assert data["export"] == {"prometheus": False, "otlp": True}


def test_saving_thresholds_keeps_the_accounts(tmp_path):
    path = write(tmp_path, WORK + "[accounts.thresholds]\nwarning = 60\n")
    before = cfg.load_config(path).accounts
    cfg.save_thresholds(path, Thresholds(50, 70), {})
    after = cfg.load_config(path)
    assert after.accounts == before
    assert after.thresholds == Thresholds(50, 70)


def test_the_default_file_describes_accounts_and_export(tmp_path):
    text = cfg.default_config_text()
    lines = text.splitlines()
    at = lines.index("[export]")
    assert lines[at + 1 : at + 8] == [
        '# Serve Prometheus metrics at http://HOST:PORT/metrics ("HOST:PORT"); false = none.',
        "# A host other than loopback makes the metrics readable from the network.",
        'prometheus = "127.0.0.1:9464"',
        "# Push metrics over OTLP/HTTP, configured by the standard OTEL_EXPORTER_OTLP_* variables.",
        "otlp = false",
        "# Export from the open live view too (`limitwatch export` exports in any case).",
        "in_live_view = false",
    ]
    # uncommenting the example [[accounts]] table gives a valid account
    start = lines.index("# [[accounts]]")
    example = "\n".join(line[2:] for line in lines[start:])
    config = cfg.load_config(write(tmp_path, example))
    assert config.accounts == (
        AccountConfig(
            "work",
            "~/.claude-work",
            api_key_env="WORK_ANTHROPIC_API_KEY",
            thresholds=ThresholdOverride(warning=60),
        ),
    )


# --------------------------------------------------------------------------- one declaration


@record
class _HistoryWithOneMoreKey:
    retention_days: int = model.key(35, Integer(1, 3650, unit="days"), "Days to keep.")
    compact_weekly: bool = model.key(True, Boolean(), "Compact the database once a week.")


def test_a_key_added_to_the_model_reaches_init_validate_and_show(
    monkeypatch, capsys, isolated_paths
):
    monkeypatch.setitem(model.SECTION_TYPES, "history", _HistoryWithOneMoreKey)
    path = isolated_paths.config_file

    assert main(["config", "init"]) == 0
    lines = path.read_text().splitlines()
    at = lines.index("compact_weekly = true")
    assert lines[at - 1] == "# Compact the database once a week."

    text = path.read_text().replace("compact_weekly = true", "compact_weekly = 2")
    path.write_text(text)
    capsys.readouterr()
    assert main(["config", "validate"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line == (
        f"{path}:{at + 1}: history.compact_weekly: must be true or false, got 2 (a whole number)"
    )

    path.write_text("[history]\ncompact_weekly = false\n")
    config = cfg.load_config(path)
    assert config.history == _HistoryWithOneMoreKey(compact_weekly=False)
    assert main(["config", "show"]) == 0
    shown = [" ".join(line.split()) for line in capsys.readouterr().out.splitlines()]
    assert "compact_weekly = false # file" in shown
    assert "retention_days = 35 # default" in shown
