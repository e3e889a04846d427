"""The floor: a bare Textual app with one label updated once a second.

Whatever limitwatch costs at rest is compared with this: it is the least a Textual app that
shows a ticking clock can cost. Run it as ``python bench/floor_app.py`` (in a terminal; the
bench runs it in a pseudo-terminal). The marker ``floor`` is on the first frame.
"""

from __future__ import annotations

import time

from textual.app import App, ComposeResult
from textual.widgets import Label

MARKER = "floor"


class FloorApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Label(self._text(), id="clock")

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        self.query_one("#clock", Label).update(self._text())

    @staticmethod
    def _text() -> str:
        return f"{MARKER} {time.strftime('%H:%M:%S')}"


if __name__ == "__main__":
    FloorApp().run()
