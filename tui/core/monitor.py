"""The poll loop's scheduling, shared by the live view, ``status``, ``doctor`` and the bench.

It owns the sources, runs the ones that are due (one fetch per source at a time: a tick whose
previous fetch still runs is skipped, never cancels it), hands their frozen results to the
``Ledger`` (which classifies, decides levels and alerts, and builds the ``Snapshot``) and does the
I/O around it: history rows, the last-error file, notifications. It never imports Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from tui import paths
from tui.clock import Clock
from tui.config import Config
from tui.core.ledger import Ledger
from tui.models import (
    Account,
    Alert,
    Classification,
    Snapshot,
    SourceResult,
    SourceState,
    TransportError,
)
from tui.sources import statusline as statusline_feed

if TYPE_CHECKING:
    import httpx

    from tui.core.history import History
    from tui.core.notify import Notifier
    from tui.sources.base import Source
    from tui.sources.credentials import CredentialStore
    from tui.sources.transcripts.source import TranscriptSource


SAMPLE_SPAN = timedelta(days=2)
STATUSLINE_STALE_S = 15 * 60


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
    """Runs the sources that are due and keeps the latest Snapshot."""

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
        network_sources: Sequence[Source] | None = None,
        client_factory: Callable[[str], httpx.AsyncClient] | None = None,
        statusline_path: Path | None = None,
        persist_last_error: bool = True,
        tz: tzinfo | None = None,
        label: str = "",
        last_error_path: Path | None = None,
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
            network_sources = default_sources(config, clock, credentials)
        self.sources: dict[str, Source] = {s.id: s for s in network_sources}
        self._locks: dict[str, asyncio.Lock] = {}
        self._paused = False
        self.ledger = Ledger(config, tz=tz, label=label)
        self.label = label
        self._last_error_path = last_error_path
        self._transcripts_due_at: datetime | None = None
        self._transcripts_state: SourceState | None = None
        self._transcripts_scanned = False
        self._credentials_generation = credentials.generation
        self._snapshot: Snapshot | None = None
        self._written_error: Classification | None = None
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
        config_dir: Path | None = None,
        label: str = "",
        transcript_roots: Sequence[Path] | None = None,
        network: Sequence[str] = ("oauth_usage", "probe", "admin"),
        tz: tzinfo | None = None,
    ) -> Monitor:
        """The production wiring: history in the data folder, notifier, transcripts. With
        ``config_dir`` (one of several accounts), the account's own status line feed,
        last-error file and transcripts (``transcript_roots``). ``network``: the network
        sources to run (one-shot commands leave out the probe, which costs tokens)."""
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
                transcript_roots, clock=clock, configured_dir=config.sources.claude_config_dir
            )
        return cls(
            config,
            clock=clock,
            credentials=credentials,
            base_url=base_url,
            history=history,
            notifier=notifier,
            transcripts=transcripts,
            network_sources=[
                s for s in default_sources(config, clock, credentials) if s.id in network
            ],
            label=label,
            tz=tz,
            statusline_path=paths.statusline_file(config_dir) if config_dir else None,
            last_error_path=paths.last_error_file(config_dir) if config_dir else None,
        )

    def _seed_from_history(self) -> None:
        """A freshly opened pane shows the last known numbers (with their age) at once."""
        if self.history is None:
            return
        now = self.clock.now()
        try:
            latest = self.history.latest()
            samples = {
                window_id: self.history.samples(window_id, since=now - SAMPLE_SPAN)
                for window_id in {w.id for w in latest}
            }
        except Exception:  # a broken history file must not stop the monitor
            return
        self.ledger.seed(latest, samples, now)

    # -- MonitorLike ----------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        if not self._paused:
            self._paused = True
            self.ledger.event(self.clock.now(), "info", "Polling paused")
            self._snapshot = None

    def resume(self) -> None:
        if self._paused:
            self._paused = False
            self.ledger.event(self.clock.now(), "info", "Polling resumed")
            self._snapshot = None

    def set_config(self, config: Config) -> None:
        """New thresholds (from the editor): levels and alerts follow them from now on."""
        self.config = config
        self.ledger.set_config(config)
        self._snapshot = None

    def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            self._snapshot = self._fold(raise_alerts=False)
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
        results = [r for r in await asyncio.gather(*fetches) if r is not None]
        if self.transcripts is not None and (
            self._transcripts_due_at is None or now >= self._transcripts_due_at
        ):
            scanned = await self._run_transcripts()
            if scanned is not None:
                results.append(scanned)
        feed = self._read_statusline()
        if feed is not None:
            results.append(feed)
        self._take(results)
        return self._after_fold()

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
        allowed, when = source.manual_allowed(self.clock.now())
        if not allowed:
            return False, when
        result = await self._fetch(source, manual=True)
        if result is not None:
            self._take([result])
        self._after_fold()
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

    async def _fetch(self, source: Source, *, manual: bool) -> SourceResult | None:
        lock = self._locks.setdefault(source.id, asyncio.Lock())
        if lock.locked():
            return None  # a fetch of this source is still running: skip, never cancel it
        async with lock:
            try:
                result: SourceResult = await source.fetch(self._get_client(), manual=manual)
            except Exception as exc:  # a source must not raise; if it does, it is classified
                result = self._exception_result(source.id, exc)
            return result

    def _exception_result(self, source_id: str, exc: Exception) -> SourceResult:
        now = self.clock.now()
        error = TransportError(
            kind="other", detail=f"{type(exc).__name__}: {exc}", observed_at=now, source=source_id
        )
        state = SourceState(id=source_id, state="error", detail=f"internal error: {exc}")
        return SourceResult(source=source_id, state=state, error=error)

    async def _run_transcripts(self) -> SourceResult | None:
        assert self.transcripts is not None
        lock = self._locks.setdefault("transcripts", asyncio.Lock())
        if lock.locked():
            return None
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
                state = self.transcripts.state()
            except Exception as exc:
                state = SourceState(id="transcripts", state="error", detail=f"scan failed: {exc}")
                self._transcripts_state = state
                return None
            self._transcripts_state = state
            return SourceResult(
                source="transcripts",
                state=state,
                transcript_errors=scan.new_errors,
                history_only=scan.first_scan,
            )

    def _read_statusline(self) -> SourceResult | None:
        target = self._statusline_path or paths.statusline_file()
        try:
            mtime = target.stat().st_mtime
        except OSError:
            return None
        if mtime == self._statusline_mtime:
            return None
        self._statusline_mtime = mtime
        feed = statusline_feed.read_recorded(target)
        if feed is None:
            return None
        state = SourceState(
            id="statusline",
            state="ok",
            last_success_at=feed.observed_at,
            detail="recorded by `limitwatch statusline`",
        )
        return SourceResult(source="statusline", state=state, windows=feed.windows, from_cache=True)

    # -- folding results in ---------------------------------------------------------------

    def _take(self, results: Sequence[SourceResult]) -> None:
        """Fold results into the ledger; record their fresh windows in the history."""
        self.ledger.absorb(results, self.clock.now())
        if self.history is None:
            return
        for result in results:
            if result.windows and not result.from_cache:
                with contextlib.suppress(Exception):
                    self.history.record(result.windows)

    def _after_fold(self) -> Snapshot:
        """The snapshot of a poll: its new alerts are notified, a new last error is saved."""
        snapshot = self._fold(raise_alerts=True)
        self._snapshot = snapshot
        error = snapshot.last_error
        if error is not None and error is not self._written_error:
            self._written_error = error
            if self.persist_last_error:
                from tui.core.last_error import write_last_error

                write_last_error(error, self._last_error_path)
        for alert in snapshot.new_alerts:
            self._fire(alert)
        return snapshot

    def _fold(self, *, raise_alerts: bool) -> Snapshot:
        return self.ledger.snapshot(
            self.clock.now(), self._all_source_states(), raise_alerts=raise_alerts
        )

    def _check_credentials(self) -> None:
        generation = self.credentials.generation
        with contextlib.suppress(Exception):
            self.credentials.oauth()  # re-reads the file when it changed
            generation = self.credentials.generation
        if generation != self._credentials_generation:
            self._credentials_generation = generation
            self.ledger.event(
                self.clock.now(), "credentials", "Claude Code credentials changed; re-read them"
            )
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
            self.ledger.account = Account(plan=plan, tier=tier)

    def _fire(self, alert: Alert) -> None:
        if self.notifier is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        task = loop.create_task(self._notify(alert))
        self._notify_tasks.add(task)
        task.add_done_callback(self._notify_tasks.discard)

    async def _notify(self, alert: Alert) -> None:
        """Run the notifier; a problem it reports (a failing command) reaches the event log."""
        assert self.notifier is not None
        try:
            problems = await self.notifier.notify(alert)
        except Exception as exc:
            problems = [f"notification failed: {type(exc).__name__}: {exc}"]
        for problem in problems:
            self.ledger.event(self.clock.now(), "error", f"notify: {problem}")
        if problems:
            self._snapshot = None

    def _all_source_states(self) -> tuple[SourceState, ...]:
        recorded = self.ledger.source_states
        states: list[SourceState] = []
        for source_id, source in self.sources.items():
            state = recorded.get(source_id)
            try:
                live: SourceState | None = source.state()
            except Exception:
                live = None
            if live is not None:
                if state is not None and live.error is None and live.state != "ok":
                    from dataclasses import replace

                    live = replace(live, error=state.error)
                state = live
            if state is not None:
                states.append(state)
        if self.transcripts is not None:
            states.append(
                self._transcripts_state
                or SourceState(id="transcripts", state="ok", detail="not scanned yet")
            )
        statusline_state = recorded.get("statusline")
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


def default_sources(config: Config, clock: Clock, credentials: CredentialStore) -> list[Source]:
    """The network sources: the usage endpoint, the probe, the admin reports."""
    from tui.sources.admin import AdminSource
    from tui.sources.oauth.source import OAuthUsageSource
    from tui.sources.probe import ProbeSource

    return [
        OAuthUsageSource(credentials, config=config, clock=clock),
        ProbeSource(credentials, config=config, clock=clock),
        AdminSource(credentials, config=config, clock=clock),
    ]


class _LazyClient:
    """Stands in for the httpx client until a source first uses it."""

    def __init__(self, factory: Callable[[], httpx.AsyncClient]) -> None:
        self._factory = factory
        self.created: httpx.AsyncClient | None = None

    def __getattr__(self, name: str) -> Any:
        if self.created is None:
            self.created = self._factory()
        return getattr(self.created, name)
