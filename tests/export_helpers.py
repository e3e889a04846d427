"""Shared by the export tests: a snapshot that fills every metric, a scrape, an OTLP receiver."""

from __future__ import annotations

import http.server
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta

from tui.models import (
    Account,
    Classification,
    ExtraUsage,
    RateLimit,
    Snapshot,
    SourceState,
    Window,
    WindowView,
)

T0 = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)
SECRET = "sk-ant-oat01-this-must-never-leave-000000000000000000000000"
EMAIL = "someone@example.com"
MESSAGE = f"You're out of extra usage. Add more at claude.ai/settings/usage ({EMAIL}, {SECRET})"


def view(
    window_id: str,
    used: float | None,
    level: str,
    *,
    resets_in: timedelta | None = timedelta(hours=2),
    projected_in: timedelta | None = None,
    not_started: bool = False,
) -> WindowView:
    window = Window(
        id=window_id,
        used_percent=used,
        resets_at=None if resets_in is None else T0 + resets_in,
        source="oauth_usage",
        observed_at=T0 - timedelta(minutes=2),
        not_started=not_started,
    )
    projected = None if projected_in is None else T0 + projected_in
    return WindowView(window=window, level=level, projected_full_at=projected)  # type: ignore[arg-type]


def error(class_id: str = "extra_usage_exhausted") -> Classification:
    return Classification(
        class_id=class_id,
        title="Out of extra usage",
        explanation=f"Billed to extra usage; {EMAIL}",
        actions=("Add more at claude.ai/settings/usage",),
        message=MESSAGE,
        source="transcripts",
        observed_at=T0 - timedelta(minutes=5),
        status=400,
        project="/home/someone/secret-project",
        session="0f1e2d3c",
    )


def full_snapshot(**changes: object) -> Snapshot:
    """Every metric has at least one sample; one window has no number."""
    snapshot = Snapshot(
        generated_at=T0,
        account=Account(plan="max", tier="default_claude_max_5x"),
        windows=(
            view("five_hour", 42.0, "ok", projected_in=timedelta(hours=1)),
            view("seven_day", 80.0, "warning", resets_in=timedelta(days=3)),
            view("seven_day_opus", 95.0, "critical", resets_in=timedelta(days=3)),
            view("seven_day_sonnet", 100.0, "exhausted", resets_in=timedelta(days=3)),
            view("seven_day_cowork", None, "unknown", resets_in=timedelta(days=3)),
        ),
        extra_usage=ExtraUsage(
            enabled=True,
            used=12.5,
            limit=50.0,
            currency="EUR",
            used_percent=25.0,
            observed_at=T0,
        ),
        rate_limits=(
            RateLimit("requests", limit=50, remaining=49, resets_at=None, observed_at=T0),
            RateLimit("input_tokens", limit=30000, remaining=0, resets_at=None, observed_at=T0),
        ),
        last_error=error(),
        sources=(
            SourceState("oauth_usage", "ok", last_success_at=T0 - timedelta(minutes=2)),
            SourceState("probe", "stale", last_success_at=T0 - timedelta(hours=1)),
            SourceState("admin", "disabled", detail="off: no admin key ($ANTHROPIC_ADMIN_KEY)"),
            SourceState("transcripts", "error", detail=f"scan failed: {MESSAGE}"),
        ),
        token_totals=(
            ("claude-opus-4-5-20251101", "input", 1200),
            ("claude-opus-4-5-20251101", "output", 340),
            ("claude-sonnet-4-5", "cache_read", 50000),
        ),
    )
    if changes:
        from dataclasses import replace

        snapshot = replace(snapshot, **changes)  # type: ignore[arg-type]
    return snapshot


def scrape(url: str, *, timeout: float = 5.0) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        assert response.status == 200
        return str(response.read().decode("utf-8"))


class OtlpReceiver:
    """An OTLP/HTTP collector stand-in on loopback: keeps every POSTed body, answers 200."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.paths: list[str] = []
        self.headers: list[dict[str, str]] = []
        self._cond = threading.Condition()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver._cond:
                    receiver.bodies.append(body)
                    receiver.paths.append(self.path)
                    receiver.headers.append({k.lower(): v for k, v in self.headers.items()})
                    receiver._cond.notify_all()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.bodies) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def requests(self) -> list[object]:
        """Every body decoded as the OTLP protobuf ``ExportMetricsServiceRequest``."""
        from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
            ExportMetricsServiceRequest,
        )

        with self._cond:
            bodies = list(self.bodies)
        return [ExportMetricsServiceRequest.FromString(body) for body in bodies]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def otlp_points(request: object) -> dict[str, list[tuple[dict[str, str], float, str]]]:
    """metric name -> [(attributes, value, kind)] from one decoded request."""
    found: dict[str, list[tuple[dict[str, str], float, str]]] = {}
    for resource_metrics in request.resource_metrics:  # type: ignore[attr-defined]
        for scope in resource_metrics.scope_metrics:
            for metric in scope.metrics:
                kind = metric.WhichOneof("data")
                data = getattr(metric, kind)
                for point in data.data_points:
                    attrs = {kv.key: kv.value.string_value for kv in point.attributes}
                    value = point.as_double if point.HasField("as_double") else point.as_int
                    found.setdefault(metric.name, []).append((attrs, float(value), kind))
    return found


def resource_attributes(request: object) -> dict[str, str]:
    resource = request.resource_metrics[0].resource  # type: ignore[attr-defined]
    return {kv.key: kv.value.string_value for kv in resource.attributes}
