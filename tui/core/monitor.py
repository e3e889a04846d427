"""The poll loop's scheduling, shared by the live view, ``status``, ``doctor`` and the bench.

It owns the sources, runs the ones that are due (one fetch per source at a time: a tick whose
previous fetch still runs is skipped, never cancels it), hands their frozen results to the
``Ledger`` (which classifies, decides levels and alerts, and builds the ``Snapshot``) and does the
I/O around it: history rows, the last-error file, notifications. It never imports Textual.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from tui import paths
from tui.clock import Clock
from tui.config import Config
from tui.core.client import LazyClient
from tui.core.ledger import Ledger
from tui.core.loop import gather, running_loop
from tui.models import (
    Account,
    Alert,
    Classification,
    Snapshot,
    SourceResult,
    SourceState,
    TransportError,
)
from tui.record import replace
from tui.sources.statusline import StatuslineSource

if TYPE_CHECKING:
    import asyncio

    import httpx

    from tui.core.estimate import Estimator
    from tui.core.history import History
    from tui.core.notify import Notifier
    from tui.sources.base import Source
    from tui.sources.credentials import CredentialStore
    from tui.sources.transcripts.source import TranscriptSource


SAMPLE_SPAN = timedelta(days=2)


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
        account: str = "default",
        estimate_path: Path | None = None,
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
        self.persist_last_error = persist_last_error
        if network_sources is None:
            from tui.sources.network import default_sources

            network_sources = default_sources(config, clock, credentials)
        local: list[Source] = [] if transcripts is None else [transcripts]
        # The feed's path is resolved once: a Path built at every read interns its parts anew
        # each time, and that churn grows the interpreter's table of interned strings.
        feed_path = statusline_path if statusline_path is not None else paths.statusline_file()
        local.append(
            StatuslineSource(feed_path, clock=clock, interval=config.poll.transcripts_interval)
        )
        # Every source alike: network ones, then the local transcripts and status line feed.
        self.sources: dict[str, Source] = {s.id: s for s in [*network_sources, *local]}
        self._busy: set[str] = set()  # sources whose fetch is running
        self._paused = False
        self.ledger = Ledger(config, tz=tz, label=label)
        self.label = label
        self.account = account  # the name its history rows carry
        self._estimate_path = estimate_path
        self._written_estimates: dict[str, float] = {}
        self._last_error_path = last_error_path
        self._credentials_generation = credentials.generation
        self._snapshot: Snapshot | None = None
        self._written_error: Classification | None = None
        self._notify_tasks: set[asyncio.Task[Any]] = set()
        self._seed_from_history()
        self._update_account()

    def _seed_from_history(self) -> None:
        """A freshly opened pane shows the last known numbers (with their age) at once."""
        if self.history is None:
            return
        now = self.clock.now()
        try:
            latest = self.history.latest(account=self.account)
            samples = {
                window_id: self.history.samples(
                    window_id, since=now - SAMPLE_SPAN, account=self.account
                )
                for window_id in {w.id for w in latest}
            }
        except Exception:  # a broken history file must not stop the monitor
            return
        self.ledger.seed(latest, samples, now)

    # -- MonitorLike ----------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def estimator(self) -> Estimator:
        """The account's estimate between polls (the history screen shows its running error)."""
        return self.ledger.calibration.estimator

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
        results = [r for r in await gather(fetches) if r is not None]
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
        real = lazy.created if isinstance(lazy, LazyClient) else lazy
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
            self._client = cast("httpx.AsyncClient", LazyClient(self._make_client))
        return self._client

    def _make_client(self) -> httpx.AsyncClient:
        if self._client_factory is not None:
            return self._client_factory(self.base_url)
        from tui.sources.http import make_client

        timeout = max(2.0, min(15.0, self.config.poll.probe_interval / 2))
        return make_client(self.base_url, timeout=timeout)

    async def _fetch(self, source: Source, *, manual: bool) -> SourceResult | None:
        if source.id in self._busy:
            return None  # a fetch of this source is still running: skip, never cancel it
        self._busy.add(source.id)
        try:
            result: SourceResult = await source.fetch(self._get_client(), manual=manual)
        except Exception as exc:  # a source must not raise; if it does, it is classified
            result = self._exception_result(source.id, exc)
        finally:
            self._busy.discard(source.id)
        return result

    def _exception_result(self, source_id: str, exc: Exception) -> SourceResult:
        now = self.clock.now()
        error = TransportError(
            kind="other", detail=f"{type(exc).__name__}: {exc}", observed_at=now, source=source_id
        )
        state = SourceState(id=source_id, state="error", detail=f"internal error: {exc}")
        return SourceResult(source=source_id, state=state, error=error)

    # -- folding results in ---------------------------------------------------------------

    def _take(self, results: Sequence[SourceResult]) -> None:
        """Fold results into the ledger; record their fresh windows in the history."""
        self.ledger.absorb(results, self.clock.now())
        if self.history is None:
            return
        for result in results:
            if result.windows and not result.from_cache:
                with contextlib.suppress(Exception):
                    self.history.record(result.windows, account=self.account)

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
        errors = self.ledger.calibration.errors
        if errors != self._written_estimates and self.persist_last_error:
            self._written_estimates = dict(errors)
            from tui.core.last_error import write_estimate_errors

            write_estimate_errors(errors, snapshot.generated_at, self._estimate_path)
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
        loop = running_loop()
        if loop is None:
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
        """Each source's own state, with the error last classified for it when it is failing."""
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
                    live = replace(live, error=state.error)
                state = live
            if state is not None:
                states.append(state)
        return tuple(states)
