"""The poll loop's core, shared by the TUI, ``status`` and the benchmarks.

It owns the sources, runs the ones that are due (one fetch per source at a time), keeps the
last good values, classifies errors, records history, evaluates alerts and produces one
frozen ``Snapshot``. It never imports Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from tui import paths
from tui.clock import Clock
from tui.config import Config
from tui.models import (
    LEVEL_ORDER,
    Account,
    AdminUsage,
    Alert,
    Classification,
    Event,
    ExtraUsage,
    RateLimit,
    Snapshot,
    SourceResult,
    SourceState,
    Window,
    WindowView,
)
from tui.sources import statusline as statusline_feed

if TYPE_CHECKING:
    import httpx

    from tui.core.history import History, Sample
    from tui.core.notify import Notifier
    from tui.sources.credentials import CredentialStore
    from tui.sources.transcripts.source import TranscriptSource


EVENT_LIMIT = 50
SAMPLE_LIMIT = 600  # per window in memory (two days at one per 5 min); the file keeps all
SAMPLE_SPAN = timedelta(days=2)
SAMPLE_SPACING = timedelta(minutes=5)  # closer samples are kept only when the value moved
SAMPLE_STEP = 1.0  # percentage points
STATUSLINE_STALE_S = 15 * 60
# Errors about our own polling do not hide an error Claude gave the user this recently.
USER_ERROR_PRIORITY = timedelta(minutes=30)
_SOURCE_PRIORITY = {"oauth_usage": 0, "statusline": 1, "probe": 2, "transcripts": 3}
_POLL_ERROR_CLASSES = {"usage_endpoint_throttled", "network_error", "server_error", "unknown"}


class MonitorLike(Protocol):
    """What the TUI needs from the monitor (tests may supply a fake)."""

    @property
    def paused(self) -> bool: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def snapshot(self) -> Snapshot:
        """The latest snapshot, without any I/O."""
        ...

    def next_wakeup(self) -> datetime | None:
        """The earliest time any source is due (None: nothing scheduled)."""
        ...

    async def poll(self) -> Snapshot:
        """Fetch every source that is due now; returns the new snapshot. Never raises."""
        ...

    async def refresh_usage(self) -> tuple[bool, datetime | None]:
        """Manual usage refresh ('u'): (done, None) or (False, when it will be allowed)."""
        ...

    async def reprobe(self) -> tuple[bool, datetime | None]:
        """Manual probe ('r'): (done, None) or (False, when it will be allowed / None if off)."""
        ...

    async def aclose(self) -> None: ...


class Monitor:
    """Runs the sources that are due and folds their results into one Snapshot."""

    def __init__(
        self,
        config: Config,
        *,
        clock: Clock,
        credentials: CredentialStore,
        base_url: str,
        history: History | None = None,
        notifier: Notifier | None = None,
        transcripts: TranscriptSource | None = None,
        network_sources: Sequence[Any] | None = None,
        client_factory: Callable[[str], httpx.AsyncClient] | None = None,
        statusline_path: Any = None,
        persist_last_error: bool = True,
    ) -> None:
        self.config = config
        self.clock = clock
        self.credentials = credentials
        self.base_url = base_url
        self.history = history
        self.notifier = notifier
        self.transcripts = transcripts
        self._client_factory = client_factory
        self._client: httpx.AsyncClient | None = None
        self._statusline_path = statusline_path
        self.persist_last_error = persist_last_error
        self._statusline_mtime: float | None = None
        if network_sources is None:
            network_sources = self._default_sources()
        self.sources: dict[str, Any] = {s.id: s for s in network_sources}
        self._locks: dict[str, asyncio.Lock] = {}
        self._paused = False
        # Latest good values, per (window id, source).
        self._windows: dict[tuple[str, str], Window] = {}
        self._extra_usage: ExtraUsage | None = None
        self._rate_limits: tuple[RateLimit, ...] = ()
        self._admin: AdminUsage | None = None
        self._account = Account()
        self._last_error: Classification | None = None
        self._last_user_error_at: Any = None
        self._source_states: dict[str, SourceState] = {}
        self._events: deque[Event] = deque(maxlen=EVENT_LIMIT)
        self._samples: dict[str, deque[Sample]] = {}
        self._levels: dict[str, str] = {}
        self._transcripts_due_at: Any = None
        self._transcripts_state: SourceState | None = None
        self._transcripts_scanned = False
        self._credentials_generation = getattr(credentials, "generation", 0)
        self._tracker: Any = None
        self._snapshot: Snapshot | None = None
        self._active_alerts: tuple[Alert, ...] = ()
        self._notify_tasks: set[asyncio.Task[Any]] = set()
        self._seed_from_history()
        self._update_account()

    # -- construction -------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        config: Config,
        *,
        clock: Clock,
        credentials: CredentialStore,
        base_url: str,
        use_history: bool = True,
        use_transcripts: bool = True,
        notify: bool = True,
        write_terminal: Callable[[str], None] | None = None,
    ) -> Monitor:
        """The production wiring: history in the data folder, notifier, transcripts."""
        history = None
        if use_history:
            from tui.core.history import History

            history = History(
                paths.history_db(), retention_days=config.history.retention_days, clock=clock
            )
        notifier = None
        if notify:
            from tui.core.notify import Notifier

            notifier = Notifier(config.notify, write_terminal=write_terminal)
        transcripts = None
        if use_transcripts:
            from tui.sources.transcripts.source import TranscriptSource

            transcripts = TranscriptSource(
                clock=clock, configured_dir=config.sources.claude_config_dir
            )
        return cls(
            config,
            clock=clock,
            credentials=credentials,
            base_url=base_url,
            history=history,
            notifier=notifier,
            transcripts=transcripts,
        )

    def _default_sources(self) -> list[Any]:
        from tui.sources.admin import AdminSource
        from tui.sources.oauth.source import OAuthUsageSource
        from tui.sources.probe import ProbeSource

        config, clock, credentials = self.config, self.clock, self.credentials
        return [
            OAuthUsageSource(credentials, config=config, clock=clock),
            ProbeSource(credentials, config=config, clock=clock),
            AdminSource(credentials, config=config, clock=clock),
        ]

    def _seed_from_history(self) -> None:
        """A freshly opened pane shows the last known numbers (with their age) at once."""
        if self.history is None:
            return
        now = self.clock.now()
        try:
            latest = self.history.latest()
        except Exception:  # a broken history file must not stop the monitor
            latest = []
        for window in latest:
            if window.resets_at is not None and window.resets_at <= now:
                continue  # that window instance is over; its number means nothing now
            self._windows[(window.id, window.source)] = window
        try:
            for window_id in {w.id for w in latest}:
                samples = self.history.samples(window_id, since=now - SAMPLE_SPAN)
                self._samples[window_id] = deque(samples[-SAMPLE_LIMIT:], maxlen=SAMPLE_LIMIT)
        except Exception:
            pass

    # -- MonitorLike ----------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        if not self._paused:
            self._paused = True
            self._event("info", "Polling paused")
            self._snapshot = None

    def resume(self) -> None:
        if self._paused:
            self._paused = False
            self._event("info", "Polling resumed")
            self._snapshot = None

    def set_config(self, config: Config) -> None:
        """New thresholds (from the editor): levels and alerts follow them from now on."""
        self.config = config
        if self._tracker is not None:
            self._tracker.thresholds = config.thresholds_for
        self._snapshot = None

    def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            self._snapshot = self._build_snapshot()
        return self._snapshot

    def next_wakeup(self) -> datetime | None:
        if self._paused:
            return None
        times: list[datetime] = []
        for source in self.sources.values():
            with contextlib.suppress(Exception):
                when = source.next_attempt_at()
                if when is not None:
                    times.append(when)
        if self.transcripts is not None:
            times.append(self._transcripts_due_at or self.clock.now())
        # The recorded status line feed is looked at on the transcripts' cadence.
        times.append(self.clock.now() + timedelta(seconds=self.config.poll.transcripts_interval))
        return min(times) if times else None

    async def poll(self) -> Snapshot:
        if self._paused:
            return self.snapshot()
        now = self.clock.now()
        self._check_credentials()
        fetches = []
        for source in self.sources.values():
            try:
                due = source.is_due(now)
            except Exception:
                due = False
            if due:
                fetches.append(self._fetch(source, manual=False))
        if fetches:
            results = await asyncio.gather(*fetches)
            self._absorb_all([r for r in results if r is not None])
        if self.transcripts is not None and (
            self._transcripts_due_at is None or now >= self._transcripts_due_at
        ):
            await self._run_transcripts()
        self._read_statusline()
        self._snapshot = None
        return self.snapshot()

    async def refresh_usage(self) -> tuple[bool, datetime | None]:
        return await self._manual("oauth_usage")

    async def reprobe(self) -> tuple[bool, datetime | None]:
        return await self._manual("probe")

    async def aclose(self) -> None:
        for task in list(self._notify_tasks):
            task.cancel()
        lazy = self._client
        self._client = None
        real = lazy.created if isinstance(lazy, _LazyClient) else lazy
        if real is not None:
            with contextlib.suppress(Exception):
                await real.aclose()
        if self.history is not None:
            with contextlib.suppress(Exception):
                self.history.close()

    # -- fetching -------------------------------------------------------------------------

    async def _manual(self, source_id: str) -> tuple[bool, datetime | None]:
        source = self.sources.get(source_id)
        if source is None:
            return False, None
        now = self.clock.now()
        allowed_fn = getattr(source, "manual_allowed", None)
        if allowed_fn is not None:
            allowed, when = allowed_fn(now)
        else:
            enabled_fn = getattr(source, "enabled", None)
            enabled = enabled_fn()[0] if enabled_fn is not None else True
            allowed, when = (enabled, None) if enabled else (False, None)
        if not allowed:
            return False, when
        await self._run_source(source, manual=True)
        self._snapshot = None
        return True, None

    def _get_client(self) -> httpx.AsyncClient:
        """The shared client, created (and httpx imported) only when a source really sends:
        a ``status`` answered from the shared cache never pays for it."""
        if self._client is None:
            self._client = cast("httpx.AsyncClient", _LazyClient(self._make_client))
        return self._client

    def _make_client(self) -> httpx.AsyncClient:
        if self._client_factory is not None:
            return self._client_factory(self.base_url)
        from tui.sources.http import make_client

        timeout = max(2.0, min(15.0, self.config.poll.probe_interval / 2))
        return make_client(self.base_url, timeout=timeout)

    async def _run_source(self, source: Any, *, manual: bool) -> None:
        result = await self._fetch(source, manual=manual)
        if result is not None:
            self._absorb_all([result])

    async def _fetch(self, source: Any, *, manual: bool) -> SourceResult | None:
        lock = self._locks.setdefault(source.id, asyncio.Lock())
        if lock.locked():
            return None  # a fetch of this source is still running: skip, never cancel it
        async with lock:
            try:
                result: SourceResult = await source.fetch(self._get_client(), manual=manual)
            except Exception as exc:  # a source must not raise; if it does, it is classified
                result = self._exception_result(source, exc)
            return result

    def _absorb_all(self, results: Sequence[SourceResult]) -> None:
        """Numbers first, errors after: an error is explained with the usage of this moment."""
        for result in results:
            if result.error is None and result.classification is None:
                self._absorb(result)
        for result in results:
            if result.error is not None or result.classification is not None:
                self._absorb(result)

    def _exception_result(self, source: Any, exc: Exception) -> SourceResult:
        from tui.models import TransportError

        now = self.clock.now()
        error = TransportError(
            kind="other", detail=f"{type(exc).__name__}: {exc}", observed_at=now, source=source.id
        )
        state = SourceState(id=source.id, state="error", detail=f"internal error: {exc}")
        return SourceResult(source=source.id, state=state, error=error)

    async def _run_transcripts(self) -> None:
        assert self.transcripts is not None
        lock = self._locks.setdefault("transcripts", asyncio.Lock())
        if lock.locked():
            return
        async with lock:
            now = self.clock.now()
            self._transcripts_due_at = now + timedelta(
                seconds=self.config.poll.transcripts_interval
            )
            try:
                if self._transcripts_scanned:
                    # Later scans stat the files and read a few appended bytes: milliseconds,
                    # done here rather than in a pool thread (whose malloc arena fragments).
                    scan = self.transcripts.scan()
                else:
                    scan = await asyncio.to_thread(self.transcripts.scan)
                    self._transcripts_scanned = True
                self._transcripts_state = self.transcripts.state()
            except Exception as exc:
                self._transcripts_state = SourceState(
                    id="transcripts", state="error", detail=f"scan failed: {exc}"
                )
                return
            events = tuple(self._classify(row, "transcripts") for row in scan.new_errors)
            if scan.first_scan:
                # Errors found on the first scan are history, not news: show only the newest.
                if events:
                    newest = max(events, key=lambda c: c.observed_at)
                    if self._last_error is None or newest.observed_at > (
                        self._last_error.observed_at
                    ):
                        self._set_last_error(newest)
                        self._last_user_error_at = newest.observed_at
            else:
                for classification in events:
                    self._note_error(classification, None)

    # -- folding results in ---------------------------------------------------------------

    def _context(self) -> Any:
        from tui.explain.classify import UsageContext

        plan_windows = tuple(self._best_windows().values())
        return UsageContext(
            windows=plan_windows, extra_usage=self._extra_usage, plan=self._account.plan
        )

    def _classify(self, item: Any, source: str) -> Classification:
        from tui.explain.classify import classify

        return classify(item, context=self._context(), now=self.clock.now(), source=source)

    def _absorb(self, result: SourceResult) -> None:
        previous = self._source_states.get(result.source)
        classification = result.classification
        if classification is None and result.error is not None:
            classification = self._classify(result.error, result.source)
        state = result.state
        if classification is not None and state.error is None:
            state = replace(state, error=classification)
        self._source_states[result.source] = state
        if previous is not None and previous.state == "error" and state.state == "ok":
            self._event("source", f"{result.source}: answering again")
        if result.windows:
            for window in result.windows:
                self._windows[(window.id, window.source)] = window
            if self.history is not None and not result.from_cache:
                with contextlib.suppress(Exception):
                    self.history.record(result.windows)
            self._remember_samples(result.windows)
        if result.extra_usage is not None:
            self._extra_usage = result.extra_usage
        if result.rate_limits:
            self._rate_limits = result.rate_limits
        if result.admin is not None:
            self._admin = result.admin
        if result.account is not None:
            self._account = result.account
        if classification is not None:
            self._note_error(classification, previous)

    def _note_error(self, classification: Classification, previous: SourceState | None) -> None:
        repeated = (
            previous is not None
            and previous.error is not None
            and previous.error.class_id == classification.class_id
        )
        if not repeated:
            kind = "throttle" if classification.class_id == "usage_endpoint_throttled" else "error"
            self._event(kind, f"{classification.source}: {classification.title}")
        user_facing = classification.source in ("probe", "transcripts") or (
            classification.class_id not in _POLL_ERROR_CLASSES
        )
        now = classification.observed_at
        if user_facing:
            self._set_last_error(classification)
            self._last_user_error_at = now
        elif self._last_user_error_at is None or now - self._last_user_error_at > (
            USER_ERROR_PRIORITY
        ):
            self._set_last_error(classification)

    def _set_last_error(self, classification: Classification) -> None:
        self._last_error = classification
        if self.persist_last_error:
            from tui.core.last_error import write_last_error

            write_last_error(classification)

    def _remember_samples(self, windows: Sequence[Window]) -> None:
        """Keep recent samples for projection and sparklines, thinned: a reading that says the
        same as the last kept one a moment ago adds nothing (the probe reports every minute)."""
        from tui.core.history import Sample

        for window in windows:
            if window.used_percent is None:
                continue
            bucket = self._samples.setdefault(window.id, deque(maxlen=SAMPLE_LIMIT))
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

    def _read_statusline(self) -> None:
        target = Path(self._statusline_path) if self._statusline_path else paths.statusline_file()
        try:
            mtime = target.stat().st_mtime
        except OSError:
            return
        if mtime == self._statusline_mtime:
            return
        self._statusline_mtime = mtime
        feed = statusline_feed.read_recorded(target)
        if feed is None:
            return
        for window in feed.windows:
            self._windows[(window.id, window.source)] = window
        self._remember_samples(feed.windows)
        self._source_states["statusline"] = SourceState(
            id="statusline",
            state="ok",
            last_success_at=feed.observed_at,
            detail="recorded by `limitwatch statusline`",
        )

    def _check_credentials(self) -> None:
        generation = getattr(self.credentials, "generation", 0)
        with contextlib.suppress(Exception):
            self.credentials.oauth()  # re-reads the file when it changed
            generation = getattr(self.credentials, "generation", 0)
        if generation != self._credentials_generation:
            self._credentials_generation = generation
            self._event("credentials", "Claude Code credentials changed; re-read them")
            self._update_account()

    def _update_account(self) -> None:
        plan: str | None = None
        tier: str | None = None
        with contextlib.suppress(Exception):
            oauth = self.credentials.oauth()
            if oauth is not None:
                plan = oauth.plan
                tier = oauth.rate_limit_tier
            elif self.credentials.api_key() is not None:
                plan = "api"
        if plan is not None or tier is not None:
            self._account = Account(plan=plan, tier=tier)

    def _event(self, kind: str, text: str, level: Any = None) -> None:
        self._events.appendleft(Event(at=self.clock.now(), kind=kind, text=text, level=level))

    # -- the snapshot ---------------------------------------------------------------------

    def _best_windows(self) -> dict[str, Window]:
        """One window per id: the freshest observation, the usage endpoint on a tie."""
        best: dict[str, Window] = {}
        now = self.clock.now()
        for (window_id, _source), window in self._windows.items():
            if (
                window.resets_at is not None
                and window.resets_at <= now
                and window.source != ("oauth_usage")
            ):
                continue
            current = best.get(window_id)
            if current is None or _fresher(window, current):
                best[window_id] = window
        return best

    def _stale_after(self, source: str) -> float:
        poll = self.config.poll
        if source == "oauth_usage":
            return 2.5 * poll.usage_interval
        if source == "probe":
            return 3 * poll.probe_interval
        if source == "statusline":
            return STATUSLINE_STALE_S
        return 3600.0

    def _build_snapshot(self) -> Snapshot:
        from tui.core.alerts import AlertTracker, build_view

        now = self.clock.now()
        if self._tracker is None:
            self._tracker = AlertTracker(self.config.thresholds_for)
        views: list[WindowView] = []
        for window_id, window in sorted(self._best_windows().items(), key=_window_order):
            samples = list(self._samples.get(window_id, ()))
            try:
                view = build_view(
                    window,
                    self.config.thresholds_for(window_id),
                    samples,
                    now,
                    stale_after=self._stale_after(window.source),
                )
            except Exception:
                view = WindowView(window=window, level="unknown")
            views.append(view)
        self._note_levels(views)
        try:
            new_alerts = self._tracker.update(views, now)
            active = tuple(self._tracker.active(views))
        except Exception:
            new_alerts, active = [], ()
        for alert in new_alerts:
            self._event("level", alert.message, alert.level)
            self._fire(alert)
        self._active_alerts = active
        sources = self._all_source_states()
        return Snapshot(
            generated_at=now,
            account=self._account,
            windows=tuple(views),
            extra_usage=self._extra_usage,
            rate_limits=self._rate_limits,
            last_error=self._last_error,
            alerts=active,
            sources=sources,
            events=tuple(self._events),
            admin=self._admin,
        )

    def _note_levels(self, views: Sequence[WindowView]) -> None:
        for view in views:
            before = self._levels.get(view.window.id)
            # Upward crossings are logged by the alerts; a level falling back is logged here.
            falling = before is not None and LEVEL_ORDER[view.level] < LEVEL_ORDER[before]
            if falling and view.level != "unknown":
                self._event("level", f"{view.window.label}: down to {view.level}")
            self._levels[view.window.id] = view.level

    def _fire(self, alert: Alert) -> None:
        if self.notifier is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        task = loop.create_task(self.notifier.notify(alert))
        self._notify_tasks.add(task)
        task.add_done_callback(self._notify_tasks.discard)

    def _all_source_states(self) -> tuple[SourceState, ...]:
        states: list[SourceState] = []
        for source_id, source in self.sources.items():
            state = self._source_states.get(source_id)
            try:
                live = source.state()
            except Exception:
                live = None
            if live is not None:
                if state is not None and live.error is None and live.state != "ok":
                    live = replace(live, error=state.error)
                state = live
            if state is not None:
                states.append(state)
        if self.transcripts is not None:
            states.append(
                self._transcripts_state
                or SourceState(id="transcripts", state="ok", detail="not scanned yet")
            )
        statusline_state = self._source_states.get("statusline")
        if statusline_state is not None:
            age = self.clock.now() - (statusline_state.last_success_at or self.clock.now())
            if age.total_seconds() > STATUSLINE_STALE_S:
                statusline_state = SourceState(
                    id="statusline",
                    state="stale",
                    last_success_at=statusline_state.last_success_at,
                    detail="no status line render recently (Claude Code not running?)",
                )
            states.append(statusline_state)
        return tuple(states)


class _LazyClient:
    """Stands in for the httpx client until a source first uses it."""

    def __init__(self, factory: Callable[[], httpx.AsyncClient]) -> None:
        self._factory = factory
        self.created: httpx.AsyncClient | None = None

    def __getattr__(self, name: str) -> Any:
        if self.created is None:
            self.created = self._factory()
        return getattr(self.created, name)


def _fresher(candidate: Window, current: Window) -> bool:
    if candidate.used_percent is None and current.used_percent is not None:
        return False
    if current.used_percent is None and candidate.used_percent is not None:
        return True
    if candidate.observed_at != current.observed_at:
        return candidate.observed_at > current.observed_at
    return _SOURCE_PRIORITY.get(candidate.source, 9) < _SOURCE_PRIORITY.get(current.source, 9)


_WINDOW_ORDER = ["five_hour", "seven_day", "seven_day_opus", "seven_day_sonnet"]


def _window_order(item: tuple[str, Window]) -> tuple[int, str]:
    window_id = item[0]
    if window_id in _WINDOW_ORDER:
        return (_WINDOW_ORDER.index(window_id), window_id)
    return (len(_WINDOW_ORDER), window_id)
