"""Subscription usage from ``GET /api/oauth/usage`` (what Claude Code's /usage panel shows).

Free, but throttled per token: the call is made at most once per interval for all limitwatch
processes of an account (``UsageCache``), with the backoff rules of ``usage_policy``. The parser
takes any shape without raising; nulls mean "no data" (or "not started" for the five-hour window),
never 0%.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from tui.config import Config
from tui.models import (
    Account,
    ErrorResponse,
    ExtraUsage,
    SourceResult,
    SourceState,
    SourceStateName,
    TransportError,
    Window,
)
from tui.sources.credentials import CredentialStore, OAuthCredentials
from tui.sources.http import OAUTH_BETA, claude_code_user_agent, decode_problem, describe_kind, send
from tui.sources.oauth import policy as usage_policy
from tui.sources.oauth.cache import EMPTY, CacheEntry, UsageCache
from tui.times import parse_reset_header

if TYPE_CHECKING:
    import httpx

    from tui.clock import Clock

SOURCE_ID = "oauth_usage"
USAGE_PATH = "/api/oauth/usage"
MIN_INTERVAL = 60

# ISO 4217 currencies whose minor unit is not 1/100 (amounts arrive in minor units).
_CURRENCY_EXPONENT = {
    "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "PYG": 0, "UGX": 0, "XAF": 0, "XOF": 0,
    "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3, "IQD": 3, "LYD": 3,
}  # fmt: skip

_LIMIT_KINDS = {"session": "five_hour", "weekly_all": "seven_day"}
# -- tolerant value parsing ------------------------------------------------------------------


def to_number(value: object) -> float | None:
    """A finite float from a number or numeric string; None for anything else (bools too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def parse_time(value: object) -> datetime | None:
    """RFC 3339 (with or without fractions, ``Z`` or an offset) or epoch seconds/ms -> UTC."""
    if isinstance(value, bool):
        return None
    return parse_reset_header(value)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def minor_to_major(amount: float | None, currency: str) -> float | None:
    if amount is None:
        return None
    exponent = _CURRENCY_EXPONENT.get(currency.upper(), 2)
    return amount / (10.0**exponent)


# -- the usage payload -----------------------------------------------------------------------


def _legacy_window(key: str, value: Mapping[str, object], observed_at: datetime) -> Window:
    used = to_number(value.get("utilization"))
    resets = parse_time(value.get("resets_at"))
    not_started = key == "five_hour" and used is None and resets is None
    return Window(
        id=key,
        used_percent=used,
        resets_at=resets,
        source=SOURCE_ID,
        observed_at=observed_at,
        not_started=not_started,
    )


def _limit_window(entry: Mapping[str, object], observed_at: datetime) -> Window | None:
    kind = entry.get("kind")
    if not isinstance(kind, str) or not kind:
        return None
    used = to_number(entry.get("percent"))
    if used is None:
        used = to_number(entry.get("utilization"))
    resets = parse_time(entry.get("resets_at"))
    scope_name: str | None = None
    scope = entry.get("scope")
    if isinstance(scope, Mapping):
        model = scope.get("model")
        if isinstance(model, Mapping):
            for key in ("display_name", "id"):
                name = model.get(key)
                if isinstance(name, str) and name.strip():
                    scope_name = name.strip()
                    break
        surface = scope.get("surface")
        if scope_name is None and isinstance(surface, str) and surface.strip():
            scope_name = surface.strip()
    if kind in _LIMIT_KINDS:
        window_id = _LIMIT_KINDS[kind]
        label = ""
    elif kind == "weekly_scoped":
        if scope_name is None or not _slug(scope_name):
            return None
        window_id = f"seven_day_{_slug(scope_name)}"
        label = f"Weekly {scope_name}"
    else:
        base = _slug(kind)
        if not base:
            return None
        window_id = f"{base}_{_slug(scope_name)}" if scope_name and _slug(scope_name) else base
        label = ""
    not_started = window_id == "five_hour" and used is None and resets is None
    return Window(
        id=window_id,
        used_percent=used,
        resets_at=resets,
        source=SOURCE_ID,
        observed_at=observed_at,
        label=label,
        not_started=not_started,
        scope=scope_name if kind == "weekly_scoped" else None,
    )


def _extra_usage(value: object, observed_at: datetime) -> ExtraUsage | None:
    if not isinstance(value, Mapping):
        return None
    currency_raw = value.get("currency")
    currency = (
        currency_raw.strip().upper()
        if isinstance(currency_raw, str) and currency_raw.strip()
        else "USD"
    )
    used = minor_to_major(to_number(value.get("used_credits")), currency)
    limit = minor_to_major(to_number(value.get("monthly_limit")), currency)
    percent = to_number(value.get("utilization"))
    if percent is None and used is not None and limit:
        percent = 100.0 * used / limit
    reason = value.get("disabled_reason")
    return ExtraUsage(
        enabled=value.get("is_enabled") is True,
        used=used,
        limit=limit,
        currency=currency,
        used_percent=percent,
        observed_at=observed_at,
        source=SOURCE_ID,
        disabled_reason=reason if isinstance(reason, str) and reason else None,
    )


def _rank(window_id: str) -> int:
    if window_id == "five_hour":
        return 0
    if window_id == "seven_day":
        return 1
    if window_id.startswith("seven_day_"):
        return 2
    return 3


def _parse_usage(
    payload: object, observed_at: datetime
) -> tuple[tuple[Window, ...], ExtraUsage | None]:
    if not isinstance(payload, Mapping):
        return (), None
    found: dict[str, Window] = {}
    for key, value in payload.items():
        if not isinstance(key, str) or key in ("extra_usage", "limits"):
            continue
        if isinstance(value, Mapping) and ("utilization" in value or "resets_at" in value):
            found[key] = _legacy_window(key, value, observed_at)
    limits = payload.get("limits")
    if isinstance(limits, list):
        for entry in limits:
            if not isinstance(entry, Mapping):
                continue
            window = _limit_window(entry, observed_at)
            if window is not None and window.id not in found:
                found[window.id] = window
    order = {wid: i for i, wid in enumerate(found)}
    windows = tuple(sorted(found.values(), key=lambda w: (_rank(w.id), order[w.id])))
    return windows, _extra_usage(payload.get("extra_usage"), observed_at)


def parse_usage(
    payload: object, observed_at: datetime
) -> tuple[tuple[Window, ...], ExtraUsage | None]:
    """The usage JSON -> windows and extra usage. Any shape in, never an exception out."""
    try:
        return _parse_usage(payload, observed_at)
    except Exception:
        return (), None


# -- wording ---------------------------------------------------------------------------------


def hhmm(when: datetime) -> str:
    return when.astimezone().strftime("%H:%M")


def age_words(then: datetime, now: datetime) -> str:
    seconds = max(0.0, (now - then).total_seconds())
    if seconds < 60:
        return "just now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min ago"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min ago" if minutes else f"{hours} h ago"
    return f"{hours // 24} days ago"


def error_words(error: ErrorResponse | TransportError) -> str:
    if isinstance(error, TransportError):
        return f"{describe_kind(error.kind)} ({error.kind})"
    what = error.error_type or "error"
    message = f": {error.message}" if error.message else ""
    return f"HTTP {error.status} {what}{message}"[:200]


# -- the source ------------------------------------------------------------------------------


class OAuthUsageSource:
    """Polls the usage endpoint within the throttle's rules, sharing answers between processes."""

    id = SOURCE_ID

    def __init__(
        self,
        credentials: CredentialStore,
        *,
        config: Config,
        clock: Clock,
        cache: UsageCache | None = None,
    ) -> None:
        self._credentials = credentials
        self._config = config
        self._clock = clock
        self._fixed_cache = cache
        self._cache: UsageCache | None = cache
        self._account_key: str | None = None
        self._next_allowed: datetime | None = None
        self._last_success: datetime | None = None
        self._state = SourceState(SOURCE_ID, "stale", detail="not checked yet")

    @property
    def interval(self) -> float:
        return float(max(MIN_INTERVAL, self._config.poll.usage_interval))

    # -- Source protocol ---------------------------------------------------------------

    def state(self) -> SourceState:
        return self._state

    def next_attempt_at(self) -> datetime | None:
        return self._next_allowed

    def is_due(self, now: datetime) -> bool:
        creds = self._credentials.oauth()
        key = creds.account_key if creds is not None else None
        if key != self._account_key:
            return True  # new sign-in (or it went away): look at once, the cache guards the call
        return self._next_allowed is None or now >= self._next_allowed

    def manual_allowed(self, now: datetime) -> tuple[bool, datetime | None]:
        """(True, None) when a manual refresh may call now, else (False, when it may)."""
        nxt = self._next_allowed
        cache = self._current_cache()
        if cache is not None:
            entry = cache.read()
            if entry is not None and entry.next_allowed_at is not None:
                nxt = max(nxt, entry.next_allowed_at) if nxt else entry.next_allowed_at
        return usage_policy.manual_allowed(now, nxt)

    async def fetch(self, client: httpx.AsyncClient, *, manual: bool = False) -> SourceResult:
        try:
            return await self._fetch(client, manual=manual)
        except Exception as exc:  # the last line of defence: a result, never a crash
            now = self._clock.now()
            error = TransportError("other", type(exc).__name__, now, SOURCE_ID)
            nxt = now + timedelta(seconds=self.interval)
            self._next_allowed = nxt
            return self._remember(
                SourceResult(
                    SOURCE_ID,
                    SourceState(
                        SOURCE_ID,
                        "error",
                        self._last_success,
                        nxt,
                        f"internal problem ({type(exc).__name__}); next try at {hhmm(nxt)}",
                    ),
                    error=error,
                )
            )

    # -- internals ---------------------------------------------------------------------

    def _current_cache(self) -> UsageCache | None:
        if self._fixed_cache is not None:
            return self._fixed_cache
        return self._cache

    def _cache_for(self, creds: OAuthCredentials) -> UsageCache:
        if self._fixed_cache is not None:
            return self._fixed_cache
        if self._cache is None or self._cache.account_key != creds.account_key:
            # A fixed store (the demo) keeps its answers in memory, out of the user's cache.
            self._cache = UsageCache(
                creds.account_key, clock=self._clock, in_memory=self._credentials.is_fixed
            )
        return self._cache

    def _remember(self, result: SourceResult) -> SourceResult:
        self._state = result.state
        return result

    def _no_call(
        self, now: datetime, state: SourceStateName, detail: str, account: Account | None = None
    ) -> SourceResult:
        nxt = now + timedelta(seconds=self.interval)
        self._next_allowed = nxt
        return self._remember(
            SourceResult(
                SOURCE_ID,
                SourceState(SOURCE_ID, state, self._last_success, nxt, detail),
                account=account,
            )
        )

    def _call_needed(self, entry: CacheEntry, now: datetime) -> bool:
        if self._next_allowed is not None and now < self._next_allowed:
            return False
        if entry.next_allowed_at is not None and now < entry.next_allowed_at:
            return False
        return not usage_policy.is_fresh(entry.fetched_at, now, self.interval)

    async def _fetch(self, client: httpx.AsyncClient, *, manual: bool) -> SourceResult:
        now = self._clock.now()
        creds = self._credentials.oauth()
        if creds is None:
            self._account_key = None
            problem = self._credentials.oauth_problem()
            if problem is not None:
                return self._no_call(now, "error", f"{problem.detail} ({problem.location})")
            return self._no_call(
                now,
                "unavailable",
                "no Claude Code sign-in found; run `claude` and /login to see plan usage",
            )
        account = Account(plan=creds.plan, tier=creds.rate_limit_tier)
        if creds.account_key != self._account_key:
            self._account_key = creds.account_key
            self._next_allowed = None  # a new token has its own throttle
        if not creds.can_read_usage:
            return self._no_call(
                now,
                "unavailable",
                f"the token from {creds.origin} can only send messages, not read plan usage; "
                "sign in with `claude` to see usage",
                account,
            )
        if creds.expired(now):
            problem = self._credentials.oauth_problem()
            detail = (
                problem.detail if problem else "Claude Code's sign-in has expired; run `claude`"
            )
            return self._no_call(now, "error", detail, account)
        cache = self._cache_for(creds)
        entry = cache.read() or EMPTY
        if not self._call_needed(entry, now):
            return self._cached_result(entry, now, account, manual=manual)
        async with cache.locked() as locked_entry:
            entry = locked_entry or EMPTY
            now = self._clock.now()
            if not self._call_needed(entry, now):
                return self._cached_result(entry, now, account, manual=manual)
            headers = {
                "authorization": f"Bearer {creds.access_token}",
                "anthropic-beta": OAUTH_BETA,
                "user-agent": claude_code_user_agent(),
                "accept": "application/json",
            }
            outcome = await send(
                client, "GET", USAGE_PATH, headers=headers, source=SOURCE_ID, clock=self._clock
            )
            done = self._clock.now()
            result, new_entry = self._after_call(outcome, entry, done, account)
            cache.write(new_entry)
        return self._remember(result)

    def _after_call(
        self,
        outcome: object,
        entry: CacheEntry,
        now: datetime,
        account: Account,
    ) -> tuple[SourceResult, CacheEntry]:
        from tui.sources.http import HttpResponse

        error: ErrorResponse | TransportError
        if isinstance(outcome, HttpResponse) and outcome.ok:
            if isinstance(outcome.json, Mapping):
                decision = usage_policy.after_success(now, self.interval)
                windows, extra = parse_usage(outcome.json, now)
                self._next_allowed = decision.next_allowed_at
                self._last_success = now
                new_entry = CacheEntry(
                    payload=outcome.json,
                    fetched_at=now,
                    next_allowed_at=decision.next_allowed_at,
                    backoff_step=0,
                    last_attempt_at=now,
                    last_status=outcome.status,
                    last_ok=True,
                    last_detail="",
                )
                shown = len(windows)
                detail = (
                    f"updated {hhmm(now)} ({shown} window{'s' if shown != 1 else ''}); "
                    f"next call at {hhmm(decision.next_allowed_at)}"
                )
                state = SourceState(SOURCE_ID, "ok", now, decision.next_allowed_at, detail)
                return (
                    SourceResult(
                        SOURCE_ID, state, windows=windows, extra_usage=extra, account=account
                    ),
                    new_entry,
                )
            error = decode_problem(outcome, SOURCE_ID, self._clock)
        elif isinstance(outcome, HttpResponse):
            assert outcome.error is not None
            error = outcome.error
        elif isinstance(outcome, TransportError):
            error = outcome
        else:  # pragma: no cover - send returns one of the two
            error = TransportError("other", "no answer", now, SOURCE_ID)

        retry_after = None
        if isinstance(error, ErrorResponse):
            retry_after = usage_policy.parse_retry_after(error.headers.get("retry-after"), now)
        if isinstance(error, ErrorResponse) and error.status == 429:
            decision = usage_policy.after_throttle(
                now, self.interval, entry.backoff_step, retry_after
            )
            what = f"throttled by the usage endpoint (429) until {hhmm(decision.next_allowed_at)}"
        else:
            decision = usage_policy.after_failure(
                now, self.interval, entry.backoff_step, retry_after
            )
            what = f"{error_words(error)}; next try at {hhmm(decision.next_allowed_at)}"
        self._next_allowed = decision.next_allowed_at
        new_entry = entry.with_attempt(
            next_allowed_at=decision.next_allowed_at,
            backoff_step=decision.backoff_step,
            last_attempt_at=now,
            last_status=error.status if isinstance(error, ErrorResponse) else None,
            last_ok=False,
            last_detail=what,
        )
        windows, extra = self._cached_values(entry)
        detail = what + self._age_note(entry, now)
        state = SourceState(
            SOURCE_ID, "error", self._last_success, decision.next_allowed_at, detail
        )
        result = SourceResult(
            SOURCE_ID,
            state,
            windows=windows,
            extra_usage=extra,
            account=account,
            error=error,
            from_cache=bool(windows) or extra is not None,
        )
        return result, new_entry

    @staticmethod
    def _cached_values(entry: CacheEntry) -> tuple[tuple[Window, ...], ExtraUsage | None]:
        if entry.payload is None or entry.fetched_at is None:
            return (), None
        return parse_usage(entry.payload, entry.fetched_at)

    @staticmethod
    def _age_note(entry: CacheEntry, now: datetime) -> str:
        if entry.payload is None or entry.fetched_at is None:
            return "; no values yet"
        return f"; showing values from {age_words(entry.fetched_at, now)}"

    def _cached_result(
        self, entry: CacheEntry, now: datetime, account: Account, *, manual: bool
    ) -> SourceResult:
        """No call now: the shared answer (or the wait) another call left behind."""
        candidates = [t for t in (self._next_allowed, entry.next_allowed_at) if t is not None]
        if entry.fetched_at is not None:
            candidates.append(entry.fetched_at + timedelta(seconds=self.interval))
        nxt = max(candidates) if candidates else now + timedelta(seconds=self.interval)
        if nxt <= now:  # should not happen; never schedule in the past
            nxt = now + timedelta(seconds=self.interval)
        self._next_allowed = nxt
        windows, extra = self._cached_values(entry)
        if entry.fetched_at is not None and entry.payload is not None:
            self._last_success = max(self._last_success or entry.fetched_at, entry.fetched_at)
        state: SourceStateName
        if not entry.last_ok:
            state = "error"
            detail = (entry.last_detail or "the last call failed") + self._age_note(entry, now)
        else:
            fresh = usage_policy.is_fresh(entry.fetched_at, now, self.interval)
            state = "ok" if fresh and windows is not None else "stale"
            if entry.fetched_at is not None:
                detail = (
                    f"values from {age_words(entry.fetched_at, now)} (shared cache); "
                    f"next call at {hhmm(nxt)}"
                )
            else:
                detail = f"waiting; next call at {hhmm(nxt)}"
        if manual:
            detail = f"refresh not allowed until {hhmm(nxt)}: {detail}"
        return self._remember(
            SourceResult(
                SOURCE_ID,
                SourceState(SOURCE_ID, state, self._last_success, nxt, detail),
                windows=windows,
                extra_usage=extra,
                account=account,
                from_cache=True,
            )
        )
