"""``Exporter``: the Prometheus and OTLP sinks behind one small object.

The headless ``limitwatch export`` loop and the live view both run it the same way::

    exporter = Exporter.start(prometheus="127.0.0.1:9464", otlp=True)
    exporter.update_all(snapshot)               # after every poll: each account by its name
    exporter.close()                            # final OTLP push, server stopped

It only reads the snapshots it is handed; it never calls a source. Everything that can be wrong
with the set-up (missing extras, a bad address, a port in use, an OTEL_* variable it cannot
honour) is an ``ExportError`` with a message for the user, raised before anything runs.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tui.export.metrics import Sample, metric_samples, per_account
from tui.export.otlp import OtlpConfigError, export_interval_ms, otlp_endpoint
from tui.export.prometheus import ListenAddressError, parse_listen
from tui.models import Snapshot

if TYPE_CHECKING:
    from tui.export.otlp import OtlpSink
    from tui.export.prometheus import PrometheusSink

INSTALL_HINT = "pip install 'limitwatch[export]'"
_PROMETHEUS_MODULES = ("prometheus_client",)
_OTLP_MODULES = ("opentelemetry.sdk.metrics", "opentelemetry.exporter.otlp.proto.http")


class ExportError(RuntimeError):
    """The export cannot start; the message says why and what to do."""


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a missing parent package
        return False


def missing_packages(*, prometheus: bool, otlp: bool) -> list[str]:
    """The distributions an export needs that are not installed."""
    missing: list[str] = []
    if prometheus and not all(_installed(m) for m in _PROMETHEUS_MODULES):
        missing.append("prometheus-client")
    if otlp and not all(_installed(m) for m in _OTLP_MODULES):
        missing.append("opentelemetry-sdk and opentelemetry-exporter-otlp-proto-http")
    return missing


class Exporter:
    """Both sinks, fed one list of (account name, snapshot) at a time."""

    def __init__(
        self, prometheus: PrometheusSink | None, otlp: OtlpSink | None, notes: Sequence[str]
    ) -> None:
        self.prometheus = prometheus
        self.otlp = otlp
        self.notes = tuple(notes)  # lines for stderr or the event log: where metrics go
        self.samples: tuple[Sample, ...] = ()

    @classmethod
    def start(cls, prometheus: str | None, otlp: bool) -> Exporter:
        """Serve ``/metrics`` on ``prometheus`` (HOST:PORT; "" for 127.0.0.1:9464; None for
        no server) and/or push OTLP. Raises ``ExportError``; starts nothing if it does."""
        if prometheus is None and not otlp:
            raise ExportError("nothing to export: ask for Prometheus, OTLP or both")
        missing = missing_packages(prometheus=prometheus is not None, otlp=otlp)
        if missing:
            raise ExportError(f"export needs {' and '.join(missing)}: {INSTALL_HINT}")
        notes: list[str] = []
        try:
            address = parse_listen(prometheus) if prometheus is not None else None
            endpoint = otlp_endpoint() if otlp else None
            interval = export_interval_ms() if otlp else 0.0
        except (ListenAddressError, OtlpConfigError) as exc:
            raise ExportError(str(exc)) from None
        prometheus_sink: PrometheusSink | None = None
        if address is not None:
            from tui.export.prometheus import PrometheusSink

            try:
                prometheus_sink = PrometheusSink(address)
            except OSError as exc:
                reason = exc.strerror or str(exc)
                raise ExportError(
                    f"cannot serve metrics on {address.host}:{address.port}: {reason}"
                ) from None
            notes.append(f"Prometheus metrics at {prometheus_sink.url}")
            if not address.loopback:
                notes.append(
                    f"the metrics server listens on {address.host}, not only on loopback: "
                    "anyone who can reach that port can read your usage"
                )
        otlp_sink: OtlpSink | None = None
        if endpoint is not None:
            from tui.export.otlp import OtlpSink

            try:
                otlp_sink = OtlpSink()
            except Exception as exc:
                if prometheus_sink is not None:
                    prometheus_sink.close()
                raise ExportError(f"cannot start the OTLP exporter: {exc}") from None
            notes.append(
                f"OTLP metrics to {endpoint.url} ({endpoint.origin}) every {interval / 1000:g} s"
            )
            if endpoint.warning:
                notes.append(endpoint.warning)
        return cls(prometheus_sink, otlp_sink, notes)

    def update(self, snapshots: Sequence[tuple[str, Snapshot]]) -> None:
        """The latest snapshot of each account; what the sinks serve from now on."""
        self.samples = metric_samples(snapshots)
        for sink in (self.prometheus, self.otlp):
            if sink is not None:
                sink.update(self.samples)

    def update_all(self, snapshot: Snapshot) -> None:
        """Every account of a fleet's snapshot (``Snapshot.accounts``), each under its name."""
        self.update(per_account(snapshot))

    def close(self) -> None:
        """A final OTLP push of the latest values, then both sinks stop. Safe to call twice."""
        otlp, self.otlp = self.otlp, None
        prometheus, self.prometheus = self.prometheus, None
        try:
            if otlp is not None:
                otlp.close()
        finally:
            if prometheus is not None:
                prometheus.close()
