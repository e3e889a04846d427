"""Facts -> a class id and a window: the rules, and when trying again makes sense.

``decide`` applies the table of ``../shared/anthropic-api.md`` section 4, Claude Code's limit
wordings of every era (both "extra usage" and "usage credits"), and the unified headers of the
error's own answer, which come before its words. ``retry_at`` finds the reset or retry time.
Pure; nothing here does I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo

from tui.explain.context import (
    UsageContext,
    exhausted_window,
    overage_rejected,
    plan_has_headroom,
    plan_windows,
    used,
)
from tui.explain.facts import NET_WORDS, Facts
from tui.patterns import lazy
from tui.ratelimit_headers import UNIFIED
from tui.times import aware, parse_reset_header, parse_reset_text, parse_retry_after

_PLAN_BANNER = lazy(
    r"usage limit reached|hit your (?:[\w-]+ )?limit"
    r"|(?:5-hour|five-hour|session|weekly|opus|sonnet) limit(?: reached)?"
    r"|limit will reset|limit reached[^\n]*\bresets?\b"
    r"|reached your (?:usage|session) limit"
    r"|usage limit has been reached"
)
_PER_MINUTE = lazy(r"per[- ]minute|rate limit of \d|(?:requests|tokens) per (?:min|minute)")
_CLAIM_WINDOWS = {"5h": "five_hour", "7d": "seven_day"}


def one_vocabulary(text: str) -> str:
    """Claude Code 2.1.144 renamed extra usage to usage credits: match on one word."""
    return text.replace("/usage-credits", "/extra-usage").replace("usage credits", "extra usage")


def window_from_words(text: str) -> str | None:
    """session -> five_hour, weekly -> seven_day, Opus -> seven_day_opus, Sonnet -> ..."""
    if re.search(r"\bopus\b[^\n]{0,20}limit", text):
        return "seven_day_opus"
    if re.search(r"\bsonnet\b[^\n]{0,20}limit", text):
        return "seven_day_sonnet"
    if re.search(r"session limit|5-hour limit|five-hour limit|5 hour limit", text):
        return "five_hour"
    if re.search(r"weekly limit|week(?:ly)? usage limit|7-day limit", text):
        return "seven_day"
    return None


def window_from_claim(claim: str | None) -> str | None:
    """A representative-claim value as a window id (``overage`` stays ``overage``)."""
    if not claim:
        return None
    claim = claim.strip().lower()
    if claim in _CLAIM_WINDOWS:
        return _CLAIM_WINDOWS[claim]
    if claim.startswith("7d_"):
        return "seven_day_" + claim[3:]
    return claim or None


def claim_header_prefix(window_id: str) -> str:
    """five_hour -> 5h, seven_day -> 7d, seven_day_opus -> 7d_opus; others unchanged."""
    if window_id == "five_hour":
        return "5h"
    if window_id.startswith("seven_day"):
        return "7d" + window_id[len("seven_day") :]
    return window_id


def rejected_windows(headers: Mapping[str, str]) -> list[str]:
    found: list[str] = []
    for key, value in headers.items():
        if key.startswith(UNIFIED) and key.endswith("-status") and value.strip() == "rejected":
            short = key[len(UNIFIED) : -len("-status")]
            if short:
                window = window_from_claim(short)
                if window:
                    found.append(window)
    return found


def _api_key_headers(headers: Mapping[str, str]) -> bool:
    return any(
        key.startswith(f"anthropic-ratelimit-{name}-")
        for key in headers
        for name in ("requests", "tokens", "input-tokens", "output-tokens")
    )


def decide(f: Facts, context: UsageContext | None = None) -> tuple[str, str | None]:
    """(class id, window id or None). ``context`` already holds the error's own headers."""
    class_id, window_id = _by_words(f)
    return _headers_first(class_id, window_id, context)


def _headers_first(
    class_id: str, window_id: str | None, context: UsageContext | None
) -> tuple[str, str | None]:
    """A limit the words do not place, while the headers show the plan fine and the overage
    refused, is the overage's."""
    if class_id != "plan_limit_reached" or window_id is not None:
        return class_id, window_id
    if overage_rejected(context) and plan_has_headroom(context) is True:
        return "extra_usage_exhausted", "overage"
    return class_id, window_id


def _by_words(f: Facts) -> tuple[str, str | None]:
    t = one_vocabulary(f.text)
    status = f.status
    etype = (f.error_type or "").lower()
    claim = window_from_claim(f.headers.get(UNIFIED + "representative-claim"))
    unified_rejected = f.headers.get(UNIFIED + "status", "").strip() == "rejected"

    if f.transport_kind:
        return "network_error", None
    if f.usage_endpoint and status is not None:
        if status == 429:
            return "usage_endpoint_throttled", None
        if status == 401:
            return "token_expired", None
        if status == 403:
            return ("token_revoked" if "revoked" in t else "permission_denied"), None

    if "out of extra usage" in t:
        return "extra_usage_exhausted", claim if claim == "overage" else None
    if "third-party apps" in t or "third party apps" in t or "third-party app" in t:
        return "third_party_billing", None
    if "only authorized for use with claude code" in t:
        return "credential_restricted", None
    if "credit balance is too low" in t:
        return "credit_balance_low", None
    if "extra usage is required for long context" in t or (
        "long context" in t and "extra usage" in t
    ):
        return "long_context_requires_extra_usage", None
    if (
        "prompt is too long" in t
        or "exceed context limit" in t
        or ("context window" in t and "exceed" in t)
    ):
        return "context_too_long", None
    if (
        "specified api usage limit" in t
        or "workspace api usage limit" in t
        or "regain access on" in t
        or "reached your api usage limits" in t
        or "monthly api usage" in t
        or f.error_code == "enforced_spend_limit_reached"
    ):
        return "spend_limit_reached", None
    if _PER_MINUTE.search(t):
        return "api_rate_limited", None
    if unified_rejected or "would exceed your account's rate limit" in t:
        if claim == "overage":
            return "extra_usage_exhausted", "overage"
        rejected = [w for w in rejected_windows(f.headers) if w != "overage"]
        return "plan_limit_reached", claim or (rejected[0] if rejected else window_from_words(t))
    if _PLAN_BANNER.search(t):
        return "plan_limit_reached", window_from_words(t) or claim

    if "revoked" in t and ("token" in t or "oauth" in t):
        return "token_revoked", None
    if "token has expired" in t or "token expired" in t or "oauth access token has expired" in t:
        return "token_expired", None
    if (
        "invalid x-api-key" in t
        or "invalid api key" in t
        or "invalid bearer token" in t
        or etype == "authentication_error"
        or status == 401
        or f.transcript_kind == "authentication_failed"
    ):
        return "auth_invalid", None
    if "organization has been disabled" in t or "account has been disabled" in t:
        return "permission_denied", None
    if status == 402 or etype == "billing_error" or f.transcript_kind == "billing_error":
        return "billing_problem", None
    if status == 403 or etype == "permission_error":
        return "permission_denied", None
    if (
        status == 404
        or etype == "not_found_error"
        or "issue with the selected model" in t
        or "model not found" in t
        or ("model" in t and "not available" in t)
    ):
        return "model_unavailable", None
    if status == 413 or etype == "request_too_large" or "request too large" in t:
        return "request_too_large", None
    if status == 529 or etype == "overloaded_error" or "overloaded" in t:
        return "overloaded", None
    if status == 429 or etype == "rate_limit_error" or f.transcript_kind == "rate_limit":
        if _api_key_headers(f.headers):
            return "api_rate_limited", None
        rejected = rejected_windows(f.headers)
        if rejected:
            return "plan_limit_reached", rejected[0]
        return "server_throttled", None
    if (
        (status is not None and 500 <= status <= 599)
        or etype in ("api_error", "timeout_error")
        or f.transcript_kind == "server_error"
        or "internal server error" in t
    ):
        return "server_error", None
    for words, _kind in NET_WORDS:
        if words in t:
            return "network_error", None
    return "unknown", None


def pick_window(class_id: str, window_id: str | None, context: UsageContext | None) -> str | None:
    """The exhausted plan window, when the error names none and the numbers say which."""
    if window_id is None and (
        class_id == "plan_limit_reached"
        or (class_id == "extra_usage_exhausted" and plan_has_headroom(context) is False)
    ):
        return exhausted_window(context)
    return window_id


# -- when to try again ------------------------------------------------------------------------


def _header_time(headers: dict[str, str], name: str) -> datetime | None:
    value = headers.get(name)
    return parse_reset_header(value) if value else None


def retry_at(
    f: Facts, class_id: str, window_id: str | None, context: UsageContext | None, tz: tzinfo | None
) -> datetime | None:
    """The reset or retry time the error (or the numbers) give, for the classes that have one."""
    ref = aware(f.observed_at) if f.observed_at else datetime.now(UTC)
    h = f.headers
    after = parse_retry_after(h.get("retry-after"), ref)
    text_time = parse_reset_text(f.message or f.text, ref, tz)
    if class_id in ("plan_limit_reached", "extra_usage_exhausted"):
        claim_reset = None
        if window_id:
            claim_reset = _header_time(h, f"{UNIFIED}{claim_header_prefix(window_id)}-reset")
        if class_id == "extra_usage_exhausted" and claim_reset is None:
            claim_reset = _header_time(h, UNIFIED + "overage-reset")
        for when in (claim_reset, _header_time(h, UNIFIED + "reset"), after, text_time):
            if when is not None:
                return when
        return _context_reset(class_id, window_id, context, ref)
    if class_id == "api_rate_limited":
        if after is not None:
            return after
        resets = [
            _header_time(h, f"anthropic-ratelimit-{name}-reset")
            for name in ("requests", "tokens", "input-tokens", "output-tokens")
            if h.get(f"anthropic-ratelimit-{name}-remaining", "").strip() == "0"
        ]
        known = [r for r in resets if r is not None]
        return min(known) if known else text_time
    if class_id in ("spend_limit_reached", "usage_endpoint_throttled", "server_throttled"):
        return after or text_time
    if class_id in ("overloaded", "server_error"):
        return after
    return None


def _context_reset(
    class_id: str, window_id: str | None, context: UsageContext | None, ref: datetime
) -> datetime | None:
    """The reset of the exhausted plan window, when the error itself names no time."""
    if window_id == "overage":
        overage = context.overage if context is not None else None
        if overage is not None and overage.resets_at is not None and overage.resets_at > ref:
            return overage.resets_at
        return None
    windows = plan_windows(context)
    if window_id:
        windows = [w for w in windows if w.id == window_id] or windows
    full = [w for w in windows if (used(w) or 0.0) >= 100.0 and w.resets_at is not None]
    if class_id == "plan_limit_reached" and window_id:
        full = full or [w for w in windows if w.id == window_id and w.resets_at is not None]
    times = [aware(w.resets_at) for w in full if w.resets_at is not None]
    future = [t for t in times if t > ref]
    return max(future) if future else None
