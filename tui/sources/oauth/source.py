"""Subscription usage from ``GET /api/oauth/usage``: the source (scheduling, the call, its state).

Free, but throttled per token: the call is made at most once per interval for all limitwatch
processes of an account (``cache.UsageCache``), with the backoff rules of ``policy``. A process
that finds another one calling (the shared lock stays busy for a few seconds) answers from the
cache, marked stale with its age, and makes no call. The 200 body is read by ``parse``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from tui.config import Config
from tui.models import (
    Account,
    ErrorResponse,
    SourceResult,
    SourceState,
    SourceStateName,
    TransportError,
)
from tui.record import replace
from tui.sources.credentials import CredentialStore, OAuthCredentials
from tui.sources.http import OAUTH_BETA, HttpResponse, claude_code_user_agent, decode_problem, send
from tui.sources.oauth import policy as usage_policy
from tui.sources.oauth.cache import EMPTY, CacheEntry, UsageCache, trusted
from tui.sources.oauth.parse import SOURCE_ID, parse_usage
from tui.sources.values import error_words
from tui.text import age, local_time

if TYPE_CHECKING:
    import httpx

    from tui.clock import Clock

USAGE_PATH = "/api/oauth/usage"
MIN_INTERVAL = 60
# After finding another process mid-call: look at the cache again this soon (a read, no call).
BUSY_RETRY_SECONDS = 30.0


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
        nxt = self._own_wait(now)
        return nxt is None or now >= nxt

    def manual_allowed(self, now: datetime) -> tuple[bool, datetime | None]:
        """(True, None) when a manual refresh may call now, else (False, when it may)."""
        nxt = self._own_wait(now)
        cache = self._current_cache()
        if cache is not None:
            entry = trusted(cache.read() or EMPTY, now, self.interval)
            if entry.next_allowed_at is not None:
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
                        f"internal problem ({type(exc).__name__}); "
                        f"next try at {local_time(nxt, now)}",
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

    def _own_wait(self, now: datetime) -> datetime | None:
        """This process's next-allowed time, unless the clock jumped back past any rule's wait."""
        nxt = self._next_allowed
        return nxt if usage_policy.trusted_wait(nxt, now, self.interval) else None

    def _call_needed(self, entry: CacheEntry, now: datetime) -> bool:
        own = self._own_wait(now)
        if own is not None and now < own:
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
        entry = trusted(cache.read() or EMPTY, now, self.interval)
        if not self._call_needed(entry, now):
            return self._shared(cache, self._cached_result(entry, now, account, manual=manual))
        async with cache.locked() as held:
            now = self._clock.now()
            entry = trusted(held.entry or EMPTY, now, self.interval)
            if not self._call_needed(entry, now):
                return self._shared(cache, self._cached_result(entry, now, account, manual=manual))
            if held.busy:  # another process is calling right now: its answer will be shared
                return self._shared(cache, self._busy_result(entry, now, account))
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
        return self._shared(cache, self._remember(result))

    def _after_call(
        self,
        outcome: object,
        entry: CacheEntry,
        now: datetime,
        account: Account,
    ) -> tuple[SourceResult, CacheEntry]:
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
                    f"updated {local_time(now, now)} ({shown} window{'s' if shown != 1 else ''}); "
                    f"next call at {local_time(decision.next_allowed_at, now)}"
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
            until = local_time(decision.next_allowed_at, now)
            what = f"throttled by the usage endpoint (429) until {until}"
        else:
            decision = usage_policy.after_failure(
                now, self.interval, entry.backoff_step, retry_after
            )
            what = f"{error_words(error)}; next try at {local_time(decision.next_allowed_at, now)}"
        self._next_allowed = decision.next_allowed_at
        new_entry = entry.with_attempt(
            next_allowed_at=decision.next_allowed_at,
            backoff_step=decision.backoff_step,
            last_attempt_at=now,
            last_status=error.status if isinstance(error, ErrorResponse) else None,
            last_ok=False,
            last_detail=what,
        )
        windows, extra = entry.values()
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
    def _age_note(entry: CacheEntry, now: datetime) -> str:
        if entry.payload is None or entry.fetched_at is None:
            return "; no values yet"
        return f"; showing values from {age(entry.fetched_at, now)}"

    def _cached_result(
        self, entry: CacheEntry, now: datetime, account: Account, *, manual: bool
    ) -> SourceResult:
        """No call now: the shared answer (or the wait) another call left behind."""
        candidates = [t for t in (self._own_wait(now), entry.next_allowed_at) if t is not None]
        if entry.fetched_at is not None:
            candidates.append(entry.fetched_at + timedelta(seconds=self.interval))
        nxt = max(candidates) if candidates else now + timedelta(seconds=self.interval)
        if nxt <= now:  # should not happen; never schedule in the past
            nxt = now + timedelta(seconds=self.interval)
        self._next_allowed = nxt
        windows, extra = entry.values()
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
                    f"values from {age(entry.fetched_at, now)} (shared cache); "
                    f"next call at {local_time(nxt, now)}"
                )
            else:
                detail = f"waiting; next call at {local_time(nxt, now)}"
        if manual:
            detail = f"refresh not allowed until {local_time(nxt, now)}: {detail}"
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

    def _busy_result(self, entry: CacheEntry, now: datetime, account: Account) -> SourceResult:
        """Another process held the lock all the wait long: it is calling, so this one does not.
        The cached values come along, marked stale with their age."""
        nxt = now + timedelta(seconds=BUSY_RETRY_SECONDS)
        self._next_allowed = nxt
        windows, extra = entry.values()
        if entry.fetched_at is not None and entry.payload is not None:
            shown = f"showing values from {age(entry.fetched_at, now)}"
        else:
            shown = "no values yet"
        detail = (
            f"another limitwatch is calling the usage endpoint; {shown}; "
            f"looking again at {local_time(nxt, now)}"
        )
        return self._remember(
            SourceResult(
                SOURCE_ID,
                SourceState(SOURCE_ID, "stale", self._last_success, nxt, detail),
                windows=windows,
                extra_usage=extra,
                account=account,
                from_cache=True,
            )
        )

    def _shared(self, cache: UsageCache, result: SourceResult) -> SourceResult:
        """Say so in the detail when the cache folder cannot be written (sharing is off)."""
        if cache.problem is None or cache.problem in result.state.detail:
            return result
        state = replace(result.state, detail=f"{result.state.detail}; {cache.problem}")
        return self._remember(replace(result, state=state))
