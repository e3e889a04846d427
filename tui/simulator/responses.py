"""Bodies, headers and error bodies, shaped exactly as ``shared/anthropic-api.md`` describes.

Everything here is pure: a scenario state (offsets already absolute) plus the scenario's start
time in, JSON-ready objects and header lists out. The usage body is built in ``usage_body``,
the time formats live in ``formats``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tui.simulator.errors import (  # noqa: F401  (re-exported)
    ERRORS,
    ORGANIZATION_ID,
    per_minute_error,
)
from tui.simulator.formats import at, epoch, rfc3339_z
from tui.simulator.formats import http_date as http_date  # re-exported for the endpoints
from tui.simulator.spec import Account, ErrorSpec, State
from tui.simulator.usage_body import usage_body as usage_body  # re-exported for the endpoints

ACCOUNT_UUID = "8a1d6c0e-2b4f-4e7a-b3c5-91f2e6d04a77"
# Unified headers: a window past these fractions is "allowed_warning" / surpassed threshold.
WARNING_FRACTION = 0.75
CRITICAL_FRACTION = 0.9

MODELS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("claude-opus-4-5-20251101", "Claude Opus 4.5", "2025-11-24T00:00:00Z", ("claude-opus-4-5",)),
    (
        "claude-haiku-4-5-20251001",
        "Claude Haiku 4.5",
        "2025-10-15T00:00:00Z",
        ("claude-haiku-4-5",),
    ),
    (
        "claude-sonnet-4-5-20250929",
        "Claude Sonnet 4.5",
        "2025-09-29T00:00:00Z",
        ("claude-sonnet-4-5",),
    ),
    ("claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05T00:00:00Z", ("claude-opus-4-1",)),
)


def resolve_model(name: str) -> str | None:
    for model_id, _display, _created, aliases in MODELS:
        if name == model_id or name in aliases:
            return model_id
    return None


@dataclass
class Reply:
    """One answer: status, the JSON object it carries (if any), the bytes and the headers."""

    status: int
    body: bytes
    payload: object = None
    content_type: str = "application/json"
    headers: list[tuple[str, str]] = field(default_factory=list)


def dumps(payload: object) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def json_reply(status: int, payload: object, headers: list[tuple[str, str]] | None = None) -> Reply:
    return Reply(status=status, body=dumps(payload), payload=payload, headers=list(headers or []))


def error_payload(spec: ErrorSpec, request_id: str) -> dict[str, object]:
    inner: dict[str, object] = {"type": spec.type, "message": spec.message}
    if spec.bare:
        return {"error": inner}
    payload: dict[str, object] = {"type": "error", "error": inner}
    if spec.details is not None:
        payload["error"] = {**inner, "details": dict(spec.details)}
    payload["request_id"] = request_id
    return payload


def error_reply(spec: ErrorSpec, request_id: str) -> Reply:
    return json_reply(spec.status, error_payload(spec, request_id))


def profile_body(account: Account) -> dict[str, object]:
    org_type = account.organization_type
    return {
        "account": {
            "uuid": ACCOUNT_UUID,
            "full_name": account.full_name,
            "display_name": account.display_name,
            "email": account.email,
            "has_claude_max": org_type == "claude_max",
            "has_claude_pro": org_type == "claude_pro",
            "created_at": "2025-03-02T10:11:12.345678Z",
        },
        "organization": {
            "uuid": ORGANIZATION_ID,
            "name": account.organization_name,
            "organization_type": org_type,
            "billing_type": account.billing_type,
            "rate_limit_tier": account.rate_limit_tier,
            "has_extra_usage_enabled": bool(account.has_extra_usage_enabled),
        },
    }


# --------------------------------------------------------------------------- models + messages


def models_body() -> dict[str, object]:
    data = [
        {"type": "model", "id": mid, "display_name": name, "created_at": created}
        for mid, name, created, _aliases in MODELS
    ]
    return {"data": data, "has_more": False, "first_id": data[0]["id"], "last_id": data[-1]["id"]}


def model_body(model_id: str) -> dict[str, object] | None:
    for mid, name, created, aliases in MODELS:
        if model_id == mid or model_id in aliases:
            return {"type": "model", "id": mid, "display_name": name, "created_at": created}
    return None


def estimate_tokens(messages: object, system: object = None) -> int:
    text = json.dumps([messages, system], ensure_ascii=False)
    return max(1, len(text) // 4 + 4)


def message_body(
    message_id: str, model_id: str, max_tokens: int, input_tokens: int
) -> dict[str, object]:
    full = "Hi!"
    text = full if max_tokens >= 2 else "Hi"
    return {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model_id,
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn" if max_tokens >= 2 else "max_tokens",
        "stop_sequence": None,
        "usage": {
            "input_tokens": input_tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": min(max_tokens, 2),
            "service_tier": "standard",
        },
    }


# --------------------------------------------------------------------------- rate-limit headers


def _fraction(value: float) -> str:
    return repr(round(value, 4))


@dataclass(frozen=True)
class UnifiedDecision:
    status: str
    claim: str
    headers: list[tuple[str, str]]


_UNIFIED_WINDOWS = (("five_hour", "5h"), ("seven_day", "7d"))


def _next_month(now: datetime) -> datetime:
    now = now.astimezone(UTC)
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return datetime(year, month, 1, tzinfo=UTC)


def unified_headers(state: State, start: datetime, now: datetime) -> UnifiedDecision:
    """The ``anthropic-ratelimit-unified-*`` family for a Bearer (subscription) request."""
    prefix = "anthropic-ratelimit-unified"
    headers: list[tuple[str, str]] = []
    windows = dict(state.windows)
    seen: list[tuple[str, float, datetime | None, str]] = []
    for wid, short in _UNIFIED_WINDOWS:
        spec = windows.get(wid)
        if spec is None or spec.utilization is None:
            continue
        frac = spec.utilization / 100.0
        reset = None if spec.resets_at is None else at(start, spec.resets_at)
        status = (
            "rejected"
            if frac >= 1.0
            else "allowed_warning"
            if frac >= WARNING_FRACTION
            else "allowed"
        )
        seen.append((wid, frac, reset, status))
        headers.append((f"{prefix}-{short}-status", status))
        if reset is not None:
            headers.append((f"{prefix}-{short}-reset", str(epoch(reset))))
        headers.append((f"{prefix}-{short}-utilization", _fraction(frac)))
        if frac >= WARNING_FRACTION:
            threshold = CRITICAL_FRACTION if frac >= CRITICAL_FRACTION else WARNING_FRACTION
            headers.append((f"{prefix}-{short}-surpassed-threshold", repr(threshold)))

    extra = state.extra_usage
    u = state.unified
    if extra is not None and extra.has_credit():
        overage_status, reason = "allowed", None
    elif extra is not None and extra.is_enabled:
        overage_status, reason = "rejected", "out_of_credits"
    elif extra is not None and extra.disabled_reason:
        overage_status, reason = "rejected", extra.disabled_reason
    else:
        overage_status, reason = "rejected", "overage_not_provisioned"
    overage_status = u.overage_status or overage_status
    reason = u.overage_disabled_reason or reason

    rejected = [s for s in seen if s[3] == "rejected"]
    if rejected:
        claim_w = max(rejected, key=lambda s: s[2] or now)
        status = "allowed" if overage_status == "allowed" else "rejected"
        claim = "overage" if overage_status == "allowed" else claim_w[0]
        claim_reset = claim_w[2]
    elif seen:
        claim_w = max(seen, key=lambda s: s[1])
        status = "allowed_warning" if claim_w[3] == "allowed_warning" else "allowed"
        claim, claim_reset = claim_w[0], claim_w[2]
    else:
        status, claim, claim_reset = "allowed", "five_hour", None
    status = u.status or status
    claim = u.representative_claim or claim
    for wid, _frac, reset, _st in seen:
        if wid == claim:
            claim_reset = reset

    top: list[tuple[str, str]] = [(f"{prefix}-status", status)]
    if claim_reset is not None:
        top.append((f"{prefix}-reset", str(epoch(claim_reset))))
    top.append((f"{prefix}-representative-claim", claim))
    headers = top + headers
    headers.append((f"{prefix}-overage-status", overage_status))
    if extra is not None and extra.is_enabled:
        headers.append((f"{prefix}-overage-reset", str(epoch(_next_month(now)))))
        util = extra.current_utilization()
        if util is not None:
            headers.append((f"{prefix}-overage-utilization", _fraction(util / 100.0)))
    if overage_status != "allowed" and reason:
        headers.append((f"{prefix}-overage-disabled-reason", reason))
    if u.fallback_percentage is not None:
        headers.append((f"{prefix}-fallback", "available"))
        headers.append((f"{prefix}-fallback-percentage", repr(u.fallback_percentage)))
    return UnifiedDecision(status=status, claim=claim, headers=headers)


@dataclass(frozen=True)
class ApiKeyDecision:
    exhausted: str | None  # the first bucket with nothing left
    retry_after: int | None
    headers: list[tuple[str, str]]


def api_key_headers(state: State, start: datetime, now: datetime) -> ApiKeyDecision:
    """The ``anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-*`` family."""
    prefix = "anthropic-ratelimit"
    headers: list[tuple[str, str]] = []
    buckets = dict(state.rate_limits)
    exhausted = None
    retry_after = None
    for name, bucket in state.rate_limits:
        if bucket.remaining < 1 and exhausted is None:
            exhausted = name
            reset = at(start, bucket.resets_at or 0.0)
            retry_after = max(1, math.ceil((reset - now).total_seconds()))
    tokens = min(
        (buckets["input_tokens"], buckets["output_tokens"]), key=lambda b: b.remaining / b.limit
    )
    rows = [
        ("requests", buckets["requests"]),
        ("tokens", tokens),
        ("input-tokens", buckets["input_tokens"]),
        ("output-tokens", buckets["output_tokens"]),
    ]
    for label, bucket in rows:
        headers.append((f"{prefix}-{label}-limit", str(bucket.limit)))
        headers.append((f"{prefix}-{label}-remaining", str(max(0, math.floor(bucket.remaining)))))
        headers.append((f"{prefix}-{label}-reset", rfc3339_z(at(start, bucket.resets_at or 0.0))))
    headers.append(("anthropic-organization-id", ORGANIZATION_ID))
    return ApiKeyDecision(exhausted=exhausted, retry_after=retry_after, headers=headers)
