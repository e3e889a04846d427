"""Shown when no credentials were found: what was looked for, how to fix it, and the demo."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

FIXES = (
    "Log in to Claude Code (run `claude`, then /login): limitwatch reads its credentials.",
    "Or set ANTHROPIC_API_KEY for an API key (ANTHROPIC_ADMIN_KEY for organisation reports).",
    "`limitwatch doctor` shows what was found and what is wrong.",
)


class NoCredentialsScreen(Screen[str | None]):
    """Dismisses with ``"demo"`` when the user asks for the demo."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "demo", "Start the demo"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, looked_for: Sequence[str], *, can_demo: bool = True) -> None:
        super().__init__(id="no-credentials")
        self.looked_for = list(looked_for)
        self.can_demo = can_demo

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="no-credentials-body"):
            yield Static("No credentials found", id="no-credentials-title")
            yield Static("limitwatch looked for:", classes="subtitle")
            lines = "\n".join(f"• {line}" for line in self.looked_for) or "• (nothing to look at)"
            yield Static(lines, id="looked-for", markup=False)
            yield Static("How to fix it", classes="subtitle")
            yield Static("\n".join(f"• {fix}" for fix in FIXES), id="fixes", markup=False)
            if self.can_demo:
                yield Static(
                    "Press d to try the demo: a simulated account on this machine, no "
                    "credentials needed. Press q to quit.",
                    id="demo-offer",
                    markup=False,
                )
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "demo":
            return self.can_demo
        return True

    def action_demo(self) -> None:
        self.dismiss("demo")
