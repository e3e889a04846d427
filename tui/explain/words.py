"""What to tell the user for each class: a title, an explanation and actions.

One small function per class, all taking one ``Given`` (the facts, the numbers, the reset time
in the user's zone, and the user's word for extra usage). ``words_for`` picks the function.
The limit and billing classes live here; failures (sign-in, requests, servers, the network,
the unknown) in ``failures``. Nothing here asserts what limitwatch does not know: what the
numbers or headers say is attributed to them, and a workspace member is sent to the admin.
"""

from __future__ import annotations

from collections.abc import Callable

from tui.explain import failures
from tui.explain.context import (
    USAGE_PAGE,
    UsageContext,
    Vocabulary,
    extra_sentence,
    extra_spent,
    headroom_sentence,
    plan_has_headroom,
    plan_windows,
    usage_list,
)
from tui.explain.given import TITLE_MAX, Given, Words, pick_title

# -- who can add more -------------------------------------------------------------------------

_ADMIN_REASONS = ("org_level_disabled", "member_level_disabled", "org_spend_cap_reached")


def overage_reason(context: UsageContext | None) -> str | None:
    """The server's reason extra usage is refused: headers first, then the usage endpoint."""
    if context is None:
        return None
    if context.overage is not None and context.overage.disabled_reason:
        return context.overage.disabled_reason.strip().lower()
    extra = context.extra_usage
    if extra is not None and extra.disabled_reason:
        return extra.disabled_reason.strip().lower()
    return None


def workspace_member(g: Given) -> bool:
    """The words or the server's reason say an admin manages extra usage for this seat."""
    t = g.text
    return (
        "workspace admin" in t
        or "ask your admin" in t
        or "your organization admin" in t
        or overage_reason(g.context) in _ADMIN_REASONS
    )


def reason_sentence(reason: str | None, v: Vocabulary) -> str:
    if not reason:
        return ""
    known = {
        "out_of_credits": f"Anthropic reports that your {v.term} ran out.",
        "org_level_disabled": f"Anthropic reports that your organisation turned {v.term} off.",
        "member_level_disabled": f"Anthropic reports that your workspace turned {v.term} off "
        "for your seat.",
        "org_spend_cap_reached": "Anthropic reports that your organisation reached its spend cap.",
        "overage_not_provisioned": f"Anthropic reports that this account has no {v.term} set up.",
    }
    return known.get(reason, f"Anthropic reports that it refused {v.term} ({reason}).")


def add_more_action(g: Given) -> str:
    """Who can add more extra usage, and where."""
    v = g.vocab
    if workspace_member(g):
        return f"Ask your workspace admin to add more {v.term} for your seat"
    if g.plan in ("team", "enterprise"):
        return (
            f"If you manage the workspace, add {v.term} at {USAGE_PAGE}; "
            "otherwise ask your workspace admin"
        )
    return f"If you meant to use {v.term}, enable or top it up at {USAGE_PAGE}"


def _extra_line(g: Given) -> str:
    """The usage endpoint's view of extra usage, unless an admin manages it for this seat
    (then the member's own view says nothing about the workspace's balance)."""
    return "" if workspace_member(g) else extra_sentence(g.extra, g.vocab)


_FIX_CLIENT = (
    "Update Claude Code (claude update)",
    "Check ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL and any proxy or gateway",
)


# -- the limit and billing classes ------------------------------------------------------------


def extra_usage_exhausted(g: Given) -> Words:
    v = g.vocab
    headroom = plan_has_headroom(g.context)
    headroom_line = headroom_sentence(g.context)
    reason_line = reason_sentence(overage_reason(g.context), v)
    extra_line = _extra_line(g)
    when = g.when
    if headroom is True:
        why = [
            headroom_line,
            f"So this request was billed to {v.term} rather than your plan. Anthropic classes "
            "old Claude Code versions, proxies, gateways and modified system prompts as "
            f"third-party apps, and those draw from {v.term}.",
            reason_line,
            extra_line,
        ]
        actions = [*_FIX_CLIENT, f"Look at {USAGE_PAGE}", add_more_action(g)]
        return Words(pick_title(v, "Billed to {t}, not plan", "Billed to {t}"), why, actions)
    if headroom is False:
        reset = [f"Your plan resets at {when}."] if when else []
        wait = f"Wait for the reset at {when}" if when else "Wait for the plan limit to reset"
        if g.extra is not None and g.extra.enabled and extra_spent(g.extra):
            why = [
                headroom_line,
                f"Your {v.term} ran out too, so this is a real spend cap.",
                reason_line,
                extra_line,
                *reset,
            ]
            more = (
                add_more_action(g)
                if workspace_member(g)
                else f"Or raise the monthly {v.term} cap at {USAGE_PAGE}"
            )
            return Words("Spend cap reached", why, [wait, more])
        why = [headroom_line, f"{v.cap} cannot cover the rest.", reason_line, extra_line, *reset]
        more = add_more_action(g) if workspace_member(g) else f"Or enable or top up {v.term}"
        if not workspace_member(g):
            more += f" at {USAGE_PAGE}"
        return Words(
            pick_title(v, "Plan and {t} used up", "Plan and credits used up"),
            why,
            [
                wait,
                more,
            ],
        )
    why = [
        f"Claude refused because you are out of {v.term}. limitwatch has no plan numbers "
        "yet to tell whether your plan limit is spent too.",
        f"If your plan is not used up, the request was billed to {v.term}: old Claude Code "
        "versions, proxies, gateways and modified system prompts are classed as third-party "
        "apps.",
        reason_line,
        extra_line,
    ]
    if when:
        why.append(f"It resets at {when}.")
    actions = [f"Look at {USAGE_PAGE}", *_FIX_CLIENT, add_more_action(g)]
    return Words(pick_title(v, "Out of {t}"), why, actions)


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


def window_name(window_id: str | None) -> str:
    if not window_id:
        return "usage"
    if window_id in _WINDOW_NAMES:
        return _WINDOW_NAMES[window_id]
    return window_id.replace("seven_day_", "weekly ").replace("_", " ")


def plan_limit_reached(g: Given) -> Words:
    v, when, window_id = g.vocab, g.when, g.window_id
    name = window_name(window_id)
    title = f"{_TITLE_NAMES.get(window_id or '', 'Usage')} limit reached"
    if window_id and window_id not in _TITLE_NAMES:
        title = f"{name.capitalize()} limit reached"
    why = [f"Claude stopped because your {name} limit is used up."]
    if when:
        why.append(f"It resets at {when}.")
    headroom = plan_has_headroom(g.context)
    if headroom is True:
        why.append(
            f"limitwatch last saw {usage_list(plan_windows(g.context))}; those numbers may "
            "be out of date."
        )
    elif headroom is False:
        why.append(headroom_sentence(g.context))
    why.append(_extra_line(g))
    actions = [f"Wait for the reset at {when}" if when else "Wait for the limit to reset"]
    if window_id in ("seven_day_opus", "seven_day_sonnet"):
        actions.append("Switch to another model with /model: it has its own weekly limit")
    extra = g.extra
    if workspace_member(g) or g.plan in ("team", "enterprise"):
        actions.append(add_more_action(g))
    elif extra is None or not extra.enabled:
        actions.append(
            f"To keep going now, turn on {v.term} at {USAGE_PAGE} (in Claude Code: {v.command})"
        )
    elif extra_spent(extra):
        actions.append(f"Raise the {v.term} cap at {USAGE_PAGE} to keep going now")
    return Words(title[:TITLE_MAX], why, actions)


def third_party_billing(g: Given) -> Words:
    v = g.vocab
    why = [
        "Anthropic classed this request as a third-party app, so it is billed to "
        f"{v.term} instead of your plan limits.",
        "Old Claude Code versions, proxies, gateways and modified system prompts are "
        "classed this way.",
        headroom_sentence(g.context),
        _extra_line(g),
    ]
    if workspace_member(g):
        intended = f"If you meant to use a third-party tool, ask your workspace admin for {v.term}"
    else:
        intended = f"If you meant to use a third-party tool, turn on {v.term} at {USAGE_PAGE}"
    actions = [*_FIX_CLIENT, "Remove system-prompt changes if you made any", intended]
    return Words("Billed as a third-party app", why, actions)


def long_context(g: Given) -> Words:
    v = g.vocab
    why = [
        f"Long-context (1M token) requests are only served from {v.term}, and this account "
        f"has no {v.term} available for them.",
        _extra_line(g),
    ]
    more = add_more_action(g) if workspace_member(g) else f"Or turn on {v.term} at {USAGE_PAGE}"
    return Words(
        pick_title(v, "Long context needs {t}", "Long context needs usage credits"),
        why,
        ["Switch to a standard-context model with /model", more],
    )


def credential_restricted(g: Given) -> Words:
    return Words(
        "Token only works in Claude Code",
        [
            "A Claude subscription token was used by something other than Claude Code; "
            "Anthropic only accepts it from Claude Code."
        ],
        [
            "Use an API key from console.anthropic.com for other tools",
            "Unset CLAUDE_CODE_OAUTH_TOKEN / ANTHROPIC_AUTH_TOKEN for that tool",
        ],
    )


def credit_balance_low(g: Given) -> Words:
    return Words(
        "API credit balance too low",
        [
            "This request was billed to an API key whose prepaid credit is used up.",
            "It has nothing to do with a Claude subscription's limits.",
        ],
        [
            "Buy credits at console.anthropic.com/settings/billing",
            "To use your subscription instead, unset ANTHROPIC_API_KEY and run /login",
        ],
    )


def spend_limit_reached(g: Given) -> Words:
    monthly = "monthly api usage" in g.text or g.facts.error_code == "enforced_spend_limit_reached"
    if monthly:
        why = [
            "Your organisation crossed its monthly API usage threshold. Retrying will "
            "not help until the limit is raised or the month ends."
        ]
    else:
        why = ["You reached the API spend limit set for this workspace or organisation."]
    if g.when:
        why.append(f"Access returns at {g.when}.")
    return Words(
        "API spend limit reached",
        why,
        ["Raise the limit at console.anthropic.com/settings/limits", "Do not retry until then"],
    )


def api_rate_limited(g: Given) -> Words:
    which = "requests"
    for words in ("output tokens", "input tokens", "tokens"):
        if words in g.text:
            which = words
            break
    why = [
        f"Your API key went over its {which}-per-minute limit. It refills within a minute;"
        " this is not a subscription limit."
    ]
    if g.when:
        why.append(f"Retry after {g.when}.")
    return Words(
        "API per-minute limit hit",
        why,
        [
            f"Wait until {g.when}" if g.when else "Wait a minute and retry",
            "Run fewer requests in parallel",
            "Ask for a higher tier in the Console if it keeps happening",
        ],
    )


def server_throttled(g: Given) -> Words:
    why = ["Anthropic's servers asked to slow down. This is not your usage limit."]
    why.append(headroom_sentence(g.context))
    return Words(
        "Throttled by Anthropic",
        why,
        [f"Retry at {g.when}" if g.when else "Retry in a minute or two"],
    )


def usage_endpoint_throttled(g: Given) -> Words:
    why = [
        "Anthropic's usage endpoint asked limitwatch to poll less often. Your limit "
        "is not reached and your login is fine; the bars keep the last values read.",
        headroom_sentence(g.context),
    ]
    return Words(
        "Usage check throttled",
        why,
        [
            f"Nothing to do: limitwatch waits and tries again at {g.when}"
            if g.when
            else "Nothing to do: limitwatch waits and tries again later",
            "Close other usage monitors polling the same account",
        ],
    )


def words_for(class_id: str) -> Callable[[Given], Words]:
    """The wording function of a class (``unknown``'s for a class with none)."""
    table: dict[str, Callable[[Given], Words]] = {
        "extra_usage_exhausted": extra_usage_exhausted,
        "plan_limit_reached": plan_limit_reached,
        "third_party_billing": third_party_billing,
        "long_context_requires_extra_usage": long_context,
        "credential_restricted": credential_restricted,
        "credit_balance_low": credit_balance_low,
        "spend_limit_reached": spend_limit_reached,
        "api_rate_limited": api_rate_limited,
        "server_throttled": server_throttled,
        "usage_endpoint_throttled": usage_endpoint_throttled,
        **failures.TABLE,
    }
    return table.get(class_id, failures.unknown)
