"""The 2026 usage shapes: limits placeholders, per-model keys named from limits, spend,
decimal_places, unknown keys. First the parser on its own, then the source over the simulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.test_oauth_usage_sim import make_source, write_credentials
from tui.clock import ManualClock
from tui.simulator import Simulator
from tui.sources.http import make_client
from tui.sources.oauth.parse import parse_usage

NOW = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
RESET = "2026-07-08T09:00:00.283070+00:00"


def scoped(name, percent, resets_at=RESET, *, active=True, surface=None, model_id=None):
    return {
        "kind": "weekly_scoped",
        "group": "weekly",
        "percent": percent,
        "resets_at": resets_at,
        "scope": {"model": {"id": model_id, "display_name": name}, "surface": surface},
        "is_active": active,
    }


def by_id(windows):
    return {w.id: w for w in windows}


def test_placeholders_for_unused_models_are_not_drawn():
    payload = {
        "seven_day_fable": None,
        "limits": [
            scoped("Fable", 0, None, active=False),
            scoped("Claude Design", 0, None, active=False),
            scoped("Opus", 31),
        ],
    }
    windows, _ = parse_usage(payload, NOW)
    assert [w.id for w in windows] == ["seven_day_opus"]


def test_an_inactive_entry_with_numbers_is_still_a_window():
    """The documented Fable entry: 5%, a reset, is_active false. Not a placeholder."""
    windows, _ = parse_usage({"limits": [scoped("Fable", 5, active=False)]}, NOW)
    (fable,) = windows
    assert (fable.id, fable.used_percent, fable.label) == ("seven_day_fable", 5, "Weekly Fable")


def test_scoped_entry_wins_over_a_null_top_level_window():
    payload = {
        "seven_day_sonnet": {"utilization": None, "resets_at": None},
        "seven_day_opus": None,
        "limits": [scoped("Sonnet", 27), scoped("Opus", 8)],
    }
    w = by_id(parse_usage(payload, NOW)[0])
    assert w["seven_day_sonnet"].used_percent == 27
    assert w["seven_day_sonnet"].resets_at == datetime(2026, 7, 8, 9, 0, 0, 283070, tzinfo=UTC)
    assert w["seven_day_opus"].used_percent == 8


def test_top_level_numbers_still_win_and_limits_gives_the_name():
    payload = {
        "seven_day_omelette": {"utilization": 12.0, "resets_at": RESET},
        "limits": [scoped("Claude Design", 10, surface="omelette")],
    }
    (design,) = parse_usage(payload, NOW)[0]
    assert (design.id, design.used_percent) == ("seven_day_omelette", 12.0)
    assert (design.label, design.scope) == ("Weekly Claude Design", "Claude Design")


def test_new_per_model_keys_are_parsed_generically():
    payload = {
        "five_hour": {"utilization": 41.0, "resets_at": RESET},
        "seven_day_fable": {"utilization": 3.0, "resets_at": RESET},
        "seven_day_omelette": {"utilization": 12.0, "resets_at": RESET},
        "seven_day_routines": {"utilization": 1.5, "resets_at": None},
        "seven_day_oauth_apps": None,
    }
    w = by_id(parse_usage(payload, NOW)[0])
    assert list(w) == ["five_hour", "seven_day_fable", "seven_day_omelette", "seven_day_routines"]
    assert w["seven_day_fable"].label == "Weekly Fable"
    assert w["seven_day_omelette"].label == "Weekly Claude Design"  # its product name
    assert w["seven_day_routines"].used_percent == 1.5


def test_limits_entry_matching_a_top_level_key_by_model_id_keeps_that_id():
    payload = {
        "seven_day_omelette": None,
        "limits": [scoped("Claude Design", 9, model_id="omelette")],
    }
    (design,) = parse_usage(payload, NOW)[0]
    assert (design.id, design.label, design.used_percent) == (
        "seven_day_omelette",
        "Weekly Claude Design",
        9,
    )


@pytest.mark.parametrize(
    "value",
    [
        {"utilization": 99.0, "resets_at": RESET},
        {"enabled": True},
        [1, 2],
        "sausage",
        None,
    ],
)
def test_unknown_keys_are_ignored(value):
    payload = {"iguana_necktie": value, "seven_day": {"utilization": 18.0, "resets_at": RESET}}
    windows, extra = parse_usage(payload, NOW)
    assert [w.id for w in windows] == ["seven_day"]
    assert extra is None


def spend(used, limit, currency="USD", exponent=2, enabled=True):
    def amount(minor):
        if minor is None:
            return None
        return {"amount_minor": minor, "currency": currency, "exponent": exponent}

    return {"enabled": enabled, "used": amount(used), "limit": amount(limit)}


def test_spend_is_preferred_for_amounts_and_currency():
    extra_usage = {"is_enabled": True, "monthly_limit": 4000, "used_credits": 1000.0,
                   "utilization": 25.0, "currency": "USD"}  # fmt: skip
    _, extra = parse_usage({"extra_usage": extra_usage, "spend": spend(1234, 4000, "EUR")}, NOW)
    assert extra is not None
    assert (extra.enabled, extra.used, extra.limit, extra.currency) == (True, 12.34, 40.0, "EUR")
    assert extra.used_percent == pytest.approx(30.85)


def test_spend_alone_exponent_and_no_cap():
    _, extra = parse_usage({"spend": spend(12345, None, "KWD", exponent=3)}, NOW)
    assert extra is not None
    assert (extra.enabled, extra.used, extra.limit, extra.currency) == (True, 12.345, None, "KWD")
    assert extra.used_percent is None
    _, off = parse_usage({"spend": spend(None, None, enabled=False)}, NOW)
    assert off is not None and not off.enabled and off.used is None


def test_unreadable_spend_falls_back_to_extra_usage():
    extra_usage = {"is_enabled": True, "monthly_limit": 2000, "used_credits": 325.0}
    for bad in ({"enabled": True, "used": "lots"}, [], "x", {"used": {"amount_minor": "x"}}):
        _, extra = parse_usage({"extra_usage": extra_usage, "spend": bad}, NOW)
        assert extra is not None and (extra.used, extra.limit) == (3.25, 20.0), bad


def test_extra_usage_decimal_places_are_honoured():
    body = {"is_enabled": True, "monthly_limit": 50000, "used_credits": 12500,
            "currency": "USD", "decimal_places": 3}  # fmt: skip
    _, extra = parse_usage({"extra_usage": body}, NOW)
    assert extra is not None and (extra.used, extra.limit) == (12.5, 50.0)
    for odd in (None, -1, 42, "2", True):
        _, extra = parse_usage({"extra_usage": {**body, "decimal_places": odd}}, NOW)
        assert extra is not None and extra.used == 125.0  # the currency's own minor unit


# -- through the simulator ------------------------------------------------------------------


async def test_newest_usage_shape_through_the_simulator(isolated_paths):
    clock = ManualClock()
    write_credentials(isolated_paths.claude, clock)
    with Simulator("newest-usage-shape", clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            source = make_source(clock)
            first = await source.fetch(client)
            clock.advance(1800)
            later = await source.fetch(client)
        body = next(r for r in sim.requests if r.endpoint == "usage")
    assert body.status == 200 and sim.errors == []
    assert first.state.state == "ok"
    labels = {w.id: (w.label, w.used_percent) for w in first.windows}
    assert labels == {
        "five_hour": ("5-hour session", 41.0),
        "seven_day": ("Weekly", 18.0),
        "seven_day_omelette": ("Weekly Claude Design", 12.0),
        "seven_day_sonnet": ("Weekly Sonnet", 27),
    }
    extra = first.extra_usage
    assert extra is not None and (extra.used, extra.limit, extra.currency) == (12.34, 40.0, "USD")
    # half an hour later the account uses Fable: the placeholder has become a window
    fable = {w.id: w for w in later.windows}["seven_day_fable"]
    assert (fable.label, fable.used_percent) == ("Weekly Fable", 3)
    assert fable.resets_at == sim.started_at + timedelta(seconds=400000)
    assert "seven_day_opus" not in {w.id for w in later.windows}
