"""The usage endpoint's 200 body -> frozen windows and extra usage. Pure, never raises.

Shapes read (see ``anthropic-api.md`` sections 1 and 9):
- top-level windows: ``five_hour``, ``seven_day`` and any ``seven_day_*`` (or ``five_hour_*``)
  object; other keys (``iguana_necktie``, ...) are left alone;
- the ``limits`` list of newer accounts: ``session`` / ``weekly_all`` / ``weekly_scoped`` entries
  (others by their kind). Placeholders (``percent`` 0, ``resets_at`` null, ``is_active`` false)
  are no window at all. A scoped entry with numbers wins over a top-level key without them, and
  names the top-level key it matches (``seven_day_omelette`` is shown as "Weekly Claude Design");
- money: ``spend`` (amount_minor / 10**exponent) when present, else ``extra_usage`` in minor units
  (``decimal_places`` when given, else the currency's usual minor unit).
Nulls mean "no data" (or "not started" for the five-hour window), never 0%.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from tui.models import ExtraUsage, Window
from tui.record import record, replace
from tui.sources.values import minor_to_major, parse_time, to_exponent, to_number

SOURCE_ID = "oauth_usage"

_LIMIT_KINDS = {"session": "five_hour", "weekly_all": "seven_day"}
_WINDOW_PREFIXES = ("five_hour", "seven_day")
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


def _is_window_key(key: str) -> bool:
    """``five_hour`` or ``seven_day``, alone or with a ``_suffix`` of [a-z0-9_]."""
    for prefix in _WINDOW_PREFIXES:
        if key.startswith(prefix):
            rest = key[len(prefix) :]
            return not rest or (len(rest) > 1 and rest[0] == "_" and _KEY_CHARS.issuperset(rest))
    return False


# Code names of the top-level keys whose product name the endpoint does not always give.
_KNOWN_NAMES = {"omelette": "Claude Design"}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


@record
class _Limit:
    """One readable ``limits`` entry: its window, and every name its scope gives."""

    window: Window
    names: tuple[str, ...]  # slugs of model id, display name and surface
    display: str | None


def _has_data(window: Window) -> bool:
    return window.used_percent is not None or window.resets_at is not None


def _top_window(key: str, value: Mapping[str, object], observed_at: datetime) -> Window:
    used = to_number(value.get("utilization"))
    resets = parse_time(value.get("resets_at"))
    not_started = key == "five_hour" and used is None and resets is None
    label = ""
    code = key.removeprefix("seven_day_") if key.startswith("seven_day_") else ""
    if code in _KNOWN_NAMES:
        label = f"Weekly {_KNOWN_NAMES[code]}"
    return Window(
        id=key,
        used_percent=used,
        resets_at=resets,
        source=SOURCE_ID,
        observed_at=observed_at,
        label=label,
        not_started=not_started,
    )


def _scope_names(scope: object) -> tuple[str | None, tuple[str, ...]]:
    """(display name, slugs of every identifier) of a ``limits`` entry's scope."""
    if not isinstance(scope, Mapping):
        return None, ()
    texts: list[str] = []
    model = scope.get("model")
    if isinstance(model, Mapping):
        for key in ("display_name", "id"):
            name = model.get(key)
            if isinstance(name, str) and name.strip():
                texts.append(name.strip())
    surface = scope.get("surface")
    if isinstance(surface, str) and surface.strip():
        texts.append(surface.strip())
    names = tuple(s for s in (slug(t) for t in texts) if s)
    display = next((t for t in texts if slug(t)), None)
    return display, names


def _is_placeholder(entry: Mapping[str, object], used: float | None) -> bool:
    """A scoped window the account does not use: 0% (or none), no reset, not active."""
    return (
        entry.get("is_active") is not True
        and entry.get("resets_at") is None
        and (used is None or used == 0)
    )


def _limit(entry: Mapping[str, object], observed_at: datetime) -> _Limit | None:
    kind = entry.get("kind")
    if not isinstance(kind, str) or not slug(kind):
        return None
    used = to_number(entry.get("percent"))
    if used is None:
        used = to_number(entry.get("utilization"))
    if _is_placeholder(entry, used):
        return None
    resets = parse_time(entry.get("resets_at"))
    display, names = _scope_names(entry.get("scope"))
    label = ""
    scope: str | None = None
    if kind in _LIMIT_KINDS:
        window_id = _LIMIT_KINDS[kind]
    elif kind == "weekly_scoped":
        if display is None:
            return None
        window_id = f"seven_day_{slug(display)}"
        label = f"Weekly {display}"
        scope = display
    else:
        base = slug(kind)
        window_id = f"{base}_{slug(display)}" if display else base
    not_started = window_id == "five_hour" and used is None and resets is None
    window = Window(
        id=window_id,
        used_percent=used,
        resets_at=resets,
        source=SOURCE_ID,
        observed_at=observed_at,
        label=label,
        not_started=not_started,
        scope=scope,
    )
    return _Limit(window, names if kind == "weekly_scoped" else (), display)


def _rank(window_id: str) -> int:
    if window_id == "five_hour":
        return 0
    if window_id == "seven_day":
        return 1
    if window_id.startswith("seven_day_"):
        return 2
    return 3


def _merge_limits(
    found: dict[str, Window], top_keys: set[str], limits: object, observed_at: datetime
) -> None:
    """Add the ``limits`` entries to the top-level windows (in place), by the rules above.

    ``top_keys``: every window key of the body, null ones too (their ids are kept)."""
    if not isinstance(limits, list):
        return
    for entry in limits:
        if not isinstance(entry, Mapping):
            continue
        limit = _limit(entry, observed_at)
        if limit is None:
            continue
        window = limit.window
        # A top-level seven_day_<code> key this entry names (by model id, name or surface).
        for name in limit.names:
            key = f"seven_day_{name}"
            if key in top_keys:
                window = replace(window, id=key)
                break
        current = found.get(window.id)
        if current is None or (not _has_data(current) and _has_data(window)):
            found[window.id] = window
        elif limit.display and window.scope is not None and current.scope is None:
            # The top-level numbers win; the list still gives the window its name.
            found[window.id] = replace(
                current, label=f"Weekly {limit.display}", scope=limit.display
            )


def _amount(value: object) -> tuple[float | None, str | None]:
    """A ``spend`` amount ``{"amount_minor", "currency", "exponent"}`` -> (major, currency)."""
    if not isinstance(value, Mapping):
        return None, None
    raw = value.get("currency")
    currency = raw.strip().upper() if isinstance(raw, str) and raw.strip() else None
    minor = to_number(value.get("amount_minor"))
    major = minor_to_major(minor, currency or "USD", to_exponent(value.get("exponent")))
    return major, currency


def _currency(value: Mapping[str, object]) -> str:
    raw = value.get("currency")
    return raw.strip().upper() if isinstance(raw, str) and raw.strip() else "USD"


def _extra_usage(value: object, spend: object, observed_at: datetime) -> ExtraUsage | None:
    extra = value if isinstance(value, Mapping) else None
    money = spend if isinstance(spend, Mapping) else None
    if extra is None and money is None:
        return None
    enabled = extra is not None and extra.get("is_enabled") is True
    used = limit = percent = None
    currency = "USD"
    reason: object = None
    if extra is not None:
        currency = _currency(extra)
        places = to_exponent(extra.get("decimal_places"))
        used = minor_to_major(to_number(extra.get("used_credits")), currency, places)
        limit = minor_to_major(to_number(extra.get("monthly_limit")), currency, places)
        percent = to_number(extra.get("utilization"))
        reason = extra.get("disabled_reason")
    if money is not None:
        if isinstance(money.get("enabled"), bool):
            enabled = money["enabled"] is True
        spent, spent_currency = _amount(money.get("used"))
        cap, cap_currency = _amount(money.get("limit"))
        if spent is not None or cap is not None:
            currency = spent_currency or cap_currency or currency
            used = spent
            limit = cap
            percent = None
        if reason is None:
            reason = money.get("disabled_reason")
    if percent is None and used is not None and limit:
        percent = 100.0 * used / limit
    return ExtraUsage(
        enabled=enabled,
        used=used,
        limit=limit,
        currency=currency,
        used_percent=percent,
        observed_at=observed_at,
        source=SOURCE_ID,
        disabled_reason=reason if isinstance(reason, str) and reason else None,
    )


def _parse_usage(
    payload: object, observed_at: datetime
) -> tuple[tuple[Window, ...], ExtraUsage | None]:
    if not isinstance(payload, Mapping):
        return (), None
    found: dict[str, Window] = {}
    top_keys: set[str] = set()
    for key, value in payload.items():
        if not isinstance(key, str) or not _is_window_key(key):
            continue
        top_keys.add(key)
        if isinstance(value, Mapping) and ("utilization" in value or "resets_at" in value):
            found[key] = _top_window(key, value, observed_at)
    _merge_limits(found, top_keys, payload.get("limits"), observed_at)
    order = {wid: i for i, wid in enumerate(found)}
    windows = tuple(sorted(found.values(), key=lambda w: (_rank(w.id), order[w.id])))
    extra = _extra_usage(payload.get("extra_usage"), payload.get("spend"), observed_at)
    return windows, extra


def parse_usage(
    payload: object, observed_at: datetime
) -> tuple[tuple[Window, ...], ExtraUsage | None]:
    """The usage JSON -> windows and extra usage. Any shape in, never an exception out."""
    try:
        return _parse_usage(payload, observed_at)
    except Exception:
        return (), None
