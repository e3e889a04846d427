"""The command line is parsed with only the named command's parser built (every start pays
for what it builds): what it parses, and every help and error, must not change."""

from __future__ import annotations

import pytest

from tui.cli.parser import build_parser, command_in

SAME_AS_THE_WHOLE_PARSER = [
    ["status", "--json"],
    ["--config", "status", "status", "--json"],  # a value that looks like a command
    ["--config=/tmp/c.toml", "doctor"],
    ["--conf", "doctor", "status"],  # an abbreviated option swallows its value too
    ["--account", "work", "statusline", "--format", "{five_hour}"],
    ["--demo", "--demo-speed", "5"],
    ["config", "show", "--config", "x.toml"],
    ["history", "--since", "2d", "--format", "csv"],
    ["explain", "--json", "You're out of extra usage"],
    ["export", "--prometheus", "127.0.0.1:9464", "--otlp"],
    ["simulate", "--port", "0", "--scenario", "healthy"],
    [],
]


@pytest.mark.parametrize("argv", SAME_AS_THE_WHOLE_PARSER, ids=" ".join)
def test_the_partial_parser_reads_argv_as_the_whole_one_does(argv: list[str]) -> None:
    assert build_parser(command_in(argv)).parse_args(argv) == build_parser().parse_args(argv)


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["status"], "status"),
        (["--config", "doctor", "status"], "status"),
        (["-h", "status"], None),  # top-level help lists every command
        (["--he", "status"], None),
        (["statu"], None),  # a typo gets argparse's "invalid choice" with every choice
        (["--", "status"], None),
        ([], None),
    ],
)
def test_the_command_is_only_guessed_when_certain(argv: list[str], command: str | None) -> None:
    assert command_in(argv) == command


def test_help_and_unknown_commands_still_list_every_command(capsys) -> None:
    from tui.cli import main

    with pytest.raises(SystemExit):
        main(["-h", "status"])
    shown = capsys.readouterr().out
    for name in ("status", "statusline", "config", "doctor", "history", "export", "explain"):
        assert name in shown
    with pytest.raises(SystemExit) as ended:
        main(["statu"])
    assert ended.value.code == 2
    error = capsys.readouterr().err
    assert "invalid choice: 'statu'" in error and "'explain'" in error
