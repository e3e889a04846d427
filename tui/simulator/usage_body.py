"""The body of ``GET /api/oauth/usage`` for a scenario state, in every shape the endpoint sends:
top-level windows, ``extra_usage``, ``spend``, the ``limits`` list and other keys as they are."""

from __future__ import annotations

from datetime import datetime

from tui.simulator.formats import at, num, rfc3339_micro, whole
from tui.simulator.spec import (
    KNOWN_WINDOWS,
    ExtraUsageSpec,
    LimitSpec,
    SpendSpec,
    State,
    WindowSpec,
)


def _window_body(spec: WindowSpec | None, start: datetime) -> dict[str, object] | None:
    if spec is None:
        return None
    resets = None if spec.resets_at is None else rfc3339_micro(at(start, spec.resets_at))
    return {"utilization": num(spec.utilization), "resets_at": resets}


def extra_usage_body(extra: ExtraUsageSpec | None) -> dict[str, object] | None:
    if extra is None:
        return None
    body: dict[str, object] = {
        "is_enabled": extra.is_enabled,
        "monthly_limit": whole(extra.monthly_limit),
        "used_credits": num(extra.used_credits),
        "utilization": num(extra.current_utilization()),
    }
    if extra.currency is not None:
        body["currency"] = extra.currency
    if extra.disabled_reason is not None:
        body["disabled_reason"] = extra.disabled_reason
    if extra.decimal_places is not None:
        body["decimal_places"] = extra.decimal_places
    return body


def _amount(minor: float | None, spend: SpendSpec) -> dict[str, object] | None:
    if minor is None:
        return None
    return {"amount_minor": round(minor), "currency": spend.currency, "exponent": spend.exponent}


def spend_body(spend: SpendSpec | None) -> dict[str, object] | None:
    """The newer ``spend`` object: amounts as ``amount_minor`` / 10**``exponent``."""
    if spend is None:
        return None
    return {
        "enabled": spend.enabled,
        "used": _amount(spend.used, spend),
        "limit": _amount(spend.limit, spend),
    }


def _limit_body(lim: LimitSpec, start: datetime) -> dict[str, object]:
    scope: dict[str, object] | None = None
    if lim.model is not None or lim.model_id is not None or lim.surface is not None:
        model = None
        if lim.model is not None or lim.model_id is not None:
            model = {"id": lim.model_id, "display_name": lim.model}
        scope = {"model": model, "surface": lim.surface}
    return {
        "kind": lim.kind,
        "group": lim.group,
        "percent": None if lim.percent is None else round(lim.percent),
        "resets_at": None if lim.resets_at is None else rfc3339_micro(at(start, lim.resets_at)),
        "scope": scope,
        "is_active": lim.is_active,
    }


def usage_body(state: State, start: datetime) -> dict[str, object]:
    """``GET /api/oauth/usage``: every known window (null when absent), extra usage, spend,
    limits, then the state's other keys as they are."""
    windows = dict(state.windows)
    body: dict[str, object] = {wid: _window_body(windows.get(wid), start) for wid in KNOWN_WINDOWS}
    for wid, spec in state.windows:
        if wid not in body:
            body[wid] = _window_body(spec, start)
    body["extra_usage"] = extra_usage_body(state.extra_usage)
    if state.spend is not None:
        body["spend"] = spend_body(state.spend)
    if state.limits is not None:
        body["limits"] = [_limit_body(lim, start) for lim in state.limits]
    for key, value in state.other_keys:
        body.setdefault(key, value)
    return body
