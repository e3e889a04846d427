"""Organisation usage from the Admin API: today's tokens by model, this month's cost.

Needs an admin key (``sk-ant-admin...``). Both reports are paged (``has_more`` / ``next_page``);
cost amounts are STRINGS in cents ("123.45" is $1.2345).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from tui.config import Config
from tui.models import AdminUsage, ErrorResponse, SourceResult, SourceState, TransportError
from tui.sources.credentials import CredentialStore
from tui.sources.http import ANTHROPIC_VERSION, decode_problem, send
from tui.sources.oauth import policy as usage_policy
from tui.sources.values import error_words, hhmm, minor_to_major, to_number

if TYPE_CHECKING:
    import httpx

    from tui.clock import Clock

SOURCE_ID = "admin"
USAGE_REPORT_PATH = "/v1/organizations/usage_report/messages"
COST_REPORT_PATH = "/v1/organizations/cost_report"
INTERVAL_SECONDS = 900.0
MAX_PAGES = 50
_TOKEN_FIELDS = ("uncached_input_tokens", "cache_read_input_tokens", "output_tokens")


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def result_tokens(result: Mapping[str, object]) -> int:
    """Every token a usage-report result counts: input, cache writes and reads, output."""
    total = 0.0
    for key in _TOKEN_FIELDS:
        total += to_number(result.get(key)) or 0.0
    creation = result.get("cache_creation")
    if isinstance(creation, Mapping):
        for value in creation.values():
            total += to_number(value) or 0.0
    else:
        total += to_number(result.get("cache_creation_input_tokens")) or 0.0
    return int(total)


def _results(page: Mapping[str, object]) -> list[Mapping[str, object]]:
    found: list[Mapping[str, object]] = []
    data = page.get("data")
    if not isinstance(data, list):
        return found
    for bucket in data:
        if not isinstance(bucket, Mapping):
            continue
        results = bucket.get("results")
        if isinstance(results, list):
            found.extend(r for r in results if isinstance(r, Mapping))
    return found


def tokens_by_model(pages: list[Mapping[str, object]]) -> tuple[tuple[str, int], ...]:
    totals: dict[str, int] = {}
    for page in pages:
        for result in _results(page):
            model = result.get("model")
            name = model if isinstance(model, str) and model else "(other)"
            totals[name] = totals.get(name, 0) + result_tokens(result)
    return tuple(sorted(totals.items(), key=lambda item: (-item[1], item[0])))


def cost_total(pages: list[Mapping[str, object]]) -> tuple[float, str]:
    """Sum of ``amount`` (strings in cents) in major units, and the currency."""
    cents = 0.0
    currency = "USD"
    for page in pages:
        for result in _results(page):
            amount = to_number(result.get("amount"))
            if amount is None:
                continue
            cents += amount
            cur = result.get("currency")
            if isinstance(cur, str) and cur.strip():
                currency = cur.strip().upper()
    return minor_to_major(cents, currency) or 0.0, currency


class AdminSource:
    """Two paged reports every 15 minutes, when an admin key is present."""

    id = SOURCE_ID

    def __init__(self, credentials: CredentialStore, *, config: Config, clock: Clock) -> None:
        self._credentials = credentials
        self._config = config
        self._clock = clock
        self._next: datetime | None = None
        self._last_success: datetime | None = None
        self._state = SourceState(SOURCE_ID, "stale", detail="not checked yet")
        self.interval = INTERVAL_SECONDS
        self.cost_page_limit = 31  # daily buckets per page (the API allows 1..31)

    def _disabled(self) -> SourceState:
        var = self._config.sources.admin_key_env
        return SourceState(
            SOURCE_ID, "disabled", self._last_success, None, f"off: no admin key (${var})"
        )

    def state(self) -> SourceState:
        if self._credentials.admin_key() is None:
            return self._disabled()
        return self._state

    def next_attempt_at(self) -> datetime | None:
        if self._credentials.admin_key() is None:
            return None
        return self._next

    def is_due(self, now: datetime) -> bool:
        if self._credentials.admin_key() is None:
            return False
        return self._next is None or now >= self._next

    def manual_allowed(self, now: datetime) -> tuple[bool, datetime | None]:
        """Admin reports are not refreshed by hand: they change once a day."""
        return False, None

    async def fetch(self, client: httpx.AsyncClient, *, manual: bool = False) -> SourceResult:
        try:
            return await self._fetch(client)
        except Exception as exc:
            now = self._clock.now()
            self._next = now + timedelta(seconds=self.interval)
            state = SourceState(
                SOURCE_ID, "error", self._last_success, self._next, type(exc).__name__
            )
            self._state = state
            return SourceResult(
                SOURCE_ID,
                state,
                error=TransportError("other", type(exc).__name__, now, SOURCE_ID),
            )

    async def _pages(
        self,
        client: httpx.AsyncClient,
        path: str,
        params: list[tuple[str, str]],
        key: str,
    ) -> list[Mapping[str, object]] | ErrorResponse | TransportError:
        headers = {"x-api-key": key, "anthropic-version": ANTHROPIC_VERSION}
        pages: list[Mapping[str, object]] = []
        seen: set[str] = set()
        page_token: str | None = None
        for _ in range(MAX_PAGES):
            query = list(params) + ([("page", page_token)] if page_token else [])
            outcome = await send(
                client,
                "GET",
                path,
                headers=headers,
                params=query,
                source=SOURCE_ID,
                clock=self._clock,
            )
            if isinstance(outcome, TransportError):
                return outcome
            if outcome.error is not None:
                return outcome.error
            if not isinstance(outcome.json, Mapping):
                return decode_problem(outcome, SOURCE_ID, self._clock)
            pages.append(outcome.json)
            nxt = outcome.json.get("next_page")
            if outcome.json.get("has_more") is False or not isinstance(nxt, str) or not nxt:
                break
            if nxt in seen:
                break
            seen.add(nxt)
            page_token = nxt
        return pages

    async def _fetch(self, client: httpx.AsyncClient) -> SourceResult:
        now = self._clock.now()
        key = self._credentials.admin_key()
        if key is None:
            state = self._disabled()
            self._state = state
            return SourceResult(SOURCE_ID, state)
        day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        month = day.replace(day=1)
        usage = await self._pages(
            client,
            USAGE_REPORT_PATH,
            [
                ("starting_at", _iso(day)),
                ("bucket_width", "1d"),
                ("group_by[]", "model"),
                ("limit", "1"),
            ],
            key.value,
        )
        cost: list[Mapping[str, object]] | ErrorResponse | TransportError
        if isinstance(usage, list):
            cost = await self._pages(
                client,
                COST_REPORT_PATH,
                [
                    ("starting_at", _iso(month)),
                    ("group_by[]", "description"),
                    ("limit", str(self.cost_page_limit)),
                ],
                key.value,
            )
        else:
            cost = usage
        done = self._clock.now()
        if isinstance(usage, list) and isinstance(cost, list):
            amount, currency = cost_total(cost)
            admin = AdminUsage(
                tokens_today_by_model=tokens_by_model(usage),
                cost_month=amount,
                currency=currency,
                observed_at=done,
            )
            self._next = done + timedelta(seconds=self.interval)
            self._last_success = done
            detail = f"updated {hhmm(done)}; next at {hhmm(self._next)}"
            state = SourceState(SOURCE_ID, "ok", done, self._next, detail)
            self._state = state
            return SourceResult(SOURCE_ID, state, admin=admin)
        error = usage if not isinstance(usage, list) else cost
        assert not isinstance(error, list)
        wait = self.interval
        if isinstance(error, ErrorResponse):
            retry_after = usage_policy.parse_retry_after(error.headers.get("retry-after"), done)
            if retry_after is not None:
                wait = max(wait, retry_after)
        self._next = done + timedelta(seconds=wait)
        detail = f"{error_words(error)}; next try at {hhmm(self._next)}"
        state = SourceState(SOURCE_ID, "error", self._last_success, self._next, detail)
        self._state = state
        return SourceResult(SOURCE_ID, state, error=error)
