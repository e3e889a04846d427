"""The thresholds editor (``t``): validates inline and saves to the TOML config file.

The bounds and the order rule are the model's (``tui.config.check_thresholds``); only the
wording of the form's messages is the editor's own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tui.config import Config, ConfigError, Thresholds
from tui.config.check_thresholds import in_order, threshold_kind
from tui.models import window_label

GLOBAL = "global"


def _number(text: str, name: str, what: str, problems: list[str]) -> float | None:
    """The value typed for ``name`` (warning or critical), checked by the model's bounds."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        problems.append(f"{what}: {text!r} is not a number")
        return None
    kind = threshold_kind(name)
    if not math.isfinite(value) or not kind.in_range(value):
        problems.append(f"{what}: {text} is outside {kind.range_text()}")
        return None
    return value


def validate_thresholds(
    values: Mapping[str, tuple[str, str]], fallback: Thresholds
) -> tuple[Thresholds, dict[str, Thresholds], list[str]]:
    """Parse the form: ``values[key] = (warning text, critical text)``.

    ``GLOBAL`` is required; a window whose fields are both blank follows the global values,
    and a blank field in a window falls back to the global one.
    """
    problems: list[str] = []
    warning = _number(values[GLOBAL][0], "warning", "warning", problems)
    critical = _number(values[GLOBAL][1], "critical", "critical", problems)
    if not values[GLOBAL][0].strip():
        problems.append("warning: required")
    if not values[GLOBAL][1].strip():
        problems.append("critical: required")
    base = Thresholds(
        warning=warning if warning is not None else fallback.warning,
        critical=critical if critical is not None else fallback.critical,
    )
    if warning is not None and critical is not None and not in_order(warning, critical):
        problems.append("critical must be above warning")
    windows: dict[str, Thresholds] = {}
    for key, (warning_text, critical_text) in values.items():
        if key == GLOBAL or not (warning_text.strip() or critical_text.strip()):
            continue
        label = window_label(key)
        w = _number(warning_text, "warning", f"{label} warning", problems)
        c = _number(critical_text, "critical", f"{label} critical", problems)
        item = Thresholds(
            warning=w if w is not None else base.warning,
            critical=c if c is not None else base.critical,
        )
        if not in_order(item.warning, item.critical):
            problems.append(f"{label}: critical must be above warning")
        windows[key] = item
    return base, windows, problems


def _fmt(value: float) -> str:
    return f"{value:g}"


class ThresholdsScreen(ModalScreen[Config | None]):
    """Inputs for the global thresholds and for each window on screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(self, config: Config, window_ids: Sequence[str], path: Path) -> None:
        super().__init__(id="thresholds")
        self.config = config
        self.window_ids = [w for w in dict.fromkeys(window_ids)]
        self.path = path

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="dialog") as dialog:
            dialog.border_title = "Thresholds (% used)"
            dialog.border_subtitle = "enter saves · esc cancels"
            yield Static(
                "Levels turn warning and critical at these percentages. A blank window row "
                "follows the global values.",
                classes="muted",
            )
            with Grid(id="threshold-grid"):
                yield Label("")
                yield Label("warning", classes="column-head")
                yield Label("critical", classes="column-head")
                yield from self._row(GLOBAL, "All windows", self.config.thresholds)
                for window_id in self.window_ids:
                    override = self.config.window_thresholds.get(window_id)
                    yield from self._row(window_id, window_label(window_id), override)
            yield Static("", id="threshold-error")
            yield Static(
                f"Saves to {self.path}. Saving rewrites the file without its comments.",
                id="threshold-note",
                classes="muted",
                markup=False,
            )
            with Horizontal(id="threshold-buttons"):
                yield Button("Save", id="save", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def _row(self, key: str, label: str, values: Thresholds | None) -> ComposeResult:
        yield Label(label, classes="row-label")
        for which in ("warning", "critical"):
            value = "" if values is None else _fmt(getattr(values, which))
            yield Input(
                value,
                placeholder="—" if key != GLOBAL else "",
                restrict=r"[0-9.]*",
                compact=True,
                id=f"{which}-{key}",
                classes="threshold-input",
            )

    def values(self) -> dict[str, tuple[str, str]]:
        keys = [GLOBAL, *self.window_ids]
        return {
            key: (
                self.query_one(f"#warning-{key}", Input).value,
                self.query_one(f"#critical-{key}", Input).value,
            )
            for key in keys
        }

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        from tui.config import save_thresholds

        base, windows, problems = validate_thresholds(self.values(), self.config.thresholds)
        if not problems:
            # Overrides of windows not on screen are kept as they are.
            merged = {
                key: value
                for key, value in self.config.window_thresholds.items()
                if key not in self.window_ids
            }
            merged.update(windows)
            try:
                saved = save_thresholds(self.path, base, merged)
            except ConfigError as exc:
                problems = [str(problem) for problem in exc.problems]
            except OSError as exc:
                problems = [f"could not write {self.path}: {exc.strerror or exc}"]
            else:
                self.dismiss(saved)
                return
        error = self.query_one("#threshold-error", Static)
        error.update("\n".join(problems))
        error.add_class("-shown")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
