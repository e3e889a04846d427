"""Export to the engines a team already runs: Prometheus (``/metrics``) and OTLP/HTTP.

``metrics`` names the metrics and turns snapshots into samples (a pure function both sinks
use); ``prometheus`` and ``otlp`` are the sinks; ``exporter`` holds ``Exporter``, the object
``limitwatch export`` and the live view run. This package reads snapshots and never calls a
source itself. prometheus-client and the OpenTelemetry SDK (the ``export`` extra) are imported
only when a sink starts, so nothing else in limitwatch loads them.
"""

from __future__ import annotations

from tui.export.exporter import INSTALL_HINT, Exporter, ExportError
from tui.export.metrics import METRICS, MetricSpec, Sample, metric_samples, per_account

__all__ = [
    "INSTALL_HINT",
    "METRICS",
    "ExportError",
    "Exporter",
    "MetricSpec",
    "Sample",
    "metric_samples",
    "per_account",
]
