"""The unified rate-limit headers (``anthropic-ratelimit-unified-*``), read one way for every
reader: the probe's answers (``sources/probe.py``) and an error's own answer (``explain``).

``unified_fields`` groups them by family (``5h``, ``7d``, ``overage``, ...): each family's
utilisation (a FRACTION), reset, status, surpassed threshold and disabled reason.
``overage`` reads the overage (extra usage, "usage credits") family. Pure; tolerant of any value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from tui.models import Overage
from tui.patterns import lazy
from tui.times import parse_reset_header

UNIFIED = "anthropic-ratelimit-unified-"

_UNIFIED_FIELD = lazy(
    r"^anthropic-ratelimit-unified-(?P<family>[a-z0-9_]+(?:-[a-z0-9_]+)*?)-"
    r"(?P<field>utilization|reset|status|surpassed-threshold|disabled-reason)$"
)


def header_number(value: str | None) -> float | None:
    """A finite number from a header value; None for anything else."""
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def unified_fields(headers: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """family -> field -> value (stripped), from header names in any case."""
    families: dict[str, dict[str, str]] = {}
    for name, value in headers.items():
        match = _UNIFIED_FIELD.match(str(name).lower())
        if match is not None:
            fields = families.setdefault(match.group("family"), {})
            fields[match.group("field")] = str(value).strip()
    return families


def _identifier(value: str | None) -> str | None:
    """A header value that names something (``out_of_credits``): letters, digits, ``_``, ``-``."""
    if value is None:
        return None
    return re.sub(r"[^a-z0-9_\-]", "", value.lower())[:80] or None


def overage(headers: Mapping[str, str], observed_at: datetime, source: str) -> Overage | None:
    """The overage (extra usage, "usage credits") status, disabled reason, utilisation and reset;
    None when the answer carries none of them."""
    fields = unified_fields(headers).get("overage", {})
    status = _identifier(fields.get("status"))
    reason = _identifier(fields.get("disabled-reason"))
    fraction = header_number(fields.get("utilization"))
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
