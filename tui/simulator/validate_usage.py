"""Scenario checks for the usage body's parts: windows, extra usage, ``spend``, ``limits`` and
other top-level keys sent as they are."""

from __future__ import annotations

import re
from dataclasses import replace

from tui.simulator.reader import NULL, Reader, join, kw, show
from tui.simulator.spec import (
    DEFAULT_EXTRA,
    MAX_UTILIZATION,
    ExtraUsageSpec,
    LimitSpec,
    SpendSpec,
    WindowSpec,
)

WINDOW_KEY = re.compile(r"^(five_hour|seven_day)(_[a-z0-9_]+)?$")
USAGE_KEYS = ("extra_usage", "limits", "spend")
_WINDOW_KEYS = ("utilization", "resets_at")
_EXTRA_KEYS = (
    "is_enabled",
    "monthly_limit",
    "used_credits",
    "utilization",
    "currency",
    "disabled_reason",
    "decimal_places",
)
_LIMIT_KEYS = ("kind", "group", "percent", "resets_at", "model", "model_id", "surface", "is_active")
_SPEND_KEYS = ("enabled", "used", "limit", "currency", "exponent")
_CURRENCY = re.compile(r"[A-Z]{3}")


def _raw(value: object) -> object:
    """A TOML value as JSON: ``"null"`` is null, tables and lists throughout."""
    if value == NULL:
        return None
    if isinstance(value, dict):
        return {k: _raw(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_raw(v) for v in value]
    return value


class UsageReader(Reader):
    """Reads the parts of a state that shape ``GET /api/oauth/usage``."""

    def window(self, raw: object, key: str, prev: WindowSpec | None) -> WindowSpec | None:
        if raw == NULL:
            return None
        table = self.table(raw, key)
        if table is None:
            return prev
        self.keys(table, key, _WINDOW_KEYS)
        util = prev.utilization if prev else None
        if "utilization" in table:
            util = self.number(
                table["utilization"],
                join(key, "utilization"),
                lo=0,
                hi=MAX_UTILIZATION,
                nullable=True,
            )
        elif prev is None:
            self.bad(join(key, "utilization"), 'required (a percentage 0-100, or "null")')
        resets = prev.resets_at if prev else None
        if "resets_at" in table:
            resets = self.number(table["resets_at"], join(key, "resets_at"), lo=0, nullable=True)
        return WindowSpec(utilization=util, resets_at=resets)

    def extra(self, raw: object, key: str, prev: ExtraUsageSpec | None) -> ExtraUsageSpec | None:
        if raw == NULL:
            return None
        table = self.table(raw, key)
        if table is None:
            return prev
        self.keys(table, key, _EXTRA_KEYS)
        spec = prev if prev is not None else DEFAULT_EXTRA
        if "is_enabled" in table:
            enabled = self.boolean(table["is_enabled"], join(key, "is_enabled"))
            if enabled is not None:
                spec = replace(spec, is_enabled=enabled)
        for k in ("monthly_limit", "used_credits"):
            if k in table:
                spec = replace(
                    spec, **kw(k, self.number(table[k], join(key, k), lo=0, nullable=True))
                )
        if "utilization" in table:
            spec = replace(
                spec,
                utilization=self.number(
                    table["utilization"],
                    join(key, "utilization"),
                    lo=0,
                    hi=MAX_UTILIZATION,
                    nullable=True,
                ),
            )
        elif "monthly_limit" in table or "used_credits" in table:
            spec = replace(spec, utilization=None)  # recomputed from the new amounts
        for k in ("currency", "disabled_reason"):
            if k in table:
                spec = replace(spec, **kw(k, self.string(table[k], join(key, k), nullable=True)))
        if "decimal_places" in table:
            places = self.integer(table["decimal_places"], join(key, "decimal_places"))
            if places is not None and places > 9:
                self.bad(join(key, "decimal_places"), f"expected 0 to 9, got {places}")
            else:
                spec = replace(spec, decimal_places=places)
        if spec.currency is not None and not _CURRENCY.fullmatch(spec.currency):
            self.bad(
                join(key, "currency"),
                f"expected an ISO 4217 code like USD, got {show(spec.currency)}",
            )
        return spec

    def limits(self, raw: object, key: str) -> tuple[LimitSpec, ...] | None:
        if not isinstance(raw, list):
            self.bad(key, f"expected a list of tables, got {show(raw)}")
            return None
        out = []
        for i, item in enumerate(raw):
            k = f"{key}[{i}]"
            table = self.table(item, k)
            if table is None:
                continue
            self.keys(table, k, _LIMIT_KEYS)
            kind = self.string(table.get("kind"), join(k, "kind")) if "kind" in table else None
            if kind is None:
                if "kind" not in table:
                    self.bad(join(k, "kind"), "required (session, weekly_all, weekly_scoped, ...)")
                continue
            percent = None
            if "percent" in table:
                percent = self.number(
                    table["percent"], join(k, "percent"), lo=0, hi=MAX_UTILIZATION, nullable=True
                )
            resets = None
            if "resets_at" in table:
                resets = self.number(table["resets_at"], join(k, "resets_at"), lo=0, nullable=True)
            strings: dict[str, str | None] = {}
            for s in ("group", "model", "model_id", "surface"):
                strings[s] = (
                    self.string(table[s], join(k, s), nullable=True) if s in table else None
                )
            active = False
            if "is_active" in table:
                active = bool(self.boolean(table["is_active"], join(k, "is_active")))
            out.append(
                LimitSpec(
                    kind=kind,
                    group=strings["group"],
                    percent=percent,
                    resets_at=resets,
                    model=strings["model"],
                    model_id=strings["model_id"],
                    surface=strings["surface"],
                    is_active=active,
                )
            )
        return tuple(out)

    def spend(self, raw: object, key: str, prev: SpendSpec | None) -> SpendSpec | None:
        """``spend = { enabled, used, limit, currency, exponent }``; amounts in minor units."""
        if raw == NULL:
            return None
        table = self.table(raw, key)
        if table is None:
            return prev
        self.keys(table, key, _SPEND_KEYS)
        spec = prev if prev is not None else SpendSpec(enabled=True, used=0.0, limit=None)
        if "enabled" in table:
            enabled = self.boolean(table["enabled"], join(key, "enabled"))
            if enabled is not None:
                spec = replace(spec, enabled=enabled)
        for k in ("used", "limit"):
            if k in table:
                spec = replace(
                    spec, **kw(k, self.number(table[k], join(key, k), lo=0, nullable=True))
                )
        if "currency" in table:
            currency = self.string(table["currency"], join(key, "currency"))
            if currency is not None and not _CURRENCY.fullmatch(currency):
                self.bad(
                    join(key, "currency"),
                    f"expected an ISO 4217 code like USD, got {show(currency)}",
                )
            elif currency is not None:
                spec = replace(spec, currency=currency)
        if "exponent" in table:
            exponent = self.integer(table["exponent"], join(key, "exponent"))
            if exponent is not None and exponent > 9:
                self.bad(join(key, "exponent"), f"expected 0 to 9, got {exponent}")
            elif exponent is not None:
                spec = replace(spec, exponent=exponent)
        return spec

    def other_keys(self, raw: object, key: str) -> tuple[tuple[str, object], ...]:
        """More top-level keys for the usage body, sent as they are (``"null"`` is null)."""
        table = self.table(raw, key)
        if table is None:
            return ()
        out: list[tuple[str, object]] = []
        for k, v in table.items():
            if WINDOW_KEY.match(k) or k in USAGE_KEYS:
                self.bad(join(key, k), f'"{k}" has its own key in a state; set it there')
                continue
            out.append((k, _raw(v)))
        return tuple(out)
