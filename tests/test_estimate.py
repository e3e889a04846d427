"""The estimate between polls: learned from official readings and transcript tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bench.estimate import midway_errors
from tui.core.estimate import MAX_ERROR, PRICE, Estimator, features, model_family
from tui.core.nnls import nnls
from tui.simulator.weighted_usage import weighted_usage

T0 = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)
RESET = T0 + timedelta(hours=5)
SONNET = "claude-sonnet-4-5"
OPUS = "claude-opus-4-5"


@pytest.mark.parametrize("seed", range(8))
def test_half_way_between_polls_the_estimate_is_within_3_points_after_12_polls(seed: int):
    errors, stale = midway_errors(seed)
    assert errors and all(e is not None for e in errors)  # an estimate at every midpoint
    assert max(abs(e) for e in errors if e is not None) <= 3.0
    # The stale official number, in the same world, is off by more than that at some point:
    # the estimate is what makes the bar right between polls.
    assert max(abs(s) for s in stale) > 3.0


def test_the_world_is_the_same_for_a_seed_and_its_weights_are_not_the_prices():
    a, b, c = weighted_usage(3), weighted_usage(3), weighted_usage(4)
    assert a == b and a.readings != c.readings
    assert len(a.readings) == 20 and len(a.midpoints) == 19
    # The hidden weighting departs from the price table the estimator starts from.
    ratios = [weight / price_of(key) for key, weight in a.weights.items()]
    assert max(ratios) / min(ratios) > 2.0


def price_of(key: tuple[str, str]) -> float:
    """The estimator's prior price of one token of this (model, kind)."""
    return sum(v * p for v, p in zip(features({key: 1}), PRICE, strict=True))


def totals(sonnet_in: int = 0, sonnet_out: int = 0, opus_out: int = 0):
    return {
        (SONNET, "input"): sonnet_in,
        (SONNET, "output"): sonnet_out,
        (OPUS, "output"): opus_out,
    }


def feed_linear(est: Estimator, polls: int, *, start: int = 0, percent_per_k: float = 1.0):
    """A window moving exactly 1 point per 1,000 Sonnet output tokens, 4,000 per poll."""
    for i in range(start, start + polls):
        out = 4000 * i
        est.observe(
            "five_hour",
            out / 1000 * percent_per_k,
            RESET,
            T0 + i * timedelta(minutes=5),
            totals(sonnet_in=100 * i, sonnet_out=out),
        )


def test_no_estimate_until_enough_intervals_then_it_follows_the_tokens():
    est = Estimator()
    feed_linear(est, 4)  # three intervals: not enough
    assert est.estimate("five_hour", T0 + timedelta(minutes=16), totals(300, 13000)) is None
    feed_linear(est, 2, start=4)  # five intervals
    last_at = T0 + timedelta(minutes=25)
    at_poll = est.estimate("five_hour", last_at, totals(500, 20000))
    assert at_poll is not None and at_poll.used_percent == pytest.approx(20.0, abs=0.01)
    later = est.estimate("five_hour", last_at + timedelta(minutes=2), totals(550, 22000))
    assert later is not None and later.used_percent == pytest.approx(22.0, abs=0.05)
    assert later.as_of == last_at + timedelta(minutes=2)
    assert 0 < later.error_percent <= 1.0  # a perfect fit claims only the rounding
    # An unknown model family or a kind never seen moves nothing.
    other = dict(totals(500, 20000))
    other[("some-new-model", "output")] = 50000
    same = est.estimate("five_hour", last_at + timedelta(minutes=2), other)
    assert same is not None and same.used_percent == pytest.approx(20.0, abs=0.05)


def test_the_next_official_number_records_the_estimates_error():
    est = Estimator()
    feed_linear(est, 6)
    assert est.running_error("five_hour") is not None  # the 6th poll was predicted
    assert est.running_error("five_hour") == pytest.approx(0.0, abs=0.01)
    at = T0 + timedelta(minutes=30)
    # The server says 2 points more than the tokens explain.
    error = est.observe("five_hour", 26.0, RESET, at, totals(600, 24000))
    assert error == pytest.approx(-2.0, abs=0.01)
    assert est.errors("five_hour")[-1] == pytest.approx(-2.0, abs=0.01)
    assert 0 < est.running_error("five_hour") < 2.0


def test_usage_the_transcripts_do_not_see_means_no_estimate():
    est = Estimator()
    feed_linear(est, 6)
    # Someone uses claude.ai in a browser: the percentage jumps, no tokens in the transcripts.
    at = T0 + timedelta(minutes=30)
    for i, jump in enumerate((30.0, 45.0, 70.0, 95.0)):
        est.observe("five_hour", jump, RESET, at + i * timedelta(minutes=5), totals(500, 20000 + i))
    assert est.running_error("five_hour") > MAX_ERROR
    assert est.estimate("five_hour", at + timedelta(minutes=17), totals(500, 20100)) is None


def test_a_reset_starts_a_new_instance_and_the_learning_carries_over():
    est = Estimator()
    feed_linear(est, 6)
    # Past the reset time there is no estimate: the number has dropped to near zero.
    assert est.estimate("five_hour", RESET + timedelta(minutes=1), totals(600, 24000)) is None
    new_reset = RESET + timedelta(hours=5)
    at = RESET + timedelta(minutes=10)
    # The first reading of the new window: 3%, with far more tokens since the last one.
    assert est.observe("five_hour", 3.0, new_reset, at, totals(900, 60000)) is None
    got = est.estimate("five_hour", at + timedelta(minutes=1), totals(950, 62000))
    assert got is not None and got.used_percent == pytest.approx(5.0, abs=0.05)


def test_token_totals_that_went_down_give_no_estimate():
    est = Estimator()
    feed_linear(est, 6)
    # The transcripts were pruned or re-read: the totals are no longer comparable.
    assert est.estimate("five_hour", T0 + timedelta(minutes=26), totals(0, 1000)) is None


def test_the_estimate_stays_within_0_and_100_and_windows_are_separate():
    est = Estimator()
    feed_linear(est, 6)
    got = est.estimate("five_hour", T0 + timedelta(minutes=26), totals(600, 900_000))
    assert got is not None and got.used_percent == 100.0
    assert got.error_percent > 1.0  # far beyond an interval's tokens: less sure
    assert est.estimate("seven_day", T0 + timedelta(minutes=26), totals(600, 21000)) is None
    assert est.running_error("seven_day") is None


def test_an_old_or_repeated_reading_is_ignored():
    est = Estimator()
    feed_linear(est, 6)
    before = est.errors("five_hour")
    assert est.observe("five_hour", 99.0, RESET, T0, totals(0, 0)) is None
    assert est.observe("five_hour", 99.0, RESET, T0 + timedelta(minutes=25), totals()) is None
    assert est.errors("five_hour") == before


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("claude-opus-4-5-20251101", "opus"),
        ("claude-sonnet-4-5", "sonnet"),
        ("claude-3-5-haiku-20241022", "haiku"),
        ("Claude-Opus-4", "opus"),
        ("<synthetic>", "other"),
    ],
)
def test_models_are_grouped_by_family(model: str, family: str):
    assert model_family(model) == family


def test_the_solver_finds_non_negative_weights_across_very_different_scales():
    # Output tokens in hundreds, cache reads in hundreds of thousands: both weights are found.
    rows = [[100.0 * (i % 3 + 1), 100_000.0 * (i % 4 + 1), 0.0] for i in range(12)]
    truth = [0.01, 2e-6, 0.0]
    targets = [sum(a * b for a, b in zip(row, truth, strict=True)) for row in rows]
    got = nnls(rows, targets)
    assert got[0] == pytest.approx(0.01, rel=1e-3) and got[1] == pytest.approx(2e-6, rel=1e-3)
    assert got[2] == 0.0
    # A target that falls as tokens grow cannot be explained with non-negative weights.
    assert nnls(rows, [-t for t in targets]) == [0.0, 0.0, 0.0]
