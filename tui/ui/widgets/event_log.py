"""A short log of what happened: errors, level changes, throttling, credential changes.

Event text often quotes a server: it is masked (``tui.secrets``) and cleaned of escape
sequences and control characters (``text.clean``) before it is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import ClassVar

from rich.text import Text

from tui import text as fmt
from tui.models import Event
from tui.secrets import mask
from tui.ui.widgets.base import TextWidget

EVENT_LIMIT = 50
_KIND_STYLE = {
    "error": "error",
    "throttle": "warning",
    "credentials": "notice",
    "source": "notice",
}


def event_lines(events: Sequence[Event], tz: tzinfo | None) -> tuple[tuple[str, str, str], ...]:
    """(time, text, style name) per event, newest first, at most ``EVENT_LIMIT``."""
    ordered = sorted(events, key=lambda event: event.at, reverse=True)[:EVENT_LIMIT]
    lines = []
    for event in ordered:
        style: str
        if event.kind == "level" and event.level in ("warning", "critical", "exhausted"):
            style = event.level
        elif event.kind == "level":
            style = "info"
        else:
            style = _KIND_STYLE.get(event.kind, "info")
        lines.append((fmt.clock_time(event.at, tz), fmt.clean(mask(event.text)), style))
    return tuple(lines)


class EventLog(TextWidget):
    """Newest first, bounded; colours by kind come from the stylesheet."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "event-log--time",
        "event-log--info",
        "event-log--notice",
        "event-log--error",
        "event-log--warning",
        "event-log--critical",
        "event-log--exhausted",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: tuple[tuple[str, str, str], ...] = ()

    def show(self, lines: tuple[tuple[str, str, str], ...]) -> None:
        if lines == self.lines:
            return
        self.lines = lines
        self.changed()

    def build(self, width: int) -> Text:
        if not self.lines:
            return Text("Nothing yet.", style=self.style_of("event-log--time"))
        time_style = self.style_of("event-log--time")
        rows: list[Text] = []
        for stamp, text, style in self.lines:
            prefix = stamp + " "
            body = "\n".join(fmt.wrap_hanging(text, width, len(prefix)))
            rows.append(
                Text.assemble((prefix, time_style), (body, self.style_of(f"event-log--{style}")))
            )
        return Text("\n").join(rows)
