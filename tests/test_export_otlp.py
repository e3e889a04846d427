"""OTLP/HTTP pushed to a loopback receiver, decoded with the OTLP protobuf definitions."""

from __future__ import annotations

import os

import pytest

from tests.export_helpers import OtlpReceiver, full_snapshot, otlp_points, resource_attributes
from tui.export import METRICS, Exporter, ExportError, metric_samples
from tui.export.otlp import OtlpConfigError, export_interval_ms, otlp_endpoint


@pytest.fixture(autouse=True)
def no_otel_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own OTEL_* settings never leak into these tests."""
    for name in list(os.environ):
        if name.startswith("OTEL_"):
            monkeypatch.delenv(name)


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch):
    server = OtlpReceiver()
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", server.base_url)
    yield server
    server.stop()


def test_close_pushes_the_latest_values_once_more(receiver, monkeypatch) -> None:
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=laptop,team=core")
    exporter = Exporter.start(prometheus=None, otlp=True)
    assert exporter.prometheus is None
    snapshot = full_snapshot()
    exporter.update([("default", snapshot)])
    assert receiver.bodies == []  # the interval is 60 s by default: nothing yet
    exporter.close()
    assert receiver.wait_for(1)
    assert receiver.paths == ["/v1/metrics"]
    assert receiver.headers[0]["content-type"] == "application/x-protobuf"
    (request,) = receiver.requests()
    resource = resource_attributes(request)
    assert resource.items() >= {
        ("service.name", "limitwatch"),
        ("deployment.environment", "laptop"),
        ("team", "core"),
    }
    assert "service.version" in resource
    points = otlp_points(request)
    # The dotted names of the same metrics, with the same series and values as Prometheus.
    expected = {
        (spec.otlp_name, s.labels, s.value)
        for spec in METRICS
        for s in metric_samples([("default", snapshot)])
        if s.metric == spec.name
    }
    got = {
        (name, tuple(attrs.items()), value)
        for name, rows in points.items()
        for attrs, value, _kind in rows
    }
    assert {(n, frozenset(a), v) for n, a, v in got} == {
        (n, frozenset(a), v) for n, a, v in expected
    }
    ratio = {attrs["window"]: value for attrs, value, _ in points["limitwatch.window.used_ratio"]}
    assert ratio["five_hour"] == 0.42
    assert "seven_day_cowork" not in ratio  # no number: no point, never 0
    assert {kind for _, _, kind in points["limitwatch.window.level"]} == {"gauge"}
    assert {kind for _, _, kind in points["limitwatch.transcript.tokens"]} == {"sum"}


def test_tokens_are_a_monotonic_cumulative_sum(receiver) -> None:
    from opentelemetry.proto.metrics.v1.metrics_pb2 import AggregationTemporality

    exporter = Exporter.start(prometheus=None, otlp=True)
    exporter.update([("default", full_snapshot())])
    exporter.close()
    assert receiver.wait_for(1)
    (request,) = receiver.requests()
    metrics = {
        m.name: m
        for rm in request.resource_metrics  # type: ignore[attr-defined]
        for sm in rm.scope_metrics
        for m in sm.metrics
    }
    tokens = metrics["limitwatch.transcript.tokens"]
    assert tokens.sum.is_monotonic
    assert tokens.sum.aggregation_temporality == (
        AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE
    )
    assert metrics["limitwatch.window.used_ratio"].unit == "1"
    assert metrics["limitwatch.window.resets_at_seconds"].unit == "s"


def test_pushes_every_interval_with_the_configured_headers(receiver, monkeypatch) -> None:
    monkeypatch.setenv("OTEL_METRIC_EXPORT_INTERVAL", "200")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_HEADERS", "x-team=alpha")
    exporter = Exporter.start(prometheus=None, otlp=True)
    try:
        assert "every 0.2 s" in " ".join(exporter.notes)
        exporter.update([("default", full_snapshot())])
        assert receiver.wait_for(1, timeout=10)  # before close: the periodic push
        assert receiver.headers[0]["x-team"] == "alpha"
    finally:
        exporter.close()


def test_a_user_service_name_wins_over_limitwatch(receiver, monkeypatch) -> None:
    monkeypatch.setenv("OTEL_SERVICE_NAME", "claude-quota")
    exporter = Exporter.start(prometheus=None, otlp=True)
    exporter.update([("default", full_snapshot())])
    exporter.close()
    assert receiver.wait_for(1)
    assert resource_attributes(receiver.requests()[0])["service.name"] == "claude-quota"


def test_the_metrics_endpoint_variable_is_used_as_is(receiver, monkeypatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", f"{receiver.base_url}/otlp/in")
    exporter = Exporter.start(prometheus=None, otlp=True)
    exporter.update([("default", full_snapshot())])
    exporter.close()
    assert receiver.wait_for(1)
    assert receiver.paths == ["/otlp/in"]


def test_both_sinks_at_once_serve_the_same_numbers(receiver) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    from tests.export_helpers import scrape

    exporter = Exporter.start(prometheus="127.0.0.1:0", otlp=True)
    try:
        exporter.update([("default", full_snapshot())])
        assert exporter.prometheus is not None
        text = scrape(exporter.prometheus.url)
    finally:
        exporter.close()
    scraped = {
        frozenset(s.labels.items()): s.value
        for f in text_string_to_metric_families(text)
        if f.name == "limitwatch_window_used_ratio"
        for s in f.samples
    }
    assert receiver.wait_for(1)
    pushed = {
        frozenset(attrs.items()): value
        for attrs, value, _ in otlp_points(receiver.requests()[0])["limitwatch.window.used_ratio"]
    }
    assert scraped == pushed and len(pushed) == 4


# -- where it pushes, and what it refuses ------------------------------------------------------


def test_default_endpoint_is_loopback_without_warning() -> None:
    endpoint = otlp_endpoint({})
    assert endpoint.url == "http://localhost:4318/v1/metrics"
    assert endpoint.warning is None


def test_plain_http_off_loopback_is_allowed_as_explicit_but_said() -> None:
    endpoint = otlp_endpoint(
        {
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector.example:4318/",
            "OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer%20abc",
        }
    )
    assert endpoint.url == "http://collector.example:4318/v1/metrics"
    assert endpoint.warning is not None
    assert "plain http to collector.example" in endpoint.warning
    assert "OTEL_EXPORTER_OTLP_ENDPOINT" in endpoint.warning
    assert "headers" in endpoint.warning
    assert "abc" not in endpoint.warning  # the header's value is never repeated


def test_https_and_loopback_http_need_no_warning() -> None:
    for url in ("https://otel.example.com", "http://127.0.0.1:4318", "http://[::1]:4318"):
        assert otlp_endpoint({"OTEL_EXPORTER_OTLP_ENDPOINT": url}).warning is None, url


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "http/protobuf"),
        ({"OTEL_EXPORTER_OTLP_METRICS_PROTOCOL": "http/json"}, "http/protobuf"),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "ftp://collector:4318"}, "http:// or https://"),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:99999"}, "not a usable URL"),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "https://user:pw@collector"}, "not in the URL"),
    ],
)
def test_what_cannot_be_honoured_is_refused_with_the_variable_named(env, message) -> None:
    with pytest.raises(OtlpConfigError, match=message) as caught:
        otlp_endpoint(env)
    assert next(iter(env)) in str(caught.value)
    assert "pw" not in str(caught.value)


def test_export_interval_defaults_to_60_s_and_bad_values_are_refused() -> None:
    assert export_interval_ms({}) == 60_000
    assert export_interval_ms({"OTEL_METRIC_EXPORT_INTERVAL": "15000"}) == 15_000
    for bad in ("soon", "0", "-5", "nan"):
        with pytest.raises(OtlpConfigError, match="OTEL_METRIC_EXPORT_INTERVAL"):
            export_interval_ms({"OTEL_METRIC_EXPORT_INTERVAL": bad})


def test_a_bad_otel_variable_starts_nothing(monkeypatch) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
    with pytest.raises(ExportError, match="http/protobuf"):
        Exporter.start(prometheus=f"127.0.0.1:{port}", otlp=True)
    with socket.socket() as again:  # the Prometheus port was never taken
        again.bind(("127.0.0.1", port))
