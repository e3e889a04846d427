"""The scenario data model and its timeline maths (interpolation, loops, rolling resets).

``tui.simulator.scenario`` loads these from TOML; ``responses`` turns them into bodies.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from tui.simulator.faults import Fault

ENDPOINTS: tuple[str, ...] = (
    "usage",
    "profile",
    "messages",
    "models",
    "count_tokens",
    "admin_usage",
    "admin_cost",
)
KNOWN_WINDOWS: tuple[str, ...] = (
    "five_hour",
    "seven_day",
    "seven_day_oauth_apps",
    "seven_day_opus",
    "seven_day_sonnet",
    "seven_day_cowork",
)
BUCKETS: tuple[str, ...] = ("requests", "input_tokens", "output_tokens")
TOKEN_STATES: tuple[str, ...] = ("valid", "expired", "revoked")
UNIFIED_STATUSES: tuple[str, ...] = ("allowed", "allowed_warning", "rejected")
FIVE_HOURS = 5 * 3600.0
WEEK = 7 * 24 * 3600.0
MINUTE = 60.0
MAX_UTILIZATION = 150.0

AuthFilter = Literal["bearer", "x-api-key"]


class ScenarioError(Exception):
    """A scenario that cannot be loaded. The message names the file and every bad key."""

    def __init__(self, source: str, problems: list[tuple[str | None, str]]) -> None:
        self.source = source
        self.problems = problems
        self.key = problems[0][0] if problems else None
        lines = [f"{source}: {key}: {msg}" if key else f"{source}: {msg}" for key, msg in problems]
        super().__init__("\n".join(lines))


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class WindowSpec:
    utilization: float | None  # percent 0..100
    resets_at: float | None  # seconds from the scenario start (in a view: absolute, rolled)


@dataclass(frozen=True)
class ExtraUsageSpec:
    is_enabled: bool
    monthly_limit: float | None = None  # cents; None with is_enabled: no cap
    used_credits: float | None = None  # cents
    utilization: float | None = None  # percent; computed when not given
    currency: str | None = None  # None: the key is left out (the service's default, USD)
    disabled_reason: str | None = None
    decimal_places: int | None = None  # None: the key is left out

    def current_utilization(self) -> float | None:
        if self.utilization is not None:
            return self.utilization
        if self.monthly_limit and self.used_credits is not None:
            return round(100.0 * self.used_credits / self.monthly_limit, 2)
        return None

    def has_credit(self) -> bool:
        """Extra usage would pay for a request right now."""
        if not self.is_enabled:
            return False
        if self.monthly_limit is None:
            return True
        return (self.used_credits or 0.0) < self.monthly_limit


@dataclass(frozen=True)
class LimitSpec:
    """One entry of the newer ``limits[]`` list."""

    kind: str
    group: str | None
    percent: float | None
    resets_at: float | None
    model: str | None = None  # scope.model.display_name
    model_id: str | None = None
    surface: str | None = None
    is_active: bool = False


@dataclass(frozen=True)
class SpendSpec:
    """The newer ``spend`` object: the same money as extra usage, as amount_minor + exponent."""

    enabled: bool
    used: float | None  # minor units; None: the amount is null
    limit: float | None  # minor units; None: no cap (null)
    currency: str = "USD"
    exponent: int = 2


@dataclass(frozen=True)
class BucketSpec:
    """An API-key per-minute limit."""

    limit: int
    remaining: float
    resets_at: float | None = None  # None: the next whole minute of scenario time


@dataclass(frozen=True)
class UnifiedSpec:
    """Overrides for the unified headers; anything None is derived from the windows."""

    status: str | None = None
    representative_claim: str | None = None
    overage_status: str | None = None
    overage_disabled_reason: str | None = None
    fallback_percentage: float | None = None


@dataclass(frozen=True)
class ErrorSpec:
    status: int
    type: str
    message: str
    details: Mapping[str, object] | None = None
    bare: bool = False  # True: {"error": {...}} only, as the usage endpoint's 429
    name: str | None = None


@dataclass(frozen=True)
class Behavior:
    """What one endpoint does in one state, beyond answering normally."""

    error: ErrorSpec | None = None
    retry_after: str | None = None  # the Retry-After header, as given
    retry_after_date: float | None = None  # Retry-After as an HTTP date this many s ahead
    fault: Fault | None = None
    every: int = 1  # apply to every Nth request of this endpoint in this state
    auth: AuthFilter | None = None  # apply only to requests with this kind of auth


DEFAULT_BUCKETS: dict[str, BucketSpec] = {
    "requests": BucketSpec(limit=4000, remaining=3999),
    "input_tokens": BucketSpec(limit=2_000_000, remaining=1_999_990),
    "output_tokens": BucketSpec(limit=400_000, remaining=400_000),
}
DEFAULT_EXTRA = ExtraUsageSpec(is_enabled=False)


@dataclass(frozen=True)
class State:
    """One point of the timeline, with everything inherited from earlier points filled in."""

    at: float
    ramp: bool = False
    windows: tuple[tuple[str, WindowSpec | None], ...] = ()
    extra_usage: ExtraUsageSpec | None = DEFAULT_EXTRA
    limits: tuple[LimitSpec, ...] | None = None  # None: no limits key in the usage body
    spend: SpendSpec | None = None  # None: no spend key in the usage body
    # Other top-level keys of the usage body, sent as they are (e.g. ``iguana_necktie``).
    other_keys: tuple[tuple[str, object], ...] = ()
    rate_limits: tuple[tuple[str, BucketSpec], ...] = tuple(DEFAULT_BUCKETS.items())
    unified: UnifiedSpec = UnifiedSpec()
    token: str = "valid"
    behaviors: Mapping[str, Behavior] = field(default_factory=dict)

    def window(self, window_id: str) -> WindowSpec | None:
        return dict(self.windows).get(window_id)

    def bucket(self, name: str) -> BucketSpec:
        return dict(self.rate_limits)[name]


@dataclass(frozen=True)
class View:
    """The scenario at one moment: offsets are absolute seconds from the scenario start."""

    t: float
    index: int  # unique per state and loop round (for "every" counters)
    state: State

    def behavior(self, endpoint: str) -> Behavior | None:
        return self.state.behaviors.get(endpoint) or self.state.behaviors.get("*")


@dataclass(frozen=True)
class Account:
    email: str = "simulated.user@example.com"
    full_name: str = "Simulated User"
    display_name: str = "Sim"
    organization_name: str = "Simulated Organization"
    organization_type: str = "claude_max"
    rate_limit_tier: str = "default_claude_max_5x"
    billing_type: str = "stripe_subscription"
    has_extra_usage_enabled: bool | None = None  # None: from the first state's extra usage


@dataclass(frozen=True)
class AdminSpec:
    input_tokens_per_hour: int = 180_000
    output_tokens_per_hour: int = 24_000
    cache_read_input_tokens_per_hour: int = 420_000
    models: tuple[str, ...] = ("claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001")


@dataclass(frozen=True)
class Scenario:
    name: str
    states: tuple[State, ...]
    description: str = ""
    loop: bool = False
    duration: float | None = None
    account: Account = Account()
    admin: AdminSpec = AdminSpec()
    source: str = "<scenario>"

    def view(self, t: float) -> View:
        """The scenario ``t`` seconds after its start, interpolated and with resets rolled."""
        t = max(0.0, t)
        base = 0.0
        round_no = 0
        local = t
        if self.loop and self.duration:
            round_no = int(t // self.duration)
            base = round_no * self.duration
            local = t - base
        idx = 0
        for i, st in enumerate(self.states):
            if st.at <= local:
                idx = i
        current = self.states[idx]
        if idx + 1 < len(self.states) and self.states[idx + 1].ramp:
            nxt = self.states[idx + 1]
            span = nxt.at - current.at
            frac = (local - current.at) / span if span > 0 else 1.0
            current = _blend(current, nxt, frac)
        return View(
            t=t,
            index=round_no * len(self.states) + idx,
            state=_absolute(current, base, t),
        )


# --------------------------------------------------------------------------- timeline maths


def _lerp(a: float | None, b: float | None, frac: float) -> float | None:
    if a is None or b is None:
        return a
    return a + (b - a) * frac


def _blend(cur: State, nxt: State, frac: float) -> State:
    """Numbers of ``cur`` moved ``frac`` of the way towards ``nxt`` (behaviours stay ``cur``)."""
    frac = min(1.0, max(0.0, frac))
    nxt_windows = dict(nxt.windows)
    windows = []
    for wid, spec in cur.windows:
        other = nxt_windows.get(wid)
        if spec is not None and other is not None:
            spec = replace(spec, utilization=_lerp(spec.utilization, other.utilization, frac))
        windows.append((wid, spec))
    extra = cur.extra_usage
    if extra is not None and nxt.extra_usage is not None:
        extra = replace(
            extra,
            used_credits=_lerp(extra.used_credits, nxt.extra_usage.used_credits, frac),
            utilization=_lerp(extra.utilization, nxt.extra_usage.utilization, frac),
        )
    limits = cur.limits
    if limits is not None and nxt.limits is not None and len(limits) == len(nxt.limits):
        limits = tuple(
            replace(a, percent=_lerp(a.percent, b.percent, frac))
            for a, b in zip(limits, nxt.limits, strict=True)
        )
    nxt_buckets = dict(nxt.rate_limits)
    buckets = tuple(
        (name, replace(b, remaining=_lerp(b.remaining, nxt_buckets[name].remaining, frac) or 0.0))
        for name, b in cur.rate_limits
    )
    return replace(
        cur, windows=tuple(windows), extra_usage=extra, limits=limits, rate_limits=buckets
    )


def _roll(offset: float | None, t: float, period: float) -> float | None:
    if offset is None or offset >= t:
        return offset
    return offset + math.ceil((t - offset) / period) * period


def window_period(window_id: str) -> float:
    return FIVE_HOURS if window_id.startswith("five_hour") else WEEK


def _absolute(st: State, base: float, t: float) -> State:
    windows = tuple(
        (
            wid,
            None
            if spec is None
            else replace(
                spec,
                resets_at=_roll(
                    None if spec.resets_at is None else base + spec.resets_at,
                    t,
                    window_period(wid),
                ),
            ),
        )
        for wid, spec in st.windows
    )
    limits = None
    if st.limits is not None:
        limits = tuple(
            replace(
                lim,
                resets_at=_roll(
                    None if lim.resets_at is None else base + lim.resets_at,
                    t,
                    FIVE_HOURS if lim.kind == "session" else WEEK,
                ),
            )
            for lim in st.limits
        )
    buckets = []
    for name, b in st.rate_limits:
        if b.resets_at is None:
            reset = (math.floor(t / MINUTE) + 1) * MINUTE
        else:
            reset = _roll(base + b.resets_at, t, MINUTE) or 0.0
        buckets.append((name, replace(b, resets_at=reset)))
    return replace(st, windows=windows, limits=limits, rate_limits=tuple(buckets))
