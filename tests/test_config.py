"""The config file: defaults, validation that reports every problem, atomic writes."""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import fields, replace
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui import config as cfg
from tui.config import (
    AccountConfig,
    Config,
    ConfigError,
    ExportConfig,
    HistoryConfig,
    NotifyConfig,
    PollConfig,
    ProbeConfig,
    Problem,
    SourcesConfig,
    StatuslineConfig,
    ThresholdOverride,
    Thresholds,
)
from tui.config.model import SECTION_TYPES


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(ConfigError) as caught:
        cfg.load_config(path)
    return caught.value.problems


def fingerprint(path: Path) -> tuple[bytes, int, int]:
    info = path.stat()
    return path.read_bytes(), info.st_mtime_ns, stat.S_IMODE(info.st_mode)


# --------------------------------------------------------------------------- loading


def test_missing_file_gives_defaults_with_the_path_it_would_have(isolated_paths):
    config = cfg.load_config()
    assert config == Config(path=isolated_paths.config_file)
    assert config.thresholds == Thresholds(75.0, 90.0)
    assert config.poll.usage_interval == 300
    assert not isolated_paths.config_file.exists()


def test_explicit_path_beats_the_environment_which_beats_the_default(tmp_path, monkeypatch):
    from_env = write(tmp_path / "env.toml", "[poll]\nusage_interval = 120\n")
    from_flag = write(tmp_path / "flag.toml", "[poll]\nusage_interval = 600\n")
    monkeypatch.setenv("LIMITWATCH_CONFIG", str(from_env))
    assert cfg.load_config().poll.usage_interval == 120
    flagged = cfg.load_config(explicit=str(from_flag))
    assert flagged.poll.usage_interval == 600
    assert flagged.path == from_flag


def test_a_valid_file_sets_every_section(tmp_path):
    path = write(
        tmp_path / "c.toml",
        """
[thresholds]
warning = 70
critical = 85.5
[thresholds.seven_day]
warning = 60
[thresholds.five_hour]
critical = 95
[thresholds.some_future_window]
warning = 50
critical = 60
[poll]
usage_interval = 60
probe_interval = 10
transcripts_interval = 1
[probe]
enabled = true
model = "claude-sonnet-4-5"
[notify]
bell = false
desktop = true
command = "notify-send limitwatch"
command_timeout = 2.5
[sources]
base_url = "http://127.0.0.1:8080"
claude_config_dir = "~/.claude-work,~/.claude"
api_key_env = "MY_KEY"
admin_key_env = "MY_ADMIN_KEY"
[history]
retention_days = 3650
[statusline]
format = "{model} {five_hour}/{seven_day} {five_hour_reset} {seven_day_reset}{error} {{x}}"
""",
    )
    config = cfg.load_config(path)
    assert config.thresholds == Thresholds(70.0, 85.5)
    # a per-window table may give one key; the other comes from [thresholds]
    assert config.thresholds_for("seven_day") == Thresholds(60.0, 85.5)
    assert config.thresholds_for("five_hour") == Thresholds(70.0, 95.0)
    assert config.thresholds_for("some_future_window") == Thresholds(50.0, 60.0)
    assert config.thresholds_for("seven_day_opus") == Thresholds(70.0, 85.5)
    assert config.poll == PollConfig(60, 10, 1)
    assert config.probe == ProbeConfig(enabled=True, model="claude-sonnet-4-5")
    assert config.notify == NotifyConfig(False, True, "notify-send limitwatch", 2.5)
    assert config.sources.base_url == "http://127.0.0.1:8080"
    assert config.sources.api_key_env == "MY_KEY"
    assert config.history.retention_days == 3650
    assert config.statusline.format.endswith("{{x}}")


def test_whole_numbers_are_fine_where_fractions_are_allowed(tmp_path):
    path = write(tmp_path / "c.toml", "[thresholds]\nwarning = 60\n[notify]\ncommand_timeout = 3\n")
    config = cfg.load_config(path)
    assert config.thresholds.warning == 60.0
    assert isinstance(config.thresholds.warning, float)
    assert config.notify.command_timeout == 3.0


def test_an_empty_file_and_a_byte_order_mark_are_accepted(tmp_path):
    assert cfg.load_config(write(tmp_path / "empty.toml", "")) == Config(
        path=tmp_path / "empty.toml"
    )
    bom = write(tmp_path / "bom.toml", b"\xef\xbb\xbf[poll]\nusage_interval = 90\n")
    assert cfg.load_config(bom).poll.usage_interval == 90


# --------------------------------------------------------------------------- bad input


def test_a_file_that_is_not_toml_names_the_line(tmp_path):
    path = write(tmp_path / "c.toml", "[poll]\nusage_interval = 300\nthis is not toml\n")
    [problem] = problems_of(path)
    assert problem.file == path
    assert problem.line == 3
    assert "not valid TOML" in problem.message
    assert str(problem).startswith(f"{path}:3: not valid TOML")


def test_an_unquoted_word_gets_a_quoting_hint(tmp_path):
    [problem] = problems_of(write(tmp_path / "c.toml", "[probe]\nenabled = auto\n"))
    assert problem.line == 2
    assert 'needs quotes, e.g. "auto"' in problem.message


def test_a_truncated_file_reports_the_last_line(tmp_path):
    [problem] = problems_of(write(tmp_path / "c.toml", "[poll]\nusage_interval = [1,"))
    assert problem.line == 2
    assert "end of the file" in problem.message


def test_a_key_of_the_wrong_type(tmp_path):
    path = write(tmp_path / "c.toml", '[poll]\nusage_interval = "300"\n')
    [problem] = problems_of(path)
    assert (problem.key, problem.line) == ("poll.usage_interval", 2)
    assert problem.message == 'must be a whole number of seconds, got "300" (a string)'
    assert str(problem) == (
        f'{path}:2: poll.usage_interval: must be a whole number of seconds, got "300" (a string)'
    )


@pytest.mark.parametrize(
    ("toml", "key", "fragment"),
    [
        ("[poll]\nusage_interval = 300.0\n", "poll.usage_interval", "whole number"),
        ("[poll]\nprobe_interval = true\n", "poll.probe_interval", "true (a boolean)"),
        ("[thresholds]\nwarning = true\n", "thresholds.warning", "must be a number"),
        ("[thresholds]\nwarning = nan\n", "thresholds.warning", "finite"),
        ("[notify]\nbell = 1\n", "notify.bell", "true or false"),
        ("[notify]\ncommand = 5\n", "notify.command", "must be a string"),
        ('[notify]\ncommand = "  "\n', "notify.command", "must not be empty"),
        ('[probe]\nenabled = "yes"\n', "probe.enabled", '"auto", true or false'),
        ('[probe]\nmodel = ""\n', "probe.model", "must not be empty"),
        ("[history]\nretention_days = 1.5\n", "history.retention_days", "whole number"),
        ("poll = 5\n", "poll", "must be a table"),
        ("[thresholds]\nseven_day = 60\n", "thresholds.seven_day", "[thresholds.<window id>]"),
        ("[statusline]\nformat = 7\n", "statusline.format", "must be a string"),
    ],
)
def test_wrong_types_name_the_key(tmp_path, toml, key, fragment):
    [problem] = problems_of(write(tmp_path / "c.toml", toml))
    assert problem.key == key
    assert fragment in problem.message


@pytest.mark.parametrize(
    ("toml", "key", "fragment"),
    [
        ("[thresholds]\nwarning = -1\n", "thresholds.warning", "between 0 and 100"),
        ("[thresholds]\ncritical = 100.5\n", "thresholds.critical", "between 0 and 100"),
        ("[poll]\nusage_interval = 59\n", "poll.usage_interval", "at least 60 seconds"),
        ("[poll]\nprobe_interval = 9\n", "poll.probe_interval", "at least 10 seconds"),
        ("[poll]\ntranscripts_interval = 0\n", "poll.transcripts_interval", "at least 1"),
        ("[poll]\nusage_interval = 86401\n", "poll.usage_interval", "at most 86400"),
        ("[notify]\ncommand_timeout = 0\n", "notify.command_timeout", "more than 0 seconds"),
        ("[history]\nretention_days = 0\n", "history.retention_days", "at least 1"),
        ("[history]\nretention_days = 3651\n", "history.retention_days", "at most 3650 days"),
        ('[sources]\nbase_url = "ftp://x"\n', "sources.base_url", "http:// or https://"),
        ('[sources]\nbase_url = "https://"\n', "sources.base_url", "http:// or https://"),
        ('[sources]\nbase_url = "http://h:port"\n', "sources.base_url", "http:// or https://"),
        ('[sources]\napi_key_env = "1KEY"\n', "sources.api_key_env", "environment variable"),
        ('[sources]\nadmin_key_env = "A-B"\n', "sources.admin_key_env", "environment variable"),
    ],
)
def test_out_of_range_values_name_the_key(tmp_path, toml, key, fragment):
    [problem] = problems_of(write(tmp_path / "c.toml", toml))
    assert problem.key == key
    assert fragment in problem.message
    assert problem.line == 2


def test_an_unknown_key_one_letter_off_suggests_the_real_one(tmp_path):
    path = write(tmp_path / "c.toml", "[thresholds]\nwarnin = 80\n")
    [problem] = problems_of(path)
    assert str(problem) == f'{path}:2: thresholds.warnin: unknown key (did you mean "warning"?)'


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[pol]\nusage_interval = 60\n", "pol: unknown section (did you mean [poll]?)"),
        (
            "usage_interval = 60\n",
            "usage_interval: unknown key (did you mean usage_interval under [poll]?)",
        ),
        (
            "[poll]\nusage_intervall = 60\n",
            'poll.usage_intervall: unknown key (did you mean "usage_interval"?)',
        ),
        (
            "[thresholds.seven_day]\ncriticl = 95\n",
            'thresholds.seven_day.criticl: unknown key (did you mean "critical"?)',
        ),
        ("[notify]\nsound = true\n", "notify.sound: unknown key"),
    ],
)
def test_unknown_keys_and_sections(tmp_path, toml, expected):
    [problem] = problems_of(write(tmp_path / "c.toml", toml))
    assert str(problem).split(": ", 1)[1] == expected


def test_thresholds_out_of_order(tmp_path):
    path = write(tmp_path / "c.toml", "[thresholds]\nwarning = 90\ncritical = 80\n")
    [problem] = problems_of(path)
    assert (problem.key, problem.line) == ("thresholds.critical", 3)
    assert problem.message == "critical (80) must be above warning (90)"


def test_equal_thresholds_are_out_of_order_too(tmp_path):
    [problem] = problems_of(
        write(tmp_path / "c.toml", "[thresholds]\nwarning = 80\ncritical = 80\n")
    )
    assert problem.key == "thresholds.critical"


def test_a_warning_above_the_default_critical_blames_the_key_the_user_wrote(tmp_path):
    [problem] = problems_of(write(tmp_path / "c.toml", "[thresholds]\nwarning = 95\n"))
    assert problem.key == "thresholds.warning"
    assert problem.message == "critical (90, from the defaults) must be above warning (95)"


def test_a_window_override_is_checked_against_the_inherited_value(tmp_path):
    path = write(
        tmp_path / "c.toml",
        "[thresholds]\nwarning = 50\ncritical = 70\n[thresholds.seven_day]\nwarning = 80\n",
    )
    [problem] = problems_of(path)
    assert (problem.key, problem.line) == ("thresholds.seven_day.warning", 5)
    assert problem.message == "critical (70, from [thresholds]) must be above warning (80)"


def test_every_problem_is_reported_at_once_in_file_order(tmp_path):
    path = write(
        tmp_path / "c.toml",
        """\
[thresholds]
warnin = 80
[poll]
usage_interval = 30
probe_interval = 10.5
[probe]
enabled = "yes"
[statusline]
format = "{modle} {five_hour}"
[histroy]
retention_days = 3
""",
    )
    problems = problems_of(path)
    assert [(p.key, p.line) for p in problems] == [
        ("thresholds.warnin", 2),
        ("poll.usage_interval", 4),
        ("poll.probe_interval", 5),
        ("probe.enabled", 7),
        ("statusline.format", 9),
        ("histroy", 10),
    ]
    assert "unknown placeholder {modle} (did you mean {model}?)" in problems[4].message
    error = ConfigError(problems)
    assert str(error).splitlines() == [str(p) for p in problems]


@pytest.mark.parametrize(
    ("fmt", "fragment"),
    [
        ("{model} {five}", "unknown placeholder {five}"),
        ("{model} {", "unmatched { or }"),
        ("{}", "empty placeholder"),
        ("{five_hour:>4}", "cannot take a format spec"),
        ("{model!r}", "cannot take a format spec or conversion"),
    ],
)
def test_statusline_format_placeholders(fmt, fragment):
    [message] = cfg.statusline_format_problems(fmt)
    assert fragment in message


def test_a_key_pasted_where_a_variable_name_belongs_is_masked(tmp_path):
    secret = "sk-ant-api03-abcdefghijklmnop1234"
    path = write(tmp_path / "c.toml", f'[sources]\napi_key_env = "{secret}"\n')
    [problem] = problems_of(path)
    assert problem.key == "sources.api_key_env"
    assert secret not in str(problem)
    assert "sk-ant-...1234" in str(problem)


def test_a_config_path_that_is_a_directory(tmp_path):
    folder = tmp_path / "config.toml"
    folder.mkdir()
    [problem] = problems_of(folder)
    assert str(problem) == f"{folder}: is a folder, not a config file"


def test_a_config_path_whose_parent_is_a_file(tmp_path):
    blocker = write(tmp_path / "notafolder", "x")
    path = blocker / "config.toml"
    [problem] = problems_of(path)
    assert problem.file == path
    assert f"{blocker} is a file, not a folder" in problem.message


def test_a_file_that_is_not_utf8(tmp_path):
    path = write(tmp_path / "c.toml", b'[probe]\nmodel = "caf\xe9"\n')
    [problem] = problems_of(path)
    assert problem.line == 2
    assert "not UTF-8" in problem.message and "0xe9" in problem.message


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_an_unreadable_file(tmp_path):
    path = write(tmp_path / "c.toml", "[poll]\n")
    path.chmod(0)
    try:
        [problem] = problems_of(path)
    finally:
        path.chmod(0o600)
    assert problem.message == "cannot be read: permission denied"


def test_config_from_mapping_validates_the_same_way():
    with pytest.raises(ConfigError) as caught:
        cfg.config_from_mapping({"thresholds": {"warning": 95}, "poll": {"usage_interval": 1}})
    assert [p.key for p in caught.value.problems] == ["thresholds.warning", "poll.usage_interval"]
    assert all(p.file is None and p.line is None for p in caught.value.problems)
    assert str(caught.value.problems[1]).startswith("poll.usage_interval: must be at least 60")


# --------------------------------------------------------------------------- the default file


def test_the_default_file_parses_to_exactly_the_defaults(tmp_path):
    text = cfg.default_config_text()
    path = write(tmp_path / "c.toml", text)
    assert cfg.load_config(path) == Config(path=path)


def test_the_default_file_mentions_every_key_with_a_comment_above_it():
    lines = cfg.default_config_text().splitlines()
    sections = {"thresholds": Thresholds, **SECTION_TYPES}
    assert set(sections) >= {"poll", "probe", "notify", "sources", "history", "statusline"}
    for section, kind in sections.items():
        start = lines.index(f"[{section}]")
        for item in fields(kind):
            default = getattr(kind(), item.name)
            pattern = re.compile(rf"^{'# ' if default is None else ''}{item.name} = ")
            found = [i for i in range(start, len(lines)) if pattern.match(lines[i])]
            assert found, f"{section}.{item.name} missing from the default file"
            assert lines[found[0] - 1].startswith("# "), f"{section}.{item.name} has no comment"


# --------------------------------------------------------------------------- writing


def test_write_config_file_writes_0600_and_round_trips(tmp_path):
    path = tmp_path / "new" / "config.toml"
    config = Config(
        thresholds=Thresholds(60, 80),
        window_thresholds={"seven_day": Thresholds(50, 80)},
        notify=NotifyConfig(command="say hi"),
    )
    cfg.write_config_file(path, cfg.config_to_mapping(config))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cfg.load_config(path) == replace(config, path=path)
    assert os.listdir(path.parent) == ["config.toml"]  # no temp file left behind
    # the per-window table only holds what differs from [thresholds]
    assert tomllib.loads(path.read_text())["thresholds"]["seven_day"] == {"warning": 50}


def test_an_invalid_mapping_is_never_written(tmp_path):
    path = write(tmp_path / "d" / "c.toml", "[poll]\nusage_interval = 120\n")
    before = fingerprint(path)
    with pytest.raises(ConfigError) as caught:
        cfg.write_config_file(path, {"poll": {"usage_interval": 5}, "bogus": {}})
    assert [p.key for p in caught.value.problems] == ["poll.usage_interval", "bogus"]
    assert fingerprint(path) == before
    assert os.listdir(path.parent) == ["c.toml"]


def test_writing_where_a_parent_is_a_file_fails_cleanly(tmp_path):
    blocker = write(tmp_path / "file", "x")
    with pytest.raises(ConfigError) as caught:
        cfg.write_config_file(blocker / "config.toml", {})
    assert "cannot be written" in str(caught.value)
    assert blocker.read_text() == "x"


def test_writing_through_a_symlink_keeps_the_link(tmp_path):
    real = write(tmp_path / "dotfiles" / "limitwatch.toml", "[poll]\nusage_interval = 120\n")
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    cfg.write_config_file(link, {"poll": {"usage_interval": 180}})
    assert link.is_symlink()
    assert cfg.load_config(real).poll.usage_interval == 180


def test_save_thresholds_keeps_every_other_value(tmp_path):
    path = write(
        tmp_path / "c.toml",
        "# my comment\n[poll]\nusage_interval = 120\n[thresholds]\nwarning = 70\n"
        '[thresholds.five_hour]\nwarning = 50\n[notify]\ncommand = "x"\n',
    )
    saved = cfg.save_thresholds(
        path, Thresholds(80, 95), {"seven_day": Thresholds(60, 95), "opus": Thresholds(80, 95)}
    )
    loaded = cfg.load_config(path)
    assert saved == loaded
    assert loaded.poll.usage_interval == 120
    assert loaded.notify.command == "x"
    assert loaded.thresholds == Thresholds(80, 95)
    assert dict(loaded.window_thresholds) == {
        "seven_day": Thresholds(60, 95),
        "opus": Thresholds(80, 95),
    }
    assert "five_hour" not in loaded.window_thresholds
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_save_thresholds_creates_a_missing_file(isolated_paths):
    path = isolated_paths.config_file
    cfg.save_thresholds(path, Thresholds(40, 60), {})
    assert cfg.load_config(path).thresholds == Thresholds(40, 60)


def test_save_thresholds_refuses_an_invalid_file_and_invalid_thresholds(tmp_path):
    bad = write(tmp_path / "bad.toml", "[poll]\nusage_interval = 1\n")
    before = fingerprint(bad)
    with pytest.raises(ConfigError):
        cfg.save_thresholds(bad, Thresholds(80, 95), {})
    assert fingerprint(bad) == before

    good = write(tmp_path / "good.toml", "[poll]\nusage_interval = 120\n")
    before = fingerprint(good)
    with pytest.raises(ConfigError) as caught:
        cfg.save_thresholds(good, Thresholds(80, 95), {"seven_day": Thresholds(99, 50)})
    assert caught.value.problems[0].key == "thresholds.seven_day.critical"
    assert fingerprint(good) == before


# --------------------------------------------------------------------------- explaining


def test_explain_sources_tells_file_values_from_defaults_and_environment(tmp_path):
    path = write(
        tmp_path / "c.toml",
        "[thresholds]\nwarning = 75\n[thresholds.seven_day]\ncritical = 95\n"
        '[sources]\napi_key_env = "ANTHROPIC_API_KEY"\n',
    )
    config = cfg.load_config(path)
    env = {"ANTHROPIC_BASE_URL": "http://127.0.0.1:9000", "CLAUDE_CONFIG_DIR": "/cc"}
    rows = {row.key: (row.value, row.origin) for row in cfg.explain_sources(config, environ=env)}
    # a value equal to the default still counts as set in the file
    assert rows["thresholds.warning"] == (75.0, "file")
    assert rows["thresholds.critical"] == (90.0, "default")
    assert rows["thresholds.seven_day.critical"] == (95.0, "file")
    assert rows["thresholds.seven_day.warning"] == (75.0, "[thresholds]")
    assert rows["sources.api_key_env"] == ("ANTHROPIC_API_KEY", "file")
    assert rows["sources.base_url"] == ("http://127.0.0.1:9000", "env ANTHROPIC_BASE_URL")
    assert rows["sources.claude_config_dir"] == ("/cc", "env CLAUDE_CONFIG_DIR")
    assert rows["notify.command"] == (None, "default")


def test_a_base_url_in_the_file_wins_over_the_environment(tmp_path):
    path = write(tmp_path / "c.toml", '[sources]\nbase_url = "https://proxy.example"\n')
    config = cfg.load_config(path)
    rows = cfg.explain_sources(config, environ={"ANTHROPIC_BASE_URL": "http://other"})
    assert ("sources.base_url", "https://proxy.example", "file") in rows


# --------------------------------------------------------------------------- round trip

_PERCENT = st.floats(min_value=0, max_value=100, allow_nan=False)


@st.composite
def _threshold_pair(draw):
    low, high = sorted(draw(st.lists(_PERCENT, min_size=2, max_size=2, unique=True)))
    return Thresholds(low, high)


_NONBLANK = st.text(min_size=1, max_size=20).filter(lambda s: s.strip() != "")
_ENV = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,15}", fullmatch=True)
_URL = st.builds(
    "{}://{}:{}/{}".format,
    st.sampled_from(["http", "https"]),
    st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z]{2,5})?", fullmatch=True),
    st.integers(1, 65535),
    st.from_regex(r"[a-z0-9/]{0,10}", fullmatch=True),
)
_LITERAL = st.text(max_size=10).map(lambda s: s.replace("{", "{{").replace("}", "}}"))
_FORMAT = st.lists(
    st.tuples(_LITERAL, st.sampled_from(cfg.STATUSLINE_PLACEHOLDERS).map("{{{}}}".format)),
    max_size=4,
).map(lambda parts: "".join(a + b for a, b in parts))
_WINDOW_ID = st.one_of(
    st.sampled_from(["five_hour", "seven_day", "seven_day_opus", "seven_day_sonnet"]),
    st.text(min_size=1, max_size=12),
).filter(lambda s: s not in ("warning", "critical"))

_CONFIGS = st.builds(
    Config,
    thresholds=_threshold_pair(),
    window_thresholds=st.dictionaries(_WINDOW_ID, _threshold_pair(), max_size=3),
    poll=st.builds(
        PollConfig,
        usage_interval=st.integers(60, 86400),
        probe_interval=st.integers(10, 86400),
        transcripts_interval=st.integers(1, 86400),
    ),
    probe=st.builds(ProbeConfig, enabled=st.sampled_from(["auto", True, False]), model=_NONBLANK),
    notify=st.builds(
        NotifyConfig,
        bell=st.booleans(),
        desktop=st.booleans(),
        command=st.none() | _NONBLANK,
        command_timeout=st.floats(min_value=0.001, max_value=cfg.MAX_COMMAND_TIMEOUT),
    ),
    sources=st.builds(
        SourcesConfig,
        base_url=st.none() | _URL,
        claude_config_dir=st.none() | _NONBLANK,
        api_key_env=_ENV,
        admin_key_env=_ENV,
    ),
    history=st.builds(HistoryConfig, retention_days=st.integers(1, 3650)),
    statusline=st.builds(StatuslineConfig, format=_FORMAT),
    export=st.builds(
        ExportConfig,
        prometheus=st.sampled_from([False, "127.0.0.1:9464", "[::1]:1", "example.org:65535"]),
        otlp=st.booleans(),
        in_live_view=st.booleans(),
    ),
    accounts=st.lists(
        st.builds(
            AccountConfig,
            name=st.from_regex(r"[a-z][a-z0-9 -]{0,10}[a-z0-9]", fullmatch=True),
            claude_config_dir=st.from_regex(r"~/\.claude-[a-z]{1,8}", fullmatch=True),
            api_key_env=st.none() | _ENV,
            thresholds=st.builds(ThresholdOverride, warning=st.none(), critical=st.none()),
        ),
        max_size=3,
        unique_by=(lambda a: a.name.casefold(), lambda a: a.claude_config_dir),
    ).map(tuple),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(config=_CONFIGS, only_changed=st.booleans())
def test_any_valid_config_survives_write_and_load(tmp_path, config, only_changed):
    path = tmp_path / "round" / "config.toml"
    cfg.write_config_file(path, cfg.config_to_mapping(config, only_changed=only_changed))
    assert cfg.load_config(path) == replace(config, path=path)


@settings(max_examples=40, deadline=None)
@given(config=_CONFIGS)
def test_mapping_round_trip_without_a_file(config):
    mapping = cfg.config_to_mapping(config)
    assert cfg.config_from_mapping(tomllib.loads(tomli_w.dumps(mapping))) == config
