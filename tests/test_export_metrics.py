"""The samples both sinks serve, from snapshots: what a dashboard or an alert will see."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta

from tests.export_helpers import EMAIL, MESSAGE, SECRET, T0, full_snapshot, view
from tui.export.metrics import METRICS, currency_code, metric_samples
from tui.models import ExtraUsage, SourceState


def _series(samples) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.metric, s.labels): s.value for s in samples}


def _value(samples, metric: str, **labels: str) -> float | None:
    for sample in samples:
        if sample.metric == metric and dict(sample.labels) == labels:
            return sample.value
    return None


def test_every_metric_is_filled_from_a_full_snapshot() -> None:
    samples = metric_samples([("default", full_snapshot())])
    assert {s.metric for s in samples} == {spec.name for spec in METRICS}


def test_window_numbers_become_ratio_level_reset_and_projection() -> None:
    samples = metric_samples([("default", full_snapshot())])
    one = {"account": "default", "window": "five_hour"}
    assert _value(samples, "limitwatch_window_used_ratio", **one) == 0.42
    assert _value(samples, "limitwatch_window_level", **one) == 0
    assert _value(samples, "limitwatch_window_resets_at_seconds", **one) == (
        (T0 + timedelta(hours=2)).timestamp()
    )
    assert _value(samples, "limitwatch_window_projected_full_at_seconds", **one) == (
        (T0 + timedelta(hours=1)).timestamp()
    )
    levels = {
        dict(s.labels)["window"]: s.value for s in samples if s.metric == "limitwatch_window_level"
    }
    assert levels == {
        "five_hour": 0,
        "seven_day": 1,
        "seven_day_opus": 2,
        "seven_day_sonnet": 3,
    }


def test_a_window_without_a_number_has_no_ratio_and_no_level_never_zero() -> None:
    samples = metric_samples([("default", full_snapshot())])
    cowork = {"account": "default", "window": "seven_day_cowork"}
    assert _value(samples, "limitwatch_window_used_ratio", **cowork) is None
    assert _value(samples, "limitwatch_window_level", **cowork) is None
    # Its reset time is still known, so that sample stays.
    assert _value(samples, "limitwatch_window_resets_at_seconds", **cowork) is not None


def test_a_window_not_started_or_nan_has_no_ratio_and_no_level() -> None:
    snapshot = full_snapshot(
        windows=(
            view("five_hour", None, "ok", resets_in=None, not_started=True),
            view("seven_day", math.nan, "ok"),
        )
    )
    samples = metric_samples([("default", snapshot)])
    assert [s for s in samples if s.metric.startswith("limitwatch_window_")] == [
        s
        for s in samples
        if s.metric == "limitwatch_window_resets_at_seconds"
        and dict(s.labels)["window"] == "seven_day"
    ]


def test_a_known_number_with_an_unknown_level_keeps_the_ratio_only() -> None:
    snapshot = full_snapshot(windows=(view("five_hour", 30.0, "unknown"),))
    samples = metric_samples([("default", snapshot)])
    labels = {"account": "default", "window": "five_hour"}
    assert _value(samples, "limitwatch_window_used_ratio", **labels) == 0.3
    assert _value(samples, "limitwatch_window_level", **labels) is None


def test_over_the_limit_is_reported_as_a_full_window() -> None:
    snapshot = full_snapshot(windows=(view("five_hour", 104.0, "exhausted"),))
    samples = metric_samples([("default", snapshot)])
    labels = {"account": "default", "window": "five_hour"}
    assert _value(samples, "limitwatch_window_used_ratio", **labels) == 1.0


def test_extra_usage_in_major_units_with_the_reported_currency() -> None:
    samples = metric_samples([("default", full_snapshot())])
    labels = {"account": "default", "currency": "EUR"}
    assert _value(samples, "limitwatch_extra_usage_used", **labels) == 12.5
    assert _value(samples, "limitwatch_extra_usage_limit", **labels) == 50.0


def test_unknown_currency_is_usd() -> None:
    for raw in ("", "   ", "dollars", "U$D", None):
        extra = ExtraUsage(
            enabled=True, used=3.0, limit=None, currency=raw or "", used_percent=None,
            observed_at=T0,
        )  # fmt: skip
        samples = metric_samples([("default", full_snapshot(extra_usage=extra))])
        spent = [s for s in samples if s.metric == "limitwatch_extra_usage_used"]
        assert [dict(s.labels)["currency"] for s in spent] == ["USD"], raw
        # No cap: no limit sample (never 0, which would read as "capped at nothing").
        assert not [s for s in samples if s.metric == "limitwatch_extra_usage_limit"]
    assert currency_code("eur") == "EUR"


def test_rate_limits_last_error_and_tokens() -> None:
    samples = metric_samples([("default", full_snapshot())])
    assert _value(samples, "limitwatch_rate_limit_remaining", account="default", kind="requests")
    assert (
        _value(samples, "limitwatch_rate_limit_remaining", account="default", kind="input_tokens")
        == 0
    )
    assert _value(samples, "limitwatch_rate_limit_limit", account="default", kind="requests") == 50
    assert (
        _value(
            samples,
            "limitwatch_last_error_timestamp_seconds",
            account="default",
            **{"class": "extra_usage_exhausted"},
        )
        == (T0 - timedelta(minutes=5)).timestamp()
    )
    tokens = {
        (dict(s.labels)["model"], dict(s.labels)["kind"]): s.value
        for s in samples
        if s.metric == "limitwatch_transcript_tokens"
    }
    assert tokens == {
        ("claude-opus-4-5-20251101", "input"): 1200,
        ("claude-opus-4-5-20251101", "output"): 340,
        ("claude-sonnet-4-5", "cache_read"): 50000,
    }


def test_source_up_only_for_a_good_fresh_answer_and_off_sources_are_not_down() -> None:
    samples = metric_samples([("default", full_snapshot())])
    up = {dict(s.labels)["source"]: s.value for s in samples if s.metric == "limitwatch_source_up"}
    assert up == {"oauth_usage": 1.0, "probe": 0.0, "transcripts": 0.0}  # admin is off
    last = {
        dict(s.labels)["source"]
        for s in samples
        if s.metric == "limitwatch_source_last_success_seconds"
    }
    assert last == {"oauth_usage", "probe"}


def test_no_secret_email_or_message_text_in_any_label() -> None:
    weird = full_snapshot(
        windows=(view(MESSAGE, 50.0, "ok"), view("five_hour", 10.0, "ok")),
        sources=(SourceState(f"{EMAIL} {SECRET}", "ok"), SourceState("probe", "ok")),
        token_totals=(
            ("<synthetic>", "input", 5),
            (SECRET, "input", 7),
            ("claude-haiku-4-5", "not-a-kind", 9),
        ),
    )
    samples = metric_samples([("default", full_snapshot()), ("me@example.com", weird)])
    for sample in samples:
        for _key, value in sample.labels:
            assert "@" not in value and " " not in value, sample
            assert "sk-ant" not in value and "example" not in value, sample
            assert "you" not in value.lower() and "settings" not in value, sample
            assert len(value) <= 80
    # What is clean stays: the e-mail-like account name up to its @, the good ids.
    mine = [s for s in samples if dict(s.labels)["account"] == "me"]
    windows = {dict(s.labels)["window"] for s in mine if s.metric == "limitwatch_window_used_ratio"}
    assert windows == {"five_hour"}
    sources = {dict(s.labels)["source"] for s in mine if s.metric == "limitwatch_source_up"}
    assert sources == {"probe"}
    tokens = {
        (dict(s.labels)["model"], dict(s.labels)["kind"], s.value)
        for s in mine
        if s.metric == "limitwatch_transcript_tokens"
    }
    assert tokens == {("synthetic", "input", 5)}


def test_each_account_gets_its_own_series() -> None:
    work = full_snapshot(windows=(view("five_hour", 90.0, "critical"),))
    samples = metric_samples([("default", full_snapshot()), ("work", work)])
    ratios = _series(s for s in samples if s.metric == "limitwatch_window_used_ratio")
    assert (
        ratios[("limitwatch_window_used_ratio", (("account", "work"), ("window", "five_hour")))]
        == 0.9
    )
    assert (
        ratios[("limitwatch_window_used_ratio", (("account", "default"), ("window", "five_hour")))]
        == 0.42
    )
    # Every series is there once, even if a snapshot repeats a window id.
    twice = replace(work, windows=work.windows * 2)
    assert len(metric_samples([("x", twice)])) == len(metric_samples([("x", work)]))
