"""Issue 14, items 1 and 2b/2c: one total deadline per request, a time budget per command,
no credential with a control character sent or echoed, no credential in clear to a proxy."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tui.cli import main
from tui.clock import ManualClock
from tui.config import Config, SourcesConfig
from tui.models import TransportError
from tui.simulator import OAUTH_BETA, SIM_OAUTH_TOKEN, Fault, Simulator
from tui.sources.http import (
    HttpResponse,
    InsecureBaseURL,
    make_client,
    resolve_base_url,
    send,
    time_budget,
)

BEARER = {"authorization": f"Bearer {SIM_OAUTH_TOKEN}", "anthropic-beta": OAUTH_BETA}


async def _usage(client, clock, **kw):
    return await send(
        client, "GET", "/api/oauth/usage", headers=BEARER, source="oauth_usage", clock=clock, **kw
    )


async def test_a_trickling_body_ends_at_the_clients_timeout_in_total_not_per_byte():
    clock = ManualClock()
    with Simulator("healthy", clock=clock) as sim:
        sim.set_fault("usage", Fault(kind="trickle", seconds=0.2))
        async with make_client(sim.base_url, timeout=1.0) as client:
            began = time.monotonic()
            # Each byte comes well within the 1 s read timeout: only a total deadline ends it.
            out = await asyncio.wait_for(_usage(client, clock), 6)
            took = time.monotonic() - began
    assert isinstance(out, TransportError) and out.kind == "timeout"
    assert 0.9 <= took < 4


async def test_a_command_time_budget_bounds_every_request_and_then_makes_no_call():
    clock = ManualClock()
    with Simulator("healthy", clock=clock) as sim:
        sim.set_fault("usage", Fault(kind="trickle", seconds=0.2))
        async with make_client(sim.base_url, timeout=30.0) as client:
            began = time.monotonic()
            with time_budget(0.8):
                first = await asyncio.wait_for(_usage(client, clock), 6)
                assert time.monotonic() - began < 2.0
                calls = len(sim.requests)
                second = await _usage(client, clock)
            assert len(sim.requests) == calls  # the budget was spent: no new call
            sim.set_fault("usage", None)
            after = await _usage(client, clock)  # outside the block there is no budget
    assert isinstance(first, TransportError) and first.kind == "timeout"
    assert isinstance(second, TransportError) and second.kind == "timeout"
    assert "time limit" in second.detail
    assert isinstance(after, HttpResponse) and after.ok


def _login(claude_dir, token: str = SIM_OAUTH_TOKEN) -> None:
    claude_dir.mkdir(parents=True, exist_ok=True)
    expires = datetime.now(UTC) + timedelta(hours=24)
    (claude_dir / ".credentials.json").write_text(
        json.dumps(
            {
                "claudeAiOauth": {
                    "accessToken": token,
                    "expiresAt": int(expires.timestamp() * 1000),
                    "scopes": ["user:inference", "user:profile"],
                    "subscriptionType": "max",
                }
            }
        )
    )


def test_status_json_answers_within_about_12_seconds_from_a_trickling_server(
    isolated_paths, monkeypatch, capsys
):
    with Simulator("healthy") as sim:
        sim.set_fault("*", Fault(kind="trickle", seconds=1.0))
        monkeypatch.setenv("ANTHROPIC_BASE_URL", sim.base_url)
        _login(isolated_paths.claude)
        began = time.monotonic()
        code = main(["status", "--json"])
        took = time.monotonic() - began
    data = json.loads(capsys.readouterr().out)
    assert took < 12.5
    usage = next(s for s in data["sources"] if s["id"] == "oauth_usage")
    assert usage["state"] == "error"
    assert code == 20  # no data


def test_a_credential_with_a_control_character_is_never_sent_nor_echoed():
    clock = ManualClock()

    async def go(base_url):
        async with make_client(base_url, timeout=3) as client:
            return await send(
                client, "GET", "/api/oauth/usage",
                headers={"authorization": "Bearer sk-ant-oat01-abc\nX-Injected: 1"},
                source="oauth_usage", clock=clock,
            )  # fmt: skip

    with Simulator("healthy", clock=clock) as sim:
        out = asyncio.run(go(sim.base_url))
        assert sim.requests == []
    assert isinstance(out, TransportError)
    assert "abc" not in out.detail and "sk-ant" not in out.detail
    assert "control character" in out.detail


class _Proxy(BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self):
        _Proxy.seen.append(self.headers.get("authorization", ""))
        self.send_response(502)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        return


def test_plain_http_to_loopback_bypasses_a_proxy_so_the_token_never_reaches_it(monkeypatch):
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    _Proxy.seen = []
    proxy_url = f"http://127.0.0.1:{proxy.server_port}"
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy_url)
    clock = ManualClock()

    async def go(base_url):
        async with make_client(base_url, timeout=3) as client:
            return await _usage(client, clock)

    try:
        with Simulator("healthy", clock=clock) as sim:
            out = asyncio.run(go(sim.base_url))
            assert len(sim.requests) == 1
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert _Proxy.seen == []
    assert isinstance(out, HttpResponse) and out.ok


@pytest.mark.parametrize(
    "url", ["http://evil.localhost:8080", "http://localhost.evil.com", "http://127.0.0.1.nip.io"]
)
def test_only_localhost_itself_and_loopback_addresses_count_as_loopback(url):
    with pytest.raises(InsecureBaseURL):
        resolve_base_url(Config(sources=SourcesConfig(base_url=url)), {})
