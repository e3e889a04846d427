"""The last error, classified: title, one-line explanation, when and where it came from."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import ClassVar

from rich.text import Text

from tui import text as fmt
from tui.models import Classification
from tui.record import record
from tui.ui.widgets.base import TextWidget

NARROW_WIDTH = 56


def first_sentence(text: str) -> str:
    """The explanation's first sentence (the panel shows one line; ``e`` shows it all)."""
    text = " ".join(text.split())
    for end in (". ", "! ", "? "):
        cut = text.find(end)
        if cut != -1:
            return text[: cut + 1]
    return text


@record
class ErrorView:
    title: str
    summary: str
    when: str
    short_when: str
    source: str
    is_limit: bool


def raw_line(message: str, limit: int = 160) -> str:
    """An unknown error's own message on one line (the panel leads with it)."""
    line = " ".join(message.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def error_view(error: Classification, now: datetime, tz: tzinfo | None) -> ErrorView:
    stamp = fmt.local_time(error.observed_at, now, tz)
    where = error.source + (f" ({error.project})" if error.project else "")
    summary = first_sentence(error.explanation)
    if error.class_id == "unknown" and error.message.strip():
        summary = f"“{raw_line(error.message)}”"
    return ErrorView(
        title=error.title,
        summary=summary,
        when=f"{stamp} ({fmt.age(error.observed_at, now)})",
        short_when=stamp,
        source=where,
        is_limit=error.is_limit,
    )


class ErrorPanel(TextWidget):
    """Shows the last error; ``e`` opens the full explanation and actions."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "error-panel--title",
        "error-panel--summary",
        "error-panel--meta",
        "error-panel--hint",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: ErrorView | None = None
        self.set_class(True, "-none")

    def show(self, view: ErrorView | None) -> None:
        if view == self.view:
            return
        self.view = view
        self.set_class(view is None, "-none")
        self.set_class(view is not None and view.is_limit, "-limit")
        self.set_class(view is not None and not view.is_limit, "-error")
        self.changed()

    def build(self, width: int) -> Text:
        view = self.view
        meta = self.style_of("error-panel--meta")
        if view is None:
            return Text("No errors seen.", style=meta)
        narrow = width < NARROW_WIDTH
        when = view.short_when if narrow else view.when
        hint = "e: full explanation and what to do" if width >= 72 else "e: details"
        return Text("\n").join(
            [
                Text(view.title, style=self.style_of("error-panel--title")),
                Text(view.summary, style=self.style_of("error-panel--summary")),
                Text.assemble(
                    (f"{when} · {view.source}", meta),
                    ("  ", meta),
                    (hint, self.style_of("error-panel--hint")),
                ),
            ]
        )
