"""What every command does the same way: load the config or say what is wrong with it."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from tui.config import Config, ConfigError, load_config

if TYPE_CHECKING:
    import argparse

EXIT_USAGE = 2


def load_config_or_say(args: argparse.Namespace, err: TextIO) -> Config | None:
    """The config (``--config``, ``LIMITWATCH_CONFIG`` or the default file); None after printing
    every problem, each naming the file, the line and the key (the caller exits 2)."""
    try:
        return load_config(explicit=getattr(args, "config", None))
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"limitwatch: {problem}", file=err)
        return None
