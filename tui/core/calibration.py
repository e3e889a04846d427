"""The estimate between polls, as the ledger keeps it for one account: the transcripts' token
counts, the estimator fed with each fresh official reading, its running error per window, and
the chart of the most constrained window. Pure; no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from tui.config import Config
from tui.core.charts import most_constrained, window_series
from tui.core.estimate import Estimator
from tui.core.samples import Sample
from tui.models import Window, WindowSeries, WindowView
from tui.record import replace

# An official reading read from the shared cache long after it was fetched is not paired with
# the token counts of now.
CALIBRATION_AGE = timedelta(minutes=1)


class Calibration:
    def __init__(self) -> None:
        self.estimator = Estimator()
        self.token_totals: dict[tuple[str, str], int] = {}
        self.errors: dict[str, float] = {}  # window id -> running error (points), when known

    def take_tokens(self, rows: Iterable[tuple[str, str, int]]) -> None:
        """The transcripts' cumulative (model, kind, tokens) counts."""
        self.token_totals = {(model, kind): count for model, kind, count in rows}

    def token_rows(self) -> tuple[tuple[str, str, int], ...]:
        # A list first: a tuple built from a generator at every poll fills CPython's free list
        # of 12-item tuples (see ``estimate._delta``).
        return tuple([(m, k, n) for (m, k), n in sorted(self.token_totals.items())])

    def observe(self, windows: Sequence[Window], now: datetime) -> None:
        """Teach the estimator each fresh official reading."""
        if not self.token_totals:
            return
        for window in windows:
            if window.used_percent is None or now - window.observed_at > CALIBRATION_AGE:
                continue
            self.estimator.observe(
                window.id,
                window.used_percent,
                window.resets_at,
                window.observed_at,
                self.token_totals,
            )
            error = self.estimator.running_error(window.id)
            if error is not None:
                self.errors[window.id] = error

    def estimated(self, view: WindowView, now: datetime) -> WindowView:
        """The view with the estimate of its value now, between official readings."""
        window = view.window
        if window.source != "oauth_usage" or not self.token_totals or now <= window.observed_at:
            return view
        estimate = self.estimator.estimate(window.id, now, self.token_totals)
        if estimate is None or estimate.used_percent < (window.used_percent or 0.0):
            return view
        return replace(view, estimate=estimate)

    def chart(
        self,
        views: Sequence[WindowView],
        samples: Mapping[str, Iterable[Sample]],
        config: Config,
        now: datetime,
    ) -> WindowSeries | None:
        """The most constrained window's current and previous instances, for a chart."""
        chosen = most_constrained(views)
        if chosen is None:
            return None
        levels = config.thresholds_for(chosen)
        return window_series(
            chosen,
            list(samples.get(chosen, ())),
            now=now,
            warning=levels.warning,
            critical=levels.critical,
            running_error=self.errors.get(chosen),
        )
