"""The HTTP layer: base URL rules, the client, and ``send`` turning every fault into a value."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tui.clock import ManualClock
from tui.config import Config, SourcesConfig
from tui.models import TransportError
from tui.simulator import SIM_API_KEY, Fault, Simulator
from tui.sources.http import (
    DEFAULT_BASE_URL,
    HttpResponse,
    InsecureBaseURL,
    make_client,
    resolve_base_url,
    send,
    transport_kind,
)


def config(base_url=None):
    return Config(sources=SourcesConfig(base_url=base_url))


def test_base_url_config_wins_over_environment_then_default():
    env = {"ANTHROPIC_BASE_URL": "https://proxy.example.com/"}
    assert resolve_base_url(config("https://gw.example.org"), env) == (
        "https://gw.example.org",
        "config",
    )
    assert resolve_base_url(config(), env) == ("https://proxy.example.com", "ANTHROPIC_BASE_URL")
    assert resolve_base_url(config(), {}) == (DEFAULT_BASE_URL, "default")


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080", "http://127.3.4.5", "http://localhost:9", "http://[::1]:4000"],
)
def test_plain_http_is_allowed_to_loopback(url):
    assert resolve_base_url(config(url), {})[0] == url


@pytest.mark.parametrize(
    "url",
    ["http://api.example.com", "http://10.0.0.5:8080", "ftp://x.org", "https://u:p@x.org", "nope"],
)
def test_insecure_or_odd_base_urls_are_refused(url):
    with pytest.raises(InsecureBaseURL):
        resolve_base_url(config(url), {})
    with pytest.raises(ValueError):
        resolve_base_url(config(), {"ANTHROPIC_BASE_URL": url})


async def test_client_never_follows_redirects_and_honours_proxies_env():
    async with make_client("https://api.example.com", timeout=3) as client:
        assert client.follow_redirects is False
        assert client.trust_env is True
        assert client.timeout.read == 3


class _Redirector(BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []

    def do_GET(self):
        _Redirector.seen.append({k.lower(): v for k, v in self.headers.items()})
        self.send_response(302)
        self.send_header("Location", "http://127.0.0.2:9/steal")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        return


async def test_a_redirect_is_an_error_and_the_key_goes_nowhere_else():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        async with make_client(f"http://127.0.0.1:{server.server_port}", timeout=2) as client:
            out = await send(
                client, "GET", "/v1/models", headers={"x-api-key": SIM_API_KEY},
                source="probe", clock=ManualClock(),
            )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert isinstance(out, HttpResponse) and out.status == 302
    assert out.error is not None and out.error.status == 302
    assert len(_Redirector.seen) == 1  # nobody followed the Location


async def test_error_bodies_are_parsed_for_the_classifier():
    clock = ManualClock()
    with Simulator("healthy", clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            out = await send(
                client, "GET", "/v1/models",
                headers={"x-api-key": "sk-ant-api03-wrong", "anthropic-version": "2023-06-01"},
                source="probe", clock=clock,
            )  # fmt: skip
    assert isinstance(out, HttpResponse) and not out.ok
    err = out.error
    assert err is not None
    assert (err.status, err.error_type, err.message) == (
        401,
        "authentication_error",
        "invalid x-api-key",
    )
    assert err.headers["request-id"].startswith("req_")
    assert err.observed_at == clock.now() and err.source == "probe"
    assert err.url.endswith("/v1/models")


async def test_success_is_parsed_json_with_lower_cased_headers():
    clock = ManualClock()
    with Simulator("healthy", clock=clock) as sim:
        async with make_client(sim.base_url) as client:
            out = await send(
                client, "GET", "/v1/models",
                headers={"x-api-key": SIM_API_KEY, "anthropic-version": "2023-06-01"},
                source="probe", clock=clock,
            )  # fmt: skip
    assert isinstance(out, HttpResponse) and out.ok and out.error is None
    assert isinstance(out.json, dict) and "data" in out.json
    assert all(k == k.lower() for k in out.headers)


async def test_a_body_over_the_cap_is_too_large_not_memory():
    clock = ManualClock()
    with Simulator("healthy", clock=clock) as sim:
        sim.set_fault("models", Fault(kind="huge_body", size_mb=2))
        async with make_client(sim.base_url) as client:
            out = await send(
                client, "GET", "/v1/models",
                headers={"x-api-key": SIM_API_KEY, "anthropic-version": "2023-06-01"},
                source="probe", clock=clock, max_bytes=100_000,
            )  # fmt: skip
    assert isinstance(out, TransportError) and out.kind == "too_large"


async def test_tls_to_a_plain_http_port_is_a_tls_error():
    clock = ManualClock()
    with Simulator("healthy", clock=clock) as sim:
        async with make_client(f"https://127.0.0.1:{sim.port}", timeout=2) as client:
            out = await send(client, "GET", "/v1/models", headers={}, source="probe", clock=clock)
    assert isinstance(out, TransportError) and out.kind == "tls"


def test_exceptions_are_sorted_by_kind():
    req = httpx.Request("GET", "https://api.anthropic.com/x")
    dns = httpx.ConnectError("[Errno -2] Name or service not known", request=req)
    assert transport_kind(dns) == "dns"
    assert transport_kind(httpx.ConnectError("[Errno 111] Connection refused")) == "connect"
    assert transport_kind(httpx.ReadTimeout("timed out")) == "timeout"
    assert transport_kind(httpx.ConnectTimeout("timed out")) == "timeout"
    assert transport_kind(httpx.ReadError("[Errno 104] Connection reset by peer")) == "reset"
    assert transport_kind(httpx.RemoteProtocolError("illegal status line")) == "protocol"
    bad_cert = httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    assert transport_kind(bad_cert) == "tls"
    assert transport_kind(RuntimeError("?")) == "other"


def test_sources_import_neither_textual_nor_httpx():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import tui.sources.credentials, tui.sources.http, tui.sources.oauth.source\n"
        "import tui.sources.probe\n"
        "import tui.sources.admin, tui.sources.oauth.cache, tui.sources.oauth.policy\n"
        "print(sorted(m for m in ('textual', 'httpx') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
