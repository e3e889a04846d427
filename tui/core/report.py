"""``status --json`` schema 1: a Snapshot as the object other tools rely on.

Keys are a contract (see design.md): extend, never rename. No secret ever reaches this object:
it is built only from models, and every string in it is masked by value (``tui.secrets``) in
case a server echoed a credential into a message.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from tui.models import LEVEL_ORDER, Classification, ExtraUsage, Snapshot
from tui.secrets import mask_data

SCHEMA = 1

EXIT_OK = 0
EXIT_WARNING = 10
EXIT_CRITICAL = 11
EXIT_NO_DATA = 20


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
    }


def snapshot_to_json(snapshot: Snapshot) -> dict[str, Any]:
    return cast("dict[str, Any]", mask_data(_snapshot_json(snapshot)))


def _snapshot_json(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "generated_at": rfc3339(snapshot.generated_at),
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
                "pace": view.pace_message,
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
    """0 ok, 10 warning, 11 critical or exhausted, 20 no data."""
    levels = [view.level for view in snapshot.windows if view.level != "unknown"]
    for limit in snapshot.rate_limits:
        levels.append("exhausted" if limit.remaining <= 0 else "ok")
    if not levels:
        return EXIT_NO_DATA
    worst = max(levels, key=lambda level: LEVEL_ORDER[level])
    if worst in ("critical", "exhausted"):
        return EXIT_CRITICAL
    if worst == "warning":
        return EXIT_WARNING
    return EXIT_OK
