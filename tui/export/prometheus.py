"""The Prometheus sink: ``/metrics`` in the text format, served by prometheus-client.

prometheus-client is imported only when a sink is started, so nothing else pays for it. The
server runs in prometheus-client's own daemon thread and reads the latest samples under a lock;
it never calls a source. Its default process, platform and GC metrics are served too.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from tui.export.metrics import METRICS, Sample
from tui.record import record

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 9464


class ListenAddressError(ValueError):
    """``--prometheus`` was given something that is not HOST:PORT."""


@record
class ListenAddress:
    host: str
    port: int

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    def url(self, port: int | None = None) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port if port is None else port}/metrics"


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_listen(text: str | None) -> ListenAddress:
    """``HOST:PORT``, ``[v6]:PORT``, ``:PORT``, ``PORT`` or ``HOST``; 127.0.0.1:9464 by default."""
    text = (text or "").strip()
    if not text:
        return ListenAddress(DEFAULT_HOST, DEFAULT_PORT)
    host, port_text = DEFAULT_HOST, ""
    if text.isdigit():
        port_text = text
    elif text.startswith("["):
        end = text.find("]")
        if end < 0 or (text[end + 1 :] and not text[end + 1 :].startswith(":")):
            raise ListenAddressError(f"{text!r} is not HOST:PORT (e.g. [::1]:9464)")
        host, port_text = text[1:end], text[end + 2 :]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
        host = host or DEFAULT_HOST
    elif ":" in text:
        raise ListenAddressError(f"{text!r}: write an IPv6 address in brackets, e.g. [::1]:9464")
    else:
        host = text
    if not host or any(ch.isspace() or ch in "/@?#" for ch in host):
        raise ListenAddressError(f"{text!r} has no usable host")
    port = DEFAULT_PORT
    if port_text:
        if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
            raise ListenAddressError(f"{text!r}: the port must be a number from 0 to 65535")
        port = int(port_text)
    return ListenAddress(host, port)


class _SampleCollector:
    """A prometheus-client collector over the latest samples (swapped whole on update)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._samples: tuple[Sample, ...] = ()

    def set(self, samples: Sequence[Sample]) -> None:
        with self._lock:
            self._samples = tuple(samples)

    def describe(self) -> Iterator[Metric]:
        return self._families(())

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            samples = self._samples
        return self._families(samples)

    @staticmethod
    def _families(samples: Sequence[Sample]) -> Iterator[Metric]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        by_metric: dict[str, list[Sample]] = {}
        for sample in samples:
            by_metric.setdefault(sample.metric, []).append(sample)
        for spec in METRICS:
            family: GaugeMetricFamily | CounterMetricFamily
            if spec.kind == "counter":
                family = CounterMetricFamily(spec.name, spec.help, labels=spec.labels)
            else:
                family = GaugeMetricFamily(spec.name, spec.help, labels=spec.labels)
            for sample in by_metric.get(spec.name, ()):
                family.add_metric([value for _key, value in sample.labels], sample.value)
            yield family


class PrometheusSink:
    """Serves ``/metrics`` on ``address`` until ``close``. ``port`` is the bound port."""

    def __init__(self, address: ListenAddress) -> None:
        from prometheus_client import (
            GC_COLLECTOR,
            PLATFORM_COLLECTOR,
            PROCESS_COLLECTOR,
            CollectorRegistry,
            start_http_server,
        )

        self.address = address
        self._collector = _SampleCollector()
        # A registry of our own (tests and the live view may start more than one sink), with
        # the same default process/platform/GC metrics as prometheus-client's global one.
        registry = CollectorRegistry()
        for default in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            registry.register(default)
        registry.register(self._collector)
        server, thread = start_http_server(address.port, addr=address.host, registry=registry)
        self._server: Any = server
        self._thread = thread
        self.port: int = int(server.server_address[1])

    @property
    def url(self) -> str:
        return self.address.url(self.port)

    def update(self, samples: Sequence[Sample]) -> None:
        self._collector.set(samples)

    def close(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        self._thread.join(timeout=5)
