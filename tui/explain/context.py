"""What limitwatch knows about usage when an error arrives, and the words for those numbers.

``UsageContext`` holds the plan windows, extra usage, the overage headers, the plan and the
user's Claude Code version; it is only ever read (an error never moves a bar).
``plan_has_headroom`` says whether every known plan window was below 100 %.
``with_headers`` lays what the error's own unified headers say over the context: headers come
before words. ``vocabulary`` picks the user's word for extra usage ("usage credits" since
Claude Code 2.1.144).
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from tui import text as fmt
from tui.explain.facts import Facts
from tui.explain.headers import header_overage, header_windows
from tui.models import ExtraUsage, Overage, Window
from tui.record import record, replace

USAGE_PAGE = "claude.ai/settings/usage"
RENAMED_IN = (2, 1, 144)  # the Claude Code version that says "usage credits"


@record
class UsageContext:
    """What limitwatch knows about usage when the error arrives (read, never changed)."""

    windows: tuple[Window, ...] = ()
    extra_usage: ExtraUsage | None = None
    plan: str | None = None
    claude_code_version: str | None = None
    overage: Overage | None = None  # the probe's (or the error's) overage headers


# -- the user's word for extra usage ----------------------------------------------------------


@record
class Vocabulary:
    """``term`` for sentences, ``command`` for Claude Code's slash command."""

    term: str
    command: str

    @property
    def cap(self) -> str:
        """The term at the start of a sentence."""
        return self.term[:1].upper() + self.term[1:]


OLD_WORDS = Vocabulary("extra usage", "/extra-usage")
NEW_WORDS = Vocabulary("usage credits", "/usage-credits")
BOTH_WORDS = Vocabulary(
    "usage credits (extra usage)", "/usage-credits, or /extra-usage before 2.1.144"
)


def _version(text: str | None) -> tuple[int, ...] | None:
    if not isinstance(text, str):
        return None
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", text)
    if match is None:
        return None
    return tuple(int(part) for part in match.groups())


def vocabulary(context: UsageContext | None) -> Vocabulary:
    """The word the user's Claude Code uses; both words when its version is unknown."""
    version = _version(context.claude_code_version if context is not None else None)
    if version is None:
        return BOTH_WORDS
    return NEW_WORDS if version >= RENAMED_IN else OLD_WORDS


# -- headers before words ---------------------------------------------------------------------


def with_headers(context: UsageContext | None, facts: Facts) -> UsageContext | None:
    """The context with the error's own unified headers laid over it (they are newest)."""
    if not facts.headers:
        return context
    at = facts.observed_at
    if at is None:
        return context
    windows = header_windows(facts.headers, at)
    overage = header_overage(facts.headers, at)
    if not windows and overage is None:
        return context
    base = context or UsageContext()
    known = {w.id: w for w in base.windows}
    laid: list[Window] = []
    for window in windows:
        older = known.get(window.id)
        if window.used_percent is None and older is not None:
            # a status without a number: the older number with the newer status
            window = replace(older, server_status=window.server_status or older.server_status)
        laid.append(window)
    own = {w.id for w in laid}
    merged = tuple(laid) + tuple(w for w in base.windows if w.id not in own)
    return replace(base, windows=merged, overage=overage or base.overage)


# -- plan windows -----------------------------------------------------------------------------


def plan_windows(context: UsageContext | None) -> list[Window]:
    if context is None:
        return []
    found: list[Window] = []
    for window in context.windows:
        wid = getattr(window, "id", "")
        if not isinstance(wid, str) or not (wid == "five_hour" or wid.startswith("seven_day")):
            continue
        if used(window) is None:
            continue
        found.append(window)
    return found


def used(window: Window) -> float | None:
    value = window.used_percent
    rejected = window.server_status == "rejected"
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return 100.0 if rejected else None
    if rejected:
        return max(float(value), 100.0)
    return float(value)


def plan_has_headroom(context: UsageContext | None) -> bool | None:
    """True when every known plan window is below 100 %, None when none is known."""
    windows = plan_windows(context)
    if not windows:
        return None
    return all((used(w) or 0.0) < 100.0 for w in windows)


def exhausted_window(context: UsageContext | None) -> str | None:
    full = [w for w in plan_windows(context) if (used(w) or 0.0) >= 100.0]
    return full[0].id if full else None


def overage_rejected(context: UsageContext | None) -> bool:
    overage = context.overage if context is not None else None
    return overage is not None and (overage.status or "").strip().lower() == "rejected"


def _pct(value: float) -> str:
    if abs(value - round(value)) < 0.05:
        return f"{round(value):.0f}%"
    return f"{value:.1f}%"


def _label(window: Window) -> str:
    label = window.label or window.id
    return label[:1].lower() + label[1:] if label[:1].isupper() and label[1:2].islower() else label


def usage_list(windows: list[Window]) -> str:
    return ", ".join(f"{_label(w)} {_pct(used(w) or 0.0)} used" for w in windows)


def headroom_sentence(context: UsageContext | None) -> str:
    windows = plan_windows(context)
    if not windows:
        return ""
    if all((used(w) or 0.0) < 100.0 for w in windows):
        return f"Your plan still has headroom: {usage_list(windows)}."
    return f"Your plan limit is used up: {usage_list(windows)}."


def numbers_sentence(context: UsageContext | None, words: Vocabulary) -> str:
    """Every number limitwatch has, in one sentence (for an unknown error)."""
    parts = [f"{_label(w)} {_pct(used(w) or 0.0)} used" for w in plan_windows(context)]
    extra = context.extra_usage if context is not None else None
    if extra is not None:
        sentence = extra_sentence(extra, words).rstrip(".")
        parts.append(sentence[:1].lower() + sentence[1:])
    if not parts:
        return "limitwatch has no usage numbers yet."
    return "Numbers limitwatch has: " + "; ".join(parts) + "."


# -- extra usage ------------------------------------------------------------------------------


def extra_spent(extra: ExtraUsage | None) -> bool:
    if extra is None or not extra.enabled:
        return False
    if extra.disabled_reason == "out_of_credits":
        return True
    if extra.used_percent is not None and extra.used_percent >= 100:
        return True
    return extra.limit is not None and extra.used is not None and extra.used >= extra.limit > 0


def extra_sentence(extra: ExtraUsage | None, words: Vocabulary) -> str:
    """What the usage endpoint said about extra usage, in one sentence ("" when nothing)."""
    if extra is None:
        return ""
    if not extra.enabled:
        return f"Your usage page showed {words.term} turned off."
    currency = extra.currency or "USD"
    if extra.limit is None:
        spent = f" ({fmt.money(extra.used, currency)} spent)" if extra.used is not None else ""
        return f"{words.cap}: on, with no monthly cap{spent}."
    if extra.used is not None:
        return (
            f"{words.cap}: {fmt.money(extra.used, currency)} of "
            f"{fmt.money(extra.limit, currency)} spent."
        )
    return f"{words.cap}: on, capped at {fmt.money(extra.limit, currency)} a month."


# -- times, in the user's zone ----------------------------------------------------------------


def when_text(when: datetime, now: datetime, tz: tzinfo | None) -> str:
    """``14:00 (in 3 h)`` today, ``Thu 17 Apr 09:00 (in 2 days)`` on another day; ``tz`` None
    is the system's local zone."""
    local = when.astimezone(tz)
    clock = fmt.clock_time(when, tz)
    if local.date() != now.astimezone(tz).date():
        clock = f"{local.strftime('%a')} {local.day} {local.strftime('%b')} {clock}"
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
