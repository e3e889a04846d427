"""The facts an error carries: status, type, message, headers, where it came from.

``facts_from`` turns any input of ``classify`` (an HTTP error answer, a network failure, a Claude
Code transcript row, pasted text, an exception) into one ``Facts`` record; ``signals_of`` says
in words what was read. Outside text is data: ``clean`` strips control characters and ``mask``
hides secrets.
Pure; nothing here does I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tui.models import ErrorResponse, TranscriptError, TransportError
from tui.patterns import lazy
from tui.record import field, record

MAX_TEXT = 20_000  # characters of any input we look at; the rest cannot change the class


@record(frozen=False)
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
    raw: str = ""  # the whole input as text (an unknown error is shown whole)

    @property
    def usage_endpoint(self) -> bool:
        return self.source == "oauth_usage" or "/api/oauth/usage" in self.url


# -- outside text is data ---------------------------------------------------------------------

_SECRET = lazy(r"sk-ant-[A-Za-z0-9_\-]{4,}")
# C0 controls but tab and newline, DEL, C1 controls (ESC, CSI, OSC ... start escape sequences).
_CONTROL = lazy(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def mask(text: str) -> str:
    """Secrets shown by their last four characters only: ``sk-ant-...abcd``."""
    if "sk-ant-" not in text:
        return text
    return _SECRET.sub(lambda m: "sk-ant-..." + m.group(0)[-4:], text)


def clean(text: str, *, lines: bool = False) -> str:
    """``text`` with no control characters (newline and tab kept only when ``lines``)."""
    if not text.isprintable():  # only then can it hold a control character
        text = _CONTROL.sub("", text)
    if not lines:
        text = text.replace("\n", " ").replace("\t", " ")
    return text


# -- reading bodies and text ------------------------------------------------------------------

_API_ERROR = lazy(r"API Error:?\s*(?:\(?\s*)?(\d{3})\b\s*(.*)", re.IGNORECASE | re.DOTALL)
_REJECTED_STATUS = lazy(r"API Error:?\s*Request rejected\s*\((\d{3})\)", re.IGNORECASE)


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
    else:
        rejected = _REJECTED_STATUS.search(text)
        if rejected:
            facts.status = _int(rejected.group(1))
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


# -- network failures -------------------------------------------------------------------------

_DNS = (
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "getaddrinfo",
    "no address associated",
    "enotfound",
    "name resolution",
)


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


NET_WORDS = (
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


def network_kind_from_text(text: str) -> str:
    for words, kind in NET_WORDS:
        if words in text:
            return kind
    return "other"


# -- any input -> Facts -----------------------------------------------------------------------


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
    if isinstance(item, ErrorResponse):
        facts.raw = _clip(item.body or "")
    elif isinstance(item, TranscriptError):
        facts.raw = _clip(item.text or "")
    elif isinstance(item, str):
        facts.raw = _clip(item)
    else:
        facts.raw = facts.message
    if source:
        facts.source = source
    if facts.error_type:
        facts.text += "\n" + facts.error_type.lower()
    return facts


# -- what was read, for a report --------------------------------------------------------------

_SIGNAL_HEADERS = ("retry-after", "request-id", "x-should-retry")


def signals_of(facts: Facts) -> tuple[str, ...]:
    """The facts the classifier read, in words, for the user and for a report."""
    found: list[str] = []
    if facts.status is not None:
        found.append(f"HTTP status {facts.status}")
    if facts.error_type:
        found.append(f"error type {facts.error_type}")
    if facts.error_code:
        found.append(f"error code {facts.error_code}")
    if facts.transcript_kind:
        found.append(f"Claude Code error kind {facts.transcript_kind}")
    if facts.transport_kind:
        found.append(f"network failure kind {facts.transport_kind}")
    if facts.exception_name:
        found.append(f"exception {facts.exception_name}")
    for name in sorted(facts.headers):
        if name.startswith("anthropic-ratelimit-") or name in _SIGNAL_HEADERS:
            found.append(f"header {name}: {facts.headers[name]}")
    if facts.source:
        found.append(f"source {facts.source}")
    return tuple(clean(mask(s))[:200] for s in found[:40])
