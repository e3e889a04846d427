"""The probe: rate-limit headers of both families, when it runs, and what it costs."""

from __future__ import annotations

from datetime import UTC, datetime

from tui.clock import ManualClock
from tui.config import Config, ProbeConfig
from tui.credentials import ApiKey, CredentialStore, OAuthCredentials
from tui.sources.probe import SUBSCRIPTION_OFF_REASON, ProbeSource, parse_ratelimit_headers

NOW = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)
API = ApiKey("sk-ant-api03-unit-test-key-0000000000000000000000000000000000000-abcd", "X", "api")
OAUTH = OAuthCredentials(
    "sk-ant-oat01-unit-test-token-00000000000000000000000000000000000-wxyz",
    None,
    ("user:inference", "user:profile"),
    "max",
    "default_claude_max_5x",
    "file",
)

API_HEADERS = {
    "anthropic-ratelimit-requests-limit": "50",
    "anthropic-ratelimit-requests-remaining": "49",
    "anthropic-ratelimit-requests-reset": "2026-04-14T09:00:01Z",
    "anthropic-ratelimit-tokens-limit": "30000",
    "anthropic-ratelimit-tokens-remaining": "7500",
    "anthropic-ratelimit-tokens-reset": "2026-04-14T09:00:30Z",
    "anthropic-ratelimit-input-tokens-limit": "20000",
    "anthropic-ratelimit-input-tokens-remaining": "19990",
    "anthropic-ratelimit-input-tokens-reset": "2026-04-14T09:00:00Z",
    "Anthropic-Ratelimit-Output-Tokens-Limit": "8000",
    "anthropic-ratelimit-output-tokens-remaining": "8000",
    "retry-after": "3",
}

UNIFIED = {
    "anthropic-ratelimit-unified-status": "allowed_warning",
    "anthropic-ratelimit-unified-reset": "1776157200",
    "anthropic-ratelimit-unified-representative-claim": "five_hour",
    "anthropic-ratelimit-unified-5h-utilization": "0.82",
    "anthropic-ratelimit-unified-5h-reset": "1776157200",
    "anthropic-ratelimit-unified-5h-status": "allowed_warning",
    "anthropic-ratelimit-unified-5h-surpassed-threshold": "0.8",
    "anthropic-ratelimit-unified-7d-utilization": "0.31",
    "anthropic-ratelimit-unified-7d-reset": "1776600000",
    "anthropic-ratelimit-unified-7d-status": "allowed",
    "anthropic-ratelimit-unified-7d_oi-utilization": "0.05",
    "anthropic-ratelimit-unified-7d_oi-reset": "1776600000",
    "anthropic-ratelimit-unified-overage-status": "rejected",
    "anthropic-ratelimit-unified-overage-disabled-reason": "out_of_credits",
    "anthropic-ratelimit-unified-fallback-percentage": "0.5",
}


def test_api_key_per_minute_limits():
    limits, windows = parse_ratelimit_headers(API_HEADERS, NOW)
    assert windows == ()
    got = {r.id: r for r in limits}
    assert set(got) == {"requests", "tokens", "input_tokens", "output_tokens"}
    assert (got["tokens"].limit, got["tokens"].remaining) == (30000, 7500)
    assert got["tokens"].used_percent == 75.0
    assert got["requests"].resets_at == datetime(2026, 4, 14, 9, 0, 1, tzinfo=UTC)
    assert got["output_tokens"].resets_at is None
    assert all(r.observed_at == NOW for r in limits)


def test_unified_windows_turn_fractions_into_percent():
    limits, windows = parse_ratelimit_headers(UNIFIED, NOW)
    assert limits == ()
    assert [w.id for w in windows] == ["five_hour", "seven_day", "seven_day_oi"]
    five, seven, oi = windows
    assert five.used_percent == 82.0  # 0.82 is a fraction in the headers
    assert five.server_status == "allowed_warning"
    assert five.surpassed_threshold == 0.8
    assert five.resets_at == datetime.fromtimestamp(1776157200, UTC)
    assert seven.used_percent == 31.0 and seven.server_status == "allowed"
    assert oi.used_percent == 5.0 and oi.label == "Weekly Oi"
    assert all(w.source == "probe" for w in windows)


def test_broken_header_values_are_skipped_not_fatal():
    headers = {
        "anthropic-ratelimit-requests-limit": "many",
        "anthropic-ratelimit-requests-remaining": "1",
        "anthropic-ratelimit-unified-5h-utilization": "n/a",
        "anthropic-ratelimit-unified-5h-status": "rejected",
    }
    limits, windows = parse_ratelimit_headers(headers, NOW)
    assert limits == ()
    (five,) = windows
    assert five.used_percent is None and five.server_status == "rejected"


def make(config=None, **creds):
    return ProbeSource(
        CredentialStore.fixed(**creds), config=config or Config(), clock=ManualClock()
    )


def test_on_by_default_for_an_api_key():
    on, why = make(api_key=API).enabled()
    assert on and "sk-ant-...abcd" in why
    assert make(api_key=API).is_due(NOW)


def test_off_by_default_for_a_subscription_and_says_what_it_costs():
    probe = make(oauth=OAUTH)
    assert probe.enabled() == (False, SUBSCRIPTION_OFF_REASON)
    assert "spends plan quota" in SUBSCRIPTION_OFF_REASON
    assert "five-hour window" in SUBSCRIPTION_OFF_REASON
    assert probe.state().state == "disabled"
    assert not probe.is_due(NOW) and probe.next_attempt_at() is None


def test_subscription_probe_when_enabled_and_off_when_disabled():
    on, why = make(Config(probe=ProbeConfig(enabled=True)), oauth=OAUTH).enabled()
    assert on and "plan quota" in why
    off, why = make(Config(probe=ProbeConfig(enabled=False)), api_key=API).enabled()
    assert not off and "enabled = false" in why
    nothing, why = make().enabled()
    assert not nothing and "no API key" in why
