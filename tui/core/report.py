"""``status --json`` schema 1: a Snapshot as the object other tools rely on.

Keys are a contract (README.md, "status --json"): extend, never rename. No secret ever reaches
this object: it is built only from models, and every string in it is masked by value
(``tui.secrets``) in case a server echoed a credential into a message.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from tui.core import levels
from tui.models import AccountSnapshot, Classification, Estimate, ExtraUsage, Level, Snapshot
from tui.secrets import mask_data

SCHEMA = 1


def rfc3339(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _extra(extra: ExtraUsage | None) -> dict[str, Any] | None:
    if extra is None:
        return None
    return {
        "enabled": extra.enabled,
        "used": extra.used,
        "limit": extra.limit,
        "currency": extra.currency,
        "used_percent": extra.used_percent,
        "disabled_reason": extra.disabled_reason,
        "observed_at": rfc3339(extra.observed_at),
    }


def _estimate(estimate: Estimate | None) -> dict[str, Any] | None:
    if estimate is None:
        return None
    return {
        "used_percent": round(estimate.used_percent, 1),
        "error_percent": round(estimate.error_percent, 1),
        "as_of": rfc3339(estimate.as_of),
    }


def error_to_json(error: Classification | None) -> dict[str, Any] | None:
    if error is None:
        return None
    return {
        "class": error.class_id,
        "status": error.status,
        "type": error.error_type,
        "message": error.message,
        "title": error.title,
        "explanation": error.explanation,
        "actions": list(error.actions),
        "source": error.source,
        "observed_at": rfc3339(error.observed_at),
        "plan_has_headroom": error.plan_has_headroom,
        "is_limit": error.is_limit,
        "window": error.window_id,
        "retry_at": rfc3339(error.retry_at),
        "signals": list(error.signals),
    }


def snapshot_to_json(snapshot: Snapshot) -> dict[str, Any]:
    """The schema-1 object: the first account's values at the top (as ever), and ``accounts``
    with every account (always present; one element for one account); every string masked."""
    return cast("dict[str, Any]", mask_data(_snapshot_json(snapshot)))


def _snapshot_json(snapshot: Snapshot) -> dict[str, Any]:
    accounts = snapshot.accounts or (AccountSnapshot("default", "", snapshot),)
    return {
        "schema": SCHEMA,
        "generated_at": rfc3339(snapshot.generated_at),
        **_account_body(snapshot),
        "accounts": [
            {"name": item.name, "config_dir": item.config_dir, **_account_body(item.snapshot)}
            for item in accounts
        ],
    }


def _account_body(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "account": {"plan": snapshot.account.plan, "tier": snapshot.account.tier},
        "windows": [
            {
                "id": view.window.id,
                "label": view.window.label,
                "used_percent": view.window.used_percent,
                "resets_at": rfc3339(view.window.resets_at),
                "level": view.level,
                "source": view.window.source,
                "observed_at": rfc3339(view.window.observed_at),
                "stale": view.stale,
                "projected_full_at": rfc3339(view.projected_full_at),
                "not_started": view.window.not_started,
                "pace": view.pace_text,
                "pace_warns": view.pace_message is not None,
                "estimate": _estimate(view.estimate),
            }
            for view in snapshot.windows
        ],
        "extra_usage": _extra(snapshot.extra_usage),
        "rate_limits": [
            {
                "id": limit.id,
                "limit": limit.limit,
                "remaining": limit.remaining,
                "resets_at": rfc3339(limit.resets_at),
            }
            for limit in snapshot.rate_limits
        ],
        "last_error": error_to_json(snapshot.last_error),
        "alerts": [
            {
                "window": alert.window,
                "level": alert.level,
                "reason": alert.reason,
                "message": alert.message,
            }
            for alert in snapshot.alerts
        ],
        "sources": [
            {
                "id": state.id,
                "state": state.state,
                "last_success_at": rfc3339(state.last_success_at),
                "next_attempt_at": rfc3339(state.next_attempt_at),
                "detail": state.detail,
            }
            for state in snapshot.sources
        ],
    }


def exit_code(snapshot: Snapshot) -> int:
    """0 ok, 10 warning, 11 critical or exhausted, 20 no data: the worst level of the plan
    windows and the per-minute limits, as the bars show them, across every account."""
    found: list[Level] = []
    for item in snapshot.accounts or (AccountSnapshot("default", "", snapshot),):
        found.extend(view.level for view in item.snapshot.windows)
        found.extend(level for _id, level in item.snapshot.rate_limit_levels)
    return levels.exit_code(found)
