"""The commonest one-shot command lines, read without argparse.

``limitwatch statusline`` runs after every message of Claude Code, and ``status --json`` is
what prompts and bars call: argparse with its gettext and locale is about 3 ms of their start.
``parse`` reads only the plain forms of those two commands (their own options, each spelled in
full, values after a space or ``=``) into the namespace argparse would have made; anything else
(help, an abbreviation, an option before the command, a value that looks like an option)
returns None and goes to argparse, so help and every error are argparse's own.
``tests/test_cli_quick.py`` checks the two agree on every line ``parse`` accepts.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from argparse import Namespace

# What argparse sets at the top level when no top-level option is given.
_TOP = {"config": None, "account": None, "demo": False, "demo_speed": None}

# Per command: its flags (option -> attribute), the options taking a value, and the defaults
# of its own attributes (as tui.cli.parser declares them).
_FLAGS = {
    "status": {"--json": "json", "--probe": "probe"},
    "statusline": {},
}
_VALUES = {
    "status": {"--config": "config", "--account": "account"},
    "statusline": {"--config": "config", "--account": "account", "--format": "format"},
}
_DEFAULTS: dict[str, dict[str, object]] = {
    "status": {"json": False, "probe": False},
    "statusline": {"format": None},
}


def parse(words: Sequence[str]) -> Namespace | None:
    """argparse's namespace for ``words``, or None when they are not a plain status line."""
    if not words or words[0] not in _FLAGS:
        return None
    command = words[0]
    flags, valued = _FLAGS[command], _VALUES[command]
    values: dict[str, object] = {**_TOP, "command": command, **_DEFAULTS[command]}
    i = 1
    while i < len(words):
        word = words[i]
        if word in flags:
            values[flags[word]] = True
        else:
            name, equals, value = word.partition("=")
            if name not in valued:
                return None
            if not equals:
                if i + 1 == len(words) or words[i + 1].startswith("-"):
                    return None  # argparse's error (or its reading of "-...") decides
                i += 1
                value = words[i]
            values[valued[name]] = value
        i += 1
    return cast("Namespace", SimpleNamespace(**values))
