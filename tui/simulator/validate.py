"""Validation of scenario TOML data: builds the specs and names every bad key.

Every problem is collected (not only the first) with its dotted key, e.g.
``state[2].five_hour.utilization``, and unknown keys get a "did you mean" hint. This module reads
the top level, the account, the admin figures and each state; the parts of a state are read by
``validate_usage`` (the usage body) and ``validate_behavior`` (headers, errors, faults), on the
value checks of ``reader``.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import replace

from tui.simulator.reader import join, kw, show
from tui.simulator.spec import (
    ENDPOINTS,
    KNOWN_WINDOWS,
    TOKEN_STATES,
    Account,
    AdminSpec,
    Behavior,
    Scenario,
    ScenarioError,
    State,
)
from tui.simulator.validate_behavior import BehaviorReader
from tui.simulator.validate_usage import WINDOW_KEY, UsageReader

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
_STATE_DATA_KEYS = (
    "at",
    "ramp",
    "extra_usage",
    "spend",
    "limits",
    "other_keys",
    "rate_limits",
    "unified",
    "token",
)


def parse_scenario(
    data: Mapping[str, object], *, source: str = "<dict>", default_name: str = "custom"
) -> Scenario:
    """A scenario from parsed TOML data. Raises ScenarioError naming ``source`` and the keys."""
    reader = _Reader()
    scenario = reader.scenario(data, default_name, source)
    if reader.problems or scenario is None:
        raise ScenarioError(source, reader.problems or [(None, "empty scenario")])
    return scenario


class _Reader(UsageReader, BehaviorReader):
    """Walks the TOML data, building specs and collecting every problem with its key."""

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
                    join(key, "at"), f"must be later than the previous state ({states[-1].at:g})"
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
                    spec = replace(spec, **kw(k, val))
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
                    "admin.models", f"expected a non-empty list of model ids, got {show(models)}"
                )
        return spec

    # ----------------------------------------------------------------- one state

    def state(
        self, table: Mapping[str, object], key: str, prev: State, *, first: bool
    ) -> State | None:
        allowed = [*_STATE_DATA_KEYS, *KNOWN_WINDOWS, *ENDPOINTS, "*"]
        for k in table:
            if k in allowed or WINDOW_KEY.match(k):
                continue
            hint = difflib.get_close_matches(k, allowed, n=1)
            did = f' (did you mean "{hint[0]}"?)' if hint else ""
            self.bad(join(key, k), f"unknown key{did}")
        if "at" not in table:
            self.bad(join(key, "at"), "required: seconds from the scenario start")
            return None
        at = self.number(table["at"], join(key, "at"), lo=0)
        if at is None:
            return None
        ramp = False
        if "ramp" in table:
            ramp = bool(self.boolean(table["ramp"], join(key, "ramp")))
            if ramp and first:
                self.bad(join(key, "ramp"), "the first state has nothing to ramp from")
        windows = dict(prev.windows)
        for k, v in table.items():
            if k in KNOWN_WINDOWS or WINDOW_KEY.match(k):
                windows[k] = self.window(v, join(key, k), windows.get(k))
        extra = prev.extra_usage
        if "extra_usage" in table:
            extra = self.extra(table["extra_usage"], join(key, "extra_usage"), prev.extra_usage)
        spend = prev.spend
        if "spend" in table:
            spend = self.spend(table["spend"], join(key, "spend"), prev.spend)
        other_keys = prev.other_keys
        if "other_keys" in table:
            other_keys = self.other_keys(table["other_keys"], join(key, "other_keys"))
        limits = prev.limits
        if "limits" in table:
            limits = self.limits(table["limits"], join(key, "limits"))
        buckets = prev.rate_limits
        if "rate_limits" in table:
            buckets = self.buckets(table["rate_limits"], join(key, "rate_limits"), prev)
        unified = prev.unified
        if "unified" in table:
            unified = self.unified(table["unified"], join(key, "unified"))
        token = prev.token
        if "token" in table:
            token = self.string(table["token"], join(key, "token"), choices=TOKEN_STATES) or token
        behaviors: dict[str, Behavior] = {}
        for endpoint in (*ENDPOINTS, "*"):
            if endpoint in table:
                beh = self.behavior(table[endpoint], join(key, endpoint))
                if beh is not None:
                    behaviors[endpoint] = beh
        ordered = [(w, windows[w]) for w in KNOWN_WINDOWS if w in windows]
        ordered += [(w, s) for w, s in windows.items() if w not in KNOWN_WINDOWS]
        return State(
            at=at,
            ramp=ramp,
            windows=tuple(ordered),
            extra_usage=extra,
            spend=spend,
            other_keys=other_keys,
            limits=limits,
            rate_limits=buckets,
            unified=unified,
            token=token,
            behaviors=behaviors,
        )
