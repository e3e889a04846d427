"""Admin reports: tokens by model today, cost this month (amounts are strings in cents)."""

from __future__ import annotations

from datetime import timedelta

from tui.clock import ManualClock
from tui.config import Config
from tui.credentials import CredentialStore
from tui.sources.admin import AdminSource, cost_total, tokens_by_model

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
