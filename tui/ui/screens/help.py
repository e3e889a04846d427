"""Help (``?``): every key and what it does, and what each colour means."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

# (key, what it does), in the order of the footer.
KEYS: tuple[tuple[str, str], ...] = (
    ("r", "re-probe now (a tiny API call; respects the probe interval)"),
    ("u", "refresh usage now (respects the usage endpoint's throttle)"),
    ("p", "pause / resume polling"),
    ("e", "the last error: full explanation, what to do, raw message"),
    ("t", "edit the warning / critical thresholds (saved to the config file)"),
    ("a", "next account (several accounts; a narrow pane shows one at a time)"),
    ("?", "this help"),
    ("q", "quit"),
    ("ctrl+p", "command palette (every action, and the theme)"),
)

# (CSS class of the sample, word, meaning)
COLOURS: tuple[tuple[str, str, str], ...] = (
    ("-ok", "ok", "below the warning threshold"),
    (
        "-warning",
        "warning",
        "at or above the warning threshold (default 75%), or on pace to run out",
    ),
    ("-critical", "critical", "at or above the critical threshold (default 90%)"),
    ("-exhausted", "exhausted", "100%: this limit is reached until it resets"),
    ("-unknown", "no data", "the source gave no number (not 0%)"),
    ("-stale", "STALE", "the number is older than expected; its age is shown next to it"),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("question_mark", "close", "Close", show=False),
    ]

    def __init__(self, keys: Sequence[tuple[str, str]] = KEYS) -> None:
        super().__init__(id="help")
        self.keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="dialog") as dialog:
            dialog.border_title = "limitwatch help"
            dialog.border_subtitle = "esc closes"
            yield Static("Keys", classes="subtitle")
            with Grid(id="help-keys"):
                for key, text in self.keys:
                    yield Static(key, classes="help-key", markup=False)
                    yield Static(text, classes="help-meaning", markup=False)
            yield Static("Colours", classes="subtitle")
            with Grid(id="help-colours"):
                for css_class, word, meaning in COLOURS:
                    yield Static(word, classes=f"help-swatch {css_class}", markup=False)
                    yield Static(meaning, classes="help-meaning", markup=False)
            yield Static(
                "Each bar shows percent used, when it resets, where the number came from and "
                "how old it is. Toasts appear only when a limit crosses a threshold.",
                id="help-note",
                classes="muted",
            )

    def action_close(self) -> None:
        self.dismiss(None)
