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

    # What build() gave for one width, until the data or the styles change: a layout asks for
    # the height several times, then the paint asks for the text (the first frame built every
    # widget's text four times over).
    _built: tuple[int, int, Text] | None = None
    _generation = 0

    def _text(self, width: int) -> Text:
        built = self._built
        if built is not None and built[0] == width and built[1] == self._generation:
            return built[2]
        text = self.build(width)
        self._built = (width, self._generation, text)
        return text

    def render(self) -> Text:
        return self._text(self.content_region.width or self.size.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if width <= 0:
            return 0
        return len(self._text(width).wrap(self.app.console, width))

    def notify_style_update(self) -> None:
        self._generation += 1  # the colours of the built text may have changed
        super().notify_style_update()

    def changed(self) -> None:
        """Repaint (and re-measure) after the data changed."""
        self._generation += 1
        self.refresh(layout=True)
