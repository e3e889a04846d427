"""The two Admin API reports: messages usage and cost, from steady per-hour token rates.

Buckets run from ``starting_at`` (floored to the bucket width) up to the scenario's now; the
current bucket is partial. Paging follows the real wrapper: ``data``, ``has_more``, ``next_page``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tui.simulator.spec import AdminSpec

WIDTHS = {"1d": timedelta(days=1), "1h": timedelta(hours=1), "1m": timedelta(minutes=1)}
DEFAULT_LIMIT = {"1d": 7, "1h": 24, "1m": 60}
MAX_LIMIT = {"1d": 31, "1h": 168, "1m": 1440}
# Dollars per million tokens: (input, output, cache read).
PRICES = {
    "opus": (15.0, 75.0, 1.5),
    "sonnet": (3.0, 15.0, 0.3),
    "haiku": (1.0, 5.0, 0.1),
}
_MODEL_NAMES = {"opus": "Claude Opus", "sonnet": "Claude Sonnet", "haiku": "Claude Haiku"}


class ReportError(ValueError):
    """A bad query: becomes a 400 invalid_request_error with this message."""


@dataclass(frozen=True)
class Query:
    starting_at: datetime
    ending_at: datetime | None
    width: str
    limit: int
    page: int
    group_by: tuple[str, ...]


def _parse_time(value: str, name: str) -> datetime:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ReportError(f"{name}: Input should be a valid datetime") from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def parse_query(params: Mapping[str, Sequence[str]], *, widths: Sequence[str]) -> Query:
    def one(name: str) -> str | None:
        values = params.get(name)
        return values[-1] if values else None

    start_raw = one("starting_at")
    if not start_raw:
        raise ReportError("starting_at: Field required")
    start = _parse_time(start_raw, "starting_at")
    end_raw = one("ending_at")
    end = _parse_time(end_raw, "ending_at") if end_raw else None
    width = one("bucket_width") or "1d"
    if width not in widths:
        raise ReportError(f"bucket_width: Input should be {' or '.join(repr(w) for w in widths)}")
    limit_raw = one("limit")
    limit = DEFAULT_LIMIT[width]
    if limit_raw is not None:
        try:
            limit = int(limit_raw)
        except ValueError as exc:
            raise ReportError("limit: Input should be a valid integer") from exc
        if not 1 <= limit <= MAX_LIMIT[width]:
            raise ReportError(f"limit: Input should be between 1 and {MAX_LIMIT[width]}")
    page = 0
    page_raw = one("page")
    if page_raw:
        try:
            page = int(page_raw.removeprefix("page_"))
        except ValueError as exc:
            raise ReportError("page: invalid page token") from exc
    group_by = tuple(params.get("group_by[]", ())) + tuple(params.get("group_by", ()))
    return Query(start, end, width, limit, page, group_by)


def _floor(when: datetime, width: str) -> datetime:
    if width == "1d":
        return when.replace(hour=0, minute=0, second=0, microsecond=0)
    if width == "1h":
        return when.replace(minute=0, second=0, microsecond=0)
    return when.replace(second=0, microsecond=0)


def _rfc(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _buckets(q: Query, now: datetime) -> tuple[list[tuple[datetime, datetime, float]], bool]:
    """(start, end, hours of traffic in it) for the requested page, and whether more follow."""
    step = WIDTHS[q.width]
    end = min(q.ending_at or now, now)
    cur = _floor(q.starting_at, q.width)
    all_buckets = []
    while cur < end:
        nxt = cur + step
        hours = max(0.0, (min(nxt, now) - cur).total_seconds() / 3600)
        all_buckets.append((cur, nxt, hours))
        cur = nxt
    first = q.page * q.limit
    page = all_buckets[first : first + q.limit]
    return page, first + q.limit < len(all_buckets)


def _family(model: str) -> str:
    for family in PRICES:
        if family in model:
            return family
    return "sonnet"


def _wrap(data: list[dict[str, object]], q: Query, more: bool) -> dict[str, object]:
    return {"data": data, "has_more": more, "next_page": f"page_{q.page + 1}" if more else None}


def usage_report(admin: AdminSpec, q: Query, now: datetime) -> dict[str, object]:
    """``GET /v1/organizations/usage_report/messages``."""
    buckets, more = _buckets(q, now)
    by_model = "model" in q.group_by
    share = 1.0 / len(admin.models)
    data: list[dict[str, object]] = []
    for start, end, hours in buckets:
        models: list[str | None] = list(admin.models) if by_model else [None]
        results = []
        for model in models:
            part = share if model is not None else 1.0
            results.append(
                {
                    "uncached_input_tokens": round(admin.input_tokens_per_hour * hours * part),
                    "cache_creation": {
                        "ephemeral_1h_input_tokens": 0,
                        "ephemeral_5m_input_tokens": round(
                            admin.input_tokens_per_hour * hours * part / 10
                        ),
                    },
                    "cache_read_input_tokens": round(
                        admin.cache_read_input_tokens_per_hour * hours * part
                    ),
                    "output_tokens": round(admin.output_tokens_per_hour * hours * part),
                    "server_tool_use": {"web_search_requests": 0},
                    "api_key_id": None,
                    "workspace_id": None,
                    "model": model,
                    "service_tier": None,
                    "context_window": None,
                }
            )
        data.append({"starting_at": _rfc(start), "ending_at": _rfc(end), "results": results})
    return _wrap(data, q, more)


def _cents(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text or "0"


def cost_report(admin: AdminSpec, q: Query, now: datetime) -> dict[str, object]:
    """``GET /v1/organizations/cost_report``: ``amount`` is a string in cents."""
    buckets, more = _buckets(q, now)
    by_description = "description" in q.group_by
    share = 1.0 / len(admin.models)
    data: list[dict[str, object]] = []
    for start, end, hours in buckets:
        rows: list[dict[str, object]] = []
        total = 0.0
        for model in admin.models:
            family = _family(model)
            p_in, p_out, p_cache = PRICES[family]
            parts = (
                ("uncached_input_tokens", "Input Tokens", admin.input_tokens_per_hour, p_in),
                ("output_tokens", "Output Tokens", admin.output_tokens_per_hour, p_out),
                (
                    "cache_read_input_tokens",
                    "Cache Read",
                    admin.cache_read_input_tokens_per_hour,
                    p_cache,
                ),
            )
            for token_type, label, per_hour, price in parts:
                cents = per_hour * hours * share / 1e6 * price * 100
                total += cents
                rows.append(
                    {
                        "currency": "USD",
                        "amount": _cents(cents),
                        "workspace_id": None,
                        "description": f"{_MODEL_NAMES[family]} Usage - {label}",
                        "cost_type": "tokens",
                        "context_window": "0-200k",
                        "model": model,
                        "service_tier": "standard",
                        "token_type": token_type,
                    }
                )
        if not by_description:
            rows = [
                {
                    "currency": "USD",
                    "amount": _cents(total),
                    "workspace_id": None,
                    "description": None,
                    "cost_type": None,
                    "context_window": None,
                    "model": None,
                    "service_tier": None,
                    "token_type": None,
                }
            ]
        data.append({"starting_at": _rfc(start), "ending_at": _rfc(end), "results": rows})
    return _wrap(data, q, more)
