"""The live view with several accounts: a section each, the most constrained first."""

from __future__ import annotations

from dataclasses import replace

from tests import fakes
from tests.fakes import FakeMonitor, make_app, settle
from tui.models import AccountSnapshot
from tui.ui.widgets.quota_bar import QuotaBar


def two_accounts():
    calm = fakes.healthy()
    busy = fakes.approaching()
    accounts = (
        AccountSnapshot("personal", "/home/u/.claude", calm),
        AccountSnapshot("work", "/home/u/.claude-work", busy),
    )
    return replace(calm, accounts=accounts)


def section_titles(app) -> list[str]:
    return [
        str(section.border_title)
        for section in app.screen.query(".account-section")
        if section.display
    ]


async def test_each_account_gets_a_section_most_constrained_first() -> None:
    app = make_app(FakeMonitor(two_accounts()))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert section_titles(app) == ["work · max", "personal · max"]
        work, personal = list(app.screen.query(".account-section"))
        work_bars = [bar.row.key for bar in work.query(QuotaBar)]
        assert "window:seven_day_opus" in work_bars  # only the work account has it
        assert "window:seven_day_opus" not in [b.row.key for b in personal.query(QuotaBar)]
        assert any(bar.has_class("-exhausted") for bar in work.query(QuotaBar))
        assert not app.screen.query_one("#limits").display


async def test_a_narrow_pane_shows_one_account_and_a_moves_on() -> None:
    app = make_app(FakeMonitor(two_accounts()))
    async with app.run_test(size=(40, 30)) as pilot:
        await settle(pilot)
        assert section_titles(app) == ["work · max"]
        await pilot.press("a")
        await settle(pilot)
        assert section_titles(app) == ["personal · max"]
        await pilot.press("a")
        await settle(pilot)
        assert section_titles(app) == ["work · max"]


async def test_one_account_looks_as_it_always_did() -> None:
    snapshot = replace(fakes.healthy(), accounts=(AccountSnapshot("default", "", fakes.healthy()),))
    app = make_app(FakeMonitor(snapshot))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert section_titles(app) == []
        assert app.screen.query_one("#limits").display
        assert not app.check_action("next_account", ())
