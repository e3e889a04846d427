"""The simulator's wire: what it records of each request, what counts as loopback, and how an
answer is written (changed, cut or trickled by a fault)."""

from __future__ import annotations

import ipaddress
import socket
import struct
import threading
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler

from tui.simulator import faults
from tui.simulator.faults import Fault
from tui.simulator.responses import Reply

SECRET_HEADERS = frozenset({"authorization", "x-api-key", "cookie", "proxy-authorization"})
_REASONS = {529: "Site Overloaded"}


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the simulator saw it. The credential itself is never kept."""

    method: str
    path: str
    query: str
    auth: str  # bearer | x-api-key | none
    auth_ok: bool
    beta: str | None
    user_agent: str | None
    status: int  # what was answered; 0 when a timeout fault held it unanswered
    at: datetime  # scenario clock
    endpoint: str | None = None  # usage | profile | messages | ... | None (unknown path)
    anthropic_version: str | None = None
    fault: str | None = None  # the fault kind applied, if any
    headers: tuple[tuple[str, str], ...] = ()  # lower-case names, secrets left out
    account: int = 1  # 2: made with the second account's token (SIM_OAUTH_TOKEN_2)

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key == name:
                return value
        return None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def apply_fault(fault: Fault | None, reply: Reply, auth: str, credential: str | None) -> Reply:
    """The answer as the fault changes it (before it is sent)."""
    if fault is None:
        return reply
    if fault.kind == "echo_credential":
        return Reply(status=401, body=faults.echo_credential_body(auth, credential))
    if fault.kind == "html_5xx":
        return Reply(
            status=fault.status,
            body=faults.html_5xx_body(fault.status),
            content_type="text/html; charset=UTF-8",
        )
    if fault.kind == "malformed_json":
        reply.body = faults.malformed(reply.body)
    elif fault.kind == "huge_body":
        reply.body = faults.huge(reply.payload, reply.body, fault.size_mb)
    elif fault.kind == "wrong_content_type":
        reply.content_type = "text/html; charset=UTF-8"
    return reply


def send_reply(
    h: BaseHTTPRequestHandler, reply: Reply, fault: Fault | None, stop: threading.Event
) -> None:
    """Write the answer, cut or trickled as the fault says."""
    kind = fault.kind if fault is not None else None
    cut = kind == "reset"
    h.send_response(reply.status, _REASONS.get(reply.status))
    h.send_header("Content-Type", reply.content_type)
    h.send_header("Content-Length", str(len(reply.body)))
    for name, value in reply.headers:
        h.send_header(name, value)
    if cut or h.close_connection:
        h.send_header("Connection", "close")
    h.end_headers()
    if cut:
        h.wfile.write(reply.body[: len(reply.body) // 2])
        # SO_LINGER 0: closing sends a TCP RST instead of a clean FIN.
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.close_connection = True
        h.connection.close()
        return
    if h.command != "HEAD" and fault is not None and kind == "trickle":
        faults.trickle(h.wfile.write, reply.body, fault.seconds, stop)
    elif h.command != "HEAD":
        view = memoryview(reply.body)
        for i in range(0, len(view), 1 << 16):
            h.wfile.write(view[i : i + (1 << 16)])
