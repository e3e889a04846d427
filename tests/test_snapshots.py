"""Snapshot tests of the main states at 40x20, 80x24 and 120x40 (fixed clock and time zone).

Regenerate after an intended change: pytest tests/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests import fakes
from tests.fakes import FakeMonitor, make_app, settle


def _app(snapshot):
    # Alerts make toasts, which would time out mid-test; the toasts have their own tests.
    return make_app(FakeMonitor(replace(snapshot, alerts=())))


async def _ready(pilot) -> None:
    await settle(pilot)


@pytest.mark.parametrize(
    ("state", "size"),
    [
        ("healthy", (80, 24)),
        ("approaching", (80, 24)),
        ("seed_error", (80, 24)),
        ("throttled", (80, 24)),
        ("seed_error", (40, 20)),
        ("approaching", (40, 20)),
        ("seed_error", (120, 40)),
    ],
    ids=lambda value: f"{value[0]}x{value[1]}" if isinstance(value, tuple) else value,
)
def test_main_screen(snap_compare, state: str, size: tuple[int, int]) -> None:
    app = _app(getattr(fakes, state)())
    assert snap_compare(app, terminal_size=size, run_before=_ready)


def test_error_detail(snap_compare) -> None:
    app = _app(fakes.seed_error())

    async def open_detail(pilot) -> None:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_detail)
