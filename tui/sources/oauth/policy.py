"""When the usage endpoint may be called again. Pure functions, no I/O.

The rules (field reports about the endpoint's throttle, see anthropic-api.md):
- after a success: wait the interval (default 300 s);
- after a 429: wait max(Retry-After, interval * 2**step), the doubling capped at 30 minutes;
- after any other failure: never sooner than after a success;
- nothing a server or the shared cache says waits longer than the ceiling (30 minutes, or the
  interval when that is longer): ``Retry-After: 1e9`` waits 30 minutes, and a cache whose times
  lie beyond it (the clock jumped) is not trusted (``trusted_wait``, ``trusted_past``);
- a manual refresh is allowed only when the next call is allowed anyway.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tui import times as reset_times
from tui.record import record

BACKOFF_CAP_SECONDS = 1800.0
# Parsing keeps up to a day (the probe waits out a plan limit's reset); the usage endpoint's
# decisions below never wait beyond ``ceiling``.
RETRY_AFTER_MAX_SECONDS = 24 * 3600.0
CLOCK_SKEW_SECONDS = 60.0  # times this far beyond what is possible are a clock that jumped


def ceiling(interval: float) -> float:
    """The longest wait anything may impose: 30 minutes, or the interval when longer."""
    return max(BACKOFF_CAP_SECONDS, float(interval))


@record
class PolicyDecision:
    next_allowed_at: datetime
    backoff_step: int  # consecutive 429s so far (0 after a success)
    wait_seconds: float


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header: seconds or an HTTP date; None if absent/bad.

    Unlike ``reset_times.parse_retry_after`` (a moment, for the classifier), ``0`` and past
    dates mean "no wait" here: the policy's own minimum then applies."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        when = reset_times.parse_retry_after(value, now)
        if when is None:
            return None
        seconds = (when - now).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, min(seconds, RETRY_AFTER_MAX_SECONDS))


def after_success(now: datetime, interval: float) -> PolicyDecision:
    return PolicyDecision(now + timedelta(seconds=interval), 0, float(interval))


def after_throttle(
    now: datetime,
    interval: float,
    backoff_step: int,
    retry_after: float | None,
    cap: float = BACKOFF_CAP_SECONDS,
) -> PolicyDecision:
    """A 429 from the endpoint's own throttle: back off exponentially, honour Retry-After."""
    grown = interval * (2 ** min(max(backoff_step, 0), 16))
    top = max(cap, float(interval))
    wait = max(float(interval), min(grown, top))
    if retry_after is not None:
        wait = min(max(wait, retry_after), top)
    return PolicyDecision(now + timedelta(seconds=wait), backoff_step + 1, wait)


def after_failure(
    now: datetime, interval: float, backoff_step: int, retry_after: float | None = None
) -> PolicyDecision:
    """Any other failure (network, 5xx, 401...): never sooner than after a success.

    The throttle's backoff step is kept, so a 429 followed by a network blip still remembers it.
    """
    wait = float(interval)
    if retry_after is not None:
        wait = min(max(wait, retry_after), ceiling(interval))
    return PolicyDecision(now + timedelta(seconds=wait), backoff_step, wait)


def manual_allowed(now: datetime, next_allowed_at: datetime | None) -> tuple[bool, datetime | None]:
    """(allowed, when it will be): a manual refresh never jumps the queue."""
    if next_allowed_at is None or now >= next_allowed_at:
        return True, None
    return False, next_allowed_at


def is_fresh(fetched_at: datetime | None, now: datetime, interval: float) -> bool:
    """An answer younger than the interval: nobody needs to call again yet."""
    if fetched_at is None:
        return False
    age = (now - fetched_at).total_seconds()
    return 0 <= age < interval


def trusted_wait(next_allowed_at: datetime | None, now: datetime, interval: float) -> bool:
    """False for a next-allowed time further ahead than any rule can set (the clock jumped,
    or another program wrote it): such a wait is not obeyed."""
    if next_allowed_at is None:
        return True
    ahead = (next_allowed_at - now).total_seconds()
    return ahead <= ceiling(interval) + CLOCK_SKEW_SECONDS


def trusted_past(when: datetime | None, now: datetime) -> bool:
    """False for a time that should be past (a fetch, an attempt) but lies in the future."""
    return when is None or (when - now).total_seconds() <= CLOCK_SKEW_SECONDS
