"""Each fault the simulator injects behaves as named, on any endpoint, and stop() stays prompt."""

from __future__ import annotations

import json
import socket
import threading
import time

import httpx
import pytest

from tui.clock import ManualClock
from tui.simulator import OAUTH_BETA, SIM_API_KEY, SIM_OAUTH_TOKEN, Fault, Simulator
from tui.simulator.faults import FaultError
from tui.simulator.scenario import ENDPOINTS

BEARER = {"Authorization": f"Bearer {SIM_OAUTH_TOKEN}", "anthropic-beta": OAUTH_BETA}
API = {"x-api-key": SIM_API_KEY, "anthropic-version": "2023-06-01"}


@pytest.fixture(scope="module")
def server():
    with Simulator("healthy", clock=ManualClock()) as sim:
        yield sim


@pytest.fixture
def sim(server):
    server.set_scenario("healthy")
    for endpoint in (*ENDPOINTS, "*"):
        server.set_fault(endpoint, None)
    server.clear_requests()
    yield server
    assert server.errors == []


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.base_url, timeout=5) as c:
        yield c


def usage(client, **kw):
    return client.get("/api/oauth/usage", headers=BEARER, **kw)


def test_delay_holds_the_answer_then_answers_normally(sim, client):
    sim.set_fault("usage", Fault(kind="delay", seconds=0.3))
    with pytest.raises(httpx.ReadTimeout):
        usage(client, timeout=0.1)
    began = time.monotonic()
    r = usage(client)
    assert time.monotonic() - began >= 0.28
    assert r.status_code == 200 and r.json()["five_hour"]["utilization"] == 12.0


def test_timeout_never_answers(sim, client):
    sim.set_fault("usage", Fault(kind="timeout"))
    with pytest.raises(httpx.ReadTimeout):
        usage(client, timeout=0.2)
    assert [(r.endpoint, r.status, r.fault, r.auth_ok) for r in sim.requests] == [
        ("usage", 0, "timeout", True)
    ]


def test_reset_cuts_the_connection_mid_body(sim, client):
    sim.set_fault("usage", Fault(kind="reset"))
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        usage(client)
    sim.set_fault("usage", None)
    assert usage(client).status_code == 200  # the client recovers on a new connection


def test_reset_really_sends_part_of_the_body_first(sim):
    sim.set_fault("usage", Fault(kind="reset"))
    host, port = sim.base_url.removeprefix("http://").split(":")
    request = (
        "GET /api/oauth/usage HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {SIM_OAUTH_TOKEN}\r\nanthropic-beta: {OAUTH_BETA}\r\n\r\n"
    )
    received = b""
    with socket.create_connection((host, int(port)), timeout=2) as raw:
        raw.sendall(request.encode())
        try:
            while chunk := raw.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
    head, _, body = received.partition(b"\r\n\r\n")
    length = int(
        next(h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length"))[15:]
    )
    assert head.startswith(b"HTTP/1.1 200")
    assert 0 < len(body) < length
    assert body.startswith(b'{"five_hour"')


def test_html_5xx_is_a_proxy_page(sim, client):
    sim.set_fault("messages", Fault(kind="html_5xx", status=503))
    r = client.post(
        "/v1/messages",
        headers=API,
        json={
            "model": "claude-haiku-4-5",
            "max_tokens": 1,
            "messages": [{"role": "user", "content": "x"}],
        },
    )
    assert r.status_code == 503
    assert r.headers["content-type"].startswith("text/html")
    assert "503 Service Unavailable" in r.text
    with pytest.raises(json.JSONDecodeError):
        r.json()


def test_malformed_json_keeps_the_json_content_type(sim, client):
    sim.set_fault("usage", Fault(kind="malformed_json"))
    r = usage(client)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.text.startswith('{"five_hour"')
    with pytest.raises(json.JSONDecodeError):
        r.json()


def test_huge_body_is_several_megabytes_of_valid_json(sim, client):
    sim.set_fault("usage", Fault(kind="huge_body", size_mb=5))
    r = usage(client)
    assert len(r.content) >= 5 * 1024 * 1024
    assert r.json()["seven_day"]["utilization"] == 35.0


def test_wrong_content_type(sim, client):
    sim.set_fault("profile", Fault(kind="wrong_content_type"))
    r = client.get("/api/oauth/profile", headers=BEARER)
    assert r.status_code == 200
    assert not r.headers["content-type"].startswith("application/json")
    assert r.json()["organization"]["organization_type"] == "claude_max"


def test_times_limits_a_fault_to_the_next_requests(sim, client):
    sim.set_fault("usage", Fault(kind="html_5xx", times=2))
    statuses = [usage(client).status_code for _ in range(3)]
    assert statuses == [502, 502, 200]


def test_star_applies_to_every_endpoint_and_none_clears(sim, client):
    sim.set_fault("*", Fault(kind="html_5xx", status=500))
    assert usage(client).status_code == 500
    assert client.get("/v1/models", headers=API).status_code == 500
    sim.set_fault("*", None)
    assert usage(client).status_code == 200
    with pytest.raises(ValueError, match="unknown endpoint"):
        sim.set_fault("usages", Fault(kind="reset"))


def test_flaky_network_scenario_faults_every_other_usage_call(sim, client):
    sim.set_scenario("flaky-network")
    outcomes = []
    for _ in range(4):
        try:
            outcomes.append(usage(client).status_code)
        except httpx.TransportError:
            outcomes.append("transport")
    assert outcomes == [200, "transport", 200, "transport"]
    assert [r.fault for r in sim.requests] == [None, "reset", None, "reset"]


def test_bad_faults_name_the_field():
    with pytest.raises(FaultError, match="status"):
        Fault(kind="html_5xx", status=404)
    with pytest.raises(FaultError, match="kind"):
        Fault(kind="explode")  # type: ignore[arg-type]
    with pytest.raises(FaultError, match="times"):
        Fault(kind="reset", times=0)


def test_stop_is_prompt_while_a_timeout_fault_holds_connections():
    arrived = threading.Semaphore(0)
    sim = Simulator("healthy", clock=ManualClock(), on_request=lambda rec: arrived.release())
    sim.start()
    sim.set_fault("*", Fault(kind="timeout"))
    errors = []

    def call():
        try:
            httpx.get(f"{sim.base_url}/api/oauth/usage", headers=BEARER, timeout=10)
        except httpx.HTTPError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(3)]
    for t in threads:
        t.start()
    assert all(arrived.acquire(timeout=2) for _ in threads)
    assert [r.status for r in sim.requests] == [0, 0, 0]
    began = time.monotonic()
    sim.stop()
    assert time.monotonic() - began < 1.0
    for t in threads:
        t.join(timeout=2)
    assert len(errors) == 3  # the held clients see their connection closed, not an answer
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{sim.port}/api/oauth/usage", timeout=1)


def test_trickle_sends_the_body_a_byte_at_a_time(sim):
    sim.set_fault("usage", Fault(kind="trickle", seconds=0.05))
    host, port = sim.base_url.removeprefix("http://").split(":")
    request = (
        "GET /api/oauth/usage HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {SIM_OAUTH_TOKEN}\r\nanthropic-beta: {OAUTH_BETA}\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=2) as raw:
        raw.sendall(request.encode())
        received = b""
        while b"\r\n\r\n" not in received:
            received += raw.recv(65536)
        head, _, body = received.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200")
        # After the headers, the body arrives a byte at a time, a pause apart: six bytes take
        # several reads and about a quarter of a second (a normal answer comes in one read).
        began, reads = time.monotonic(), 0
        while len(body) < 6:
            body += raw.recv(65536)
            reads += 1
        took = time.monotonic() - began
    assert body.startswith(b'{"five')
    assert reads >= 3 and took >= 0.15
    assert sim.requests[-1].fault == "trickle"


def test_trickle_can_come_from_a_scenario_and_an_httpx_timeout_does_not_stop_it(sim, client):
    from tui.simulator.scenario import loads_scenario

    sim.set_scenario(
        loads_scenario('[[state]]\nat = 0\nusage = { fault = { kind = "trickle", seconds = 1 } }')
    )
    began = time.monotonic()
    # Each byte arrives well within the read timeout, so a per-read timeout never fires:
    # only a total deadline ends this request (see tests/test_trust_deadline.py).
    with client.stream("GET", "/api/oauth/usage", headers=BEARER, timeout=1.5) as r:
        first = next(r.iter_bytes())
    assert r.status_code == 200 and len(first) == 1
    assert time.monotonic() - began < 3


def test_echo_credential_answers_401_with_the_credential_in_the_message(sim, client):
    sim.set_fault("usage", Fault(kind="echo_credential"))
    r = client.get(
        "/api/oauth/usage",
        headers={
            "Authorization": "Bearer gw-secret-gateway-token-42",
            "anthropic-beta": OAUTH_BETA,
        },
    )
    assert r.status_code == 401
    assert r.json()["error"]["message"] == "bad credential: Bearer gw-secret-gateway-token-42"
    sim.set_fault("messages", Fault(kind="echo_credential"))
    r = client.post("/v1/messages", headers=API, json={})
    assert SIM_API_KEY in r.json()["error"]["message"]
    # The simulator's own request log still never keeps the credential.
    assert all("gw-secret" not in repr(rec) for rec in sim.requests)
