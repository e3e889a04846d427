"""An unknown error on screen: the panel and ``e`` lead with what was said."""

from __future__ import annotations

from dataclasses import replace

from tests import fakes
from tests.fakes import T0, FakeMonitor, make_app, screen_text, settle
from tui.explain import UsageContext, classify
from tui.models import ErrorResponse, Window

BODY = '{"type":"error","error":{"type":"teapot_error","message":"The kettle is on strike"}}'


def unknown_snapshot():
    context = UsageContext(windows=(Window("five_hour", 6.0, None, "oauth_usage", T0),))
    error = classify(
        ErrorResponse(418, {"x-should-retry": "false"}, BODY, T0, "probe"),
        context=context,
        now=T0,
    )
    assert error.class_id == "unknown"
    return replace(fakes.healthy(T0), last_error=error)


async def test_the_panel_leads_with_an_unknown_errors_own_message() -> None:
    app = make_app(FakeMonitor(unknown_snapshot()))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Unrecognised error" in text
        assert '“{"type":"error","error":{"type":"teapot_error"' in text


async def test_e_shows_message_numbers_signals_and_what_to_report() -> None:
    app = make_app(FakeMonitor(unknown_snapshot()))
    async with app.run_test(size=(100, 50)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        text = screen_text(app)
        message_at = text.index('{"type":"error","error":{"type":"teapot_error"')
        explanation_at = text.index("limitwatch does not recognise this error")
        assert message_at < explanation_at  # the raw message comes first
        assert "Numbers limitwatch has: 5-hour session 6% used." in text
        assert "Signals read" in text
        assert "• HTTP status 418" in text and "• header x-should-retry: false" in text
        assert "limitwatch explain --json" in text


async def test_a_known_error_keeps_its_explanation_first() -> None:
    app = make_app(FakeMonitor(fakes.seed_error()))
    async with app.run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        text = screen_text(app)
        assert text.index("Long-context requests") < text.index("You're out of extra usage.")
        assert "Signals read" not in text
