"""``status`` and ``statusline`` are read without argparse (its import is a tenth of their
start): whatever line the quick reader accepts must mean exactly what argparse makes of it,
and everything else must still reach argparse, with its help and its errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.cli import quick
from tui.cli.parser import build_parser

PLAIN = [
    ["status"],
    ["status", "--json"],
    ["status", "--json", "--probe"],
    ["status", "--account", "work", "--json"],
    ["status", "--account=work", "--config", "/tmp/c.toml"],
    ["status", "--config="],
    ["status", "--json", "--json", "--account", "a", "--account", "b"],
    ["statusline"],
    ["statusline", "--format", "{five_hour} {seven_day}"],
    ["statusline", "--format=", "--account", "personal"],
    ["statusline", "--config", "x.toml", "--format", "{model}"],
]


@pytest.mark.parametrize("argv", PLAIN, ids=" ".join)
def test_a_plain_status_line_reads_as_argparse_reads_it(argv: list[str]) -> None:
    args = quick.parse(argv)
    assert args is not None
    assert vars(args) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["doctor"],
        ["status", "-h"],
        ["status", "--help"],
        ["status", "--js"],  # an abbreviation: argparse decides
        ["status", "--json=yes"],  # argparse's error
        ["status", "--account"],  # the value is missing: argparse's error
        ["status", "--account", "--json"],
        ["status", "--account", "-5"],
        ["status", "extra"],
        ["statusline", "--json"],
        ["--account", "work", "status"],  # a top-level option first
        ["status", "--", "--json"],
    ],
    ids=" ".join,
)
def test_anything_else_goes_to_argparse(argv: list[str]) -> None:
    assert quick.parse(argv) is None


WORDS = st.sampled_from(
    [
        "status",
        "statusline",
        "--json",
        "--probe",
        "--account",
        "--account=x",
        "--config",
        "--config=c.toml",
        "--format",
        "--format={model}",
        "--js",
        "-h",
        "--",
        "work",
        "-5",
        "",
        "=",
        "{five_hour}",
    ]
)


@given(st.lists(WORDS, max_size=6))
def test_whatever_the_quick_reader_accepts_argparse_reads_the_same(argv: list[str]) -> None:
    args = quick.parse(argv)
    if args is not None:
        assert vars(args) == vars(build_parser().parse_args(argv))
