"""The exported metrics: their names, and the pure function from snapshots to samples.

Both sinks (Prometheus and OTLP) serve exactly what ``metric_samples`` returns, so the two can
never disagree. Names are a contract: extend, never rename. Prometheus names are the family
names below (a counter's samples get ``_total``); OTLP uses the dotted ``otlp_name``.

Label values are ids only (account names, window ids, currency codes, rate-limit kinds, class
ids, source ids, model names): a value that is not a clean id drops its sample, model and account
names are cut to a short safe alphabet (an e-mail-like account name at its ``@``), so no secret,
e-mail address or message text can reach a label or an attribute.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Literal

from tui.models import Snapshot
from tui.record import record

Kind = Literal["gauge", "counter"]

# ok/warning/critical/exhausted -> 0..3; "unknown" has no sample.
LEVEL_VALUES: dict[str, int] = {"ok": 0, "warning": 1, "critical": 2, "exhausted": 3}
TOKEN_KINDS = ("input", "output", "cache_creation", "cache_read")
RATE_LIMIT_KINDS = ("requests", "tokens", "input_tokens", "output_tokens")
# A source the user turned off, or that has nothing to read, is not "down": no sample.
_SOURCES_IN_USE = ("ok", "stale", "error")
DEFAULT_CURRENCY = "USD"
DEFAULT_ACCOUNT = "default"  # the default Claude Code folder

_ID = re.compile(r"^[a-z0-9_]{1,64}$")
_NOT_MODEL = re.compile(r"[^A-Za-z0-9._:/-]")
_NOT_NAME = re.compile(r"[^A-Za-z0-9_.-]")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_LABEL_MAX = 80


@record
class MetricSpec:
    """One exported metric. ``name`` is the Prometheus family name."""

    name: str
    otlp_name: str
    kind: Kind
    help: str
    labels: tuple[str, ...]
    unit: str = ""  # UCUM unit for OTLP ("1", "s"), empty when none fits

    @property
    def sample_name(self) -> str:
        """The name Prometheus shows on each sample (counters end in ``_total``)."""
        return f"{self.name}_total" if self.kind == "counter" else self.name


METRICS: tuple[MetricSpec, ...] = (
    MetricSpec(
        "limitwatch_window_used_ratio",
        "limitwatch.window.used_ratio",
        "gauge",
        "Share of the usage window used, 0..1; absent when the window has no number.",
        ("account", "window"),
        "1",
    ),
    MetricSpec(
        "limitwatch_window_resets_at_seconds",
        "limitwatch.window.resets_at_seconds",
        "gauge",
        "When the usage window resets, Unix time in seconds.",
        ("account", "window"),
        "s",
    ),
    MetricSpec(
        "limitwatch_window_level",
        "limitwatch.window.level",
        "gauge",
        "Level of the usage window: 0 ok, 1 warning, 2 critical, 3 exhausted.",
        ("account", "window"),
    ),
    MetricSpec(
        "limitwatch_window_projected_full_at_seconds",
        "limitwatch.window.projected_full_at_seconds",
        "gauge",
        "When the usage window will be full at the current rate, Unix time in seconds.",
        ("account", "window"),
        "s",
    ),
    MetricSpec(
        "limitwatch_extra_usage_used",
        "limitwatch.extra_usage.used",
        "gauge",
        "Extra usage spent this month, in major units of the currency.",
        ("account", "currency"),
    ),
    MetricSpec(
        "limitwatch_extra_usage_limit",
        "limitwatch.extra_usage.limit",
        "gauge",
        "Monthly extra usage cap, in major units of the currency.",
        ("account", "currency"),
    ),
    MetricSpec(
        "limitwatch_rate_limit_remaining",
        "limitwatch.rate_limit.remaining",
        "gauge",
        "API rate limit left in the current minute (requests or tokens).",
        ("account", "kind"),
    ),
    MetricSpec(
        "limitwatch_rate_limit_limit",
        "limitwatch.rate_limit.limit",
        "gauge",
        "API rate limit per minute (requests or tokens).",
        ("account", "kind"),
    ),
    MetricSpec(
        "limitwatch_last_error_timestamp_seconds",
        "limitwatch.last_error.timestamp_seconds",
        "gauge",
        "When the last error of this class was seen, Unix time in seconds.",
        ("account", "class"),
        "s",
    ),
    MetricSpec(
        "limitwatch_source_up",
        "limitwatch.source.up",
        "gauge",
        "1 while the source's last answer is good and not stale, else 0.",
        ("account", "source"),
    ),
    MetricSpec(
        "limitwatch_source_last_success_seconds",
        "limitwatch.source.last_success_seconds",
        "gauge",
        "When the source last answered well, Unix time in seconds.",
        ("account", "source"),
        "s",
    ),
    MetricSpec(
        "limitwatch_transcript_tokens",
        "limitwatch.transcript.tokens",
        "counter",
        "Tokens counted in Claude Code's transcripts since limitwatch started.",
        ("account", "model", "kind"),
        "{token}",
    ),
)

METRICS_BY_NAME: dict[str, MetricSpec] = {spec.name: spec for spec in METRICS}


@record
class Sample:
    """One value of one metric: ``labels`` in the order of the spec's label names."""

    metric: str
    labels: tuple[tuple[str, str], ...]
    value: float


def id_label(text: str) -> str | None:
    """A window, source, kind or class id as it is (``seven_day_opus``); None if it is not one."""
    text = text.strip().lower()
    return text if _ID.match(text) else None


def model_label(text: str) -> str | None:
    """A model name (``claude-opus-4-5-20251101``) with anything else removed; None if what is
    left is empty or looks like a key."""
    cleaned = _NOT_MODEL.sub("", text)[:_LABEL_MAX]
    if not cleaned or "sk-ant" in cleaned.lower():
        return None
    return cleaned


def account_label(name: str) -> str:
    """An account name as a label: an e-mail-like name is cut at the ``@``."""
    cleaned = _NOT_NAME.sub("_", name.split("@", 1)[0].strip())[:_LABEL_MAX]
    return cleaned if cleaned and "sk-ant" not in cleaned.lower() else "unnamed"


def currency_code(text: str | None) -> str:
    """The ISO 4217 code ``status --json`` reports; USD when the server named none."""
    code = (text or "").strip().upper()
    return code if _CURRENCY.match(code) else DEFAULT_CURRENCY


def _seconds(when: datetime) -> float:
    return when.timestamp()


def per_account(snapshot: Snapshot) -> list[tuple[str, Snapshot]]:
    """(account name, its snapshot) for every account a fleet's snapshot holds."""
    if snapshot.accounts:
        return [(account.name, account.snapshot) for account in snapshot.accounts]
    return [(DEFAULT_ACCOUNT, snapshot)]


def metric_samples(accounts: Sequence[tuple[str, Snapshot]]) -> tuple[Sample, ...]:
    """Every sample for these accounts' snapshots, grouped by metric in ``METRICS`` order.

    A series appears once even if a snapshot repeats an id (the first one wins).
    """
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    found: dict[str, list[Sample]] = {spec.name: [] for spec in METRICS}
    for name, snapshot in accounts:
        account = account_label(name)
        for sample in _account_samples(account, snapshot):
            key = (sample.metric, sample.labels)
            if key in seen:
                continue
            seen.add(key)
            found[sample.metric].append(sample)
    return tuple(sample for spec in METRICS for sample in found[spec.name])


def _account_samples(account: str, snapshot: Snapshot) -> Iterator[Sample]:
    def sample(metric: str, value: float, **labels: str | None) -> Iterator[Sample]:
        """The sample, or nothing when a label value is not a clean id."""
        spec = METRICS_BY_NAME[metric]
        pairs = [("account", account)]
        for key in spec.labels[1:]:
            label = labels[key]
            if label is None:
                return
            pairs.append((key, label))
        yield Sample(metric, tuple(pairs), float(value))

    for view in snapshot.windows:
        window = view.window
        wid = id_label(window.id)
        used = window.used_percent
        if used is not None and math.isfinite(used):
            ratio = min(1.0, max(0.0, used / 100.0))
            yield from sample("limitwatch_window_used_ratio", ratio, window=wid)
            if view.level in LEVEL_VALUES:
                level = LEVEL_VALUES[view.level]
                yield from sample("limitwatch_window_level", level, window=wid)
        if window.resets_at is not None:
            when = _seconds(window.resets_at)
            yield from sample("limitwatch_window_resets_at_seconds", when, window=wid)
        if view.projected_full_at is not None:
            when = _seconds(view.projected_full_at)
            yield from sample("limitwatch_window_projected_full_at_seconds", when, window=wid)

    extra = snapshot.extra_usage
    if extra is not None:
        currency = currency_code(extra.currency)
        if extra.used is not None and math.isfinite(extra.used):
            yield from sample("limitwatch_extra_usage_used", extra.used, currency=currency)
        if extra.limit is not None and math.isfinite(extra.limit):
            yield from sample("limitwatch_extra_usage_limit", extra.limit, currency=currency)

    for limit in snapshot.rate_limits:
        kind = id_label(limit.id)
        yield from sample("limitwatch_rate_limit_remaining", limit.remaining, kind=kind)
        yield from sample("limitwatch_rate_limit_limit", limit.limit, kind=kind)

    error = snapshot.last_error
    if error is not None:
        when = _seconds(error.observed_at)
        class_id = id_label(error.class_id)
        yield from sample("limitwatch_last_error_timestamp_seconds", when, **{"class": class_id})

    for state in snapshot.sources:
        source = id_label(state.id)
        if state.state in _SOURCES_IN_USE:
            up = 1.0 if state.state == "ok" else 0.0
            yield from sample("limitwatch_source_up", up, source=source)
        if state.last_success_at is not None:
            when = _seconds(state.last_success_at)
            yield from sample("limitwatch_source_last_success_seconds", when, source=source)

    for model, kind, tokens in snapshot.token_totals:
        if kind in TOKEN_KINDS and tokens >= 0:
            name = model_label(model)
            yield from sample("limitwatch_transcript_tokens", tokens, model=name, kind=kind)
