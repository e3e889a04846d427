"""/metrics over HTTP on loopback, parsed with prometheus-client's own parser."""

from __future__ import annotations

import socket

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.export_helpers import full_snapshot, scrape, view
from tui.export import METRICS, Exporter, ExportError
from tui.export.prometheus import ListenAddress, ListenAddressError, parse_listen


@pytest.fixture
def exporter():
    started: list[Exporter] = []

    def start(address: str = "127.0.0.1:0") -> Exporter:
        exp = Exporter.start(prometheus=address, otlp=False)
        started.append(exp)
        return exp

    yield start
    for exp in started:
        exp.close()


def _families(text: str) -> dict[str, object]:
    return {family.name: family for family in text_string_to_metric_families(text)}


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def test_scrape_serves_every_metric_with_types_help_and_values(exporter) -> None:
    exp = exporter()
    assert exp.prometheus is not None
    assert exp.prometheus.url == f"http://127.0.0.1:{exp.prometheus.port}/metrics"
    exp.update([("default", full_snapshot())])
    text = scrape(exp.prometheus.url)
    families = _families(text)
    for spec in METRICS:
        family = families[spec.name]
        assert family.type == spec.kind, spec.name  # type: ignore[attr-defined]
        assert family.documentation == spec.help  # type: ignore[attr-defined]
        assert family.samples, spec.name  # type: ignore[attr-defined]
    samples = _samples(text)
    five = frozenset({("account", "default"), ("window", "five_hour")})
    assert samples[("limitwatch_window_used_ratio", five)] == 0.42
    assert samples[("limitwatch_window_level", frozenset({*five}))] == 0
    sonnet = frozenset({("account", "default"), ("window", "seven_day_sonnet")})
    assert samples[("limitwatch_window_level", sonnet)] == 3
    eur = frozenset({("account", "default"), ("currency", "EUR")})
    assert samples[("limitwatch_extra_usage_used", eur)] == 12.5
    tokens = frozenset(
        {("account", "default"), ("model", "claude-sonnet-4-5"), ("kind", "cache_read")}
    )
    # A counter: Prometheus shows it with _total.
    assert samples[("limitwatch_transcript_tokens_total", tokens)] == 50000
    cowork = frozenset({("account", "default"), ("window", "seven_day_cowork")})
    assert ("limitwatch_window_used_ratio", cowork) not in samples
    assert ("limitwatch_window_level", cowork) not in samples
    # prometheus-client's own process and Python metrics stay.
    assert "python_info" in families


def test_before_any_snapshot_metrics_are_declared_without_values(exporter) -> None:
    exp = exporter()
    assert exp.prometheus is not None
    families = _families(scrape(exp.prometheus.url))
    assert families["limitwatch_window_used_ratio"].samples == []  # type: ignore[attr-defined]


def test_a_window_that_loses_its_number_disappears_from_the_next_scrape(exporter) -> None:
    exp = exporter()
    assert exp.prometheus is not None
    exp.update([("default", full_snapshot(windows=(view("five_hour", 55.0, "ok"),)))])
    five = (
        "limitwatch_window_used_ratio",
        frozenset({("account", "default"), ("window", "five_hour")}),
    )
    assert _samples(scrape(exp.prometheus.url))[five] == 0.55
    exp.update([("default", full_snapshot(windows=(view("five_hour", None, "unknown"),)))])
    assert five not in _samples(scrape(exp.prometheus.url))


def test_close_stops_the_server(exporter) -> None:
    exp = exporter()
    assert exp.prometheus is not None
    url = exp.prometheus.url
    port = exp.prometheus.port
    exp.close()
    exp.close()  # twice is fine
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0, url


def test_a_port_in_use_is_a_clear_error(exporter) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ExportError, match=f"cannot serve metrics on 127.0.0.1:{port}"):
            exporter(f"127.0.0.1:{port}")


def test_nothing_to_export_is_an_error() -> None:
    with pytest.raises(ExportError, match="nothing to export"):
        Exporter.start(prometheus=None, otlp=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, ListenAddress("127.0.0.1", 9464)),
        ("", ListenAddress("127.0.0.1", 9464)),
        ("9100", ListenAddress("127.0.0.1", 9100)),
        (":9100", ListenAddress("127.0.0.1", 9100)),
        ("localhost:9100", ListenAddress("localhost", 9100)),
        ("0.0.0.0:9464", ListenAddress("0.0.0.0", 9464)),
        ("[::1]:9464", ListenAddress("::1", 9464)),
        ("[::]", ListenAddress("::", 9464)),
        ("metrics.lan", ListenAddress("metrics.lan", 9464)),
    ],
)
def test_listen_addresses(text, expected) -> None:
    assert parse_listen(text) == expected


@pytest.mark.parametrize("text", ["127.0.0.1:99999", "host:port", "::1:9464", "[::1", "a b:1"])
def test_bad_listen_addresses_say_what_is_wrong(text) -> None:
    with pytest.raises(ListenAddressError, match=r"\S"):
        parse_listen(text)


def test_only_loopback_counts_as_loopback() -> None:
    assert parse_listen("").loopback
    assert parse_listen("[::1]:1").loopback
    assert parse_listen("localhost").loopback
    assert not parse_listen("0.0.0.0").loopback
    assert not parse_listen("192.0.2.10:9464").loopback


def test_each_account_of_a_fleet_snapshot_is_scraped_under_its_name(exporter) -> None:
    from tui.models import AccountSnapshot

    exp = exporter()
    assert exp.prometheus is not None
    work = full_snapshot(windows=(view("five_hour", 91.0, "critical"),))
    fleet = full_snapshot(
        accounts=(
            AccountSnapshot("default", "", full_snapshot()),
            AccountSnapshot("work", "/home/me/.claude-work", work),
        )
    )
    exp.update_all(fleet)
    levels = {
        (s.labels["account"], s.labels["window"]): s.value
        for f in text_string_to_metric_families(scrape(exp.prometheus.url))
        if f.name == "limitwatch_window_level"
        for s in f.samples
    }
    assert levels[("work", "five_hour")] == 2
    assert levels[("default", "five_hour")] == 0
    assert ("work", "seven_day") not in levels
