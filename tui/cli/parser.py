"""The whole command line as argparse reads it: every command, option and help text.

``build_parser(only)`` builds the top level and, when the command is known, only that
command's parser (what parsing needs: building the rest costs every start time);
``command_in`` says which command argv names when that is certain. The commonest one-shot
command lines skip argparse altogether (``tui.cli.quick``); everything else comes here.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from typing import Any

from tui import __version__

EXIT_USAGE = 2
MAX_SPEED = 100_000.0  # a faster clock overflows datetime arithmetic within seconds


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0-65535 (0: any free one), got {port}")
    return port


def _speed(text: str) -> float:
    try:
        speed = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(speed) or speed > MAX_SPEED:
        raise argparse.ArgumentTypeError(
            f"expected a number above 0 and at most {MAX_SPEED:g}, got {text!r}"
        )
    return speed  # zero and below: the command says why (it stops the clock)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"limitwatch: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _add_common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    default = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--config",
        metavar="PATH",
        default=default,
        help="config file (default: $LIMITWATCH_CONFIG, else the platform's config folder)",
    )


def add_account_option(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """``--account NAME``: one account only (its name from the config, or from its folder)."""
    parser.add_argument(
        "--account",
        metavar="NAME",
        default=None if top else argparse.SUPPRESS,
        help="only this account (see `limitwatch doctor` for the names)",
    )


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``only``, the top level and that one command (what
    parsing needs when the command is known: building the rest costs every start time)."""
    parser = _Parser(
        prog="limitwatch",
        description="A terminal monitor for Claude usage limits.",
        epilog="Run without a sub-command for the live view. Docs: README.md",
    )
    parser.add_argument("--version", action="version", version=f"limitwatch {__version__}")
    _add_common(parser, top=True)
    add_account_option(parser, top=True)
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run the live view against the built-in simulator (no credentials needed)",
    )
    parser.add_argument(
        "--demo-speed",
        type=_speed,
        default=None,
        metavar="X",
        help="how much faster than real time the demo's clock runs (default 60)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, add in _COMMANDS.items():
        if only is None or name == only:
            add(sub)
    return parser


def _status_command(sub: Any) -> None:
    status = sub.add_parser("status", help="print one snapshot for scripts and prompts")
    _add_common(status, top=False)
    add_account_option(status)
    status.add_argument("--json", action="store_true", help="print the schema-1 JSON object")
    status.add_argument(
        "--probe",
        action="store_true",
        help="also probe the API and read admin reports (costs a few tokens with an API key)",
    )


def _statusline_command(sub: Any) -> None:
    statusline = sub.add_parser(
        "statusline", help="Claude Code status line command: reads its JSON on stdin"
    )
    _add_common(statusline, top=False)
    add_account_option(statusline)
    statusline.add_argument(
        "--format", default=None, help="override [statusline] format for this call"
    )


def _config_command(sub: Any) -> None:
    config = sub.add_parser("config", help="init | path | show | validate the config file")
    _add_common(config, top=False)
    config_sub = config.add_subparsers(
        dest="config_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    init = config_sub.add_parser("init", help="write a commented default config file")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    actions = [
        init,
        config_sub.add_parser("path", help="print the config file path in force"),
        config_sub.add_parser("show", help="print effective values and where each came from"),
        config_sub.add_parser(
            "validate", help="check the config file: exit 0 when valid, 2 when not"
        ),
    ]
    for action in actions:  # the common options work after the action too
        _add_common(action, top=False)


def _simulate_command(sub: Any) -> None:
    simulate = sub.add_parser("simulate", help="run the Anthropic simulator on loopback")
    _add_common(simulate, top=False)
    simulate.add_argument("--port", type=_port, default=0, help="port (default: a free one)")
    simulate.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    simulate.add_argument("--scenario", default="healthy", help="built-in name or a TOML file")
    simulate.add_argument("--speed", type=_speed, default=1.0, help="scenario clock speed-up")
    simulate.add_argument("--list", action="store_true", help="list the built-in scenarios")


def _doctor_command(sub: Any) -> None:
    doctor = sub.add_parser("doctor", help="which credentials and sources were found")
    _add_common(doctor, top=False)


def _history_command(sub: Any) -> None:
    history = sub.add_parser("history", help="print the stored readings (table, CSV or JSON)")
    _add_common(history, top=False)
    history.add_argument("--since", default="7d", help="how far back, e.g. 90m, 12h, 7d (7d)")
    add_account_option(history)
    history.add_argument("--window", metavar="ID", default=None, help="one window, e.g. five_hour")
    history.add_argument("--format", default=None, metavar="csv|json", help="for tools")


def _export_command(sub: Any) -> None:
    export = sub.add_parser(
        "export",
        help="headless agent feeding Prometheus (/metrics) and/or an OTel collector (OTLP)",
        description="Serve Prometheus metrics and/or push OTLP/HTTP (configured by the standard "
        "OTEL_* variables). With neither option, the config's [export] section decides "
        "(default: Prometheus on 127.0.0.1:9464). Needs: pip install 'limitwatch[export]'",
    )
    _add_common(export, top=False)
    export.add_argument(
        "--prometheus",
        nargs="?",
        const="",
        default=None,
        metavar="HOST:PORT",
        help="serve /metrics there (default: [export] prometheus, else 127.0.0.1:9464; "
        "loopback unless a host is given)",
    )
    export.add_argument(
        "--otlp",
        action="store_true",
        help="push OTLP/HTTP to $OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318)",
    )
    add_account_option(export)


def _explain_command(sub: Any) -> None:
    explain = sub.add_parser(
        "explain", help="classify a pasted error (argument or stdin) with the current numbers"
    )
    _add_common(explain, top=False)
    explain.add_argument("text", nargs="*", metavar="TEXT", help="the error text (else stdin)")
    explain.add_argument("--json", action="store_true", help="print the last_error JSON object")


_COMMANDS: dict[str, Callable[[Any], None]] = {
    "status": _status_command,
    "statusline": _statusline_command,
    "config": _config_command,
    "simulate": _simulate_command,
    "doctor": _doctor_command,
    "history": _history_command,
    "export": _export_command,
    "explain": _explain_command,
}


_TOP_VALUE_OPTIONS = ("--config", "--account", "--demo-speed")


def command_in(argv: Sequence[str]) -> str | None:
    """The sub-command ``argv`` names, when that is certain; None otherwise (no command, a
    help request before it, an unknown word), and then the whole parser is built."""
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif (
            token == "--"
            or token.startswith("-h")
            or (len(token) > 2 and "--help".startswith(token))
        ):
            return None
        elif token.startswith("--"):
            # an option of the top level; one that takes a value (or an abbreviation of
            # one: argparse accepts them) swallows the next word unless written name=value
            name = token.partition("=")[0]
            skip = "=" not in token and any(o.startswith(name) for o in _TOP_VALUE_OPTIONS)
        elif token.startswith("-"):
            return None
        else:
            return token if token in _COMMANDS else None
    return None
