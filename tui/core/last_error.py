"""The last classified error, kept on disk so ``status`` and ``statusline`` can show it; and
the estimate's running error per window, so ``doctor`` can.

Written by the monitor whenever the last error changes. Holds no secret: only the class,
the wording and times, which come from the server's message and our own text; every string is
masked by value when written (``state_file``) and again when read (a file from an older
version).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from tui import paths
from tui.models import Classification
from tui.secrets import mask
from tui.state_file import write_json
from tui.times import parse_rfc3339


def write_last_error(error: Classification, path: Path | None = None) -> None:
    target = path or paths.last_error_file()
    payload = {
        "class": error.class_id,
        "title": error.title,
        "explanation": error.explanation,
        "actions": list(error.actions),
        "message": error.message[:2000],
        "source": error.source,
        "observed_at": error.observed_at.isoformat(),
        "status": error.status,
        "type": error.error_type,
        "is_limit": error.is_limit,
        "window": error.window_id,
        "retry_at": error.retry_at.isoformat() if error.retry_at else None,
        "plan_has_headroom": error.plan_has_headroom,
    }
    with contextlib.suppress(OSError):  # losing it loses nothing the screen does not show
        write_json(target, payload, prefix=".last-error-")


def read_last_error(path: Path | None = None) -> Classification | None:
    target = path or paths.last_error_file()
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    observed = parse_rfc3339(data.get("observed_at"))
    class_id = data.get("class")
    if observed is None or not isinstance(class_id, str):
        return None
    actions = data.get("actions")
    status = data.get("status")
    headroom = data.get("plan_has_headroom")
    return Classification(
        class_id=class_id,
        title=mask(str(data.get("title") or class_id)),
        explanation=mask(str(data.get("explanation") or "")),
        actions=tuple(mask(str(a)) for a in actions) if isinstance(actions, list) else (),
        message=mask(str(data.get("message") or "")),
        source=str(data.get("source") or ""),
        observed_at=observed,
        status=status if isinstance(status, int) and not isinstance(status, bool) else None,
        error_type=data.get("type") if isinstance(data.get("type"), str) else None,
        is_limit=bool(data.get("is_limit")),
        window_id=data.get("window") if isinstance(data.get("window"), str) else None,
        retry_at=parse_rfc3339(data.get("retry_at")),
        plan_has_headroom=headroom if isinstance(headroom, bool) else None,
    )


def write_estimate_errors(
    errors: Mapping[str, float], at: datetime, path: Path | None = None
) -> None:
    """The estimate's running error (points) per window, as last measured; ``at`` is when they
    last changed (the same errors found again by a later process leave the file alone)."""
    target = path or paths.estimate_file()
    windows = {k: round(v, 2) for k, v in errors.items()}
    known = read_estimate_errors(target)
    if known is not None and known[1] == windows:
        return
    payload = {"at": at.isoformat(), "windows": windows}
    with contextlib.suppress(OSError):
        write_json(target, payload, prefix=".estimate-")


def read_estimate_errors(path: Path | None = None) -> tuple[datetime, dict[str, float]] | None:
    try:
        data = json.loads((path or paths.estimate_file()).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("windows"), dict):
        return None
    at = parse_rfc3339(data.get("at"))
    if at is None:
        return None
    windows = {
        str(k): float(v)
        for k, v in data["windows"].items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }
    return at, windows
