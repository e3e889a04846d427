"""A widget whose text is built at render time, so theme colours (component classes) apply."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget


class TextWidget(Widget):
    """Subclasses implement ``build(width)``; the height follows the wrapped text."""

    DEFAULT_CSS = """
    TextWidget {
        height: auto;
    }
    """

    def build(self, width: int) -> Text:
        raise NotImplementedError

    def style_of(self, component: str) -> Style:
        return self.get_component_rich_style(component, partial=True)

    def render(self) -> Text:
        return self.build(self.content_region.width or self.size.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if width <= 0:
            return 0
        return len(self.build(width).wrap(self.app.console, width))

    def changed(self) -> None:
        """Repaint (and re-measure) after the data changed."""
        self.refresh(layout=True)
