"""Frozen data that flows from sources to the screen and to ``status --json``.

Every source returns these, never raw dicts. Times are timezone-aware UTC datetimes.
Nothing here imports Textual or httpx.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from tui.record import field, record

Level = Literal["ok", "warning", "critical", "exhausted", "unknown"]
SourceId = Literal["oauth_usage", "statusline", "probe", "transcripts", "admin"]
SourceStateName = Literal["ok", "stale", "error", "disabled", "unavailable"]
AlertReason = Literal["threshold", "pace", "projection"]

LEVEL_ORDER: dict[str, int] = {"unknown": 0, "ok": 1, "warning": 2, "critical": 3, "exhausted": 4}

# Human labels for the window ids we know; anything else is labelled from its id.
WINDOW_LABELS: dict[str, str] = {
    "five_hour": "5-hour session",
    "seven_day": "Weekly",
    "seven_day_opus": "Weekly Opus",
    "seven_day_sonnet": "Weekly Sonnet",
    "seven_day_oauth_apps": "Weekly OAuth apps",
    "seven_day_cowork": "Weekly Cowork",
}

# Nominal length of each window, for pace and "not started" handling.
WINDOW_SECONDS: dict[str, int] = {"five_hour": 5 * 3600}
WEEK_SECONDS = 7 * 24 * 3600


def window_label(window_id: str) -> str:
    if window_id in WINDOW_LABELS:
        return WINDOW_LABELS[window_id]
    words = window_id.replace("-", "_").split("_")
    if words[:2] == ["seven", "day"]:
        rest = " ".join(w.capitalize() for w in words[2:])
        return f"Weekly {rest}".strip()
    return " ".join(w.capitalize() for w in words if w)


def family_window_id(family: str) -> str:
    """A unified rate-limit header family as a window id: ``5h`` -> five_hour, ``7d`` ->
    seven_day, ``7d_opus`` -> seven_day_opus, ``5h_x`` -> five_hour_x, else as is."""
    family = family.strip().lower().replace("-", "_")
    if family == "5h":
        return "five_hour"
    if family == "7d":
        return "seven_day"
    if family.startswith("7d_"):
        return "seven_day_" + family[3:]
    if family.startswith("5h_"):
        return "five_hour_" + family[3:]
    return family


def window_length_seconds(window_id: str) -> int:
    """Five hours for the session window, a week for every weekly window."""
    if window_id in WINDOW_SECONDS:
        return WINDOW_SECONDS[window_id]
    return WEEK_SECONDS


@record
class Account:
    """Plan as far as we know it: ``plan`` is pro|max|team|enterprise|api or None."""

    plan: str | None = None
    tier: str | None = None


@record
class Window:
    """One usage window: how much is used and when it resets.

    ``used_percent`` None with ``resets_at`` None and ``not_started`` True is a five-hour window
    that has not begun; None otherwise is "no data" (never shown as 0%).
    """

    id: str
    used_percent: float | None
    resets_at: datetime | None
    source: str
    observed_at: datetime
    label: str = ""
    not_started: bool = False
    # Server-side signals from the unified headers (probe): they raise the level on their own.
    server_status: str | None = None  # allowed | allowed_warning | rejected
    surpassed_threshold: float | None = None  # fraction 0..1 as the header gives it
    scope: str | None = None  # e.g. a model display name for limits[] weekly_scoped entries

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", window_label(self.id))


@record
class ExtraUsage:
    """Extra usage (pay-as-you-go overage) in MAJOR units of ``currency``.

    ``limit`` None with ``enabled`` True means no cap.
    """

    enabled: bool
    used: float | None
    limit: float | None
    currency: str
    used_percent: float | None
    observed_at: datetime
    source: str = "oauth_usage"
    disabled_reason: str | None = None


@record
class RateLimit:
    """An API-key per-minute limit from the probe's headers."""

    id: str  # requests | tokens | input_tokens | output_tokens
    limit: int
    remaining: int
    resets_at: datetime | None
    observed_at: datetime

    @property
    def used_percent(self) -> float:
        if self.limit <= 0:
            return 0.0
        return max(0.0, min(100.0, 100.0 * (self.limit - self.remaining) / self.limit))


@record
class ErrorResponse:
    """An error answer kept whole for the classifier (status, headers, body)."""

    status: int
    headers: Mapping[str, str]  # lower-cased names
    body: str
    observed_at: datetime
    source: str
    url: str = ""
    error_type: str | None = None  # error.type from the JSON body, when it parsed
    message: str | None = None  # error.message from the JSON body, when it parsed


@record
class TransportError:
    """No HTTP answer at all: refused, DNS, TLS, timeout, reset, undecodable body."""

    kind: str  # connect | dns | tls | timeout | reset | protocol | decode | too_large | other
    detail: str
    observed_at: datetime
    source: str
    url: str = ""


@record
class TranscriptError:
    """An ``isApiErrorMessage`` row from a Claude Code transcript."""

    text: str
    error: str | None  # rate_limit | authentication_failed | billing_error | ...
    status: int | None  # apiErrorStatus
    observed_at: datetime
    project: str = ""
    session: str = ""
    source: str = "transcripts"


@record
class Classification:
    """What an error means, in plain words. ``class_id`` is a class id of the design."""

    class_id: str
    title: str
    explanation: str
    actions: tuple[str, ...]
    message: str
    source: str
    observed_at: datetime
    status: int | None = None
    error_type: str | None = None
    is_limit: bool = False  # True when a usage limit (plan, spend, rate) was hit
    window_id: str | None = None  # which window, when the error names one
    retry_at: datetime | None = None  # when trying again makes sense (reset or retry-after)
    plan_has_headroom: bool | None = None
    project: str = ""
    session: str = ""
    # What the classifier read, in words ("HTTP status 429", "header ...: rejected"): shown when
    # the class is unknown, so a report can say what limitwatch saw.
    signals: tuple[str, ...] = ()


@record
class SourceState:
    id: str
    state: SourceStateName
    last_success_at: datetime | None = None
    next_attempt_at: datetime | None = None
    detail: str = ""
    error: Classification | None = None


@record
class SourceResult:
    """What one fetch of one source produced."""

    source: str
    state: SourceState
    windows: tuple[Window, ...] = ()
    extra_usage: ExtraUsage | None = None
    rate_limits: tuple[RateLimit, ...] = ()
    account: Account | None = None
    error: ErrorResponse | TransportError | None = None
    classification: Classification | None = None
    admin: AdminUsage | None = None
    from_cache: bool = False
    overage: Overage | None = None  # the probe's unified overage headers, when present
    # Local sources (transcripts, the status line feed):
    transcript_errors: tuple[TranscriptError, ...] = ()  # new error rows, not yet classified
    history_only: bool = False  # the errors are history (a first scan): only the newest counts
    # (model, kind, tokens) counted since the source started; kind is input | output |
    # cache_creation | cache_read. Never decreases (old hours pruned stay counted).
    token_totals: tuple[tuple[str, str, int], ...] = ()
    blocks: tuple[UsageBlock, ...] = ()
    claude_code_version: str | None = None  # the newest Claude Code version seen


@record
class Alert:
    window: str
    level: Level
    reason: AlertReason
    message: str
    at: datetime
    account: str = ""  # the account's name when several are watched


@record
class WindowView:
    """A window with what alerts and history add to it: level, projection, sparkline, stale."""

    window: Window
    level: Level
    stale: bool = False
    projected_full_at: datetime | None = None
    pace_message: str | None = None  # set only when pace warns (the alert's words)
    sparkline: tuple[float, ...] = ()
    pace_text: str | None = None  # pace in one sentence whenever it can be computed
    estimate: Estimate | None = None  # the calibrated value between polls, when the fit is good


@record
class Event:
    """One line of the event log: errors, level changes, throttling, credential changes."""

    at: datetime
    kind: str  # error | level | throttle | credentials | source | info
    text: str
    level: Level | None = None


@record
class AdminUsage:
    """Organisation usage from the Admin API: tokens today by model, cost this month."""

    tokens_today_by_model: tuple[tuple[str, int], ...]
    cost_month: float  # major units
    currency: str
    observed_at: datetime

    @property
    def tokens_today(self) -> int:
        return sum(n for _, n in self.tokens_today_by_model)


@record
class Snapshot:
    """Everything the screen and ``status --json`` show, at one moment."""

    generated_at: datetime
    account: Account = field(default_factory=Account)
    windows: tuple[WindowView, ...] = ()
    extra_usage: ExtraUsage | None = None
    rate_limits: tuple[RateLimit, ...] = ()
    last_error: Classification | None = None
    alerts: tuple[Alert, ...] = ()
    sources: tuple[SourceState, ...] = ()
    events: tuple[Event, ...] = ()
    admin: AdminUsage | None = None
    # Levels of the bars that are not windows (one rule: ``core.levels``), decided here so that
    # widgets and exit codes never decide a level themselves.
    extra_usage_level: Level = "unknown"
    rate_limit_levels: tuple[tuple[str, Level], ...] = ()  # (rate limit id, level)
    new_alerts: tuple[Alert, ...] = ()  # alerts first raised by the poll that made this snapshot
    # Cumulative (model, kind, tokens) counted from the transcripts since the process started;
    # kind is input | output | cache_creation | cache_read. Feeds the exporter's token counter.
    token_totals: tuple[tuple[str, str, int], ...] = ()
    # The most constrained window's recent instances, for a chart when the pane has room.
    chart: WindowSeries | None = None
    # Every watched account, the first one first (its values are also the fields above).
    accounts: tuple[AccountSnapshot, ...] = ()

    def rate_limit_level(self, limit_id: str) -> Level:
        return dict(self.rate_limit_levels).get(limit_id, "unknown")


@record
class AccountSnapshot:
    """One account's snapshot, with the name and Claude Code folder it is watched under."""

    name: str
    config_dir: str
    snapshot: Snapshot


@record
class Overage:
    """Extra usage ("usage credits") as the unified rate-limit headers describe it.

    ``status`` is allowed | allowed_warning | rejected; ``disabled_reason`` is the server's open
    set (out_of_credits, org_level_disabled, member_level_disabled, org_spend_cap_reached,
    overage_not_provisioned, ...); ``used_percent`` is 0-100 (the header gives a fraction).
    """

    status: str | None
    disabled_reason: str | None
    used_percent: float | None
    resets_at: datetime | None
    observed_at: datetime
    source: str = "probe"


@record
class UsageBlock:
    """A five-hour block of Claude Code usage (the convention ccusage and others use)."""

    start: datetime
    end: datetime
    last_entry_at: datetime
    # (model, input, output, cache_creation, cache_read), largest total first
    tokens_by_model: tuple[tuple[str, int, int, int, int], ...]
    total_tokens: int
    entries: int
    active: bool = False  # the block is still open at the source clock's now


@record
class Estimate:
    """A window's percentage estimated between official readings from the transcripts' tokens.

    ``error_percent`` is its uncertainty in percentage points; ``as_of`` the moment it is for.
    """

    used_percent: float
    error_percent: float
    as_of: datetime


@record
class Instance:
    """One run of a window, from one reset to the next: (time, percent) points in order."""

    points: tuple[tuple[datetime, float], ...]
    resets_at: datetime | None


@record
class WindowSeries:
    window_id: str
    label: str
    instances: tuple[Instance, ...]  # oldest first; the last one is the current one
    warning: float
    critical: float
    burn_per_hour: float | None  # points per hour over the last hour of the current instance
    running_error: float | None  # the estimator's RMS error, points

    @property
    def current(self) -> float | None:
        if not self.instances or not self.instances[-1].points:
            return None
        return self.instances[-1].points[-1][1]
