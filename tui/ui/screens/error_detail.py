"""The error detail (``e``): the full explanation, what to do, and the raw facts."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui import text as fmt
from tui.models import Classification


def _headroom(value: bool | None) -> str:
    if value is None:
        return "unknown"
    return "yes: every known plan window was below 100%" if value else "no"


def detail_facts(error: Classification, now: datetime, tz: tzinfo | None) -> list[tuple[str, str]]:
    """The raw facts shown under the explanation, as (name, value) pairs."""
    status = str(error.status) if error.status is not None else "—"
    facts = [
        ("class", error.class_id),
        ("status / type", f"{status} / {error.error_type or '—'}"),
        (
            "when",
            f"{fmt.local_time(error.observed_at, now, tz)} ({fmt.age(error.observed_at, now)})",
        ),
        ("source", error.source + (f" ({error.project})" if error.project else "")),
        ("plan has headroom", _headroom(error.plan_has_headroom)),
    ]
    if error.retry_at is not None:
        left = fmt.countdown_until(error.retry_at, now)
        facts.append(("retry", f"{fmt.local_time(error.retry_at, now, tz)} (in {left})"))
    else:
        facts.append(("retry", "—"))
    if error.window_id:
        facts.append(("window", error.window_id))
    return facts


class ErrorDetailScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_screen", "Close"),
        Binding("e", "dismiss_screen", "Close", show=False),
    ]

    def __init__(
        self, error: Classification | None, now: datetime, tz: tzinfo | None = None
    ) -> None:
        super().__init__(id="error-detail")
        self.error = error
        self.now = now
        self.tz = tz

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="dialog") as dialog:
            dialog.border_title = "Last error"
            dialog.border_subtitle = "esc closes"
            error = self.error
            if error is None:
                yield Static("No error has been seen since limitwatch started.", classes="muted")
                return
            yield Static(error.title, id="detail-title", markup=False)
            unknown = error.class_id == "unknown"
            if unknown:  # lead with what was said, then what limitwatch has and read
                yield Static("Message", classes="subtitle")
                yield Static(error.message or "—", id="detail-message", markup=False)
            yield Static(error.explanation, id="detail-explanation", markup=False)
            if unknown and error.signals:
                yield Static("Signals read", classes="subtitle")
                signals = "\n".join(f"• {signal}" for signal in error.signals)
                yield Static(signals, id="detail-signals", markup=False)
            if error.actions:
                yield Static("What to do", classes="subtitle")
                actions = "\n".join(f"• {action}" for action in error.actions)
                yield Static(actions, id="detail-actions", markup=False)
            facts = detail_facts(error, self.now, self.tz)
            width = max(len(name) for name, _ in facts) + 2
            lines = "\n".join(f"{name.ljust(width)}{value}" for name, value in facts)
            yield Static(lines, id="detail-facts", markup=False)
            if not unknown:
                yield Static("Message", classes="subtitle")
                yield Static(error.message or "—", id="detail-message", markup=False)

    def action_dismiss_screen(self) -> None:
        self.dismiss(None)
