"""The usage JSON, in every shape the endpoint has been seen to send (and some it has not)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.sources.oauth.parse import parse_usage
from tui.sources.values import parse_time

NOW = datetime(2026, 4, 11, 5, 0, tzinfo=UTC)

LEGACY = {
    "five_hour": {"utilization": 33.0, "resets_at": "2026-04-11T07:00:00.528743+00:00"},
    "seven_day": {"utilization": 13.0, "resets_at": "2026-04-17T00:59:59.951713+00:00"},
    "seven_day_oauth_apps": None,
    "seven_day_opus": None,
    "seven_day_sonnet": {"utilization": 1.0, "resets_at": "2026-04-17T07:59:59Z"},
    "seven_day_cowork": None,
    "extra_usage": {
        "is_enabled": True,
        "monthly_limit": 2000,
        "used_credits": 325.0,
        "utilization": 16.25,
        "currency": "USD",
    },
}


def by_id(windows):
    return {w.id: w for w in windows}


def test_legacy_windows_and_extra_usage_in_major_units():
    windows, extra = parse_usage(LEGACY, NOW)
    assert [w.id for w in windows] == ["five_hour", "seven_day", "seven_day_sonnet"]
    w = by_id(windows)
    assert w["five_hour"].used_percent == 33.0
    assert w["five_hour"].resets_at == datetime(2026, 4, 11, 7, 0, 0, 528743, tzinfo=UTC)
    assert w["seven_day_sonnet"].resets_at == datetime(2026, 4, 17, 7, 59, 59, tzinfo=UTC)
    assert w["seven_day_sonnet"].label == "Weekly Sonnet"
    assert all(x.source == "oauth_usage" and x.observed_at == NOW for x in windows)
    assert extra is not None
    assert (extra.enabled, extra.used, extra.limit, extra.currency) == (True, 3.25, 20.0, "USD")
    assert extra.used_percent == 16.25


def test_five_hour_not_started_is_not_zero_percent():
    windows, _ = parse_usage({"five_hour": {"utilization": None, "resets_at": None}}, NOW)
    (w,) = windows
    assert w.not_started and w.used_percent is None and w.resets_at is None


def test_other_window_with_nulls_is_no_data_not_not_started():
    windows, _ = parse_usage({"seven_day": {"utilization": None, "resets_at": None}}, NOW)
    (w,) = windows
    assert not w.not_started and w.used_percent is None


def test_enterprise_all_nulls_gives_no_windows_and_no_extra():
    payload = dict.fromkeys(
        ["five_hour", "seven_day", "seven_day_opus", "seven_day_sonnet", "extra_usage"]
    )
    assert parse_usage(payload, NOW) == ((), None)


def test_limits_list_for_new_accounts():
    payload = {
        "five_hour": None,
        "seven_day": None,
        "seven_day_opus": None,
        "limits": [
            {
                "kind": "session",
                "group": "session",
                "percent": 12,
                "resets_at": "2026-04-11T08:00:00Z",
            },
            {"kind": "weekly_all", "group": "weekly", "percent": 40.5, "resets_at": None},
            {
                "kind": "weekly_scoped",
                "group": "weekly",
                "percent": 5,
                "resets_at": "2026-07-08T09:00:00.283070+00:00",
                "scope": {"model": {"id": None, "display_name": "Fable"}, "surface": None},
                "is_active": False,
            },
            {"kind": "weekly_scoped", "percent": 7, "scope": {"model": {"display_name": "Opus 5"}}},
            {"kind": "monthly_thing", "percent": 1},
            "garbage",
            {"percent": 3},
        ],
    }
    windows, _ = parse_usage(payload, NOW)
    w = by_id(windows)
    assert [x.id for x in windows][:2] == ["five_hour", "seven_day"]
    assert w["five_hour"].used_percent == 12
    assert w["seven_day"].used_percent == 40.5
    fable = w["seven_day_fable"]
    assert (fable.scope, fable.label, fable.used_percent) == ("Fable", "Weekly Fable", 5)
    assert fable.resets_at == datetime(2026, 7, 8, 9, 0, 0, 283070, tzinfo=UTC)
    assert w["seven_day_opus_5"].label == "Weekly Opus 5"
    assert "monthly_thing" in w
    assert len(windows) == 5


def test_legacy_keys_win_over_limits_when_both_present():
    payload = {
        "five_hour": {"utilization": 50.0, "resets_at": "2026-04-11T07:00:00Z"},
        "limits": [{"kind": "session", "percent": 10, "resets_at": "2026-04-11T07:00:00Z"}],
    }
    windows, _ = parse_usage(payload, NOW)
    assert [(w.id, w.used_percent) for w in windows] == [("five_hour", 50.0)]


def test_extra_usage_unlimited_disabled_and_other_currencies():
    _, unlimited = parse_usage(
        {"extra_usage": {"is_enabled": True, "monthly_limit": None, "used_credits": 150}}, NOW
    )
    assert unlimited is not None
    assert (unlimited.enabled, unlimited.limit, unlimited.used, unlimited.currency) == (
        True,
        None,
        1.5,
        "USD",
    )
    _, off = parse_usage(
        {"extra_usage": {"is_enabled": False, "monthly_limit": None, "used_credits": None,
                         "utilization": None, "disabled_reason": "out_of_credits"}},
        NOW,
    )  # fmt: skip
    assert off is not None and not off.enabled and off.disabled_reason == "out_of_credits"
    _, eur = parse_usage(
        {"extra_usage": {"is_enabled": True, "monthly_limit": 5000, "used_credits": 1250,
                         "currency": "eur"}},
        NOW,
    )  # fmt: skip
    assert eur is not None and (eur.currency, eur.used, eur.limit) == ("EUR", 12.5, 50.0)
    assert eur.used_percent == 25.0  # computed when the server leaves it out
    _, yen = parse_usage(
        {"extra_usage": {"is_enabled": True, "monthly_limit": 3000, "used_credits": 300,
                         "currency": "JPY"}},
        NOW,
    )  # fmt: skip
    assert yen is not None and (yen.used, yen.limit) == (300.0, 3000.0)  # yen has no minor unit


@pytest.mark.parametrize(
    "payload",
    [None, [], "text", 42, {"five_hour": "x"}, {"five_hour": {"utilization": "lots"}},
     {"limits": "nope"}, {"limits": [None, 1, {"kind": 5}]}, {"extra_usage": []},
     {"five_hour": {"utilization": float("nan"), "resets_at": 12}}, {1: 2}],
)  # fmt: skip
def test_odd_shapes_never_raise(payload):
    windows, _extra = parse_usage(payload, NOW)
    for w in windows:
        assert w.used_percent is None or w.used_percent == w.used_percent


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "five_hour",
                    "seven_day",
                    "utilization",
                    "resets_at",
                    "limits",
                    "kind",
                    "percent",
                    "scope",
                    "model",
                    "display_name",
                    "extra_usage",
                    "currency",
                    "used_credits",
                    "monthly_limit",
                    "is_enabled",
                    "session",
                    "spend",
                    "used",
                    "limit",
                    "amount_minor",
                    "exponent",
                    "decimal_places",
                    "is_active",
                    "surface",
                    "seven_day_fable",
                    "iguana_necktie",
                    "x",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_shape_is_parsed_without_exception(payload):
    parse_usage(payload, NOW)


def test_time_formats():
    assert parse_time("2026-04-11T07:00:00Z") == datetime(2026, 4, 11, 7, tzinfo=UTC)
    assert parse_time("2026-04-11T09:00:00+02:00") == datetime(2026, 4, 11, 7, tzinfo=UTC)
    assert parse_time("2026-04-11T07:00:00.123456789Z") == datetime(
        2026, 4, 11, 7, 0, 0, 123456, tzinfo=UTC
    )
    assert parse_time(1775890800) == datetime(2026, 4, 11, 7, tzinfo=UTC)
    assert parse_time("1775890800") == datetime(2026, 4, 11, 7, tzinfo=UTC)
    assert parse_time(1775890800000) == datetime(2026, 4, 11, 7, tzinfo=UTC)
    assert parse_time("not a time") is None
    assert parse_time(None) is None
    assert parse_time(True) is None
