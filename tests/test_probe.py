"""The probe: rate-limit headers of both families, when it runs, and what it costs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tui.clock import ManualClock
from tui.config import Config, ProbeConfig
from tui.models import ErrorResponse, TransportError
from tui.simulator import SIM_API_KEY, SIM_OAUTH_TOKEN, Fault, Simulator
from tui.sources.credentials import ApiKey, CredentialStore, OAuthCredentials
from tui.sources.http import make_client
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


# -- against the simulator -------------------------------------------------------------------

SIM_KEY = ApiKey(SIM_API_KEY, "ANTHROPIC_API_KEY", "api")
SIM_OAUTH = OAuthCredentials(
    SIM_OAUTH_TOKEN, None, ("user:inference", "user:profile"), "pro", "default_claude_ai", "file"
)


def messages_calls(sim):
    return [r for r in sim.requests if r.endpoint == "messages"]


def sim_probe(clock, config=None, **creds):
    return ProbeSource(CredentialStore.fixed(**creds), config=config or Config(), clock=clock)


async def test_api_key_probe_reads_per_minute_limits():
    clock = ManualClock()
    with Simulator("healthy", clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            result = await sim_probe(clock, api_key=SIM_KEY).fetch(client)
    (call,) = messages_calls(sim)
    assert call.method == "POST" and call.auth == "x-api-key" and call.auth_ok
    assert call.anthropic_version == "2023-06-01"
    assert call.status == 200
    assert result.state.state == "ok" and result.error is None
    ids = {r.id for r in result.rate_limits}
    assert {"requests", "input_tokens", "output_tokens"} <= ids
    assert all(r.limit > 0 for r in result.rate_limits)
    assert result.windows == ()
    assert result.account is not None and result.account.plan == "api"
    assert result.state.next_attempt_at == clock.now() + timedelta(seconds=60)


async def test_probe_body_is_one_token_on_the_configured_model():
    sent = []

    def handler(request):
        sent.append(request)
        return httpx.Response(200, json={"type": "message", "content": []})

    clock = ManualClock()
    config = Config(probe=ProbeConfig(enabled=True, model="claude-sonnet-4-5"))
    transport = httpx.MockTransport(handler)
    async with httpx.AsyncClient(base_url="https://api.anthropic.com", transport=transport) as c:
        await sim_probe(clock, config, api_key=SIM_KEY).fetch(c)
        await sim_probe(clock, config, oauth=SIM_OAUTH).fetch(c)
    key_req, oauth_req = sent
    for req in sent:
        body = json.loads(req.content)
        assert req.method == "POST" and req.url.path == "/v1/messages"
        assert body["model"] == "claude-sonnet-4-5" and body["max_tokens"] == 1
        assert len(body["messages"]) == 1
        assert req.headers["anthropic-version"] == "2023-06-01"
    assert key_req.headers["x-api-key"] == SIM_API_KEY
    assert "authorization" not in key_req.headers
    assert oauth_req.headers["authorization"] == f"Bearer {SIM_OAUTH_TOKEN}"
    assert oauth_req.headers["anthropic-beta"] == "oauth-2025-04-20"
    assert oauth_req.headers["user-agent"].startswith("claude-code/")
    # a subscription probe looks like Claude Code, so it is not billed as a third-party app
    assert "Claude Code" in json.loads(oauth_req.content)["system"][0]["text"]


async def test_unknown_model_is_a_404_kept_for_the_classifier():
    clock = ManualClock()
    bad = Config(probe=ProbeConfig(model="claude-nonexistent-9"))
    with Simulator("healthy", clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            missing = await sim_probe(clock, bad, api_key=SIM_KEY).fetch(client)
    assert isinstance(missing.error, ErrorResponse) and missing.error.status == 404
    assert "claude-nonexistent-9" in (missing.error.message or "")


async def test_subscription_probe_reads_unified_fractions_as_percent():
    clock = ManualClock()
    config = Config(probe=ProbeConfig(enabled=True))
    with Simulator("approaching-limits", clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            result = await sim_probe(clock, config, oauth=SIM_OAUTH).fetch(client)
        expected = {
            wid: spec.utilization
            for wid, spec in sim.view().state.windows
            if spec is not None
            and spec.utilization is not None
            and wid in ("five_hour", "seven_day")
        }
    (call,) = messages_calls(sim)
    assert call.auth == "bearer" and call.beta == "oauth-2025-04-20" and call.auth_ok
    got = {w.id: w.used_percent for w in result.windows}
    assert set(expected) <= set(got)
    for wid, percent in expected.items():
        assert got[wid] == pytest.approx(percent, abs=0.01)
    assert all(
        w.server_status in ("allowed", "allowed_warning", "rejected") for w in result.windows
    )
    assert result.account is not None and result.account.plan == "pro"


async def test_session_exhausted_429_is_kept_whole_and_retry_after_honoured():
    clock = ManualClock()
    config = Config(probe=ProbeConfig(enabled=True))
    with Simulator("session-exhausted", clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            probe = sim_probe(clock, config, oauth=SIM_OAUTH)
            result = await probe.fetch(client)
    err = result.error
    assert isinstance(err, ErrorResponse)
    assert (err.status, err.error_type) == (429, "rate_limit_error")
    assert err.headers["anthropic-ratelimit-unified-status"] == "rejected"
    assert err.headers["anthropic-ratelimit-unified-representative-claim"] == "five_hour"
    assert json.loads(err.body)["error"]["type"] == "rate_limit_error"
    retry = int(err.headers["retry-after"])
    assert retry > 60
    assert probe.next_attempt_at() == clock.now() + timedelta(seconds=retry)
    assert not probe.is_due(clock.now() + timedelta(seconds=retry - 1))
    five = {w.id: w for w in result.windows}["five_hour"]
    assert five.used_percent == 100.0 and five.server_status == "rejected"


async def test_api_key_per_minute_429_waits_for_retry_after_but_not_less_than_interval():
    clock = ManualClock()
    with Simulator("api-key-per-minute", clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            probe = sim_probe(clock, api_key=SIM_KEY)
            result = await probe.fetch(client)
    err = result.error
    assert isinstance(err, ErrorResponse) and err.status == 429
    assert "input tokens per minute" in (err.message or "")
    assert {r.id: r.remaining for r in result.rate_limits}["input_tokens"] == 0
    wait = max(60, int(err.headers["retry-after"]))
    assert probe.next_attempt_at() == clock.now() + timedelta(seconds=wait)


async def test_overloaded_is_an_error_result_with_headers():
    clock = ManualClock()
    with Simulator("overloaded", clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            result = await sim_probe(clock, api_key=SIM_KEY).fetch(client)
    assert result.state.state == "error"
    assert isinstance(result.error, ErrorResponse)
    assert (result.error.status, result.error.error_type) == (529, "overloaded_error")
    assert "request-id" in result.error.headers


async def test_subscription_probe_is_not_sent_unless_enabled():
    clock = ManualClock()
    with Simulator("healthy", clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            result = await sim_probe(clock, oauth=SIM_OAUTH).fetch(client)
    assert messages_calls(sim) == []
    assert result.state.state == "disabled" and "plan quota" in result.state.detail


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        (Fault(kind="delay", seconds=3.0), "timeout"),
        (Fault(kind="timeout"), "timeout"),
        (Fault(kind="reset"), "reset"),
        (Fault(kind="html_5xx", status=502), None),
        (Fault(kind="malformed_json"), "decode"),
        (Fault(kind="huge_body", size_mb=3), "too_large"),
        (Fault(kind="wrong_content_type"), "decode"),
    ],
    ids=lambda v: getattr(v, "kind", ""),
)
async def test_probe_faults_are_results(fault, kind):
    clock = ManualClock()
    with Simulator("healthy", clock=clock) as sim:
        sim.set_fault("messages", fault)
        async with make_client(sim.base_url, timeout=0.5) as client:
            result = await sim_probe(clock, api_key=SIM_KEY).fetch(client)
    assert result.state.state == "error"
    if kind is None:
        assert isinstance(result.error, ErrorResponse) and result.error.status == 502
    else:
        assert isinstance(result.error, TransportError) and result.error.kind == kind
    assert result.state.next_attempt_at == clock.now() + timedelta(seconds=60)


async def test_probe_never_shows_a_secret(capsys):
    clock = ManualClock()
    config = Config(probe=ProbeConfig(enabled=True))
    with Simulator("session-exhausted", clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            a = await sim_probe(clock, config, oauth=SIM_OAUTH).fetch(client)
            b = await sim_probe(clock, api_key=SIM_KEY).fetch(client)
    text = repr(a) + str(b) + repr(b.error) + repr(a.error) + "".join(capsys.readouterr())
    assert SIM_OAUTH_TOKEN not in text and SIM_API_KEY not in text
