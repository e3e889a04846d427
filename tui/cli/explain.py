"""``limitwatch explain [TEXT]``: classify a pasted error with the current numbers.

The text comes from the arguments or, without any, from stdin. The numbers are the ones
``limitwatch status`` would show (the shared usage cache; the throttle is never bypassed).
Prints the class, the explanation and the actions, or with ``--json`` the same object as
``last_error`` in ``status --json``. Exit 0 when something was classified, 2 when no text was
given (or the config is broken). No Textual on this path.
"""

from __future__ import annotations

import asyncio
import json
import sys
import textwrap
from datetime import tzinfo
from typing import TYPE_CHECKING, TextIO

from tui.cli.common import load_config_or_say
from tui.clock import Clock, SystemClock
from tui.config import Config
from tui.core.report import error_to_json
from tui.explain import UsageContext, classify
from tui.models import Classification, Snapshot

if TYPE_CHECKING:
    import argparse

EXIT_OK = 0
EXIT_USAGE = 2
MAX_STDIN = 1_000_000  # characters; an error message is far shorter
WIDTH = 88
NO_TEXT = (
    "limitwatch explain: no error text; pass it as an argument "
    "(limitwatch explain 'API Error: ...') or on stdin"
)


def read_text(args: argparse.Namespace, stdin: TextIO) -> str:
    """The error text: the arguments joined, else stdin (never waits on a terminal)."""
    words = [w for w in (getattr(args, "text", None) or []) if isinstance(w, str)]
    if words:
        return " ".join(words)
    try:
        if stdin.isatty():
            return ""
    except (AttributeError, ValueError):
        return ""
    try:
        return stdin.read(MAX_STDIN)
    except (OSError, ValueError, UnicodeDecodeError):
        return ""


def context_of(snapshot: Snapshot | None) -> UsageContext | None:
    """The numbers of a status snapshot as the classifier's context."""
    if snapshot is None:
        return None
    return UsageContext(
        windows=tuple(view.window for view in snapshot.windows),
        extra_usage=snapshot.extra_usage,
        plan=snapshot.account.plan,
    )


def _snapshot(config: Config, clock: Clock, err: TextIO) -> Snapshot | None:
    """The current numbers, or None (said on stderr) when they cannot be had."""
    from tui.cli.status import collect_snapshot

    try:
        return asyncio.run(collect_snapshot(config, clock=clock))
    except Exception as exc:  # the text is still worth explaining without numbers
        print(f"limitwatch explain: no usage numbers ({exc})", file=err)
        return None


def run(
    args: argparse.Namespace,
    *,
    clock: Clock | None = None,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    tz: tzinfo | None = None,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    text = read_text(args, stdin or sys.stdin)
    if not text.strip():
        print(NO_TEXT, file=err)
        return EXIT_USAGE
    config = load_config_or_say(args, err)
    if config is None:
        return EXIT_USAGE
    clock = clock or SystemClock()
    context = context_of(_snapshot(config, clock, err))
    now = clock.now()
    result = classify(text, context=context, now=now, source="pasted", tz=tz)
    if getattr(args, "json", False):
        # One write: the masking stream then sees each secret whole.
        out.write(json.dumps(error_to_json(result), indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(render(result))
    return EXIT_OK


def _wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent) or [""]


def render(result: Classification) -> str:
    """The classification for a terminal: title and class, explanation, actions, message.

    An unknown error leads with its raw message, then the numbers, the signals read and what
    to send in a report."""
    lines = [f"{result.title}  [{result.class_id}]", ""]
    if result.class_id == "unknown":
        lines.append("Message:")
        lines.extend("  " + line for line in (result.message or "(empty)").splitlines()[:40])
        lines.append("")
        lines.extend(_wrap(result.explanation))
        if result.signals:
            lines += ["", "Signals read:"]
            lines.extend("  " + signal for signal in result.signals)
        lines += ["", "To report it:"]
        lines.extend(
            _wrap(
                "open an issue with the message above and the output of "
                "`limitwatch explain --json` for it (secrets are masked, control characters "
                "removed).",
                "  ",
            )
        )
        return "\n".join(lines) + "\n"
    lines.extend(_wrap(result.explanation))
    if result.actions:
        lines += ["", "What to do:"]
        lines.extend(f"  • {action}" for action in result.actions)
    lines += ["", "Message:"]
    lines.extend("  " + line for line in result.message.splitlines()[:20])
    return "\n".join(lines) + "\n"
