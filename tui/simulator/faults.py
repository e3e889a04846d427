"""Faults the simulator can inject on any endpoint, and the bodies they produce.

A fault is what goes wrong between the client and Anthropic: a slow answer, no answer, a
connection cut mid-body, a proxy's HTML error page, broken JSON, a huge body, the wrong
content type, a body sent one byte at a time (``trickle``: ``seconds`` between bytes), or a
401 whose message echoes the credential the request carried (``echo_credential``, as some
gateways do). ``delay`` and ``trickle`` seconds are real seconds (network time), not scenario
time.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

FaultKind = Literal[
    "delay",
    "timeout",
    "reset",
    "html_5xx",
    "malformed_json",
    "huge_body",
    "wrong_content_type",
    "trickle",
    "echo_credential",
]
FAULT_KINDS: tuple[str, ...] = (
    "delay",
    "timeout",
    "reset",
    "html_5xx",
    "malformed_json",
    "huge_body",
    "wrong_content_type",
    "trickle",
    "echo_credential",
)
FAULT_FIELDS: tuple[str, ...] = ("kind", "seconds", "status", "size_mb", "times")
MAX_SIZE_MB = 64.0

_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class FaultError(ValueError):
    """A fault with a bad field; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.problem = message


@dataclass(frozen=True)
class Fault:
    """One fault. ``times`` limits it to the next N requests (None: until cleared)."""

    kind: FaultKind
    seconds: float = 2.0
    status: int = 502
    size_mb: float = 5.0
    times: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise FaultError("kind", f"expected one of {', '.join(FAULT_KINDS)}, got {self.kind!r}")
        if isinstance(self.seconds, bool) or not isinstance(self.seconds, int | float):
            raise FaultError("seconds", f"expected a number, got {self.seconds!r}")
        if self.seconds < 0:
            raise FaultError("seconds", f"must not be negative, got {self.seconds}")
        if isinstance(self.status, bool) or not isinstance(self.status, int):
            raise FaultError("status", f"expected an integer, got {self.status!r}")
        if not 500 <= self.status <= 599:
            raise FaultError("status", f"expected a 5xx status, got {self.status}")
        if isinstance(self.size_mb, bool) or not isinstance(self.size_mb, int | float):
            raise FaultError("size_mb", f"expected a number, got {self.size_mb!r}")
        if not 0 < self.size_mb <= MAX_SIZE_MB:
            raise FaultError("size_mb", f"expected more than 0 and at most {MAX_SIZE_MB:g}")
        if self.times is not None and (
            isinstance(self.times, bool) or not isinstance(self.times, int) or self.times < 1
        ):
            raise FaultError("times", f"expected a whole number of at least 1, got {self.times!r}")


def html_5xx_body(status: int) -> bytes:
    """The kind of page a proxy or CDN sends when the origin fails."""
    reason = _REASONS.get(status, "Server Error")
    return (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
        "</body>\r\n</html>\r\n"
    ).encode()


def malformed(body: bytes) -> bytes:
    """A JSON body cut short, as a broken proxy or a half-written cache would give it."""
    if len(body) < 4:
        return b'{"type": '
    return body[: max(2, len(body) * 2 // 3)] + b'",,'


def huge(payload: object, body: bytes, size_mb: float) -> bytes:
    """A valid JSON body of about ``size_mb`` megabytes: the real payload plus padding."""
    size = int(size_mb * 1024 * 1024)
    pad = max(0, size - len(body))
    if isinstance(payload, dict):
        padded = dict(payload)
        padded["_padding"] = "x" * pad
        return json.dumps(padded, separators=(",", ":")).encode()
    return json.dumps({"data": payload, "_padding": "x" * pad}, separators=(",", ":")).encode()


def echo_credential_body(auth: str, credential: str | None) -> bytes:
    """A 401 body that repeats the credential, as a careless gateway's error page would."""
    shown = f"Bearer {credential}" if auth == "bearer" else (credential or "(none)")
    payload = {
        "type": "error",
        "error": {"type": "authentication_error", "message": f"bad credential: {shown}"},
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def trickle(
    write: Callable[[bytes], object], body: bytes, pause: float, stop: threading.Event
) -> None:
    """Send ``body`` one byte at a time, ``pause`` real seconds apart, until ``stop`` is set."""
    for i in range(len(body)):
        write(body[i : i + 1])
        if i + 1 < len(body) and stop.wait(pause):
            return
