"""The estimate between polls, as the ledger puts it in the snapshot and status --json."""

from __future__ import annotations

from tui.config import Config
from tui.core.ledger import Ledger
from tui.core.report import snapshot_to_json
from tui.models import SourceResult, SourceState, Window
from tui.simulator.weighted_usage import weighted_usage


def _usage(reading) -> SourceResult:
    window = Window(
        id="five_hour",
        used_percent=reading.used_percent,
        resets_at=reading.resets_at,
        source="oauth_usage",
        observed_at=reading.at,
    )
    state = SourceState(id="oauth_usage", state="ok", last_success_at=reading.at)
    return SourceResult(source="oauth_usage", state=state, windows=(window,))


def _tokens(totals, at) -> SourceResult:
    state = SourceState(id="transcripts", state="ok", last_success_at=at)
    counts = tuple((model, kind, n) for (model, kind), n in sorted(totals.items()))
    return SourceResult(source="transcripts", state=state, token_totals=counts)


def test_between_polls_the_bar_has_an_estimate_close_to_the_truth() -> None:
    world = weighted_usage(seed=7, readings=16)
    ledger = Ledger(Config())
    checked = 0
    for index, reading in enumerate(world.readings):
        ledger.absorb([_tokens(reading.totals, reading.at), _usage(reading)], reading.at)
        if index < 12 or index >= len(world.midpoints):
            continue
        mid = world.midpoints[index]
        ledger.absorb([_tokens(mid.totals, mid.at)], mid.at)
        snapshot = ledger.snapshot(mid.at, (), raise_alerts=False)
        [view] = snapshot.windows
        assert view.estimate is not None, f"no estimate after poll {index + 1}"
        assert abs(view.estimate.used_percent - mid.true_percent) <= 3.0
        assert view.window.used_percent == reading.used_percent  # the official one stays
        data = snapshot_to_json(snapshot)["windows"][0]["estimate"]
        assert data["used_percent"] == round(view.estimate.used_percent, 1)
        assert data["error_percent"] == round(view.estimate.error_percent, 1)
        checked += 1
    assert checked >= 3
    assert ledger.calibration.errors["five_hour"] < 3.0


def test_no_tokens_from_transcripts_means_no_estimate() -> None:
    world = weighted_usage(seed=3, readings=14)
    ledger = Ledger(Config())
    for reading in world.readings:
        ledger.absorb([_usage(reading)], reading.at)
    mid = world.midpoints[-1]
    [view] = ledger.snapshot(mid.at, (), raise_alerts=False).windows
    assert view.estimate is None
