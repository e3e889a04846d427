"""Routing, auth checks and the answer of each endpoint, before any fault is applied.

The credentials the simulator accepts are public constants: they are fakes, made to be
printed and pasted. Any other credential gets the real service's 401 body.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import parse_qs

from tui.simulator import reports, responses
from tui.simulator.errors import ERRORS, per_minute_error
from tui.simulator.responses import Reply
from tui.simulator.scenario import Behavior, ErrorSpec, Scenario, View

SIM_OAUTH_TOKEN = "sk-ant-oat01-simulator-oauth-token-0000000000000000000000000000"
# A second sign-in (another account): answered from the simulator's second scenario.
SIM_OAUTH_TOKEN_2 = "sk-ant-oat01-simulator-second-account-00000000000000000000000000"
SIM_API_KEY = "sk-ant-api03-simulator-api-key-000000000000000000000000000000000"
SIM_ADMIN_KEY = "sk-ant-admin01-simulator-admin-key-00000000000000000000000000000"
OAUTH_BETA = "oauth-2025-04-20"
MAX_BODY = 32 * 1024 * 1024

AuthKind = Literal["bearer", "x-api-key", "none"]

_ROUTES: dict[str, tuple[str, str]] = {
    "/api/oauth/usage": ("GET", "usage"),
    "/api/oauth/profile": ("GET", "profile"),
    "/v1/messages": ("POST", "messages"),
    "/v1/messages/count_tokens": ("POST", "count_tokens"),
    "/v1/models": ("GET", "models"),
    "/v1/organizations/usage_report/messages": ("GET", "admin_usage"),
    "/v1/organizations/cost_report": ("GET", "admin_cost"),
}
_OAUTH = frozenset({"usage", "profile"})
_INFERENCE = frozenset({"messages", "models", "count_tokens"})
_ADMIN = frozenset({"admin_usage", "admin_cost"})
_METHOD_NOT_ALLOWED = ErrorSpec(405, "invalid_request_error", "Method Not Allowed", name="method")


def route(method: str, path: str) -> tuple[str | None, bool]:
    """(endpoint name or None, whether the method fits)."""
    path = path.rstrip("/") or "/"
    if path in _ROUTES:
        want, name = _ROUTES[path]
        return name, method == want
    if path.startswith("/v1/models/"):
        return "models", method == "GET"
    return None, False


def seen_auth(headers: Mapping[str, str]) -> tuple[AuthKind, str | None]:
    """Which kind of credential the request carries, and the credential (never stored)."""
    key = headers.get("x-api-key")
    if key is not None:
        return "x-api-key", key.strip()
    authz = headers.get("authorization", "")
    if authz[:7].lower() == "bearer ":
        return "bearer", authz[7:].strip()
    return "none", None


def _betas(headers: Mapping[str, str]) -> list[str]:
    return [b.strip() for b in headers.get("anthropic-beta", "").split(",") if b.strip()]


def check_auth(
    endpoint: str, auth: AuthKind, credential: str | None, headers: Mapping[str, str], token: str
) -> ErrorSpec | None:
    """None when the credential is accepted; else the real service's error."""
    beta_ok = OAUTH_BETA in _betas(headers)
    if auth == "bearer" and endpoint not in _ADMIN:
        if credential not in (SIM_OAUTH_TOKEN, SIM_OAUTH_TOKEN_2):
            return ERRORS["invalid_bearer"]
        if endpoint != "profile" and not beta_ok:
            return ERRORS["oauth_not_supported"]
        if token == "expired":
            return ERRORS["token_expired"]
        if token == "revoked":
            return ERRORS["token_revoked"]
        return None
    if endpoint in _OAUTH:
        return ERRORS["missing_bearer"]
    if auth == "bearer":
        return ERRORS["oauth_not_supported"]
    if auth == "none":
        return ERRORS["missing_api_key"]
    wanted = SIM_ADMIN_KEY if endpoint in _ADMIN else SIM_API_KEY
    return None if credential == wanted else ERRORS["invalid_api_key"]


@dataclass(frozen=True)
class Incoming:
    method: str
    path: str
    query: str
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    auth: AuthKind
    credential: str | None


@dataclass(frozen=True)
class Context:
    scenario: Scenario
    view: View
    start: datetime  # scenario start (offset 0)
    now: datetime
    new_id: Callable[[str], str]


def _retry_headers(beh: Behavior | None, now: datetime) -> list[tuple[str, str]]:
    if beh is None:
        return []
    if beh.retry_after is not None:
        return [("retry-after", beh.retry_after)]
    if beh.retry_after_date is not None:
        return [("retry-after", responses.http_date(now + timedelta(seconds=beh.retry_after_date)))]
    return []


def answer(
    endpoint: str | None, method_ok: bool, req: Incoming, ctx: Context, beh: Behavior | None
) -> tuple[Reply, bool]:
    """The reply and whether the credential was accepted. ``beh``: a behaviour that applies now."""
    rid = ctx.new_id("req")
    if endpoint is None:
        return _with_id(responses.error_reply(ERRORS["not_found"], rid), rid), False
    if not method_ok:
        return _with_id(responses.error_reply(_METHOD_NOT_ALLOWED, rid), rid), False
    state = ctx.view.state
    denied = check_auth(endpoint, req.auth, req.credential, req.headers, state.token)
    if denied is not None:
        return _with_id(responses.error_reply(denied, rid), rid), False
    if endpoint not in _OAUTH and not req.headers.get("anthropic-version"):
        return _with_id(responses.error_reply(ERRORS["missing_version"], rid), rid), True

    rate: list[tuple[str, str]] = []
    decision_unified = decision_key = None
    if endpoint == "messages":
        if req.auth == "bearer":
            decision_unified = responses.unified_headers(state, ctx.start, ctx.now)
            rate = decision_unified.headers
        else:
            decision_key = responses.api_key_headers(state, ctx.start, ctx.now)
            rate = decision_key.headers

    if beh is not None and beh.error is not None:
        reply = responses.error_reply(beh.error, rid)
        reply.headers += rate + _retry_headers(beh, ctx.now)
        return _with_id(reply, rid), True

    if endpoint == "messages":
        if decision_unified is not None and decision_unified.status == "rejected":
            reply = responses.error_reply(ERRORS["plan_limit_reached"], rid)
            reply.headers += rate
            reset = _unified_reset(rate)
            if reset is not None:
                wait = max(1, math.ceil(reset - ctx.now.timestamp()))
                reply.headers.append(("retry-after", str(wait)))
            return _with_id(reply, rid), True
        if decision_key is not None and decision_key.exhausted is not None:
            bucket = state.bucket(decision_key.exhausted)
            reply = responses.error_reply(
                per_minute_error(decision_key.exhausted, bucket.limit), rid
            )
            reply.headers += [*rate, ("retry-after", str(decision_key.retry_after or 1))]
            return _with_id(reply, rid), True
        reply = _messages(req, ctx, rid)
        reply.headers += rate
        return _with_id(reply, rid), True
    handlers: dict[str, Callable[[Incoming, Context, str], Reply]] = {
        "usage": lambda r, c, i: responses.json_reply(
            200, responses.usage_body(c.view.state, c.start)
        ),
        "profile": lambda r, c, i: responses.json_reply(
            200, responses.profile_body(c.scenario.account)
        ),
        "models": _models,
        "count_tokens": _count_tokens,
        "admin_usage": _admin,
        "admin_cost": _admin,
    }
    return _with_id(handlers[endpoint](req, ctx, rid), rid), True


def _with_id(reply: Reply, rid: str) -> Reply:
    reply.headers.insert(0, ("request-id", rid))
    return reply


def _unified_reset(headers: list[tuple[str, str]]) -> int | None:
    for name, value in headers:
        if name == "anthropic-ratelimit-unified-reset":
            return int(value)
    return None


def _bad(message: str, rid: str) -> Reply:
    return responses.error_reply(ErrorSpec(400, "invalid_request_error", message), rid)


def _json_body(req: Incoming) -> dict[str, object] | None:
    try:
        data = json.loads(req.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


_PARSE_ERROR = (
    "There was an error parsing the body of your request. Please ensure it is valid JSON."
)


def _validate(data: dict[str, object], rid: str, *, need_max_tokens: bool) -> Reply | str:
    """The resolved model id, or the error reply."""
    for name in ("model", "messages") + (("max_tokens",) if need_max_tokens else ()):
        if name not in data:
            return _bad(f"{name}: Field required", rid)
    model = data["model"]
    if not isinstance(model, str):
        return _bad("model: Input should be a valid string", rid)
    messages = data["messages"]
    if not isinstance(messages, list) or not messages:
        return _bad("messages: at least one message is required", rid)
    if need_max_tokens:
        max_tokens = data["max_tokens"]
        if isinstance(max_tokens, bool) or not isinstance(max_tokens, int):
            return _bad("max_tokens: Input should be a valid integer", rid)
        if max_tokens < 1:
            return _bad("max_tokens: Input should be greater than or equal to 1", rid)
    model_id = responses.resolve_model(model)
    if model_id is None:
        return responses.error_reply(ErrorSpec(404, "not_found_error", f"model: {model}"), rid)
    return model_id


def _messages(req: Incoming, ctx: Context, rid: str) -> Reply:
    data = _json_body(req)
    if data is None:
        return _bad(_PARSE_ERROR, rid)
    checked = _validate(data, rid, need_max_tokens=True)
    if isinstance(checked, Reply):
        return checked
    max_tokens = data["max_tokens"]
    assert isinstance(max_tokens, int)
    tokens = responses.estimate_tokens(data.get("messages"), data.get("system"))
    body = responses.message_body(ctx.new_id("msg"), checked, max_tokens, tokens)
    return responses.json_reply(200, body)


def _count_tokens(req: Incoming, ctx: Context, rid: str) -> Reply:
    data = _json_body(req)
    if data is None:
        return _bad(_PARSE_ERROR, rid)
    checked = _validate(data, rid, need_max_tokens=False)
    if isinstance(checked, Reply):
        return checked
    tokens = responses.estimate_tokens(data.get("messages"), data.get("system"))
    return responses.json_reply(200, {"input_tokens": tokens})


def _models(req: Incoming, ctx: Context, rid: str) -> Reply:
    path = req.path.rstrip("/")
    if path == "/v1/models":
        return responses.json_reply(200, responses.models_body())
    model_id = path.rsplit("/", 1)[-1]
    body = responses.model_body(model_id)
    if body is None:
        return responses.error_reply(ErrorSpec(404, "not_found_error", f"model: {model_id}"), rid)
    return responses.json_reply(200, body)


def _admin(req: Incoming, ctx: Context, rid: str) -> Reply:
    params = parse_qs(req.query, keep_blank_values=True)
    cost = req.path.rstrip("/").endswith("cost_report")
    try:
        query = reports.parse_query(params, widths=("1d",) if cost else ("1d", "1h", "1m"))
    except reports.ReportError as exc:
        return _bad(str(exc), rid)
    admin = ctx.scenario.admin
    if cost:
        return responses.json_reply(200, reports.cost_report(admin, query, ctx.now))
    return responses.json_reply(200, reports.usage_report(admin, query, ctx.now))
