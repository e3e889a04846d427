"""The probe: a one-token ``POST /v1/messages`` whose answer headers carry the live limits.

With an API key the headers give per-minute limits (requests, tokens, input and output tokens)
and the probe costs a few tokens, so it is on by default. With a subscription token the headers
give the unified 5-hour / 7-day windows (utilization as a FRACTION 0..1), but the probe spends plan
quota and may start a five-hour window, so it runs only when the user enables it.
Any error answer is kept whole (status, type, message, headers) for the classifier.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from tui import ratelimit_headers
from tui.config import Config
from tui.models import (
    Account,
    ErrorResponse,
    Overage,
    RateLimit,
    SourceResult,
    SourceState,
    TransportError,
    Window,
    family_window_id,
)
from tui.ratelimit_headers import unified_fields
from tui.sources.credentials import ApiKey, CredentialStore, OAuthCredentials
from tui.sources.http import (
    ANTHROPIC_VERSION,
    OAUTH_BETA,
    HttpResponse,
    claude_code_user_agent,
    decode_problem,
    send,
)
from tui.sources.oauth import policy as usage_policy
from tui.sources.values import error_words, hhmm, parse_time, to_number

if TYPE_CHECKING:
    import httpx

    from tui.clock import Clock

SOURCE_ID = "probe"
MESSAGES_PATH = "/v1/messages"
MIN_INTERVAL = 10
MANUAL_GAP = 10  # seconds: `r` re-probes at once unless a probe ran this recently
SUBSCRIPTION_OFF_REASON = (
    "off: probing with a subscription token spends plan quota and may start a five-hour window; "
    "set [probe] enabled = true to allow it"
)
CLAUDE_CODE_SYSTEM = "You are Claude Code, Anthropic's official CLI for Claude."

_RATE_FAMILIES = {
    "requests": "requests",
    "tokens": "tokens",
    "input-tokens": "input_tokens",
    "output-tokens": "output_tokens",
}
_NOT_WINDOWS = {"overage", "fallback"}


def _int(value: str | None) -> int | None:
    number = to_number(value)
    return int(number) if number is not None else None


def parse_ratelimit_headers(
    headers: Mapping[str, str], observed_at: datetime
) -> tuple[tuple[RateLimit, ...], tuple[Window, ...]]:
    """Both header families -> API-key per-minute limits and subscription windows."""
    lower = {str(k).lower(): str(v) for k, v in headers.items()}
    limits: list[RateLimit] = []
    for family, limit_id in _RATE_FAMILIES.items():
        prefix = f"anthropic-ratelimit-{family}-"
        limit = _int(lower.get(prefix + "limit"))
        remaining = _int(lower.get(prefix + "remaining"))
        if limit is None or remaining is None:
            continue
        limits.append(
            RateLimit(
                id=limit_id,
                limit=limit,
                remaining=remaining,
                resets_at=parse_time(lower.get(prefix + "reset")),
                observed_at=observed_at,
            )
        )
    windows: list[Window] = []
    for family, fields in unified_fields(lower).items():
        if family in _NOT_WINDOWS or family.startswith("overage"):
            continue
        if not fields.keys() - {"disabled-reason"}:
            continue  # a reason alone is no window
        fraction = to_number(fields.get("utilization"))
        threshold = to_number(fields.get("surpassed-threshold"))
        status = fields.get("status", "").strip() or None
        windows.append(
            Window(
                id=family_window_id(family),
                used_percent=fraction * 100.0 if fraction is not None else None,
                resets_at=parse_time(fields.get("reset")),
                source=SOURCE_ID,
                observed_at=observed_at,
                server_status=status,
                surpassed_threshold=threshold,
            )
        )
    order = {"five_hour": 0, "seven_day": 1}
    windows.sort(key=lambda w: (order.get(w.id, 2), w.id))
    return tuple(limits), tuple(windows)


def parse_overage_headers(headers: Mapping[str, str], observed_at: datetime) -> Overage | None:
    """The overage (extra usage, "usage credits") of a probe's answer; None when it has none."""
    return ratelimit_headers.overage(headers, observed_at, SOURCE_ID)


class ProbeSource:
    """One tiny message per interval; its headers say where the limits stand."""

    id = SOURCE_ID

    def __init__(self, credentials: CredentialStore, *, config: Config, clock: Clock) -> None:
        self._credentials = credentials
        self._config = config
        self._clock = clock
        self._next: datetime | None = None
        self._last_success: datetime | None = None
        self._probed_at: datetime | None = None  # the last probe, whatever its outcome
        self._retry_until: datetime | None = None  # a server's Retry-After, while in force
        on, why = self.enabled()
        self._state = SourceState(
            SOURCE_ID, "stale" if on else "disabled", detail="not probed yet" if on else why
        )

    @property
    def interval(self) -> float:
        return float(max(MIN_INTERVAL, self._config.poll.probe_interval))

    def _credential(self) -> ApiKey | OAuthCredentials | None:
        """The API key when there is one (cheap, and what Claude Code bills when it is set)."""
        setting = self._config.probe.enabled
        if setting is False:
            return None
        key = self._credentials.api_key()
        if key is not None:
            return key
        if setting is True:
            return self._credentials.oauth()
        return None

    def enabled(self) -> tuple[bool, str]:
        """(on, why) in words the user sees in the source list and in ``doctor``."""
        setting = self._config.probe.enabled
        if setting is False:
            return False, "off: [probe] enabled = false in the config"
        key = self._credentials.api_key()
        if key is not None:
            return True, f"on: API key {key.masked} from ${key.origin} (a few tokens per probe)"
        oauth = self._credentials.oauth()
        if oauth is None:
            return False, "off: no API key and no Claude Code sign-in found"
        if setting is True:
            return True, (
                f"on: subscription token {oauth.masked}; each probe spends plan quota and may "
                "start a five-hour window"
            )
        return False, SUBSCRIPTION_OFF_REASON

    # -- Source protocol ---------------------------------------------------------------

    def state(self) -> SourceState:
        on, why = self.enabled()
        if not on:
            return SourceState(SOURCE_ID, "disabled", self._last_success, None, why)
        return self._state

    def next_attempt_at(self) -> datetime | None:
        if not self.enabled()[0]:
            return None
        return self._next

    def is_due(self, now: datetime) -> bool:
        if not self.enabled()[0]:
            return False
        return self._next is None or now >= self._next

    def manual_allowed(self, now: datetime) -> tuple[bool, datetime | None]:
        """A person pressing `r` re-probes now, unless the server's Retry-After is still in
        force or a probe ran within ``MANUAL_GAP`` seconds: then (False, when it will be)."""
        if not self.enabled()[0]:
            return False, None
        if self._retry_until is not None and now < self._retry_until:
            return False, self._retry_until
        if self._probed_at is not None:
            allowed_at = self._probed_at + timedelta(seconds=MANUAL_GAP)
            if now < allowed_at:
                return False, allowed_at
        return True, None

    async def fetch(self, client: httpx.AsyncClient, *, manual: bool = False) -> SourceResult:
        try:
            return await self._fetch(client)
        except Exception as exc:
            now = self._clock.now()
            self._next = now + timedelta(seconds=self.interval)
            state = SourceState(
                SOURCE_ID,
                "error",
                self._last_success,
                self._next,
                f"internal problem ({type(exc).__name__})",
            )
            self._state = state
            return SourceResult(
                SOURCE_ID,
                state,
                error=TransportError("other", type(exc).__name__, now, SOURCE_ID),
            )

    async def _fetch(self, client: httpx.AsyncClient) -> SourceResult:
        on, why = self.enabled()
        cred = self._credential() if on else None
        if cred is None:
            state = SourceState(SOURCE_ID, "disabled", self._last_success, None, why)
            self._state = state
            return SourceResult(SOURCE_ID, state)
        headers = {
            "anthropic-version": ANTHROPIC_VERSION,
            "content-type": "application/json",
            "accept": "application/json",
        }
        body: dict[str, object] = {
            "model": self._config.probe.model,
            "max_tokens": 1,
            "messages": [{"role": "user", "content": "hi"}],
        }
        if isinstance(cred, ApiKey):
            headers["x-api-key"] = cred.value
            account = Account(plan="api")
        else:
            headers["authorization"] = f"Bearer {cred.access_token}"
            headers["anthropic-beta"] = OAUTH_BETA
            headers["user-agent"] = claude_code_user_agent()
            # Requests that do not look like Claude Code's may be billed as a third-party app.
            body["system"] = [{"type": "text", "text": CLAUDE_CODE_SYSTEM}]
            account = Account(plan=cred.plan, tier=cred.rate_limit_tier)
        outcome = await send(
            client,
            "POST",
            MESSAGES_PATH,
            headers=headers,
            json=body,
            source=SOURCE_ID,
            clock=self._clock,
        )
        done = self._clock.now()
        self._probed_at, self._retry_until = done, None
        wait = self.interval
        error: ErrorResponse | TransportError | None = None
        limits: tuple[RateLimit, ...] = ()
        windows: tuple[Window, ...] = ()
        overage: Overage | None = None
        if isinstance(outcome, HttpResponse):
            limits, windows = parse_ratelimit_headers(outcome.headers, done)
            overage = parse_overage_headers(outcome.headers, done)
            if outcome.error is not None:
                error = outcome.error
                retry_after = usage_policy.parse_retry_after(
                    outcome.headers.get("retry-after"), done
                )
                if retry_after is not None:
                    wait = max(wait, retry_after)
                    self._retry_until = done + timedelta(seconds=retry_after)
            elif not isinstance(outcome.json, Mapping):
                error = decode_problem(outcome, SOURCE_ID, self._clock)
        else:
            error = outcome
        self._next = done + timedelta(seconds=wait)
        if error is None:
            self._last_success = done
            found = len(limits) + len(windows)
            detail = f"probed {hhmm(done)} ({found} limit{'s' if found != 1 else ''} in headers)"
            state = SourceState(SOURCE_ID, "ok", done, self._next, detail)
        else:
            detail = f"{error_words(error)}; next probe at {hhmm(self._next)}"
            state = SourceState(SOURCE_ID, "error", self._last_success, self._next, detail)
        self._state = state
        return SourceResult(
            SOURCE_ID,
            state,
            windows=windows,
            rate_limits=limits,
            account=account,
            error=error,
            overage=overage,
        )
