"""Pure text helpers for the screen: countdowns, local times, ages, money, bars, and ``clean``.

No Textual import here; everything takes ``now`` (and optionally a timezone) as an argument so
the output is fixed in tests. ``clean`` makes text from outside (servers, transcripts, Claude
Code's status line JSON) safe to print or draw: no escape sequences, no control characters.
"""

from __future__ import annotations

import math
from datetime import datetime, tzinfo

from tui.patterns import lazy

# Short labels for narrow panes (< 60 columns).
SHORT_LABELS: dict[str, str] = {
    "five_hour": "5h",
    "seven_day": "7d",
    "seven_day_opus": "7d Opus",
    "seven_day_sonnet": "7d Sonnet",
    "seven_day_oauth_apps": "7d OAuth",
    "seven_day_cowork": "7d Cowork",
}

RATE_LIMIT_LABELS: dict[str, str] = {
    "requests": "requests/min",
    "tokens": "tokens/min",
    "input_tokens": "input tokens/min",
    "output_tokens": "output tokens/min",
}

RATE_LIMIT_SHORT: dict[str, str] = {
    "requests": "req/min",
    "tokens": "tok/min",
    "input_tokens": "in tok/min",
    "output_tokens": "out tok/min",
}

CURRENCY_SYMBOLS: dict[str, str] = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}

# Below this many seconds a countdown shows seconds, and the screen ticks every second.
SECONDS_RESOLUTION_BELOW = 120

_EIGHTHS = " ▏▎▍▌▋▊▉"


def countdown(seconds: float) -> str:
    """A compact countdown: ``2d 4h``, ``2h 13m``, ``13m``, ``1m 5s``, ``45s``, ``now``."""
    if seconds <= 0:
        return "now"
    total = math.ceil(seconds) if seconds < SECONDS_RESOLUTION_BELOW else int(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    if total >= SECONDS_RESOLUTION_BELOW:
        return f"{minutes}m"
    if minutes:
        return f"{minutes}m {secs}s" if secs else f"{minutes}m"
    return f"{secs}s"


def countdown_until(when: datetime, now: datetime) -> str:
    return countdown((when - now).total_seconds())


def needs_seconds(when: datetime | None, now: datetime) -> bool:
    """True when a countdown to ``when`` shows seconds (so it must tick every second)."""
    if when is None:
        return False
    left = (when - now).total_seconds()
    return 0 < left < SECONDS_RESOLUTION_BELOW


def local_time(when: datetime, now: datetime, tz: tzinfo | None = None) -> str:
    """``09:00`` when ``when`` is today (local), else ``Thu 09:00``; a date beyond a week."""
    local = when.astimezone(tz)
    today = now.astimezone(tz)
    if local.date() == today.date():
        return local.strftime("%H:%M")
    if abs((local.date() - today.date()).days) < 7:
        return local.strftime("%a %H:%M")
    return local.strftime("%a %d %b %H:%M")


def clock_time(when: datetime, tz: tzinfo | None = None) -> str:
    """Local ``HH:MM`` (for the event log)."""
    return when.astimezone(tz).strftime("%H:%M")


def age(observed_at: datetime, now: datetime) -> str:
    """How old a number is: ``just now``, ``3 min ago``, ``2 h ago``, ``3 d ago``."""
    seconds = (now - observed_at).total_seconds()
    if seconds < 60:
        return "just now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h ago"
    return f"{hours // 24} d ago"


def money(amount: float, currency: str = "USD") -> str:
    """``$3.25``, ``€12.00``, ``12.00 CHF`` (major units)."""
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    if symbol:
        return f"{symbol}{amount:,.2f}"
    return f"{amount:,.2f} {currency.upper()}"


def money_of(used: float | None, limit: float | None, currency: str = "USD") -> str:
    """``$3.25 of $20.00``; ``$3.25 spent · no cap`` without a limit."""
    spent = money(used or 0.0, currency)
    if limit is None:
        return f"{spent} spent · no cap"
    return f"{spent} of {money(limit, currency)}"


PERCENT_SHOWN_MAX = 999  # beyond this a percentage is shown as ">999%", never 300 digits


def percent(value: float | None) -> str:
    """``15%``, ``0.4%`` for small non-zero values, ``—`` for no data, ``>999%`` beyond."""
    if value is None or not math.isfinite(value):
        return "—"
    if value >= PERCENT_SHOWN_MAX + 0.5:
        return f">{PERCENT_SHOWN_MAX}%"
    if value < 0:
        return "0%"
    if 0 < value < 1:
        return f"{value:.1f}%"
    return f"{value:.0f}%"


def short_label(window_id: str, label: str) -> str:
    """A label that fits a 40-column pane: ``5h``, ``7d``, ``7d Opus``."""
    if window_id in SHORT_LABELS:
        return SHORT_LABELS[window_id]
    if label.startswith("Weekly "):
        return "7d " + label.removeprefix("Weekly ")
    return label


def rate_limit_label(limit_id: str, *, short: bool = False) -> str:
    table = RATE_LIMIT_SHORT if short else RATE_LIMIT_LABELS
    return table.get(limit_id, limit_id.replace("_", " ") + "/min")


def bar_cells(fraction: float, width: int) -> tuple[str, str]:
    """The filled and empty parts of a bar ``width`` cells wide, with eighth-cell precision."""
    if width <= 0:
        return "", ""
    fraction = max(0.0, min(1.0, fraction))
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    filled = "█" * full
    if part and full < width:
        filled += _EIGHTHS[part]
    return filled, "░" * (width - len(filled))


def compact_count(value: int) -> str:
    """``950``, ``12.5k``, ``1.2M`` for token counts."""
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    if value >= 1000:
        return f"{value / 1000:.1f}k"
    return str(value)


def tick_period(deadlines: list[datetime | None], now: datetime) -> float:
    """The countdown timer's period: 1 s when some countdown shows seconds, else 60 s."""
    return 1.0 if any(needs_seconds(when, now) for when in deadlines) else 60.0


def wrap_hanging(text: str, width: int, indent: int) -> list[str]:
    """Wrap ``text`` that starts after an ``indent``-wide prefix; later lines are indented too.

    Returns the lines without the prefix; continuation lines start with ``indent`` spaces.
    """
    import textwrap

    room = max(8, width - indent)
    lines = textwrap.wrap(text, room, break_long_words=True, break_on_hyphens=False) or [""]
    return [lines[0], *(" " * indent + line for line in lines[1:])]


_SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: tuple[float, ...] | list[float], width: int) -> str:
    """The last ``width`` percentages (0-100) as block characters; empty without history."""
    points = list(values)[-width:] if width > 0 else []
    if len(points) < 2:
        return ""
    top = len(_SPARKS) - 1
    return "".join(_SPARKS[max(0, min(top, round(p / 100.0 * top)))] for p in points)


# ESC-introduced sequences (CSI, OSC, DCS/SOS/PM/APC strings, two-character escapes), the
# 8-bit CSI/OSC forms, then any control character left (C0, DEL, C1) and bidi overrides.
_ESCAPES = lazy(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|[\x9d\x90\x98\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
)
_CONTROLS = lazy("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = lazy("[\t\n\r]")


def clean(text: str, *, keep_newlines: bool = False) -> str:
    """Text from outside made safe for a terminal: escape sequences and control characters
    removed; tabs and line breaks become spaces unless ``keep_newlines`` (then ``\n`` stays)."""
    if not text or text.isprintable():  # no escape, control, bidi override or line break
        return text
    if keep_newlines and text.replace("\n", "").isprintable():
        return text  # only line breaks, which stay: the usual multi-line output
    text = _ESCAPES.sub("", text)
    if keep_newlines:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    else:
        text = _LINE_BREAKS.sub(" ", text)
    return _CONTROLS.sub("", text)
