"""The last classified error, kept on disk so ``status`` and ``statusline`` can show it.

Written by the monitor whenever the last error changes. Holds no secret: only the class,
the wording and times, which come from the server's message and our own text; every string is
masked by value when written (``state_file``) and again when read (a file from an older
version).
"""

from __future__ import annotations

import contextlib
import json
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
