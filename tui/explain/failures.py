"""What to tell the user when it is not a limit: sign-in, requests, servers, network, unknown.

One small function per class, as in ``words``. An unknown error leads with its own message, the
numbers limitwatch has and the signals it read, and says what to send in a report.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tui.explain.context import numbers_sentence
from tui.explain.facts import clean, mask, network_kind_from_text
from tui.explain.given import Given, Words

REPORT_HOW = (
    "Report this wording: run limitwatch explain --json with the message and attach its "
    "output (secrets are masked)"
)


def context_too_long(g: Given) -> Words:
    numbers = re.search(r"(\d[\d,]*) tokens? > (\d[\d,]*)", g.text)
    detail = f" ({numbers.group(1)} tokens, the model takes {numbers.group(2)})" if numbers else ""
    return Words(
        "Conversation too long",
        [f"The conversation no longer fits in the model's context window{detail}."],
        ["Run /compact to summarise the conversation", "Or /clear to start fresh"],
    )


def auth_invalid(g: Given) -> Words:
    return Words(
        "Key or login not accepted",
        ["The API key or login token was not accepted."],
        [
            "Check ANTHROPIC_API_KEY (and ANTHROPIC_AUTH_TOKEN) in your environment",
            "For a subscription, run /login in Claude Code",
        ],
    )


def token_expired(g: Given) -> Words:
    return Words(
        "Login token expired",
        [
            "Claude Code's login token has expired. Claude Code refreshes it the next time "
            "it runs; limitwatch never refreshes it (that would log Claude Code out)."
        ],
        ["Run claude once to refresh the login", "limitwatch picks up the new token by itself"],
    )


def token_revoked(g: Given) -> Words:
    return Words(
        "Login revoked",
        ["Claude Code's login token was revoked (signed out elsewhere or reset)."],
        ["Run /login in Claude Code"],
    )


def permission_denied(g: Given) -> Words:
    if "disabled" in g.text:
        return Words(
            "Organisation disabled",
            ["The account or organisation has been disabled."],
            ["Contact your organisation admin or Anthropic support"],
        )
    return Words(
        "Permission denied",
        ["This key or login is not allowed to do this."],
        ["Check the key's workspace and permissions, or run /login"],
    )


def billing_problem(g: Given) -> Words:
    return Words(
        "Billing problem",
        ["Anthropic reported a payment problem with this account."],
        ["Fix the payment method at claude.ai/settings/billing or in the Console"],
    )


def model_unavailable(g: Given) -> Words:
    return Words(
        "Model not available",
        ["The model asked for does not exist or is not available to this account."],
        ["Pick another model with /model", "Check that your plan includes this model"],
    )


def request_too_large(g: Given) -> Words:
    return Words(
        "Request too large",
        ["The request was larger than the API accepts (32 MB)."],
        ["Send smaller files or images", "Split the work into smaller steps"],
    )


def _retry(g: Given) -> list[str]:
    return [f"Retry at {g.when}" if g.when else "Retry in a little while", "status.anthropic.com"]


def overloaded(g: Given) -> Words:
    return Words(
        "Anthropic is overloaded",
        ["Anthropic's servers are at capacity right now. This is not your usage limit."],
        _retry(g),
    )


def server_error(g: Given) -> Words:
    return Words(
        "Anthropic server error",
        ["Anthropic's servers failed to answer. This is not your usage limit."],
        _retry(g),
    )


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


def network_error(g: Given) -> Words:
    kind = g.facts.transport_kind or network_kind_from_text(g.text)
    if kind not in _NETWORK_TITLES:
        kind = "other"
    return Words(
        _NETWORK_TITLES[kind],
        [_NETWORK_WHY[kind], "The last values read are kept on screen."],
        [
            "Check the network connection",
            "Check HTTPS_PROXY and ANTHROPIC_BASE_URL if you use a proxy or gateway",
        ],
    )


def quoted_message(message: str, limit: int = 240) -> str:
    """The raw message on one line, masked and clipped, for a sentence."""
    line = " ".join(clean(mask(message)).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def unknown(g: Given) -> Words:
    """Lead with the raw message, the numbers, the signals read, and what to report."""
    message = quoted_message(g.facts.message)
    if g.facts.exception_name:
        first = f"An unexpected {g.facts.exception_name} occurred inside limitwatch."
    elif message:
        first = f"limitwatch does not recognise this error: “{message}”."
    else:
        first = "limitwatch does not recognise this error (it carried no message)."
    reading = [s for s in g.signals if not s.startswith("source ")]
    signals = (
        f"Signals read: {'; '.join(reading)}."
        if reading
        else "It carried no HTTP status, error type or rate-limit headers."
    )
    why = [
        first,
        numbers_sentence(g.context, g.vocab),
        signals,
        "A report with the message and these signals teaches limitwatch the wording.",
    ]
    return Words("Unrecognised error", why, ["Read the full message below", REPORT_HOW])


TABLE: dict[str, Callable[[Given], Words]] = {
    "context_too_long": context_too_long,
    "auth_invalid": auth_invalid,
    "token_expired": token_expired,
    "token_revoked": token_revoked,
    "permission_denied": permission_denied,
    "billing_problem": billing_problem,
    "model_unavailable": model_unavailable,
    "request_too_large": request_too_large,
    "overloaded": overloaded,
    "server_error": server_error,
    "network_error": network_error,
    "unknown": unknown,
}
