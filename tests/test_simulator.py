"""The simulator speaks Anthropic: shapes, headers, auth, error bodies, every built-in scenario.

One server per module (a ManualClock drives its scenario time); each test picks a scenario.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tui.clock import ManualClock
from tui.simulator import (
    OAUTH_BETA,
    SIM_ADMIN_KEY,
    SIM_API_KEY,
    SIM_OAUTH_TOKEN,
    Simulator,
    builtin_scenario_names,
)
from tui.simulator.scenario import ENDPOINTS, KNOWN_WINDOWS, loads_scenario

BEARER = {
    "Authorization": f"Bearer {SIM_OAUTH_TOKEN}",
    "anthropic-beta": OAUTH_BETA,
    "User-Agent": "claude-code/2.1.0",
    "Accept": "application/json",
}
BEARER_MSG = {**BEARER, "anthropic-version": "2023-06-01"}
API = {"x-api-key": SIM_API_KEY, "anthropic-version": "2023-06-01"}
ADMIN = {"x-api-key": SIM_ADMIN_KEY, "anthropic-version": "2023-06-01"}
PROBE = {
    "model": "claude-haiku-4-5",
    "max_tokens": 1,
    "messages": [{"role": "user", "content": "hi"}],
}
OUT_OF_EXTRA = "You're out of extra usage. Add more at claude.ai/settings/usage and keep going."


@pytest.fixture(scope="module")
def clock():
    return ManualClock()


@pytest.fixture(scope="module")
def server(clock):
    with Simulator("healthy", clock=clock) as sim:
        yield sim


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.base_url, timeout=5) as c:
        yield c


@pytest.fixture
def sim(server):
    server.set_scenario("healthy")
    for endpoint in (*ENDPOINTS, "*"):
        server.set_fault(endpoint, None)
    server.clear_requests()
    yield server
    assert server.errors == []


def iso(start, offset):
    return (start + timedelta(seconds=offset)).isoformat(timespec="microseconds")


def usage(client):
    return client.get("/api/oauth/usage", headers=BEARER)


def probe(client, headers=BEARER_MSG):
    return client.post("/v1/messages", headers=headers, json=PROBE)


def assert_error_body(response, status, etype, message=None):
    assert response.status_code == status
    body = response.json()
    assert body["type"] == "error"
    assert body["error"]["type"] == etype
    assert body["request_id"].startswith("req_")
    assert response.headers["request-id"] == body["request_id"]
    if message is not None:
        assert body["error"]["message"] == message
    return body


# ----------------------------------------------------------------------------- usage endpoint


def test_healthy_usage_body_has_the_exact_shape(sim, client):
    r = usage(client)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    start = sim.started_at
    assert r.json() == {
        "five_hour": {"utilization": 12.0, "resets_at": iso(start, 10800)},
        "seven_day": {"utilization": 35.0, "resets_at": iso(start, 259200)},
        "seven_day_oauth_apps": None,
        "seven_day_opus": None,
        "seven_day_sonnet": {"utilization": 8.0, "resets_at": iso(start, 259200)},
        "seven_day_cowork": None,
        "extra_usage": {
            "is_enabled": True,
            "monthly_limit": 2000,
            "used_credits": 325.0,
            "utilization": 16.25,
            "currency": "USD",
        },
    }
    assert r.json()["five_hour"]["resets_at"].endswith(".000000+00:00")


def test_usage_wants_the_bearer_token_and_the_beta_header(sim, client):
    no_beta = {k: v for k, v in BEARER.items() if k != "anthropic-beta"}
    assert_error_body(
        client.get("/api/oauth/usage", headers=no_beta),
        401,
        "authentication_error",
        "OAuth authentication is currently not supported.",
    )
    wrong = {**BEARER, "Authorization": "Bearer sk-ant-oat01-somebody-else"}
    assert_error_body(client.get("/api/oauth/usage", headers=wrong), 401, "authentication_error")
    assert_error_body(client.get("/api/oauth/usage", headers=API), 401, "authentication_error")
    assert_error_body(client.get("/api/oauth/usage"), 401, "authentication_error")
    assert usage(client).status_code == 200
    assert [r.auth_ok for r in sim.requests] == [False, False, False, False, True]
    assert [r.auth for r in sim.requests] == ["bearer", "bearer", "x-api-key", "none", "bearer"]


def test_profile_needs_the_token_but_not_the_beta_header(sim, client):
    headers = {"Authorization": f"Bearer {SIM_OAUTH_TOKEN}"}
    r = client.get("/api/oauth/profile", headers=headers)
    assert r.status_code == 200
    org = r.json()["organization"]
    assert org["organization_type"] == "claude_max"
    assert org["rate_limit_tier"] == "default_claude_max_5x"
    assert org["has_extra_usage_enabled"] is True
    assert "@" in r.json()["account"]["email"]
    assert client.get("/api/oauth/profile").status_code == 401


def test_usage_throttle_429_has_no_top_level_type_and_varied_retry_after(sim, client, clock):
    sim.set_scenario("usage-throttled")
    r = usage(client)
    assert r.status_code == 429
    assert r.json() == {
        "error": {"type": "rate_limit_error", "message": "Rate limited. Please try again later."}
    }
    assert "retry-after" not in r.headers
    clock.advance(600)
    r = usage(client)
    assert (r.status_code, r.headers["retry-after"]) == (429, "0")
    clock.advance(600)
    r = usage(client)
    assert (r.status_code, r.headers["retry-after"]) == (429, "3600")
    clock.advance(600)
    r = usage(client)
    assert r.status_code == 200
    assert r.json()["five_hour"]["utilization"] == 23.0
    # The throttle is on the usage endpoint only: messages go through all along.
    assert probe(client).status_code == 200


def test_new_account_shape_has_limits_list_and_euro_extra_usage(sim, client):
    sim.set_scenario("new-account-shape")
    body = usage(client).json()
    assert body["seven_day_opus"] is None and body["seven_day_sonnet"] is None
    assert body["extra_usage"]["currency"] == "EUR"
    assert body["extra_usage"]["monthly_limit"] == 5000
    scoped = [x for x in body["limits"] if x["kind"] == "weekly_scoped"]
    assert {x["scope"]["model"]["display_name"] for x in scoped} == {"Fable", "Opus"}
    fable = next(x for x in scoped if x["scope"]["model"]["display_name"] == "Fable")
    assert fable == {
        "kind": "weekly_scoped",
        "group": "weekly",
        "percent": 5,
        "resets_at": iso(sim.started_at, 500000),
        "scope": {"model": {"id": None, "display_name": "Fable"}, "surface": None},
        "is_active": False,
    }
    session = next(x for x in body["limits"] if x["kind"] == "session")
    assert session["percent"] == 22 and session["is_active"] is True


def test_enterprise_nulls_every_window_and_sends_no_window_headers(sim, client):
    sim.set_scenario("enterprise-nulls")
    body = usage(client).json()
    assert all(body[w] is None for w in KNOWN_WINDOWS)
    assert body["extra_usage"] is None
    r = probe(client)
    assert r.status_code == 200
    assert r.headers["anthropic-ratelimit-unified-status"] == "allowed"
    assert "anthropic-ratelimit-unified-5h-utilization" not in r.headers


# ----------------------------------------------------------------------------- messages


def test_bearer_probe_gets_unified_headers_with_fractions(sim, client):
    r = probe(client)
    assert r.status_code == 200
    body = r.json()
    assert body["type"] == "message" and body["model"] == "claude-haiku-4-5-20251001"
    assert body["stop_reason"] == "max_tokens" and body["usage"]["output_tokens"] == 1
    h = r.headers
    assert h["anthropic-ratelimit-unified-5h-utilization"] == "0.12"
    assert h["anthropic-ratelimit-unified-7d-utilization"] == "0.35"
    assert h["anthropic-ratelimit-unified-status"] == "allowed"
    reset = datetime.fromtimestamp(int(h["anthropic-ratelimit-unified-5h-reset"]), UTC)
    assert reset == sim.started_at + timedelta(seconds=10800)
    assert not any(k.startswith("anthropic-ratelimit-requests") for k in h)


def test_api_key_probe_gets_the_api_key_family_with_rfc3339_resets(sim, client):
    r = probe(client, API)
    assert r.status_code == 200
    h = r.headers
    for family in ("requests", "tokens", "input-tokens", "output-tokens"):
        assert int(h[f"anthropic-ratelimit-{family}-limit"]) >= int(
            h[f"anthropic-ratelimit-{family}-remaining"]
        )
        reset = datetime.fromisoformat(h[f"anthropic-ratelimit-{family}-reset"])
        assert reset.tzinfo is not None and reset > sim.clock.now()
    assert "anthropic-organization-id" in h
    assert not any(k.startswith("anthropic-ratelimit-unified") for k in h)


def test_messages_auth_errors_are_the_real_bodies(sim, client):
    assert_error_body(
        probe(client, {"anthropic-version": "2023-06-01"}),
        401,
        "authentication_error",
        "x-api-key header is required",
    )
    assert_error_body(
        probe(client, {**API, "x-api-key": "sk-ant-api03-wrong"}),
        401,
        "authentication_error",
        "invalid x-api-key",
    )
    assert_error_body(
        probe(client, {**API, "x-api-key": SIM_ADMIN_KEY}), 401, "authentication_error"
    )
    assert_error_body(
        probe(client, {"x-api-key": SIM_API_KEY}),
        400,
        "invalid_request_error",
        "anthropic-version: header is required",
    )


def test_messages_validates_the_request(sim, client):
    r = client.post("/v1/messages", headers=API, json={**PROBE, "model": "claude-nope"})
    assert_error_body(r, 404, "not_found_error", "model: claude-nope")
    r = client.post("/v1/messages", headers=API, json={"model": "claude-haiku-4-5", "messages": []})
    assert_error_body(r, 400, "invalid_request_error", "max_tokens: Field required")
    r = client.post("/v1/messages", headers=API, content=b"{not json")
    assert_error_body(r, 400, "invalid_request_error")


def test_session_exhausted_rejects_with_unified_headers_until_reset(sim, client, clock):
    sim.set_scenario("session-exhausted")
    r = probe(client)
    assert_error_body(
        r,
        429,
        "rate_limit_error",
        "This request would exceed your account's rate limit. Please try again later.",
    )
    h = r.headers
    assert h["anthropic-ratelimit-unified-status"] == "rejected"
    assert h["anthropic-ratelimit-unified-representative-claim"] == "five_hour"
    assert h["anthropic-ratelimit-unified-5h-status"] == "rejected"
    assert h["anthropic-ratelimit-unified-5h-utilization"] == "1.0"
    assert h["anthropic-ratelimit-unified-overage-status"] == "rejected"
    assert int(h["retry-after"]) == 2700
    assert usage(client).json()["five_hour"]["utilization"] == 100.0
    clock.advance(2700)
    assert probe(client).status_code == 200
    assert usage(client).json()["five_hour"] == {"utilization": 0.0, "resets_at": None}


def test_weekly_exhausted_names_the_weekly_window(sim, client):
    sim.set_scenario("weekly-exhausted")
    r = probe(client)
    assert r.status_code == 429
    assert r.headers["anthropic-ratelimit-unified-representative-claim"] == "seven_day"
    reset = int(r.headers["anthropic-ratelimit-unified-reset"])
    assert reset == int((sim.started_at + timedelta(seconds=183600)).timestamp())
    assert usage(client).json()["five_hour"]["utilization"] == 18.0


def test_extra_usage_misbilled_answers_400_while_the_plan_is_nearly_unused(sim, client):
    sim.set_scenario("extra-usage-misbilled")
    for _ in range(3):
        r = probe(client)
        assert_error_body(r, 400, "invalid_request_error", OUT_OF_EXTRA)
    assert r.headers["anthropic-ratelimit-unified-5h-utilization"] == "0.06"
    assert r.headers["anthropic-ratelimit-unified-7d-utilization"] == "0.15"
    assert r.headers["anthropic-ratelimit-unified-overage-disabled-reason"] == "out_of_credits"
    body = usage(client).json()
    assert (body["five_hour"]["utilization"], body["seven_day"]["utilization"]) == (6.0, 15.0)
    assert body["extra_usage"]["utilization"] == 100.0


def test_third_party_billing_message(sim, client):
    sim.set_scenario("third-party-billing")
    body = assert_error_body(probe(client), 400, "invalid_request_error")
    assert body["error"]["message"].startswith("Third-party apps now draw from your extra usage")


def test_api_key_per_minute_429_carries_retry_after_until_the_minute_resets(sim, client, clock):
    sim.set_scenario("api-key-per-minute")
    clock.advance(10)
    r = probe(client, API)
    body = assert_error_body(r, 429, "rate_limit_error")
    assert "30,000 input tokens per minute" in body["error"]["message"]
    assert r.headers["retry-after"] == "30"
    assert r.headers["anthropic-ratelimit-input-tokens-remaining"] == "0"
    assert r.headers["anthropic-ratelimit-tokens-remaining"] == "0"
    clock.advance(35)
    r = probe(client, API)
    assert r.status_code == 200
    assert r.headers["anthropic-ratelimit-input-tokens-remaining"] == "30000"
    clock.advance(20)  # the next minute of the loop: spent again
    r = probe(client, API)
    assert (r.status_code, r.headers["retry-after"]) == (429, "35")


@pytest.mark.parametrize(
    ("scenario", "status", "etype", "message"),
    [
        (
            "token-expired",
            401,
            "authentication_error",
            "OAuth token has expired. Please obtain a new token or refresh your existing token.",
        ),
        (
            "token-revoked",
            403,
            "permission_error",
            "OAuth token has been revoked. Please obtain a new token.",
        ),
    ],
)
def test_token_states_reject_every_bearer_call(sim, client, scenario, status, etype, message):
    sim.set_scenario(scenario)
    assert_error_body(usage(client), status, etype, message)
    assert_error_body(client.get("/api/oauth/profile", headers=BEARER), status, etype, message)
    assert_error_body(probe(client), status, etype, message)
    assert probe(client, API).status_code == 200  # an API key is not affected
    assert [r.auth_ok for r in sim.requests] == [False, False, False, True]


def test_overloaded_answers_529_then_recovers(sim, client, clock):
    sim.set_scenario("overloaded")
    r = probe(client, API)
    assert_error_body(r, 529, "overloaded_error", "Overloaded")
    assert "anthropic-ratelimit-requests-limit" in r.headers
    clock.advance(1800)
    assert probe(client, API).status_code == 200


def test_approaching_limits_crosses_warning_then_critical(sim, client, clock):
    sim.set_scenario("approaching-limits")
    seen = []
    for _ in range(5):
        r = probe(client)
        seen.append(
            (
                usage(client).json()["five_hour"]["utilization"],
                r.headers["anthropic-ratelimit-unified-status"],
                r.headers.get("anthropic-ratelimit-unified-5h-surpassed-threshold"),
            )
        )
        clock.advance(1200)
    percents = [p for p, _, _ in seen]
    assert percents == sorted(percents) and percents[0] < 75 < percents[-1]
    assert any(75 <= p < 90 for p in percents) and percents[-1] >= 90
    assert seen[0][1:] == ("allowed", None)
    assert seen[-1][1:] == ("allowed_warning", "0.9")


# ----------------------------------------------------------------------------- demo tour


def test_demo_tour_plays_its_story_in_a_few_minutes_at_speed_60(sim, client, clock):
    sim.set_scenario("demo")
    assert sim.scenario.duration / 60 <= 5 * 60

    def at(offset):
        clock.set(sim.started_at + timedelta(seconds=offset))

    r = probe(client)
    assert r.status_code == 400 and r.json()["error"]["message"] == OUT_OF_EXTRA
    first = usage(client).json()
    assert (first["five_hour"]["utilization"], first["seven_day"]["utilization"]) == (6.0, 15.0)
    at(5000)
    assert 75 <= usage(client).json()["five_hour"]["utilization"] < 90
    assert probe(client).status_code == 200
    at(6100)
    assert 90 <= usage(client).json()["five_hour"]["utilization"] < 100
    at(7300)
    assert probe(client).status_code == 429
    at(7900)
    r = usage(client)
    assert r.status_code == 429 and "type" not in r.json()
    at(9700)
    assert usage(client).status_code == 200
    at(10900)
    assert usage(client).json()["five_hour"] == {"utilization": 0.0, "resets_at": None}
    assert probe(client).status_code == 200
    at(14400)  # the tour starts again
    assert probe(client).status_code == 400


# ----------------------------------------------------------------------------- every built-in


def expected_probe_status(view):
    state = view.state
    if state.token == "expired":
        return 401
    if state.token == "revoked":
        return 403
    behavior = view.behavior("messages")
    if behavior is not None and behavior.error is not None and behavior.every == 1:
        return behavior.error.status
    if any(w is not None and (w.utilization or 0) >= 100 for _, w in state.windows):
        return 429
    return 200


@pytest.mark.parametrize("name", builtin_scenario_names())
def test_every_builtin_serves_what_it_declares(sim, client, name):
    sim.set_scenario(name)
    view = sim.view()
    state, start = view.state, sim.started_at
    behavior = view.behavior("usage")
    r = usage(client)
    if state.token != "valid":
        assert r.status_code in (401, 403)
    elif behavior is not None and behavior.error is not None:
        assert r.status_code == behavior.error.status
    else:
        assert r.status_code == 200
        body = r.json()
        assert set(KNOWN_WINDOWS) <= set(body)
        for wid, spec in state.windows:
            if spec is None:
                assert body[wid] is None
            else:
                resets = None if spec.resets_at is None else iso(start, spec.resets_at)
                assert body[wid] == {"utilization": spec.utilization, "resets_at": resets}
        if state.extra_usage is None:
            assert body["extra_usage"] is None
        else:
            assert body["extra_usage"]["is_enabled"] == state.extra_usage.is_enabled
        assert ("limits" in body) == (state.limits is not None)
    assert probe(client).status_code == expected_probe_status(view)
    assert client.get("/v1/models", headers=API).status_code in (200, 502)


# ----------------------------------------------------------------------------- other endpoints


def test_models_and_count_tokens_are_free_and_carry_no_quota_headers(sim, client):
    r = client.get("/v1/models", headers=API)
    assert r.status_code == 200
    ids = [m["id"] for m in r.json()["data"]]
    assert "claude-haiku-4-5-20251001" in ids and r.json()["has_more"] is False
    assert not any(k.startswith("anthropic-ratelimit") for k in r.headers)
    one = client.get("/v1/models/claude-haiku-4-5", headers=API).json()
    assert one["id"] == "claude-haiku-4-5-20251001"
    r = client.post(
        "/v1/messages/count_tokens",
        headers=API,
        json={"model": "claude-haiku-4-5", "messages": PROBE["messages"]},
    )
    assert r.status_code == 200 and r.json()["input_tokens"] > 0


def test_admin_usage_report_groups_by_model_and_pages(sim, client):
    start = (sim.clock.now() - timedelta(days=3)).strftime("%Y-%m-%dT00:00:00Z")
    params = {"starting_at": start, "bucket_width": "1d", "group_by[]": "model", "limit": "2"}
    r = client.get("/v1/organizations/usage_report/messages", headers=ADMIN, params=params)
    assert r.status_code == 200
    page = r.json()
    assert len(page["data"]) == 2 and page["has_more"] is True and page["next_page"]
    models = {res["model"] for res in page["data"][0]["results"]}
    assert models == {"claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"}
    assert page["data"][0]["results"][0]["output_tokens"] > 0
    r = client.get(
        "/v1/organizations/usage_report/messages",
        headers=ADMIN,
        params={**params, "page": page["next_page"]},
    )
    rest = r.json()
    assert len(rest["data"]) == 2 and rest["has_more"] is False  # 4 days: 3 whole + today
    assert rest["data"][0]["starting_at"] > page["data"][-1]["starting_at"]


def test_admin_cost_report_amounts_are_cent_strings(sim, client):
    start = (sim.clock.now() - timedelta(days=1)).strftime("%Y-%m-%dT00:00:00Z")
    r = client.get(
        "/v1/organizations/cost_report",
        headers=ADMIN,
        params={"starting_at": start, "group_by[]": "description"},
    )
    assert r.status_code == 200
    results = r.json()["data"][0]["results"]
    assert all(isinstance(x["amount"], str) and float(x["amount"]) > 0 for x in results)
    assert {x["currency"] for x in results} == {"USD"}
    assert any("Input Tokens" in x["description"] for x in results)


def test_admin_reports_want_the_admin_key(sim, client):
    path = "/v1/organizations/cost_report"
    params = {"starting_at": "2026-04-01T00:00:00Z"}
    assert_error_body(client.get(path, headers=API, params=params), 401, "authentication_error")
    assert_error_body(client.get(path, headers=ADMIN), 400, "invalid_request_error")
    assert client.get(path, headers=ADMIN, params=params).status_code == 200


def test_unknown_path_is_a_json_404(sim, client):
    assert_error_body(client.get("/v1/nothing", headers=API), 404, "not_found_error")


# ----------------------------------------------------------------------------- request log


def test_request_log_records_headers_but_never_the_secret(sim, client, clock):
    clock.advance(42)
    usage(client)
    probe(client, API)
    client.get("/v1/organizations/cost_report?starting_at=2026-04-01T00:00:00Z", headers=ADMIN)
    log = sim.requests
    assert [(r.method, r.path, r.endpoint, r.status) for r in log] == [
        ("GET", "/api/oauth/usage", "usage", 200),
        ("POST", "/v1/messages", "messages", 200),
        ("GET", "/v1/organizations/cost_report", "admin_cost", 200),
    ]
    assert log[0].beta == OAUTH_BETA and log[0].user_agent == "claude-code/2.1.0"
    assert log[0].at == clock.now()
    assert log[1].anthropic_version == "2023-06-01" and log[1].header("content-type")
    assert log[2].query == "starting_at=2026-04-01T00:00:00Z"
    dump = repr(log)
    for secret in (SIM_OAUTH_TOKEN, SIM_API_KEY, SIM_ADMIN_KEY):
        assert secret not in dump
    sim.clear_requests()
    assert sim.requests == []


def test_custom_scenario_object_and_date_header_on_the_scenario_clock(sim, client, clock):
    scenario = loads_scenario(
        """
[[state]]
at = 0
five_hour = { utilization = 44.5, resets_at = 60 }
profile = { error = "organization_disabled" }
"""
    )
    sim.set_scenario(scenario)
    r = usage(client)
    assert r.json()["five_hour"]["utilization"] == 44.5
    assert r.headers["date"] == clock.now().strftime("%a, %d %b %Y %H:%M:%S GMT")
    clock.advance(90)  # a passed reset rolls forward by the window's length
    rolled = usage(client).json()["five_hour"]["resets_at"]
    assert rolled == iso(sim.started_at, 60 + 5 * 3600)
    r = client.get("/api/oauth/profile", headers=BEARER)
    assert_error_body(r, 403, "permission_error", "This organization has been disabled.")
