"""The unified rate-limit headers of an answer: plan windows and the overage (extra usage).

What the error's own answer says about the plan windows and extra usage comes before its words:
``header_windows`` reads each window's utilisation (a FRACTION in the header), status and reset;
``header_overage`` reads ``-overage-status``, ``-overage-disabled-reason``, ``-overage-utilization``
and ``-overage-reset``. The headers are read as the probe reads them (``tui/ratelimit_headers.py``).
Pure; tolerant of any value.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from tui.models import Overage, Window, family_window_id
from tui.ratelimit_headers import UNIFIED, header_number, overage, unified_fields
from tui.times import parse_reset_header


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
    families = unified_fields(headers)
    claimed = _claimed(headers)
    if claimed is not None:
        families.setdefault(claimed, {})["status"] = "rejected"
    for family, fields in families.items():
        if family in ("overage", "fallback") or family.startswith("overage"):
            continue
        fraction = header_number(fields.get("utilization"))
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
    return overage(headers, observed_at, source)
