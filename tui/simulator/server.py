"""The simulator: a real HTTP server on loopback playing a scenario, with faults and a request log.

It runs ``http.server.ThreadingHTTPServer`` on a daemon thread. Every connection is tracked so
``stop()`` can close those a ``timeout`` fault holds open. It prints nothing.
"""

from __future__ import annotations

import contextlib
import itertools
import socket
import socketserver
import sys
import threading
import traceback
from collections.abc import Callable
from datetime import datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from tui.clock import Clock, ScaledClock
from tui.simulator.endpoints import (
    MAX_BODY,
    SIM_OAUTH_TOKEN_2,
    Context,
    Incoming,
    answer,
    check_auth,
    route,
    seen_auth,
)
from tui.simulator.errors import ERRORS
from tui.simulator.faults import Fault
from tui.simulator.responses import error_reply
from tui.simulator.scenario import ENDPOINTS, Behavior, Scenario, View, load_scenario
from tui.simulator.wire import (
    SECRET_HEADERS,
    RecordedRequest,
    apply_fault,
    is_loopback,
    send_reply,
)


def _resolve(scenario: str | Path | Scenario) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64
    sim: Simulator

    def server_bind(self) -> None:
        # Skip HTTPServer's getfqdn(): a reverse lookup we do not need.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):
            return
        self.sim._note_error(traceback.format_exc())


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "limitwatch-simulator"
    sys_version = ""
    timeout = 300  # idle keep-alive connections go after five minutes
    disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms stalls
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header on the scenario clock, like everything else the server says."""
        when = self.server.sim.clock.now().timestamp() if timestamp is None else timestamp
        return formatdate(when, usegmt=True)

    def setup(self) -> None:
        super().setup()
        self.server.sim._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.sim._track(self.connection, add=False)

    def _serve(self) -> None:
        try:
            self.server.sim._serve(self)
        except OSError:
            self.close_connection = True

    do_GET = _serve
    do_POST = _serve
    do_PUT = _serve
    do_PATCH = _serve
    do_DELETE = _serve
    do_HEAD = _serve


class Simulator:
    """Anthropic on loopback. ``start()`` serves on a thread; ``stop()`` ends it promptly."""

    def __init__(
        self,
        scenario: str | Path | Scenario = "healthy",
        clock: Clock | None = None,
        speed: float = 1.0,
        host: str = "127.0.0.1",
        port: int = 0,
        on_request: Callable[[RecordedRequest], None] | None = None,
        second: str | Path | Scenario | None = None,
    ) -> None:
        """``second``: the scenario answered to the second account's token (another sign-in
        with usage of its own); without it that token sees the main scenario."""
        if not is_loopback(host):
            raise ValueError(f"the simulator only binds to loopback, not {host!r}")
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed}")
        self._scenario = _resolve(scenario)
        self._second = _resolve(second) if second is not None else None
        self.clock: Clock = clock if clock is not None else ScaledClock(speed)
        self.host = host
        self.port = port
        self.on_request = on_request
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._errors: list[str] = []
        self._faults: dict[str, tuple[Fault, int | None]] = {}
        self._counters: dict[tuple[int, str], int] = {}
        self._applied: dict[tuple[int, str], int] = {}
        self._conns: set[socket.socket] = set()
        self._ids = itertools.count(1)
        self._start = self.clock.now()
        self._stop_event = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------- life cycle

    def start(self) -> Simulator:
        if self._server is not None:
            return self
        cls = _Server6 if ":" in self.host else _Server
        self._stop_event = threading.Event()
        server = cls((self.host.strip("[]"), self.port), _Handler)
        server.sim = self
        self._server = server
        self.port = int(server.server_address[1])
        with self._lock:
            self._start = self.clock.now()
            self._counters.clear()
            self._applied.clear()
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"limitwatch-simulator:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server = self._server
        if server is None:
            return
        self._stop_event.set()
        server.shutdown()
        with self._lock:
            held = list(self._conns)
        for conn in held:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                conn.close()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self._server = None
        self._thread = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the simulator is not running: call start() first")
        host = f"[{self.host.strip('[]')}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    # ----------------------------------------------------------------- control

    @property
    def scenario(self) -> Scenario:
        return self._scenario

    @property
    def started_at(self) -> datetime:
        """The scenario clock's time at offset 0 of the current scenario."""
        return self._start

    def scenario_time(self) -> float:
        """Seconds of scenario time since the current scenario began."""
        return (self.clock.now() - self._start).total_seconds()

    def view(self) -> View:
        """The current scenario state (what the endpoints would answer from now)."""
        return self._scenario.view(self.scenario_time())

    def set_scenario(self, scenario: str | Path | Scenario) -> None:
        """Switch scenario; its timeline restarts at the clock's now. Raises ScenarioError."""
        resolved = _resolve(scenario)
        with self._lock:
            self._scenario = resolved
            self._start = self.clock.now()
            self._counters.clear()
            self._applied.clear()

    def set_fault(self, endpoint: str, fault: Fault | None) -> None:
        """Inject ``fault`` on ``endpoint`` (or ``"*"`` for all); None clears it."""
        if endpoint != "*" and endpoint not in ENDPOINTS:
            raise ValueError(
                f"unknown endpoint {endpoint!r}; expected one of {', '.join(ENDPOINTS)} or *"
            )
        with self._lock:
            if fault is None:
                self._faults.pop(endpoint, None)
            else:
                self._faults[endpoint] = (fault, fault.times)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    @property
    def errors(self) -> list[str]:
        """Tracebacks of the simulator's own bugs (should stay empty)."""
        with self._lock:
            return list(self._errors)

    # ----------------------------------------------------------------- internals

    def _note_error(self, text: str) -> None:
        with self._lock:
            self._errors.append(text)

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)

    def _new_id(self, prefix: str) -> str:
        n = next(self._ids)
        return f"{prefix}_011CSim{n:017d}"

    def _pick(
        self, endpoint: str | None, view: View, auth: str
    ) -> tuple[Fault | None, Behavior | None]:
        """The fault to inject (if any) and the scenario behaviour that applies (if any)."""
        with self._lock:
            fault = None
            for key in (endpoint, "*"):
                if key is None or key not in self._faults:
                    continue
                fault, left = self._faults[key]
                if left is not None:
                    if left <= 1:
                        del self._faults[key]
                    else:
                        self._faults[key] = (fault, left - 1)
                break
            if endpoint is None:
                return fault, None
            beh = view.behavior(endpoint)
            if beh is None or (beh.auth is not None and beh.auth != auth):
                return fault, None
            counter = (view.index, endpoint)
            n = self._counters.get(counter, 0) + 1
            self._counters[counter] = n
            if n % beh.every != 0:
                return fault, None
            if fault is None and beh.fault is not None:
                used = self._applied.get(counter, 0)
                if beh.fault.times is None or used < beh.fault.times:
                    self._applied[counter] = used + 1
                    fault = beh.fault
            return fault, beh

    def _serve(self, h: _Handler) -> None:
        split = urlsplit(h.path)
        path, query = split.path, split.query
        headers = {k.lower(): v for k, v in h.headers.items()}
        method = h.command
        arrived = self.clock.now()
        length = int(headers.get("content-length") or 0)
        too_large = length > MAX_BODY
        body = b"" if too_large or length <= 0 else h.rfile.read(length)
        auth, credential = seen_auth(headers)
        endpoint, method_ok = route(method, path)
        account = 2 if credential == SIM_OAUTH_TOKEN_2 else 1
        with self._lock:
            scenario, start = self._scenario, self._start
            if account == 2 and self._second is not None:
                scenario = self._second
        view = scenario.view((arrived - start).total_seconds())
        fault, beh = self._pick(endpoint if method_ok else None, view, auth)

        def record(status: int, auth_ok: bool) -> None:
            kept = tuple((k, v) for k, v in headers.items() if k not in SECRET_HEADERS)
            rec = RecordedRequest(
                method=method,
                path=path,
                query=query,
                auth=auth,
                auth_ok=auth_ok,
                beta=headers.get("anthropic-beta"),
                user_agent=headers.get("user-agent"),
                status=status,
                at=arrived,
                endpoint=endpoint,
                anthropic_version=headers.get("anthropic-version"),
                fault=fault.kind if fault else None,
                headers=kept,
                account=account,
            )
            with self._lock:
                self._requests.append(rec)
            if self.on_request is not None:
                with contextlib.suppress(Exception):
                    self.on_request(rec)

        if fault is not None and fault.kind in ("timeout", "delay"):
            held = fault.seconds if fault.kind == "delay" else None
            if fault.kind == "timeout" or self._stop_event.wait(held):
                # Never answered: still say whether the credential would have been accepted.
                accepted = endpoint is not None and method_ok
                if accepted and endpoint is not None:
                    accepted = (
                        check_auth(endpoint, auth, credential, headers, view.state.token) is None
                    )
                record(0, accepted)
                self._stop_event.wait()
                h.close_connection = True
                return

        now = self.clock.now()
        view = scenario.view((now - start).total_seconds())
        incoming = Incoming(method, path, query, headers, body, auth, credential)
        ctx = Context(scenario=scenario, view=view, start=start, now=now, new_id=self._new_id)
        if too_large:
            rid = self._new_id("req")
            reply, auth_ok = error_reply(ERRORS["request_too_large"], rid), False
            reply.headers.insert(0, ("request-id", rid))
            h.close_connection = True
        else:
            reply, auth_ok = answer(endpoint, method_ok, incoming, ctx, beh)
        reply = apply_fault(fault, reply, auth, credential)
        record(reply.status, auth_ok)
        send_reply(h, reply, fault, self._stop_event)
