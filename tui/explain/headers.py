"""The unified rate-limit headers of an answer: plan windows and the overage (extra usage).

What the error's own answer says about the plan windows and extra usage comes before its words:
``header_windows`` reads each window's utilisation (a FRACTION in the header), status and reset;
``header_overage`` reads ``-overage-status``, ``-overage-disabled-reason``, ``-overage-utilization``
and ``-overage-reset``. Pure; tolerant of any value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from tui.models import Overage, Window, family_window_id
from tui.times import parse_reset_header

UNIFIED = "anthropic-ratelimit-unified-"

_UNIFIED_FIELD = re.compile(
    r"^anthropic-ratelimit-unified-(?P<family>[a-z0-9_]+(?:-[a-z0-9_]+)*?)-"
    r"(?P<field>utilization|reset|status|surpassed-threshold|disabled-reason)$"
)


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def _families(headers: Mapping[str, str]) -> dict[str, dict[str, str]]:
    families: dict[str, dict[str, str]] = {}
    for name, value in headers.items():
        match = _UNIFIED_FIELD.match(name)
        if match is not None:
            families.setdefault(match.group("family"), {})[match.group("field")] = value.strip()
    return families


def _claimed(headers: Mapping[str, str]) -> str | None:
    """The plan family a rejected answer names as its representative claim."""
    if headers.get(UNIFIED + "status", "").strip().lower() != "rejected":
        return None
    claim = headers.get(UNIFIED + "representative-claim", "").strip().lower()
    if not claim or claim.startswith(("overage", "fallback")):
        return None
    return {"five_hour": "5h", "seven_day": "7d"}.get(claim, claim.replace("seven_day", "7d"))


def header_windows(headers: Mapping[str, str], observed_at: datetime) -> tuple[Window, ...]:
    """Plan windows that carry a utilisation or a status in the unified headers (the window a
    rejected answer names as its representative claim is rejected)."""
    windows: list[Window] = []
    families = _families(headers)
    claimed = _claimed(headers)
    if claimed is not None:
        families.setdefault(claimed, {})["status"] = "rejected"
    for family, fields in families.items():
        if family in ("overage", "fallback") or family.startswith("overage"):
            continue
        fraction = _number(fields.get("utilization"))
        status = fields.get("status") or None
        if fraction is None and status is None:
            continue
        windows.append(
            Window(
                id=family_window_id(family),
                used_percent=fraction * 100.0 if fraction is not None else None,
                resets_at=parse_reset_header(fields.get("reset")),
                source="headers",
                observed_at=observed_at,
                server_status=status,
            )
        )
    return tuple(windows)


def header_overage(
    headers: Mapping[str, str], observed_at: datetime, source: str = "headers"
) -> Overage | None:
    """The overage (extra usage, usage credits) status, reason and utilisation, if any."""
    fields = _families(headers).get("overage", {})
    status = fields.get("status") or None
    reason = fields.get("disabled-reason") or None
    fraction = _number(fields.get("utilization"))
    if status is None and reason is None and fraction is None:
        return None
    return Overage(
        status=status,
        disabled_reason=reason,
        used_percent=fraction * 100.0 if fraction is not None else None,
        resets_at=parse_reset_header(fields.get("reset")),
        observed_at=observed_at,
        source=source,
    )
