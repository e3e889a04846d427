"""Validation of scenario TOML data: builds the specs and names every bad key.

Every problem is collected (not only the first) with its dotted key, e.g.
``state[2].five_hour.utilization``, and unknown keys get a "did you mean" hint.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from tui.simulator.errors import ERRORS
from tui.simulator.faults import FAULT_FIELDS, Fault, FaultError
from tui.simulator.spec import (
    BUCKETS,
    DEFAULT_EXTRA,
    ENDPOINTS,
    KNOWN_WINDOWS,
    MAX_UTILIZATION,
    TOKEN_STATES,
    UNIFIED_STATUSES,
    Account,
    AdminSpec,
    Behavior,
    BucketSpec,
    ErrorSpec,
    ExtraUsageSpec,
    LimitSpec,
    Scenario,
    ScenarioError,
    State,
    UnifiedSpec,
    WindowSpec,
)

_EXTRA_WINDOW = re.compile(r"^(five_hour|seven_day)_[a-z0-9_]+$")
_TOP_KEYS = ("name", "description", "loop", "duration", "account", "admin", "state")
_ACCOUNT_KEYS = (
    "email",
    "full_name",
    "display_name",
    "organization_name",
    "organization_type",
    "rate_limit_tier",
    "billing_type",
    "has_extra_usage_enabled",
)
_ADMIN_KEYS = (
    "input_tokens_per_hour",
    "output_tokens_per_hour",
    "cache_read_input_tokens_per_hour",
    "models",
)
_STATE_DATA_KEYS = ("at", "ramp", "extra_usage", "limits", "rate_limits", "unified", "token")
_WINDOW_KEYS = ("utilization", "resets_at")
_EXTRA_KEYS = (
    "is_enabled",
    "monthly_limit",
    "used_credits",
    "utilization",
    "currency",
    "disabled_reason",
)
_LIMIT_KEYS = ("kind", "group", "percent", "resets_at", "model", "model_id", "surface", "is_active")
_BUCKET_KEYS = ("limit", "remaining", "resets_at")
_UNIFIED_KEYS = (
    "status",
    "representative_claim",
    "overage_status",
    "overage_disabled_reason",
    "fallback_percentage",
)
_BEHAVIOR_KEYS = ("error", "retry_after", "retry_after_date", "fault", "every", "auth")
_ERROR_TABLE_KEYS = ("status", "type", "message", "details", "bare")


def parse_scenario(
    data: Mapping[str, object], *, source: str = "<dict>", default_name: str = "custom"
) -> Scenario:
    """A scenario from parsed TOML data. Raises ScenarioError naming ``source`` and the keys."""
    reader = _Reader()
    scenario = reader.scenario(data, default_name, source)
    if reader.problems or scenario is None:
        raise ScenarioError(source, reader.problems or [(None, "empty scenario")])
    return scenario


_NULL = "null"


def _kw(name: str, value: object) -> dict[str, Any]:
    return {name: value}


def _join(key: str, sub: str) -> str:
    return f"{key}.{sub}" if key else sub


def _show(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)


class _Reader:
    """Walks the TOML data, building specs and collecting every problem with its key."""

    def __init__(self) -> None:
        self.problems: list[tuple[str | None, str]] = []

    def bad(self, key: str, message: str) -> None:
        self.problems.append((key, message))

    def keys(self, table: Mapping[str, object], key: str, allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        for k in table:
            if k not in allowed:
                hint = difflib.get_close_matches(k, allowed, n=1)
                did = f' (did you mean "{hint[0]}"?)' if hint else ""
                self.bad(_join(key, k), f"unknown key{did}")

    def table(self, value: object, key: str) -> Mapping[str, object] | None:
        if isinstance(value, dict):
            return value
        self.bad(key, f"expected a table, got {_show(value)}")
        return None

    def number(
        self,
        value: object,
        key: str,
        *,
        lo: float | None = None,
        hi: float | None = None,
        nullable: bool = False,
    ) -> float | None:
        if nullable and value == _NULL:
            return None
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and isinstance(value, int | float):
            num = float(value)
            if math.isfinite(num) and (lo is None or num >= lo) and (hi is None or num <= hi):
                return num
        want = "a number"
        if lo is not None and hi is not None:
            want = f"a number from {lo:g} to {hi:g}"
        elif lo is not None:
            want = f"a number of at least {lo:g}"
        if nullable:
            want += ' or "null"'
        self.bad(key, f"expected {want}, got {_show(value)}")
        return None

    def integer(self, value: object, key: str, *, lo: int = 0) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool) and value >= lo:
            return value
        self.bad(key, f"expected a whole number of at least {lo}, got {_show(value)}")
        return None

    def string(
        self,
        value: object,
        key: str,
        *,
        choices: Iterable[str] | None = None,
        nullable: bool = False,
    ) -> str | None:
        if nullable and value == _NULL:
            return None
        if isinstance(value, str) and value:
            options = list(choices) if choices is not None else None
            if options is None or value in options:
                return value
            hint = difflib.get_close_matches(value, options, n=1)
            did = f' (did you mean "{hint[0]}"?)' if hint else ""
            self.bad(key, f"expected one of {', '.join(options)}, got {_show(value)}{did}")
            return None
        self.bad(key, f"expected text, got {_show(value)}")
        return None

    def boolean(self, value: object, key: str) -> bool | None:
        if isinstance(value, bool):
            return value
        self.bad(key, f"expected true or false, got {_show(value)}")
        return None

    # ----------------------------------------------------------------- top level

    def scenario(
        self, data: Mapping[str, object], default_name: str, source: str
    ) -> Scenario | None:
        self.keys(data, "", _TOP_KEYS)
        name = default_name
        if "name" in data:
            name = self.string(data["name"], "name") or default_name
        description = ""
        if "description" in data:
            description = self.string(data["description"], "description") or ""
        loop = False
        if "loop" in data:
            loop = bool(self.boolean(data["loop"], "loop"))
        duration = None
        if "duration" in data:
            duration = self.number(data["duration"], "duration", lo=1)
        account = self.account(data.get("account"))
        admin = self.admin(data.get("admin"))
        raw_states = data.get("state")
        if not isinstance(raw_states, list) or not raw_states:
            self.bad("state", "expected at least one [[state]] table")
            return None
        states: list[State] = []
        previous = State(at=0.0)
        for i, raw in enumerate(raw_states):
            key = f"state[{i}]"
            table = self.table(raw, key)
            if table is None:
                continue
            st = self.state(table, key, previous, first=not states)
            if st is None:
                continue
            if states and st.at <= states[-1].at:
                self.bad(
                    _join(key, "at"), f"must be later than the previous state ({states[-1].at:g})"
                )
            states.append(st)
            previous = st
        if not states:
            return None
        if states[0].at != 0:
            self.bad("state[0].at", "the first state must start at 0")
        if loop and duration is None:
            self.bad("duration", "required when loop = true")
        if duration is not None and duration <= states[-1].at:
            self.bad("duration", f"must be longer than the last state's at ({states[-1].at:g})")
        if account.has_extra_usage_enabled is None:
            extra = states[0].extra_usage
            account = replace(account, has_extra_usage_enabled=bool(extra and extra.is_enabled))
        return Scenario(
            name=name,
            states=tuple(states),
            description=description,
            loop=loop,
            duration=duration,
            account=account,
            admin=admin,
            source=source,
        )

    def account(self, raw: object) -> Account:
        if raw is None:
            return Account()
        table = self.table(raw, "account")
        if table is None:
            return Account()
        self.keys(table, "account", _ACCOUNT_KEYS)
        values: dict[str, object] = {}
        for k in _ACCOUNT_KEYS:
            if k not in table:
                continue
            if k == "has_extra_usage_enabled":
                values[k] = self.boolean(table[k], f"account.{k}")
            else:
                values[k] = self.string(table[k], f"account.{k}")
        clean = {k: v for k, v in values.items() if v is not None}
        return Account(**clean)  # type: ignore[arg-type]

    def admin(self, raw: object) -> AdminSpec:
        if raw is None:
            return AdminSpec()
        table = self.table(raw, "admin")
        if table is None:
            return AdminSpec()
        self.keys(table, "admin", _ADMIN_KEYS)
        spec = AdminSpec()
        for k in _ADMIN_KEYS[:3]:
            if k in table:
                val = self.integer(table[k], f"admin.{k}")
                if val is not None:
                    spec = replace(spec, **_kw(k, val))
        if "models" in table:
            models = table["models"]
            if (
                isinstance(models, list)
                and models
                and all(isinstance(m, str) and m for m in models)
            ):
                spec = replace(spec, models=tuple(str(m) for m in models))
            else:
                self.bad(
                    "admin.models", f"expected a non-empty list of model ids, got {_show(models)}"
                )
        return spec

    # ----------------------------------------------------------------- one state

    def state(
        self, table: Mapping[str, object], key: str, prev: State, *, first: bool
    ) -> State | None:
        allowed = [*_STATE_DATA_KEYS, *KNOWN_WINDOWS, *ENDPOINTS, "*"]
        for k in table:
            if k in allowed or _EXTRA_WINDOW.match(k):
                continue
            hint = difflib.get_close_matches(k, allowed, n=1)
            did = f' (did you mean "{hint[0]}"?)' if hint else ""
            self.bad(_join(key, k), f"unknown key{did}")
        if "at" not in table:
            self.bad(_join(key, "at"), "required: seconds from the scenario start")
            return None
        at = self.number(table["at"], _join(key, "at"), lo=0)
        if at is None:
            return None
        ramp = False
        if "ramp" in table:
            ramp = bool(self.boolean(table["ramp"], _join(key, "ramp")))
            if ramp and first:
                self.bad(_join(key, "ramp"), "the first state has nothing to ramp from")
        windows = dict(prev.windows)
        for k, v in table.items():
            if k in KNOWN_WINDOWS or _EXTRA_WINDOW.match(k):
                windows[k] = self.window(v, _join(key, k), windows.get(k))
        extra = prev.extra_usage
        if "extra_usage" in table:
            extra = self.extra(table["extra_usage"], _join(key, "extra_usage"), prev.extra_usage)
        limits = prev.limits
        if "limits" in table:
            limits = self.limits(table["limits"], _join(key, "limits"))
        buckets = prev.rate_limits
        if "rate_limits" in table:
            buckets = self.buckets(table["rate_limits"], _join(key, "rate_limits"), prev)
        unified = prev.unified
        if "unified" in table:
            unified = self.unified(table["unified"], _join(key, "unified"))
        token = prev.token
        if "token" in table:
            token = self.string(table["token"], _join(key, "token"), choices=TOKEN_STATES) or token
        behaviors: dict[str, Behavior] = {}
        for endpoint in (*ENDPOINTS, "*"):
            if endpoint in table:
                beh = self.behavior(table[endpoint], _join(key, endpoint))
                if beh is not None:
                    behaviors[endpoint] = beh
        ordered = [(w, windows[w]) for w in KNOWN_WINDOWS if w in windows]
        ordered += [(w, s) for w, s in windows.items() if w not in KNOWN_WINDOWS]
        return State(
            at=at,
            ramp=ramp,
            windows=tuple(ordered),
            extra_usage=extra,
            limits=limits,
            rate_limits=buckets,
            unified=unified,
            token=token,
            behaviors=behaviors,
        )

    def window(self, raw: object, key: str, prev: WindowSpec | None) -> WindowSpec | None:
        if raw == _NULL:
            return None
        table = self.table(raw, key)
        if table is None:
            return prev
        self.keys(table, key, _WINDOW_KEYS)
        util = prev.utilization if prev else None
        if "utilization" in table:
            util = self.number(
                table["utilization"],
                _join(key, "utilization"),
                lo=0,
                hi=MAX_UTILIZATION,
                nullable=True,
            )
        elif prev is None:
            self.bad(_join(key, "utilization"), 'required (a percentage 0-100, or "null")')
        resets = prev.resets_at if prev else None
        if "resets_at" in table:
            resets = self.number(table["resets_at"], _join(key, "resets_at"), lo=0, nullable=True)
        return WindowSpec(utilization=util, resets_at=resets)

    def extra(self, raw: object, key: str, prev: ExtraUsageSpec | None) -> ExtraUsageSpec | None:
        if raw == _NULL:
            return None
        table = self.table(raw, key)
        if table is None:
            return prev
        self.keys(table, key, _EXTRA_KEYS)
        spec = prev if prev is not None else DEFAULT_EXTRA
        if "is_enabled" in table:
            enabled = self.boolean(table["is_enabled"], _join(key, "is_enabled"))
            if enabled is not None:
                spec = replace(spec, is_enabled=enabled)
        for k in ("monthly_limit", "used_credits"):
            if k in table:
                spec = replace(
                    spec, **_kw(k, self.number(table[k], _join(key, k), lo=0, nullable=True))
                )
        if "utilization" in table:
            spec = replace(
                spec,
                utilization=self.number(
                    table["utilization"],
                    _join(key, "utilization"),
                    lo=0,
                    hi=MAX_UTILIZATION,
                    nullable=True,
                ),
            )
        elif "monthly_limit" in table or "used_credits" in table:
            spec = replace(spec, utilization=None)  # recomputed from the new amounts
        for k in ("currency", "disabled_reason"):
            if k in table:
                spec = replace(spec, **_kw(k, self.string(table[k], _join(key, k), nullable=True)))
        if spec.currency is not None and not re.fullmatch(r"[A-Z]{3}", spec.currency):
            self.bad(
                _join(key, "currency"),
                f"expected an ISO 4217 code like USD, got {_show(spec.currency)}",
            )
        return spec

    def limits(self, raw: object, key: str) -> tuple[LimitSpec, ...] | None:
        if not isinstance(raw, list):
            self.bad(key, f"expected a list of tables, got {_show(raw)}")
            return None
        out = []
        for i, item in enumerate(raw):
            k = f"{key}[{i}]"
            table = self.table(item, k)
            if table is None:
                continue
            self.keys(table, k, _LIMIT_KEYS)
            kind = self.string(table.get("kind"), _join(k, "kind")) if "kind" in table else None
            if kind is None:
                if "kind" not in table:
                    self.bad(_join(k, "kind"), "required (session, weekly_all, weekly_scoped, ...)")
                continue
            percent = None
            if "percent" in table:
                percent = self.number(
                    table["percent"], _join(k, "percent"), lo=0, hi=MAX_UTILIZATION, nullable=True
                )
            resets = None
            if "resets_at" in table:
                resets = self.number(table["resets_at"], _join(k, "resets_at"), lo=0, nullable=True)
            strings: dict[str, str | None] = {}
            for s in ("group", "model", "model_id", "surface"):
                strings[s] = (
                    self.string(table[s], _join(k, s), nullable=True) if s in table else None
                )
            active = False
            if "is_active" in table:
                active = bool(self.boolean(table["is_active"], _join(k, "is_active")))
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

    def buckets(self, raw: object, key: str, prev: State) -> tuple[tuple[str, BucketSpec], ...]:
        current = dict(prev.rate_limits)
        table = self.table(raw, key)
        if table is None:
            return prev.rate_limits
        self.keys(table, key, BUCKETS)
        for name in BUCKETS:
            if name not in table:
                continue
            k = _join(key, name)
            sub = self.table(table[name], k)
            if sub is None:
                continue
            self.keys(sub, k, _BUCKET_KEYS)
            spec = current[name]
            if "limit" in sub:
                limit = self.integer(sub["limit"], _join(k, "limit"), lo=1)
                if limit is not None:
                    spec = replace(spec, limit=limit, remaining=min(spec.remaining, limit))
            if "remaining" in sub:
                rem = self.number(sub["remaining"], _join(k, "remaining"), lo=0)
                if rem is not None:
                    if rem > spec.limit:
                        self.bad(_join(k, "remaining"), f"must not exceed limit ({spec.limit})")
                    spec = replace(spec, remaining=rem)
            if "resets_at" in sub:
                spec = replace(
                    spec,
                    resets_at=self.number(
                        sub["resets_at"], _join(k, "resets_at"), lo=0, nullable=True
                    ),
                )
            current[name] = spec
        return tuple((n, current[n]) for n in BUCKETS)

    def unified(self, raw: object, key: str) -> UnifiedSpec:
        table = self.table(raw, key)
        if table is None:
            return UnifiedSpec()
        self.keys(table, key, _UNIFIED_KEYS)
        spec = UnifiedSpec()
        if "status" in table:
            spec = replace(
                spec,
                status=self.string(table["status"], _join(key, "status"), choices=UNIFIED_STATUSES),
            )
        if "overage_status" in table:
            spec = replace(
                spec,
                overage_status=self.string(
                    table["overage_status"], _join(key, "overage_status"), choices=UNIFIED_STATUSES
                ),
            )
        for k in ("representative_claim", "overage_disabled_reason"):
            if k in table:
                spec = replace(spec, **_kw(k, self.string(table[k], _join(key, k))))
        if "fallback_percentage" in table:
            spec = replace(
                spec,
                fallback_percentage=self.number(
                    table["fallback_percentage"], _join(key, "fallback_percentage"), lo=0, hi=1
                ),
            )
        return spec

    def behavior(self, raw: object, key: str) -> Behavior | None:
        table = self.table(raw, key)
        if table is None:
            return None
        self.keys(table, key, _BEHAVIOR_KEYS)
        beh = Behavior()
        if "error" in table:
            beh = replace(beh, error=self.error(table["error"], _join(key, "error")))
        if "retry_after" in table:
            ra = table["retry_after"]
            if isinstance(ra, int | float) and not isinstance(ra, bool) and ra >= 0:
                beh = replace(beh, retry_after=f"{ra:g}")
            elif isinstance(ra, str) and ra:
                beh = replace(beh, retry_after=ra)
            else:
                self.bad(
                    _join(key, "retry_after"), f"expected seconds or header text, got {_show(ra)}"
                )
        if "retry_after_date" in table:
            beh = replace(
                beh,
                retry_after_date=self.number(
                    table["retry_after_date"], _join(key, "retry_after_date"), lo=0
                ),
            )
        if "fault" in table:
            beh = replace(beh, fault=self.fault(table["fault"], _join(key, "fault")))
        if "every" in table:
            beh = replace(beh, every=self.integer(table["every"], _join(key, "every"), lo=1) or 1)
        if "auth" in table:
            auth = self.string(table["auth"], _join(key, "auth"), choices=("bearer", "x-api-key"))
            if auth == "bearer":
                beh = replace(beh, auth="bearer")
            elif auth == "x-api-key":
                beh = replace(beh, auth="x-api-key")
        if (
            beh.error is None
            and beh.fault is None
            and "error" not in table
            and "fault" not in table
        ):
            self.bad(key, "needs an error or a fault")
        return beh

    def error(self, raw: object, key: str) -> ErrorSpec | None:
        if isinstance(raw, str):
            if raw in ERRORS:
                return ERRORS[raw]
            self.string(raw, key, choices=sorted(ERRORS))
            return None
        table = self.table(raw, key)
        if table is None:
            return None
        self.keys(table, key, _ERROR_TABLE_KEYS)
        status = self.integer(table.get("status"), _join(key, "status"), lo=400)
        if status is not None and status > 599:
            self.bad(_join(key, "status"), f"expected a 4xx or 5xx status, got {status}")
        etype = self.string(table.get("type"), _join(key, "type"))
        message = self.string(table.get("message"), _join(key, "message"))
        details = None
        if "details" in table:
            details = self.table(table["details"], _join(key, "details"))
        bare = False
        if "bare" in table:
            bare = bool(self.boolean(table["bare"], _join(key, "bare")))
        if status is None or etype is None or message is None:
            return None
        return ErrorSpec(status=status, type=etype, message=message, details=details, bare=bare)

    def fault(self, raw: object, key: str) -> Fault | None:
        if isinstance(raw, str):
            raw = {"kind": raw}
        table = self.table(raw, key)
        if table is None:
            return None
        self.keys(table, key, FAULT_FIELDS)
        if "kind" not in table:
            self.bad(_join(key, "kind"), "required")
            return None
        try:
            known = {k: v for k, v in table.items() if k in FAULT_FIELDS}
            return Fault(**known)  # type: ignore[arg-type]
        except FaultError as exc:
            self.bad(_join(key, exc.field), exc.problem)
        except TypeError as exc:
            self.bad(key, str(exc))
        return None
