from tests import fakes
from tests.fakes import FakeMonitor, make_app, settle
from tui.ui.widgets.quota_bar import QuotaBar


async def test_a_theme_change_recolours_the_bars() -> None:
    """The bars keep their built text between repaints; a new theme must still recolour them."""
    app = make_app(FakeMonitor(fakes.healthy()))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        bar = app.screen.query(QuotaBar).first()
        before = str(bar.render().spans)
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await settle(pilot)
        after = str(bar.render().spans)
        fresh = str(bar.build(bar.content_region.width).spans)
        assert after == fresh
        assert before != after
