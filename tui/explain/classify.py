"""When Claude says no: what happened, in plain words, and what to do.

``classify`` takes an HTTP error response, a network exception, a Claude Code transcript error
row or a line of pasted text, plus what limitwatch knows about usage at that moment, and returns
a ``Classification``. It is pure and never raises. An error never moves a quota bar: the
context is only read, to say whether the plan still had headroom.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from tui.explain.rules import (
    Facts,
    claim_header_prefix,
    decide,
    facts_from,
    network_kind_from_text,
)
from tui.models import (
    Classification,
    ErrorResponse,
    ExtraUsage,
    TranscriptError,
    TransportError,
    Window,
)
from tui.times import (
    aware,
    parse_reset_header,
    parse_reset_text,
    parse_retry_after,
)

__all__ = ["LIMIT_CLASSES", "UsageContext", "classify", "plan_has_headroom"]

LIMIT_CLASSES = frozenset(
    {
        "plan_limit_reached",
        "extra_usage_exhausted",
        "spend_limit_reached",
        "api_rate_limited",
        "credit_balance_low",
    }
)

USAGE_PAGE = "claude.ai/settings/usage"
_UNIFIED = "anthropic-ratelimit-unified-"


@dataclass(frozen=True)
class UsageContext:
    """What limitwatch knows about usage when the error arrives (read, never changed)."""

    windows: tuple[Window, ...] = ()
    extra_usage: ExtraUsage | None = None
    plan: str | None = None


# ---------------------------------------------------------------------------------------------
# Numbers from the context


def _plan_windows(context: UsageContext | None) -> list[Window]:
    if context is None:
        return []
    found: list[Window] = []
    for window in context.windows:
        wid = getattr(window, "id", "")
        if not isinstance(wid, str) or not (wid == "five_hour" or wid.startswith("seven_day")):
            continue
        if _used(window) is None:
            continue
        found.append(window)
    return found


def _used(window: Window) -> float | None:
    value = window.used_percent
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    if window.server_status == "rejected":
        return max(float(value), 100.0)
    return float(value)


def plan_has_headroom(context: UsageContext | None) -> bool | None:
    """True when every known plan window is below 100 %, None when none is known."""
    windows = _plan_windows(context)
    if not windows:
        return None
    return all((_used(w) or 0.0) < 100.0 for w in windows)


def _pct(value: float) -> str:
    if abs(value - round(value)) < 0.05:
        return f"{round(value):.0f}%"
    return f"{value:.1f}%"


def _label(window: Window) -> str:
    label = window.label or window.id
    return label[:1].lower() + label[1:] if label[:1].isupper() and label[1:2].islower() else label


def _usage_list(windows: list[Window]) -> str:
    return ", ".join(f"{_label(w)} {_pct(_used(w) or 0.0)} used" for w in windows)


def _headroom_sentence(context: UsageContext | None) -> str:
    windows = _plan_windows(context)
    if not windows:
        return ""
    if all((_used(w) or 0.0) < 100.0 for w in windows):
        return f"Your plan still has headroom: {_usage_list(windows)}."
    return f"Your plan limit is used up: {_usage_list(windows)}."


_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def _money(amount: float, currency: str) -> str:
    code = (currency or "USD").upper()
    symbol = _SYMBOLS.get(code)
    return f"{symbol}{amount:,.2f}" if symbol else f"{amount:,.2f} {code}"


def _extra_spent(extra: ExtraUsage | None) -> bool:
    if extra is None or not extra.enabled:
        return False
    if extra.disabled_reason == "out_of_credits":
        return True
    if extra.used_percent is not None and extra.used_percent >= 100:
        return True
    return extra.limit is not None and extra.used is not None and extra.used >= extra.limit > 0


def _extra_sentence(extra: ExtraUsage | None) -> str:
    if extra is None:
        return ""
    if not extra.enabled:
        return "Extra usage is off."
    currency = extra.currency or "USD"
    if extra.limit is None:
        spent = f" ({_money(extra.used, currency)} spent)" if extra.used is not None else ""
        return f"Extra usage is on with no monthly cap{spent}."
    if extra.used is not None:
        return (
            f"Extra usage: {_money(extra.used, currency)} of {_money(extra.limit, currency)} spent."
        )
    return f"Extra usage is on, capped at {_money(extra.limit, currency)} a month."


# ---------------------------------------------------------------------------------------------
# Times


def _fmt_when(when: datetime, now: datetime, tz: tzinfo | None) -> str:
    zone = tz or UTC
    local = when.astimezone(zone)
    today = now.astimezone(zone).date()
    clock = local.strftime("%H:%M")
    if local.date() != today:
        clock = local.strftime("%a %d %b %H:%M")
    if tz is None:
        clock += " UTC"
    seconds = (when - now).total_seconds()
    if seconds <= 0:
        return clock
    minutes = int(seconds // 60)
    if minutes < 1:
        return f"{clock} (in under a minute)"
    if minutes < 60:
        return f"{clock} (in {minutes} min)"
    hours, mins = divmod(minutes, 60)
    if hours < 48:
        return f"{clock} (in {hours} h {mins} min)" if mins else f"{clock} (in {hours} h)"
    return f"{clock} (in {hours // 24} days)"


def _header_time(headers: dict[str, str], name: str) -> datetime | None:
    value = headers.get(name)
    return parse_reset_header(value) if value else None


def _retry_at(
    f: Facts, class_id: str, window_id: str | None, context: UsageContext | None, tz: tzinfo | None
) -> datetime | None:
    ref = aware(f.observed_at) if f.observed_at else datetime.now(UTC)
    h = f.headers
    retry_after = parse_retry_after(h.get("retry-after"), ref)
    text_time = parse_reset_text(f.message or f.text, ref, tz)
    if class_id in ("plan_limit_reached", "extra_usage_exhausted"):
        claim_reset = None
        if window_id:
            claim_reset = _header_time(h, f"{_UNIFIED}{claim_header_prefix(window_id)}-reset")
        if class_id == "extra_usage_exhausted" and claim_reset is None:
            claim_reset = _header_time(h, _UNIFIED + "overage-reset")
        for when in (claim_reset, _header_time(h, _UNIFIED + "reset"), retry_after, text_time):
            if when is not None:
                return when
        return _context_reset(class_id, window_id, context, ref)
    if class_id == "api_rate_limited":
        if retry_after is not None:
            return retry_after
        resets = [
            _header_time(h, f"anthropic-ratelimit-{name}-reset")
            for name in ("requests", "tokens", "input-tokens", "output-tokens")
            if h.get(f"anthropic-ratelimit-{name}-remaining", "").strip() == "0"
        ]
        known = [r for r in resets if r is not None]
        return min(known) if known else text_time
    if class_id in ("spend_limit_reached", "usage_endpoint_throttled", "server_throttled"):
        return retry_after or text_time
    if class_id in ("overloaded", "server_error"):
        return retry_after
    return None


def _context_reset(
    class_id: str, window_id: str | None, context: UsageContext | None, ref: datetime
) -> datetime | None:
    """The reset of the exhausted plan window, when the error itself names no time."""
    windows = _plan_windows(context)
    if window_id:
        windows = [w for w in windows if w.id == window_id] or windows
    full = [w for w in windows if (_used(w) or 0.0) >= 100.0 and w.resets_at is not None]
    if class_id == "plan_limit_reached" and window_id:
        full = full or [w for w in windows if w.id == window_id and w.resets_at is not None]
    times = [aware(w.resets_at) for w in full if w.resets_at is not None]
    future = [t for t in times if t > ref]
    return max(future) if future else None


def _exhausted_window(context: UsageContext | None) -> str | None:
    full = [w for w in _plan_windows(context) if (_used(w) or 0.0) >= 100.0]
    return full[0].id if full else None


# ---------------------------------------------------------------------------------------------
# Words


_WINDOW_NAMES = {
    "five_hour": "5-hour session",
    "seven_day": "weekly",
    "seven_day_opus": "weekly Opus",
    "seven_day_sonnet": "weekly Sonnet",
}
_TITLE_NAMES = {
    "five_hour": "5-hour",
    "seven_day": "Weekly",
    "seven_day_opus": "Weekly Opus",
    "seven_day_sonnet": "Weekly Sonnet",
}


def _window_name(window_id: str | None) -> str:
    if not window_id:
        return "usage"
    if window_id in _WINDOW_NAMES:
        return _WINDOW_NAMES[window_id]
    return window_id.replace("seven_day_", "weekly ").replace("_", " ")


_NETWORK_TITLES = {
    "connect": "Can't reach Anthropic",
    "dns": "DNS lookup failed",
    "tls": "TLS / certificate error",
    "timeout": "Request timed out",
    "reset": "Connection dropped",
    "protocol": "Broken HTTP answer",
    "decode": "Unreadable answer",
    "too_large": "Answer too large",
    "other": "Network error",
}
_NETWORK_WHY = {
    "connect": "limitwatch could not open a connection to the server.",
    "dns": "The server's name could not be looked up (DNS); you may be offline.",
    "tls": "The secure connection failed: a certificate could not be verified. A proxy or "
    "VPN that inspects traffic often causes this.",
    "timeout": "The server did not answer in time.",
    "reset": "The connection closed before the answer was complete.",
    "protocol": "The server's answer was not valid HTTP.",
    "decode": "The answer could not be read (not the JSON expected); a proxy or captive "
    "portal may have answered instead.",
    "too_large": "The answer was far larger than expected and was not read.",
    "other": "The request failed before any answer arrived.",
}

_RESULT_TITLES = {
    "third_party_billing": "Billed as a third-party app",
    "credential_restricted": "Token only works in Claude Code",
    "credit_balance_low": "API credit balance too low",
    "spend_limit_reached": "API spend limit reached",
    "api_rate_limited": "API per-minute limit hit",
    "server_throttled": "Throttled by Anthropic",
    "usage_endpoint_throttled": "Usage check throttled",
    "long_context_requires_extra_usage": "Long context needs extra usage",
    "context_too_long": "Conversation too long",
    "auth_invalid": "Key or login not accepted",
    "token_expired": "Login token expired",
    "token_revoked": "Login revoked",
    "permission_denied": "Permission denied",
    "billing_problem": "Billing problem",
    "model_unavailable": "Model not available",
    "request_too_large": "Request too large",
    "overloaded": "Anthropic is overloaded",
    "server_error": "Anthropic server error",
    "unknown": "Unrecognised error",
}


@dataclass
class _Words:
    title: str
    why: list[str]
    actions: list[str]


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _words(
    class_id: str,
    window_id: str | None,
    f: Facts,
    context: UsageContext | None,
    retry_at: datetime | None,
    now: datetime,
    tz: tzinfo | None,
) -> _Words:
    headroom = plan_has_headroom(context)
    headroom_line = _headroom_sentence(context)
    extra = context.extra_usage if context is not None else None
    when = _fmt_when(retry_at, now, tz) if retry_at is not None else None
    t = f.text

    if class_id == "extra_usage_exhausted":
        return _extra_usage_words(headroom, headroom_line, extra, when, f)

    if class_id == "plan_limit_reached":
        name = _window_name(window_id)
        title = f"{_TITLE_NAMES.get(window_id or '', 'Usage')} limit reached"
        if window_id and window_id not in _TITLE_NAMES:
            title = f"{name.capitalize()} limit reached"
        why = [f"Claude stopped because your {name} limit is used up."]
        if when:
            why.append(f"It resets at {when}.")
        if headroom is True:
            why.append(
                f"limitwatch last saw {_usage_list(_plan_windows(context))}; those numbers may "
                "be out of date."
            )
        elif headroom_line:
            why.append(headroom_line)
        if extra is not None:
            why.append(_extra_sentence(extra))
        actions = [f"Wait for the reset at {when}" if when else "Wait for the limit to reset"]
        if window_id in ("seven_day_opus", "seven_day_sonnet"):
            actions.append("Switch to another model with /model: it has its own weekly limit")
        if extra is None or not extra.enabled:
            actions.append(f"To keep going now, turn on extra usage at {USAGE_PAGE}")
        elif _extra_spent(extra):
            actions.append(f"Raise the extra-usage cap at {USAGE_PAGE} to keep going now")
        return _Words(title[:40], why, actions)

    if class_id == "third_party_billing":
        why = [
            "Anthropic classed this request as a third-party app, so it is billed to extra "
            "usage instead of your plan limits.",
            "Old Claude Code versions, proxies, gateways and modified system prompts are "
            "classed this way.",
        ]
        if headroom_line:
            why.append(headroom_line)
        if extra is not None:
            why.append(_extra_sentence(extra))
        actions = [
            "Update Claude Code (claude update)",
            "Check ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL and any proxy or gateway",
            "Remove system-prompt changes if you made any",
            f"If you meant to use a third-party tool, turn on extra usage at {USAGE_PAGE}",
        ]
        return _Words(_RESULT_TITLES[class_id], why, actions)

    if class_id == "credential_restricted":
        return _Words(
            _RESULT_TITLES[class_id],
            [
                "A Claude subscription token was used by something other than Claude Code; "
                "Anthropic only accepts it from Claude Code."
            ],
            [
                "Use an API key from console.anthropic.com for other tools",
                "Unset CLAUDE_CODE_OAUTH_TOKEN / ANTHROPIC_AUTH_TOKEN for that tool",
            ],
        )

    if class_id == "credit_balance_low":
        return _Words(
            _RESULT_TITLES[class_id],
            [
                "This request was billed to an API key whose prepaid credit is used up.",
                "It has nothing to do with a Claude subscription's limits.",
            ],
            [
                "Buy credits at console.anthropic.com/settings/billing",
                "To use your subscription instead, unset ANTHROPIC_API_KEY and run /login",
            ],
        )

    if class_id == "spend_limit_reached":
        monthly = "monthly api usage" in t or f.error_code == "enforced_spend_limit_reached"
        if monthly:
            why = [
                "Your organisation crossed its monthly API usage threshold. Retrying will "
                "not help until the limit is raised or the month ends."
            ]
        else:
            why = ["You reached the API spend limit set for this workspace or organisation."]
        if when:
            why.append(f"Access returns at {when}.")
        return _Words(
            _RESULT_TITLES[class_id],
            why,
            [
                "Raise the limit at console.anthropic.com/settings/limits",
                "Do not retry until then",
            ],
        )

    if class_id == "api_rate_limited":
        which = "requests"
        for words in ("output tokens", "input tokens", "tokens"):
            if words in t:
                which = words
                break
        why = [
            f"Your API key went over its {which}-per-minute limit. It refills within a minute;"
            " this is not a subscription limit."
        ]
        if when:
            why.append(f"Retry after {when}.")
        return _Words(
            _RESULT_TITLES[class_id],
            why,
            [
                f"Wait until {when}" if when else "Wait a minute and retry",
                "Run fewer requests in parallel",
                "Ask for a higher tier in the Console if it keeps happening",
            ],
        )

    if class_id in ("server_throttled", "usage_endpoint_throttled"):
        if class_id == "server_throttled":
            why = ["Anthropic's servers asked to slow down. This is not your usage limit."]
            actions = [f"Retry at {when}" if when else "Retry in a minute or two"]
        else:
            why = [
                "Anthropic's usage endpoint asked limitwatch to poll less often. Your limit "
                "is not reached and your login is fine; the bars keep the last values read."
            ]
            actions = [
                f"Nothing to do: limitwatch waits and tries again at {when}"
                if when
                else "Nothing to do: limitwatch waits and tries again later",
                "Close other usage monitors polling the same account",
            ]
        if headroom_line:
            why.append(headroom_line)
        return _Words(_RESULT_TITLES[class_id], why, actions)

    if class_id == "long_context_requires_extra_usage":
        return _Words(
            _RESULT_TITLES[class_id],
            [
                "Long-context (1M token) requests are only served from extra usage, and "
                "extra usage is not available on this account.",
                _extra_sentence(extra),
            ],
            [
                "Switch to a standard-context model with /model",
                f"Or turn on extra usage at {USAGE_PAGE}",
            ],
        )

    if class_id == "context_too_long":
        numbers = re.search(r"(\d[\d,]*) tokens? > (\d[\d,]*)", t)
        detail = (
            f" ({numbers.group(1)} tokens, the model takes {numbers.group(2)})" if numbers else ""
        )
        return _Words(
            _RESULT_TITLES[class_id],
            [f"The conversation no longer fits in the model's context window{detail}."],
            ["Run /compact to summarise the conversation", "Or /clear to start fresh"],
        )

    if class_id == "auth_invalid":
        return _Words(
            _RESULT_TITLES[class_id],
            ["The API key or login token was not accepted."],
            [
                "Check ANTHROPIC_API_KEY (and ANTHROPIC_AUTH_TOKEN) in your environment",
                "For a subscription, run /login in Claude Code",
            ],
        )

    if class_id == "token_expired":
        return _Words(
            _RESULT_TITLES[class_id],
            [
                "Claude Code's login token has expired. Claude Code refreshes it the next time "
                "it runs; limitwatch never refreshes it (that would log Claude Code out)."
            ],
            [
                "Run claude once to refresh the login",
                "limitwatch picks up the new token by itself",
            ],
        )

    if class_id == "token_revoked":
        return _Words(
            _RESULT_TITLES[class_id],
            ["Claude Code's login token was revoked (signed out elsewhere or reset)."],
            ["Run /login in Claude Code"],
        )

    if class_id == "permission_denied":
        disabled = "disabled" in t
        return _Words(
            "Organisation disabled" if disabled else _RESULT_TITLES[class_id],
            [
                "The account or organisation has been disabled."
                if disabled
                else "This key or login is not allowed to do this."
            ],
            [
                "Contact your organisation admin or Anthropic support"
                if disabled
                else "Check the key's workspace and permissions, or run /login"
            ],
        )

    if class_id == "billing_problem":
        return _Words(
            _RESULT_TITLES[class_id],
            ["Anthropic reported a payment problem with this account."],
            ["Fix the payment method at claude.ai/settings/billing or in the Console"],
        )

    if class_id == "model_unavailable":
        return _Words(
            _RESULT_TITLES[class_id],
            ["The model asked for does not exist or is not available to this account."],
            ["Pick another model with /model", "Check that your plan includes this model"],
        )

    if class_id == "request_too_large":
        return _Words(
            _RESULT_TITLES[class_id],
            ["The request was larger than the API accepts (32 MB)."],
            ["Send smaller files or images", "Split the work into smaller steps"],
        )

    if class_id in ("overloaded", "server_error"):
        why = [
            "Anthropic's servers are at capacity right now. This is not your usage limit."
            if class_id == "overloaded"
            else "Anthropic's servers failed to answer. This is not your usage limit."
        ]
        return _Words(
            _RESULT_TITLES[class_id],
            why,
            [f"Retry at {when}" if when else "Retry in a little while", "status.anthropic.com"],
        )

    if class_id == "network_error":
        kind = f.transport_kind or network_kind_from_text(t)
        if kind not in _NETWORK_TITLES:
            kind = "other"
        return _Words(
            _NETWORK_TITLES[kind],
            [_NETWORK_WHY[kind], "The last values read are kept on screen."],
            [
                "Check the network connection",
                "Check HTTPS_PROXY and ANTHROPIC_BASE_URL if you use a proxy or gateway",
            ],
        )

    why = ["limitwatch does not recognise this error."]
    if f.exception_name:
        why = [f"An unexpected {f.exception_name} occurred inside limitwatch."]
    return _Words(_RESULT_TITLES["unknown"], why, ["Read the full message below"])


def _extra_usage_words(
    headroom: bool | None,
    headroom_line: str,
    extra: ExtraUsage | None,
    when: str | None,
    f: Facts,
) -> _Words:
    extra_line = _extra_sentence(extra)
    if headroom is True:
        why = [
            headroom_line,
            "So this request was billed to extra usage rather than your plan. Anthropic "
            "classes old Claude Code versions, proxies, gateways and modified system prompts "
            "as third-party apps, and those draw from extra usage.",
            extra_line,
        ]
        actions = [
            "Update Claude Code (claude update)",
            "Check ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL and any proxy or gateway",
            f"Look at {USAGE_PAGE}",
            f"If you meant to use extra usage, enable or top it up at {USAGE_PAGE}",
        ]
        return _Words("Billed to extra usage, not plan", why, actions)
    if headroom is False:
        if extra is not None and extra.enabled and _extra_spent(extra):
            why = [
                headroom_line,
                "Extra usage was on and is spent too, so this is a real spend cap.",
                extra_line,
            ]
            if when:
                why.append(f"Your plan resets at {when}.")
            actions = [
                f"Wait for the reset at {when}" if when else "Wait for the plan limit to reset",
                f"Or raise the monthly extra-usage cap at {USAGE_PAGE}",
            ]
            return _Words("Spend cap reached", why, actions)
        why = [headroom_line, "Extra usage cannot cover the rest.", extra_line]
        if when:
            why.append(f"Your plan resets at {when}.")
        return _Words(
            "Plan and extra usage used up",
            why,
            [
                f"Wait for the reset at {when}" if when else "Wait for the plan limit to reset",
                f"Or enable or top up extra usage at {USAGE_PAGE}",
            ],
        )
    why = [
        "Claude refused because extra usage is used up. limitwatch has no plan numbers yet to "
        "tell whether your plan limit is spent too.",
        "If your plan is not used up, the request was billed to extra usage: old Claude Code "
        "versions, proxies, gateways and modified system prompts are classed as third-party "
        "apps.",
        extra_line,
    ]
    if when:
        why.append(f"It resets at {when}.")
    return _Words(
        "Out of extra usage",
        why,
        [
            f"Look at {USAGE_PAGE}",
            "Update Claude Code (claude update)",
            "Check ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL and any proxy or gateway",
            f"If you meant to use extra usage, enable or top it up at {USAGE_PAGE}",
        ],
    )


# ---------------------------------------------------------------------------------------------
# The entry point

_SECRET = re.compile(r"sk-ant-[A-Za-z0-9_\-]{4,}")


def _mask(text: str) -> str:
    return _SECRET.sub(lambda m: "sk-ant-..." + m.group(0)[-4:], text)


def classify(
    item: ErrorResponse | TransportError | TranscriptError | BaseException | str,
    *,
    context: UsageContext | None = None,
    now: datetime,
    source: str | None = None,
    tz: tzinfo | None = None,
) -> Classification:
    """What ``item`` means for the user, given what limitwatch knows. Never raises."""
    try:
        now = aware(now) if isinstance(now, datetime) else datetime.now(UTC)
    except Exception:
        now = datetime.now(UTC)
    try:
        return _classify(item, context, now, source, tz)
    except Exception as exc:  # the classifier must never take the screen down
        return Classification(
            class_id="unknown",
            title=_RESULT_TITLES["unknown"],
            explanation=f"limitwatch could not read this error ({type(exc).__name__}).",
            actions=("Read the full message below",),
            message=_mask(_safe_str(item))[:500],
            source=source or "unknown",
            observed_at=now,
            plan_has_headroom=_safe_headroom(context),
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


def _default_source(item: object) -> str:
    if isinstance(item, str):
        return "pasted"
    if isinstance(item, BaseException):
        return "network"
    return "unknown"


def _classify(
    item: object, context: UsageContext | None, now: datetime, source: str | None, tz: tzinfo | None
) -> Classification:
    if context is not None and not isinstance(context, UsageContext):
        context = None
    facts = facts_from(item, source, now)
    class_id, window_id = decide(facts)
    if window_id is None and (
        class_id == "plan_limit_reached"
        or (class_id == "extra_usage_exhausted" and plan_has_headroom(context) is False)
    ):
        window_id = _exhausted_window(context)
    retry_at = _retry_at(facts, class_id, window_id, context, tz)
    observed = aware(facts.observed_at) if facts.observed_at else now
    words = _words(class_id, window_id, facts, context, retry_at, now, tz)
    message = _mask(facts.message.strip())
    if len(message) > 1000:
        message = message[:999] + "…"
    return Classification(
        class_id=class_id,
        title=words.title,
        explanation=_mask(_join(*words.why)),
        actions=tuple(a for a in words.actions if a),
        message=message,
        source=facts.source or _default_source(item),
        observed_at=observed,
        status=facts.status,
        error_type=facts.error_type,
        is_limit=class_id in LIMIT_CLASSES,
        window_id=window_id,
        retry_at=retry_at,
        plan_has_headroom=plan_has_headroom(context),
        project=facts.project,
        session=facts.session,
    )
