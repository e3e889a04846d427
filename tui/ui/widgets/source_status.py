"""One line per source: ok and when the next call is, throttled until when, disabled and why.

Details often quote a server: each line is masked (``tui.secrets``) and cleaned of escape
sequences and control characters (``text.clean``) before it is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import ClassVar

from rich.text import Text

from tui import text as fmt
from tui.models import SourceState
from tui.secrets import mask
from tui.ui.widgets.base import TextWidget

THROTTLE_CLASSES = {"usage_endpoint_throttled", "api_rate_limited", "server_throttled"}


def source_line(state: SourceState, now: datetime, tz: tzinfo | None) -> tuple[str, str, str]:
    """(source id, what it is doing, state name for the colour), safe to draw."""
    name, text, style = _source_line(state, now, tz)
    return fmt.clean(name), fmt.clean(mask(text)), style


def _source_line(state: SourceState, now: datetime, tz: tzinfo | None) -> tuple[str, str, str]:
    nxt = state.next_attempt_at
    at = f" {fmt.local_time(nxt, now, tz)}" if nxt is not None else ""
    error = state.error
    if state.state in ("disabled", "unavailable"):
        why = state.detail or "no credentials for it"
        return state.id, f"{state.state}: {why}", "disabled"
    if error is not None and error.class_id in THROTTLE_CLASSES and state.state != "ok":
        until = f" until{at}" if at else ""
        last = ""
        if state.last_success_at is not None:
            last = f" · last ok {fmt.age(state.last_success_at, now)}"
        return state.id, f"throttled{until}{last}", "throttled"
    if state.state == "error":
        what = error.title if error is not None else (state.detail or "failing")
        retry = f" · retry{at}" if at else ""
        return state.id, f"error: {what}{retry}", "error"
    text: str = state.state
    if state.state == "stale" and state.detail:
        text += f": {state.detail}"
    if at:
        text += f" · next call{at}"
    elif state.state == "ok" and state.detail:
        text += f" · {state.detail}"
    return state.id, text, state.state


def source_lines(
    states: Sequence[SourceState], now: datetime, tz: tzinfo | None
) -> tuple[tuple[str, str, str], ...]:
    return tuple(source_line(state, now, tz) for state in states)


class SourceStatus(TextWidget):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "source-status--name",
        "source-status--ok",
        "source-status--stale",
        "source-status--throttled",
        "source-status--error",
        "source-status--disabled",
        "source-status--paused",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: tuple[tuple[str, str, str], ...] = ()
        self.paused = False

    def show(self, lines: tuple[tuple[str, str, str], ...], paused: bool) -> None:
        if lines == self.lines and paused == self.paused:
            return
        self.lines = lines
        self.paused = paused
        self.changed()

    def build(self, width: int) -> Text:
        rows: list[Text] = []
        if self.paused:
            rows.append(
                Text("PAUSED: press p to resume polling", self.style_of("source-status--paused"))
            )
        if not self.lines and not self.paused:
            rows.append(Text("No sources yet.", self.style_of("source-status--name")))
        account = None
        for name, text, state in self.lines:
            if " " in name:  # several accounts: "work oauth_usage", grouped under "work"
                owner, name = name.rsplit(" ", 1)
                if owner != account:
                    account = owner
                    rows.append(Text(owner, self.style_of("source-status--name")))
                name = "  " + name
            label = name.ljust(14 if account else 12) if width >= 36 else name + " "
            text = "\n".join(fmt.wrap_hanging(text, width, len(label)))
            style = f"source-status--{state}"
            if style.removeprefix("source-status--") not in (
                "ok",
                "stale",
                "throttled",
                "error",
                "disabled",
            ):
                style = "source-status--ok"
            rows.append(
                Text.assemble(
                    (label, self.style_of("source-status--name")), (text, self.style_of(style))
                )
            )
        return Text("\n").join(rows)
