"""The ledger: source results folded into one frozen ``Snapshot``. No I/O.

It keeps the latest good values (per window and source), classifies every error once (network
answers, transport failures, transcript rows) with the numbers of that moment, keeps the event
log and recent samples, decides every bar's level (``core.levels``) and, when asked, the alerts
new since the last fold. The monitor does the I/O around it: fetching, history, the last-error
file, notifications.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from tui.config import Config
from tui.core.alerts import AlertTracker, build_view
from tui.core.calibration import Calibration
from tui.core.levels import extra_usage_level, rate_limit_level
from tui.core.samples import Sample
from tui.models import (
    LEVEL_ORDER,
    Account,
    AdminUsage,
    Alert,
    Classification,
    ErrorResponse,
    Event,
    ExtraUsage,
    Level,
    Overage,
    RateLimit,
    Snapshot,
    SourceResult,
    SourceState,
    TranscriptError,
    TransportError,
    Window,
    WindowView,
)
from tui.record import replace

EVENT_LIMIT = 50
SAMPLE_LIMIT = 600  # per window in memory (two days at one per 5 min); the file keeps all
SAMPLE_SPACING = timedelta(minutes=5)  # closer samples are kept only when the value moved
SAMPLE_STEP = 1.0  # percentage points
STATUSLINE_STALE_S = 15 * 60
# Errors about our own polling do not hide an error Claude gave the user this recently.
USER_ERROR_PRIORITY = timedelta(minutes=30)
_SOURCE_PRIORITY = {"oauth_usage": 0, "statusline": 1, "probe": 2, "transcripts": 3}
_POLL_ERROR_CLASSES = {"usage_endpoint_throttled", "network_error", "server_error", "unknown"}
_WINDOW_ORDER = ["five_hour", "seven_day", "seven_day_opus", "seven_day_sonnet"]

if TYPE_CHECKING:
    from tui.explain import UsageContext

ErrorItem = ErrorResponse | TransportError | TranscriptError


class Ledger:
    """The monitor's memory. ``absorb`` results, then ``snapshot`` them."""

    def __init__(self, config: Config, *, tz: tzinfo | None = None, label: str = "") -> None:
        self.config = config
        self.tz = tz
        # The account's name when several are watched: events and new alerts say it.
        self.label = label
        self.windows: dict[tuple[str, str], Window] = {}
        self.extra_usage: ExtraUsage | None = None
        self.rate_limits: tuple[RateLimit, ...] = ()
        self.admin: AdminUsage | None = None
        self.account = Account()
        self.last_error: Classification | None = None
        self.claude_code_version: str | None = None
        self.overage: Overage | None = None  # the probe's overage headers
        self._last_user_error_at: datetime | None = None
        self.source_states: dict[str, SourceState] = {}
        self.events: deque[Event] = deque(maxlen=EVENT_LIMIT)
        self.samples: dict[str, deque[Sample]] = {}
        self._levels: dict[str, Level] = {}
        self._tracker = AlertTracker(config.thresholds_for, tz=tz)
        # The calibrated estimate between polls: official readings against transcript tokens.
        self.calibration = Calibration()

    def set_config(self, config: Config) -> None:
        """New thresholds (from the editor): levels and alerts follow them from now on."""
        self.config = config
        self._tracker.thresholds = config.thresholds_for

    # -- seeding ------------------------------------------------------------------------------

    def seed(
        self, latest: Sequence[Window], samples: dict[str, list[Sample]], now: datetime
    ) -> None:
        """The last known numbers from the history, so a fresh pane shows them at once."""
        for window in latest:
            if window.resets_at is not None and window.resets_at <= now:
                continue  # that window instance is over; its number means nothing now
            self.windows[(window.id, window.source)] = window
        for window_id, found in samples.items():
            self.samples[window_id] = deque(found[-SAMPLE_LIMIT:], maxlen=SAMPLE_LIMIT)

    # -- folding results in ---------------------------------------------------------------

    def absorb(self, results: Sequence[SourceResult], now: datetime) -> None:
        """Numbers first, errors after: an error is explained with the usage of this moment.
        Token counts before both: an official reading is calibrated against them."""
        for result in results:
            if result.token_totals:
                self.calibration.take_tokens(result.token_totals)
        for result in results:
            if not _has_error(result):
                self._absorb(result, now)
        for result in results:
            if _has_error(result):
                self._absorb(result, now)

    def event(self, now: datetime, kind: str, text: str, level: Level | None = None) -> None:
        if self.label:
            text = f"{self.label}: {text}"
        self.events.appendleft(Event(at=now, kind=kind, text=text, level=level))

    def context(self, now: datetime) -> UsageContext:
        from tui.explain import UsageContext

        return UsageContext(
            windows=tuple(self.best_windows(now).values()),
            extra_usage=self.extra_usage,
            plan=self.account.plan,
            claude_code_version=self.claude_code_version,
            overage=self.overage,
        )

    def classify(self, item: ErrorItem, source: str, now: datetime) -> Classification:
        """Every error is classified here, once (the classifier loads only when one comes)."""
        from tui.explain import classify

        return classify(item, context=self.context(now), now=now, source=source, tz=self.tz)

    def _absorb(self, result: SourceResult, now: datetime) -> None:
        previous = self.source_states.get(result.source)
        classification = result.classification
        if classification is None and result.error is not None:
            classification = self.classify(result.error, result.source, now)
        state = result.state
        if classification is not None and state.error is None:
            state = replace(state, error=classification)
        self.source_states[result.source] = state
        if previous is not None and previous.state == "error" and state.state == "ok":
            self.event(now, "source", f"{result.source}: answering again")
        for window in result.windows:
            self.windows[(window.id, window.source)] = window
        self.remember_samples(result.windows)
        if result.source == "oauth_usage":
            self.calibration.observe(result.windows, now)
        if result.extra_usage is not None:
            self.extra_usage = result.extra_usage
        if result.rate_limits:
            self.rate_limits = result.rate_limits
        if result.admin is not None:
            self.admin = result.admin
        if result.account is not None:
            self.account = result.account
        if result.claude_code_version:
            self.claude_code_version = result.claude_code_version
        if result.overage is not None:
            self.overage = result.overage
        if classification is not None:
            self._note_error(classification, previous, now)
        if result.transcript_errors:
            self._transcript_errors(result.transcript_errors, result.history_only, result, now)

    def _transcript_errors(
        self,
        rows: Sequence[TranscriptError],
        history_only: bool,
        result: SourceResult,
        now: datetime,
    ) -> None:
        if history_only:
            # Errors found on a first scan are history, not news: show only the newest.
            newest = max(rows, key=lambda row: row.observed_at)
            if self.last_error is None or newest.observed_at > self.last_error.observed_at:
                self.last_error = self.classify(newest, result.source, now)
                self._last_user_error_at = newest.observed_at
            return
        for row in rows:
            self._note_error(self.classify(row, result.source, now), None, now)

    def _note_error(
        self, classification: Classification, previous: SourceState | None, now: datetime
    ) -> None:
        repeated = (
            previous is not None
            and previous.error is not None
            and previous.error.class_id == classification.class_id
        )
        if not repeated:
            kind = "throttle" if classification.class_id == "usage_endpoint_throttled" else "error"
            self.event(now, kind, f"{classification.source}: {classification.title}")
        user_facing = classification.source in ("probe", "transcripts") or (
            classification.class_id not in _POLL_ERROR_CLASSES
        )
        at = classification.observed_at
        if user_facing:
            self.last_error = classification
            self._last_user_error_at = at
        elif self._last_user_error_at is None or at - self._last_user_error_at > (
            USER_ERROR_PRIORITY
        ):
            self.last_error = classification

    def remember_samples(self, windows: Sequence[Window]) -> None:
        """Keep recent samples for projection and sparklines, thinned: a reading that says the
        same as the last kept one a moment ago adds nothing (the probe reports every minute)."""
        for window in windows:
            if window.used_percent is None:
                continue
            bucket = self.samples.setdefault(window.id, deque(maxlen=SAMPLE_LIMIT))
            if bucket:
                last = bucket[-1]
                if window.observed_at <= last.at:
                    continue  # the same reading again (served from the cache)
                if (
                    window.observed_at - last.at < SAMPLE_SPACING
                    and abs(window.used_percent - last.used_percent) < SAMPLE_STEP
                    and window.resets_at == last.resets_at
                ):
                    continue
            bucket.append(
                Sample(
                    at=window.observed_at,
                    used_percent=window.used_percent,
                    resets_at=window.resets_at,
                    source=window.source,
                )
            )

    # -- the snapshot ---------------------------------------------------------------------

    def best_windows(self, now: datetime | None) -> dict[str, Window]:
        """One window per id: the freshest observation, the usage endpoint on a tie. With
        ``now``, windows of other sources whose instance is over are left out."""
        best: dict[str, Window] = {}
        for (window_id, _source), window in self.windows.items():
            if (
                now is not None
                and window.resets_at is not None
                and window.resets_at <= now
                and window.source != "oauth_usage"
            ):
                continue
            current = best.get(window_id)
            if current is None or _fresher(window, current):
                best[window_id] = window
        return best

    def stale_after(self, source: str) -> float:
        poll = self.config.poll
        if source == "oauth_usage":
            return 2.5 * poll.usage_interval
        if source == "probe":
            return 3 * poll.probe_interval
        if source == "statusline":
            return STATUSLINE_STALE_S
        return 3600.0

    def snapshot(
        self, now: datetime, sources: Sequence[SourceState], *, raise_alerts: bool
    ) -> Snapshot:
        """Everything the screen and ``status`` show. ``raise_alerts``: this fold is a poll, so
        upward crossings since the last one become ``new_alerts`` (and events)."""
        views: list[WindowView] = []
        for window_id, window in sorted(self.best_windows(now).items(), key=_window_order):
            samples = list(self.samples.get(window_id, ()))
            try:
                view = build_view(
                    window,
                    self.config.thresholds_for(window_id),
                    samples,
                    now,
                    stale_after=self.stale_after(window.source),
                    tz=self.tz,
                )
            except Exception:  # a bad number must not blank the screen
                view = WindowView(window=window, level="unknown")
            views.append(self.calibration.estimated(view, now))
        new_alerts: list[Alert] = []
        if raise_alerts:
            self._note_levels(views, now)
            try:
                new_alerts = self._tracker.update(views, now)
            except Exception:
                new_alerts = []
            for alert in new_alerts:
                self.event(now, "level", alert.message, alert.level)
            if self.label:
                new_alerts = [
                    replace(a, account=self.label, message=f"{self.label}: {a.message}")
                    for a in new_alerts
                ]
        try:
            # Lists, not generators, for tuples built at every poll (see ``estimate._delta``).
            active = tuple([replace(a, account=self.label) for a in self._tracker.active(views)])
        except Exception:
            active = ()
        thresholds = self.config.thresholds
        extra = self.extra_usage
        chart = self.calibration.chart(views, self.samples, self.config, now)
        return Snapshot(
            generated_at=now,
            account=self.account,
            windows=tuple(views),
            extra_usage=extra,
            rate_limits=self.rate_limits,
            last_error=self.last_error,
            alerts=active,
            sources=tuple(sources),
            events=tuple(self.events),
            admin=self.admin,
            extra_usage_level=extra_usage_level(extra, thresholds) if extra else "unknown",
            rate_limit_levels=tuple(
                [(limit.id, rate_limit_level(limit, thresholds)) for limit in self.rate_limits]
            ),
            new_alerts=tuple(new_alerts),
            token_totals=self.calibration.token_rows(),
            chart=chart,
        )

    def _note_levels(self, views: Sequence[WindowView], now: datetime) -> None:
        for view in views:
            before = self._levels.get(view.window.id)
            # Upward crossings are logged by the alerts; a level falling back is logged here.
            falling = before is not None and LEVEL_ORDER[view.level] < LEVEL_ORDER[before]
            if falling and view.level != "unknown":
                self.event(now, "level", f"{view.window.label}: down to {view.level}")
            self._levels[view.window.id] = view.level


def _has_error(result: SourceResult) -> bool:
    return (
        result.error is not None
        or result.classification is not None
        or bool(result.transcript_errors)
    )


def _fresher(candidate: Window, current: Window) -> bool:
    if candidate.used_percent is None and current.used_percent is not None:
        return False
    if current.used_percent is None and candidate.used_percent is not None:
        return True
    if candidate.observed_at != current.observed_at:
        return candidate.observed_at > current.observed_at
    return _SOURCE_PRIORITY.get(candidate.source, 9) < _SOURCE_PRIORITY.get(current.source, 9)


def _window_order(item: tuple[str, Window]) -> tuple[int, str]:
    window_id = item[0]
    if window_id in _WINDOW_ORDER:
        return (_WINDOW_ORDER.index(window_id), window_id)
    return (len(_WINDOW_ORDER), window_id)
