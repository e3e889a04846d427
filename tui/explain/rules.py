"""The facts an error carries, and the rules that name its class.

``facts_from`` turns any input of ``classify`` into one ``Facts`` record (status, type,
message, headers, where it came from); ``decide`` applies the table of
``../shared/anthropic-api.md`` section 4 and Claude Code's limit wordings to it.
Pure; nothing here does I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tui.models import ErrorResponse, TranscriptError, TransportError

MAX_TEXT = 20_000  # characters of any input we look at; the rest cannot change the class


@dataclass
class Facts:
    status: int | None = None
    error_type: str | None = None
    message: str = ""
    text: str = ""  # everything we know, lower-cased, for pattern matching
    headers: dict[str, str] = field(default_factory=dict)
    error_code: str | None = None
    source: str = ""
    url: str = ""
    observed_at: datetime | None = None
    transcript_kind: str | None = None
    transport_kind: str | None = None
    exception_name: str | None = None
    project: str = ""
    session: str = ""

    @property
    def usage_endpoint(self) -> bool:
        return self.source == "oauth_usage" or "/api/oauth/usage" in self.url


_API_ERROR = re.compile(r"API Error:?\s*(?:\(?\s*)?(\d{3})\b\s*(.*)", re.IGNORECASE | re.DOTALL)


def _clip(value: object) -> str:
    text = value if isinstance(value, str) else str(value)
    return text[:MAX_TEXT]


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 100 <= value <= 999 else None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 100 <= number <= 999 else None


def _json_in(text: str) -> Any:
    """The first JSON object in ``text`` (a body, or the tail of ``API Error: 400 {...}``)."""
    start = text.find("{")
    if start < 0:
        return None
    try:
        obj, _ = json.JSONDecoder().raw_decode(text[start:])
        return obj
    except (ValueError, RecursionError):
        pass
    end = text.rfind("}")
    if end > start:
        try:
            return json.loads(text[start : end + 1])
        except (ValueError, RecursionError):
            return None
    return None


def _apply_body(facts: Facts, body: Any) -> None:
    """error.type / error.message / details.error_code from an error body, however nested."""
    node = body
    for _ in range(4):
        if not isinstance(node, dict):
            return
        details = node.get("details")
        if isinstance(details, dict) and isinstance(details.get("error_code"), str):
            facts.error_code = details["error_code"]
        inner = node.get("error")
        if isinstance(inner, dict):
            if isinstance(inner.get("type"), str) and inner["type"] != "error":
                facts.error_type = inner["type"]
            if isinstance(inner.get("message"), str):
                facts.message = inner["message"]
            node = inner
            continue
        if isinstance(node.get("message"), str) and not facts.message:
            facts.message = node["message"]
        return


def _transcript_row(facts: Facts, row: Mapping[str, Any]) -> bool:
    """A whole transcript row pasted as JSON: take its text, error and status."""
    if not row.get("isApiErrorMessage"):
        return False
    message = row.get("message")
    texts: list[str] = []
    if isinstance(message, dict):
        content = message.get("content")
        if isinstance(content, list):
            for part in content:
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    texts.append(part["text"])
        elif isinstance(content, str):
            texts.append(content)
    kind = row.get("error")
    _from_text(facts, "\n".join(texts), kind if isinstance(kind, str) else None)
    if facts.status is None:
        facts.status = _int(row.get("apiErrorStatus"))
    return True


def _from_text(facts: Facts, text: str, kind: str | None = None) -> None:
    text = _clip(text)
    facts.transcript_kind = kind or facts.transcript_kind
    facts.message = text.strip()
    match = _API_ERROR.search(text)
    if match:
        facts.status = _int(match.group(1))
        body = _json_in(match.group(2))
        if body is not None:
            _apply_body(facts, body)
    elif text.lstrip().startswith("{"):
        body = _json_in(text)
        if isinstance(body, dict) and _transcript_row(facts, body):
            return
        if body is not None:
            _apply_body(facts, body)
            if isinstance(body, dict):
                facts.status = facts.status or _int(body.get("status"))
    facts.text = text.lower()


def _lower_headers(headers: object) -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(headers, Mapping):
        try:
            items = list(headers.items())
        except Exception:
            return out
        for key, value in items[:500]:
            out[str(key).lower()] = str(value)[:500]
    return out


_DNS = (
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "getaddrinfo",
    "no address associated",
    "enotfound",
    "name resolution",
)
_TLS = ("ssl", "certificate", "tls", "handshake")


def transport_kind_of(exc: BaseException) -> str | None:
    """The kind of network failure an exception is, or None when it is not a network failure."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    detail = str(exc).lower()
    if "SSLError" in names or "SSLCertVerificationError" in names:
        return "tls"
    if "gaierror" in names or any(s in detail for s in _DNS):
        return "dns"
    if names & {"TimeoutException", "TimeoutError", "timeout", "ConnectTimeout", "ReadTimeout"}:
        return "timeout"
    if names & {"RemoteProtocolError", "ConnectionResetError", "ReadError", "BrokenPipeError"}:
        return "reset"
    if "ConnectError" in names or "ConnectionRefusedError" in names or "ProxyError" in names:
        return "tls" if any(s in detail for s in ("certificate", "ssl:")) else "connect"
    if names & {"DecodingError", "JSONDecodeError"}:
        return "decode"
    if names & {"ProtocolError", "LocalProtocolError", "TransportError", "NetworkError"}:
        return "protocol"
    if "ConnectionError" in names or "HTTPError" in names:
        return "connect"
    if "OSError" in names and getattr(exc, "errno", None) is not None:
        return "connect"
    return None


_NET_WORDS = (
    ("request timed out", "timeout"),
    ("timed out", "timeout"),
    ("etimedout", "timeout"),
    ("econnreset", "reset"),
    ("socket hang up", "reset"),
    ("connection reset", "reset"),
    ("econnrefused", "connect"),
    ("connection refused", "connect"),
    ("enotfound", "dns"),
    ("eai_again", "dns"),
    ("self signed certificate", "tls"),
    ("unable to verify the first certificate", "tls"),
    ("certificate", "tls"),
    ("connection error", "connect"),
    ("fetch failed", "connect"),
    ("network error", "connect"),
)


def facts_from(item: object, source: str | None, now: datetime) -> Facts:
    facts = Facts(observed_at=now)
    if isinstance(item, ErrorResponse):
        facts.status = _int(item.status)
        facts.headers = _lower_headers(item.headers)
        facts.source = str(item.source or "")
        facts.url = str(item.url or "")
        facts.observed_at = item.observed_at if isinstance(item.observed_at, datetime) else now
        body = _clip(item.body or "")
        parsed = _json_in(body) if "{" in body else None
        if parsed is not None:
            _apply_body(facts, parsed)
        if item.error_type:
            facts.error_type = str(item.error_type)
        if item.message:
            facts.message = _clip(item.message)
        if not facts.message:
            facts.message = body.strip()[:300]
        facts.text = (facts.message + "\n" + body).lower()
    elif isinstance(item, TranscriptError):
        facts.source = str(item.source or "transcripts")
        facts.observed_at = item.observed_at if isinstance(item.observed_at, datetime) else now
        facts.project, facts.session = str(item.project or ""), str(item.session or "")
        _from_text(facts, item.text or "", item.error if isinstance(item.error, str) else None)
        facts.status = facts.status or _int(item.status)
    elif isinstance(item, TransportError):
        facts.source = str(item.source or "")
        facts.url = str(item.url or "")
        facts.observed_at = item.observed_at if isinstance(item.observed_at, datetime) else now
        facts.transport_kind = str(item.kind or "other")
        facts.message = _clip(item.detail or "")
        facts.text = facts.message.lower()
    elif isinstance(item, BaseException):
        facts.exception_name = type(item).__name__
        try:
            detail = str(item)
        except Exception:
            detail = ""
        facts.message = _clip(
            f"{facts.exception_name}: {detail}" if detail else facts.exception_name
        )
        facts.text = facts.message.lower()
        facts.transport_kind = transport_kind_of(item)
    elif isinstance(item, str):
        _from_text(facts, item)
    else:  # not an error at all: show it, but no words in it can pick a class
        facts.message = _clip(repr(item))[:300]
    if source:
        facts.source = source
    if facts.error_type:
        facts.text += "\n" + facts.error_type.lower()
    return facts


# ---------------------------------------------------------------------------------------------
# The rules


_PLAN_BANNER = re.compile(
    r"usage limit reached|hit your (?:[\w-]+ )?limit"
    r"|(?:5-hour|five-hour|session|weekly|opus|sonnet) limit(?: reached)?"
    r"|limit will reset|limit reached[^\n]*\bresets?\b"
    r"|reached your (?:usage|session) limit"
)
_PER_MINUTE = re.compile(r"per[- ]minute|rate limit of \d|(?:requests|tokens) per (?:min|minute)")
_CLAIM_WINDOWS = {"5h": "five_hour", "7d": "seven_day"}


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


_UNIFIED = "anthropic-ratelimit-unified-"


def rejected_windows(headers: Mapping[str, str]) -> list[str]:
    found: list[str] = []
    for key, value in headers.items():
        if key.startswith(_UNIFIED) and key.endswith("-status") and value.strip() == "rejected":
            short = key[len(_UNIFIED) : -len("-status")]
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


def decide(f: Facts) -> tuple[str, str | None]:
    """(class id, window id or None)."""
    t = f.text
    status = f.status
    etype = (f.error_type or "").lower()
    claim = window_from_claim(f.headers.get(_UNIFIED + "representative-claim"))
    unified_rejected = f.headers.get(_UNIFIED + "status", "").strip() == "rejected"

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
    for words, _kind in _NET_WORDS:
        if words in t:
            return "network_error", None
    return "unknown", None


def network_kind_from_text(text: str) -> str:
    for words, kind in _NET_WORDS:
        if words in text:
            return kind
    return "other"
