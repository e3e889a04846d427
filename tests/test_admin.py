"""Admin reports: tokens by model today, cost this month (amounts are strings in cents)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tui.clock import ManualClock
from tui.config import Config
from tui.models import ErrorResponse, TransportError
from tui.simulator import SIM_ADMIN_KEY, SIM_API_KEY, Fault, Simulator
from tui.simulator.reports import PRICES
from tui.sources.admin import AdminSource, cost_total, tokens_by_model
from tui.sources.credentials import ApiKey, CredentialStore
from tui.sources.http import make_client

USAGE_PAGES = [
    {
        "data": [
            {
                "starting_at": "2026-04-14T00:00:00Z",
                "results": [
                    {
                        "model": "claude-sonnet-4-5",
                        "uncached_input_tokens": 1000,
                        "cache_creation": {
                            "ephemeral_1h_input_tokens": 10,
                            "ephemeral_5m_input_tokens": 20,
                        },
                        "cache_read_input_tokens": 300,
                        "output_tokens": 400,
                    },
                    {"model": "claude-haiku-4-5", "uncached_input_tokens": 5, "output_tokens": 5},
                ],
            }
        ],
        "has_more": True,
        "next_page": "p2",
    },
    {
        "data": [{"results": [{"model": "claude-sonnet-4-5", "output_tokens": 270}, "junk"]}],
        "has_more": False,
    },
]


def test_tokens_by_model_sum_every_kind_of_token_across_pages():
    assert tokens_by_model(USAGE_PAGES) == (("claude-sonnet-4-5", 2000), ("claude-haiku-4-5", 10))


def test_cost_amounts_are_cents_in_strings():
    pages = [
        {"data": [{"results": [{"amount": "123.45", "currency": "USD"}, {"amount": "76.55"}]}]},
        {"data": [{"results": [{"amount": "1000"}, {"amount": None}, {"amount": "x"}]}]},
    ]
    amount, currency = cost_total(pages)
    assert currency == "USD"
    assert round(amount, 4) == 12.0


def test_cost_of_nothing_is_zero_dollars():
    assert cost_total([{"data": []}]) == (0.0, "USD")


def test_disabled_without_an_admin_key():
    source = AdminSource(CredentialStore.fixed(), config=Config(), clock=ManualClock())
    state = source.state()
    assert state.state == "disabled" and "ANTHROPIC_ADMIN_KEY" in state.detail
    assert not source.is_due(ManualClock().now() + timedelta(days=1))
    assert source.next_attempt_at() is None


# -- against the simulator -------------------------------------------------------------------


def admin_source(clock, key=SIM_ADMIN_KEY):
    store = CredentialStore.fixed(admin_key=ApiKey(key, "ANTHROPIC_ADMIN_KEY", "admin"))
    return AdminSource(store, config=Config(), clock=clock)


def expected_from(spec, hours_today, hours_month):
    share = 1.0 / len(spec.models)
    per_model = round(spec.input_tokens_per_hour * hours_today * share)
    per_model += round(spec.input_tokens_per_hour * hours_today * share / 10)  # cache writes
    per_model += round(spec.cache_read_input_tokens_per_hour * hours_today * share)
    per_model += round(spec.output_tokens_per_hour * hours_today * share)
    dollars = 0.0
    for model in spec.models:
        family = next((f for f in PRICES if f in model), "sonnet")
        p_in, p_out, p_cache = PRICES[family]
        per_hour = (
            spec.input_tokens_per_hour * p_in
            + spec.output_tokens_per_hour * p_out
            + spec.cache_read_input_tokens_per_hour * p_cache
        ) / 1e6
        dollars += per_hour * share * hours_month
    return per_model, dollars


async def test_tokens_today_and_cost_this_month_from_both_reports():
    clock = ManualClock()  # 2026-04-14 09:00 UTC: 9 hours today, 13 days + 9 hours this month
    with Simulator("healthy", clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            result = await admin_source(clock).fetch(client)
        spec = sim.scenario.admin
    calls = [r for r in sim.requests if r.endpoint in ("admin_usage", "admin_cost")]
    assert [c.endpoint for c in calls] == ["admin_usage", "admin_cost"]
    assert all(c.auth == "x-api-key" and c.auth_ok and c.anthropic_version for c in calls)
    assert "starting_at=2026-04-14T00%3A00%3A00Z" in calls[0].query
    assert "starting_at=2026-04-01T00%3A00%3A00Z" in calls[1].query
    admin = result.admin
    assert result.state.state == "ok" and admin is not None
    per_model, dollars = expected_from(spec, 9, 13 * 24 + 9)
    assert dict(admin.tokens_today_by_model) == dict.fromkeys(spec.models, per_model)
    assert admin.tokens_today == per_model * len(spec.models)
    assert admin.currency == "USD"
    assert admin.cost_month == pytest.approx(dollars, rel=1e-4)
    assert result.state.next_attempt_at == clock.now() + timedelta(seconds=900)


async def test_cost_pages_are_followed_with_next_page():
    clock = ManualClock()
    with Simulator("healthy", clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            source = admin_source(clock)
            source.cost_page_limit = 5  # 14 daily buckets -> 3 pages
            paged = await source.fetch(client)
            whole = await admin_source(clock).fetch(client)
    cost_calls = [r for r in sim.requests if r.endpoint == "admin_cost"]
    assert len(cost_calls) == 4  # 3 pages, then 1 for the unpaged source
    assert "page=page_1" in cost_calls[1].query and "page=page_2" in cost_calls[2].query
    assert paged.admin is not None and whole.admin is not None
    assert paged.admin.cost_month == pytest.approx(whole.admin.cost_month)


async def test_wrong_admin_key_is_an_error_result():
    clock = ManualClock()
    with Simulator("healthy", clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            result = await admin_source(clock, key=SIM_API_KEY).fetch(client)
    assert result.state.state == "error" and result.admin is None
    assert isinstance(result.error, ErrorResponse) and result.error.status == 401
    assert SIM_API_KEY not in repr(result)


@pytest.mark.parametrize(
    "fault", [Fault(kind="reset"), Fault(kind="malformed_json"), Fault(kind="html_5xx")],
    ids=lambda f: f.kind,
)  # fmt: skip
async def test_admin_faults_are_results(fault):
    clock = ManualClock()
    with Simulator("healthy", clock=clock) as sim:
        sim.set_fault("admin_cost", fault)
        async with make_client(sim.base_url, timeout=1) as client:
            result = await admin_source(clock).fetch(client)
    assert result.state.state == "error"
    assert isinstance(result.error, ErrorResponse | TransportError)
    assert result.state.next_attempt_at == clock.now() + timedelta(seconds=900)
