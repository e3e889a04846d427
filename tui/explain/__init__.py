"""When Claude says no: what happened, in plain words, and what to do.

``classify`` takes an HTTP error response, a network exception, a Claude Code transcript error
row or a line of pasted text, plus what limitwatch knows about usage at that moment, and returns
a ``Classification``. It is pure and never raises. An error never moves a quota bar: the
context is only read, to say whether the plan still had headroom.

The package: ``facts`` (any input -> Facts), ``headers`` (the unified rate-limit headers),
``context`` (UsageContext, headroom, the user's word for extra usage), ``decide`` (Facts ->
class id, window, retry time), ``words`` and ``failures`` (one wording function per class).
It imports nothing from ``tui.core``, ``tui.ui`` or ``tui.cli``.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from tui.explain.context import (
    UsageContext,
    plan_has_headroom,
    vocabulary,
    when_text,
    with_headers,
)
from tui.explain.decide import decide, pick_window, retry_at
from tui.explain.facts import clean, facts_from, mask, signals_of, transport_kind_of
from tui.explain.given import TITLE_MAX, Given
from tui.explain.headers import header_overage, header_windows
from tui.explain.words import words_for
from tui.models import Classification, ErrorResponse, TranscriptError, TransportError
from tui.record import fields, replace
from tui.times import aware

__all__ = [
    "LIMIT_CLASSES",
    "UsageContext",
    "classify",
    "header_overage",
    "header_windows",
    "plan_has_headroom",
    "transport_kind_of",
]

LIMIT_CLASSES = frozenset(
    {
        "plan_limit_reached",
        "extra_usage_exhausted",
        "spend_limit_reached",
        "api_rate_limited",
        "credit_balance_low",
    }
)
MAX_MESSAGE = 1000


def classify(
    item: ErrorResponse | TransportError | TranscriptError | BaseException | str,
    *,
    context: UsageContext | None = None,
    now: datetime,
    source: str | None = None,
    tz: tzinfo | None = None,
) -> Classification:
    """What ``item`` means for the user, given what limitwatch knows. Never raises.

    Every time in the title and explanation is worded in ``tz`` (None: the system's zone).
    """
    try:
        now = aware(now) if isinstance(now, datetime) else datetime.now(UTC)
    except Exception:
        now = datetime.now(UTC)
    try:
        return _safe(_classify(item, context, now, source, tz))
    except Exception as exc:  # the classifier must never take the screen down
        return _safe(
            Classification(
                class_id="unknown",
                title="Unrecognised error",
                explanation=f"limitwatch could not read this error ({type(exc).__name__}).",
                actions=("Read the full message below",),
                message=_safe_str(item)[:500],
                source=source or "unknown",
                observed_at=now,
                plan_has_headroom=_safe_headroom(context),
            )
        )


def _safe_str(item: object) -> str:
    try:
        return str(item)
    except Exception:
        return type(item).__name__


def _safe_headroom(context: object) -> bool | None:
    try:
        return plan_has_headroom(context) if isinstance(context, UsageContext) else None
    except Exception:
        return None


def _safe(result: Classification) -> Classification:
    """Every outside text masked and free of control characters (the message keeps lines)."""
    changes: dict[str, object] = {}
    for spec in fields(result):
        value = getattr(result, spec.name)
        if isinstance(value, str):
            changes[spec.name] = clean(mask(value), lines=spec.name == "message")
        elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            changes[spec.name] = tuple(clean(mask(v)) for v in value)
    changes["title"] = str(changes["title"])[:TITLE_MAX]
    return replace(result, **changes)


def _default_source(item: object) -> str:
    if isinstance(item, str):
        return "pasted"
    if isinstance(item, BaseException):
        return "network"
    return "unknown"


def _local_zone(tz: tzinfo | None) -> tzinfo | None:
    """The zone a reset time without one (``resets 5am``) is read in: the user's."""
    return tz if tz is not None else datetime.now().astimezone().tzinfo


def _classify(
    item: object, context: UsageContext | None, now: datetime, source: str | None, tz: tzinfo | None
) -> Classification:
    if context is not None and not isinstance(context, UsageContext):
        context = None
    facts = facts_from(item, source, now)
    context = with_headers(context, facts)  # headers before words
    class_id, window_id = decide(facts, context)
    window_id = pick_window(class_id, window_id, context)
    when = retry_at(facts, class_id, window_id, context, _local_zone(tz))
    observed = aware(facts.observed_at) if facts.observed_at else now
    signals = signals_of(facts)
    given = Given(
        class_id=class_id,
        window_id=window_id,
        facts=facts,
        context=context,
        when=when_text(when, now, tz) if when is not None else None,
        vocab=vocabulary(context),
        signals=signals,
    )
    words = words_for(class_id)(given)
    message = facts.message.strip()
    if class_id == "unknown" and facts.raw.strip():
        message = facts.raw.strip()  # the whole of what was said: it is what a report needs
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    return Classification(
        class_id=class_id,
        title=words.title,
        explanation=" ".join(p for p in words.why if p),
        actions=tuple(a for a in words.actions if a),
        message=message,
        source=facts.source or _default_source(item),
        observed_at=observed,
        status=facts.status,
        error_type=facts.error_type,
        is_limit=class_id in LIMIT_CLASSES,
        window_id=window_id,
        retry_at=when,
        plan_has_headroom=plan_has_headroom(context),
        project=facts.project,
        session=facts.session,
        signals=signals,
    )
