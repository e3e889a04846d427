"""Given what Claude said (and what limitwatch knew), the user reads the right story."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tui.explain import UsageContext, classify
from tui.models import ErrorResponse, ExtraUsage, TranscriptError, TransportError, Window

NOW = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)  # 02:00 in Los Angeles (PDT)
IN_3H = NOW + timedelta(hours=3)


def win(wid: str, used: float, resets: datetime | None = None) -> Window:
    return Window(wid, used, resets or IN_3H, "oauth_usage", NOW)


def extra(
    enabled: bool = True, used: float | None = 20.0, limit: float | None = 20.0
) -> ExtraUsage:
    pct = None if used is None or not limit else 100.0 * used / limit
    return ExtraUsage(enabled, used, limit, "USD", pct, NOW)


LOW = UsageContext(windows=(win("five_hour", 6.0), win("seven_day", 15.0)))
SPENT = UsageContext(
    windows=(win("five_hour", 100.0, IN_3H), win("seven_day", 64.0, NOW + timedelta(days=3))),
    extra_usage=extra(True, 20.0, 20.0),
)


def body(etype: str, message: str, **extra_fields: Any) -> str:
    data: dict[str, Any] = {"type": "error", "error": {"type": etype, "message": message}}
    data["request_id"] = "req_011CTest"
    data.update(extra_fields)
    return json.dumps(data)


def resp(status: int, etype: str, message: str, headers=None, source="probe", url="", **kw) -> Any:
    return ErrorResponse(
        status=status,
        headers=headers or {},
        body=body(etype, message, **kw),
        observed_at=NOW,
        source=source,
        url=url,
    )


def row(text: str, error: str | None = "rate_limit", status: int | None = 429) -> TranscriptError:
    return TranscriptError(text, error, status, NOW, project="-home-me-app", session="s1")


OUT_OF_EXTRA = "You're out of extra usage. Add more at claude.ai/settings/usage and keep going."
UNIFIED_5H = {
    "anthropic-ratelimit-unified-status": "rejected",
    "anthropic-ratelimit-unified-representative-claim": "five_hour",
    "anthropic-ratelimit-unified-5h-status": "rejected",
    "anthropic-ratelimit-unified-5h-reset": str(int((NOW + timedelta(hours=2)).timestamp())),
    "anthropic-ratelimit-unified-reset": str(int((NOW + timedelta(hours=2)).timestamp())),
}
UNIFIED_7D = {
    "anthropic-ratelimit-unified-status": "rejected",
    "anthropic-ratelimit-unified-representative-claim": "seven_day",
    "anthropic-ratelimit-unified-7d-reset": str(int((NOW + timedelta(days=2)).timestamp())),
}


@dataclass
class Case:
    name: str
    item: Any
    cls: str
    window: str | None = None
    retry_at: datetime | None = None
    context: UsageContext | None = None
    source: str | None = None
    headroom: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)


CASES = [
    # --- section 4, every row ---
    Case(
        "400 out of extra usage, plan low",
        resp(400, "invalid_request_error", OUT_OF_EXTRA),
        "extra_usage_exhausted",
        context=LOW,
        headroom=True,
    ),
    Case(
        "400 out of extra usage, plan spent",
        resp(400, "invalid_request_error", OUT_OF_EXTRA),
        "extra_usage_exhausted",
        window="five_hour",
        retry_at=IN_3H,
        context=SPENT,
        headroom=False,
    ),
    Case(
        "400 third-party apps",
        resp(
            400,
            "invalid_request_error",
            "Third-party apps now draw from your extra usage, not your plan limits. You have $4.20 "
            "left.",
        ),
        "third_party_billing",
        context=LOW,
        headroom=True,
    ),
    Case(
        "400 third-party apps, admin variant",
        resp(
            400,
            "invalid_request_error",
            "Third-party apps now draw from your extra usage, not your plan limits. Ask your "
            "workspace admin to enable extra usage.",
        ),
        "third_party_billing",
    ),
    Case(
        "400 credential only for Claude Code",
        resp(
            400,
            "invalid_request_error",
            "This credential is only authorized for use with Claude Code and cannot be used for "
            "other API requests.",
        ),
        "credential_restricted",
    ),
    Case(
        "400 credit balance",
        resp(
            400,
            "invalid_request_error",
            "Your credit balance is too low to access the Anthropic API. Please go to Plans & "
            "Billing to upgrade or purchase credits.",
        ),
        "credit_balance_low",
    ),
    Case(
        "400 workspace spend limit",
        resp(
            400,
            "invalid_request_error",
            "You have reached your specified workspace API usage limits. You will regain access on "
            "2026-05-01 at 00:00 UTC.",
        ),
        "spend_limit_reached",
        retry_at=datetime(2026, 5, 1, tzinfo=UTC),
    ),
    Case(
        "400 specified spend limit",
        resp(
            400,
            "invalid_request_error",
            "You have reached your specified API usage limits. You will regain access on "
            "2026-05-01 at 00:00 UTC.",
        ),
        "spend_limit_reached",
        retry_at=datetime(2026, 5, 1, tzinfo=UTC),
    ),
    Case(
        "400 prompt too long",
        resp(400, "invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum"),
        "context_too_long",
    ),
    Case(
        "401 invalid x-api-key",
        resp(401, "authentication_error", "invalid x-api-key"),
        "auth_invalid",
    ),
    Case(
        "401 OAuth token expired (messages)",
        resp(
            401,
            "authentication_error",
            "OAuth token has expired. Please obtain a new token or refresh your existing token.",
        ),
        "token_expired",
    ),
    Case(
        "401 OAuth access token expired",
        resp(
            401,
            "authentication_error",
            "OAuth access token has expired. Re-authenticate to continue.",
        ),
        "token_expired",
    ),
    Case(
        "402 billing",
        resp(402, "billing_error", "Your payment method was declined."),
        "billing_problem",
    ),
    Case(
        "403 revoked",
        resp(403, "permission_error", "OAuth token has been revoked. Please obtain a new token."),
        "token_revoked",
    ),
    Case(
        "403 organization disabled",
        resp(403, "permission_error", "This organization has been disabled."),
        "permission_denied",
    ),
    Case("404 model", resp(404, "not_found_error", "model: claude-opus-9"), "model_unavailable"),
    Case(
        "413 too large",
        resp(413, "request_too_large", "Request exceeds the maximum size"),
        "request_too_large",
    ),
    Case(
        "429 subscription 5h window",
        resp(
            429,
            "rate_limit_error",
            "This request would exceed your account's rate limit. Please try again later.",
            headers=UNIFIED_5H,
        ),
        "plan_limit_reached",
        window="five_hour",
        retry_at=NOW + timedelta(hours=2),
    ),
    Case(
        "429 subscription weekly window",
        resp(
            429,
            "rate_limit_error",
            "This request would exceed your account's rate limit. Please try again later.",
            headers=UNIFIED_7D,
        ),
        "plan_limit_reached",
        window="seven_day",
        retry_at=NOW + timedelta(days=2),
    ),
    Case(
        "429 input tokens per minute",
        resp(
            429,
            "rate_limit_error",
            "This request would exceed the rate limit for your organization of 50,000 input tokens "
            "per minute.",
            headers={"retry-after": "17"},
        ),
        "api_rate_limited",
        retry_at=NOW + timedelta(seconds=17),
    ),
    Case(
        "429 requests per minute",
        resp(
            429,
            "rate_limit_error",
            "Number of requests has exceeded your per-minute rate limit",
            headers={"retry-after": "5"},
        ),
        "api_rate_limited",
        retry_at=NOW + timedelta(seconds=5),
    ),
    Case(
        "429 bare Rate limited", resp(429, "rate_limit_error", "Rate limited"), "server_throttled"
    ),
    Case(
        "429 monthly spend cap",
        resp(
            429,
            "rate_limit_error",
            "You have reached your API usage limits: your organization has crossed its monthly API "
            "usage threshold.",
            details={"error_code": "enforced_spend_limit_reached"},
        ),
        "spend_limit_reached",
    ),
    Case(
        "429 long context",
        resp(429, "rate_limit_error", "Extra usage is required for long context requests."),
        "long_context_requires_extra_usage",
    ),
    Case("500 api_error", resp(500, "api_error", "Internal server error"), "server_error"),
    Case("504 timeout_error", resp(504, "timeout_error", "Request timed out"), "server_error"),
    Case("529 overloaded", resp(529, "overloaded_error", "Overloaded"), "overloaded"),
    Case(
        "502 html from a proxy",
        ErrorResponse(502, {}, "<html>Bad Gateway</html>", NOW, "probe"),
        "server_error",
    ),
    # --- the usage endpoint's own answers ---
    Case(
        "usage 429 is the endpoint's throttle",
        resp(
            429,
            "rate_limit_error",
            "Rate limited. Please try again later.",
            source="oauth_usage",
            headers={"retry-after": "0"},
        ),
        "usage_endpoint_throttled",
        context=LOW,
        headroom=True,
    ),
    Case(
        "usage 429 found by url",
        resp(
            429,
            "rate_limit_error",
            "Rate limited. Please try again later.",
            source="x",
            url="https://api.anthropic.com/api/oauth/usage",
            headers={"retry-after": "600"},
        ),
        "usage_endpoint_throttled",
        retry_at=NOW + timedelta(seconds=600),
    ),
    Case(
        "usage 401 is an expired token",
        resp(401, "authentication_error", "OAuth token has expired.", source="oauth_usage"),
        "token_expired",
    ),
    Case(
        "usage 403 revoked",
        resp(
            403,
            "permission_error",
            "OAuth token has been revoked. Please obtain a new token.",
            source="oauth_usage",
        ),
        "token_revoked",
    ),
    # --- Claude Code's wordings, every era ---
    Case(
        "pipe + epoch",
        "Claude AI usage limit reached|1755615600",
        "plan_limit_reached",
        retry_at=datetime.fromtimestamp(1755615600, UTC),
    ),
    Case(
        "5-hour limit resets 5am",
        "5-hour limit reached ∙ resets 5am",
        "plan_limit_reached",
        window="five_hour",
        retry_at=datetime(2026, 4, 15, 5, 0, tzinfo=UTC),
    ),
    Case(
        "hit your limit, New York",
        "You've hit your limit · resets 10pm (America/New_York)",
        "plan_limit_reached",
        retry_at=datetime(2026, 4, 15, 2, 0, tzinfo=UTC),
    ),
    Case(
        "session limit, Los Angeles",
        row("You've hit your session limit · resets 12:50am (America/Los_Angeles)"),
        "plan_limit_reached",
        window="five_hour",
        retry_at=datetime(2026, 4, 15, 7, 50, tzinfo=UTC),
    ),
    Case(
        "session limit, Saigon",
        row("You've hit your session limit · resets 9:50pm (Asia/Saigon)"),
        "plan_limit_reached",
        window="five_hour",
        retry_at=datetime(2026, 4, 14, 14, 50, tzinfo=UTC),
    ),
    Case(
        "weekly limit",
        "You've hit your weekly limit · resets Apr 17, 9am (Europe/Berlin)",
        "plan_limit_reached",
        window="seven_day",
        retry_at=datetime(2026, 4, 17, 7, 0, tzinfo=UTC),
    ),
    Case(
        "Opus limit",
        "You've hit your Opus limit · resets 3pm (UTC)",
        "plan_limit_reached",
        window="seven_day_opus",
        retry_at=datetime(2026, 4, 14, 15, 0, tzinfo=UTC),
    ),
    Case(
        "Sonnet limit",
        "Sonnet limit reached ∙ resets 11am",
        "plan_limit_reached",
        window="seven_day_sonnet",
        retry_at=datetime(2026, 4, 14, 11, 0, tzinfo=UTC),
    ),
    Case(
        "older banner: will reset at",
        "Claude usage limit reached. Your limit will reset at 5pm (America/New_York).",
        "plan_limit_reached",
        retry_at=datetime(2026, 4, 14, 21, 0, tzinfo=UTC),
    ),
    Case(
        "out of extra usage, 429 banner",
        row("You're out of extra usage · resets 9am (America/Cordoba)"),
        "extra_usage_exhausted",
        retry_at=datetime(2026, 4, 14, 12, 0, tzinfo=UTC),
    ),
    Case(
        "transcript API Error 400 json",
        row(
            "API Error: 400 " + body("invalid_request_error", OUT_OF_EXTRA), "invalid_request", 400
        ),
        "extra_usage_exhausted",
        context=LOW,
        headroom=True,
    ),
    Case(
        "pasted API Error 529",
        "API Error: 529 " + body("overloaded_error", "Overloaded"),
        "overloaded",
    ),
    Case("pasted API Error 401 /login", "Invalid API key · Please run /login", "auth_invalid"),
    Case("pasted prompt too long", "Prompt is too long", "context_too_long"),
    Case("pasted credit balance banner", "Credit balance is too low", "credit_balance_low"),
    Case("pasted revoked banner", "OAuth token revoked · Please run /login", "token_revoked"),
    Case("pasted Request timed out", "API Error: Request timed out.", "network_error"),
    Case("pasted Connection error", "API Error: Connection error.", "network_error"),
    Case("pasted a raw JSON body", body("overloaded_error", "Overloaded"), "overloaded"),
    Case(
        "transcript authentication_failed",
        row("Please run /login", "authentication_failed", 401),
        "auth_invalid",
    ),
    Case(
        "transcript billing_error",
        row("Payment required", "billing_error", None),
        "billing_problem",
    ),
    Case(
        "transcript server_error 500",
        row("API Error: 500 " + body("api_error", "Internal server error"), "server_error", 500),
        "server_error",
    ),
    Case(
        "model issue banner",
        "There's an issue with the selected model (claude-x). It may "
        "not exist or you may not have access to it.",
        "model_unavailable",
    ),
    # --- no response at all ---
    Case(
        "transport dns",
        TransportError("dns", "Name or service not known", NOW, "probe"),
        "network_error",
    ),
    Case(
        "transport timeout",
        TransportError("timeout", "ReadTimeout", NOW, "oauth_usage"),
        "network_error",
    ),
    Case("OSError refused", ConnectionRefusedError(111, "Connection refused"), "network_error"),
    Case("TimeoutError", TimeoutError("timed out"), "network_error"),
    Case("gibberish", "the cat sat on the mat", "unknown"),
    Case("a bug's exception", KeyError("five_hour"), "unknown"),
]


DESIGN_CLASSES = {
    "plan_limit_reached",
    "extra_usage_exhausted",
    "third_party_billing",
    "credential_restricted",
    "credit_balance_low",
    "spend_limit_reached",
    "api_rate_limited",
    "server_throttled",
    "usage_endpoint_throttled",
    "long_context_requires_extra_usage",
    "context_too_long",
    "auth_invalid",
    "token_expired",
    "token_revoked",
    "permission_denied",
    "billing_problem",
    "model_unavailable",
    "request_too_large",
    "overloaded",
    "server_error",
    "network_error",
    "unknown",
}


def test_the_table_covers_every_class_of_the_design() -> None:
    assert len(CASES) >= 40
    assert {c.cls for c in CASES} == DESIGN_CLASSES


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_classify_table(case: Case) -> None:
    result = classify(case.item, context=case.context, now=NOW, source=case.source, tz=UTC)
    assert result.class_id == case.cls, result
    if case.window is not None:
        assert result.window_id == case.window
    if case.retry_at is not None:
        assert result.retry_at == case.retry_at
    if case.context is not None:
        assert result.plan_has_headroom is case.headroom
    assert result.title and len(result.title) <= 40
    assert result.explanation and result.actions
    assert result.explanation.rstrip().endswith((".", ")"))


def test_seed_case_says_billed_to_extra_usage_with_the_numbers() -> None:
    result = classify(
        resp(400, "invalid_request_error", OUT_OF_EXTRA, source="transcripts"),
        context=replace(LOW, claude_code_version="2.1.120"),  # says "extra usage"
        now=NOW,
    )
    assert result.class_id == "extra_usage_exhausted"
    assert result.plan_has_headroom is True
    assert "6%" in result.explanation and "15%" in result.explanation
    assert "billed to extra usage rather than your plan" in result.explanation
    assert "third-party" in result.explanation
    actions = " | ".join(result.actions)
    assert "Update Claude Code" in actions
    assert "ANTHROPIC_API_KEY" in actions and "ANTHROPIC_BASE_URL" in actions
    assert "proxy" in actions
    assert "claude.ai/settings/usage" in actions
    assert "top it up" in actions
    assert result.window_id is None  # the error does not point at a plan window


def test_same_message_with_plan_spent_and_extra_usage_spent_is_a_real_cap() -> None:
    result = classify(resp(400, "invalid_request_error", OUT_OF_EXTRA), context=SPENT, now=NOW)
    assert result.class_id == "extra_usage_exhausted"
    assert result.plan_has_headroom is False
    assert "real spend cap" in result.explanation
    assert "$20.00 of $20.00" in result.explanation
    assert "third-party" not in result.explanation
    assert result.retry_at == IN_3H  # the exhausted plan window's reset


def test_an_error_never_moves_a_bar() -> None:
    before = LOW.windows
    result = classify(resp(400, "invalid_request_error", OUT_OF_EXTRA), context=LOW, now=NOW)
    assert LOW.windows == before
    assert result.plan_has_headroom is True
    assert [w.used_percent for w in LOW.windows] == [6.0, 15.0]


def test_usage_endpoint_429_is_never_limit_reached_nor_expired() -> None:
    for message in ("Rate limited. Please try again later.", "OAuth token has expired"):
        result = classify(resp(429, "rate_limit_error", message), now=NOW, source="oauth_usage")
        assert result.class_id == "usage_endpoint_throttled"
        assert result.is_limit is False
        assert "limit reached" not in result.title.lower()
        assert "expired" not in result.title.lower()
        assert "not reached" in result.explanation


def test_usage_endpoint_retry_after_http_date() -> None:
    when = "Tue, 14 Apr 2026 09:30:00 GMT"
    result = classify(
        resp(429, "rate_limit_error", "Rate limited.", headers={"Retry-After": when}),
        now=NOW,
        source="oauth_usage",
        tz=UTC,
    )
    assert result.retry_at == datetime(2026, 4, 14, 9, 30, tzinfo=UTC)
    assert "09:30" in " ".join(result.actions)


def test_limit_classes_are_flagged_and_others_are_not() -> None:
    limit = classify("You've hit your session limit · resets 5am", now=NOW)
    overloaded = classify(resp(529, "overloaded_error", "Overloaded"), now=NOW)
    throttled = classify(resp(429, "rate_limit_error", "Rate limited"), now=NOW)
    assert limit.is_limit is True
    assert overloaded.is_limit is False
    assert throttled.is_limit is False
    assert "not your usage limit" in throttled.explanation


def test_headroom_is_set_for_every_class_when_windows_are_known() -> None:
    for case in CASES:
        result = classify(case.item, context=LOW, now=NOW)
        # Headers before words: a window the error's own headers call rejected is used up,
        # whatever the older numbers said.
        headers = case.item.headers if isinstance(case.item, ErrorResponse) else {}
        rejected = any(k.endswith("-status") and v == "rejected" for k, v in headers.items())
        assert result.plan_has_headroom is (not rejected), case.name
    assert classify("Overloaded", now=NOW).plan_has_headroom is None


def test_rejected_server_status_counts_as_spent() -> None:
    ctx = UsageContext(
        windows=(Window("five_hour", 97.0, IN_3H, "probe", NOW, server_status="rejected"),)
    )
    result = classify("You've hit your limit · resets 5am", context=ctx, now=NOW)
    assert result.plan_has_headroom is False
    assert result.window_id == "five_hour"


def test_plan_limit_explanation_names_reset_in_the_users_zone() -> None:
    from zoneinfo import ZoneInfo

    result = classify(
        "You've hit your session limit · resets 12:50am (America/Los_Angeles)",
        now=NOW,
        tz=ZoneInfo("America/Los_Angeles"),
    )
    assert "00:50" in result.explanation
    assert "in 22 h 50 min" in result.explanation


def test_plan_limit_while_limitwatch_saw_headroom_says_numbers_may_be_stale() -> None:
    result = classify("You've hit your session limit · resets 5am", context=LOW, now=NOW)
    assert "6%" in result.explanation and "out of date" in result.explanation


def test_weekly_opus_limit_suggests_switching_model() -> None:
    result = classify("You've hit your Opus limit · resets 3pm (UTC)", now=NOW)
    assert any("/model" in a for a in result.actions)


def test_transcript_rows_keep_project_and_session() -> None:
    result = classify(row("You've hit your session limit · resets 5am"), now=NOW)
    assert (result.project, result.session, result.source) == ("-home-me-app", "s1", "transcripts")


def test_secrets_in_messages_are_masked() -> None:
    text = "API Error: 401 invalid x-api-key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123"
    result = classify(text, now=NOW)
    assert "abcdefghijklmnop" not in result.message
    assert "sk-ant-...0123" in result.message


def test_network_titles_say_which_failure() -> None:
    titles = {
        kind: classify(TransportError(kind, "x", NOW, "probe"), now=NOW).title
        for kind in ("dns", "tls", "timeout", "reset", "connect")
    }
    assert len(set(titles.values())) == 5
    assert "DNS" in titles["dns"]


def test_httpx_exceptions_are_sorted_by_type() -> None:
    httpx = pytest.importorskip("httpx")
    request = httpx.Request("GET", "https://api.anthropic.com/api/oauth/usage")
    dns = classify(
        httpx.ConnectError("[Errno -2] Name or service not known", request=request), now=NOW
    )
    timeout = classify(httpx.ReadTimeout("timed out", request=request), now=NOW)
    reset = classify(httpx.RemoteProtocolError("Server disconnected", request=request), now=NOW)
    tls = classify(
        httpx.ConnectError(
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed", request=request
        ),
        now=NOW,
    )
    assert {dns.class_id, timeout.class_id, reset.class_id, tls.class_id} == {"network_error"}
    assert "DNS" in dns.title
    assert "timed out" in timeout.title
    assert "dropped" in reset.title
    assert "certificate" in tls.title.lower()
