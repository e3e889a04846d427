"""The OTLP sink: pushes the same samples over OTLP/HTTP (protobuf) with the OpenTelemetry SDK.

Configured by the standard variables, read by the SDK itself: ``OTEL_EXPORTER_OTLP_ENDPOINT``
(base URL; ``/v1/metrics`` is added), ``OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`` (full URL),
``OTEL_EXPORTER_OTLP_HEADERS`` / ``..._METRICS_HEADERS``, ``OTEL_EXPORTER_OTLP_TIMEOUT``,
``OTEL_METRIC_EXPORT_INTERVAL`` (ms, default 60000), ``OTEL_METRIC_EXPORT_TIMEOUT``,
``OTEL_RESOURCE_ATTRIBUTES`` and ``OTEL_SERVICE_NAME`` (``service.name`` is ``limitwatch``
unless they name one). With nothing set, it pushes to ``http://localhost:4318/v1/metrics``.

Plain ``http://`` to a host other than loopback is only ever the user's explicit choice (one of
those variables): it is allowed, and ``otlp_endpoint`` says so in a warning for stderr.
The SDK is imported only when a sink is started.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tui import __version__
from tui.export.metrics import METRICS, MetricSpec, Sample
from tui.export.prometheus import is_loopback
from tui.record import record

if TYPE_CHECKING:
    from opentelemetry.metrics import CallbackOptions, Observation
    from opentelemetry.sdk.metrics import MeterProvider

DEFAULT_ENDPOINT = "http://localhost:4318/v1/metrics"
DEFAULT_INTERVAL_MS = 60_000.0
DEFAULT_TIMEOUT_MS = 30_000.0
MIN_INTERVAL_MS = 100.0
SERVICE_NAME = "limitwatch"
_SUPPORTED_PROTOCOLS = ("", "http/protobuf")


class OtlpConfigError(ValueError):
    """An OTEL_* variable limitwatch cannot honour."""


@record
class OtlpEndpoint:
    url: str
    origin: str  # the variable that set it, or "default"
    warning: str | None = None  # said on stderr when the user chose plain http off loopback


def otlp_endpoint(env: Mapping[str, str] | None = None) -> OtlpEndpoint:
    """Where metrics go, resolved as the OTLP/HTTP exporter resolves it, and checked."""
    env = os.environ if env is None else env
    for name in ("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"):
        protocol = env.get(name, "").strip().lower()
        if protocol:
            if protocol not in _SUPPORTED_PROTOCOLS:
                raise OtlpConfigError(
                    f"{name}={protocol}: limitwatch pushes OTLP over HTTP with protobuf only "
                    "(http/protobuf); point it at the collector's OTLP/HTTP port (4318)"
                )
            break
    if env.get("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "").strip():
        origin = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"
        url = env[origin].strip()
    elif env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip():
        origin = "OTEL_EXPORTER_OTLP_ENDPOINT"
        url = env[origin].strip().removesuffix("/") + "/v1/metrics"
    else:
        return OtlpEndpoint(DEFAULT_ENDPOINT, "default")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port  # a bad port raises here
    except ValueError as exc:
        raise OtlpConfigError(f"{origin}: not a usable URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not host:
        raise OtlpConfigError(f"{origin}: expected an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise OtlpConfigError(
            f"{origin}: put credentials in OTEL_EXPORTER_OTLP_HEADERS, not in the URL"
        )
    warning = None
    if parts.scheme == "http" and not is_loopback(host):
        headers = any(
            env.get(name, "").strip()
            for name in ("OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_METRICS_HEADERS")
        )
        warning = (
            f"OTLP metrics go over plain http to {host} (set by {origin}): anyone on the "
            "network path can read them"
            + (", and the OTLP headers too" if headers else "")
            + "; use https:// unless that network is yours"
        )
    return OtlpEndpoint(url, origin, warning)


def _milliseconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise OtlpConfigError(f"{name}={raw!r}: expected milliseconds, e.g. 60000") from None
    if not value >= MIN_INTERVAL_MS:  # also refuses NaN
        raise OtlpConfigError(f"{name}={raw!r}: must be at least {MIN_INTERVAL_MS:.0f} ms")
    return value


def export_interval_ms(env: Mapping[str, str] | None = None) -> float:
    env = os.environ if env is None else env
    return _milliseconds(env, "OTEL_METRIC_EXPORT_INTERVAL", DEFAULT_INTERVAL_MS)


class OtlpSink:
    """Pushes the latest samples every export interval, and once more on ``close``."""

    def __init__(self) -> None:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader

        # The SDK reads the other OTEL_* variables itself, from the process environment.
        self.endpoint = otlp_endpoint()
        interval = export_interval_ms()
        timeout = _milliseconds(os.environ, "OTEL_METRIC_EXPORT_TIMEOUT", DEFAULT_TIMEOUT_MS)
        self._lock = threading.Lock()
        self._samples: dict[str, list[Sample]] = {}
        reader = PeriodicExportingMetricReader(
            OTLPMetricExporter(endpoint=self.endpoint.url),
            export_interval_millis=interval,
            export_timeout_millis=timeout,
        )
        self._provider: MeterProvider | None = MeterProvider(
            resource=_resource(), metric_readers=[reader]
        )
        meter = self._provider.get_meter("limitwatch", __version__)
        for spec in METRICS:
            callback = self._callback(spec)
            if spec.kind == "counter":
                meter.create_observable_counter(
                    spec.otlp_name, callbacks=[callback], unit=spec.unit, description=spec.help
                )
            else:
                meter.create_observable_gauge(
                    spec.otlp_name, callbacks=[callback], unit=spec.unit, description=spec.help
                )

    def _callback(self, spec: MetricSpec) -> Any:
        from opentelemetry.metrics import Observation

        def observe(_options: CallbackOptions) -> Iterable[Observation]:
            with self._lock:
                samples = list(self._samples.get(spec.name, ()))
            return [Observation(sample.value, dict(sample.labels)) for sample in samples]

        return observe

    def update(self, samples: Sequence[Sample]) -> None:
        grouped: dict[str, list[Sample]] = {}
        for sample in samples:
            grouped.setdefault(sample.metric, []).append(sample)
        with self._lock:
            self._samples = grouped

    def close(self, timeout_s: float = 10.0) -> None:
        """The final push of the latest values, then the SDK's threads stop."""
        provider, self._provider = self._provider, None
        if provider is not None:
            provider.shutdown(timeout_millis=timeout_s * 1000)


def _resource() -> Any:
    """``service.name=limitwatch`` and the version, unless OTEL_* variables say otherwise."""
    from opentelemetry.sdk.resources import OTELResourceDetector, Resource

    from_env = OTELResourceDetector().detect().attributes
    defaults = {"service.name": SERVICE_NAME, "service.version": __version__}
    return Resource.create({k: v for k, v in defaults.items() if k not in from_env})
